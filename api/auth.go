package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

const principalKey = "principal"

// authenticate requires a known bearer token on every /api/v1 call except
// the OpenAPI document.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Request().Header.Get(echo.HeaderAuthorization)
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return newProblem(http.StatusUnauthorized, "unauthenticated", "send Authorization: Bearer <token>")
		}
		p, err := s.store.Authenticate(c.Request().Context(), workflow.HashToken(token))
		if workflow.ErrorCode(err) == workflow.CodeNotFound {
			return newProblem(http.StatusUnauthorized, "unauthenticated", "the token is not valid")
		}
		if err != nil {
			return err
		}
		c.Set(principalKey, p)
		return next(c)
	}
}

func principal(c echo.Context) workflow.Principal {
	p, _ := c.Get(principalKey).(workflow.Principal)
	return p
}

// authorizeProject is the single gate for project-scoped calls: it reads
// the project id from the path, checks the caller's right through the
// domain's policy and makes sure the project exists.
func (s *Server) authorizeProject(c echo.Context, a workflow.Action) (string, error) {
	pid, err := pathID(c, "pid")
	if err != nil {
		return "", err
	}
	if err := principal(c).Authorize(pid, a); err != nil {
		return "", err
	}
	if principal(c).User.Admin {
		// Members know their project exists; an admin may name any id.
		if _, err := s.store.Project(c.Request().Context(), pid); err != nil {
			return "", err
		}
	}
	return pid, nil
}
