package api

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/workflow"
)

// verifyUploadRoute takes a whole document, so its body limit is the
// largest document's rather than the general one.
const verifyUploadRoute = "/api/v1/verify"

// verifyLimit is the verification's body limit: the largest document the
// service renders, plus room for a multipart form's framing.
const verifyLimit = documents.MaxSize + 64<<10

// verifyRoutes serve the public verification: no sign-in, a limit per
// client address.
func (s *Server) verifyRoutes(e *echo.Echo) {
	e.GET("/verify", func(c echo.Context) error { return c.Redirect(http.StatusFound, "/ui/verify") })
	e.GET("/api/v1/verify/:sha256", s.verifyHash, s.limitVerify)
	e.POST(verifyUploadRoute, s.verifyUpload, s.limitVerify)
}

func isVerifyUpload(c echo.Context) bool {
	return c.Request().Method == http.MethodPost && c.Path() == verifyUploadRoute
}

// isPageVerifyUpload tells limitBody that the request is a file uploaded
// to the verification page, which web limits to the largest document.
func isPageVerifyUpload(c echo.Context) bool {
	r := c.Request()
	return r.Method == http.MethodPost && r.URL.Path == "/ui/verify/file"
}

// limitVerify takes a token of the client's address before anything is
// read or looked up.
func (s *Server) limitVerify(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ok, secs := s.verify.Allow(ratelimit.ClientIP(c.Request(), s.trustedProxies))
		if !ok {
			c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
			return newProblem(http.StatusTooManyRequests, "rate_limited", "too many verifications from this address; wait a moment and try again")
		}
		return next(c)
	}
}

// verification is the answer: approved, draft or not_issued, and what the
// document shows about itself when the service issued it.
type verification struct {
	SHA256   string                         `json:"sha256"`
	Verdict  string                         `json:"verdict"`
	Document *workflow.DocumentVerification `json:"document"`
}

func (s *Server) verifyHash(c echo.Context) error {
	sum, err := workflow.ParseSHA256(c.Param("sha256"))
	if err != nil {
		return err
	}
	return s.answerVerify(c, sum)
}

// verifyUpload takes the file itself (any content type but JSON and the
// two form types: the body is the file), a multipart form with a file or
// a sha256 field, a URL-encoded form's sha256, or JSON {"sha256": "…"}. A file is hashed as it arrives
// and not kept.
func (s *Server) verifyUpload(c echo.Context) error {
	r := c.Request()
	mt, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	var sum string
	var err error
	switch {
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		r.Body = http.MaxBytesReader(c.Response(), r.Body, s.bodyLimit)
		var in struct {
			SHA256 string `json:"sha256"`
		}
		if err := bind(c, &in); err != nil {
			return err
		}
		sum, err = workflow.ParseSHA256(in.SHA256)
	case mt == "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(c.Response(), r.Body, s.bodyLimit)
		if err := r.ParseForm(); err != nil {
			return readProblem(err)
		}
		sum, err = workflow.ParseSHA256(r.PostForm.Get("sha256"))
	case mt == "multipart/form-data":
		sum, err = s.verifyForm(c)
	default:
		sum, err = hashBody(r.Body)
	}
	if err != nil {
		return err
	}
	return s.answerVerify(c, sum)
}

// verifyForm reads a multipart form part by part: the first file part is
// hashed, or else the sha256 field is read.
func (s *Server) verifyForm(c echo.Context) (string, error) {
	mr, err := c.Request().MultipartReader()
	if err != nil {
		return "", newProblem(http.StatusBadRequest, "bad_request", "the multipart form could not be read")
	}
	field := ""
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", readProblem(err)
		}
		switch part.FormName() {
		case "file":
			return hashBody(part)
		case "sha256":
			b, err := io.ReadAll(io.LimitReader(part, 1024))
			if err != nil {
				return "", readProblem(err)
			}
			field = string(b)
		}
	}
	if field == "" {
		var p workflow.Problems
		p.Add("file", "a file or a sha256 is required")
		return "", p.Err("nothing to verify")
	}
	return workflow.ParseSHA256(field)
}

// hashBody is the SHA-256 of a stream, read to its end.
func hashBody(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", readProblem(err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readProblem maps a failed read of the body: over the limit, stalled
// (left as it is for the error handler's 408), or cut.
func readProblem(err error) error {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return tooLarge(mbe.Limit)
	case errors.Is(err, ratelimit.ErrUploadStalled):
		return err
	}
	return newProblem(http.StatusBadRequest, "bad_request", fmt.Sprintf("the request body could not be read: %v", err))
}

func (s *Server) answerVerify(c echo.Context, sum string) error {
	out := verification{SHA256: sum, Verdict: "not_issued"}
	v, err := s.store.VerifyDocument(c.Request().Context(), sum)
	switch {
	case workflow.ErrorCode(err) == workflow.CodeNotFound:
	case err != nil:
		return err
	default:
		out.Document, out.Verdict = &v, "draft"
		if v.Approved {
			out.Verdict = "approved"
		}
	}
	// The answer for a sum never changes but for a draft re-rendered;
	// keep it out of shared caches all the same: it is per request.
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, out)
}
