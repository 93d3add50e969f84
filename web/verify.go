package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/workflow"
)

// The public verification page: anyone, signed in or not, pastes a
// SHA-256 sum or uploads a file and learns whether this service issued
// that exact file, as the API's /api/v1/verify answers. The file is
// hashed as it arrives and not kept.

// verifyFileLimit is the largest file the page hashes: no document the
// service renders is larger.
const verifyFileLimit = documents.MaxSize

func (h *Handler) verifyRoutes(m *http.ServeMux) {
	m.Handle("GET /ui/verify", h.page(false, h.verifyForm))
	m.Handle("POST /ui/verify", h.page(false, h.verifySum))
	m.Handle("POST /ui/verify/file", h.uploadForm(verifyFileLimit, "file", h.page(false, h.verifyFile)))
	m.Handle("GET /ui/verify/{sha256}", h.page(false, h.verifyResult))
}

// verifyData is the form (with what was typed) or a result.
type verifyData struct {
	SHA256 string
	// Verdict is approved, draft or not_issued once there is a result.
	Verdict  string
	Document *workflow.DocumentVerification
	Issued   when
}

func (h *Handler) verifyForm(c *call) error {
	h.render(c, http.StatusOK, "verify", view{Title: c.T("verify.title"), Data: verifyData{}})
	return nil
}

// verifyRefused shows the form again with what was typed and why not.
func (h *Handler) verifyRefused(c *call, status int, typed, msg string) {
	h.render(c, status, "verify", view{Title: c.T("verify.title"), Error: msg, Data: verifyData{SHA256: typed}})
}

// verifyAllowed takes one of the client's verifications; a refusal is
// answered with the form.
func (h *Handler) verifyAllowed(c *call, typed string) bool {
	ok, secs := h.verify.Allow(h.clientIP(c.r))
	if !ok {
		c.w.Header().Set("Retry-After", strconv.Itoa(secs))
		h.verifyRefused(c, http.StatusTooManyRequests, typed, c.T("verify.too_many"))
	}
	return ok
}

func (h *Handler) verifySum(c *call) error {
	typed := c.r.PostForm.Get("sha256")
	sum, err := workflow.ParseSHA256(typed)
	if err != nil {
		h.verifyRefused(c, http.StatusUnprocessableEntity, typed, c.T("verify.invalid"))
		return nil
	}
	http.Redirect(c.w, c.r, "/ui/verify/"+sum, http.StatusSeeOther)
	return nil
}

func (h *Handler) verifyFile(c *call) error {
	up, _ := c.r.Context().Value(uploadKey{}).(*upload)
	if up == nil || up.file == nil || up.file.FileName() == "" {
		h.verifyRefused(c, http.StatusUnprocessableEntity, "", c.T("verify.no_file"))
		return nil
	}
	// Hashing a large file is work: it counts as a verification.
	if !h.verifyAllowed(c, "") {
		return nil
	}
	hash := sha256.New()
	_, err := io.Copy(hash, up.file)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		h.verifyRefused(c, http.StatusRequestEntityTooLarge, "", c.T("verify.too_large"))
		return nil
	case errors.Is(err, ratelimit.ErrUploadStalled):
		return err
	case err != nil:
		h.verifyRefused(c, http.StatusBadRequest, "", c.T("verify.unreadable"))
		return nil
	}
	http.Redirect(c.w, c.r, "/ui/verify/"+hex.EncodeToString(hash.Sum(nil)), http.StatusSeeOther)
	return nil
}

func (h *Handler) verifyResult(c *call) error {
	typed := c.r.PathValue("sha256")
	sum, err := workflow.ParseSHA256(typed)
	if err != nil {
		h.verifyRefused(c, http.StatusUnprocessableEntity, typed, c.T("verify.invalid"))
		return nil
	}
	if !h.verifyAllowed(c, sum) {
		return nil
	}
	data := verifyData{SHA256: sum, Verdict: "not_issued"}
	v, err := h.cfg.Store.VerifyDocument(c.r.Context(), sum)
	switch {
	case workflow.ErrorCode(err) == workflow.CodeNotFound:
	case err != nil:
		return err
	default:
		data.Document, data.Verdict = &v, "draft"
		if v.Approved {
			data.Verdict = "approved"
		}
		data.Issued = c.dates(time.Now()).at(v.IssuedAt)
	}
	h.render(c, http.StatusOK, "verify", view{Title: c.T("verify.result.title"), Data: data})
	return nil
}
