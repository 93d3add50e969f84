package sqlstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

func init() {
	// A thread of an older revision is outdated when the latest revision
	// changed or dropped its section, and only then.
	suite["ThreadsOnChangedSectionsAreOutdated"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "OUTD")
		changed := c.comment(t, s, c.sh, "part3.action.1.players", "")
		reply := c.comment(t, s, c.owner, "part3.action.1.players", changed.ID)
		same := c.comment(t, s, c.sh, "part3.action.1.description", "")
		gone := c.comment(t, s, c.sh, "part3.action.2.players", "")
		general := c.comment(t, s, c.sh, workflow.GeneralSection, "")

		// On the latest revision nothing is outdated.
		list, _, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 1, c.sh, workflow.Page{})
		require.NoError(t, err)
		for _, cm := range list {
			require.False(t, cm.Outdated, cm.Section)
		}

		require.NoError(t, c.fire(s, c.owner, workflow.TriggerRequestChanges))
		_, err = s.UpdateDeliverable(ctx, c.plan.Kind, c.plan.Plan.ID, c.version, func(d *workflow.Deliverable) error {
			d.Plan.Actions = d.Plan.Actions[:1]
			d.Plan.Actions[0].Players = "a Budapesti Kereskedelmi és Iparkamara, a kőfaragók"
			return nil
		})
		require.NoError(t, err)
		c.version++
		require.NoError(t, c.fire(s, c.owner, workflow.TriggerSubmit))

		want := map[string]bool{changed.ID: true, gone.ID: true, same.ID: false, general.ID: false}
		check := func(threads []workflow.Comment) {
			t.Helper()
			require.Len(t, threads, len(want))
			for _, cm := range threads {
				require.Equal(t, want[cm.ID], cm.Outdated, cm.Section)
				if want[cm.ID] {
					require.Equal(t, 2, cm.OutdatedIn, cm.Section)
				} else {
					require.Zero(t, cm.OutdatedIn, cm.Section)
				}
				for _, r := range cm.Replies {
					require.Equal(t, reply.ID, r.ID)
					require.False(t, r.Outdated, "only a thread's top is marked")
				}
			}
		}
		for _, p := range []workflow.Principal{c.sh, c.owner} {
			list, _, err = s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 1, p, workflow.Page{})
			require.NoError(t, err)
			check(list)
			var paged []workflow.Comment
			for after := ""; ; {
				page, next, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 1, p, workflow.Page{Limit: 2, After: after})
				require.NoError(t, err)
				paged = append(paged, page...)
				if next == "" {
					break
				}
				after = next
			}
			check(paged)
			set, err := s.CommentThreads(ctx, c.plan.Kind, c.plan.Plan.ID, 1, p, workflow.ThreadQuery{})
			require.NoError(t, err)
			check(set.Threads)
			set, err = s.CommentThreads(ctx, c.plan.Kind, c.plan.Plan.ID, 1, p, workflow.ThreadQuery{KeepCurrent: true})
			require.NoError(t, err)
			require.Len(t, set.Threads, len(want))
			for _, cm := range set.Threads {
				require.False(t, cm.Outdated, "KeepCurrent leaves them unmarked")
			}
		}

		// Tallies only: the sections' counts, no threads.
		set, err := s.CommentThreads(ctx, c.plan.Kind, c.plan.Plan.ID, 1, c.sh, workflow.ThreadQuery{TalliesOnly: true})
		require.NoError(t, err)
		require.Empty(t, set.Threads)
		require.Equal(t, workflow.SectionTally{Threads: 1, Comments: 2, Unanswered: 1}, set.Sections["part3.action.1.players"])
		require.Len(t, set.Sections, 4)
	}

	// The matrix of a revision says, for each comment, whether the next
	// revision changed its section; the latest revision's says nothing.
	suite["MatrixSaysWhetherTheNextRevisionChangedTheSection"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "MNEXT")
		changed := c.comment(t, s, c.sh, "part3.action.1.players", "")
		same := c.comment(t, s, c.sh, "part3.action.1.description", "")
		require.NoError(t, c.fire(s, c.owner, workflow.TriggerRequestChanges))
		_, err := s.UpdateDeliverable(ctx, c.plan.Kind, c.plan.Plan.ID, c.version, func(d *workflow.Deliverable) error {
			d.Plan.Actions[0].Players = "a győri kézműves szövetség"
			return nil
		})
		require.NoError(t, err)
		c.version++
		require.NoError(t, c.fire(s, c.owner, workflow.TriggerSubmit))
		later := c.comment(t, s, c.sh, "part3.action.1.players", "")

		rev1, err := s.Revision(ctx, c.plan.Kind, c.plan.Plan.ID, 1)
		require.NoError(t, err)
		m, ok, err := s.ConsultationMatrix(ctx, c.plan.Plan.ID, 1, rev1.Snapshot)
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, 2, m.NextRevision)
		seen := map[string]bool{}
		for _, sec := range m.Sections {
			for _, cm := range sec.Comments {
				require.NotNil(t, cm.SectionChanged, cm.Section)
				require.Equal(t, 2, cm.NextRevision)
				seen[cm.ID] = *cm.SectionChanged
			}
		}
		require.Equal(t, map[string]bool{changed.ID: true, same.ID: false}, seen)

		rev2, err := s.Revision(ctx, c.plan.Kind, c.plan.Plan.ID, 2)
		require.NoError(t, err)
		m, ok, err = s.ConsultationMatrix(ctx, c.plan.Plan.ID, 2, rev2.Snapshot)
		require.NoError(t, err)
		require.True(t, ok)
		require.Zero(t, m.NextRevision)
		require.Len(t, m.Sections, 1)
		require.Equal(t, later.ID, m.Sections[0].Comments[0].ID)
		require.Nil(t, m.Sections[0].Comments[0].SectionChanged, "no next revision: null")
	}
}
