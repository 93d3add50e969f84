package workflow

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Suggested wording: a top-level comment may propose text for a section
// backed by one free-text field of the content. Once its formal response
// is "accepted", the suggestion is applied to the next draft as part of
// one edit the owner reviews. Here are which sections take suggestions and
// how a section's field is read from, and written into, a content JSON.

// suggestionFields are the sections of a kind backed by one free-text
// field, with a pointer to that field in the kind's content. An action's
// and a recommendation's parts are matched by their number.
var suggestionFields = map[Kind]map[string]func(any) *string{
	KindActionPlan: {
		"summary_en":           func(c any) *string { return &c.(*ActionPlan).SummaryEN },
		"part2.policy_context": func(c any) *string { return &c.(*ActionPlan).PolicyContext }, // the field, not the "Policy instrument:" line the section adds
	},
	KindPeerReview: {
		"findings": func(c any) *string { return &c.(*PeerReview).Findings },
	},
	KindGoodPractice: {
		"summary":                func(c any) *string { return &c.(*GoodPractice).Summary },
		"description":            func(c any) *string { return &c.(*GoodPractice).Description },
		"resources_needed":       func(c any) *string { return &c.(*GoodPractice).ResourcesNeeded },
		"timescale":              func(c any) *string { return &c.(*GoodPractice).Timescale },
		"evidence_of_success":    func(c any) *string { return &c.(*GoodPractice).EvidenceOfSuccess },
		"potential_for_learning": func(c any) *string { return &c.(*GoodPractice).PotentialForLearning },
		"main_institution":       func(c any) *string { return &c.(*GoodPractice).MainInstitution },
	},
}

// actionParts are the parts of an action that take suggestions.
var actionParts = map[string]func(*PlanAction) *string{
	"background":      func(a *PlanAction) *string { return &a.Background.Text },
	"description":     func(a *PlanAction) *string { return &a.Description },
	"players":         func(a *PlanAction) *string { return &a.Players },
	"costs":           func(a *PlanAction) *string { return &a.Costs },
	"funding_sources": func(a *PlanAction) *string { return &a.FundingSources },
}

// numbered splits "prefix.N" or "prefix.N.part" into N and part.
func numbered(anchor, prefix string) (n int, part string, ok bool) {
	rest, found := strings.CutPrefix(anchor, prefix)
	if !found {
		return 0, "", false
	}
	num, part, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(num)
	if err != nil || n < 1 || strconv.Itoa(n) != num {
		return 0, "", false
	}
	return n, part, true
}

// TakesSuggestion reports whether a section of a kind takes suggested
// wording: one backed by a single free-text field (not the document as a
// whole, a timeframe, an action's title or Part I, which the page puts
// together from several fields).
func TakesSuggestion(kind Kind, anchor string) bool {
	if _, ok := suggestionFields[kind][anchor]; ok {
		return true
	}
	switch kind {
	case KindActionPlan:
		_, part, ok := numbered(anchor, "part3.action.")
		_, known := actionParts[part]
		return ok && known
	case KindPeerReview:
		_, part, ok := numbered(anchor, "recommendation.")
		return ok && part == ""
	}
	return false
}

// decodeContent decodes a kind's content JSON into its struct.
func decodeContent(kind Kind, content []byte) (any, error) {
	var c any
	switch kind {
	case KindActionPlan:
		c = &ActionPlan{}
	case KindPeerReview:
		c = &PeerReview{}
	case KindGoodPractice:
		c = &GoodPractice{}
	default:
		return nil, fmt.Errorf("suggestions: unknown kind %q", kind)
	}
	if err := json.Unmarshal(content, c); err != nil {
		return nil, fmt.Errorf("suggestions: %s content: %w", kind, err)
	}
	return c, nil
}

// fieldOf points at the field behind anchor in decoded content; ok is
// false when the section does not take suggestions or is not in this
// content (an action or recommendation it lacks).
func fieldOf(kind Kind, c any, anchor string) (*string, bool) {
	if f, ok := suggestionFields[kind][anchor]; ok {
		return f(c), true
	}
	switch kind {
	case KindActionPlan:
		n, part, ok := numbered(anchor, "part3.action.")
		f, known := actionParts[part]
		if !ok || !known {
			return nil, false
		}
		p := c.(*ActionPlan)
		for i := range p.Actions {
			if p.Actions[i].Number == n {
				return f(&p.Actions[i]), true
			}
		}
	case KindPeerReview:
		n, part, ok := numbered(anchor, "recommendation.")
		if !ok || part != "" {
			return nil, false
		}
		r := c.(*PeerReview)
		for i := range r.Recommendations {
			if r.Recommendations[i].Number == n {
				return &r.Recommendations[i].Body, true
			}
		}
	}
	return nil, false
}

// SuggestionFieldText reads the text of the field behind a section from a
// content JSON (a deliverable's, or a revision snapshot's "content");
// found is false when the content has no such section.
func SuggestionFieldText(kind Kind, content []byte, anchor string) (text string, found bool, err error) {
	c, err := decodeContent(kind, content)
	if err != nil {
		return "", false, err
	}
	f, ok := fieldOf(kind, c, anchor)
	if !ok {
		return "", false, nil
	}
	return *f, true, nil
}

// ReplaceSuggestionField writes text into the field behind a section and
// returns the new content JSON; not_found when the content has no such
// section. Content fields it does not know are dropped, as by any edit.
func ReplaceSuggestionField(kind Kind, content []byte, anchor, text string) ([]byte, error) {
	c, err := decodeContent(kind, content)
	if err != nil {
		return nil, err
	}
	f, ok := fieldOf(kind, c, anchor)
	if !ok {
		return nil, Errorf(CodeNotFound, "the content has no section %s", anchor)
	}
	*f = text
	return json.Marshal(c)
}

// SuggestedText is what a suggestion makes of a section's text: the
// suggestion itself when it replaces the whole text, else the text with
// its one occurrence of of replaced. n is how many times of occurs (1
// when of is empty); the text is unchanged unless n is 1.
func SuggestedText(text string, s Suggestion) (out string, n int) {
	if s.Of == "" {
		return s.Text, 1
	}
	n = strings.Count(text, s.Of)
	if n != 1 {
		return text, n
	}
	return strings.Replace(text, s.Of, s.Text, 1), 1
}

// checkSuggestion checks a comment's suggested wording: text and of are
// each at most MaxSuggestionLength characters, of needs text, and only a
// top-level comment carries one.
func checkSuggestion(p *Problems, text, of string, reply bool) {
	checkText(p, "suggestion.text", text, false, MaxSuggestionLength)
	checkText(p, "suggestion.of", of, false, MaxSuggestionLength)
	switch {
	case reply && (text != "" || of != ""):
		p.Add("suggestion", "only a top-level comment carries suggested wording")
	case of != "" && strings.TrimSpace(text) == "":
		p.Add("suggestion.text", "is required when suggestion.of names the words it replaces")
	}
}

// Why an accepted suggestion cannot be applied as it is.
const (
	ConflictSectionChanged  = "section_changed"  // the draft's text of the section differs from the revision's
	ConflictSectionGone     = "section_gone"     // the draft has no such section any more
	ConflictOfMissing       = "of_missing"       // the words it replaces are not in the text
	ConflictOfRepeated      = "of_repeated"      // they occur more than once
	ConflictEditedAfterward = "edited_afterward" // the author changed the suggestion after the response
	ConflictInvalid         = "invalid"          // the result breaks a rule of the content (too long)
)

// PendingSuggestion is an accepted suggestion not yet applied, as it
// stands against the deliverable's current content.
type PendingSuggestion struct {
	Comment  Comment `json:"comment"`
	Section  string  `json:"section"`
	Revision int     `json:"revision"` // the revision the suggestion was made on
	// RevisionText is the section's field in that revision, CurrentText in
	// the draft now, ProposedText what applying the suggestion makes of it.
	RevisionText string `json:"revision_text"`
	CurrentText  string `json:"current_text"`
	ProposedText string `json:"proposed_text"`
	// Conflict: the suggestion cannot be applied as it is; Reason is one of
	// the Conflict… codes. A conflict is shown, never applied.
	Conflict bool   `json:"conflict"`
	Reason   string `json:"reason,omitempty"`
}

// SuggestionApplication is one accepted suggestion applied to a draft, as
// the deliverable's history keeps it.
type SuggestionApplication struct {
	CommentID string    `json:"comment_id"`
	Section   string    `json:"section"`
	Revision  int       `json:"revision"` // the revision the suggestion was made on
	Before    string    `json:"before"`
	After     string    `json:"after"`
	Version   int       `json:"version"` // the deliverable's version the edit made
	By        string    `json:"by"`
	ByName    string    `json:"by_name"`
	At        time.Time `json:"at"`
}

// SuggestionField points at the field behind a section in a deliverable's
// content, for an edit to change it; ok is false when it has none.
func SuggestionField(d *Deliverable, anchor string) (*string, bool) {
	var c any
	switch {
	case d.Plan != nil:
		c = d.Plan
	case d.Review != nil:
		c = d.Review
	case d.Practice != nil:
		c = d.Practice
	default:
		return nil, false
	}
	return fieldOf(d.Kind, c, anchor)
}
