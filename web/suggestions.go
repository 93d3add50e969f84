package web

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/workflow"
)

// The page of accepted suggestions: once a deliverable is back in draft,
// its owner sees the suggested wording the formal responses accepted, each
// with the section's text before and after, ticks the ones to apply, and
// saves them as one edit. Conflicts (the section changed meanwhile, the
// words no longer found) are listed apart and cannot be chosen.

func (h *Handler) suggestionRoutes(m *http.ServeMux) {
	for seg, kind := range kinds {
		m.Handle("GET /ui/"+seg+"/{id}/suggestions", h.page(true, h.suggestionsPage(kind)))
		m.Handle("POST /ui/"+seg+"/{id}/suggestions", h.page(true, h.applySuggestions(kind)))
	}
}

// suggestionItem is one suggestion as the page shows it. Before and After
// are the section's text split around the change, so that the page marks
// the words taken out (<del>) and put in (<ins>).
type suggestionItem struct {
	ID, Section, Author, Body string
	Revision                  int
	Of, Text                  string
	Prefix, Old, New, Suffix  string
	Now, Was                  string // a conflict's texts: the draft's and the revision's
	Reason                    string
	Checked                   bool
}

type suggestionsView struct {
	Segment   string
	Head      workflow.Head
	Version   int
	CanApply  bool // a draft the caller may edit
	Items     []suggestionItem
	Conflicts []suggestionItem
}

// sectionNames names sections in the page's language, from the revisions
// the suggestions were made on (an action's title as it stood then).
type sectionNames struct {
	h     *Handler
	c     *call
	kind  workflow.Kind
	id    string
	byRev map[int][]workflow.Section
}

func (n *sectionNames) name(revision int, anchor string) (string, error) {
	secs, ok := n.byRev[revision]
	if !ok {
		rev, err := n.h.cfg.Store.Revision(n.c.r.Context(), n.kind, n.id, revision)
		if err != nil {
			return "", err
		}
		if secs, err = workflow.Sections(rev.Snapshot); err != nil {
			return "", err
		}
		n.byRev[revision] = secs
	}
	i := slices.IndexFunc(secs, func(s workflow.Section) bool { return s.Anchor == anchor })
	if i < 0 {
		return anchor, nil
	}
	return sectionLabel(n.c, secs[i]), nil
}

// conflictReason says why a suggestion cannot be applied, in the page's
// language.
func conflictReason(c *call, code string) string {
	switch code {
	case workflow.ConflictSectionChanged:
		return c.T("suggestions.conflict.section_changed")
	case workflow.ConflictSectionGone:
		return c.T("suggestions.conflict.section_gone")
	case workflow.ConflictOfMissing:
		return c.T("suggestions.conflict.of_missing")
	case workflow.ConflictOfRepeated:
		return c.T("suggestions.conflict.of_repeated")
	case workflow.ConflictEditedAfterward:
		return c.T("suggestions.conflict.edited_afterward")
	case workflow.ConflictInvalid:
		return c.T("suggestions.conflict.invalid")
	}
	return code
}

// splitChange cuts the current text around what the suggestion replaces.
func splitChange(p workflow.PendingSuggestion) (prefix, old, suffix string) {
	s := p.Comment.Suggestion
	if s.Of == "" {
		return "", p.CurrentText, ""
	}
	before, after, _ := strings.Cut(p.CurrentText, s.Of)
	return before, s.Of, after
}

// loadSuggestions gathers the page; chosen are the comments ticked in a
// refused form (nil: every applicable one, as the page first offers).
func (h *Handler) loadSuggestions(c *call, kind workflow.Kind, chosen []string) (suggestionsView, error) {
	id := c.r.PathValue("id")
	d, err := h.visible(c, kind, id)
	if err != nil {
		return suggestionsView{}, err
	}
	if err := c.principal.EditDeliverable(d); err != nil {
		return suggestionsView{}, err
	}
	head := d.Head()
	v := suggestionsView{Segment: segment(kind), Head: head, Version: head.Version, CanApply: head.State == workflow.StateDraft}
	pending, err := h.cfg.Store.PendingSuggestions(c.r.Context(), kind, id, *c.principal)
	if err != nil {
		return v, err
	}
	orgs, err := h.organisations(c, head.ProjectID)
	if err != nil {
		return v, err
	}
	names := &sectionNames{h: h, c: c, kind: kind, id: id, byRev: map[int][]workflow.Section{}}
	for _, p := range pending {
		cm := p.Comment
		it := suggestionItem{ID: cm.ID, Author: cm.AuthorName, Body: cm.Body, Revision: p.Revision,
			Of: cm.Suggestion.Of, Text: cm.Suggestion.Text}
		if o := orgs[cm.AuthorID]; o != "" {
			it.Author += ", " + o
		}
		if it.Section, err = names.name(p.Revision, p.Section); err != nil {
			return v, err
		}
		if p.Conflict {
			it.Reason, it.Now, it.Was = conflictReason(c, p.Reason), p.CurrentText, p.RevisionText
			v.Conflicts = append(v.Conflicts, it)
			continue
		}
		it.Prefix, it.Old, it.Suffix = splitChange(p)
		it.New = it.Text
		it.Checked = chosen == nil || slices.Contains(chosen, cm.ID)
		v.Items = append(v.Items, it)
	}
	return v, nil
}

func (h *Handler) suggestionsPage(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		v, err := h.loadSuggestions(c, kind, nil)
		if err != nil {
			return err
		}
		h.render(c, http.StatusOK, "deliverables/suggestions", view{Title: c.T("suggestions.title", "Title", v.Head.Title), Data: v})
		return nil
	}
}

func (h *Handler) applySuggestions(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		id := c.r.PathValue("id")
		if !workflow.ValidID(id) {
			return workflow.Errorf(workflow.CodeNotFound, "not found")
		}
		chosen := c.r.PostForm["comment"]
		version, err := postedVersion(c)
		if err == nil && len(chosen) == 0 {
			err = &workflow.Error{Code: workflow.CodeInvalid, Message: c.T("suggestions.none_chosen")}
		}
		if err == nil {
			_, err = h.cfg.Store.ApplySuggestions(c.r.Context(), kind, id, version, chosen, *c.principal)
		}
		if formProblem(err) {
			// The page again, as it stands now, with the choices kept.
			v, lerr := h.loadSuggestions(c, kind, chosen)
			if lerr != nil {
				return lerr
			}
			status, ev := h.describe(c, err)
			page := view{Title: c.T("suggestions.title", "Title", v.Head.Title), Data: v, Error: ev.Error, Details: ev.Details}
			if workflow.ErrorCode(err) == workflow.CodePreconditionFailed {
				page.Error, page.Details = c.T("suggestions.stale"), nil
			}
			h.render(c, status, "deliverables/suggestions", page)
			return nil
		}
		if err != nil {
			return err
		}
		http.Redirect(c.w, c.r, fmt.Sprintf("/ui/%s/%s?done=applied", segment(kind), id), http.StatusSeeOther)
		return nil
	}
}

// pendingCount is how many accepted suggestions wait for the draft, for
// the reading page's link; 0 when the caller may not apply them.
func (h *Handler) pendingCount(c *call, kind workflow.Kind, d workflow.Deliverable) (int, error) {
	head := d.Head()
	if head.State != workflow.StateDraft || head.Revision == 0 || c.principal.EditDeliverable(d) != nil {
		return 0, nil
	}
	pending, err := h.cfg.Store.PendingSuggestions(c.r.Context(), kind, head.ID, *c.principal)
	return len(pending), err
}

// appliedView is one suggestion applied to the deliverable, for its
// history page.
type appliedView struct {
	Section, Who string
	CommentID    string
	Revision     int
	Version      int
	Before       string
	After        string
	At           when
}

func (h *Handler) appliedHistory(c *call, kind workflow.Kind, id string, dt *dates) ([]appliedView, error) {
	apps, err := h.cfg.Store.AppliedSuggestions(c.r.Context(), kind, id, *c.principal)
	if err != nil {
		return nil, err
	}
	names := &sectionNames{h: h, c: c, kind: kind, id: id, byRev: map[int][]workflow.Section{}}
	out := make([]appliedView, 0, len(apps))
	for _, a := range slices.Backward(apps) { // newest first, as the page
		sec, err := names.name(a.Revision, a.Section)
		if err != nil {
			return nil, err
		}
		out = append(out, appliedView{Section: sec, Who: a.ByName, CommentID: a.CommentID, Revision: a.Revision,
			Version: a.Version, Before: a.Before, After: a.After, At: dt.at(a.At)})
	}
	return out, nil
}

// suggestedHTML says a comment's suggested wording in the page's language:
// "replace «of» with «text»", the words taken out in <del> and those put
// in in <ins>, or the whole new text in <ins>.
func suggestedHTML(loc *locale.Localizer, s workflow.Suggestion) template.HTML {
	ins := "<ins>" + template.HTMLEscapeString(s.Text) + "</ins>"
	if s.Of == "" {
		return template.HTML(template.HTMLEscapeString(loc.MustT("thread.suggestion_whole")) + " " + ins) //nolint:gosec // escaped
	}
	// The sentence is translated with markers in place of the two texts,
	// escaped, and then the marked-up texts go where the markers are.
	const of, text = "\u27e61\u27e7", "\u27e62\u27e7"
	out := template.HTMLEscapeString(loc.MustT("thread.suggestion_replace", "Of", of, "Text", text))
	out = strings.Replace(out, of, "<del>"+template.HTMLEscapeString(s.Of)+"</del>", 1)
	out = strings.Replace(out, text, ins, 1)
	return template.HTML(out) //nolint:gosec // escaped above
}
