package blobstore_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/storage/blobstore"
)

// A sidecar that does not describe the data file next to it (data replaced
// behind the store's back, or a crash between the two renames of a Put) must
// not yield wrong metadata: the data is served, SHA256 is unknown.
func TestFSForeignDataIgnoresSidecar(t *testing.T) {
	dir := t.TempDir()
	s, err := blobstore.NewFS(dir)
	require.NoError(t, err)
	data := []byte("original")
	_, err = s.Put(t.Context(), "k/x", bytes.NewReader(data), int64(len(data)), documents.PutOptions{ContentType: "text/plain"})
	require.NoError(t, err)

	replaced := []byte("replaced by someone else")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "k", "x~blob"), replaced, 0o600))
	info, err := s.Stat(t.Context(), "k/x")
	require.NoError(t, err)
	require.Equal(t, int64(len(replaced)), info.Size)
	require.Empty(t, info.SHA256)
	require.Equal(t, "application/octet-stream", info.ContentType)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "k", "x~meta"), []byte("{not json"), 0o600))
	b, err := s.Open(t.Context(), "k/x")
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Close()) }()
	require.Empty(t, b.Info().SHA256)
	require.Equal(t, int64(len(replaced)), b.Info().Size)
}

func TestNewFSErrors(t *testing.T) {
	_, err := blobstore.NewFS("")
	require.Error(t, err)

	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err = blobstore.NewFS(file)
	require.Error(t, err, "a regular file is not a store directory")
}

func TestFSPingFailsWithoutDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "store")
	s, err := blobstore.NewFS(dir)
	require.NoError(t, err)
	require.NoError(t, s.Ping(t.Context()))
	require.NoError(t, os.RemoveAll(dir))
	require.Error(t, s.Ping(t.Context()))
}
