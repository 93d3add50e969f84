package sqlstore_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/jobs"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// BenchmarkSubmitTellsGroup submits an action plan whose stakeholder group
// has 500 people, and, interleaved in the same run, one whose group is
// empty (the baseline), on PostgreSQL with the job queue. It reports each
// one's p95 and the extra that telling the 500 costs the transition (the
// group's one row and its job; the job writes the 500 rows later); the
// target is at most 10 ms.
//
//	go test ./storage/sqlstore -run '^$' -bench SubmitTellsGroup -benchtime 100x
func BenchmarkSubmitTellsGroup(b *testing.B) {
	s := sqlstoretest.New(b, sqlstore.Postgres)
	require.NoError(b, jobs.Migrate(context.Background(), s.DB(), jobs.Dialect(sqlstore.Postgres)))
	q, err := jobs.New(s.DB(), jobs.Dialect(sqlstore.Postgres), slog.New(slog.DiscardHandler), nil)
	require.NoError(b, err)
	s.SetJobQueue(q)
	c := setupConsultation(b, s, "BENCH-TELL")
	// c.plan is submitted already, with 3 stakeholders: take it back to
	// draft, and grow its group to 500.
	_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: c.plan.Kind, ID: c.plan.Plan.ID, Version: c.version,
		Trigger: workflow.TriggerRequestChanges, Principal: c.coord, Note: "again"})
	require.NoError(b, err)
	big := planAt{id: c.plan.Plan.ID, version: c.version + 1}
	now := time.Now().UTC()
	for i := len(c.shUsers); i < 500; i++ {
		id := workflow.NewID()
		_, err := s.DB().Exec(`INSERT INTO users (id, email, name, created_at) VALUES ($1, $2, $3, $4)`, id, fmt.Sprintf("sh%d@bench.example", i), "Stakeholder", now)
		require.NoError(b, err)
		_, err = s.DB().Exec(`INSERT INTO memberships (id, project_id, user_id, role, stakeholder_group_id, created_at) VALUES ($1, $2, $3, 'stakeholder', $4, $5)`,
			workflow.NewID(), c.project.ID, id, c.group.ID, now)
		require.NoError(b, err)
	}
	// The baseline: a plan of another instrument, whose group is empty.
	pi := workflow.PolicyInstrument{ProjectID: c.project.ID, Name: "Quiet", Type: workflow.InstrumentOther, PartnerIDs: []string{c.partner.ID}}
	require.NoError(b, s.CreatePolicyInstrument(ctx, &pi))
	require.NoError(b, s.CreateStakeholderGroup(ctx, &workflow.StakeholderGroup{ProjectID: c.project.ID, Name: "Quiet group", PolicyInstrumentID: pi.ID}))
	quiet := completePlanFor(c.seedData, pi.ID)
	require.NoError(b, s.CreateDeliverable(ctx, &quiet))
	small := planAt{id: quiet.Plan.ID, version: 1}

	var told int
	submit := func(p *planAt) time.Duration {
		t0 := time.Now()
		_, _, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindActionPlan, ID: p.id, Version: p.version,
			Trigger: workflow.TriggerSubmit, Principal: c.owner})
		d := time.Since(t0)
		require.NoError(b, err)
		_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindActionPlan, ID: p.id, Version: p.version + 1,
			Trigger: workflow.TriggerRequestChanges, Principal: c.coord, Note: "again"})
		require.NoError(b, err)
		p.version += 2
		return d
	}
	var withGroup, baseline []time.Duration
	for b.Loop() {
		withGroup = append(withGroup, submit(&big))
		baseline = append(baseline, submit(&small))
	}
	// Submitted once more (and left in review, which a stakeholder sees),
	// every opening is in each member's inbox at once; the job (run here
	// by hand) writes the 500 rows after.
	_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindActionPlan, ID: big.id, Version: big.version,
		Trigger: workflow.TriggerSubmit, Principal: c.owner})
	require.NoError(b, err)
	n, err := s.UnreadNotifications(ctx, c.shUsers[0].ID)
	require.NoError(b, err)
	require.Equal(b, len(withGroup)+2, n, "the openings of the loop, the first and the last")
	var last string
	require.NoError(b, s.DB().QueryRow(`SELECT id FROM notification_fanouts WHERE deliverable_id = $1 ORDER BY created_at DESC LIMIT 1`, big.id).Scan(&last))
	t0 := time.Now()
	require.NoError(b, s.FanOut(ctx, last))
	b.ReportMetric(float64(time.Since(t0).Microseconds())/1000, "fanout-ms")
	require.NoError(b, s.DB().QueryRow(`SELECT count(*) FROM notifications WHERE id = $1`, last).Scan(&told))
	require.Equal(b, 500, told)
	p95 := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)*95/100].Microseconds()) / 1000
	}
	g, base := p95(withGroup), p95(baseline)
	b.ReportMetric(g, "p95-ms")
	b.ReportMetric(base, "baseline-p95-ms")
	b.ReportMetric(g-base, "extra-p95-ms")
}

// planAt is a plan and its current version.
type planAt struct {
	id      string
	version int
}
