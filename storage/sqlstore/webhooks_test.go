package sqlstore_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

func hook(t *testing.T, s *sqlstore.Store, projectID string, events ...workflow.EventType) workflow.Webhook {
	t.Helper()
	w := workflow.Webhook{ProjectID: projectID, URL: "https://receiver.example/hooks", Events: events,
		Secret: workflow.NewWebhookSecret(), CreatedBy: workflow.NewID()}
	w.Normalize()
	require.NoError(t, w.Validate())
	require.NoError(t, s.CreateWebhook(ctx, &w))
	return w
}

func deliveries(t *testing.T, s *sqlstore.Store, webhookID string) []workflow.WebhookDelivery {
	t.Helper()
	out, _, err := s.ListDeliveries(ctx, webhookID, "", workflow.Page{Limit: 100})
	require.NoError(t, err)
	return out
}

func TestWebhooks(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			p := seed(t, s, "HOOKS")
			q := seed(t, s, "OTHER")
			onTransition := hook(t, s, p.project.ID, workflow.EventTransition)
			onReady := hook(t, s, p.project.ID, workflow.EventDocumentReady)
			onBoth := hook(t, s, p.project.ID, workflow.EventDocumentReady, workflow.EventTransition, workflow.EventTransition)
			elsewhere := hook(t, s, q.project.ID, workflow.EventTransition)
			removed := hook(t, s, p.project.ID, workflow.EventTransition)
			require.NoError(t, s.DeleteWebhook(ctx, removed.ID))
			require.Equal(t, workflow.CodeNotFound, code(t, s.DeleteWebhook(ctx, removed.ID)))
			_, err := s.Webhook(ctx, removed.ID)
			require.Equal(t, workflow.CodeNotFound, code(t, err))

			got, err := s.Webhook(ctx, onBoth.ID)
			require.NoError(t, err)
			require.Equal(t, []workflow.EventType{workflow.EventTransition, workflow.EventDocumentReady}, got.Events, "normalized")
			require.Empty(t, got.Secret, "reads never carry the secret")
			list, next, err := s.ListWebhooks(ctx, p.project.ID, workflow.Page{Limit: 2})
			require.NoError(t, err)
			require.Len(t, list, 2)
			rest, _, err := s.ListWebhooks(ctx, p.project.ID, workflow.Page{Limit: 2, After: next})
			require.NoError(t, err)
			var ids []string
			for _, w := range append(list, rest...) {
				ids = append(ids, w.ID)
			}
			require.Equal(t, []string{onTransition.ID, onReady.ID, onBoth.ID}, ids, "the project's active webhooks")

			// The secret is sealed at rest and opens for the worker only.
			var sealed string
			require.NoError(t, s.DB().QueryRow("SELECT secret_sealed FROM webhooks WHERE id = $1", onBoth.ID).Scan(&sealed))
			require.NotContains(t, sealed, onBoth.Secret[6:])
			require.NotContains(t, sealed, onBoth.Secret)

			// A refused transition emits nothing.
			plan := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: p.project.ID, PartnerID: p.partner.ID,
				PolicyInstrumentID: p.instrument.ID, Title: "Plan", Language: "hu", SummaryEN: "Plan",
				Actions: []workflow.PlanAction{{Title: "A", Description: "d", Players: "p",
					TimeframeStart: ptr(workflow.MustDate("2019-01-01")), TimeframeEnd: ptr(workflow.MustDate("2019-12-31"))}}}}
			require.NoError(t, s.CreateDeliverable(ctx, &plan))
			admin := workflow.Principal{User: workflow.User{ID: workflow.NewID(), Admin: true}}
			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 7, Trigger: workflow.TriggerSubmit, Principal: admin})
			require.Equal(t, workflow.CodePreconditionFailed, code(t, err))
			require.Empty(t, deliveries(t, s, onTransition.ID))

			_, rec, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1, Trigger: workflow.TriggerSubmit, Principal: admin})
			require.NoError(t, err)
			for _, w := range []workflow.Webhook{onReady, elsewhere, removed} {
				require.Empty(t, deliveries(t, s, w.ID), "not subscribed, another project, or removed")
			}
			for _, w := range []workflow.Webhook{onTransition, onBoth} {
				ds := deliveries(t, s, w.ID)
				require.Len(t, ds, 1)
				dl := ds[0]
				require.Equal(t, workflow.DeliveryPending, dl.Status)
				require.Equal(t, workflow.EventTransition, dl.EventType)
				require.Equal(t, rec.ID, dl.EventID, "the event is the history row")
				var body struct {
					ID            string
					Type          string
					ProjectID     string `json:"project_id"`
					DeliverableID string `json:"deliverable_id"`
					At            time.Time
					Data          workflow.TransitionEventData
				}
				require.NoError(t, json.Unmarshal(dl.Payload, &body))
				require.Equal(t, rec.ID, body.ID)
				require.Equal(t, "transition", body.Type)
				require.Equal(t, p.project.ID, body.ProjectID)
				require.Equal(t, plan.Plan.ID, body.DeliverableID)
				require.Equal(t, workflow.TransitionEventData{Kind: workflow.KindActionPlan, From: workflow.StateDraft, To: workflow.StateStakeholderReview,
					Trigger: workflow.TriggerSubmit, Version: 2, Revision: 1, ActorID: admin.User.ID}, body.Data)
				require.WithinDuration(t, rec.At, body.At, time.Millisecond)

				in, hw, err := s.DeliveryInput(ctx, dl.ID)
				require.NoError(t, err)
				require.Equal(t, w.Secret, hw.Secret, "opened for the worker")
				require.Equal(t, dl.Payload, in.Payload)
			}

			// A document that becomes ready tells its subscribers.
			doc, _, err := s.RequestDocument(ctx, workflow.DocumentRequest{Kind: plan.Kind, DeliverableID: plan.Plan.ID, Format: "md",
				Template: "action_plan", TemplateVersion: "v", Principal: admin})
			require.NoError(t, err)
			require.NoError(t, s.SetDocumentObject(ctx, doc.ID, "k", "abc", 3, "text/markdown"))
			require.NoError(t, s.FinishDocument(ctx, doc.ID, nil))
			require.NoError(t, s.FinishDocument(ctx, doc.ID, nil), "a repeat finds it ready and emits nothing")
			require.Len(t, deliveries(t, s, onTransition.ID), 1)
			for _, w := range []workflow.Webhook{onReady, onBoth} {
				var ready []workflow.WebhookDelivery
				for _, dl := range deliveries(t, s, w.ID) {
					if dl.EventType == workflow.EventDocumentReady {
						ready = append(ready, dl)
					}
				}
				require.Len(t, ready, 1, w.ID)
				var body struct {
					Data workflow.DocumentReadyEventData
				}
				require.NoError(t, json.Unmarshal(ready[0].Payload, &body))
				require.Equal(t, workflow.DocumentReadyEventData{DocumentID: doc.ID, Kind: workflow.KindActionPlan, Format: "md",
					Revision: 1, SHA256: "abc", Size: 3}, body.Data)
			}
			failed, _, err := s.RequestDocument(ctx, workflow.DocumentRequest{Kind: plan.Kind, DeliverableID: plan.Plan.ID, Format: "pdf",
				Template: "action_plan", TemplateVersion: "v", Principal: admin})
			require.NoError(t, err)
			require.NoError(t, s.FinishDocument(ctx, failed.ID, errors.New("broken")))
			require.Len(t, deliveries(t, s, onReady.ID), 1, "a failed document is not ready")

			// Attempts: a failure keeps it pending with the next time, a
			// success delivers it, and a late record changes nothing.
			dl := deliveries(t, s, onTransition.ID)[0]
			at := time.Now().UTC()
			require.NoError(t, s.RecordDeliveryAttempt(ctx, dl.ID, workflow.DeliveryAttempt{At: at, StatusCode: 500, Error: "the receiver answered 500", NextAt: at.Add(time.Minute)}))
			dl = deliveries(t, s, onTransition.ID)[0]
			require.Equal(t, workflow.DeliveryPending, dl.Status)
			require.Equal(t, 1, dl.Attempts)
			require.Equal(t, 500, dl.LastStatusCode)
			require.Equal(t, "the receiver answered 500", dl.LastError)
			require.WithinDuration(t, at.Add(time.Minute), *dl.NextAttemptAt, time.Millisecond)
			require.NoError(t, s.RecordDeliveryAttempt(ctx, dl.ID, workflow.DeliveryAttempt{At: at, StatusCode: 204, Delivered: true}))
			require.NoError(t, s.RecordDeliveryAttempt(ctx, dl.ID, workflow.DeliveryAttempt{At: at, StatusCode: 500, Error: "late", GiveUp: true}))
			dl = deliveries(t, s, onTransition.ID)[0]
			require.Equal(t, workflow.DeliveryDelivered, dl.Status)
			require.Equal(t, 2, dl.Attempts)
			require.Equal(t, 204, dl.LastStatusCode)
			require.Empty(t, dl.LastError)
			require.NotNil(t, dl.DeliveredAt)
			require.Nil(t, dl.NextAttemptAt)

			// Removing a webhook fails what it still owed, and keeps the log.
			require.NoError(t, s.DeleteWebhook(ctx, onBoth.ID))
			for _, dl := range deliveries(t, s, onBoth.ID) {
				require.Equal(t, workflow.DeliveryFailed, dl.Status)
				require.Equal(t, "the webhook was removed", dl.LastError)
			}
			require.Len(t, deliveries(t, s, onBoth.ID), 2)
		})
	}
}

func TestWebhooksPerProjectAreBounded(t *testing.T) {
	s := sqlstoretest.New(t, sqlstore.SQLite)
	p := seed(t, s, "MANY")
	var last workflow.Webhook
	for range workflow.MaxWebhooksPerProject {
		last = hook(t, s, p.project.ID, workflow.EventTransition)
	}
	w := workflow.Webhook{ProjectID: p.project.ID, URL: "https://x.example/", Events: []workflow.EventType{workflow.EventTransition}, Secret: workflow.NewWebhookSecret()}
	require.Equal(t, workflow.CodeConflict, code(t, s.CreateWebhook(ctx, &w)))
	require.NoError(t, s.DeleteWebhook(ctx, last.ID))
	require.NoError(t, s.CreateWebhook(ctx, &w), "removed ones do not count")
}

func TestWebhookSecretsNeedAKey(t *testing.T) {
	s, err := sqlstore.OpenSQLite(ctx, sqlstoretest.DSN(t, sqlstore.SQLite))
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Migrate(ctx))
	p := seed(t, s, "NOKEY")
	w := workflow.Webhook{ProjectID: p.project.ID, URL: "https://x.example/", Events: []workflow.EventType{workflow.EventTransition}, Secret: workflow.NewWebhookSecret()}
	require.ErrorContains(t, s.CreateWebhook(ctx, &w), "server key")
}

// TestConsultationEvents follows a consultation through its events: a
// withdrawal closes it, a new submit opens the next, a comment and its
// response, and the early close. Each reaches a subscribed webhook once.
func TestConsultationEvents(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			c := setupConsultation(t, s, "EVENTS")
			w := hook(t, s, c.project.ID, workflow.EventConsultationOpened, workflow.EventConsultationClosed,
				workflow.EventCommentCreated, workflow.EventCommentResponded)

			require.NoError(t, c.fire(s, c.owner, workflow.TriggerRequestChanges))
			require.NoError(t, c.fire(s, c.owner, workflow.TriggerSubmit))
			cm := c.comment(t, s, c.sh, workflow.GeneralSection, "")
			_, err := s.RespondToComment(ctx, cm.ID, workflow.ResponseNoted, "Köszönjük", c.owner)
			require.NoError(t, err)
			_, err = s.CloseConsultation(ctx, c.plan.Kind, c.plan.Plan.ID, c.owner)
			require.NoError(t, err)

			var got []workflow.EventType
			for _, dl := range deliveries(t, s, w.ID) {
				got = append(got, dl.EventType)
			}
			require.Equal(t, []workflow.EventType{workflow.EventConsultationClosed, workflow.EventConsultationOpened,
				workflow.EventCommentCreated, workflow.EventCommentResponded, workflow.EventConsultationClosed}, got)
		})
	}
}
