package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	return enc.Encode(v)
}

// readBody reads the request body within the size limit set by the
// bodyLimit middleware.
func readBody(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request().Body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, newProblem(http.StatusRequestEntityTooLarge, "body_too_large",
			fmt.Sprintf("the request body is larger than %d bytes", mbe.Limit))
	}
	if err != nil {
		return nil, newProblem(http.StatusBadRequest, "bad_request", "the request body could not be read")
	}
	return b, nil
}

// bind decodes a JSON body strictly into v: JSON only, valid UTF-8, no
// unknown fields, field names matched exactly (case included), no key
// twice in one object, the right types, and nothing after the object.
func bind(c echo.Context, v any) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return newProblem(http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be application/json")
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return newProblem(http.StatusBadRequest, "invalid_json", "the request body is empty")
	}
	// encoding/json silently replaces invalid UTF-8; refuse it instead, so
	// that what is stored is exactly what was sent.
	if !utf8.Valid(body) {
		return newProblem(http.StatusBadRequest, "invalid_utf8", "the request body is not valid UTF-8")
	}
	if err := checkKeys(body, reflect.TypeOf(v)); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err, reflect.TypeOf(v))
	}
	if dec.More() {
		return newProblem(http.StatusBadRequest, "invalid_json", "the body holds more than one JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return newProblem(http.StatusBadRequest, "invalid_json", "the body holds more than one JSON value")
	}
	return nil
}

func jsonProblem(err error, t reflect.Type) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return newProblem(http.StatusBadRequest, "invalid_json", fmt.Sprintf("malformed JSON at byte %d: %v", syn.Offset, syn))
	case errors.As(err, &typ):
		field := jsonPath(t, typ.Field)
		p := newProblem(http.StatusBadRequest, "wrong_type", fmt.Sprintf("field %q must be %s, not %s", field, jsonKind(typ.Type.Kind().String()), typ.Value))
		p.errors = []workflow.FieldError{{Field: field, Message: "must be " + jsonKind(typ.Type.Kind().String())}}
		return p
	case errors.Is(err, io.ErrUnexpectedEOF):
		return newProblem(http.StatusBadRequest, "invalid_json", "the JSON body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		p := newProblem(http.StatusBadRequest, "unknown_field", fmt.Sprintf("unknown field %q", field))
		p.errors = []workflow.FieldError{{Field: field, Message: "is not a field of this request"}}
		return p
	}
	// Errors from a field's own UnmarshalJSON, such as a malformed date.
	return newProblem(http.StatusBadRequest, "invalid_json", err.Error())
}

// jsonPath turns encoding/json's path of a field (which names embedded Go
// structs too: actionPlanFields.title) into the path the JSON body uses
// (title), dropping every step that is an embedded struct of t.
func jsonPath(t reflect.Type, path string) string {
	var out []string
	for _, step := range strings.Split(path, ".") {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			out = append(out, step)
			t = nil
			continue
		}
		if f, ok := t.FieldByName(step); ok && f.Anonymous && f.Tag.Get("json") == "" {
			t = f.Type
			continue
		}
		out = append(out, step)
		t = jsonFieldType(t, step)
	}
	return strings.Join(out, ".")
}

// jsonFieldType is the type of the field of struct t that JSON names
// name, or nil.
func jsonFieldType(t reflect.Type, name string) reflect.Type {
	for _, f := range reflect.VisibleFields(t) {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || (tag == "" && f.Name == name) {
			return f.Type
		}
	}
	return nil
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	case "int", "int32", "int64", "uint", "uint32", "uint64", "float64", "float32":
		return "a number"
	}
	return k
}

// pathID reads a path parameter that must be an id.
func pathID(c echo.Context, name string) (string, error) {
	id := c.Param(name)
	if !workflow.ValidID(id) {
		return "", newProblem(http.StatusBadRequest, "invalid_id", fmt.Sprintf("%q is not a valid id", id))
	}
	return id, nil
}

const (
	defaultLimit = 50
	maxLimit     = 200
)

// pageParams reads ?limit= and ?cursor=. A cursor is the opaque form of
// the last id of the previous page.
func pageParams(c echo.Context) (workflow.Page, error) {
	return pageParamsOf(c, workflow.ValidID)
}

// pageParamsOf is pageParams for a list whose cursor is not a bare id
// (the inbox's is a time and an id): valid checks the decoded cursor, so
// that a forged one is a 400 here rather than an error in the store.
func pageParamsOf(c echo.Context, valid func(string) bool) (workflow.Page, error) {
	p := workflow.Page{Limit: defaultLimit}
	if _, err := url.ParseQuery(c.Request().URL.RawQuery); err != nil {
		return p, newProblem(http.StatusBadRequest, "invalid_parameter", "the query string is malformed")
	}
	if s := c.QueryParam("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return p, newProblem(http.StatusBadRequest, "invalid_parameter", fmt.Sprintf("limit must be a whole number from 1 to %d", maxLimit))
		}
		p.Limit = n
	}
	if s := c.QueryParam("cursor"); s != "" {
		b, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || !valid(string(b)) {
			return p, newProblem(http.StatusBadRequest, "invalid_parameter", "cursor is not one this service gave out")
		}
		p.After = string(b)
	}
	return p, nil
}

// listBody is the shape of every list answer.
type listBody[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

func list[T any](c echo.Context, items []T, next string) error {
	if items == nil {
		items = []T{}
	}
	return c.JSON(http.StatusOK, listBody[T]{Items: items, NextCursor: encodeCursor(next)})
}

// encodeCursor is the opaque form of a store's cursor that pageParams reads.
func encodeCursor(next string) string {
	if next == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(next))
}

// jsonRaw embeds already-encoded JSON as it is.
type jsonRaw []byte

func (r jsonRaw) MarshalJSON() ([]byte, error) { return r, nil }
