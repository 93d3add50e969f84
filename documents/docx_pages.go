package documents

// The DOCX table of contents carries its page numbers, so that neither
// Word nor LibreOffice has to update fields when the file is opened. The
// numbers come from a small layout model of the document as Word and
// LibreOffice set it: A4 with the section's margins, the styles' font sizes,
// line spacing and paragraph spacing, Arial's (= Helvetica's, Liberation
// Sans's) character widths, greedy line breaking at spaces, paragraphs that
// split across pages with widow and orphan control, headings kept with the next
// paragraph, table rows that do not split and header rows that repeat. It
// does not know kerning, hyphenation or the exact glyphs of the fonts a
// reader's machine substitutes; the test compares it with LibreOffice.

import (
	"sync"
	"unicode"

	"github.com/go-pdf/fpdf"
)

// Twips of the page body: A4 less the top and bottom margins.
const (
	docxMarginTB  = 1418
	docxBodyH     = docxPageH - 2*docxMarginTB
	docxCellMarLR = 108 // TableNormal's left and right cell margins
)

// docxFont is a style's character formatting, as far as the layout cares.
type docxFont struct {
	size       float64 // points
	bold, mono bool
}

// docxStyleLayout is the layout of a paragraph style: its font, line
// spacing (a factor of single spacing), spacing before and after and
// indents, in twips.
type docxStyleLayout struct {
	font              docxFont
	line              float64
	before, after     int
	indLeft, indRight int
	keepNext          bool
}

// docxStyleLayouts mirrors docxStyles and the document defaults (10.5 pt,
// line 264 = 1.1, 120 after).
var docxStyleLayouts = map[string]docxStyleLayout{
	"":              {font: docxFont{size: 10.5}, line: 1.1, after: 120},
	"Title":         {font: docxFont{size: 24, bold: true}, line: 1.1, after: 240},
	"Heading1":      {font: docxFont{size: 16, bold: true}, line: 1.1, before: 360, after: 120, keepNext: true},
	"Heading2":      {font: docxFont{size: 13, bold: true}, line: 1.1, before: 240, after: 120, keepNext: true},
	"Heading3":      {font: docxFont{size: 11.5, bold: true}, line: 1.1, before: 200, after: 120, keepNext: true},
	"Heading4":      {font: docxFont{size: 10.5, bold: true}, line: 1.1, before: 160, after: 80, keepNext: true},
	"TOCHeading":    {font: docxFont{size: 14, bold: true}, line: 1.1, before: 240, after: 120, keepNext: true},
	"TOC1":          {font: docxFont{size: 10.5}, line: 1.1, after: 60},
	"TOC2":          {font: docxFont{size: 10.5}, line: 1.1, after: 60, indLeft: 220},
	"TOC3":          {font: docxFont{size: 10.5}, line: 1.1, after: 60, indLeft: 440},
	"ListParagraph": {font: docxFont{size: 10.5}, line: 1.1, after: 60, indLeft: 720},
	"Quote":         {font: docxFont{size: 10.5}, line: 1.1, after: 120, indLeft: 567, indRight: 567},
	"SourceCode":    {font: docxFont{size: 9.5, mono: true}, line: 1, after: 120},
	"TableText":     {font: docxFont{size: 9.5}, line: 1, before: 40, after: 40},
}

// docxLineFactor is a single line's height as a share of the font size:
// for Arial and Liberation Sans between (ascent + descent) / em = 1.117
// and with the line gap 1.149; 1.132 is where LibreOffice's pages and the
// model's agree on the 30-action plan (1.12–1.135 all do; see
// TestDOCXTableOfContentsPages).
const docxLineFactor = 1.132

// docxBox is what the layout places: a paragraph (lines of one height) or
// a table row (one height, never split).
type docxBox struct {
	row           bool
	lines         int
	lineH         float64 // twips
	height        float64 // a row's height
	repeat        float64 // a row's table header height, repeated on a new page
	before, after float64
	keepNext      bool
	heading       int // > 0: the TOC entry (bookmark) this heading is
}

// docxLines is the paragraph being measured: its width, the lines so
// far, and the word being read.
type docxLines struct {
	style docxStyleLayout
	width float64 // twips available for text
	lines int
	lineW float64 // width of the current line
	word  float64 // width of the current word
	space float64 // width of the spaces before the current word
	empty bool    // nothing on the current line yet
}

// docxLayout collects the boxes while the document is written.
type docxLayout struct {
	boxes  []docxBox
	cur    *docxLines // nil, or &para
	para   docxLines
	inRow  bool
	rowH   float64 // the tallest cell of the row being written
	header float64 // the header row height of the table being written
}

// begin starts measuring a paragraph of the style, indented by indLeft
// (0: the style's), width wide (0: the text width).
func (l *docxLayout) begin(style string, indLeft, width int) {
	s, ok := docxStyleLayouts[style]
	if !ok {
		s = docxStyleLayouts[""]
	}
	if width == 0 {
		width = docxTextWidth
	}
	if indLeft == 0 {
		indLeft = s.indLeft
	}
	l.para = docxLines{style: s, width: float64(width - indLeft - s.indRight), empty: true}
	l.cur = &l.para
}

// text measures a run's text in the run's font.
func (l *docxLayout) text(s []byte, f docxRunFmt) {
	m := l.cur
	if m == nil {
		return
	}
	font := m.style.font
	if f.bold {
		font.bold = true
	}
	if f.code {
		font.size, font.mono = 9.5, true
	}
	for _, r := range string(s) {
		switch r {
		case '\n':
			m.flushWord()
			m.lines++
			m.lineW, m.space, m.empty = 0, 0, true
			continue
		case ' ', '\t':
			m.flushWord()
			m.space += docxRuneWidth(' ', font)
			continue
		}
		w := docxRuneWidth(r, font)
		if !m.empty && m.lineW+m.space+m.word+w > m.width && m.word+w <= m.width {
			// the word moves to the next line
			m.lines++
			m.lineW, m.space, m.empty = 0, 0, true
		} else if m.empty && m.word+w > m.width {
			// a word longer than the line breaks where it must
			m.lines++
			m.word = 0
		}
		m.word += w
	}
}

func (m *docxLines) flushWord() {
	if m.word == 0 {
		return
	}
	if !m.empty && m.lineW+m.space+m.word > m.width {
		m.lines++
		m.lineW, m.space = 0, 0
	}
	m.lineW += m.space + m.word
	m.space, m.word, m.empty = 0, 0, false
}

// end finishes the paragraph: a box, or a cell of the row being written.
func (l *docxLayout) end(heading int) {
	m := l.cur
	if m == nil {
		return
	}
	l.cur = nil
	m.flushWord()
	lines := m.lines + 1
	s := m.style
	lineH := s.font.size * 20 * docxLineFactor * s.line
	if l.inRow {
		l.rowH = max(l.rowH, float64(lines)*lineH+float64(s.before+s.after))
		return
	}
	l.boxes = append(l.boxes, docxBox{lines: lines, lineH: lineH, before: float64(s.before), after: float64(s.after),
		keepNext: s.keepNext, heading: heading})
}

// row starts and endRow ends a table row; a header row's height is
// repeated at the top of each page the table continues on.
func (l *docxLayout) row() { l.inRow, l.rowH = true, 0 }

func (l *docxLayout) endRow(header bool) {
	l.inRow = false
	h := l.rowH + 10 // the borders
	if header {
		l.header = h
		l.boxes = append(l.boxes, docxBox{row: true, height: h})
		return
	}
	l.boxes = append(l.boxes, docxBox{row: true, height: h, repeat: l.header})
}

func (l *docxLayout) endTable() { l.header = 0 }

// pages places the boxes on pages and gives the page of each heading, by
// its TOC entry number (pages[0] is unused), and the number of pages.
func (l *docxLayout) pages(entries int) ([]int, int) {
	out := make([]int, entries+1)
	page, y := 1, 0.0
	newPage := func() { page, y = page+1, 0 }
	for i := 0; i < len(l.boxes); i++ {
		b := l.boxes[i]
		if b.row {
			if y > 0 && y+b.height > docxBodyH {
				newPage()
				y += b.repeat
			}
			y += b.height
			continue
		}
		before := b.before
		if y == 0 {
			before = 0 // no space before at the top of a page
		}
		if b.keepNext && y > 0 {
			// the heading, the headings after it, and the first line of
			// what they introduce go on one page
			need := before + float64(b.lines)*b.lineH + b.after
			for j := i + 1; j < len(l.boxes); j++ {
				n := l.boxes[j]
				if n.row {
					need += n.height
					break
				}
				need += n.before + float64(docxFirstLines(n.lines))*n.lineH
				if !n.keepNext {
					break
				}
				need += float64(n.lines-1)*n.lineH + n.after
			}
			if y+need > docxBodyH {
				newPage()
				before = 0
			}
		}
		y += before
		if y+b.lineH > docxBodyH {
			newPage()
		}
		for lines := b.lines; lines > 0; {
			fit := int((docxBodyH - y) / b.lineH)
			take := min(fit, lines)
			if take < lines {
				// widow and orphan control: at least two lines on each
				// page, so a paragraph of three lines or fewer moves whole
				take = min(take, lines-2)
				if take < 2 {
					take = 0
				}
			}
			if take == 0 {
				if y == 0 { // a paragraph taller than a page
					take = min(lines, max(fit, 1))
				} else {
					newPage()
					continue
				}
			}
			if b.heading > 0 && b.heading < len(out) && lines == b.lines {
				out[b.heading] = page
			}
			y += float64(take) * b.lineH
			lines -= take
		}
		y = min(y+b.after, docxBodyH)
	}
	return out, page
}

// docxFirstLines is how many lines of a paragraph must stand on the page
// where it starts (widow and orphan control).
func docxFirstLines(lines int) int {
	if lines <= 3 {
		return lines
	}
	return 2
}

// docxWidths are Helvetica's widths (Arial's and Liberation Sans's are the
// same), regular and bold, per thousand of the font size, for the bytes of
// Windows-1252, as fpdf ships them.
var docxWidths = sync.OnceValue(func() *[2][256]float64 {
	w := new([2][256]float64)
	p := fpdf.New("P", "pt", "A4", "")
	for i, style := range []string{"", "B"} {
		p.SetFont("Helvetica", style, 1000)
		for c := 32; c < 256; c++ {
			w[i][c] = p.GetStringWidth(string([]byte{byte(c)}))
		}
	}
	return w
})

// docxCP1252 are the characters of Windows-1252's 0x80–0x9F that documents
// use.
var docxCP1252 = map[rune]byte{'€': 0x80, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '„': 0x84}

// docxRuneWidth is the width of r in twips.
func docxRuneWidth(r rune, f docxFont) float64 {
	em := f.size * 20 / 1000
	if f.mono {
		return 600 * em
	}
	widths := docxWidths()
	w := &widths[0]
	if f.bold {
		w = &widths[1]
	}
	switch {
	case r >= 32 && r < 0x7f || r >= 0xa0 && r <= 0xff:
		return w[r] * em
	case docxCP1252[r] != 0:
		return w[docxCP1252[r]] * em
	case unicode.IsUpper(r):
		return w['H'] * em
	case unicode.IsDigit(r):
		return w['0'] * em
	}
	return w['n'] * em // other letters (Latin Extended, Cyrillic, Greek) are about this wide
}
