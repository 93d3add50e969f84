package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// domainFormats lists the English formats of the errors the domain and the
// store (and the revision diff) build for people (workflow.Errorf, workflow.Problem,
// Problems.Add, Problems.Err), by file and line; formats that are not a
// literal or a constant are reported in bad. Errors nobody sees are left
// out: internal ones, and not-found and stale-version ones, for which
// the pages say their own words.
func domainFormats(t *testing.T) (formats map[string]string, bad []string) {
	t.Helper()
	formats = map[string]string{}
	fset := token.NewFileSet()
	for _, dir := range []string{"../workflow", "../storage/sqlstore", "../revdiff"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		var parsed []*ast.File
		consts := map[string]string{}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") || f == filepath.Join("../workflow", "errors.go") { // errors.go passes formats on
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, 0)
			require.NoError(t, err)
			parsed = append(parsed, file)
			for _, d := range file.Decls {
				if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.CONST {
					for _, spec := range gd.Specs {
						vs := spec.(*ast.ValueSpec)
						for i, name := range vs.Names {
							if i < len(vs.Values) {
								if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
									consts[name.Name], _ = strconv.Unquote(lit.Value)
								}
							}
						}
					}
				}
			}
		}
		for _, file := range parsed {
			ast.Inspect(file, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				idx := -1
				switch name, pkg := callee(call); {
				case name == "Errorf" && (pkg == "" || pkg == "workflow"):
					code := ""
					switch x := call.Args[0].(type) {
					case *ast.Ident:
						code = x.Name
					case *ast.SelectorExpr:
						code = x.Sel.Name
					}
					if code == "CodeInternal" || code == "CodeNotFound" || code == "CodePreconditionFailed" {
						return true
					}
					idx = 1
				case name == "Add" && len(call.Args) >= 2 && isLiteral(call.Args[0], `"_pragma"`):
					return true // url.Values.Add: the SQLite DSN's pragmas
				case name == "Problem" && (pkg == "" || pkg == "workflow"), name == "Add" && len(call.Args) >= 2:
					idx = 1
				case name == "Err" && len(call.Args) == 1:
					idx = 0
				default:
					return true
				}
				where := fset.Position(call.Pos()).String()
				switch x := call.Args[idx].(type) {
				case *ast.BasicLit:
					if x.Kind == token.STRING {
						s, _ := strconv.Unquote(x.Value)
						formats[s] = where
						return true
					}
				case *ast.Ident:
					if s, ok := consts[x.Name]; ok {
						formats[s] = where
						return true
					}
				}
				bad = append(bad, where)
				return true
			})
		}
	}
	return formats, bad
}

func callee(call *ast.CallExpr) (name, pkg string) {
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return fn.Name, ""
	case *ast.SelectorExpr:
		if id, ok := fn.X.(*ast.Ident); ok {
			return fn.Sel.Name, id.Name
		}
		return fn.Sel.Name, "?"
	}
	return "", "?"
}

// TestProblemCatalog: every English format the domain builds a message
// from has its "problem.<format>" in the catalog, worded as the format
// (so that English pages say what the API says), and the catalog has no
// other problem.* messages. A failure lists the lines to add.
func TestProblemCatalog(t *testing.T) {
	formats, bad := domainFormats(t)
	require.Empty(t, bad, "messages whose format is not a literal: a page cannot say them in its language")
	require.Greater(t, len(formats), 100)
	var en map[string]any
	_, err := toml.DecodeFile("../locale/catalog/en.toml", &en)
	require.NoError(t, err)
	var missing []string
	for _, f := range sortedKeys(formats) {
		v, ok := en[problemKey(f)]
		if !ok {
			missing = append(missing, fmt.Sprintf("%s = %s", tomlString(problemKey(f)), tomlString(problemTemplate(f))))
			continue
		}
		require.Equal(t, problemTemplate(f), v, "%s: the English of %q", formats[f], f)
	}
	require.Empty(t, missing, "the catalog lacks these messages of the domain:\n%s", strings.Join(missing, "\n"))
	cat, err := locale.Load()
	require.NoError(t, err)
	loc := cat.Match(locale.Default)
	for f := range formats {
		require.True(t, loc.Has(problemKey(f)), "go-i18n reads %q", problemKey(f))
	}
	for id := range en {
		if f, ok := strings.CutPrefix(id, "problem."); ok {
			_, used := formats[f]
			require.True(t, used, "the catalog has %q, which no domain error is made from", id)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// problemTemplate is the catalog's English for a format: its verbs as
// {{.A1}}, {{.A2}}… (%% as %).
func problemTemplate(format string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			b.WriteByte(format[i])
			continue
		}
		j := i + 1
		for j < len(format) && strings.IndexByte("+-# 0123456789.[]*", format[j]) >= 0 {
			j++
		}
		if j >= len(format) {
			b.WriteString(format[i:])
			break
		}
		if format[j] == '%' {
			b.WriteByte('%')
		} else {
			n++
			fmt.Fprintf(&b, "{{.A%d}}", n)
		}
		i = j
	}
	return b.String()
}

// TestSayInThePageLanguage: real refusals of the store, said by a page in
// another language: the catalog's message with the arguments put in, a
// domain code (a state, a kind, a trigger) by its label, a number as it
// is; the English message, which the API shows, unchanged; and English
// where the language lacks a message.
func TestSayInThePageLanguage(t *testing.T) {
	en, err := os.ReadFile("../locale/catalog/en.toml")
	require.NoError(t, err)
	hu := `"code.draft" = "Piszkozat"
"code.action_plan" = "Cselekvési terv"
"code.submit" = "Benyújtás"
"problem.progress reports are made on a monitored action plan" = "Előrehaladási jelentés csak követett cselekvési tervhez készül"
"problem.is %s, not monitored" = "{{.A1}} állapotú, nem követett"
"problem.the %s cannot %s yet" = "A(z) {{.A1}} még nem kaphat ilyet: {{.A2}}"
"problem.is longer than %d characters" = "hosszabb, mint {{.A1}} karakter"
`
	cat, err := locale.LoadFS(fstest.MapFS{"catalog/en.toml": {Data: en}, "catalog/hu.toml": {Data: []byte(hu)}})
	require.NoError(t, err)
	c := &call{loc: cat.Match("hu")}
	require.Equal(t, "hu", c.loc.Lang())

	ctx := t.Context()
	store := sqlstoretest.New(t, sqlstore.SQLite)
	project := workflow.Project{Acronym: "SAY", Title: "Languages"}
	require.NoError(t, store.CreateProject(ctx, &project))
	partner := workflow.Partner{ProjectID: project.ID, Name: "Pécs", Country: "HU", Role: workflow.PartnerPartner}
	require.NoError(t, store.CreatePartner(ctx, &partner))
	instrument := workflow.PolicyInstrument{ProjectID: project.ID, Name: "Instrument", Type: workflow.InstrumentOther, PartnerIDs: []string{partner.ID}}
	require.NoError(t, store.CreatePolicyInstrument(ctx, &instrument))
	plan := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: project.ID,
		PartnerID: partner.ID, PolicyInstrumentID: instrument.ID, Title: "Terv", Language: "hu"}}
	require.NoError(t, store.CreateDeliverable(ctx, &plan))
	admin := workflow.Principal{User: workflow.User{ID: workflow.NewID(), Admin: true}}

	asError := func(err error) *workflow.Error {
		t.Helper()
		we, ok := err.(*workflow.Error)
		require.True(t, ok, "%v", err)
		return we
	}

	// A code argument: the plan's state.
	_, err = store.CreateProgressReport(ctx, plan.Plan.ID, "2024-S1", admin)
	we := asError(err)
	require.Equal(t, "progress reports are made on a monitored action plan", we.Message)
	require.Equal(t, "is draft, not monitored", we.Fields[0].Message)
	require.Equal(t, "Előrehaladási jelentés csak követett cselekvési tervhez készül", c.sayError(we))
	require.Equal(t, "piszkozat állapotú, nem követett", c.say(we.Fields[0]))

	// A guard failure: the kind and the trigger by their labels; its
	// problems that Hungarian lacks stay English.
	_, _, err = store.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindActionPlan, ID: plan.Plan.ID,
		Version: 1, Trigger: workflow.TriggerSubmit, Principal: admin})
	we = asError(err)
	require.Equal(t, workflow.CodeGuardFailed, we.Code)
	require.Equal(t, "the action plan cannot submit yet", we.Message)
	require.Equal(t, "A(z) cselekvési terv még nem kaphat ilyet: benyújtás", c.sayError(we))
	var actions workflow.FieldError
	for _, fe := range we.Fields {
		if fe.Field == "actions" {
			actions = fe
		}
	}
	require.Equal(t, "needs at least one action", actions.Message)
	require.Equal(t, actions.Message, c.say(actions))

	// A number: a validation of the domain.
	long := workflow.Partner{ProjectID: project.ID, Name: strings.Repeat("é", 1000), Country: "HU", Role: workflow.PartnerPartner}
	we = asError(long.Validate())
	var title workflow.FieldError
	for _, fe := range we.Fields {
		if fe.Field == "name" {
			title = fe
		}
	}
	format, args := title.Format()
	require.Equal(t, "is longer than %d characters", format)
	require.Equal(t, fmt.Sprintf("is longer than %d characters", args...), title.Message)
	require.Equal(t, fmt.Sprintf("hosszabb, mint %d karakter", args...), c.say(title))

	// The English page says what the API says.
	c = &call{loc: cat.Match("en")}
	require.Equal(t, "is draft, not monitored", c.say(asError(func() error {
		_, err := store.CreateProgressReport(ctx, plan.Plan.ID, "2024-S1", admin)
		return err
	}()).Fields[0]))
	require.Equal(t, title.Message, c.say(title))
	require.Equal(t, "the action plan cannot submit yet", c.sayError(asError(func() error {
		_, _, err := store.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindActionPlan, ID: plan.Plan.ID,
			Version: 1, Trigger: workflow.TriggerSubmit, Principal: admin})
		return err
	}())))
}

func TestFormatVerbs(t *testing.T) {
	require.Equal(t, []string{"%q", "%d", "%5.2f", "%v"}, formatVerbs("a %q b %d%% c %5.2f %v"))
	require.Equal(t, "a {{.A1}} b {{.A2}}% c {{.A3}} {{.A4}}", problemTemplate("a %q b %d%% c %5.2f %v"))
	require.Equal(t, "PDF", inSentence("PDF"))
	require.Equal(t, "stakeholder review", inSentence("Stakeholder review"))
}

func isLiteral(e ast.Expr, v string) bool {
	l, ok := e.(*ast.BasicLit)
	return ok && l.Value == v
}
