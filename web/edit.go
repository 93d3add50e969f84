package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/craftscode/craftscode/workflow"
)

// The editing pages: partners and the coordinator start action plans and
// peer reviews, and edit them in draft. Who may do what is the store's and
// the domain's rule, as for the API: outside the caller's scope is 404, a
// role that may not create or edit gets "not allowed". Every form carries
// the version it edits; a save at a stale version never overwrites but
// shows the conflict view (edit_conflict.go), with the person's text kept.

// editRoutes registers the pages that create and edit action plans and
// peer reviews in draft.
func (h *Handler) editRoutes(m *http.ServeMux) {
	m.Handle("GET /ui/projects/{pid}/action-plans/new", h.page(true, h.newPlanForm))
	m.Handle("POST /ui/projects/{pid}/action-plans/new", h.page(true, h.createPlan))
	m.Handle("GET /ui/projects/{pid}/peer-reviews/new", h.page(true, h.newReviewForm))
	m.Handle("POST /ui/projects/{pid}/peer-reviews/new", h.page(true, h.createReview))
	m.Handle("GET /ui/action-plans/{id}/edit", h.page(true, h.editPlanForm))
	m.Handle("POST /ui/action-plans/{id}/edit", h.page(true, h.savePlan(planSave)))
	m.Handle("POST /ui/action-plans/{id}/actions", h.page(true, h.savePlan(planAdd)))
	m.Handle("POST /ui/action-plans/{id}/actions/{number}/move", h.page(true, h.savePlan(planMove)))
	m.Handle("POST /ui/action-plans/{id}/actions/{number}/remove", h.page(true, h.savePlan(planRemove)))
	m.Handle("GET /ui/peer-reviews/{id}/edit", h.page(true, h.editReviewForm))
	m.Handle("POST /ui/peer-reviews/{id}/edit", h.page(true, h.saveReview))
	m.Handle("GET /ui/peer-reviews/{id}/recommendations/new", h.page(true, h.newRecommendationForm))
	m.Handle("POST /ui/peer-reviews/{id}/recommendations/new", h.page(true, h.addRecommendation))
}

// domainFieldID turns a domain field name into an element id:
// actions[2].players → f-actions-2-players.
func domainFieldID(name string) string {
	var b strings.Builder
	b.WriteString("f-")
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ']':
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

type editOption struct{ Value, Label string }

type editOptGroup struct {
	Label   string
	Options []editOption
}

// editConsortium is what the forms choose from: the project's partners and
// instruments, the deliverables the caller may cite, and every id's name,
// for the conflict view.
type editConsortium struct {
	Project     workflow.Project
	Partners    []workflow.Partner
	Instruments []workflow.PolicyInstrument
	names       map[string]string
}

func (h *Handler) editConsortium(c *call, pid string) (*editConsortium, error) {
	ctx := c.r.Context()
	pr, err := h.cfg.Store.Project(ctx, pid)
	if err != nil {
		return nil, err
	}
	k := &editConsortium{Project: pr, names: map[string]string{}}
	if k.Partners, err = allPages(func(p workflow.Page) ([]workflow.Partner, string, error) {
		return h.cfg.Store.ListPartners(ctx, pid, p)
	}); err != nil {
		return nil, err
	}
	if k.Instruments, err = allPages(func(p workflow.Page) ([]workflow.PolicyInstrument, string, error) {
		return h.cfg.Store.ListPolicyInstruments(ctx, pid, p)
	}); err != nil {
		return nil, err
	}
	for _, p := range k.Partners {
		k.names[p.ID] = p.Name
	}
	for _, pi := range k.Instruments {
		k.names[pi.ID] = pi.Name
	}
	return k, nil
}

// partnerOptions are the project's partners, but not its advisory
// partners when owner is set (they own no action plan).
func (k *editConsortium) partnerOptions(owners bool) []editOption {
	var out []editOption
	for _, p := range k.Partners {
		if owners && p.Role == workflow.PartnerAdvisory {
			continue
		}
		out = append(out, editOption{p.ID, p.Name + " (" + p.Country + ")"})
	}
	return out
}

// instrumentOptions are the project's instruments, those the partner
// addresses when partnerID is set.
func (k *editConsortium) instrumentOptions(partnerID string) []editOption {
	var out []editOption
	for _, pi := range k.Instruments {
		if partnerID == "" || slices.Contains(pi.PartnerIDs, partnerID) {
			out = append(out, editOption{pi.ID, pi.Name})
		}
	}
	return out
}

func (k *editConsortium) country(id string) string {
	for _, p := range k.Partners {
		if p.ID == id {
			return p.Country
		}
	}
	return ""
}

// starting checks that the caller may start a deliverable in the project
// of the path: not_found outside it, forbidden for a role that may not.
// own is the caller's partner when it is a partner member, whose
// deliverables it starts; "" for the coordinator (and an admin), who
// picks.
func (h *Handler) startingIn(c *call) (k *editConsortium, own string, err error) {
	pid := c.r.PathValue("pid")
	if !workflow.ValidID(pid) {
		return nil, "", workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	if err := c.principal.Authorize(pid, workflow.ActionProjectRead); err != nil {
		return nil, "", err
	}
	if m, _ := c.principal.Membership(pid); m.Role == workflow.RolePartner && !c.principal.User.Admin {
		own = m.PartnerID
	}
	if err := c.principal.CreateDeliverable(pid, own); err != nil {
		return nil, "", err
	}
	k, err = h.editConsortium(c, pid)
	return k, own, err
}

// editable loads a deliverable that the caller may edit: not_found
// outside the caller's scope, forbidden for a role that may not edit, and
// conflict once it is past draft.
func (h *Handler) editable(c *call, kind workflow.Kind) (workflow.Deliverable, error) {
	id := c.r.PathValue("id")
	if !workflow.ValidID(id) {
		return workflow.Deliverable{}, workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	d, err := h.cfg.Store.Deliverable(c.r.Context(), kind, id)
	if err != nil {
		return d, err
	}
	if err := c.principal.EditDeliverable(d); err != nil {
		return d, err
	}
	if d.Head().State != workflow.StateDraft {
		return d, workflow.Errorf(workflow.CodeConflict, "%s", c.T("edit.only_draft",
			"Kind", inSentence(c.T(codeKey(d.Kind))), "State", inSentence(c.T(codeKey(d.Head().State)))))
	}
	return d, nil
}

// postedVersion is the version the form was rendered with.
func postedVersion(c *call) (int, error) {
	v, err := strconv.Atoi(c.r.PostForm.Get("version"))
	if err != nil || v < 1 {
		return 0, &workflow.Error{Code: workflow.CodeInvalid, Message: c.T("edit.no_version")}
	}
	return v, nil
}

func dateField(d *workflow.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// formDate reads an optional date field; a problem (bad, in the page's
// language) is noted by name.
func formDate(p *workflow.Problems, v url.Values, name, bad string) *workflow.Date {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return nil
	}
	d, err := workflow.ParseDate(s)
	if err != nil {
		p.Add(name, "%s", bad)
		return nil
	}
	return &d
}

// withProblems joins the problems of reading the form to the domain's.
func withProblems(p workflow.Problems, err error, message string) error {
	if len(p) == 0 {
		return err
	}
	if we, ok := err.(*workflow.Error); ok && we.Code == workflow.CodeInvalid {
		out := *we // keeps the format of its message
		out.Fields = append(p, we.Fields...)
		return &out
	}
	if err != nil {
		return err
	}
	return p.Err(message)
}

// checkProblem is one thing a submit needs, next to its field and in the
// summary at the top, linking to it.
type checkProblem struct {
	Field, Label, Anchor, Message string
}

// checkFor puts a deliverable's Incomplete problems next to their fields
// (where the form has no problem of its own there) and lists them.
func submitCheck(c *call, f *form, problems []workflow.FieldError, anchor func(string) string) []checkProblem {
	out := make([]checkProblem, 0, len(problems))
	for _, p := range problems {
		if _, ok := f.Checks[p.Field]; !ok {
			f.Checks[p.Field] = c.say(p)
		}
		out = append(out, checkProblem{p.Field, fieldLabel(c.loc, p.Field), anchor(p.Field), c.say(p)})
	}
	return out
}

func sortOptions(o []editOption) {
	slices.SortStableFunc(o, func(a, b editOption) int { return cmp.Compare(a.Label, b.Label) })
}

func (h *Handler) editURL(kind workflow.Kind, id, rest string) string {
	return fmt.Sprintf("/ui/%s/%s%s", segment(kind), id, rest)
}
