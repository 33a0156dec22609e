package corpus

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// Many government and newspaper sites still serve GB2312/GBK pages, and
// staff save them as they come. A page that declares its charset is read in
// it, unless it is valid UTF-8 with characters beyond ASCII (a page the
// browser re-encoded when it saved it: GBK text is practically never valid
// UTF-8). One that declares none is UTF-8 when it is valid UTF-8, or when
// most of it is (UTF-8 with broken bytes, a bad record), and else GB18030,
// the superset of GB2312 and GBK.

// metaCharset finds a charset declared in a page's first bytes: <meta
// charset="gbk">, <meta http-equiv="Content-Type" content="text/html;
// charset=gb2312"> or <?xml … encoding="gbk"?>.
var metaCharset = regexp.MustCompile(`(?i)<meta[^>]*?charset\s*=\s*["']?\s*([-\w.:]+)|<\?xml[^>]*?encoding\s*=\s*["']([-\w.:]+)`)

// charsetScan is how far into a page metaCharset looks: further than the
// 1,024 bytes of the HTML standard, since saved pages often put comments
// and scripts first.
const charsetScan = 64 << 10

// decodeHTML returns a page's bytes as UTF-8: by its byte order mark, else
// by the charset it declares, else as UTF-8 or GB18030 (see above). Bytes
// invalid in the declared charset make the page a bad record.
func decodeHTML(b []byte) (string, error) {
	if e, name, certain := charset.DetermineEncoding(b, ""); certain {
		return decodeAs(b, e, name)
	}
	if utf8.Valid(b) && !isASCII(b) {
		return string(bytes.TrimPrefix(b, []byte("\uFEFF"))), nil
	}
	if m := metaCharset.FindSubmatch(b[:min(len(b), charsetScan)]); m != nil {
		label := string(m[1]) + string(m[2])
		if e, name := charset.Lookup(label); e != nil {
			return decodeAs(b, e, name)
		}
	}
	return decodeGuess(b)
}

// decodeGuess returns b as UTF-8: UTF-16 by its byte order mark (Notepad's
// "Unicode"), UTF-8 when it is valid UTF-8, else decoded as GB18030 (its
// "ANSI" on a Chinese Windows); bytes invalid in both make it a bad record
// ("invalid utf-8").
func decodeGuess(b []byte) (string, error) {
	if bytes.HasPrefix(b, []byte("\xff\xfe")) || bytes.HasPrefix(b, []byte("\xfe\xff")) {
		s, err := unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
		if err != nil || bytes.ContainsRune(s, utf8.RuneError) {
			return "", bad("invalid bytes", "not utf-16 as its byte order mark says")
		}
		return string(s), nil
	}
	if utf8.Valid(b) {
		return string(b), nil
	}
	if mostlyUTF8(b) {
		return "", bad("invalid utf-8", "")
	}
	s, err := decodeAs(b, simplifiedchinese.GB18030, "gb18030")
	if err != nil {
		return "", bad("invalid utf-8", "")
	}
	return s, nil
}

// decodeAs decodes b from the encoding e, named name; a byte sequence e
// cannot decode is an error.
func decodeAs(b []byte, e encoding.Encoding, name string) (string, error) {
	name = strings.ToLower(name)
	if name == "utf-8" {
		b = bytes.TrimPrefix(b, []byte("\uFEFF"))
		if !utf8.Valid(b) {
			return "", bad("invalid bytes", "not utf-8 as the page declares")
		}
		return string(b), nil
	}
	out, err := e.NewDecoder().Bytes(b)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return "", bad("invalid bytes", "not "+name+" as the page declares")
	}
	return string(out), nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// mostlyUTF8 reports whether b has more valid multi-byte UTF-8 sequences
// than bytes that are not UTF-8: UTF-8 with some broken bytes, where GBK
// text read as UTF-8 has hardly any valid sequences.
func mostlyUTF8(b []byte) bool {
	good, broken := 0, 0
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n == 1:
			broken++
		case n > 1:
			good++
		}
		b = b[n:]
	}
	return good > broken
}
