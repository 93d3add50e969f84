package documents

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// pdfTaggedPlan is the 3-action plan with an English part in the Hungarian
// document and a link in it, as the action plan template writes the summary.
func pdfTaggedPlan(t *testing.T, draft bool) (pdf []byte, path string) {
	t.Helper()
	src := strings.Replace(pdfActionPlan(3), "## Part I",
		"<!-- lang:en -->\n\nThe summary, in English, with a [link](https://example.eu/summary).\n\n<!-- /lang -->\n\n## Part I", 1)
	pdf = pdfRender(t, src, pdfMeta(draft))
	path = filepath.Join(t.TempDir(), "plan.pdf")
	require.NoError(t, os.WriteFile(path, pdf, 0o600))
	return pdf, path
}

// qpdfObjects reads the PDF's objects with qpdf --json: object key ("obj:12
// 0 R") to its value, and the trailer.
func qpdfObjects(t *testing.T, path string) (objs map[string]map[string]any, trailer map[string]any) {
	t.Helper()
	out, err := exec.Command(needTool(t, "qpdf"), "--json=2", "--json-key=qpdf", path).Output()
	require.NoError(t, err)
	var doc struct {
		QPDF []json.RawMessage `json:"qpdf"`
	}
	require.NoError(t, json.Unmarshal(out, &doc))
	require.Len(t, doc.QPDF, 2)
	var all map[string]struct {
		Value  map[string]any `json:"value"`
		Stream struct {
			Dict map[string]any `json:"dict"`
		} `json:"stream"`
	}
	require.NoError(t, json.Unmarshal(doc.QPDF[1], &all))
	objs = map[string]map[string]any{}
	for k, v := range all {
		if k == "trailer" {
			trailer = v.Value
			continue
		}
		if v.Value != nil {
			objs[k] = v.Value
		} else if v.Stream.Dict != nil {
			objs[k] = v.Stream.Dict
		}
	}
	return objs, trailer
}

// ref turns "12 0 R" into qpdf's object key.
func ref(v any) string { return "obj:" + fmt.Sprint(v) }

// qpdfStream is the decoded data of object n.
func qpdfStream(t *testing.T, path string, key string) []byte {
	t.Helper()
	n := strings.TrimSuffix(strings.TrimPrefix(key, "obj:"), " 0 R")
	out, err := exec.Command(needTool(t, "qpdf"), "--show-object="+n, "--filtered-stream-data", path).Output()
	require.NoError(t, err)
	return out
}

func TestPDFTagged(t *testing.T) {
	pdf, path := pdfTaggedPlan(t, true)
	info, err := exec.Command(needTool(t, "pdfinfo"), path).Output()
	require.NoError(t, err)
	require.Regexp(t, `(?m)^Tagged:\s+yes$`, string(info))

	// the structure, with the text of each element, as poppler reads it
	out, err := exec.Command(needTool(t, "pdfinfo"), "-struct-text", path).Output()
	require.NoError(t, err)
	tree := string(out)
	require.True(t, strings.HasPrefix(tree, "Document\n"), tree[:min(len(tree), 200)])
	for _, want := range []string{
		"  H1 (block)\n    \"Cselekvési terv a budapesti kézműves kkv-k",
		"  H2 (block)\n    \"Tartalomjegyzék\"",
		"  TOC\n    TOCI\n      Link (inline)\n        \"Summary in English\"\n        \"2\"",
		"  H2 (block)\n    \"Summary in English\"",
		"  H2 (block)\n    \"Part III – Details of the actions envisaged\"",
		"  H3 (block)\n    \"Action 1 — Kézműves vállalkozói mentorprogram\"",
		"  H4 (block)\n    \"1. Background\"",
		"    Link (inline)\n      \"link\"",
		"  L (block)\n    LI (block)\n      Lbl (block)\n        \"•\"\n      LBody (block)\n        P (block)\n          \"Project:\"",
		"  Table (block)\n    TR\n      TH",
		"    TR\n      TD\n        \"1\"\n      TD\n        \"Kézműves vállalkozói mentorprogram\"",
	} {
		require.Contains(t, tree, want)
	}
	// page furniture is not in the structure: the running header's title
	// (only the title block's H1 is), the footer, the DRAFT mark
	text := pdfText(t, pdf)
	require.Contains(t, text, "1. oldal / 4")
	require.Contains(t, text, "TERVEZET")
	require.NotContains(t, tree, "oldal")
	require.NotContains(t, tree, "TERVEZET")
	require.Equal(t, 1, strings.Count(tree, "versenyképességének javítására"), "the title once, in the H1")
	// the headings are those of the document, in order
	heads := regexp.MustCompile(`(?m)^ {2}(H[1-6]) \(block\)\n {4}"([^"]*)"`).FindAllStringSubmatch(tree, -1)
	require.Greater(t, len(heads), 20)
	require.Equal(t, []string{"H1", "H2", "H2", "H2", "H2", "H2", "H3", "H4"}, []string{heads[0][1], heads[1][1], heads[2][1], heads[3][1],
		heads[4][1], heads[5][1], heads[6][1], heads[7][1]})

	objs, _ := qpdfObjects(t, path)
	var catalog map[string]any
	langs := map[string]string{} // structure type → language, where set
	var th map[string]any
	for _, o := range objs {
		switch o["/Type"] {
		case "/Catalog":
			catalog = o
		case "/StructElem":
			if l, ok := o["/Lang"].(string); ok {
				langs[o["/S"].(string)] = l
			}
			if o["/S"] == "/TH" {
				th = o
			}
		}
	}
	require.NotNil(t, catalog)
	require.Equal(t, map[string]any{"/Marked": true}, catalog["/MarkInfo"])
	require.Equal(t, "u:hu", catalog["/Lang"])
	require.Equal(t, map[string]any{"/DisplayDocTitle": true}, catalog["/ViewerPreferences"])
	// the document's language on the Document, the English part on its P
	require.Equal(t, map[string]string{"/Document": "u:hu", "/P": "u:en"}, langs)
	require.Equal(t, map[string]any{"/O": "/Table", "/Scope": "/Column"}, th["/A"])
	root := objs[ref(catalog["/StructTreeRoot"])]
	require.Equal(t, "/StructTreeRoot", root["/Type"])
	// every page has its entry in the parent tree, every annotation its
	// own, and each annotation belongs to a Link element
	pages, annots := 0, 0
	for _, o := range objs {
		switch o["/Type"] {
		case "/Page":
			require.Equal(t, "/S", o["/Tabs"])
			require.Contains(t, o, "/StructParents")
			pages++
		case "/Annot":
			require.Equal(t, float64(4), o["/F"], "printable (PDF/A)")
			require.Contains(t, o, "/StructParent")
			annots++
		}
	}
	require.Equal(t, float64(pages+annots), root["/ParentTreeNextKey"])
	require.Equal(t, 4, pages)
	require.Equal(t, 5+1, annots, "the contents' five entries and the link")
}

// TestPDFEveryContentMarked reads the page content streams and checks that
// no text is shown and nothing is painted outside a marked-content
// sequence (a structure element's or an artifact's), and that the MCIDs of
// each page are exactly those the parent tree lists.
func TestPDFEveryContentMarked(t *testing.T) {
	for name, md := range map[string]string{"plan": "", "features": pdfFeatures} {
		t.Run(name, func(t *testing.T) {
			var path string
			if md == "" {
				_, path = pdfTaggedPlan(t, true)
			} else {
				path = filepath.Join(t.TempDir(), "f.pdf")
				require.NoError(t, os.WriteFile(path, pdfRender(t, md, pdfMeta(true)), 0o600))
			}
			objs, _ := qpdfObjects(t, path)
			var catalog map[string]any
			for _, o := range objs {
				if o["/Type"] == "/Catalog" {
					catalog = o
				}
			}
			root := objs[ref(catalog["/StructTreeRoot"])]
			nums := objs[ref(root["/ParentTree"])]["/Nums"].([]any)
			listed := map[int]int{} // StructParents key → MCIDs listed
			for i := 0; i < len(nums); i += 2 {
				if arr, ok := nums[i+1].([]any); ok {
					listed[int(nums[i].(float64))] = len(arr)
				}
			}
			seen := 0
			for _, o := range objs {
				if o["/Type"] != "/Page" {
					continue
				}
				seen++
				content := qpdfStream(t, path, ref(o["/Contents"]))
				mcids, err := pdfCheckMarked(content)
				require.NoError(t, err)
				key := int(o["/StructParents"].(float64))
				require.Equal(t, listed[key], mcids, "page with StructParents %d", key)
			}
			require.Positive(t, seen)
		})
	}
}

// pdfCheckMarked scans a content stream: every text-showing and painting
// operator must be inside BDC/BMC … EMC; it returns how many MCIDs the
// stream has and checks they run 0, 1, 2, …
func pdfCheckMarked(s []byte) (int, error) {
	depth, next := 0, 0
	var operands []string
	paint := map[string]bool{"Tj": true, "TJ": true, "'": true, "\"": true, "f": true, "F": true, "f*": true,
		"S": true, "s": true, "B": true, "B*": true, "b": true, "b*": true, "Do": true, "sh": true}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\n' || c == '\r' || c == '\t':
			i++
		case c == '%':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '(':
			j, nest := i, 0
			for ; j < len(s); j++ {
				if s[j] == '\\' {
					j++
					continue
				}
				if s[j] == '(' {
					nest++
				} else if s[j] == ')' {
					nest--
					if nest == 0 {
						break
					}
				}
			}
			operands = append(operands, string(s[i:j+1]))
			i = j + 1
		case c == '<' && i+1 < len(s) && s[i+1] == '<':
			j := bytes.Index(s[i:], []byte(">>"))
			if j < 0 {
				return 0, fmt.Errorf("unclosed dictionary")
			}
			operands = append(operands, string(s[i:i+j+2]))
			i += j + 2
		case c == '<' || c == '[':
			end := byte('>')
			if c == '[' {
				end = ']'
			}
			j := bytes.IndexByte(s[i:], end) // no nesting in what the writer draws
			if j < 0 {
				return 0, fmt.Errorf("unclosed %c", c)
			}
			operands = append(operands, string(s[i:i+j+1]))
			i += j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \n\r\t()<>[]/%", rune(s[j])) || j == i && s[j] == '/' {
				j++
			}
			if j == i {
				j++
			}
			tok := string(s[i:j])
			i = j
			if tok[0] == '/' || tok[0] == '-' || tok[0] == '.' || tok[0] >= '0' && tok[0] <= '9' {
				operands = append(operands, tok)
				continue
			}
			switch {
			case tok == "BDC" || tok == "BMC":
				if tok == "BDC" && len(operands) == 2 && strings.HasPrefix(operands[1], "<</MCID ") {
					id, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(operands[1], "<</MCID "), ">>"))
					if err != nil || id != next {
						return 0, fmt.Errorf("MCID %q out of order (want %d)", operands[1], next)
					}
					next++
				}
				depth++
			case tok == "EMC":
				if depth == 0 {
					return 0, fmt.Errorf("EMC without BDC")
				}
				depth--
			case paint[tok] && depth == 0:
				return 0, fmt.Errorf("%s %v outside marked content", tok, operands)
			}
			operands = operands[:0]
		}
	}
	if depth != 0 {
		return 0, fmt.Errorf("unbalanced marked content")
	}
	return next, nil
}

// TestPDFA checks the PDF/A-2 ingredients that can be checked here (veraPDF
// cannot be installed): XMP metadata naming part 2, conformance A and
// repeating the document information; an sRGB output intent with a valid
// ICC profile; every font embedded, subset, with a ToUnicode map; no
// encryption; a document ID; a file qpdf finds no fault in.
func TestPDFA(t *testing.T) {
	_, path := pdfTaggedPlan(t, false)
	check, err := exec.Command(needTool(t, "qpdf"), "--check", path).CombinedOutput()
	require.NoError(t, err, string(check))
	require.Contains(t, string(check), "No syntax or stream encoding errors found")

	objs, trailer := qpdfObjects(t, path)
	require.NotContains(t, trailer, "/Encrypt")
	id, ok := trailer["/ID"].([]any)
	require.True(t, ok)
	require.Len(t, id, 2)
	var catalog, info map[string]any
	for _, o := range objs {
		if o["/Type"] == "/Catalog" {
			catalog = o
		}
	}
	info = objs[ref(trailer["/Info"])]

	// the XMP packet
	meta := objs[ref(catalog["/Metadata"])]
	require.Equal(t, "/Metadata", meta["/Type"])
	require.Equal(t, "/XML", meta["/Subtype"])
	xmp := string(qpdfStream(t, path, ref(catalog["/Metadata"])))
	for _, want := range []string{
		"<pdfaid:part>2</pdfaid:part>", "<pdfaid:conformance>A</pdfaid:conformance>",
		`<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Cselekvési terv a budapesti kézműves kkv-k versenyképességének javítására</rdf:li></rdf:Alt></dc:title>`,
		"<dc:creator><rdf:Seq><rdf:li>Budapesti Vállalkozásfejlesztési Közalapítvány</rdf:li></rdf:Seq></dc:creator>",
		"<pdf:Producer>craftscode (go-pdf/fpdf)</pdf:Producer>",
		"<xmp:CreatorTool>craftscode</xmp:CreatorTool>",
		"<xmp:CreateDate>2026-03-14T09:30:00Z</xmp:CreateDate>",
		"<xmp:ModifyDate>2026-03-14T09:30:00Z</xmp:ModifyDate>",
	} {
		require.Contains(t, xmp, want)
	}
	require.True(t, strings.HasPrefix(xmp, "<?xpacket begin=\"\uFEFF\""))
	// the information dictionary says the same, in UTC
	require.Equal(t, "u:D:20260314093000+00'00'", info["/CreationDate"])
	require.Equal(t, "u:D:20260314093000+00'00'", info["/ModDate"])
	require.Equal(t, "u:craftscode (go-pdf/fpdf)", info["/Producer"])

	// the output intent and its profile
	intents := catalog["/OutputIntents"].([]any)
	require.Len(t, intents, 1)
	intent := objs[ref(intents[0])]
	require.Equal(t, "/GTS_PDFA1", intent["/S"])
	require.Equal(t, "u:sRGB IEC61966-2.1", intent["/OutputConditionIdentifier"])
	profile := objs[ref(intent["/DestOutputProfile"])]
	require.Equal(t, float64(3), profile["/N"])
	icc := qpdfStream(t, path, ref(intent["/DestOutputProfile"]))
	require.Equal(t, int(binary.BigEndian.Uint32(icc)), len(icc), "the profile's size")
	require.Equal(t, "acsp", string(icc[36:40]))
	require.Equal(t, "mntrRGB XYZ ", string(icc[12:24]))
	require.Equal(t, uint32(9), binary.BigEndian.Uint32(icc[128:]), "tags")
	for i := range 9 {
		e := icc[132+12*i:]
		at, size := binary.BigEndian.Uint32(e[4:]), binary.BigEndian.Uint32(e[8:])
		require.LessOrEqual(t, int(at+size), len(icc), "tag %s inside the profile", e[:4])
	}

	// fonts: embedded subsets with ToUnicode maps, nothing else
	fonts, err := exec.Command(needTool(t, "pdffonts"), path).Output()
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(fonts)), "\n")[2:]
	require.NotEmpty(t, lines)
	for _, l := range lines {
		require.Regexp(t, `^[A-Z]{6}\+utf8(sans|mono)\S*\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes`, l)
	}
}

// TestPDFBookmarksNest checks that the bookmarks follow the heading levels:
// the action plan's parts sit side by side, not under the summary, and the
// actions under Part III.
func TestPDFBookmarksNest(t *testing.T) {
	_, path := pdfTaggedPlan(t, false)
	out, err := exec.Command(needTool(t, "qpdf"), "--json=2", "--json-key=outlines", path).Output()
	require.NoError(t, err)
	var doc struct {
		Outlines []struct {
			Title string `json:"title"`
			Kids  []struct {
				Title string `json:"title"`
			} `json:"kids"`
		} `json:"outlines"`
	}
	require.NoError(t, json.Unmarshal(out, &doc))
	var top []string
	for _, o := range doc.Outlines {
		top = append(top, o.Title)
	}
	require.Equal(t, []string{"Summary in English", "Part I – General information", "Part II – Policy context",
		"Part III – Details of the actions envisaged", "Signature"}, top)
	require.Len(t, doc.Outlines[3].Kids, 3)
	require.Equal(t, "Action 2 — Design-alapú termékfejlesztési utalványok", doc.Outlines[3].Kids[1].Title)
}

// TestPDFHeadingsKeptWithText moves a run of two headings down the page a
// line at a time: wherever the page breaks, the headings stay on the page
// of the text that follows them.
func TestPDFHeadingsKeptWithText(t *testing.T) {
	filler := "Filler paragraph line that takes one line of the page body.\n\n"
	for n := 28; n <= 44; n++ {
		md := "# Doc\n\n" + strings.Repeat(filler, n) +
			"## Run heading\n\n### Sub heading\n\nThe text that follows the headings.\n\n" + strings.Repeat(filler, 5)
		pdf := pdfRender(t, md, pdfMetaIn("en", false))
		text := pdfText(t, pdf)
		pages := strings.Split(text, "=== page break ===")
		for _, p := range pages[1:] { // the first holds the title and the contents

			if strings.Contains(p, "Run heading") {
				require.Contains(t, p, "Sub heading", "n=%d", n)
				require.Contains(t, p, "The text that follows", "n=%d", n)
			}
		}
	}
}

// TestPDFDatesDoNotWrap moves a date in words along a line a letter at a
// time: wherever the line ends, the date stays whole (in Hungarian too).
func TestPDFDatesDoNotWrap(t *testing.T) {
	for _, c := range []struct{ lang, date string }{{"en", "1 March 2019"}, {"hu", "2019. március 1."}} {
		var md strings.Builder
		md.WriteString("# Dates\n\n")
		for n := range 40 {
			md.WriteString(strings.Repeat("x", n) + " The consultation of the regional stakeholder group on the draft action plan closes on " + c.date + " at noon.\n\n")
		}
		text := pdfText(t, pdfRender(t, md.String(), pdfMetaIn(c.lang, false)))
		require.Equal(t, 40, strings.Count(text, c.date), c.lang)
	}
}
