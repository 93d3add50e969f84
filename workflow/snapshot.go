package workflow

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// Canonical returns v as canonical JSON, and the SHA-256 (hex) of exactly
// those bytes. Canonical means: object keys sorted (by their UTF-8 bytes)
// at every level, no insignificant whitespace, no HTML escaping, and text
// kept as UTF-8 rather than \u escapes. So two values that marshal to the
// same JSON document, whatever their key order or spacing, give the same
// bytes and hash.
//
// v is first marshalled with encoding/json (so its JSON tags and
// marshallers apply), then decoded into plain maps, slices and numbers and
// written again. Numbers keep their literal form. encoding/json's own rules
// stay in force: invalid UTF-8 becomes U+FFFD, and U+2028 and U+2029 are
// always escaped. This is not RFC 8785 (JCS): it does not rewrite number
// literals, which for the values this service snapshots (Go integers) does
// not matter.
func Canonical(v any) (data []byte, sha256hex string, err error) {
	raw, err := marshal(v)
	if err != nil {
		return nil, "", fmt.Errorf("canonical json: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, "", fmt.Errorf("canonical json: %w", err)
	}
	// encoding/json writes map keys sorted, and json.Number as it is.
	data, err = marshal(tree)
	if err != nil {
		return nil, "", fmt.Errorf("canonical json: %w", err)
	}
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:]), nil
}

// marshal is json.Marshal without HTML escaping and without the
// encoder's trailing newline.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// CanonicalTree is Canonical for a value that is already a plain JSON
// tree: maps with string keys, slices, strings, bools, json.Number and Go
// integers, as decoding with UseNumber gives. Such a tree has no struct
// field order to undo, so one encoding pass gives the same bytes as
// Canonical, at half the cost (revisions are frozen on a hot path).
func CanonicalTree(tree any) (data []byte, sha256hex string, err error) {
	data, err = marshal(tree)
	if err != nil {
		return nil, "", fmt.Errorf("canonical json: %w", err)
	}
	sum := sha256.Sum256(data)
	return data, hex.EncodeToString(sum[:]), nil
}
