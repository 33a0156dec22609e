package search

import (
	"reflect"
	"testing"
)

// TestParse pins what the query language reads, punctuation, unclosed
// quotes and invisible characters above all: a word of symbols alone was a
// word a document had to have (教育 ★ found nothing), an unclosed quote
// made a phrase of the rest with its spaces ("乡村振兴 教育 found nothing),
// and a zero-width space cut a word in two.
func TestParse(t *testing.T) {
	w := func(text string) Term { return Term{Text: text} }
	ph := func(text string) Term { return Term{Text: text, Phrase: true} }
	one := func(ts ...Term) [][]Term {
		var gs [][]Term
		for _, t := range ts {
			gs = append(gs, []Term{t})
		}
		return gs
	}
	for _, tt := range []struct {
		in   string
		want Query
	}{
		{"", Query{}},
		{"乡村振兴 教育", Query{Groups: one(w("乡村振兴"), w("教育"))}},
		{`"十四届二次会议" -养老 -"城乡居民"`, Query{Groups: one(ph("十四届二次会议")), Not: []Term{w("养老"), ph("城乡居民")}}},
		{"医保 OR 医疗保险", Query{Groups: [][]Term{{w("医保"), w("医疗保险")}}}},
		{"topic:乡村振兴 主题：教育", Query{Groups: one(Term{Field: "topic", Text: "乡村振兴"}, Term{Field: "topic", Text: "教育"})}},
		{"5G 2023年 C++ ＡＩ", Query{Groups: one(w("5G"), w("2023年"), w("C++"), w("ＡＩ"))}},
		{"number:", Query{Groups: one(w("number:"))}},

		// symbols, punctuation, emoji and marks alone are dropped
		{"教育 ★", Query{Groups: one(w("教育"))}},
		{"教育 😀 🇨🇳 © … · ～ — 、 \u0301", Query{Groups: one(w("教育"))}},
		{"教育 - 学校", Query{Groups: one(w("教育"), w("学校"))}},
		{"( : ， 。 -", Query{}},
		{`-★ -- 教育`, Query{Groups: one(w("教育"))}},
		// but a phrase asks for its characters, whatever they are
		{`"★" -"。" 教育`, Query{Groups: one(ph("★"), w("教育")), Not: []Term{ph("。")}}},
		{"教育★ ★教育", Query{Groups: one(w("教育★"), w("★教育"))}}, // the analyzer drops the ★
		{"topic:★", Query{Groups: one(Term{Field: "topic", Text: "★"})}},
		// with an OR beside them
		{"教育 OR ★", Query{Groups: one(w("教育"))}},
		{"★ OR 教育", Query{Groups: one(w("教育"))}},
		{"医保 OR ★ OR 医疗", Query{Groups: [][]Term{{w("医保"), w("医疗")}}}},
		{"教育 OR -★", Query{Groups: one(w("教育"))}},
		// a question mark alone still asks
		{"教育 ？", Query{Groups: one(w("教育")), asks: true}},
		{"教育 -？", Query{Groups: one(w("教育"))}},
		{"？", Query{asks: true}},

		// an unclosed quote is ignored
		{`"乡村振兴 教育`, Query{Groups: one(w("乡村振兴"), w("教育"))}},
		{`"托育服务`, Query{Groups: one(w("托育服务"))}},
		{`"`, Query{}},
		{`教育 "`, Query{Groups: one(w("教育"))}},
		{`"养老" "托育`, Query{Groups: one(ph("养老"), w("托育"))}},
		{`-"城乡 居民`, Query{Groups: one(w("居民")), Not: []Term{w("城乡")}}},
		{`-" 城乡`, Query{Not: []Term{w("城乡")}}},
		{`topic:"教育`, Query{Groups: one(Term{Field: "topic", Text: "教育"})}},
		{"“乡村振兴 「教育", Query{Groups: one(w("乡村振兴"), w("教育"))}},

		// invisible characters are removed
		{"乡\u200b村振兴", Query{Groups: one(w("乡村振兴"))}},
		{"\ufeff乡\u200c村\u200d振\u2060兴\u00ad 教\u200e育", Query{Groups: one(w("乡村振兴"), w("教育"))}},
		{"\u200b", Query{}},
		{`"乡村` + "\u200b" + `振兴"`, Query{Groups: one(ph("乡村振兴"))}},
	} {
		if got := Parse(tt.in); !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("Parse(%+q) = %+v, want %+v", tt.in, *got, tt.want)
		}
	}
}
