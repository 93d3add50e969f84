package documents

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/stretchr/testify/require"
)

// pdfMeta is the metadata of the test documents: the demo consortium's
// Hungarian partner.
func pdfMeta(draft bool) Meta { return pdfMetaIn("hu", draft) }

// pdfMetaIn is pdfMeta with the document in lang: the footer, the DRAFT
// mark and the contents' title speak it.
func pdfMetaIn(lang string, draft bool) Meta {
	return Meta{
		Title:          "Cselekvési terv a budapesti kézműves kkv-k versenyképességének javítására",
		Author:         "Budapesti Vállalkozásfejlesztési Közalapítvány",
		Language:       lang,
		ProjectAcronym: "CRAFTS CODE",
		Draft:          draft,
		Created:        time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC),
		ID:             "deliverable-7/revision-3/template-sha256-0f1e2d",
	}
}

// pdfActionPlan is an action plan with n actions, shaped like the built-in
// template's output (title, Parts I–III with the overview table, numbered
// actions with their sections, signature block), with the demo consortium's
// multilingual text.
func pdfActionPlan(n int) string {
	partners := []string{
		"Budapesti Vállalkozásfejlesztési Közalapítvány",
		"РАМ Стара планина",
		"Università di Firenze",
		"Tórshavnar kommuna",
		"Ærø Kommune",
	}
	var b strings.Builder
	b.WriteString("# Cselekvési terv a budapesti kézműves kkv-k versenyképességének javítására\n\n")
	b.WriteString("**CRAFTS CODE** · Interreg Europe · Action plan · Revision 3 · Hungarian\n\n")
	b.WriteString("## Summary in English\n\n")
	b.WriteString("The Budapest Enterprise Agency's action plan improves how VEKOP supports craft SMEs in Central Hungary. ")
	b.WriteString("It introduces a mentoring scheme modelled on the practice of РАМ Стара планина (Gabrovo), design-led product ")
	b.WriteString("development vouchers inspired by the study visit to Tørshavn and Ærø and the work of Università di Firenze, ")
	b.WriteString("and a joint sales platform. The actions cost €195 000 in total.\n\n")
	b.WriteString("## Part I – General information\n\n")
	b.WriteString("- **Project:** CRAFTS CODE – Improving the competitiveness of craft SMEs through interregional policy learning\n")
	b.WriteString("- **Partner organisation:** Budapesti Vállalkozásfejlesztési Közalapítvány\n")
	b.WriteString("- **Other organisations involved:** Budapesti Kereskedelmi és Iparkamara (BKIK), Moholy-Nagy Művészeti Egyetem\n")
	b.WriteString("- **Country:** Hungary\n- **NUTS2 region:** Budapest (HU11)\n")
	b.WriteString("- **Contact person:** Kovács Erzsébet (kovacs.erzsebet@bvk.example)\n\n")
	b.WriteString("## Part II – Policy context\n\n")
	b.WriteString("- **The action plan aims to impact:** Investment for Growth and Jobs programme\n")
	b.WriteString("- **Name of the policy instrument addressed:** VEKOP – Versenyképes Közép-Magyarország Operatív Program\n\n")
	b.WriteString("A Versenyképes Közép-Magyarország Operatív Program (VEKOP) 1. prioritási tengelye a kis- és középvállalkozások ")
	b.WriteString("versenyképességét támogatja. A kézműves vállalkozások eddig ritkán pályáztak: a felhívások a gyártó kkv-kra ")
	b.WriteString("szabott feltételeket szabtak, és a tanácsadás nem ismerte az ágazat sajátosságait.\n\n")
	b.WriteString("## Part III – Details of the actions envisaged\n\n")
	b.WriteString("| No. | Action | Timeframe | Costs |\n|---:|---|---|---|\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "| %d | %s | 2019-09-01 – 2020-06-30 | €%d 000 (mentors €30 000, workshops €15 000) |\n", i, pdfActionTitle(i), 10+i*3)
	}
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "\n### Action %d — %s\n\n", i, pdfActionTitle(i))
		fmt.Fprintf(&b, "#### 1. Background\n\nThe „Занаятчийска академия” good practice of %s, seen at the peer review in ", partners[i%len(partners)])
		b.WriteString("Gabrovo in October 2017: experienced masters accompany young craft entrepreneurs for a year.\n\n")
		b.WriteString("#### 2. Action\n\nA VEKOP-1.2.1 felhívásba új, kézműves kkv-knak szóló mentorálási komponens kerül. ")
		b.WriteString("Évente 20 fiatal vállalkozó kap 12 hónapos mentorálást; a mentorokat a Budapesti Kereskedelmi és Iparkamara választja ki.  \n")
		b.WriteString("A mentorok havonta találkoznak a mentorált vállalkozásokkal, és negyedévente közös műhelyt tartanak. ")
		b.WriteString("Free text is printed literally: \\<script>alert(1)\\</script> \\*\\*bold\\*\\* {{.X}}\n\n")
		fmt.Fprintf(&b, "#### 3. Players involved\n\n%s (coordination); Budapest Főváros Önkormányzata; Tórshavnar kommuna\n\n", partners[(i+1)%len(partners)])
		b.WriteString("#### 4. Timeframe\n\n2019-09-01 – 2020-06-30\n\n")
		fmt.Fprintf(&b, "#### 5. Costs\n\n€%d 000 (mentors €30 000, workshops €15 000)\n\n", 10+i*3)
		b.WriteString("#### 6. Funding sources\n\nVEKOP-1.2.1 (ERDF 50 %, national co-financing 50 %)\n")
	}
	b.WriteString("\n## Signature\n\nSigned for Budapesti Vállalkozásfejlesztési Közalapítvány.\n\n")
	b.WriteString("Place and date: ________________________________\n\nSignature: ________________________________\n\n")
	b.WriteString("Stamp of the organisation:\n")
	return b.String()
}

func pdfActionTitle(i int) string {
	titles := []string{
		"Kézműves vállalkozói mentorprogram",
		"Design-alapú termékfejlesztési utalványok",
		"Közös online értékesítési platform",
		"Training in traditional techniques with Università di Firenze",
		"Craft route with the tourism boards of Tórshavn and Ærø",
	}
	return titles[(i-1)%len(titles)]
}

// pdfRender renders markdown with meta and fails the test on error.
func pdfRender(t testing.TB, markdown string, meta Meta) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, renderPDF(&buf, Parse([]byte(markdown), meta)))
	return buf.Bytes()
}

// pdfText extracts the text of a PDF with pdftotext (and args), normalised:
// blank lines dropped, runs of spaces collapsed, and each page break shown
// as a line "=== page break ===".
func pdfText(t *testing.T, pdf []byte, args ...string) string {
	t.Helper()
	bin := needTool(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(path, pdf, 0o600))
	out, err := exec.Command(bin, append(append([]string{"-enc", "UTF-8"}, args...), path, "-")...).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("pdftotext: %v: %s", err, ee.Stderr)
	}
	require.NoError(t, err)
	spaces := regexp.MustCompile(`[ \t]+`)
	var lines []string
	for i, page := range strings.Split(strings.TrimRight(string(out), "\f\n"), "\f") {
		if i > 0 {
			lines = append(lines, "=== page break ===")
		}
		for _, l := range strings.Split(page, "\n") {
			if l = strings.TrimSpace(spaces.ReplaceAllString(l, " ")); l != "" {
				lines = append(lines, l)
			}
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

var pdfcpuConfigOnce sync.Once

// pdfValidate runs pdfcpu's validator in strict mode.
func pdfValidate(t *testing.T, pdf []byte) {
	t.Helper()
	pdfcpuConfigOnce.Do(func() { model.ConfigPath = "disable" }) // no config.yml in $HOME
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationStrict
	require.NoError(t, api.Validate(bytes.NewReader(pdf), conf), "pdfcpu strict validation")
}

// pdfMultilingual are strings of the consortium's languages that every
// rendering of the test documents must keep intact.
var pdfMultilingual = []string{
	"Budapesti Vállalkozásfejlesztési Közalapítvány",
	"Budapest Főváros Önkormányzata", // ő
	"kézműves",                       // ű
	"РАМ Стара планина",              // Bulgarian Cyrillic
	"€",
	"Tørshavn", "Ærø", "Tórshavnar",
	"Università",
	"versenyképességének",
}

// pdfPageStreams returns the decompressed content streams of the pages, in page
// order.
func pdfPageStreams(t *testing.T, pdf []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for _, m := range regexp.MustCompile(`<</Type /Page\n(?s:.*?)/Contents (\d+) 0 R`).FindAllSubmatch(pdf, -1) {
		head := []byte("\n" + string(m[1]) + " 0 obj\n<</Filter /FlateDecode /Length ")
		i := bytes.Index(pdf, head)
		require.GreaterOrEqual(t, i, 0, "content stream object %s", m[1])
		rest := pdf[i+len(head):]
		e := bytes.Index(rest, []byte(">>\nstream\n"))
		require.GreaterOrEqual(t, e, 0)
		var n int
		_, err := fmt.Sscanf(string(rest[:e]), "%d", &n)
		require.NoError(t, err)
		zr, err := zlib.NewReader(bytes.NewReader(rest[e+len(">>\nstream\n") : e+len(">>\nstream\n")+n]))
		require.NoError(t, err)
		data, err := io.ReadAll(zr)
		require.NoError(t, err)
		out = append(out, data)
	}
	return out
}

// pdfUTF16 is how fpdf writes s in a content stream (UTF-16BE).
func pdfUTF16(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}

func pdfPages(text string) []string { return strings.Split(text, "=== page break ===\n") }

func TestPDFValid(t *testing.T) {
	cases := []struct {
		name, md string
		meta     Meta
	}{
		{"action plan draft", pdfActionPlan(30), pdfMeta(true)},
		{"action plan approved", pdfActionPlan(30), pdfMeta(false)},
		{"features", pdfFeatures, pdfMeta(true)},
		{"empty", "", Meta{}},
		{"no title, no acronym", "## Only a section\n\nSome text.\n", Meta{ID: "x"}},
		{"long table", pdfLongTable(150), pdfMeta(false)},
		{"tall row", pdfTallRow(2500), pdfMeta(true)},
		{"deep lists", pdfDeepLists(16), pdfMeta(false)},
		{"escaping", pdfHostile, pdfMeta(true)},
		{"odd input", "Text \x00 NUL, emoji 😀, bidi \u202e override, invalid \xff\xfe bytes, tab\there, \u2028 separator.\n\n# Heading with 😀\n", Meta{Title: "Title 😀 \xff", Author: "A\x01B", Language: "hu) /Evil (", ProjectAcronym: "X\u202eY"}},
		{"many headings", pdfManyHeadings(120), pdfMeta(false)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pdf := pdfRender(t, c.md, c.meta)
			require.True(t, bytes.HasPrefix(pdf, []byte("%PDF-1.")), "header")
			require.True(t, bytes.HasSuffix(pdf, []byte("\n%%EOF\n")), "trailer end")
			pdfValidate(t, pdf)
		})
	}
}

func TestPDFNoDocument(t *testing.T) {
	var buf bytes.Buffer
	require.ErrorContains(t, renderPDF(&buf, nil), "render pdf")
	require.ErrorContains(t, renderPDF(&buf, &Doc{}), "no document")
	require.Zero(t, buf.Len())
}

// TestPDFGolden compares the extracted text (pdftotext -layout, which keeps
// lines together) with testdata/pdf/*.txt; go test ./documents -run PDF
// -update rewrites them.
func TestPDFGolden(t *testing.T) {
	cases := []struct {
		name, md string
		meta     Meta
		want     []string // besides the multilingual strings
	}{
		{"action_plan_draft", pdfActionPlan(3), pdfMeta(true), []string{msg("hu", "doc.contents"), "Part III – Details of the actions envisaged", msg("hu", "doc.draft")}},
		{"action_plan_approved", pdfActionPlan(3), pdfMeta(false), []string{msg("hu", "doc.contents"), "Part III – Details of the actions envisaged"}},
		// an English document: the renderers' own words in English
		{"features", pdfFeatures, pdfMetaIn("en", false), []string{"Contents", "numbered again", "1 234,56 €", "func main() {"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := pdfText(t, pdfRender(t, c.md, c.meta), "-layout")
			path := filepath.Join("testdata", "pdf", c.name+".txt")
			if *update {
				require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
				require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
			}
			golden, err := os.ReadFile(path)
			require.NoError(t, err, "missing golden file; run go test ./documents -run PDF -update")
			require.Equal(t, string(golden), text, "extracted text differs from %s", path)

			pages := pdfPages(text)
			for i, p := range pages {
				require.Contains(t, p, "CRAFTS CODE", "header acronym on page %d", i+1)
				require.Contains(t, p, msg(c.meta.Language, "doc.page_of", "Page", i+1, "Pages", len(pages)))
			}
			if c.name != "features" {
				for _, s := range pdfMultilingual {
					require.Contains(t, text, s)
				}
			} else {
				for _, s := range []string{"ő ű Ő Ű", "РАМ Стара планина", "€", "æ ø å Æ Ø Å", "Università", "più", "Tørshavn", "Ærø"} {
					require.Contains(t, text, s)
				}
			}
			for _, s := range c.want {
				require.Contains(t, text, s)
			}
			require.Equal(t, c.meta.Draft, strings.Contains(text, msg(c.meta.Language, "doc.draft")), "DRAFT only in a draft")
		})
	}
}

func TestPDFWatermark(t *testing.T) {
	for _, lang := range []string{"en", "hu"} {
		for _, draft := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/draft=%v", lang, draft), func(t *testing.T) {
				word := msg(lang, "doc.draft") // DRAFT, TERVEZET
				pdf := pdfRender(t, pdfActionPlan(8), pdfMetaIn(lang, draft))
				streams := pdfPageStreams(t, pdf)
				require.Greater(t, len(streams), 2)
				mark := append(append([]byte("("), pdfUTF16(word)...), ") Tj"...) // the diagonal text
				rotation := regexp.MustCompile(`(?m)^q\n0\.57733 0\.81651 -0\.81651 0\.57733 [-0-9.]+ [-0-9.]+ cm\n`)
				for i, s := range streams {
					require.Equal(t, draft, bytes.Contains(s, mark), "watermark on page %d", i+1)
					require.Equal(t, draft, rotation.Match(s), "rotated on page %d", i+1)
					// drawn first, under the text: right after the page set-up
					if draft {
						require.Less(t, bytes.Index(s, mark), bytes.Index(s, pdfUTF16("CRAFTS CODE")), "watermark before the text on page %d", i+1)
					}
				}
				text := pdfText(t, pdf)
				pages := pdfPages(text)
				require.Len(t, pages, len(streams))
				for i, p := range pages {
					require.Equal(t, draft, regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(word)+`\b`).MatchString(p), "DRAFT mark in the footer of page %d", i+1)
				}
				if !draft {
					require.NotContains(t, text, word)
					if lang == "en" {
						require.NotContains(t, text, "DR")
						require.NotContains(t, text, "AF\n")
					}
				}
			})
		}
	}
}

func TestPDFDeterministic(t *testing.T) {
	d := Parse([]byte(pdfActionPlan(12)+pdfFeatures), pdfMeta(true))
	render := func() []byte {
		var buf bytes.Buffer
		if err := renderPDF(&buf, d); err != nil {
			t.Error(err)
		}
		return buf.Bytes()
	}
	first := render()
	require.Equal(t, first, render(), "second rendering")

	results := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() { results[i] = render() })
	}
	wg.Wait()
	for i, r := range results {
		require.Equal(t, first, r, "concurrent rendering %d", i)
	}

	// the file identifier derives from Meta.ID; the dates from Meta.Created
	id := regexp.MustCompile(`/ID \[<([0-9A-F]{32})> <([0-9A-F]{32})>\]`)
	m := id.FindSubmatch(first)
	require.NotNil(t, m, "trailer /ID")
	sum := sha256.Sum256([]byte("craftscode document\x00" + d.Meta.ID))
	require.Equal(t, strings.ToUpper(hex.EncodeToString(sum[:16])), string(m[1]))
	require.Contains(t, string(first), "/CreationDate (D:20260314093000+00'00')")
	require.Contains(t, string(first), "/ModDate (D:20260314093000+00'00')")

	other := *d
	other.Meta.ID = "another revision"
	var buf bytes.Buffer
	require.NoError(t, renderPDF(&buf, &other))
	m2 := id.FindSubmatch(buf.Bytes())
	require.NotNil(t, m2)
	require.NotEqual(t, string(m[1]), string(m2[1]), "another Meta.ID, another /ID")
	require.Equal(t, string(m[2]), string(m2[2]), "the content part of /ID does not depend on Meta.ID")

	// no clock: without a Created date the epoch is written, every time
	zero := Parse([]byte("# x\n"), Meta{})
	var a, b bytes.Buffer
	require.NoError(t, renderPDF(&a, zero))
	time.Sleep(1100 * time.Millisecond) // a clock would tick over a second
	require.NoError(t, renderPDF(&b, zero))
	require.Equal(t, a.Bytes(), b.Bytes())
	require.Contains(t, a.String(), "/CreationDate (D:19700101000000+00'00')")
}

// pdfHostile looks like PDF syntax, template syntax and HTML.
const pdfHostile = "Literal ) Tj (x and (unbalanced and {{.X}} and {{ template \"x\" }} and C:\\Users\\name and \\( escaped.\n\n" +
	"<script>alert(\"x\")</script>\n\n" +
	"Inline <b>bold?</b> and <img src=x onerror=alert(1)> and `) Tj ( \\( code`.\n\n" +
	"[click](javascript:alert(1)) and [web](https://example.eu/x_(y)) and [file](file:///etc/passwd).\n\n" +
	"%PDF-1.4 endstream endobj trailer << /Type /Catalog >> BT /F1 12 Tf ET \\\\ \r\n\n" +
	"| ) Tj ( | {{.Y}} |\n|---|---|\n| <td>x</td> | \\| pipe |\n"

func TestPDFEscaping(t *testing.T) {
	pdf := pdfRender(t, pdfHostile, pdfMeta(false))
	pdfValidate(t, pdf)
	text := pdfText(t, pdf)
	for _, want := range []string{
		"Literal ) Tj (x and (unbalanced",
		"{{.X}}", `{{ template "x" }}`,
		`C:\Users\name`,
		"and ( escaped.", // a Markdown backslash escape, as CommonMark reads it
		`<script>alert("x")</script>`,
		"<b>bold?</b>", "<img src=x onerror=alert(1)>",
		`) Tj ( \( code`, // code spans keep backslashes
		"%PDF-1.4 endstream endobj trailer << /Type /Catalog >> BT /F1 12 Tf ET \\",
		"{{.Y}}", "<td>x</td>", "| pipe",
		"click (javascript:alert(1))", "file (file:///etc/passwd)",
	} {
		require.Contains(t, text, want)
	}
	// only the web link is clickable
	require.Equal(t, 1, bytes.Count(pdf, []byte("/S /URI")), "URI actions")
	require.Contains(t, string(pdf), `/S /URI /URI (https://example.eu/x_\(y\))`)
	require.NotContains(t, string(pdf), "javascript")
	require.NotContains(t, string(pdf), "/JavaScript")
	require.NotContains(t, string(pdf), "passwd")
}

func TestPDFEmpty(t *testing.T) {
	cases := []struct {
		name string
		meta Meta
		want []string
	}{
		{"no meta", Meta{}, []string{"Page 1 of 1"}},
		{"meta", pdfMeta(false), []string{msg("hu", "doc.page_of", "Page", 1, "Pages", 1), "CRAFTS CODE", "Cselekvési terv a budapesti kézműves kkv-k"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pdf := pdfRender(t, "", c.meta)
			pdfValidate(t, pdf)
			require.Len(t, pdfPageStreams(t, pdf), 1)
			text := pdfText(t, pdf)
			for _, w := range c.want {
				require.Contains(t, text, w)
			}
			require.NotContains(t, text, msg(c.meta.Language, "doc.contents"))
			require.NotContains(t, string(pdf), "/Outlines")
		})
	}
}

func pdfLongTable(rows int) string {
	var b strings.Builder
	b.WriteString("## Long table\n\n| Number | Description | Amount |\n|---:|---|---:|\n")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(&b, "| row %d | Description of row %d, long enough to wrap onto a second line in its column of the table, ending with end%d | %d,00 € |\n", i, i, i, i*100)
	}
	return b.String()
}

func TestPDFLongTable(t *testing.T) {
	const rows = 150
	pdf := pdfRender(t, pdfLongTable(rows), pdfMeta(false))
	pdfValidate(t, pdf)
	pages := pdfPages(pdfText(t, pdf))
	require.GreaterOrEqual(t, len(pages), 5, "the table spans pages")
	rowPage := map[int]int{}
	for i, p := range pages {
		if !strings.Contains(p, "row ") {
			continue
		}
		// the header row is repeated on every page the table continues on
		require.Contains(t, p, "Number", "header row on page %d", i+1)
		require.Contains(t, p, "Description\n", "header row on page %d", i+1)
		for _, m := range regexp.MustCompile(`row (\d+)\b`).FindAllStringSubmatch(p, -1) {
			var n int
			_, _ = fmt.Sscan(m[1], &n)
			if _, seen := rowPage[n]; !seen {
				rowPage[n] = i
			}
		}
	}
	for n := 1; n <= rows; n++ {
		p, ok := rowPage[n]
		require.True(t, ok, "row %d", n)
		// a row is never split: its wrapped cell ends on the same page
		require.Regexp(t, fmt.Sprintf(`\bend%d\b`, n), pages[p], "row %d kept together on page %d", n, p+1)
		require.Contains(t, pages[p], fmt.Sprintf("%d,00 €", n*100))
	}
}

func pdfTallRow(words int) string {
	var b strings.Builder
	b.WriteString("| Key | Text |\n|---|---|\n| tall | START ")
	for i := range words {
		fmt.Fprintf(&b, "w%d ", i)
	}
	b.WriteString("FINISH |\n| next | after the tall row |\n")
	return b.String()
}

func TestPDFTallRow(t *testing.T) {
	// a row taller than a page is split between its lines
	pdf := pdfRender(t, pdfTallRow(2500), pdfMeta(false))
	pdfValidate(t, pdf)
	text := pdfText(t, pdf)
	pages := pdfPages(text)
	require.GreaterOrEqual(t, len(pages), 3)
	require.Contains(t, text, "START")
	require.Contains(t, text, "FINISH")
	require.Contains(t, text, "after the tall row")
	for _, w := range []string{"w0", "w1250", "w2499"} {
		require.Regexp(t, `\b`+w+`\b`, text)
	}
}

func pdfDeepLists(depth int) string {
	var b strings.Builder
	for d := range depth {
		indent := strings.Repeat("   ", d)
		marker := "-"
		if d%2 == 1 {
			marker = "1."
		}
		fmt.Fprintf(&b, "%s%s level %d item with enough words to wrap when the indentation has eaten most of the line width\n", indent, marker, d)
	}
	return b.String()
}

func TestPDFDeepLists(t *testing.T) {
	const depth = 16
	pdf := pdfRender(t, pdfDeepLists(depth), pdfMeta(false))
	pdfValidate(t, pdf)
	text := pdfText(t, pdf)
	for d := range depth {
		require.Contains(t, text, fmt.Sprintf("level %d item", d))
	}
	pdfWithinMargins(t, pdf)
}

// pdfWithinMargins checks with pdftotext -bbox that no word leaves the
// text area (20 mm margins on A4: 56.69 to 538.58 pt).
func pdfWithinMargins(t *testing.T, pdf []byte) {
	t.Helper()
	bin := needTool(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(path, pdf, 0o600))
	out, err := exec.Command(bin, "-bbox", path, "-").Output()
	require.NoError(t, err)
	words := regexp.MustCompile(`<word xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)" yMax="[0-9.]+">([^<]*)</word>`).FindAllStringSubmatch(string(out), -1)
	require.NotEmpty(t, words)
	for _, w := range words {
		var x0, x1 float64
		_, _ = fmt.Sscan(w[1], &x0)
		_, _ = fmt.Sscan(w[2], &x1)
		require.GreaterOrEqual(t, x0, 56.69-0.5, "word %q starts left of the margin", w[3])
		require.LessOrEqual(t, x1, 538.58+0.5, "word %q ends right of the margin", w[3])
	}
}

func TestPDFWrapping(t *testing.T) {
	long := strings.Repeat("Donaudampfschifffahrtsgesellschaftskapitänsmütze", 6)
	cases := []struct{ name, md string }{
		{"features", pdfFeatures},
		{"long word", "Before " + long + " after.\n\n- item " + long + "\n\n> " + long + "\n\n| a | b | c | d | e | f |\n|---|---|---|---|---|---|\n| " + long + " | x | " + long + " | y | z | w |\n"},
		{"long code", "```\n" + strings.Repeat("x", 400) + "\n\tindented " + strings.Repeat("y ", 100) + "\n```\n"},
		{"long url", "See <https://example.eu/" + strings.Repeat("segment/", 40) + ">.\n"},
		{"wide table", "| " + strings.Repeat("col | ", 14) + "\n|" + strings.Repeat("---|", 14) + "\n| " + strings.Repeat("Közalapítvány | ", 14) + "\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pdf := pdfRender(t, c.md, Meta{ProjectAcronym: "CRAFTS CODE"})
			pdfValidate(t, pdf)
			pdfWithinMargins(t, pdf)
		})
	}
	// the long word is all there, broken between lines but not lost
	text := pdfText(t, pdfRender(t, long+"\n", Meta{}))
	require.Equal(t, long, strings.ReplaceAll(strings.Split(text, "\nPage 1 of 1")[0], "\n", ""))
}

func pdfManyHeadings(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if i%10 == 1 {
			fmt.Fprintf(&b, "# Chapter %d\n\n", i/10+1)
		}
		fmt.Fprintf(&b, "## Section %d\n\n%s\n\n", i, strings.Repeat(fmt.Sprintf("Text of section %d. ", i), 8*(i%5)+1))
	}
	return b.String()
}

// TestPDFContents checks every contents entry against the page where its
// heading is, also when the contents take more than one page.
func TestPDFContents(t *testing.T) {
	cases := []struct {
		name, md   string
		entries    int
		tocPages   int
		firstEntry string
	}{
		{"short", pdfManyHeadings(12), 14, 1, "Chapter 1"},
		{"contents over pages", pdfManyHeadings(120), 132, 4, "Chapter 1"},
	}
	entry := regexp.MustCompile(`^(.*?\S)\s+(?:\.\s*)+(\d+)$`)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pdf := pdfRender(t, c.md, pdfMeta(false))
			pdfValidate(t, pdf)
			pages := pdfPages(pdfText(t, pdf, "-layout")) // keeps each entry on its line
			found, tocPages := 0, 0
			for tp := range pages {
				n := 0
				for _, line := range strings.Split(pages[tp], "\n") {
					m := entry.FindStringSubmatch(line)
					if m == nil {
						continue
					}
					if found == 0 {
						require.Equal(t, c.firstEntry, m[1])
					}
					found++
					n++
					var page int
					_, _ = fmt.Sscan(m[2], &page)
					require.Greater(t, page, c.tocPages, "entry %q points into the contents", m[1])
					require.LessOrEqual(t, page, len(pages))
					body := "\n" + pages[page-1]
					require.Contains(t, body, "\n"+m[1]+"\n", "heading %q on page %d", m[1], page)
					if page > c.tocPages+1 {
						require.NotContains(t, "\n"+pages[page-2], "\n"+m[1]+"\n", "heading %q not already on page %d", m[1], page-1)
					}
				}
				if n == 0 {
					break
				}
				tocPages++
			}
			require.Equal(t, c.entries, found, "contents entries")
			require.Equal(t, c.tocPages, tocPages, "pages of contents")
			// the body starts on the page after the contents, under the header
			require.Equal(t, c.firstEntry, strings.Split(pages[tocPages], "\n")[1], "body starts on page %d", tocPages+1)
		})
	}
}

// TestPDFKeepWithNext checks that no heading ends a page: it moves to the
// next page with the first lines of its section.
func TestPDFKeepWithNext(t *testing.T) {
	heading := regexp.MustCompile(`^(Chapter|Section) \d+$`)
	// the footer, "1. oldal / 8" in the Hungarian test documents
	footer := "^" + strings.NewReplacer("\x01", `\d+`, "\x02", `\d+`).Replace(
		regexp.QuoteMeta(msg(pdfMeta(false).Language, "doc.page_of", "Page", "\x01", "Pages", "\x02"))) + "$"
	checked := 0
	for _, n := range []int{40, 57, 83} {
		pages := pdfPages(pdfText(t, pdfRender(t, pdfManyHeadings(n), pdfMeta(false)), "-layout"))
		for i, p := range pages {
			lines := strings.Split(strings.TrimSuffix(p, "\n"), "\n")
			require.Regexp(t, footer, lines[len(lines)-1])
			if len(lines) < 3 {
				continue
			}
			last := lines[len(lines)-2]
			require.NotRegexp(t, heading, last, "page %d of %d ends with a heading", i+1, len(pages))
			checked++
		}
	}
	require.Greater(t, checked, 20)
}

func TestPDFMetadata(t *testing.T) {
	pdf := pdfRender(t, pdfActionPlan(3), pdfMeta(true))
	s := string(pdf)
	require.Contains(t, s, "/Lang (hu)")
	require.Contains(t, s, "/PageMode /UseOutlines")
	// the outline: Summary, Parts I–III with three actions, Signature
	require.Equal(t, 8, strings.Count(s, " 0 obj\n<</Title "), "bookmarks")
	require.Contains(t, s, "<</Type /Outlines /Count 8 ")
	require.Contains(t, s, "/Count 3>>", "Part III has its three actions")
	// only the embedded Liberation fonts, as Unicode (Identity-H) subsets
	require.Equal(t, 2, strings.Count(s, "/Subtype /Type0"), "fonts: Liberation Sans regular and bold")
	require.Equal(t, 2, strings.Count(s, "/FontFile2 "))
	require.NotRegexp(t, `/BaseFont /(Helvetica|Times|Courier|Arial)`, s)

	bin := needTool(t, "pdfinfo")
	path := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(path, pdf, 0o600))
	out, err := exec.Command(bin, "-isodates", path).Output()
	require.NoError(t, err)
	info := string(out)
	for _, want := range []string{
		"Title:           Cselekvési terv a budapesti kézműves kkv-k versenyképességének javítására",
		"Author:          Budapesti Vállalkozásfejlesztési Közalapítvány",
		"Creator:         craftscode",
		"Keywords:        CRAFTS CODE",
		"CreationDate:    2026-03-14T09:30:00",
		"ModDate:         2026-03-14T09:30:00",
		"Page size:       595.28 x 841.89 pts (A4)",
	} {
		require.Contains(t, info, want)
	}
	fonts, err := exec.Command(filepath.Join(filepath.Dir(bin), "pdffonts"), path).Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(fonts)), "\n")[2:]
	require.Len(t, lines, 2)
	for _, l := range lines {
		require.Regexp(t, `^[A-Z]{6}\+utf8sans\S*\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes`, l, "embedded subset (with a tag) with ToUnicode")
	}
}

func TestPDFClean(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain ő ű РАМ € æøå", "plain ő ű РАМ € æøå"},
		{"tab\tnew\nline\r", "tab new line "},
		{"nul\x00bell\x07del\x7f", "nulbelldel"},
		{"emoji 😀!", "emoji \uFFFD!"},
		{"bidi \u202eevil\u202c zero\u200bwidth", "bidi evil zerowidth"},
		{"invalid \xff\xfe", "invalid \uFFFD\uFFFD"},
		{"sep\u2028par\u2029", "sep par "},
	}
	for _, c := range cases {
		require.Equal(t, c.want, pdfClean(c.in), "%q", c.in)
	}
}

func TestPDFDecode(t *testing.T) {
	cases := []struct{ in, want string }{
		{`plain`, `plain`},
		{`\(a\) \* \\ \_`, `(a) * \ _`},
		{`C:\Users\x`, `C:\Users\x`},
		{`&amp; &#x20AC;`, `&amp; &#x20AC;`}, // as the DOCX writer: entities stay literal
		{`end\`, `end\`},
	}
	for _, c := range cases {
		require.Equal(t, c.want, pdfDecode([]byte(c.in)), "%q", c.in)
	}
}

func TestPDFLang(t *testing.T) {
	cases := []struct{ in, want string }{
		{"hu", "hu"}, {"bg", "bg"}, {"pt-PT", "pt-PT"}, {"sr-Latn-RS", "sr-Latn-RS"},
		{"", ""}, {"h", ""}, {"hu) /Evil (", ""}, {"e1", ""}, {"toolongtag-xx", ""}, {"hu--x", ""},
	}
	for _, c := range cases {
		require.Equal(t, c.want, pdfLang(c.in), "%q", c.in)
	}
}

func TestPDFLinkTarget(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://example.eu/a?b=c", "https://example.eu/a?b=c"},
		{" HTTP://Example.eu ", "HTTP://Example.eu"},
		{"mailto:info@example.eu", "mailto:info@example.eu"},
		{"https://example.eu/ő ű", "https://example.eu/%C5%91%20%C5%B1"},
		{"javascript:alert(1)", ""}, {"file:///etc/passwd", ""}, {"/relative", ""}, {"#anchor", ""}, {"data:text/html,x", ""},
	}
	for _, c := range cases {
		require.Equal(t, c.want, pdfLinkTarget(c.in), "%q", c.in)
	}
}

func TestPDFLayout(t *testing.T) {
	runs := []pdfRun{
		{text: "A paragraph with "}, {text: "bold", st: pdfBold}, {text: "ness and an "},
		{text: "Extraordinarilylongwordthatcannotpossiblyfitontoasinglelineofthisnarrowcolumn", st: pdfItalic},
		{br: true}, {text: "after  the   break"},
	}
	const width = 40.0
	lines := pdfLayout(runs, pdfBodySize, width)
	require.Greater(t, len(lines), 4)
	var all strings.Builder
	for i, l := range lines {
		require.LessOrEqual(t, l.w, width+pdfEps, "line %d fits", i)
		x := 0.0
		for _, f := range l.frags {
			require.InDelta(t, x, f.x, 1e-9, "fragments follow each other")
			require.InDelta(t, pdfTextWidth(f.st.face(), pdfBodySize, f.text), f.w, 1e-9, "fragment width")
			x += f.w
			all.WriteString(f.text)
		}
		all.WriteByte('|')
	}
	// breaks at spaces, inside the long word only, spaces collapsed, the
	// hard break kept
	require.Equal(t, "A paragraph with|boldness and an|Extraordinarilylongwordt|hatcannotpossiblyfitonto|asinglelineofthisnarrowc|olumn|after the break|", all.String())
	// styles survive, and a word may change style inside
	require.Equal(t, "bold", lines[1].frags[0].text)
	require.Equal(t, pdfBold, lines[1].frags[0].st)
	require.Equal(t, "ness and an", lines[1].frags[1].text)
	require.Equal(t, pdfStyle(0), lines[1].frags[1].st)
	require.Equal(t, pdfItalic, lines[2].frags[0].st)
}

// BenchmarkRenderPDF renders the 30-action plan; besides the mean it
// reports the median time of one rendering (the target: ≤ 20 ms).
func BenchmarkRenderPDF(b *testing.B) {
	d := Parse([]byte(pdfActionPlan(30)), pdfMeta(true))
	var buf bytes.Buffer
	require.NoError(b, renderPDF(&buf, d)) // builds the width tables once
	var times []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		buf.Reset()
		start := time.Now()
		if err := renderPDF(&buf, d); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(buf.Len()), "bytes/doc")
}

// pdfFeatures exercises every construct the writer handles.
const pdfFeatures = `# Features

Intro with **bold**, *italic*, ***bold italic***, ~~struck~~, ` + "`code span`" + `, a [link](https://example.eu/a?b=c)
and an autolink <https://interreg.eu>, a line break  
after two spaces. Ünnepélyes ő ű Ő Ű, РАМ Стара планина, €, æ ø å Æ Ø Å, Università, più, Tørshavn, Ærø.

## Lists

1. first
2. second
   - nested bullet
     - deeper
       1. numbered again
3. third

- [ ] loose item one

- loose item two with a long text that has to wrap over more than one line of the page, to show the hanging indent of list items

## Quote and code

> A quote with **bold** text that is long enough to wrap onto a second line inside the quotation bar, as quotes do.
>
> > nested quote

` + "```" + `go
func main() {
	fmt.Println("tabs and (parens) \\ backslashes")
}
` + "```" + `

---

<div class="x">raw <b>html</b> block</div>

Inline <span>html</span> stays literal.

| Left | Centre | Right |
|:---|:---:|---:|
| a | b | c |
| a much longer cell that wraps inside its column | **b** | 1 234,56 € |

### Third level

#### Fourth level

##### Fifth level

Supercalifragilisticexpialidocious-and-even-longer-word-without-any-space-in-it-that-cannot-fit-on-a-single-line-of-the-page-at-all.
`
