package api

import (
	"errors"
	"testing"
	"time"
)

type fuzzTarget struct {
	Name    string            `json:"name"`
	Count   int               `json:"count"`
	Tags    []string          `json:"tags"`
	Nested  *fuzzTarget       `json:"nested"`
	Labels  map[string]string `json:"labels"`
	When    *time.Time        `json:"when"`
	Ignored string            `json:"-"`
}

// FuzzDecodeJSON: whatever the body, the strict binding answers with a
// problem (never a panic or another error), and what it accepts has no key
// twice and none in another case.
func FuzzDecodeJSON(f *testing.F) {
	for _, seed := range []string{
		`{"name":"x","count":1}`, `{"name":"x","name":"y"}`, `{"Name":"x"}`, `{"nested":{"nested":{"Count":1}}}`,
		`{"tags":["a","b"],"labels":{"a":"1","a":"2"}}`, `{"when":"2020-01-01T00:00:00Z"}`, `[]`, `{"ſ":1}`, `{`, "",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v fuzzTarget
		err := decodeJSON(body, &v)
		var pe *problemError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("%q: %v is not a problem", body, err)
		}
		if err == nil && checkKeys(body, nil) != nil {
			t.Fatalf("%q: accepted with a key twice", body)
		}
	})
}
