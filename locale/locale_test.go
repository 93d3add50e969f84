package locale

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCatalogsAgree: every language has exactly English's messages, each
// with the same placeholders, so that a translation can neither lose a
// string nor drop or invent a value.
func TestCatalogsAgree(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, Default, c.Languages()[0])
	en := c.IDs(Default)
	require.NotEmpty(t, en)
	for _, lang := range c.Languages()[1:] {
		require.Equal(t, en, c.IDs(lang), "%s has other messages than %s", lang, Default)
		for _, id := range en {
			require.Equal(t, c.Placeholders(Default, id), c.Placeholders(lang, id), "%s: %s", lang, id)
		}
	}
}

func TestLocalize(t *testing.T) {
	c, err := load(testCatalog(t, map[string]string{
		"en": "plain = \"Plain\"\n[things]\none = \"{{.Count}} thing\"\nother = \"{{.Count}} things\"\n",
		"hu": "plain = \"Egyszerű\"\n[things]\none = \"{{.Count}} dolog\"\nother = \"{{.Count}} dolog\"\n",
	}))
	require.NoError(t, err)
	require.Equal(t, []string{"en", "hu"}, c.Languages())
	en := c.Match("")
	require.Equal(t, "en", en.Lang())
	s, err := en.T("things", "Count", 1)
	require.NoError(t, err)
	require.Equal(t, "1 thing", s)
	s, err = en.T("things", "Count", 3)
	require.NoError(t, err)
	require.Equal(t, "3 things", s)
	require.Equal(t, "Plain", en.MustT("plain"))
	_, err = en.T("missing")
	require.Error(t, err, "a missing message is an error, not an empty string")
	require.Equal(t, []string{"Count"}, c.Placeholders("en", "things"))

	hu := c.Match("hu-HU,hu;q=0.9,en;q=0.5")
	require.Equal(t, "hu", hu.Lang())
	require.Equal(t, "Egyszerű", hu.MustT("plain"))
	require.Equal(t, "en", c.Match("fr-FR").Lang(), "an unknown language falls back to English")
	require.Equal(t, "hu", c.Match("", "hu").Lang(), "the first preference that fits wins")
}

// TestNoTables: no catalog opens a [table]. Areas append their messages at
// the end of a file, and a message after a table header would silently
// become part of that table.
func TestNoTables(t *testing.T) {
	names, err := fs.Glob(files, "catalog/*.toml")
	require.NoError(t, err)
	for _, name := range names {
		b, err := fs.ReadFile(files, name)
		require.NoError(t, err)
		for i, line := range strings.Split(string(b), "\n") {
			require.False(t, strings.HasPrefix(strings.TrimSpace(line), "["), "%s:%d opens a table: write plural messages inline", name, i+1)
			require.NotRegexp(t, `^"[^"]+"\.`, line, "%s:%d splits a message over dotted keys: write plural messages inline", name, i+1)
		}
	}
}
