package search

import (
	"testing"

	"minsheng/corpus"
)

func TestPlaceOf(t *testing.T) {
	for in, want := range map[string]string{
		"天水代表团": "天水", "临夏州代表团": "临夏", "甘南藏族自治州代表团": "甘南藏族", "兰州市代表团": "兰州",
		"解放军代表团": "解放军", "天水": "", "县代表团": "", "代表团": "",
	} {
		if got := placeOf(in); got != want {
			t.Errorf("placeOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNamesIs(t *testing.T) {
	n := &names{places: map[string]bool{"天水": true, "酒泉": true}}
	for _, c := range []struct {
		k    Keyword
		want bool
	}{
		{Keyword{Word: "陇南", Tag: "ns"}, true},
		{Keyword{Word: "张三", Tag: "nr"}, true},
		{Keyword{Word: "天水", Tag: "n"}, true},  // a delegation's place the dictionary tags a noun
		{Keyword{Word: "天水市", Tag: ""}, true},  // with an administrative ending
		{Keyword{Word: "酒泉县", Tag: "n"}, true}, // any ending
		{Keyword{Word: "天水湖", Tag: "n"}, false},
		{Keyword{Word: "治沙", Tag: "n"}, false},
		{Keyword{Word: "乡村振兴", Tag: "nz"}, false},
	} {
		if got := n.is(c.k); got != c.want {
			t.Errorf("is(%v) = %v, want %v", c.k, got, c.want)
		}
	}
	kws := n.weigh([]Keyword{{Word: "天水", Weight: 10}, {Word: "高速公路", Weight: 10, Tag: "n"}})
	if kws[0].Weight != 10*nameWeight || kws[1].Weight != 10 {
		t.Errorf("weigh: %v", kws)
	}
}

func TestCrowdAndLift(t *testing.T) {
	for _, c := range []struct {
		scores []float64
		median float64
	}{
		{[]float64{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}, 5.5},
		{[]float64{10, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 1},
		{[]float64{10, 9, 8}, 0},            // fewer than half of PromiseCrowd: no crowd
		{[]float64{10, 9, 8, 7, 6, 5}, 5.5}, // the four missing score 0
		{[]float64{10, 9, 8, 7, 6}, 3},
		{nil, 0},
	} {
		if got := crowd(c.scores); got != c.median {
			t.Errorf("crowd(%v) = %v, want %v", c.scores, got, c.median)
		}
	}
	if liftOf(10, 0) != 0 || liftOf(10, 2.5) != 4 {
		t.Errorf("liftOf: %v %v", liftOf(10, 0), liftOf(10, 2.5))
	}
}

func TestTopicsDisagree(t *testing.T) {
	given := func(ts ...string) *corpus.Doc { return &corpus.Doc{GivenTopics: ts, Topics: ts} }
	inferred := func(ts ...string) *corpus.Doc {
		d := &corpus.Doc{}
		for _, tp := range ts {
			d.Inferred = append(d.Inferred, corpus.Topic{Name: tp, Score: 9})
		}
		return d
	}
	corrected := &corpus.Doc{Topics: []string{"教育"}, TopicsCorrected: true}
	for _, c := range []struct {
		a, b *corpus.Doc
		want bool
	}{
		{given("乡村振兴"), given("教育"), true},
		{given("乡村振兴", "教育"), given("教育"), false},
		{given("乡村振兴"), inferred("就业与社会保障"), false}, // the classifier's topics do not decide
		{given("乡村振兴"), given(), false},
		{corrected, given("乡村振兴"), true},
		{corrected, given("教育"), false},
	} {
		if got := topicsDisagree(c.a, c.b); got != c.want {
			t.Errorf("topicsDisagree(%v, %v) = %v, want %v", c.a.AllTopics(), c.b.AllTopics(), got, c.want)
		}
	}
}
