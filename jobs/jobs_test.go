package jobs_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/jobs"
	"github.com/craftscode/craftscode/storage/blobstore"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// planIn makes a project with a complete draft action plan.
func planIn(t *testing.T, s *sqlstore.Store) workflow.Deliverable {
	ctx := context.Background()
	pr := workflow.Project{Acronym: "JOBS", Title: "Jobs"}
	require.NoError(t, s.CreateProject(ctx, &pr))
	pa := workflow.Partner{ProjectID: pr.ID, Name: "FUNDESARTE", Country: "ES", Role: workflow.PartnerPartner}
	require.NoError(t, s.CreatePartner(ctx, &pa))
	pi := workflow.PolicyInstrument{ProjectID: pr.ID, Name: "FEDER Madrid", Type: workflow.InstrumentGrowthAndJobs, PartnerIDs: []string{pa.ID}}
	require.NoError(t, s.CreatePolicyInstrument(ctx, &pi))
	start, end := workflow.MustDate("2019-01-01"), workflow.MustDate("2019-12-31")
	d := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: pr.ID, PartnerID: pa.ID,
		PolicyInstrumentID: pi.ID, Title: "Plan de acción", Language: "es", SummaryEN: "Plan",
		Actions: []workflow.PlanAction{{Title: "Formación", Description: "d", Players: "p", TimeframeStart: &start, TimeframeEnd: &end}}}}
	require.NoError(t, s.CreateDeliverable(ctx, &d))
	return d
}

func countJobs(t *testing.T, s *sqlstore.Store) int {
	var n int
	require.NoError(t, s.DB().QueryRow("SELECT count(*) FROM river_job WHERE kind = 'render_document'").Scan(&n))
	return n
}

// storeWithQueue is a fresh store on dialect d with a job queue on it (not
// started) whose render worker stores documents in a folder; more adds
// workers.
func storeWithQueue(t *testing.T, d sqlstore.Dialect, more func(s *sqlstore.Store, w *jobs.Workers)) (*sqlstore.Store, *jobs.Queue, documents.BlobStore) {
	s := sqlstoretest.New(t, d)
	require.NoError(t, jobs.Migrate(context.Background(), s.DB(), jobs.Dialect(d)))
	blobs, err := blobstore.NewFS(t.TempDir())
	require.NoError(t, err)
	w := &jobs.Workers{Documents: s, Blobs: blobs}
	if more != nil {
		more(s, w)
	}
	q, err := jobs.New(s.DB(), jobs.Dialect(d), slog.New(slog.DiscardHandler), w)
	require.NoError(t, err)
	s.SetJobQueue(q)
	return s, q, blobs
}

var admin = workflow.Principal{User: workflow.User{ID: workflow.NewID(), Admin: true}}

func TestTransitionsEnqueueInTheirTransaction(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, q, blobs := storeWithQueue(t, d, nil)
			var err error
			require.NoError(t, s.UseBuiltinApprovalTemplates())
			plan := planIn(t, s)

			// A refused transition commits nothing, so it queues nothing.
			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 9, Trigger: workflow.TriggerSubmit, Principal: admin})
			require.Equal(t, workflow.CodePreconditionFailed, workflow.ErrorCode(err))
			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1, Trigger: workflow.TriggerApprove, Principal: admin})
			require.Equal(t, workflow.CodeConflict, workflow.ErrorCode(err))
			require.Zero(t, countJobs(t, s))

			out, rec, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1, Trigger: workflow.TriggerSubmit, Principal: admin})
			require.NoError(t, err)
			require.Equal(t, workflow.StateStakeholderReview, out.Head().State)
			require.Equal(t, 2, rec.Version)
			require.Zero(t, countJobs(t, s), "submit renders nothing")
			var queued int
			require.NoError(t, s.DB().QueryRow("SELECT count(*) FROM river_job").Scan(&queued))
			require.Zero(t, queued, "submit queues no job: the sweep reads the consultation row")
			// The sweep finds the consultation when its reminder, then its
			// deadline (the default 14 days) comes.
			cs, err := s.Consultation(ctx, plan.Kind, plan.Plan.ID, 1, admin)
			require.NoError(t, err)
			for _, c := range []struct {
				at   time.Time
				want []sqlstore.DueConsultation
			}{
				{cs.Deadline.Add(-49 * time.Hour), nil},
				{cs.Deadline.Add(-48 * time.Hour), []sqlstore.DueConsultation{{DeliverableID: plan.Plan.ID, Revision: 1}}},
				{cs.Deadline, []sqlstore.DueConsultation{{DeliverableID: plan.Plan.ID, Revision: 1, Close: true}}},
			} {
				due, err := s.DueConsultations(ctx, c.at)
				require.NoError(t, err)
				require.Equal(t, c.want, due, "at %s", c.at)
			}
			// approve waits for the consultation: close it early.
			_, err = s.CloseConsultation(ctx, plan.Kind, plan.Plan.ID, admin)
			require.NoError(t, err)
			due, err := s.DueConsultations(ctx, cs.Deadline)
			require.NoError(t, err)
			require.Empty(t, due, "a closed consultation is not swept")

			// approve asks for the approved PDF and DOCX: two documents, two jobs.
			out, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 2, Trigger: workflow.TriggerApprove, Principal: admin})
			require.NoError(t, err)
			require.Equal(t, workflow.StateApproved, out.Head().State)
			require.Equal(t, 2, countJobs(t, s))
			docs, _, err := s.ListDocuments(ctx, plan.Plan.ID, workflow.Page{Limit: 10})
			require.NoError(t, err)
			require.Len(t, docs, 2)

			// The worker renders and stores them.
			runCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			require.NoError(t, q.Start(runCtx))
			defer func() { _ = q.Stop(context.Background()) }()
			for _, doc := range docs {
				require.Eventually(t, func() bool {
					got, err := s.Document(ctx, doc.ID)
					require.NoError(t, err)
					require.NotEqual(t, workflow.DocumentFailed, got.Status, got.Error)
					return got.Status == workflow.DocumentReady
				}, 60*time.Second, 50*time.Millisecond)
				got, err := s.Document(ctx, doc.ID)
				require.NoError(t, err)
				require.True(t, got.Approved)
				info, err := blobs.Stat(ctx, got.ObjectKey)
				require.NoError(t, err)
				require.Equal(t, got.SHA256, info.SHA256, "the stored object is what the row says")
				require.Equal(t, got.Size, info.Size)
				require.True(t, strings.HasSuffix(got.ObjectKey, got.SHA256+"."+got.Format), got.ObjectKey)
			}
		})
	}
}
