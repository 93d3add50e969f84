package api

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/workflow"
)

// Learning events of a project, its thematic seminar slots, and what the
// actions of a plan cite. Every member of the project reads events; the
// coordinator manages them all and a partner the ones it hosts.

func (s *Server) learningEventRoutes(v1 *echo.Group) {
	v1.POST("/projects/:pid/events", s.createEvent)
	v1.GET("/projects/:pid/events", s.listEvents)
	v1.GET("/projects/:pid/thematic-seminars", s.thematicSeminars)
	v1.GET("/events/:eid", s.getEvent)
	v1.PATCH("/events/:eid", s.patchEvent)
	v1.GET("/events/:eid/minutes", s.eventMinutes)
	v1.GET("/action-plans/:id/citations", s.planCitations)
}

// eventFields is the body of a create (host_partner_id and type required
// there) and of a PATCH, where a missing field keeps its value.
type eventFields struct {
	Type                *workflow.LearningEventType   `json:"type"`
	Title               *string                       `json:"title"`
	HostPartnerID       *string                       `json:"host_partner_id"`
	SeminarNumber       *int                          `json:"seminar_number"`
	Status              *workflow.LearningEventStatus `json:"status"`
	StartDate           *workflow.Date                `json:"start_date"`
	EndDate             *workflow.Date                `json:"end_date"`
	Place               *workflow.Place               `json:"place"`
	PartnerIDs          *[]string                     `json:"partner_ids"`
	StakeholderGroupIDs *[]string                     `json:"stakeholder_group_ids"`
	Agenda              *string                       `json:"agenda"`
	GoodPracticeIDs     *[]string                     `json:"good_practice_ids"`
	Minutes             *string                       `json:"minutes"`
}

func (f eventFields) apply(e *workflow.LearningEvent) {
	set(&e.Type, f.Type)
	set(&e.Title, f.Title)
	set(&e.HostPartnerID, f.HostPartnerID)
	if f.SeminarNumber != nil {
		e.SeminarNumber = f.SeminarNumber
	} else if f.Type != nil && *f.Type != workflow.ThematicSeminar {
		e.SeminarNumber = nil // no longer a seminar: its slot is freed
	}
	set(&e.Status, f.Status)
	if f.StartDate != nil {
		e.StartDate = f.StartDate
	}
	if f.EndDate != nil {
		e.EndDate = f.EndDate
	}
	set(&e.Place, f.Place)
	set(&e.PartnerIDs, f.PartnerIDs)
	set(&e.StakeholderGroupIDs, f.StakeholderGroupIDs)
	set(&e.Agenda, f.Agenda)
	set(&e.GoodPracticeIDs, f.GoodPracticeIDs)
	set(&e.Minutes, f.Minutes)
}

func eventJSON(c echo.Context, status int, e workflow.LearningEvent) error {
	c.Response().Header().Set("ETag", etag(e.Version))
	return c.JSON(status, e)
}

func (s *Server) createEvent(c echo.Context) error {
	pid, err := s.authorizeProject(c, workflow.ActionProjectRead)
	if err != nil {
		return err
	}
	var f eventFields
	if err := bind(c, &f); err != nil {
		return err
	}
	e := workflow.LearningEvent{ProjectID: pid}
	f.apply(&e)
	// A partner may only host its own events; decided before validation so
	// that a stakeholder learns nothing from the problems of its body.
	if err := principal(c).ManageEvent(pid, e.HostPartnerID); err != nil {
		return err
	}
	if err := s.store.CreateEvent(c.Request().Context(), &e); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/events/"+e.ID)
	return eventJSON(c, http.StatusCreated, e)
}

func (s *Server) listEvents(c echo.Context) error {
	return listIn(s, c, workflow.ActionProjectRead, s.store.ListEvents)
}

func (s *Server) thematicSeminars(c echo.Context) error {
	pid, err := s.authorizeProject(c, workflow.ActionProjectRead)
	if err != nil {
		return err
	}
	slots, err := s.store.ThematicSeminars(c.Request().Context(), pid)
	if err != nil {
		return err
	}
	return list(c, slots, "")
}

// loadEvent loads an event the caller may read; outside its projects it is 404.
func (s *Server) loadEvent(c echo.Context) (workflow.LearningEvent, error) {
	id, err := pathID(c, "eid")
	if err != nil {
		return workflow.LearningEvent{}, err
	}
	e, err := s.store.Event(c.Request().Context(), id)
	if err != nil {
		return e, err
	}
	return e, principal(c).Authorize(e.ProjectID, workflow.ActionProjectRead)
}

func (s *Server) getEvent(c echo.Context) error {
	e, err := s.loadEvent(c)
	if err != nil {
		return err
	}
	return eventJSON(c, http.StatusOK, e)
}

func (s *Server) patchEvent(c echo.Context) error {
	e, err := s.loadEvent(c)
	if err != nil {
		return err
	}
	p := principal(c)
	if err := p.ManageEvent(e.ProjectID, e.HostPartnerID); err != nil {
		return err
	}
	version, err := ifMatch(c, e.Version)
	if err != nil {
		return err
	}
	var f eventFields
	if err := bind(c, &f); err != nil {
		return err
	}
	out, err := s.store.UpdateEvent(c.Request().Context(), e.ID, version, func(x *workflow.LearningEvent) error {
		f.apply(x)
		// Handing the event to another host needs the right over that host too.
		return p.ManageEvent(x.ProjectID, x.HostPartnerID)
	})
	if err != nil {
		return err
	}
	return eventJSON(c, http.StatusOK, out)
}

// planCitations shows what inspired each action of a plan, with titles.
func (s *Server) planCitations(c echo.Context) error {
	d, err := s.loadVisible(c, workflow.KindActionPlan)
	if err != nil {
		return err
	}
	cites, err := s.store.PlanCitations(c.Request().Context(), d.Plan.ID)
	if err != nil {
		return err
	}
	return list(c, cites, "")
}

// eventMinutes assembles the event's minutes from the event_minutes
// template (an uploaded version if there is one, else the built-in) in the
// format asked for (pdf unless ?format= says otherwise). They are made on
// each request, as the event may still change; a planned event's minutes
// carry the DRAFT mark.
func (s *Server) eventMinutes(c echo.Context) error {
	e, err := s.loadEvent(c)
	if err != nil {
		return err
	}
	name := c.QueryParam("format")
	if name == "" {
		name = string(documents.FormatPDF)
	}
	f, ok := documents.ParseFormat(name)
	if !ok {
		return newProblem(http.StatusBadRequest, "invalid_parameter", "format must be pdf, docx, html or md")
	}
	tmpl, err := s.templateFor(c, workflow.Kind(documents.KindEventMinutes), "")
	if err != nil {
		return err
	}
	raw, err := s.store.EventMinutesInput(c.Request().Context(), e.ID)
	if err != nil {
		return err
	}
	var data map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // as the render job decodes snapshots
	if err := dec.Decode(&data); err != nil {
		return err
	}
	var out bytes.Buffer
	meta := documents.MetaFor(data, e.Status == workflow.EventHeld, e.UpdatedAt, tmpl.Version)
	if err := documents.Assemble(&out, tmpl, data, meta, f); err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(e.Version))
	return c.Blob(http.StatusOK, f.ContentType(), out.Bytes())
}
