package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
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
func TestDemoKeepsItsDates(t *testing.T) {
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "craftscode.db"))
	require.NoError(t, err)
	defer store.Close()
	require.NoError(t, store.Migrate(ctx))
	first := time.Now()
	out, err := loadDemo(ctx, store, first)
	require.NoError(t, err)
	before, err := store.ProjectByAcronym(ctx, demoAcronym)
	require.NoError(t, err)
	checkDemoPhases(t, before, first)

	again, err := loadDemo(ctx, store, first.AddDate(2, 3, 0))
	require.NoError(t, err)
	require.Equal(t, out.ProjectID, again.ProjectID)
	after, err := store.ProjectByAcronym(ctx, demoAcronym)
	require.NoError(t, err)
	require.Equal(t, before, after)
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
