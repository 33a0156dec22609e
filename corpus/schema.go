package corpus

// Field names of the index. The indexer writes them and search reads them;
// the two packages meet only here and through the index they are handed.
const (
	FieldTitle    = "title"     // jieba words, BM25
	FieldBody     = "body"      // jieba words, BM25
	FieldReply    = "reply"     // jieba words of the reply (答复)
	FieldMeta     = "meta"      // jieba words of number, session, author, delegation, units
	FieldTitleLit = "title_lit" // every pair of adjacent characters at its position: literal phrases
	FieldBodyLit  = "body_lit"
	FieldReplyLit = "reply_lit"
	FieldMetaLit  = "meta_lit"

	FieldKind         = "kind" // keyword fields, facets and filters
	FieldTopic        = "topic"
	FieldPrimaryTopic = "primary_topic" // a document's first topic
	FieldYear         = "year"
	FieldDelegation   = "delegation"
	FieldUnit         = "unit"
	FieldStatus       = "status"
	FieldSource       = "source"
	FieldAuthor       = "author"
	FieldNumber       = "number"
	FieldKey          = "key_supervised"
	FieldDate         = "date" // datetime: ranges and sorting

	FieldStored = "_doc" // the whole document as JSON, stored, not indexed

	// FieldLiteralApart marks, with the term "1", a document whose literal
	// fields are not in its segment but in the segment's bigram index
	// beside it (indexer/literal): every document of a build.
	FieldLiteralApart = "lit_apart"

	// KeyFieldLengths is the internal key under which a build stores, as a
	// JSON object, each field's length in tokens summed over the documents:
	// search gives BM25 its true average field length from it.
	KeyFieldLengths = "minsheng.field_lengths"

	AnalyzerWords   = "zh"       // jieba search-mode words
	AnalyzerLiteral = "zh_lit"   // one token per pair of adjacent characters
	AnalyzerChars   = "zh_chars" // one token per character: highlights

	// LiteralEnd follows the last character of a text in its last bigram,
	// so that every character starts a bigram and a one-character query is
	// a prefix query. Clean removes it from text.
	LiteralEnd = "\x01"
)

// LiteralOf returns the bigram field that shadows a word field.
func LiteralOf(field string) string { return field + "_lit" }

// FoldedOf returns the stored field that holds a word field's text as
// the literal field folds it: what a literal phrase's candidates, found
// from the bigrams without positions, are verified against.
func FoldedOf(field string) string { return field + "_folded" }
