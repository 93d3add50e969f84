package workflow

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// LearningEventType is the kind of an interregional learning event.
type LearningEventType string

const (
	ThematicSeminar    LearningEventType = "thematic_seminar"
	StudyVisit         LearningEventType = "study_visit"
	PeerReviewVisit    LearningEventType = "peer_review_visit"
	StakeholderMeeting LearningEventType = "stakeholder_meeting"
	StaffExchange      LearningEventType = "staff_exchange"
)

func (t LearningEventType) valid() bool {
	switch t {
	case ThematicSeminar, StudyVisit, PeerReviewVisit, StakeholderMeeting, StaffExchange:
		return true
	}
	return false
}

// LearningEventStatus says whether an event is still ahead or took place.
type LearningEventStatus string

const (
	EventPlanned LearningEventStatus = "planned"
	EventHeld    LearningEventStatus = "held"
)

// ThematicSeminarCount is how many thematic seminars a project holds in phase 1.
const ThematicSeminarCount = 4

// Place is where an event takes place.
type Place struct {
	Country string `json:"country"` // ISO 3166-1 alpha-2
	NUTS2   string `json:"nuts2"`   // optional; a NUTS2 code of the country
	City    string `json:"city"`
}

// LearningEvent is a thematic seminar, study visit, peer review visit,
// stakeholder meeting or staff exchange of a project.
type LearningEvent struct {
	ID            string            `json:"id"`
	ProjectID     string            `json:"project_id"`
	Type          LearningEventType `json:"type"`
	Title         string            `json:"title"`
	HostPartnerID string            `json:"host_partner_id"`
	// SeminarNumber is the slot (1–4) a thematic seminar fills; only
	// thematic seminars have one, and each slot is taken once per project.
	SeminarNumber *int                `json:"seminar_number"`
	Status        LearningEventStatus `json:"status"`
	StartDate     *Date               `json:"start_date"`
	EndDate       *Date               `json:"end_date"`
	Place         Place               `json:"place"`
	// Participants: partners and stakeholder groups of the project.
	PartnerIDs          []string `json:"partner_ids"`
	StakeholderGroupIDs []string `json:"stakeholder_group_ids"`
	Agenda              string   `json:"agenda"`
	// GoodPracticeIDs are the project's good practices presented.
	GoodPracticeIDs []string `json:"good_practice_ids"`
	Minutes         string   `json:"minutes"` // the text the minutes document is assembled from
	// CitedBy lists the actions that cite the event as their background;
	// the store fills it on reading, it is not part of what is written.
	CitedBy []PracticeCitation `json:"cited_by"`

	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

const maxEventRefs = 100

// Normalize trims text, upper-cases the place codes and drops repeated ids.
func (x *LearningEvent) Normalize() {
	for _, s := range []*string{&x.Title, &x.Agenda, &x.Minutes, &x.Place.City} {
		*s = strings.TrimSpace(*s)
	}
	x.Place.Country = strings.ToUpper(strings.TrimSpace(x.Place.Country))
	x.Place.NUTS2 = strings.ToUpper(strings.TrimSpace(x.Place.NUTS2))
	if x.Status == "" {
		x.Status = EventPlanned
	}
	x.PartnerIDs = dedupe(x.PartnerIDs)
	x.StakeholderGroupIDs = dedupe(x.StakeholderGroupIDs)
	x.GoodPracticeIDs = dedupe(x.GoodPracticeIDs)
}

// dedupe keeps the first of repeated values and never returns nil, so that
// lists serialise as [].
func dedupe(xs []string) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// Validate reports every rule the event breaks. That the referenced
// partners, groups and good practices belong to the project is the
// store's check.
func (x *LearningEvent) Validate() error {
	var p Problems
	checkOptionalID(&p, "id", x.ID)
	checkID(&p, "project_id", x.ProjectID)
	if !x.Type.valid() {
		p.Add("type", "must be one of thematic_seminar, study_visit, peer_review_visit, stakeholder_meeting, staff_exchange")
	}
	checkText(&p, "title", x.Title, true, maxTitle)
	checkID(&p, "host_partner_id", x.HostPartnerID)
	switch {
	case x.Type == ThematicSeminar && x.SeminarNumber == nil:
		p.Add("seminar_number", "is required for a thematic seminar: which of the %d it is", ThematicSeminarCount)
	case x.Type == ThematicSeminar && (*x.SeminarNumber < 1 || *x.SeminarNumber > ThematicSeminarCount):
		p.Add("seminar_number", "must be from 1 to %d", ThematicSeminarCount)
	case x.Type != ThematicSeminar && x.SeminarNumber != nil:
		p.Add("seminar_number", "is only for thematic seminars")
	}
	if x.Status != EventPlanned && x.Status != EventHeld {
		p.Add("status", "must be planned or held")
	}
	if x.StartDate == nil {
		p.Add("start_date", "is required")
	}
	if x.EndDate == nil {
		p.Add("end_date", "is required")
	}
	if x.StartDate != nil && x.EndDate != nil && x.EndDate.Before(*x.StartDate) {
		p.Add("end_date", "is before start_date")
	}
	if !ValidCountry(x.Place.Country) {
		p.Add("place.country", "is not an ISO 3166-1 alpha-2 country code")
	} else if x.Place.NUTS2 != "" && !ValidNUTS2(x.Place.NUTS2, x.Place.Country) {
		p.Add("place.nuts2", "is not a NUTS2 code of %s", x.Place.Country)
	}
	checkText(&p, "place.city", x.Place.City, false, maxName)
	checkIDs(&p, "partner_ids", x.PartnerIDs)
	checkIDs(&p, "stakeholder_group_ids", x.StakeholderGroupIDs)
	checkIDs(&p, "good_practice_ids", x.GoodPracticeIDs)
	checkText(&p, "agenda", x.Agenda, false, maxLongText)
	checkText(&p, "minutes", x.Minutes, false, maxFindings)
	return p.Err("invalid learning event")
}

func checkIDs(p *Problems, field string, ids []string) {
	if len(ids) > maxEventRefs {
		p.Add(field, "has more than %d entries", maxEventRefs)
	}
	for i, id := range ids {
		if !ValidID(id) {
			p.Add(fmt.Sprintf("%s[%d]", field, i), "is not a valid id")
		}
	}
}

// ManageEvent decides whether p may create or change an event hosted by
// hostPartnerID: the coordinator for any host, a partner for its own.
// Outside the project it is not_found, like every project resource.
func (p Principal) ManageEvent(projectID, hostPartnerID string) error {
	if err := p.Authorize(projectID, ActionProjectRead); err != nil {
		return err
	}
	if p.User.Admin {
		return nil
	}
	m, _ := p.Membership(projectID)
	switch {
	case m.Role == RoleCoordinator:
		return nil
	case m.Role == RolePartner && m.PartnerID == hostPartnerID:
		return nil
	case m.Role == RolePartner:
		return Errorf(CodeForbidden, "a partner manages only the events it hosts")
	}
	return Errorf(CodeForbidden, "role %s may not manage events", m.Role)
}

// SeminarSlot is one of a project's thematic seminars: the event that
// fills it, if any.
type SeminarSlot struct {
	Number int            `json:"number"`
	Status string         `json:"status"` // open, planned or held
	Event  *LearningEvent `json:"event"`
}

// Citation is one thing an action names as its background, resolved to
// its title for reading.
type Citation struct {
	ActionNumber int    `json:"action_number"`
	Kind         string `json:"kind"` // good_practice, event, peer_review or recommendation
	ID           string `json:"id"`
	Title        string `json:"title"`
}

// Citation kinds.
const (
	CiteGoodPractice   = "good_practice"
	CiteEvent          = "event"
	CitePeerReview     = "peer_review"
	CiteRecommendation = "recommendation"
)

// LearningEventStore keeps learning events and answers the traceability questions.
type LearningEventStore interface {
	CreateEvent(ctx context.Context, e *LearningEvent) error
	Event(ctx context.Context, id string) (LearningEvent, error)
	ListEvents(ctx context.Context, projectID string, page Page) ([]LearningEvent, string, error)
	// UpdateEvent applies edit at the given version (else
	// precondition_failed) and bumps it.
	UpdateEvent(ctx context.Context, id string, version int, edit func(*LearningEvent) error) (LearningEvent, error)
	ThematicSeminars(ctx context.Context, projectID string) ([]SeminarSlot, error)
	// EventMinutesInput is the data, as JSON, that the event_minutes
	// template assembles the event's minutes from.
	EventMinutesInput(ctx context.Context, id string) ([]byte, error)
	// PlanCitations resolves what each action of a plan cites.
	PlanCitations(ctx context.Context, planID string) ([]Citation, error)
}
