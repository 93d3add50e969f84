package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/storage/blobstore"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/web"
	"github.com/craftscode/craftscode/workflow"
)

// s3Store is a fresh bucket on the MinIO of TEST_S3_ENDPOINT, or skips.
func s3Store(t *testing.T) (*blobstore.S3, string) {
	t.Helper()
	endpoint := os.Getenv("TEST_S3_ENDPOINT")
	if endpoint == "" {
		if os.Getenv("CRAFTSCODE_REQUIRE_BACKENDS") == "1" {
			t.Fatal("TEST_S3_ENDPOINT is not set, but CRAFTSCODE_REQUIRE_BACKENDS=1 requires the S3 tests to run")
		}
		t.Skip("TEST_S3_ENDPOINT is not set: set it with TEST_S3_ACCESS_KEY and TEST_S3_SECRET_KEY to run against MinIO")
	}
	ak, sk := os.Getenv("TEST_S3_ACCESS_KEY"), os.Getenv("TEST_S3_SECRET_KEY")
	bucket := "pages-" + strings.ToLower(workflow.NewID()[24:])
	s, err := blobstore.NewS3(t.Context(), blobstore.S3Config{Endpoint: endpoint, AccessKey: ak, SecretKey: sk, Bucket: bucket, TempDir: t.TempDir()})
	require.NoError(t, err)
	admin, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(ak, sk, "")})
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx := context.Background()
		_ = admin.RemoveBucketWithOptions(ctx, bucket, minio.RemoveBucketOptions{ForceDelete: true})
	})
	return s, endpoint
}

// plainGet fetches u as a browser following a redirect would: none of the
// service's cookies go to the object store.
func plainGet(t *testing.T, u string) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

// TestPageDownloadFromObjectStore: on S3 a page's download link is
// recorded and then sent to MinIO; the file comes with the API's name and
// the recorded hash. Outsiders get 404 and no URL; ?redirect=false and
// HEAD are answered by the service; pages allow images from the store.
func TestPageDownloadFromObjectStore(t *testing.T) {
	store, endpoint := s3Store(t)
	s := newSite(t, sqlstore.SQLite, func(cfg *web.Config) { cfg.Blobs = store })
	owner := principal(t, s, s.owner)
	doc, _, err := s.store.RequestDocument(ctx, workflow.DocumentRequest{Kind: workflow.KindActionPlan, DeliverableID: s.planID,
		Format: "md", Template: "action_plan", TemplateVersion: "test", Principal: owner})
	require.NoError(t, err)
	content := []byte("# Piano d'azione — artigianato\n")
	key := "documents/" + doc.ID + ".md"
	info, err := s.blobs.Put(ctx, key, bytes.NewReader(content), int64(len(content)), documents.PutOptions{ContentType: "text/markdown"})
	require.NoError(t, err)
	require.NoError(t, s.store.SetDocumentObject(ctx, doc.ID, key, info.SHA256, info.Size, "text/markdown; charset=utf-8"))
	require.NoError(t, s.store.FinishDocument(ctx, doc.ID, nil))
	doc, err = s.store.Document(ctx, doc.ID)
	require.NoError(t, err)
	downloads := func() int64 {
		n, err := s.store.Downloads(ctx, doc.ID)
		require.NoError(t, err)
		return n
	}

	b := s.browser(t)
	b.signIn(s.owner)
	pg := b.get("/ui/action-plans/" + s.planID)
	require.Contains(t, pg.body, `href="/ui/documents/`+doc.ID+`"`)
	require.Contains(t, pg.header.Get("Content-Security-Policy"), "img-src 'self' data: http://"+endpoint+";")

	res := b.get("/ui/documents/" + doc.ID)
	require.Equal(t, http.StatusFound, res.status, res.body)
	require.Equal(t, "no-store", res.header.Get("Cache-Control"))
	loc := res.header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "http://"+endpoint+"/"), loc)
	require.Equal(t, int64(1), downloads(), "recorded before the redirect")
	got, body := plainGet(t, loc)
	require.Equal(t, http.StatusOK, got.StatusCode, "%s", body)
	sum := sha256.Sum256(body)
	require.Equal(t, doc.SHA256, hex.EncodeToString(sum[:]))
	require.Equal(t, "text/markdown; charset=utf-8", got.Header.Get("Content-Type"))
	require.Equal(t, documents.Attachment(doc.FileName("Piano d'azione artigianato")), got.Header.Get("Content-Disposition"),
		"the API's name")

	res = b.get("/ui/documents/" + doc.ID + "?redirect=false")
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, string(content), res.body)
	require.Equal(t, got.Header.Get("Content-Disposition"), res.header.Get("Content-Disposition"))
	r, err := http.NewRequest("HEAD", s.url+"/ui/documents/"+doc.ID, nil)
	require.NoError(t, err)
	res = b.do(r)
	require.Equal(t, http.StatusOK, res.status, "a URL signed for GET would refuse HEAD")
	require.Empty(t, res.header.Get("Location"))
	require.Equal(t, int64(3), downloads())

	outsider := s.browser(t)
	outsider.signIn(s.outsider)
	res = outsider.get("/ui/documents/" + doc.ID)
	require.Equal(t, http.StatusNotFound, res.status)
	require.Empty(t, res.header.Get("Location"))
	require.Equal(t, int64(3), downloads())

	// Evidence, uploaded through the API, downloads the same way.
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 2000)...)
	up, err := http.NewRequest("POST", s.url+"/api/v1/action-plans/"+s.planID+"/evidence?filename=relazione%20%C3%A0.pdf", bytes.NewReader(pdf))
	require.NoError(t, err)
	up.Header.Set("Authorization", "Bearer "+s.owner.token)
	upRes, err := http.DefaultClient.Do(up)
	require.NoError(t, err)
	var ev workflow.Evidence
	require.Equal(t, http.StatusCreated, upRes.StatusCode)
	require.NoError(t, json.NewDecoder(upRes.Body).Decode(&ev))
	upRes.Body.Close()
	res = b.get("/ui/evidence/" + ev.ID)
	require.Equal(t, http.StatusFound, res.status, res.body)
	n, err := s.store.EvidenceDownloads(ctx, ev.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
	got, body = plainGet(t, res.header.Get("Location"))
	require.Equal(t, http.StatusOK, got.StatusCode, "%s", body)
	require.Equal(t, pdf, body)
	require.Equal(t, "application/pdf", got.Header.Get("Content-Type"))
	require.Equal(t, documents.Attachment("relazione à.pdf"), got.Header.Get("Content-Disposition"))
	res = outsider.get("/ui/evidence/" + ev.ID)
	require.Equal(t, http.StatusNotFound, res.status)
	require.Empty(t, res.header.Get("Location"))

	// The URL lasts five minutes.
	u, err := url.Parse(loc)
	require.NoError(t, err)
	require.Equal(t, strconv.Itoa(int((5 * time.Minute).Seconds())), u.Query().Get("X-Amz-Expires"))
}
