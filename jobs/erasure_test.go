package jobs_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestErasureRendersDraftsAgain: a ready draft matrix that printed an
// erased person's name is rendered again under its id with the pseudonym,
// and the earlier file is removed; so is one when the project changes
// matrix_names.
func TestErasureRendersDraftsAgain(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, q, blobs := storeWithQueue(t, d, nil)
			plan := planIn(t, s)
			_, err := s.DB().ExecContext(ctx, `UPDATE projects SET matrix_names = 'names' WHERE id = $1`, plan.Plan.ProjectID)
			require.NoError(t, err)
			g := workflow.StakeholderGroup{ProjectID: plan.Plan.ProjectID, Name: "Grupo", PolicyInstrumentID: plan.Plan.PolicyInstrumentID}
			require.NoError(t, s.CreateStakeholderGroup(ctx, &g))
			tok, hash := workflow.NewToken()
			u := workflow.User{Email: "voz@example.org", Name: "Voz Secreta"}
			require.NoError(t, s.CreateUser(ctx, &u, hash, "test"))
			require.NoError(t, s.CreateMembership(ctx, &workflow.Membership{ProjectID: plan.Plan.ProjectID, UserID: u.ID,
				Role: workflow.RoleStakeholder, StakeholderGroupID: g.ID}))
			sh, err := s.Authenticate(ctx, workflow.HashToken(tok))
			require.NoError(t, err)
			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1,
				Trigger: workflow.TriggerSubmit, Principal: admin})
			require.NoError(t, err)
			_, err = s.AddComment(ctx, workflow.NewComment{Kind: plan.Kind, DeliverableID: plan.Plan.ID, Body: "Una observación", Principal: sh})
			require.NoError(t, err)
			var version string
			builtins, err := documents.Builtins()
			require.NoError(t, err)
			for _, b := range builtins {
				if b.Name == "comment_response_matrix" {
					version = b.Version
				}
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

			doc, _, err := s.RequestDocument(ctx, workflow.DocumentRequest{Kind: plan.Kind, DeliverableID: plan.Plan.ID,
				Format: "md", Template: "comment_response_matrix", TemplateVersion: version, Principal: admin})
			require.NoError(t, err)
			first, text := ready(doc.ID)
			require.Contains(t, text, "Voz Secreta")

			erased, err := s.EraseUser(ctx, u.ID)
			require.NoError(t, err)
			second, text := ready(doc.ID)
			require.NotContains(t, text, "Voz Secreta")
			require.Contains(t, text, erased.Name)
			require.Contains(t, text, "Una observación")
			require.NotEqual(t, first.ObjectKey, second.ObjectKey)
			require.Eventually(t, func() bool {
				_, err := blobs.Stat(ctx, first.ObjectKey)
				return errors.Is(err, documents.ErrNotFound)
			}, 10*time.Second, 50*time.Millisecond, "the earlier rendering is removed")

			// The project turns to organisations: the draft follows.
			_, err = s.SetMatrixNames(ctx, plan.Plan.ProjectID, workflow.MatrixOrganisations)
			require.NoError(t, err)
			_, text = ready(doc.ID)
			require.NotContains(t, text, erased.Name)
			require.Contains(t, text, "Grupo (stakeholder)")
		})
	}
}

// TestErasureCancelsQueuedMail: a message queued to an erased person's
// address is cancelled with the erasure; others' stay queued.
func TestErasureCancelsQueuedMail(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, q, _ := storeWithQueue(t, d, nil)
			u := workflow.User{Email: "gone@example.org", Name: "Gone"}
			_, hash := workflow.NewToken()
			require.NoError(t, s.CreateUser(ctx, &u, hash, "test"))
			tx, err := s.DB().BeginTx(ctx, nil)
			require.NoError(t, err)
			for _, to := range []string{"gone@example.org", "stays@example.org"} {
				require.NoError(t, q.EnqueueMail(ctx, tx, workflow.Mail{To: to, Subject: "Reminder", Body: "Hello"}))
			}
			require.NoError(t, tx.Commit())

			_, err = s.EraseUser(ctx, u.ID)
			require.NoError(t, err)
			rows, err := s.DB().QueryContext(ctx, `SELECT state, args FROM river_job WHERE kind = 'send_mail'`)
			require.NoError(t, err)
			defer rows.Close()
			states := map[string]string{}
			for rows.Next() {
				var state string
				var args []byte
				require.NoError(t, rows.Scan(&state, &args))
				if strings.Contains(string(args), "gone@example.org") {
					states["gone"] = state
				} else {
					states["stays"] = state
				}
			}
			require.NoError(t, rows.Err())
			require.Equal(t, map[string]string{"gone": "cancelled", "stays": "available"}, states)
		})
	}
}
