package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

// needsRoutes: what waits for the caller in a project, the project home's
// "Needs you now" for API clients.
func (s *Server) needsRoutes(v1 *echo.Group) {
	v1.GET("/projects/:pid/needs-you", s.getNeedsYou)
}

// needItem is a deliverable that waits for the caller.
type needItem struct {
	Kind        workflow.Kind  `json:"kind"`
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	State       workflow.State `json:"state"`
	PartnerID   string         `json:"partner_id"`
	PartnerName string         `json:"partner_name"`
	Version     int            `json:"version"`
	Deadline    *time.Time     `json:"consultation_deadline,omitempty"`
	Unanswered  int            `json:"unanswered"`
}

type needReport struct {
	PlanID  string        `json:"plan_id"`
	Title   string        `json:"title"`
	Period  string        `json:"period"`
	DueDate workflow.Date `json:"due_date"`
	Status  string        `json:"status"`
	Overdue bool          `json:"overdue"`
}

type needsAnswer struct {
	Drafts        []needItem   `json:"drafts"`
	Consultations []needItem   `json:"consultations"`
	Responses     []needItem   `json:"responses"`
	Approvals     []needItem   `json:"approvals"`
	Reports       []needReport `json:"reports"`
}

// getNeedsYou answers what the page's "Needs you now" shows, decided by the
// same rules (workflow.NeedsYou) on the same read.
func (s *Server) getNeedsYou(c echo.Context) error {
	pid, err := s.authorizeProject(c, workflow.ActionProjectRead)
	if err != nil {
		return err
	}
	p, now := principal(c), time.Now()
	home, err := s.store.ProjectHome(c.Request().Context(), pid, p.DeliverableScope(pid), now)
	if err != nil {
		return err
	}
	n := workflow.NeedsYou(p, home, now)
	items := func(in []workflow.HomeItem) []needItem {
		out := make([]needItem, 0, len(in))
		for _, it := range in {
			ni := needItem{Kind: it.Kind, ID: it.ID, Title: it.Title, State: it.State, PartnerID: it.PartnerID,
				PartnerName: it.PartnerName, Version: it.Version, Unanswered: it.Unanswered}
			if it.Consultation != nil {
				d := it.Consultation.Deadline
				ni.Deadline = &d
			}
			out = append(out, ni)
		}
		return out
	}
	a := needsAnswer{Drafts: items(n.Drafts), Consultations: items(n.Consultations), Responses: items(n.Responses),
		Approvals: items(n.Approvals), Reports: make([]needReport, 0, len(n.Reports))}
	for _, r := range n.Reports {
		a.Reports = append(a.Reports, needReport{PlanID: r.PlanID, Title: r.Title, Period: r.Period, DueDate: r.DueDate, Status: r.Status, Overdue: r.Overdue})
	}
	c.Response().Header().Set("Cache-Control", "private, no-cache")
	return c.JSON(http.StatusOK, a)
}
