package api

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/craftscode/craftscode/workflow"
)

// checkKeys walks a JSON body alongside the Go type it is decoded into and
// refuses what encoding/json would silently accept: a key twice in one
// object (the last would win) and a key that names a field only when case
// is ignored ("Title" for "title"). It runs before the decoding, so that the
// decoder's own checks (unknown fields, types) see only exact keys.
func checkKeys(body []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := walkValue(dec, t, ""); err != nil {
		if _, ok := err.(*problemError); ok {
			return err
		}
		return nil // malformed JSON: the decoder reports it in full
	}
	return nil
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// custom reports whether t decodes itself; its keys are its own business.
func custom(t reflect.Type) bool {
	if t == nil {
		return false
	}
	return t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)
}

func walkValue(dec *json.Decoder, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if custom(t) || t != nil && t.Kind() == reflect.Interface {
		t = nil // still check duplicates, not field names
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		return walkObject(dec, t, path)
	case json.Delim('['):
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkValue(dec, elem, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		_, err := dec.Token() // ]
		return err
	}
	return nil
}

func walkObject(dec *json.Decoder, t reflect.Type, path string) error {
	var fields map[string]reflect.Type
	var folded map[string]string
	var elem reflect.Type
	if t != nil {
		switch t.Kind() {
		case reflect.Struct:
			fields, folded = structFields(t)
		case reflect.Map:
			elem = t.Elem()
		}
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		name := key
		if path != "" {
			name = path + "." + key
		}
		if seen[key] {
			p := newProblem(http.StatusBadRequest, "duplicate_field", fmt.Sprintf("field %q appears twice", name))
			p.errors = []workflow.FieldError{{Field: name, Message: "appears more than once"}}
			return p
		}
		seen[key] = true
		next := elem
		if fields != nil {
			ft, ok := fields[key]
			if !ok {
				if exact, near := foldedMatch(folded, key); near {
					p := newProblem(http.StatusBadRequest, "unknown_field", fmt.Sprintf("unknown field %q (field names are case-sensitive: %q)", name, exact))
					p.errors = []workflow.FieldError{{Field: name, Message: "is not a field of this request"}}
					return p
				}
			}
			next = ft
		}
		if err := walkValue(dec, next, name); err != nil {
			return err
		}
	}
	_, err := dec.Token() // }
	return err
}

// foldedMatch finds the field encoding/json would take key for when case
// is ignored (its folding is bytes.EqualFold's, so "ſ" stands for "s").
func foldedMatch(folded map[string]string, key string) (string, bool) {
	if exact, ok := folded[strings.ToLower(key)]; ok {
		return exact, true
	}
	for _, exact := range folded {
		if strings.EqualFold(exact, key) {
			return exact, true
		}
	}
	return "", false
}

type fieldSet struct {
	exact  map[string]reflect.Type
	folded map[string]string
}

var fieldCache sync.Map // reflect.Type → fieldSet

// structFields lists the JSON names of t's fields, as encoding/json sees
// them (tags, "-", embedded structs), and the same names folded to lower
// case.
func structFields(t reflect.Type) (map[string]reflect.Type, map[string]string) {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.(fieldSet).exact, fs.(fieldSet).folded
	}
	fs := fieldSet{exact: map[string]reflect.Type{}, folded: map[string]string{}}
	addFields(t, fs, 0)
	fieldCache.Store(t, fs)
	return fs.exact, fs.folded
}

func addFields(t reflect.Type, fs fieldSet, depth int) {
	if depth > 8 {
		return
	}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			et := ft
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				addFields(et, fs, depth+1)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, dup := fs.exact[name]; dup && depth > 0 {
			continue // a shallower field wins
		}
		fs.exact[name] = ft
		fs.folded[strings.ToLower(name)] = name
	}
}
