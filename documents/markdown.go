package documents

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// renderMD writes the Markdown the template produced, after a YAML front
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
	bw.Write(d.Source)
	if len(d.Source) > 0 && d.Source[len(d.Source)-1] != '\n' {
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
