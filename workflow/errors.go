package workflow

import (
	"errors"
	"fmt"
	"strings"
)

// Code is a stable, machine-readable error class. Only the HTTP layer maps
// codes to status numbers.
type Code string

const (
	CodeInvalid              Code = "invalid"               // the input breaks a rule
	CodeNotFound             Code = "not_found"             // absent, or outside the caller's projects
	CodeConflict             Code = "conflict"              // clashes with existing state (duplicate, wrong state)
	CodeForbidden            Code = "forbidden"             // the caller's role may not do this
	CodeUnauthenticated      Code = "unauthenticated"       // no or unknown token
	CodePreconditionFailed   Code = "precondition_failed"   // stale version
	CodePreconditionRequired Code = "precondition_required" // If-Match missing
	CodeGuardFailed          Code = "guard_failed"          // a transition's conditions are not met
	CodeInternal             Code = "internal"
)

// FieldError names one unmet condition: a field (or guard) and why.
// Built by Problem or Problems.Add, it also keeps the English format and
// arguments of its Message, so that pages can say it in their language;
// the API shows Message.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`

	format string
	args   []any
}

// Problem builds a FieldError with a formatted message.
func Problem(field, format string, args ...any) FieldError {
	return FieldError{Field: field, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// Format is the format and arguments Message was made from; "" when the
// FieldError was built by hand.
func (e FieldError) Format() (string, []any) { return e.format, e.args }

// Error is the one error type the domain and the stores return. Built by
// Errorf or Problems.Err, it keeps the English format and arguments of its
// Message, as FieldError does.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError

	format string
	args   []any
}

// Format is the format and arguments Message was made from; "" when the
// Error was built by hand.
func (e *Error) Format() (string, []any) { return e.format, e.args }

// KindNoun is a Kind within a message: it prints as English words
// (action plan), and pages show it as their label of the Kind.
type KindNoun Kind

func (k KindNoun) String() string { return strings.ReplaceAll(string(k), "_", " ") }

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s (%d problems, first: %s %s)", e.Code, e.Message, len(e.Fields), e.Fields[0].Field, e.Fields[0].Message)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), format: format, args: args}
}

// ErrorCode returns the code of err, CodeInternal for foreign errors and ""
// for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// Problems collects field errors so that validation reports every unmet
// rule at once rather than the first.
type Problems []FieldError

// Add records a problem.
func (p *Problems) Add(field, format string, args ...any) {
	*p = append(*p, Problem(field, format, args...))
}

// Err returns nil when there are no problems, else an invalid *Error.
func (p Problems) Err(message string) error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Code: CodeInvalid, Message: message, Fields: p, format: message}
}
