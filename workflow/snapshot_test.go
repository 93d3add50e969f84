package workflow

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"
)

func TestCanonicalIgnoresKeyOrderAndWhitespace(t *testing.T) {
	t.Parallel()
	const want = `{"a":{"c":"x","d":[1,2.50,{"y":null,"z":true}]},"b":-1e3}`
	inputs := []json.RawMessage{
		json.RawMessage(`{"b":-1e3,"a":{"d":[1,2.50,{"z":true,"y":null}],"c":"x"}}`),
		json.RawMessage("{\n  \"a\" : { \"c\" : \"x\",\n \"d\" : [ 1 , 2.50 , { \"y\" : null , \"z\" : true } ] } ,\t\"b\" : -1e3\n}"),
	}
	for _, in := range inputs {
		data, sum, err := Canonical(in)
		if err != nil {
			t.Fatal(err)
		}
		if string(data) != want {
			t.Errorf("Canonical(%s)\n got %s\nwant %s", in, data, want)
		}
		h := sha256.Sum256([]byte(want))
		if sum != hex.EncodeToString(h[:]) {
			t.Errorf("hash %s is not the SHA-256 of the bytes", sum)
		}
	}
}

// A struct, whose fields marshal in declaration order, and a map with the
// same content give the same bytes.
func TestCanonicalStructAndMapAgree(t *testing.T) {
	t.Parallel()
	type inner struct {
		Zeta  int    `json:"zeta"`
		Alpha string `json:"alpha"`
	}
	type outer struct {
		Z     []inner `json:"z"`
		A     string  `json:"a"`
		Empty *Date   `json:"empty"`
		Date  Date    `json:"date"`
	}
	s := outer{Z: []inner{{2, "b"}, {1, "a"}}, A: "x", Date: MustDate("2026-03-01")}
	m := map[string]any{
		"date": "2026-03-01", "empty": nil, "a": "x",
		"z": []any{map[string]any{"alpha": "b", "zeta": 2}, map[string]any{"zeta": 1, "alpha": "a"}},
	}
	d1, h1, err := Canonical(s)
	if err != nil {
		t.Fatal(err)
	}
	d2, h2, err := Canonical(m)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(d1, d2) || h1 != h2 {
		t.Fatalf("struct %s\n   map %s", d1, d2)
	}
	const want = `{"a":"x","date":"2026-03-01","empty":null,"z":[{"alpha":"b","zeta":2},{"alpha":"a","zeta":1}]}`
	if string(d1) != want {
		t.Fatalf("got %s\nwant %s", d1, want)
	}
}

func TestCanonicalIsStable(t *testing.T) {
	t.Parallel()
	p := completePlan()
	d0, h0, err := Canonical(p)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		d, h, err := Canonical(p)
		if err != nil || !bytes.Equal(d, d0) || h != h0 {
			t.Fatalf("changed: %v\n%s\n%s", err, d, d0)
		}
	}
	// And a change of content changes the hash.
	p.Actions[0].Players += "."
	if _, h, _ := Canonical(p); h == h0 {
		t.Fatal("different content, same hash")
	}
	// The snapshot reads back as the same plan.
	var back ActionPlan
	if err := json.Unmarshal(d0, &back); err != nil {
		t.Fatal(err)
	}
	d1, _, _ := Canonical(back)
	if !bytes.Equal(d1, d0) {
		t.Fatalf("round trip changed the snapshot:\n%s\n%s", d1, d0)
	}
}

func TestCanonicalKeepsUnicodeAndHTML(t *testing.T) {
	t.Parallel()
	v := map[string]string{
		"hu":  "Budapesti Vállalkozásfejlesztési Közalapítvány",
		"bg":  "РАМ Стара планина",
		"it":  "Università",
		"fo":  "Tørshavn, Ærø",
		"eur": "€ <b>&</b>",
	}
	data, _, err := Canonical(v)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"bg":"РАМ Стара планина","eur":"€ <b>&</b>","fo":"Tørshavn, Ærø","hu":"Budapesti Vállalkozásfejlesztési Közalapítvány","it":"Università"}`
	if string(data) != want {
		t.Fatalf("got %s\nwant %s", data, want)
	}
	if bytes.Contains(data, []byte(`\u`)) {
		t.Fatalf("escaped: %s", data)
	}
}

func TestCanonicalErrors(t *testing.T) {
	t.Parallel()
	if _, _, err := Canonical(make(chan int)); err == nil {
		t.Error("a channel was accepted")
	}
	if _, _, err := Canonical(json.RawMessage(`{"a":`)); err == nil {
		t.Error("broken JSON was accepted")
	}
}

func TestCanonicalTreeMatchesCanonical(t *testing.T) {
	tree := map[string]any{
		"z": "РАМ Стара планина <b>&</b>", "a": []any{json.Number("1"), int64(2), true, nil},
		"m": map[string]any{"ő": "ű", "b": map[string]any{"€": json.Number("3.50")}},
	}
	want, wantSum, err := Canonical(tree)
	if err != nil {
		t.Fatal(err)
	}
	got, gotSum, err := CanonicalTree(tree)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) || gotSum != wantSum {
		t.Fatalf("CanonicalTree = %s, Canonical = %s", got, want)
	}
}
