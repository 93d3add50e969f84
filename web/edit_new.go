package web

import (
	"errors"
	"net/http"

	"github.com/craftscode/craftscode/workflow"
)

// startView is the page that starts an action plan or a peer review.
type startView struct {
	Project     workflow.Project
	Form        *form
	Own         string // the caller's partner's name, when it starts its own
	Partners    []editOption
	Instruments []editOption
}

func (h *Handler) newPlanForm(c *call) error {
	k, own, err := h.startingIn(c)
	if err != nil {
		return err
	}
	return h.renderNewPlan(c, http.StatusOK, k, own, newForm(map[string][]string{"language": {"en"}}))
}

func (h *Handler) renderNewPlan(c *call, status int, k *editConsortium, own string, f *form) error {
	v := startView{Project: k.Project, Form: f, Own: k.names[own], Instruments: k.instrumentOptions(own)}
	if own == "" {
		v.Partners = k.partnerOptions(true)
	}
	h.render(c, status, "edit/plan-new", view{Title: c.T("edit.plan.new_title"), Data: v})
	return nil
}

func (h *Handler) createPlan(c *call) error {
	k, own, err := h.startingIn(c)
	if err != nil {
		return err
	}
	f := newForm(c.r.PostForm)
	partner := own
	if partner == "" {
		partner = f.Get("partner_id")
	}
	p := &workflow.ActionPlan{ProjectID: k.Project.ID, PartnerID: partner, PolicyInstrumentID: f.Get("policy_instrument_id"),
		Title: f.Get("title"), Language: f.Get("language"), SummaryEN: f.Get("summary_en"), Actions: []workflow.PlanAction{}}
	d := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: p}
	if err := c.principal.CreateDeliverable(k.Project.ID, partner); err != nil {
		return err
	}
	p.Normalize()
	err = p.Validate()
	if err == nil {
		err = h.cfg.Store.CreateDeliverable(c.r.Context(), &d)
	}
	if status, ok := refuseNew(c, f, err); ok {
		return h.renderNewPlan(c, status, k, own, f)
	}
	if err != nil {
		return err
	}
	http.Redirect(c.w, c.r, h.editURL(d.Kind, p.ID, "/edit?done=created"), http.StatusSeeOther)
	return nil
}

func (h *Handler) newReviewForm(c *call) error {
	k, own, err := h.startingIn(c)
	if err != nil {
		return err
	}
	return h.renderNewReview(c, http.StatusOK, k, own, newForm(map[string][]string{}))
}

func (h *Handler) renderNewReview(c *call, status int, k *editConsortium, own string, f *form) error {
	v := startView{Project: k.Project, Form: f, Own: k.names[own], Instruments: k.instrumentOptions(""), Partners: k.partnerOptions(false)}
	h.render(c, status, "edit/review-new", view{Title: c.T("edit.review.new_title"), Data: v})
	return nil
}

func (h *Handler) createReview(c *call) error {
	k, own, err := h.startingIn(c)
	if err != nil {
		return err
	}
	f := newForm(c.r.PostForm)
	host := own
	if host == "" {
		host = f.Get("host_partner_id")
	}
	var problems workflow.Problems
	r := &workflow.PeerReview{ProjectID: k.Project.ID, HostPartnerID: host, PeerPartnerIDs: append([]string{}, f.All("peer_partner_ids[]")...),
		PolicyInstrumentID: f.Get("policy_instrument_id"), Title: f.Get("title"),
		VisitStart: formDate(&problems, f.Values, "visit_start", c.T("edit.bad_date")), VisitEnd: formDate(&problems, f.Values, "visit_end", c.T("edit.bad_date")),
		Recommendations: []workflow.Recommendation{}}
	d := workflow.Deliverable{Kind: workflow.KindPeerReview, Review: r}
	if err := c.principal.CreateDeliverable(k.Project.ID, host); err != nil {
		return err
	}
	r.Normalize()
	err = withProblems(problems, r.Validate(), c.T("edit.invalid"))
	if err == nil {
		err = h.cfg.Store.CreateDeliverable(c.r.Context(), &d)
	}
	if status, ok := refuseNew(c, f, err); ok {
		return h.renderNewReview(c, status, k, own, f)
	}
	if err != nil {
		return err
	}
	http.Redirect(c.w, c.r, h.editURL(d.Kind, r.ID, "/edit?done=created"), http.StatusSeeOther)
	return nil
}

// refuseNew keeps a refused creation on its form: what was typed, with
// the domain's problems (422), or the clash with what exists, such as a
// second plan for an instrument (409).
func refuseNew(c *call, f *form, err error) (int, bool) {
	if refuseForm(c, f, err) {
		return http.StatusUnprocessableEntity, true
	}
	var we *workflow.Error
	if errors.As(err, &we) && we.Code == workflow.CodeConflict {
		f.Problem = c.sayError(we)
		return http.StatusConflict, true
	}
	return 0, false
}
