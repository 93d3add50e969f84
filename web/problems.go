package web

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/craftscode/craftscode/workflow"
)

// The domain says what is wrong in English (the API shows that, with its
// stable codes). A page says it in its own language: the catalog has each
// English format of the domain as "problem.<format>", its %-verbs as
// {{.A1}}, {{.A2}}… in order.

// problemKey is the catalog's message for a domain error's format.
func problemKey(format string) string { return "problem." + format }

// say is a field's problem in the page's language; its English message
// when the catalog has none.
func (c *call) say(fe workflow.FieldError) string {
	format, args := fe.Format()
	return c.sayFormat(format, args, fe.Message)
}

// sayError is a domain error's message in the page's language; its
// English message when the catalog has none.
func (c *call) sayError(we *workflow.Error) string {
	format, args := we.Format()
	return c.sayFormat(format, args, we.Message)
}

func (c *call) sayFormat(format string, args []any, english string) string {
	if format == "" || !c.loc.Has(problemKey(format)) {
		return english
	}
	verbs := formatVerbs(format)
	if len(verbs) != len(args) {
		return english
	}
	named := make([]any, 0, 2*len(args))
	for i, a := range args {
		named = append(named, "A"+strconv.Itoa(i+1), c.problemArg(verbs[i], a))
	}
	s, err := c.loc.T(problemKey(format), named...)
	if err != nil {
		return english
	}
	return s
}

var workflowPkg = reflect.TypeOf(workflow.State("")).PkgPath()

// problemArg is one argument as the page shows it: a domain code (a
// state, a trigger, a kind…) by the catalog's label, which within a
// sentence starts in lower case unless it is an abbreviation (PDF); any
// other value as its verb formats it.
func (c *call) problemArg(verb string, a any) string {
	if a != nil {
		t := reflect.TypeOf(a)
		if t.PkgPath() == workflowPkg && t.Kind() == reflect.String && verb != "%q" {
			code := reflect.ValueOf(a).String()
			if c.loc.Has(codeKey(code)) {
				return inSentence(c.T(codeKey(code)))
			}
		}
	}
	return fmt.Sprintf(verb, a)
}

// inSentence lowers a label's first letter (Action plan → action plan),
// but not an abbreviation's (PDF).
func inSentence(label string) string {
	first, n := utf8.DecodeRuneInString(label)
	second, _ := utf8.DecodeRuneInString(label[n:])
	if unicode.IsUpper(second) {
		return label
	}
	return string(unicode.ToLower(first)) + label[n:]
}

// formatVerbs lists the verbs of a format in order, each with its flags,
// width and precision (%5.2f), without %%.
func formatVerbs(format string) []string {
	var out []string
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0123456789.[]*", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			break
		}
		if format[j] != '%' {
			out = append(out, format[i:j+1])
		}
		i = j
	}
	return out
}
