package corpus

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"net/url"
	"strings"

	"golang.org/x/net/html/charset"
)

// A web archive (.mht, .mhtml) is what a browser writes when staff save a
// page "as a single file": a MIME message whose first text/html part is
// the page, quoted-printable or base64, followed by its images. Chrome
// records the address in Snapshot-Content-Location, Internet Explorer in
// the page part's Content-Location.

// readMHTML reads a web archive as one document, as readHTML reads a page.
func (w *walker) readMHTML(ctx context.Context, name string, r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, maxRecord+1))
	if err != nil {
		return err
	}
	var d Doc
	if len(b) > maxRecord {
		err = errTooLarge
	} else {
		d, err = parseMHTML(b)
	}
	d.ID, d.Kind = baseName(name), cmp.Or(w.opt.Kind, KindNews)
	return w.add(ctx, name, 0, d, err)
}

// parseMHTML finds the page in a web archive and reads it with parseHTML;
// the archive's address stands in when the page records none.
func parseMHTML(b []byte) (Doc, error) {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(b)))
	head, err := tp.ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return Doc{}, bad("broken mhtml", err.Error())
	}
	page, loc, err := mhtmlPage(head, tp.R)
	if err != nil {
		return Doc{}, err
	}
	d, err := parseHTML(page)
	if d.URL == "" {
		if u, perr := url.Parse(strings.TrimSpace(cmp.Or(head.Get("Snapshot-Content-Location"), loc))); perr == nil &&
			(u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			d.URL = u.String()
		}
	}
	return d, err
}

// mhtmlPage returns the first text/html part of a message with the given
// header and body, decoded to bytes in its own charset when its header
// names one, and the part's Content-Location.
func mhtmlPage(head textproto.MIMEHeader, body io.Reader) (page []byte, loc string, err error) {
	mt, params, err := mime.ParseMediaType(head.Get("Content-Type"))
	if err != nil {
		return nil, "", bad("broken mhtml", "no content type")
	}
	if !strings.HasPrefix(mt, "multipart/") {
		if mt != "text/html" {
			return nil, "", bad("no article", "no HTML page in the web archive")
		}
		b, err := partBody(head, body, params["charset"])
		return b, head.Get("Content-Location"), err
	}
	mr := multipart.NewReader(body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil, "", bad("no article", "no HTML page in the web archive")
		}
		if err != nil {
			return nil, "", bad("broken mhtml", err.Error())
		}
		pt, pp, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil || pt != "text/html" {
			continue
		}
		b, err := partBody(textproto.MIMEHeader(p.Header), p, pp["charset"])
		return b, p.Header.Get("Content-Location"), err
	}
}

// partBody reads a part: multipart decodes quoted-printable itself, base64
// is decoded here; text in a charset other than UTF-8 is turned into UTF-8
// (the page's own <meta charset> may be stale).
func partBody(h textproto.MIMEHeader, r io.Reader, cs string) ([]byte, error) {
	if strings.EqualFold(strings.TrimSpace(h.Get("Content-Transfer-Encoding")), "base64") {
		r = base64.NewDecoder(base64.StdEncoding, r) // it skips line breaks
	}
	b, err := io.ReadAll(io.LimitReader(r, maxHTML+1))
	if err != nil {
		return nil, bad("broken mhtml", err.Error())
	}
	if len(b) > maxHTML {
		return nil, errHTMLTooLarge
	}
	if e, name := charset.Lookup(cs); e != nil && !strings.EqualFold(name, "utf-8") {
		s, err := decodeAs(b, e, name)
		if err != nil {
			return nil, err
		}
		return []byte(s), nil
	}
	return b, nil
}
