package api

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

// Personal tokens and deactivation: a caller makes, lists and revokes
// their own tokens; an admin lists and revokes anyone's and deactivates
// accounts. Revoking and deactivating clear this process's principal
// cache, so access ends at once here and within principalTTL elsewhere.

func (s *Server) tokenRoutes(v1 *echo.Group) {
	v1.POST("/me/tokens", s.createMyToken)
	v1.GET("/me/tokens", s.listMyTokens)
	v1.DELETE("/me/tokens/:tid", s.revokeMyToken)
	v1.GET("/users/:uid/tokens", s.listUserTokens)
	v1.DELETE("/users/:uid/tokens/:tid", s.revokeUserToken)
	v1.POST("/users/:uid/deactivate", s.deactivateUser)
}

type createTokenRequest struct {
	Name      string     `json:"name"`
	ExpiresAt *time.Time `json:"expires_at"`
	NoExpiry  bool       `json:"no_expiry"`
}

// createdToken is a new token with its secret, shown once.
type createdToken struct {
	workflow.Token
	Secret string `json:"token,omitempty"`
}

func (s *Server) createMyToken(c echo.Context) error {
	p := principal(c)
	var req createTokenRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	now := time.Now()
	r := workflow.NewTokenRequest{Name: req.Name, ExpiresAt: req.ExpiresAt}
	if req.NoExpiry && req.ExpiresAt != nil {
		var pr workflow.Problems
		pr.Add("no_expiry", "may not be given with expires_at")
		return pr.Err("invalid token")
	}
	if !req.NoExpiry && req.ExpiresAt == nil {
		e := now.Add(s.tokenTTL)
		r.ExpiresAt = &e
	}
	if err := r.Validate(p, now); err != nil {
		return err
	}
	secret, hash := workflow.NewToken()
	t := workflow.Token{UserID: p.User.ID, Name: r.Name, ExpiresAt: r.ExpiresAt}
	if err := s.store.CreateToken(c.Request().Context(), &t, hash); err != nil {
		return err
	}
	// A replay (Idempotency-Key) answers without the secret, which the
	// idempotency table must never hold.
	var replay bytes.Buffer
	if err := jsonEncode(&replay, createdToken{Token: t}); err != nil {
		return err
	}
	c.Set(replayBodyKey, replay.Bytes())
	noStore(c)
	return c.JSON(http.StatusCreated, createdToken{Token: t, Secret: secret})
}

func (s *Server) listMyTokens(c echo.Context) error {
	return s.listTokensOf(c, principal(c).User.ID)
}

func (s *Server) listTokensOf(c echo.Context, userID string) error {
	pg, err := pageParams(c)
	if err != nil {
		return err
	}
	items, next, err := s.store.ListTokens(c.Request().Context(), userID, pg)
	if err != nil {
		return err
	}
	return list(c, items, next)
}

func (s *Server) revokeMyToken(c echo.Context) error {
	tid, err := pathID(c, "tid")
	if err != nil {
		return err
	}
	if _, err := s.store.RevokeToken(c.Request().Context(), principal(c).User.ID, tid); err != nil {
		return err
	}
	s.principals.clear()
	return c.NoContent(http.StatusNoContent)
}

// adminUser checks the caller may manage other people's tokens and that
// the user in the path exists.
func (s *Server) adminUser(c echo.Context, a workflow.Action) (string, error) {
	if err := principal(c).Authorize("", a); err != nil {
		return "", err
	}
	uid, err := pathID(c, "uid")
	if err != nil {
		return "", err
	}
	if _, err := s.store.User(c.Request().Context(), uid); err != nil {
		return "", err
	}
	return uid, nil
}

func (s *Server) listUserTokens(c echo.Context) error {
	uid, err := s.adminUser(c, workflow.ActionTokenAdmin)
	if err != nil {
		return err
	}
	return s.listTokensOf(c, uid)
}

func (s *Server) revokeUserToken(c echo.Context) error {
	uid, err := s.adminUser(c, workflow.ActionTokenAdmin)
	if err != nil {
		return err
	}
	tid, err := pathID(c, "tid")
	if err != nil {
		return err
	}
	if _, err := s.store.RevokeToken(c.Request().Context(), uid, tid); err != nil {
		return err
	}
	s.principals.clear()
	return c.NoContent(http.StatusNoContent)
}

// deactivateUser (admin) ends an account at once: tokens and page
// sessions get 401 from now on; what the person wrote stays under their
// name. An admin may not deactivate their own account.
func (s *Server) deactivateUser(c echo.Context) error {
	uid, err := s.adminUser(c, workflow.ActionUserDeactivate)
	if err != nil {
		return err
	}
	if err := workflow.CheckDeactivate(principal(c), uid); err != nil {
		return err
	}
	u, err := s.store.DeactivateUser(c.Request().Context(), uid)
	if err != nil {
		return err
	}
	s.principals.clear()
	return c.JSON(http.StatusOK, u)
}

// tokenTouches keeps, per token hash, when this process last recorded a
// use, so that a token in use writes the database at most once every
// workflow.TokenTouchEvery (the store's condition covers other
// processes).
type tokenTouches struct {
	mu sync.Mutex
	m  map[string]time.Time
}

func (s *Server) touchToken(ctx context.Context, hash string) {
	now := time.Now()
	t := &s.touches
	t.mu.Lock()
	last, ok := t.m[hash]
	due := !ok || now.Sub(last) >= workflow.TokenTouchEvery
	if due {
		if t.m == nil || len(t.m) >= principalCacheMax {
			t.m = map[string]time.Time{}
		}
		t.m[hash] = now
	}
	t.mu.Unlock()
	if !due {
		return
	}
	if err := s.store.TouchToken(ctx, hash, now); err != nil {
		s.log.WarnContext(ctx, "token last use not recorded", "error", err.Error())
	}
}
