package documents

import (
	"archive/zip"
	"bytes"
	"html"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/templates"
)

var (
	// t "doc.…" in a template; any "doc.…" literal in the Go files
	templateLabel = regexp.MustCompile(`\bt\s+"(doc\.[A-Za-z0-9_.]+)"`)
	goLabel       = regexp.MustCompile(`"(doc\.[A-Za-z0-9_.]+)"`)
	labelArg      = regexp.MustCompile(`\{\{\s*\.\w+\s*\}\}`)
)

// TestDocumentLabels checks the doc. part of the catalog against its users:
// every label a built-in template or the renderers ask for exists, every
// doc. message is used, the names of the lookups cover their tables, and no
// doc. message holds Markdown (t's output is not escaped).
func TestDocumentLabels(t *testing.T) {
	c, err := locale.Load()
	require.NoError(t, err)
	en := c.Match(locale.Default)
	used := map[string]string{}
	err = fs.WalkDir(templates.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".tmpl") {
			return err
		}
		b, err := fs.ReadFile(templates.FS, path)
		for _, m := range templateLabel.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = "templates/" + path
		}
		return err
	})
	require.NoError(t, err)
	goFiles, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range goLabel.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = "documents/" + f
		}
	}
	require.Contains(t, used, "doc.plan.part1")
	require.Contains(t, used, "doc.page_of")
	for id, where := range used {
		if strings.HasSuffix(id, ".") {
			continue // a prefix (doc.country. in langFuncs)
		}
		require.True(t, en.Has(id), "%s asks for %q, which the catalog lacks", where, id)
	}
	for prefix, table := range map[string]map[string]string{"doc.country.": countryNames, "doc.language.": languageNames, "doc.instrument.": instrumentTypes} {
		for code := range table {
			require.True(t, en.Has(prefix+code), "no catalog name for %s%s", prefix, code)
			used[prefix+code] = "the lookup tables"
		}
	}
	for _, id := range c.IDs(locale.Default) {
		if !strings.HasPrefix(id, labelPrefix) {
			continue
		}
		_, ok := used[id]
		require.True(t, ok, "the catalog has %q, which no template or renderer uses", id)
	}
	for _, lang := range c.Languages() {
		for _, id := range c.IDs(lang) {
			if !strings.HasPrefix(id, labelPrefix) {
				continue
			}
			// the plural forms through their Count
			for _, n := range []int{1, 2, 5} {
				var args []any
				for _, name := range c.Placeholders(lang, id) {
					args = append(args, name, n)
				}
				s, err := c.Match(lang).T(id, args...)
				require.NoError(t, err, "%s %s", lang, id)
				s = labelArg.ReplaceAllString(s, "")
				require.False(t, strings.ContainsAny(s, labelSpecial), "%s %s: %q has Markdown; t does not escape", lang, id, s)
				require.False(t, len(s) > 0 && strings.ContainsRune("-+=", rune(s[0])), "%s %s: %q starts with a list or heading marker", lang, id, s)
			}
		}
	}
}

// TestLabelsInLanguage renders the sample action plan in every language of
// the catalog: its labels, the page footer and the draft mark are that
// language's, and the English summary is marked English in DOCX and HTML.
func TestLabelsInLanguage(t *testing.T) {
	c, err := locale.Load()
	require.NoError(t, err)
	tm := builtin(t, KindActionPlan)
	const summary = "The Budapest Enterprise Agency"
	for _, lang := range c.Languages() {
		t.Run(lang, func(t *testing.T) {
			l := c.Match(lang)
			require.Equal(t, lang, l.Lang())
			meta := SampleMeta(KindActionPlan, true)
			meta.Language = lang
			labels := []string{l.MustT("doc.plan.part1"), l.MustT("doc.plan.part2"), l.MustT("doc.plan.part3"),
				l.MustT("doc.sign.heading"), l.MustT("doc.endorse.heading"), l.MustT("doc.col.timeframe")}

			pdf := assemble(t, tm, Sample(KindActionPlan), meta, FormatPDF)
			raw := pdfToText(t, pdf)
			text := flat(raw)
			pages := strings.Count(strings.TrimRight(raw, "\f"), "\f") + 1
			for _, s := range append(labels, l.MustT("doc.draft"), l.MustT("doc.contents"),
				l.MustT("doc.page_of", "Page", 1, "Pages", pages), l.MustT("doc.page_of", "Page", pages, "Pages", pages)) {
				require.Contains(t, text, flat(s), "pdf in %s", lang)
			}

			docx := assemble(t, tm, Sample(KindActionPlan), meta, FormatDOCX)
			doc := string(docxDocumentXML(t, docx))
			for _, s := range append(labels, l.MustT("doc.contents")) {
				require.Contains(t, doc, docxEscape(s), "docx in %s", lang)
			}
			require.Contains(t, doc, `<w:r><w:rPr><w:lang w:val="en-GB"/></w:rPr><w:t xml:space="preserve">`+summary,
				"the English summary is marked en-GB")
			require.Equal(t, 1, strings.Count(doc, "<w:lang "), "only the summary is marked")
			styles := docxFile(t, docx, "word/styles.xml")
			require.Contains(t, styles, `<w:lang w:val="`+docxLang(lang)+`"`, "the default stays the document's language")
			require.Contains(t, docxFile(t, docx, "word/header1.xml"), docxEscape(l.MustT("doc.draft")))
			footer := docxFile(t, docx, "word/footer1.xml")
			for _, part := range strings.Split(l.MustT("doc.page_of", "Page", "\x00", "Pages", "\x00"), "\x00") {
				if part != "" {
					require.Contains(t, footer, ">"+docxEscape(part)+"<")
				}
			}
			require.Contains(t, footer, "PAGE")
			require.Contains(t, footer, "NUMPAGES")

			page := string(assemble(t, tm, Sample(KindActionPlan), meta, FormatHTML))
			require.Contains(t, page, `<html lang="`+lang+`">`)
			require.Contains(t, page, `<p lang="en">`+summary)
			for _, s := range append(labels, l.MustT("doc.draft"), l.MustT("doc.contents")) {
				require.Contains(t, page, html.EscapeString(s), "html in %s", lang)
			}
		})
	}
}

// A language the catalog lacks gives English labels.
func TestLabelsFallBackToEnglish(t *testing.T) {
	meta := SampleMeta(KindActionPlan, true)
	meta.Language = "xx"
	md := string(assemble(t, builtin(t, KindActionPlan), Sample(KindActionPlan), meta, FormatMD))
	require.Contains(t, md, "## Part I – General information")
	require.Contains(t, md, "> **DRAFT** — not approved; this document may still change.")
}

func docxFile(t *testing.T, docx []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	require.NoError(t, err)
	for _, f := range zr.File {
		if f.Name == name {
			r, err := f.Open()
			require.NoError(t, err)
			b, err := io.ReadAll(r)
			require.NoError(t, err)
			return string(b)
		}
	}
	t.Fatalf("no %s", name)
	return ""
}

func TestTemplateLabelFunction(t *testing.T) {
	for _, src := range []string{
		`{{ t "doc.no_such_label" }}`,
		`{{ t "nav.home" }}`,
		`{{ t .x }}`,
		`{{ t }}`,
		`{{ t "doc.revision" "Number" }}`,
		`{{ t "doc.revision" .name 3 }}`,
		`{{ .x | t "doc.untitled" }}`,
	} {
		_, err := NewTemplate("x", KindActionPlan, []byte(src))
		require.Error(t, err, src)
	}
	tm := mustTemplate(t, `{{ t "doc.sign.signed_for" "Name" .x }} {{ t "doc.revision" "Number" 3 }} {{ t "doc.pr.peer_count" "Count" 1 }} {{ countryName "HU" }} {{ languageName "hu" }}`)
	out, err := tm.ExecuteIn(map[string]any{"x": "*Acme* <b>"}, "en")
	require.NoError(t, err)
	require.Equal(t, `Signed for \*Acme\* \<b\>. Revision 3 1 peer partner Hungary Hungarian`, string(out), "user text in a label stays escaped")
}

func TestLanguageParts(t *testing.T) {
	src := "Hu\n\n<!-- lang:en -->\n\nEnglish *one*\n\n- a list\n\n<!-- /lang -->\n\nHu again\n\n- <!-- lang:de -->\n\n<!--lang:fr-->\n\nto the end\n"
	d := Parse([]byte(src), Meta{Language: "hu"})
	var langs []string
	for n := d.Root.FirstChild(); n != nil; n = n.NextSibling() {
		langs = append(langs, n.Kind().String()+":"+blockLang(n))
	}
	require.Equal(t, []string{"Paragraph:", "Paragraph:en", "List:en", "Paragraph:", "List:", "Paragraph:fr"}, langs)
	var b bytes.Buffer
	require.NoError(t, renderHTML(&b, d))
	require.Contains(t, b.String(), `<p lang="en">English <em>one</em></p>`)
	require.Contains(t, b.String(), `<ul lang="en">`)
	require.Contains(t, b.String(), `<p lang="fr">to the end</p>`)
	require.NotContains(t, b.String(), "lang:en")
}

// labelSpecial are the characters a label may not hold: those of mdSpecial
// that make Markdown on their own (parentheses and ! need a [ ] to).
const labelSpecial = "\\`*_{}[]<>#|~&"

// msg is a document message in lang as the catalog has it, for tests that
// look for a fixed word in a document of that language.
func msg(lang, id string, args ...any) string {
	return locale.MustLoad().Match(lang).MustT(id, args...)
}

// TestDateFunctions: day and moment write dates in the document's
// language after the catalog's patterns and months, in UTC; date keeps its
// Go layouts for uploaded templates.
func TestDateFunctions(t *testing.T) {
	tm := mustTemplate(t, `{{ day .d }}|{{ day .t }}|{{ moment .t }}|{{ moment .d }}|{{ day .none }}|{{ day .text }}|{{ date .d }}|{{ date "2 January 2006" .t }}`)
	data := map[string]any{"d": "2019-01-01", "t": "2019-03-12T17:00:00+01:00", "text": "soon *ish*"}
	cases := map[string]string{
		"en": `1 January 2019|12 March 2019|12 March 2019, 16:00 UTC|1 January 2019||soon \*ish\*|2019-01-01|12 March 2019`,
		"hu": `2019\. január 1.|2019\. március 12.|2019\. március 12., 16:00 UTC|2019\. január 1.||soon \*ish\*|2019-01-01|12 March 2019`,
		"it": `1 gennaio 2019|12 marzo 2019|12 marzo 2019, 16:00 UTC|1 gennaio 2019||soon \*ish\*|2019-01-01|12 March 2019`,
		"de": `1 January 2019|12 March 2019|12 March 2019, 16:00 UTC|1 January 2019||soon \*ish\*|2019-01-01|12 March 2019`, // not in the catalog: English
	}
	for lang, want := range cases {
		out, err := tm.ExecuteIn(data, lang)
		require.NoError(t, err, lang)
		require.Equal(t, want, string(out), lang)
	}
	// The months are the catalog's.
	months := strings.Fields(msg("hu", "dates.months"))
	require.Len(t, months, 12)
	require.Equal(t, "január", months[0])

	// A Hungarian plan's timeframes and consultation, and an Italian one's,
	// in every format; a date at the start of a line stays text, not an
	// ordered list starting at 2019.
	plan := builtin(t, KindActionPlan)
	for lang, want := range map[string][]string{
		"hu": {"2019. szeptember 1. – 2020. június 30.", "2019. március 12., 16:00 UTC " + msg("hu", "doc.matrix.closed_early")},
		"it": {"1 settembre 2019 – 30 giugno 2020", "12 marzo 2019, 16:00 UTC " + msg("it", "doc.matrix.closed_early")},
	} {
		snap := Sample(KindActionPlan)
		snap["content"].(map[string]any)["language"] = lang
		m := MetaFor(snap, true, sampleCreated, plan.Version)
		require.Equal(t, lang, m.Language)
		for _, f := range []Format{FormatMD, FormatHTML, FormatDOCX} {
			out := assemble(t, plan, snap, m, f)
			text := formatText(t, f, out)
			for _, w := range want {
				require.Contains(t, text, w, "%s %s", lang, f)
			}
			require.NotContains(t, text, "2019-09-01", "%s %s", lang, f)
			require.True(t, bytes.Equal(out, assemble(t, plan, snap, m, f)), "the same input gives the same bytes")
		}
		html := string(assemble(t, plan, snap, m, FormatHTML))
		require.NotContains(t, html, `<ol start="2019"`)
	}
}
