package documents

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var docxCreated = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

func docxMeta(draft bool) Meta {
	return Meta{
		Title:          "Action plan — CRAFTS",
		Author:         "Budapesti Vállalkozásfejlesztési Közalapítvány",
		Language:       "hu",
		ProjectAcronym: "CRAFTS",
		Draft:          draft,
		Created:        docxCreated,
		ID:             "doc-3f9a1c7e-ap-rev-12",
	}
}

func docxSample(t testing.TB, draft bool) *Doc {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "docx", "action_plan.md"))
	require.NoError(t, err)
	return Parse(src, docxMeta(draft))
}

func docxRender(t testing.TB, d *Doc) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, renderDOCX(&b, d))
	return b.Bytes()
}

// docxZipPackage is an unzipped .docx: entries in order, and their contents.
type docxZipPackage struct {
	names []string
	parts map[string][]byte
	files []*zip.File
}

func docxUnzip(t testing.TB, data []byte) docxZipPackage {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	p := docxZipPackage{parts: map[string][]byte{}, files: zr.File}
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		body, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		_, dup := p.parts[f.Name]
		require.False(t, dup, "duplicate entry %s", f.Name)
		p.names = append(p.names, f.Name)
		p.parts[f.Name] = body
	}
	return p
}

// docxWellFormed parses data with encoding/xml to the end.
func docxWellFormed(t testing.TB, name string, data []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	depth, roots := 0, 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "%s is not well-formed XML", name)
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	require.Equal(t, 0, depth, "%s: unclosed elements", name)
	require.Equal(t, 1, roots, "%s: one root element", name)
}

func docxAttr(se xml.StartElement, local string) string {
	for _, a := range se.Attr {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// docxPara is a paragraph of word/document.xml as a reader sees it.
type docxPara struct {
	style, numID, ilvl string
	text               string
}

// docxParagraphs reads the paragraphs of a WordprocessingML part: text from
// w:t, tabs and breaks as \t and \n.
func docxParagraphs(t testing.TB, data []byte) []docxPara {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var (
		out  []docxPara
		cur  *docxPara
		text strings.Builder
		inT  bool
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Space != docxNSW {
				continue
			}
			switch e.Name.Local {
			case "p":
				cur = &docxPara{}
				text.Reset()
			case "pStyle":
				cur.style = docxAttr(e, "val")
			case "numId":
				cur.numID = docxAttr(e, "val")
			case "ilvl":
				cur.ilvl = docxAttr(e, "val")
			case "t":
				inT = true
			case "tab":
				// a run's tab: these parts have no w:tabs stop lists
				text.WriteByte('\t')
			case "br":
				text.WriteByte('\n')
			case "noBreakHyphen":
				text.WriteByte('-')
			}
		case xml.EndElement:
			if e.Name.Space != docxNSW {
				continue
			}
			switch e.Name.Local {
			case "t":
				inT = false
			case "p":
				cur.text = text.String()
				out = append(out, *cur)
				cur = nil
			}
		case xml.CharData:
			if inT {
				text.Write(e)
			}
		}
	}
	return out
}

func docxTexts(ps []docxPara) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.text)
		b.WriteByte('\n')
	}
	return b.String()
}

// ---------------------------------------------------------------------------

func TestDOCXWellFormedPackage(t *testing.T) {
	pkg := docxUnzip(t, docxRender(t, docxSample(t, true)))

	require.Equal(t, []string{
		"[Content_Types].xml",
		"_rels/.rels",
		"docProps/core.xml",
		"docProps/app.xml",
		"word/document.xml",
		"word/styles.xml",
		"word/numbering.xml",
		"word/settings.xml",
		"word/header1.xml",
		"word/footer1.xml",
		"word/_rels/document.xml.rels",
	}, pkg.names)
	for _, name := range pkg.names {
		docxWellFormed(t, name, pkg.parts[name])
	}

	// Content types: every part is covered, every override names a part.
	var ct struct {
		Defaults []struct {
			Extension   string `xml:"Extension,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Default"`
		Overrides []struct {
			PartName    string `xml:"PartName,attr"`
			ContentType string `xml:"ContentType,attr"`
		} `xml:"Override"`
	}
	require.NoError(t, xml.Unmarshal(pkg.parts["[Content_Types].xml"], &ct))
	defaults := map[string]string{}
	for _, d := range ct.Defaults {
		defaults[strings.ToLower(d.Extension)] = d.ContentType
	}
	overrides := map[string]string{}
	for _, o := range ct.Overrides {
		require.Contains(t, pkg.parts, strings.TrimPrefix(o.PartName, "/"), "override for a missing part")
		overrides[o.PartName] = o.ContentType
	}
	for _, name := range pkg.names {
		if name == "[Content_Types].xml" {
			continue
		}
		_, over := overrides["/"+name]
		_, def := defaults[strings.TrimPrefix(path.Ext(name), ".")]
		require.True(t, over || def, "no content type for %s", name)
	}
	require.Equal(t, "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
		overrides["/word/document.xml"])
	require.Equal(t, "application/vnd.openxmlformats-package.relationships+xml", defaults["rels"])

	// Relationships: every internal target exists; ids are unique.
	type rel struct {
		ID         string `xml:"Id,attr"`
		Type       string `xml:"Type,attr"`
		Target     string `xml:"Target,attr"`
		TargetMode string `xml:"TargetMode,attr"`
	}
	relsOf := map[string][]rel{}
	for _, name := range pkg.names {
		if !strings.HasSuffix(name, ".rels") {
			continue
		}
		var rs struct {
			Rels []rel `xml:"Relationship"`
		}
		require.NoError(t, xml.Unmarshal(pkg.parts[name], &rs))
		require.NotEmpty(t, rs.Rels, name)
		// _rels/.rels belongs to the package root; word/_rels/x.rels to word/x.
		dir := path.Dir(path.Dir(name))
		if dir == "." {
			dir = ""
		}
		seen := map[string]bool{}
		for _, r := range rs.Rels {
			require.False(t, seen[r.ID], "%s: duplicate id %s", name, r.ID)
			seen[r.ID] = true
			if r.TargetMode == "External" {
				continue
			}
			target := path.Join(dir, r.Target)
			require.Contains(t, pkg.parts, target, "%s: %s points to a missing part", name, r.ID)
		}
		relsOf[name] = rs.Rels
	}
	var main string
	for _, r := range relsOf["_rels/.rels"] {
		if strings.HasSuffix(r.Type, "/officeDocument") {
			main = r.Target
		}
	}
	require.Equal(t, "word/document.xml", main)

	// Every r:id the document uses is one of its relationships.
	docRels := map[string]bool{}
	for _, r := range relsOf["word/_rels/document.xml.rels"] {
		docRels[r.ID] = true
	}
	ids := regexp.MustCompile(`r:id="([^"]*)"`).FindAllStringSubmatch(string(pkg.parts["word/document.xml"]), -1)
	require.Len(t, ids, 2, "header and footer references")
	for _, m := range ids {
		require.True(t, docRels[m[1]], "r:id %s has no relationship", m[1])
	}

	// Zip entries: one method, the revision's time.
	for _, f := range pkg.files {
		require.Equal(t, zip.Deflate, f.Method, f.Name)
		require.True(t, f.Modified.Equal(docxCreated), "%s modified %v", f.Name, f.Modified)
	}
}

func TestDOCXGolden(t *testing.T) {
	pkg := docxUnzip(t, docxRender(t, docxSample(t, true)))
	got := pkg.parts["word/document.xml"]
	golden := filepath.Join("testdata", "docx", "action_plan.document.xml")
	if *update {
		require.NoError(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err, "run go test ./documents -run DOCX -update to create it")
	require.Equal(t, string(want), string(got), "word/document.xml differs from %s (-update rewrites it)", golden)
}

func TestDOCXContent(t *testing.T) {
	pkg := docxUnzip(t, docxRender(t, docxSample(t, true)))
	doc := pkg.parts["word/document.xml"]
	ps := docxParagraphs(t, doc)
	text := docxTexts(ps)

	for _, s := range []string{
		"Budapesti Vállalkozásfejlesztési Közalapítvány", "РАМ Стара планина", "Università",
		"Tørshavn", "Ærø", "120 000 €", "Стара Загора",
	} {
		require.Contains(t, text, s)
	}

	// The title, once, in the Title style; not in the TOC.
	require.Equal(t, docxPara{style: "Title", text: "Action plan — CRAFTS"}, ps[0])
	require.Equal(t, 1, strings.Count(text, "Action plan — CRAFTS"))

	// The TOC: the field, then one entry per heading 1–3, in order.
	require.Contains(t, string(doc), `<w:instrText xml:space="preserve"> TOC \o "1-3" \h \z \u </w:instrText>`)
	var toc, heads []docxPara
	for _, p := range ps {
		switch {
		case strings.HasPrefix(p.style, "TOC"):
			toc = append(toc, p)
		case strings.HasPrefix(p.style, "Heading"):
			heads = append(heads, p)
		}
	}
	require.Len(t, heads, 6)
	require.Len(t, toc, 1+len(heads))
	require.Equal(t, msg(docxMeta(true).Language, "doc.contents"), toc[0].text)
	for i, h := range heads {
		// the entry's text, a tab (to the dot leader) and its page
		require.Regexp(t, `^`+regexp.QuoteMeta(h.text)+`\t[1-9][0-9]*$`, toc[i+1].text)
		require.Equal(t, "TOC"+strings.TrimPrefix(h.style, "Heading"), toc[i+1].style)
		anchor := fmt.Sprintf("_Toc%d", i+1)
		require.Contains(t, string(doc), `w:anchor="`+anchor+`"`)
		require.Contains(t, string(doc), `w:name="`+anchor+`"`)
	}
	require.Equal(t, "Heading2", heads[0].style)
	require.Equal(t, "Part I – General information", heads[0].text)
	require.Equal(t, "Heading3", heads[3].style)

	// Inline formatting.
	require.Regexp(t, `<w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:t xml:space="preserve">Budapesti Vállalkozásfejlesztési Közalapítvány</w:t></w:r>`, string(doc))
	require.Regexp(t, `<w:rPr><w:i/><w:iCs/></w:rPr><w:t xml:space="preserve">РАМ Стара планина</w:t>`, string(doc))
	require.Regexp(t, `<w:rPr><w:strike/></w:rPr><w:t xml:space="preserve">100 000</w:t>`, string(doc))
	require.Contains(t, string(doc), `<w:rStyle w:val="VerbatimChar"/></w:rPr><w:t xml:space="preserve">code with &lt;tags&gt; &amp; {{.Template}}</w:t>`)
	require.Contains(t, text, "A hard line break, then")
	require.Regexp(t, `Tørshavn and Ærø\.</w:t></w:r><w:r><w:br/></w:r>`, string(doc))
	require.Contains(t, text, "Link as text: Interreg Europe and https://example.org/crafts.")
	require.Contains(t, text, "Budget   2025      2026\nTotal    45 000 €  0 €")

	// Block quote, code block, thematic break.
	styles := map[string]int{}
	for _, p := range ps {
		styles[p.style]++
	}
	require.Equal(t, 1, styles["Quote"])
	require.Equal(t, 1, styles["SourceCode"])
	require.Contains(t, string(doc), `<w:pBdr><w:bottom w:val="single"`)

	// Tables: a header row repeated on every page, bold and shaded; the
	// overview table has five columns with its alignments.
	require.Equal(t, 2, strings.Count(string(doc), "<w:tbl>"))
	require.Equal(t, 2, strings.Count(string(doc), "<w:tblHeader/>"))
	tables := strings.Split(string(doc), "<w:tbl>")[1:]
	overview := tables[1][:strings.Index(tables[1], "</w:tbl>")]
	require.Equal(t, 5, strings.Count(overview, "<w:gridCol "))
	require.Equal(t, 4, strings.Count(overview, "<w:tr>"))
	header := overview[strings.Index(overview, "<w:tr>"):strings.Index(overview, "</w:tr>")]
	require.Contains(t, header, "<w:tblHeader/>")
	require.Equal(t, 5, strings.Count(header, "<w:b/>"))
	require.Equal(t, 5, strings.Count(header, `w:fill="DCE3EC"`))
	require.Contains(t, header, `<w:jc w:val="right"/></w:pPr><w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:t xml:space="preserve">No.</w:t>`)
	require.Contains(t, header, `<w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:t xml:space="preserve">Timeframe</w:t>`)
	body := overview[strings.Index(overview, "</w:tr>"):]
	require.NotContains(t, body, "<w:tblHeader/>")
	require.NotContains(t, body, "<w:b/>")

	// The section: A4, the header and the footer.
	require.Regexp(t, `<w:sectPr><w:headerReference w:type="default" r:id="rId4"/><w:footerReference w:type="default" r:id="rId5"/><w:pgSz w:w="11906" w:h="16838"/>`, string(doc))

	// Styles: headings carry outline levels, so the TOC finds them.
	st := string(pkg.parts["word/styles.xml"])
	for lvl := 1; lvl <= 3; lvl++ {
		require.Regexp(t, fmt.Sprintf(`w:styleId="Heading%d">.*?<w:outlineLvl w:val="%d"/>`, lvl, lvl-1), st)
	}
	for _, id := range []string{"Title", "Normal", "TableGrid", "ListParagraph", "Quote", "SourceCode", "VerbatimChar", "TOC1", "TOC2", "TOC3", "TOCHeading", "Header", "Footer", "TableText"} {
		require.Contains(t, st, `w:styleId="`+id+`"`)
	}
	// Every style a paragraph uses is defined.
	for s := range styles {
		if s != "" {
			require.Contains(t, st, `w:styleId="`+s+`"`)
		}
	}
	require.Contains(t, st, `<w:lang w:val="hu-HU"`)

	// Settings: nothing asks to update fields on open; the language.
	set := string(pkg.parts["word/settings.xml"])
	require.NotContains(t, set, `updateFields`)
	require.NotContains(t, string(doc), `w:dirty`)
	require.Contains(t, set, `<w:themeFontLang w:val="hu-HU"/>`)

	// Footer: Page X of Y, in the document's language, the numbers as
	// fields ("Page X of Y", "X. oldal / Y").
	for _, lang := range []string{"en", "hu"} {
		d := docxSample(t, true)
		d.Meta.Language = lang
		ft := string(docxUnzip(t, docxRender(t, d)).parts["word/footer1.xml"])
		before, rest, _ := strings.Cut(msg(lang, "doc.page_of", "Page", "\x01", "Pages", "\x02"), "\x01")
		between, _, _ := strings.Cut(rest, "\x02")
		want := `<w:instrText xml:space="preserve"> PAGE </w:instrText>.*` + regexp.QuoteMeta(between) + `</w:t>.*<w:instrText xml:space="preserve"> NUMPAGES </w:instrText>`
		if before != "" {
			want = regexp.QuoteMeta(before) + `</w:t>.*` + want
		}
		require.Regexp(t, want, ft, lang)
	}

	// Metadata.
	var core struct {
		Title    string `xml:"http://purl.org/dc/elements/1.1/ title"`
		Creator  string `xml:"http://purl.org/dc/elements/1.1/ creator"`
		Language string `xml:"http://purl.org/dc/elements/1.1/ language"`
		ID       string `xml:"http://purl.org/dc/elements/1.1/ identifier"`
		Created  string `xml:"http://purl.org/dc/terms/ created"`
		Modified string `xml:"http://purl.org/dc/terms/ modified"`
		Status   string `xml:"contentStatus"`
	}
	require.NoError(t, xml.Unmarshal(pkg.parts["docProps/core.xml"], &core))
	require.Equal(t, "Action plan — CRAFTS", core.Title)
	require.Equal(t, "Budapesti Vállalkozásfejlesztési Közalapítvány", core.Creator)
	require.Equal(t, "hu-HU", core.Language)
	require.Equal(t, "doc-3f9a1c7e-ap-rev-12", core.ID)
	require.Equal(t, "2025-03-14T09:26:53Z", core.Created)
	require.Equal(t, "2025-03-14T09:26:53Z", core.Modified)
	require.Equal(t, "Draft", core.Status)
}

func TestDOCXLists(t *testing.T) {
	src := "1. one\n2. two\n   - nested a\n   - nested b\n     1. deep\n3. three\n\nBetween.\n\n3. again three\n4. four\n\n- bullet\n\n  second paragraph of the bullet\n"
	pkg := docxUnzip(t, docxRender(t, Parse([]byte(src), Meta{})))
	ps := docxParagraphs(t, pkg.parts["word/document.xml"])
	type item struct{ numID, ilvl, text string }
	var got []item
	for _, p := range ps {
		got = append(got, item{p.numID, p.ilvl, p.text})
	}
	require.Equal(t, []item{
		{"1", "0", "one"},
		{"1", "0", "two"},
		{"2", "1", "nested a"},
		{"2", "1", "nested b"},
		{"3", "2", "deep"},
		{"1", "0", "three"},
		{"", "", "Between."},
		{"4", "0", "again three"},
		{"4", "0", "four"},
		{"5", "0", "bullet"},
		{"", "", "second paragraph of the bullet"},
	}, got)
	require.Equal(t, "ListParagraph", ps[len(ps)-1].style, "a continuation paragraph keeps the list indent")

	var numbering struct {
		Abstract []struct {
			ID   string `xml:"abstractNumId,attr"`
			Lvls []struct {
				Ilvl   string `xml:"ilvl,attr"`
				NumFmt struct {
					Val string `xml:"val,attr"`
				} `xml:"numFmt"`
			} `xml:"lvl"`
		} `xml:"abstractNum"`
		Nums []struct {
			ID       string `xml:"numId,attr"`
			Abstract struct {
				Val string `xml:"val,attr"`
			} `xml:"abstractNumId"`
			Override struct {
				Ilvl  string `xml:"ilvl,attr"`
				Start struct {
					Val string `xml:"val,attr"`
				} `xml:"startOverride"`
			} `xml:"lvlOverride"`
		} `xml:"num"`
	}
	require.NoError(t, xml.Unmarshal(pkg.parts["word/numbering.xml"], &numbering))
	require.Len(t, numbering.Abstract, 2)
	require.Equal(t, "bullet", numbering.Abstract[0].Lvls[0].NumFmt.Val)
	require.Equal(t, "decimal", numbering.Abstract[1].Lvls[0].NumFmt.Val)
	require.Len(t, numbering.Abstract[1].Lvls, 9)
	type num struct{ id, abstract, ilvl, start string }
	var nums []num
	for _, n := range numbering.Nums {
		nums = append(nums, num{n.ID, n.Abstract.Val, n.Override.Ilvl, n.Override.Start.Val})
	}
	// One w:num per list, each restarting: the second ordered list at 3.
	require.Equal(t, []num{
		{"1", "1", "0", "1"},
		{"2", "0", "1", "1"},
		{"3", "1", "2", "1"},
		{"4", "1", "0", "3"},
		{"5", "0", "0", "1"},
	}, nums)
}

func TestDOCXDeterministic(t *testing.T) {
	a := docxRender(t, docxSample(t, true))
	b := docxRender(t, docxSample(t, true)) // parsed anew
	require.True(t, bytes.Equal(a, b), "two renders of the same revision differ")
	d := docxSample(t, false)
	require.True(t, bytes.Equal(docxRender(t, d), docxRender(t, d)))

	// The time in the package is the revision's, not the clock's.
	later := docxSample(t, true)
	later.Meta.Created = docxCreated.Add(time.Hour)
	require.False(t, bytes.Equal(a, docxRender(t, later)))
}

func TestDOCXDraftMark(t *testing.T) {
	for _, lang := range []string{"en", "hu"} {
		for _, draft := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/draft=%v", lang, draft), func(t *testing.T) {
				word := msg(lang, "doc.draft") // DRAFT, TERVEZET
				d := docxSample(t, draft)
				d.Meta.Language = lang
				pkg := docxUnzip(t, docxRender(t, d))
				hdr := pkg.parts["word/header1.xml"]
				ps := docxParagraphs(t, hdr)
				require.Len(t, ps, 1)
				if draft {
					require.Equal(t, "CRAFTS\t"+word, ps[0].text)
					require.Regexp(t, `<w:rPr><w:b/><w:bCs/><w:color w:val="FF0000"/>[^<]*(<w:sz[^>]*>)*(<w:szCs[^>]*>)*</w:rPr><w:t>`+word+`</w:t>`, string(hdr))
				} else {
					require.Equal(t, "CRAFTS", ps[0].text)
				}
				// DRAFT appears in the draft's header and nowhere else.
				for _, name := range pkg.names {
					if draft && name == "word/header1.xml" {
						continue
					}
					require.NotContains(t, string(pkg.parts[name]), word, name)
				}
			})
		}
	}
}

func TestDOCXEscaping(t *testing.T) {
	cases := []struct {
		name, md, want string
	}{
		{"xml", "Text </w:t><w:t> and <w:p/> here", "Text </w:t><w:t> and <w:p/> here"},
		{"template", "{{.X}} and {{ template \"y\" . }}", "{{.X}} and {{ template \"y\" . }}"},
		{"entity", "Tom &amp; Jerry &lt;b&gt; &#65; &euro;", "Tom &amp; Jerry &lt;b&gt; &#65; &euro;"},
		{"escaped entity", `\&amp; and \*not emphasis\*`, "&amp; and *not emphasis*"},
		{"code span", "`</w:t> &amp; {{.X}}`", "</w:t> &amp; {{.X}}"},
		{"inline html", "a <b onclick=\"x\">bold?</b> <!-- note --> z", "a <b onclick=\"x\">bold?</b> <!-- note --> z"},
		{"html block", "<div>\n<script>alert('x')</script>\n</div>", "<div>\n<script>alert('x')</script>\n</div>"},
		{"cdata", "<![CDATA[ x ]]> ]]>", "<![CDATA[ x ]]> ]]>"},
		{"controls", "a\x01b\x0bc\x1fd\x00e\uffff\ufffef", "abcdef"},
		{"bad utf8", "x\xffy", "x\ufffdy"},
		{"quotes", `"double" 'single'`, `"double" 'single'`},
		{"spaces", "`  two  spaces  `", " two  spaces "}, // CommonMark strips one space each side
		{"code block", "```\n\tif a < b && c > d {\n</w:t>\n```", "\tif a < b && c > d {\n</w:t>"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pkg := docxUnzip(t, docxRender(t, Parse([]byte(c.md), Meta{})))
			doc := pkg.parts["word/document.xml"]
			docxWellFormed(t, c.name, doc)
			ps := docxParagraphs(t, doc)
			require.Len(t, ps, 1, "one paragraph")
			require.Equal(t, c.want, ps[0].text)
		})
	}

	t.Run("meta", func(t *testing.T) {
		m := Meta{
			Title: `A & B <c> "q" </dc:title>`, Author: "O'Brien & Söhne\x07", Language: `hu"><x`,
			ProjectAcronym: "</w:t>&amp;{{.P}}", ID: "<id>", Draft: true, Created: docxCreated,
		}
		pkg := docxUnzip(t, docxRender(t, Parse([]byte("Body."), m)))
		for _, name := range pkg.names {
			docxWellFormed(t, name, pkg.parts[name])
		}
		var core struct {
			Title    string `xml:"title"`
			Creator  string `xml:"creator"`
			Language string `xml:"language"`
			ID       string `xml:"identifier"`
		}
		require.NoError(t, xml.Unmarshal(pkg.parts["docProps/core.xml"], &core))
		require.Equal(t, m.Title, core.Title)
		require.Equal(t, "O'Brien & Söhne", core.Creator)
		require.Equal(t, "", core.Language, "an implausible language tag is left out")
		require.Equal(t, "<id>", core.ID)
		ps := docxParagraphs(t, pkg.parts["word/header1.xml"])
		require.Equal(t, "</w:t>&amp;{{.P}}\tDRAFT", ps[0].text)
		ps = docxParagraphs(t, pkg.parts["word/document.xml"])
		require.Equal(t, docxPara{style: "Title", text: m.Title}, ps[0])
		require.NotContains(t, string(pkg.parts["word/settings.xml"]), "themeFontLang")
	})
}

func TestDOCXEmpty(t *testing.T) {
	for name, d := range map[string]*Doc{
		"no source": Parse(nil, Meta{}),
		"no tree":   {},
		"blank":     Parse([]byte("\n\n   \n"), Meta{Created: docxCreated}),
	} {
		t.Run(name, func(t *testing.T) {
			pkg := docxUnzip(t, docxRender(t, d))
			require.Len(t, pkg.names, 11)
			for _, n := range pkg.names {
				docxWellFormed(t, n, pkg.parts[n])
			}
			doc := string(pkg.parts["word/document.xml"])
			require.Contains(t, doc, "<w:body>\n<w:p/>\n<w:sectPr>", "an empty body still has a paragraph")
			require.NotContains(t, doc, "TOC")
			require.NotContains(t, string(pkg.parts["word/header1.xml"]), "DRAFT")
			require.NotContains(t, string(pkg.parts["docProps/core.xml"]), "<dc:title>")
			for _, f := range pkg.files {
				require.False(t, f.Modified.Before(time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)), "%s: %v", f.Name, f.Modified)
			}
		})
	}
	require.Error(t, renderDOCX(io.Discard, nil))
}

// Blocks in unusual places still give a well-formed document with all text.
func TestDOCXEdgeCases(t *testing.T) {
	var deep strings.Builder
	for i := range 12 {
		deep.WriteString(strings.Repeat("  ", i) + "- level " + fmt.Sprint(i) + "\n")
	}
	src := "- \n- # Heading in a list\n- | a | b |\n  |---|---|\n  | 1 | 2 | 3 |\n\n" +
		"> > nested quote\n> - list in quote\n\n" +
		"| x |\n|---|\n| y |\n\n| z |\n|---|\n| w |\n\n" +
		"![alt text](img.png) and ***both*** and a\ttab\n\n" +
		"<!-- comment -->\n\n" + deep.String()
	pkg := docxUnzip(t, docxRender(t, Parse([]byte(src), Meta{})))
	for _, n := range pkg.names {
		docxWellFormed(t, n, pkg.parts[n])
	}
	doc := string(pkg.parts["word/document.xml"])
	ps := docxParagraphs(t, pkg.parts["word/document.xml"])
	text := docxTexts(ps)
	for _, s := range []string{"Heading in a list", "nested quote", "list in quote", "alt text and both and a\ttab", "<!-- comment -->", "level 11"} {
		require.Contains(t, text, s)
	}
	require.Equal(t, docxPara{style: "ListParagraph", numID: "1", ilvl: "0"}, ps[3], "an empty item keeps its number (after the TOC)")
	require.Contains(t, text, "\nHeading in a list\n")
	require.Contains(t, doc, `<w:pStyle w:val="Heading1"/></w:pPr><w:bookmarkStart w:id="1" w:name="_Toc1"/>`)
	require.Equal(t, 3, strings.Count(doc, "<w:tbl>"))
	require.Contains(t, doc, "</w:tbl>\n<w:p/>\n<w:tbl>", "adjacent tables are kept apart")
	require.Contains(t, doc, `<w:tblInd w:w="720" w:type="dxa"/>`, "a table in a list item is indented")
	require.Contains(t, doc, `<w:rPr><w:b/><w:bCs/><w:i/><w:iCs/></w:rPr><w:t xml:space="preserve">both</w:t>`)
	require.Contains(t, doc, `<w:pStyle w:val="Quote"/><w:ind w:left="1134"/>`, "a nested quote is indented twice")
	maxLevel := 0
	for _, p := range ps {
		if p.ilvl != "" {
			var l int
			_, err := fmt.Sscan(p.ilvl, &l)
			require.NoError(t, err)
			maxLevel = max(maxLevel, l)
		}
	}
	require.Equal(t, 8, maxLevel, "w:ilvl stops at 8")
}

// A title that is not the first heading stays a heading; Meta.Title becomes
// the title.
func TestDOCXTitleFromMeta(t *testing.T) {
	pkg := docxUnzip(t, docxRender(t, Parse([]byte("# Part I\n\nText.\n\n# Part II\n"), Meta{Title: "Peer review report"})))
	ps := docxParagraphs(t, pkg.parts["word/document.xml"])
	require.Equal(t, docxPara{style: "Title", text: "Peer review report"}, ps[0])
	require.Equal(t, docxPara{style: "TOCHeading", text: "Contents"}, ps[1])
	require.Equal(t, docxPara{style: "TOC1", text: "Part I\t1"}, ps[2])
	require.Equal(t, docxPara{style: "TOC1", text: "Part II\t1"}, ps[3])
	require.Equal(t, docxPara{style: "Heading1", text: "Part I"}, ps[5])
}

// TestDOCXLibreOffice converts the sample with LibreOffice: it must open the
// file and the text must survive. One conversion: it is slow.
func TestDOCXLibreOffice(t *testing.T) {
	soffice := needTool(t, "soffice")
	dir := t.TempDir()
	in := filepath.Join(dir, "action_plan.docx")
	require.NoError(t, os.WriteFile(in, docxRender(t, docxSample(t, true)), 0o644))

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	profile := "file://" + filepath.ToSlash(filepath.Join(dir, "lo-profile"))
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation="+profile,
		"--headless", "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", dir, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	require.NoError(t, ctx.Err(), "soffice timed out: %s", out)
	require.NoError(t, err, "soffice: %s", out)
	pdf, err := os.ReadFile(filepath.Join(dir, "action_plan.pdf"))
	require.NoError(t, err, "no PDF produced: %s", out)
	require.True(t, bytes.HasPrefix(pdf, []byte("%PDF-")), "not a PDF")

	pdftotext := needTool(t, "pdftotext")
	txt, err := exec.CommandContext(ctx, pdftotext, "-enc", "UTF-8", filepath.Join(dir, "action_plan.pdf"), "-").Output()
	require.NoError(t, err)
	text := strings.Join(strings.Fields(string(txt)), " ")
	for _, s := range []string{
		"Budapesti Vállalkozásfejlesztési Közalapítvány", "РАМ Стара планина", "Università",
		"Tørshavn", "Ærø", "120 000 €", msg("hu", "doc.draft"), "CRAFTS", msg("hu", "doc.contents"),
		"Part III – Details of the actions envisaged", // the sample's own heading
		"Craft innovation vouchers", "code with <tags> & {{.Template}}",
	} {
		require.Contains(t, text, s)
	}
	// The sample is Hungarian: its page footer is too.
	footer := regexp.QuoteMeta(msg("hu", "doc.page_of", "Page", 1, "Pages", 999))
	require.Regexp(t, strings.Replace(footer, "999", "[2-9]", 1), text)
}

// ---------------------------------------------------------------------------

// docxBenchMarkdown is an action plan with n actions and an overview table,
// roughly what the action plan template produces.
func docxBenchMarkdown(n int) []byte {
	var b strings.Builder
	b.WriteString("# Action plan — CRAFTS\n\n")
	b.WriteString("Produced by **Budapesti Vállalkozásfejlesztési Közalapítvány** with *РАМ Стара планина*, Università, Tørshavn and Ærø.\n\n")
	b.WriteString("## Part I – General information\n\n| Field | Value |\n|---|---|\n")
	for _, row := range [][2]string{
		{"Project", "CRAFTS — Creative crafts for regional growth"},
		{"Partner organisation", "Budapesti Vállalkozásfejlesztési Közalapítvány"},
		{"Other partners involved", "РАМ Стара планина; Università; Tørshavn; Ærø"},
		{"Country", "Hungary"}, {"NUTS2 region", "Budapest (HU11)"},
		{"Contact person", "Kovács Erzsébet — erzsebet.kovacs@example.org"},
	} {
		fmt.Fprintf(&b, "| %s | %s |\n", row[0], row[1])
	}
	b.WriteString("\n## Part II – Policy context\n\nThe action plan aims to impact:\n\n- Investment for Growth and Jobs programme\n- European Territorial Cooperation programme\n- Other regional development policy instrument\n\n")
	b.WriteString("Name of the policy instrument addressed: *GINOP Plusz*.\n\n")
	b.WriteString("## Part III – Details of the actions envisaged\n\n### Actions overview\n\n| No. | Action | Lead | Timeframe | Costs (€) | Funding |\n|---:|:---|:---|:---:|---:|:---|\n")
	leads := []string{"Budapesti Vállalkozásfejlesztési Közalapítvány", "РАМ Стара планина", "Università", "Tórshavn Kommuna", "Ærø Kommune"}
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "| %d | Action %d: craft innovation measure | %s | 2025–2026 | %d 000 € | GINOP Plusz |\n", i, i, leads[i%len(leads)], 10+i*5)
	}
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "\n### Action %d: craft innovation measure\n\n", i)
		fmt.Fprintf(&b, "1. **The background.** Learning from the good practice of *%s* during the study visit, the partners saw that small vouchers reach craft businesses that never apply for grants. The peers recommended to ~~wait~~ start early.\n", leads[(i+1)%len(leads)])
		b.WriteString("2. **Action.** Open a voucher call within the operational programme, with a simplified application and a jury of makers.\n   1. Draft the call text.\n   2. Consult the chamber of crafts.\n   3. Publish the call.\n")
		b.WriteString("3. **Players involved:**\n   - Budapesti Vállalkozásfejlesztési Közalapítvány (lead)\n   - Managing authority\n     - Unit for SME development\n")
		fmt.Fprintf(&b, "4. **Timeframe:** 2025-0%d to 2026-1%d.\n5. **Costs:** %d 000 €, with `co-financing` of 15 %%.\n6. **Funding sources:** GINOP Plusz, priority 1.\n", 1+i%9, i%3, 10+i*5)
	}
	b.WriteString("\n---\n\nDate: 2025-03-14 · Signature: ______________ · Stamp of the organisation\n")
	return []byte(b.String())
}

func TestDOCXBenchmarkDocument(t *testing.T) {
	// The benchmark's document is valid too, and has its 30 actions.
	pkg := docxUnzip(t, docxRender(t, Parse(docxBenchMarkdown(30), docxMeta(true))))
	for _, n := range pkg.names {
		docxWellFormed(t, n, pkg.parts[n])
	}
	doc := string(pkg.parts["word/document.xml"])
	require.Equal(t, 1+30, strings.Count(doc, `<w:pStyle w:val="Heading3"/>`))
	require.Equal(t, 3, strings.Count(doc, `<w:pStyle w:val="Heading2"/>`))
	require.Equal(t, 2, strings.Count(doc, "<w:tblHeader/>"))
}

func BenchmarkRenderDOCX(b *testing.B) {
	d := Parse(docxBenchMarkdown(30), docxMeta(true))
	var out bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if err := renderDOCX(&out, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.Len()), "bytes/doc")
}

// TestDOCXDatesDoNotWrap: the spaces of a date in words become no-break
// spaces and the hyphens of an ISO date no-break hyphens, in the
// document's language and in English; other spaces and hyphens stay.
func TestDOCXDatesDoNotWrap(t *testing.T) {
	t.Parallel()
	src := "# T\n\nFrom 2019. március 1. – 2020. június 30., due 2025-03-14 and 2025-04; " +
		"in English 1 March 2019 and 30 June 2020. A well-known 12-34 range, 1 marzo 2019 and 2019. march 1. stay.\n"
	for _, tc := range []struct {
		lang      string
		nbsp      []string
		untouched []string
	}{
		{"hu", []string{"2019.\u00a0március\u00a01.", "2020.\u00a0június\u00a030.", "1\u00a0March\u00a02019", "30\u00a0June\u00a02020"},
			[]string{"1 marzo 2019", "2019. march 1.", "From 2019", ". – 2020", "A well-known 12-34 range"}},
		{"it", []string{"1\u00a0marzo\u00a02019", "1\u00a0March\u00a02019"}, []string{"2019. március 1."}},
	} {
		meta := docxMeta(false)
		meta.Language = tc.lang
		doc := string(docxUnzip(t, docxRender(t, Parse([]byte(src), meta))).parts["word/document.xml"])
		text := docxTexts(docxParagraphs(t, []byte(doc)))
		for _, s := range tc.nbsp {
			require.Contains(t, text, s, tc.lang)
		}
		for _, s := range tc.untouched {
			require.Contains(t, text, s, tc.lang)
		}
		for _, iso := range []string{"2025-03-14", "2025-04"} {
			require.Contains(t, text, iso)
			require.Contains(t, doc, strings.ReplaceAll(iso, "-", `</w:t><w:noBreakHyphen/><w:t xml:space="preserve">`), tc.lang)
		}
		require.NotContains(t, doc, "12</w:t><w:noBreakHyphen/>", tc.lang)
	}
}

// docxLibreOfficePages converts a .docx to PDF with LibreOffice and gives
// the text of each page (pdftotext), white space collapsed.
func docxLibreOfficePages(t *testing.T, docx []byte) []string {
	t.Helper()
	soffice := needTool(t, "soffice")
	pdftotext := needTool(t, "pdftotext")
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.docx")
	require.NoError(t, os.WriteFile(in, docx, 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	profile := "file://" + filepath.ToSlash(filepath.Join(dir, "lo-profile"))
	cmd := exec.CommandContext(ctx, soffice, "-env:UserInstallation="+profile,
		"--headless", "--norestore", "--nolockcheck", "--convert-to", "pdf", "--outdir", dir, in)
	cmd.Env = append(os.Environ(), "HOME="+dir)
	out, err := cmd.CombinedOutput()
	require.NoError(t, ctx.Err(), "soffice timed out: %s", out)
	require.NoError(t, err, "soffice: %s", out)
	txt, err := exec.CommandContext(ctx, pdftotext, "-enc", "UTF-8", filepath.Join(dir, "doc.pdf"), "-").Output()
	require.NoError(t, err)
	pages := strings.Split(strings.TrimRight(string(txt), "\f"), "\f")
	for i, p := range pages {
		pages[i] = strings.Join(strings.Fields(p), " ")
	}
	return pages
}

// TestDOCXTableOfContentsPages: LibreOffice opens the DOCX with a table of
// contents that shows page numbers, and they are the pages where LibreOffice
// itself sets the headings, give or take the layout model's error (it is
// logged: how many entries are exact).
func TestDOCXTableOfContentsPages(t *testing.T) {
	// The 30-action plan: tables, lists, thirty headings over many pages.
	d := Parse(docxBenchMarkdown(30), docxMeta(false))
	docxCheckTOCPages(t, docxRender(t, d), 3+31, 5)
	// The built-in action plan with its comment-response matrix.
	docxCheckTOCPages(t, assemble(t, builtin(t, KindActionPlan), Sample(KindActionPlan), SampleMeta(KindActionPlan, false), FormatDOCX), 20, 4)
}

// docxCheckTOCPages reads the TOC entries and their pages from the DOCX,
// and compares them with LibreOffice's PDF of it.
func docxCheckTOCPages(t *testing.T, docx []byte, headings, minPages int) {
	t.Helper()
	ps := docxParagraphs(t, docxUnzip(t, docx).parts["word/document.xml"])
	type entry struct {
		text string
		page int
	}
	var entries []entry
	for _, p := range ps {
		if m := regexp.MustCompile(`^(.+)\t([0-9]+)$`).FindStringSubmatch(p.text); m != nil && strings.HasPrefix(p.style, "TOC") {
			n, err := strconv.Atoi(m[2])
			require.NoError(t, err)
			entries = append(entries, entry{m[1], n})
		}
	}
	require.Len(t, entries, headings)
	for i := 1; i < len(entries); i++ {
		require.GreaterOrEqual(t, entries[i].page, entries[i-1].page, "pages go up")
	}
	require.Greater(t, entries[len(entries)-1].page, minPages, "the document takes pages")

	pages := docxLibreOfficePages(t, docx)
	// The contents, as LibreOffice shows them: each entry with a page
	// number (after the dot leader).
	toc := strings.Join(pages[:2], " ")
	for _, e := range entries {
		require.Regexp(t, regexp.QuoteMeta(e.text)+`[ .…]*[0-9]+`, toc, "a page number after %q", e.text)
		// LibreOffice shows the numbers the file carries
		require.Regexp(t, regexp.QuoteMeta(e.text)+`[ .…]*`+strconv.Itoa(e.page)+`\b`, toc, "the page number of %q", e.text)
	}
	// Where LibreOffice puts each heading: its text and the first word
	// after it (the overview table repeats the actions' titles), in order,
	// after the contents' last entry.
	var follow []*regexp.Regexp
	for i, p := range ps {
		if strings.HasPrefix(p.style, "Heading") && p.style <= "Heading3" {
			next := ""
			for _, q := range ps[i+1:] {
				if f := strings.Fields(q.text); len(f) > 0 {
					next = f[0]
					break
				}
			}
			// a list's number may stand between them
			follow = append(follow, regexp.MustCompile(regexp.QuoteMeta(p.text)+` (?:\S+ )?`+regexp.QuoteMeta(next)))
		}
	}
	require.Len(t, follow, len(entries))
	all := strings.Join(pages, "\f")
	at := strings.Index(all, entries[len(entries)-1].text) + len(entries[len(entries)-1].text)
	exact := 0
	for i, e := range entries {
		j := -1
		if loc := follow[i].FindStringIndex(strings.ReplaceAll(all[at:], "\f", " ")); loc != nil {
			j = loc[0]
		}
		require.GreaterOrEqual(t, j, 0, "heading %q not found in the PDF", e.text)
		at += j
		found := strings.Count(all[:at], "\f") + 1
		require.InDelta(t, found, e.page, 1, "entry %d %q: the TOC says page %d, LibreOffice sets it on %d", i, e.text, e.page, found)
		if found != e.page {
			t.Logf("entry %d %q: TOC %d, LibreOffice %d", i, e.text, e.page, found)
		}
		if found == e.page {
			exact++
		}
	}
	t.Logf("%d of %d TOC page numbers are exact; the others are one page off", exact, len(entries))
	m := regexp.MustCompile(`NUMPAGES </w:instrText>.*?<w:t>([0-9]+)</w:t>`).FindSubmatch(docxUnzip(t, docx).parts["word/footer1.xml"])
	require.NotNil(t, m, "the footer's page count")
	total, err := strconv.Atoi(string(m[1]))
	require.NoError(t, err)
	t.Logf("the layout expects %d pages, LibreOffice sets %d", total, len(pages))
	require.InDelta(t, len(pages), total, 1, "page count")
}
