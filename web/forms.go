package web

import (
	"errors"
	"net/url"

	"github.com/craftscode/craftscode/workflow"
)

// form is one form as a page shows it: what the person typed, and after a
// refusal, the problems by field. Every editing page follows one pattern:
//
//   - parse the form into the domain's value;
//   - validate through the domain (the store validates again);
//   - on a problem, render the same page with the form (what was typed is
//     never lost) and the problems next to their fields, status 422;
//   - on success, 303 to the result;
//   - a stale version renders the conflict view (see conflict.html).
//
// Field names are the domain's (title, actions[2].players), so the
// domain's FieldErrors land next to the field they name.
type form struct {
	Values url.Values
	Errors map[string]string // field → message
	// Checks are what a submit would still need (the edit page's
	// ?check=submit), shown at their fields like errors, though nothing
	// was refused.
	Checks  map[string]string
	Problem string // a message for the whole form
	Version int    // the version the form edits
}

// newForm starts a form from what was posted.
func newForm(v url.Values) *form {
	return &form{Values: v, Errors: map[string]string{}, Checks: map[string]string{}}
}

// Get is the value of a field as typed.
func (f *form) Get(name string) string {
	if f == nil {
		return ""
	}
	return f.Values.Get(name)
}

// All is every value of a field (check boxes, multiple selects).
func (f *form) All(name string) []string {
	if f == nil {
		return nil
	}
	return f.Values[name]
}

// Has tells whether a multi-valued field holds a value (for checked and
// selected).
func (f *form) Has(name, value string) bool {
	for _, v := range f.All(name) {
		if v == value {
			return true
		}
	}
	return false
}

// Error is the problem with a field, if any.
func (f *form) Error(name string) string {
	if f == nil {
		return ""
	}
	if e, ok := f.Errors[name]; ok {
		return e
	}
	return f.Checks[name]
}

// Invalid tells whether the form has problems to show.
func (f *form) Invalid() bool { return f != nil && (len(f.Errors) > 0 || f.Problem != "") }

// refuse takes the problems of a domain error into the form; it answers
// false for errors that are not about what was typed (not found, a
// conflict of state, an internal error), which the caller passes on.
func (f *form) refuse(c *call, err error) bool {
	var we *workflow.Error
	if !errors.As(err, &we) || (we.Code != workflow.CodeInvalid && we.Code != workflow.CodeGuardFailed) {
		return false
	}
	f.Problem = c.sayError(we)
	for _, fe := range we.Fields {
		if _, seen := f.Errors[fe.Field]; !seen {
			f.Errors[fe.Field] = c.say(fe)
		}
	}
	return true
}
