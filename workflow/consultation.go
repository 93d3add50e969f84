package workflow

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Stance is what a comment takes on the text it is pinned to.
type Stance string

const (
	StanceSupport    Stance = "support"
	StanceConcern    Stance = "concern"
	StanceSuggestion Stance = "suggestion"
	StanceQuestion   Stance = "question"
)

// ParseStance accepts the four stances; an empty one is a suggestion's
// neutral sibling and is not accepted here (the API defaults it).
func ParseStance(s string) (Stance, bool) {
	switch v := Stance(s); v {
	case StanceSupport, StanceConcern, StanceSuggestion, StanceQuestion:
		return v, true
	}
	return "", false
}

// ResponseStatus is the owner's formal answer to a top-level comment.
type ResponseStatus string

const (
	ResponseAccepted          ResponseStatus = "accepted"
	ResponsePartiallyAccepted ResponseStatus = "partially_accepted"
	ResponseRejected          ResponseStatus = "rejected"
	ResponseNoted             ResponseStatus = "noted"
)

// ParseResponseStatus accepts the four statuses.
func ParseResponseStatus(s string) (ResponseStatus, bool) {
	switch v := ResponseStatus(s); v {
	case ResponseAccepted, ResponsePartiallyAccepted, ResponseRejected, ResponseNoted:
		return v, true
	}
	return "", false
}

// Limits of consultation text, in characters.
const (
	MaxCommentLength  = 5000
	MaxResponseLength = 5000
	MaxHideReason     = 500
)

// CheckHideReason checks the reason a comment is hidden for: required
// text of at most MaxHideReason characters.
func CheckHideReason(reason string) error {
	var p Problems
	checkText(&p, "reason", reason, true, MaxHideReason)
	return p.Err("the reason is not valid")
}

// Comment is a stakeholder's (or anyone in scope's) remark on one section
// of one revision. Replies point at their parent; only top-level comments
// get a formal response.
type Comment struct {
	ID            string    `json:"id"`
	DeliverableID string    `json:"deliverable_id"`
	Kind          Kind      `json:"kind"`
	ProjectID     string    `json:"project_id"`
	Revision      int       `json:"revision"`
	Section       string    `json:"section"`
	ParentID      string    `json:"parent_id,omitempty"`
	Stance        Stance    `json:"stance,omitempty"` // none on a reply sent without one
	Body          string    `json:"body"`
	AuthorID      string    `json:"author_id"`
	AuthorName    string    `json:"author_name"`
	AuthorRole    Role      `json:"author_role"`
	Version       int       `json:"version"` // goes up with each edit
	Edited        bool      `json:"edited"`
	Deleted       bool      `json:"deleted"` // the body is gone; the thread stays
	Hidden        bool      `json:"hidden"`
	HiddenReason  string    `json:"hidden_reason,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Response      *Response `json:"response,omitempty"`
	// EditedAfterResponse: the author changed the text after the formal
	// response; Response.AnsweredBody is the text it answered.
	EditedAfterResponse bool `json:"edited_after_response"`
	// Suggestion is wording the comment proposes for its section, if any.
	Suggestion *Suggestion `json:"suggestion,omitempty"`
	// CarriedFrom is the revision the thread was first written on, when
	// its owner carried it over to this one at resubmission.
	CarriedFrom int `json:"carried_from,omitempty"`
	// Outdated: a later revision changed (or dropped) the section this
	// thread is on; OutdatedIn is the latest revision, whose text to read.
	Outdated   bool      `json:"outdated"`
	OutdatedIn int       `json:"outdated_in,omitempty"`
	Replies    []Comment `json:"replies,omitempty"`
}

// Suggestion is replacement wording a comment proposes: Text replaces Of
// in the section's text, or the whole text when Of is empty.
type Suggestion struct {
	Text string `json:"text"`
	Of   string `json:"of,omitempty"`
	// Applied is set once the accepted suggestion went into a draft.
	Applied *SuggestionApplied `json:"applied,omitempty"`
}

// NewSuggestion is the suggestion of wording text replacing of, or nil
// when there is no wording: how a comment row or request becomes one.
func NewSuggestion(text, of string) *Suggestion {
	if text == "" {
		return nil
	}
	return &Suggestion{Text: text, Of: of}
}

// SuggestionApplied records an accepted suggestion applied to a draft.
type SuggestionApplied struct {
	By      string    `json:"by"`
	ByName  string    `json:"by_name"`
	At      time.Time `json:"at"`
	Version int       `json:"version"` // the deliverable's version the edit made
}

// MaxSuggestionLength limits suggested wording, in characters (a section's
// text is at most this long too).
const MaxSuggestionLength = 20000

// Response is the formal answer to a top-level comment. A later answer
// replaces it; the earlier ones stay in the comment's history.
type Response struct {
	Status     ResponseStatus `json:"status"`
	Body       string         `json:"body"`
	AuthorID   string         `json:"author_id"`
	AuthorName string         `json:"author_name"`
	At         time.Time      `json:"at"`
	// AnsweredBody and AnsweredSuggestion are the comment's text and
	// suggested wording as they were when this response was given: an
	// edit after it does not move the response to the new text.
	AnsweredBody       string `json:"answered_body"`
	AnsweredSuggestion string `json:"answered_suggestion,omitempty"`
}

// CommentEvent is one line of a comment's kept history: created, edited,
// deleted, hidden, responded.
type CommentEvent struct {
	CommentID string    `json:"comment_id"`
	Event     string    `json:"event"`
	ActorID   string    `json:"actor_id"`
	Body      string    `json:"body,omitempty"`   // the text after the event (or the response, or the hide reason)
	Stance    Stance    `json:"stance,omitempty"` // after an edit
	Status    string    `json:"status,omitempty"` // a response's status
	At        time.Time `json:"at"`
}

// Consultation is the stakeholder consultation of one revision. It opens
// at submit and closes at its deadline, early by the owner or coordinator,
// or when the deliverable goes back to draft.
type Consultation struct {
	DeliverableID string     `json:"deliverable_id"`
	Revision      int        `json:"revision"`
	OpenedAt      time.Time  `json:"opened_at"`
	Deadline      time.Time  `json:"deadline"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	ClosedBy      string     `json:"closed_by,omitempty"`
	// ClosedReason is deadline, early or withdrawn.
	ClosedReason string `json:"closed_reason,omitempty"`
}

// Open reports whether comments are taken at t.
func (c Consultation) Open(t time.Time) bool {
	return c.ClosedAt == nil && t.Before(c.Deadline)
}

// Over reports whether the consultation is over at t: closed, or past its
// deadline even if the closing job has not run yet.
func (c Consultation) Over(t time.Time) bool { return !c.Open(t) }

// DefaultConsultationDays is the consultation window when neither the
// submit nor the project names one.
const DefaultConsultationDays = 14

// NewComment is a comment as asked for through the API.
type NewComment struct {
	Kind          Kind
	DeliverableID string
	Body          string
	Section       string
	ParentID      string
	Stance        Stance
	// Suggestion is wording proposed for the section's text, replacing
	// SuggestionOf in it ("" for the whole text); top-level comments only.
	Suggestion   string
	SuggestionOf string
	Principal    Principal
	RequestID    string
}

// Normalize trims the body and section and defaults a top-level
// comment's stance to suggestion; a reply needs none and keeps none.
func (c *NewComment) Normalize() {
	c.Body = strings.TrimSpace(c.Body)
	c.Section = strings.TrimSpace(c.Section)
	c.Suggestion, c.SuggestionOf = strings.TrimSpace(c.Suggestion), strings.TrimSpace(c.SuggestionOf)
	if c.Stance == "" && c.ParentID == "" {
		c.Stance = StanceSuggestion
	}
}

// Validate checks the shape; whether the section exists in the revision
// and the parent in the thread is the store's check.
func (c NewComment) Validate() error {
	var p Problems
	checkText(&p, "body", c.Body, true, MaxCommentLength)
	if c.Section != "" && !validAnchor(c.Section) {
		p.Add("section", "is not a section anchor such as part3.action.2.players")
	}
	checkOptionalID(&p, "parent_id", c.ParentID)
	if _, ok := ParseStance(string(c.Stance)); !ok && (c.Stance != "" || c.ParentID == "") {
		p.Add("stance", "must be support, concern, suggestion or question")
	}
	checkSuggestion(&p, c.Suggestion, c.SuggestionOf, c.ParentID != "")
	if c.Suggestion != "" && c.ParentID == "" && !TakesSuggestion(c.Kind, c.Section) {
		p.Add("suggestion", "section %q takes no suggested wording: only a section of one text does, such as a summary or an action's description", cmp.Or(c.Section, GeneralSection))
	}
	return p.Err("the comment is not valid")
}

// CommentEdit is the author's new text of a comment: its body, stance and
// suggested wording ("" for none), each as a whole.
type CommentEdit struct {
	Body, Suggestion, SuggestionOf string
	Stance                         Stance
}

// ValidateResponse checks a formal response.
func ValidateResponse(status, body string) (ResponseStatus, error) {
	var p Problems
	s, ok := ParseResponseStatus(status)
	if !ok {
		p.Add("status", "must be accepted, partially_accepted, rejected or noted")
	}
	checkText(&p, "body", strings.TrimSpace(body), true, MaxResponseLength)
	return s, p.Err("the response is not valid")
}

func validAnchor(s string) bool {
	if len(s) > 100 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_') {
			return false
		}
	}
	return s != ""
}

// Section is one commentable part of a revision: its anchor, a heading to
// show, and its text (plain, as the snapshot holds it).
type Section struct {
	Anchor string `json:"anchor"`
	Title  string `json:"title"`
	Text   string `json:"text"`
	// Name is what people wrote that the section is named after (an
	// action's or a recommendation's title), for a page that names the
	// section in its own words ("2. intézkedés – <Name>").
	Name string `json:"-"`
	// Start and End are the dates of a section that is a span (an
	// action's timeframe, a peer review's visit), for a page that writes
	// them in its own words; Text has them in ISO form.
	Start, End *Date `json:"-"`
}

// GeneralSection is the anchor of a comment on the deliverable as a whole;
// every revision has it.
const GeneralSection = "general"

// Sections lists the commentable sections of a frozen revision, in reading
// order. Anchors are stable across revisions: part2.policy_context,
// part3.action.3.players, recommendation.2 and so on.
func Sections(snapshot []byte) ([]Section, error) {
	var snap struct {
		Kind       Kind            `json:"kind"`
		Project    map[string]any  `json:"project"`
		Partner    map[string]any  `json:"partner"`
		Instrument map[string]any  `json:"policy_instrument"`
		Content    json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(snapshot, &snap); err != nil {
		return nil, fmt.Errorf("sections: %w", err)
	}
	out := []Section{{Anchor: GeneralSection, Title: "The document as a whole"}}
	add := func(anchor, title, text string) { out = append(out, Section{Anchor: anchor, Title: title, Text: text}) }
	named := func(anchor, title, text, name string) {
		out = append(out, Section{Anchor: anchor, Title: title, Text: text, Name: name})
	}
	str := func(m map[string]any, k string) string { s, _ := m[k].(string); return s }
	switch snap.Kind {
	case KindActionPlan:
		var p ActionPlan
		if err := json.Unmarshal(snap.Content, &p); err != nil {
			return nil, fmt.Errorf("sections: %w", err)
		}
		if p.SummaryEN != "" {
			add("summary_en", "Summary in English", p.SummaryEN)
		}
		general := fmt.Sprintf("Partner: %s\nOther organisations involved: %s\nContact: %s",
			str(snap.Partner, "name"), p.OtherOrganisations, p.ContactName)
		add("part1.general", "Part I – General information", general)
		context := p.PolicyContext
		if name := str(snap.Instrument, "name"); name != "" {
			context = "Policy instrument: " + name + "\n\n" + context
		}
		add("part2.policy_context", "Part II – Policy context", strings.TrimSpace(context))
		for _, a := range p.Actions {
			base := fmt.Sprintf("part3.action.%d", a.Number)
			head := fmt.Sprintf("Action %d – %s", a.Number, a.Title)
			named(base, head, "", a.Title)
			named(base+".background", head+": background", a.Background.Text, a.Title)
			named(base+".description", head+": the action", a.Description, a.Title)
			named(base+".players", head+": players involved", a.Players, a.Title)
			out = append(out, Section{Anchor: base + ".timeframe", Title: head + ": timeframe",
				Text: timeframe(a.TimeframeStart, a.TimeframeEnd), Name: a.Title, Start: a.TimeframeStart, End: a.TimeframeEnd})
			named(base+".costs", head+": costs", a.Costs, a.Title)
			named(base+".funding_sources", head+": funding sources", a.FundingSources, a.Title)
		}
	case KindPeerReview:
		var r PeerReview
		if err := json.Unmarshal(snap.Content, &r); err != nil {
			return nil, fmt.Errorf("sections: %w", err)
		}
		out = append(out, Section{Anchor: "visit", Title: "The visit", Text: timeframe(r.VisitStart, r.VisitEnd),
			Start: r.VisitStart, End: r.VisitEnd})
		add("findings", "Findings", r.Findings)
		for _, rec := range r.Recommendations {
			named(fmt.Sprintf("recommendation.%d", rec.Number), fmt.Sprintf("Recommendation %d – %s", rec.Number, rec.Title), rec.Body, rec.Title)
		}
	case KindGoodPractice:
		var g GoodPractice
		if err := json.Unmarshal(snap.Content, &g); err != nil {
			return nil, fmt.Errorf("sections: %w", err)
		}
		where := strings.Join(slices.DeleteFunc([]string{g.Location.City, g.Location.NUTS2, g.Location.Country},
			func(s string) bool { return s == "" }), ", ")
		add("location", "Location", where)
		add("summary", "Summary", g.Summary)
		add("description", "Detailed description", g.Description)
		add("resources_needed", "Resources needed", g.ResourcesNeeded)
		add("timescale", "Timescale", g.Timescale)
		add("evidence_of_success", "Evidence of success", g.EvidenceOfSuccess)
		add("potential_for_learning", "Potential for learning or transfer", g.PotentialForLearning)
		add("main_institution", "Main institution involved", g.MainInstitution)
	default:
		return nil, fmt.Errorf("sections: unknown kind %q", snap.Kind)
	}
	return out, nil
}

// HasSection reports whether anchor is one of the sections.
func HasSection(sections []Section, anchor string) bool {
	for _, s := range sections {
		if s.Anchor == anchor {
			return true
		}
	}
	return false
}

// maxAnchorsNamed is how many anchors AnchorList names before "…".
const maxAnchorsNamed = 20

// AnchorList names the sections' anchors for an error message: the first
// 20, then "…" when there are more.
func AnchorList(sections []Section) string {
	names := make([]string, 0, min(len(sections), maxAnchorsNamed)+1)
	for i, s := range sections {
		if i == maxAnchorsNamed {
			names = append(names, "…")
			break
		}
		names = append(names, s.Anchor)
	}
	return strings.Join(names, ", ")
}

func timeframe(start, end *Date) string {
	if start == nil && end == nil {
		return ""
	}
	s, e := "…", "…"
	if start != nil {
		s = start.String()
	}
	if end != nil {
		e = end.String()
	}
	return s + " – " + e
}

// Commenting decides who may comment on a deliverable they can see:
// everyone in scope except observers. Stakeholders are the point of the
// consultation; partners, the coordinator and the secretariat take part
// in the threads.
func (p Principal) Commenting(d Deliverable) error {
	if err := p.SeeDeliverable(d); err != nil {
		return err
	}
	if p.User.Admin {
		return nil
	}
	m, _ := p.Membership(d.Head().ProjectID)
	if m.Role == RoleObserver {
		return Errorf(CodeForbidden, "observers may read the consultation but not comment")
	}
	return nil
}

// Answering decides who may respond to comments, close the consultation
// early and see hidden comments' reasons: the owner or the coordinator.
func (p Principal) Answering(d Deliverable) error {
	if err := p.SeeDeliverable(d); err != nil {
		return err
	}
	a := p.Actor(d)
	if a.coordinates() || a.owns() {
		return nil
	}
	return Errorf(CodeForbidden, "only its owner or the coordinator may do this")
}

// Moderating decides who may hide comments: the coordinator.
func (p Principal) Moderating(d Deliverable) error {
	if err := p.SeeDeliverable(d); err != nil {
		return err
	}
	if p.Actor(d).coordinates() {
		return nil
	}
	return Errorf(CodeForbidden, "only the coordinator may hide comments")
}

// Event is something that happened, for webhook subscribers. Data is the
// event's JSON body apart from the envelope.
type Event struct {
	ID            string    `json:"id"`
	Type          EventType `json:"type"`
	ProjectID     string    `json:"project_id"`
	DeliverableID string    `json:"deliverable_id,omitempty"`
	At            time.Time `json:"at"`
	Data          any       `json:"data"`
}

// EventType names what webhooks can subscribe to.
type EventType string

const (
	EventTransition         EventType = "transition"
	EventCommentCreated     EventType = "comment.created"
	EventCommentResponded   EventType = "comment.responded"
	EventConsultationOpened EventType = "consultation.opened"
	EventClosingSoon        EventType = "consultation.closing_soon"
	EventConsultationClosed EventType = "consultation.closed"
	EventDocumentReady      EventType = "document.ready"
	EventProgressReportDue  EventType = "progress_report.due"
)

// EventTypes lists every event type, in a stable order.
var EventTypes = []EventType{EventTransition, EventCommentCreated, EventCommentResponded,
	EventConsultationOpened, EventClosingSoon, EventConsultationClosed, EventDocumentReady,
	EventProgressReportDue}

// ParseEventType accepts the known event types.
func ParseEventType(s string) (EventType, bool) {
	for _, t := range EventTypes {
		if string(t) == s {
			return t, true
		}
	}
	return "", false
}
