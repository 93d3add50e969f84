package sqlstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestProjectHomeReports: the project home's due reports agree with the
// dashboard's overdue ones (every period of the fixture is past due), and
// a partner's scope keeps only its own plans.
func TestProjectHomeReports(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			m := sqlstoretest.GenerateMonitoring("HOME", 12, 2, 3, 1)
			m.Plans[2].State = workflow.StateClosed // reported on no more
			require.NoError(t, sqlstoretest.InsertMonitoring(ctx, s.DB(), d, m))

			home, err := s.ProjectHome(ctx, m.Project.ID, workflow.Scope{All: true}, dashNow)
			require.NoError(t, err)
			require.Equal(t, m.Project.ID, home.Project.ID)
			require.Len(t, home.Items, 12)
			for _, it := range home.Items {
				require.Equal(t, workflow.KindActionPlan, it.Kind)
				require.NotEmpty(t, it.PartnerName)
				require.Nil(t, it.Consultation)
			}
			dash, err := s.Dashboard(ctx, m.Project.ID, workflow.Scope{All: true}, dashNow)
			require.NoError(t, err)
			require.NotEmpty(t, dash.Overdue)
			type key struct{ plan, period, status string }
			want := map[key]bool{}
			for _, o := range dash.Overdue {
				want[key{o.PlanID, o.Period, o.Status}] = true
			}
			got := map[key]bool{}
			for _, r := range home.Reports {
				require.True(t, r.Overdue, "every period of the fixture is past due")
				got[key{r.PlanID, r.Period, r.Status}] = true
			}
			require.Equal(t, want, got)

			// A partner sees its own plan's reports only.
			p := m.Plans[3] // its latest report is missing
			home, err = s.ProjectHome(ctx, m.Project.ID, workflow.Scope{PartnerID: p.PartnerID}, dashNow)
			require.NoError(t, err)
			require.Len(t, home.Items, 1)
			require.Equal(t, p.ID, home.Items[0].ID)
			require.NotEmpty(t, home.Reports)
			for _, r := range home.Reports {
				require.Equal(t, p.ID, r.PlanID)
				require.Equal(t, "missing", r.Status)
			}

			// Nobody's scope lists nothing; an unknown project is not found.
			home, err = s.ProjectHome(ctx, m.Project.ID, workflow.Scope{}, dashNow)
			require.NoError(t, err)
			require.Empty(t, home.Items)
			_, err = s.ProjectHome(ctx, workflow.NewID(), workflow.Scope{All: true}, dashNow)
			require.Equal(t, workflow.CodeNotFound, workflow.ErrorCode(err))
		})
	}
}
