package api

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/documents"
)

// presignExpiry is how long a download URL handed out by a 302 works: long
// enough for a slow client to follow it, short enough that a leaked URL is
// soon useless.
const presignExpiry = 5 * time.Minute

// presigner is the store's Presigner when this request is to be answered
// with a redirect to the object store: a GET (a presigned URL is signed for
// GET only), a store that can presign, and no ?redirect=false. It is nil
// when the service streams the bytes itself.
func (s *Server) presigner(c echo.Context) (documents.Presigner, error) {
	redirect := true
	switch c.QueryParam("redirect") {
	case "", "true":
	case "false":
		redirect = false
	default:
		return nil, newProblem(http.StatusBadRequest, "invalid_parameter", "redirect must be true or false")
	}
	p, ok := s.blobs.(documents.Presigner)
	if !ok || !redirect || c.Request().Method != http.MethodGet {
		return nil, nil
	}
	return p, nil
}

// presign makes the URL for key, after checking that the object exists (so
// a missing object is this service's error, as when it streams).
func (s *Server) presign(c echo.Context, p documents.Presigner, key string, opts documents.GetOptions) (string, error) {
	ctx := c.Request().Context()
	if _, err := s.blobs.Stat(ctx, key); err != nil {
		return "", err
	}
	u, err := p.PresignGet(ctx, key, presignExpiry, opts)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// redirectTo answers 302 to a presigned URL, which must not be cached
// beyond its short life.
func redirectTo(c echo.Context, location string) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Redirect(http.StatusFound, location)
}
