package search

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"unsafe"
)

// TestNoDocs: a search with NoDocs answers as the same search with its
// documents, its hits without them, and a page of it kept in the result
// cache is reckoned at less.
func TestNoDocs(t *testing.T) {
	_, live := servedSample(t)
	ctx := context.Background()
	for _, r := range []Request{{Query: "乡村振兴"}, {Query: "养老 服务", Size: 20}, {}, {Query: "\"十四届二次会议\""}} {
		with, without := New(live.Index(), Options{}), New(live.Index(), Options{})
		full, err := with.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		r.NoDocs = true
		light, err := without.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if len(light.Hits) == 0 {
			t.Fatalf("%q: no hits", r.Query)
		}
		for _, h := range light.Hits {
			if h.Doc != nil {
				t.Errorf("%q: hit %s holds its document", r.Query, h.ID)
			}
		}
		full.TookMS, light.TookMS = 0, 0
		a, _ := json.Marshal(full)
		b, _ := json.Marshal(light)
		if string(a) != string(b) {
			t.Errorf("%q: the answer differs without the documents:\n%s\n%s", r.Query, a, b)
		}
		// answered from the cache: documents only where they were asked for
		again, err := without.Search(ctx, r)
		if err != nil || len(again.Hits) == 0 || again.Hits[0].Doc != nil {
			t.Errorf("%q: the cached page: %v", r.Query, err)
		}
		if f, l := with.ResultCacheStats().Bytes, without.ResultCacheStats().Bytes; l >= f {
			t.Errorf("%q: the page without documents is reckoned at %d bytes, with them %d", r.Query, l, f)
		}
	}
}

// TestHitDetach: a detached hit shares no string with the document it
// was read from, every string field and list of Hit included (a field
// added to Hit later is checked too), and says the same.
func TestHitDetach(t *testing.T) {
	_, live := servedSample(t)
	s := New(live.Index(), Options{ResultCacheMB: -1})
	res, err := s.Search(context.Background(), Request{Query: "乡村振兴 答复", Size: 20})
	if err != nil {
		t.Fatal(err)
	}
	strs := 0
	for _, h := range res.Hits {
		before := h // detach changes the lists in place: before keeps copies
		before.Highlights = map[string][]string{}
		for k, v := range h.Highlights {
			before.Highlights[k] = slices.Clone(v)
		}
		for _, l := range before.lists() {
			*l = slices.Clone(*l)
		}
		d := h
		d.detach()
		if d.Doc != nil {
			t.Fatalf("%s: kept its document", h.ID)
		}
		bv, dv := reflect.ValueOf(before), reflect.ValueOf(d)
		for i := range bv.NumField() {
			name := bv.Type().Field(i).Name
			if name == "Doc" {
				continue
			}
			for j, pair := range stringsOf(bv.Field(i), dv.Field(i)) {
				if pair[0] != pair[1] {
					t.Errorf("%s: %s[%d] %q became %q", h.ID, name, j, pair[0], pair[1])
				}
				if pair[1] != "" && unsafe.StringData(pair[0]) == unsafe.StringData(pair[1]) {
					t.Errorf("%s: %s[%d] %q is still the document's memory", h.ID, name, j, pair[0])
				}
				strs++
			}
		}
	}
	if strs < 100 {
		t.Errorf("only %d strings checked", strs)
	}
}

// stringsOf pairs the strings of two values of one field of Hit: a
// string, a list of them or a map of lists (in key order of a).
func stringsOf(a, b reflect.Value) [][2]string {
	switch a.Kind() {
	case reflect.String:
		return [][2]string{{a.String(), b.String()}}
	case reflect.Slice:
		if a.Type().Elem().Kind() != reflect.String {
			return nil
		}
		var out [][2]string
		for i := range a.Len() {
			out = append(out, [2]string{a.Index(i).String(), b.Index(i).String()})
		}
		return out
	case reflect.Map:
		var out [][2]string
		for _, k := range a.MapKeys() {
			out = append(out, stringsOf(a.MapIndex(k), b.MapIndex(k))...)
		}
		return out
	}
	return nil
}
