package web

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/locale"
)

// domainFormats lists the English formats of the errors the domain and the
// store build for people (workflow.Errorf, workflow.Problem,
// Problems.Add, Problems.Err), by file and line; formats that are not a
// literal or a constant are reported in bad. Errors nobody sees are left
// out: internal ones, and not-found and stale-version ones, for which
// the pages say their own words.
func domainFormats(t *testing.T) (formats map[string]string, bad []string) {
	t.Helper()
	formats = map[string]string{}
	fset := token.NewFileSet()
	for _, dir := range []string{"../workflow", "../storage/sqlstore"} {
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
