package api

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

// exportMe gives the caller everything the service keeps about them, as a
// JSON attachment: the profile, the memberships, their comments with each
// one's history and response.
func (s *Server) exportMe(c echo.Context) error {
	data, err := s.store.PersonalData(c.Request().Context(), principal(c).User.ID)
	if err != nil {
		return err
	}
	noStore(c)
	c.Response().Header().Set(echo.HeaderContentDisposition,
		fmt.Sprintf(`attachment; filename="craftscode-my-data-%s.json"`, data.ExportedAt.Format("2006-01-02")))
	return c.JSON(http.StatusOK, data)
}

// eraseUser (admin) erases a person on request: the account is deactivated
// at once and its name and e-mail become a pseudonym everywhere; what they
// wrote stays, so the consultation record stays whole. Erasing again
// changes nothing.
func (s *Server) eraseUser(c echo.Context) error {
	p := principal(c)
	if err := p.Authorize("", workflow.ActionUserErase); err != nil {
		return err
	}
	uid := c.Param("uid")
	if !workflow.ValidID(uid) {
		return workflow.Errorf(workflow.CodeNotFound, "user not found")
	}
	if uid == p.User.ID {
		return workflow.Errorf(workflow.CodeConflict, "an administrator may not erase their own account")
	}
	u, err := s.store.EraseUser(c.Request().Context(), uid)
	if err != nil {
		return err
	}
	// Its tokens are gone; no cached caller may outlive them here.
	s.principals.clear()
	return c.JSON(http.StatusOK, u)
}

type patchProjectRequest struct {
	MatrixNames *string `json:"matrix_names"`
	Language    *string `json:"language"`
	TimeZone    *string `json:"time_zone"`
}

// patchProject (admin, coordinator) changes a project's settings: what
// the matrix prints for a stakeholder, and the default language and time
// zone. Fields left out keep their values; at least one is required.
func (s *Server) patchProject(c echo.Context) error {
	pid, err := s.authorizeProject(c, workflow.ActionConsortiumManage)
	if err != nil {
		return err
	}
	var req patchProjectRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	cur, err := s.store.Project(ctx, pid)
	if err != nil {
		return err
	}
	var p workflow.Problems
	if req.MatrixNames == nil && req.Language == nil && req.TimeZone == nil {
		p.Add("matrix_names", "is required when neither language nor time_zone is given")
	} else if req.MatrixNames != nil && *req.MatrixNames != workflow.MatrixOrganisations && *req.MatrixNames != workflow.MatrixPersonNames {
		p.Add("matrix_names", "must be organisations or names")
	}
	l := workflow.ProjectLocale{Language: cur.Language, TimeZone: cur.TimeZone}
	if req.Language != nil {
		l.Language = *req.Language
	}
	if req.TimeZone != nil {
		l.TimeZone = *req.TimeZone
	}
	if req.Language != nil || req.TimeZone != nil {
		check := workflow.Project{Acronym: cur.Acronym, Title: cur.Title, Language: l.Language, TimeZone: l.TimeZone}
		if err := check.Validate(); err != nil {
			var we *workflow.Error
			if errors.As(err, &we) {
				p = append(p, we.Fields...)
			}
		}
		if l.Language == "" {
			p.Add("language", "is required")
		}
		if l.TimeZone == "" {
			p.Add("time_zone", "is required")
		}
	}
	if err := p.Err("invalid project settings"); err != nil {
		return err
	}
	pr := cur
	if req.MatrixNames != nil {
		if pr, err = s.store.SetMatrixNames(ctx, pid, *req.MatrixNames); err != nil {
			return err
		}
	}
	if req.Language != nil || req.TimeZone != nil {
		if pr, err = s.store.SetProjectLocale(ctx, pid, l); err != nil {
			return err
		}
		s.principals.clear() // members' cached principals carry the defaults
	}
	return c.JSON(http.StatusOK, pr)
}

// patchMe saves the caller's own language and time zone; an empty string
// clears one (the pages then follow the browser and the project).
func (s *Server) patchMe(c echo.Context) error {
	p := principal(c)
	var req workflow.Settings
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	u, err := s.store.SetSettings(c.Request().Context(), p.User.ID, req)
	if err != nil {
		return err
	}
	s.principals.clear()
	return c.JSON(http.StatusOK, u)
}
