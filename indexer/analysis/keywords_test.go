package analysis

import "testing"

// TestKeywordsTag: each keyword carries its part of speech by the
// dictionary, which promise tracking reads to weigh places and persons
// down; a word jieba would cut in several has none.
func TestKeywordsTag(t *testing.T) {
	a := testAnalysis(t)
	tags := map[string]string{}
	for _, k := range a.Keywords("兰州市民勤县的防沙治沙工程，加快推进防沙治沙，防沙治沙资金。", 10) {
		tags[k.Word] = k.Tag
	}
	for w, want := range map[string]string{"民勤县": "ns", "防沙治沙": "n", "兰州市": "ns"} {
		if got, ok := tags[w]; !ok || got != want {
			t.Errorf("%s: tag %q (found %v), want %q; all %v", w, got, ok, want, tags)
		}
	}
	for _, c := range []struct{ word, want string }{{"陇南", "ns"}, {"建议", "n"}, {"兰州甘南", ""}, {"", ""}} {
		if got := a.tag(c.word); got != c.want {
			t.Errorf("tag(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}
