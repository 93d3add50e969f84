// Package search holds the text rules of full-text search, shared by the
// store (what it indexes) and the API (what it asks): words are runs of
// letters and digits, lower-cased and stripped of accents, so that
// "Réseau" finds "reseau", "Kraków" finds "krakow" and Cyrillic is
// matched case-insensitively. Both backends see only these folded words,
// which keeps PostgreSQL and SQLite answering alike.
package search

import (
	"html"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// MaxTerms caps the words of a query; more only slows the search down.
const MaxTerms = 8

// maxWord caps one word: PostgreSQL refuses lexemes over 2 KiB and no
// real word is this long.
const maxWord = 64

// letters that Unicode does not decompose into a base letter and a mark.
var special = map[rune]string{
	'ß': "ss", 'ł': "l", 'đ': "d", 'ø': "o", 'æ': "ae", 'œ': "oe", 'ı': "i", 'ħ': "h", 'þ': "th", 'ð': "d",
}

// foldWord lower-cases w and drops its combining marks.
func foldWord(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if s, ok := special[r]; ok {
			b.WriteString(s)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r)
}

// Words splits s into folded words, in order, repeats kept.
func Words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) }) {
		f := foldWord(w)
		if f == "" {
			continue
		}
		if len([]rune(f)) > maxWord {
			f = string([]rune(f)[:maxWord])
		}
		out = append(out, f)
	}
	return out
}

// Terms are the distinct folded words of a query, at most MaxTerms.
func Terms(q string) []string {
	var out []string
	for _, w := range Words(q) {
		dup := false
		for _, o := range out {
			dup = dup || o == w
		}
		if !dup && len(out) < MaxTerms {
			out = append(out, w)
		}
	}
	return out
}

// Normalize is the indexed form of a text: its folded words between
// single spaces, with a space at each end so that " word" matches a word
// start with LIKE.
func Normalize(texts ...string) string {
	var ws []string
	for _, t := range texts {
		ws = append(ws, Words(t)...)
	}
	return " " + strings.Join(ws, " ") + " "
}

// TSQuery writes terms as a PostgreSQL tsquery of prefixes that must all
// match. Terms are letters and digits only, so quoting cannot be broken.
func TSQuery(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = "'" + t + "':*"
	}
	return strings.Join(parts, " & ")
}

// Snippet is about width words of text around its first word that starts
// with one of terms, HTML-escaped, the matching words in <mark>. Without
// a match it is the text's start.
func Snippet(text string, terms []string, width int) string {
	type span struct{ start, end int } // byte offsets of a word in text
	var spans []span
	start := -1
	for i, r := range text {
		switch {
		case isWordRune(r) && start < 0:
			start = i
		case !isWordRune(r) && start >= 0:
			spans = append(spans, span{start, i})
			start = -1
		}
	}
	if start >= 0 {
		spans = append(spans, span{start, len(text)})
	}
	matches := func(w string) bool {
		f := foldWord(w)
		for _, t := range terms {
			if strings.HasPrefix(f, t) {
				return true
			}
		}
		return false
	}
	first := 0
	for i, s := range spans {
		if matches(text[s.start:s.end]) {
			first = i
			break
		}
	}
	if len(spans) == 0 {
		return html.EscapeString(text)
	}
	from := max(0, first-width/3)
	to := min(len(spans), from+width)
	from = max(0, to-width) // near the end, show more before the match
	var b strings.Builder
	if from > 0 {
		b.WriteString("… ")
	}
	pos := 0 // from the text's start, or from the first word shown
	if from > 0 {
		pos = spans[from].start
	}
	for _, s := range spans[from:to] {
		b.WriteString(html.EscapeString(text[pos:s.start]))
		w := text[s.start:s.end]
		if matches(w) {
			b.WriteString("<mark>" + html.EscapeString(w) + "</mark>")
		} else {
			b.WriteString(html.EscapeString(w))
		}
		pos = s.end
	}
	if to < len(spans) {
		b.WriteString(" …")
	} else {
		b.WriteString(html.EscapeString(text[pos:]))
	}
	return b.String()
}
