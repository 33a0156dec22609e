package search

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"minsheng/corpus"
)

// TestDecodeStoredAsEncodingJSON: the stored JSON of every document, as the
// indexer writes it with encoding/json, decodes through decodeStored to
// what encoding/json reads back: the sample, and the CPPCC proposals and
// policy documents when ../shared is there. Broken JSON is an error.
func TestDecodeStoredAsEncodingJSON(t *testing.T) {
	sources := testSources(t)
	n := 0
	_, err := corpus.Walk(context.Background(), sources, corpus.Options{}, func(d corpus.Doc) error {
		js, err := json.Marshal(d)
		if err != nil {
			return err
		}
		var want corpus.Doc
		if err := json.Unmarshal(js, &want); err != nil {
			return err
		}
		got, err := decodeStored(string(js))
		if err != nil {
			t.Errorf("%s: %v", d.ID, err)
			return nil
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("%s: decoded\n%+v\nencoding/json\n%+v", d.ID, *got, want)
		}
		n++
		return nil
	}, func(corpus.Problem) {})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d documents compared", n)
	}
	for _, bad := range []string{"", "{", `{"id": 1}`, `{"date": "yesterday"}`} {
		if _, err := decodeStored(bad); err == nil {
			t.Errorf("%q decoded without an error", bad)
		}
	}
	t.Logf("%d documents decode alike", n)
}
