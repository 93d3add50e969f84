package documents

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/util"

	"github.com/craftscode/craftscode/templates"
)

// mustTemplate parses an action plan template or fails the test.
func mustTemplate(t testing.TB, src string) *Template {
	t.Helper()
	tm, err := NewTemplate("test", KindActionPlan, []byte(src))
	require.NoError(t, err)
	return tm
}

// templateError asserts that err is a *TemplateError and returns it.
func templateError(t testing.TB, err error) *TemplateError {
	t.Helper()
	require.Error(t, err)
	var te *TemplateError
	require.True(t, errors.As(err, &te), "want *TemplateError, got %T: %v", err, err)
	return te
}

// renderBody renders Markdown to the HTML body the HTML format uses.
func renderBody(t testing.TB, md string) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, htmlBody.Render(&b, []byte(md), Parse([]byte(md), Meta{}).Root))
	return b.String()
}

func TestNewTemplateSyntaxErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, src string
		line      int
		message   string
	}{
		{"empty if", "a\nb {{if}}\n", 2, "missing value for if"},
		{"unclosed action", "# Title\n\n{{.content.title\n", 3, "unclosed action started here"},
		{"stray end", "one\ntwo\nthree {{end}}", 3, "unexpected {{end}}"},
		{"missing end", "{{range .content.actions}}\nx\n", 3, "unexpected EOF"},
		{"bad field", "x\n{{.content..title}}", 2, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewTemplate("t", KindActionPlan, []byte(c.src))
			te := templateError(t, err)
			require.Equal(t, c.line, te.Line, te.Error())
			require.Contains(t, te.Message, c.message)
			require.NotContains(t, te.Message, "template: source:", "the position is in the fields, not repeated in the message")
			require.Contains(t, te.Error(), fmt.Sprintf("line %d", c.line))
		})
	}
}

func TestNewTemplateRefusesUnsafeConstructs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, src string
		line, col int
		message   string
	}{
		{"unknown function", "ok\n  {{nosuch .x}}", 2, 0, `function "nosuch" not defined`},
		{"builtin call", "{{call .f}}", 1, 3, `function "call" is not available`},
		{"builtin html", "x {{html .x}}", 1, 5, `function "html" is not available`},
		{"builtin urlquery", "{{.x | urlquery}}", 1, 8, `function "urlquery" is not available`},
		{"range over integer literal", "a\n{{range 100000000}}x{{end}}", 2, 9, "range over the number 100000000"},
		{"range over len", "{{range len .content.actions}}x{{end}}", 1, 9, "range over the result of len"},
		{"range over printf", "{{range (printf \"%d\" 3)}}x{{end}}", 1, 10, "range over the result of printf"},
		{"range over string", `{{range "abc"}}x{{end}}`, 1, 9, "range over the constant"},
		{"range over piped function", "{{range .content.actions | len}}x{{end}}", 1, 28, "range over the result of len"},
		{"self recursion", "{{define \"a\"}}x{{template \"a\" .}}{{end}}{{template \"a\" .}}", 1, 27, `template "a" calls itself (a → a)`},
		{"indirect recursion", "{{define \"a\"}}{{template \"b\" .}}{{end}}\n{{define \"b\"}}{{template \"a\" .}}{{end}}\n{{template \"a\" .}}", 2, 26, "calls itself (a → b → a)"},
		{"block recursion", "{{block \"x\" .}}{{template \"x\" .}}{{end}}", 1, 27, `"x" calls itself`},
		{"undefined template", "x\n{{template \"nope\" .}}", 2, 12, `no template named "nope"`},
		{"raw of data", "{{raw .content.title}}", 1, 3, "raw only marks template-side constants"},
		{"raw piped", `{{"**x**" | raw}}`, 1, 13, "raw takes exactly one string literal"},
		{"raw two args", `{{raw "a" "b"}}`, 1, 3, "raw takes exactly one string literal"},
		{"step counter", "{{__step}}", 1, 0, `function "__step" not defined`},
		{"value check", "{{.x | __value}}", 1, 8, `function "__value" is not available`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewTemplate("t", KindActionPlan, []byte(c.src))
			te := templateError(t, err)
			require.Equal(t, c.line, te.Line, te.Error())
			require.Equal(t, c.col, te.Column, te.Error())
			require.Contains(t, te.Message, c.message)
		})
	}
}

func TestNewTemplateChecksItsInput(t *testing.T) {
	t.Parallel()
	_, err := NewTemplate("t", "learning_event", []byte("x"))
	require.ErrorContains(t, templateError(t, err), "unknown template kind")
	_, err = NewTemplate("", KindActionPlan, []byte("x"))
	require.ErrorContains(t, templateError(t, err), "needs a name")
	_, err = NewTemplate("t", KindActionPlan, []byte("bad \xff byte"))
	require.ErrorContains(t, templateError(t, err), "not valid UTF-8")
	_, err = NewTemplate("t", KindActionPlan, bytes.Repeat([]byte("a"), maxSourceSize+1))
	require.ErrorContains(t, templateError(t, err), "larger than")
}

func TestTemplateVersionIsSHA256OfSource(t *testing.T) {
	t.Parallel()
	src := []byte("# {{.content.title}}\n")
	tm, err := NewTemplate("t", KindPeerReview, src)
	require.NoError(t, err)
	sum := sha256.Sum256(src)
	require.Equal(t, hex.EncodeToString(sum[:]), tm.Version)
	require.Equal(t, KindPeerReview, tm.Kind)
	require.False(t, tm.Builtin)
	src[0] = '!' // the template keeps its own copy
	require.Equal(t, "# {{.content.title}}\n", string(tm.Source))
	other, err := NewTemplate("t", KindPeerReview, []byte("# {{.content.title}}\n\n"))
	require.NoError(t, err)
	require.NotEqual(t, tm.Version, other.Version)
}

func TestExecuteEscapesEveryWayOfPrintingData(t *testing.T) {
	t.Parallel()
	data := map[string]any{"x": hostileText, "list": []any{"*a*", "b_c"}, "n": json.Number("7")}
	want := escapeMarkdown(hostileText)
	cases := map[string]string{
		"{{.x}}":                   want,
		`{{printf "%s" .x}}`:       want,
		`{{printf "%v|%s" .x .x}}`: want + "|" + want,
		"{{print .x}}":             want,
		"{{println .x}}":           want + "\n",
		"{{upper .x}}":             escapeMarkdown(strings.ToUpper(hostileText)),
		"{{inline .x}}":            want,
		"{{slice .x 0 8}}":         `\<script\>`,
		`{{join ", " .list}}`:      `\*a\*, b\_c`,
		`{{default "none" .x}}`:    want,
		`{{raw "**constant**"}}`:   "**constant**",
		`{{"**literal**"}}`:        "**literal**",
		"{{.n}} {{inc .n}}":        "7 8",
	}
	for src, out := range cases {
		got, err := mustTemplate(t, src).Execute(data)
		require.NoError(t, err, src)
		require.Equal(t, out, string(got), src)
	}
	require.Contains(t, want, `\{\{.X\}\}`)
	require.NotContains(t, want, "{{")
}

func TestExecuteComparesUserTextAsStrings(t *testing.T) {
	t.Parallel()
	tm := mustTemplate(t, `{{if eq .kind "action_plan"}}plan{{else}}other{{end}} `+
		`{{if ne .policy_instrument.type "etc"}}not-etc{{end}} `+
		`{{if eq .revision 3}}r3{{end}} `+
		`{{if lt "a" .content.language}}after-a{{end}} `+
		`{{with index .content.actions 1}}{{if eq .number 2}}second{{end}}{{end}} `+
		`{{len .content.actions}}`)
	got, err := tm.Execute(Sample(KindActionPlan))
	require.NoError(t, err)
	require.Equal(t, "plan not-etc r3 after-a second 3", string(got))
}

func TestExecuteStopsAnOutputBomb(t *testing.T) {
	t.Parallel()
	items := make([]any, 1000)
	for i := range items {
		items[i] = i
	}
	// 1000³ × 4 KiB would be 4 TB; the cap is reached after 1024 iterations.
	tm := mustTemplate(t, `{{range .l}}{{range $.l}}{{range $.l}}{{$.chunk}}{{end}}{{end}}{{end}}`)
	_, err := tm.Execute(map[string]any{"l": items, "chunk": strings.Repeat("é", 2048)})
	te := templateError(t, err)
	require.ErrorIs(t, te, errOutputTooLarge, "stopped by the output cap, not by the clock")
	require.Contains(t, te.Message, "larger than the limit")
}

func TestExecuteStopsRunawayLoops(t *testing.T) {
	t.Parallel()
	// The default budget with a clock that cannot interfere (under the race
	// detector, 250 000 steps can take longer than the real 2 s).
	limits := defaultLimits
	limits.time = time.Minute
	items := make([]any, 1000)
	for i := range items {
		items[i] = i
	}
	// No output at all: only the step budget can stop this.
	silent := mustTemplate(t, `{{range .l}}{{range $.l}}{{range $.l}}{{end}}{{end}}{{end}}`)
	_, err := silent.execute(map[string]any{"l": items}, limits)
	require.ErrorIs(t, templateError(t, err), errTooManySteps)

	// Ranging over a number from the data is allowed, and bounded.
	_, err = mustTemplate(t, `{{range .n}}{{end}}`).execute(map[string]any{"n": json.Number("1000000000000")}, limits)
	require.ErrorIs(t, templateError(t, err), errTooManySteps)

	// A define that calls the next one twice, 40 deep: 2⁴⁰ calls without a loop.
	var src strings.Builder
	for i := range 40 {
		fmt.Fprintf(&src, `{{define "t%d"}}{{template "t%d" .}}{{template "t%d" .}}{{end}}`, i, i+1, i+1)
	}
	src.WriteString(`{{define "t40"}}{{end}}{{template "t0" .}}`)
	_, err = mustTemplate(t, src.String()).execute(map[string]any{}, limits)
	require.ErrorIs(t, templateError(t, err), errTooManySteps)
}

func TestExecuteCapsBuiltStrings(t *testing.T) {
	t.Parallel()
	items := make([]any, 40)
	for i := range items {
		items[i] = i
	}
	// Doubling a variable 40 times would need 4 TB without the cap.
	tm := mustTemplate(t, `{{$x := "abcd"}}{{range .l}}{{$x = printf "%s%s" $x $x}}{{end}}{{len $x}}`)
	_, err := tm.Execute(map[string]any{"l": items})
	require.ErrorIs(t, templateError(t, err), errValueTooLarge)
}

func TestExecuteTimesOutAndTheGoroutineStops(t *testing.T) {
	// Not parallel: it counts goroutines.
	items := make([]any, 1000)
	for i := range items {
		items[i] = i
	}
	tm := mustTemplate(t, `{{range .l}}{{range $.l}}{{$x := printf "%0100d" .}}{{end}}{{end}}`)
	before := runtime.NumGoroutine()
	_, err := tm.execute(map[string]any{"l": items}, execLimits{output: 1 << 20, steps: 1 << 40, time: time.Millisecond})
	te := templateError(t, err)
	require.ErrorIs(t, te, errTimeout)
	require.Contains(t, te.Message, "took too long")
	// The abandoned execution notices at its next step and ends. (Polled by
	// hand: require.Eventually runs its condition on a goroutine of its own.)
	for deadline := time.Now().Add(10 * time.Second); runtime.NumGoroutine() > before && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	require.LessOrEqual(t, runtime.NumGoroutine(), before, "the abandoned execution goroutine is still running")
}

func TestExecuteErrorsCarryThePosition(t *testing.T) {
	t.Parallel()
	cases := []struct {
		src       string
		line, col int
		message   string
	}{
		{"# x\n  {{index .content.nope 1}}", 2, 5, "index of untyped nil"},
		// text/template points at the segment of the chain it could not
		// evaluate past (.title); the é checks that columns count characters.
		{"a\nb\nctx é {{.content.title.foo}}", 3, 17, "can't evaluate field foo"},
		{"{{define \"d\"}}\n{{inc .content.title}}{{end}}{{template \"d\" .}}", 2, 3, "inc: want an integer"},
	}
	for _, c := range cases {
		_, err := mustTemplate(t, c.src).Execute(Sample(KindActionPlan))
		te := templateError(t, err)
		require.Equal(t, c.line, te.Line, te.Error())
		require.Equal(t, c.col, te.Column, te.Error())
		require.Contains(t, te.Message, c.message)
	}
}

func TestExecuteRefusesToPrintMissingValues(t *testing.T) {
	t.Parallel()
	for src, pos := range map[string][2]int{
		"ok\n{{.content.no_such_field}}\n":                        {2, 3},
		"ok\n\n  {{ .content.title }}{{ .content.nope }}":         {3, 26},
		"{{range .content.actions}}\n{{.timeframe_start}}{{end}}": {2, 3},
		"x\n{{inline .content.nope}}":                             {2, 3},
		"{{countryName .partner.nope}}":                           {1, 3},
		"{{with .content}}{{index . \"nope\"}}{{end}}":            {1, 20},
	} {
		data := Sample(KindActionPlan)
		data["content"].(map[string]any)["actions"].([]any)[0].(map[string]any)["timeframe_start"] = nil
		_, err := mustTemplate(t, src).Execute(data)
		te := templateError(t, err)
		require.ErrorIs(t, te, errMissingValue, src)
		require.Equal(t, pos, [2]int{te.Line, te.Column}, te.Error())
		require.Contains(t, te.Message, "missing value: ")
		require.NotContains(t, te.Message, "__value")
	}
	// Declarations may hold missing values; with and if test them.
	got, err := mustTemplate(t, "{{$x := .nope}}{{with .nope}}x{{else}}none{{end}}{{if $x}}x{{end}}").Execute(map[string]any{})
	require.NoError(t, err)
	require.Equal(t, "none", string(got))
	// User text that reads "<no value>" is escaped, so it is not mistaken for one.
	got, err = mustTemplate(t, "{{.x}}").Execute(map[string]any{"x": "<no value>"})
	require.NoError(t, err)
	require.Equal(t, `\<no value\>`, string(got))
}

func TestExecuteWithoutNewTemplate(t *testing.T) {
	t.Parallel()
	_, err := (&Template{Name: "x", Source: []byte("x")}).Execute(nil)
	require.ErrorContains(t, templateError(t, err), "NewTemplate")
}

func TestEscapeDataRefusesWhatTemplatesCannotUseSafely(t *testing.T) {
	t.Parallel()
	tm := mustTemplate(t, "{{range $k, $v := .}}{{$k}}{{end}}")
	_, err := tm.Execute(map[string]any{"*bold*": "x"})
	require.ErrorContains(t, templateError(t, err), "not a plain identifier")
	_, err = tm.Execute(map[string]any{"f": func() {}})
	require.ErrorContains(t, templateError(t, err), "templates cannot use")
	deep := map[string]any{}
	for range maxDataDepth + 2 {
		deep = map[string]any{"d": deep}
	}
	_, err = tm.Execute(deep)
	require.ErrorContains(t, templateError(t, err), "nested deeper")
	// Go values other than JSON's are converted too.
	got, err := mustTemplate(t, "{{.s}} {{index .l 0}} {{.m.k}} {{.p}}").Execute(map[string]any{
		"s": []string{"*"}[0], "l": []string{"_a_"}, "m": map[string]string{"k": "<b>"}, "p": new(int),
	})
	require.NoError(t, err)
	require.Equal(t, `\* \_a\_ \<b\> 0`, string(got))
}

func TestEscapeMarkdown(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                            "",
		"plain text, 2019-03-01 (ok)": `plain text, 2019-03-01 \(ok\)`,
		"a*b*c_d_e`f`":                `a\*b\*c\_d\_e\` + "`f\\`",
		"# h":                         `\# h`,
		"- item":                      `\- item`,
		"+ item":                      `\+ item`,
		"1. item":                     `1\. item`,
		"12) item":                    `12\) item`,
		"1.5 million":                 `1\.5 million`,
		"x - y + z = 1. w":            `x - y + z = 1. w`,
		"=====":                       `\=====`,
		"> quote":                     `\> quote`,
		"<b>&amp;</b>":                `\<b\>\&amp;\</b\>`,
		"[a](b) ![c](d)":              `\[a\]\(b\) \!\[c\]\(d\)`,
		"{{.X}} | ~~s~~":              `\{\{.X\}\} \| \~\~s\~\~`,
		`back\slash`:                  `back\\slash`,
		"    code":                    "code",
		"a\nb":                        "a\\\nb",
		"a\r\nb\rc":                   "a\\\nb\\\nc",
		"a\n\n\n  \nb":                "a\\\n\\\nb",
		"\n\na\n\n":                   "a",
		"tab\there\x00\x07\x7f":       "tab here",
		"bad \xff utf8":               "bad \uFFFD utf8",
		"Tørshavn Ærø € ő ű РАМ":      "Tørshavn Ærø € ő ű РАМ",
	}
	for in, want := range cases {
		require.Equal(t, want, escapeMarkdown(in), "%q", in)
	}
}

// TestEscapedTextRendersLiterally is the property that matters: escaped
// text, rendered, is the text itself.
func TestEscapedTextRendersLiterally(t *testing.T) {
	t.Parallel()
	inputs := []string{
		hostileText, "# heading", "## h ##", "Title #", "- a", "* a", "+ a", "1. a", "1) a", "> a", "---", "***", "___",
		"- - -", "===", "```go", "~~~", "<div>x</div>", "<!-- c -->", "&amp; &#65; &copy;", `\*`, "[a]: http://x",
		"[a][b]", "![i](x.png)", "*a*", "**a**", "_a_", "__a__", "`c`", "~~s~~", "~s~", "| a | b |", "<http://x>",
		"<a@b.c>", "a  ", "a\\", "2019.", "x <y> z", "{{template \"x\"}}", "{{/* c */}}", "\u00a0# nbsp",
	}
	for _, in := range inputs {
		md := escapeMarkdown(in)
		want := "<p>" + string(util.EscapeHTML([]byte(strings.Trim(in, " \t")))) + "</p>\n"
		require.Equal(t, want, renderBody(t, md), "%q escaped as %q", in, md)
		root := Parse([]byte(md), Meta{}).Root
		require.Equal(t, 1, root.ChildCount(), "%q", in)
		require.Equal(t, ast.KindParagraph, root.FirstChild().Kind(), "%q", in)
	}
	multi := "first\n# not a heading\n\n- not a list\n    not code\n1. nor this"
	require.Equal(t, "<p>first<br>\n# not a heading<br>\n<br>\n- not a list<br>\nnot code<br>\n1. nor this</p>\n",
		renderBody(t, escapeMarkdown(multi)))
}

// User text stays inside the block the template put it in.
func TestEscapedTextStaysInItsBlock(t *testing.T) {
	t.Parallel()
	evil := "a | b\n\n- c\n# d\n> e\n\n|---|---|"
	data := map[string]any{"x": evil}
	run := func(src string) string {
		out, err := mustTemplate(t, src).Execute(data)
		require.NoError(t, err)
		return renderBody(t, string(out))
	}
	list := run("- {{.x}}\n- second\n")
	require.Equal(t, 2, strings.Count(list, "<li>"), list)
	require.Equal(t, 1, strings.Count(list, "<ul>"), list)
	require.NotContains(t, list, "<h1")
	require.NotContains(t, list, "<blockquote")

	table := run("| h | i |\n|---|---|\n| {{inline .x}} | z |\n")
	require.Equal(t, 2, strings.Count(table, "<td>"), table)
	require.Equal(t, 1, strings.Count(table, "<tr>\n<td>"), table)
	require.Contains(t, table, "<td>a | b - c # d &gt; e |---|---|</td>")

	heading := run("## {{inline .x}}\n\ntext\n")
	require.True(t, strings.HasPrefix(heading, "<h2 "), heading)
	require.Equal(t, 1, strings.Count(heading, "<h2"), heading)
	require.Contains(t, heading, "<p>text</p>")

	quote := run("> {{.x}}\n\nafter\n")
	require.Equal(t, 1, strings.Count(quote, "<blockquote>"), quote)
	require.Contains(t, quote, "</blockquote>\n<p>after</p>")
}

func TestHelpers(t *testing.T) {
	t.Parallel()
	data := map[string]any{
		"d": "2019-09-01", "bad": "1st of May", "none": nil, "empty": "", "zero": json.Number("0"),
		"code": "hu", "bg": "BG", "xx": "xx*", "type": "etc", "other": "other", "multi": "a\n  b\t c",
		"list": []any{"x", "y"}, "nolist": []any{},
	}
	cases := map[string]string{
		`{{date .d}}`:                                "2019-09-01",
		`{{date "2 January 2006" .d}}`:               "1 September 2019",
		`{{date .bad}}`:                              "1st of May",
		`[{{date .none}}]`:                           "[]",
		`{{default "—" .none}}`:                      "—",
		`{{default "—" .empty}}`:                     "—",
		`{{default "—" .zero}}`:                      "—",
		`{{default "—" .nolist}}`:                    "—",
		`{{default "—" .d}}`:                         "2019-09-01",
		`{{inc 1}} {{inc .zero}}`:                    "2 1",
		`{{countryName .bg}} {{countryName .xx}}`:    `Bulgaria xx\*`,
		`{{languageName .code}}`:                     "Hungarian",
		`{{instrumentType .type}}`:                   "European Territorial Cooperation",
		`{{instrumentType .other}}`:                  "Other regional policy instrument",
		`{{instrumentType "growth_and_jobs"}}`:       "Investment for Growth and Jobs",
		`{{inline .multi}}`:                          "a b c",
		`{{upper .code}} {{lower "ÁB"}}`:             "HU áb",
		`{{join " · " .list}}`:                       "x · y",
		`{{join .xx .list}}`:                         `xxx\*y`,
		`{{range $i, $e := .list}}{{inc $i}}{{end}}`: "12",
	}
	for src, want := range cases {
		got, err := mustTemplate(t, src).Execute(data)
		require.NoError(t, err, src)
		require.Equal(t, want, string(got), src)
	}
	for src, msg := range map[string]string{
		`{{date 1 .d}}`:       "layout must be a string",
		`{{date "a" "b" .d}}`: "got 3 arguments",
		`{{inc .d}}`:          "want an integer",
		`{{join ", " .d}}`:    "want a list",
	} {
		_, err := mustTemplate(t, src).Execute(data)
		require.ErrorContains(t, err, msg, src)
	}
}

func TestBuiltins(t *testing.T) {
	t.Parallel()
	list, err := Builtins()
	require.NoError(t, err)
	// Every built-in's source is its file followed by the shared blocks,
	// file by file in name order.
	var partials []byte
	for _, name := range []string{"approval.inc.tmpl", "consultation.inc.tmpl"} {
		partial, err := templates.FS.ReadFile(name)
		require.NoError(t, err)
		partials = append(append(partials, '\n'), partial...)
	}
	kinds := map[string]string{}
	for _, tm := range list {
		kinds[tm.Name] = tm.Kind
		require.True(t, tm.Builtin)
		src, err := templates.FS.ReadFile(tm.Name + ".md.tmpl")
		require.NoError(t, err)
		src = append(src, partials...)
		require.Equal(t, string(src), string(tm.Source))
		sum := sha256.Sum256(src)
		require.Equal(t, hex.EncodeToString(sum[:]), tm.Version)
		require.NoError(t, tm.TestRender(), tm.Name)
	}
	require.Equal(t, map[string]string{"action_plan": KindActionPlan, "peer_review": KindPeerReview, "good_practice": KindGoodPractice,
		"progress_report": KindProgressReport, "event_minutes": KindEventMinutes, "comment_response_matrix": KindAny}, kinds)

	// Callers get copies: changing one does not change the next call's.
	list[0].Name = "changed"
	again, err := Builtins()
	require.NoError(t, err)
	require.NotEqual(t, "changed", again[0].Name)
}

func TestTestRenderReportsWhereTheTemplateBroke(t *testing.T) {
	t.Parallel()
	// Fails on the sample itself.
	tm := mustTemplate(t, "# {{.content.title}}\n\n{{.content.title.foo}}\n")
	te := templateError(t, tm.TestRender())
	require.Equal(t, 3, te.Line)
	require.Equal(t, 11, te.Column)
	require.Contains(t, te.Message, "the sample does not render to md")

	// Fine on the full sample, broken on a draft with the optional fields empty.
	tm = mustTemplate(t, "# {{.content.title}}\n\n{{.policy_instrument.name}}\n")
	te = templateError(t, tm.TestRender())
	require.Equal(t, 3, te.Line)
	require.Contains(t, te.Message, "optional fields empty")

	// Prints a field the sample does not have.
	tm = mustTemplate(t, "{{.content.summary}}")
	require.ErrorIs(t, templateError(t, tm.TestRender()), errMissingValue)

	// A peer review template is tried on the peer review sample.
	pr, err := NewTemplate("pr", KindPeerReview, []byte("{{range .content.recommendations}}{{.title}}\n{{end}}"))
	require.NoError(t, err)
	require.NoError(t, pr.TestRender())
	_, err = mustTemplate(t, "{{range .content.recommendations}}{{.title}}{{end}}").Execute(Sample(KindActionPlan))
	require.NoError(t, err, "absent lists are empty, not errors")
}
