// Package corpus holds the document model shared by every other package and
// the readers that turn source files (JSON Lines, CSV, XLSX, news pages saved
// as text, HTML or web archives, Word files) into documents.
//
// A reader never stops on a bad record: it reports the record's file and
// line (or row) through a callback, skips it, and goes on.
//
//	err := corpus.Walk(ctx, []string{"corpus/sample"}, corpus.Options{}, func(d corpus.Doc) error {
//		return b.Add(d)
//	}, func(p corpus.Problem) { log.Print(p) })
package corpus

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Kinds of documents.
const (
	KindSuggestion = "suggestion" // 代表建议
	KindReply      = "reply"      // 答复
	KindNews       = "news"       // 新闻
	KindProposal   = "proposal"   // 政协提案
	KindPolicy     = "policy"     // 政策文件
	KindReport     = "report"     // 工作报告
)

// Doc is one document: a suggestion, a reply, a news item, a policy.
// The zero Date means the date is unknown.
type Doc struct {
	ID            string    `json:"id"`
	Kind          string    `json:"kind"`
	Title         string    `json:"title,omitempty"`
	Body          string    `json:"body"`
	Date          time.Time `json:"date,omitzero"`
	Source        string    `json:"source,omitempty"`         // 来源: publisher or system the document came from
	Author        string    `json:"author,omitempty"`         // 代表 (representative) or 作者/记者
	Editor        string    `json:"editor,omitempty"`         // 编辑/责任编辑 of a news page
	Delegation    string    `json:"delegation,omitempty"`     // 代表团
	Session       string    `json:"session,omitempty"`        // 届次/会议, e.g. 十四届二次会议
	Number        string    `json:"number,omitempty"`         // 建议编号 or 文号
	Units         []string  `json:"units,omitempty"`          // 承办单位
	Status        string    `json:"status,omitempty"`         // 办理状态
	KeySupervised bool      `json:"key_supervised,omitempty"` // 重点督办
	Reply         string    `json:"reply,omitempty"`          // 答复
	// Topics are the topics a document carries, its primary topic first:
	// staff's correction if there is one, else those given by the source
	// and then those the classifier inferred. A reader fills it with the
	// topics a source gives; tagging (taxonomy.Classifier.Tag) moves those
	// to GivenTopics.
	Topics          []string `json:"topics,omitempty"`
	PrimaryTopic    string   `json:"primary_topic,omitempty"`    // Topics[0]: what the document is mainly about
	GivenTopics     []string `json:"given_topics,omitempty"`     // topics given by the source, or by its category
	Inferred        []Topic  `json:"inferred,omitempty"`         // topics assigned by the classifier at index time
	TopicsCorrected bool     `json:"topics_corrected,omitempty"` // Topics were set by staff (PUT /api/v1/docs/{id}/topics)
	Category        string   `json:"category,omitempty"`         // the source's own classification
	URL             string   `json:"url,omitempty"`

	// Handling of a suggestion (办理): see handling.go.
	ReplyClass     string    `json:"reply_class,omitempty"`      // 答复类别: A, B, C or D; an unknown value as written
	ReplyClassText string    `json:"reply_class_text,omitempty"` // the class as the source wrote it: 甲类, 2类, B
	Satisfaction   string    `json:"satisfaction,omitempty"`     // 满意, 基本满意 or 不满意; an unknown value as written
	LeadUnit       string    `json:"lead_unit,omitempty"`        // 主办单位, also first of Units
	Assigned       time.Time `json:"assigned,omitzero"`          // 交办日期
	Due            time.Time `json:"due,omitzero"`               // 办理期限
	Replied        time.Time `json:"replied,omitzero"`           // 答复日期

	assisting []string // 协办单位 while a record is read: Units after the lead
	problems  []string // values kept as written that a reader did not understand
}

// Topic is a topic the classifier assigned to a document, with its score
// and the words that decided it.
type Topic struct {
	Name  string   `json:"name"`
	Score float64  `json:"score"`           // what the taxonomy's keywords scored
	Model float64  `json:"model,omitempty"` // what the learned model added: see taxonomy.Classifier
	Words []string `json:"words,omitempty"`
}

// AllTopics returns the topics a document carries, primary first: Topics
// followed by the inferred ones not among them (a document indexed before
// Topics held them all has only its given topics there), without repeats.
// A staff correction is returned as it is.
func (d *Doc) AllTopics() []string {
	if d.TopicsCorrected {
		return append([]string(nil), d.Topics...)
	}
	seen := make(map[string]bool, len(d.Topics)+len(d.Inferred))
	var out []string
	add := func(t string) {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, t := range d.Topics {
		add(t)
	}
	for _, t := range d.Inferred {
		add(t.Name)
	}
	return out
}

// Keyword is a word of a text with its TF-IDF weight. The indexer's
// extractor makes them and search ranks similar documents by them.
type Keyword struct {
	Word   string  `json:"word"`
	Weight float64 `json:"weight"`
	// Tag is the word's part of speech by the segmenter's dictionary
	// (jieba's tags: ns a place, nr a person, n a noun ...); "" unknown.
	Tag string `json:"tag,omitempty"`
}

// Problem is a record that a reader skipped, or a whole file it could not
// read, or (Kept) a value of a document it kept that it did not understand,
// or (Kept, Line 0: a Note) what a file's documents were read without.
type Problem struct {
	File   string // path of the source file
	Line   int    // 1-based line or row; 0 for the whole file
	Reason string
	Kept   bool // the document was kept: the value is kept as written, or left out
}

// Note reports whether p is a note on a whole file whose documents were
// read: the columns or keys no field takes (see walker.noteUnread).
func (p Problem) Note() bool { return p.Kept && p.Line == 0 }

func (p Problem) String() string {
	if p.Line == 0 {
		return fmt.Sprintf("%s: %s", p.File, p.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Reason)
}

// maxDerivedTitle is the longest title DeriveTitle makes, in characters.
const maxDerivedTitle = 60

// DeriveTitle makes a display title for a document that has none (news
// sources often give only the text): the first line or sentence of the
// body, or its first words, cut at maxDerivedTitle characters.
func DeriveTitle(body string) string {
	body = strings.TrimSpace(body)
	// only the first maxDerivedTitle+1 characters are read: every hit of
	// a search of news derives its title, and turning whole bodies into
	// runes was most of that
	rs := make([]rune, 0, maxDerivedTitle+1)
	for _, r := range body {
		if len(rs) > maxDerivedTitle {
			break
		}
		rs = append(rs, r)
	}
	end := min(len(rs), maxDerivedTitle)
	for i, r := range rs[:end] {
		if r == '\n' || r == '。' || r == '！' || r == '？' || r == '!' || r == '?' ||
			(unicode.IsSpace(r) && i >= 8) {
			end = i
			break
		}
	}
	t := strings.TrimSpace(string(rs[:end]))
	if end < len(rs) && end == maxDerivedTitle {
		t += "…"
	}
	return t
}
