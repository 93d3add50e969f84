package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

// actionRow is one action of the edit form, named by its index as the
// domain names it (actions[2].players).
type actionRow struct {
	Index, Number int
	Up, Down      int // the numbers it moves to
	First, Last   bool
}

// N is the domain's name of one of the action's fields.
func (a actionRow) N(field string) string { return fmt.Sprintf("actions[%d].%s", a.Index, field) }

// planEditView is the action plan's edit page.
type planEditView struct {
	Plan            *workflow.ActionPlan // as stored
	Project         workflow.Project
	Form            *form
	Partner         string
	Instruments     []editOption
	Actions         []actionRow
	Recommendations []editOptGroup
	Practices       []editOption
	Events          []editOption
	Check           []checkProblem // ?check=submit: what a submit still needs
	Checking        bool
	Conflict        []conflictField // a stale save: what changed meanwhile
}

// planValues is the plan as the form's fields.
func planValues(p *workflow.ActionPlan) url.Values {
	v := url.Values{}
	v.Set("title", p.Title)
	v.Set("language", p.Language)
	v.Set("summary_en", p.SummaryEN)
	v.Set("other_organisations", p.OtherOrganisations)
	v.Set("contact_name", p.ContactName)
	v.Set("contact_email", p.ContactEmail)
	v.Set("policy_instrument_id", p.PolicyInstrumentID)
	v.Set("policy_context", p.PolicyContext)
	for i, a := range p.Actions {
		k := func(s string) string { return fmt.Sprintf("actions[%d].%s", i, s) }
		v.Set(k("title"), a.Title)
		v.Set(k("background.text"), a.Background.Text)
		if a.Background.PeerReviewID != "" {
			v.Set(k("background.recommendation_id"), a.Background.PeerReviewID+"/"+a.Background.RecommendationID)
		}
		if len(a.Background.GoodPracticeIDs) > 0 {
			v[k("background.good_practice_ids[]")] = slices.Clone(a.Background.GoodPracticeIDs)
		}
		if len(a.Background.EventIDs) > 0 {
			v[k("background.event_ids[]")] = slices.Clone(a.Background.EventIDs)
		}
		v.Set(k("description"), a.Description)
		v.Set(k("players"), a.Players)
		v.Set(k("timeframe_start"), dateField(a.TimeframeStart))
		v.Set(k("timeframe_end"), dateField(a.TimeframeEnd))
		v.Set(k("costs"), a.Costs)
		v.Set(k("funding_sources"), a.FundingSources)
	}
	return v
}

// actionCount is how many actions the form holds.
func actionCount(v url.Values) int {
	n := 0
	for v.Has(fmt.Sprintf("actions[%d].title", n)) {
		n++
	}
	return n
}

// applyPlan puts the form's fields into the plan; what cannot be read
// (a date) is a problem by field name.
func applyPlan(p *workflow.ActionPlan, v url.Values, bad string) workflow.Problems {
	var problems workflow.Problems
	p.Title, p.Language, p.SummaryEN = v.Get("title"), v.Get("language"), v.Get("summary_en")
	p.OtherOrganisations, p.ContactName, p.ContactEmail = v.Get("other_organisations"), v.Get("contact_name"), v.Get("contact_email")
	p.PolicyContext = v.Get("policy_context")
	if v.Has("policy_instrument_id") {
		p.PolicyInstrumentID = v.Get("policy_instrument_id")
	}
	n := actionCount(v)
	actions := make([]workflow.PlanAction, n)
	for i := range actions {
		k := func(s string) string { return fmt.Sprintf("actions[%d].%s", i, s) }
		a := workflow.PlanAction{Number: i + 1, Title: v.Get(k("title")), Description: v.Get(k("description")),
			Players: v.Get(k("players")), Costs: v.Get(k("costs")), FundingSources: v.Get(k("funding_sources")),
			TimeframeStart: formDate(&problems, v, k("timeframe_start"), bad), TimeframeEnd: formDate(&problems, v, k("timeframe_end"), bad)}
		a.Background.Text = v.Get(k("background.text"))
		if pr, rec, ok := strings.Cut(v.Get(k("background.recommendation_id")), "/"); ok {
			a.Background.PeerReviewID, a.Background.RecommendationID = pr, rec
		}
		a.Background.GoodPracticeIDs = slices.Clone(v[k("background.good_practice_ids[]")])
		a.Background.EventIDs = slices.Clone(v[k("background.event_ids[]")])
		actions[i] = a
	}
	p.Actions = actions
	return problems
}

// subField is a field of a list inside a field (good_practice_ids[2]),
// whose problem shows at the list.
var subField = regexp.MustCompile(`\[\d+\]$`)

// refuseForm is refuse, with the problems of a list's items shown at the
// list, and those of a cited peer review at the recommendation it picks.
func refuseForm(c *call, f *form, err error) bool {
	if !f.refuse(c, err) {
		return false
	}
	for name, msg := range f.Errors {
		to := subField.ReplaceAllString(name, "")
		if strings.HasSuffix(to, ".background.peer_review_id") {
			to = strings.TrimSuffix(to, "peer_review_id") + "recommendation_id"
		}
		if _, ok := f.Errors[to]; !ok && to != name {
			f.Errors[to] = msg
		}
	}
	return true
}

func (h *Handler) editPlanForm(c *call) error {
	d, err := h.editable(c, workflow.KindActionPlan)
	if err != nil {
		return err
	}
	f := newForm(planValues(d.Plan))
	f.Version = d.Plan.Version
	return h.renderPlan(c, http.StatusOK, d, f, nil)
}

// renderPlan shows the edit page with a form: the stored plan's, what was
// typed and refused, or what was typed against a version that has moved
// (conflict).
// stored, on a conflict, is the stored plan's values, to compare with
// what was typed.
func (h *Handler) renderPlan(c *call, status int, d workflow.Deliverable, f *form, stored url.Values) error {
	p := d.Plan
	k, err := h.editConsortium(c, p.ProjectID)
	if err != nil {
		return err
	}
	v := planEditView{Plan: p, Project: k.Project, Form: f, Partner: k.names[p.PartnerID],
		Instruments: k.instrumentOptions(p.PartnerID)}
	if err := h.citable(c, k, &v); err != nil {
		return err
	}
	if stored != nil {
		v.Conflict = changedFields(c, stored, f.Values, k.names)
	}
	n := actionCount(f.Values)
	for i := range n {
		v.Actions = append(v.Actions, actionRow{Index: i, Number: i + 1, Up: i, Down: i + 2, First: i == 0, Last: i == n-1})
	}
	q := c.r.URL.Query()
	v.Checking = q.Get("check") == "submit" || f.Get("check") == "submit"
	if v.Checking && status == http.StatusOK {
		v.Check = submitCheck(c, f, p.Incomplete(), func(field string) string {
			if field == "actions" {
				return "actions"
			}
			return domainFieldID(field)
		})
	}
	page := view{Title: c.T("edit.plan.edit_title", "Title", p.Title), Data: v}
	switch q.Get("done") {
	case "created":
		page.Notice = c.T("edit.notice.created")
	case "saved":
		page.Notice = c.T("edit.notice.saved")
	}
	h.render(c, status, "edit/plan", page)
	return nil
}

// citable fills the lists an action's background cites from: the
// recommendations of the peer reviews the caller sees, the good practices
// the caller sees, and the project's learning events.
func (h *Handler) citable(c *call, k *editConsortium, v *planEditView) error {
	ctx, pid := c.r.Context(), k.Project.ID
	scope := c.principal.DeliverableScope(pid)
	reviews, err := allPages(func(p workflow.Page) ([]workflow.Deliverable, string, error) {
		return h.cfg.Store.ListDeliverables(ctx, workflow.KindPeerReview, pid, scope, p)
	})
	if err != nil {
		return err
	}
	for _, d := range reviews {
		r := d.Review
		g := editOptGroup{Label: r.Title, Options: []editOption{{r.ID + "/", c.T("edit.action.whole_review", "Title", r.Title)}}}
		k.names[r.ID+"/"] = r.Title
		for _, rec := range r.Recommendations {
			label := c.T("edit.action.recommendation", "Number", rec.Number, "Title", rec.Title)
			g.Options = append(g.Options, editOption{r.ID + "/" + rec.ID, label})
			k.names[r.ID+"/"+rec.ID] = r.Title + " · " + label
		}
		v.Recommendations = append(v.Recommendations, g)
	}
	practices, err := allPages(func(p workflow.Page) ([]workflow.Deliverable, string, error) {
		return h.cfg.Store.ListDeliverables(ctx, workflow.KindGoodPractice, pid, scope, p)
	})
	if err != nil {
		return err
	}
	for _, d := range practices {
		v.Practices = append(v.Practices, editOption{d.Practice.ID, d.Practice.Title})
		k.names[d.Practice.ID] = d.Practice.Title
	}
	events, err := allPages(func(p workflow.Page) ([]workflow.LearningEvent, string, error) {
		return h.cfg.Store.ListEvents(ctx, pid, p)
	})
	if err != nil {
		return err
	}
	days := c.dates(time.Now())
	for _, e := range events {
		label := e.Title
		if e.StartDate != nil {
			label += " (" + days.dayOf(e.StartDate) + ")"
		}
		v.Events = append(v.Events, editOption{e.ID, label})
		k.names[e.ID] = label
	}
	sortOptions(v.Practices)
	return nil
}

// planOp is what a post of the plan's form does besides saving it.
type planOp int

const (
	planSave   planOp = iota
	planAdd           // add an empty action at the end
	planMove          // move action {number} to the form's "to"
	planRemove        // remove action {number}, once its box is ticked
)

// savePlan saves the whole form, and with it adds, moves or removes an
// action: every button of the page posts everything typed, so that
// nothing is lost whichever is pressed.
func (h *Handler) savePlan(op planOp) func(*call) error {
	return func(c *call) error {
		d, err := h.editable(c, workflow.KindActionPlan)
		f := newForm(c.r.PostForm)
		if err != nil {
			return h.planUnsaved(c, d, f, err)
		}
		// A refused form keeps the version it was loaded at, so that the
		// next save still meets a change made meanwhile. Without one, what
		// was typed is shown beside what is stored, as in a conflict.
		version, err := postedVersion(c)
		if err != nil {
			f.refuse(c, err)
			f.Version = d.Plan.Version
			return h.renderPlan(c, http.StatusConflict, d, f, planValues(d.Plan))
		}
		f.Version = version
		number, _ := strconv.Atoi(c.r.PathValue("number"))
		to, _ := strconv.Atoi(f.Get("to")) // 0, outside the plan, when it is no number
		if op == planRemove && f.Get(fmt.Sprintf("actions[%d].remove", number-1)) == "" {
			f.Errors[fmt.Sprintf("actions[%d].remove", number-1)] = c.T("edit.action.remove_unconfirmed")
			f.Problem = c.T("edit.action.remove_unconfirmed")
			return h.renderPlan(c, http.StatusUnprocessableEntity, d, f, nil)
		}
		change := func(p *workflow.ActionPlan) error {
			problems := applyPlan(p, f.Values, c.T("edit.bad_date"))
			switch op {
			case planAdd:
				p.Actions = append(p.Actions, workflow.PlanAction{})
			case planMove:
				if err := p.MoveAction(number, to); err != nil {
					return err
				}
			case planRemove:
				if err := p.RemoveAction(number); err != nil {
					return err
				}
			}
			p.Normalize()
			return withProblems(problems, p.Validate(), c.T("edit.invalid"))
		}
		// The domain's rules first, on a copy, so that a refused form
		// never reaches the store; the store checks them again.
		cp := *d.Plan
		err = change(&cp)
		if err == nil {
			_, err = h.cfg.Store.UpdateDeliverable(c.r.Context(), workflow.KindActionPlan, d.Plan.ID, version, func(d *workflow.Deliverable) error {
				return change(d.Plan)
			})
		}
		switch {
		case workflow.ErrorCode(err) == workflow.CodePreconditionFailed:
			return h.planConflict(c, f)
		case refuseForm(c, f, err):
			return h.renderPlan(c, http.StatusUnprocessableEntity, d, f, nil)
		case err != nil:
			return err
		}
		back := "/edit?done=saved"
		if f.Get("check") == "submit" {
			back += "&check=submit"
		}
		switch op {
		case planAdd:
			back += fmt.Sprintf("#action-%d", actionCount(f.Values)+1)
		case planMove:
			back += fmt.Sprintf("#action-%d", to)
		case planRemove:
			back += "#actions"
		}
		http.Redirect(c.w, c.r, h.editURL(workflow.KindActionPlan, d.Plan.ID, back), http.StatusSeeOther)
		return nil
	}
}

// planConflict shows what changed since the form was loaded, beside what
// the person typed, and the form again with their text at the version
// now stored.
func (h *Handler) planConflict(c *call, f *form) error {
	d, err := h.editable(c, workflow.KindActionPlan)
	if err != nil {
		return h.planUnsaved(c, d, f, err)
	}
	f.Version = d.Plan.Version
	return h.renderPlan(c, http.StatusConflict, d, f, planValues(d.Plan))
}

// planUnsaved answers a save of a plan that is past draft with what was
// typed, unsaved, beside what is stored, rather than losing it; other
// errors go to the error page.
func (h *Handler) planUnsaved(c *call, d workflow.Deliverable, f *form, err error) error {
	if workflow.ErrorCode(err) != workflow.CodeConflict || d.Plan == nil {
		return err
	}
	f.Version = d.Plan.Version
	f.Problem = c.T("edit.not_draft")
	return h.renderPlan(c, http.StatusConflict, d, f, planValues(d.Plan))
}
