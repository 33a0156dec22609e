package corpus

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"golang.org/x/net/html"
)

const (
	// maxHTML caps a saved page: the largest real ones are a few hundred
	// KB, and readability's passes over a page grow faster than its size.
	maxHTML = 16 << 20
	// maxElems caps the elements of a page readability scores: a news page
	// has a few thousand, and 30,000 took readability 1.2 s here.
	maxElems = 30_000
)

var errHTMLTooLarge = bad("record too large", "over 16 MiB")

// savedFrom finds the address a browser recorded when it saved the page:
// <!-- saved from url=(0044)https://… --> or SingleFile's "url: https://…".
var savedFrom = regexp.MustCompile(`<!--\s*saved from url=\(\d+\)(\S+?)\s*-->|(?s)<!--[^>]{0,200}?SingleFile.{0,200}?\burl:\s*(\S+)`)

// readHTML reads a saved web page (.html, .htm) as one document; its id is
// the file's base name.
func (w *walker) readHTML(ctx context.Context, name string, r io.Reader) error {
	b, err := io.ReadAll(io.LimitReader(r, maxHTML+1))
	if err != nil {
		return err
	}
	if len(b) > maxHTML {
		return w.add(ctx, name, 0, Doc{}, errHTMLTooLarge)
	}
	d, err := parseHTML(b)
	d.ID, d.Kind = baseName(name), cmp.Or(w.opt.Kind, KindNews)
	return w.add(ctx, name, 0, d, err)
}

// parseHTML reads a saved news page. The article is what readability
// finds; title, date, author and source come from the page's own tags
// (og:title, article:published_time or JSON-LD's datePublished, <meta
// name="author">, the publisher)
// where it has them, else from its text read as parsePage reads a text
// page (the metadata line), else from readability's guesses. The address
// is the page's canonical or og:url, else where it was saved from. A page
// readability finds no article in, or only lines of links, is a bad record.
func parseHTML(b []byte) (d Doc, err error) {
	text, err := decodeHTML(b)
	if err != nil {
		return d, err
	}
	text = strings.ReplaceAll(text, "\x00", "")
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return d, bad("broken html", err.Error())
	}
	tags := pageTags(root)
	whole := parsePage(textLines(render.InnerText(root)))
	d.URL = pageURL(text, tags)
	u, _ := url.Parse(d.URL)
	art, err := readArticle(root, u)
	if err != nil {
		return d, err
	}

	title := ""
	if whole.anchored {
		title = whole.Title
	}
	var sb strings.Builder
	if err := art.RenderText(&sb); err != nil {
		return d, bad("no article", "")
	}
	lines := textLines(sb.String())
	if title == "" {
		title = headingTitle(tags, lines)
	}
	d.Title = oneLine(cmp.Or(tags.get("og:title", "articletitle", "dc.title", "twitter:title"), title,
		withoutSite(art.Title()), withoutSite(tags.title)))
	d.Date = tags.date()
	if d.Date.IsZero() {
		d.Date = whole.Date
	}
	d.Author = cmp.Or(tags.get("author", "dc.creator"), notURL(tags.get("article:author")), whole.Author)
	d.Editor = whole.Editor
	d.Source = cmp.Or(tags.get("contentsource", "publisher", "dc.publisher"), notURL(tags.get("article:publisher")),
		whole.Source, tags.get("og:site_name", "sitename"))

	// The article may start with the title and the metadata, dated or
	// only labelled (来源：某某日报 作者：张三): what they say fills in
	// what the page's tags and text did not.
	head := page{Doc: Doc{Title: d.Title}}
	if i := metaAnchor(lines); i >= 0 && i < 6 {
		_, hi := metaBlock(lines, i)
		lines = lines[hi:]
	}
	var rest []string
	for k, l := range lines {
		if m, ok := parseMeta(l); ok && m.labelled && k < 4 {
			head.addMeta(l)
			continue
		}
		rest = append(rest, l)
	}
	d.Body = strings.Join(head.dropFooter(head.dropHead(rest)), "\n")
	d.Author, d.Source, d.Editor = cmp.Or(d.Author, head.Author), cmp.Or(d.Source, head.Source), cmp.Or(d.Editor, head.Editor)
	if d.Date.IsZero() {
		d.Date = head.Date
	}
	if !hasProse(d.Body) {
		return d, bad("no article", "")
	}
	return d, nil
}

// hasProse reports whether text has a sentence or a line long enough to be
// one, unlike the links readability returns from a page of navigation.
func hasProse(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		if utf8.RuneCountInString(l) >= 20 || strings.ContainsAny(l, sentenceEn) {
			return true
		}
	}
	return false
}

// headingTitle returns the page's first <h1> that is the title: one the
// article starts with or the <title> holds (an <h1> may be the site's logo).
func headingTitle(t tags, lines []string) string {
	for _, h := range t.h1 {
		if h = oneLine(h); h == "" {
			continue
		}
		for _, l := range lines[:min(len(lines), 3)] {
			if compact(l) == compact(h) {
				return h
			}
		}
		if strings.Contains(t.title, h) {
			return h
		}
	}
	return ""
}

// ldDate is the publication date in a page's JSON-LD.
var ldDate = regexp.MustCompile(`"datePublished"\s*:\s*"([^"]{1,40})"`)

// siteSep separates a page's title from its site's name in <title>:
// 标题_某某日报, 标题--某某网, 标题 | 某某在线. Readability knows only the
// separators written with spaces.
var siteSep = regexp.MustCompile(`\s*(_|--|——|－|\||｜|\s-\s|\s—\s)\s*`)

// withoutSite returns a <title> without the site's name after its last
// separator, when that leaves a title of some length and cuts a name.
func withoutSite(t string) string {
	locs := siteSep.FindAllStringIndex(t, -1)
	if len(locs) == 0 {
		return t
	}
	last := locs[len(locs)-1]
	if head, site := t[:last[0]], t[last[1]:]; utf8.RuneCountInString(head) >= 5 && utf8.RuneCountInString(site) <= 20 && site != "" {
		return head
	}
	return t
}

// readArticle runs readability over a parsed page. Readability is a large
// third-party algorithm over arbitrary markup: should it panic on some page,
// that page is a bad record and the walk goes on.
func readArticle(root *html.Node, u *url.URL) (art readability.Article, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = bad("no article", fmt.Sprintf("readability failed: %v", r))
		}
	}()
	p := readability.NewParser()
	p.MaxElemsToParse = maxElems
	art, err = p.ParseAndMutate(root, u)
	if err != nil {
		return art, bad("no article", err.Error())
	}
	if art.Node == nil {
		return art, bad("no article", "")
	}
	return art, nil
}

// tags are a page's <meta> tags by lower-cased name or property (the first
// of each), its canonical link, its <title> and the text of its <h1>s.
type tags struct {
	meta             map[string]string
	canonical, title string
	h1               []string
}

// get returns the first of the named tags that is not empty.
func (t tags) get(names ...string) string {
	for _, n := range names {
		if v := strings.TrimSpace(t.meta[n]); v != "" {
			return v
		}
	}
	return ""
}

// date returns the first publication date in the page's tags that parses.
func (t tags) date() (d time.Time) {
	for _, n := range []string{"article:published_time", "pubdate", "publishdate", "publish_date", "datepublished",
		"og:release_date", "dc.date", "dc.date.issued", "firstpublishedtime", "releasedate"} {
		if v := t.get(n); v != "" {
			if d, err := ParseDate(v); err == nil {
				return d
			}
		}
	}
	return d
}

// pageTags collects a page's tags, wherever they are: saved pages do not
// always keep <meta> in the head.
func pageTags(root *html.Node) tags {
	t := tags{meta: map[string]string{}}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "meta":
				key := strings.ToLower(strings.TrimSpace(cmp.Or(attr(n, "property"), attr(n, "name"), attr(n, "itemprop"))))
				if _, ok := t.meta[key]; key != "" && !ok {
					t.meta[key] = attr(n, "content")
				}
			case "link":
				if strings.EqualFold(strings.TrimSpace(attr(n, "rel")), "canonical") && t.canonical == "" {
					t.canonical = attr(n, "href")
				}
			case "title":
				if t.title == "" && n.FirstChild != nil {
					t.title = n.FirstChild.Data
				}
			case "script":
				// JSON-LD's datePublished, read here rather than by readability,
				// whose parser takes a time without a zone for UTC.
				if strings.Contains(attr(n, "type"), "ld+json") && n.FirstChild != nil {
					if m := ldDate.FindStringSubmatch(n.FirstChild.Data); m != nil && t.meta["datepublished"] == "" {
						t.meta["datepublished"] = m[1]
					}
				}
				return
			case "h1":
				if len(t.h1) < 5 {
					t.h1 = append(t.h1, render.InnerText(n))
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	return t
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// pageURL returns the page's address: og:url, the canonical link, or
// where the browser saved it from; only absolute http(s) addresses count.
func pageURL(text string, t tags) string {
	cands := []string{t.get("og:url", "url"), t.canonical}
	if m := savedFrom.FindStringSubmatch(text[:min(len(text), charsetScan)]); m != nil {
		cands = append(cands, m[1]+m[2])
	}
	for _, c := range cands {
		if u, err := url.Parse(strings.TrimSpace(c)); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			return u.String()
		}
	}
	return ""
}

// notURL returns s unless it is an address (article:author often is).
func notURL(s string) string {
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		return ""
	}
	return s
}

// oneLine joins the lines of s with spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
