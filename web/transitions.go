package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

// Every transition goes through a page that says what it will do, with
// the note (and for submit, the consultation's deadline) it takes: the
// reading page links to it, and its form fires the transition at the
// version the page was shown with.

// transitionView is the confirmation page of one trigger.
type transitionView struct {
	Kind         workflow.Kind
	Segment      string
	Head         workflow.Head
	Trigger      workflow.Trigger
	To           workflow.State
	Explain      string
	Note         bool // the trigger takes a note
	NoteRequired bool
	Deadline     bool   // submit: the consultation's deadline
	Zone         string // the time zone the deadline is typed in
	Form         *form
	Stale        bool // the deliverable changed since the form was shown
	// Carry are the open threads of revision CarryFrom that a submit
	// after a return to draft may carry over.
	Carry     []recordItem
	CarryFrom int
}

// errIncomplete: the caller may submit the draft, but it lacks what a
// submit needs; the edit page shows what.
var errIncomplete = errors.New("incomplete")

// checkURL is the edit page with the fields a submit needs marked.
func checkURL(kind workflow.Kind, id string) string {
	return fmt.Sprintf("/ui/%s/%s/edit?check=submit", segment(kind), id)
}

// deadlineLayout is the value of a datetime-local field, read in the
// person's time zone.
const deadlineLayout = "2006-01-02T15:04"

// transitionPage loads what the confirmation page of trigger shows; a
// trigger the caller may not fire now is a conflict.
func (h *Handler) transitionPage(c *call, kind workflow.Kind, id string, trigger workflow.Trigger, f *form) (transitionView, error) {
	ctx := c.r.Context()
	if _, err := h.visible(c, kind, id); err != nil {
		return transitionView{}, err
	}
	permitted, d, err := h.cfg.Store.PermittedTransitions(ctx, kind, id, *c.principal)
	if err != nil {
		return transitionView{}, err
	}
	v := transitionView{Kind: kind, Segment: segment(kind), Head: d.Head(), Trigger: trigger, Form: f}
	found := false
	for _, p := range permitted {
		if p.Trigger == trigger {
			v.To, found = p.To, true
		}
	}
	if !found && trigger == workflow.TriggerSubmit && v.Head.State == workflow.StateDraft && c.principal.EditDeliverable(d) == nil {
		return v, errIncomplete
	}
	if !found {
		return v, workflow.Errorf(workflow.CodeConflict, "%s", c.T("transition.not_permitted", "State", c.T(codeKey(v.Head.State))))
	}
	v.Note = trigger != workflow.TriggerSubmit
	v.NoteRequired = trigger == workflow.TriggerRevise
	switch trigger {
	case workflow.TriggerSubmit:
		v.Deadline, v.Zone = true, c.zone.String()
		project, err := h.cfg.Store.Project(ctx, v.Head.ProjectID)
		if err != nil {
			return v, err
		}
		days := project.ConsultationDays
		if days <= 0 {
			days = workflow.DefaultConsultationDays
		}
		groups, err := h.groupNames(c, v.Head)
		if err != nil {
			return v, err
		}
		if groups == "" {
			v.Explain = c.T("transition.explain.submit_nogroup", "Count", days)
		} else {
			v.Explain = c.T("transition.explain.submit", "Count", days, "Group", groups)
		}
		if f.Get("consultation_deadline") == "" && !f.Invalid() {
			f.Values.Set("consultation_deadline", time.Now().In(c.zone).AddDate(0, 0, days).Format(deadlineLayout))
		}
		if v.Head.Revision >= 1 {
			v.CarryFrom = v.Head.Revision
			if v.Carry, err = h.carryOptions(c, kind, id, v.Head.Revision, f); err != nil {
				return v, err
			}
		}
	case workflow.TriggerRequestChanges:
		v.Explain = c.T("transition.explain.request_changes")
	case workflow.TriggerApprove:
		v.Explain = c.T("transition.explain.approve", "Revision", v.Head.Revision)
	case workflow.TriggerStartMonitoring:
		v.Explain = c.T("transition.explain.start_monitoring")
	case workflow.TriggerClose:
		v.Explain = c.T("transition.explain.close")
	case workflow.TriggerRevise:
		v.Explain = c.T("transition.explain.revise")
	default:
		v.Explain = c.T("transition.explain.other", "From", c.T(codeKey(v.Head.State)), "To", c.T(codeKey(v.To)))
	}
	return v, nil
}

// groupNames lists the stakeholder groups of the deliverable's policy
// instrument, the people a consultation is for.
func (h *Handler) groupNames(c *call, head workflow.Head) (string, error) {
	if head.PolicyInstrumentID == "" {
		return "", nil
	}
	groups, err := allPages(func(pg workflow.Page) ([]workflow.StakeholderGroup, string, error) {
		return h.cfg.Store.ListStakeholderGroups(c.r.Context(), head.ProjectID, pg)
	})
	if err != nil {
		return "", err
	}
	var names []string
	for _, g := range groups {
		if g.PolicyInstrumentID == head.PolicyInstrumentID {
			names = append(names, g.Name)
		}
	}
	return strings.Join(names, ", "), nil
}

func (h *Handler) showTransition(c *call, v transitionView, status int, notice string) {
	page := view{Title: c.T("transition.title", "Trigger", c.T(codeKey(v.Trigger)), "Title", v.Head.Title), Data: v, Error: notice}
	h.render(c, status, "deliverables/transition", page)
}

func (h *Handler) confirmTransition(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		f := newForm(c.r.URL.Query())
		f.Values.Del("consultation_deadline")
		v, err := h.transitionPage(c, kind, c.r.PathValue("id"), workflow.Trigger(c.r.PathValue("trigger")), f)
		if errors.Is(err, errIncomplete) {
			http.Redirect(c.w, c.r, checkURL(kind, c.r.PathValue("id")), http.StatusSeeOther)
			return nil
		}
		if err != nil {
			return err
		}
		f.Version = v.Head.Version
		h.showTransition(c, v, http.StatusOK, "")
		return nil
	}
}

// fireNamedTransition is the confirmation page's form.
func (h *Handler) fireNamedTransition(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		return h.fire(c, kind, c.r.PathValue("id"), workflow.Trigger(c.r.PathValue("trigger")))
	}
}

// fireTransition takes the trigger from the form (the older form of the
// reading page, kept for links and scripts that post it).
func (h *Handler) fireTransition(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		return h.fire(c, kind, c.r.PathValue("id"), workflow.Trigger(c.r.PostForm.Get("trigger")))
	}
}

func (h *Handler) fire(c *call, kind workflow.Kind, id string, trigger workflow.Trigger) error {
	d, err := h.visible(c, kind, id)
	if err != nil {
		return err
	}
	f := newForm(c.r.PostForm)
	req := workflow.TransitionRequest{Kind: kind, ID: d.Head().ID, Trigger: trigger,
		Note: strings.TrimSpace(f.Get("note")), Principal: *c.principal, RequestID: c.w.Header().Get("X-Request-Id")}
	version, verr := strconv.Atoi(f.Get("version"))
	f.Version = version
	if verr != nil || version < 1 {
		err = workflow.Errorf(workflow.CodeInvalid, "%s", c.T("transition.no_version"))
	}
	if s := strings.TrimSpace(f.Get("consultation_deadline")); err == nil && s != "" && trigger == workflow.TriggerSubmit {
		t, perr := time.ParseInLocation(deadlineLayout, s, c.zone)
		if perr != nil {
			if day, derr := time.ParseInLocation("2006-01-02", s, c.zone); derr == nil {
				t, perr = day.Add(24*time.Hour-time.Minute), nil
			}
		}
		if perr != nil {
			err = &workflow.Error{Code: workflow.CodeInvalid, Message: c.T("transition.deadline_invalid"),
				Fields: []workflow.FieldError{{Field: "consultation_deadline", Message: c.T("transition.deadline_format")}}}
		}
		req.ConsultationDeadline = &t
	}
	if trigger == workflow.TriggerSubmit {
		req.CarryOver = f.All("carry_over")
	}
	if err == nil {
		req.Version = version
		_, _, err = h.cfg.Store.FireTransition(c.r.Context(), req)
	}
	if err == nil {
		http.Redirect(c.w, c.r, fmt.Sprintf("/ui/%s/%s?done=transition", segment(kind), id), http.StatusSeeOther)
		return nil
	}
	code := workflow.ErrorCode(err)
	if trigger == workflow.TriggerSubmit && code == workflow.CodeGuardFailed && incomplete(err) {
		http.Redirect(c.w, c.r, checkURL(kind, id), http.StatusSeeOther)
		return nil
	}
	if !formProblem(err) || code == workflow.CodeForbidden {
		return err
	}
	v, lerr := h.transitionPage(c, kind, id, trigger, f)
	if errors.Is(lerr, errIncomplete) {
		http.Redirect(c.w, c.r, checkURL(kind, id), http.StatusSeeOther)
		return nil
	}
	if lerr != nil {
		if formProblem(lerr) {
			// The trigger is not possible now: say why on the reading page,
			// each unmet condition listed.
			return h.showDeliverable(c, kind, id, http.StatusConflict, err)
		}
		return lerr
	}
	switch code {
	case workflow.CodePreconditionFailed:
		v.Stale, f.Version = true, v.Head.Version
		h.showTransition(c, v, http.StatusConflict, c.T("transition.stale"))
		return nil
	case workflow.CodeConflict:
		_, ev := h.describe(c, err)
		h.showTransition(c, v, http.StatusConflict, ev.Error)
		return nil
	}
	f.refuse(c, err)
	status := http.StatusUnprocessableEntity
	if code == workflow.CodeGuardFailed {
		status = http.StatusConflict
	}
	h.showTransition(c, v, status, "")
	return nil
}

// incomplete tells whether a refused submit is about the content (so the
// edit page shows what is missing) rather than about this form's fields.
func incomplete(err error) bool {
	var n int
	var we *workflow.Error
	if errors.As(err, &we) {
		for _, fe := range we.Fields {
			if fe.Field != "note" && fe.Field != "consultation_deadline" && fe.Field != "version" && fe.Field != "carry_over" {
				n++
			}
		}
	}
	return n > 0
}

// closeView is the confirmation page of closing the consultation early.
type closeView struct {
	Segment  string
	Head     workflow.Head
	Deadline when
}

func (h *Handler) confirmClose(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		id := c.r.PathValue("id")
		d, err := h.visible(c, kind, id)
		if err != nil {
			return err
		}
		if err := c.principal.Answering(d); err != nil {
			return err
		}
		cons, err := h.cfg.Store.Consultation(c.r.Context(), kind, id, 0, *c.principal)
		if err != nil {
			return err
		}
		if !cons.Open(time.Now()) {
			return workflow.Errorf(workflow.CodeConflict, "%s", c.T("reading.close.not_open"))
		}
		v := closeView{Segment: segment(kind), Head: d.Head(), Deadline: c.dates(time.Now()).atRel(cons.Deadline)}
		h.render(c, http.StatusOK, "deliverables/close", view{Title: c.T("reading.close.title", "Title", v.Head.Title), Data: v})
		return nil
	}
}

func (h *Handler) closeConsultation(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		id := c.r.PathValue("id")
		if !workflow.ValidID(id) {
			return workflow.Errorf(workflow.CodeNotFound, "not found")
		}
		_, err := h.cfg.Store.CloseConsultation(c.r.Context(), kind, id, *c.principal)
		if formProblem(err) {
			return h.showDeliverable(c, kind, id, 0, err)
		}
		if err != nil {
			return err
		}
		http.Redirect(c.w, c.r, fmt.Sprintf("/ui/%s/%s?done=closed", segment(kind), id), http.StatusSeeOther)
		return nil
	}
}
