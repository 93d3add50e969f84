package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/jobs"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

func TestDemoProjectAroundTheClock(t *testing.T) {
	for _, now := range []string{"2026-12-07T06:00:00Z", "2027-01-01T00:00:00Z", "2028-02-29T23:59:59Z", "2030-12-31T23:00:00Z"} {
		at, err := time.Parse(time.RFC3339, now)
		require.NoError(t, err)
		p := demoProject(at)
		require.NoError(t, p.Validate(), now)
		checkDemoPhases(t, p, at)
	}
	p := demoProject(time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC))
	require.Equal(t, "2025-12-01", p.Phase1Start.String())
	require.Equal(t, "2028-11-30", p.Phase1End.String())
	require.Equal(t, "2029-11-30", p.Phase2End.String())
}

// Running demo again later changes no data: the phases stay where the
// first run put them.
func TestDemoKeepsItsData(t *testing.T) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "craftscode.db"))
	require.NoError(t, err)
	defer store.Close()
	require.NoError(t, store.Migrate(ctx))
	require.NoError(t, jobs.Migrate(ctx, store.DB(), jobs.Dialect(store.Dialect())))
	require.NoError(t, readyForDemo(store))
	first := time.Now()
	out, err := loadDemo(ctx, store, first, true)
	require.NoError(t, err)
	before, err := store.ProjectByAcronym(ctx, demoAcronym)
	require.NoError(t, err)
	checkDemoPhases(t, before, first)
	work := demoState(t, store, out.ProjectID, first)

	again, err := loadDemo(ctx, store, first.AddDate(2, 3, 0), true)
	require.NoError(t, err)
	require.Equal(t, out.ProjectID, again.ProjectID)
	after, err := store.ProjectByAcronym(ctx, demoAcronym)
	require.NoError(t, err)
	require.Equal(t, before, after)
	require.Equal(t, work, demoState(t, store, out.ProjectID, first), "the work is as it was")
}

// demoState checks the demo's work at now and sums it up: each deliverable
// with its state and version, its comments and documents, and the events.
func demoState(t *testing.T, store *sqlstore.Store, pid string, now time.Time) []string {
	t.Helper()
	ctx := context.Background()
	all := workflow.Page{Limit: 100}
	var got []string
	states := map[string]workflow.State{}
	for _, kind := range []workflow.Kind{workflow.KindActionPlan, workflow.KindGoodPractice} {
		ds, _, err := store.ListDeliverables(ctx, kind, pid, workflow.Scope{All: true}, all)
		require.NoError(t, err)
		for _, d := range ds {
			h := d.Head()
			states[h.Title] = h.State
			docs, _, err := store.ListDocuments(ctx, h.ID, all)
			require.NoError(t, err)
			set, err := store.CommentThreads(ctx, kind, h.ID, h.Revision, workflow.Principal{User: workflow.User{Admin: true}}, workflow.ThreadQuery{})
			require.NoError(t, err)
			got = append(got, fmt.Sprintf("%s %q %s v%d r%d: %d threads, %d documents", kind, h.Title, h.State, h.Version, h.Revision, len(set.Threads), len(docs)))
			switch h.State {
			case workflow.StateStakeholderReview:
				require.Equal(t, "hu", d.Plan.Language)
				require.Len(t, set.Threads, 2, "comments on the plan under consultation")
				require.NotNil(t, set.Threads[0].Response, "one answered")
			case workflow.StateApproved:
				if kind == workflow.KindActionPlan {
					require.Len(t, docs, 2, "the approved PDF and DOCX")
				}
			}
		}
	}
	require.ElementsMatch(t, []workflow.State{workflow.StateStakeholderReview, workflow.StateApproved, workflow.StateApproved}, mapValues(states))
	events, _, err := store.ListEvents(ctx, pid, all)
	require.NoError(t, err)
	today := workflow.MustDate(now.UTC().Format("2006-01-02"))
	var past, coming int
	for _, e := range events {
		switch {
		case e.EndDate.Before(today):
			past++
		case today.Before(*e.StartDate):
			coming++
		}
		got = append(got, fmt.Sprintf("event %q %s %s", e.Title, e.Status, e.StartDate))
	}
	require.Equal(t, [2]int{1, 1}, [2]int{past, coming}, "a past and a coming event")
	return got
}

func mapValues[K comparable, V any](m map[K]V) []V {
	var out []V
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// The README writes the demo's output, live tokens, to demo.json in the
// repository root: neither git nor the Docker build context takes it.
func TestDemoOutputIsIgnored(t *testing.T) {
	for file, want := range map[string]string{"../../.gitignore": "/demo.json", "../../.dockerignore": "demo.json"} {
		b, err := os.ReadFile(file)
		require.NoError(t, err)
		require.Contains(t, strings.Split(string(b), "\n"), want, file)
	}
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	require.Contains(t, string(readme), "demo > demo.json", "the README's name for it")
}
