package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"strings"

	"github.com/craftscode/craftscode/search"
	"github.com/craftscode/craftscode/workflow"
)

// The learning pages: a project's good practices and learning events, each
// a list with a search box, and an event's detail (a good practice's
// detail is its deliverable page).

const learningPage = 25

type practiceItem struct {
	ID, Title, Meta string
	State           workflow.State
	Snippet         template.HTML           // escaped by search.Snippet, words in <mark>
	Image           *workflow.PracticeImage // the first image, shown with its alt text
}

type learningView struct {
	Project   workflow.Project
	Query     string
	Items     []practiceItem
	Events    []eventItem
	Next      string // the next page's URL, if any
	CanCreate bool   // the caller may start a good practice, or an event
	Slots     []slotView
}

// eventItem is an event in the list, with its place by name.
type eventItem struct {
	workflow.LearningEvent
	PlaceName string
}

// learningProject checks that the caller may read the project.
func (h *Handler) learningProject(c *call) (workflow.Project, error) {
	pid := c.r.PathValue("pid")
	if !workflow.ValidID(pid) {
		return workflow.Project{}, workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	if err := c.principal.Authorize(pid, workflow.ActionProjectRead); err != nil {
		return workflow.Project{}, err
	}
	return h.cfg.Store.Project(c.r.Context(), pid)
}

// practicesPage lists the good practices the caller may see, or with ?q=
// those that match, with a snippet of each.
func (h *Handler) practicesPage(c *call) error {
	pr, err := h.learningProject(c)
	if err != nil {
		return err
	}
	v := learningView{Project: pr, Query: strings.TrimSpace(c.r.URL.Query().Get("q"))}
	ctx, scope, cursor := c.r.Context(), c.principal.DeliverableScope(pr.ID), c.r.URL.Query().Get("cursor")
	base := "/ui/projects/" + pr.ID + "/good-practices?"
	if terms := search.Terms(v.Query); len(terms) > 0 {
		q := workflow.SearchQuery{ProjectID: pr.ID, Terms: terms, Kind: workflow.SearchGoodPractice, Scope: scope, Limit: learningPage}
		q.After.DeliverableID = decodeCursor(cursor)
		hits, next, err := h.cfg.Store.Search(ctx, q)
		if err != nil {
			return err
		}
		for _, hit := range hits {
			it := practiceItem{ID: hit.ID, Title: hit.Title, State: hit.State, Snippet: template.HTML(hit.Snippet)}
			// The hit has no place: the practice has (a page is 25 at most).
			if d, err := h.cfg.Store.Deliverable(ctx, workflow.KindGoodPractice, hit.ID); err == nil {
				g := d.Practice
				it.Meta = placeName(c, g.Location.City, g.Location.NUTS2, g.Location.Country)
				if len(g.Images) > 0 {
					it.Image = &g.Images[0]
				}
			} else if workflow.ErrorCode(err) != workflow.CodeNotFound {
				return err
			}
			v.Items = append(v.Items, it)
		}
		if next != nil {
			v.Next = base + "q=" + urlQuery(v.Query) + "&cursor=" + encodeCursor(next.DeliverableID)
		}
	} else {
		ds, next, err := h.cfg.Store.ListDeliverables(ctx, workflow.KindGoodPractice, pr.ID, scope, workflow.Page{Limit: learningPage, After: decodeCursor(cursor)})
		if err != nil {
			return err
		}
		for _, d := range ds {
			g := d.Practice
			it := practiceItem{ID: g.ID, Title: g.Title, State: g.State,
				Meta:    placeName(c, g.Location.City, g.Location.NUTS2, g.Location.Country),
				Snippet: template.HTML(template.HTMLEscapeString(g.Summary))}
			if len(g.Images) > 0 {
				it.Image = &g.Images[0]
			}
			v.Items = append(v.Items, it)
		}
		if next != "" {
			v.Next = base + "cursor=" + encodeCursor(next)
		}
	}
	partners, err := h.creatablePartners(c, pr.ID)
	if err != nil {
		return err
	}
	v.CanCreate = len(partners) > 0
	h.render(c, http.StatusOK, "learning/practices", view{Title: c.T("learning.practices_title", "Project", pr.Acronym), Data: v})
	return nil
}

// eventsPage lists the project's learning events; ?q= keeps those whose
// title, place or agenda hold every word (events are few per project).
func (h *Handler) eventsPage(c *call) error {
	pr, err := h.learningProject(c)
	if err != nil {
		return err
	}
	v := learningView{Project: pr, Query: strings.TrimSpace(c.r.URL.Query().Get("q"))}
	terms := search.Terms(v.Query)
	evs, err := allPages(func(pg workflow.Page) ([]workflow.LearningEvent, string, error) {
		return h.cfg.Store.ListEvents(c.r.Context(), pr.ID, pg)
	})
	if err != nil {
		return err
	}
	for _, e := range evs {
		if matchesAll(search.Normalize(e.Title, e.Place.City, e.Agenda, string(e.Type)), terms) {
			v.Events = append(v.Events, eventItem{e, placeName(c, e.Place.City, e.Place.NUTS2, e.Place.Country)})
		}
	}
	if v.Slots, err = h.seminarSlots(c, pr.ID); err != nil {
		return err
	}
	v.CanCreate = h.mayManageEvents(c, pr.ID)
	h.render(c, http.StatusOK, "learning/events", view{Title: c.T("learning.events_title", "Project", pr.Acronym), Data: v})
	return nil
}

// eventPage shows one event to the members of its project.
func (h *Handler) eventPage(c *call) error {
	id := c.r.PathValue("id")
	if !workflow.ValidID(id) {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	e, err := h.cfg.Store.Event(c.r.Context(), id)
	if err != nil {
		return err
	}
	if err := c.principal.Authorize(e.ProjectID, workflow.ActionProjectRead); err != nil {
		return err
	}
	pr, err := h.cfg.Store.Project(c.r.Context(), e.ProjectID)
	if err != nil {
		return err
	}
	v := eventView{Project: pr, E: e, CanEdit: c.principal.ManageEvent(e.ProjectID, e.HostPartnerID) == nil,
		Place: placeName(c, e.Place.City, e.Place.NUTS2, e.Place.Country), Formats: docFormats}
	if err := h.eventNames(c, &v); err != nil {
		return err
	}
	vw := view{Title: e.Title, Data: v}
	switch c.r.URL.Query().Get("done") {
	case "created":
		vw.Notice = c.T("evform.done_created")
	case "saved":
		vw.Notice = c.T("gpform.done_saved")
	}
	h.render(c, http.StatusOK, "learning/event", vw)
	return nil
}

// eventView is an event with the names of what it refers to.
type eventView struct {
	Project     workflow.Project
	E           workflow.LearningEvent
	Host        string
	Partners    []string
	Groups      []string
	Practices   []practiceItem // the presented practices the caller may see
	HiddenCount int            // the presented practices the caller may not see (drafts)
	CanEdit     bool           // the caller manages the event (ManageEvent)
	Place       string
	Formats     []string // the minutes' formats
}

// eventNames names the host, the participants and the good practices of
// an event: few per project, read in a page or two.
func (h *Handler) eventNames(c *call, v *eventView) error {
	ctx, pid := c.r.Context(), v.Project.ID
	ps, err := allPages(func(pg workflow.Page) ([]workflow.Partner, string, error) {
		return h.cfg.Store.ListPartners(ctx, pid, pg)
	})
	if err != nil {
		return err
	}
	gs, err := allPages(func(pg workflow.Page) ([]workflow.StakeholderGroup, string, error) {
		return h.cfg.Store.ListStakeholderGroups(ctx, pid, pg)
	})
	if err != nil {
		return err
	}
	partners, groups := map[string]string{}, map[string]string{}
	for _, p := range ps {
		partners[p.ID] = p.Name
	}
	for _, g := range gs {
		groups[g.ID] = g.Name
	}
	v.Host = partners[v.E.HostPartnerID]
	for _, id := range v.E.PartnerIDs {
		if n := partners[id]; n != "" {
			v.Partners = append(v.Partners, n)
		}
	}
	for _, id := range v.E.StakeholderGroupIDs {
		if n := groups[id]; n != "" {
			v.Groups = append(v.Groups, n)
		}
	}
	for _, id := range v.E.GoodPracticeIDs {
		d, err := h.cfg.Store.Deliverable(ctx, workflow.KindGoodPractice, id)
		if workflow.ErrorCode(err) == workflow.CodeNotFound || err == nil && c.principal.SeeDeliverable(d) != nil {
			v.HiddenCount++
			continue
		}
		if err != nil {
			return err
		}
		v.Practices = append(v.Practices, practiceItem{ID: d.Practice.ID, Title: d.Practice.Title, State: d.Practice.State})
	}
	return nil
}

// matchesAll: every term starts a word of norm (as the SQLite search).
func matchesAll(norm string, terms []string) bool {
	for _, t := range terms {
		if !strings.Contains(norm, " "+t) {
			return false
		}
	}
	return true
}

func encodeCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte(id)) }

// decodeCursor gives "" for what is not a cursor: the first page.
func decodeCursor(s string) string {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || !workflow.ValidID(string(b)) {
		return ""
	}
	return string(b)
}

func urlQuery(s string) string { return template.URLQueryEscaper(s) }
