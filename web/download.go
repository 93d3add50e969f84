package web

import (
	"net/http"
	"time"

	"github.com/craftscode/craftscode/documents"
)

// presignExpiry is how long a download URL handed out by a 302 works, as
// in the API.
const presignExpiry = 5 * time.Minute

// presigner is the store's Presigner when this request is answered with a
// redirect to the object store: a GET (the URL is signed for GET only, so
// HEAD is answered here), a store that can presign, and no ?redirect=false.
func (h *Handler) presigner(c *call) documents.Presigner {
	p, ok := h.cfg.Blobs.(documents.Presigner)
	if !ok || c.r.Method != http.MethodGet || c.r.URL.Query().Get("redirect") == "false" {
		return nil
	}
	return p
}

// presign makes the URL for key once the object is known to exist, so a
// missing object is this service's error, as when it streams.
func (h *Handler) presign(c *call, p documents.Presigner, key string, opts documents.GetOptions) (string, error) {
	if _, err := h.cfg.Blobs.Stat(c.r.Context(), key); err != nil {
		return "", err
	}
	u, err := p.PresignGet(c.r.Context(), key, presignExpiry, opts)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// redirectTo answers 302 to a presigned URL, not to be cached beyond its
// short life.
func redirectTo(c *call, location string) error {
	c.w.Header().Set("Cache-Control", "no-store")
	http.Redirect(c.w, c.r, location, http.StatusFound)
	return nil
}
