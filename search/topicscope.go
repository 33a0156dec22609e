package search

import "minsheng/corpus"

// Scopes of the topic facet and filter (Request.TopicScope).
const (
	TopicsAll     = "all"     // every topic a document carries
	TopicsPrimary = "primary" // its primary topic only
)

// scopeTopics checks the request's topic scope and, for the primary
// scope, makes its topic filter one of primary topics.
func (r *Request) scopeTopics() error {
	switch r.TopicScope {
	case "", TopicsAll:
		return nil
	case TopicsPrimary:
		if t := r.Filters.Values(corpus.FieldTopic); len(t) > 0 {
			r.Filters.Set(corpus.FieldPrimaryTopic, append(r.Filters.Values(corpus.FieldPrimaryTopic), t...))
			r.Filters.Set(corpus.FieldTopic, nil)
		}
		return nil
	}
	return invalid("topic_scope %q: want %s or %s", r.TopicScope, TopicsAll, TopicsPrimary)
}

// scopeFacets makes the topic facet count primary topics, for the
// primary scope.
func (r *Request) scopeFacets(f map[string][]Count) {
	if r.TopicScope != TopicsPrimary || f == nil {
		return
	}
	if p, ok := f[corpus.FieldPrimaryTopic]; ok {
		f[corpus.FieldTopic] = p
	}
}

// scopeOf is a topic scope as answers name it: TopicsAll when it is "".
func scopeOf(scope string) string {
	if scope == TopicsPrimary {
		return TopicsPrimary
	}
	return TopicsAll
}

// ScopedTopics are the topics of a document, primary first (its
// AllTopics, a hit's Topics), that scope counts it under: every one, or
// with TopicsPrimary the primary alone, as the topic facet counts them.
func ScopedTopics(scope string, topics []string) []string {
	if scope == TopicsPrimary && len(topics) > 1 {
		return topics[:1]
	}
	return topics
}

// topicField is the field that holds the topics a request's scope
// counts: every topic, or the primary one.
func topicField(r Request) string {
	if r.TopicScope == TopicsPrimary {
		return corpus.FieldPrimaryTopic
	}
	return corpus.FieldTopic
}

// scoped returns q with its topic:value terms on primary topics, for the
// primary scope: topic:教育 then finds what topic=教育 finds, as staff
// typing one or the other expect.
func (q *Query) scoped(scope string) *Query {
	if scope != TopicsPrimary {
		return q
	}
	on := func(ts []Term) {
		for i := range ts {
			if ts[i].Field == corpus.FieldTopic {
				ts[i].Field = corpus.FieldPrimaryTopic
			}
		}
	}
	for _, g := range q.Groups {
		on(g)
	}
	on(q.Not)
	return q
}
