package jobs_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestApprovedPlanCarriesTheMatrix: after a consultation with comments,
// approve queues the plan's PDF and DOCX, and the worker renders them with
// the comment-response matrix annexed; hidden comments stay out.
func TestApprovedPlanCarriesTheMatrix(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, q, blobs := storeWithQueue(t, d, nil)
			var err error
			require.NoError(t, s.UseBuiltinApprovalTemplates())
			plan := planIn(t, s)
			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1,
				Trigger: workflow.TriggerSubmit, Principal: admin})
			require.NoError(t, err)

			// The consultation, closed, with one visible and one hidden
			// comment, written as the consultation store writes them.
			u := workflow.User{Email: "sh@jobs.example", Name: "Ærø Håndværk"}
			_, hash := workflow.NewToken()
			require.NoError(t, s.CreateUser(ctx, &u, hash, "test"))
			at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			db := s.DB()
			// The project prints stakeholders' names (by default, their organisation).
			_, err = db.ExecContext(ctx, `UPDATE projects SET matrix_names = 'names' WHERE id = $1`, plan.Plan.ProjectID)
			require.NoError(t, err)
			_, err = db.ExecContext(ctx, `INSERT INTO consultations (deliverable_id, revision, project_id, opened_at, deadline)
				VALUES ($1, 1, $2, $3, $3) ON CONFLICT DO NOTHING`, plan.Plan.ID, plan.Plan.ProjectID, at)
			require.NoError(t, err)
			_, err = db.ExecContext(ctx, `UPDATE consultations SET closed_at = $1, closed_reason = 'deadline'
				WHERE deliverable_id = $2 AND revision = 1`, at, plan.Plan.ID)
			require.NoError(t, err)
			for _, c := range []struct {
				id, body, status string
				hidden           bool
			}{{"c1", "Más formación <b>dual</b>, €3 000", "accepted", false}, {"c2", "HIDDEN", "", true}} {
				_, err = db.ExecContext(ctx, `INSERT INTO comments (id, deliverable_id, revision, project_id, section, thread_id, stance,
					body, author_id, author_role, hidden, response_status, response_body, response_by, response_at, created_at, updated_at)
					VALUES ($1, $2, 1, $3, 'part2.policy_context', $1, 'suggestion', $4, $5, 'stakeholder', $6, $7, 'Incluido.', $8, $9, $9, $9)`,
					c.id, plan.Plan.ID, plan.Plan.ProjectID, c.body, u.ID, c.hidden, c.status, admin.User.ID, at)
				require.NoError(t, err)
			}

			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 2,
				Trigger: workflow.TriggerApprove, Principal: admin})
			require.NoError(t, err)
			docs, _, err := s.ListDocuments(ctx, plan.Plan.ID, workflow.Page{Limit: 10})
			require.NoError(t, err)
			require.Len(t, docs, 2)

			runCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			require.NoError(t, q.Start(runCtx))
			defer func() { _ = q.Stop(context.Background()) }()
			for _, doc := range docs {
				if doc.Format != "docx" {
					continue
				}
				require.Eventually(t, func() bool {
					got, err := s.Document(ctx, doc.ID)
					require.NoError(t, err)
					require.NotEqual(t, workflow.DocumentFailed, got.Status, got.Error)
					return got.Status == workflow.DocumentReady
				}, 60*time.Second, 50*time.Millisecond)
				got, err := s.Document(ctx, doc.ID)
				require.NoError(t, err)
				// dates keep their words together with no-break spaces
				xml := strings.ReplaceAll(docxXML(t, blobs, got.ObjectKey), "\u00a0", " ")
				// The plan is Spanish: so are the annex's words and dates.
				es := locale.MustLoad().Match("es")
				for _, want := range []string{es.MustT("doc.annex.matrix"), "Ærø Håndværk (stakeholder)",
					"Más formación &lt;b&gt;dual&lt;/b&gt;, €3 000", es.MustT("doc.matrix.response") + " " + es.MustT("doc.response.accepted"),
					"Incluido.", "2 de marzo de 2026, 09:00 UTC"} {
					require.Contains(t, xml, want)
				}
				require.NotContains(t, xml, "HIDDEN")
				return
			}
			t.Fatal("approve queued no DOCX")
		})
	}
}

// docxXML reads word/document.xml of a stored DOCX.
func docxXML(t *testing.T, blobs documents.BlobStore, key string) string {
	t.Helper()
	b, err := blobs.Open(context.Background(), key)
	require.NoError(t, err)
	defer b.Close()
	raw, err := io.ReadAll(b)
	require.NoError(t, err)
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err)
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			rc, err := f.Open()
			require.NoError(t, err)
			defer rc.Close()
			x, err := io.ReadAll(rc)
			require.NoError(t, err)
			return string(x)
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}

// TestDraftMatrixFollowsTheConsultation: a draft comment-response matrix
// asked for again after a new comment is rendered again, under its id,
// and its earlier object goes; asked for again without a change, it is
// the same document.
func TestDraftMatrixFollowsTheConsultation(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, q, blobs := storeWithQueue(t, d, nil)
			var err error
			plan := planIn(t, s)
			g := workflow.StakeholderGroup{ProjectID: plan.Plan.ProjectID, Name: "Grupo", PolicyInstrumentID: plan.Plan.PolicyInstrumentID}
			require.NoError(t, s.CreateStakeholderGroup(ctx, &g))
			tok, hash := workflow.NewToken()
			u := workflow.User{Email: "voz@example.org", Name: "Voz"}
			require.NoError(t, s.CreateUser(ctx, &u, hash, "test"))
			require.NoError(t, s.CreateMembership(ctx, &workflow.Membership{ProjectID: plan.Plan.ProjectID, UserID: u.ID,
				Role: workflow.RoleStakeholder, StakeholderGroupID: g.ID}))
			sh, err := s.Authenticate(ctx, workflow.HashToken(tok))
			require.NoError(t, err)
			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1,
				Trigger: workflow.TriggerSubmit, Principal: admin})
			require.NoError(t, err)
			comment := func(body string) {
				_, err := s.AddComment(ctx, workflow.NewComment{Kind: plan.Kind, DeliverableID: plan.Plan.ID, Body: body, Principal: sh})
				require.NoError(t, err)
			}
			var version string
			builtins, err := documents.Builtins()
			require.NoError(t, err)
			for _, b := range builtins {
				if b.Name == "comment_response_matrix" {
					version = b.Version
				}
			}
			request := func() (workflow.Document, bool) {
				doc, created, err := s.RequestDocument(ctx, workflow.DocumentRequest{Kind: plan.Kind, DeliverableID: plan.Plan.ID,
					Format: "md", Template: "comment_response_matrix", TemplateVersion: version, Principal: admin})
				require.NoError(t, err)
				return doc, created
			}
			ready := func(id string) (workflow.Document, string) {
				require.Eventually(t, func() bool {
					got, err := s.Document(ctx, id)
					require.NoError(t, err)
					require.NotEqual(t, workflow.DocumentFailed, got.Status, got.Error)
					return got.Status == workflow.DocumentReady
				}, 60*time.Second, 50*time.Millisecond)
				got, err := s.Document(ctx, id)
				require.NoError(t, err)
				b, err := blobs.Open(ctx, got.ObjectKey)
				require.NoError(t, err)
				defer b.Close()
				raw, err := io.ReadAll(b)
				require.NoError(t, err)
				return got, string(raw)
			}
			runCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			require.NoError(t, q.Start(runCtx))
			defer func() { _ = q.Stop(context.Background()) }()

			comment("Primera observación")
			first, created := request()
			require.True(t, created)
			first, text := ready(first.ID)
			require.Contains(t, text, "Primera observación")

			again, created := request()
			require.False(t, created, "nothing changed: the same document")
			require.Equal(t, first.ID, again.ID)
			require.Equal(t, workflow.DocumentReady, again.Status)

			comment("Segunda observación")
			again, created = request()
			require.True(t, created, "a comment since: rendered again")
			require.Equal(t, first.ID, again.ID, "under its own id")
			require.Equal(t, workflow.DocumentPending, again.Status)
			second, text := ready(first.ID)
			require.Contains(t, text, "Primera observación")
			require.Contains(t, text, "Segunda observación")
			require.NotEqual(t, first.ObjectKey, second.ObjectKey)
			require.Eventually(t, func() bool {
				_, err := blobs.Stat(ctx, first.ObjectKey)
				return errors.Is(err, documents.ErrNotFound)
			}, 10*time.Second, 50*time.Millisecond, "the earlier rendering is removed")
		})
	}
}
