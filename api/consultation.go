package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

func (s *Server) consultationRoutes(v1 *echo.Group) {
	for seg, kind := range kinds {
		v1.POST("/"+seg+"/:id/comments", s.addComment(kind))
		v1.GET("/"+seg+"/:id/comments", s.listComments(kind))
		v1.GET("/"+seg+"/:id/consultation", s.getConsultation(kind))
		v1.POST("/"+seg+"/:id/consultation/close", s.closeConsultation(kind))
	}
	v1.GET("/comments/:cid", s.getComment)
	v1.PATCH("/comments/:cid", s.editComment)
	v1.DELETE("/comments/:cid", s.deleteComment)
	v1.POST("/comments/:cid/response", s.respondToComment)
	v1.POST("/comments/:cid/hide", s.hideComment)
	v1.GET("/comments/:cid/history", s.commentHistory)
	v1.GET("/me/consultations", s.myConsultations)
}

type commentRequest struct {
	Body       string             `json:"body"`
	Section    string             `json:"section"`
	ParentID   string             `json:"parent_id"`
	Stance     string             `json:"stance"`
	Suggestion *suggestionRequest `json:"suggestion"`
}

// suggestionRequest is a comment's suggested wording: text replaces of in
// the section's text, or the whole text when of is empty. In a patch, an
// empty text removes the suggestion.
type suggestionRequest struct {
	Text string `json:"text"`
	Of   string `json:"of"`
}

func (r *suggestionRequest) parts() (text, of string) {
	if r == nil {
		return "", ""
	}
	return r.Text, r.Of
}

type commentPatch struct {
	Body       *string            `json:"body"`
	Stance     *string            `json:"stance"`
	Suggestion *suggestionRequest `json:"suggestion"`
}

type responseRequest struct {
	Status string `json:"status"`
	Body   string `json:"body"`
}

type hideRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) limitComments(c echo.Context) error {
	ok, secs := s.comments.Allow(principal(c).User.ID)
	if ok {
		return nil
	}
	c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
	return newProblem(http.StatusTooManyRequests, "rate_limited", "too many comments; wait a moment and send again")
}

func commentJSON(c echo.Context, status int, cm workflow.Comment) error {
	c.Response().Header().Set("ETag", etag(cm.Version))
	return c.JSON(status, cm)
}

func (s *Server) addComment(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		var req commentRequest
		if err := bind(c, &req); err != nil {
			return err
		}
		nc := workflow.NewComment{Kind: kind, DeliverableID: id, Body: req.Body, Section: req.Section, ParentID: req.ParentID,
			Stance: workflow.Stance(req.Stance), Principal: principal(c), RequestID: requestID(c)}
		nc.Suggestion, nc.SuggestionOf = req.Suggestion.parts()
		nc.Normalize()
		if err := nc.Validate(); err != nil {
			return err
		}
		if err := s.limitComments(c); err != nil {
			return err
		}
		cm, err := s.store.AddComment(c.Request().Context(), nc)
		if err != nil {
			return err
		}
		c.Response().Header().Set(echo.HeaderLocation, "/api/v1/comments/"+cm.ID)
		return commentJSON(c, http.StatusCreated, cm)
	}
}

// revisionParam reads ?revision=N; 0 (absent) means the latest.
func revisionParam(c echo.Context) (int, error) {
	s := c.QueryParam("revision")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, newProblem(http.StatusBadRequest, "invalid_parameter", "revision is a whole number from 1")
	}
	return n, nil
}

func (s *Server) listComments(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		rev, err := revisionParam(c)
		if err != nil {
			return err
		}
		page, err := pageParams(c)
		if err != nil {
			return err
		}
		items, next, err := s.store.Comments(c.Request().Context(), kind, id, rev, principal(c), page)
		if err != nil {
			return err
		}
		return list(c, items, next)
	}
}

func (s *Server) getComment(c echo.Context) error {
	id, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	cm, err := s.store.Comment(c.Request().Context(), id, principal(c))
	if err != nil {
		return err
	}
	return commentJSON(c, http.StatusOK, cm)
}

func (s *Server) editComment(c echo.Context) error {
	// The patch applies to the current text.
	id, cur, version, err := visibleIfMatch(c, "cid", s.store.Comment)
	if err != nil {
		return err
	}
	var req commentPatch
	if err := bind(c, &req); err != nil {
		return err
	}
	e := workflow.CommentEdit{Body: cur.Body, Stance: cur.Stance}
	if cur.Suggestion != nil {
		e.Suggestion, e.SuggestionOf = cur.Suggestion.Text, cur.Suggestion.Of
	}
	set(&e.Body, req.Body)
	if req.Stance != nil {
		e.Stance = workflow.Stance(*req.Stance)
	}
	if req.Suggestion != nil {
		e.Suggestion, e.SuggestionOf = req.Suggestion.parts()
	}
	if err := s.limitComments(c); err != nil {
		return err
	}
	cm, err := s.store.EditComment(c.Request().Context(), id, version, e, principal(c))
	if err != nil {
		return err
	}
	return commentJSON(c, http.StatusOK, cm)
}

func (s *Server) deleteComment(c echo.Context) error {
	id, _, version, err := visibleIfMatch(c, "cid", s.store.Comment)
	if err != nil {
		return err
	}
	if err := s.store.DeleteComment(c.Request().Context(), id, version, principal(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) respondToComment(c echo.Context) error {
	id, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	var req responseRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	status, err := workflow.ValidateResponse(req.Status, req.Body)
	if err != nil {
		return err
	}
	cm, err := s.store.RespondToComment(c.Request().Context(), id, status, req.Body, principal(c))
	if err != nil {
		return err
	}
	return commentJSON(c, http.StatusOK, cm)
}

func (s *Server) hideComment(c echo.Context) error {
	id, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	var req hideRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	cm, err := s.store.HideComment(c.Request().Context(), id, req.Reason, principal(c))
	if err != nil {
		return err
	}
	return commentJSON(c, http.StatusOK, cm)
}

func (s *Server) commentHistory(c echo.Context) error {
	id, err := pathID(c, "cid")
	if err != nil {
		return err
	}
	pg, err := pageParams(c)
	if err != nil {
		return err
	}
	items, next, err := s.store.CommentHistory(c.Request().Context(), id, principal(c), pg)
	if err != nil {
		return err
	}
	return list(c, items, next)
}

func (s *Server) getConsultation(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		rev, err := revisionParam(c)
		if err != nil {
			return err
		}
		cs, err := s.store.Consultation(c.Request().Context(), kind, id, rev, principal(c))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, cs)
	}
}

func (s *Server) closeConsultation(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		cs, err := s.store.CloseConsultation(c.Request().Context(), kind, id, principal(c))
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, cs)
	}
}

func (s *Server) myConsultations(c echo.Context) error {
	items, err := s.store.MyConsultations(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	return list(c, items, "")
}
