package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

// Phase 2 through the pages: a monitored plan's periods with their due
// dates, its indicators, and one progress report page per period
// (reports.go), with its evidence (evidence.go). The store checks every
// right, as for the API (api/monitoring.go); the pages only show what the
// caller may do.

func (h *Handler) monitoringRoutes(m *http.ServeMux) {
	m.Handle("GET /ui/action-plans/{id}/periods", h.page(true, h.periodsPage))
	m.Handle("GET /ui/action-plans/{id}/indicators", h.page(true, h.indicatorsPage))
	m.Handle("POST /ui/action-plans/{id}/indicators", h.page(true, h.addIndicator))
	m.Handle("POST /ui/action-plans/{id}/indicators/{iid}", h.page(true, h.editIndicator))
	m.Handle("GET /ui/action-plans/{id}/reports/{period}", h.page(true, h.reportPage))
	m.Handle("POST /ui/action-plans/{id}/reports/{period}", h.page(true, h.saveReport))
	m.Handle("POST /ui/action-plans/{id}/reports/{period}/start", h.page(true, h.startReport))
	m.Handle("POST /ui/action-plans/{id}/reports/{period}/transitions", h.page(true, h.fireReport))
	m.Handle("POST /ui/action-plans/{id}/reports/{period}/evidence", h.uploadForm(h.cfg.EvidenceLimit, "file", h.page(true, h.uploadEvidence)))
	m.Handle("GET /ui/evidence/{eid}", h.page(true, h.evidenceFile))
	m.Handle("POST /ui/evidence/{eid}/delete", h.page(true, h.deleteEvidence))
}

// monitoredPlan loads an action plan the caller may see, with its
// project.
func (h *Handler) monitoredPlan(c *call) (workflow.Deliverable, workflow.Project, error) {
	d, err := h.visible(c, workflow.KindActionPlan, c.r.PathValue("id"))
	if err != nil {
		return d, workflow.Project{}, err
	}
	pr, err := h.cfg.Store.Project(c.r.Context(), d.Head().ProjectID)
	return d, pr, err
}

// planReports is every progress report of the plan.
func (h *Handler) planReports(c *call, planID string) ([]workflow.ProgressReport, error) {
	return allPages(func(pg workflow.Page) ([]workflow.ProgressReport, string, error) {
		return h.cfg.Store.ListProgressReports(c.r.Context(), planID, *c.principal, pg)
	})
}

// periodRow is one period as the periods page lists it.
type periodRow struct {
	Name, Href, From, To, Due string
	DueISO                    string
	State, StateLabel         string
	Overdue                   bool
}

type periodsView struct {
	Plan    *workflow.ActionPlan
	Rows    []periodRow
	Phase2  bool // the project has phase 2 dates
	CanEdit bool // the indicators
}

func (h *Handler) periodsPage(c *call) error {
	d, pr, err := h.monitoredPlan(c)
	if err != nil {
		return err
	}
	reports, err := h.planReports(c, d.Plan.ID)
	if err != nil {
		return err
	}
	now := time.Now()
	dates := c.dates(now)
	v := periodsView{Plan: d.Plan, Phase2: len(workflow.Periods(pr)) > 0}
	for _, s := range workflow.PeriodStatuses(pr, reports, now) {
		due := dates.day(s.DueDate)
		v.Rows = append(v.Rows, periodRow{Name: s.Name, Href: reportURL(d.Plan.ID, s.Name, ""),
			From: dates.day(s.Start).Text, To: dates.day(s.End).Text, Due: due.Text, DueISO: due.ISO,
			State: s.State, StateLabel: c.T(codeKey(s.State)), Overdue: s.Overdue})
	}
	h.render(c, http.StatusOK, "monitoring/periods", view{Title: c.T("monitoring.periods_title", "Title", d.Plan.Title),
		Data: v, ProjectID: d.Plan.ProjectID})
	return nil
}

func reportURL(planID, period, rest string) string {
	return "/ui/action-plans/" + planID + "/reports/" + period + rest
}

// indicatorRow is an indicator with its edit form.
type indicatorRow struct {
	Indicator  workflow.Indicator
	Form       *form
	UnitLocked bool // a report holds a value in its unit
	Stale      bool
}

type indicatorsView struct {
	Plan     *workflow.ActionPlan
	Rows     []indicatorRow
	New      *form
	CanEdit  bool // the caller may add and edit, and the plan takes indicators
	Editable bool // the plan is approved or monitored
	Max      int
}

func numberText(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// parseNumber reads a number as typed: a decimal comma counts as a point.
func parseNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	x, err := strconv.ParseFloat(s, 64)
	return x, err == nil && s != "" && !strings.ContainsAny(s, "nNiI") // no NaN, no Inf
}

func indicatorForm(in workflow.Indicator) *form {
	f := newForm(map[string][]string{"name": {in.Name}, "unit": {in.Unit},
		"baseline": {numberText(in.Baseline)}, "target": {numberText(in.Target)}})
	f.Version = in.Version
	return f
}

// indicatorsPage lists the plan's indicators, each with its form when the
// caller may edit them. edited, when given, replaces the form of the
// indicator it names (a refused or stale edit); added replaces the new
// indicator's form.
func (h *Handler) indicatorsPage(c *call) error {
	return h.renderIndicators(c, http.StatusOK, "", nil, nil, false)
}

func (h *Handler) renderIndicators(c *call, status int, editedID string, edited, added *form, stale bool) error {
	d, _, err := h.monitoredPlan(c)
	if err != nil {
		return err
	}
	ctx := c.r.Context()
	list, err := h.cfg.Store.ListIndicators(ctx, d.Plan.ID, *c.principal)
	if err != nil {
		return err
	}
	reports, err := h.planReports(c, d.Plan.ID)
	if err != nil {
		return err
	}
	reported := map[string]bool{}
	for _, r := range reports {
		for _, v := range r.IndicatorValues {
			reported[v.IndicatorID] = true
		}
	}
	st := d.Plan.State
	v := indicatorsView{Plan: d.Plan, New: added, Max: workflow.MaxIndicators,
		Editable: st == workflow.StateApproved || st == workflow.StateMonitored}
	v.CanEdit = v.Editable && c.principal.EditDeliverable(d) == nil
	if v.New == nil {
		v.New = newForm(map[string][]string{})
	}
	for _, in := range list {
		row := indicatorRow{Indicator: in, Form: indicatorForm(in), UnitLocked: reported[in.ID]}
		if in.ID == editedID && edited != nil {
			row.Form, row.Stale = edited, stale
			if stale {
				edited.Version = in.Version
			}
		}
		v.Rows = append(v.Rows, row)
	}
	page := view{Title: c.T("monitoring.indicators_title", "Title", d.Plan.Title), Data: v, ProjectID: d.Plan.ProjectID}
	switch c.r.URL.Query().Get("done") {
	case "added":
		page.Notice = c.T("monitoring.indicator_added")
	case "saved":
		page.Notice = c.T("monitoring.indicator_saved")
	}
	h.render(c, status, "monitoring/indicators", page)
	return nil
}

// readIndicator parses the form into the indicator's fields, the numbers
// checked here (what is typed stays in the form either way).
func readIndicator(c *call, f *form) (name, unit string, baseline, target float64, ok bool) {
	name, unit = strings.TrimSpace(f.Get("name")), strings.TrimSpace(f.Get("unit"))
	var good bool
	if baseline, good = parseNumber(f.Get("baseline")); !good {
		f.Errors["baseline"] = c.T("monitoring.not_a_number")
	}
	if target, good = parseNumber(f.Get("target")); !good {
		f.Errors["target"] = c.T("monitoring.not_a_number")
	}
	return name, unit, baseline, target, len(f.Errors) == 0
}

func (h *Handler) addIndicator(c *call) error {
	d, _, err := h.monitoredPlan(c)
	if err != nil {
		return err
	}
	f := newForm(c.r.PostForm)
	name, unit, baseline, target, ok := readIndicator(c, f)
	in := workflow.Indicator{PlanID: d.Plan.ID, Name: name, Unit: unit, Baseline: baseline, Target: target}
	if ok {
		in.Normalize()
		err = in.Validate()
		if err == nil {
			err = h.cfg.Store.CreateIndicator(c.r.Context(), &in, *c.principal)
		}
	}
	switch {
	case ok && err == nil:
		http.Redirect(c.w, c.r, "/ui/action-plans/"+d.Plan.ID+"/indicators?done=added#ind-"+in.ID, http.StatusSeeOther)
		return nil
	case !ok:
		f.Problem = c.T("monitoring.indicator_refused")
	case workflow.ErrorCode(err) == workflow.CodeConflict:
		_, ev := h.describe(c, err)
		f.Problem = ev.Error
	case !f.refuse(c, err):
		return err
	}
	return h.renderIndicators(c, http.StatusUnprocessableEntity, "", nil, f, false)
}

func (h *Handler) editIndicator(c *call) error {
	d, _, err := h.monitoredPlan(c)
	if err != nil {
		return err
	}
	id := c.r.PathValue("iid")
	if !workflow.ValidID(id) {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	cur, err := h.cfg.Store.Indicator(c.r.Context(), id, *c.principal)
	if err != nil {
		return err
	}
	if cur.PlanID != d.Plan.ID {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	f := newForm(c.r.PostForm)
	version, verr := postedVersion(c)
	f.Version = version
	if !f.Values.Has("unit") { // a locked unit is shown, not sent
		f.Values.Set("unit", cur.Unit)
	}
	name, unit, baseline, target, ok := readIndicator(c, f)
	if verr != nil {
		ok, f.Problem = false, c.T("edit.no_version")
	}
	if ok {
		x := cur
		e := workflow.IndicatorPatch{Name: &name, Baseline: &baseline, Target: &target}
		if unit != cur.Unit {
			e.Unit = &unit
		}
		e.Apply(&x)
		x.Normalize()
		err = x.Validate()
		if err == nil {
			_, err = h.cfg.Store.UpdateIndicator(c.r.Context(), id, version, e, *c.principal)
		}
	}
	switch {
	case ok && err == nil:
		http.Redirect(c.w, c.r, "/ui/action-plans/"+d.Plan.ID+"/indicators?done=saved#ind-"+id, http.StatusSeeOther)
		return nil
	case !ok:
		if f.Problem == "" {
			f.Problem = c.T("monitoring.indicator_refused")
		}
	case workflow.ErrorCode(err) == workflow.CodePreconditionFailed:
		f.Problem = c.T("monitoring.indicator_stale")
		return h.renderIndicators(c, http.StatusConflict, id, f, nil, true)
	case workflow.ErrorCode(err) == workflow.CodeConflict:
		_, ev := h.describe(c, err)
		f.Problem = ev.Error
		f.Errors["unit"] = c.T("monitoring.unit_locked")
		return h.renderIndicators(c, http.StatusConflict, id, f, nil, false)
	case !f.refuse(c, err):
		return err
	}
	return h.renderIndicators(c, http.StatusUnprocessableEntity, id, f, nil, false)
}
