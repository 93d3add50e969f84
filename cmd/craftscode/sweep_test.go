package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/blobstore"
)

// TestSweepSpoolRuns (issue 15, #13): while serving, a spool file left by
// a crash goes at the next sweep, not at the next start.
func TestSweepSpoolRuns(t *testing.T) {
	dir := t.TempDir()
	blobs, err := blobstore.NewFS(dir)
	require.NoError(t, err)
	left := filepath.Join(dir, ".tmp", "data-crashed")
	require.NoError(t, os.WriteFile(left, []byte("half an upload"), 0o600))
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(left, old, old))
	live := filepath.Join(dir, ".tmp", "data-writing")
	require.NoError(t, os.WriteFile(live, []byte("an upload in progress"), 0o600))

	done := make(chan struct{})
	go func() {
		defer close(done)
		sweepSpool(t.Context(), blobs, 10*time.Millisecond, spoolStaleAfter, slog.New(slog.DiscardHandler))
	}()
	t.Cleanup(func() { <-done }) // t.Context ends first
	require.Eventually(t, func() bool { _, err := os.Stat(left); return os.IsNotExist(err) }, 5*time.Second, 10*time.Millisecond)
	require.FileExists(t, live)
	require.Less(t, spoolStaleAfter, time.Hour, "sooner than the restart's hour")
}
