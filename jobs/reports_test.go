package jobs_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/jobs"
	"github.com/craftscode/craftscode/storage/blobstore"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// monitoredPlanIn walks planIn's plan to monitored in a project whose
// phase 2 runs from April 2019 to March 2021.
func monitoredPlanIn(t *testing.T, s *sqlstore.Store) workflow.Deliverable {
	ctx := context.Background()
	plan := planIn(t, s)
	_, err := s.DB().ExecContext(ctx, "UPDATE projects SET phase1_end = $1, phase2_end = $2 WHERE id = $3",
		workflow.MustDate("2019-03-31"), workflow.MustDate("2021-03-31"), plan.Plan.ProjectID)
	require.NoError(t, err)
	past := time.Now().Add(time.Second)
	for v, tr := range []workflow.Trigger{workflow.TriggerSubmit, workflow.TriggerApprove, workflow.TriggerStartMonitoring} {
		if tr == workflow.TriggerApprove {
			// The consultation must be over before the approve.
			_, err := s.CloseConsultation(ctx, plan.Kind, plan.Plan.ID, admin)
			require.NoError(t, err)
		}
		req := workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: v + 1, Trigger: tr, Principal: admin}
		if tr == workflow.TriggerSubmit {
			req.ConsultationDeadline = &past
		}
		_, _, err := s.FireTransition(ctx, req)
		require.NoError(t, err)
	}
	return plan
}

// TestReportReminders: River's periodic sweep sends progress_report.due
// for a period two weeks before its report is due, and only once however
// often it runs.
func TestReportReminders(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := sqlstoretest.New(t, d)
			require.NoError(t, jobs.Migrate(ctx, s.DB(), jobs.Dialect(d)))
			blobs, err := blobstore.NewFS(t.TempDir())
			require.NoError(t, err)
			// 2019-S2 is due on 2020-01-30; this clock is within its two weeks.
			clock := func() time.Time { return time.Date(2020, time.January, 20, 8, 0, 0, 0, time.UTC) }
			q, err := jobs.New(s.DB(), jobs.Dialect(d), slog.New(slog.DiscardHandler),
				&jobs.Workers{Documents: s, Blobs: blobs, Webhooks: s, Reports: s, ReminderInterval: 300 * time.Millisecond, Now: clock,
					WebhookAllowPrivate: true})
			require.NoError(t, err)
			s.SetJobQueue(q)
			plan := monitoredPlanIn(t, s)
			rc := newReceiver(t, func(int, http.ResponseWriter, *http.Request) {})
			w := workflow.Webhook{ProjectID: plan.Plan.ProjectID, URL: rc.URL,
				Events: []workflow.EventType{workflow.EventProgressReportDue}, Secret: workflow.NewWebhookSecret(), CreatedBy: admin.User.ID}
			w.Normalize()
			require.NoError(t, s.CreateWebhook(ctx, &w))

			runCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			require.NoError(t, q.Start(runCtx))
			defer func() { _ = q.Stop(context.Background()) }()
			// Several sweeps run; the reminder goes out at the first.
			require.Eventually(t, func() bool {
				var runs int
				require.NoError(t, s.DB().QueryRowContext(ctx,
					"SELECT count(*) FROM river_job WHERE kind = 'remind_progress_reports' AND state = 'completed'").Scan(&runs))
				return runs >= 3
			}, 60*time.Second, 100*time.Millisecond)
			var rows int
			require.NoError(t, s.DB().QueryRowContext(ctx,
				"SELECT count(*) FROM webhook_deliveries WHERE event_type = 'progress_report.due'").Scan(&rows))
			require.Equal(t, 1, rows, "one delivery for the one period due, however many sweeps")
			// The receiver got it, delivered like any event.
			require.Eventually(t, func() bool { return len(rc.requests()) > 0 }, 30*time.Second, 50*time.Millisecond)
			var due []string
			for _, r := range rc.requests() {
				if strings.Contains(string(r.body), `"type":"progress_report.due"`) {
					due = append(due, string(r.body))
				}
			}
			require.Len(t, due, 1, "one reminder for the one period due, however many sweeps")
			require.Contains(t, due[0], `"period":"2019-S2"`)
			require.Contains(t, due[0], `"due_date":"2020-01-30"`)
			require.Contains(t, due[0], `"deliverable_id":"`+plan.Plan.ID+`"`)
		})
	}
}

// TestAcceptedReportIsAssembled: accepting a report queues its PDF and DOCX,
// and the render worker builds them from the frozen report.
func TestAcceptedReportIsAssembled(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, q, blobs := storeWithQueue(t, d, nil)
			var err error
			require.NoError(t, s.UseBuiltinApprovalTemplates())
			plan := monitoredPlanIn(t, s)
			r, err := s.CreateProgressReport(ctx, plan.Plan.ID, "2020-S2", admin)
			require.NoError(t, err)
			acts := []workflow.ActionProgress{{Number: 1, Status: workflow.ActionAbandoned, Explanation: "Sin fondos", Narrative: "Cancelada."}}
			_, err = s.UpdateProgressReport(ctx, r.ID, 1, workflow.ReportContent{Actions: &acts}, admin)
			require.NoError(t, err)
			for v, tr := range []workflow.ReportTrigger{workflow.ReportSubmit, workflow.ReportAccept} {
				_, _, err = s.FireReportTransition(ctx, workflow.ReportTransitionRequest{ReportID: r.ID, Version: v + 2, Trigger: tr, Principal: admin})
				require.NoError(t, err)
			}
			docs, _, err := s.ListDocuments(ctx, plan.Plan.ID, workflow.Page{Limit: 10})
			require.NoError(t, err)
			var mine []workflow.Document
			for _, doc := range docs {
				if doc.ProgressReportID == r.ID {
					mine = append(mine, doc)
				}
			}
			require.Len(t, mine, 2, "pdf and docx")

			runCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			require.NoError(t, q.Start(runCtx))
			defer func() { _ = q.Stop(context.Background()) }()
			for _, doc := range mine {
				require.Eventually(t, func() bool {
					got, err := s.Document(ctx, doc.ID)
					require.NoError(t, err)
					require.NotEqual(t, workflow.DocumentFailed, got.Status, got.Error)
					return got.Status == workflow.DocumentReady
				}, 60*time.Second, 50*time.Millisecond)
				got, err := s.Document(ctx, doc.ID)
				require.NoError(t, err)
				require.Contains(t, got.ObjectKey, "/progress-reports/"+plan.Plan.ID+"/r4/", "2020-S2 is the fourth period")
				info, err := blobs.Stat(ctx, got.ObjectKey)
				require.NoError(t, err)
				require.Equal(t, got.SHA256, info.SHA256)
			}
		})
	}
}
