package documents

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark/text"
)

// mdHTML renders Markdown as a CommonMark (+ GFM tables, strikethrough)
// reader does.
func mdHTML(t testing.TB, src []byte) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, mdVerify.Renderer().Render(&b, src, mdVerify.Parser().Parse(text.NewReader(src))))
	return b.String()
}

// mdByRules applies the rules alone, without the check that would undo a
// wrong guess.
func mdByRules(src []byte) []byte {
	_, drops := mdNeedless(src)
	return mdApply(src, drops)
}

// mdContexts puts escaped user text where templates put it: a paragraph, a
// list item, a table cell, a heading, a quote, after a label.
func mdContexts(user string) []string {
	u := escapeMarkdown(user)
	return []string{
		u + "\n",
		"- " + u + "\n- next\n",
		"1. " + u + "\n",
		"| A | B |\n|---|---|\n| " + u + " | x |\n",
		"## " + u + "\n",
		"> " + u + "\n",
		"**Label:** " + u + "\n",
		"text before\n" + u + "\n",
		"[" + u + "](https://example.org)\n",
	}
}

// TestMarkdownEscapesOnlyWhereNeeded: escapes that a CommonMark reader
// does not need are left out, the others stay.
func TestMarkdownEscapesOnlyWhereNeeded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ user, want string }{
		{"Budapest (HU11), €1,200 {a} a-b a+b a=b x.y 3) 100 %", "Budapest (HU11), €1,200 {a} a-b a+b a=b x.y 3) 100 %"},
		{"file_name and snake_case_word", "file_name and snake_case_word"},
		{"3 * 4 and 5 ~ 6 and a _ b", "3 * 4 and 5 ~ 6 and a _ b"},
		{"2 < 3 and 4 > 1, R&D & more!", "2 < 3 and 4 > 1, R&D & more!"},
		{"a | b", "a | b"},
		{"one ] bracket", "one ] bracket"},
		{"# not a heading", `\# not a heading`},
		{"- not a list", `\- not a list`},
		{"2019. március 1.", `2019\. március 1.`},
		{"*emphasis* and _this_", `\*emphasis\* and \_this\_`},
		{"<b>bold</b> &amp; &#65;", `\<b>bold\</b> \&amp; \&#65;`},
		{"[link](x) ![img](y)", `\[link](x) \!\[img](y)`},
		{"`code`", "\\`code\\`"},
		{"~~gone~~", `\~\~gone\~\~`},
		{`back\slash \*`, `back\slash \\\*`},
	} {
		got := string(mdMinimal([]byte(escapeMarkdown(tc.user) + "\n")))
		require.Equal(t, tc.want+"\n", got, "%q", tc.user)
		require.Equal(t, got, string(mdByRules([]byte(escapeMarkdown(tc.user)+"\n"))), "the rules alone, %q", tc.user)
	}
}

// TestMarkdownRoundTrip: the Markdown with fewer escapes reads exactly as
// the template's: goldmark parses both to the same HTML, for hostile user
// text in every place a template puts it, by the rules alone (not the
// check that undoes a wrong guess), and for every built-in template.
func TestMarkdownRoundTrip(t *testing.T) {
	t.Parallel()
	hostile := []string{
		"<script>alert(1)</script> **bold** {{.x}} [x](javascript:alert(1))",
		"* item", "+ item", "1) item", "10. item", "> quote", "=== ", "---", "***", "___", "#hash", "### h", "| a | b |\n|---|---|",
		"a\n-|-\nb", "|-|", "foo_bar_", "_foo_bar", "*a *b* c*", "a*b*c", "x ~y~ z", "[a]: https://x", "[a] [b]", "]!", "![a]",
		"&copy; &#x41; &#1234567; & ; &x", "<!-- c -->", "<?php", "<http://x>", "<a@b.c>", "a\\", "a\\\\b", "\\`x\\`", "`a` b`",
		"Tab\there", "two  spaces", "line one\nline two\n\nparagraph?", "(see 2.) [1] {2}", "end with *", "* ", "_", "**", "a **b** c",
		"2019-03-01 – 2020. június 30.", "€ 1,200.50 (VAT) 50 % — Gabrovo's «craft» “quotes”",
	}
	for _, user := range hostile {
		for _, src := range mdContexts(user) {
			want := mdHTML(t, []byte(src))
			require.Equal(t, want, mdHTML(t, mdByRules([]byte(src))), "the rules alone change %q", src)
			require.Equal(t, want, mdHTML(t, mdMinimal([]byte(src))), "%q", src)
		}
	}
	for _, kind := range []string{KindActionPlan, KindPeerReview, KindGoodPractice, KindProgressReport, KindEventMinutes} {
		tm := builtin(t, kind)
		meta := SampleMeta(kind, true)
		src, err := tm.ExecuteIn(Sample(kind), meta.Language)
		require.NoError(t, err)
		body := mdBody(t, assemble(t, tm, Sample(kind), meta, FormatMD))
		require.Equal(t, mdHTML(t, src), mdHTML(t, body), kind)
		require.Equal(t, strings.TrimSuffix(string(mdByRules(src)), "\n"), strings.TrimSuffix(string(body), "\n"), "%s: the rules alone", kind)
		require.Less(t, strings.Count(string(body), `\`), strings.Count(string(src), `\`), "%s: fewer escapes", kind)
	}
}
