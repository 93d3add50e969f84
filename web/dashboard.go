package web

import (
	"bytes"
	"html/template"
	"mime"
	"net/http"
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
	h.render(c, http.StatusOK, "dashboards", view{Title: "Dashboards", Data: mine})
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
	v := dashboardView{Project: pr, D: d,
		Deliverables: chart(dashboard.DeliverablesChart(d)), Actions: chart(dashboard.ActionsChart(d)),
		PlanActions: chart(dashboard.PlanActionsChart(d)), Indicators: chart(dashboard.IndicatorsChart(d))}
	h.render(c, http.StatusOK, "dashboard", view{Title: "Dashboard · " + pr.Acronym, Data: v})
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
