package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/gin-gonic/gin"

	"minsheng/errs"
)

// decodeJSON reads the request body, which must be one JSON value and
// nothing after it, into v, refusing fields v does not have: a misspelt
// "szie" would otherwise be dropped without a word, and a second object
// after the first ignored. like is an example body for the message. Its
// errors say what is wrong in the client's words (the JSON field and the
// type it needs), never in Go's ("Go struct field SimilarRequest.text of
// type string"): errs.Invalid (400), or errTooLarge (413) past the body
// limit. Every handler of a JSON body reads it with decodeJSON.
func decodeJSON(c *gin.Context, v any, like string) error {
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err = dec.Token(); errors.Is(err, io.EOF) {
			return nil
		}
		if !isTooLarge(err) {
			err = errors.New("more than one JSON value: send one object")
		}
	}
	if isTooLarge(err) {
		return fmt.Errorf("%w: over %d bytes (limits.max_body_bytes)", errTooLarge, maxBytes(err))
	}
	return fmt.Errorf("%w: body must be JSON like %s: %s", errs.Invalid, like, jsonProblem(err))
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func maxBytes(err error) int64 {
	var mbe *http.MaxBytesError
	errors.As(err, &mbe)
	return mbe.Limit
}

// jsonProblem says what a decoding error of encoding/json means, naming
// the field and the JSON types instead of Go's.
func jsonProblem(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return "empty body"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends too early"
	case errors.As(err, &se):
		return fmt.Sprintf("not valid JSON at byte %d: %s", se.Offset, se.Error())
	case errors.As(err, &te) && te.Field == "":
		return fmt.Sprintf("the body must be %s, not %s", jsonTypeOf(te.Type), jsonValue(te.Value))
	case errors.As(err, &te):
		return fmt.Sprintf("field %q must be %s, not %s", te.Field, jsonTypeOf(te.Type), jsonValue(te.Value))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + name
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// jsonTypeOf names the JSON a Go type is read from.
func jsonTypeOf(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	}
	return "another JSON type"
}

// jsonValue names the JSON value of an UnmarshalTypeError: "string",
// "number", "number 1.5", "bool", "array", "object".
func jsonValue(v string) string {
	if n, ok := strings.CutPrefix(v, "number "); ok {
		return "the number " + n
	}
	switch v {
	case "bool":
		return "true or false"
	case "array", "object":
		return "an " + v
	}
	return "a " + v
}
