package api

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

// Suggested wording applied to the next draft: the accepted suggestions
// waiting, and the one edit that applies the chosen ones.

func (s *Server) suggestionRoutes(v1 *echo.Group) {
	for seg, kind := range kinds {
		v1.GET("/"+seg+"/:id/suggestions", s.pendingSuggestions(kind))
		v1.POST("/"+seg+"/:id/suggestions/apply", s.applySuggestions(kind))
	}
}

type applyRequest struct {
	Comments []string `json:"comments"`
}

func (s *Server) pendingSuggestions(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		items, err := s.store.PendingSuggestions(c.Request().Context(), kind, id, principal(c))
		if err != nil {
			return err
		}
		return list(c, items, "")
	}
}

func (s *Server) applySuggestions(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		d, err := s.loadVisible(c, kind)
		if err != nil {
			return err
		}
		if err := principal(c).EditDeliverable(d); err != nil {
			return err
		}
		version, err := ifMatch(c, d.Head().Version)
		if err != nil {
			return err
		}
		var req applyRequest
		if err := bind(c, &req); err != nil {
			return err
		}
		out, err := s.store.ApplySuggestions(c.Request().Context(), kind, d.Head().ID, version, req.Comments, principal(c))
		if err != nil {
			return err
		}
		if kind == workflow.KindGoodPractice {
			return s.practiceJSON(c, out)
		}
		return deliverableJSON(c, http.StatusOK, out)
	}
}
