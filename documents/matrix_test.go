package documents

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
)

const matrixName = "comment_response_matrix"

// matrixMultilingual are strings of the sample consultations that every
// format must carry through unchanged.
var matrixMultilingual = map[string][]string{
	KindActionPlan: {"Budapesti Vállalkozásfejlesztési Közalapítvány", "РАМ Стара планина", "Габрово", "Tørshavn", "Ærø",
		"€5 000", "€1 200", "Nagy Péter", msg("hu", "doc.plan.action", "Number", 1) + " – Kézműves vállalkozói mentorprogram: " + msg("hu", "doc.plan.players"),
		// the sample plan is Hungarian: its matrix's words and dates too
		msg("hu", "doc.response.partially_accepted"), "2019. március 12., 16:00 UTC " + msg("hu", "doc.matrix.closed_early")},
	KindPeerReview: {"РАМ Стара планина", "Регионална занаятчийска камара – Габрово", "€25 000", "Етър",
		"Recommendation 2 – Link the master–apprentice tradition to business mentoring", "1 without a response"},
}

// TestGoldenMatrix renders the comment-response matrix from each kind's
// sample in every format, like TestGoldenBuiltins.
func TestGoldenMatrix(t *testing.T) {
	t.Parallel()
	tm := builtin(t, matrixName)
	require.Equal(t, KindAny, tm.Kind)
	for _, kind := range []string{KindActionPlan, KindPeerReview} {
		for _, f := range []Format{FormatMD, FormatHTML, FormatPDF, FormatDOCX} {
			t.Run(kind+"/"+string(f), func(t *testing.T) {
				t.Parallel()
				out := assemble(t, tm, Sample(kind), SampleMeta(kind, true), f)
				name := matrixName + "." + kind
				switch f {
				case FormatMD, FormatHTML:
					golden(t, name+"."+string(f), out)
				case FormatPDF:
					golden(t, name+".pdf.txt", []byte(pdfToText(t, out)))
				case FormatDOCX:
					golden(t, name+".docx.xml", docxDocumentXML(t, out))
				}
				text := formatText(t, f, out)
				for _, s := range matrixMultilingual[kind] {
					require.Contains(t, text, s, "%s in %s", s, f)
				}
			})
		}
	}
}

// TestMatrixContents checks the matrix against its data rather than a
// golden file: order, numbering, counts, responses and replies.
func TestMatrixContents(t *testing.T) {
	t.Parallel()
	tm := builtin(t, matrixName)
	md := string(mdBody(t, assemble(t, tm, Sample(KindActionPlan), SampleMeta(KindActionPlan, false), FormatMD)))
	// The sample plan is Hungarian: its matrix's words and dates are too.
	const hu = "hu"
	comment := func(n int, stance string) string {
		return "### " + msg(hu, "doc.matrix.comment", "Number", n) + " – " + msg(hu, "doc.stance."+stance)
	}
	order := []string{"## " + msg(hu, "doc.matrix.consultation"),
		"- **" + msg(hu, "doc.matrix.closed") + "** 2019. március 12., 16:00 UTC " + msg(hu, "doc.matrix.closed_early"),
		"- **" + msg(hu, "doc.matrix.comments") + "** 4, " + msg(hu, "doc.matrix.with_replies", "Count", 1),
		"- **" + msg(hu, "doc.matrix.answered") + "** " + msg(hu, "doc.matrix.answered_of", "Answered", 4, "Comments", 4) + "\n",
		msg(hu, "doc.matrix.response_counts", "Accepted", 1, "Partial", 1, "Rejected", 1, "Noted", 1),
		"| 1 | " + msg(hu, "doc.section.general") + " |", "| 2 | " + msg(hu, "doc.plan.part2") + " |",
		"| " + msg(hu, "doc.stance.concern") + " | " + msg(hu, "doc.response.partially_accepted") + " |",
		"## " + msg(hu, "doc.section.general"), comment(1, "suggestion"),
		"**" + msg(hu, "doc.matrix.response") + " " + msg(hu, "doc.response.rejected") + "** — Kovács Erzsébet (partner)",
		"## " + msg(hu, "doc.plan.part2"), comment(2, "concern"), "· 2019. március 3., 14:05 UTC · " + msg(hu, "doc.matrix.edited"),
		" · " + msg(hu, "doc.matrix.carried_from", "Revision", 2),
		// Edited after its response: the response under the text it
		// answered, then the later text, marked.
		"**" + msg(hu, "doc.matrix.answered_text") + "**\n\n> A VEKOP-1.2.1 felhívás önrésze (€5 000) túl magas a kézműves mikrovállalkozásoknak.\n\n",
		"**" + msg(hu, "doc.matrix.response") + " " + msg(hu, "doc.response.partially_accepted") + "**",
		"**" + msg(hu, "doc.matrix.edited_after_response") + "**\n\n> A VEKOP-1.2.1 felhívás önrésze (€5 000) túl magas a kézműves mikrovállalkozásoknak.\\\nKérjük, ezt is említsék meg.",
		"**" + msg(hu, "doc.matrix.replies") + "**",
		"- **Kovács Erzsébet (partner)**, " + msg(hu, "doc.stance.question") + ", 2019. március 4., 08:00 UTC: Would €2 500 be within reach?",
		comment(3, "support"), comment(4, "question"), "**" + msg(hu, "doc.matrix.response") + " " + msg(hu, "doc.response.accepted") + "**"}
	at := 0
	for _, s := range order {
		i := strings.Index(md[at:], s)
		require.GreaterOrEqual(t, i, 0, "%q after offset %d in\n%s", s, at, md)
		at += i + len(s)
	}

	// The open peer review consultation: no closing time, one comment
	// without a response.
	md = string(mdBody(t, assemble(t, tm, Sample(KindPeerReview), SampleMeta(KindPeerReview, true), FormatMD)))
	require.Contains(t, md, "- **Closed:** *not yet: comments are taken until the deadline*\n")
	require.Contains(t, md, "| 2 | Recommendation 2 – Link the master–apprentice tradition to business mentoring | Design and Crafts Council Ireland (partner) | Suggestion | — |")
	require.Contains(t, md, "**Response:** *none yet.*")

	// No comments, and no consultation at all.
	md = string(mdBody(t, assemble(t, tm, sparseSample(KindActionPlan), SampleMeta(KindActionPlan, true), FormatMD)))
	require.Contains(t, md, "- **"+msg(hu, "doc.matrix.comments")+"** 0\n")
	require.Contains(t, md, "*"+msg(hu, "doc.matrix.no_comments")+"*")
	require.NotContains(t, md, "## "+msg(hu, "doc.matrix.overview"))
	none := Sample(KindPeerReview)
	delete(none, "consultation")
	md = string(mdBody(t, assemble(t, tm, none, SampleMeta(KindPeerReview, true), FormatMD)))
	require.Contains(t, md, "*No stakeholder consultation was held on this revision.*")
}

// TestActionPlanAnnexesTheMatrix: the action plan carries the matrix as an
// annex once the consultation is closed (approval requires that), and not
// while it is open or when there is none.
func TestActionPlanAnnexesTheMatrix(t *testing.T) {
	t.Parallel()
	tm := builtin(t, KindActionPlan)
	// The sample plan is Hungarian, and so is its annex.
	title, stamp := msg("hu", "doc.annex.matrix"), msg("hu", "doc.endorse.stamp")
	annex := "# " + title
	for _, f := range []Format{FormatMD, FormatPDF, FormatDOCX} {
		out := assemble(t, tm, Sample(KindActionPlan), SampleMeta(KindActionPlan, false), f)
		text := formatText(t, f, out)
		require.Contains(t, text, title, f)
		require.Contains(t, text, "Please add a fourth action on apprenticeships, as in Tørshavn and Ærø.", f)
		require.Contains(t, text, "VEKOP does not fund vocational training", f)
		// The annex comes after the plan's closing blocks.
		require.Greater(t, strings.LastIndex(text, title), strings.LastIndex(text, stamp), f)
	}
	// An English plan's, in English.
	en := Sample(KindActionPlan)
	en["content"].(map[string]any)["language"] = "en"
	enMeta := MetaFor(en, true, sampleCreated, tm.Version)
	require.Equal(t, "en", enMeta.Language)
	text := formatText(t, FormatMD, assemble(t, tm, en, enMeta, FormatMD))
	require.Greater(t, strings.LastIndex(text, "Annex – Comment-response matrix"), strings.LastIndex(text, "Stamp of the body"))
	require.Contains(t, text, "Closed: 12 March 2019, 16:00 UTC (closed early)")

	open := Sample(KindActionPlan)
	open["consultation"] = sampleConsultation(KindPeerReview) // no closed_at
	md := string(assemble(t, tm, open, SampleMeta(KindActionPlan, true), FormatMD))
	require.NotContains(t, md, annex)
	delete(open, "consultation")
	md = string(assemble(t, tm, open, SampleMeta(KindActionPlan, true), FormatMD))
	require.NotContains(t, md, annex)
	require.True(t, strings.HasSuffix(md, stamp+"\n"), "without a consultation the plan ends as before")
}

// hostileComment looks like HTML, script, template syntax, a heading, a
// javascript: link and a table: each must come out as these characters.
var hostileComment = []string{
	"<script>alert(1)</script>", "<b>x</b>", "{{ .secret }}", "# heading", "[link](javascript:alert(1))",
	"| a | b |", "|---|---|",
}

// hostileConsultation puts the hostile text into every user-written field
// the matrix prints: a section title, author names (also in table cells),
// a comment body, a response, a reply.
func hostileConsultation() map[string]any {
	body := strings.Join(hostileComment, "\n")
	at := time.Date(2019, 3, 2, 9, 0, 0, 0, time.UTC)
	pipe := ConsultationPerson{Name: "Pipe | Name <i>y</i>", Role: "stakeholder"}
	return decodeData(Consultation{Revision: 3, OpenedAt: at, Deadline: at.Add(time.Hour), ClosedAt: &at, ClosedReason: "early",
		Counts: ConsultationCounts{Comments: 1, Replies: 1, Answered: 1, Accepted: 1},
		Sections: []ConsultationSection{{Anchor: "part3.action.1", Title: "Action 1 – a | b <b>t</b>", Name: "a | b <b>t</b>", Comments: []ConsultationComment{{
			Number: 1, ID: "c1", Section: "part3.action.1", Author: pipe, Stance: "concern", Body: body, CreatedAt: at,
			Response: &ConsultationResponse{Status: "accepted", Body: "Reason: " + body, Author: pipe, At: at},
			Replies:  []ConsultationReply{{ID: "c2", Author: pipe, Stance: "question", Body: "Reply: " + body, CreatedAt: at}},
		}}}},
	})
}

// TestMatrixKeepsHostileCommentTextLiteral: comment text with HTML, script,
// template syntax, Markdown and pipes shows as text in every format, in
// the matrix document and in the action plan's annex.
func TestMatrixKeepsHostileCommentTextLiteral(t *testing.T) {
	t.Parallel()
	snap := Sample(KindActionPlan)
	snap["consultation"] = hostileConsultation()
	meta := SampleMeta(KindActionPlan, false)
	for _, name := range []string{matrixName, KindActionPlan} {
		tm := builtin(t, name)
		t.Run(name+"/md", func(t *testing.T) {
			t.Parallel()
			out := assemble(t, tm, snap, meta, FormatMD)
			body := mdBody(t, out)
			require.NotContains(t, string(body), "{{", "template syntax must not survive unescaped")
			root := Parse(body, Meta{}).Root
			tables, rows := 0, 0
			require.NoError(t, ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
				if !entering {
					return ast.WalkContinue, nil
				}
				switch n := n.(type) {
				case *ast.RawHTML, *ast.HTMLBlock, *ast.Link, *ast.AutoLink, *ast.Image:
					return ast.WalkStop, fmt.Errorf("the Markdown has a %s: %q", n.Kind(), Text(n, body))
				case *ast.Heading:
					if strings.Contains(Text(n, body), "heading") {
						return ast.WalkStop, fmt.Errorf("user text became a heading")
					}
				case *extast.Table:
					tables++
				case *extast.TableRow:
					// GFM cuts a row to the header's width, so a split
					// cell shows as a cell that lost its text.
					if first := n.FirstChild(); first != nil && Text(first, body) == "1" && n.ChildCount() == 5 {
						rows++
						section, author := n.FirstChild().NextSibling(), n.FirstChild().NextSibling().NextSibling()
						if got := mdUnescape(Text(section, body)); got != msg("hu", "doc.plan.action", "Number", 1)+" – a | b <b>t</b>" {
							return ast.WalkStop, fmt.Errorf("the section cell is %q", got)
						}
						if got := mdUnescape(Text(author, body)); got != "Pipe | Name <i>y</i> (stakeholder)" {
							return ast.WalkStop, fmt.Errorf("the author cell is %q", got)
						}
					}
				}
				return ast.WalkContinue, nil
			}))
			require.Equal(t, 1, rows, "the overview's row")
			wantTables := 1 // the overview; the body's table lines stay text
			if name == KindActionPlan {
				wantTables = 2 // and the plan's own table of actions
			}
			require.Equal(t, wantTables, tables)
			text := formatText(t, FormatMD, out)
			for _, s := range hostileComment {
				require.Contains(t, text, s)
			}
		})
		t.Run(name+"/html", func(t *testing.T) {
			t.Parallel()
			out := string(assemble(t, tm, snap, meta, FormatHTML))
			lower := strings.ToLower(out)
			for _, tag := range []string{"<script", "<b>", "<i>", `href="javascript`, "<h1 id=\"heading\"", "<td>a</td>"} {
				require.NotContains(t, lower, tag)
			}
			require.Contains(t, out, "&lt;script&gt;alert(1)&lt;/script&gt;")
			require.Contains(t, out, "<td>Pipe | Name &lt;i&gt;y&lt;/i&gt; (stakeholder)</td>")
			text := formatText(t, FormatHTML, []byte(out))
			for _, s := range hostileComment {
				require.Contains(t, text, s)
			}
		})
		for _, f := range []Format{FormatPDF, FormatDOCX} {
			t.Run(name+"/"+string(f), func(t *testing.T) {
				t.Parallel()
				out := assemble(t, tm, snap, meta, f)
				text := formatText(t, f, out)
				if f == FormatPDF {
					// pdftotext's default mode drops the spaces around a
					// narrow |; its raw mode keeps the text as written.
					text = flat(pdfRawText(t, out))
				}
				for _, s := range hostileComment {
					require.Contains(t, text, s)
					require.Contains(t, text, "Reason: "+hostileComment[0])
					require.Contains(t, text, "Reply: "+hostileComment[0])
				}
				require.Contains(t, text, "Pipe | Name <i>y</i> (stakeholder)")
				require.NotContains(t, text, `\<`, "Markdown escapes must not show")
				require.NotContains(t, text, `\|`, "Markdown escapes must not show")
			})
		}
	}
}

// mdUnescape undoes Markdown's backslash escapes, as a renderer would.
func mdUnescape(s string) string { return mdEscaped.ReplaceAllString(s, "$1") }

var mdEscaped = regexp.MustCompile("\\\\([!-/:-@\\[-`{-~])")

// pdfRawText extracts a PDF's text in content-stream order.
func pdfRawText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin := needTool(t, "pdftotext")
	file := filepath.Join(t.TempDir(), "doc.pdf")
	require.NoError(t, os.WriteFile(file, pdf, 0o600))
	out, err := exec.Command(bin, "-raw", "-enc", "UTF-8", file, "-").Output()
	require.NoError(t, err)
	return string(out)
}

func TestDateFormatsTimestampsInUTC(t *testing.T) {
	t.Parallel()
	tm := mustTemplate(t, `{{date "2 January 2006, 15:04 UTC" .t}}|{{date .t}}|{{date .d}}|{{date .x}}`)
	out, err := tm.Execute(map[string]any{"t": "2019-03-02T10:30:00+01:00", "d": "2019-03-02", "x": "soon"})
	require.NoError(t, err)
	require.Equal(t, "2 March 2019, 09:30 UTC|2019-03-02|2019-03-02|soon", string(out))
}

func TestWithConsultation(t *testing.T) {
	t.Parallel()
	at := time.Date(2019, 3, 2, 9, 0, 0, 0, time.UTC)
	out, err := WithConsultation([]byte(`{"kind":"peer_review","revision":2,"content":{"title":"T"}}`),
		Consultation{Revision: 2, OpenedAt: at, Deadline: at, Sections: []ConsultationSection{}})
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(out, &got))
	require.Equal(t, "peer_review", got["kind"])
	require.Equal(t, map[string]any{"title": "T"}, got["content"])
	c := got["consultation"].(map[string]any)
	require.Equal(t, "2019-03-02T09:00:00Z", c["opened_at"])
	require.Nil(t, c["closed_at"])
	require.Equal(t, []any{}, c["sections"])

	_, err = WithConsultation([]byte(`[1]`), Consultation{})
	require.Error(t, err)
}

func TestTemplateKinds(t *testing.T) {
	t.Parallel()
	require.True(t, Fits(KindAny, KindActionPlan))
	require.True(t, Fits(KindAny, KindPeerReview))
	require.True(t, Fits(KindActionPlan, KindActionPlan))
	require.False(t, Fits(KindActionPlan, KindPeerReview))
	// An uploaded template of kind any must render both kinds' samples.
	only := mustTemplateKind(t, KindAny, "# {{.content.recommendations}}\n")
	te := templateError(t, only.TestRender())
	require.Contains(t, te.Message, "the action_plan sample does not render")
}

func mustTemplateKind(t *testing.T, kind, src string) *Template {
	t.Helper()
	tm, err := NewTemplate("t", kind, []byte(src))
	require.NoError(t, err)
	return tm
}

// TestMatrixPDFAndDOCXAreValid: the matrix's PDF passes pdfcpu's
// validation and every part of its DOCX is well-formed XML, with the
// hostile consultation as well as the samples.
func TestMatrixPDFAndDOCXAreValid(t *testing.T) {
	t.Parallel()
	tm := builtin(t, matrixName)
	hostile := Sample(KindPeerReview)
	hostile["consultation"] = hostileConsultation()
	for name, snap := range map[string]map[string]any{"plan": Sample(KindActionPlan), "review": Sample(KindPeerReview), "hostile": hostile} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pdfValidate(t, assemble(t, tm, snap, SampleMeta(KindPeerReview, false), FormatPDF))
			pkg := docxUnzip(t, assemble(t, tm, snap, SampleMeta(KindPeerReview, true), FormatDOCX))
			require.Contains(t, pkg.names, "word/document.xml")
			for _, part := range pkg.names {
				docxWellFormed(t, part, pkg.parts[part])
			}
		})
	}
}

// BenchmarkMatrix renders the matrix of a large consultation (5,000
// answered comments in 20 sections) to each format.
func BenchmarkMatrix(b *testing.B) {
	at := time.Date(2019, 3, 2, 9, 0, 0, 0, time.UTC)
	c := Consultation{Revision: 3, OpenedAt: at, Deadline: at, ClosedAt: &at, Counts: ConsultationCounts{Comments: 5000, Answered: 5000, Accepted: 5000}}
	for s := range 20 {
		sec := ConsultationSection{Anchor: fmt.Sprint("s", s), Title: fmt.Sprint("Section ", s)}
		for i := range 250 {
			sec.Comments = append(sec.Comments, ConsultationComment{Number: s*250 + i + 1, ID: fmt.Sprint(s, "-", i),
				Author: ConsultationPerson{Name: "Nagy Péter", Role: "stakeholder"}, Stance: "concern",
				Body: strings.Repeat("Budapesti Vállalkozásfejlesztési Közalapítvány € ", 4), CreatedAt: at, Replies: []ConsultationReply{},
				Response: &ConsultationResponse{Status: "accepted", Body: "Included in the next revision.", At: at}})
		}
		c.Sections = append(c.Sections, sec)
	}
	snap := Sample(KindActionPlan)
	snap["consultation"] = decodeData(c)
	tm := builtin(b, matrixName)
	meta := SampleMeta(KindActionPlan, false)
	for _, f := range []Format{FormatMD, FormatHTML, FormatPDF, FormatDOCX} {
		b.Run(string(f), func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := Assemble(&buf, tm, snap, meta, f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "bytes/doc")
		})
	}
}

// TestMatrixReplyWithoutStance: a reply may have no stance; the matrix
// then names none (issue 21).
func TestMatrixReplyWithoutStance(t *testing.T) {
	t.Parallel()
	tm := builtin(t, matrixName)
	s := Sample(KindActionPlan)
	var dropStance func(v any)
	dropStance = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if rs, ok := v["replies"].([]any); ok {
				for _, r := range rs {
					r.(map[string]any)["stance"] = ""
				}
			}
			for _, x := range v {
				dropStance(x)
			}
		case []any:
			for _, x := range v {
				dropStance(x)
			}
		}
	}
	dropStance(s["consultation"])
	md := string(mdBody(t, assemble(t, tm, s, SampleMeta(KindActionPlan, false), FormatMD)))
	require.Contains(t, md, "- **Kovács Erzsébet (partner)**, 2019. március 4., 08:00 UTC: Would €2 500 be within reach?")
}

// TestMatrixChangedColumn: when the revision has a next one, the overview
// says for each comment whether its section changed there; without one,
// the column is not there.
func TestMatrixChangedColumn(t *testing.T) {
	t.Parallel()
	tm := builtin(t, matrixName)
	const hu = "hu"
	c := samplePlanConsultation()
	c.NextRevision = 2
	yes, no := true, false
	for i := range c.Sections {
		for j := range c.Sections[i].Comments {
			cm := &c.Sections[i].Comments[j]
			cm.NextRevision = 2
			cm.SectionChanged = &no
			if cm.Section == "part2.policy_context" {
				cm.SectionChanged = &yes
			}
		}
	}
	data := Sample(KindActionPlan)
	data["consultation"] = decodeData(c)
	md := string(mdBody(t, assemble(t, tm, data, SampleMeta(KindActionPlan, false), FormatMD)))
	require.Contains(t, md, "| "+msg(hu, "doc.col.response")+" | "+msg(hu, "doc.col.changed_in", "N", 2)+" |\n|---:|---|---|---|---|---|\n")
	require.Contains(t, md, "| 1 | "+msg(hu, "doc.section.general")+" |")
	rows := 0
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| "+msg(hu, "doc.col.no")) {
			continue
		}
		rows++
		want := msg(hu, "doc.matrix.changed_no")
		if strings.Contains(line, msg(hu, "doc.plan.part2")) {
			want = msg(hu, "doc.matrix.changed_yes")
		}
		require.True(t, strings.HasSuffix(line, " | "+want+" |"), line)
	}
	require.Equal(t, 4, rows)

	// The same consultation with no next revision: no column.
	md = string(mdBody(t, assemble(t, tm, Sample(KindActionPlan), SampleMeta(KindActionPlan, false), FormatMD)))
	require.NotContains(t, md, msg(hu, "doc.col.changed_in", "N", 2))
	require.Contains(t, md, "|---:|---|---|---|---|\n")
}
