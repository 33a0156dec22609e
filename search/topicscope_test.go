package search

import (
	"slices"
	"testing"

	"minsheng/corpus"
)

func TestTopicScope(t *testing.T) {
	r := Request{TopicScope: TopicsPrimary, Filters: Filters{Topic: []string{"教育"}}}
	if err := r.scopeTopics(); err != nil {
		t.Fatal(err)
	}
	if len(r.Filters.Topic) != 0 || !slices.Equal(r.Filters.Values(corpus.FieldPrimaryTopic), []string{"教育"}) {
		t.Errorf("filters %+v: want the topic filter on primary topics", r.Filters)
	}
	f := map[string][]Count{corpus.FieldTopic: {{Value: "a", Count: 3}}, corpus.FieldPrimaryTopic: {{Value: "a", Count: 1}}}
	r.scopeFacets(f)
	if f[corpus.FieldTopic][0].Count != 1 {
		t.Errorf("primary scope: topic facet %+v", f[corpus.FieldTopic])
	}
	all := Request{TopicScope: TopicsAll, Filters: Filters{Topic: []string{"教育"}}}
	if err := all.scopeTopics(); err != nil || !slices.Equal(all.Filters.Topic, []string{"教育"}) {
		t.Errorf("all: %v %+v", err, all.Filters)
	}
	if err := (&Request{TopicScope: "most"}).scopeTopics(); err == nil {
		t.Error("topic_scope=most: no error")
	}
}
