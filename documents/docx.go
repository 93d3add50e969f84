package documents

// DOCX writer: a minimal but complete WordprocessingML package (ECMA-376,
// transitional) written with archive/zip, from the same goldmark tree that
// every format walks.
//
// The package holds these parts, always in this order:
//
//	[Content_Types].xml
//	_rels/.rels
//	docProps/core.xml             title, creator, language, dates, identifier
//	docProps/app.xml
//	word/document.xml             title, table of contents with page numbers, body, section
//	word/styles.xml               Title, Heading1–4, TOC1–3, lists, quote, code, table
//	word/numbering.xml            bullets and decimal numbering, one w:num per list
//	word/settings.xml             language (no updateFields: the TOC has its page numbers)
//	word/header1.xml              project acronym and, for drafts, DRAFT
//	word/footer1.xml              Page X of Y
//	word/_rels/document.xml.rels
//
// Output is deterministic: the entry order is fixed, every entry carries
// Meta.Created as its modification time, nothing iterates a map, and the only
// ids (bookmarks, list instances) come from counters in document order.

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Page geometry in twentieths of a point: A4 with 2 cm side margins.
const (
	docxPageW     = 11906
	docxPageH     = 16838
	docxMarginLR  = 1134
	docxTextWidth = docxPageW - 2*docxMarginLR // 9638
	docxListStep  = 720                        // indent per list level
	docxQuoteStep = 567                        // indent per block-quote level
	docxMaxLevel  = 8                          // w:ilvl is 0..8
)

const (
	docxNSW = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	docxNSR = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	docxPI  = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
)

// renderDOCX writes d as a .docx package.
func renderDOCX(w io.Writer, d *Doc) error {
	if d == nil {
		return errRender(FormatDOCX, errors.New("nil document"))
	}
	dw := newDocxWriter(d)
	dw.document()
	if err := dw.pack(w); err != nil {
		return errRender(FormatDOCX, err)
	}
	return nil
}

// docxList is one list in the document: its own w:num, so that numbering
// restarts for every list.
type docxList struct {
	ordered bool
	ilvl    int
	start   int
}

type docxHeading struct {
	node  *ast.Heading
	level int
	text  []byte
}

type docxWriter struct {
	src  []byte
	root ast.Node
	meta Meta
	lang string // BCP 47 tag or ""
	// runLang is the language of the part being written when it is not
	// the document's (w:lang on its runs), or ""
	runLang string

	b        bytes.Buffer // word/document.xml
	scratch  []byte       // escaping and numbers
	text     []byte       // a run's text, before escaping
	lists    []docxList
	headings []docxHeading // headings 1–3 in document order: TOC entries and bookmarks
	nextHead int           // index into headings while writing the body
	title    *ast.Heading  // a first H1 that repeats Meta.Title, written as the Title
	datesRE  *regexp.Regexp
	lay      docxLayout // where the text falls on the pages: the TOC's page numbers
	cellW    int        // > 0 while a table cell is written: its width
	pages    int        // the page count the layout expects
}

// docxRunFmt is the character formatting of a run.
type docxRunFmt struct {
	bold, italic, strike, code bool
}

// docxPProps is the paragraph formatting of a paragraph.
type docxPProps struct {
	style   string
	numID   int // > 0: a numbered paragraph
	ilvl    int
	rule    bool // a bottom border: thematic break
	indLeft int  // > 0: direct left indent
	jc      string
}

// docxCtx is where a block sits: list nesting and block-quote depth.
type docxCtx struct {
	ilvl   int // -1 outside lists
	indent int // left indent of the enclosing list item's content
	quote  int
}

func newDocxWriter(d *Doc) *docxWriter {
	dw := &docxWriter{src: d.Source, root: d.Root, meta: d.Meta, lang: docxLang(d.Meta.Language)}
	dw.b.Grow(64<<10 + 8*len(d.Source))
	if dw.root == nil {
		return dw
	}
	if first, ok := dw.root.FirstChild().(*ast.Heading); ok && first.Level == 1 {
		if t := strings.TrimSpace(d.Meta.Title); t != "" && strings.TrimSpace(string(dw.plain(nil, first))) == t {
			dw.title = first
		}
	}
	_ = ast.Walk(dw.root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		h, ok := n.(*ast.Heading)
		if !ok {
			return ast.WalkContinue, nil
		}
		if h.Level <= 3 && h != dw.title {
			dw.headings = append(dw.headings, docxHeading{node: h, level: h.Level, text: dw.plain(nil, h)})
		}
		return ast.WalkSkipChildren, nil
	})
	return dw
}

// ---------------------------------------------------------------------------
// Escaping

// escText appends s as XML character data: characters that XML 1.0 forbids
// are dropped, invalid UTF-8 becomes U+FFFD, and the rest goes through
// encoding/xml's escaping.
func (dw *docxWriter) escText(s []byte) {
	if docxNeedsClean(s) {
		dw.scratch = docxClean(dw.scratch[:0], s)
		s = dw.scratch
	}
	_ = xml.EscapeText(&dw.b, s)
}

// docxEscape returns s escaped for character data or an attribute value.
func docxEscape(s string) string {
	var b bytes.Buffer
	src := []byte(s)
	if docxNeedsClean(src) {
		src = docxClean(nil, src)
	}
	_ = xml.EscapeText(&b, src)
	return b.String()
}

// docxNeedsClean reports whether s has bytes that docxClean would change.
// Tabs and newlines are kept here; run text replaces them with w:tab and
// w:br before escaping.
func docxNeedsClean(s []byte) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		if (r == utf8.RuneError && n == 1) || r == 0xFFFE || r == 0xFFFF {
			return true
		}
		i += n
	}
	return false
}

// docxClean appends s to dst without the characters XML 1.0 forbids (C0
// controls other than tab and newline, carriage returns, U+FFFE, U+FFFF);
// invalid UTF-8 becomes U+FFFD.
func docxClean(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 || c == '\t' || c == '\n' {
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		case r == 0xFFFE || r == 0xFFFF:
		default:
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return dst
}

// docxUnescape appends Markdown text to dst as a reader sees it: a backslash
// before ASCII punctuation escapes it (so a template may escape user text
// as `\*`), and nothing else is interpreted. Entity and character references
// are NOT resolved: `&amp;` in the text stays the five characters "&amp;",
// so user text that looks like markup always comes out literally.
func docxUnescape(dst, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && util.IsPunct(s[i+1]) {
			i++
			c = s[i]
		}
		dst = append(dst, c)
	}
	return dst
}

// docxLang maps an ISO 639-1 code to the BCP 47 tag Word expects (with a
// region); a tag that already has one is kept. Anything that is not a
// plausible tag gives "".
func docxLang(code string) string {
	code = strings.ReplaceAll(strings.TrimSpace(code), "_", "-")
	if code == "" || len(code) > 35 {
		return ""
	}
	for _, c := range code {
		if !(c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return ""
		}
	}
	if strings.Contains(code, "-") {
		return code
	}
	switch strings.ToLower(code) {
	case "bg":
		return "bg-BG"
	case "cs":
		return "cs-CZ"
	case "da":
		return "da-DK"
	case "de":
		return "de-DE"
	case "el":
		return "el-GR"
	case "en":
		return "en-GB"
	case "es":
		return "es-ES"
	case "et":
		return "et-EE"
	case "fi":
		return "fi-FI"
	case "fo":
		return "fo-FO"
	case "fr":
		return "fr-FR"
	case "ga":
		return "ga-IE"
	case "hr":
		return "hr-HR"
	case "hu":
		return "hu-HU"
	case "is":
		return "is-IS"
	case "it":
		return "it-IT"
	case "lt":
		return "lt-LT"
	case "lv":
		return "lv-LV"
	case "mt":
		return "mt-MT"
	case "nb", "no":
		return "nb-NO"
	case "nl":
		return "nl-NL"
	case "pl":
		return "pl-PL"
	case "pt":
		return "pt-PT"
	case "ro":
		return "ro-RO"
	case "sk":
		return "sk-SK"
	case "sl":
		return "sl-SI"
	case "sv":
		return "sv-SE"
	}
	return strings.ToLower(code)
}

// ---------------------------------------------------------------------------
// Plain text (TOC entries, the title check)

// plain appends the text of n's inline children as a reader sees it.
func (dw *docxWriter) plain(dst []byte, n ast.Node) []byte {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			v := t.Segment.Value(dw.src)
			if t.IsRaw() {
				dst = append(dst, v...)
			} else {
				dst = docxUnescape(dst, v)
			}
			if t.SoftLineBreak() || t.HardLineBreak() {
				dst = append(dst, ' ')
			}
		case *ast.String:
			if t.IsRaw() || t.IsCode() {
				dst = append(dst, t.Value...)
			} else {
				dst = docxUnescape(dst, t.Value)
			}
		case *ast.CodeSpan:
			dst = dw.codeSpanText(dst, t)
		case *ast.AutoLink:
			dst = append(dst, t.Label(dw.src)...)
		case *ast.RawHTML:
			dst = dw.rawHTMLText(dst, t)
		default:
			dst = dw.plain(dst, c)
		}
	}
	return dst
}

func (dw *docxWriter) codeSpanText(dst []byte, n *ast.CodeSpan) []byte {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			v := t.Segment.Value(dw.src)
			if len(v) > 0 && v[len(v)-1] == '\n' {
				dst = append(append(dst, v[:len(v)-1]...), ' ')
			} else {
				dst = append(dst, v...)
			}
		case *ast.String:
			dst = append(dst, t.Value...)
		}
	}
	return dst
}

func (dw *docxWriter) rawHTMLText(dst []byte, n *ast.RawHTML) []byte {
	for i := 0; i < n.Segments.Len(); i++ {
		seg := n.Segments.At(i)
		for _, c := range seg.Value(dw.src) {
			if c == '\n' || c == '\r' {
				c = ' '
			}
			dst = append(dst, c)
		}
	}
	return dst
}

// ---------------------------------------------------------------------------
// word/document.xml

func (dw *docxWriter) document() {
	b := &dw.b
	b.WriteString(docxPI)
	b.WriteString(`<w:document xmlns:w="` + docxNSW + `" xmlns:r="` + docxNSR + `"><w:body>` + "\n")
	written := b.Len()

	switch {
	case dw.title != nil:
		dw.paragraph(docxPProps{style: "Title"}, dw.title, docxRunFmt{})
	case strings.TrimSpace(dw.meta.Title) != "":
		b.WriteString(`<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr>`)
		dw.lay.begin("Title", 0, 0)
		dw.run([]byte(dw.meta.Title), docxRunFmt{})
		dw.lay.end(0)
		b.WriteString("</w:p>\n")
	}
	// The table of contents is written after the body, when the layout
	// knows the pages, and put in its place; its own lines are measured
	// now, in order.
	tocAt := b.Len()
	dw.measureTOC()
	if dw.root != nil {
		dw.blocks(dw.root, docxCtx{ilvl: -1})
	}
	if b.Len() == written {
		b.WriteString("<w:p/>\n") // a body needs a paragraph before its section
		dw.lay.begin("", 0, 0)
		dw.lay.end(0)
	}
	pages, total := dw.lay.pages(len(dw.headings))
	dw.pages = total
	body := bytes.Clone(b.Bytes()[tocAt:])
	b.Truncate(tocAt)
	dw.toc(pages)
	b.Write(body)
	b.WriteString(`<w:sectPr><w:headerReference w:type="default" r:id="rId4"/>` +
		`<w:footerReference w:type="default" r:id="rId5"/>` +
		`<w:pgSz w:w="` + docxItoa(docxPageW) + `" w:h="` + docxItoa(docxPageH) + `"/>` +
		`<w:pgMar w:top="1418" w:right="` + docxItoa(docxMarginLR) + `" w:bottom="1418" w:left="` + docxItoa(docxMarginLR) +
		`" w:header="709" w:footer="709" w:gutter="0"/><w:cols w:space="708"/></w:sectPr>` +
		"\n</w:body></w:document>\n")
}

func docxItoa(i int) string { return strconv.Itoa(i) }

func (dw *docxWriter) int(i int) {
	dw.scratch = strconv.AppendInt(dw.scratch[:0], int64(i), 10)
	dw.b.Write(dw.scratch)
}

// toc writes a TOC field whose result is already filled in: each heading
// with its page number (a PAGEREF field to the heading's bookmark, its
// result the page the layout expects), so that the table is complete when
// the file is opened and nothing asks to update fields. Word's "Update
// field" recomputes the numbers exactly.
func (dw *docxWriter) toc(pages []int) {
	if len(dw.headings) == 0 {
		return
	}
	b := &dw.b
	b.WriteString(`<w:p><w:pPr><w:pStyle w:val="TOCHeading"/></w:pPr><w:r><w:t>` + docxEscape(label(dw.meta.Language, "doc.contents")) + `</w:t></w:r></w:p>` + "\n")
	for i, h := range dw.headings {
		b.WriteString(`<w:p><w:pPr><w:pStyle w:val="TOC`)
		dw.int(h.level)
		b.WriteString(`"/></w:pPr>`)
		if i == 0 {
			b.WriteString(`<w:r><w:fldChar w:fldCharType="begin"/></w:r>` +
				`<w:r><w:instrText xml:space="preserve"> TOC \o "1-3" \h \z \u </w:instrText></w:r>` +
				`<w:r><w:fldChar w:fldCharType="separate"/></w:r>`)
		}
		b.WriteString(`<w:hyperlink w:anchor="_Toc`)
		dw.int(i + 1)
		b.WriteString(`" w:history="1">`)
		dw.run(h.text, docxRunFmt{})
		b.WriteString(`<w:r><w:tab/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGEREF _Toc`)
		dw.int(i + 1)
		b.WriteString(` \h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>`)
		dw.int(pages[i+1])
		b.WriteString(`</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink></w:p>` + "\n")
	}
	b.WriteString(`<w:p><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>` + "\n")
}

// measureTOC measures the table of contents' lines for the layout: the
// heading, one entry per heading (its text, less room for the dot leader
// and the page number), and the paragraph that ends the field.
func (dw *docxWriter) measureTOC() {
	if len(dw.headings) == 0 {
		return
	}
	l := &dw.lay
	l.begin("TOCHeading", 0, 0)
	l.text([]byte(label(dw.meta.Language, "doc.contents")), docxRunFmt{})
	l.end(0)
	for _, h := range dw.headings {
		l.begin("TOC"+docxItoa(h.level), 0, docxTextWidth-600)
		l.text(h.text, docxRunFmt{})
		l.end(0)
	}
	l.begin("", 0, 0)
	l.end(0)
}

func (dw *docxWriter) blocks(parent ast.Node, c docxCtx) {
	for n := parent.FirstChild(); n != nil; n = n.NextSibling() {
		if parent == dw.root {
			// a part in another language (see markLanguages)
			dw.runLang = ""
			if l := blockLang(n); l != "" {
				dw.runLang = docxLang(l)
			}
		}
		dw.block(n, c, 0, 0)
	}
	if parent == dw.root {
		dw.runLang = ""
	}
}

// block writes one block. numID > 0 numbers it (the first paragraph of a
// list item) at level ilvl.
func (dw *docxWriter) block(n ast.Node, c docxCtx, numID, ilvl int) {
	switch t := n.(type) {
	case *ast.Paragraph, *ast.TextBlock:
		dw.paragraph(dw.bodyProps(c, numID, ilvl), n, docxRunFmt{})
	case *ast.Heading:
		if t != dw.title { // the title was written before the TOC
			dw.heading(t)
		}
	case *ast.List:
		dw.list(t, c)
	case *ast.Blockquote:
		c.quote++
		dw.blocks(t, c)
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		p := dw.bodyProps(c, numID, ilvl)
		if c.quote > 0 && numID == 0 { // the Quote style's indent is lost with it
			p.indLeft = c.indent + c.quote*docxQuoteStep
		}
		p.style = "SourceCode"
		dw.lines(p, n.Lines(), nil)
	case *ast.HTMLBlock:
		var closure *ast.HTMLBlock
		if t.HasClosure() {
			closure = t
		}
		dw.lines(dw.bodyProps(c, numID, ilvl), n.Lines(), closure)
	case *ast.ThematicBreak:
		p := dw.bodyProps(c, numID, ilvl)
		p.style, p.rule = "", true
		dw.paragraph(p, nil, docxRunFmt{})
	case *east.Table:
		dw.table(t, c)
	default:
		if n.Type() == ast.TypeBlock && n.HasChildren() {
			dw.blocks(n, c)
		}
	}
}

// bodyProps is the paragraph formatting of a body paragraph in context.
func (dw *docxWriter) bodyProps(c docxCtx, numID, ilvl int) docxPProps {
	p := docxPProps{numID: numID, ilvl: ilvl}
	switch {
	case c.quote > 0:
		p.style = "Quote" // indented by docxQuoteStep
		if (c.indent > 0 || c.quote > 1) && numID == 0 {
			p.indLeft = c.indent + c.quote*docxQuoteStep
		}
	case numID > 0:
		p.style = "ListParagraph"
	case c.ilvl >= 0:
		p.style = "ListParagraph"
		p.indLeft = c.indent
	}
	return p
}

func (dw *docxWriter) heading(h *ast.Heading) {
	style := "Heading4"
	if h.Level <= 3 {
		style = "Heading" + docxItoa(h.Level)
	}
	bookmark := 0
	if h.Level <= 3 && dw.nextHead < len(dw.headings) && dw.headings[dw.nextHead].node == h {
		dw.nextHead++
		bookmark = dw.nextHead
	}
	b := &dw.b
	b.WriteString("<w:p>")
	dw.ppr(docxPProps{style: style})
	dw.lay.begin(style, 0, 0)
	defer dw.lay.end(bookmark)
	if bookmark > 0 {
		b.WriteString(`<w:bookmarkStart w:id="`)
		dw.int(bookmark)
		b.WriteString(`" w:name="_Toc`)
		dw.int(bookmark)
		b.WriteString(`"/>`)
	}
	dw.inlines(h, docxRunFmt{})
	if bookmark > 0 {
		b.WriteString(`<w:bookmarkEnd w:id="`)
		dw.int(bookmark)
		b.WriteString(`"/>`)
	}
	b.WriteString("</w:p>\n")
}

func (dw *docxWriter) paragraph(p docxPProps, inline ast.Node, f docxRunFmt) {
	dw.b.WriteString("<w:p>")
	dw.ppr(p)
	dw.measure(p)
	if inline != nil {
		dw.inlines(inline, f)
	}
	dw.lay.end(0)
	dw.b.WriteString("</w:p>\n")
}

// measure starts measuring a paragraph with its indent: a direct one, a
// list level's, or its style's; in a table cell, within the cell.
func (dw *docxWriter) measure(p docxPProps) {
	ind := p.indLeft
	if ind == 0 && p.numID > 0 {
		ind = (p.ilvl + 1) * docxListStep
	}
	width := 0
	if dw.cellW > 0 {
		width = dw.cellW - 2*docxCellMarLR
	}
	dw.lay.begin(p.style, ind, width)
}

// ppr writes w:pPr, its children in schema order.
func (dw *docxWriter) ppr(p docxPProps) {
	if p == (docxPProps{}) {
		return
	}
	b := &dw.b
	b.WriteString("<w:pPr>")
	if p.style != "" {
		b.WriteString(`<w:pStyle w:val="`)
		b.WriteString(p.style)
		b.WriteString(`"/>`)
	}
	if p.numID > 0 {
		b.WriteString(`<w:numPr><w:ilvl w:val="`)
		dw.int(p.ilvl)
		b.WriteString(`"/><w:numId w:val="`)
		dw.int(p.numID)
		b.WriteString(`"/></w:numPr>`)
	}
	if p.rule {
		b.WriteString(`<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="auto"/></w:pBdr>`)
	}
	if p.indLeft > 0 {
		b.WriteString(`<w:ind w:left="`)
		dw.int(p.indLeft)
		b.WriteString(`"/>`)
	}
	if p.jc != "" {
		b.WriteString(`<w:jc w:val="`)
		b.WriteString(p.jc)
		b.WriteString(`"/>`)
	}
	b.WriteString("</w:pPr>")
}

// lines writes the lines of a code or HTML block as one paragraph with line
// breaks, the text taken literally.
func (dw *docxWriter) lines(p docxPProps, ls *text.Segments, closure *ast.HTMLBlock) {
	b := &dw.b
	b.WriteString("<w:p>")
	dw.ppr(p)
	dw.measure(p)
	defer dw.lay.end(0)
	body := dw.text[:0]
	for i := 0; i < ls.Len(); i++ {
		seg := ls.At(i)
		body = append(body, seg.Value(dw.src)...)
	}
	if closure != nil {
		body = append(body, closure.ClosureLine.Value(dw.src)...)
	}
	dw.text = body
	if body = bytes.TrimRight(body, "\r\n"); len(body) > 0 {
		dw.run(body, docxRunFmt{})
	}
	b.WriteString("</w:p>\n")
}

func (dw *docxWriter) list(l *ast.List, c docxCtx) {
	ilvl := min(c.ilvl+1, docxMaxLevel)
	start := 1
	if l.IsOrdered() {
		start = max(l.Start, 0)
	}
	dw.lists = append(dw.lists, docxList{ordered: l.IsOrdered(), ilvl: ilvl, start: start})
	numID := len(dw.lists)
	ic := c
	ic.ilvl = ilvl
	ic.indent = (ilvl + 1) * docxListStep
	for item := l.FirstChild(); item != nil; item = item.NextSibling() {
		first := item.FirstChild()
		switch first.(type) {
		case *ast.Paragraph, *ast.TextBlock:
			dw.block(first, ic, numID, ilvl)
			first = first.NextSibling()
		default:
			// an item that opens with something else, or is empty, still
			// gets its number
			dw.paragraph(dw.bodyProps(ic, numID, ilvl), nil, docxRunFmt{})
		}
		for n := first; n != nil; n = n.NextSibling() {
			dw.block(n, ic, 0, 0)
		}
	}
}

// ---------------------------------------------------------------------------
// Tables

func (dw *docxWriter) table(t *east.Table, c docxCtx) {
	cols := len(t.Alignments)
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		cols = max(cols, r.ChildCount())
	}
	if cols == 0 {
		return
	}
	widths := dw.columnWidths(t, cols, docxTextWidth-c.indent)
	b := &dw.b
	b.WriteString(`<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="`)
	dw.int(docxSum(widths))
	b.WriteString(`" w:type="dxa"/>`)
	if c.indent > 0 {
		b.WriteString(`<w:tblInd w:w="`)
		dw.int(c.indent)
		b.WriteString(`" w:type="dxa"/>`)
	}
	b.WriteString(`<w:tblBorders>` +
		`<w:top w:val="single" w:sz="4" w:space="0" w:color="808080"/>` +
		`<w:left w:val="single" w:sz="4" w:space="0" w:color="808080"/>` +
		`<w:bottom w:val="single" w:sz="4" w:space="0" w:color="808080"/>` +
		`<w:right w:val="single" w:sz="4" w:space="0" w:color="808080"/>` +
		`<w:insideH w:val="single" w:sz="4" w:space="0" w:color="808080"/>` +
		`<w:insideV w:val="single" w:sz="4" w:space="0" w:color="808080"/>` +
		`</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>`)
	for _, w := range widths {
		b.WriteString(`<w:gridCol w:w="`)
		dw.int(w)
		b.WriteString(`"/>`)
	}
	b.WriteString("</w:tblGrid>\n")
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		_, header := r.(*east.TableHeader)
		dw.lay.row()
		b.WriteString("<w:tr>")
		if header {
			b.WriteString(`<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>`)
		} else {
			b.WriteString(`<w:trPr><w:cantSplit/></w:trPr>`)
		}
		i := 0
		for cell := r.FirstChild(); cell != nil && i < cols; cell = cell.NextSibling() {
			align := east.AlignNone
			if tc, ok := cell.(*east.TableCell); ok {
				align = tc.Alignment
			}
			dw.cell(cell, widths[i], align, header)
			i++
		}
		for ; i < cols; i++ {
			dw.cell(nil, widths[i], east.AlignNone, header)
		}
		b.WriteString("</w:tr>\n")
		dw.lay.endRow(header)
	}
	b.WriteString("</w:tbl>\n")
	dw.lay.endTable()
	// Two tables in a row would merge into one: keep a paragraph after each.
	if next := t.NextSibling(); next == nil || next.Kind() == east.KindTable {
		b.WriteString("<w:p/>\n")
		dw.lay.begin("", 0, 0)
		dw.lay.end(0)
	}
}

func (dw *docxWriter) cell(cell ast.Node, width int, align east.Alignment, header bool) {
	b := &dw.b
	b.WriteString(`<w:tc><w:tcPr><w:tcW w:w="`)
	dw.int(width)
	b.WriteString(`" w:type="dxa"/>`)
	if header {
		b.WriteString(`<w:shd w:val="clear" w:color="auto" w:fill="DCE3EC"/>`)
	}
	b.WriteString("</w:tcPr>")
	p := docxPProps{style: "TableText"}
	switch align {
	case east.AlignCenter:
		p.jc = "center"
	case east.AlignRight:
		p.jc = "right"
	}
	dw.cellW = width
	dw.paragraph(p, cell, docxRunFmt{bold: header})
	dw.cellW = 0
	b.WriteString("</w:tc>")
}

// columnWidths shares width among the columns in three rounds: first room
// for each column's longest word (so words are not broken), then room to
// keep short cells (numbers, dates, amounts) on one line, then room for
// longer text, up to about 45 characters a column. Each round shares what
// is left in proportion to what the columns still ask for.
func (dw *docxWriter) columnWidths(t *east.Table, cols, width int) []int {
	const (
		charW = 125        // twips per character of 9.5 pt text, generously
		pad   = 2*108 + 24 // cell margins and a little air
		long  = 45         // text beyond this many characters may wrap
		short = 12         // cells this short would rather not wrap
	)
	words := make([]int, cols)  // longest word, in characters
	shorts := make([]int, cols) // longest short cell
	texts := make([]int, cols)  // longest cell text
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		_, header := r.(*east.TableHeader)
		i := 0
		for cell := r.FirstChild(); cell != nil && i < cols; cell = cell.NextSibling() {
			total, word := docxInlineLen(cell, dw.src, 0, 0)
			if header {
				total, word = total+1, word+1 // bold is wider
			}
			words[i] = max(words[i], min(word, long))
			if total <= short {
				shorts[i] = max(shorts[i], total)
			}
			texts[i] = max(texts[i], min(total, long))
			i++
		}
	}
	widths := make([]int, cols)
	asks := make([]int, cols)
	left := width
	for round := 0; round < 3 && left > 0; round++ {
		for i := range asks {
			var want int
			switch round {
			case 0:
				want = pad + max(words[i], 2)*charW
			case 1:
				want = pad + max(words[i], shorts[i], 2)*charW
			default:
				want = pad + max(words[i], shorts[i], texts[i], 2)*charW
			}
			asks[i] = max(want-widths[i], 0)
		}
		total := docxSum(asks)
		if total == 0 {
			continue
		}
		give := min(left, total)
		for i, a := range asks {
			widths[i] += give * a / total
		}
		left = width - docxSum(widths)
	}
	if left > 0 { // every column has what it asked for: share the rest equally
		for i := range widths {
			widths[i] += left / cols
		}
	}
	widths[cols-1] += width - docxSum(widths) // rounding
	return widths
}

// docxInlineLen measures a node's text in characters: its length and its
// longest word, continuing from a text of length total whose last word is
// word long.
func docxInlineLen(n ast.Node, src []byte, total, word int) (int, int) {
	longest := word
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			total, word, longest = docxMeasure(t.Segment.Value(src), total, word, longest)
			if t.SoftLineBreak() || t.HardLineBreak() {
				word = 0
			}
		case *ast.String:
			total, word, longest = docxMeasure(t.Value, total, word, longest)
		default:
			var l int
			total, l = docxInlineLen(c, src, total, word)
			longest = max(longest, l)
			word = 0
		}
	}
	return total, longest
}

func docxMeasure(b []byte, total, word, longest int) (int, int, int) {
	for _, r := range string(b) {
		total++
		if r == ' ' || r == '\t' || r == '\n' {
			word = 0
			continue
		}
		word++
		longest = max(longest, word)
	}
	return total, word, longest
}

func docxSum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// ---------------------------------------------------------------------------
// Inline content

func (dw *docxWriter) inlines(n ast.Node, f docxRunFmt) {
	// dw.text is reused: each use is written out by run before the next
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			v := t.Segment.Value(dw.src)
			soft := t.SoftLineBreak() && !t.HardLineBreak()
			switch {
			case !soft && (t.IsRaw() || bytes.IndexByte(v, '\\') < 0):
				dw.run(v, f)
			case t.IsRaw():
				dw.text = append(append(dw.text[:0], v...), ' ')
				dw.run(dw.text, f)
			default:
				dw.text = docxUnescape(dw.text[:0], v)
				if soft {
					dw.text = append(dw.text, ' ')
				}
				dw.run(dw.text, f)
			}
			if t.HardLineBreak() {
				dw.b.WriteString("<w:r><w:br/></w:r>")
			}
		case *ast.String:
			if t.IsRaw() || t.IsCode() {
				dw.run(t.Value, f)
			} else {
				dw.text = docxUnescape(dw.text[:0], t.Value)
				dw.run(dw.text, f)
			}
		case *ast.CodeSpan:
			g := f
			g.code = true
			dw.text = dw.codeSpanText(dw.text[:0], t)
			dw.run(dw.text, g)
		case *ast.Emphasis:
			g := f
			if t.Level >= 2 {
				g.bold = true
			} else {
				g.italic = true
			}
			dw.inlines(t, g)
		case *east.Strikethrough:
			g := f
			g.strike = true
			dw.inlines(t, g)
		case *ast.AutoLink:
			dw.run(t.Label(dw.src), f)
		case *ast.RawHTML:
			dw.text = dw.rawHTMLText(dw.text[:0], t)
			dw.run(dw.text, f)
		default: // links, images (their alt text), anything else: the text
			dw.inlines(c, f)
		}
	}
}

// run writes text as one w:r: tabs become w:tab, newlines w:br, and every
// piece of text is escaped.
func (dw *docxWriter) run(text []byte, f docxRunFmt) {
	if len(text) == 0 {
		return
	}
	dw.lay.text(text, f)
	b := &dw.b
	b.WriteString("<w:r>")
	if f != (docxRunFmt{}) || dw.runLang != "" {
		b.WriteString("<w:rPr>")
		if f.code {
			b.WriteString(`<w:rStyle w:val="VerbatimChar"/>`)
		}
		if f.bold {
			b.WriteString("<w:b/><w:bCs/>")
		}
		if f.italic {
			b.WriteString("<w:i/><w:iCs/>")
		}
		if f.strike {
			b.WriteString("<w:strike/>")
		}
		if dw.runLang != "" {
			b.WriteString(`<w:lang w:val="` + docxEscape(dw.runLang) + `"/>`)
		}
		b.WriteString("</w:rPr>")
	}
	for len(text) > 0 {
		i := bytes.IndexAny(text, "\t\n")
		if i < 0 {
			i = len(text)
		}
		if i > 0 {
			dw.texts(text[:i])
		}
		if i == len(text) {
			break
		}
		if text[i] == '\t' {
			b.WriteString("<w:tab/>")
		} else {
			b.WriteString("<w:br/>")
		}
		text = text[i+1:]
	}
	b.WriteString("</w:r>")
}

// texts writes a piece of a run's text (no tabs or newlines) as w:t, with
// every date in it kept on one line: the spaces of a date in words ("1
// March 2019", "2019. március 1.") become no-break spaces, and the hyphens
// of an ISO date (2019-03-01, 2019-03) no-break hyphens.
func (dw *docxWriter) texts(text []byte) {
	b := &dw.b
	var spans [][]int
	if bytes.ContainsAny(text, "0123456789") {
		spans = dw.dates().FindAllIndex(text, -1)
	}
	b.WriteString(`<w:t xml:space="preserve">`)
	at := 0
	for _, sp := range spans {
		dw.escText(text[at:sp[0]])
		date := text[sp[0]:sp[1]]
		if date[0] >= '0' && date[0] <= '9' && docxISODate.Match(date) {
			for i, part := range bytes.Split(date, []byte("-")) {
				if i > 0 {
					b.WriteString(`</w:t><w:noBreakHyphen/><w:t xml:space="preserve">`)
				}
				dw.escText(part)
			}
		} else {
			dw.escText(bytes.ReplaceAll(date, []byte(" "), []byte("\u00a0")))
		}
		at = sp[1]
	}
	dw.escText(text[at:])
	b.WriteString("</w:t>")
}

// docxISODate is an ISO date or month with its hyphens.
var docxISODate = regexp.MustCompile(`^\d{4}-\d{2}(?:-\d{2})?$`)

func (dw *docxWriter) dates() *regexp.Regexp {
	if dw.datesRE == nil {
		dw.datesRE = datesIn(dw.meta.Language)
	}
	return dw.datesRE
}

// ---------------------------------------------------------------------------
// The other parts

// pack writes the zip: fixed order, fixed times, one compression method.
func (dw *docxWriter) pack(w io.Writer) error {
	modified := docxZipTime(dw.meta.Created)
	zw := zip.NewWriter(w)
	var part bytes.Buffer
	part.Grow(8 << 10)
	for _, p := range docxParts {
		part.Reset()
		var body []byte
		if p.name == "word/document.xml" {
			body = dw.b.Bytes()
		} else {
			p.write(dw, &part)
			body = part.Bytes()
		}
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: modified})
		if err != nil {
			return err
		}
		if _, err := fw.Write(body); err != nil {
			return err
		}
	}
	return zw.Close()
}

// docxZipTime is the entry time: Meta.Created in UTC, within what a zip
// (MS-DOS) date can hold.
func docxZipTime(t time.Time) time.Time {
	lo := time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	hi := time.Date(2107, 12, 31, 23, 59, 58, 0, time.UTC)
	t = t.UTC().Truncate(time.Second)
	switch {
	case t.Before(lo):
		return lo
	case t.After(hi):
		return hi
	}
	return t
}

type docxPart struct {
	name        string
	contentType string // "" for parts covered by a Default
	write       func(dw *docxWriter, b *bytes.Buffer)
}

const docxCTRels = "application/vnd.openxmlformats-package.relationships+xml"

// docxParts is the package, in the order it is written.
var docxParts []docxPart

func init() { docxParts = docxPackage() }

func docxPackage() []docxPart {
	return []docxPart{
		{"[Content_Types].xml", "", (*docxWriter).contentTypes},
		{"_rels/.rels", "", docxStatic(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>` +
			`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
			`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>` +
			`</Relationships>`)},
		{"docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml", (*docxWriter).core},
		{"docProps/app.xml", "application/vnd.openxmlformats-officedocument.extended-properties+xml", docxStatic(
			`<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">` +
				`<Application>craftscode</Application><DocSecurity>0</DocSecurity></Properties>`)},
		{"word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", nil},
		{"word/styles.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml", (*docxWriter).styles},
		{"word/numbering.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml", (*docxWriter).numbering},
		{"word/settings.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml", (*docxWriter).settings},
		{"word/header1.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml", (*docxWriter).header},
		{"word/footer1.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml", (*docxWriter).footer},
		{"word/_rels/document.xml.rels", "", docxStatic(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + docxNSR + `/styles" Target="styles.xml"/>` +
			`<Relationship Id="rId2" Type="` + docxNSR + `/numbering" Target="numbering.xml"/>` +
			`<Relationship Id="rId3" Type="` + docxNSR + `/settings" Target="settings.xml"/>` +
			`<Relationship Id="rId4" Type="` + docxNSR + `/header" Target="header1.xml"/>` +
			`<Relationship Id="rId5" Type="` + docxNSR + `/footer" Target="footer1.xml"/>` +
			`</Relationships>`)},
	}
}

func docxStatic(s string) func(*docxWriter, *bytes.Buffer) {
	return func(_ *docxWriter, b *bytes.Buffer) {
		b.WriteString(docxPI)
		b.WriteString(s)
	}
}

// docxField is a complex field with a cached result (the page count the
// layout expects, 1 for the page number: readers compute both anyway).
func docxField(instr string, result int) string {
	return `<w:r><w:fldChar w:fldCharType="begin"/></w:r>` +
		`<w:r><w:instrText xml:space="preserve"> ` + instr + ` </w:instrText></w:r>` +
		`<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>` + docxItoa(result) + `</w:t></w:r>` +
		`<w:r><w:fldChar w:fldCharType="end"/></w:r>`
}

func (dw *docxWriter) contentTypes(b *bytes.Buffer) {
	b.WriteString(docxPI)
	b.WriteString(`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="` + docxCTRels + `"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>`)
	for _, p := range docxParts {
		if p.contentType == "" {
			continue
		}
		b.WriteString(`<Override PartName="/`)
		b.WriteString(p.name)
		b.WriteString(`" ContentType="`)
		b.WriteString(p.contentType)
		b.WriteString(`"/>`)
	}
	b.WriteString(`</Types>`)
}

func (dw *docxWriter) core(b *bytes.Buffer) {
	m := dw.meta
	b.WriteString(docxPI)
	b.WriteString(`<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"` +
		` xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"` +
		` xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	elem := func(name, value string) {
		if value == "" {
			return
		}
		b.WriteString("<" + name + ">")
		b.WriteString(docxEscape(value))
		b.WriteString("</" + name + ">")
	}
	elem("dc:title", m.Title)
	elem("dc:creator", m.Author)
	elem("cp:lastModifiedBy", m.Author)
	elem("dc:language", dw.lang)
	elem("dc:identifier", m.ID)
	elem("cp:keywords", m.ProjectAcronym)
	if m.Draft {
		elem("cp:contentStatus", "Draft")
	} else {
		elem("cp:contentStatus", "Approved")
	}
	if !m.Created.IsZero() {
		ts := m.Created.UTC().Format("2006-01-02T15:04:05Z")
		b.WriteString(`<dcterms:created xsi:type="dcterms:W3CDTF">` + ts + `</dcterms:created>`)
		b.WriteString(`<dcterms:modified xsi:type="dcterms:W3CDTF">` + ts + `</dcterms:modified>`)
	}
	b.WriteString(`</cp:coreProperties>`)
}

func (dw *docxWriter) settings(b *bytes.Buffer) {
	b.WriteString(docxPI)
	b.WriteString(`<w:settings xmlns:w="` + docxNSW + `" xmlns:r="` + docxNSR + `">` +
		`<w:zoom w:percent="100"/><w:defaultTabStop w:val="709"/>` +
		`<w:characterSpacingControl w:val="doNotCompress"/>` +
		`<w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>`)
	if dw.lang != "" {
		b.WriteString(`<w:themeFontLang w:val="` + docxEscape(dw.lang) + `"/>`)
	}
	b.WriteString(`</w:settings>`)
}

// footer writes "Page N of M" in the document's language, with the PAGE
// and NUMPAGES fields where the message has its placeholders.
func (dw *docxWriter) footer(b *bytes.Buffer) {
	const page, pages = "\x00PAGE\x00", "\x00NUMPAGES\x00"
	b.WriteString(docxPI)
	b.WriteString(`<w:ftr xmlns:w="` + docxNSW + `" xmlns:r="` + docxNSR + `"><w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="center"/></w:pPr>`)
	for _, part := range strings.SplitAfter(label(dw.meta.Language, "doc.page_of", "Page", page, "Pages", pages), "\x00") {
		part = strings.TrimSuffix(part, "\x00")
		switch part {
		case "":
		case "PAGE":
			b.WriteString(docxField(part, 1))
		case "NUMPAGES":
			b.WriteString(docxField(part, max(dw.pages, 1)))
		default:
			b.WriteString(`<w:r><w:t xml:space="preserve">` + docxEscape(part) + `</w:t></w:r>`)
		}
	}
	b.WriteString(`</w:p></w:ftr>`)
}

func (dw *docxWriter) header(b *bytes.Buffer) {
	b.WriteString(docxPI)
	b.WriteString(`<w:hdr xmlns:w="` + docxNSW + `" xmlns:r="` + docxNSR + `"><w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>`)
	if a := dw.meta.ProjectAcronym; a != "" {
		b.WriteString(`<w:r><w:t xml:space="preserve">`)
		b.WriteString(docxEscape(a))
		b.WriteString(`</w:t></w:r>`)
	}
	if dw.meta.Draft {
		b.WriteString(`<w:r><w:tab/></w:r><w:r><w:rPr><w:b/><w:bCs/><w:color w:val="FF0000"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr>` +
			`<w:t>` + docxEscape(label(dw.meta.Language, "doc.draft")) + `</w:t></w:r>`)
	}
	b.WriteString(`</w:p></w:hdr>`)
}

// numbering writes two abstract lists, bullets and decimal, and one w:num
// per list in the document, each restarting at its list's first number.
func (dw *docxWriter) numbering(b *bytes.Buffer) {
	b.WriteString(docxPI)
	b.WriteString(`<w:numbering xmlns:w="` + docxNSW + `">`)
	b.WriteString(docxAbstractNums)
	for i, l := range dw.lists {
		b.WriteString(`<w:num w:numId="`)
		b.WriteString(docxItoa(i + 1))
		if l.ordered {
			b.WriteString(`"><w:abstractNumId w:val="1"/>`)
		} else {
			b.WriteString(`"><w:abstractNumId w:val="0"/>`)
		}
		b.WriteString(`<w:lvlOverride w:ilvl="`)
		b.WriteString(docxItoa(l.ilvl))
		b.WriteString(`"><w:startOverride w:val="`)
		b.WriteString(docxItoa(l.start))
		b.WriteString(`"/></w:lvlOverride></w:num>`)
	}
	b.WriteString(`</w:numbering>`)
}

var docxAbstractNums = func() string {
	var b strings.Builder
	lvl := func(i int, fmtName, text string) {
		b.WriteString(`<w:lvl w:ilvl="` + docxItoa(i) + `"><w:start w:val="1"/><w:numFmt w:val="` + fmtName + `"/>` +
			`<w:lvlText w:val="` + text + `"/><w:lvlJc w:val="left"/>` +
			`<w:pPr><w:ind w:left="` + docxItoa((i+1)*docxListStep) + `" w:hanging="360"/></w:pPr></w:lvl>`)
	}
	b.WriteString(`<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/>`)
	for i := 0; i <= docxMaxLevel; i++ {
		lvl(i, "bullet", []string{"•", "–"}[i%2])
	}
	b.WriteString(`</w:abstractNum>`)
	b.WriteString(`<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/>`)
	for i := 0; i <= docxMaxLevel; i++ {
		lvl(i, []string{"decimal", "lowerLetter", "lowerRoman"}[i%3], "%"+docxItoa(i+1)+".")
	}
	b.WriteString(`</w:abstractNum>`)
	return b.String()
}()

func (dw *docxWriter) styles(b *bytes.Buffer) {
	b.WriteString(docxPI)
	b.WriteString(`<w:styles xmlns:w="` + docxNSW + `"><w:docDefaults><w:rPrDefault><w:rPr>` +
		`<w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/><w:sz w:val="21"/><w:szCs w:val="21"/>`)
	if dw.lang != "" {
		l := docxEscape(dw.lang)
		b.WriteString(`<w:lang w:val="` + l + `" w:eastAsia="` + l + `" w:bidi="` + l + `"/>`)
	}
	b.WriteString(`</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl/><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>`)
	b.WriteString(docxStyles)
	b.WriteString(`</w:styles>`)
}

func docxHeadingStyle(level, size int, before int) string {
	l := docxItoa(level)
	return `<w:style w:type="paragraph" w:styleId="Heading` + l + `"><w:name w:val="heading ` + l + `"/>` +
		`<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>` +
		`<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="` + docxItoa(before) + `" w:after="120"/><w:outlineLvl w:val="` + docxItoa(level-1) + `"/></w:pPr>` +
		`<w:rPr><w:b/><w:bCs/><w:color w:val="1F3864"/><w:sz w:val="` + docxItoa(size) + `"/><w:szCs w:val="` + docxItoa(size) + `"/></w:rPr></w:style>`
}

func docxTOCStyle(level int) string {
	l := docxItoa(level)
	return `<w:style w:type="paragraph" w:styleId="TOC` + l + `"><w:name w:val="toc ` + l + `"/>` +
		`<w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>` +
		`<w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="` + docxItoa(docxTextWidth) + `"/></w:tabs>` +
		`<w:spacing w:after="60"/><w:ind w:left="` + docxItoa((level-1)*220) + `"/></w:pPr></w:style>`
}

var docxStyles = `<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>` +
	`<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>` +
	`<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>` +
	`<w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>` +
	`<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/><w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="10"/><w:qFormat/>` +
	`<w:pPr><w:spacing w:after="240"/><w:contextualSpacing/></w:pPr><w:rPr><w:b/><w:bCs/><w:color w:val="1F3864"/><w:kern w:val="28"/><w:sz w:val="48"/><w:szCs w:val="48"/></w:rPr></w:style>` +
	docxHeadingStyle(1, 32, 360) + docxHeadingStyle(2, 26, 240) + docxHeadingStyle(3, 23, 200) +
	`<w:style w:type="paragraph" w:styleId="Heading4"><w:name w:val="heading 4"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="160" w:after="80"/><w:outlineLvl w:val="3"/></w:pPr><w:rPr><w:b/><w:bCs/><w:i/><w:iCs/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="TOCHeading"><w:name w:val="TOC Heading"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="39"/><w:unhideWhenUsed/><w:qFormat/>` +
	`<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/></w:pPr><w:rPr><w:b/><w:bCs/><w:color w:val="1F3864"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>` +
	docxTOCStyle(1) + docxTOCStyle(2) + docxTOCStyle(3) +
	`<w:style w:type="paragraph" w:styleId="ListParagraph"><w:name w:val="List Paragraph"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="34"/><w:qFormat/>` +
	`<w:pPr><w:spacing w:after="60"/><w:ind w:left="720"/></w:pPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Quote"><w:name w:val="Quote"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="29"/><w:qFormat/>` +
	`<w:pPr><w:pBdr><w:left w:val="single" w:sz="18" w:space="8" w:color="A6A6A6"/></w:pBdr><w:ind w:left="567" w:right="567"/></w:pPr>` +
	`<w:rPr><w:i/><w:iCs/><w:color w:val="404040"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="SourceCode"><w:name w:val="Source Code"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>` +
	`<w:pPr><w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/><w:spacing w:after="120" w:line="240" w:lineRule="auto"/></w:pPr>` +
	`<w:rPr><w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr></w:style>` +
	`<w:style w:type="character" w:styleId="VerbatimChar"><w:name w:val="Verbatim Char"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/>` +
	`<w:rPr><w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="TableText"><w:name w:val="Table Text"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/>` +
	`<w:pPr><w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/></w:pPr><w:rPr><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr></w:style>` +
	`<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="39"/>` +
	`<w:tblPr><w:tblBorders>` +
	`<w:top w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:left w:val="single" w:sz="4" w:space="0" w:color="808080"/>` +
	`<w:bottom w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:right w:val="single" w:sz="4" w:space="0" w:color="808080"/>` +
	`<w:insideH w:val="single" w:sz="4" w:space="0" w:color="808080"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="808080"/>` +
	`</w:tblBorders></w:tblPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>` +
	`<w:pPr><w:pBdr><w:bottom w:val="single" w:sz="4" w:space="4" w:color="A6A6A6"/></w:pBdr><w:tabs><w:tab w:val="right" w:pos="` + docxItoa(docxTextWidth) + `"/></w:tabs><w:spacing w:after="0"/></w:pPr>` +
	`<w:rPr><w:color w:val="595959"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>` +
	`<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>` +
	`<w:pPr><w:spacing w:after="0"/></w:pPr><w:rPr><w:color w:val="595959"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>`
