package sqlstore_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

func str(s string) *string   { return &s }
func num(f float64) *float64 { return &f }

func init() {
	suite["MonitoringIndicatorEdits"] = func(t *testing.T, s *sqlstore.Store) {
		m := setupMonitoring(t, s, "INDE")
		m.startMonitoring(t, s)
		a := m.indicatorA
		require.Equal(t, 1, a.Version)

		got, err := s.Indicator(ctx, a.ID, m.sh)
		require.NoError(t, err, "whoever sees the plan reads its indicators")
		require.Equal(t, a.Name, got.Name)
		require.Equal(t, 1, got.Version)
		_, err = s.Indicator(ctx, a.ID, m.other)
		require.Equal(t, workflow.CodeNotFound, code(t, err), "another partner's plan is out of scope")
		_, err = s.Indicator(ctx, workflow.NewID(), m.owner)
		require.Equal(t, workflow.CodeNotFound, code(t, err))

		// Who may: as on create. Then the version, then the rules.
		edit := workflow.IndicatorPatch{Baseline: num(5)}
		for _, p := range []workflow.Principal{m.secr, m.obs, m.sh} {
			_, err = s.UpdateIndicator(ctx, a.ID, 1, edit, p)
			require.Equal(t, workflow.CodeForbidden, code(t, err), p.User.Email)
			require.Equal(t, workflow.CodeForbidden, code(t, s.DeleteIndicator(ctx, a.ID, 1, p)), p.User.Email)
		}
		_, err = s.UpdateIndicator(ctx, a.ID, 1, edit, m.other)
		require.Equal(t, workflow.CodeNotFound, code(t, err))
		require.Equal(t, workflow.CodeNotFound, code(t, s.DeleteIndicator(ctx, a.ID, 1, m.other)))
		_, err = s.UpdateIndicator(ctx, a.ID, 2, edit, m.owner)
		require.Equal(t, workflow.CodePreconditionFailed, code(t, err))
		_, err = s.UpdateIndicator(ctx, a.ID, 1, workflow.IndicatorPatch{Name: str(" "), Unit: str("")}, m.owner)
		require.Equal(t, []string{"name", "unit"}, fieldsOf(t, err))
		_, err = s.UpdateIndicator(ctx, a.ID, 1, workflow.IndicatorPatch{Name: str(" Budget ")}, m.owner)
		require.Equal(t, workflow.CodeConflict, code(t, err), "the plan's other indicator is named so")

		got, err = s.UpdateIndicator(ctx, a.ID, 1, edit, m.owner)
		require.NoError(t, err)
		require.Equal(t, 2, got.Version)
		require.Equal(t, 5.0, got.Baseline)
		require.Equal(t, "Vállalkozások", got.Name, "what the patch leaves out stays")
		require.Equal(t, 120.0, got.Target)
		got, err = s.UpdateIndicator(ctx, a.ID, 2, workflow.IndicatorPatch{Name: str(" Mentored SMEs "), Unit: str("firms"), Target: num(0)}, m.coord)
		require.NoError(t, err)
		require.Equal(t, "Mentored SMEs", got.Name)
		require.Zero(t, got.Target)
		read, err := s.Indicator(ctx, a.ID, m.obs)
		require.NoError(t, err)
		require.Equal(t, got, read)

		// Values in a report: the unit and the indicator stay; name,
		// baseline and target may still be corrected.
		r, err := s.CreateProgressReport(ctx, m.plan.Plan.ID, "2020-S1", m.owner)
		require.NoError(t, err)
		_, err = s.UpdateProgressReport(ctx, r.ID, 1, completeContent(m), m.owner)
		require.NoError(t, err)
		_, err = s.UpdateIndicator(ctx, a.ID, 3, workflow.IndicatorPatch{Unit: str("SMEs")}, m.owner)
		require.Equal(t, workflow.CodeConflict, code(t, err))
		got, err = s.UpdateIndicator(ctx, a.ID, 3, workflow.IndicatorPatch{Unit: str(" firms "), Target: num(60), Baseline: num(1)}, m.owner)
		require.NoError(t, err, "the same unit is no change")
		require.Equal(t, 4, got.Version)
		err = s.DeleteIndicator(ctx, a.ID, 4, m.owner)
		require.Equal(t, workflow.CodeConflict, code(t, err))
		require.Contains(t, err.Error(), "part of the reports")

		// Without values it goes, at its version.
		c := workflow.Indicator{PlanID: m.plan.Plan.ID, Name: "Jobs", Unit: "FTE", Target: 10}
		require.NoError(t, s.CreateIndicator(ctx, &c, m.owner))
		require.Equal(t, workflow.CodePreconditionFailed, code(t, s.DeleteIndicator(ctx, c.ID, 2, m.owner)))
		require.NoError(t, s.DeleteIndicator(ctx, c.ID, 1, m.owner))
		_, err = s.Indicator(ctx, c.ID, m.owner)
		require.Equal(t, workflow.CodeNotFound, code(t, err))
		list, err := s.ListIndicators(ctx, m.plan.Plan.ID, m.owner)
		require.NoError(t, err)
		require.Len(t, list, 2)

		// A closed plan's indicators are as they were.
		_, err = s.DB().ExecContext(ctx, "UPDATE deliverables SET state = 'closed' WHERE id = $1", m.plan.Plan.ID)
		require.NoError(t, err)
		_, err = s.UpdateIndicator(ctx, a.ID, 4, edit, m.coord)
		require.Equal(t, workflow.CodeConflict, code(t, err))
		_, err = s.Indicator(ctx, a.ID, m.owner)
		require.NoError(t, err, "and still read")
	}

	// Twenty edits at the same version: one lands, the others are told the
	// indicator moved on.
	suite["MonitoringIndicatorConcurrentEdits"] = func(t *testing.T, s *sqlstore.Store) {
		m := setupMonitoring(t, s, "INDR")
		m.startMonitoring(t, s)
		const n = 20
		sqlstoretest.WarmPool(t, s, n)
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = s.UpdateIndicator(ctx, m.indicatorB.ID, 1, workflow.IndicatorPatch{Target: num(float64(i))}, m.owner)
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			require.Equal(t, workflow.CodePreconditionFailed, code(t, err), "%v", err)
		}
		require.Equal(t, 1, won)
		got, err := s.Indicator(ctx, m.indicatorB.ID, m.owner)
		require.NoError(t, err)
		require.Equal(t, 2, got.Version)
	}
}
