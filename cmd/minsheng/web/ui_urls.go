package web

import (
	"net/url"
	"slices"
	"strconv"
)

// Addresses of the staff UI: the search page's query string with a filter
// added, removed or a page chosen, and a document's page.

func clone(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vals := range v {
		out[k] = slices.Clone(vals)
	}
	return out
}

// encodeQuery is "?"+v.Encode(), or "" for no values.
func encodeQuery(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// with is the search address of v plus the filter key=val, from page 1.
func with(v url.Values, key, val string) string {
	out := clone(v)
	out.Del("page")
	out.Del("after")
	out.Add(key, val)
	return "/" + encodeQuery(out)
}

// without is the search address of v less the filter key=val (or all of
// key when val is ""), from page 1. A value may sit in a comma list.
func without(v url.Values, key, val string) string {
	out := clone(v)
	out.Del("page")
	out.Del("after")
	if val == "" {
		out.Del(key)
	} else {
		rest := slices.DeleteFunc(list(v, key), func(x string) bool { return x == val })
		out.Del(key)
		for _, x := range rest {
			out.Add(key, x)
		}
	}
	return "/" + encodeQuery(out)
}

func withPage(v url.Values, n int) string {
	out := clone(v)
	out.Del("after")
	if n <= 1 {
		out.Del("page")
	} else {
		out.Set("page", strconv.Itoa(n))
	}
	return "/" + encodeQuery(out)
}

func docURL(id string) string { return "/docs/" + url.PathEscape(id) }
