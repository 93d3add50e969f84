// Package revdiff compares two frozen revisions of a deliverable, section
// by section and word by word: what a stakeholder reads to see whether
// their point was taken up. It is apart from workflow, whose files import
// only the standard library, uuid and stateless.
package revdiff

import (
	"strings"
	"unicode"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/craftscode/craftscode/workflow"
)

// Section changes between two revisions.
const (
	SectionAdded     = "added"
	SectionRemoved   = "removed"
	SectionChanged   = "changed"
	SectionUnchanged = "unchanged"
)

// Diff operations.
const (
	OpEqual  = "equal"
	OpInsert = "insert"
	OpDelete = "delete"
)

// RevisionDiff compares revision From with revision To. Added, Removed
// and Changed name the sections' anchors; Sections has every section of
// either revision, in To's reading order with the removed ones where they
// stood in From.
type RevisionDiff struct {
	From     int           `json:"from"`
	To       int           `json:"to"`
	Added    []string      `json:"added"`
	Removed  []string      `json:"removed"`
	Changed  []string      `json:"changed"`
	Sections []SectionDiff `json:"sections"`
}

// SectionDiff is one section's change. Ops rebuild both texts: the equal
// and deleted ones make From's, the equal and inserted ones To's (an added
// section is one insertion, a removed one one deletion, an unchanged one
// one equal run; none when the text is empty).
type SectionDiff struct {
	Anchor string   `json:"anchor"`
	Title  string   `json:"title"`
	Change string   `json:"change"`
	Ops    []DiffOp `json:"ops"`
}

// DiffOp is a run of words kept, inserted or deleted.
type DiffOp struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// DiffRevisions compares two frozen snapshots of one deliverable.
func DiffRevisions(from, to int, fromSnapshot, toSnapshot []byte) (RevisionDiff, error) {
	a, err := workflow.Sections(fromSnapshot)
	if err != nil {
		return RevisionDiff{}, err
	}
	b, err := workflow.Sections(toSnapshot)
	if err != nil {
		return RevisionDiff{}, err
	}
	d := DiffSections(a, b)
	d.From, d.To = from, to
	return d, nil
}

// DiffSections compares two revisions' sections (From and To are left 0).
func DiffSections(from, to []workflow.Section) RevisionDiff {
	out := RevisionDiff{Added: []string{}, Removed: []string{}, Changed: []string{}, Sections: make([]SectionDiff, 0, len(to)+1)}
	old := make(map[string]workflow.Section, len(from))
	for _, s := range from {
		old[s.Anchor] = s
	}
	inTo := make(map[string]bool, len(to))
	for _, s := range to {
		inTo[s.Anchor] = true
	}
	// A removed section goes before the next section of From that To still
	// has, or at the end: after what To added where it stood.
	removedBefore := map[string][]workflow.Section{}
	var pending []workflow.Section
	for _, s := range from {
		if !inTo[s.Anchor] {
			pending = append(pending, s)
			continue
		}
		if len(pending) > 0 {
			removedBefore[s.Anchor], pending = pending, nil
		}
	}
	removed := func(list []workflow.Section) {
		for _, s := range list {
			out.Removed = append(out.Removed, s.Anchor)
			out.Sections = append(out.Sections, SectionDiff{Anchor: s.Anchor, Title: s.Title, Change: SectionRemoved,
				Ops: whole(OpDelete, compared(s))})
		}
	}
	for _, s := range to {
		removed(removedBefore[s.Anchor])
		was, ok := old[s.Anchor]
		sd := SectionDiff{Anchor: s.Anchor, Title: s.Title}
		switch a, b := compared(was), compared(s); {
		case !ok:
			sd.Change, sd.Ops = SectionAdded, whole(OpInsert, b)
			out.Added = append(out.Added, s.Anchor)
		case a == b:
			sd.Change, sd.Ops = SectionUnchanged, whole(OpEqual, b)
		default:
			sd.Change, sd.Ops = SectionChanged, DiffWords(a, b)
			out.Changed = append(out.Changed, s.Anchor)
		}
		out.Sections = append(out.Sections, sd)
	}
	removed(pending)
	return out
}

// ChangedSections tells, for each section of from, whether to changed its
// text or dropped it; unchanged sections are absent. It is the cheap half
// of DiffSections, for marking threads outdated.
func ChangedSections(from, to []workflow.Section) map[string]bool {
	now := make(map[string]string, len(to))
	for _, s := range to {
		now[s.Anchor] = compared(s)
	}
	out := map[string]bool{}
	for _, s := range from {
		if t, ok := now[s.Anchor]; !ok || t != compared(s) {
			out[s.Anchor] = true
		}
	}
	return out
}

// compared is the text of a section that a diff compares: its text, and
// for the sections named after what people wrote (an action as a whole, a
// recommendation) that title first, since the title is theirs to change.
// An action's parts repeat the action's title in theirs, which is not
// their change.
func compared(s workflow.Section) string {
	if s.Name == "" || !ownsName(s.Anchor) {
		return s.Text
	}
	if s.Text == "" {
		return s.Name
	}
	return s.Name + "\n\n" + s.Text
}

// ownsName: part3.action.N and recommendation.N are named by their own
// title; part3.action.N.players and the like by their action's.
func ownsName(anchor string) bool {
	if rest, ok := strings.CutPrefix(anchor, "part3.action."); ok {
		return !strings.Contains(rest, ".")
	}
	return strings.HasPrefix(anchor, "recommendation.")
}

func whole(op, text string) []DiffOp {
	if text == "" {
		return []DiffOp{}
	}
	return []DiffOp{{Op: op, Text: text}}
}

// DiffWords compares two texts word by word: each word, run of spaces or
// mark of punctuation becomes one rune (as diffmatchpatch's
// DiffLinesToRunes does with lines), the rune strings are diffed, and the
// runs are turned back into text. An edit therefore never cuts a word, and
// a word is letters and digits of any script: "kőműves", "занаятчийска".
func DiffWords(a, b string) []DiffOp {
	if a == b {
		return whole(OpEqual, a)
	}
	var words []string
	index := map[string]rune{}
	encode := func(s string) ([]rune, bool) {
		toks := tokens(s)
		rs := make([]rune, len(toks))
		for i, w := range toks {
			r, ok := index[w]
			if !ok {
				if r, ok = tokenRune(len(words)); !ok {
					return nil, false
				}
				index[w] = r
				words = append(words, w)
			}
			rs[i] = r
		}
		return rs, true
	}
	ra, okA := encode(a)
	rb, okB := encode(b)
	if !okA || !okB { // more distinct words than private runes: all of it changed
		return append(whole(OpDelete, a), whole(OpInsert, b)...)
	}
	dmp := diffmatchpatch.New()
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMainRunes(ra, rb, false))
	out := make([]DiffOp, 0, len(diffs))
	for _, d := range diffs {
		var sb strings.Builder
		for _, r := range d.Text {
			sb.WriteString(words[runeToken(r)])
		}
		op := OpEqual
		switch d.Type {
		case diffmatchpatch.DiffInsert:
			op = OpInsert
		case diffmatchpatch.DiffDelete:
			op = OpDelete
		}
		if sb.Len() == 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += sb.String()
			continue
		}
		out = append(out, DiffOp{Op: op, Text: sb.String()})
	}
	return out
}

// The runes that stand for words: the Basic Multilingual Plane's private
// use area, then the supplementary planes' A and B, none of which text
// cleanup treats as spaces or punctuation, and none a surrogate.
const (
	puaStart  = 0xE000
	puaSize   = 0xF8FF - 0xE000 + 1
	puaAStart = 0xF0000
	puaBStart = 0x100000
	puaABSize = 0xFFFFD - 0xF0000 + 1
)

func tokenRune(i int) (rune, bool) {
	switch {
	case i < puaSize:
		return rune(puaStart + i), true
	case i < puaSize+puaABSize:
		return rune(puaAStart + i - puaSize), true
	case i < puaSize+2*puaABSize:
		return rune(puaBStart + i - puaSize - puaABSize), true
	}
	return 0, false
}

func runeToken(r rune) int {
	switch {
	case r >= puaBStart:
		return int(r-puaBStart) + puaSize + puaABSize
	case r >= puaAStart:
		return int(r-puaAStart) + puaSize
	}
	return int(r - puaStart)
}

// tokens splits text into words (letters, digits and the marks that
// combine with them), runs of white space, and single other characters.
// Invalid UTF-8 stays byte for byte in the token it falls in.
func tokens(s string) []string {
	var out []string
	class := func(r rune) int {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			return 1
		case unicode.IsSpace(r):
			return 2
		}
		return 0
	}
	start, prev := 0, -1
	for i, r := range s {
		c := class(r)
		if i > start && (c != prev || c == 0) {
			out = append(out, s[start:i])
			start = i
		}
		prev = c
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// CheckDiffRange checks the revision a diff compares revision to with:
// an earlier one.
func CheckDiffRange(from, to int) error {
	var p workflow.Problems
	switch {
	case to <= 1:
		p.Add("from", "revision 1 is the first: there is no earlier revision to compare it with")
	case from < 1 || from >= to:
		p.Add("from", "must be an earlier revision, from 1 to %d", to-1)
	}
	return p.Err("the revisions to compare are not valid")
}
