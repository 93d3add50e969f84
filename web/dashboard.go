package web

import (
	"bytes"
	"html/template"
	"mime"
	"net/http"
	"slices"
	"time"

	"github.com/craftscode/craftscode/dashboard"
	"github.com/craftscode/craftscode/workflow"
)

// dashboardProjects lists the projects whose dashboard the caller may
// read; with exactly one it goes straight there.
func (h *Handler) dashboardProjects(c *call) error {
	p := *c.principal
	userID := p.User.ID
	if p.User.Admin {
		userID = ""
	}
	projects, _, err := h.cfg.Store.ListProjects(c.r.Context(), userID, workflow.Page{Limit: 200})
	if err != nil {
		return err
	}
	var mine []workflow.Project
	for _, pr := range projects {
		if _, err := p.DashboardScope(pr.ID); err == nil {
			mine = append(mine, pr)
		}
	}
	if len(mine) == 1 {
		http.Redirect(c.w, c.r, "/ui/projects/"+mine[0].ID+"/dashboard", http.StatusSeeOther)
		return nil
	}
	h.render(c, http.StatusOK, "dashboard/projects", view{Title: c.T("dashboard.projects_title"), Data: mine})
	return nil
}

// chartView is a chart drawn on the server with the figures it shows, for
// a table beside it.
type chartView struct {
	SVG   template.HTML // escaped by the chart renderer
	Chart dashboard.Chart
}

// chart trusts the SVG as markup: the renderer escapes every text in it.
func chart(c dashboard.Chart) chartView { return chartView{SVG: template.HTML(c.SVG()), Chart: c} }

type dashboardView struct {
	Project      workflow.Project
	D            workflow.Dashboard
	Deliverables chartView
	Actions      chartView
	PlanActions  chartView
	Indicators   chartView
	Practices    int // how many good practices, in every state
	Plans        []dashboardPlan
	Overdue      []overdueRow
	AsOf         string // when the figures were computed, in words
}

// dashboardPlan is one monitored plan as the dashboard lists it: its full
// title, a link to it, its latest reported period and its indicators'
// mean progress.
type dashboardPlan struct {
	ID, Title    string
	LatestPeriod string // "" when nothing is reported yet
	Indicators   int
	Progress     float64
	Overdue      int // how many of its reports are overdue
}

// overdueRow is a row of the overdue table, its due day in words.
type overdueRow struct {
	workflow.OverdueReport
	Due when
}

// dashboardPlans joins the per-plan parts of the dashboard, which list the
// same plans in the same order, by plan.
func dashboardPlans(d workflow.Dashboard) []dashboardPlan {
	out := make([]dashboardPlan, 0, len(d.Actions.Plans))
	at := map[string]int{}
	for _, p := range d.Actions.Plans {
		at[p.PlanID] = len(out)
		out = append(out, dashboardPlan{ID: p.PlanID, Title: p.Title, LatestPeriod: p.LatestPeriod})
	}
	for _, p := range d.Indicators.Plans {
		if i, ok := at[p.PlanID]; ok {
			out[i].Indicators, out[i].Progress = len(p.Indicators), p.AvgProgress
		}
	}
	for _, o := range d.Overdue {
		if i, ok := at[o.PlanID]; ok {
			out[i].Overdue++
		}
	}
	return out
}

// loadDashboard checks the caller's right and reads the figures.
func (h *Handler) loadDashboard(c *call) (workflow.Project, workflow.Dashboard, error) {
	pid := c.r.PathValue("pid")
	if !workflow.ValidID(pid) {
		return workflow.Project{}, workflow.Dashboard{}, workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	scope, err := c.principal.DashboardScope(pid)
	if err != nil {
		return workflow.Project{}, workflow.Dashboard{}, err
	}
	pr, err := h.cfg.Store.Project(c.r.Context(), pid)
	if err != nil {
		return pr, workflow.Dashboard{}, err
	}
	d, err := h.cfg.Store.Dashboard(c.r.Context(), pid, scope, time.Now())
	return pr, d, err
}

func (h *Handler) dashboardPage(c *call) error {
	pr, d, err := h.loadDashboard(c)
	if err != nil {
		return err
	}
	dd := c.dates(d.GeneratedAt)
	v := dashboardView{Project: pr, D: d,
		Deliverables: chart(deliverablesChart(c, d)), Actions: chart(actionsChart(c, d)),
		PlanActions: chart(planActionsChart(c, d)), Indicators: chart(indicatorsChart(c, d)),
		Plans: dashboardPlans(d), AsOf: dd.text(d.GeneratedAt)}
	for _, sc := range d.Deliverables {
		if sc.Kind == workflow.KindGoodPractice {
			v.Practices += sc.Count
		}
	}
	for _, o := range d.Overdue {
		v.Overdue = append(v.Overdue, overdueRow{OverdueReport: o, Due: dd.day(workflow.DateOf(o.DueAt))})
	}
	h.render(c, http.StatusOK, "dashboard/project", view{Title: c.T("dashboard.title", "Project", pr.Acronym), Data: v})
	return nil
}

// dashboardCSV is the API's CSV through the page's session.
func (h *Handler) dashboardCSV(c *call) error {
	pr, d, err := h.loadDashboard(c)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := dashboard.WriteCSV(&buf, d); err != nil {
		return err
	}
	hd := c.w.Header()
	hd.Set("Content-Type", "text/csv; charset=utf-8")
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "dashboard-" + pr.ID + ".csv"}))
	hd.Set("Cache-Control", "private, no-store")
	_, err = c.w.Write(buf.Bytes())
	return err
}

// The charts in the page's language: package dashboard draws them and
// names their parts from the codes; the page puts the catalog's words in.

func deliverablesChart(c *call, d workflow.Dashboard) dashboard.Chart {
	ch := dashboard.DeliverablesChart(d)
	ch.Title, ch.Empty = c.T("dashboard.chart_deliverables"), c.T("dashboard.chart_empty")
	var kinds []workflow.Kind
	var states []workflow.State
	for _, sc := range d.Deliverables {
		if !slices.Contains(kinds, sc.Kind) {
			kinds = append(kinds, sc.Kind)
		}
		if !slices.Contains(states, sc.State) {
			states = append(states, sc.State)
		}
	}
	for i, k := range kinds {
		if i < len(ch.Bars) {
			ch.Bars[i].Label = kindPlural(c, k)
		}
	}
	for i, s := range states {
		if i < len(ch.Series) {
			ch.Series[i].Name = c.T(codeKey(s))
		}
	}
	return ch
}

// kindPlural names a kind of deliverable in the plural.
func kindPlural(c *call, k workflow.Kind) string {
	switch k {
	case workflow.KindActionPlan:
		return c.T("dashboard.kind_action_plans")
	case workflow.KindPeerReview:
		return c.T("dashboard.kind_peer_reviews")
	case workflow.KindGoodPractice:
		return c.T("dashboard.kind_good_practices")
	}
	return c.T(codeKey(k))
}

func actionsChart(c *call, d workflow.Dashboard) dashboard.Chart {
	ch := dashboard.ActionsChart(d)
	ch.Title, ch.Empty = c.T("dashboard.chart_actions"), c.T("dashboard.chart_empty")
	for i := range ch.Series {
		ch.Series[i].Name = c.T("dashboard.series_actions")
	}
	for i, sc := range d.Actions.Totals {
		if i < len(ch.Bars) {
			ch.Bars[i].Label = c.T(codeKey(sc.Status))
		}
	}
	return ch
}

func planActionsChart(c *call, d workflow.Dashboard) dashboard.Chart {
	ch := dashboard.PlanActionsChart(d)
	ch.Title, ch.Empty = c.T("dashboard.chart_plan_actions"), c.T("dashboard.chart_empty")
	for i, st := range workflow.ImplementationStatuses {
		if i < len(ch.Series) {
			ch.Series[i].Name = c.T(codeKey(st))
		}
	}
	return ch
}

func indicatorsChart(c *call, d workflow.Dashboard) dashboard.Chart {
	ch := dashboard.IndicatorsChart(d)
	ch.Title, ch.Empty = c.T("dashboard.chart_indicators"), c.T("dashboard.chart_empty")
	for i := range ch.Series {
		ch.Series[i].Name = c.T("dashboard.series_progress")
	}
	return ch
}
