package documents

// Templates: text/template producing Markdown, checked before use and run
// under limits.
//
// A template is untrusted input (anyone allowed to upload one can write it)
// and the data it runs on is untrusted user text. The design keeps the two
// apart:
//
//   - Data. Every string of the snapshot is converted to mdText before the
//     template sees it. mdText's only method is String, and it escapes
//     Markdown, so however a template prints user text ({{.x}}, print,
//     printf "%s", join, …) the text arrives in the Markdown as literal
//     characters: never as emphasis, links, HTML, headings, list markers or
//     template syntax. Plain strings are template-side constants (literals,
//     and what helpers build from constants and already escaped text) and are
//     Markdown by definition.
//
//   - Functions. text/template has no file, environment or network access
//     of its own; the FuncMap below adds only pure helpers, and the tree check
//     refuses every other function name, including the builtins call, html,
//     js and urlquery.
//
//   - Termination. The tree check refuses recursion through {{template}}
//     (direct or indirect) and ranges over constants or unbounded function
//     results. Every range body and every template body is instrumented with
//     a step counter, so a template that fans out (a define calling another
//     twice, forty deep) or loops over large data runs out of steps; every
//     string a helper builds is capped; the output is capped; and Execute
//     gives up after a time limit.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/craftscode/craftscode/locale"
	"unicode/utf8"

	"github.com/craftscode/craftscode/templates"
)

// Template kinds: the deliverable kinds a template can render. KindAny
// renders either: it uses only what every snapshot has (the project, the
// partner, the revision, the consultation), as the comment-response matrix.
const (
	KindActionPlan = "action_plan"
	KindPeerReview = "peer_review"
	// KindGoodPractice renders a good practice sheet.
	KindGoodPractice = "good_practice"
	// KindEventMinutes renders the minutes of a learning event.
	KindEventMinutes = "event_minutes"
	// KindProgressReport renders an accepted phase 2 progress report.
	KindProgressReport = "progress_report"
	KindAny            = "any"
)

// Fits reports whether a template of this kind renders a deliverable of
// kind k.
func Fits(templateKind, k string) bool { return templateKind == k || templateKind == KindAny }

// Template is a named, versioned document template: text/template source
// that produces Markdown from a revision snapshot.
type Template struct {
	Name    string
	Kind    string // "action_plan", "peer_review", "any"
	Source  []byte
	Version string // lower-case hex SHA-256 of Source
	Builtin bool

	tmpl *template.Template // parsed, checked and instrumented; shared, never executed directly
}

// TemplateError says where a template is broken: a parse error, a refused
// construct, or a failure while executing it. Line and Column are 1-based;
// 0 means unknown (text/template reports parse errors by line only).
type TemplateError struct {
	Line, Column int
	Message      string

	err error // the cause, for errors.Is
}

func (e *TemplateError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("template line %d, column %d: %s", e.Line, e.Column, e.Message)
	case e.Line > 0:
		return fmt.Sprintf("template line %d: %s", e.Line, e.Message)
	}
	return "template: " + e.Message
}

func (e *TemplateError) Unwrap() error { return e.err }

// Limits of one execution.
type execLimits struct {
	output int           // bytes of Markdown
	steps  int           // range iterations plus template invocations
	time   time.Duration // wall clock
}

// The step budget is far above what real plans need (a 200-action plan
// takes about a thousand steps) and low enough to end a runaway template
// well within the time limit. The step budget bounds the work; the clock is
// only a backstop, wide enough that a legitimate comment-response matrix of
// 5,000 comments is not cut off on a loaded machine (2 s was, at times).
var defaultLimits = execLimits{output: 4 << 20, steps: 250_000, time: 10 * time.Second}

const (
	maxSourceSize = 1 << 20 // a template's own size
	maxValueSize  = 4 << 20 // any string a helper builds
	maxDataDepth  = 64      // nesting of the snapshot
	parseName     = "source"
	stepFunc      = "__step"  // the instrumentation's counter; not callable from templates
	valueFunc     = "__value" // ends every printing action; not callable from templates
)

var (
	errOutputTooLarge = errors.New("the output is larger than the limit")
	errTooManySteps   = errors.New("the template runs too many loop iterations or template calls")
	errTimeout        = errors.New("the template took too long to execute")
	errValueTooLarge  = errors.New("a value built by the template is larger than the limit")
	errMissingValue   = errors.New("missing value: the field is absent or null here; use {{with}} or default for optional fields")
)

// NewTemplate parses src and checks that it is safe to execute. Errors are
// *TemplateError with the position.
func NewTemplate(name, kind string, src []byte) (*Template, error) {
	if name == "" {
		return nil, &TemplateError{Message: "the template needs a name"}
	}
	if kind != KindActionPlan && kind != KindPeerReview && kind != KindGoodPractice && kind != KindProgressReport && kind != KindEventMinutes && kind != KindAny {
		return nil, &TemplateError{Message: fmt.Sprintf("unknown template kind %q: want %s, %s, %s, %s or %s", kind, KindActionPlan, KindPeerReview, KindGoodPractice, KindProgressReport, KindAny)}
	}
	if len(src) > maxSourceSize {
		return nil, &TemplateError{Message: fmt.Sprintf("the template is larger than %d bytes", maxSourceSize)}
	}
	if !utf8.Valid(src) {
		return nil, &TemplateError{Message: "the template is not valid UTF-8"}
	}
	src = bytes.Clone(src)
	tm := template.New(parseName).Funcs(parseFuncs)
	if _, err := tm.Parse(string(src)); err != nil {
		return nil, parseError(err)
	}
	if err := checkTemplate(tm, string(src)); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(src)
	return &Template{Name: name, Kind: kind, Source: src, Version: hex.EncodeToString(sum[:]), tmpl: tm}, nil
}

var (
	parseErrRE = regexp.MustCompile(`(?s)^template: ` + parseName + `:(\d+):(?:(\d+):)? ?(.*)$`)
	execErrRE  = regexp.MustCompile(`(?s)^template: ` + parseName + `:(\d+):(\d+): executing "[^"]*" (.*)$`)
)

// parseError turns text/template's parse error into a *TemplateError.
func parseError(err error) *TemplateError {
	m := parseErrRE.FindStringSubmatch(err.Error())
	if m == nil {
		return &TemplateError{Message: err.Error(), err: err}
	}
	line, _ := strconv.Atoi(m[1])
	col, _ := strconv.Atoi(m[2])
	msg := m[3]
	// "unclosed action started at source:3" is reported at the end of the
	// source; where it started is the useful line.
	if s := startedAtRE.FindStringSubmatch(msg); s != nil {
		line, _ = strconv.Atoi(s[1])
		msg = strings.Replace(msg, s[0], "started here", 1)
	}
	return &TemplateError{Line: line, Column: col, Message: msg, err: err}
}

var startedAtRE = regexp.MustCompile(`started at ` + parseName + `:(\d+)`)

// execError turns an execution failure into a *TemplateError, with the
// position of the action that failed when text/template knows it. src is
// needed to turn text/template's byte offset into a column of characters.
func execError(err error, src []byte) *TemplateError {
	var te *TemplateError
	if errors.As(err, &te) {
		return te
	}
	m := execErrRE.FindStringSubmatch(err.Error())
	if m == nil {
		return &TemplateError{Message: strings.TrimPrefix(err.Error(), "template: "+parseName+": "), err: err}
	}
	line, _ := strconv.Atoi(m[1])
	off, _ := strconv.Atoi(m[2]) // 0-based byte offset in the line
	msg := m[3]
	// The instrumentation's own names mean nothing to the author.
	for _, internal := range []string{stepFunc, valueFunc} {
		if prefix := "at <" + internal + ">: error calling " + internal + ": "; strings.HasPrefix(msg, prefix) {
			msg = strings.TrimPrefix(msg, prefix)
		}
	}
	return &TemplateError{Line: line, Column: columnOf(src, line, off), Message: msg, err: err}
}

// columnOf converts a 0-based byte offset in a 1-based line to a 1-based
// column in characters.
func columnOf(src []byte, line, off int) int {
	start := 0
	for l := 1; l < line; l++ {
		i := bytes.IndexByte(src[start:], '\n')
		if i < 0 {
			return off + 1
		}
		start += i + 1
	}
	end := min(start+off, len(src))
	return utf8.RuneCount(src[start:end]) + 1
}

// position gives the 1-based line and column of byte offset pos.
func position(src string, pos int) (line, col int) {
	pos = min(max(pos, 0), len(src))
	before := src[:pos]
	line = 1 + strings.Count(before, "\n")
	return line, utf8.RuneCountInString(before[strings.LastIndexByte(before, '\n')+1:]) + 1
}

// ---------------------------------------------------------------------------
// The tree check

// allowedFuncs are the functions a template may call: the harmless
// builtins plus the helpers of the FuncMap.
var allowedFuncs = map[string]bool{
	"and": true, "or": true, "not": true, "len": true, "index": true, "slice": true,
	"eq": true, "ne": true, "lt": true, "le": true, "gt": true, "ge": true,
	"print": true, "printf": true, "println": true,
	"date": true, "day": true, "moment": true, "join": true, "upper": true, "lower": true, "default": true, "inc": true,
	"inline": true, "countryName": true, "languageName": true, "instrumentType": true, "raw": true,
	"t": true, "sectionName": true,
}

// boundedFuncs may give the value a range iterates over: each returns a part
// of its arguments, which come from the data.
var boundedFuncs = map[string]bool{"index": true, "slice": true, "default": true, "and": true, "or": true}

type treeChecker struct {
	src   string
	calls map[string][]*parse.TemplateNode // template name → the {{template}} actions in it
}

func (c *treeChecker) errorf(pos parse.Pos, format string, args ...any) *TemplateError {
	line, col := position(c.src, int(pos))
	return &TemplateError{Line: line, Column: col, Message: fmt.Sprintf(format, args...)}
}

// checkTemplate walks every tree of tm, refuses what is not allowed, and
// instruments range bodies and template bodies with the step counter.
func checkTemplate(tm *template.Template, src string) error {
	c := &treeChecker{src: src, calls: map[string][]*parse.TemplateNode{}}
	var trees []*template.Template
	for _, t := range tm.Templates() {
		if t.Tree != nil && t.Root != nil {
			trees = append(trees, t)
		}
	}
	slices.SortFunc(trees, func(a, b *template.Template) int { return strings.Compare(a.Name(), b.Name()) })
	defined := map[string]bool{}
	for _, t := range trees {
		defined[t.Name()] = true
	}
	for _, t := range trees {
		c.calls[t.Name()] = nil
		if err := c.walk(t.Name(), t.Root); err != nil {
			return err
		}
	}
	for _, t := range trees {
		for _, call := range c.calls[t.Name()] {
			if !defined[call.Name] {
				return c.errorf(call.Pos, "no template named %q is defined", call.Name)
			}
		}
	}
	if err := c.checkRecursion(trees); err != nil {
		return err
	}
	for _, t := range trees {
		t.Root.Nodes = slices.Insert(t.Root.Nodes, 0, stepAction(t.Tree, t.Root.Pos))
	}
	return nil
}

// stepAction is {{__step}}: it prints nothing and fails once the budget of
// steps is spent or the execution was abandoned.
func stepAction(tree *parse.Tree, pos parse.Pos) parse.Node {
	id := parse.NewIdentifier(stepFunc).SetTree(tree).SetPos(pos)
	cmd := &parse.CommandNode{NodeType: parse.NodeCommand, Pos: pos, Args: []parse.Node{id}}
	pipe := &parse.PipeNode{NodeType: parse.NodePipe, Pos: pos, Cmds: []*parse.CommandNode{cmd}}
	return &parse.ActionNode{NodeType: parse.NodeAction, Pos: pos, Pipe: pipe}
}

func (c *treeChecker) walk(tmpl string, n parse.Node) error {
	switch n := n.(type) {
	case nil:
		return nil
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, child := range n.Nodes {
			if err := c.walk(tmpl, child); err != nil {
				return err
			}
		}
	case *parse.ActionNode:
		if err := c.pipe(n.Pipe); err != nil {
			return err
		}
		if n.Pipe != nil && len(n.Pipe.Decl) == 0 {
			// A printing action: … | __value fails on a missing value,
			// here, instead of printing "<no value>".
			id := parse.NewIdentifier(valueFunc).SetPos(n.Pos)
			n.Pipe.Cmds = append(n.Pipe.Cmds, &parse.CommandNode{NodeType: parse.NodeCommand, Pos: n.Pos, Args: []parse.Node{id}})
		}
	case *parse.IfNode:
		return c.branch(tmpl, &n.BranchNode)
	case *parse.WithNode:
		return c.branch(tmpl, &n.BranchNode)
	case *parse.RangeNode:
		if err := c.rangeOperand(n.Pipe); err != nil {
			return err
		}
		if err := c.branch(tmpl, &n.BranchNode); err != nil {
			return err
		}
		if n.List == nil {
			n.List = &parse.ListNode{NodeType: parse.NodeList, Pos: n.Pos}
		}
		n.List.Nodes = slices.Insert(n.List.Nodes, 0, stepAction(nil, n.Pos))
	case *parse.TemplateNode:
		c.calls[tmpl] = append(c.calls[tmpl], n)
		return c.pipe(n.Pipe)
	case *parse.TextNode, *parse.CommentNode, *parse.BreakNode, *parse.ContinueNode:
	default:
		return c.errorf(n.Position(), "unsupported template construct %s", n)
	}
	return nil
}

func (c *treeChecker) branch(tmpl string, b *parse.BranchNode) error {
	if err := c.pipe(b.Pipe); err != nil {
		return err
	}
	if err := c.walk(tmpl, b.List); err != nil {
		return err
	}
	if b.ElseList != nil {
		return c.walk(tmpl, b.ElseList)
	}
	return nil
}

func (c *treeChecker) pipe(p *parse.PipeNode) error {
	if p == nil {
		return nil
	}
	for i, cmd := range p.Cmds {
		if err := c.command(cmd, i == 0); err != nil {
			return err
		}
	}
	return nil
}

func (c *treeChecker) command(cmd *parse.CommandNode, first bool) error {
	for i, arg := range cmd.Args {
		switch a := arg.(type) {
		case *parse.IdentifierNode:
			if !allowedFuncs[a.Ident] {
				return c.errorf(a.Pos, "function %q is not available in document templates", a.Ident)
			}
			if a.Ident == "t" {
				if err := c.labelCall(a, cmd, i, first); err != nil {
					return err
				}
			}
			if a.Ident == "raw" {
				if i != 0 || !first || len(cmd.Args) != 2 {
					return c.errorf(a.Pos, `raw takes exactly one string literal: {{raw "…"}}`)
				}
				if _, ok := cmd.Args[1].(*parse.StringNode); !ok {
					return c.errorf(a.Pos, "raw only marks template-side constants; it cannot take data (%s)", cmd.Args[1])
				}
			}
		case *parse.PipeNode:
			if err := c.pipe(a); err != nil {
				return err
			}
		case *parse.ChainNode:
			if p, ok := a.Node.(*parse.PipeNode); ok {
				if err := c.pipe(p); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// labelCall checks a call of t: the first argument is a string literal, the
// id of a document message the catalog has ("doc.…"), and the arguments
// after it come in pairs whose names are string literals. t's result is
// catalog text, so it is taken as template constant text.
func (c *treeChecker) labelCall(a *parse.IdentifierNode, cmd *parse.CommandNode, i int, first bool) error {
	if i != 0 || !first || len(cmd.Args) < 2 {
		return c.errorf(a.Pos, `t takes a message id and name, value pairs: {{t "doc.plan.part1"}}, {{t "doc.page_of" "Page" 1 "Pages" 9}}`)
	}
	id, ok := cmd.Args[1].(*parse.StringNode)
	if !ok {
		return c.errorf(a.Pos, "t takes the message id as a string literal, not %s", cmd.Args[1])
	}
	if !strings.HasPrefix(id.Text, labelPrefix) || !hasLabel(id.Text) {
		return c.errorf(a.Pos, "t: no document message %q in the catalog (document messages start with %q)", id.Text, labelPrefix)
	}
	if len(cmd.Args)%2 != 0 {
		return c.errorf(a.Pos, "t %q: the arguments after the id come in name, value pairs", id.Text)
	}
	for j := 2; j < len(cmd.Args); j += 2 {
		if _, ok := cmd.Args[j].(*parse.StringNode); !ok {
			return c.errorf(a.Pos, "t %q: an argument name must be a string literal, not %s", id.Text, cmd.Args[j])
		}
	}
	return nil
}

// rangeOperand accepts what a range can iterate over within bounds: the
// data (fields, variables, dot, chains) and parts of it (index, slice,
// default, and, or). Numbers, other constants and other function results are
// refused. (A variable could hold a number; the step budget stops that.)
func (c *treeChecker) rangeOperand(p *parse.PipeNode) error {
	if p == nil || len(p.Cmds) == 0 {
		return nil
	}
	last := p.Cmds[len(p.Cmds)-1]
	if len(last.Args) == 0 {
		return nil
	}
	switch a := last.Args[0].(type) {
	case *parse.NumberNode:
		return c.errorf(a.Pos, "range over the number %s is not allowed: range over data", a.Text)
	case *parse.StringNode, *parse.BoolNode, *parse.NilNode:
		return c.errorf(a.Position(), "range over the constant %s is not allowed: range over data", a)
	case *parse.IdentifierNode:
		if !boundedFuncs[a.Ident] {
			return c.errorf(a.Pos, "range over the result of %s is not allowed: range over data, or index/slice of it", a.Ident)
		}
		for _, arg := range last.Args[1:] {
			if sub, ok := arg.(*parse.PipeNode); ok {
				if err := c.rangeOperand(sub); err != nil {
					return err
				}
			}
		}
	case *parse.PipeNode:
		return c.rangeOperand(a)
	case *parse.ChainNode:
		if sub, ok := a.Node.(*parse.PipeNode); ok {
			return c.rangeOperand(sub)
		}
	}
	return nil
}

// checkRecursion refuses a template that invokes itself, directly or
// through others.
func (c *treeChecker) checkRecursion(trees []*template.Template) error {
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var visit func(name string, path []string) error
	visit = func(name string, path []string) error {
		state[name] = active
		path = append(path, name)
		for _, call := range c.calls[name] {
			switch state[call.Name] {
			case active:
				i := slices.Index(path, call.Name)
				cycle := strings.Join(append(slices.Clone(path[i:]), call.Name), " → ")
				return c.errorf(call.Pos, "template %q calls itself (%s): recursion is not allowed", call.Name, cycle)
			case unseen:
				if err := visit(call.Name, path); err != nil {
					return err
				}
			}
		}
		state[name] = done
		return nil
	}
	for _, t := range trees {
		if state[t.Name()] == unseen {
			if err := visit(t.Name(), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Execution

// execState is one execution's budget, shared by the step counter and the
// output writer.
type execState struct {
	steps     int
	maxSteps  int
	abandoned atomic.Bool
}

func (s *execState) step() (string, error) {
	if s.abandoned.Load() {
		return "", errTimeout
	}
	s.steps++
	if s.steps > s.maxSteps {
		return "", errTooManySteps
	}
	return "", nil
}

// capWriter fails once more than limit bytes were written, or once the
// execution was abandoned; text/template stops at the first failed write.
type capWriter struct {
	buf   bytes.Buffer
	limit int
	st    *execState
}

func (w *capWriter) Write(p []byte) (int, error) {
	if w.st.abandoned.Load() {
		return 0, errTimeout
	}
	if w.buf.Len()+len(p) > w.limit {
		return 0, errOutputTooLarge
	}
	return w.buf.Write(p)
}

// Execute runs the template on a snapshot and returns the Markdown. Strings
// in data are escaped (see mdText). Errors are *TemplateError.
//
// Execution is bounded: at most 4 MiB of output, a budget of steps (range
// iterations and template calls), and 2 s. On timeout Execute returns and
// abandons the goroutine that runs the template; it cannot run on for long,
// because the tree check leaves no recursion, every loop iteration and
// template call goes through the step counter, which fails as soon as the
// execution is marked abandoned, and every write fails too.
func (t *Template) Execute(data map[string]any) ([]byte, error) {
	return t.executeIn(data, locale.Default, defaultLimits)
}

// ExecuteIn is Execute with the document's language: the one t speaks, and
// the one of the names countryName, languageName and instrumentType give
// (ISO 639-1; English when the catalog lacks it).
func (t *Template) ExecuteIn(data map[string]any, lang string) ([]byte, error) {
	return t.executeIn(data, lang, defaultLimits)
}

func (t *Template) execute(data map[string]any, lim execLimits) ([]byte, error) {
	return t.executeIn(data, locale.Default, lim)
}

func (t *Template) executeIn(data map[string]any, lang string, lim execLimits) ([]byte, error) {
	if t == nil || t.tmpl == nil {
		return nil, &TemplateError{Message: "template not prepared: use NewTemplate or Builtins"}
	}
	escaped, err := escapeData(data, 0)
	if err != nil {
		return nil, &TemplateError{Message: err.Error(), err: err}
	}
	st := &execState{maxSteps: lim.steps}
	tm, err := t.tmpl.Clone()
	if err != nil {
		return nil, &TemplateError{Message: err.Error(), err: err}
	}
	tm.Funcs(template.FuncMap{stepFunc: st.step}).Funcs(langFuncs(lang))
	w := &capWriter{limit: lim.output, st: st}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("template execution panicked: %v", r)
			}
		}()
		done <- tm.Execute(w, escaped)
	}()
	timer := time.NewTimer(lim.time)
	defer timer.Stop()
	select {
	case err = <-done:
	case <-timer.C:
		st.abandoned.Store(true)
		return nil, &TemplateError{Message: fmt.Sprintf("%v (limit %s)", errTimeout, lim.time), err: errTimeout}
	}
	switch {
	case errors.Is(err, errOutputTooLarge):
		return nil, &TemplateError{Message: fmt.Sprintf("%v (%d bytes)", errOutputTooLarge, lim.output), err: errOutputTooLarge}
	case err != nil:
		return nil, execError(err, t.Source)
	}
	out := w.buf.Bytes()
	if i := bytes.Index(out, []byte("<no value>")); i >= 0 {
		line := 1 + bytes.Count(out[:i], []byte("\n"))
		return nil, &TemplateError{Message: fmt.Sprintf("%v (output line %d)", errMissingValue, line), err: errMissingValue}
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// Escaping of data

// mdText is user text on its way into Markdown. Its only method is String,
// which escapes it, so every way of printing it (an action, print, printf's
// %s and %v, join) gives literal text. It compares like a string (eq, ne,
// lt, … look at the underlying kind), and len, index and slice work on it.
type mdText string

// String escapes the text for Markdown; see escapeMarkdown.
func (s mdText) String() string { return escapeMarkdown(string(s)) }

// escapeData copies a snapshot, turning every string into mdText and every
// integral number into int64 (so that eq .number 1 works). Map keys stay
// strings (field access needs them) and must be plain identifiers, so that
// printing a key, too, cannot produce Markdown.
func escapeData(v any, depth int) (any, error) {
	if depth > maxDataDepth {
		return nil, fmt.Errorf("the data is nested deeper than %d levels", maxDataDepth)
	}
	switch x := v.(type) {
	case nil, bool, int, int64, float64:
		return x, nil
	case string:
		return mdText(x), nil
	case mdText:
		return x, nil
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		if f, err := x.Float64(); err == nil {
			return f, nil
		}
		return mdText(x), nil
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if !dataKey.MatchString(k) {
				return nil, fmt.Errorf("the data has a key %q that is not a plain identifier", k)
			}
			c, err := escapeData(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, err := escapeData(e, depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return mdText(rv.String()), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		return escapeData(rv.Elem().Interface(), depth+1)
	case reflect.Slice, reflect.Array:
		out := make([]any, rv.Len())
		for i := range out {
			c, err := escapeData(rv.Index(i).Interface(), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			m[it.Key().String()] = it.Value().Interface()
		}
		return escapeData(m, depth)
	}
	return nil, fmt.Errorf("the data holds a %T, which templates cannot use", v)
}

var dataKey = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// escapeMarkdown makes user text literal in Markdown (CommonMark with the
// GFM table and strikethrough extensions):
//
//   - every ASCII character that can start Markdown or template syntax is
//     backslash-escaped wherever it stands: \ ` * _ { } [ ] ( ) < > # | ~ ! &
//     (so no emphasis, code, link, image, autolink, raw HTML, entity,
//     heading closing sequence, table cell or strikethrough can form, and
//     "{{" never appears);
//   - at the start of each line, the markers that only mean something there
//     are escaped as well: - + = (lists, thematic breaks, setext headings) and
//     the . or ) of an ordered-list number; leading spaces and tabs are
//     dropped (no indented code);
//   - a line break becomes a Markdown hard line break (backslash, newline),
//     and a run of blank lines two of them: user text never ends the
//     paragraph, list item, quote or cell the template put it in (a
//     paragraph break would, and the lines after it would be read as new
//     blocks); CR and CRLF count as newlines;
//   - control characters other than tab are dropped (XML and PDF text
//     cannot hold them), tabs become spaces, and invalid UTF-8 becomes U+FFFD.
//
// The start of the text counts as the start of a line, since the template
// may print it there.
func escapeMarkdown(s string) string {
	if s == "" {
		return ""
	}
	s = newlines.Replace(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	wrote, blank := false, false
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.Trim(line, " \t\f\v")
		if line == "" {
			blank = wrote
			continue
		}
		if wrote {
			if blank {
				b.WriteString("\\\n\\\n")
			} else {
				b.WriteString("\\\n")
			}
		}
		blank = false
		escapeLine(&b, line)
		wrote = true
	}
	return b.String()
}

var newlines = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// escapeLine writes one line of user text, escaped.
func escapeLine(b *strings.Builder, line string) {
	// Markers that only count at the start of a line.
	digits := 0
	for digits < len(line) && digits < 10 && '0' <= line[digits] && line[digits] <= '9' {
		digits++
	}
	switch {
	case digits > 0 && digits < len(line) && (line[digits] == '.' || line[digits] == ')'):
		b.WriteString(line[:digits])
		b.WriteByte('\\')
		b.WriteByte(line[digits])
		line = line[digits+1:]
	case line[0] == '-' || line[0] == '+' || line[0] == '=':
		b.WriteByte('\\')
		b.WriteByte(line[0])
		line = line[1:]
	}
	// Runs of ordinary bytes are copied at once. The text is valid UTF-8
	// here, so the only multi-byte sequences to look at are U+FFFE and
	// U+FFFF (EF BF BE, EF BF BF).
	run := 0
	for i := 0; i < len(line); i++ {
		c := line[i]
		class := mdByteClass[c]
		if class == mdCopy || (class == mdCheckEF && !(i+2 < len(line) && line[i+1] == 0xBF && line[i+2] >= 0xBE)) {
			continue
		}
		b.WriteString(line[run:i])
		switch class {
		case mdEscape:
			b.WriteByte('\\')
			b.WriteByte(c)
		case mdSpace:
			b.WriteByte(' ')
		case mdCheckEF:
			i += 2 // drop U+FFFE or U+FFFF
		}
		run = i + 1
	}
	b.WriteString(line[run:])
}

// Byte classes of escapeLine.
const (
	mdCopy    = iota
	mdEscape  // ASCII punctuation with a meaning in Markdown or templates
	mdDrop    // control characters
	mdSpace   // tab
	mdCheckEF // the first byte of U+FFFE and U+FFFF
)

var mdByteClass = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = mdDrop
	}
	t[0x7f] = mdDrop
	t['\t'] = mdSpace
	for _, c := range []byte(mdSpecial) {
		t[c] = mdEscape
	}
	t[0xEF] = mdCheckEF
	return t
}()

// mdSpecial are the characters escaped wherever they stand.
const mdSpecial = "\\`*_{}[]()<>#|~!&"

// ---------------------------------------------------------------------------
// Helpers

// parseFuncs is the FuncMap: pure helpers only. print, printf and println
// replace the builtins of the same name with versions whose result is
// capped, so that a template cannot grow a string without bound by
// doubling a variable in a loop.
var parseFuncs = template.FuncMap{
	"print":   capped(fmt.Sprint),
	"println": capped(fmt.Sprintln),
	"printf":  fnPrintf,
	"date":    fnDate,
	"join":    fnJoin,
	"upper":   func(v any) (any, error) { return mapText(v, strings.ToUpper) },
	"lower":   func(v any) (any, error) { return mapText(v, strings.ToLower) },
	"inline": func(v any) (any, error) {
		return mapText(v, func(s string) string { return strings.Join(strings.Fields(s), " ") })
	},
	"default":        fnDefault,
	"inc":            fnInc,
	"countryName":    func(v any) (any, error) { return lookup(countryNames, v) },
	"languageName":   func(v any) (any, error) { return lookup(languageNames, v) },
	"instrumentType": func(v any) (any, error) { return lookup(instrumentTypes, v) },
	"raw":            func(s string) string { return s },                      // the tree check lets only a string literal in
	"t":              func(string, ...any) (string, error) { return "", nil }, // replaced per execution (langFuncs)
	"day":            func(any) (any, error) { return nil, nil },              // replaced per execution (langFuncs)
	"moment":         func(any) (any, error) { return nil, nil },              // replaced per execution (langFuncs)
	"sectionName":    func(any, any, any) (any, error) { return nil, nil },    // replaced per execution (langFuncs)
	valueFunc:        fnValue,
}

// langFuncs are the helpers that speak the document's language: t, and the
// lookups of names.
func langFuncs(lang string) template.FuncMap {
	l := localizer(lang)
	name := func(prefix string, table map[string]string) func(any) (any, error) {
		return func(v any) (any, error) {
			out, err := lookup(table, v)
			if s, ok := out.(string); ok && l != nil {
				// a known code: the catalog's name, if it has one
				if key := labelPrefix + prefix + codeOf(v); l.Has(key) {
					return l.MustT(key), nil
				}
				return s, err
			}
			return out, err
		}
	}
	return template.FuncMap{
		"t": func(id string, args ...any) (string, error) {
			if l == nil {
				return "", fmt.Errorf("t: the message catalog is not available")
			}
			s, err := l.T(id, args...)
			if err != nil {
				return "", fmt.Errorf("t: %w", err)
			}
			return capString(s)
		},
		"countryName":    name("country.", countryNames),
		"languageName":   name("language.", languageNames),
		"instrumentType": name("instrument.", instrumentTypes),
		"day":            dayFunc(l),
		"moment":         momentFunc(l),
		// sectionName anchor title name: a consultation section's name in
		// the document's language. The result is user text (name is), and
		// escaped as such.
		"sectionName": func(anchor, title, name any) (any, error) {
			return mapText(title, func(s string) string { return sectionName(l, codeOf(anchor), s, textOf(name)) })
		},
	}
}

// dayFunc is the template function day: a YYYY-MM-DD date, or the UTC day
// of an RFC 3339 time, in words in the document's language, after the
// catalog's dates.day_format and dates.months ("1 January 2019", "2019.
// január 1."). A missing date gives ""; a value that is not a date is
// returned as it is (and escaped if user text), as with date.
func dayFunc(l *locale.Localizer) func(any) (any, error) {
	var clock *locale.Clock
	if l != nil {
		clock = l.Clock(time.UTC, time.Time{}) // no clock: only its patterns
	}
	return func(v any) (any, error) {
		d, ok, out := parseDate(v)
		if !ok {
			return out, nil
		}
		if clock == nil {
			return mdText(d.Format(time.DateOnly)), nil
		}
		return mdText(clock.Day(d.Year(), d.Month(), d.Day())), nil
	}
}

// momentFunc is the template function moment: an RFC 3339 time as day and
// time in UTC, in words in the document's language, after the catalog's
// dates.format ("12 March 2019, 16:00 UTC", "2019. március 12., 16:00
// UTC"). A date without a time is its day, as with day. Always UTC, so that
// the output does not depend on where it was written or rendered.
func momentFunc(l *locale.Localizer) func(any) (any, error) {
	var clock *locale.Clock
	if l != nil {
		clock = l.Clock(time.UTC, time.Time{})
	}
	return func(v any) (any, error) {
		d, ok, out := parseDate(v)
		if !ok {
			return out, nil
		}
		switch {
		case clock == nil:
			return mdText(d.Format("2006-01-02 15:04 MST")), nil
		case isDateOnly(v):
			return mdText(clock.Day(d.Year(), d.Month(), d.Day())), nil
		}
		return mdText(clock.Moment(d)), nil
	}
}

// fnValue ends every printing action: it passes the value through, and
// fails on a missing key or a null, which text/template would print as
// "<no value>".
func fnValue(v any) (any, error) {
	if v == nil {
		return nil, errMissingValue
	}
	return v, nil
}

// maxPrintfWidth bounds a printf width or precision: fmt builds the whole
// padded string before any cap can look at it, so %0999999d repeated would
// take gigabytes. A width from an argument (*) is refused for the same
// reason.
const maxPrintfWidth = 100

var errPrintfWidth = fmt.Errorf("printf: a width or precision above %d, or one taken from an argument (*), is not allowed", maxPrintfWidth)

func fnPrintf(format string, args ...any) (string, error) {
	if err := checkPrintfFormat(format); err != nil {
		return "", err
	}
	return capString(fmt.Sprintf(format, args...))
}

// checkPrintfFormat refuses widths and precisions above maxPrintfWidth
// and * in a printf format.
func checkPrintfFormat(f string) error {
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			continue
		}
		i++
		for i < len(f) && strings.IndexByte("+-# 0", f[i]) >= 0 {
			i++
		}
		for part := 0; part < 2 && i < len(f); part++ {
			if part == 1 {
				if f[i] != '.' {
					break
				}
				i++
			}
			if i < len(f) && f[i] == '[' {
				j := strings.IndexByte(f[i:], ']')
				if j < 0 {
					break
				}
				i += j + 1
			}
			if i < len(f) && f[i] == '*' {
				return errPrintfWidth
			}
			n := 0
			for i < len(f) && f[i] >= '0' && f[i] <= '9' {
				n = n*10 + int(f[i]-'0')
				if n > maxPrintfWidth {
					return errPrintfWidth
				}
				i++
			}
		}
		if i < len(f) && f[i] == '[' { // an argument index before the verb
			if j := strings.IndexByte(f[i:], ']'); j >= 0 {
				i += j + 1
			}
		}
		// f[i] is the verb; the loop steps over it.
	}
	return nil
}

func capped(f func(...any) string) func(...any) (string, error) {
	return func(args ...any) (string, error) { return capString(f(args...)) }
}

func capString(s string) (string, error) {
	if len(s) > maxValueSize {
		return "", errValueTooLarge
	}
	return s, nil
}

// mapText applies f to a string value and keeps its type: user text stays
// mdText (escaped when printed), constants stay plain. A missing value is
// an error, as when it is printed.
func mapText(v any, f func(string) string) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, errMissingValue
	case mdText:
		return mdText(f(string(x))), nil
	case string:
		return f(x), nil
	}
	return v, nil
}

// fnDate formats a YYYY-MM-DD date or an RFC 3339 timestamp (in UTC):
// {{date .d}} gives 2019-09-01, {{date "January 2006" .d}} gives September
// 2019, {{date "2 Jan 2006 15:04 UTC" .t}} gives 2 Sep 2019 14:30 UTC. A
// missing date gives ""; a value that is not a date is returned as it is
// (and escaped if user text).
func fnDate(args ...any) (any, error) {
	layout := time.DateOnly
	switch len(args) {
	case 1:
	case 2:
		l, ok := args[0].(string)
		if !ok {
			return nil, fmt.Errorf("date: the layout must be a string constant, not %T", args[0])
		}
		layout = l
	default:
		return nil, fmt.Errorf("date: want a date, or a layout and a date; got %d arguments", len(args))
	}
	d, ok, out := parseDate(args[len(args)-1])
	if !ok {
		return out, nil
	}
	return mdText(d.Format(layout)), nil
}

// parseDate reads a date function's argument: a YYYY-MM-DD date, or an
// RFC 3339 time, in UTC (so that the output does not depend on the zone it
// was written in). When it is none, ok is false and out is what the
// function gives: "" for a missing value, the value itself otherwise.
func parseDate(v any) (d time.Time, ok bool, out any) {
	var s string
	switch x := v.(type) {
	case nil:
		return time.Time{}, false, ""
	case mdText:
		s = string(x)
	case string:
		s = x
	default:
		return time.Time{}, false, v
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		if d, err = time.Parse(time.RFC3339, s); err != nil {
			return time.Time{}, false, v
		}
		d = d.UTC()
	}
	return d, true, nil
}

// isDateOnly tells whether a date function's argument is a YYYY-MM-DD date.
func isDateOnly(v any) bool {
	var s string
	switch x := v.(type) {
	case mdText:
		s = string(x)
	case string:
		s = x
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// fnJoin joins the items of a list with sep. Each item is printed as an
// action would print it (user text escaped).
func fnJoin(sep any, list any) (string, error) {
	items, ok := list.([]any)
	if !ok && list != nil {
		return "", fmt.Errorf("join: want a list, got %T", list)
	}
	parts := make([]string, len(items))
	size := 0
	for i, it := range items {
		parts[i] = fmt.Sprint(it)
		size += len(parts[i])
		if size > maxValueSize {
			return "", errValueTooLarge
		}
	}
	return capString(strings.Join(parts, fmt.Sprint(sep)))
}

// fnDefault gives v, or def when v is empty (missing, null, "", zero, an
// empty list or map).
func fnDefault(def, v any) any {
	if empty(v) {
		return def
	}
	return v
}

func empty(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
		return rv.Len() == 0
	case reflect.Bool:
		return !rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int() == 0
	case reflect.Float32, reflect.Float64:
		return rv.Float() == 0
	}
	return false
}

// fnInc adds one to a number: for 1-based numbering of range indexes.
func fnInc(v any) (int64, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int() + 1, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int64(rv.Uint()) + 1, nil
	}
	return 0, fmt.Errorf("inc: want an integer, got %T", v)
}

// lookup maps a code to its label; an unknown code is returned as it is.
func lookup(table map[string]string, v any) (any, error) {
	var key string
	switch x := v.(type) {
	case nil:
		return nil, errMissingValue
	case mdText:
		key = string(x)
	case string:
		key = x
	default:
		return v, nil
	}
	if label, ok := table[strings.ToLower(strings.TrimSpace(key))]; ok {
		return label, nil
	}
	return v, nil
}

// codeOf is the key lookup uses for a code.
func codeOf(v any) string {
	var s string
	switch x := v.(type) {
	case mdText:
		s = string(x)
	case string:
		s = x
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// instrumentTypes are the programme's three types of policy instrument.
var instrumentTypes = map[string]string{
	"growth_and_jobs": "Investment for Growth and Jobs",
	"etc":             "European Territorial Cooperation",
	"other":           "Other regional policy instrument",
}

// countryNames are the English names of the countries that take part in
// Interreg Europe (the EU, Norway and Switzerland), by ISO 3166-1 alpha-2.
var countryNames = map[string]string{
	"at": "Austria", "be": "Belgium", "bg": "Bulgaria", "hr": "Croatia", "cy": "Cyprus",
	"cz": "Czechia", "dk": "Denmark", "ee": "Estonia", "fi": "Finland", "fr": "France",
	"de": "Germany", "gr": "Greece", "el": "Greece", "hu": "Hungary", "ie": "Ireland",
	"it": "Italy", "lv": "Latvia", "lt": "Lithuania", "lu": "Luxembourg", "mt": "Malta",
	"nl": "Netherlands", "pl": "Poland", "pt": "Portugal", "ro": "Romania", "sk": "Slovakia",
	"si": "Slovenia", "es": "Spain", "se": "Sweden", "no": "Norway", "ch": "Switzerland",
}

// languageNames are the English names of the official EU languages and
// Norwegian, by ISO 639-1.
var languageNames = map[string]string{
	"bg": "Bulgarian", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
	"en": "English", "es": "Spanish", "et": "Estonian", "fi": "Finnish", "fr": "French",
	"ga": "Irish", "hr": "Croatian", "hu": "Hungarian", "it": "Italian", "lt": "Lithuanian",
	"lv": "Latvian", "mt": "Maltese", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese",
	"ro": "Romanian", "sk": "Slovak", "sl": "Slovenian", "sv": "Swedish", "no": "Norwegian",
	"nb": "Norwegian Bokmål", "nn": "Norwegian Nynorsk",
}

// ---------------------------------------------------------------------------
// Built-in templates

var builtins struct {
	once sync.Once
	list []*Template
	err  error
}

// builtinSuffix marks a built-in template file in package templates;
// partialSuffix marks a file of shared {{define}} blocks.
const (
	builtinSuffix = ".md.tmpl"
	partialSuffix = ".inc.tmpl"
)

// Builtins returns the templates embedded from package templates, one per
// file NAME.md.tmpl, with Builtin set. The kind is the name, or the kind the
// name starts with (action_plan_short is an action_plan template); a name
// that starts with no kind (comment_response_matrix) is for any kind. The
// partials (NAME.inc.tmpl, in name order) are appended to every built-in's
// source, so that a template's version covers the shared blocks it was
// built with. Each call returns fresh copies that share the parsed template.
func Builtins() ([]*Template, error) {
	builtins.once.Do(func() { builtins.list, builtins.err = loadBuiltins() })
	if builtins.err != nil {
		return nil, builtins.err
	}
	out := make([]*Template, len(builtins.list))
	for i, t := range builtins.list {
		c := *t
		out[i] = &c
	}
	return out, nil
}

func loadBuiltins() ([]*Template, error) {
	names, err := templates.FS.ReadDir(".") // sorted by name
	if err != nil {
		return nil, err
	}
	var partials []byte
	for _, e := range names {
		if !e.IsDir() && strings.HasSuffix(e.Name(), partialSuffix) {
			src, err := templates.FS.ReadFile(e.Name())
			if err != nil {
				return nil, err
			}
			partials = append(append(partials, '\n'), src...)
		}
	}
	var out []*Template
	for _, e := range names {
		if e.IsDir() || !strings.HasSuffix(e.Name(), builtinSuffix) {
			continue
		}
		name := strings.TrimSuffix(e.Name(), builtinSuffix)
		kind := KindAny
		for _, k := range []string{KindActionPlan, KindPeerReview, KindGoodPractice, KindProgressReport, KindEventMinutes} {
			if name == k || strings.HasPrefix(name, k+"_") {
				kind = k
			}
		}
		src, err := templates.FS.ReadFile(e.Name())
		if err != nil {
			return nil, err
		}
		t, err := NewTemplate(name, kind, append(src, partials...))
		if err != nil {
			return nil, fmt.Errorf("built-in template %s: %w", e.Name(), err)
		}
		t.Builtin = true
		out = append(out, t)
	}
	return out, nil
}

// TestRender runs the template on the sample data of its kind and renders
// the result in every format, as a draft and as approved (with the approval
// record's data); it also runs it on
// a sparse sample (optional fields missing or empty, as in an early draft)
// to Markdown. This is what an upload must pass. Errors are *TemplateError,
// with the position when the template itself failed.
func (t *Template) TestRender() error {
	kinds := []string{t.Kind}
	if t.Kind == KindAny {
		kinds = []string{KindActionPlan, KindPeerReview}
	}
	for _, kind := range kinds {
		sample := "the sample"
		if t.Kind == KindAny {
			sample = "the " + kind + " sample"
		}
		for _, draft := range []bool{true, false} {
			for _, f := range []Format{FormatMD, FormatHTML, FormatPDF, FormatDOCX} {
				data := Sample(kind)
				if !draft {
					data = SampleApproved(kind)
				}
				if err := Assemble(io.Discard, t, data, SampleMeta(kind, draft), f); err != nil {
					return asTemplateError(err, fmt.Sprintf("%s does not render to %s: ", sample, f))
				}
			}
		}
		if err := Assemble(io.Discard, t, sparseSample(kind), SampleMeta(kind, true), FormatMD); err != nil {
			return asTemplateError(err, sample+" with the optional fields empty does not render: ")
		}
	}
	return nil
}

func asTemplateError(err error, prefix string) *TemplateError {
	var te *TemplateError
	if errors.As(err, &te) {
		return &TemplateError{Line: te.Line, Column: te.Column, Message: prefix + te.Message, err: te}
	}
	return &TemplateError{Message: prefix + err.Error(), err: err}
}
