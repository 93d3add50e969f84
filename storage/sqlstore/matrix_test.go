package sqlstore_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// matrixHostile is comment text that looks like HTML, script, template
// syntax, a heading, a javascript: link and a table row.
const matrixHostile = "<script>alert(1)</script> <b>x</b> {{ .secret }}\n# heading\n[link](javascript:alert(1)) | a | b |"

// matrixFixture is a submitted action plan with a closed consultation and
// comment rows written with SQL, as the consultation store writes them.
type matrixFixture struct {
	plan                 workflow.Deliverable
	stakeholder, partner workflow.User
	coordinator          workflow.User
	at                   time.Time // the consultation opened
}

func matrixUser(t *testing.T, s *sqlstore.Store, email, name string) workflow.User {
	t.Helper()
	u := workflow.User{Email: email, Name: name}
	_, hash := workflow.NewToken()
	require.NoError(t, s.CreateUser(ctx, &u, hash, "test"))
	return u
}

func newMatrixFixture(t *testing.T, s *sqlstore.Store) matrixFixture {
	t.Helper()
	d := seed(t, s, "MATRIX")
	f := matrixFixture{at: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	f.stakeholder = matrixUser(t, s, "sh@matrix.example", "Nagy Péter")
	f.partner = matrixUser(t, s, "p@matrix.example", "Kovács Erzsébet")
	f.coordinator = matrixUser(t, s, "c@matrix.example", "РАМ Стара планина")
	for _, m := range []workflow.Membership{
		{ProjectID: d.project.ID, UserID: f.stakeholder.ID, Role: workflow.RoleStakeholder, StakeholderGroupID: d.group.ID},
		{ProjectID: d.project.ID, UserID: f.partner.ID, Role: workflow.RolePartner, PartnerID: d.partner.ID},
		{ProjectID: d.project.ID, UserID: f.coordinator.ID, Role: workflow.RoleCoordinator},
	} {
		require.NoError(t, s.CreateMembership(ctx, &m))
	}
	start, end := workflow.MustDate("2026-09-01"), workflow.MustDate("2027-06-30")
	f.plan = workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: d.project.ID,
		PartnerID: d.partner.ID, PolicyInstrumentID: d.instrument.ID, Title: "Cselekvési terv", Language: "en",
		PolicyContext: "VEKOP, €5 000 own contribution",
		Actions: []workflow.PlanAction{{Number: 1, Title: "Mentor | programme", Description: "d", Players: "Budapesti Vállalkozásfejlesztési Közalapítvány",
			TimeframeStart: &start, TimeframeEnd: &end}}}}
	require.NoError(t, s.CreateDeliverable(ctx, &f.plan))
	admin := workflow.Principal{User: workflow.User{ID: workflow.NewID(), Admin: true}}
	_, _, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: f.plan.Kind, ID: f.plan.Plan.ID, Version: 1,
		Trigger: workflow.TriggerSubmit, Principal: admin})
	require.NoError(t, err)

	// Submit may already open the consultation (once the consultation
	// store does); either way, this window is the one under test.
	db := s.DB()
	_, err = db.ExecContext(ctx, `INSERT INTO consultations (deliverable_id, revision, project_id, opened_at, deadline)
		VALUES ($1, 1, $2, $3, $4) ON CONFLICT DO NOTHING`, f.plan.Plan.ID, d.project.ID, f.at, f.at.Add(14*24*time.Hour))
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `UPDATE consultations SET opened_at = $1, deadline = $2, closed_at = $3, closed_by = $4,
		closed_reason = 'early' WHERE deliverable_id = $5 AND revision = 1`,
		f.at, f.at.Add(14*24*time.Hour), f.at.Add(10*24*time.Hour), f.coordinator.ID, f.plan.Plan.ID)
	require.NoError(t, err)
	return f
}

// comment is one row of the comments table.
type comment struct {
	id, section, parent, thread, stance, body string
	author                                    workflow.User
	role                                      workflow.Role
	edited, deleted, hidden                   bool
	status, reason                            string
	answered                                  string // the text the response answered, when not body
	by                                        workflow.User
	created                                   time.Duration // after the opening
}

func (f matrixFixture) insert(t *testing.T, s *sqlstore.Store, c comment) {
	t.Helper()
	if c.thread == "" {
		c.thread = c.id
	}
	// The consultation store raises the version on every change, a
	// response included; only an edit moves updated_at.
	version := 1
	var parent, responseAt any
	if c.parent != "" {
		parent = c.parent
	}
	if c.status != "" {
		responseAt = f.at.Add(12 * 24 * time.Hour)
		version++
		if c.answered == "" {
			c.answered = c.body
		}
	}
	created := f.at.Add(c.created)
	updated := created
	if c.edited {
		updated = created.Add(30 * time.Minute)
	}
	_, err := s.DB().ExecContext(ctx, `INSERT INTO comments (id, deliverable_id, revision, project_id, section, parent_id, thread_id,
		stance, body, author_id, author_role, version, deleted, hidden, hidden_reason, response_status, response_body, response_by,
		response_at, created_at, updated_at, answered_body)
		VALUES ($1, $2, 1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		c.id, f.plan.Plan.ID, f.plan.Plan.ProjectID, c.section, parent, c.thread, c.stance, c.body, c.author.ID, string(c.role),
		version, c.deleted, c.hidden, map[bool]string{true: "off topic"}[c.hidden], c.status, c.reason, c.by.ID, responseAt, created, updated,
		c.answered)
	require.NoError(t, err)
}

// seedComments writes a consultation's worth of rows: top-level comments
// in three sections, written out of reading order, a reply, and a hidden
// reply, a hidden thread and a deleted comment that must not show.
func (f matrixFixture) seedComments(t *testing.T, s *sqlstore.Store) {
	t.Helper()
	h := time.Hour
	for _, c := range []comment{
		{id: "c-players", section: "part3.action.1.players", stance: "support", body: "We will mentor in Габрово.",
			author: f.stakeholder, role: workflow.RoleStakeholder, status: "noted", reason: "Thank you.", by: f.coordinator, created: 1 * h},
		{id: "c-context", section: "part2.policy_context", stance: "concern", body: matrixHostile, edited: true,
			author: f.stakeholder, role: workflow.RoleStakeholder, status: "partially_accepted", reason: "Reason: " + matrixHostile,
			by: f.partner, created: 2 * h},
		{id: "c-general", section: "general", stance: "suggestion", body: "Add Tørshavn and Ærø.",
			author: f.stakeholder, role: workflow.RoleStakeholder, created: 3 * h},
		{id: "c-context-2", section: "part2.policy_context", stance: "question", body: "Is €5 000 the cap?", edited: true, answered: "Is €4 000 the cap?",
			author: f.coordinator, role: workflow.RoleCoordinator, status: "accepted", reason: "Yes.", by: f.partner, created: 4 * h},
		{id: "r-context", section: "part2.policy_context", parent: "c-context", thread: "c-context", stance: "question",
			body: "Would €2 500 do?", author: f.partner, role: workflow.RolePartner, created: 5 * h},
		{id: "r-hidden", section: "part2.policy_context", parent: "c-context", thread: "c-context", stance: "concern",
			body: "HIDDEN REPLY", author: f.stakeholder, role: workflow.RoleStakeholder, hidden: true, created: 6 * h},
		{id: "c-hidden", section: "general", stance: "concern", body: "HIDDEN COMMENT", author: f.stakeholder,
			role: workflow.RoleStakeholder, hidden: true, created: 7 * h},
		{id: "r-under-hidden", section: "general", parent: "c-hidden", thread: "c-hidden", stance: "support",
			body: "REPLY UNDER HIDDEN", author: f.partner, role: workflow.RolePartner, created: 8 * h},
		{id: "c-deleted", section: "general", stance: "concern", body: "DELETED COMMENT", author: f.stakeholder,
			role: workflow.RoleStakeholder, deleted: true, created: 9 * h},
	} {
		f.insert(t, s, c)
	}
}

func TestConsultationMatrix(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			f := newMatrixFixture(t, s)
			f.seedComments(t, s)

			_, snap, _, err := renderInputFor(t, s, f, "comment_response_matrix", "md")
			require.NoError(t, err)
			var data struct {
				Consultation documents.Consultation `json:"consultation"`
			}
			require.NoError(t, json.Unmarshal(snap, &data))
			c := data.Consultation
			require.Equal(t, 1, c.Revision)
			require.Equal(t, f.at, c.OpenedAt)
			require.Equal(t, f.at.Add(14*24*time.Hour), c.Deadline)
			require.NotNil(t, c.ClosedAt)
			require.Equal(t, f.at.Add(10*24*time.Hour), *c.ClosedAt)
			require.Equal(t, "early", c.ClosedReason)
			require.Equal(t, documents.ConsultationCounts{Comments: 4, Replies: 1, Answered: 3, Unanswered: 1,
				Accepted: 1, PartiallyAccepted: 1, Noted: 1}, c.Counts)

			// The revision's reading order, not the order of writing.
			type line struct {
				Anchor, Title string
				IDs           []string
				Numbers       []int
			}
			var got []line
			for _, sec := range c.Sections {
				l := line{Anchor: sec.Anchor, Title: sec.Title}
				for _, cm := range sec.Comments {
					l.IDs, l.Numbers = append(l.IDs, cm.ID), append(l.Numbers, cm.Number)
				}
				got = append(got, l)
			}
			require.Equal(t, []line{
				{"general", "The document as a whole", []string{"c-general"}, []int{1}},
				{"part2.policy_context", "Part II – Policy context", []string{"c-context", "c-context-2"}, []int{2, 3}},
				{"part3.action.1.players", "Action 1 – Mentor | programme: players involved", []string{"c-players"}, []int{4}},
			}, got)

			context := c.Sections[1].Comments[0]
			// The project did not choose names: a stakeholder is shown by its group.
			require.Equal(t, matrixHostile, context.Body)
			require.Equal(t, documents.ConsultationPerson{Name: "Érintettek", Role: "stakeholder"}, context.Author)
			require.True(t, context.Edited)
			require.Equal(t, f.at.Add(2*time.Hour), context.CreatedAt)
			require.Equal(t, &documents.ConsultationResponse{Status: "partially_accepted", Body: "Reason: " + matrixHostile,
				Author: documents.ConsultationPerson{Name: "Kovács Erzsébet", Role: "partner"}, At: f.at.Add(12 * 24 * time.Hour),
				AnsweredBody: matrixHostile}, context.Response)
			require.False(t, context.EditedAfterResponse, "edited before its response")
			// Edited after its response: the response stays on the text it answered.
			later := c.Sections[1].Comments[1]
			require.True(t, later.EditedAfterResponse)
			require.Equal(t, "Is €5 000 the cap?", later.Body)
			require.Equal(t, "Is €4 000 the cap?", later.Response.AnsweredBody)
			require.Len(t, context.Replies, 1, "the hidden reply is left out")
			require.Equal(t, "Would €2 500 do?", context.Replies[0].Body)
			require.Equal(t, "partner", context.Replies[0].Author.Role)
			require.Nil(t, c.Sections[0].Comments[0].Response)
			require.Equal(t, "coordinator", c.Sections[2].Comments[0].Response.Author.Role)
			require.False(t, c.Sections[2].Comments[0].Edited, "a response raises the version but is no edit")
			require.NotContains(t, string(snap), "HIDDEN")
			require.NotContains(t, string(snap), "DELETED")
			require.NotContains(t, string(snap), "REPLY UNDER HIDDEN")

			// A revision without a consultation gets no key.
			_, ok, err := s.ConsultationMatrix(ctx, f.plan.Plan.ID, 2, snap)
			require.NoError(t, err)
			require.False(t, ok)
		})
	}
}

// TestConsultationMatrixRenders renders what the render job renders, from
// the store's input, in every format: the matrix, and the action plan with
// its annex.
func TestConsultationMatrixRenders(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			f := newMatrixFixture(t, s)
			f.seedComments(t, s)
			for _, name := range []string{"comment_response_matrix", "action_plan"} {
				for _, format := range []string{"md", "html", "docx"} {
					tmpl, snap, created, err := renderInputFor(t, s, f, name, format)
					require.NoError(t, err)
					var snapshot map[string]any
					dec := json.NewDecoder(bytes.NewReader(snap))
					dec.UseNumber()
					require.NoError(t, dec.Decode(&snapshot))
					var out bytes.Buffer
					require.NoError(t, documents.Assemble(&out, tmpl, snapshot, documents.MetaFor(snapshot, false, created, tmpl.Version),
						documents.Format(format)))
					text := out.String()
					switch format {
					case "md":
						for _, want := range []string{"**From:** Érintettek (stakeholder)", "### Comment 2 – Concern",
							"**Response: Partially accepted** — Kovács Erzsébet (partner)", "- **Comments:** 4, with 1 reply",
							"- **Answered:** 3 of 4; 1 without a response", "## Action 1 – Mentor | programme: Players involved",
							"| 4 | Action 1 – Mentor \\| programme: Players involved | Érintettek (stakeholder) | Support | Noted |",
							`\<script>alert(1)\</script> \<b>x\</b> \{\{ .secret \}\}\` + "\n" + `\# heading\`,
							"Would €2 500 do?", "Add Tørshavn and Ærø.", "We will mentor in Габрово."} {
							require.Contains(t, text, want, "%s.%s", name, format)
						}
						if name == "action_plan" {
							require.Contains(t, text, "# Annex – Comment-response matrix")
						}
					case "html":
						require.NotContains(t, strings.ToLower(text), "<script")
						require.NotContains(t, text, "<b>x</b>")
						require.Contains(t, text, "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;x&lt;/b&gt; {{ .secret }}")
					}
					for _, hidden := range []string{"HIDDEN", "DELETED"} {
						require.NotContains(t, text, hidden, "%s.%s", name, format)
					}
				}
			}
		})
	}
}

// renderInputFor requests a document of the plan's revision and reads the
// render job's input for it.
func renderInputFor(t *testing.T, s *sqlstore.Store, f matrixFixture, name, format string) (*documents.Template, []byte, time.Time, error) {
	t.Helper()
	builtins, err := documents.Builtins()
	require.NoError(t, err)
	var tmpl *documents.Template
	for _, b := range builtins {
		if b.Name == name {
			tmpl = b
		}
	}
	require.NotNil(t, tmpl, name)
	doc, _, err := s.RequestDocument(ctx, workflow.DocumentRequest{Kind: f.plan.Kind, DeliverableID: f.plan.Plan.ID, Format: format,
		Template: tmpl.Name, TemplateVersion: tmpl.Version, Principal: workflow.Principal{User: f.coordinator,
			Memberships: []workflow.Membership{{ProjectID: f.plan.Plan.ProjectID, UserID: f.coordinator.ID, Role: workflow.RoleCoordinator}}}})
	require.NoError(t, err)
	_, snap, created, err := s.RenderInput(ctx, doc.ID)
	return tmpl, snap, created, err
}
