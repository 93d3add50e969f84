package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

// Phase 2 monitoring: a plan's indicators and progress reports, and the
// follow-up of peer review recommendations. The store checks every right
// against the plan or the review, so these handlers parse and render.

func (s *Server) monitoringRoutes(v1 *echo.Group) {
	v1.POST("/action-plans/:id/indicators", s.createIndicator)
	v1.GET("/action-plans/:id/indicators", s.listIndicators)
	v1.GET("/indicators/:iid", s.getIndicator)
	v1.PATCH("/indicators/:iid", s.patchIndicator)
	v1.DELETE("/indicators/:iid", s.deleteIndicator)
	v1.POST("/action-plans/:id/progress-reports", s.createProgressReport)
	v1.GET("/action-plans/:id/progress-reports", s.listProgressReports)
	v1.GET("/action-plans/:id/periods", s.listPeriods)
	v1.GET("/progress-reports/:rid", s.getProgressReport)
	v1.PATCH("/progress-reports/:rid", s.patchProgressReport)
	v1.GET("/progress-reports/:rid/transitions", s.reportPermitted)
	v1.POST("/progress-reports/:rid/transitions", s.fireReportTransition)
	v1.GET("/progress-reports/:rid/history", s.reportHistory)
	v1.PUT("/peer-reviews/:id/recommendations/:rid/uptake", s.setUptake)
	v1.GET("/peer-reviews/:id/uptake", s.listUptake)
}

type indicatorRequest struct {
	Name     string   `json:"name"`
	Unit     string   `json:"unit"`
	Baseline float64  `json:"baseline"`
	Target   *float64 `json:"target"`
}

func (s *Server) createIndicator(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req indicatorRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.Target == nil {
		return &workflow.Error{Code: workflow.CodeInvalid, Message: "invalid indicator",
			Fields: []workflow.FieldError{{Field: "target", Message: "is required"}}}
	}
	in := workflow.Indicator{PlanID: id, Name: req.Name, Unit: req.Unit, Baseline: req.Baseline, Target: *req.Target}
	if err := s.store.CreateIndicator(c.Request().Context(), &in, principal(c)); err != nil {
		return err
	}
	return indicatorJSON(c, http.StatusCreated, in)
}

func indicatorJSON(c echo.Context, status int, in workflow.Indicator) error {
	c.Response().Header().Set("ETag", etag(in.Version))
	return c.JSON(status, in)
}

func (s *Server) getIndicator(c echo.Context) error {
	id, err := pathID(c, "iid")
	if err != nil {
		return err
	}
	in, err := s.store.Indicator(c.Request().Context(), id, principal(c))
	if err != nil {
		return err
	}
	return indicatorJSON(c, http.StatusOK, in)
}

// indicatorPatch is the PATCH body: the fields sent change, the others
// stay. A JSON null counts as not sent.
type indicatorPatch struct {
	Name     *string  `json:"name"`
	Unit     *string  `json:"unit"`
	Baseline *float64 `json:"baseline"`
	Target   *float64 `json:"target"`
}

func (s *Server) patchIndicator(c echo.Context) error {
	id, _, version, err := visibleIfMatch(c, "iid", s.store.Indicator)
	if err != nil {
		return err
	}
	var req indicatorPatch
	if err := bind(c, &req); err != nil {
		return err
	}
	in, err := s.store.UpdateIndicator(c.Request().Context(), id, version, workflow.IndicatorPatch{
		Name: req.Name, Unit: req.Unit, Baseline: req.Baseline, Target: req.Target}, principal(c))
	if err != nil {
		return err
	}
	return indicatorJSON(c, http.StatusOK, in)
}

func (s *Server) deleteIndicator(c echo.Context) error {
	id, _, version, err := visibleIfMatch(c, "iid", s.store.Indicator)
	if err != nil {
		return err
	}
	if err := s.store.DeleteIndicator(c.Request().Context(), id, version, principal(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listIndicators(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	items, err := s.store.ListIndicators(c.Request().Context(), id, principal(c))
	if err != nil {
		return err
	}
	return list(c, items, "")
}

type reportCreateRequest struct {
	Period string `json:"period"`
}

func reportJSON(c echo.Context, status int, r workflow.ProgressReport) error {
	c.Response().Header().Set("ETag", etag(r.Version))
	return c.JSON(status, r)
}

func (s *Server) createProgressReport(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req reportCreateRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	r, err := s.store.CreateProgressReport(c.Request().Context(), id, strings.TrimSpace(req.Period), principal(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/progress-reports/"+r.ID)
	return reportJSON(c, http.StatusCreated, r)
}

func (s *Server) listProgressReports(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pg, err := pageParams(c)
	if err != nil {
		return err
	}
	items, next, err := s.store.ListProgressReports(c.Request().Context(), id, principal(c), pg)
	if err != nil {
		return err
	}
	return list(c, items, next)
}

func (s *Server) getProgressReport(c echo.Context) error {
	id, err := pathID(c, "rid")
	if err != nil {
		return err
	}
	r, err := s.store.ProgressReport(c.Request().Context(), id, principal(c))
	if err != nil {
		return err
	}
	return reportJSON(c, http.StatusOK, r)
}

// The PATCH body. Pointers tell a missing field (and a JSON null) from a
// zero, so that a required value left out is reported, not stored as 0.
type reportPatch struct {
	Actions         *[]actionProgressInput `json:"actions"`
	IndicatorValues *[]indicatorValueInput `json:"indicator_values"`
	Improvements    *[]improvementInput    `json:"improvements"`
}

type actionProgressInput struct {
	Number      *int     `json:"number"`
	Status      string   `json:"status"`
	Explanation string   `json:"explanation"`
	Narrative   string   `json:"narrative"`
	EvidenceIDs []string `json:"evidence_ids"`
}

type indicatorValueInput struct {
	IndicatorID string   `json:"indicator_id"`
	Achieved    *float64 `json:"achieved"`
}

type improvementInput struct {
	ID          string         `json:"id"` // kept when it is the record's own, as read
	Type        string         `json:"type"`
	Description string         `json:"description"`
	Date        *workflow.Date `json:"date"`
	EvidenceIDs []string       `json:"evidence_ids"`
}

// content turns the body into the store's terms, reporting every value
// that is missing.
func (r reportPatch) content() (workflow.ReportContent, error) {
	var out workflow.ReportContent
	var p workflow.Problems
	if r.Actions != nil {
		as := make([]workflow.ActionProgress, len(*r.Actions))
		for i, a := range *r.Actions {
			if a.Number == nil {
				p.Add(fmt.Sprintf("actions[%d].number", i), "is required")
				a.Number = new(int)
			}
			as[i] = workflow.ActionProgress{Number: *a.Number, Status: workflow.ActionStatus(a.Status),
				Explanation: a.Explanation, Narrative: a.Narrative, EvidenceIDs: a.EvidenceIDs}
		}
		out.Actions = &as
	}
	if r.IndicatorValues != nil {
		vs := make([]workflow.IndicatorValue, len(*r.IndicatorValues))
		for i, v := range *r.IndicatorValues {
			if v.Achieved == nil {
				p.Add(fmt.Sprintf("indicator_values[%d].achieved", i), "is required: a number")
				v.Achieved = new(float64)
			}
			vs[i] = workflow.IndicatorValue{IndicatorID: v.IndicatorID, Achieved: *v.Achieved}
		}
		out.IndicatorValues = &vs
	}
	if r.Improvements != nil {
		ms := make([]workflow.Improvement, len(*r.Improvements))
		for i, m := range *r.Improvements {
			ms[i] = workflow.Improvement{ID: m.ID, Type: workflow.ImprovementType(m.Type), Description: m.Description, EvidenceIDs: m.EvidenceIDs}
			if m.Date != nil {
				ms[i].Date = *m.Date
			}
		}
		out.Improvements = &ms
	}
	return out, p.Err("invalid progress report")
}

func (s *Server) patchProgressReport(c echo.Context) error {
	id, _, version, err := visibleIfMatch(c, "rid", s.store.ProgressReport)
	if err != nil {
		return err
	}
	var req reportPatch
	if err := bind(c, &req); err != nil {
		// A value of the wrong type (an indicator's achieved value given
		// as a string) is the report's content breaking a rule: 422, as
		// the issue asks, rather than the generic 400 of malformed JSON.
		var pe *problemError
		if errors.As(err, &pe) && pe.code == "wrong_type" {
			return &workflow.Error{Code: workflow.CodeInvalid, Message: "invalid progress report: " + pe.detail, Fields: pe.errors}
		}
		return err
	}
	content, err := req.content()
	if err != nil {
		return err
	}
	r, err := s.store.UpdateProgressReport(c.Request().Context(), id, version, content, principal(c))
	if err != nil {
		return err
	}
	return reportJSON(c, http.StatusOK, r)
}

type reportPermittedResponse struct {
	State     workflow.ReportState       `json:"state"`
	Version   int                        `json:"version"`
	Permitted []workflow.ReportPermitted `json:"permitted"`
}

func (s *Server) reportPermitted(c echo.Context) error {
	id, err := pathID(c, "rid")
	if err != nil {
		return err
	}
	permitted, r, err := s.store.ReportPermittedTransitions(c.Request().Context(), id, principal(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(r.Version))
	return c.JSON(http.StatusOK, reportPermittedResponse{State: r.State, Version: r.Version, Permitted: permitted})
}

type reportTransitionRequest struct {
	Trigger string `json:"trigger"`
	Note    string `json:"note"`
}

type reportTransitionResponse struct {
	ID         string                          `json:"id"`
	State      workflow.ReportState            `json:"state"`
	Version    int                             `json:"version"`
	Overdue    bool                            `json:"overdue"`
	Transition workflow.ReportTransitionRecord `json:"transition"`
}

func (s *Server) fireReportTransition(c echo.Context) error {
	// The store checks visibility inside the transition's transaction.
	if _, err := pathID(c, "rid"); err != nil {
		return err
	}
	var req reportTransitionRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	trigger, ok := workflow.ParseReportTrigger(req.Trigger)
	if !ok {
		return newProblem(http.StatusBadRequest, "unknown_trigger",
			fmt.Sprintf("%q is not a trigger of a progress report; use submit, accept or return", req.Trigger))
	}
	version, err := ifMatch(c, 0)
	if err != nil {
		if r, lerr := s.store.ProgressReport(c.Request().Context(), c.Param("rid"), principal(c)); lerr == nil {
			_, err = ifMatch(c, r.Version)
		}
		return err
	}
	r, rec, err := s.store.FireReportTransition(c.Request().Context(), workflow.ReportTransitionRequest{
		ReportID: c.Param("rid"), Version: version, Trigger: trigger, Note: strings.TrimSpace(req.Note),
		RequestID: requestID(c), Principal: principal(c)})
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(r.Version))
	return c.JSON(http.StatusOK, reportTransitionResponse{ID: r.ID, State: r.State, Version: r.Version, Overdue: r.Overdue, Transition: rec})
}

func (s *Server) reportHistory(c echo.Context) error {
	id, err := pathID(c, "rid")
	if err != nil {
		return err
	}
	pg, err := pageParams(c)
	if err != nil {
		return err
	}
	items, next, err := s.store.ReportHistory(c.Request().Context(), id, principal(c), pg)
	if err != nil {
		return err
	}
	return list(c, items, next)
}

type uptakeRequest struct {
	Status       string `json:"status"`
	PlanID       string `json:"plan_id"`
	ActionNumber int    `json:"action_number"`
}

func (s *Server) setUptake(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	rid, err := pathID(c, "rid")
	if err != nil {
		return err
	}
	var req uptakeRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	u := workflow.Uptake{PeerReviewID: id, RecommendationID: rid, Status: workflow.UptakeStatus(req.Status),
		PlanID: req.PlanID, ActionNumber: req.ActionNumber}
	if err := s.store.SetUptake(c.Request().Context(), &u, principal(c)); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, u)
}

func (s *Server) listUptake(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	items, err := s.store.ListUptake(c.Request().Context(), id, principal(c))
	if err != nil {
		return err
	}
	return list(c, items, "")
}

// listPeriods lists every period of the plan's project with the plan's
// report for it, so that a period nobody started a report for shows up as
// overdue too.
func (s *Server) listPeriods(c echo.Context) error {
	plan, err := s.loadVisible(c, workflow.KindActionPlan)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pr, err := s.store.Project(ctx, plan.Head().ProjectID)
	if err != nil {
		return err
	}
	var reports []workflow.ProgressReport
	pg := workflow.Page{Limit: maxLimit}
	for {
		items, next, err := s.store.ListProgressReports(ctx, plan.Head().ID, principal(c), pg)
		if err != nil {
			return err
		}
		reports = append(reports, items...)
		if next == "" {
			break
		}
		pg.After = next
	}
	return list(c, workflow.PeriodStatuses(pr, reports, time.Now()), "")
}
