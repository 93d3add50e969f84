package api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/search"
	"github.com/craftscode/craftscode/workflow"
)

// maxQuery caps the search text, in characters.
const maxQuery = 200

func (s *Server) searchRoutes(v1 *echo.Group) {
	v1.GET("/projects/:pid/search", s.search)
}

// search answers GET /projects/{pid}/search?q=&type=&limit=&cursor=:
// what matches every word of q, within the caller's scope.
func (s *Server) search(c echo.Context) error {
	pid, err := s.authorizeProject(c, workflow.ActionProjectRead)
	if err != nil {
		return err
	}
	q, err := parseSearch(c)
	if err != nil {
		return err
	}
	q.ProjectID, q.Scope = pid, principal(c).DeliverableScope(pid)
	hits, next, err := s.store.Search(c.Request().Context(), q)
	if err != nil {
		return err
	}
	cursor := ""
	if next != nil {
		cursor = encodeSearchCursor(*next)
	}
	if hits == nil {
		hits = []workflow.SearchHit{}
	}
	return c.JSON(http.StatusOK, listBody[workflow.SearchHit]{Items: hits, NextCursor: cursor})
}

// parseSearch reads and checks q, type, limit and cursor.
func parseSearch(c echo.Context) (workflow.SearchQuery, error) {
	text, kind, limit, cursor := c.QueryParam("q"), c.QueryParam("type"), c.QueryParam("limit"), c.QueryParam("cursor")
	q := workflow.SearchQuery{Limit: defaultLimit}
	bad := func(msg string) (workflow.SearchQuery, error) {
		return q, newProblem(http.StatusBadRequest, "invalid_parameter", msg)
	}
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) > maxQuery {
		return bad(fmt.Sprintf("q must be valid UTF-8 of at most %d characters", maxQuery))
	}
	if q.Terms = search.Terms(text); len(q.Terms) == 0 {
		return bad("q must hold at least one word (letters or digits)")
	}
	switch k := workflow.SearchKind(kind); k {
	case "", workflow.SearchAction, workflow.SearchGoodPractice:
		q.Kind = k
	default:
		return bad("type must be action or good_practice")
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > maxLimit {
			return bad(fmt.Sprintf("limit must be a whole number from 1 to %d", maxLimit))
		}
		q.Limit = n
	}
	if cursor != "" {
		after, ok := decodeSearchCursor(cursor)
		if !ok {
			return bad("cursor is not one this service gave out")
		}
		q.After = after
	}
	return q, nil
}

// A search cursor is the last result's deliverable id and action number.
func encodeSearchCursor(c workflow.SearchCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.DeliverableID + "/" + strconv.Itoa(c.ActionNumber)))
}

func decodeSearchCursor(s string) (workflow.SearchCursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return workflow.SearchCursor{}, false
	}
	id, num, ok := strings.Cut(string(b), "/")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || n < 0 || !workflow.ValidID(id) {
		return workflow.SearchCursor{}, false
	}
	return workflow.SearchCursor{DeliverableID: id, ActionNumber: n}, true
}
