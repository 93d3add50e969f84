package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

var idempotencyKey = regexp.MustCompile(`^[\x21-\x7e]{1,200}$`)

// replayBodyKey names the body a handler wants kept for replays instead of
// the one it sent, when that one shows something once (a new secret).
const replayBodyKey = "replay_body"

// replayedHeaders are kept with the first answer and sent again.
var replayedHeaders = []string{echo.HeaderContentType, echo.HeaderLocation, "ETag"}

// How long a repeat waits for the first request with its key to finish.
const (
	idempotencyWait = 15 * time.Second
	idempotencyPoll = 25 * time.Millisecond
	// A claim this old belongs to a request that died with its process.
	idempotencyStale = 5 * time.Minute
)

// idempotency makes a POST with an Idempotency-Key safe to repeat: the
// first answer is stored per user and key, a repeat with the same body gets
// it again without doing the work, and a repeat with another body gets 422.
// Server errors are not stored, so a retry after one does the work.
func (s *Server) idempotency(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		// An upload streams and is not read into memory here; its handler
		// claims the key once the file's hash is known.
		if c.Request().Method != http.MethodPost || key == "" || isEvidenceUpload(c) {
			return next(c)
		}
		if !idempotencyKey.MatchString(key) {
			return newProblem(http.StatusBadRequest, "invalid_parameter", "Idempotency-Key must be 1 to 200 printable ASCII characters")
		}
		body, err := readBody(c)
		if err != nil {
			return err
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		io.WriteString(h, c.Request().Method+" "+c.Request().URL.Path+"\n")
		h.Write(body)
		rec := workflow.IdempotencyRecord{UserID: principal(c).User.ID, Key: key, RequestHash: hex.EncodeToString(h.Sum(nil))}

		ctx := c.Request().Context()
		first, claimed, err := s.store.ClaimIdempotencyKey(ctx, &rec)
		if err != nil {
			return err
		}
		if !claimed {
			return s.replay(c, rec, first)
		}

		rw := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rw
		if err := next(c); err != nil {
			c.Error(err)
		}
		status := c.Response().Status
		if status >= 500 || status == 0 {
			return s.store.ReleaseIdempotencyKey(ctx, rec.UserID, rec.Key)
		}
		rec.Status, rec.Body, rec.Headers = status, rw.body.Bytes(), map[string]string{}
		if b, ok := c.Get(replayBodyKey).([]byte); ok && status < 300 {
			rec.Body = b
		}
		for _, name := range replayedHeaders {
			if v := c.Response().Header().Get(name); v != "" {
				rec.Headers[name] = v
			}
		}
		return s.store.CompleteIdempotencyKey(ctx, rec)
	}
}

// replay answers a repeated key: with the first answer once it is there.
func (s *Server) replay(c echo.Context, mine, first workflow.IdempotencyRecord) error {
	if first.RequestHash != mine.RequestHash {
		return newProblem(http.StatusUnprocessableEntity, "idempotency_key_reused",
			"this Idempotency-Key was used before with another request")
	}
	if first.Status == 0 && time.Since(first.CreatedAt) > idempotencyStale {
		_ = s.store.ReleaseIdempotencyKey(c.Request().Context(), mine.UserID, mine.Key)
		return newProblem(http.StatusConflict, "idempotency_in_progress",
			"the first request with this Idempotency-Key never finished; retry")
	}
	deadline := time.Now().Add(idempotencyWait)
	for first.Status == 0 {
		if time.Now().After(deadline) {
			return newProblem(http.StatusConflict, "idempotency_in_progress",
				"the first request with this Idempotency-Key is still running; retry later")
		}
		select {
		case <-c.Request().Context().Done():
			return c.Request().Context().Err()
		case <-time.After(idempotencyPoll):
		}
		var err error
		var claimed bool
		if first, claimed, err = s.store.ClaimIdempotencyKey(c.Request().Context(), &mine); err != nil {
			return err
		}
		if claimed {
			// The first request failed and released the key; this one
			// could now do the work, but its handler chain has passed.
			// Free the key again and ask the caller to retry.
			_ = s.store.ReleaseIdempotencyKey(c.Request().Context(), mine.UserID, mine.Key)
			return newProblem(http.StatusConflict, "idempotency_in_progress",
				"the first request with this Idempotency-Key failed; retry")
		}
	}
	for name, v := range first.Headers {
		c.Response().Header().Set(name, v)
	}
	c.Response().Header().Set("Idempotent-Replayed", "true")
	c.Response().WriteHeader(first.Status)
	_, err := c.Response().Write(first.Body)
	return err
}

// recorder copies what the handler writes so it can be stored.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
