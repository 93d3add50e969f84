package locale

import (
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
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
		ids := c.IDs(lang)
		var missing, extra []string
		for _, id := range en {
			if !slices.Contains(ids, id) {
				missing = append(missing, id)
			}
		}
		for _, id := range ids {
			if !slices.Contains(en, id) {
				extra = append(extra, id)
			}
		}
		require.Empty(t, missing, "%s lacks messages that %s has", lang, Default)
		require.Empty(t, extra, "%s has messages that %s lacks", lang, Default)
		for _, id := range en {
			require.Equal(t, c.Placeholders(Default, id), c.Placeholders(lang, id), "%s: %s has other placeholders", lang, id)
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

// TestPluralForms: every message with a count renders, in every language,
// for the counts that pick each CLDR form (0, 1, 2, 5 and a million,
// which Italian and Spanish give a form of its own); and Hungarian,
// Bulgarian and Finnish choose their forms as CLDR says.
func TestPluralForms(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	for _, lang := range c.Languages() {
		l := c.Match(lang)
		for _, id := range c.IDs(lang) {
			if !slices.Contains(c.Placeholders(lang, id), "Count") {
				continue
			}
			for _, n := range []int{0, 1, 2, 5, 1000000} {
				_, err := l.T(id, "Count", n, "Revision", 1, "Group", "G", "Project", "P", "N", 1)
				require.NoError(t, err, "%s %s with %d", lang, id, n)
			}
		}
	}
	for _, tc := range []struct {
		lang string
		want [4]string // 0, 1, 2, 5 comments
	}{
		// Hungarian: a noun after a number stays singular.
		{"hu", [4]string{"0 észrevétel", "1 észrevétel", "2 észrevétel", "5 észrevétel"}},
		// Bulgarian: one for 1, other for the rest.
		{"bg", [4]string{"0 коментара", "1 коментар", "2 коментара", "5 коментара"}},
		// Finnish: one for 1, other (partitive) for the rest.
		{"fi", [4]string{"0 kommenttia", "1 kommentti", "2 kommenttia", "5 kommenttia"}},
	} {
		l := c.Match(tc.lang)
		for i, n := range []int{0, 1, 2, 5} {
			require.Equal(t, tc.want[i], l.MustT("reading.comment_count", "Count", n), "%s %d", tc.lang, n)
		}
	}
}

// TestLanguagesAreTheDomains: the catalog's languages are the ones the
// domain accepts as a setting, and the status file names each.
func TestLanguagesAreTheDomains(t *testing.T) {
	c, err := Load()
	require.NoError(t, err)
	require.ElementsMatch(t, workflow.Languages, c.Languages())
	require.Equal(t, Default, workflow.Languages[0])
	status, err := os.ReadFile("LANGUAGES.md")
	require.NoError(t, err)
	for _, l := range c.Languages() {
		require.Contains(t, string(status), "| "+l+" |", "LANGUAGES.md lacks %s", l)
	}
}
