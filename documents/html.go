package documents

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/util"
)

// htmlBody renders the Markdown tree to HTML: goldmark's renderer without
// WithUnsafe (raw HTML in the Markdown becomes a "raw HTML omitted"
// comment), GFM tables and strikethrough, and our own links and images:
// only http, https, mailto and relative links become <a>, and images are
// shown as their text, so that the page is standalone and fetches nothing.
var htmlBody = renderer.NewRenderer(renderer.WithNodeRenderers(
	util.Prioritized(gmhtml.NewRenderer(), 1000),
	util.Prioritized(extension.NewTableHTMLRenderer(), 500),
	util.Prioritized(extension.NewStrikethroughHTMLRenderer(), 500),
	util.Prioritized(htmlLinks{}, 100),
))

// htmlStyle is the page's CSS; htmlDraftStyle is added only to drafts.
// overflow-wrap:anywhere lets a long unbroken string (the 64-character
// document id, a URL) and table cells break where they must, so that a
// phone (390 px) never scrolls sideways; it only acts where a line would
// overflow.
const htmlStyle = `body{font-family:"Noto Sans","DejaVu Sans","Segoe UI",Arial,sans-serif;line-height:1.5;color:#1b1b1b;max-width:52rem;margin:0 auto;padding:0 1.5rem 2rem;overflow-wrap:anywhere}
header.doc-header{display:flex;justify-content:space-between;gap:1rem;border-bottom:2px solid #1d4f91;color:#1d4f91;font-size:.9rem;padding:.6rem 0 .3rem;margin-bottom:1.5rem}
header.doc-header .acronym{font-weight:bold;letter-spacing:.05em}
h1{font-size:1.9rem;line-height:1.25}h2{font-size:1.4rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}h3{font-size:1.15rem;margin-top:1.6rem}h4{font-size:1rem;margin-bottom:.2rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border:1px solid #9aa4b2;padding:.3rem .5rem;vertical-align:top;text-align:left}th{background:#e8eef7}
pre{white-space:pre-wrap}
@media (max-width:30rem){body{padding:0 .75rem 1.5rem}th,td{padding:.25rem .3rem}}
blockquote{border-left:3px solid #9aa4b2;margin:1rem 0;padding:0 1rem;color:#444}
nav.toc{background:#f5f7fa;border:1px solid #d8dee8;padding:.5rem 1.2rem;margin:1rem 0 2rem}nav.toc ol{padding-left:1.2rem;margin:.2rem 0}nav.toc a{text-decoration:none}
footer.doc-footer{border-top:1px solid #ccc;margin-top:3rem;padding-top:.5rem;font-size:.8rem;color:#555}
@media print{nav.toc{break-after:page}h2,h3{break-after:avoid}}
`

const htmlDraftStyle = `.draft-mark{position:sticky;top:0;z-index:1;background:#b00020;color:#fff;text-align:center;font-weight:bold;letter-spacing:.4em;padding:.35rem 0;margin:0 -1.5rem}
@media (max-width:30rem){body .draft-mark{margin:0 -.75rem}}
body::after{content:"%s";position:fixed;top:42%;left:0;right:0;text-align:center;font-size:9rem;font-weight:bold;color:rgba(176,0,32,.07);transform:rotate(-35deg);pointer-events:none}
`

// renderHTML writes d as a standalone HTML5 page: language, charset,
// title, author and generator; inline CSS; a header with the project
// acronym; a DRAFT banner (only on drafts); the title; a table of
// contents of the parts and sections; the body; and a footer with the
// document id. Every
// Meta string is escaped. The output depends on d only.
func renderHTML(w io.Writer, d *Doc) error {
	m := d.Meta
	lang := m.Language
	if lang == "" {
		lang = "en"
	}
	title := m.Title
	if title == "" {
		title = label(lang, "doc.document")
	}
	esc := html.EscapeString
	bw := bufio.NewWriter(w)
	bw.WriteString("<!DOCTYPE html>\n<html lang=\"" + esc(lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n")
	bw.WriteString("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	bw.WriteString("<title>" + esc(title) + "</title>\n")
	if m.Author != "" {
		bw.WriteString("<meta name=\"author\" content=\"" + esc(m.Author) + "\">\n")
	}
	bw.WriteString("<meta name=\"generator\" content=\"craftscode\">\n")
	if !m.Created.IsZero() {
		bw.WriteString("<meta name=\"dcterms.created\" content=\"" + m.Created.UTC().Format("2006-01-02T15:04:05Z") + "\">\n")
	}
	if m.ID != "" {
		bw.WriteString("<meta name=\"dcterms.identifier\" content=\"" + esc(m.ID) + "\">\n")
	}
	bw.WriteString("<style>\n" + htmlStyle)
	if m.Draft {
		bw.WriteString(strings.Replace(htmlDraftStyle, "%s", cssString(label(lang, "doc.draft")), 1))
	}
	bw.WriteString("</style>\n</head>\n<body>\n")
	if m.Draft {
		bw.WriteString("<div class=\"draft-mark\" role=\"note\">" + esc(label(lang, "doc.draft")) + "</div>\n")
	}
	bw.WriteString("<header class=\"doc-header\"><span class=\"acronym\">" + esc(m.ProjectAcronym) + "</span><span class=\"doc-title\">" + esc(title) + "</span></header>\n")
	bw.WriteString("<main>\n")
	// The document's own title (a first level-1 heading) comes before the
	// table of contents, as on paper.
	first := d.Root.FirstChild()
	if h, ok := first.(*ast.Heading); ok && h.Level == 1 {
		if err := htmlBody.Render(bw, d.Source, h); err != nil {
			return err
		}
		first = h.NextSibling()
	}
	writeHTMLTOC(bw, d, label(lang, "doc.contents"))
	for n := first; n != nil; n = n.NextSibling() {
		if err := htmlBody.Render(bw, d.Source, n); err != nil {
			return err
		}
	}
	bw.WriteString("</main>\n<footer class=\"doc-footer\">")
	if m.ID != "" {
		bw.WriteString(esc(label(lang, "doc.document_id", "ID", m.ID)))
	}
	if !m.Created.IsZero() {
		bw.WriteString(" · " + esc(label(lang, "doc.revision_of", "Date", dayIn(lang, m.Created))))
	}
	bw.WriteString("</footer>\n</body>\n</html>\n")
	return bw.Flush()
}

// writeHTMLTOC writes a table of contents of the level 2 and 3 headings,
// nested, linking to the ids goldmark gave them. It is left out when there
// are fewer than two such headings.
func writeHTMLTOC(bw *bufio.Writer, d *Doc, contents string) {
	type entry struct {
		level    int
		id, text string
	}
	var entries []entry
	for n := d.Root.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok || h.Level < 2 || h.Level > 3 {
			continue
		}
		id := ""
		if v, ok := h.AttributeString("id"); ok {
			if b, ok := v.([]byte); ok {
				id = string(b)
			}
		}
		entries = append(entries, entry{h.Level, id, htmlInlineText(h, d.Source)})
	}
	if len(entries) < 2 {
		return
	}
	// Level-3 headings nest under the level-2 heading before them.
	type item struct {
		entry
		children []entry
	}
	var items []item
	for _, e := range entries {
		if e.level == 3 && len(items) > 0 {
			items[len(items)-1].children = append(items[len(items)-1].children, e)
			continue
		}
		items = append(items, item{entry: e})
	}
	link := func(e entry) string {
		return "<a href=\"#" + html.EscapeString(e.id) + "\">" + html.EscapeString(e.text) + "</a>"
	}
	contents = html.EscapeString(contents)
	bw.WriteString("<nav class=\"toc\" aria-label=\"" + contents + "\">\n<strong>" + contents + "</strong>\n<ol>\n")
	for _, it := range items {
		bw.WriteString("<li>" + link(it.entry))
		if len(it.children) > 0 {
			bw.WriteString("\n<ol>\n")
			for _, c := range it.children {
				bw.WriteString("<li>" + link(c) + "</li>\n")
			}
			bw.WriteString("</ol>\n")
		}
		bw.WriteString("</li>\n")
	}
	bw.WriteString("</ol>\n</nav>\n")
}

// htmlInlineText is the text of a node's inline content as the HTML body
// shows it: backslash escapes and character references resolved, raw HTML
// left out.
func htmlInlineText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *ast.Text:
			b.WriteString(htmlDecodeText(t.Segment.Value(src)))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.WriteString(htmlDecodeText(t.Value))
		case *ast.CodeSpan:
			for cc := t.FirstChild(); cc != nil; cc = cc.NextSibling() {
				if tt, ok := cc.(*ast.Text); ok {
					b.Write(tt.Segment.Value(src))
				}
			}
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// htmlDecodeText reads Markdown text the way goldmark's HTML writer does,
// in one pass: a backslash before ASCII punctuation yields the punctuation,
// and numeric and named character references yield their characters.
func htmlDecodeText(s []byte) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && util.IsPunct(s[i+1]):
			i++
			b.WriteByte(s[i])
		case c == '&':
			if r, n := htmlCharRef(s[i:]); n > 0 {
				b.WriteString(r)
				i += n - 1
			} else {
				b.WriteByte(c)
			}
		case c == 0:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// htmlCharRef decodes a character reference at the start of s (&#65;,
// &#x41;, &amp;) and its length, or 0 when there is none.
func htmlCharRef(s []byte) (string, int) {
	end := bytes.IndexByte(s, ';')
	if end < 2 || end > 40 {
		return "", 0
	}
	body := string(s[1:end])
	if body[0] == '#' {
		var v uint64
		var err error
		if len(body) > 1 && (body[1] == 'x' || body[1] == 'X') {
			if len(body) < 3 || len(body) > 8 {
				return "", 0
			}
			v, err = strconv.ParseUint(body[2:], 16, 32)
		} else {
			if len(body) < 2 || len(body) > 8 {
				return "", 0
			}
			v, err = strconv.ParseUint(body[1:], 10, 32)
		}
		if err != nil {
			return "", 0
		}
		return string(util.ToValidRune(rune(v))), end + 1
	}
	if e, ok := util.LookUpHTML5EntityByName(body); ok {
		return string(e.Characters), end + 1
	}
	return "", 0
}

// htmlLinks renders links, autolinks and images in place of goldmark's.
type htmlLinks struct{}

func (htmlLinks) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindLink, renderHTMLLink)
	reg.Register(ast.KindAutoLink, renderHTMLAutoLink)
	reg.Register(ast.KindImage, renderHTMLImage)
}

// htmlSafeURL reports whether a link may point at u: http, https, mailto, or
// a relative reference. Browsers ignore ASCII tabs, newlines and leading
// control characters and spaces in a URL, so they are dropped before the
// scheme is read.
func htmlSafeURL(u []byte) bool {
	clean := strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, string(u))
	i := strings.IndexAny(clean, ":/?#")
	if i < 0 || clean[i] != ':' {
		return true
	}
	switch strings.ToLower(clean[:i]) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

func renderHTMLLink(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	n := node.(*ast.Link)
	// Check the destination with its character references resolved (as a
	// browser reads it) and as it will be written.
	href := util.URLEscape(n.Destination, true)
	if !htmlSafeURL([]byte(htmlDecodeText(n.Destination))) || !htmlSafeURL(href) {
		return ast.WalkContinue, nil // the text stays, the link goes
	}
	if !entering {
		_, _ = w.WriteString("</a>")
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(href))
	_ = w.WriteByte('"')
	if n.Title != nil {
		_, _ = w.WriteString(` title="` + html.EscapeString(htmlDecodeText(n.Title)) + `"`)
	}
	_ = w.WriteByte('>')
	return ast.WalkContinue, nil
}

func renderHTMLAutoLink(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.AutoLink)
	label := util.EscapeHTML(n.Label(src))
	url := n.URL(src)
	if n.AutoLinkType == ast.AutoLinkEmail && !bytes.HasPrefix(bytes.ToLower(url), []byte("mailto:")) {
		url = append([]byte("mailto:"), url...)
	}
	if !htmlSafeURL(url) {
		_, _ = w.Write(label)
		return ast.WalkContinue, nil
	}
	_, _ = w.WriteString(`<a href="`)
	_, _ = w.Write(util.EscapeHTML(util.URLEscape(url, false)))
	_, _ = w.WriteString(`">`)
	_, _ = w.Write(label)
	_, _ = w.WriteString(`</a>`)
	return ast.WalkContinue, nil
}

func renderHTMLImage(w util.BufWriter, src []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	if alt := htmlInlineText(node, src); alt != "" {
		_, _ = w.WriteString(`<span class="image-text">` + html.EscapeString(alt) + `</span>`)
	}
	return ast.WalkSkipChildren, nil
}

// cssString escapes s for a CSS string in double quotes inside a style
// element: quotes, backslashes, line breaks and < (which could end the
// element) become escapes.
func cssString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '<' || r == '>' || r == '&' || r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\%x ", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
