package documents

import (
	"bufio"
	"bytes"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// renderMD writes the Markdown the template produced, less the escapes a
// CommonMark reader does not need (see mdMinimal), after a YAML front
// matter block (title, author, lang, project, date, id, status: the same
// metadata the other formats carry) and, on drafts only, a DRAFT block
// quote. Front matter values are double-quoted YAML strings, so that no
// title can break out of them.
func renderMD(w io.Writer, d *Doc) error {
	m := d.Meta
	lang := m.Language
	if lang == "" {
		lang = "en"
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("---\n")
	field := func(k, v string) { bw.WriteString(k + ": " + yamlQuote(v) + "\n") }
	field("title", m.Title)
	field("author", m.Author)
	field("lang", lang)
	field("project", m.ProjectAcronym)
	if !m.Created.IsZero() {
		field("date", m.Created.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if m.ID != "" {
		field("id", m.ID)
	}
	if m.Draft {
		field("status", "draft")
	} else {
		field("status", "approved")
	}
	bw.WriteString("generator: craftscode\n---\n\n")
	if m.Draft {
		bw.WriteString("> **" + label(m.Language, "doc.draft") + "** — " + label(m.Language, "doc.draft_note") + "\n\n")
	}
	body := mdMinimal(d.Source)
	bw.Write(body)
	if len(body) > 0 && body[len(body)-1] != '\n' {
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// yamlQuote writes s as a YAML double-quoted scalar. Go's quoting escapes
// exactly what YAML needs there (backslash, double quote, control and
// non-printable characters) with escapes YAML shares (\n, \t, \xXX, \uXXXX,
// \UXXXXXXXX); invalid UTF-8 is replaced first so that no \xXX byte escape
// of a broken sequence can appear.
func yamlQuote(s string) string {
	return strconv.Quote(strings.ToValidUTF8(s, "\uFFFD"))
}

// The templates escape every character of user text that could start
// Markdown anywhere (escapeMarkdown): safe for every writer, but a person
// reading the .md file sees "Part \(I\)", "€1\,200" and "a\_b". mdMinimal
// keeps an escape only where its character could start or end markup in
// that place, and checks the result: parsed again, each top-level block
// must render exactly as before, or that block keeps all its escapes.
//
// An escape stays when its character stands at the start of a line (where
// list, quote, heading, table and thematic-break markers live), and
// elsewhere for
//
//   - ` when the block has another backtick (a code span needs two);
//   - * _ ~ when they could open or close emphasis or strikethrough: not
//     between two spaces, and for _ not inside a word;
//   - [ when a ] follows in the block, ] when an unescaped [ comes before it,
//     ! before [;
//   - < before a letter, /, ! or ? (HTML, autolinks), & before what reads as
//     a character reference;
//   - # in headings (a closing sequence), | in tables (a | elsewhere could
//     only make a table with a delimiter row, which the check would see);
//   - { and } next to another brace (so that no "{{" reads as template
//     syntax);
//   - \ before punctuation or at the end of a line.
func mdMinimal(src []byte) []byte {
	orig, drops := mdNeedless(src)
	if len(drops) == 0 {
		return src
	}
	want := mdBlocks(src, orig)
	for try := 0; try < 2; try++ {
		out := mdApply(src, drops)
		got := mdBlocks(out, mdVerify.Parser().Parse(text.NewReader(out)))
		if len(got) != len(want) {
			return src
		}
		bad := map[int]bool{}
		for i := range want {
			if !bytes.Equal(want[i], got[i]) {
				bad[i] = true
			}
		}
		if len(bad) == 0 {
			return out
		}
		kept := drops[:0]
		for _, d := range drops {
			if !bad[d.block] {
				kept = append(kept, d)
			}
		}
		drops = kept
	}
	return src
}

// mdNeedless parses src and finds the escapes the rules find needless.
func mdNeedless(src []byte) (ast.Node, []mdCut) {
	orig := mdVerify.Parser().Parse(text.NewReader(src))
	var drops []mdCut
	block := 0
	for n := orig.FirstChild(); n != nil; n = n.NextSibling() {
		drops = mdDrops(drops, n, n, src, block)
		block++
	}
	return orig, drops
}

// mdVerify parses and renders for the check: the shared parser's
// extensions, no heading ids.
var mdVerify = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough))

// mdBlocks renders each top-level block to HTML.
func mdBlocks(src []byte, root ast.Node) [][]byte {
	var out [][]byte
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		var b bytes.Buffer
		if err := mdVerify.Renderer().Render(&b, src, n); err != nil {
			b.WriteString("\x00error")
		}
		out = append(out, b.Bytes())
	}
	return out
}

// mdCut is an escape's backslash to leave out, and its top-level block.
type mdCut struct{ at, block int }

func mdApply(src []byte, drops []mdCut) []byte {
	out := make([]byte, 0, len(src))
	at := 0
	for _, d := range drops {
		out = append(out, src[at:d.at]...)
		at = d.at + 1
	}
	return append(out, src[at:]...)
}

// mdDrops appends the needless escapes in the text of n, in source order.
func mdDrops(drops []mdCut, n, top ast.Node, src []byte, block int) []mdCut {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		t, ok := c.(*ast.Text)
		if !ok {
			if _, code := c.(*ast.CodeSpan); !code {
				drops = mdDrops(drops, c, top, src, block)
			}
			continue
		}
		if t.IsRaw() {
			continue
		}
		seg := t.Segment
		for i := seg.Start; i < seg.Stop; i++ {
			if src[i] != '\\' || i+1 >= len(src) || !util.IsPunct(src[i+1]) {
				continue
			}
			if !mdNeeded(src, i, c, top) {
				drops = append(drops, mdCut{at: i, block: block})
			}
			i++ // the escaped character
		}
	}
	return drops
}

// mdLineStart matches what may stand before the start of a block's text
// on its line: indentation and the markers of quotes, lists, headings and
// table cells.
var mdLineStart = regexp.MustCompile(`^(?:[ \t]*(?:>|[-+*]|[0-9]{1,9}[.)]|#{1,6}|\|))*[ \t]*[0-9]{0,9}$`)

var mdCharRef = regexp.MustCompile(`^&(?:#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)`)

// mdNeeded tells whether the escape at src[i] (a backslash) is needed.
func mdNeeded(src []byte, i int, n, top ast.Node) bool {
	c := src[i+1]
	// At the start of a line, after nothing but what could be a
	// container's or list's marker, every escape stays; a table cell
	// holds only inline text, where only | counts.
	ls := bytes.LastIndexByte(src[:i], '\n') + 1
	if mdInTable(n) {
		if c == '|' {
			return true
		}
	} else if mdLineStart.Match(src[ls:i]) {
		return true
	}
	prev, _ := utf8.DecodeLastRune(src[:i])
	next, rest := mdAfter(src[i+2:])
	start, stop := mdBlockSpan(top)
	stop = max(stop, i+2)
	switch c {
	case '`':
		return bytes.Count(src[start:stop], []byte("`")) > 1
	case '*', '_', '~':
		if mdBlank(prev) && mdBlank(next) {
			return false
		}
		if c == '_' && mdWord(prev) && mdWord(next) {
			return false
		}
		return true
	case '[':
		return bytes.IndexByte(src[i+2:stop], ']') >= 0
	case ']':
		// an unescaped [ before it in the block could open a link
		for j := start; j < i; j++ {
			if src[j] == '\\' {
				j++
				continue
			}
			if src[j] == '[' {
				return true
			}
		}
		return false
	case '!':
		return next == '['
	case '{', '}':
		// "{{" and "}}" stay escaped: the file must not read as template
		// syntax (it may be uploaded as a template's start)
		return prev == '{' || prev == '}' || next == '{' || next == '}'
	case '<':
		return next == '/' || next == '!' || next == '?' || next < utf8.RuneSelf && unicode.IsLetter(next)
	case '&':
		return mdCharRef.Match(append([]byte{'&'}, rest...))
	case '#':
		_, heading := top.(*ast.Heading)
		return heading
	case '|':
		return false // a table's were kept above; elsewhere the check guards
	case '\\':
		return next == '\n' || next == utf8.RuneError || next < utf8.RuneSelf && util.IsPunct(byte(next))
	}
	return false
}

// mdAfter is the first character after an escape, and the bytes from it,
// as they would read with every escape among them left out (the worst
// case).
func mdAfter(s []byte) (rune, []byte) {
	var b []byte
	for i := 0; i < len(s) && len(b) < 40; i++ {
		if s[i] == '\\' && i+1 < len(s) && util.IsPunct(s[i+1]) {
			i++
		}
		b = append(b, s[i])
	}
	if len(b) == 0 {
		return utf8.RuneError, b
	}
	r, _ := utf8.DecodeRune(b)
	return r, b
}

func mdBlank(r rune) bool { return r == utf8.RuneError || unicode.IsSpace(r) }

func mdWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func mdInTable(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		switch p.(type) {
		case *east.TableCell, *east.Table:
			return true
		}
	}
	return false
}

// mdBlockSpan is the source of a top-level block: from the start of its
// first line to the end of its last, over all the blocks inside it.
func mdBlockSpan(top ast.Node) (int, int) {
	start, stop := -1, 0
	_ = ast.Walk(top, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if n.Type() != ast.TypeBlock {
			return ast.WalkSkipChildren, nil
		}
		if l := n.Lines(); l.Len() > 0 {
			if start < 0 || l.At(0).Start < start {
				start = l.At(0).Start
			}
			stop = max(stop, l.At(l.Len()-1).Stop)
		}
		return ast.WalkContinue, nil
	})
	return max(start, 0), stop
}
