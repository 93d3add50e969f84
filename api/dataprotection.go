package api

import (
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
