package blobstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/storage/blobstore"
)

// inspectable wraps a store under test with a view of what the backend
// holds underneath, including temp/spool files and incomplete uploads, so the
// suite can assert "nothing stored" without knowing the backend. Object keys
// are listed as they are; anything else carries a "kind:" prefix (a valid
// key has no ':').
type inspectable struct {
	documents.BlobStore
	list func(t *testing.T) []string
}

// rawEntries lists everything the backend behind store holds, sorted.
func rawEntries(t *testing.T, store documents.BlobStore) []string {
	t.Helper()
	in, ok := store.(*inspectable)
	require.True(t, ok, "newStore must return an *inspectable")
	entries := in.list(t)
	sort.Strings(entries)
	return entries
}

// listFiles lists the regular files under dir (relative, slash-separated).
func listFiles(t *testing.T, dir, prefix string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			out = append(out, prefix+filepath.ToSlash(rel))
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

func TestFS(t *testing.T) {
	runConformance(t, func(t *testing.T) documents.BlobStore {
		dir := filepath.Join(t.TempDir(), "blobs") // NewFS creates it
		s, err := blobstore.NewFS(dir)
		require.NoError(t, err)
		info, err := os.Stat(dir)
		require.NoError(t, err)
		require.True(t, info.IsDir())
		require.Zero(t, info.Mode().Perm()&^0o750, "directory mode %v is wider than 0750", info.Mode().Perm())
		return &inspectable{BlobStore: s, list: func(t *testing.T) []string {
			// Normalise the layout: "<key>~blob" is the object key, its
			// sidecar "meta:<key>", anything else (spool files) "other:".
			var out []string
			for _, f := range listFiles(t, dir, "") {
				switch {
				case strings.HasSuffix(f, "~blob"):
					out = append(out, strings.TrimSuffix(f, "~blob"))
				case strings.HasSuffix(f, "~meta"):
					out = append(out, "meta:"+strings.TrimSuffix(f, "~meta"))
				default:
					out = append(out, "other:"+f)
				}
			}
			return out
		}}
	})
}

// s3Env returns the MinIO test endpoint and credentials, or skips the test
// (fails it under CRAFTSCODE_REQUIRE_BACKENDS=1) when none is configured.
func s3Env(t *testing.T) (endpoint, accessKey, secretKey string) {
	t.Helper()
	endpoint = os.Getenv("TEST_S3_ENDPOINT")
	if endpoint == "" {
		if os.Getenv("CRAFTSCODE_REQUIRE_BACKENDS") == "1" {
			t.Fatal("TEST_S3_ENDPOINT is not set, but CRAFTSCODE_REQUIRE_BACKENDS=1 requires the S3 suite to run")
		}
		t.Skip("TEST_S3_ENDPOINT is not set: set TEST_S3_ENDPOINT (host:port), TEST_S3_ACCESS_KEY and TEST_S3_SECRET_KEY to run the S3 suite against MinIO")
	}
	accessKey, secretKey = os.Getenv("TEST_S3_ACCESS_KEY"), os.Getenv("TEST_S3_SECRET_KEY")
	if accessKey == "" || secretKey == "" {
		t.Fatal("TEST_S3_ENDPOINT is set but TEST_S3_ACCESS_KEY or TEST_S3_SECRET_KEY is empty")
	}
	return endpoint, accessKey, secretKey
}

func randomBucket(t *testing.T) string {
	t.Helper()
	b := make([]byte, 8)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return "test-" + hex.EncodeToString(b)
}

// s3Admin returns a plain minio client for setup, inspection and cleanup.
func s3Admin(t *testing.T, endpoint, accessKey, secretKey string) *minio.Client {
	t.Helper()
	c, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(accessKey, secretKey, "")})
	require.NoError(t, err)
	return c
}

// removeBucketOnCleanup empties and removes bucket when t ends. It uses its
// own context: t.Context() is already cancelled when cleanups run.
func removeBucketOnCleanup(t *testing.T, admin *minio.Client, bucket string) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if ok, err := admin.BucketExists(ctx, bucket); err != nil || !ok {
			if err != nil {
				t.Errorf("cleanup: bucket %s: %v", bucket, err)
			}
			return
		}
		for obj := range admin.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
			if obj.Err != nil {
				t.Errorf("cleanup: list %s: %v", bucket, obj.Err)
				return
			}
			if err := admin.RemoveObject(ctx, bucket, obj.Key, minio.RemoveObjectOptions{}); err != nil {
				t.Errorf("cleanup: remove %s/%s: %v", bucket, obj.Key, err)
			}
		}
		for up := range admin.ListIncompleteUploads(ctx, bucket, "", true) {
			if up.Err != nil {
				t.Errorf("cleanup: list uploads %s: %v", bucket, up.Err)
				return
			}
			if err := admin.RemoveIncompleteUpload(ctx, bucket, up.Key); err != nil {
				t.Errorf("cleanup: abort upload %s/%s: %v", bucket, up.Key, err)
			}
		}
		if err := admin.RemoveBucket(ctx, bucket); err != nil {
			// MinIO does not list "p/q" once an object "p" exists, so the
			// loop above can miss objects; force-delete as a fallback.
			if err := admin.RemoveBucketWithOptions(ctx, bucket, minio.RemoveBucketOptions{ForceDelete: true}); err != nil {
				t.Errorf("cleanup: remove bucket %s: %v", bucket, err)
			}
		}
	})
}

func TestS3(t *testing.T) {
	endpoint, accessKey, secretKey := s3Env(t)
	admin := s3Admin(t, endpoint, accessKey, secretKey)
	runConformance(t, func(t *testing.T) documents.BlobStore {
		bucket := randomBucket(t)
		spool := t.TempDir()
		removeBucketOnCleanup(t, admin, bucket)
		s, err := blobstore.NewS3(t.Context(), blobstore.S3Config{
			Endpoint: endpoint, AccessKey: accessKey, SecretKey: secretKey,
			Bucket: bucket, TempDir: spool,
		})
		require.NoError(t, err)
		ok, err := admin.BucketExists(t.Context(), bucket)
		require.NoError(t, err)
		require.True(t, ok, "NewS3 must create the bucket")
		return &inspectable{BlobStore: s, list: func(t *testing.T) []string {
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
		}}
	})
}

// TestS3BucketCreation checks that NewS3 creates a missing bucket, accepts
// an existing one, and tolerates concurrent creators.
func TestS3BucketCreation(t *testing.T) {
	endpoint, accessKey, secretKey := s3Env(t)
	admin := s3Admin(t, endpoint, accessKey, secretKey)
	bucket := randomBucket(t)
	removeBucketOnCleanup(t, admin, bucket)
	cfg := blobstore.S3Config{Endpoint: endpoint, AccessKey: accessKey, SecretKey: secretKey, Bucket: bucket}

	const n = 8
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = blobstore.NewS3(t.Context(), cfg)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "creator %d", i)
	}
	ok, err := admin.BucketExists(t.Context(), bucket)
	require.NoError(t, err)
	require.True(t, ok)

	s, err := blobstore.NewS3(t.Context(), cfg) // existing bucket
	require.NoError(t, err)
	require.NoError(t, s.Ping(t.Context()))

	require.NoError(t, admin.RemoveBucket(t.Context(), bucket))
	require.Error(t, s.Ping(t.Context()), "Ping must fail once the bucket is gone")
}

// ---- the shared suite ----

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// payload returns n deterministic pseudo-random bytes.
func payload(n int, seed byte) []byte {
	b := make([]byte, n)
	_, _ = mrand.NewChaCha8([32]byte{seed}).Read(b)
	return b
}

// plainReader hides everything but Read (no WriterTo, Seeker, ReaderAt, Len,
// Stat): a stream of unknown length like a request body.
type plainReader struct{ r io.Reader }

func (p *plainReader) Read(b []byte) (int, error) { return p.r.Read(b) }

// failingReader yields data and then fails with err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// cancellingReader calls cancel once it has delivered after bytes.
type cancellingReader struct {
	r      io.Reader
	after  int
	n      int
	cancel context.CancelFunc
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	if c.n >= c.after {
		c.cancel()
	}
	return n, err
}

var errBoom = errors.New("reader failed")

func readAll(t *testing.T, store documents.BlobStore, key string) ([]byte, documents.BlobInfo) {
	t.Helper()
	b, err := store.Open(t.Context(), key)
	require.NoError(t, err)
	defer func() { require.NoError(t, b.Close()) }()
	data, err := io.ReadAll(b)
	require.NoError(t, err)
	return data, b.Info()
}

func requireAbsent(t *testing.T, store documents.BlobStore, key string) {
	t.Helper()
	_, err := store.Stat(t.Context(), key)
	require.ErrorIs(t, err, documents.ErrNotFound)
	b, err := store.Open(t.Context(), key)
	require.ErrorIs(t, err, documents.ErrNotFound)
	require.Nil(t, b)
}

// requireContent checks that key holds want, by bytes and by metadata.
func requireContent(t *testing.T, store documents.BlobStore, key string, want []byte, contentType string) {
	t.Helper()
	got, info := readAll(t, store, key)
	require.Equal(t, len(want), len(got), "size of %s", key)
	require.True(t, bytes.Equal(want, got), "content of %s differs", key)
	requireInfo(t, info, key, want, contentType)
	st, err := store.Stat(t.Context(), key)
	require.NoError(t, err)
	requireInfo(t, st, key, want, contentType)
}

func requireInfo(t *testing.T, info documents.BlobInfo, key string, data []byte, contentType string) {
	t.Helper()
	require.Equal(t, key, info.Key)
	require.Equal(t, int64(len(data)), info.Size)
	require.Equal(t, contentType, info.ContentType)
	require.Equal(t, sha(data), info.SHA256)
	require.WithinDuration(t, time.Now(), info.ModTime, time.Minute)
}

func put(t *testing.T, store documents.BlobStore, key string, data []byte, contentType string) documents.BlobInfo {
	t.Helper()
	info, err := store.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), documents.PutOptions{ContentType: contentType})
	require.NoError(t, err)
	requireInfo(t, info, key, data, contentType)
	return info
}

// runConformance runs the documents.BlobStore contract against stores made
// by newStore; each subtest gets its own empty store.
func runConformance(t *testing.T, newStore func(t *testing.T) documents.BlobStore) {
	t.Run("RoundTrip", func(t *testing.T) {
		t.Parallel()
		cases := []struct {
			name, key, contentType, wantType string
			data                             []byte
		}{
			{"ascii", "docs/1/hello.txt", "text/plain", "text/plain", []byte("hello, world\n")},
			{"non-ascii", "docs/1/utf8.txt", "text/plain; charset=utf-8", "text/plain; charset=utf-8",
				[]byte("árvíztűrő tükörfúrógép – ŐŰ – 日本語 – 🙂\x00\xff")},
			{"empty", "docs/2/empty", "application/pdf", "application/pdf", []byte{}},
			{"binary-default-type", "a", "", "application/octet-stream", payload(100_000, 1)},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				store := newStore(t)
				info, err := store.Put(t.Context(), tc.key, bytes.NewReader(tc.data), int64(len(tc.data)),
					documents.PutOptions{ContentType: tc.contentType})
				require.NoError(t, err)
				requireInfo(t, info, tc.key, tc.data, tc.wantType)
				requireContent(t, store, tc.key, tc.data, tc.wantType)
			})
		}
	})

	t.Run("UnknownSizeStream", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		data := payload(5<<20+123, 2)
		info, err := store.Put(t.Context(), "big/unknown", &plainReader{r: bytes.NewReader(data)}, -1,
			documents.PutOptions{ContentType: "application/pdf"})
		require.NoError(t, err)
		requireInfo(t, info, "big/unknown", data, "application/pdf")
		requireContent(t, store, "big/unknown", data, "application/pdf")
	})

	t.Run("LargerThanPart", func(t *testing.T) {
		t.Parallel()
		store := newStore(t) // S3 uploads this in several parts
		data := payload(17<<20+5, 3)
		put(t, store, "big/known", data, "application/zip")
		requireContent(t, store, "big/known", data, "application/zip")
		require.Equal(t, []string{"big/known"}, objectNames(rawEntries(t, store)))
	})

	t.Run("SeekAndRange", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		data := payload(1000, 4)
		put(t, store, "seek/x.bin", data, "application/octet-stream")
		b, err := store.Open(t.Context(), "seek/x.bin")
		require.NoError(t, err)
		defer func() { require.NoError(t, b.Close()) }()

		buf := make([]byte, 50)
		pos, err := b.Seek(100, io.SeekStart)
		require.NoError(t, err)
		require.Equal(t, int64(100), pos)
		_, err = io.ReadFull(b, buf)
		require.NoError(t, err)
		require.Equal(t, data[100:150], buf)

		pos, err = b.Seek(10, io.SeekCurrent)
		require.NoError(t, err)
		require.Equal(t, int64(160), pos)
		_, err = io.ReadFull(b, buf[:10])
		require.NoError(t, err)
		require.Equal(t, data[160:170], buf[:10])

		pos, err = b.Seek(-20, io.SeekEnd)
		require.NoError(t, err)
		require.Equal(t, int64(980), pos)
		tail, err := io.ReadAll(b)
		require.NoError(t, err)
		require.Equal(t, data[980:], tail)

		pos, err = b.Seek(0, io.SeekStart)
		require.NoError(t, err)
		require.Zero(t, pos)
		all, err := io.ReadAll(b)
		require.NoError(t, err)
		require.Equal(t, data, all)

		// What the download handler does.
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/x.bin", nil)
		req.Header.Set("Range", "bytes=200-299")
		http.ServeContent(rec, req, "x.bin", b.Info().ModTime, b)
		require.Equal(t, http.StatusPartialContent, rec.Code)
		require.Equal(t, "bytes 200-299/1000", rec.Header().Get("Content-Range"))
		require.Equal(t, data[200:300], rec.Body.Bytes())
	})

	t.Run("Missing", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		requireAbsent(t, store, "missing")
		requireAbsent(t, store, "missing/deep/key.pdf")
		put(t, store, "present/x", []byte("x"), "text/plain")
		requireAbsent(t, store, "present")   // a prefix is not an object
		requireAbsent(t, store, "present/y") // a sibling is not either
	})

	t.Run("Delete", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		put(t, store, "del/x", []byte("to be deleted"), "text/plain")
		put(t, store, "del/keep", []byte("stays"), "text/plain")
		require.NoError(t, store.Delete(t.Context(), "del/x"))
		requireAbsent(t, store, "del/x")
		require.NoError(t, store.Delete(t.Context(), "del/x"), "second delete")
		require.NoError(t, store.Delete(t.Context(), "never/existed"))
		requireContent(t, store, "del/keep", []byte("stays"), "text/plain")
		require.NoError(t, store.Delete(t.Context(), "del/keep"))
		require.Empty(t, rawEntries(t, store), "delete must remove everything")
	})

	t.Run("KeyAndPrefixCoexist", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		put(t, store, "p", []byte("parent"), "text/plain")
		put(t, store, "p/q", []byte("child"), "text/plain")
		put(t, store, "p/q/r", []byte("grandchild"), "text/plain")
		requireContent(t, store, "p", []byte("parent"), "text/plain")
		requireContent(t, store, "p/q", []byte("child"), "text/plain")
		requireContent(t, store, "p/q/r", []byte("grandchild"), "text/plain")
		require.NoError(t, store.Delete(t.Context(), "p/q"))
		requireAbsent(t, store, "p/q")
		requireContent(t, store, "p", []byte("parent"), "text/plain")
		requireContent(t, store, "p/q/r", []byte("grandchild"), "text/plain")
		require.NoError(t, store.Delete(t.Context(), "p"))
		require.NoError(t, store.Delete(t.Context(), "p/q/r"))
		requireAbsent(t, store, "p")
		requireAbsent(t, store, "p/q/r")
		require.Empty(t, rawEntries(t, store))
	})

	t.Run("Overwrite", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		put(t, store, "ow", []byte("version one"), "text/plain")
		v2 := []byte(`{"version": 2, "longer": true}`)
		put(t, store, "ow", v2, "application/json")
		requireContent(t, store, "ow", v2, "application/json")
		put(t, store, "ow", []byte{}, "text/plain") // shrink to empty
		requireContent(t, store, "ow", []byte{}, "text/plain")
	})

	t.Run("NoOverwriteNewKey", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		data := []byte("first")
		info, err := store.Put(t.Context(), "once", bytes.NewReader(data), int64(len(data)),
			documents.PutOptions{ContentType: "text/plain", NoOverwrite: true})
		require.NoError(t, err)
		requireInfo(t, info, "once", data, "text/plain")
		requireContent(t, store, "once", data, "text/plain")
	})

	for _, tc := range []struct {
		name string
		size int
	}{{"NoOverwriteExisting", 64}, {"NoOverwriteExistingLarge", 17<<20 + 7}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := newStore(t)
			old := []byte("original content")
			put(t, store, "fixed/key", old, "text/plain")
			before := rawEntries(t, store)

			data := payload(tc.size, 5)
			_, err := store.Put(t.Context(), "fixed/key", bytes.NewReader(data), int64(len(data)),
				documents.PutOptions{ContentType: "application/octet-stream", NoOverwrite: true})
			require.ErrorIs(t, err, documents.ErrExists)
			// Unknown size takes another path on S3 and must be refused too.
			_, err = store.Put(t.Context(), "fixed/key", &plainReader{r: bytes.NewReader(data)}, -1,
				documents.PutOptions{NoOverwrite: true})
			require.ErrorIs(t, err, documents.ErrExists)

			requireContent(t, store, "fixed/key", old, "text/plain")
			require.Equal(t, before, rawEntries(t, store), "a refused Put must leave nothing behind")
		})
	}

	t.Run("ConcurrentNoOverwrite", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		const n = 8
		datas := make([][]byte, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			datas[i] = fmt.Appendf(payload(1000+i, byte(i)), "writer %d", i)
			wg.Go(func() {
				<-start
				_, errs[i] = store.Put(t.Context(), "race/key", bytes.NewReader(datas[i]), int64(len(datas[i])),
					documents.PutOptions{ContentType: fmt.Sprintf("text/x-writer-%d", i), NoOverwrite: true})
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				require.Equal(t, -1, winner, "writers %d and %d both succeeded", winner, i)
				winner = i
				continue
			}
			require.ErrorIs(t, err, documents.ErrExists, "writer %d", i)
		}
		require.NotEqual(t, -1, winner, "no writer succeeded")
		requireContent(t, store, "race/key", datas[winner], fmt.Sprintf("text/x-writer-%d", winner))
		require.Equal(t, []string{"race/key"}, objectNames(rawEntries(t, store)))
	})

	t.Run("ConcurrentNoOverwriteLarge", func(t *testing.T) {
		t.Parallel()
		store := newStore(t) // larger than an S3 part
		const n = 3
		data := payload(17<<20+9, 12)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				_, errs[i] = store.Put(t.Context(), "race/large", bytes.NewReader(data), int64(len(data)),
					documents.PutOptions{ContentType: fmt.Sprintf("text/x-writer-%d", i), NoOverwrite: true})
			})
		}
		close(start)
		wg.Wait()
		winner := -1
		for i, err := range errs {
			if err == nil {
				require.Equal(t, -1, winner, "writers %d and %d both succeeded", winner, i)
				winner = i
				continue
			}
			require.ErrorIs(t, err, documents.ErrExists, "writer %d", i)
		}
		require.NotEqual(t, -1, winner, "no writer succeeded")
		requireContent(t, store, "race/large", data, fmt.Sprintf("text/x-writer-%d", winner))
		require.Equal(t, []string{"race/large"}, objectNames(rawEntries(t, store)))
	})

	t.Run("ConcurrentOverwrite", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		const n = 8
		datas := make([][]byte, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			datas[i] = payload(1000*(i+1), byte(10+i))
			wg.Go(func() {
				<-start
				_, errs[i] = store.Put(t.Context(), "last/wins", bytes.NewReader(datas[i]), int64(len(datas[i])),
					documents.PutOptions{ContentType: fmt.Sprintf("text/x-writer-%d", i)})
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			require.NoError(t, err, "writer %d", i)
		}
		// Whichever writer won, bytes and metadata must belong together.
		got, _ := readAll(t, store, "last/wins")
		winner := len(got)/1000 - 1
		require.True(t, winner >= 0 && winner < n && bytes.Equal(datas[winner], got), "content is none of the writers'")
		requireContent(t, store, "last/wins", datas[winner], fmt.Sprintf("text/x-writer-%d", winner))
	})

	t.Run("InvalidKeys", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		for _, key := range []string{"../x", "/abs", "a//b", "A/Upper", "x/../y", "", "with space", "ő",
			"a/", ".hidden", "x/./y", "a\\b", "a~blob", "tmp/.tmp"} {
			data := []byte("should not be stored")
			_, err := store.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), documents.PutOptions{})
			require.ErrorIs(t, err, documents.ErrInvalidKey, "Put %q", key)
			_, err = store.Stat(t.Context(), key)
			require.ErrorIs(t, err, documents.ErrInvalidKey, "Stat %q", key)
			_, err = store.Open(t.Context(), key)
			require.ErrorIs(t, err, documents.ErrInvalidKey, "Open %q", key)
			require.ErrorIs(t, store.Delete(t.Context(), key), documents.ErrInvalidKey, "Delete %q", key)
		}
		require.Empty(t, rawEntries(t, store))
	})

	t.Run("ReaderFails", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		for _, size := range []int64{-1, 300_000} {
			_, err := store.Put(t.Context(), "broken", &failingReader{data: payload(200_000, 6), err: errBoom}, size,
				documents.PutOptions{ContentType: "text/plain"})
			require.ErrorIs(t, err, errBoom, "size %d", size)
			requireAbsent(t, store, "broken")
			require.Empty(t, rawEntries(t, store), "size %d", size)
		}
		// A failed overwrite keeps the old object.
		put(t, store, "broken", []byte("good"), "text/plain")
		_, err := store.Put(t.Context(), "broken", &failingReader{data: []byte("bad"), err: errBoom}, -1, documents.PutOptions{})
		require.ErrorIs(t, err, errBoom)
		requireContent(t, store, "broken", []byte("good"), "text/plain")
	})

	t.Run("SizeMismatch", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		data := payload(5000, 7)
		for _, declared := range []int64{4999, 5001, 0, 1 << 20} {
			_, err := store.Put(t.Context(), "sized", &plainReader{r: bytes.NewReader(data)}, declared, documents.PutOptions{})
			require.ErrorIs(t, err, blobstore.ErrSizeMismatch, "declared %d", declared)
			requireAbsent(t, store, "sized")
			require.Empty(t, rawEntries(t, store), "declared %d", declared)
		}
		put(t, store, "sized", []byte("old"), "text/plain")
		_, err := store.Put(t.Context(), "sized", bytes.NewReader(data), 10, documents.PutOptions{})
		require.ErrorIs(t, err, blobstore.ErrSizeMismatch)
		requireContent(t, store, "sized", []byte("old"), "text/plain")
	})

	t.Run("CancelledContext", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		put(t, store, "exists", []byte("data"), "text/plain")

		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		data := []byte("never stored")
		_, err := store.Put(ctx, "new", bytes.NewReader(data), int64(len(data)), documents.PutOptions{})
		require.ErrorIs(t, err, context.Canceled)
		_, err = store.Stat(ctx, "exists")
		require.ErrorIs(t, err, context.Canceled)
		_, err = store.Open(ctx, "exists")
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, store.Delete(ctx, "exists"), context.Canceled)
		require.ErrorIs(t, store.Ping(ctx), context.Canceled)

		// Cancelled while the body is being copied.
		ctx, cancel = context.WithCancel(t.Context())
		defer cancel()
		big := payload(1<<20, 8)
		cr := &cancellingReader{r: bytes.NewReader(big), after: 64 << 10, cancel: cancel}
		_, err = store.Put(ctx, "new", cr, -1, documents.PutOptions{})
		require.ErrorIs(t, err, context.Canceled)
		require.Less(t, cr.n, len(big), "Put must stop reading once ctx is cancelled")

		requireAbsent(t, store, "new")
		requireContent(t, store, "exists", []byte("data"), "text/plain")
		require.Equal(t, []string{"exists"}, objectNames(rawEntries(t, store)))
	})

	t.Run("Ping", func(t *testing.T) {
		t.Parallel()
		store := newStore(t)
		require.NoError(t, store.Ping(t.Context()))
	})
}

// objectNames keeps the object keys of raw backend entries, dropping FS
// sidecars; spool files and incomplete uploads stay so that they fail
// comparisons.
func objectNames(entries []string) []string {
	var out []string
	for _, e := range entries {
		if !strings.HasPrefix(e, "meta:") {
			out = append(out, e)
		}
	}
	return out
}
