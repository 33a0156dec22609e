package corpus

// Field names of the index. The indexer writes them and search reads them;
// the two packages meet only here and through the index they are handed.
const (
	FieldTitle    = "title"     // jieba words, BM25
	FieldBody     = "body"      // jieba words, BM25
	FieldReply    = "reply"     // jieba words of the reply (答复)
	FieldMeta     = "meta"      // jieba words of number, session, author, delegation, units
	FieldTitleLit = "title_lit" // every character at its position: literal phrases
	FieldBodyLit  = "body_lit"
	FieldReplyLit = "reply_lit"
	FieldMetaLit  = "meta_lit"

	FieldKind       = "kind" // keyword fields, facets and filters
	FieldTopic      = "topic"
	FieldYear       = "year"
	FieldDelegation = "delegation"
	FieldUnit       = "unit"
	FieldStatus     = "status"
	FieldSource     = "source"
	FieldAuthor     = "author"
	FieldNumber     = "number"
	FieldKey        = "key_supervised"
	FieldDate       = "date" // datetime: ranges and sorting

	FieldStored = "_doc" // the whole document as JSON, stored, not indexed

	AnalyzerWords   = "zh"     // jieba search-mode words
	AnalyzerLiteral = "zh_lit" // one token per character
)

// LiteralOf returns the literal field that shadows a word field.
func LiteralOf(field string) string { return field + "_lit" }
