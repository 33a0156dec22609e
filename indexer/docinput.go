package indexer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"minsheng/corpus"
	"minsheng/errs"
)

// MaxIDLen is the longest document id the API takes, in bytes.
const MaxIDLen = 200

// ErrBadDoc is a document the API cannot take: the error says which field
// and why.
var ErrBadDoc = errs.New(errs.Invalid, "invalid document")

// badDoc is an ErrBadDoc naming its field.
func badDoc(field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if field != "" {
		msg = fmt.Sprintf("field %q: %s", field, msg)
	}
	return fmt.Errorf("%w: %s", ErrBadDoc, msg)
}

// computedFields are the fields of corpus.Doc that tagging sets: a
// document of the API gives its own topics as "topics", as a source does.
var computedFields = []string{"inferred", "primary_topic", "given_topics", "topics_corrected"}

// kindNames are the kinds a document may have.
var kindNames = []string{corpus.KindSuggestion, corpus.KindReply, corpus.KindNews,
	corpus.KindProposal, corpus.KindPolicy, corpus.KindReport}

// ParseDoc decodes one document of the API: a JSON object whose keys are
// the json names of corpus.Doc's fields. Unknown keys, values of the wrong
// type, invalid UTF-8, a missing or over-long id, an unknown kind, a date
// that is not one, and a document without title or body are errors
// (ErrBadDoc) naming the field. The fields tagging sets (computedFields)
// cannot be given. Dates and the handling fields read as the readers of
// sources read them (corpus.ParseDate, corpus.NormalizeHandling).
func ParseDoc(b []byte) (*corpus.Doc, error) {
	fields, err := parseObject(b)
	if err != nil {
		return nil, err
	}
	return docOf(fields)
}

// parseObject decodes a JSON object into its fields.
func parseObject(b []byte) (map[string]json.RawMessage, error) {
	if !utf8.Valid(b) {
		return nil, badDoc("", "invalid UTF-8 at byte %d", invalidAt(b))
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, badDoc("", "want a JSON object")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return nil, badDoc("", "invalid JSON: %v", err)
	}
	return fields, nil
}

func invalidAt(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// docOf makes a document of its JSON fields and checks it.
func docOf(fields map[string]json.RawMessage) (*corpus.Doc, error) {
	for _, k := range computedFields {
		if _, ok := fields[k]; ok {
			return nil, badDoc(k, "set at index time by the classifier; give the document's own topics as \"topics\"")
		}
	}
	if err := readDates(fields); err != nil {
		return nil, err
	}
	js, _ := json.Marshal(fields) // RawMessages that parsed marshal again
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var d corpus.Doc
	if err := dec.Decode(&d); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, badDoc(te.Field, "want %s, got a JSON %s", te.Type, te.Value)
		}
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return nil, badDoc(strings.Trim(name, `"`), "unknown field")
		}
		return nil, badDoc("", "%v", err)
	}
	if err := checkDoc(&d); err != nil {
		return nil, err
	}
	// The handling fields are stored as a reader stores them, so that
	// the analytics and the reply_class and satisfaction filters count a
	// document of the API (乙类, 比较满意) as they count one of a file.
	corpus.NormalizeHandling(&d)
	return &d, nil
}

// dateFields are the date fields of corpus.Doc.
var dateFields = []string{"date", "assigned", "due", "replied"}

// readDates reads the date fields of fields as the readers of sources read
// a date (corpus.ParseDate: 2024-03-01, 2024年3月1日, RFC 3339, and the
// form search hits show, 2024-05-15), and writes them back as JSON times
// for corpus.Doc to decode. An empty date or null is none.
func readDates(fields map[string]json.RawMessage) error {
	for _, f := range dateFields {
		raw, ok := fields[f]
		if !ok {
			continue
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return badDoc(f, "want a date as a JSON string (2024-03-01, 2024年3月1日, RFC 3339), got %s", clip(string(raw), 40))
		}
		if strings.TrimSpace(s) == "" {
			delete(fields, f)
			continue
		}
		t, err := corpus.ParseDate(s)
		if err != nil {
			return badDoc(f, "%q is not a date (2024-03-01, 2024年3月1日, RFC 3339)", clip(s, 40))
		}
		fields[f], _ = json.Marshal(t)
	}
	return nil
}

// checkDoc checks what the JSON types cannot say, and fills in the kind.
func checkDoc(d *corpus.Doc) error {
	if err := CheckID(d.ID); err != nil {
		return err
	}
	if d.Kind == "" {
		d.Kind = corpus.KindNews
		if d.Number != "" || d.Delegation != "" || len(d.Units) > 0 {
			d.Kind = corpus.KindSuggestion
		}
	}
	if !slices.Contains(kindNames, d.Kind) {
		return badDoc("kind", "unknown kind %q (one of %s)", clip(d.Kind, 40), strings.Join(kindNames, ", "))
	}
	if strings.TrimSpace(d.Title) == "" && strings.TrimSpace(d.Body) == "" {
		return badDoc("body", "a document needs a title or a body")
	}
	return nil
}

// CheckID checks a document id of the API: present, at most MaxIDLen
// bytes, without slashes, spaces or control characters, and neither "."
// nor ".." (it is a path segment of /api/v1/docs/{id}, and a browser or
// proxy resolves those two, escaped as %2E too, before the server sees
// them: /api/v1/docs/.. is /api/v1/).
func CheckID(id string) error {
	switch {
	case id == "":
		return badDoc("id", "missing")
	case id == "." || id == "..":
		return badDoc("id", "%q cannot be an id: a browser reads it as a folder of the path /api/v1/docs/{id}, not a document", id)
	case len(id) > MaxIDLen:
		return badDoc("id", "%d bytes long, at most %d", len(id), MaxIDLen)
	case !utf8.ValidString(id):
		return badDoc("id", "invalid UTF-8")
	case strings.ContainsFunc(id, func(r rune) bool { return r == '/' || r == '\\' || unicode.IsSpace(r) || unicode.IsControl(r) }):
		return badDoc("id", "%q has a slash, space or control character", clip(id, 40))
	}
	return nil
}

// patchDoc applies a PATCH's fields to a copy of d. null removes a field;
// "id" may only repeat the document's own.
func patchDoc(d *corpus.Doc, b []byte) (*corpus.Doc, error) {
	patch, err := parseObject(b)
	if err != nil {
		return nil, err
	}
	if raw, ok := patch["id"]; ok {
		var id string
		if json.Unmarshal(raw, &id) != nil || id != d.ID {
			return nil, badDoc("id", "a PATCH cannot change the id of %q", d.ID)
		}
	}
	if len(patch) == 0 {
		return nil, badDoc("", "a PATCH needs at least one field")
	}
	fields, err := docFields(d)
	if err != nil {
		return nil, err
	}
	if _, ok := patch["reply_class_text"]; !ok {
		if _, ok := patch["reply_class"]; ok {
			// The class as written follows the class it comes with,
			// not the class it replaces.
			delete(fields, "reply_class_text")
		}
	}
	for k, v := range patch {
		if string(v) == "null" {
			delete(fields, k)
		} else {
			fields[k] = v
		}
	}
	return docOf(fields)
}

// docFields is d as JSON fields, the classifier's topics left out.
func docFields(d *corpus.Doc) (map[string]json.RawMessage, error) {
	c := *d
	c.Inferred, c.PrimaryTopic, c.GivenTopics, c.TopicsCorrected = nil, "", nil, false
	js, err := json.Marshal(&c)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	err = json.Unmarshal(js, &fields)
	return fields, err
}

// changedFields names the fields whose values differ between a and b
// (either may be nil), in order.
func changedFields(a, b *corpus.Doc) []string {
	fa, fb := map[string]json.RawMessage{}, map[string]json.RawMessage{}
	if a != nil {
		fa, _ = docFields(a)
	}
	if b != nil {
		fb, _ = docFields(b)
	}
	keys := slices.Sorted(maps.Keys(fa))
	for k := range fb {
		if _, ok := fa[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var out []string
	for _, k := range keys {
		if k != "id" && !bytes.Equal(fa[k], fb[k]) {
			out = append(out, k)
		}
	}
	return out
}

// clip cuts s to n characters for an error message.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
