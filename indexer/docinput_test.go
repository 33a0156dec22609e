package indexer

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"minsheng/corpus"
)

// TestParseDocIDDots: "." and ".." are path segments a browser resolves
// before the server sees them, so they cannot be ids; ids that merely
// hold dots can.
func TestParseDocIDDots(t *testing.T) {
	for _, id := range []string{".", ".."} {
		_, err := ParseDoc([]byte(`{"id":"` + id + `","body":"x"}`))
		if !errors.Is(err, ErrBadDoc) || !strings.Contains(err.Error(), `field "id"`) || !strings.Contains(err.Error(), "cannot be an id") {
			t.Errorf("id %q: %v, want ErrBadDoc saying it cannot be an id", id, err)
		}
		if err := CheckID(id); !errors.Is(err, ErrBadDoc) {
			t.Errorf("CheckID(%q) = %v, want ErrBadDoc", id, err)
		}
	}
	for _, id := range []string{"...", ".a", "a..b", "v1.2"} {
		if err := CheckID(id); err != nil {
			t.Errorf("CheckID(%q) = %v, want nil", id, err)
		}
	}
}

// TestParseDocDates: every date field reads the forms the readers of
// sources read, the form search hits show among them, and a bad one is
// an error naming its field and showing the value as written.
func TestParseDocDates(t *testing.T) {
	for _, in := range []string{"2024-05-15", "2024年5月15日", "2024/5/15", "2024.5.15", "20240515",
		"2024-05-15T00:00:00+08:00", "2024-05-14T16:00:00Z", "2024-05-15 09:30"} {
		for _, f := range dateFields {
			d, err := ParseDoc([]byte(`{"id":"a","body":"x","` + f + `":"` + in + `"}`))
			if err != nil {
				t.Errorf("%s %q: %v", f, in, err)
				continue
			}
			got := map[string]string{"date": corpus.Day(d.Date), "assigned": corpus.Day(d.Assigned), "due": corpus.Day(d.Due), "replied": corpus.Day(d.Replied)}
			for g, day := range got {
				if want := map[bool]string{true: "2024-05-15"}[g == f]; day != want {
					t.Errorf("%s %q: %s is %q, want %q", f, in, g, day, want)
				}
			}
		}
	}
	for _, f := range dateFields {
		_, err := ParseDoc([]byte(`{"id":"a","body":"x","` + f + `":"2020年13月1日"}`))
		if !errors.Is(err, ErrBadDoc) || !strings.Contains(err.Error(), `field "`+f+`"`) || !strings.Contains(err.Error(), `"2020年13月1日" is not a date`) {
			t.Errorf("bad %s: %v, want ErrBadDoc naming %s and showing 2020年13月1日", f, err, f)
		}
		_, err = ParseDoc([]byte(`{"id":"a","body":"x","` + f + `":20240515}`))
		if !errors.Is(err, ErrBadDoc) || !strings.Contains(err.Error(), `field "`+f+`"`) {
			t.Errorf("%s as a number: %v, want ErrBadDoc naming %s", f, err, f)
		}
		d, err := ParseDoc([]byte(`{"id":"a","body":"x","` + f + `":""}`))
		if err != nil || !d.Date.IsZero() || !d.Due.IsZero() || !d.Assigned.IsZero() || !d.Replied.IsZero() {
			t.Errorf("empty %s: %+v %v, want no date", f, d, err)
		}
	}
}

// TestParseDocHandling: the handling fields of a document of the API are
// normalised as a reader normalises them (corpus.NormalizeHandling), and
// a PATCH of the class makes its text anew.
func TestParseDocHandling(t *testing.T) {
	d, err := ParseDoc([]byte(`{"id":"a","kind":"suggestion","body":"x","reply_class":"乙类","satisfaction":"比较满意",` +
		`"lead_unit":"省教育厅","units":["省财政厅","省教育厅"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if d.ReplyClass != corpus.ClassB || d.ReplyClassText != "乙类" || d.Satisfaction != corpus.FairlySatisfied ||
		!slices.Equal(d.Units, []string{"省教育厅", "省财政厅"}) {
		t.Errorf("handling not normalised: class %q (%q), satisfaction %q, units %v", d.ReplyClass, d.ReplyClassText, d.Satisfaction, d.Units)
	}
	p, err := patchDoc(d, []byte(`{"reply_class":"丙类"}`))
	if err != nil || p.ReplyClass != corpus.ClassC || p.ReplyClassText != "丙类" {
		t.Errorf("patched class: %+v %v, want C written 丙类", p, err)
	}
	p, err = patchDoc(d, []byte(`{"status":"已办结"}`))
	if err != nil || p.ReplyClass != corpus.ClassB || p.ReplyClassText != "乙类" || changedFields(d, p)[0] != "status" || len(changedFields(d, p)) != 1 {
		t.Errorf("patch of another field: %+v %v, changed %v", p, err, changedFields(d, p))
	}
}
