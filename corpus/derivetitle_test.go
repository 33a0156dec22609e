package corpus

import (
	"strings"
	"testing"
)

// TestDeriveTitle pins the derived title: the first line or sentence, cut
// at maxDerivedTitle characters with "…" only when the body goes on.
func TestDeriveTitle(t *testing.T) {
	sixty := strings.Repeat("民", maxDerivedTitle)
	for _, c := range []struct{ body, want string }{
		{"", ""},
		{"  短讯  ", "短讯"},
		{"第一句。第二句。", "第一句"},
		{"标题行\n正文", "标题行"},
		{"问什么？答", "问什么"},
		{"本报讯 记者张三报道今天", "本报讯 记者张三报道今天"}, // a space before the 8th character is kept
		{"一二三四五六七八九 十一", "一二三四五六七八九"},    // one after it ends the title
		{sixty, sixty},             // exactly the limit: whole, no mark
		{sixty + "多", sixty + "…"}, // one more: cut and marked
		{sixty + strings.Repeat("长", 5000), sixty + "…"}, // a long body
		{"ab\xffcd。", "ab\ufffdcd"},                      // invalid UTF-8 reads as U+FFFD, as []rune did
	} {
		if got := DeriveTitle(c.body); got != c.want {
			t.Errorf("DeriveTitle(%.20q) = %q, want %q", c.body, got, c.want)
		}
	}
}
