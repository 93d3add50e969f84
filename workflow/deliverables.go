package workflow

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Kind is the kind of a deliverable that goes through the lifecycle.
type Kind string

const (
	KindActionPlan Kind = "action_plan"
	KindPeerReview Kind = "peer_review"
)

// State is where a deliverable stands in its lifecycle.
type State string

const (
	StateDraft             State = "draft"
	StateStakeholderReview State = "stakeholder_review"
	StateApproved          State = "approved"
	StateMonitored         State = "monitored"
	StateClosed            State = "closed"
)

// Trigger moves a deliverable from one state to another.
type Trigger string

const (
	TriggerSubmit          Trigger = "submit"
	TriggerRequestChanges  Trigger = "request_changes"
	TriggerApprove         Trigger = "approve"
	TriggerStartMonitoring Trigger = "start_monitoring"
	TriggerClose           Trigger = "close"
	TriggerRevise          Trigger = "revise"
)

// allTriggers is every trigger, sorted by name.
var allTriggers = []Trigger{
	TriggerApprove, TriggerClose, TriggerRequestChanges,
	TriggerRevise, TriggerStartMonitoring, TriggerSubmit,
}

// ParseTrigger returns the trigger named s, and false for an unknown name.
func ParseTrigger(s string) (Trigger, bool) {
	for _, t := range allTriggers {
		if string(t) == s {
			return t, true
		}
	}
	return "", false
}

func (s State) valid() bool {
	switch s {
	case StateDraft, StateStakeholderReview, StateApproved, StateMonitored, StateClosed:
		return true
	}
	return false
}

// ActionPlan is one action plan per policy instrument, following the
// programme template. The project, partner organisation, country and
// region of Part I come from the consortium; so do the instrument's name
// and type of Part II, taken at snapshot time.
type ActionPlan struct {
	ID                 string `json:"id"`
	ProjectID          string `json:"project_id"`
	PolicyInstrumentID string `json:"policy_instrument_id"`
	PartnerID          string `json:"partner_id"`
	Title              string `json:"title"`
	Language           string `json:"language"` // ISO 639-1, lower case
	SummaryEN          string `json:"summary_en"`

	// Part I: general information.
	OtherOrganisations string `json:"other_organisations"`
	ContactName        string `json:"contact_name"`
	ContactEmail       string `json:"contact_email"`

	// Part II: the policy context.
	PolicyContext string `json:"policy_context"`

	// Part III: the actions.
	Actions []PlanAction `json:"actions"`

	State     State     `json:"state"`
	Version   int       `json:"version"`
	Revision  int       `json:"revision"` // the latest frozen revision, 0 if none
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// PlanAction is one action of Part III of an action plan. (It is not
// called Action because Action already names what a caller may do; see
// access.go.)
type PlanAction struct {
	Number         int        `json:"number"`
	Title          string     `json:"title"`
	Background     Background `json:"background"`
	Description    string     `json:"description"`
	Players        string     `json:"players"`
	TimeframeStart *Date      `json:"timeframe_start"`
	TimeframeEnd   *Date      `json:"timeframe_end"`
	Costs          string     `json:"costs"`
	FundingSources string     `json:"funding_sources"`
}

// Background says what inspired an action: free text, and optionally the
// peer review and recommendation it comes from, and the good practices and
// learning events it cites. The store checks that all are the project's.
type Background struct {
	Text             string   `json:"text"`
	PeerReviewID     string   `json:"peer_review_id,omitempty"`
	RecommendationID string   `json:"recommendation_id,omitempty"`
	GoodPracticeIDs  []string `json:"good_practice_ids,omitempty"`
	EventIDs         []string `json:"event_ids,omitempty"`
}

// PeerReview is the review of a host partner's policy by peers from other
// regions, ending in numbered recommendations.
type PeerReview struct {
	ID                 string           `json:"id"`
	ProjectID          string           `json:"project_id"`
	HostPartnerID      string           `json:"host_partner_id"`
	PeerPartnerIDs     []string         `json:"peer_partner_ids"`
	PolicyInstrumentID string           `json:"policy_instrument_id"`
	Title              string           `json:"title"`
	VisitStart         *Date            `json:"visit_start"`
	VisitEnd           *Date            `json:"visit_end"`
	Findings           string           `json:"findings"`
	Recommendations    []Recommendation `json:"recommendations"`

	State     State     `json:"state"`
	Version   int       `json:"version"`
	Revision  int       `json:"revision"` // the latest frozen revision, 0 if none
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Recommendation is one numbered recommendation of a peer review.
type Recommendation struct {
	ID     string `json:"id"`
	Number int    `json:"number"`
	Title  string `json:"title"`
	Body   string `json:"body"`
}

// Limits of deliverable content, in characters or items.
const (
	maxShortText       = 2000   // contacts, players' short lists, costs
	maxLongText        = 20000  // descriptions, policy context, summaries
	maxFindings        = 100000 // a peer review's findings
	maxActions         = 200
	maxRecommendations = 200
	maxPeers           = 50
)

// Normalize trims the text fields, lower-cases the language and numbers
// the actions 1, 2, 3… in their order.
func (x *ActionPlan) Normalize() {
	for _, s := range []*string{&x.Title, &x.SummaryEN, &x.OtherOrganisations, &x.ContactName, &x.ContactEmail, &x.PolicyContext} {
		*s = strings.TrimSpace(*s)
	}
	x.Language = strings.ToLower(strings.TrimSpace(x.Language))
	for i := range x.Actions {
		a := &x.Actions[i]
		a.Number = i + 1
		for _, s := range []*string{&a.Title, &a.Background.Text, &a.Description, &a.Players, &a.Costs, &a.FundingSources} {
			*s = strings.TrimSpace(*s)
		}
	}
}

// Validate reports every rule that the content breaks. It checks what may
// be saved in a draft; what a submit needs on top is Incomplete's job.
// That referenced ids exist in the project is checked by the store.
func (x *ActionPlan) Validate() error {
	var p Problems
	checkOptionalID(&p, "id", x.ID)
	checkID(&p, "project_id", x.ProjectID)
	checkID(&p, "partner_id", x.PartnerID)
	checkOptionalID(&p, "policy_instrument_id", x.PolicyInstrumentID)
	checkText(&p, "title", x.Title, true, maxTitle)
	if !validLanguage(x.Language) {
		p.Add("language", "must be an ISO 639-1 code of two lower-case letters")
	}
	checkText(&p, "summary_en", x.SummaryEN, false, maxLongText)
	checkText(&p, "other_organisations", x.OtherOrganisations, false, maxShortText)
	checkText(&p, "contact_name", x.ContactName, false, maxName)
	if x.ContactEmail != "" {
		if a, err := mail.ParseAddress(x.ContactEmail); err != nil || a.Address != x.ContactEmail || a.Name != "" {
			p.Add("contact_email", "is not a plain e-mail address")
		}
	}
	checkText(&p, "policy_context", x.PolicyContext, false, maxLongText)
	if len(x.Actions) > maxActions {
		p.Add("actions", "has more than %d actions", maxActions)
	}
	for i, a := range x.Actions {
		f := fmt.Sprintf("actions[%d].", i)
		if a.Number != i+1 {
			p.Add(f+"number", "must be %d: actions are numbered in order from 1", i+1)
		}
		checkText(&p, f+"title", a.Title, false, maxTitle)
		checkText(&p, f+"background.text", a.Background.Text, false, maxLongText)
		checkOptionalID(&p, f+"background.peer_review_id", a.Background.PeerReviewID)
		checkOptionalID(&p, f+"background.recommendation_id", a.Background.RecommendationID)
		if a.Background.RecommendationID != "" && a.Background.PeerReviewID == "" {
			p.Add(f+"background.recommendation_id", "needs the peer_review_id it belongs to")
		}
		checkIDs(&p, f+"background.good_practice_ids", a.Background.GoodPracticeIDs)
		checkIDs(&p, f+"background.event_ids", a.Background.EventIDs)
		checkText(&p, f+"description", a.Description, false, maxLongText)
		checkText(&p, f+"players", a.Players, false, maxShortText)
		if a.TimeframeStart != nil && a.TimeframeEnd != nil && a.TimeframeEnd.Before(*a.TimeframeStart) {
			p.Add(f+"timeframe_end", "is before timeframe_start")
		}
		checkText(&p, f+"costs", a.Costs, false, maxShortText)
		checkText(&p, f+"funding_sources", a.FundingSources, false, maxShortText)
	}
	return p.Err("invalid action plan")
}

// Incomplete lists every condition that a submit needs and the plan does
// not meet yet: a policy instrument, at least one action, and for every
// action a description, players and a timeframe with both dates; and an
// English summary when the plan is not written in English. Action fields
// are named by their index in actions, from 0: actions[2].players; the
// message names the action as people count, from 1: "action 3".
func (x *ActionPlan) Incomplete() []FieldError {
	var p Problems
	if x.PolicyInstrumentID == "" {
		p.Add("policy_instrument_id", "is required: an action plan addresses a policy instrument")
	}
	if x.Language == "" {
		p.Add("language", "is required")
	}
	if x.Language != "en" && strings.TrimSpace(x.SummaryEN) == "" {
		p.Add("summary_en", "is required when the plan is not written in English")
	}
	if len(x.Actions) == 0 {
		p.Add("actions", "needs at least one action")
	}
	for i, a := range x.Actions {
		// The field keeps the JSON index; the message counts as people do.
		f, n := fmt.Sprintf("actions[%d].", i), i+1
		if strings.TrimSpace(a.Description) == "" {
			p.Add(f+"description", "is required for action %d", n)
		}
		if strings.TrimSpace(a.Players) == "" {
			p.Add(f+"players", "is required for action %d", n)
		}
		if a.TimeframeStart == nil {
			p.Add(f+"timeframe_start", "is required for action %d", n)
		}
		if a.TimeframeEnd == nil {
			p.Add(f+"timeframe_end", "is required for action %d", n)
		}
	}
	return p
}

// Normalize trims the text fields, drops repeated peer partners and
// numbers the recommendations 1, 2, 3… in their order.
func (x *PeerReview) Normalize() {
	x.Title = strings.TrimSpace(x.Title)
	x.Findings = strings.TrimSpace(x.Findings)
	seen := map[string]bool{}
	peers := x.PeerPartnerIDs[:0:0]
	for _, id := range x.PeerPartnerIDs {
		if !seen[id] {
			seen[id] = true
			peers = append(peers, id)
		}
	}
	if x.PeerPartnerIDs != nil {
		x.PeerPartnerIDs = peers
	}
	for i := range x.Recommendations {
		r := &x.Recommendations[i]
		r.Number = i + 1
		r.Title = strings.TrimSpace(r.Title)
		r.Body = strings.TrimSpace(r.Body)
	}
}

// Validate reports every rule that the content breaks. It checks what may
// be saved in a draft; what a submit needs on top is Incomplete's job.
// That the partners belong to the project is checked by the store.
func (x *PeerReview) Validate() error {
	var p Problems
	checkOptionalID(&p, "id", x.ID)
	checkID(&p, "project_id", x.ProjectID)
	checkID(&p, "host_partner_id", x.HostPartnerID)
	if len(x.PeerPartnerIDs) > maxPeers {
		p.Add("peer_partner_ids", "has more than %d partners", maxPeers)
	}
	seen := map[string]bool{}
	for i, id := range x.PeerPartnerIDs {
		f := fmt.Sprintf("peer_partner_ids[%d]", i)
		switch {
		case !ValidID(id):
			p.Add(f, "is not a valid id")
		case id == x.HostPartnerID:
			p.Add(f, "is the host partner, who cannot be its own peer")
		case seen[id]:
			p.Add(f, "is named twice")
		}
		seen[id] = true
	}
	checkOptionalID(&p, "policy_instrument_id", x.PolicyInstrumentID)
	checkText(&p, "title", x.Title, true, maxTitle)
	if x.VisitStart != nil && x.VisitEnd != nil && x.VisitEnd.Before(*x.VisitStart) {
		p.Add("visit_end", "is before visit_start")
	}
	checkText(&p, "findings", x.Findings, false, maxFindings)
	if len(x.Recommendations) > maxRecommendations {
		p.Add("recommendations", "has more than %d recommendations", maxRecommendations)
	}
	for i, r := range x.Recommendations {
		f := fmt.Sprintf("recommendations[%d].", i)
		checkOptionalID(&p, f+"id", r.ID)
		if r.Number != i+1 {
			p.Add(f+"number", "must be %d: recommendations are numbered in order from 1", i+1)
		}
		checkText(&p, f+"title", r.Title, true, maxTitle)
		checkText(&p, f+"body", r.Body, false, maxLongText)
	}
	return p.Err("invalid peer review")
}

// Incomplete lists every condition that a submit needs and the review
// does not meet yet: a host, peers from at least 2 countries other than
// the host's, both visit dates, findings and at least one recommendation.
// countryOf gives a partner's country ("" when unknown).
func (x *PeerReview) Incomplete(countryOf func(partnerID string) string) []FieldError {
	if countryOf == nil {
		countryOf = func(string) string { return "" }
	}
	var p Problems
	hostCountry := ""
	if x.HostPartnerID == "" {
		p.Add("host_partner_id", "is required")
	} else {
		hostCountry = countryOf(x.HostPartnerID)
	}
	countries := map[string]bool{}
	for _, id := range x.PeerPartnerIDs {
		if c := countryOf(id); c != "" && c != hostCountry {
			countries[c] = true
		}
	}
	if len(countries) < 2 {
		p.Add("peer_partner_ids", "needs peers from at least 2 countries other than the host's; there are %d", len(countries))
	}
	if x.VisitStart == nil {
		p.Add("visit_start", "is required")
	}
	if x.VisitEnd == nil {
		p.Add("visit_end", "is required")
	}
	if strings.TrimSpace(x.Findings) == "" {
		p.Add("findings", "is required")
	}
	if len(x.Recommendations) == 0 {
		p.Add("recommendations", "needs at least one recommendation")
	}
	return p
}

// validLanguage reports whether s looks like an ISO 639-1 code: two
// lower-case ASCII letters.
func validLanguage(s string) bool {
	return len(s) == 2 && 'a' <= s[0] && s[0] <= 'z' && 'a' <= s[1] && s[1] <= 'z'
}

func checkOptionalID(p *Problems, field, v string) {
	if v != "" && !ValidID(v) {
		p.Add(field, "is not a valid id")
	}
}
