package revdiff

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/craftscode/craftscode/workflow"
)

// side rebuilds one text from ops: From's (deletions kept) or To's.
func side(ops []DiffOp, from bool) string {
	var sb strings.Builder
	for _, o := range ops {
		if o.Op == OpEqual || (from && o.Op == OpDelete) || (!from && o.Op == OpInsert) {
			sb.WriteString(o.Text)
		}
	}
	return sb.String()
}

// edits lists the inserted and deleted runs as "+text" and "-text".
func edits(ops []DiffOp) []string {
	var out []string
	for _, o := range ops {
		switch o.Op {
		case OpInsert:
			out = append(out, "+"+o.Text)
		case OpDelete:
			out = append(out, "-"+o.Text)
		}
	}
	return out
}

func TestDiffWordsHungarian(t *testing.T) {
	t.Parallel()
	a := "A kézműves vállalkozók mentorálása 2025-ben indul, két megyében."
	b := "A kézműves vállalkozók mentorálása 2026-ban indul, öt megyében és Győrben."
	ops := DiffWords(a, b)
	if side(ops, true) != a || side(ops, false) != b {
		t.Fatalf("the ops do not rebuild the texts: %q", ops)
	}
	got := edits(ops)
	want := []string{"-2025-ben", "+2026-ban", "-két", "+öt", "+ és Győrben"}
	if !slices.Equal(got, want) {
		t.Errorf("edits: got %q, want %q", got, want)
	}
	// No edit starts or ends inside a word: the words with ő and ű stay whole.
	for _, o := range ops {
		if o.Op != OpEqual && (strings.Contains(o.Text, "műves") && !strings.Contains(o.Text, "kézműves")) {
			t.Errorf("a word was cut: %q", o.Text)
		}
	}
}

func TestDiffWordsBulgarian(t *testing.T) {
	t.Parallel()
	a := "Регионалната занаятчийска камара в Габрово организира обучения за млади майстори."
	b := "Регионалната занаятчийска камара в Стара Загора организира безплатни обучения за майстори."
	ops := DiffWords(a, b)
	if side(ops, true) != a || side(ops, false) != b {
		t.Fatalf("the ops do not rebuild the texts: %q", ops)
	}
	got := edits(ops)
	want := []string{"-Габрово", "+Стара Загора", "+безплатни ", "-млади "}
	if !slices.Equal(got, want) {
		t.Errorf("edits: got %q, want %q", got, want)
	}
	for _, e := range got {
		for _, w := range strings.Fields(e[1:]) {
			if !strings.Contains(a, w) && !strings.Contains(b, w) {
				t.Errorf("%q is not a word of either text", w)
			}
		}
	}
}

func TestTokensKeepWordsWhole(t *testing.T) {
	t.Parallel()
	got := tokens("ő,ű  Łódź-ban; Стара\tпланина — é\u0301!")
	want := []string{"ő", ",", "ű", "  ", "Łódź", "-", "ban", ";", " ", "Стара", "\t", "планина", " ", "—", " ", "é\u0301", "!"}
	if !slices.Equal(got, want) {
		t.Errorf("tokens: got %q, want %q", got, want)
	}
	if got := tokens(""); len(got) != 0 {
		t.Errorf("tokens of nothing: %q", got)
	}
}

// TestDiffWordsRebuildsRandomTexts: whatever the texts, the ops give both
// back, never cut a word, and no two neighbours share an op.
func TestDiffWordsRebuildsRandomTexts(t *testing.T) {
	t.Parallel()
	vocab := []string{"kőműves", "űrlap", "занаят", "Габрово", "Tørshavn", "€", "5 000", ",", ".", " ", "\n", "és", "и", "a"}
	rng := rand.New(rand.NewPCG(1, 2))
	text := func() string {
		var sb strings.Builder
		for range rng.IntN(40) {
			sb.WriteString(vocab[rng.IntN(len(vocab))])
			if rng.IntN(2) == 0 {
				sb.WriteByte(' ')
			}
		}
		return sb.String()
	}
	for i := range 500 {
		a, b := text(), text()
		ops := DiffWords(a, b)
		if side(ops, true) != a || side(ops, false) != b {
			t.Fatalf("case %d: %q → %q gives %q", i, a, b, ops)
		}
		for j, o := range ops {
			if o.Text == "" {
				t.Fatalf("case %d: empty op %d", i, j)
			}
			if j > 0 && ops[j-1].Op == o.Op {
				t.Fatalf("case %d: ops %d and %d are both %s", i, j-1, j, o.Op)
			}
		}
	}
}

func TestDiffWordsManyDistinctWords(t *testing.T) {
	t.Parallel()
	// More distinct words than the Basic Multilingual Plane's private use
	// area holds: the supplementary planes take over.
	var a, b strings.Builder
	for i := range 9000 {
		fmt.Fprintf(&a, "w%d ", i)
		if i != 8500 {
			fmt.Fprintf(&b, "w%d ", i)
		}
	}
	ops := DiffWords(a.String(), b.String())
	if side(ops, true) != a.String() || side(ops, false) != b.String() {
		t.Fatal("the ops do not rebuild the texts")
	}
	if got := edits(ops); !slices.Equal(got, []string{"-w8500 "}) && !slices.Equal(got, []string{"- w8500"}) {
		t.Errorf("edits: %q", got)
	}
}

func TestDiffSections(t *testing.T) {
	t.Parallel()
	from := []workflow.Section{
		{Anchor: "general", Title: "The document as a whole"},
		{Anchor: "part2.policy_context", Title: "Part II", Text: "Budapesti Vállalkozásfejlesztési Közalapítvány"},
		{Anchor: "part3.action.1", Title: "Action 1 – Mentor", Name: "Mentor"},
		{Anchor: "part3.action.1.players", Title: "Action 1 – Mentor: players", Text: "kamara", Name: "Mentor"},
		{Anchor: "part3.action.2", Title: "Action 2 – Régi", Name: "Régi"},
		{Anchor: "part3.action.2.players", Title: "Action 2 – Régi: players", Text: "РАМ Стара планина", Name: "Régi"},
	}
	to := []workflow.Section{
		{Anchor: "general", Title: "The document as a whole"},
		{Anchor: "part2.policy_context", Title: "Part II", Text: "Budapesti Vállalkozásfejlesztési Közalapítvány"},
		{Anchor: "part3.action.1", Title: "Action 1 – Mentorprogram", Name: "Mentorprogram"},
		{Anchor: "part3.action.1.players", Title: "Action 1 – Mentorprogram: players", Text: "kamara", Name: "Mentorprogram"},
		{Anchor: "part3.action.1.costs", Title: "Action 1 – Mentorprogram: costs", Text: "€5 000", Name: "Mentorprogram"},
	}
	d := DiffSections(from, to)
	if !slices.Equal(d.Added, []string{"part3.action.1.costs"}) || !slices.Equal(d.Removed, []string{"part3.action.2", "part3.action.2.players"}) ||
		!slices.Equal(d.Changed, []string{"part3.action.1"}) {
		t.Errorf("added %q, removed %q, changed %q", d.Added, d.Removed, d.Changed)
	}
	var order, changes []string
	for _, s := range d.Sections {
		order = append(order, s.Anchor)
		changes = append(changes, s.Change)
	}
	wantOrder := []string{"general", "part2.policy_context", "part3.action.1", "part3.action.1.players", "part3.action.1.costs", "part3.action.2", "part3.action.2.players"}
	wantChanges := []string{SectionUnchanged, SectionUnchanged, SectionChanged, SectionUnchanged, SectionAdded, SectionRemoved, SectionRemoved}
	if !slices.Equal(order, wantOrder) || !slices.Equal(changes, wantChanges) {
		t.Errorf("sections: %q %q", order, changes)
	}
	// The action's title is its own section's change; a part only repeats it.
	if got := edits(d.Sections[2].Ops); !slices.Equal(got, []string{"-Mentor", "+Mentorprogram"}) {
		t.Errorf("the action's title: %q", got)
	}
	if ops := d.Sections[0].Ops; len(ops) != 0 {
		t.Errorf("an empty section has ops: %q", ops)
	}
	if got := side(d.Sections[6].Ops, true); got != "РАМ Стара планина" {
		t.Errorf("a removed section's text: %q", got)
	}

	changed := ChangedSections(from, to)
	want := map[string]bool{"part3.action.1": true, "part3.action.2": true, "part3.action.2.players": true}
	if len(changed) != len(want) {
		t.Errorf("ChangedSections: %v", changed)
	}
	for k := range want {
		if !changed[k] {
			t.Errorf("ChangedSections misses %s: %v", k, changed)
		}
	}
}
