package api

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

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
		hash := workflow.HashToken(token)
		p, err := s.principals.get(c.Request().Context(), s.store, hash)
		if workflow.ErrorCode(err) == workflow.CodeNotFound {
			return newProblem(http.StatusUnauthorized, "unauthenticated", "the token is not valid")
		}
		if err != nil {
			return err
		}
		s.touchToken(c.Request().Context(), hash)
		c.Set(principalKey, p)
		c.SetRequest(c.Request().WithContext(workflow.WithViewer(c.Request().Context(), p)))
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

// principalCache keeps callers for a moment: authentication runs on every
// request and would otherwise cost a query each. Membership changes made
// through this process clear it at once; those made through another
// process show after at most principalTTL. Unknown tokens are not cached.
type principalCache struct {
	mu sync.Mutex
	m  map[string]cachedPrincipal
}

type cachedPrincipal struct {
	p       workflow.Principal
	expires time.Time
}

const (
	principalTTL      = 2 * time.Second
	principalCacheMax = 10000
)

func (pc *principalCache) get(ctx context.Context, store workflow.Store, hash string) (workflow.Principal, error) {
	now := time.Now()
	pc.mu.Lock()
	e, ok := pc.m[hash]
	pc.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.p, nil
	}
	p, err := store.Authenticate(ctx, hash)
	if err != nil {
		return p, err
	}
	pc.mu.Lock()
	if pc.m == nil || len(pc.m) >= principalCacheMax {
		pc.m = map[string]cachedPrincipal{}
	}
	pc.m[hash] = cachedPrincipal{p: p, expires: now.Add(principalTTL)}
	pc.mu.Unlock()
	return p, nil
}

// clear forgets every caller, after a change to who may do what.
func (pc *principalCache) clear() {
	pc.mu.Lock()
	pc.m = nil
	pc.mu.Unlock()
}
