package documents

import (
	"bytes"
	"fmt"
	"regexp"
	"time"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Format is an output format of a document.
type Format string

const (
	FormatPDF  Format = "pdf"
	FormatDOCX Format = "docx"
	FormatHTML Format = "html"
	FormatMD   Format = "md"
)

// ParseFormat accepts pdf, docx, html and md.
func ParseFormat(s string) (Format, bool) {
	switch f := Format(s); f {
	case FormatPDF, FormatDOCX, FormatHTML, FormatMD:
		return f, true
	}
	return "", false
}

// ContentType is the media type of the format.
func (f Format) ContentType() string {
	switch f {
	case FormatPDF:
		return "application/pdf"
	case FormatDOCX:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	case FormatHTML:
		return "text/html; charset=utf-8"
	case FormatMD:
		return "text/markdown; charset=utf-8"
	}
	return "application/octet-stream"
}

// Meta describes a document for its headers, marks and metadata. Everything
// in it comes from the revision, never from the clock, so that the same
// template version and revision give byte-identical output.
type Meta struct {
	Title          string    // document title (metadata, first heading)
	Author         string    // the owning partner
	Language       string    // ISO 639-1, e.g. "hu"
	ProjectAcronym string    // printed in the page header of PDF and DOCX
	Draft          bool      // a visible DRAFT mark while not approved
	Created        time.Time // the revision's time: fixed creation dates
	ID             string    // a stable document id derived from the revision and template
}

// Doc is an assembled document, independent of the output format: the
// Markdown that a template produced, and its parsed tree. Every renderer
// walks the same tree.
type Doc struct {
	Source []byte   // the Markdown
	Root   ast.Node // goldmark's tree of Source
	Meta   Meta
}

// markdown is the parser every format shares: CommonMark plus GFM tables
// and strikethrough. Raw HTML in the source is not rendered by any writer.
var markdown = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()))

// Parse builds a Doc from Markdown.
func Parse(src []byte, meta Meta) *Doc {
	src = bytes.Clone(src)
	root := markdown.Parser().Parse(text.NewReader(src))
	markLanguages(root, src)
	return &Doc{Source: src, Root: root, Meta: meta}
}

// A part of a document in another language than the document's (the action
// plan's summary in English) is put between two HTML comments, each on a
// line of its own with blank lines around it, at the top level of the
// Markdown (not inside a list or quote):
//
//	<!-- lang:en -->
//
//	The summary …
//
//	<!-- /lang -->
//
// User text cannot make them (its < is escaped). Parse drops the two
// comments from the tree and gives every top-level block between them the
// attribute lang: HTML writes it (<p lang="en">), DOCX marks the runs
// (w:lang), the PDF does not yet (that needs a tagged PDF). A part that is
// not closed runs to the end; comments of another form, or not at the top
// level, stay raw HTML as before.
var (
	langStart = regexp.MustCompile(`^<!--\s*lang:([A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*)\s*-->$`)
	langEnd   = regexp.MustCompile(`^<!--\s*/lang\s*-->$`)
)

func markLanguages(root ast.Node, src []byte) {
	lang := ""
	for n := root.FirstChild(); n != nil; {
		next := n.NextSibling()
		if hb, ok := n.(*ast.HTMLBlock); ok {
			var b bytes.Buffer
			for i := 0; i < hb.Lines().Len(); i++ {
				seg := hb.Lines().At(i)
				b.Write(seg.Value(src))
			}
			if hb.HasClosure() {
				b.Write(hb.ClosureLine.Value(src))
			}
			line := bytes.TrimSpace(b.Bytes())
			if m := langStart.FindSubmatch(line); m != nil {
				lang = string(m[1])
				root.RemoveChild(root, n)
				n = next
				continue
			}
			if langEnd.Match(line) {
				lang = ""
				root.RemoveChild(root, n)
				n = next
				continue
			}
		}
		if lang != "" {
			n.SetAttributeString("lang", []byte(lang))
		}
		n = next
	}
}

// blockLang is the language Parse gave a top-level block, or "".
func blockLang(n ast.Node) string {
	if v, ok := n.AttributeString("lang"); ok {
		if b, ok := v.([]byte); ok {
			return string(b)
		}
	}
	return ""
}

// Text returns the literal text of a node's inline children, for writers
// that need a heading's or a cell's plain text.
func Text(n ast.Node, src []byte) string {
	var b bytes.Buffer
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(t.Value)
		case *ast.CodeSpan:
			for cc := t.FirstChild(); cc != nil; cc = cc.NextSibling() {
				if tt, ok := cc.(*ast.Text); ok {
					b.Write(tt.Segment.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// errRender wraps a renderer's failure with its format.
func errRender(f Format, err error) error { return fmt.Errorf("render %s: %w", f, err) }
