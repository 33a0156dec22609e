package search_test

import (
	"context"
	"slices"
	"testing"

	"minsheng/corpus"
	"minsheng/search"
)

// plantedRepeats are the later suggestions of the sample corpus that raise
// again the matter of an earlier one whose reply was classed B or C.
var plantedRepeats = map[string]string{
	"s-2020-0033": "s-2023-0005", // 城乡居民医保缴费
	"s-2020-0148": "s-2025-0028", // 县域医共体
	"s-2021-0009": "s-2024-0006", // 农村寄宿制学校
	"s-2022-0123": "s-2025-0004", // 农村寄递物流
	"s-2022-0008": "s-2023-0151", // 乡村振兴人才 (written in traditional characters)
	"s-2020-0123": "s-2023-0075", // 防沙治沙
	"s-2024-0175": "s-2025-0079", // 种业振兴, 制种基地
}

// TestPromisesFindPlantedRepeats, over the sample indexed as the service
// indexes it (topics tagged by the built-in taxonomy's classifier): each
// planted repeat is among the first three later suggestions of its
// promise, all but at most one are flagged 再次提出 (a flag needs a topic
// in common, and the classifier may tag a repeat otherwise), and no
// flagged pair has topics with none in common.
func TestPromisesFindPlantedRepeats(t *testing.T) {
	f := newAnalyticsFixture(t)
	p, err := f.s.Promises(context.Background(), search.Request{})
	if err != nil {
		t.Fatal(err)
	}
	topics := map[string][]string{}
	res, err := f.s.Search(context.Background(), search.Request{Size: 1000, Filters: search.Filters{Kind: []string{corpus.KindSuggestion}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Hits {
		topics[h.ID] = h.Topics
	}
	found, flagged := map[string]bool{}, 0
	bc := 0
	for _, pr := range p.Promises {
		if pr.ReplyClass != corpus.ClassB && pr.ReplyClass != corpus.ClassC {
			t.Errorf("%s: class %s is no promise", pr.ID, pr.ReplyClass)
		}
		bc++
		for i, c := range pr.Later {
			t.Logf("%s %s -> %d %s %s %.4f %v %v", pr.ID, pr.Title, i+1, c.ID, c.Title, c.Similarity, c.Repeated, c.Shared)
			if c.ID == plantedRepeats[pr.ID] {
				found[pr.ID] = true
				if c.Repeated {
					flagged++
				} else {
					t.Logf("%s %v -> %s %v: planted repeat not flagged (similarity %.3f)", pr.ID, topics[pr.ID], c.ID, topics[c.ID], c.Similarity)
				}
			}
			if c.Repeated && len(topics[pr.ID]) > 0 && len(topics[c.ID]) > 0 &&
				!slices.ContainsFunc(topics[pr.ID], func(tp string) bool { return slices.Contains(topics[c.ID], tp) }) {
				t.Errorf("%s %v -> %s %v flagged across unrelated topics", pr.ID, topics[pr.ID], c.ID, topics[c.ID])
			}
			if c.Date <= pr.Date || c.Session == pr.Session {
				t.Errorf("%s -> %s is not later", pr.ID, c.ID)
			}
		}
	}
	for early, late := range plantedRepeats {
		if !found[early] {
			t.Errorf("planted repeat %s -> %s not among the first three", early, late)
		}
	}
	if flagged < len(plantedRepeats)-1 {
		t.Errorf("%d of %d planted repeats flagged", flagged, len(plantedRepeats))
	}
	if bc != p.Total || p.Total < len(plantedRepeats) {
		t.Errorf("total %d, listed %d", p.Total, bc)
	}
}
