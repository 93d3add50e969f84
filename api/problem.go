package api

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/workflow"
)

// Problem is an RFC 9457 problem document with a stable machine code.
type Problem struct {
	Type     string                `json:"type"`
	Title    string                `json:"title"`
	Status   int                   `json:"status"`
	Detail   string                `json:"detail,omitempty"`
	Code     string                `json:"code"`
	Instance string                `json:"instance,omitempty"`
	Errors   []workflow.FieldError `json:"errors,omitempty"`
	// RequestID lets a user quote the failing request to an operator.
	RequestID string `json:"request_id,omitempty"`
}

// problemError is an error that already knows its HTTP rendering.
type problemError struct {
	status int
	code   string
	detail string
	errors []workflow.FieldError
}

func (e *problemError) Error() string { return e.code + ": " + e.detail }

func newProblem(status int, code, detail string) *problemError {
	return &problemError{status: status, code: code, detail: detail}
}

// statusOf is the one table from domain codes to HTTP statuses.
var statusOf = map[workflow.Code]int{
	workflow.CodeInvalid:              http.StatusUnprocessableEntity,
	workflow.CodeNotFound:             http.StatusNotFound,
	workflow.CodeConflict:             http.StatusConflict,
	workflow.CodeForbidden:            http.StatusForbidden,
	workflow.CodeUnauthenticated:      http.StatusUnauthorized,
	workflow.CodePreconditionFailed:   http.StatusPreconditionFailed,
	workflow.CodePreconditionRequired: http.StatusPreconditionRequired,
	workflow.CodeGuardFailed:          http.StatusUnprocessableEntity,
}

// problemCode renames the domain's invalid to the public validation_failed;
// the other domain codes are public as they are.
func problemCode(c workflow.Code) string {
	if c == workflow.CodeInvalid {
		return "validation_failed"
	}
	return string(c)
}

// toProblem turns any error into its problem document; internal errors
// are reported as such without detail.
func toProblem(err error) (p Problem, internal bool) {
	var pe *problemError
	var we *workflow.Error
	var he *echo.HTTPError
	switch {
	case errors.Is(err, ratelimit.ErrUploadStalled):
		p = Problem{Status: http.StatusRequestTimeout, Code: "upload_stalled", Detail: "the upload stalled: no data arrived in time; send it again"}
	case errors.As(err, &pe):
		p = Problem{Status: pe.status, Code: pe.code, Detail: pe.detail, Errors: pe.errors}
	case errors.As(err, &we) && statusOf[we.Code] != 0:
		p = Problem{Status: statusOf[we.Code], Code: problemCode(we.Code), Detail: we.Message, Errors: we.Fields}
	case errors.As(err, &he):
		p = Problem{Status: he.Code, Code: echoCode(he.Code)}
		if msg, ok := he.Message.(string); ok {
			p.Detail = msg
		}
	default:
		return Problem{Status: http.StatusInternalServerError, Code: "internal", Detail: "internal error"}, true
	}
	return p, p.Status >= 500
}

// echoCode names the statuses that echo itself produces (routing).
func echoCode(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "body_too_large"
	case http.StatusUnauthorized:
		return "unauthenticated"
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	return "http_" + http.StatusText(status)
}

// handleError renders every error as problem+json and logs internal ones
// in full.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	p, internal := toProblem(err)
	if internal {
		s.log.ErrorContext(c.Request().Context(), "internal error", "error", err.Error(),
			"request_id", requestID(c), "path", c.Request().URL.Path)
		if p.Status == http.StatusInternalServerError {
			p.Detail = "internal error"
		}
	}
	p.Type = "urn:craftscode:problem:" + p.Code
	p.Title = http.StatusText(p.Status)
	p.Instance = c.Request().URL.Path
	p.RequestID = requestID(c)
	if p.Status == http.StatusUnauthorized {
		c.Response().Header().Set("WWW-Authenticate", `Bearer realm="craftscode"`)
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	c.Response().WriteHeader(p.Status)
	if c.Request().Method == http.MethodHead {
		return
	}
	_ = jsonEncode(c.Response(), p)
}
