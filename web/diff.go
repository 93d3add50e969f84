package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/craftscode/craftscode/revdiff"
	"github.com/craftscode/craftscode/workflow"
)

// The diff page: what changed between two frozen revisions, section by
// section and word by word, with the threads of the earlier revision on
// each section, marked outdated where their section changed.

// diffRoutes registers the page beside the reading page's own.
func (h *Handler) diffRoutes(m *http.ServeMux) {
	for seg, kind := range kinds {
		m.Handle("GET /ui/"+seg+"/{id}/revisions/{n}/diff", h.page(true, h.revisionDiff(kind)))
	}
}

// diffSection is a section the page shows: its name in the page's
// language, its change, its text with the changes marked, and the earlier
// revision's threads on it.
type diffSection struct {
	Anchor, Key string
	// TitlePrefix, Title and TitleLang as the reading page's section-title
	// takes them; Label names an action's part.
	TitlePrefix, Title, TitleLang, Label string
	Change                               string // workflow.Section*
	// NameHTML is the whole name as the page writes it (the title in its
	// language), and ChangeLabel the change in words: made once here, as
	// the page uses them twice for each of up to hundreds of sections.
	NameHTML    template.HTML
	ChangeLabel string
	Text        template.HTML
	Lang        string
	Threads     []diffThread
	// Gone: the section is not in the later revision, so there is no new
	// text to link to.
	Gone bool
}

// diffThread is a thread of the earlier revision, in short.
type diffThread struct {
	ID, AuthorName, RoleLabel, StanceLabel, Body string
	Deleted, Hidden                              bool
	Created                                      when
	// Response says the response's status, or that there is none; Replies
	// counts the replies in words ("" for none).
	Response, Replies string
	Outdated          bool
}

// diffWords are the page's words that repeat under every thread, looked
// up once.
type diffWords struct {
	Outdated, OutdatedGone, Current, ReadNew, Hidden, Deleted string
}

type diffView struct {
	Segment  string
	Head     workflow.Head
	From, To int
	Latest   bool // To is the revision the reading page shows
	// FromOptions are the revisions it may be compared with instead.
	FromOptions []int
	Sections    []diffSection
	// Unchanged are the sections with no change and no thread: named, not
	// shown.
	Unchanged                []diffSection
	Added, Removed, Changed  int
	Threads, OutdatedThreads int
	Words                    diffWords
}

func (h *Handler) revisionDiff(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		ctx, id, p := c.r.Context(), c.r.PathValue("id"), *c.principal
		d, err := h.visible(c, kind, id)
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(c.r.PathValue("n"))
		if err != nil || n < 1 {
			return workflow.Errorf(workflow.CodeNotFound, "no revision %q", c.r.PathValue("n"))
		}
		to, err := h.cfg.Store.Revision(ctx, kind, id, n)
		if err != nil {
			return err
		}
		from := n - 1
		if q := c.r.URL.Query(); q.Has("from") {
			if from, err = strconv.Atoi(q.Get("from")); err != nil {
				from = 0 // not a number: CheckDiffRange says what it must be
			}
		}
		if err := revdiff.CheckDiffRange(from, n); err != nil {
			return err
		}
		was, err := h.cfg.Store.Revision(ctx, kind, id, from)
		if err != nil {
			return err
		}
		before, err := workflow.Sections(was.Snapshot)
		if err != nil {
			return err
		}
		after, err := workflow.Sections(to.Snapshot)
		if err != nil {
			return err
		}
		set, err := h.cfg.Store.CommentThreads(ctx, kind, id, from, p, workflow.ThreadQuery{KeepCurrent: true})
		if err != nil {
			return err
		}
		head := d.Head()
		v := diffView{Segment: segment(kind), Head: head, From: from, To: n, Latest: n == head.Revision,
			Words: diffWords{Outdated: c.T("diff.outdated"), OutdatedGone: c.T("diff.outdated_gone"), Current: c.T("diff.current"),
				ReadNew: c.T("diff.read_new"), Hidden: c.T("thread.hidden"), Deleted: c.T("thread.deleted")}}
		for i := 1; i < n; i++ {
			v.FromOptions = append(v.FromOptions, i)
		}
		named := make(map[string]workflow.Section, len(before)+len(after))
		for _, s := range before {
			named[s.Anchor] = s
		}
		for _, s := range after {
			named[s.Anchor] = s // the later title names a section both have
		}
		threads := map[string][]workflow.Comment{}
		for _, t := range set.Threads {
			threads[t.Section] = append(threads[t.Section], t)
		}
		dt := c.dates(time.Now())
		// Words looked up once a page, whatever the number of threads.
		words := map[string]string{}
		once := func(key string, word func() string) string {
			if s, ok := words[key]; ok {
				return s
			}
			s := word()
			words[key] = s
			return s
		}
		label := func(code string) string {
			if code == "" {
				return ""
			}
			return once("code:"+code, func() string { return c.loc.MustT(codeKey(code)) })
		}
		changeLabel := map[string]string{revdiff.SectionAdded: c.T("diff.change.added", "To", n),
			revdiff.SectionRemoved: c.T("diff.change.removed", "To", n), revdiff.SectionChanged: c.T("diff.change.changed"),
			revdiff.SectionUnchanged: c.T("diff.change.unchanged")}
		noResponse := c.T("diff.no_response")
		marks := diffMarks{lang: c.loc.Lang(), insStart: c.T("diff.ins_start"), insEnd: c.T("diff.ins_end"),
			delStart: c.T("diff.del_start"), delEnd: c.T("diff.del_end")}
		lang := contentLang(d)
		diff := revdiff.DiffSections(before, after)
		for _, sd := range diff.Sections {
			s := diffSection{Anchor: sd.Anchor, Key: idKey(sd.Anchor), Change: sd.Change, Lang: lang, Gone: sd.Change == revdiff.SectionRemoved}
			sec := named[sd.Anchor]
			var ours bool
			if s.TitlePrefix, s.Title, ours = sectionTitle(c, sec); !ours {
				s.TitleLang = lang
			}
			if _, part, ok := actionOf(sd.Anchor); ok && part != "" {
				s.Label = partLabel(c, part)
			}
			s.NameHTML, s.ChangeLabel = s.nameHTML(), changeLabel[sd.Change]
			if sd.Anchor == "summary_en" {
				s.Lang = "en"
			}
			outdated := sd.Change != revdiff.SectionUnchanged
			for _, t := range threads[sd.Anchor] {
				th := diffThread{ID: t.ID, AuthorName: t.AuthorName, RoleLabel: label(string(t.AuthorRole)), StanceLabel: label(string(t.Stance)),
					Body: t.Body, Deleted: t.Deleted, Hidden: t.Hidden, Created: dt.at(t.CreatedAt), Response: noResponse, Outdated: outdated}
				if r := t.Response; r != nil {
					th.Response = once("response:"+string(r.Status), func() string { return c.T("diff.response", "Status", label(string(r.Status))) })
				}
				if n := len(t.Replies); n > 0 {
					th.Replies = once("replies:"+strconv.Itoa(n), func() string { return c.T("diff.replies", "Count", n) })
				}
				s.Threads = append(s.Threads, th)
				v.Threads++
				if outdated {
					v.OutdatedThreads++
				}
			}
			switch sd.Change {
			case revdiff.SectionAdded:
				v.Added++
			case revdiff.SectionRemoved:
				v.Removed++
			case revdiff.SectionChanged:
				v.Changed++
			}
			if sd.Change == revdiff.SectionUnchanged && len(s.Threads) == 0 {
				v.Unchanged = append(v.Unchanged, s)
				continue
			}
			if sd.Change != revdiff.SectionUnchanged {
				s.Text = marks.html(sd.Ops)
			}
			v.Sections = append(v.Sections, s)
		}
		title := c.T("diff.title", "To", n, "From", from, "Title", head.Title)
		h.render(c, http.StatusOK, "deliverables/diff", view{Title: title, Data: v})
		return nil
	}
}

// nameHTML writes the section's name: the page's words before a title
// people wrote, that title marked with its language, then an action's
// part.
func (s diffSection) nameHTML() template.HTML {
	var sb strings.Builder
	if s.TitlePrefix != "" {
		sb.WriteString(template.HTMLEscapeString(s.TitlePrefix) + " – ")
	}
	if s.TitleLang != "" {
		sb.WriteString(`<span lang="` + template.HTMLEscapeString(s.TitleLang) + `">` + template.HTMLEscapeString(s.Title) + `</span>`)
	} else {
		sb.WriteString(template.HTMLEscapeString(s.Title))
	}
	if s.Label != "" {
		sb.WriteString(": " + template.HTMLEscapeString(s.Label))
	}
	return template.HTML(sb.String()) //nolint:gosec // escaped above
}

// diffMarks writes a section's ops as HTML: insertions in <ins>,
// deletions in <del>, each opened and closed by words in the page's
// language that only a screen reader speaks, since most do not announce
// the elements themselves.
type diffMarks struct {
	lang                               string
	insStart, insEnd, delStart, delEnd string
}

func (m diffMarks) html(ops []revdiff.DiffOp) template.HTML {
	var sb strings.Builder
	hidden := func(s string) {
		sb.WriteString(`<span class="vh" lang="`)
		sb.WriteString(m.lang)
		sb.WriteString(`">`)
		sb.WriteString(template.HTMLEscapeString(s))
		sb.WriteString(`</span>`)
	}
	for _, o := range ops {
		text := template.HTMLEscapeString(o.Text)
		switch o.Op {
		case revdiff.OpInsert:
			sb.WriteString("<ins>")
			hidden(m.insStart + " ")
			sb.WriteString(text)
			hidden(" " + m.insEnd)
			sb.WriteString("</ins>")
		case revdiff.OpDelete:
			sb.WriteString("<del>")
			hidden(m.delStart + " ")
			sb.WriteString(text)
			hidden(" " + m.delEnd)
			sb.WriteString("</del>")
		default:
			sb.WriteString(text)
		}
	}
	return template.HTML(sb.String()) //nolint:gosec // escaped above
}
