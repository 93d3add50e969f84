package search

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWordsFoldAccentsCaseAndCyrillic(t *testing.T) {
	require.Equal(t, []string{"reseau", "krakow", "strasse", "lodz", "ремесла", "и", "дизаин", "2024"},
		Words("Réseau, KRAKÓW; Straße — Łódź: Ремёсла и дизайн 2024!"))
	require.Equal(t, " cafe creme ", Normalize("Café", "crème"))
	require.Equal(t, []string{"a", "b"}, Terms("a A á b"))
}

func TestTSQueryQuotesPrefixes(t *testing.T) {
	require.Equal(t, "'crafts':* & 'ремесл':*", TSQuery(Terms("Crafts ремесл'")))
}

func TestSnippetEscapesAndMarks(t *testing.T) {
	s := Snippet("<b>Design</b> schools train craftsmen & women in Łódź", Terms("lodz design"), 30)
	require.Equal(t, "&lt;b&gt;<mark>Design</mark>&lt;/b&gt; schools train craftsmen &amp; women in <mark>Łódź</mark>", s)
	long := "one two three four five six seven eight nine ten eleven twelve target thirteen"
	require.Equal(t, "… nine ten eleven twelve <mark>target</mark> thirteen", Snippet(long, []string{"targ"}, 6))
}
