package api

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

// kinds maps the URL segment {S} to the deliverable kind.
var kinds = map[string]workflow.Kind{
	"action-plans":   workflow.KindActionPlan,
	"peer-reviews":   workflow.KindPeerReview,
	"good-practices": workflow.KindGoodPractice,
}

func (s *Server) deliverableRoutes(v1 *echo.Group) {
	for seg, kind := range kinds {
		v1.POST("/projects/:pid/"+seg, s.createDeliverable(kind))
		v1.GET("/projects/:pid/"+seg, s.listDeliverables(kind))
		v1.GET("/"+seg+"/:id", s.getDeliverable(kind))
		v1.PATCH("/"+seg+"/:id", s.patchDeliverable(kind))
		v1.DELETE("/"+seg+"/:id", s.deleteDeliverable(kind))
		v1.GET("/"+seg+"/:id/transitions", s.permittedTransitions(kind))
		v1.POST("/"+seg+"/:id/transitions", s.fireTransition(kind))
		v1.GET("/"+seg+"/:id/history", s.history(kind))
		v1.GET("/"+seg+"/:id/revisions/:n", s.revision(kind))
		v1.GET("/"+seg+"/:id/revisions/:n/diff", s.revisionDiff(kind))
	}
	v1.POST("/action-plans/:id/actions", s.addAction)
	v1.POST("/peer-reviews/:id/recommendations", s.addRecommendation)
	s.practiceRoutes(v1)
	v1.GET("/workflows/:kind", s.workflowGraph)
}

// Request bodies.

type actionPlanFields struct {
	Title              *string                `json:"title"`
	Language           *string                `json:"language"`
	SummaryEN          *string                `json:"summary_en"`
	OtherOrganisations *string                `json:"other_organisations"`
	ContactName        *string                `json:"contact_name"`
	ContactEmail       *string                `json:"contact_email"`
	PolicyContext      *string                `json:"policy_context"`
	Actions            *[]workflow.PlanAction `json:"actions"`
}

type createActionPlanRequest struct {
	PolicyInstrumentID string `json:"policy_instrument_id"`
	PartnerID          string `json:"partner_id"`
	actionPlanFields
}

type peerReviewFields struct {
	Title              *string                    `json:"title"`
	PeerPartnerIDs     *[]string                  `json:"peer_partner_ids"`
	PolicyInstrumentID *string                    `json:"policy_instrument_id"`
	VisitStart         *workflow.Date             `json:"visit_start"`
	VisitEnd           *workflow.Date             `json:"visit_end"`
	Findings           *string                    `json:"findings"`
	Recommendations    *[]workflow.Recommendation `json:"recommendations"`
}

type createPeerReviewRequest struct {
	HostPartnerID string `json:"host_partner_id"`
	peerReviewFields
}

type recommendationRequest struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

type transitionRequest struct {
	Trigger string `json:"trigger"`
	Note    string `json:"note"`
	// ConsultationDeadline (RFC 3339), on submit, ends the consultation
	// at that time instead of after the project's window.
	ConsultationDeadline *time.Time `json:"consultation_deadline"`
	// CarryOver, on submit, names open threads of the previous revision
	// to carry over to the new one.
	CarryOver []string `json:"carry_over"`
}

func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func (f actionPlanFields) apply(p *workflow.ActionPlan) {
	set(&p.Title, f.Title)
	set(&p.Language, f.Language)
	set(&p.SummaryEN, f.SummaryEN)
	set(&p.OtherOrganisations, f.OtherOrganisations)
	set(&p.ContactName, f.ContactName)
	set(&p.ContactEmail, f.ContactEmail)
	set(&p.PolicyContext, f.PolicyContext)
	set(&p.Actions, f.Actions)
}

func (f peerReviewFields) apply(r *workflow.PeerReview) {
	set(&r.Title, f.Title)
	set(&r.PeerPartnerIDs, f.PeerPartnerIDs)
	set(&r.PolicyInstrumentID, f.PolicyInstrumentID)
	if f.VisitStart != nil {
		r.VisitStart = f.VisitStart
	}
	if f.VisitEnd != nil {
		r.VisitEnd = f.VisitEnd
	}
	set(&r.Findings, f.Findings)
	set(&r.Recommendations, f.Recommendations)
}

// normalized validates a deliverable's content after an edit.
func normalized(d *workflow.Deliverable) error {
	if d.Practice != nil {
		d.Practice.Normalize()
		return d.Practice.Validate()
	}
	if d.Plan != nil {
		d.Plan.Normalize()
		return d.Plan.Validate()
	}
	d.Review.Normalize()
	for i, r := range d.Review.Recommendations {
		if !workflow.ValidID(r.ID) { // recommendations sent whole get ids here
			d.Review.Recommendations[i].ID = workflow.NewID()
		}
	}
	return d.Review.Validate()
}

func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// ifMatchValue is an ETag as this service gives it out: "N", or W/"N".
var ifMatchValue = regexp.MustCompile(`^(?:W/)?"([1-9][0-9]{0,9})"$`)

// ifMatch reads the version a write is meant for: "N" or W/"N", nothing
// else (not a bare 3, not "+3"). current is the version the thing has now
// (0 when not known): a write without If-Match is told to quote it.
func ifMatch(c echo.Context, current int) (int, error) {
	h := strings.TrimSpace(c.Request().Header.Get("If-Match"))
	if h == "" {
		if current < 1 {
			return 0, newProblem(http.StatusPreconditionRequired, "precondition_required",
				"send If-Match with the ETag of your last read of this resource")
		}
		return 0, newProblem(http.StatusPreconditionRequired, "precondition_required",
			fmt.Sprintf("send If-Match with the version you last read; the current one is If-Match: %s", etag(current)))
	}
	m := ifMatchValue.FindStringSubmatch(h)
	if m == nil {
		return 0, newProblem(http.StatusBadRequest, "invalid_parameter", "If-Match must be a version such as \"3\"")
	}
	v, err := strconv.Atoi(m[1])
	if err != nil || v < 1 {
		return 0, newProblem(http.StatusBadRequest, "invalid_parameter", "If-Match must be a version such as \"3\"")
	}
	return v, nil
}

// visibleIfMatch starts a write to the thing the path parameter names: it
// loads it as the caller may see it, so that one they may not see is 404
// whatever the headers, then reads the version If-Match is meant for.
func visibleIfMatch[T any](c echo.Context, param string, load func(context.Context, string, workflow.Principal) (T, error)) (string, T, int, error) {
	var cur T
	id, err := pathID(c, param)
	if err != nil {
		return "", cur, 0, err
	}
	if cur, err = load(c.Request().Context(), id, principal(c)); err != nil {
		return "", cur, 0, err
	}
	version, err := ifMatch(c, versionOf(cur))
	return id, cur, version, err
}

func deliverableJSON(c echo.Context, status int, d workflow.Deliverable) error {
	c.Response().Header().Set("ETag", etag(d.Head().Version))
	return c.JSON(status, d.Value())
}

// loadVisible loads a deliverable the caller may see; anything else is 404.
func (s *Server) loadVisible(c echo.Context, kind workflow.Kind) (workflow.Deliverable, error) {
	id, err := pathID(c, "id")
	if err != nil {
		return workflow.Deliverable{}, err
	}
	d, err := s.store.Deliverable(c.Request().Context(), kind, id)
	if err != nil {
		return d, err
	}
	return d, principal(c).SeeDeliverable(d)
}

func (s *Server) createDeliverable(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		pid, err := s.authorizeProject(c, workflow.ActionProjectRead)
		if err != nil {
			return err
		}
		var d workflow.Deliverable
		switch kind {
		case workflow.KindGoodPractice:
			var req createGoodPracticeRequest
			if err := bind(c, &req); err != nil {
				return err
			}
			g := &workflow.GoodPractice{ProjectID: pid, PartnerID: req.PartnerID}
			req.apply(g)
			d = workflow.Deliverable{Kind: kind, Practice: g}
		case workflow.KindActionPlan:
			var req createActionPlanRequest
			if err := bind(c, &req); err != nil {
				return err
			}
			p := &workflow.ActionPlan{ProjectID: pid, PolicyInstrumentID: req.PolicyInstrumentID, PartnerID: req.PartnerID, Actions: []workflow.PlanAction{}}
			req.apply(p)
			d = workflow.Deliverable{Kind: kind, Plan: p}
		default:
			var req createPeerReviewRequest
			if err := bind(c, &req); err != nil {
				return err
			}
			r := &workflow.PeerReview{ProjectID: pid, HostPartnerID: req.HostPartnerID, PeerPartnerIDs: []string{}, Recommendations: []workflow.Recommendation{}}
			req.apply(r)
			d = workflow.Deliverable{Kind: kind, Review: r}
		}
		if err := principal(c).CreateDeliverable(pid, d.Head().PartnerID); err != nil {
			return err
		}
		if err := normalized(&d); err != nil {
			return err
		}
		if err := s.store.CreateDeliverable(c.Request().Context(), &d); err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderLocation, "/api/v1/"+segment(kind)+"/"+d.Head().ID)
		return deliverableJSON(c, http.StatusCreated, d)
	}
}

func segment(kind workflow.Kind) string {
	for seg, k := range kinds {
		if k == kind {
			return seg
		}
	}
	return ""
}

func (s *Server) listDeliverables(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		pid, err := s.authorizeProject(c, workflow.ActionProjectRead)
		if err != nil {
			return err
		}
		pg, err := pageParams(c)
		if err != nil {
			return err
		}
		items, next, err := s.store.ListDeliverables(c.Request().Context(), kind, pid, principal(c).DeliverableScope(pid), pg)
		if err != nil {
			return err
		}
		values := make([]any, len(items))
		for i, d := range items {
			values[i] = d.Value()
		}
		return list(c, values, next)
	}
}

func (s *Server) getDeliverable(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		d, err := s.loadVisible(c, kind)
		if err != nil {
			return err
		}
		if kind == workflow.KindGoodPractice {
			return s.practiceJSON(c, d)
		}
		return deliverableJSON(c, http.StatusOK, d)
	}
}

// edit runs a content change under If-Match for the owner or coordinator.
func (s *Server) edit(c echo.Context, kind workflow.Kind, allow func(workflow.Principal, workflow.Deliverable) error,
	decode func() (func(*workflow.Deliverable) error, error), status int) error {
	d, err := s.loadVisible(c, kind)
	if err != nil {
		return err
	}
	if err := allow(principal(c), d); err != nil {
		return err
	}
	version, err := ifMatch(c, d.Head().Version)
	if err != nil {
		return err
	}
	change, err := decode()
	if err != nil {
		return err
	}
	out, err := s.store.UpdateDeliverable(c.Request().Context(), kind, d.Head().ID, version, func(d *workflow.Deliverable) error {
		if err := change(d); err != nil {
			return err
		}
		return normalized(d)
	})
	if err != nil {
		return err
	}
	return deliverableJSON(c, status, out)
}

func (s *Server) patchDeliverable(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		return s.edit(c, kind, workflow.Principal.EditDeliverable, func() (func(*workflow.Deliverable) error, error) {
			if kind == workflow.KindGoodPractice {
				var f goodPracticeFields
				if err := bind(c, &f); err != nil {
					return nil, err
				}
				return func(d *workflow.Deliverable) error { f.apply(d.Practice); return nil }, nil
			}
			if kind == workflow.KindActionPlan {
				var f actionPlanFields
				if err := bind(c, &f); err != nil {
					return nil, err
				}
				return func(d *workflow.Deliverable) error { f.apply(d.Plan); return nil }, nil
			}
			var f peerReviewFields
			if err := bind(c, &f); err != nil {
				return nil, err
			}
			return func(d *workflow.Deliverable) error { f.apply(d.Review); return nil }, nil
		}, http.StatusOK)
	}
}

func (s *Server) deleteDeliverable(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		d, err := s.loadVisible(c, kind)
		if err != nil {
			return err
		}
		if err := principal(c).EditDeliverable(d); err != nil {
			return err
		}
		version, err := ifMatch(c, d.Head().Version)
		if err != nil {
			return err
		}
		if err := s.store.DeleteDeliverable(c.Request().Context(), kind, d.Head().ID, version); err != nil {
			return err
		}
		if d.Practice != nil {
			s.deleteImageBlobs(c, d.Practice)
		}
		return c.NoContent(http.StatusNoContent)
	}
}

func (s *Server) addAction(c echo.Context) error {
	return s.edit(c, workflow.KindActionPlan, workflow.Principal.EditDeliverable, func() (func(*workflow.Deliverable) error, error) {
		var a workflow.PlanAction
		if err := bind(c, &a); err != nil {
			return nil, err
		}
		return func(d *workflow.Deliverable) error {
			d.Plan.Actions = append(d.Plan.Actions, a) // Normalize numbers it
			return nil
		}, nil
	}, http.StatusCreated)
}

func (s *Server) addRecommendation(c echo.Context) error {
	return s.edit(c, workflow.KindPeerReview, workflow.Principal.AddRecommendation, func() (func(*workflow.Deliverable) error, error) {
		var r recommendationRequest
		if err := bind(c, &r); err != nil {
			return nil, err
		}
		return func(d *workflow.Deliverable) error {
			d.Review.Recommendations = append(d.Review.Recommendations, workflow.Recommendation{ID: workflow.NewID(), Title: r.Title, Body: r.Body})
			return nil
		}, nil
	}, http.StatusCreated)
}

type permittedResponse struct {
	State     workflow.State              `json:"state"`
	Version   int                         `json:"version"`
	Permitted []workflow.PermittedTrigger `json:"permitted"`
}

func (s *Server) permittedTransitions(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		permitted, d, err := s.store.PermittedTransitions(c.Request().Context(), kind, id, principal(c))
		if err != nil {
			return err
		}
		c.Response().Header().Set("ETag", etag(d.Head().Version))
		return c.JSON(http.StatusOK, permittedResponse{State: d.Head().State, Version: d.Head().Version, Permitted: permitted})
	}
}

type transitionResponse struct {
	ID         string                    `json:"id"`
	State      workflow.State            `json:"state"`
	Version    int                       `json:"version"`
	Revision   int                       `json:"revision"`
	Transition workflow.TransitionRecord `json:"transition"`
}

func (s *Server) fireTransition(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		// The store checks visibility inside the transition's transaction.
		if _, err := pathID(c, "id"); err != nil {
			return err
		}
		var req transitionRequest
		if err := bind(c, &req); err != nil {
			return err
		}
		trigger, ok := workflow.ParseTrigger(req.Trigger)
		if !ok {
			return newProblem(http.StatusBadRequest, "unknown_trigger",
				fmt.Sprintf("%q is not a trigger; use submit, request_changes, approve, start_monitoring, close or revise", req.Trigger))
		}
		version, err := ifMatch(c, 0)
		if err != nil {
			if d, lerr := s.loadVisible(c, kind); lerr == nil {
				_, err = ifMatch(c, d.Head().Version)
			}
			return err
		}
		d, rec, err := s.store.FireTransition(c.Request().Context(), workflow.TransitionRequest{
			Kind: kind, ID: c.Param("id"), Version: version, Trigger: trigger, Note: strings.TrimSpace(req.Note),
			RequestID: requestID(c), Principal: principal(c), ConsultationDeadline: req.ConsultationDeadline, CarryOver: req.CarryOver,
		})
		if err != nil {
			return err
		}
		h := d.Head()
		c.Response().Header().Set("ETag", etag(h.Version))
		return c.JSON(http.StatusOK, transitionResponse{ID: h.ID, State: h.State, Version: h.Version, Revision: h.Revision, Transition: rec})
	}
}

func (s *Server) history(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		d, err := s.loadVisible(c, kind)
		if err != nil {
			return err
		}
		pg, err := pageParams(c)
		if err != nil {
			return err
		}
		items, next, err := s.store.History(c.Request().Context(), kind, d.Head().ID, pg)
		if err != nil {
			return err
		}
		return list(c, items, next)
	}
}

type revisionResponse struct {
	workflow.RevisionRecord
	Snapshot any               `json:"snapshot"`
	Sections []revisionSection `json:"sections"`
}

// revisionSection is a section a comment may name: its anchor and title.
type revisionSection struct {
	Anchor string `json:"anchor"`
	Title  string `json:"title"`
}

func (s *Server) revision(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		d, err := s.loadVisible(c, kind)
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(c.Param("n"))
		if err != nil || n < 1 {
			return newProblem(http.StatusBadRequest, "invalid_parameter", "a revision number is a whole number from 1")
		}
		rev, err := s.store.Revision(c.Request().Context(), kind, d.Head().ID, n)
		if err != nil {
			return err
		}
		sections, err := workflow.Sections(rev.Snapshot)
		if err != nil {
			return err
		}
		out := revisionResponse{RevisionRecord: rev, Snapshot: jsonRaw(rev.Snapshot), Sections: make([]revisionSection, len(sections))}
		for i, sec := range sections {
			out.Sections[i] = revisionSection{sec.Anchor, sec.Title}
		}
		c.Response().Header().Set("ETag", `"`+rev.SHA256+`"`)
		return c.JSON(http.StatusOK, out)
	}
}

func (s *Server) workflowGraph(c echo.Context) error {
	kind, ok := kinds[c.Param("kind")]
	reports := c.Param("kind") == "progress-reports"
	if !ok && !reports {
		return newProblem(http.StatusNotFound, "not_found", "no workflow of that name; use action-plans, peer-reviews, good-practices or progress-reports")
	}
	format := c.QueryParam("format")
	if format == "" {
		format = "mermaid"
	}
	var g string
	var err error
	if reports {
		g, err = workflow.ReportGraph(format)
	} else {
		g, err = workflow.Graph(kind, format)
	}
	if err != nil {
		return newProblem(http.StatusBadRequest, "invalid_parameter", "format must be dot or mermaid")
	}
	ct := "text/vnd.mermaid; charset=utf-8"
	if format == "dot" {
		ct = "text/vnd.graphviz; charset=utf-8"
	}
	return c.Blob(http.StatusOK, ct, []byte(g))
}

// versionOf is the version of a record as its ETag gives it: its Version
// field, or its Head's for a deliverable; 0 when it has none.
func versionOf(v any) int {
	if d, ok := v.(workflow.Deliverable); ok {
		return d.Head().Version
	}
	rv := reflect.Indirect(reflect.ValueOf(v))
	if rv.Kind() == reflect.Struct {
		if f := rv.FieldByName("Version"); f.IsValid() && f.CanInt() {
			return int(f.Int())
		}
	}
	return 0
}
