package api

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/dashboard"
	"github.com/craftscode/craftscode/workflow"
)

func (s *Server) dashboardRoutes(v1 *echo.Group) {
	v1.GET("/projects/:pid/dashboard", s.getDashboard)
}

// getDashboard answers the project's dashboard as JSON, or as CSV when
// asked by ?format=csv or by Accept.
func (s *Server) getDashboard(c echo.Context) error {
	asCSV, err := wantsCSV(c.Request())
	if err != nil {
		return err
	}
	pid, err := s.authorizeProject(c, workflow.ActionDashboard)
	if err != nil {
		return err
	}
	scope := principal(c).DeliverableScope(pid)
	d, err := s.store.Dashboard(c.Request().Context(), pid, scope, time.Now())
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Add("Vary", "Accept")
	h.Set("Cache-Control", "private, no-cache")
	if !asCSV {
		return c.JSON(http.StatusOK, d)
	}
	var buf bytes.Buffer
	if err := dashboard.WriteCSV(&buf, d); err != nil {
		return err
	}
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "dashboard-" + pid + ".csv"}))
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// wantsCSV reads ?format= (json or csv), else the Accept header: CSV when
// text/csv is preferred over JSON by quality, and on a tie by order.
func wantsCSV(r *http.Request) (bool, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "csv":
		return true, nil
	case "json":
		return false, nil
	case "":
	default:
		return false, newProblem(http.StatusBadRequest, "invalid_parameter", fmt.Sprintf("format %q: use json or csv", f))
	}
	csvQ, jsonQ, csvAt, jsonAt := 0.0, 0.0, -1, -1
	for i, part := range strings.Split(r.Header.Get("Accept"), ",") {
		typ, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil {
				continue
			}
		}
		switch {
		case typ == "text/csv" && q > csvQ:
			csvQ, csvAt = q, i
		case (typ == "application/json" || typ == "*/*") && q > jsonQ:
			jsonQ, jsonAt = q, i
		}
	}
	return csvQ > jsonQ || csvQ > 0 && csvQ == jsonQ && csvAt < jsonAt, nil
}
