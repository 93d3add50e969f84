package documents

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark/ast"

	"github.com/craftscode/craftscode/locale"
)

// multilingual are strings of the demo consortium that every format must
// carry through unchanged (Hungarian ő and ű, Cyrillic, €, Nordic letters).
// The action plan and the progress report are Hungarian: their names and
// dates are the catalog's Hungarian ones.
var multilingual = map[string][]string{
	KindActionPlan: {"Budapesti Vállalkozásfejlesztési Közalapítvány", "РАМ Стара планина", "Università di Firenze",
		"Tørshavn", "ærøi", "€120 000", "VEKOP – Versenyképes Közép-Magyarország Operatív Program", "Az őszi vásárszezonra",
		msg("hu", "doc.instrument.growth_and_jobs"), "Kovács Erzsébet", "2019. szeptember 1. – 2020. június 30."},
	KindPeerReview: {"РАМ Стара планина", "Design and Crafts Council Ireland", "FUNDESARTE", "Регионална занаятчийска камара – Габрово",
		"„Иновации и конкурентоспособност“", "€10 000", "Link the master–apprentice tradition to business mentoring"},
	KindGoodPractice: {"РАМ Стара планина", "Master–apprentice workshops of the Етър open-air museum", "Габрово", "BG32",
		"Регионална занаятчийска камара – Габрово", "€45 000", "„Етър“", "Грънчарска работилница", "Bulgaria"},
	KindProgressReport: {"Budapesti Vállalkozásfejlesztési Közalapítvány", "РАМ Стара планина", "Занаятчийска академия",
		"Kézműves vállalkozói mentorprogram", "A járványhelyzet miatt", "48250.75", "VEKOP – Versenyképes Közép-Magyarország Operatív Program",
		msg("hu", "doc.improvement.governance"), msg("hu", "doc.status.delayed"), msg("hu", "doc.country.hu"), "2020. július 28."},
}

func builtin(t testing.TB, name string) *Template {
	t.Helper()
	list, err := Builtins()
	require.NoError(t, err)
	for _, tm := range list {
		if tm.Name == name {
			return tm
		}
	}
	t.Fatalf("no built-in template %q", name)
	return nil
}

func assemble(t testing.TB, tm *Template, snap map[string]any, meta Meta, f Format) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, Assemble(&b, tm, snap, meta, f))
	return b.Bytes()
}

// pdfToText extracts a PDF's text with poppler's pdftotext.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := needTool(t, "pdftotext")
	file := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(file, pdf, 0o600))
	out, err := exec.Command(bin, "-enc", "UTF-8", file, "-").Output()
	require.NoError(t, err)
	return string(out)
}

// docxDocumentXML returns word/document.xml of a DOCX package.
func docxDocumentXML(t testing.TB, docx []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	require.NoError(t, err)
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			require.NoError(t, err)
			defer rc.Close()
			b, err := io.ReadAll(rc)
			require.NoError(t, err)
			return b
		}
	}
	t.Fatal("no word/document.xml in the package")
	return nil
}

// docxPlainText is the text of the w:t elements of a document.xml, one
// line per paragraph.
func docxPlainText(t testing.TB, documentXML []byte) string {
	t.Helper()
	var b strings.Builder
	dec := xml.NewDecoder(bytes.NewReader(documentXML))
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "t":
				inText = true
			case "tab":
				b.WriteByte('\t')
			case "br":
				b.WriteByte('\n')
			case "noBreakHyphen":
				b.WriteByte('-')
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "t":
				inText = false
			case "p":
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				b.Write(e)
			}
		}
	}
	return b.String()
}

var spaces = regexp.MustCompile(`[\s\x{00a0}]+`)

// flat collapses all white space (line breaks of a PDF's layout included,
// and the no-break spaces that keep a date on one line).
func flat(s string) string { return spaces.ReplaceAllString(s, " ") }

// formatText is a format's visible text, white space collapsed: md and html
// as rendered by goldmark, pdf through pdftotext, docx from its w:t runs.
func formatText(t *testing.T, f Format, out []byte) string {
	t.Helper()
	switch f {
	case FormatMD:
		return flat(htmlText(renderBody(t, string(mdBody(t, out)))))
	case FormatHTML:
		return flat(htmlText(string(out)))
	case FormatPDF:
		return flat(pdfToText(t, out))
	case FormatDOCX:
		return flat(docxPlainText(t, docxDocumentXML(t, out)))
	}
	t.Fatalf("format %s", f)
	return ""
}

var tags = regexp.MustCompile(`<[^>]*>`)

// htmlText is the text of HTML: tags dropped, the five entities decoded.
func htmlText(h string) string {
	h = tags.ReplaceAllString(h, " ")
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#39;", "'", "&amp;", "&").Replace(h)
}

// mdBody strips the front matter and the DRAFT quote of the md format (in
// the document's language, the front matter's lang), leaving the
// template's Markdown.
func mdBody(t testing.TB, md []byte) []byte {
	t.Helper()
	require.True(t, bytes.HasPrefix(md, []byte("---\n")), "front matter first")
	end := bytes.Index(md[4:], []byte("\n---\n"))
	require.GreaterOrEqual(t, end, 0, "front matter closed")
	body := md[4+end+5:]
	lang := "en"
	if m := regexp.MustCompile(`(?m)^lang: "([^"]*)"$`).FindSubmatch(md[:4+end]); m != nil {
		lang = string(m[1])
	}
	return bytes.TrimPrefix(bytes.TrimLeft(body, "\n"), []byte("> **"+msg(lang, "doc.draft")+"** — "+msg(lang, "doc.draft_note")+"\n\n"))
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./documents -run Golden -update")
	require.Equal(t, string(want), string(got), "%s differs; if the change is intended, run go test ./documents -run Golden -update", path)
}

// TestGoldenBuiltins renders each built-in template from its sample in
// every format and compares: md and html as they are, the PDF's text as
// pdftotext extracts it, the DOCX's word/document.xml. The demo
// consortium's multilingual strings must survive in every format.
func TestGoldenBuiltins(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{KindActionPlan, KindPeerReview, KindGoodPractice, KindProgressReport, KindEventMinutes} {
		tm := builtin(t, kind)
		for _, f := range []Format{FormatMD, FormatHTML, FormatPDF, FormatDOCX} {
			t.Run(kind+"/"+string(f), func(t *testing.T) {
				t.Parallel()
				out := assemble(t, tm, Sample(kind), SampleMeta(kind, true), f)
				switch f {
				case FormatMD, FormatHTML:
					golden(t, kind+"."+string(f), out)
				case FormatPDF:
					golden(t, kind+".pdf.txt", []byte(pdfToText(t, out)))
				case FormatDOCX:
					golden(t, kind+".docx.xml", docxDocumentXML(t, out))
				}
				text := formatText(t, f, out)
				for _, s := range multilingual[kind] {
					require.Contains(t, text, s, "%s in %s", s, f)
				}
			})
		}
	}
}

// TestGoldenApproved renders the approved sample of each kind that has an
// approval record: the record (when, by whom, the revision and its
// SHA-256, the consultation, where to verify) comes in every format from
// the source, in the document's language.
func TestGoldenApproved(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{KindActionPlan, KindPeerReview, KindGoodPractice} {
		tm := builtin(t, kind)
		meta := SampleMeta(kind, false)
		for _, f := range []Format{FormatMD, FormatHTML, FormatPDF, FormatDOCX} {
			t.Run(kind+"/"+string(f), func(t *testing.T) {
				t.Parallel()
				out := assemble(t, tm, SampleApproved(kind), meta, f)
				name := kind + ".approved."
				switch f {
				case FormatMD, FormatHTML:
					golden(t, name+string(f), out)
				case FormatPDF:
					golden(t, name+"pdf.txt", []byte(pdfToText(t, out)))
				case FormatDOCX:
					golden(t, name+"docx.xml", docxDocumentXML(t, out))
				}
				text := formatText(t, f, out)
				lang := meta.Language
				for _, s := range []string{msg(lang, "doc.approval.heading"), msg(lang, "doc.approval.coordinator_of", "Organisation", "Design and Crafts Council Ireland"),
					"3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a19", msg(lang, "doc.approval.verify", "URL", "https://craftscode.example.org/verify")} {
					require.Contains(t, strings.Join(strings.Fields(text), " "), s, "%s in %s", s, f)
				}
				// A draft's data has no approval: no record.
				draft := formatText(t, f, assemble(t, tm, Sample(kind), SampleMeta(kind, true), f))
				require.NotContains(t, draft, msg(lang, "doc.approval.heading"))
			})
		}
	}
}

func TestAssembleIsDeterministic(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{KindActionPlan, KindPeerReview, KindProgressReport} {
		for _, f := range []Format{FormatMD, FormatHTML, FormatPDF, FormatDOCX} {
			t.Run(kind+"/"+string(f), func(t *testing.T) {
				t.Parallel()
				for _, draft := range []bool{true, false} {
					first := assemble(t, builtin(t, kind), Sample(kind), SampleMeta(kind, draft), f)
					second := assemble(t, builtin(t, kind), Sample(kind), SampleMeta(kind, draft), f)
					require.NotEmpty(t, first)
					require.True(t, bytes.Equal(first, second), "two renderings differ (draft %t)", draft)
				}
			})
		}
	}
}

// TestAssembleKeepsHostileTextLiteral: user text that looks like HTML,
// Markdown, a javascript: link and template syntax comes out as those
// characters in every format, and as nothing else.
func TestAssembleKeepsHostileTextLiteral(t *testing.T) {
	t.Parallel()
	tm := builtin(t, KindActionPlan)
	meta := SampleMeta(KindActionPlan, true)
	t.Run("md", func(t *testing.T) {
		t.Parallel()
		out := assemble(t, tm, Sample(KindActionPlan), meta, FormatMD)
		body := mdBody(t, out)
		// escaped where a character would start markup, and only there
		require.Contains(t, string(body), `\<script>alert(1)\</script> \*\*bold\*\* \{\{.X\}\} \[x](javascript:alert(1))`)
		root := Parse(body, Meta{}).Root
		require.NoError(t, ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if !entering {
				return ast.WalkContinue, nil
			}
			switch n := n.(type) {
			case *ast.RawHTML, *ast.HTMLBlock, *ast.Link, *ast.AutoLink, *ast.Image:
				return ast.WalkStop, fmt.Errorf("the Markdown has a %s", n.Kind())
			case *ast.Emphasis:
				if Text(n, body) == "bold" {
					return ast.WalkStop, fmt.Errorf("**bold** became emphasis")
				}
			}
			return ast.WalkContinue, nil
		}))
		require.Contains(t, formatText(t, FormatMD, out), hostileText)
	})
	t.Run("html", func(t *testing.T) {
		t.Parallel()
		out := string(assemble(t, tm, Sample(KindActionPlan), meta, FormatHTML))
		require.Contains(t, out, "&lt;script&gt;alert(1)&lt;/script&gt; **bold** {{.X}} [x](javascript:alert(1))")
		require.NotContains(t, strings.ToLower(out), "<script")
		require.NotContains(t, strings.ToLower(out), `href="javascript`)
		require.NotContains(t, out, "<strong>bold</strong>")
		require.NotContains(t, out, "<em>")
		require.Contains(t, formatText(t, FormatHTML, []byte(out)), hostileText)
	})
	for _, f := range []Format{FormatPDF, FormatDOCX} {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			out := assemble(t, tm, Sample(KindActionPlan), meta, f)
			text := formatText(t, f, out)
			require.Contains(t, text, hostileText)
			require.NotContains(t, text, `\<script`, "Markdown escapes must not show")
		})
	}
}

func TestAssembleDraftMark(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{KindActionPlan, KindPeerReview, KindProgressReport} {
		tm := builtin(t, kind)
		draftMD := string(assemble(t, tm, Sample(kind), SampleMeta(kind, true), FormatMD))
		finalMD := string(assemble(t, tm, Sample(kind), SampleMeta(kind, false), FormatMD))
		// DRAFT in the document's language (TERVEZET in the Hungarian plan)
		word := msg(SampleMeta(kind, true).Language, "doc.draft")
		require.Contains(t, draftMD, "> **"+word+"** — "+msg(SampleMeta(kind, true).Language, "doc.draft_note"))
		require.Contains(t, draftMD, `status: "draft"`)
		require.NotContains(t, finalMD, word)
		require.Contains(t, finalMD, `status: "approved"`)

		draftHTML := string(assemble(t, tm, Sample(kind), SampleMeta(kind, true), FormatHTML))
		finalHTML := string(assemble(t, tm, Sample(kind), SampleMeta(kind, false), FormatHTML))
		require.Contains(t, draftHTML, `<div class="draft-mark" role="note">`+word+`</div>`)
		require.NotContains(t, finalHTML, word)
		require.NotContains(t, strings.ToLower(finalHTML), "draft")
	}
}

func TestAssembleErrors(t *testing.T) {
	t.Parallel()
	tm := builtin(t, KindActionPlan)
	err := Assemble(io.Discard, tm, Sample(KindActionPlan), SampleMeta(KindActionPlan, true), Format("odt"))
	require.ErrorContains(t, err, `unknown document format "odt"`)

	broken := mustTemplate(t, "# x\n{{index .content.nope 1}}")
	err = Assemble(io.Discard, broken, Sample(KindActionPlan), SampleMeta(KindActionPlan, true), FormatHTML)
	require.Equal(t, 2, templateError(t, err).Line)
}

func TestMetaFor(t *testing.T) {
	t.Parallel()
	created := time.Date(2019, 3, 1, 13, 0, 0, 0, time.FixedZone("CET", 3600))
	plan := Sample(KindActionPlan)
	m := MetaFor(plan, false, created, "v1")
	require.Equal(t, "Cselekvési terv a budapesti kézműves kkv-k versenyképességének javítására", m.Title)
	require.Equal(t, "Budapesti Vállalkozásfejlesztési Közalapítvány", m.Author)
	require.Equal(t, "hu", m.Language)
	require.Equal(t, "CRAFTS CODE", m.ProjectAcronym)
	require.True(t, m.Draft)
	require.Equal(t, time.Date(2019, 3, 1, 12, 0, 0, 0, time.UTC), m.Created)
	require.Equal(t, time.UTC, m.Created.Location())
	require.Regexp(t, `^[0-9a-f]{64}$`, m.ID)

	// The same revision and template version give the same id, also for a
	// snapshot that went through JSON again (as the render job decodes it).
	raw, err := json.Marshal(plan)
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var again map[string]any
	require.NoError(t, dec.Decode(&again))
	require.Equal(t, m, MetaFor(again, false, created, "v1"))

	// Anything else that changes the document changes the id.
	require.NotEqual(t, m.ID, MetaFor(plan, false, created, "v2").ID)
	require.NotEqual(t, m.ID, MetaFor(plan, true, created, "v1").ID)
	require.False(t, MetaFor(plan, true, created, "v1").Draft)
	changed := Sample(KindActionPlan)
	changed["revision"] = json.Number("4")
	require.NotEqual(t, m.ID, MetaFor(changed, false, created, "v1").ID)

	review := MetaFor(Sample(KindPeerReview), true, created, "v1")
	require.Equal(t, "en", review.Language, "peer reviews have no language field")
	require.Equal(t, "РАМ Стара планина", review.Author)
	require.Equal(t, "Peer review in Gabrovo: support for craft SMEs in the North Central region", review.Title)

	untitled := Sample(KindPeerReview)
	untitled["content"].(map[string]any)["title"] = ""
	require.Equal(t, "Peer review report", MetaFor(untitled, true, created, "v1").Title)
	require.Equal(t, Meta{Language: "en", Draft: true, ID: MetaFor(map[string]any{}, false, time.Time{}, "").ID},
		MetaFor(map[string]any{}, false, time.Time{}, ""), "an empty snapshot gives empty fields, no panic")
}

func TestRenderHTMLDocument(t *testing.T) {
	t.Parallel()
	meta := Meta{Title: `Plan <b>"&"</b>`, Author: `O'Brien & <Sons>`, Language: `hu"><script>`, ProjectAcronym: "<CC>",
		Created: time.Date(2019, 3, 1, 12, 0, 0, 0, time.UTC), ID: "abc", Draft: true}
	src := "# Title\n\n## Part I\n\n### A\n\n### B\n\n## Part II\n\n<script>alert(1)</script>\n\ninline <b onclick=x>raw</b>\n\n" +
		"[js](javascript:alert(1)) [JS](JAVASCRIPT:alert(1)) [tab](java&#x09;script:alert(1)) [vb](vbscript:x) [data](data:text/html,x) " +
		"[ok](https://example.org/a?b=1&c=2) [rel](#part-i) [mail](mailto:a@b.c) <javascript:alert(1)> <https://example.org> " +
		"![alt text](https://tracker.example/p.png)\n"
	var b bytes.Buffer
	require.NoError(t, renderHTML(&b, Parse([]byte(src), meta)))
	out := b.String()

	require.True(t, strings.HasPrefix(out, "<!DOCTYPE html>\n<html lang=\"hu&#34;&gt;&lt;script&gt;\">\n<head>\n<meta charset=\"utf-8\">\n"), out)
	require.Contains(t, out, "<title>Plan &lt;b&gt;&#34;&amp;&#34;&lt;/b&gt;</title>")
	require.Contains(t, out, `<meta name="author" content="O&#39;Brien &amp; &lt;Sons&gt;">`)
	require.Contains(t, out, `<meta name="generator" content="craftscode">`)
	require.Contains(t, out, `<meta name="dcterms.created" content="2019-03-01T12:00:00Z">`)
	require.Contains(t, out, `<span class="acronym">&lt;CC&gt;</span>`)
	require.Contains(t, out, `<div class="draft-mark" role="note">DRAFT</div>`)
	require.True(t, strings.HasSuffix(out, "</body>\n</html>\n"))

	// Contents: the parts, with their sections nested, linking to the ids.
	require.Contains(t, out, "<nav class=\"toc\" aria-label=\"Contents\">\n<strong>Contents</strong>\n<ol>\n"+
		"<li><a href=\"#part-i\">Part I</a>\n<ol>\n<li><a href=\"#a\">A</a></li>\n<li><a href=\"#b\">B</a></li>\n</ol>\n</li>\n"+
		"<li><a href=\"#part-ii\">Part II</a></li>\n</ol>\n</nav>\n")
	require.Contains(t, out, `<h2 id="part-i">Part I</h2>`)

	// Raw HTML is dropped, dangerous links lose their link, the rest stay.
	require.NotContains(t, strings.ToLower(out), "<script")
	require.NotContains(t, out, "onclick")
	for _, bad := range []string{"javascript:", "vbscript:", "data:text"} {
		require.NotRegexp(t, `(?i)href="[^"]*`+regexp.QuoteMeta(bad), out)
	}
	require.NotContains(t, out, "java\tscript")
	require.Contains(t, out, `<a href="https://example.org/a?b=1&amp;c=2">ok</a>`)
	require.Contains(t, out, `<a href="#part-i">rel</a>`)
	require.Contains(t, out, `<a href="mailto:a@b.c">mail</a>`)
	require.Contains(t, out, `<a href="https://example.org">https://example.org</a>`)
	require.Contains(t, out, "js JS tab vb data")
	require.Contains(t, out, `<span class="image-text">alt text</span>`)
	require.NotContains(t, out, "<img")
	require.NotContains(t, out, "tracker.example")
}

func TestHTMLSafeURL(t *testing.T) {
	t.Parallel()
	for u, ok := range map[string]bool{
		"https://example.org": true, "HTTP://x": true, "mailto:a@b": true, "#frag": true, "rel/path": true, "?q=1": true,
		"/abs:colon": true, "javascript:x": false, " JavaScript:x": false, "java\nscript:x": false, "\x01javascript:x": false,
		"vbscript:x": false, "data:text/html,x": false, "file:///etc/passwd": false, "ftp://x": false,
	} {
		require.Equal(t, ok, htmlSafeURL([]byte(u)), "%q", u)
	}
}

func TestRenderMDFrontMatter(t *testing.T) {
	t.Parallel()
	meta := Meta{Title: "Line one\nline two: \"quoted\" \\ # not a comment", Author: "РАМ Стара планина", Language: "bg",
		ProjectAcronym: "CRAFTS CODE", Created: time.Date(2019, 3, 1, 12, 0, 0, 0, time.UTC), ID: "id1"}
	var b bytes.Buffer
	require.NoError(t, renderMD(&b, Parse([]byte("# Body\n\ntext"), meta)))
	out := b.String()
	lines := strings.Split(out, "\n")
	require.Equal(t, "---", lines[0])
	fields := map[string]string{}
	for _, l := range lines[1:] {
		if l == "---" {
			break
		}
		k, v, ok := strings.Cut(l, ": ")
		require.True(t, ok, l)
		if k == "generator" {
			continue
		}
		s, err := strconv.Unquote(v)
		require.NoError(t, err, l)
		fields[k] = s
	}
	require.Equal(t, map[string]string{"title": meta.Title, "author": meta.Author, "lang": "bg", "project": "CRAFTS CODE",
		"date": "2019-03-01T12:00:00Z", "id": "id1", "status": "approved"}, fields)
	require.True(t, strings.HasSuffix(out, "---\n\n# Body\n\ntext\n"), out)
	require.NotContains(t, out, "DRAFT")
}

func TestSamples(t *testing.T) {
	t.Parallel()
	require.Nil(t, Sample("learning_event"))
	plan := SampleActionPlan(30)
	actions := plan["content"].(map[string]any)["actions"].([]any)
	require.Len(t, actions, 30)
	require.Equal(t, json.Number("30"), actions[29].(map[string]any)["number"])
	require.Len(t, Sample(KindActionPlan)["content"].(map[string]any)["actions"], len(sampleActions))

	// A sample is a fresh copy each time.
	a := Sample(KindPeerReview)
	a["content"].(map[string]any)["title"] = "changed"
	require.NotEqual(t, "changed", Sample(KindPeerReview)["content"].(map[string]any)["title"])

	// Samples survive the JSON round trip the render job does.
	for _, kind := range []string{KindActionPlan, KindPeerReview, KindGoodPractice, KindProgressReport} {
		raw, err := json.Marshal(Sample(kind))
		require.NoError(t, err)
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var back map[string]any
		require.NoError(t, dec.Decode(&back))
		require.Equal(t, Sample(kind), back)
		m := SampleMeta(kind, true)
		require.True(t, m.Draft)
		require.Equal(t, sampleCreated, m.Created)
		require.Equal(t, m, SampleMeta(kind, true))
		require.NotEqual(t, m.ID, SampleMeta(kind, false).ID)
	}

	// The 30-action plan renders (the benchmark's input).
	out := assemble(t, builtin(t, KindActionPlan), SampleActionPlan(30), SampleMeta(KindActionPlan, false), FormatMD)
	require.Contains(t, string(out), "### "+msg("hu", "doc.plan.action", "Number", 30)+" — Közös online értékesítési platform (10. ütem)")
}

// BenchmarkAssemble renders the 30-action plan in each format.
func BenchmarkAssemble(b *testing.B) {
	tm := builtin(b, KindActionPlan)
	snap := SampleActionPlan(30)
	meta := MetaFor(snap, false, sampleCreated, tm.Version)
	for _, f := range []Format{FormatPDF, FormatDOCX, FormatHTML, FormatMD} {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := Assemble(&buf, tm, snap, meta, f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes/doc")
		})
	}
}

// TestProgressReportMeta: a progress report's document is titled after its
// period and plan and written in the plan's language, in every format.
func TestProgressReportMeta(t *testing.T) {
	t.Parallel()
	s := Sample(KindProgressReport)
	m := MetaFor(s, true, sampleCreated, "v")
	const plan = "Cselekvési terv a budapesti kézműves kkv-k versenyképességének javítására"
	require.Equal(t, msg("hu", "doc.progress.title", "Period", "2020-S1")+" – "+plan, m.Title)
	require.Equal(t, "Előrehaladási jelentés (2020-S1) – "+plan, m.Title)
	require.Equal(t, "hu", m.Language)
	require.Equal(t, "Budapesti Vállalkozásfejlesztési Közalapítvány", m.Author)
	require.False(t, m.Draft)
	html := string(assemble(t, builtin(t, KindProgressReport), s, m, FormatHTML))
	require.Contains(t, html, `lang="hu"`)
	docx := string(docxDocumentXML(t, assemble(t, builtin(t, KindProgressReport), s, m, FormatDOCX)))
	require.NotContains(t, docx, "DRAFT")
	// A plan in another language gives its own.
	s["plan"].(map[string]any)["language"] = "bg"
	require.Equal(t, "bg", MetaFor(s, true, sampleCreated, "v").Language)

	// In every language of the catalog (and one it lacks) the title is the
	// report's first heading, never the message id.
	for _, lang := range append(locale.MustLoad().Languages(), "de") {
		s["plan"].(map[string]any)["language"] = lang
		m := MetaFor(s, true, sampleCreated, "v")
		require.NotContains(t, m.Title, "doc.", lang)
		require.Contains(t, m.Title, "2020-S1", lang)
		md := string(mdBody(t, assemble(t, builtin(t, KindProgressReport), s, m, FormatMD)))
		heading, _, _ := strings.Cut(md, "\n")
		require.Equal(t, "# "+m.Title, heading, lang)
	}
}

// TestLabelFallsBackToEnglish: a message a language lacks is given in
// English, never as its id.
func TestLabelFallsBackToEnglish(t *testing.T) {
	t.Parallel()
	c, err := locale.LoadFS(fstest.MapFS{
		"catalog/en.toml": {Data: []byte(`"doc.progress.title" = "Progress report {{.Period}}"` + "\n")},
		"catalog/hu.toml": {Data: []byte(`"doc.other" = "Más"` + "\n")},
	})
	require.NoError(t, err)
	_, err = c.Match("hu").T("doc.progress.title", "Period", "2020-S1")
	require.Error(t, err, "go-i18n reports the missing translation")
	require.Equal(t, "Progress report 2020-S1", labelFrom(c, "hu", "doc.progress.title", "Period", "2020-S1"))
	require.Equal(t, "Más", labelFrom(c, "hu", "doc.other"))
	require.Equal(t, "doc.none", labelFrom(c, "hu", "doc.none"))
}

// TestGoodPracticeLanguage: a sheet written in a consortium language is
// marked as such in every format; without one it is English.
func TestGoodPracticeLanguage(t *testing.T) {
	t.Parallel()
	snap := Sample(KindGoodPractice)
	require.Equal(t, "en", MetaFor(snap, false, sampleCreated, "v").Language)
	snap["content"].(map[string]any)["language"] = "bg"
	m := MetaFor(snap, false, sampleCreated, "v")
	require.Equal(t, "bg", m.Language)
	tm := builtin(t, KindGoodPractice)
	require.Contains(t, string(assemble(t, tm, snap, m, FormatHTML)), `lang="bg"`)
	require.Contains(t, string(assemble(t, tm, snap, m, FormatMD)), `lang: "bg"`)
	docx := assemble(t, tm, snap, m, FormatDOCX)
	zr, err := zip.NewReader(bytes.NewReader(docx), int64(len(docx)))
	require.NoError(t, err)
	var core []byte
	for _, f := range zr.File {
		if f.Name == "docProps/core.xml" {
			rc, err := f.Open()
			require.NoError(t, err)
			core, err = io.ReadAll(rc)
			rc.Close()
			require.NoError(t, err)
		}
	}
	require.Contains(t, string(core), "<dc:language>bg")
	require.Contains(t, pdfToText(t, assemble(t, tm, snap, m, FormatPDF)), "Габрово")
}
