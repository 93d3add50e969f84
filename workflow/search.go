package workflow

import "context"

// SearchKind is the type of a search result.
type SearchKind string

const (
	SearchAction       SearchKind = "action"
	SearchGoodPractice SearchKind = "good_practice"
)

// SearchQuery asks for one page of what matches every term (folded words
// of package search, each matched as a word prefix) in a project, within
// the caller's scope. Kind "" means every kind.
type SearchQuery struct {
	ProjectID string
	Terms     []string
	Kind      SearchKind
	Scope     Scope
	Limit     int
	After     SearchCursor
}

// SearchCursor is where a page of results starts: after this document.
// Results are ordered by deliverable and action number, so that pages are
// stable while the index changes.
type SearchCursor struct {
	DeliverableID string
	ActionNumber  int
}

// SearchHit is one result. Snippet is HTML: the text around the first
// match, escaped, with the matching words in <mark>.
type SearchHit struct {
	Type         SearchKind        `json:"type"`
	ID           string            `json:"id"` // the deliverable's id
	ActionNumber int               `json:"action_number,omitempty"`
	PlanTitle    string            `json:"plan_title,omitempty"`
	Title        string            `json:"title"`
	State        State             `json:"state"`
	Snippet      string            `json:"snippet"`
	Links        map[string]string `json:"links"`
	Cursor       SearchCursor      `json:"-"`
}

// Searcher is the store's full-text search.
type Searcher interface {
	Search(ctx context.Context, q SearchQuery) ([]SearchHit, *SearchCursor, error)
}
