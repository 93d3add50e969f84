package documents

import (
	"bytes"
	"fmt"
	"strconv"
)

// The PDF is tagged (ISO 32000-1, 14.8; what PDF/UA asks for): every piece
// of content the renderer draws is a marked-content sequence with an MCID
// that belongs to an element of the structure tree (Document, H1–H6, P,
// L/LI/Lbl/LBody, Table/TR/TH/TD, Link, TOC/TOCI, BlockQuote, Code), and
// the running header, the footers, the watermark, rules and backgrounds are
// artifacts. fpdf cannot write a structure tree; the renderer writes the
// marked-content operators into fpdf's page streams (RawWriteStr) and keeps
// the tree here, and pdfFinish adds the tree's objects to the file it
// rewrites anyway. The tree's order is the reading order, whatever order
// the content was drawn in (the contents are drawn last).

// pdfElem is one structure element.
type pdfElem struct {
	typ    string // the standard structure type
	parent int    // -1 for the Document
	lang   string // set where it differs from the parent's
	scope  string // Column or Row, for TH
	kids   []pdfKid
}

// pdfKid is a child of an element: another element, a marked-content
// sequence on a page, or an annotation (a link's).
type pdfKid struct {
	elem  int // >= 0: an element
	page  int // 1-based page of the marked content or annotation
	mcid  int // the marked content's id on its page, or -1 for an annotation
	annot int // for an annotation: its index among the document's annotations
}

// pdfTags is the structure tree of one rendering.
type pdfTags struct {
	elems []pdfElem
	mcids []int   // next MCID per page (index = page)
	links [][]int // per page, the Link element of each annotation in the order fpdf makes them
}

func newPDFTags(lang string) *pdfTags {
	return &pdfTags{elems: []pdfElem{{typ: "Document", parent: -1, lang: lang}}}
}

// add makes a new element of type typ, the last child of parent.
func (t *pdfTags) add(parent int, typ string) int {
	id := len(t.elems)
	t.elems = append(t.elems, pdfElem{typ: typ, parent: parent})
	t.elems[parent].kids = append(t.elems[parent].kids, pdfKid{elem: id})
	return id
}

// enter makes a child of the current element and makes it current; the
// returned function makes the old one current again.
func (r *pdfRenderer) enter(typ string) (id int, leave func()) {
	prev := r.cur
	id = r.tags.add(prev, typ)
	if r.pendingLang != "" {
		r.tags.elems[id].lang, r.pendingLang = r.pendingLang, ""
	}
	r.cur = id
	return id, func() { r.cur = prev }
}

// mark draws with fn as marked content of element elem on the current page.
func (r *pdfRenderer) mark(elem int, fn func()) {
	if r.plain {
		fn()
		return
	}
	t := r.tags
	p := r.f.PageNo()
	for len(t.mcids) <= p {
		t.mcids = append(t.mcids, 0)
	}
	id := t.mcids[p]
	t.mcids[p]++
	r.f.RawWriteStr("/" + t.elems[elem].typ + " <</MCID " + strconv.Itoa(id) + ">> BDC")
	fn()
	r.f.RawWriteStr("EMC")
	t.elems[elem].kids = append(t.elems[elem].kids, pdfKid{elem: -1, page: p, mcid: id})
}

// artifact draws with fn as content outside the structure: page furniture
// and decoration that a screen reader skips.
func (r *pdfRenderer) artifact(fn func()) {
	r.f.RawWriteStr("/Artifact BMC")
	fn()
	r.f.RawWriteStr("EMC")
}

// linked records that the annotation fpdf is about to make on the current
// page belongs to the Link element elem.
func (r *pdfRenderer) linked(elem int) {
	t := r.tags
	p := r.f.PageNo()
	for len(t.links) <= p {
		t.links = append(t.links, nil)
	}
	t.links[p] = append(t.links[p], elem)
}

// pdfTreeRefs are the object numbers pdfFinish gave the tree's parts.
type pdfTreeRefs struct {
	root, parentTree, firstElem int
	xmp, intent, icc            int
	pages                       []int // object number of each page, 1-based (pages[0] unused)
	annots                      []int // object number of each annotation, in document order
}

// writeTree appends the structure tree root, the parent tree and the
// elements as numbered objects, in that order from refs.root.
func (t *pdfTags) writeTree(b *bytes.Buffer, refs pdfTreeRefs, offsets *[]int, base int) {
	npages := len(refs.pages) - 1
	obj := func(n int) string { return strconv.Itoa(n) + " 0 R" }
	elemRef := func(e int) string { return obj(refs.firstElem + e) }
	begin := func(n int) {
		*offsets = append(*offsets, base+b.Len())
		b.WriteString(strconv.Itoa(n) + " 0 obj\n")
	}
	// the root: the Document is its only kid
	begin(refs.root)
	b.WriteString("<</Type /StructTreeRoot /K " + elemRef(0) + " /ParentTree " + obj(refs.parentTree) +
		" /ParentTreeNextKey " + strconv.Itoa(npages+len(refs.annots)) + ">>\nendobj\n")

	// the parent tree: per page, the element of each MCID; then per
	// annotation (key npages+k), its Link element
	byPage := make([][]int, npages+1)
	for p := 1; p <= npages; p++ {
		n := 0
		if p < len(t.mcids) {
			n = t.mcids[p]
		}
		byPage[p] = make([]int, n)
	}
	annotElem := make([]int, len(refs.annots))
	for e, el := range t.elems {
		for _, k := range el.kids {
			switch {
			case k.elem >= 0:
			case k.mcid >= 0:
				byPage[k.page][k.mcid] = e
			default:
				annotElem[k.annot] = e
			}
		}
	}
	begin(refs.parentTree)
	b.WriteString("<</Nums [")
	for p := 1; p <= npages; p++ {
		b.WriteString(strconv.Itoa(p-1) + " [")
		for i, e := range byPage[p] {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(elemRef(e))
		}
		b.WriteString("]\n")
	}
	for k, e := range annotElem {
		b.WriteString(strconv.Itoa(npages+k) + " " + elemRef(e) + "\n")
	}
	b.WriteString("]>>\nendobj\n")

	for e, el := range t.elems {
		begin(refs.firstElem + e)
		b.WriteString("<</Type /StructElem /S /" + el.typ)
		if el.parent < 0 {
			b.WriteString(" /P " + obj(refs.root))
		} else {
			b.WriteString(" /P " + elemRef(el.parent))
		}
		// /Pg: the page of the first marked content, which then needs no
		// marked-content reference of its own
		pg := 0
		for _, k := range el.kids {
			if k.elem < 0 {
				pg = k.page
				break
			}
		}
		if pg > 0 {
			b.WriteString(" /Pg " + obj(refs.pages[pg]))
		}
		if el.lang != "" {
			b.WriteString(" /Lang " + pdfLiteral(el.lang))
		}
		if el.scope != "" {
			b.WriteString(" /A <</O /Table /Scope /" + el.scope + ">>")
		}
		b.WriteString(" /K [")
		for i, k := range el.kids {
			if i > 0 {
				b.WriteByte(' ')
			}
			switch {
			case k.elem >= 0:
				b.WriteString(elemRef(k.elem))
			case k.mcid >= 0 && k.page == pg:
				b.WriteString(strconv.Itoa(k.mcid))
			case k.mcid >= 0:
				b.WriteString("<</Type /MCR /Pg " + obj(refs.pages[k.page]) + " /MCID " + strconv.Itoa(k.mcid) + ">>")
			default:
				b.WriteString("<</Type /OBJR /Pg " + obj(refs.pages[k.page]) + " /Obj " + obj(refs.annots[k.annot]) + ">>")
			}
		}
		b.WriteString("]>>\nendobj\n")
	}
}

// pdfLiteral writes an ASCII string as a PDF literal string.
func pdfLiteral(s string) string {
	var b bytes.Buffer
	b.WriteByte('(')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '(', ')', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			if c < 0x20 || c > 0x7e {
				b.WriteString(fmt.Sprintf("\\%03o", c))
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte(')')
	return b.String()
}
