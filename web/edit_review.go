package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/craftscode/craftscode/workflow"
)

// recRow is one recommendation of the peer review's form; New marks the
// blank one at the end that adds a recommendation when filled in.
type recRow struct {
	Index, Number int
	New           bool
}

// N is the domain's name of one of the recommendation's fields.
func (r recRow) N(field string) string { return fmt.Sprintf("recommendations[%d].%s", r.Index, field) }

type reviewEditView struct {
	Review      *workflow.PeerReview
	Project     workflow.Project
	Form        *form
	Host        string
	HostChoice  bool // the coordinator may give the review another host
	Partners    []editOption
	Instruments []editOption
	Recs        []recRow
	Check       []checkProblem
	Checking    bool
	Conflict    []conflictField
}

func reviewValues(r *workflow.PeerReview) url.Values {
	v := url.Values{}
	v.Set("title", r.Title)
	v.Set("host_partner_id", r.HostPartnerID)
	if len(r.PeerPartnerIDs) > 0 {
		v["peer_partner_ids[]"] = slices.Clone(r.PeerPartnerIDs)
	}
	v.Set("policy_instrument_id", r.PolicyInstrumentID)
	v.Set("visit_start", dateField(r.VisitStart))
	v.Set("visit_end", dateField(r.VisitEnd))
	v.Set("findings", r.Findings)
	for i, rec := range r.Recommendations {
		v.Set(fmt.Sprintf("recommendations[%d].id", i), rec.ID)
		v.Set(fmt.Sprintf("recommendations[%d].title", i), rec.Title)
		v.Set(fmt.Sprintf("recommendations[%d].body", i), rec.Body)
	}
	return v
}

func recCount(v url.Values) int {
	n := 0
	for v.Has(fmt.Sprintf("recommendations[%d].title", n)) {
		n++
	}
	return n
}

// blankNew tells whether the form's recommendation i is a new one left
// empty, which adds nothing.
func blankNew(v url.Values, i int) bool {
	k := func(s string) string { return fmt.Sprintf("recommendations[%d].%s", i, s) }
	return v.Get(k("id")) == "" && strings.TrimSpace(v.Get(k("title"))) == "" && strings.TrimSpace(v.Get(k("body"))) == ""
}

// applyReview puts the form's fields into the review. Recommendations
// keep their ids; a ticked one is removed, a new one gets an id.
func applyReview(r *workflow.PeerReview, v url.Values, hostChoice bool, bad string) workflow.Problems {
	var problems workflow.Problems
	r.Title, r.Findings = v.Get("title"), v.Get("findings")
	if hostChoice && v.Has("host_partner_id") {
		r.HostPartnerID = v.Get("host_partner_id")
	}
	r.PeerPartnerIDs = append([]string{}, v["peer_partner_ids[]"]...)
	r.PolicyInstrumentID = v.Get("policy_instrument_id")
	r.VisitStart, r.VisitEnd = formDate(&problems, v, "visit_start", bad), formDate(&problems, v, "visit_end", bad)
	known := map[string]bool{}
	for _, rec := range r.Recommendations {
		known[rec.ID] = true
	}
	recs := []workflow.Recommendation{}
	for i := range recCount(v) {
		k := func(s string) string { return fmt.Sprintf("recommendations[%d].%s", i, s) }
		if v.Get(k("remove")) != "" || blankNew(v, i) {
			continue
		}
		id := v.Get(k("id"))
		if !known[id] { // a new one, or one that is gone: it is added
			id = workflow.NewID()
		}
		recs = append(recs, workflow.Recommendation{ID: id, Number: len(recs) + 1, Title: v.Get(k("title")), Body: v.Get(k("body"))})
	}
	r.Recommendations = recs
	return problems
}

func hostChoice(c *call, projectID string) bool {
	m, _ := c.principal.Membership(projectID)
	return c.principal.User.Admin || m.Role == workflow.RoleCoordinator
}

func (h *Handler) editReviewForm(c *call) error {
	d, err := h.editable(c, workflow.KindPeerReview)
	if err != nil {
		return err
	}
	f := newForm(reviewValues(d.Review))
	f.Version = d.Review.Version
	return h.renderReview(c, http.StatusOK, d, f, nil)
}

func (h *Handler) renderReview(c *call, status int, d workflow.Deliverable, f *form, stored url.Values) error {
	r := d.Review
	k, err := h.editConsortium(c, r.ProjectID)
	if err != nil {
		return err
	}
	v := reviewEditView{Review: r, Project: k.Project, Form: f, Host: k.names[r.HostPartnerID], HostChoice: hostChoice(c, r.ProjectID),
		Partners: k.partnerOptions(false), Instruments: k.instrumentOptions("")}
	n := recCount(f.Values)
	for i := range n {
		v.Recs = append(v.Recs, recRow{Index: i, Number: i + 1, New: f.Get(fmt.Sprintf("recommendations[%d].id", i)) == ""})
	}
	if n == 0 || !blankNew(f.Values, n-1) {
		v.Recs = append(v.Recs, recRow{Index: n, Number: n + 1, New: true})
	}
	if stored != nil {
		v.Conflict = changedFields(c, stored, f.Values, k.names)
	}
	q := c.r.URL.Query()
	v.Checking = q.Get("check") == "submit" || f.Get("check") == "submit"
	if v.Checking && status == http.StatusOK {
		v.Check = submitCheck(c, f, r.Incomplete(k.country), func(field string) string {
			if field == "recommendations" {
				return "recommendations"
			}
			return domainFieldID(field)
		})
	}
	page := view{Title: c.T("edit.review.edit_title", "Title", r.Title), Data: v}
	switch q.Get("done") {
	case "created":
		page.Notice = c.T("edit.notice.created")
	case "saved":
		page.Notice = c.T("edit.notice.saved")
	}
	h.render(c, status, "edit/review", page)
	return nil
}

func (h *Handler) saveReview(c *call) error {
	d, err := h.editable(c, workflow.KindPeerReview)
	f := newForm(c.r.PostForm)
	if err != nil {
		return h.reviewUnsaved(c, d, f, err)
	}
	version, err := postedVersion(c) // as in savePlan
	if err != nil {
		f.refuse(c, err)
		f.Version = d.Review.Version
		return h.renderReview(c, http.StatusConflict, d, f, reviewValues(d.Review))
	}
	f.Version = version
	choice := hostChoice(c, d.Review.ProjectID)
	change := func(r *workflow.PeerReview) error {
		problems := applyReview(r, f.Values, choice, c.T("edit.bad_date"))
		r.Normalize()
		return withProblems(problems, r.Validate(), c.T("edit.invalid"))
	}
	cp := *d.Review
	err = change(&cp)
	if err == nil {
		_, err = h.cfg.Store.UpdateDeliverable(c.r.Context(), workflow.KindPeerReview, d.Review.ID, version, func(d *workflow.Deliverable) error {
			return change(d.Review)
		})
	}
	switch {
	case workflow.ErrorCode(err) == workflow.CodePreconditionFailed:
		cur, err := h.editable(c, workflow.KindPeerReview)
		if err != nil {
			return h.reviewUnsaved(c, cur, f, err)
		}
		f.Version = cur.Review.Version
		return h.renderReview(c, http.StatusConflict, cur, f, reviewValues(cur.Review))
	case refuseForm(c, f, err):
		return h.renderReview(c, http.StatusUnprocessableEntity, d, f, nil)
	case err != nil:
		return err
	}
	back := "/edit?done=saved"
	if f.Get("check") == "submit" {
		back += "&check=submit"
	}
	http.Redirect(c.w, c.r, h.editURL(workflow.KindPeerReview, d.Review.ID, back), http.StatusSeeOther)
	return nil
}

// reviewUnsaved is planUnsaved for a peer review.
func (h *Handler) reviewUnsaved(c *call, d workflow.Deliverable, f *form, err error) error {
	if workflow.ErrorCode(err) != workflow.CodeConflict || d.Review == nil {
		return err
	}
	f.Version = d.Review.Version
	f.Problem = c.T("edit.not_draft")
	return h.renderReview(c, http.StatusConflict, d, f, reviewValues(d.Review))
}
