package blobstore_test

import (
	"bytes"
	"io"
	"mime"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/storage/blobstore"
)

// fetch GETs u as a browser would: no credentials of the service.
func fetch(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

func TestFSDoesNotPresign(t *testing.T) {
	s, err := blobstore.NewFS(filepath.Join(t.TempDir(), "blobs"))
	require.NoError(t, err)
	_, ok := any(s).(documents.Presigner)
	require.False(t, ok, "the folder store has no URL a browser could use: it streams")
}

// TestS3Presign: a presigned GET gives the bytes with the signed type and
// file name to anyone, until it expires; its signed parameters cannot be
// changed; with a public URL it points there.
func TestS3Presign(t *testing.T) {
	endpoint, accessKey, secretKey := s3Env(t)
	admin := s3Admin(t, endpoint, accessKey, secretKey)
	bucket := randomBucket(t)
	removeBucketOnCleanup(t, admin, bucket)
	// The same server under another name, as a browser would reach it.
	_, port, err := net.SplitHostPort(endpoint)
	require.NoError(t, err)
	public := "http://localhost:" + port
	s, err := blobstore.NewS3(t.Context(), blobstore.S3Config{
		Endpoint: endpoint, AccessKey: accessKey, SecretKey: secretKey, Bucket: bucket, PublicURL: public,
	})
	require.NoError(t, err)
	require.Equal(t, public, s.PresignOrigin())

	data := payload(70_000, 7)
	info, err := s.Put(t.Context(), "docs/a.pdf", bytes.NewReader(data), int64(len(data)), documents.PutOptions{ContentType: "application/octet-stream"})
	require.NoError(t, err)
	name := "Cselekvési terv «Габрово» r2 DRAFT.pdf"
	opts := documents.GetOptions{ContentType: "application/pdf", ContentDisposition: documents.Attachment(name)}

	u, err := s.PresignGet(t.Context(), "docs/a.pdf", 5*time.Minute, opts)
	require.NoError(t, err)
	require.Equal(t, "localhost:"+port, u.Host, "signed for the public URL")
	require.Equal(t, "300", u.Query().Get("X-Amz-Expires"))
	res, body := fetch(t, u.String())
	require.Equal(t, http.StatusOK, res.StatusCode, "%s", body)
	require.Equal(t, info.SHA256, sha(body))
	require.Equal(t, "application/pdf", res.Header.Get("Content-Type"), "the signed type, not the stored one")
	_, params, err := mime.ParseMediaType(res.Header.Get("Content-Disposition"))
	require.NoError(t, err, res.Header.Get("Content-Disposition"))
	require.Equal(t, name, params["filename"], "filename* carries the UTF-8 name")
	require.Contains(t, res.Header.Get("Content-Disposition"), "filename*=UTF-8''Cselekv%C3%A9si%20terv")

	// A signed parameter changed: refused.
	q := u.Query()
	q.Set("response-content-type", "text/html")
	forged := *u
	forged.RawQuery = q.Encode()
	res, _ = fetch(t, forged.String())
	require.Equal(t, http.StatusForbidden, res.StatusCode)

	// An expired URL: refused.
	short, err := s.PresignGet(t.Context(), "docs/a.pdf", time.Second, opts)
	require.NoError(t, err)
	time.Sleep(2500 * time.Millisecond)
	res, body = fetch(t, short.String())
	require.Equal(t, http.StatusForbidden, res.StatusCode, "%s", body)
	require.Contains(t, string(body), "expired")

	_, err = s.PresignGet(t.Context(), "../x", time.Minute, opts)
	require.ErrorIs(t, err, documents.ErrInvalidKey)
}

// TestS3PresignDefaultsToEndpoint: without a public URL the URL points at
// the endpoint the service uses; a public URL with a path is refused.
func TestS3PresignDefaultsToEndpoint(t *testing.T) {
	endpoint, accessKey, secretKey := s3Env(t)
	admin := s3Admin(t, endpoint, accessKey, secretKey)
	bucket := randomBucket(t)
	removeBucketOnCleanup(t, admin, bucket)
	cfg := blobstore.S3Config{Endpoint: endpoint, AccessKey: accessKey, SecretKey: secretKey, Bucket: bucket}
	s, err := blobstore.NewS3(t.Context(), cfg)
	require.NoError(t, err)
	require.Equal(t, "http://"+endpoint, s.PresignOrigin())
	_, err = s.Put(t.Context(), "k", strings.NewReader("hello"), 5, documents.PutOptions{})
	require.NoError(t, err)
	u, err := s.PresignGet(t.Context(), "k", time.Minute, documents.GetOptions{})
	require.NoError(t, err)
	require.Equal(t, endpoint, u.Host)
	res, body := fetch(t, u.String())
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "hello", string(body))

	for _, bad := range []string{"http://files.example/s3", "ftp://files.example", "files.example:9000"} {
		cfg.PublicURL = bad
		_, err := blobstore.NewS3(t.Context(), cfg)
		require.Error(t, err, bad)
	}
}
