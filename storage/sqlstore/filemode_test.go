package sqlstore_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// Finding 16 of issue 15: the SQLite database, and the files SQLite keeps
// beside it, are readable by their owner only, like secret.key.
func TestSQLiteFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022) // the usual umask, which leaves files world-readable
	t.Cleanup(func() { syscall.Umask(old) })
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "data", "craftscode.db")
	s, err := sqlstore.OpenSQLite(ctx, path)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(ctx))
	_, hash := workflow.NewToken()
	require.NoError(t, s.CreateUser(ctx, &workflow.User{Email: "a@example.org", Name: "A"}, hash, "test"))
	check := func() {
		t.Helper()
		n := 0
		for _, name := range []string{path, path + "-wal", path + "-shm"} {
			fi, err := os.Stat(name)
			if os.IsNotExist(err) {
				continue
			}
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), name)
			n++
		}
		require.NotZero(t, n)
	}
	check()
	require.NoError(t, s.Close())

	// A database made earlier with a looser mode is tightened when opened.
	require.NoError(t, os.Chmod(path, 0o644))
	s, err = sqlstore.OpenSQLite(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Ping(ctx))
	check()
}
