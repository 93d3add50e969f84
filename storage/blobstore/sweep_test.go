package blobstore_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/blobstore"
)

// TestFSSweepSpool (issue 15, #13): a spool file that a crash left in
// .tmp goes at the next sweep, without a restart; a Put's file that is
// still being written stays.
func TestFSSweepSpool(t *testing.T) {
	dir := t.TempDir()
	s, err := blobstore.NewFS(dir)
	require.NoError(t, err)
	tmp := filepath.Join(dir, ".tmp")
	left, live := filepath.Join(tmp, "data-crashed"), filepath.Join(tmp, "data-writing")
	require.NoError(t, os.WriteFile(left, []byte("half an upload"), 0o600))
	require.NoError(t, os.WriteFile(live, []byte("an upload in progress"), 0o600))
	old := time.Now().Add(-20 * time.Minute)
	require.NoError(t, os.Chtimes(left, old, old))

	require.Equal(t, 1, s.SweepSpool(15*time.Minute))
	require.NoFileExists(t, left)
	require.FileExists(t, live)
	require.Zero(t, s.SweepSpool(15*time.Minute))
}
