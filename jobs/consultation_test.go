package jobs_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/jobs"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// mailbox is a Mailer that keeps what it is given.
type mailbox struct {
	mu   sync.Mutex
	sent []workflow.Mail
}

func (m *mailbox) Send(_ context.Context, mail workflow.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, mail)
	return nil
}

func (m *mailbox) to() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, x := range m.sent {
		out = append(out, x.To)
	}
	return out
}

// TestConsultationJobs: River's periodic sweep reminds a short window (the
// stakeholder who has not commented, once) and closes it at its deadline;
// both stakeholders were told of the opening.
func TestConsultationJobs(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			mail := &mailbox{}
			s, q, _ := storeWithQueue(t, d, func(s *sqlstore.Store, w *jobs.Workers) {
				w.Consultations, w.Notices, w.Mailer, w.ConsultationSweep = s, s, mail, 300*time.Millisecond
			})
			plan := planIn(t, s)
			g := workflow.StakeholderGroup{ProjectID: plan.Plan.ProjectID, Name: "Grupo", PolicyInstrumentID: plan.Plan.PolicyInstrumentID}
			require.NoError(t, s.CreateStakeholderGroup(ctx, &g))
			var talker workflow.Principal
			var err error
			for _, email := range []string{"talks@example.org", "silent@example.org"} {
				tok, hash := workflow.NewToken()
				u := workflow.User{Email: email, Name: email}
				require.NoError(t, s.CreateUser(ctx, &u, hash, "test"))
				require.NoError(t, s.CreateMembership(ctx, &workflow.Membership{ProjectID: plan.Plan.ProjectID, UserID: u.ID,
					Role: workflow.RoleStakeholder, StakeholderGroupID: g.ID}))
				if email == "talks@example.org" {
					talker, err = s.Authenticate(ctx, workflow.HashToken(tok))
					require.NoError(t, err)
				}
			}
			// Reminded halfway, at 3 s; the sweep runs every 300 ms.
			deadline := time.Now().Add(6 * time.Second)
			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: plan.Kind, ID: plan.Plan.ID, Version: 1,
				Trigger: workflow.TriggerSubmit, Principal: admin, ConsultationDeadline: &deadline})
			require.NoError(t, err)
			_, err = s.AddComment(ctx, workflow.NewComment{Kind: plan.Kind, DeliverableID: plan.Plan.ID, Body: "Bien", Principal: talker})
			require.NoError(t, err)

			runCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			require.NoError(t, q.Start(runCtx))
			defer func() { _ = q.Stop(context.Background()) }()
			require.Eventually(t, func() bool {
				cs, err := s.Consultation(ctx, plan.Kind, plan.Plan.ID, 1, admin)
				require.NoError(t, err)
				return cs.ClosedAt != nil
			}, 60*time.Second, 200*time.Millisecond)
			cs, err := s.Consultation(ctx, plan.Kind, plan.Plan.ID, 1, admin)
			require.NoError(t, err)
			require.Equal(t, "deadline", cs.ClosedReason)
			require.False(t, cs.ClosedAt.Before(deadline), "not before the deadline")
			count := map[string]int{}
			for _, to := range mail.to() {
				count[to]++
			}
			require.Equal(t, map[string]int{"talks@example.org": 1, "silent@example.org": 2}, count,
				"the opening to both; the reminder only to who has not commented, once")
		})
	}
}
