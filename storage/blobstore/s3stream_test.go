package blobstore_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/blobstore"
)

// TestS3PutStream: a streamed upload stores exactly the bytes under their
// hash with no spool file, and a failing reader, early or at the very end,
// leaves neither an object nor an incomplete upload.
func TestS3PutStream(t *testing.T) {
	endpoint, accessKey, secretKey := s3Env(t)
	admin := s3Admin(t, endpoint, accessKey, secretKey)
	bucket := randomBucket(t)
	removeBucketOnCleanup(t, admin, bucket)
	spool := t.TempDir()
	s, err := blobstore.NewS3(t.Context(), blobstore.S3Config{Endpoint: endpoint, AccessKey: accessKey, SecretKey: secretKey, Bucket: bucket, TempDir: spool})
	require.NoError(t, err)
	left := func() []string {
		out := listFiles(t, spool, "spool:")
		for obj := range admin.ListObjects(t.Context(), bucket, minio.ListObjectsOptions{Recursive: true}) {
			require.NoError(t, obj.Err)
			out = append(out, obj.Key)
		}
		for up := range admin.ListIncompleteUploads(t.Context(), bucket, "", true) {
			require.NoError(t, up.Err)
			out = append(out, "upload:"+up.Key)
		}
		return out
	}

	// Larger than a part (8 MiB), so it goes up in three.
	data := payload(19<<20, 3)
	info, err := s.PutStream(t.Context(), "evidence/big", &plainReader{r: bytes.NewReader(data)}, "application/pdf")
	require.NoError(t, err)
	require.Equal(t, int64(len(data)), info.Size)
	require.Equal(t, sha(data), info.SHA256)
	got, stat := readAll(t, s, "evidence/big")
	require.True(t, bytes.Equal(data, got))
	require.Equal(t, "application/pdf", stat.ContentType)
	require.Equal(t, []string{"evidence/big"}, left())

	// Exactly two parts: the stream ends on a part boundary.
	even := payload(16<<20, 8)
	info, err = s.PutStream(t.Context(), "evidence/even", bytes.NewReader(even), "")
	require.NoError(t, err)
	require.Equal(t, sha(even), info.SHA256)
	got, _ = readAll(t, s, "evidence/even")
	require.True(t, bytes.Equal(even, got))
	require.NoError(t, s.Delete(t.Context(), "evidence/even"))

	for name, r := range map[string]*failingReader{
		"in the first part":  {data: payload(1000, 4), err: errBoom},
		"after some parts":   {data: payload(17<<20, 5), err: errBoom},
		"instead of the EOF": {data: payload(300, 6), err: errBoom},
		// What a request body reports when it ends before its length.
		"cut short": {data: payload(300, 7), err: io.ErrUnexpectedEOF},
	} {
		_, err := s.PutStream(t.Context(), "evidence/broken", r, "")
		require.True(t, errors.Is(err, r.err), "%s: %v", name, err)
		require.Equal(t, []string{"evidence/big"}, left(), name)
	}
}
