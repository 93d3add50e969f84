package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

// The record of a consultation for those who answer it: the list of the
// comments still without a formal response (the reading page's counter
// links here), and at resubmission the open threads that may be carried
// over to the new revision.

// excerptRunes is how much of a comment a list quotes.
const excerptRunes = 200

// excerpt is the start of a text, cut at a rune boundary.
func excerpt(s string) string {
	r := []rune(s)
	if len(r) <= excerptRunes {
		return s
	}
	return string(r[:excerptRunes]) + "…"
}

// revisionSections reads a revision's sections by anchor, with their
// order.
func (h *Handler) revisionSections(c *call, kind workflow.Kind, id string, revision int) (map[string]workflow.Section, error) {
	rev, err := h.cfg.Store.Revision(c.r.Context(), kind, id, revision)
	if err != nil {
		return nil, err
	}
	sections, err := workflow.Sections(rev.Snapshot)
	if err != nil {
		return nil, err
	}
	out := make(map[string]workflow.Section, len(sections))
	for _, s := range sections {
		out[s.Anchor] = s
	}
	return out, nil
}

// waiting tells a thread that still needs the owner's formal response: a
// reply is conversation and does not count.
func waiting(t workflow.Comment) bool { return t.Response == nil && !t.Hidden && !t.Deleted }

// recordItem is one comment of the unanswered list, or one thread the
// submit form offers to carry over.
type recordItem struct {
	ID, Section, Author, Excerpt string
	Stance                       string
	At                           when
	Replies                      int
	Link                         string // its thread on the reading page
	Checked                      bool   // the carry-over box
}

type unansweredView struct {
	Segment  string
	Head     workflow.Head
	Revision int
	Items    []recordItem // without a formal response
	Edited   []recordItem // answered, then edited after the response
}

// unanswered lists the comments of the current revision that still lack
// a formal response, each linking to its thread; and those edited after
// their response, which the owner may answer again. For those who answer.
func (h *Handler) unanswered(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		ctx, id, p := c.r.Context(), c.r.PathValue("id"), *c.principal
		d, err := h.visible(c, kind, id)
		if err != nil {
			return err
		}
		if err := p.Answering(d); err != nil {
			return err
		}
		head := d.Head()
		if head.Revision == 0 {
			return workflow.Errorf(workflow.CodeNotFound, "no revision")
		}
		sections, err := h.revisionSections(c, kind, id, head.Revision)
		if err != nil {
			return err
		}
		threads, _, err := h.cfg.Store.Comments(ctx, kind, id, head.Revision, p, workflow.Page{})
		if err != nil {
			return err
		}
		orgs, err := h.organisations(c, head.ProjectID)
		if err != nil {
			return err
		}
		v := unansweredView{Segment: segment(kind), Head: head, Revision: head.Revision}
		dt := c.dates(time.Now())
		// A thread's link is to the page of its section that shows it:
		// the section's threads are paged in the order read here.
		seen := map[string]int{}
		for _, t := range threads {
			anchor := t.Section
			if _, ok := sections[anchor]; !ok {
				anchor = workflow.GeneralSection // as the reading page places it
			}
			n := seen[anchor]
			seen[anchor]++
			if !waiting(t) && !(t.EditedAfterResponse && !t.Hidden) {
				continue
			}
			q := url.Values{"section": {anchor}}
			if page := n/sectionPageThreads + 1; page > 1 {
				q.Set("page", strconv.Itoa(page))
			}
			author := t.AuthorName
			if org := orgs[t.AuthorID]; org != "" {
				author += ", " + org
			}
			it := recordItem{ID: t.ID, Section: sectionLabel(c, sections[anchor]), Author: author, Excerpt: excerpt(t.Body),
				Stance: c.T(codeKey(string(t.Stance))), At: dt.at(t.CreatedAt), Replies: len(t.Replies),
				Link: "/ui/" + v.Segment + "/" + head.ID + "?" + q.Encode() + "#c-" + t.ID}
			if waiting(t) {
				v.Items = append(v.Items, it)
			} else {
				v.Edited = append(v.Edited, it)
			}
		}
		h.render(c, http.StatusOK, "deliverables/unanswered", view{Title: c.T("unanswered.title", "Title", head.Title), Data: v})
		return nil
	}
}

// carryOptions are the open threads of the revision a submit follows,
// which it may carry over: each checked unless the refused form that
// comes back unchecked it.
func (h *Handler) carryOptions(c *call, kind workflow.Kind, id string, revision int, f *form) ([]recordItem, error) {
	threads, _, err := h.cfg.Store.Comments(c.r.Context(), kind, id, revision, *c.principal, workflow.Page{})
	if err != nil {
		return nil, err
	}
	var out []recordItem
	var sections map[string]workflow.Section
	chosen := f.Get("carry_shown") != "" // the form came back: keep its choices
	for _, t := range threads {
		if !waiting(t) {
			continue
		}
		if sections == nil {
			if sections, err = h.revisionSections(c, kind, id, revision); err != nil {
				return nil, err
			}
		}
		s, ok := sections[t.Section]
		if !ok {
			s = sections[workflow.GeneralSection]
		}
		out = append(out, recordItem{ID: t.ID, Section: sectionLabel(c, s), Author: t.AuthorName, Excerpt: excerpt(t.Body),
			Replies: len(t.Replies), Checked: !chosen || f.Has("carry_over", t.ID)})
	}
	return out, nil
}
