package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

// Reordering and removing an action plan's actions: the same store path
// as the pages (UpdateDeliverable with ActionPlan.MoveAction or
// RemoveAction), under If-Match, for the owner or the coordinator, in
// draft only.

func (s *Server) actionOrderRoutes(v1 *echo.Group) {
	v1.POST("/action-plans/:id/actions/:number/move", s.moveAction)
	v1.DELETE("/action-plans/:id/actions/:number", s.removeAction)
}

type moveActionRequest struct {
	To int `json:"to"`
}

// actionNumber reads the action's number from the path.
func actionNumber(c echo.Context) (int, error) {
	n, err := strconv.Atoi(c.Param("number"))
	if err != nil || n < 1 {
		return 0, newProblem(http.StatusBadRequest, "invalid_parameter", "an action's number is a whole number from 1")
	}
	return n, nil
}

func (s *Server) moveAction(c echo.Context) error {
	return s.edit(c, workflow.KindActionPlan, workflow.Principal.EditDeliverable, func() (func(*workflow.Deliverable) error, error) {
		n, err := actionNumber(c)
		if err != nil {
			return nil, err
		}
		var req moveActionRequest
		if err := bind(c, &req); err != nil {
			return nil, err
		}
		return func(d *workflow.Deliverable) error { return d.Plan.MoveAction(n, req.To) }, nil
	}, http.StatusOK)
}

func (s *Server) removeAction(c echo.Context) error {
	return s.edit(c, workflow.KindActionPlan, workflow.Principal.EditDeliverable, func() (func(*workflow.Deliverable) error, error) {
		n, err := actionNumber(c)
		if err != nil {
			return nil, err
		}
		return func(d *workflow.Deliverable) error { return d.Plan.RemoveAction(n) }, nil
	}, http.StatusOK)
}
