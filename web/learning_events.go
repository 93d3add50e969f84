package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/workflow"
)

// learningRoutes registers the pages that create and edit learning
// events, stream their minutes, and trace a good practice (the
// transfer interest of a stakeholder group among it).
func (h *Handler) learningRoutes(m *http.ServeMux) {
	m.Handle("GET /ui/projects/{pid}/events/new", h.page(true, h.newEventForm))
	m.Handle("POST /ui/projects/{pid}/events/new", h.page(true, h.createEvent))
	m.Handle("GET /ui/events/{id}/edit", h.page(true, h.editEventForm))
	m.Handle("POST /ui/events/{id}/edit", h.page(true, h.saveEvent))
	m.Handle("GET /ui/events/{id}/minutes", h.page(true, h.eventMinutes))
	m.Handle("GET /ui/good-practices/{id}/trace", h.page(true, h.practiceTrace))
	m.Handle("POST /ui/good-practices/{id}/interest", h.page(true, h.addInterest))
}

// eventFields are the event's fields as the form names them: the
// domain's names, so that its FieldErrors land next to them (a list's
// check boxes are name[], one name for many boxes); every field the API's
// create and PATCH accept.
var eventFields = []string{"type", "title", "host_partner_id", "seminar_number", "status", "start_date", "end_date",
	"place.country", "place.nuts2", "place.city", "partner_ids[]", "stakeholder_group_ids[]", "agenda", "good_practice_ids[]", "minutes"}

var eventTypes = []workflow.LearningEventType{workflow.ThematicSeminar, workflow.StudyVisit, workflow.PeerReviewVisit,
	workflow.StakeholderMeeting, workflow.StaffExchange}

// eventLabels are the fields' labels in the page's language.
func eventLabels(c *call) map[string]string {
	return map[string]string{
		"type":                  c.T("evform.type"),
		"title":                 c.T("evform.title"),
		"host_partner_id":       c.T("learning.event_host"),
		"seminar_number":        c.T("evform.seminar_number"),
		"status":                c.T("learning.event_status"),
		"start_date":            c.T("evform.start_date"),
		"end_date":              c.T("evform.end_date"),
		"place.country":         c.T("gpform.country"),
		"place.nuts2":           c.T("gpform.nuts2"),
		"place.city":            c.T("gpform.city"),
		"partner_ids":           c.T("learning.event_partners"),
		"stakeholder_group_ids": c.T("learning.event_groups"),
		"agenda":                c.T("learning.event_agenda"),
		"good_practice_ids":     c.T("learning.event_practices"),
		"minutes":               c.T("evform.minutes"),
	}
}

// eventValues is an event as its form shows it.
func eventValues(e *workflow.LearningEvent) url.Values {
	v := url.Values{
		"type":                    {string(e.Type)},
		"title":                   {e.Title},
		"host_partner_id":         {e.HostPartnerID},
		"status":                  {string(e.Status)},
		"place.country":           {e.Place.Country},
		"place.nuts2":             {e.Place.NUTS2},
		"place.city":              {e.Place.City},
		"agenda":                  {e.Agenda},
		"minutes":                 {e.Minutes},
		"partner_ids[]":           slices.Clone(e.PartnerIDs),
		"stakeholder_group_ids[]": slices.Clone(e.StakeholderGroupIDs),
		"good_practice_ids[]":     slices.Clone(e.GoodPracticeIDs),
	}
	if e.SeminarNumber != nil {
		v.Set("seminar_number", strconv.Itoa(*e.SeminarNumber))
	}
	if e.StartDate != nil {
		v.Set("start_date", e.StartDate.String())
	}
	if e.EndDate != nil {
		v.Set("end_date", e.EndDate.String())
	}
	return v
}

// applyEvent sets every field of the form on e, as a PATCH naming them
// all would; a date that is not one is the form's problem (f.Errors).
func applyEvent(c *call, f *form, e *workflow.LearningEvent) {
	e.Type = workflow.LearningEventType(f.Get("type"))
	e.Title = f.Get("title")
	e.HostPartnerID = f.Get("host_partner_id")
	e.SeminarNumber = nil
	if e.Type == workflow.ThematicSeminar && f.Get("seminar_number") != "" {
		n, err := strconv.Atoi(f.Get("seminar_number"))
		if err != nil {
			n = 0 // "must be from 1 to 4"
		}
		e.SeminarNumber = &n
	}
	e.Status = workflow.LearningEventStatus(f.Get("status"))
	for _, d := range []struct {
		name string
		to   **workflow.Date
	}{{"start_date", &e.StartDate}, {"end_date", &e.EndDate}} {
		*d.to = nil
		s := strings.TrimSpace(f.Get(d.name))
		if s == "" {
			continue
		}
		day, err := workflow.ParseDate(s)
		if err != nil {
			f.Errors[d.name] = c.T("evform.date_wrong")
			continue
		}
		*d.to = &day
	}
	e.Place = workflow.Place{Country: f.Get("place.country"), NUTS2: f.Get("place.nuts2"), City: f.Get("place.city")}
	e.PartnerIDs = f.All("partner_ids[]")
	e.StakeholderGroupIDs = f.All("stakeholder_group_ids[]")
	e.Agenda = f.Get("agenda")
	e.GoodPracticeIDs = f.All("good_practice_ids[]")
	e.Minutes = f.Get("minutes")
}

// slotView is one thematic seminar slot: free, or the event that fills it.
type slotView struct {
	Number  int
	Status  string
	EventID string
	Title   string
}

type eventFormView struct {
	Project   workflow.Project
	Event     *workflow.LearningEvent // nil on the new page
	Form      *form
	Labels    map[string]string
	Types     []workflow.LearningEventType
	Hosts     []workflow.Partner // the hosts the caller may choose
	Partners  []workflow.Partner
	Groups    []workflow.StakeholderGroup
	Practices []practiceItem // the project's good practices the caller sees, by title
	Slots     []slotView
	Stale     bool
	Saved     []savedField
	Action    string
	Problems  []fieldProblem // the refused form's problems, by field
}

// fieldProblem is one line of a refused form's summary, linking to its
// field.
type fieldProblem struct{ Anchor, Label, Message string }

// formProblems lists a form's problems with their fields' labels;
// "partner_ids[2]" is its list's.
func formProblems(f *form, labels map[string]string) []fieldProblem {
	var out []fieldProblem
	for _, name := range slices.Sorted(maps.Keys(f.Errors)) {
		base, _, _ := strings.Cut(name, "[")
		label := labels[base]
		if label == "" {
			label = base
		}
		out = append(out, fieldProblem{Anchor: domainFieldID(base), Label: label, Message: f.Errors[name]})
	}
	return out
}

// eventChoices fills what the form chooses from: the project's partners
// (the hosts among them the caller may manage), groups, the good
// practices the caller sees and the seminar slots.
func (h *Handler) eventChoices(c *call, v *eventFormView) error {
	ctx, pid := c.r.Context(), v.Project.ID
	ps, err := allPages(func(pg workflow.Page) ([]workflow.Partner, string, error) {
		return h.cfg.Store.ListPartners(ctx, pid, pg)
	})
	if err != nil {
		return err
	}
	v.Partners = ps
	for _, p := range ps {
		if c.principal.ManageEvent(pid, p.ID) == nil {
			v.Hosts = append(v.Hosts, p)
		}
	}
	if v.Groups, err = allPages(func(pg workflow.Page) ([]workflow.StakeholderGroup, string, error) {
		return h.cfg.Store.ListStakeholderGroups(ctx, pid, pg)
	}); err != nil {
		return err
	}
	scope := c.principal.DeliverableScope(pid)
	ds, err := allPages(func(pg workflow.Page) ([]workflow.Deliverable, string, error) {
		return h.cfg.Store.ListDeliverables(ctx, workflow.KindGoodPractice, pid, scope, pg)
	})
	if err != nil {
		return err
	}
	for _, d := range ds {
		if c.principal.SeeDeliverable(d) == nil {
			v.Practices = append(v.Practices, practiceItem{ID: d.Practice.ID, Title: d.Practice.Title, State: d.Practice.State})
		}
	}
	slices.SortFunc(v.Practices, func(a, b practiceItem) int { return strings.Compare(a.Title, b.Title) })
	v.Slots, err = h.seminarSlots(c, pid)
	v.Labels, v.Types = eventLabels(c), eventTypes
	return err
}

func (h *Handler) seminarSlots(c *call, pid string) ([]slotView, error) {
	slots, err := h.cfg.Store.ThematicSeminars(c.r.Context(), pid)
	if err != nil {
		return nil, err
	}
	out := make([]slotView, len(slots))
	for i, s := range slots {
		out[i] = slotView{Number: s.Number, Status: s.Status}
		if s.Event != nil {
			out[i].EventID, out[i].Title = s.Event.ID, s.Event.Title
		}
	}
	return out, nil
}

// checkHost refuses, next to its field, a host the caller may not manage
// events for (a partner names another partner); an empty one is the
// domain's "is required".
func (h *Handler) checkHost(c *call, f *form, pid, host string) error {
	if host == "" {
		return nil
	}
	err := c.principal.ManageEvent(pid, host)
	if workflow.ErrorCode(err) == workflow.CodeForbidden {
		f.Errors["host_partner_id"] = c.T("evform.host_not_yours")
		return nil
	}
	return err
}

// mayManageEvents: whether the caller's role manages any event of the
// project (the coordinator, admins, a partner its own).
func (h *Handler) mayManageEvents(c *call, pid string) bool {
	if c.principal.User.Admin {
		return true
	}
	m, _ := c.principal.Membership(pid)
	return m.Role == workflow.RoleCoordinator || m.Role == workflow.RolePartner && m.PartnerID != ""
}

func (h *Handler) newEventForm(c *call) error {
	pr, err := h.learningProject(c)
	if err != nil {
		return err
	}
	if !h.mayManageEvents(c, pr.ID) {
		h.notAllowed(c, c.T("evform.not_allowed_create"))
		return nil
	}
	f := newForm(url.Values{"status": {string(workflow.EventPlanned)}})
	if m, _ := c.principal.Membership(pr.ID); m.Role == workflow.RolePartner {
		f.Values.Set("host_partner_id", m.PartnerID)
	}
	return h.renderEventForm(c, http.StatusOK, pr, nil, f, nil)
}

func (h *Handler) renderEventForm(c *call, status int, pr workflow.Project, e *workflow.LearningEvent, f *form, stale []savedField) error {
	v := eventFormView{Project: pr, Event: e, Form: f, Stale: stale != nil, Saved: stale}
	if err := h.eventChoices(c, &v); err != nil {
		return err
	}
	title := c.T("evform.new_page_title", "Project", pr.Acronym)
	v.Action = "/ui/projects/" + pr.ID + "/events/new"
	if e != nil {
		title = c.T("evform.edit_title", "Title", e.Title)
		v.Action = "/ui/events/" + e.ID + "/edit"
	}
	if f.Invalid() && f.Problem == "" {
		f.Problem = c.T("evform.refused")
	}
	v.Problems = formProblems(f, v.Labels)
	h.render(c, status, "learning/event-edit", view{Title: title, Data: v})
	return nil
}

func (h *Handler) createEvent(c *call) error {
	pr, err := h.learningProject(c)
	if err != nil {
		return err
	}
	if !h.mayManageEvents(c, pr.ID) {
		h.notAllowed(c, c.T("evform.not_allowed_create"))
		return nil
	}
	f := newForm(c.r.PostForm)
	e := &workflow.LearningEvent{ProjectID: pr.ID}
	applyEvent(c, f, e)
	if err := h.checkHost(c, f, pr.ID, e.HostPartnerID); err != nil {
		return err
	}
	e.Normalize()
	err = e.Validate()
	if err == nil && !f.Invalid() {
		err = h.cfg.Store.CreateEvent(c.r.Context(), e)
	}
	if status, ok := h.eventRefused(c, f, err); !ok {
		return err
	} else if status != 0 {
		return h.renderEventForm(c, status, pr, nil, f, nil)
	}
	http.Redirect(c.w, c.r, "/ui/events/"+e.ID+"?done=created", http.StatusSeeOther)
	return nil
}

// eventRefused takes a refusal into the form: the status to answer with
// (0 when nothing was refused), false for errors that are not about what
// was typed. A taken seminar slot is said next to its field.
func (h *Handler) eventRefused(c *call, f *form, err error) (int, bool) {
	switch {
	case err == nil && !f.Invalid():
		return 0, true
	case err == nil:
		return http.StatusUnprocessableEntity, true
	case workflow.ErrorCode(err) == workflow.CodeConflict:
		var we *workflow.Error
		errors.As(err, &we)
		f.Errors["seminar_number"] = c.sayError(we)
		f.Problem = c.sayError(we)
		return http.StatusConflict, true
	case f.refuse(c, err):
		return http.StatusUnprocessableEntity, true
	}
	return 0, false
}

// manageableEvent loads the event of the path for an edit: 404 outside
// the caller's projects, "not allowed" (false, rendered) for one who may
// not manage it.
func (h *Handler) manageableEvent(c *call) (workflow.LearningEvent, workflow.Project, bool, error) {
	e, pr, err := h.readableEvent(c)
	if err != nil {
		return e, pr, false, err
	}
	if err := c.principal.ManageEvent(e.ProjectID, e.HostPartnerID); err != nil {
		if workflow.ErrorCode(err) == workflow.CodeForbidden {
			h.notAllowed(c, c.T("evform.not_allowed_edit"))
			return e, pr, false, nil
		}
		return e, pr, false, err
	}
	return e, pr, true, nil
}

func (h *Handler) readableEvent(c *call) (workflow.LearningEvent, workflow.Project, error) {
	id := c.r.PathValue("id")
	if !workflow.ValidID(id) {
		return workflow.LearningEvent{}, workflow.Project{}, workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	e, err := h.cfg.Store.Event(c.r.Context(), id)
	if err != nil {
		return e, workflow.Project{}, err
	}
	if err := c.principal.Authorize(e.ProjectID, workflow.ActionProjectRead); err != nil {
		return e, workflow.Project{}, err
	}
	pr, err := h.cfg.Store.Project(c.r.Context(), e.ProjectID)
	return e, pr, err
}

func (h *Handler) editEventForm(c *call) error {
	e, pr, ok, err := h.manageableEvent(c)
	if err != nil || !ok {
		return err
	}
	f := newForm(eventValues(&e))
	f.Version = e.Version
	return h.renderEventForm(c, http.StatusOK, pr, &e, f, nil)
}

func (h *Handler) saveEvent(c *call) error {
	cur, pr, ok, err := h.manageableEvent(c)
	if err != nil || !ok {
		return err
	}
	f := newForm(c.r.PostForm)
	version, verr := strconv.Atoi(f.Get("version"))
	f.Version = version
	// The domain's check first, so that a refused form shows its
	// problems whatever the version.
	check := cur
	applyEvent(c, f, &check)
	if err := h.checkHost(c, f, pr.ID, check.HostPartnerID); err != nil {
		return err
	}
	check.Normalize()
	if err := check.Validate(); err != nil || f.Invalid() {
		if err != nil && !f.refuse(c, err) {
			return err
		}
		return h.renderEventForm(c, http.StatusUnprocessableEntity, pr, &cur, f, nil)
	}
	if verr != nil || version < 1 {
		version = -1 // a form without its version cannot overwrite anything
	}
	// The good practices the caller may not see stay presented: the form
	// could not show them.
	seen := map[string]bool{}
	for _, id := range cur.GoodPracticeIDs {
		seen[id] = true
	}
	out, err := h.cfg.Store.UpdateEvent(c.r.Context(), cur.ID, version, func(x *workflow.LearningEvent) error {
		var hidden []string
		for _, id := range x.GoodPracticeIDs {
			if !seen[id] {
				hidden = append(hidden, id)
			}
		}
		applyEvent(c, f, x)
		x.GoodPracticeIDs = append(x.GoodPracticeIDs, hidden...)
		return c.principal.ManageEvent(x.ProjectID, x.HostPartnerID)
	})
	if workflow.ErrorCode(err) == workflow.CodePreconditionFailed {
		return h.eventConflict(c, pr, f)
	}
	if status, ok := h.eventRefused(c, f, err); !ok {
		return err
	} else if status != 0 {
		return h.renderEventForm(c, status, pr, &cur, f, nil)
	}
	http.Redirect(c.w, c.r, "/ui/events/"+out.ID+"?done=saved", http.StatusSeeOther)
	return nil
}

// eventConflict answers a save from a stale page as the good practice's
// does: nothing overwritten, the saved values that differ shown, the
// person's text kept in the form at the current version.
func (h *Handler) eventConflict(c *call, pr workflow.Project, f *form) error {
	cur, _, ok, err := h.manageableEvent(c)
	if err != nil || !ok {
		return err
	}
	labels, saved := eventLabels(c), eventValues(&cur)
	names, err := h.eventRefNames(c, pr.ID)
	if err != nil {
		return err
	}
	diff := []savedField{}
	for _, name := range eventFields {
		a, b := slices.Clone(saved[name]), slices.Clone(f.All(name))
		slices.Sort(a)
		slices.Sort(b)
		if strings.Join(a, "\n") == strings.Join(b, "\n") {
			continue
		}
		var shown []string
		for _, x := range saved[name] {
			switch {
			case names[x] != "":
				shown = append(shown, names[x])
			case name == "type" || name == "status":
				shown = append(shown, c.T(codeKey(x)))
			default:
				shown = append(shown, x)
			}
		}
		diff = append(diff, savedField{Label: labels[strings.TrimSuffix(name, "[]")], Value: strings.Join(shown, "\n")})
	}
	f.Version = cur.Version
	return h.renderEventForm(c, http.StatusConflict, pr, &cur, f, diff)
}

// eventRefNames names the partners, groups and good practices (those the
// caller sees) of a project by id.
func (h *Handler) eventRefNames(c *call, pid string) (map[string]string, error) {
	v := eventFormView{Project: workflow.Project{ID: pid}}
	if err := h.eventChoices(c, &v); err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, p := range v.Partners {
		names[p.ID] = p.Name
	}
	for _, g := range v.Groups {
		names[g.ID] = g.Name
	}
	for _, p := range v.Practices {
		names[p.ID] = p.Title
	}
	return names, nil
}

// eventMinutes streams the event's minutes in the format asked for, as
// the API's GET /events/{id}/minutes makes them: on each request, from
// the event_minutes template (an uploaded version if any), a planned
// event's with the DRAFT mark.
func (h *Handler) eventMinutes(c *call) error {
	e, _, err := h.readableEvent(c)
	if err != nil {
		return err
	}
	f, ok := documents.ParseFormat(c.r.URL.Query().Get("format"))
	if !ok {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	tmpl, err := h.templateFor(c, workflow.Kind(documents.KindEventMinutes), "")
	if err != nil {
		return err
	}
	raw, err := h.cfg.Store.EventMinutesInput(c.r.Context(), e.ID)
	if err != nil {
		return err
	}
	var data map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&data); err != nil {
		return err
	}
	var out bytes.Buffer
	meta := documents.MetaFor(data, e.Status == workflow.EventHeld, e.UpdatedAt, tmpl.Version)
	if err := documents.Assemble(&out, tmpl, data, meta, f); err != nil {
		return err
	}
	name := strings.TrimSpace(unsafeName.ReplaceAllString(e.Title, "_"))
	if name == "" {
		name = "minutes"
	}
	hd := c.w.Header()
	hd.Set("Content-Type", f.ContentType())
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fmt.Sprintf("%s v%d.%s", name, e.Version, f)}))
	hd.Set("Cache-Control", "private, no-store")
	_, err = c.w.Write(out.Bytes())
	return err
}
