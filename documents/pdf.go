package documents

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-fonts/liberation/liberationmonoregular"
	"github.com/go-fonts/liberation/liberationsansbold"
	"github.com/go-fonts/liberation/liberationsansbolditalic"
	"github.com/go-fonts/liberation/liberationsansitalic"
	"github.com/go-fonts/liberation/liberationsansregular"
	"github.com/go-pdf/fpdf"
	"github.com/klauspost/compress/zlib"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/util"
)

// The PDF writer lays the goldmark tree out itself (line breaking, lists,
// tables, page breaks) and uses fpdf only to place text and lines, to embed
// the Liberation fonts as Unicode (Identity-H) subsets and to write the file.
//
// Geometry is in millimetres on A4 portrait.
const (
	pdfPageW     = 210.0
	pdfPageH     = 297.0
	pdfMarginL   = 20.0
	pdfMarginR   = 20.0
	pdfTop       = 24.0            // first baseline band below the page header
	pdfBottom    = pdfPageH - 20.0 // no body text below this line
	pdfRight     = pdfPageW - pdfMarginR
	pdfWidth     = pdfRight - pdfMarginL
	ptToMM       = 25.4 / 72.0
	pdfEps       = 0.01 // tolerance when comparing widths and positions
	pdfMaxIndent = 90.0 // lists and quotes nest no further to the right than this

	pdfBodySize  = 10.5
	pdfTableSize = 9.0
	pdfCodeSize  = 8.5
	pdfLeading   = 1.35 // line height as a multiple of the font size
)

// pdfLineHeight is the height in mm of a line of text set at size points.
func pdfLineHeight(size float64) float64 { return size * ptToMM * pdfLeading }

// --- fonts -------------------------------------------------------------------

// pdfFace is one of the embedded Liberation fonts: Liberation Sans, a text
// family (the Go fonts it replaced are coding fonts, with a hyphen wider than
// their en dash and dotted zeros), and Liberation Mono for code. They cover
// Latin (with Hungarian ő/ű and the Nordic letters), Greek, Cyrillic and the
// € sign; the core PDF fonts cannot, and PDF/A wants every font embedded, so
// nothing but these fonts is ever used.
type pdfFace uint8

const (
	pdfRegular pdfFace = iota
	pdfBoldFace
	pdfItalicFace
	pdfBoldItalicFace
	pdfMonoFace
	pdfFaceCount
)

var pdfFaces = [pdfFaceCount]struct {
	family, style string
	ttf           []byte
}{
	pdfRegular:        {"sans", "", liberationsansregular.TTF},
	pdfBoldFace:       {"sans", "B", liberationsansbold.TTF},
	pdfItalicFace:     {"sans", "I", liberationsansitalic.TTF},
	pdfBoldItalicFace: {"sans", "BI", liberationsansbolditalic.TTF},
	pdfMonoFace:       {"mono", "", liberationmonoregular.TTF},
}

// pdfWidths holds, per face, the advance of every BMP rune in 1/1000 em
// exactly as fpdf measures it. The writer breaks lines with these tables, so
// it never has to select a font in the document just to measure text. They
// are built once per process; fpdf itself has no way to share a parsed font
// between documents, so each document still registers the faces it uses.
var pdfWidths [pdfFaceCount]struct {
	once sync.Once
	w    []uint16
}

func pdfFaceWidths(fc pdfFace) []uint16 {
	e := &pdfWidths[fc]
	e.once.Do(func() {
		def := pdfFaces[fc]
		f := fpdf.New("P", "mm", "A4", "")
		f.AddUTF8FontFromBytes(def.family, def.style, bytes.Clone(def.ttf))
		f.SetFont(def.family, def.style, 10)
		w := make([]uint16, 0x10000)
		var buf [utf8.UTFMax]byte
		for r := rune(0); r < 0x10000; r++ {
			if r >= 0xD800 && r <= 0xDFFF {
				continue // surrogates never occur in a valid Go string
			}
			n := utf8.EncodeRune(buf[:], r)
			w[r] = uint16(f.GetStringSymbolWidth(string(buf[:n])))
		}
		e.w = w
	})
	return e.w
}

// pdfTextWidth is the width in mm of s set in face fc at size points. s must
// have gone through pdfClean (BMP runes only).
func pdfTextWidth(fc pdfFace, size float64, s string) float64 {
	w := pdfFaceWidths(fc)
	units := 0
	for _, r := range s {
		if r < 0x10000 {
			units += int(w[r])
		} else {
			units += int(w[utf8.RuneError])
		}
	}
	return float64(units) * size / 1000 * ptToMM
}

// --- text --------------------------------------------------------------------

// pdfClean makes user text safe for fpdf: valid UTF-8 from the Basic
// Multilingual Plane only (fpdf's UTF-16 conversion and width tables handle
// nothing else; other runes become U+FFFD), white space as plain spaces, and
// no control or invisible format characters (which could hide or reorder
// text). PDF string escaping itself is fpdf's job.
func pdfClean(s string) string {
	clean := true
	for _, r := range s {
		if !pdfRuneOK(r) {
			clean = false
			break
		}
	}
	if clean && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case pdfRuneOK(r):
			b.WriteRune(r)
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			b.WriteByte(' ')
		case r < 0x20 || (r >= 0x7f && r < 0xa0) || unicode.Is(unicode.Cf, r):
			// dropped
		default:
			b.WriteRune(utf8.RuneError)
		}
	}
	return b.String()
}

func pdfRuneOK(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r < 0xa0, r >= 0x10000, r == 0x2028, r == 0x2029:
		return false
	case r < 0x80:
		return true
	}
	return !unicode.Is(unicode.Cf, r)
}

// pdfDecode reads Markdown text as the other writers do: a backslash before
// ASCII punctuation escapes it (so templates can escape user text as \*),
// and nothing else is interpreted. Entity references are not resolved, so
// "&amp;" stays those five characters (as in the DOCX writer).
func pdfDecode(v []byte) string {
	if bytes.IndexByte(v, '\\') < 0 {
		return string(v)
	}
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) && util.IsPunct(v[i+1]) {
			i++
			c = v[i]
		}
		out = append(out, c)
	}
	return string(out)
}

// pdfLinkTarget returns the URI a link may point at in the PDF, or "" when
// the link is shown as text only. Only web and mail links are made
// clickable; anything else (javascript:, file:, relative paths) is not.
func pdfLinkTarget(dest string) string {
	u := strings.TrimSpace(dest)
	l := strings.ToLower(u)
	if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "mailto:") {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		if c := u[i]; c <= ' ' || c >= 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// --- inline layout -------------------------------------------------------------

type pdfStyle uint8

const (
	pdfBold pdfStyle = 1 << iota
	pdfItalic
	pdfMono
	pdfStrike
	pdfLink
)

func (s pdfStyle) face() pdfFace {
	switch {
	case s&pdfMono != 0:
		return pdfMonoFace
	case s&pdfBold != 0 && s&pdfItalic != 0:
		return pdfBoldItalicFace
	case s&pdfBold != 0:
		return pdfBoldFace
	case s&pdfItalic != 0:
		return pdfItalicFace
	}
	return pdfRegular
}

// pdfRun is a piece of inline text in one style; br is a hard line break.
type pdfRun struct {
	text  string
	st    pdfStyle
	url   string // clickable target, "" for none
	br    bool
	dates [][]int // the dates in text: a line does not break at their spaces
}

func pdfRunsText(runs []pdfRun) string {
	var b strings.Builder
	for _, r := range runs {
		if r.br {
			b.WriteByte(' ')
		} else {
			b.WriteString(r.text)
		}
	}
	return b.String()
}

const (
	pdfTokWord = iota
	pdfTokSpace
	pdfTokBreak
)

// pdfTok is a word, a (collapsed) run of spaces or a hard break; its text is
// src[off:end] (for spaces, the first space).
type pdfTok struct {
	src      string
	off, end int
	st       pdfStyle
	url      string
	w        float64
	kind     uint8
}

// pdfTokenize splits runs into words, (collapsed) spaces and breaks, measured
// at size points.
func pdfTokenize(runs []pdfRun, size float64) []pdfTok {
	n := 1
	for _, rn := range runs {
		n += 2*strings.Count(rn.text, " ") + 2
	}
	toks := make([]pdfTok, 0, n)
	for _, rn := range runs {
		if rn.br {
			toks = append(toks, pdfTok{kind: pdfTokBreak})
			continue
		}
		fc := rn.st.face()
		s := rn.text
		for i := 0; i < len(s); {
			if s[i] == ' ' {
				j := i + 1
				for j < len(s) && s[j] == ' ' {
					j++
				}
				toks = append(toks, pdfTok{src: s, off: i, end: i + 1, st: rn.st, url: rn.url, w: pdfTextWidth(fc, size, " "), kind: pdfTokSpace})
				i = j
				continue
			}
			j := pdfWordEnd(s, i, rn.dates) - i
			toks = append(toks, pdfTok{src: s, off: i, end: i + j, st: rn.st, url: rn.url, w: pdfTextWidth(fc, size, s[i:i+j]), kind: pdfTokWord})
			i += j
		}
	}
	return toks
}

// pdfWordEnd is where the word at s[i:] ends: at the next space that is
// not inside one of the dates, or at the end.
func pdfWordEnd(s string, i int, dates [][]int) int {
	for {
		j := strings.IndexByte(s[i:], ' ')
		if j < 0 {
			return len(s)
		}
		at, inside := i+j, false
		for _, d := range dates {
			if at > d[0] && at < d[1] {
				inside = true
				break
			}
		}
		if !inside {
			return at
		}
		i = at + 1
	}
}

// pdfFrag is a piece of a laid-out line in one style, at x from the line
// start. While it is one stretch of a run's text it is src[s:e]; pieces that
// are not contiguous are copied into buf.
type pdfFrag struct {
	text string
	st   pdfStyle
	url  string
	x, w float64
	src  string
	s, e int
	buf  []byte
}

type pdfLine struct {
	frags []pdfFrag
	w     float64
}

func (l *pdfLine) add(src string, s, e int, st pdfStyle, url string, w float64) {
	if n := len(l.frags); n > 0 && l.frags[n-1].st == st && l.frags[n-1].url == url {
		f := &l.frags[n-1]
		switch {
		case f.buf == nil && f.e == s && f.src == src:
			f.e = e
		case f.buf == nil:
			f.buf = append(append(make([]byte, 0, 2*(f.e-f.s+e-s)), f.src[f.s:f.e]...), src[s:e]...)
		default:
			f.buf = append(f.buf, src[s:e]...)
		}
		f.w += w
	} else {
		l.frags = append(l.frags, pdfFrag{st: st, url: url, x: l.w, w: w, src: src, s: s, e: e})
	}
	l.w += w
}

// done fixes the text of the line's fragments.
func (l *pdfLine) done() {
	for i := range l.frags {
		f := &l.frags[i]
		if f.buf != nil {
			f.text = string(f.buf)
		} else {
			f.text = f.src[f.s:f.e]
		}
		f.src, f.buf = "", nil
	}
}

// pdfLayout breaks runs set at size points into lines at most width mm
// wide: greedily at spaces, and inside a word only when the word alone is
// wider than the line.
func pdfLayout(runs []pdfRun, size, width float64) []pdfLine {
	return pdfLayoutToks(pdfTokenize(runs, size), size, width)
}

func pdfLayoutToks(toks []pdfTok, size, width float64) []pdfLine {
	var lines []pdfLine
	var cur pdfLine
	var space *pdfTok
	push := func() {
		cur.done()
		lines = append(lines, cur)
		cur = pdfLine{}
	}
	for i := 0; i < len(toks); {
		switch toks[i].kind {
		case pdfTokBreak:
			push()
			space = nil
			i++
			continue
		case pdfTokSpace:
			if len(cur.frags) > 0 {
				space = &toks[i]
			}
			i++
			continue
		}
		j, ww := i, 0.0
		for j < len(toks) && toks[j].kind == pdfTokWord {
			ww += toks[j].w
			j++
		}
		sw := 0.0
		if space != nil {
			sw = space.w
		}
		if len(cur.frags) > 0 && cur.w+sw+ww > width+pdfEps {
			push()
			space = nil
		}
		if t := space; t != nil {
			cur.add(t.src, t.off, t.end, t.st, t.url, t.w)
			space = nil
		}
		if ww <= width+pdfEps {
			for k := i; k < j; k++ {
				t := &toks[k]
				cur.add(t.src, t.off, t.end, t.st, t.url, t.w)
			}
		} else {
			// A word wider than the line: break it between characters.
			for k := i; k < j; k++ {
				t := &toks[k]
				fc := t.st.face()
				for o, r := range t.src[t.off:t.end] {
					n := utf8.RuneLen(r)
					if r == utf8.RuneError {
						n = 1
					}
					a := t.off + o
					rw := pdfTextWidth(fc, size, t.src[a:a+n])
					if len(cur.frags) > 0 && cur.w+rw > width+pdfEps {
						push()
					}
					cur.add(t.src, a, a+n, t.st, t.url, rw)
				}
			}
		}
		i = j
	}
	if len(cur.frags) > 0 {
		push()
	}
	return lines
}

// pdfMeasure gives the width of the runs on one line (the widest line
// between hard breaks) and the width of their widest word.
func pdfMeasure(runs []pdfRun, size float64) (natural, word float64) {
	toks := pdfTokenize(runs, size)
	for _, l := range pdfLayoutToks(toks, size, math.Inf(1)) {
		natural = max(natural, l.w)
	}
	ww := 0.0
	for _, t := range toks {
		if t.kind == pdfTokWord {
			ww += t.w
			word = max(word, ww)
		} else {
			ww = 0
		}
	}
	return natural, word
}

// --- the renderer ----------------------------------------------------------------

type pdfMarker struct {
	text    string
	x, w, h float64
	elem    int // its Lbl element
}

type pdfTOCEntry struct {
	level   int
	lines   []pdfLine
	link    int
	elem    int     // its Link element in the TOC
	page    int     // the page the heading landed on
	tocPage int     // where the entry is drawn
	tocY    float64 // its top on that page
}

type pdfRenderer struct {
	f    *fpdf.Fpdf
	src  []byte
	root ast.Node
	meta Meta

	loaded [pdfFaceCount]bool
	// the font last selected with setFont; fontOK is false when the content
	// stream may not match it (after SetPage)
	curFace pdfFace
	curSize float64
	curDeco pdfStyle
	fontOK  bool

	left, right   float64 // the current content box
	textColor     [3]int
	quoteBars     []float64
	marker        *pdfMarker // a list marker waiting for the item's first line
	listDepth     int
	outline       []int // the heading levels of the open bookmarks, outermost first
	outlineLevels []int

	tags        *pdfTags
	cur         int    // the structure element that content drawn now belongs to
	pendingLang string // the language of the block about to start, when it differs
	plain       bool   // drawing an artifact: no marked content, no links

	dates *regexp.Regexp // the document's dates, once needed

	title     string
	skip      ast.Node // the first heading when it repeats the title
	toc       []pdfTOCEntry
	tocByNode map[ast.Node]int
}

// renderPDF writes d as a PDF/A4 document: a title block, a table of
// contents of the level-1 and level-2 headings, the body, a header with the
// project acronym and title and a "Page N of M" footer on every page, a
// diagonal DRAFT watermark on every page of a draft, bookmarks for headings
// and the document metadata. The same Doc always gives the same bytes.
func renderPDF(w io.Writer, d *Doc) (err error) {
	if d == nil || d.Root == nil {
		return errRender(FormatPDF, errors.New("no document"))
	}
	defer func() {
		if p := recover(); p != nil {
			err = errRender(FormatPDF, fmt.Errorf("internal error: %v", p))
		}
	}()
	r := &pdfRenderer{src: d.Source, root: d.Root, meta: d.Meta, left: pdfMarginL, right: pdfRight,
		tags: newPDFTags(pdfLang(d.Meta.Language))}
	var buf bytes.Buffer
	buf.Grow(96 << 10)
	if err := r.render(&buf); err != nil {
		return errRender(FormatPDF, err)
	}
	if err := pdfFinish(w, buf.Bytes(), d.Meta.ID, r.outlineLevels, r.tags, r.archival()); err != nil {
		return errRender(FormatPDF, err)
	}
	return nil
}

func (r *pdfRenderer) render(out io.Writer) error {
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "A4"})
	r.f = f
	f.SetCatalogSort(true)
	f.SetCompression(false) // pdfFinish compresses the page streams
	created := r.meta.Created
	if created.IsZero() {
		created = time.Unix(0, 0) // never the clock
	}
	f.SetCreationDate(created.UTC())
	f.SetModificationDate(created.UTC())
	r.title = pdfClean(strings.TrimSpace(r.meta.Title))
	f.SetTitle(r.title, true)
	f.SetAuthor(pdfClean(r.meta.Author), true)
	if a := pdfClean(r.meta.ProjectAcronym); a != "" {
		f.SetSubject(a, true)
		f.SetKeywords(a, true)
	}
	f.SetCreator("craftscode", true)
	f.SetProducer("craftscode (go-pdf/fpdf)", true)
	if lang := pdfLang(r.meta.Language); lang != "" {
		f.SetLang(lang)
	}
	f.SetMargins(pdfMarginL, pdfTop, pdfMarginR)
	f.SetAutoPageBreak(false, pdfPageH-pdfBottom) // page breaks are ours
	f.SetCellMargin(0)
	f.SetLineWidth(0.2)
	f.SetHeaderFuncMode(r.pageHeader, true)

	r.collectHeadings()
	f.AddPage()
	r.titleBlock()
	r.reserveTOC()
	r.blocks(r.root)

	total := f.PageCount()
	r.drawTOC()
	r.drawFooters(total)
	f.SetPage(total)
	if err := f.Error(); err != nil {
		return err
	}
	return f.Output(out)
}

// pdfLang accepts a BCP 47 looking tag ("hu", "pt-PT"); fpdf writes it
// unescaped, so anything else is left out.
func pdfLang(s string) string {
	if s == "" || len(s) > 35 {
		return ""
	}
	for i, p := range strings.Split(s, "-") {
		if p == "" || len(p) > 8 || (i == 0 && (len(p) < 2 || len(p) > 3)) {
			return ""
		}
		for _, c := range []byte(p) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
				return ""
			}
		}
	}
	return s
}

// pdfFinish writes fpdf's output to w with repairs that make it pass
// pdfcpu's strict validation and follow ISO 32000, rebuilding the
// cross-reference table:
//
//   - the trailer gets an /ID, which fpdf leaves out: its first half derives
//     from the document id (stable across versions of one document), the
//     second from the content, so it is as deterministic as the rest;
//   - outline items with children get the nonzero /Count that ISO 32000
//     requires (fpdf writes /Count 0 everywhere), and the outline root the
//     total /Count; levels are the bookmark levels in document order;
//   - link annotations, which fpdf writes inline in a page's /Annots, become
//     indirect objects, as ISO 32000 requires;
//   - the embedded font subsets get a (deterministic) subset tag;
//   - the page content streams are compressed (fpdf's compression is off);
//   - the structure tree (tags) is added, the catalog marks the file as
//     tagged and points at it, each page gets its /StructParents and a
//     structure tab order, each link annotation a /StructParent;
//   - for PDF/A-2: a header with a binary comment, XMP metadata, an sRGB
//     output intent, printable annotations (/F 4), dates with their zone,
//     and a catalog that asks viewers to show the title.
//
// It relies on the layout fpdf writes: a classic xref table, one /Annots line
// per page, the outline items followed by the outline root, the document
// information and the catalog last. Anything else is an error, not a guess.
func pdfFinish(w io.Writer, pdf []byte, id string, levels []int, tags *pdfTags, arch pdfArchive) error {
	bad := func(what string) error { return fmt.Errorf("unexpected fpdf output: %s", what) }
	sx := bytes.LastIndex(pdf, []byte("\nstartxref\n"))
	if sx < 0 {
		return bad("no startxref")
	}
	tail := bytes.TrimSpace(pdf[sx+len("\nstartxref\n"):])
	xrefAt, err := strconv.Atoi(string(bytes.TrimSpace(bytes.TrimSuffix(tail, []byte("%%EOF")))))
	if err != nil || xrefAt <= 0 || xrefAt >= sx {
		return bad("startxref offset")
	}
	// "xref\n0 N\n", N entries of 20 bytes, then the trailer
	rest, ok := bytes.CutPrefix(pdf[xrefAt:], []byte("xref\n0 "))
	if !ok {
		return bad("xref table")
	}
	nl := bytes.IndexByte(rest, '\n')
	if nl < 0 {
		return bad("xref size")
	}
	n, err := strconv.Atoi(string(rest[:nl]))
	if err != nil || n < 3 || len(rest) < nl+1+20*n {
		return bad("xref size")
	}
	entries := rest[nl+1 : nl+1+20*n]
	trailer, ok := bytes.CutPrefix(rest[nl+1+20*n:], []byte("trailer\n<<\n"))
	if !ok {
		return bad("trailer")
	}
	end := bytes.Index(trailer, []byte(">>\nstartxref\n"))
	if end < 0 {
		return bad("trailer end")
	}
	dict := trailer[:end]
	offsets := make([]int, n)
	order := make([]int, 0, n-1) // object numbers by position in the file
	for i := 1; i < n; i++ {
		if offsets[i], err = strconv.Atoi(string(entries[20*i : 20*i+10])); err != nil || offsets[i] <= 0 || offsets[i] >= xrefAt {
			return bad("xref entry")
		}
		order = append(order, i)
	}
	slices.SortFunc(order, func(a, b int) int { return offsets[a] - offsets[b] })
	objEnd := make([]int, n)
	for k, i := range order {
		objEnd[i] = xrefAt
		if k+1 < len(order) {
			objEnd[i] = offsets[order[k+1]]
		}
	}
	// the outline items are the objects root-len(levels) .. root-1
	first, root := n, n
	if len(levels) > 0 {
		m := pdfOutlinesRef.FindSubmatch(pdf[offsets[n-1]:objEnd[n-1]]) // the catalog
		if m == nil {
			return bad("no /Outlines in the catalog")
		}
		root, _ = strconv.Atoi(string(m[1]))
		first = root - len(levels)
		if first < 2 || root >= n {
			return bad("outline object numbers")
		}
	}

	if order[len(order)-1] != n-1 || order[len(order)-2] != n-2 {
		return bad("the information and the catalog are not last")
	}

	h := sha256.New()
	out := io.MultiWriter(w, h)
	// PDF 1.7 (structure, outlines, transparency groups), and the comment
	// of bytes above 127 that marks the file as binary
	header := []byte("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n")
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) {
		return bad("header")
	}
	pos := len(header)
	if _, err := out.Write(header); err != nil {
		return err
	}
	pages := []int{0} // the page objects in order, from 1
	var tree pdfTreeRefs
	npages := bytes.Count(pdf, []byte(" 0 obj\n<</Type /Page\n"))
	var annots [][]byte        // the annotation objects to add, numbered from n
	contents := map[int]bool{} // the pages' content streams
	pageHash := sha256.New()   // of all page content: the subset tags derive from it
	fontsSeen := false
	zw := pdfGetZlib()
	defer pdfPutZlib(zw)
	var zbuf bytes.Buffer
	for _, i := range order {
		obj := pdf[offsets[i]:objEnd[i]]
		switch {
		case contents[i]:
			// "i 0 obj\n<</Length L>>\nstream\n" data "\nendstream\nendobj\n"
			head := []byte(strconv.Itoa(i) + " 0 obj\n<</Length ")
			rest, ok := bytes.CutPrefix(obj, head)
			e := bytes.Index(rest, []byte(">>\nstream\n"))
			if !ok || e < 0 {
				return bad("content stream")
			}
			l, err := strconv.Atoi(string(rest[:e]))
			data := rest[e+len(">>\nstream\n"):]
			if err != nil || l > len(data) || !bytes.HasPrefix(data[l:], []byte("\nendstream\nendobj\n")) {
				return bad("content stream length")
			}
			if fontsSeen {
				return bad("page content after the fonts")
			}
			pageHash.Write(data[:l])
			zbuf.Reset()
			zw.Reset(&zbuf)
			if _, err := zw.Write(data[:l]); err != nil {
				return err
			}
			if err := zw.Close(); err != nil {
				return err
			}
			obj = slices.Concat([]byte(strconv.Itoa(i)+" 0 obj\n<</Filter /FlateDecode /Length "+strconv.Itoa(zbuf.Len())+">>\nstream\n"),
				zbuf.Bytes(), data[l:])
		case i >= first && i < root:
			k, desc := i-first, 0
			for j := k + 1; j < len(levels) && levels[j] > levels[k]; j++ {
				desc++
			}
			old := []byte("/Count 0>>")
			if !bytes.Contains(obj, []byte(" 0 obj\n<</Title ")) || bytes.Count(obj, old) != 1 {
				return bad("outline item")
			}
			if desc > 0 {
				obj = bytes.Replace(obj, old, []byte("/Count "+strconv.Itoa(desc)+">>"), 1)
			}
		case i == root:
			old := []byte("<</Type /Outlines ")
			if !bytes.Contains(obj, old) {
				return bad("outline root")
			}
			obj = bytes.Replace(obj, old, []byte("<</Type /Outlines /Count "+strconv.Itoa(len(levels))+" "), 1)
		case pdfFontName.Match(obj):
			// A font subset's name starts with a tag of six capitals (ISO
			// 32000, 9.6.4); fpdf writes none. The tag derives from the
			// page content, which decides the subset, and the font's name.
			fontsSeen = true
			obj = pdfFontName.ReplaceAllFunc(obj, func(m []byte) []byte {
				sub := pdfFontName.FindSubmatch(m)
				h := sha256.New()
				h.Write(pageHash.Sum(nil))
				h.Write(sub[2])
				sum := h.Sum(nil)
				tag := make([]byte, 6)
				for k := range tag {
					tag[k] = 'A' + sum[k]%26
				}
				return slices.Concat([]byte("/"), sub[1], []byte(" /"), tag, []byte("+"), sub[2])
			})
		case i == n-2: // the document information: dates with their zone
			if !bytes.Contains(obj, []byte("/Producer ")) {
				return bad("document information")
			}
			obj = pdfInfoDate.ReplaceAll(obj, []byte("(D:${1}+00'00')"))
		case i == n-1: // the catalog
			const end = ">>\nendobj\n"
			if !bytes.Contains(obj, []byte("/Type /Catalog")) || !bytes.HasSuffix(obj, []byte(end)) {
				return bad("catalog")
			}
			base := n + len(annots)
			refs := pdfTreeRefs{root: base, parentTree: base + 1, firstElem: base + 2}
			refs.xmp = refs.firstElem + len(tags.elems)
			refs.intent, refs.icc = refs.xmp+1, refs.xmp+2
			add := fmt.Sprintf("/MarkInfo <</Marked true>>\n/StructTreeRoot %d 0 R\n/Metadata %d 0 R\n"+
				"/OutputIntents [%d 0 R]\n/ViewerPreferences <</DisplayDocTitle true>>\n", refs.root, refs.xmp, refs.intent)
			obj = slices.Concat(obj[:len(obj)-len(end)], []byte(add), []byte(end))
			tree = refs
		case bytes.Contains(obj, []byte(" 0 obj\n<</Type /Page\n")):
			m := pdfContentsRef.FindSubmatch(obj)
			if m == nil {
				return bad("page without contents")
			}
			pages = append(pages, i)
			page := len(pages) - 1
			obj = bytes.Replace(obj, []byte("<</Type /Page\n"),
				[]byte("<</Type /Page\n/StructParents "+strconv.Itoa(page-1)+" /Tabs /S\n"), 1)
			c, _ := strconv.Atoi(string(m[1]))
			contents[c] = true
			const key = "\n/Annots ["
			a := bytes.Index(obj, []byte(key))
			if a < 0 {
				break
			}
			e := bytes.IndexByte(obj[a+1:], '\n')
			if e < 0 || obj[a+e] != ']' {
				return bad("page annotations")
			}
			list := obj[a+len(key) : a+e]
			var refs bytes.Buffer
			var links []int
			if page < len(tags.links) {
				links = tags.links[page]
			}
			for j := 0; len(list) > 0; j++ {
				d := pdfDictLen(list)
				if d <= 0 || j >= len(links) {
					return bad("annotation dictionary")
				}
				if refs.Len() > 0 {
					refs.WriteByte(' ')
				}
				k := len(annots)
				fmt.Fprintf(&refs, "%d 0 R", n+k)
				// printable (PDF/A), and the link's place in the structure
				annots = append(annots, slices.Concat(list[:d-2],
					[]byte(" /F 4 /StructParent "+strconv.Itoa(npages+k)+">>")))
				el := &tags.elems[links[j]]
				el.kids = append(el.kids, pdfKid{elem: -1, page: page, mcid: -1, annot: k})
				list = list[d:]
			}
			obj = slices.Concat(obj[:a+len(key)], refs.Bytes(), obj[a+e:])
		}
		offsets[i] = pos
		if _, err := out.Write(obj); err != nil {
			return err
		}
		pos += len(obj)
	}
	if tree.root != n+len(annots) || len(pages)-1 != npages {
		return bad("pages or annotations after the catalog")
	}
	offsets = append(offsets, make([]int, len(annots))...)
	var more bytes.Buffer // the objects added at the end
	for k, a := range annots {
		offsets[n+k] = pos + more.Len()
		more.WriteString(strconv.Itoa(n+k) + " 0 obj\n")
		more.Write(a)
		more.WriteString("\nendobj\n")
		tree.annots = append(tree.annots, n+k)
	}
	tree.pages = pages
	tags.writeTree(&more, tree, &offsets, pos)
	xmp := arch.xmp()
	offsets = append(offsets, pos+more.Len())
	fmt.Fprintf(&more, "%d 0 obj\n<</Type /Metadata /Subtype /XML /Length %d>>\nstream\n%s\nendstream\nendobj\n", tree.xmp, len(xmp), xmp)
	offsets = append(offsets, pos+more.Len())
	fmt.Fprintf(&more, "%d 0 obj\n<</Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) "+
		"/Info (sRGB IEC61966-2.1) /DestOutputProfile %d 0 R>>\nendobj\n", tree.intent, tree.icc)
	icc := pdfSRGB()
	offsets = append(offsets, pos+more.Len())
	fmt.Fprintf(&more, "%d 0 obj\n<</N 3 /Filter /FlateDecode /Length %d>>\nstream\n", tree.icc, len(icc))
	more.Write(icc)
	more.WriteString("\nendstream\nendobj\n")
	size := tree.icc + 1
	if len(offsets) != size {
		return bad("object numbers")
	}
	if _, err := out.Write(more.Bytes()); err != nil {
		return err
	}
	pos += more.Len()
	var fileID [sha256.Size]byte
	h.Sum(fileID[:0])
	docID := fileID
	if id != "" {
		docID = sha256.Sum256([]byte("craftscode document\x00" + id))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", size)
	for i := 1; i < size; i++ {
		fmt.Fprintf(&b, "%010d 00000 n \n", offsets[i])
	}
	b.WriteString("trailer\n<<\n")
	if !pdfSizeEntry.Match(dict) {
		return bad("trailer /Size")
	}
	b.Write(pdfSizeEntry.ReplaceAll(dict, []byte("/Size "+strconv.Itoa(size))))
	fmt.Fprintf(&b, "/ID [<%X> <%X>]\n>>\nstartxref\n%d\n%%%%EOF\n", docID[:16], fileID[:16], pos)
	_, err = w.Write(b.Bytes())
	return err
}

// pdfDeflate compresses b with a kept zlib writer.
func pdfDeflate(b []byte) []byte {
	zw := pdfGetZlib()
	defer pdfPutZlib(zw)
	var buf bytes.Buffer
	zw.Reset(&buf)
	_, _ = zw.Write(b) // writing to a bytes.Buffer does not fail
	_ = zw.Close()
	return buf.Bytes()
}

var (
	pdfInfoDate    = regexp.MustCompile(`\(D:(\d{14})\)`)
	pdfOutlinesRef = regexp.MustCompile(`/Outlines (\d+) 0 R`)
	pdfSizeEntry   = regexp.MustCompile(`/Size \d+`)
	pdfContentsRef = regexp.MustCompile(`/Contents (\d+) 0 R`)
	pdfFontName    = regexp.MustCompile(`/(BaseFont|FontName) /(utf8[^\s/<>\[\]()]+)`)
)

// fpdf makes a new zlib writer (about 1 MB) for every stream; the page
// streams are compressed here instead, with klauspost/compress (twice as
// fast as compress/zlib on them, and smaller) and a few kept writers (a
// sync.Pool would lose them at every garbage collection).
var pdfZlibFree = make(chan *zlib.Writer, 4)

func pdfGetZlib() *zlib.Writer {
	select {
	case zw := <-pdfZlibFree:
		return zw
	default:
		zw, _ := zlib.NewWriterLevel(io.Discard, zlib.BestSpeed) // a valid level: no error
		return zw
	}
}

func pdfPutZlib(zw *zlib.Writer) {
	select {
	case pdfZlibFree <- zw:
	default:
	}
}

// pdfDictLen is the length of the dictionary "<<...>>" at the start of b
// (nested dictionaries and literal strings included), or 0 if there is none.
func pdfDictLen(b []byte) int {
	if !bytes.HasPrefix(b, []byte("<<")) {
		return 0
	}
	depth := 0
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c == '(': // a literal string: balanced parentheses, backslash escapes
			nest := 0
			for ; i < len(b); i++ {
				switch b[i] {
				case '\\':
					i++
				case '(':
					nest++
				case ')':
					nest--
				}
				if nest == 0 {
					break
				}
			}
		case c == '<' && i+1 < len(b) && b[i+1] == '<':
			depth++
			i++
		case c == '>' && i+1 < len(b) && b[i+1] == '>':
			depth--
			i++
			if depth == 0 {
				return i + 1
			}
		}
	}
	return 0
}

// --- fonts and state -------------------------------------------------------------

func (r *pdfRenderer) loadFace(fc pdfFace) {
	if !r.loaded[fc] {
		def := pdfFaces[fc]
		// fpdf writes into the font bytes while subsetting, so each render
		// gets its own copy: the font slices are shared by the process.
		r.f.AddUTF8FontFromBytes(def.family, def.style, bytes.Clone(def.ttf))
		r.loaded[fc] = true
	}
}

// setFont selects a face, size and decoration (underline for links,
// strike-through) unless it is already selected.
func (r *pdfRenderer) setFont(fc pdfFace, size float64, deco pdfStyle) {
	deco &= pdfLink | pdfStrike
	if r.fontOK && r.curFace == fc && r.curSize == size && r.curDeco == deco {
		return
	}
	r.loadFace(fc)
	style := pdfFaces[fc].style
	if deco&pdfLink != 0 {
		style += "U"
	}
	if deco&pdfStrike != 0 {
		style += "S"
	}
	r.f.SetFont(pdfFaces[fc].family, style, size)
	r.curFace, r.curSize, r.curDeco, r.fontOK = fc, size, deco, true
}

// directFont selects a font without touching setFont's memory; the page
// header uses it, since AddPage restores the font selected before it.
func (r *pdfRenderer) directFont(fc pdfFace, size float64) {
	r.loadFace(fc)
	r.f.SetFont(pdfFaces[fc].family, pdfFaces[fc].style, size)
}

// toPage makes page p current for drawing on it after the fact. Its content
// stream ends in whatever state its last drawing left, so fonts and colours
// are selected again before use.
func (r *pdfRenderer) toPage(p int) {
	r.f.SetPage(p)
	r.fontOK = false
	r.f.SetFillColor(0, 0, 0)
	r.f.SetDrawColor(0, 0, 0)
	r.f.SetLineWidth(0.2)
}

// text draws s in a w×h cell at (x, y), leaving the flow position as it was.
func (r *pdfRenderer) text(x, y, w, h float64, s, align, url string) {
	px, py := r.f.GetXY()
	r.f.SetXY(x, y)
	r.f.CellFormat(w, h, s, "", 0, align, false, 0, url)
	r.f.SetXY(px, py)
}

// fill paints a rectangle and sets the fill colour back to black: fpdf
// wraps every piece of text in a colour change while the fill colour and the
// text colour differ.
func (r *pdfRenderer) fill(x, y, w, h float64, red, green, blue int) {
	r.f.SetFillColor(red, green, blue)
	r.f.Rect(x, y, w, h, "F")
	r.f.SetFillColor(0, 0, 0)
}

func (r *pdfRenderer) setTextColor(c [3]int) { r.f.SetTextColor(c[0], c[1], c[2]) }

var (
	pdfBlack    = [3]int{0, 0, 0}
	pdfGrey     = [3]int{90, 90, 90}
	pdfQuote    = [3]int{70, 70, 70}
	pdfLinkBlue = [3]int{20, 70, 160}
	pdfCodeInk  = [3]int{110, 30, 30}
	pdfDraftRed = [3]int{170, 30, 30}
)

// --- page furniture ------------------------------------------------------------

// pageHeader runs at the start of every page: the watermark first, so that
// the text is drawn over it, then the running header.
func (r *pdfRenderer) pageHeader() {
	r.artifact(r.drawPageHeader)
}

func (r *pdfRenderer) drawPageHeader() {
	f := r.f
	if r.meta.Draft {
		const size = 130.0
		r.directFont(pdfBoldFace, size)
		f.SetTextColor(226, 226, 226)
		mark := pdfClean(label(r.meta.Language, "doc.draft"))
		w := pdfTextWidth(pdfBoldFace, size, mark)
		cx, cy := pdfPageW/2, pdfPageH/2
		f.TransformBegin()
		f.TransformRotate(math.Atan2(pdfPageH, pdfPageW)*180/math.Pi, cx, cy)
		f.Text(cx-w/2, cy+0.35*size*ptToMM, mark)
		f.TransformEnd()
	}
	const size, y, h = 8.5, 10.0, 5.0
	f.SetTextColor(pdfGrey[0], pdfGrey[1], pdfGrey[2])
	x := pdfMarginL
	if a := pdfClean(r.meta.ProjectAcronym); a != "" {
		a = pdfTruncate(pdfBoldFace, size, a, pdfWidth/2)
		r.directFont(pdfBoldFace, size)
		w := pdfTextWidth(pdfBoldFace, size, a)
		r.text(x, y, w, h, a, "L", "")
		x += w + 6
	}
	if r.title != "" {
		t := pdfTruncate(pdfRegular, size, r.title, pdfRight-x)
		r.directFont(pdfRegular, size)
		w := pdfTextWidth(pdfRegular, size, t)
		r.text(pdfRight-w, y, w, h, t, "L", "")
	}
	f.SetDrawColor(170, 170, 170)
	f.SetLineWidth(0.2)
	f.Line(pdfMarginL, y+h+1, pdfRight, y+h+1)
}

// drawFooters writes "Page N of M" (and DRAFT on a draft) on every page
// once M is known. (fpdf's
// AliasNbPages would substitute a placeholder in the content streams, where
// user text could contain the same bytes.)
func (r *pdfRenderer) drawFooters(total int) {
	const size = 8.5
	for p := 1; p <= total; p++ {
		r.toPage(p)
		r.f.RawWriteStr("/Artifact <</Type /Pagination /Subtype /Footer>> BDC")
		r.setFont(pdfRegular, size, 0)
		r.setTextColor(pdfGrey)
		r.text(pdfMarginL, pdfPageH-13, pdfWidth, 5, pdfClean(label(r.meta.Language, "doc.page_of", "Page", p, "Pages", total)), "C", "")
		if r.meta.Draft {
			// besides the watermark, a plain mark that text search finds
			r.setFont(pdfBoldFace, size, 0)
			r.setTextColor(pdfDraftRed)
			r.text(pdfMarginL, pdfPageH-13, pdfWidth, 5, pdfClean(label(r.meta.Language, "doc.draft")), "L", "")
		}
		r.f.RawWriteStr("EMC")
	}
}

// pdfTruncate shortens s with an ellipsis to fit width.
func pdfTruncate(fc pdfFace, size float64, s string, width float64) string {
	if pdfTextWidth(fc, size, s) <= width {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 {
		rs = rs[:len(rs)-1]
		t := strings.TrimRight(string(rs), " ") + "…"
		if pdfTextWidth(fc, size, t) <= width {
			return t
		}
	}
	return ""
}

// --- title and contents ----------------------------------------------------------

// collectHeadings finds the headings for the table of contents. A first
// level-1 heading that repeats the title is left out of the body, since the
// title block already shows it.
func (r *pdfRenderer) collectHeadings() {
	root := r.root
	if h, ok := root.FirstChild().(*ast.Heading); ok && h.Level == 1 && r.title != "" &&
		strings.TrimSpace(pdfRunsText(r.inlineRuns(h, 0))) == r.title {
		r.skip = h
	}
	r.tocByNode = map[ast.Node]int{}
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		h, ok := n.(*ast.Heading)
		if !ok {
			if n.Type() == ast.TypeInline {
				return ast.WalkSkipChildren, nil
			}
			return ast.WalkContinue, nil
		}
		if h.Level <= 2 && n != r.skip {
			text := strings.TrimSpace(pdfRunsText(r.inlineRuns(h, 0)))
			if text == "" {
				return ast.WalkSkipChildren, nil
			}
			size, st, indent := pdfTOCStyle(h.Level)
			lines := pdfLayout([]pdfRun{{text: text, st: st}}, size, pdfWidth-indent-pdfTOCNumber)
			r.tocByNode[h] = len(r.toc)
			r.toc = append(r.toc, pdfTOCEntry{level: h.Level, lines: lines, link: r.f.AddLink()})
		}
		return ast.WalkSkipChildren, nil
	})
}

const pdfTOCNumber = 14.0 // the page number column of the contents

func pdfTOCStyle(level int) (size float64, st pdfStyle, indent float64) {
	if level == 1 {
		return 10.5, pdfBold, 0
	}
	return 10, 0, 7
}

func (r *pdfRenderer) titleBlock() {
	if r.title != "" {
		const size = 20.0
		r.textColor = pdfBlack
		_, leave := r.enter("H1")
		for _, ln := range pdfLayout([]pdfRun{{text: r.title, st: pdfBold}}, size, pdfWidth) {
			r.drawBandLine(ln, size, size*ptToMM*1.25)
		}
		leave()
	}
	var parts []string
	for _, s := range []string{r.meta.ProjectAcronym, r.meta.Author} {
		if s = pdfClean(strings.TrimSpace(s)); s != "" {
			parts = append(parts, s)
		}
	}
	if !r.meta.Created.IsZero() {
		parts = append(parts, dayIn(r.meta.Language, r.meta.Created))
	}
	if len(parts) > 0 {
		r.gap(2)
		r.textColor = pdfGrey
		r.paragraph(r.keepDates([]pdfRun{{text: strings.Join(parts, "  ·  ")}}), pdfBodySize)
		r.textColor = pdfBlack
	}
	if r.title != "" || len(parts) > 0 {
		r.gap(3)
		y := r.band(2)
		r.artifact(func() {
			r.f.SetDrawColor(120, 120, 120)
			r.f.SetLineWidth(0.4)
			r.f.Line(pdfMarginL, y+1, pdfRight, y+1)
			r.f.SetLineWidth(0.2)
		})
		r.f.SetXY(pdfMarginL, y+2)
	}
	r.textColor = pdfBlack
}

// reserveTOC lays the contents out after the title and keeps the pages it
// needs; its page numbers are written once the body has been laid out.
func (r *pdfRenderer) reserveTOC() {
	if len(r.toc) == 0 {
		r.gap(6)
		return
	}
	r.gap(6)
	const size = 14.0
	_, leave := r.enter("H2")
	for _, ln := range pdfLayout([]pdfRun{{text: pdfClean(label(r.meta.Language, "doc.contents")), st: pdfBold}}, size, pdfWidth) {
		r.drawBandLine(ln, size, pdfLineHeight(size))
	}
	leave()
	r.gap(2)
	toc := r.tags.add(r.cur, "TOC")
	for i := range r.toc {
		r.toc[i].elem = r.tags.add(r.tags.add(toc, "TOCI"), "Link")
	}
	page, y := r.f.PageNo(), r.f.GetY()
	for i := range r.toc {
		e := &r.toc[i]
		size, _, _ := pdfTOCStyle(e.level)
		h := float64(len(e.lines)) * pdfLineHeight(size)
		if e.level == 1 && i > 0 {
			y += 1.2
		}
		if y+h > pdfBottom {
			page, y = page+1, pdfTop
		}
		e.tocPage, e.tocY = page, y
		y += h + 0.6
	}
	for r.f.PageCount() < page {
		r.f.AddPage()
	}
	r.f.AddPage() // the body starts on a page of its own
}

func (r *pdfRenderer) drawTOC() {
	for _, e := range r.toc {
		r.toPage(e.tocPage)
		size, st, indent := pdfTOCStyle(e.level)
		lh := pdfLineHeight(size)
		x := pdfMarginL + indent
		r.textColor = pdfBlack
		r.cur = e.elem
		for i, ln := range e.lines {
			r.drawLine(ln, x, e.tocY+float64(i)*lh, size, lh)
		}
		r.cur = 0
		last := e.lines[len(e.lines)-1]
		y := e.tocY + float64(len(e.lines)-1)*lh
		num := strconv.Itoa(e.page)
		numX := pdfRight - pdfTOCNumber
		// dot leaders between the heading and its page number
		from, to := x+last.w+2, numX+pdfTOCNumber-pdfTextWidth(st.face(), size, num)-2
		r.setFont(pdfRegular, size, 0)
		r.setTextColor(pdfGrey)
		if dot := pdfTextWidth(pdfRegular, size, ". "); to-from > 2*dot {
			n := int((to - from) / dot)
			dots := strings.TrimSpace(strings.Repeat(". ", n))
			dw := pdfTextWidth(pdfRegular, size, dots)
			r.artifact(func() { r.text(to-dw, y, dw, lh, dots, "L", "") })
		}
		r.setFont(st.face(), size, 0)
		r.setTextColor(pdfBlack)
		r.mark(e.elem, func() { r.text(numX, y, pdfTOCNumber, lh, num, "R", "") })
		r.linked(e.elem)
		r.f.Link(x, e.tocY, pdfRight-x, float64(len(e.lines))*lh, e.link)
	}
}

// --- vertical flow -----------------------------------------------------------------

// ensure starts a new page unless h mm fit below the current position (or
// the position is already the top of a page).
func (r *pdfRenderer) ensure(h float64) {
	if y := r.f.GetY(); y+h > pdfBottom+pdfEps && y > pdfTop+pdfEps {
		r.f.AddPage()
	}
}

// band claims h mm of height at the current position for a line or a table
// row: it breaks the page when needed, draws the bars of enclosing block
// quotes and a pending list marker, and returns the band's top.
func (r *pdfRenderer) band(h float64) float64 {
	r.ensure(h)
	y := r.f.GetY()
	r.drawBars(y, h)
	if m := r.marker; m != nil {
		r.marker = nil
		r.setFont(pdfRegular, pdfBodySize, 0)
		r.setTextColor(r.textColor)
		r.mark(m.elem, func() { r.text(m.x, y, m.w, m.h, m.text, "R", "") })
	}
	r.f.SetXY(r.left, y+h)
	return y
}

// gap adds vertical space between blocks, except at the top of a page.
func (r *pdfRenderer) gap(h float64) {
	y := r.f.GetY()
	if y <= pdfTop+pdfEps {
		return
	}
	if y+h > pdfBottom {
		r.f.SetXY(r.left, pdfBottom)
		return
	}
	r.drawBars(y, h)
	r.f.SetXY(r.left, y+h)
}

func (r *pdfRenderer) drawBars(y, h float64) {
	if len(r.quoteBars) == 0 {
		return
	}
	r.artifact(func() {
		for _, x := range r.quoteBars {
			r.fill(x, y, 0.9, h, 200, 200, 200)
		}
	})
}

// drawBandLine draws one line of text in its own band at the left edge.
func (r *pdfRenderer) drawBandLine(ln pdfLine, size, lh float64) {
	y := r.band(lh)
	r.drawLine(ln, r.left, y, size, lh)
}

// drawLine draws a laid-out line with its top-left corner at (x, y).
func (r *pdfRenderer) drawLine(ln pdfLine, x, y, size, lh float64) {
	for _, fr := range ln.frags {
		if fr.st&(pdfLink|pdfStrike) == 0 && strings.Trim(fr.text, " ") == "" {
			continue
		}
		r.setFont(fr.st.face(), size, fr.st)
		switch {
		case fr.st&pdfLink != 0:
			r.setTextColor(pdfLinkBlue)
		case fr.st&pdfMono != 0:
			r.setTextColor(pdfCodeInk)
		default:
			r.setTextColor(r.textColor)
		}
		elem, url := r.cur, fr.url
		if r.plain {
			url = ""
		} else if url != "" {
			// the link's text and its annotation make one Link element
			elem = r.tags.add(r.cur, "Link")
			r.linked(elem)
		}
		r.mark(elem, func() { r.text(x+fr.x, y, fr.w, lh, fr.text, "L", url) })
	}
}

// --- blocks --------------------------------------------------------------------------

func (r *pdfRenderer) blocks(parent ast.Node) {
	var prev ast.Node
	for c := parent.FirstChild(); c != nil; c = c.NextSibling() {
		if c == r.skip {
			continue
		}
		if prev != nil {
			r.gap(pdfBlockGap(prev, c, parent))
		}
		if lang := pdfLang(blockLang(c)); lang != "" && lang != r.tags.elems[0].lang {
			r.pendingLang = lang // for the block's element: the English summary
		}
		r.block(c)
		r.pendingLang = ""
		prev = c
	}
}

func pdfBlockGap(prev, next, parent ast.Node) float64 {
	if h, ok := next.(*ast.Heading); ok {
		return [...]float64{0, 6, 5, 4, 3, 3, 3}[min(h.Level, 6)]
	}
	if _, ok := prev.(*ast.Heading); ok {
		return 1.5
	}
	if _, ok := parent.(*ast.ListItem); ok {
		if l, ok := parent.Parent().(*ast.List); ok && l.IsTight {
			return 0.8
		}
	}
	return 3
}

func (r *pdfRenderer) block(n ast.Node) {
	switch n := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		r.paragraph(r.inlineRuns(n, 0), pdfBodySize)
	case *ast.Heading:
		r.heading(n)
	case *ast.List:
		r.list(n)
	case *ast.Blockquote:
		r.quote(n)
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		r.codeBlock(n)
	case *ast.ThematicBreak:
		y := r.band(6)
		r.artifact(func() {
			r.f.SetDrawColor(150, 150, 150)
			r.f.SetLineWidth(0.3)
			r.f.Line(r.left, y+3, r.right, y+3)
			r.f.SetLineWidth(0.2)
		})
	case *ast.HTMLBlock:
		r.htmlBlock(n)
	case *east.Table:
		r.table(n)
	default:
		// a block of another kind: its text as a paragraph, or its blocks
		if c := n.FirstChild(); c != nil && c.Type() == ast.TypeInline {
			r.paragraph(r.inlineRuns(n, 0), pdfBodySize)
			return
		}
		r.blocks(n)
	}
}

func (r *pdfRenderer) paragraph(runs []pdfRun, size float64) {
	_, leave := r.enter("P")
	defer leave()
	lh := pdfLineHeight(size)
	for _, ln := range pdfLayout(runs, size, r.right-r.left) {
		r.drawBandLine(ln, size, lh)
	}
}

// pdfHeadingSize is a heading's font size and line height.
func pdfHeadingSize(level int) (size, lh float64) {
	size = [...]float64{0, 16, 13.5, 12, 11, 10.5, 10.5}[min(level, 6)]
	return size, size * ptToMM * 1.3
}

// keepHeight is the height a heading needs below its top so that it does
// not end a page: its own lines, then either the next heading's (a run of
// headings moves together) or the first two lines of the text that follows.
func (r *pdfRenderer) keepHeight(n *ast.Heading, lines int) float64 {
	_, lh := pdfHeadingSize(n.Level)
	h := float64(lines) * lh
	next := n.NextSibling()
	if nh, ok := next.(*ast.Heading); ok && nh != r.skip {
		size, _ := pdfHeadingSize(nh.Level)
		nl := len(pdfLayout(r.inlineRuns(nh, pdfBold), size, r.right-r.left))
		return h + pdfBlockGap(n, nh, n.Parent()) + r.keepHeight(nh, nl)
	}
	follow := 2 * pdfLineHeight(pdfBodySize)
	if _, ok := next.(*east.Table); ok {
		follow = 2*(pdfLineHeight(pdfTableSize)+2*1.2) + 1
	}
	if next != nil {
		h += pdfBlockGap(n, next, n.Parent())
	}
	return h + follow
}

func (r *pdfRenderer) heading(n *ast.Heading) {
	size, lh := pdfHeadingSize(n.Level)
	runs := r.inlineRuns(n, pdfBold)
	lines := pdfLayout(runs, size, r.right-r.left)
	// keep the heading with what follows it
	r.ensure(min(r.keepHeight(n, len(lines)), pdfBottom-pdfTop))
	y := r.f.GetY()
	if i, ok := r.tocByNode[n]; ok {
		r.f.SetLink(r.toc[i].link, y, -1)
		r.toc[i].page = r.f.PageNo()
	}
	if text := strings.TrimSpace(pdfRunsText(runs)); n.Level <= 3 && text != "" {
		// A bookmark nests under the nearest earlier heading of a higher
		// level, not under whatever came before: a document whose body
		// starts at level 2 keeps its level-2 headings side by side.
		for len(r.outline) > 0 && r.outline[len(r.outline)-1] >= n.Level {
			r.outline = r.outline[:len(r.outline)-1]
		}
		level := len(r.outline)
		r.outline = append(r.outline, n.Level)
		r.setFont(pdfBoldFace, size, 0) // bookmarks are UTF-16 only with a UTF-8 font selected
		r.f.Bookmark(text, level, y)
		r.outlineLevels = append(r.outlineLevels, level)
	}
	_, leave := r.enter("H" + strconv.Itoa(min(n.Level, 6)))
	for _, ln := range lines {
		r.drawBandLine(ln, size, lh)
	}
	leave()
}

var pdfBullets = [...]string{"•", "◦", "▪"}

func (r *pdfRenderer) list(l *ast.List) {
	lh := pdfLineHeight(pdfBodySize)
	count := l.ChildCount()
	box := 5.5
	if l.IsOrdered() {
		for i := range count {
			box = max(box, pdfTextWidth(pdfRegular, pdfBodySize, strconv.Itoa(l.Start+i)+string(l.Marker))+2)
		}
	}
	oldLeft := r.left
	markerX, left := r.left, r.left+box
	if limit := pdfMarginL + pdfMaxIndent; left > limit {
		left = max(limit, oldLeft)
		markerX = left - box
	}
	r.left = left
	depth := r.listDepth
	r.listDepth++
	_, leaveList := r.enter("L")
	defer leaveList()
	i := 0
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		if i > 0 {
			if l.IsTight {
				r.gap(0.8)
			} else {
				r.gap(3)
			}
		}
		text := pdfBullets[depth%len(pdfBullets)]
		if l.IsOrdered() {
			text = strconv.Itoa(l.Start+i) + string(l.Marker)
		}
		_, leaveItem := r.enter("LI")
		lbl := r.tags.add(r.cur, "Lbl")
		r.marker = &pdfMarker{text: text, x: markerX, w: box - 2, h: lh, elem: lbl}
		_, leaveBody := r.enter("LBody")
		r.blocks(item)
		if r.marker != nil { // an empty item still shows its marker
			r.band(lh)
		}
		leaveBody()
		leaveItem()
		i++
	}
	r.listDepth--
	r.left = oldLeft
}

func (r *pdfRenderer) quote(n *ast.Blockquote) {
	oldLeft, oldColor := r.left, r.textColor
	if r.left+5 <= pdfMarginL+pdfMaxIndent {
		r.quoteBars = append(r.quoteBars, r.left+0.5)
		r.left += 5
	}
	r.textColor = pdfQuote
	_, leave := r.enter("BlockQuote")
	r.blocks(n)
	leave()
	if r.left != oldLeft {
		r.quoteBars = r.quoteBars[:len(r.quoteBars)-1]
	}
	r.left, r.textColor = oldLeft, oldColor
}

func (r *pdfRenderer) codeBlock(n ast.Node) {
	const size, pad, padV = pdfCodeSize, 2.0, 1.5
	lh := pdfLineHeight(size)
	width := r.right - r.left - 2*pad
	var rows []string
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		s := strings.TrimRight(string(seg.Value(r.src)), "\r\n")
		s = pdfClean(pdfExpandTabs(s))
		rows = append(rows, pdfWrapChars(pdfMonoFace, size, s, width)...)
	}
	if len(rows) == 0 {
		rows = []string{""}
	}
	code, leave := r.enter("Code")
	defer leave()
	for i, s := range rows {
		h, top := lh, 0.0
		if i == 0 {
			h, top = h+padV, padV
		}
		if i == len(rows)-1 {
			h += padV
		}
		y := r.band(h)
		r.artifact(func() { r.fill(r.left, y, r.right-r.left, h, 243, 243, 243) })
		if s != "" {
			r.setFont(pdfMonoFace, size, 0)
			r.setTextColor(pdfBlack)
			r.mark(code, func() { r.text(r.left+pad, y+top, width, lh, s, "L", "") })
		}
	}
}

func pdfExpandTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	col := 0
	for _, r := range s {
		if r == '\t' {
			n := 4 - col%4
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
}

// pdfWrapChars breaks s between characters so that each piece fits width.
func pdfWrapChars(fc pdfFace, size float64, s string, width float64) []string {
	if pdfTextWidth(fc, size, s) <= width+pdfEps {
		return []string{s}
	}
	var out []string
	start, w := 0, 0.0
	for i, r := range s {
		rw := pdfTextWidth(fc, size, string(r))
		if w+rw > width+pdfEps && i > start {
			out = append(out, s[start:i])
			start, w = i, 0
		}
		w += rw
	}
	return append(out, s[start:])
}

// htmlBlock prints raw HTML as the literal text it is, line by line.
func (r *pdfRenderer) htmlBlock(n *ast.HTMLBlock) {
	var runs []pdfRun
	add := func(v []byte) {
		if len(runs) > 0 {
			runs = append(runs, pdfRun{br: true})
		}
		runs = append(runs, pdfRun{text: pdfClean(pdfExpandTabs(strings.TrimRight(string(v), "\r\n")))})
	}
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		add(seg.Value(r.src))
	}
	if n.HasClosure() {
		add(n.ClosureLine.Value(r.src))
	}
	r.paragraph(runs, pdfBodySize)
}

// --- tables --------------------------------------------------------------------------

type pdfCell struct {
	runs  []pdfRun
	align east.Alignment
	lines []pdfLine
	elem  int // its TH or TD element
}

func (r *pdfRenderer) table(t *east.Table) {
	const size, padX, padY = pdfTableSize, 1.6, 1.2
	lh := pdfLineHeight(size)
	var rows [][]*pdfCell
	hasHeader := false
	ncols := len(t.Alignments)
	for row := t.FirstChild(); row != nil; row = row.NextSibling() {
		_, isHeader := row.(*east.TableHeader)
		if isHeader && len(rows) == 0 {
			hasHeader = true
		}
		var cells []*pdfCell
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			st := pdfStyle(0)
			if isHeader {
				st = pdfBold
			}
			cell := &pdfCell{runs: r.inlineRuns(c, st)}
			if tc, ok := c.(*east.TableCell); ok {
				cell.align = tc.Alignment
			}
			cells = append(cells, cell)
		}
		ncols = max(ncols, len(cells))
		rows = append(rows, cells)
	}
	if ncols == 0 || len(rows) == 0 {
		return
	}
	for i := range rows {
		for len(rows[i]) < ncols {
			rows[i] = append(rows[i], &pdfCell{})
		}
	}
	widths := r.columnWidths(rows, ncols, size, 2*padX)
	// the structure: a TR per row, a TH (header row) or TD per cell
	table, leave := r.enter("Table")
	defer leave()
	for i, row := range rows {
		tr := r.tags.add(table, "TR")
		for _, c := range row {
			if i == 0 && hasHeader {
				c.elem = r.tags.add(tr, "TH")
				r.tags.elems[c.elem].scope = "Column"
			} else {
				c.elem = r.tags.add(tr, "TD")
			}
		}
	}
	for _, row := range rows {
		for j, c := range row {
			c.lines = pdfLayout(c.runs, size, widths[j]-2*padX)
		}
	}
	rowLines := func(row []*pdfCell) int {
		n := 1
		for _, c := range row {
			n = max(n, len(c.lines))
		}
		return n
	}
	rowH := func(row []*pdfCell) float64 { return float64(rowLines(row))*lh + 2*padY }
	page := pdfBottom - pdfTop
	var header []*pdfCell
	if hasHeader {
		header = rows[0]
		if rowH(header) > page/3 {
			header = nil // too tall to repeat on every page
		}
	}
	draw := func(row []*pdfCell, from, to int, top, bottom, isHeader bool) {
		r.drawRow(row, widths, from, to, top, bottom, isHeader, false, size, lh, padX, padY)
	}
	newPage := func() {
		r.f.AddPage()
		if header != nil {
			// the header repeated on a new page is an artifact: its
			// cells are in the structure once
			r.drawRow(header, widths, 0, rowLines(header), true, true, true, true, size, lh, padX, padY)
		}
	}
	start := 0
	if hasHeader {
		// the header row stays with the first body row
		need := rowH(rows[0])
		if len(rows) > 1 && rowH(rows[1]) <= page-need {
			need += rowH(rows[1])
		}
		r.ensure(need)
		draw(rows[0], 0, rowLines(rows[0]), true, true, true)
		start = 1
	}
	for _, row := range rows[start:] {
		nl, h := rowLines(row), rowH(row)
		if r.f.GetY()+h > pdfBottom+pdfEps && r.f.GetY() > pdfTop+pdfEps {
			hh := 0.0
			if header != nil {
				hh = rowH(header)
			}
			if h <= page-hh {
				newPage()
			}
		}
		if r.f.GetY()+h <= pdfBottom+pdfEps {
			draw(row, 0, nl, true, true, false)
			continue
		}
		// A row taller than a page is split between lines; every page
		// takes at least one line, so this ends.
		fresh := false
		for from := 0; from < nl; {
			avail := pdfBottom - r.f.GetY()
			extra := padY
			if from == 0 {
				extra += padY
			}
			k := int((avail - extra + pdfEps) / lh)
			if k < 1 && !fresh {
				newPage()
				fresh = true
				continue
			}
			to := min(nl, from+max(k, 1))
			draw(row, from, to, from == 0, true, false)
			from, fresh = to, false
			if from < nl {
				newPage()
				fresh = true
			}
		}
	}
}

// columnWidths shares the content width between columns. Each column gets
// at least its widest word (up to half the width) and at most what its
// longest cell needs on one line; the rest is shared in proportion to what
// the columns need, and narrow columns (numbers, dates, amounts) are
// satisfied first, so that they do not wrap. When all columns fit, they are
// widened to the full width.
func (r *pdfRenderer) columnWidths(rows [][]*pdfCell, ncols int, size, pad float64) []float64 {
	avail := r.right - r.left
	nat := make([]float64, ncols)
	widths := make([]float64, ncols) // starts as the minimum
	for _, row := range rows {
		for j, c := range row {
			n, w := pdfMeasure(c.runs, size)
			nat[j] = max(nat[j], n+pad)
			widths[j] = max(widths[j], min(w, avail/2)+pad)
		}
	}
	sumNat, sumMin := 0.0, 0.0
	for j := range nat {
		nat[j] = max(nat[j], widths[j])
		sumNat += nat[j]
		sumMin += widths[j]
	}
	switch {
	case sumNat <= avail:
		for j := range widths {
			widths[j] = nat[j] * avail / sumNat
		}
		return widths
	case sumMin >= avail:
		for j := range widths {
			widths[j] *= avail / sumMin
		}
		return widths
	}
	// Share what is left above the minimum: a column whose share covers all
	// it needs gets just that, and the others share the rest again.
	rest := avail - sumMin
	open := make([]bool, ncols)
	for j := range open {
		open[j] = nat[j] > widths[j]
	}
	for rest > pdfEps {
		weight := 0.0
		for j := range nat {
			if open[j] {
				weight += nat[j]
			}
		}
		if weight == 0 {
			break
		}
		done := false
		for j := range nat {
			if open[j] && rest*nat[j]/weight >= nat[j]-widths[j] {
				rest -= nat[j] - widths[j]
				widths[j], open[j], done = nat[j], false, true
			}
		}
		if done {
			continue
		}
		for j := range nat {
			if open[j] {
				widths[j] += rest * nat[j] / weight
			}
		}
		break
	}
	return widths
}

func (r *pdfRenderer) drawRow(row []*pdfCell, widths []float64, from, to int, top, bottom, header, repeat bool, size, lh, padX, padY float64) {
	h := float64(to-from) * lh
	ty := 0.0
	if top {
		h += padY
		ty = padY
	}
	if bottom {
		h += padY
	}
	y := r.band(h)
	total := 0.0
	for _, w := range widths {
		total += w
	}
	r.artifact(func() {
		if header {
			r.fill(r.left, y, total, h, 228, 233, 241)
		}
		r.f.SetDrawColor(140, 140, 140)
		r.f.SetLineWidth(0.2)
		x := r.left
		for _, w := range widths {
			r.f.Rect(x, y, w, h, "D")
			x += w
		}
	})
	if repeat {
		r.f.RawWriteStr("/Artifact BMC")
		r.plain = true
		defer func() {
			r.plain = false
			r.f.RawWriteStr("EMC")
		}()
	}
	x := r.left
	prev := r.cur
	defer func() { r.cur = prev }()
	for j, c := range row {
		w := widths[j]
		r.cur = c.elem
		for i := from; i < to && i < len(c.lines); i++ {
			ln := c.lines[i]
			off := padX
			switch c.align {
			case east.AlignRight:
				off = w - padX - ln.w
			case east.AlignCenter:
				off = (w - ln.w) / 2
			}
			r.drawLine(ln, x+off, y+ty+float64(i-from)*lh, size, lh)
		}
		x += w
	}
	r.f.SetXY(r.left, y+h)
}

// --- inlines -------------------------------------------------------------------------

func (r *pdfRenderer) inlineRuns(n ast.Node, st pdfStyle) []pdfRun {
	return r.keepDates(r.appendInlines(nil, n, st, ""))
}

// keepDates marks the dates in runs so that no line breaks inside one.
func (r *pdfRenderer) keepDates(runs []pdfRun) []pdfRun {
	for i := range runs {
		if strings.Contains(runs[i].text, " ") && strings.ContainsAny(runs[i].text, "0123456789") {
			if r.dates == nil {
				r.dates = datesIn(r.meta.Language)
			}
			runs[i].dates = r.dates.FindAllStringIndex(runs[i].text, -1)
		}
	}
	return runs
}

// appendInlines turns n's inline children into runs. Nothing in them is
// interpreted beyond Markdown: raw HTML is kept as the literal text it is.
func (r *pdfRenderer) appendInlines(out []pdfRun, n ast.Node, st pdfStyle, url string) []pdfRun {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			v := c.Segment.Value(r.src)
			s := string(v)
			if !c.IsRaw() {
				s = pdfDecode(v)
			}
			out = append(out, pdfRun{text: pdfClean(s), st: st, url: url})
			if c.HardLineBreak() {
				out = append(out, pdfRun{br: true})
			} else if c.SoftLineBreak() {
				out = append(out, pdfRun{text: " ", st: st, url: url})
			}
		case *ast.String:
			s := string(c.Value)
			if !c.IsRaw() && !c.IsCode() {
				s = pdfDecode(c.Value)
			}
			out = append(out, pdfRun{text: pdfClean(s), st: st, url: url})
		case *ast.CodeSpan:
			var b strings.Builder
			for cc := c.FirstChild(); cc != nil; cc = cc.NextSibling() {
				switch t := cc.(type) {
				case *ast.Text:
					b.Write(t.Segment.Value(r.src))
				case *ast.String:
					b.Write(t.Value)
				}
			}
			out = append(out, pdfRun{text: pdfClean(b.String()), st: st | pdfMono, url: url})
		case *ast.Emphasis:
			s := st | pdfItalic
			if c.Level >= 2 {
				s = st | pdfBold
			}
			out = r.appendInlines(out, c, s, url)
		case *east.Strikethrough:
			out = r.appendInlines(out, c, st|pdfStrike, url)
		case *ast.Link:
			dest := pdfClean(strings.TrimSpace(string(c.Destination)))
			from := len(out)
			out = r.appendInlines(out, c, st|pdfLink, pdfLinkTarget(dest))
			label := strings.TrimSpace(pdfRunsText(out[from:]))
			if dest != "" && dest != label && dest != "mailto:"+label {
				out = append(out, pdfRun{text: " (" + dest + ")", st: st, url: url})
			}
		case *ast.AutoLink:
			label := pdfClean(string(c.Label(r.src)))
			out = append(out, pdfRun{text: label, st: st | pdfLink, url: pdfLinkTarget(string(c.URL(r.src)))})
		case *ast.Image:
			alt := strings.TrimSpace(pdfRunsText(r.appendInlines(nil, c, 0, "")))
			text := "[image"
			if alt != "" {
				text += ": " + alt
			}
			out = append(out, pdfRun{text: text + "]", st: st | pdfItalic, url: url})
		case *ast.RawHTML:
			for i := 0; i < c.Segments.Len(); i++ {
				seg := c.Segments.At(i)
				out = append(out, pdfRun{text: pdfClean(string(seg.Value(r.src))), st: st, url: url})
			}
		default:
			out = r.appendInlines(out, c, st, url)
		}
	}
	return out
}
