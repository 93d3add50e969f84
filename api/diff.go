package api

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/revdiff"
	"github.com/craftscode/craftscode/workflow"
)

// revisionDiff compares revision n with an earlier one, ?from=m (the one
// before by default), section by section and word by word. Whoever may
// read revision n may read the diff: the caller must see the deliverable,
// as for the revision itself.
func (s *Server) revisionDiff(kind workflow.Kind) echo.HandlerFunc {
	return func(c echo.Context) error {
		d, err := s.loadVisible(c, kind)
		if err != nil {
			return err
		}
		n, err := strconv.Atoi(c.Param("n"))
		if err != nil || n < 1 {
			return newProblem(http.StatusBadRequest, "invalid_parameter", "a revision number is a whole number from 1")
		}
		from := n - 1
		if v := c.QueryParam("from"); v != "" {
			if from, err = strconv.Atoi(v); err != nil {
				return newProblem(http.StatusBadRequest, "invalid_parameter", "from is a revision number, a whole number from 1")
			}
		}
		ctx, id := c.Request().Context(), d.Head().ID
		to, err := s.store.Revision(ctx, kind, id, n)
		if err != nil {
			return err
		}
		if err := revdiff.CheckDiffRange(from, n); err != nil {
			return err
		}
		was, err := s.store.Revision(ctx, kind, id, from)
		if err != nil {
			return err
		}
		diff, err := revdiff.DiffRevisions(from, n, was.Snapshot, to.Snapshot)
		if err != nil {
			return err
		}
		// Both revisions are frozen: the diff of the two never changes.
		c.Response().Header().Set("ETag", `"`+was.SHA256[:16]+"-"+to.SHA256[:16]+`"`)
		return c.JSON(http.StatusOK, diff)
	}
}
