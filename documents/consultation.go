package documents

import (
	"bytes"
	"encoding/json"
	"time"
)

// Consultation is the `consultation` key of a revision's template data: the
// stakeholder consultation of the revision as the comment-response matrix
// shows it. Only visible comments are in it (hidden and deleted ones, and
// the replies under a hidden or deleted comment, are left out), grouped by
// section in the revision's reading order and numbered 1, 2, … in that
// order. Times are RFC 3339 in UTC; templates format them with date.
// templates/README.md documents the shape for template authors.
type Consultation struct {
	Revision     int                   `json:"revision"`
	OpenedAt     time.Time             `json:"opened_at"`
	Deadline     time.Time             `json:"deadline"`
	ClosedAt     *time.Time            `json:"closed_at"`     // null while open
	ClosedReason string                `json:"closed_reason"` // deadline, early, withdrawn or ""
	Counts       ConsultationCounts    `json:"counts"`
	Sections     []ConsultationSection `json:"sections"` // only sections with comments
	// NextRevision is the revision after this one when there was one at
	// render time (0 otherwise): each comment then says whether it
	// changed the comment's section.
	NextRevision int `json:"next_revision"`
}

// ConsultationCounts counts the visible top-level comments (and replies)
// and the responses by status.
type ConsultationCounts struct {
	Comments          int `json:"comments"`
	Replies           int `json:"replies"`
	Answered          int `json:"answered"`
	Unanswered        int `json:"unanswered"`
	Accepted          int `json:"accepted"`
	PartiallyAccepted int `json:"partially_accepted"`
	Rejected          int `json:"rejected"`
	Noted             int `json:"noted"`
}

// ConsultationSection is one commented section of the revision.
type ConsultationSection struct {
	Anchor string `json:"anchor"`
	Title  string `json:"title"`
	// Name is what people wrote that the section is named after (an
	// action's or a recommendation's title; workflow.Section.Name), which
	// sectionName puts after the document's own "Action 2".
	Name     string                `json:"name"`
	Comments []ConsultationComment `json:"comments"`
}

// ConsultationComment is a top-level comment with its formal response (null
// when there is none yet) and its replies, oldest first.
type ConsultationComment struct {
	Number    int                   `json:"number"`
	ID        string                `json:"id"`
	Section   string                `json:"section"`
	Author    ConsultationPerson    `json:"author"`
	Stance    string                `json:"stance"`
	Body      string                `json:"body"`
	Edited    bool                  `json:"edited"`
	CreatedAt time.Time             `json:"created_at"`
	Response  *ConsultationResponse `json:"response"`
	Replies   []ConsultationReply   `json:"replies"`
	// SectionChanged tells whether NextRevision changed (or dropped) the
	// comment's section; null when there is no next revision.
	SectionChanged *bool `json:"section_changed"`
	NextRevision   int   `json:"next_revision"`
	// EditedAfterResponse: the author changed the text after the formal
	// response, which answered Response.AnsweredBody; Body is the later text.
	EditedAfterResponse bool `json:"edited_after_response"`
	// CarriedFrom is the revision the thread was first written on, when it
	// was carried over to this one at resubmission; 0 otherwise.
	CarriedFrom int `json:"carried_from"`
}

// ConsultationPerson is who wrote something: the user's name and their role
// in the project (stakeholder, partner, coordinator, …).
type ConsultationPerson struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// ConsultationResponse is the owner's formal answer: the status (accepted,
// partially_accepted, rejected, noted) and the reason, with the comment's
// text (and suggested wording) it answered.
type ConsultationResponse struct {
	Status             string             `json:"status"`
	Body               string             `json:"body"`
	Author             ConsultationPerson `json:"author"`
	At                 time.Time          `json:"at"`
	AnsweredBody       string             `json:"answered_body"`
	AnsweredSuggestion string             `json:"answered_suggestion"`
}

// ConsultationReply is a reply in a thread.
type ConsultationReply struct {
	ID        string             `json:"id"`
	Author    ConsultationPerson `json:"author"`
	Stance    string             `json:"stance"`
	Body      string             `json:"body"`
	Edited    bool               `json:"edited"`
	CreatedAt time.Time          `json:"created_at"`
}

// WithConsultation adds c to a snapshot's JSON under the key consultation,
// keeping every other key as it is.
func WithConsultation(snapshot []byte, c Consultation) ([]byte, error) {
	return withKey(snapshot, "consultation", c)
}

// decodeData turns a value into template data the way the render job
// decodes a snapshot: JSON with numbers as json.Number.
func decodeData(v any) map[string]any {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err) // only for the package's own sample values
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out map[string]any
	if err := dec.Decode(&out); err != nil {
		panic(err)
	}
	return out
}
