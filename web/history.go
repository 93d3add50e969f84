package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

// The history page: a deliverable's frozen revisions and its transitions,
// newest first, in pages.

// historyPageSize is how many transitions (and revisions) a page shows.
const historyPageSize = 20

type revisionRow struct {
	Number      int
	Prev        int // the revision before, whose diff with this one the page links to; 0 for none
	Who, SHA256 string
	At          when
	Current     bool
}

type transitionRow struct {
	From, To workflow.State
	Trigger  workflow.Trigger
	Who      string
	Note     string
	Revision int
	At       when
}

type historyView struct {
	Segment     string
	Head        workflow.Head
	Revisions   []revisionRow
	Transitions []transitionRow
	Page, Pages int
	Prev, Next  int // page numbers, 0 for none
	// Applied are the accepted suggestions applied to drafts, newest
	// first: who applied what. The first page shows them.
	Applied []appliedView
}

func (h *Handler) history(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		ctx, id := c.r.Context(), c.r.PathValue("id")
		d, err := h.visible(c, kind, id)
		if err != nil {
			return err
		}
		head := d.Head()
		// The page shows the newest first and the store pages oldest
		// first, so the whole history is read; it grows by a row per
		// transition, which a person's page can afford.
		records, err := allPages(func(p workflow.Page) ([]workflow.TransitionRecord, string, error) {
			return h.cfg.Store.History(ctx, kind, id, p)
		})
		if err != nil {
			return err
		}
		slices.Reverse(records) // newest first
		v := historyView{Segment: segment(kind), Head: head, Page: 1}
		if n, err := strconv.Atoi(c.r.URL.Query().Get("page")); err == nil && n > 1 {
			v.Page = n
		}
		// The transitions and the revisions page together: a page holds
		// historyPageSize of each, newest first.
		longest := max(len(records), head.Revision)
		v.Pages = max(1, (longest+historyPageSize-1)/historyPageSize)
		if v.Page > v.Pages {
			return workflow.Errorf(workflow.CodeNotFound, "no page %d", v.Page)
		}
		from := (v.Page - 1) * historyPageSize
		records = records[min(from, len(records)):min(from+historyPageSize, len(records))]
		var revs []workflow.RevisionRecord
		for n := head.Revision - from; n >= 1 && n > head.Revision-from-historyPageSize; n-- {
			r, err := h.cfg.Store.Revision(ctx, kind, id, n)
			if err != nil {
				return err
			}
			revs = append(revs, r)
		}
		ids := []string{}
		for _, r := range records {
			ids = append(ids, r.ActorID)
		}
		for _, r := range revs {
			ids = append(ids, r.CreatedBy)
		}
		names, err := h.cfg.Store.UserNames(ctx, ids)
		if err != nil {
			return err
		}
		name := func(id string) string {
			if n, ok := names[id]; ok {
				return n
			}
			return id
		}
		dt := c.dates(time.Now())
		for _, r := range revs {
			v.Revisions = append(v.Revisions, revisionRow{Number: r.Number, Prev: r.Number - 1, Who: name(r.CreatedBy), SHA256: r.SHA256,
				At: dt.at(r.CreatedAt), Current: r.Number == head.Revision})
		}
		for _, r := range records {
			v.Transitions = append(v.Transitions, transitionRow{From: r.From, To: r.To, Trigger: r.Trigger, Who: name(r.ActorID),
				Note: r.Note, Revision: r.Revision, At: dt.atRel(r.At)})
		}
		if v.Page == 1 {
			if v.Applied, err = h.appliedHistory(c, kind, id, dt); err != nil {
				return err
			}
		}
		if v.Page > 1 {
			v.Prev = v.Page - 1
		}
		if v.Page < v.Pages {
			v.Next = v.Page + 1
		}
		h.render(c, http.StatusOK, "deliverables/history", view{Title: c.T("history.title", "Title", head.Title), Data: v})
		return nil
	}
}
