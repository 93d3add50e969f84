package documents

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// validate checks a template as an upload is checked: parsed, then
// rendered on the samples in every format.
func validate(t *testing.T, src string) error {
	t.Helper()
	tm, err := NewTemplate("t", KindActionPlan, []byte(src))
	if err != nil {
		return err
	}
	return tm.TestRender()
}

// Findings 7 and 8 of issue 15: printf's width and precision are bounded
// (fmt builds the padded string before any cap sees it), and so is the
// Markdown a template makes: its nesting and its markup, before goldmark
// parses it.
func TestTemplateSandboxBoundsTheWholeRender(t *testing.T) {
	t.Run("printf width", func(t *testing.T) {
		for _, src := range []string{
			strings.Repeat(`{{printf "%0999999[1]d" 1}}`, 400),
			`{{printf "%.999999f" 1.5}}`,
			`{{printf "%*d" 999999 1}}`,
			`{{printf "%[1]*d" 999999 1}}`,
			`{{printf "%-101s" "x"}}`,
		} {
			err := validate(t, "# Plan\n\n"+src+"\n")
			require.ErrorIs(t, err, errPrintfWidth, src[:min(len(src), 40)])
		}
		require.NoError(t, validate(t, "# Plan\n\n"+`{{printf "%-20s|%5.2f|%[1]q|%%|%100d" "x" 1.5 7}}`+"\n"))
	})
	t.Run("block nesting", func(t *testing.T) {
		for _, src := range []string{strings.Repeat(">", 100_000), strings.Repeat("> ", 40) + "x", strings.Repeat("- ", 5000) + "x", strings.Repeat("1. ", 40) + "x"} {
			err := validate(t, "# Plan\n\n"+src+"\n")
			require.ErrorIs(t, err, errMarkdownTooDeep, src[:20])
		}
		require.NoError(t, validate(t, "# Plan\n\n> - 1. quoted list\n>   - nested\n"))
	})
	t.Run("inline markup", func(t *testing.T) {
		for _, src := range []string{strings.Repeat("[a](", 30_000), strings.Repeat("[", 100_000), "{{range .content.actions}}" + strings.Repeat("[a](", 1000) + "{{end}}"} {
			err := validate(t, "# Plan\n\n"+src+"\n")
			require.ErrorIs(t, err, errMarkdownTooMuchInput, src[:20])
		}
	})
	t.Run("built-in templates pass", func(t *testing.T) {
		tms, err := Builtins()
		require.NoError(t, err)
		for _, tm := range tms {
			require.NoError(t, tm.TestRender(), tm.Name)
		}
	})
	t.Run("rendered size", func(t *testing.T) {
		var buf cappedBuffer
		_, err := buf.Write(make([]byte, maxRenderedSize))
		require.NoError(t, err)
		_, err = buf.Write([]byte{1})
		require.ErrorIs(t, err, errRenderedTooLarge)
		err = boundedRender(io.Discard, []byte("# x\n"), Meta{}, func(w io.Writer, _ *Doc) error {
			_, err := w.Write(make([]byte, maxRenderedSize+1))
			return err
		})
		require.ErrorIs(t, err, errRenderedTooLarge)
	})
}

// FuzzTemplateSandbox: whatever the source, checking and running a
// template ends without a panic, and what it produces passes the Markdown
// bounds or is refused by them.
func FuzzTemplateSandbox(f *testing.F) {
	for _, seed := range []string{
		"# Plan\n{{.content.title}}\n", `{{printf "%0999999[1]d" 1}}`, `{{printf "%*d" 5 1}}`, strings.Repeat(">", 200),
		"{{range .content.actions}}[a]({{end}}", `{{define "a"}}x{{end}}{{template "a"}}`, "{{raw \"**x**\"}}", "- - - 1. > x",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		tm, err := NewTemplate("fuzz", KindActionPlan, []byte(src))
		if err != nil {
			return
		}
		out, err := tm.execute(Sample(KindActionPlan), execLimits{output: 1 << 16, steps: 10_000, time: time.Second})
		if err != nil {
			return
		}
		_ = boundedRender(io.Discard, out, SampleMeta(KindActionPlan, true), renderMD)
	})
}
