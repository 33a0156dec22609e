package web

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"minsheng/corpus"
)

// openAPI describes the whole API but the search filters: an operation
// marked "x-search-filters" takes them, and openAPISpec adds them from the
// schema of fields (corpus.Filters). TestOpenAPICoversRoutes keeps it
// true: every registered route must be in it, and nothing else.
//
//go:embed openapi.json
var openAPI []byte

// openAPISpec is the served description: openapi.json with the schema's
// filter parameters after "q" in each operation that takes them, and
// topic_scope where it does not say it already.
func openAPISpec() ([]byte, error) {
	var spec map[string]any
	if err := json.Unmarshal(openAPI, &spec); err != nil {
		return nil, err
	}
	paths, _ := spec["paths"].(map[string]any)
	for _, p := range paths {
		ops, _ := p.(map[string]any)
		for _, o := range ops {
			op, _ := o.(map[string]any)
			if on, _ := op["x-search-filters"].(bool); !on {
				continue
			}
			params, _ := op["parameters"].([]any)
			at := 1 + slices.IndexFunc(params, func(p any) bool { m, _ := p.(map[string]any); return m["name"] == "q" })
			params = slices.Insert(params, at, openAPIFilters()...)
			if !slices.ContainsFunc(params, func(p any) bool { m, _ := p.(map[string]any); return m["name"] == "topic_scope" }) {
				params = append(params, openAPITopicScope)
			}
			op["parameters"] = params
		}
	}
	return json.MarshalIndent(spec, "", " ")
}

// openAPITopicScope is the topic_scope parameter, which every operation
// taking the search filters takes too (search.Request.TopicScope): the
// topic filter and the counts by topic on every topic of a document or on
// its primary topic alone.
var openAPITopicScope = map[string]any{"name": "topic_scope", "in": "query", "required": false,
	"description": "all (default): the topic filter and the counts by topic take every topic a document carries; primary: its primary topic only",
	"schema":      map[string]any{"type": "string", "enum": []string{"all", "primary"}}}

// openAPIFilters are the schema's filters as OpenAPI query parameters.
func openAPIFilters() []any {
	var out []any
	for _, f := range corpus.Filters() {
		items := map[string]any{"type": "string"}
		if f.Allowed != nil {
			items["enum"] = f.Allowed
		}
		out = append(out, map[string]any{"name": f.Name, "in": "query", "required": false, "description": f.Doc,
			"schema": map[string]any{"type": "array", "items": items}, "explode": true})
	}
	return out
}

func serveOpenAPI(c *gin.Context) {
	spec, err := openAPISpec()
	if err != nil {
		fail(c, http.StatusInternalServerError, "openapi.json: "+err.Error())
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", spec)
}
