package web

import (
	"net/http"

	"github.com/craftscode/craftscode/workflow"
)

// A peer review's peers write recommendations too: the host, its peers
// and the coordinator may add one (Principal.AddRecommendation, as the
// API's POST …/recommendations), while only the host and the coordinator
// edit the whole review.

type recommendationView struct {
	Review   *workflow.PeerReview
	Form     *form
	CanEdit  bool // the whole review, on its edit page
	Conflict bool // the review changed since the form was loaded
}

// recommending loads a review in draft that the caller may add a
// recommendation to.
func (h *Handler) recommending(c *call) (workflow.Deliverable, error) {
	id := c.r.PathValue("id")
	if !workflow.ValidID(id) {
		return workflow.Deliverable{}, workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	d, err := h.cfg.Store.Deliverable(c.r.Context(), workflow.KindPeerReview, id)
	if err != nil {
		return d, err
	}
	if err := c.principal.AddRecommendation(d); err != nil {
		return d, err
	}
	if d.Review.State != workflow.StateDraft {
		return d, workflow.Errorf(workflow.CodeConflict, "%s", c.T("edit.recommendation_only_draft",
			"State", inSentence(c.T(codeKey(d.Review.State)))))
	}
	return d, nil
}

func (h *Handler) renderRecommendation(c *call, status int, d workflow.Deliverable, f *form, conflict bool) error {
	v := recommendationView{Review: d.Review, Form: f, CanEdit: c.principal.EditDeliverable(d) == nil, Conflict: conflict}
	page := view{Title: c.T("edit.rec.add_title", "Title", d.Review.Title), Data: v}
	if c.r.URL.Query().Get("done") == "added" {
		page.Notice = c.T("edit.rec.added")
	}
	h.render(c, status, "edit/recommendation", page)
	return nil
}

func (h *Handler) newRecommendationForm(c *call) error {
	d, err := h.recommending(c)
	if err != nil {
		return err
	}
	f := newForm(map[string][]string{})
	f.Version = d.Review.Version
	return h.renderRecommendation(c, http.StatusOK, d, f, false)
}

func (h *Handler) addRecommendation(c *call) error {
	d, err := h.recommending(c)
	if err != nil {
		return err
	}
	f := newForm(c.r.PostForm)
	version, err := postedVersion(c)
	if err != nil {
		version = 0 // shown as a conflict below, with the version now stored
	}
	f.Version = version
	rec := workflow.Recommendation{ID: workflow.NewID(), Title: f.Get("title"), Body: f.Get("body")}
	n := len(d.Review.Recommendations)
	prefix := func(err error) error { // the domain names it recommendations[n].title; the form, title
		we, ok := err.(*workflow.Error)
		if !ok || we.Code != workflow.CodeInvalid {
			return err
		}
		out := &workflow.Error{}
		*out = *we // keeps the format of its message
		out.Fields = nil
		for _, fe := range we.Fields {
			for _, name := range []string{"title", "body"} {
				if fe.Field == (recRow{Index: n}).N(name) {
					fe.Field = name
				}
			}
			out.Fields = append(out.Fields, fe)
		}
		return out
	}
	change := func(r *workflow.PeerReview) error {
		r.Recommendations = append(r.Recommendations, rec)
		r.Normalize()
		return prefix(r.Validate())
	}
	cp := *d.Review
	err = change(&cp)
	if err == nil && version > 0 {
		_, err = h.cfg.Store.UpdateDeliverable(c.r.Context(), workflow.KindPeerReview, d.Review.ID, version, func(d *workflow.Deliverable) error {
			return change(d.Review)
		})
	}
	switch {
	case refuseForm(c, f, err):
		return h.renderRecommendation(c, http.StatusUnprocessableEntity, d, f, false)
	case err == nil && version > 0:
		http.Redirect(c.w, c.r, h.editURL(workflow.KindPeerReview, d.Review.ID, "/recommendations/new?done=added"), http.StatusSeeOther)
		return nil
	case err == nil || workflow.ErrorCode(err) == workflow.CodePreconditionFailed:
		// Someone changed the review meanwhile: nothing is added; the form
		// holds the text, now at the version stored, beside the
		// recommendations as they are.
		cur, err := h.recommending(c)
		if err != nil {
			return err
		}
		f.Version = cur.Review.Version
		return h.renderRecommendation(c, http.StatusConflict, cur, f, true)
	}
	return err
}
