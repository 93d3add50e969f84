package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

type docJSON struct {
	ID, Status, Format, SHA256, ContentType, Error string
	Size                                           int64
	Approved                                       bool
}

// approvedPlan makes a project and an action plan, submits and approves it.
func approvedPlan(t *testing.T, url, admin string) string {
	t.Helper()
	ids := seedPlans(t, url, admin, 1)
	require.Equal(t, 200, call(t, "POST", url+"/api/v1/action-plans/"+ids[0]+"/transitions", admin, map[string]any{"trigger": "submit"}, 1, nil))
	require.Equal(t, 200, call(t, "POST", url+"/api/v1/action-plans/"+ids[0]+"/consultation/close", admin, nil, 0, nil))
	require.Equal(t, 200, call(t, "POST", url+"/api/v1/action-plans/"+ids[0]+"/transitions", admin, map[string]any{"trigger": "approve"}, 2, nil))
	return ids[0]
}

func waitReady(t *testing.T, url, admin, id string, within time.Duration) docJSON {
	t.Helper()
	var d docJSON
	require.Eventually(t, func() bool {
		require.Equal(t, 200, call(t, "GET", url+"/api/v1/documents/"+id, admin, nil, 0, &d))
		require.NotEqual(t, "failed", d.Status, "document failed: %s", d.Error)
		return d.Status == "ready"
	}, within, 100*time.Millisecond)
	return d
}

func download(t *testing.T, url, token string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	r, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	r.Header.Set("Authorization", "Bearer "+token)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	res, err := noRedirects.Do(r)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, b
}

// noRedirects hands back a redirect so that the test sees it.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func s3Env(t *testing.T) map[string]string {
	endpoint := os.Getenv("TEST_S3_ENDPOINT")
	if endpoint == "" {
		if sqlstoretest.RequireBackends() {
			t.Fatal("TEST_S3_ENDPOINT is not set but CRAFTSCODE_REQUIRE_BACKENDS=1")
		}
		t.Skip("TEST_S3_ENDPOINT is not set; run ./scripts/test to get a throwaway MinIO")
	}
	env, _ := postgresEnv(t)
	env["S3_ENDPOINT"] = endpoint
	env["S3_ACCESS_KEY"] = os.Getenv("TEST_S3_ACCESS_KEY")
	env["S3_SECRET_KEY"] = os.Getenv("TEST_S3_SECRET_KEY")
	env["S3_BUCKET"] = "docs-" + strings.ToLower(workflow.NewID()[24:])
	// The same MinIO under another name, as a browser outside would reach it.
	if _, port, err := net.SplitHostPort(endpoint); err == nil {
		env["S3_PUBLIC_URL"] = "http://localhost:" + port
	}
	return env
}

// TestApprovedDocumentsEndToEnd: approve -> PDF and DOCX ready -> download
// -> the bytes' SHA-256 matches the database and the object in MinIO.
func TestApprovedDocumentsEndToEnd(t *testing.T) {
	t.Parallel()
	env := s3Env(t)
	s := serve(t, env)
	admin := env["CRAFTSCODE_ADMIN_TOKEN"]
	plan := approvedPlan(t, s.url, admin)

	var docs struct{ Items []docJSON }
	require.Equal(t, 200, call(t, "GET", s.url+"/api/v1/action-plans/"+plan+"/documents", admin, nil, 0, &docs))
	require.Len(t, docs.Items, 2, "approve assembles the PDF and the DOCX")
	mc, err := minio.New(env["S3_ENDPOINT"], &minio.Options{Creds: credentials.NewStaticV4(env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"], "")})
	require.NoError(t, err)
	db, err := sql.Open("pgx", env["DATABASE_URL"])
	require.NoError(t, err)
	defer db.Close()
	for _, d := range docs.Items {
		d = waitReady(t, s.url, admin, d.ID, 60*time.Second)
		require.True(t, d.Approved)
		// The service redirects to MinIO under S3_PUBLIC_URL's name; the
		// signed URL needs nothing of the service's.
		res, body := download(t, s.url+"/api/v1/documents/"+d.ID+"/content", admin, nil)
		require.Equal(t, http.StatusFound, res.StatusCode, "%s", body)
		loc := res.Header.Get("Location")
		require.True(t, strings.HasPrefix(loc, env["S3_PUBLIC_URL"]+"/"), loc)
		viaStore, err := http.Get(loc)
		require.NoError(t, err)
		fromStore, err := io.ReadAll(viaStore.Body)
		viaStore.Body.Close()
		require.NoError(t, err)
		require.Equal(t, 200, viaStore.StatusCode, "%s", fromStore)
		ssum := sha256.Sum256(fromStore)
		require.Equal(t, d.SHA256, hex.EncodeToString(ssum[:]), "the store's bytes match the database")
		require.Contains(t, viaStore.Header.Get("Content-Disposition"), "filename*=UTF-8''")

		res, body = download(t, s.url+"/api/v1/documents/"+d.ID+"/content?redirect=false", admin, nil)
		require.Equal(t, 200, res.StatusCode, "%s", body)
		sum := sha256.Sum256(body)
		require.Equal(t, d.SHA256, hex.EncodeToString(sum[:]), "download matches the database")
		require.Equal(t, d.Size, int64(len(body)))
		require.Equal(t, `"`+d.SHA256+`"`, res.Header.Get("ETag"))
		require.Contains(t, res.Header.Get("Content-Disposition"), "filename*=UTF-8''")

		var key string
		require.NoError(t, db.QueryRow("SELECT object_key FROM documents WHERE id = $1", d.ID).Scan(&key))
		obj, err := mc.GetObject(context.Background(), env["S3_BUCKET"], key, minio.GetObjectOptions{})
		require.NoError(t, err)
		stored, err := io.ReadAll(obj)
		require.NoError(t, err)
		osum := sha256.Sum256(stored)
		require.Equal(t, d.SHA256, hex.EncodeToString(osum[:]), "the object in MinIO matches")

		// Range requests, and each download is audited.
		res, part := download(t, s.url+"/api/v1/documents/"+d.ID+"/content?redirect=false", admin, map[string]string{"Range": "bytes=0-99"})
		require.Equal(t, 206, res.StatusCode)
		require.Equal(t, body[:100], part)
		var n int
		require.NoError(t, db.QueryRow("SELECT count(*) FROM document_downloads WHERE document_id = $1", d.ID).Scan(&n))
		require.Equal(t, 3, n)
	}
	if strings.HasPrefix(docs.Items[0].ContentType, "application/pdf") {
		require.Contains(t, docs.Items[1].ContentType, "wordprocessingml")
	}
	stopServer(t, s)
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

// ownMinIO runs a MinIO this test may stop and start again.
type ownMinIO struct {
	t          *testing.T
	bin, dir   string
	addr, cons string
	cmd        *exec.Cmd
}

func (m *ownMinIO) start() {
	m.t.Helper()
	m.cmd = exec.Command(m.bin, "server", m.dir, "--address", m.addr, "--console-address", m.cons)
	m.cmd.Env = append(os.Environ(), "MINIO_ROOT_USER=faulttest", "MINIO_ROOT_PASSWORD=faulttest-secret")
	require.NoError(m.t, m.cmd.Start())
	m.t.Cleanup(func() { _ = m.cmd.Process.Kill(); _ = m.cmd.Wait() })
	require.Eventually(m.t, func() bool {
		res, err := http.Get("http://" + m.addr + "/minio/health/live")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	}, 60*time.Second, 100*time.Millisecond, "minio did not start")
}

func (m *ownMinIO) stop() {
	require.NoError(m.t, m.cmd.Process.Kill())
	_ = m.cmd.Wait()
}

// TestDocumentWaitsForStorage: with MinIO down a requested document stays
// pending, and it becomes ready once MinIO is back.
func TestDocumentWaitsForStorage(t *testing.T) {
	t.Parallel()
	bin := os.Getenv("CRAFTSCODE_MINIO_BIN")
	if bin == "" {
		if sqlstoretest.RequireBackends() {
			t.Fatal("CRAFTSCODE_MINIO_BIN is not set but CRAFTSCODE_REQUIRE_BACKENDS=1")
		}
		t.Skip("CRAFTSCODE_MINIO_BIN is not set: this test stops and starts a MinIO of its own")
	}
	m := &ownMinIO{t: t, bin: bin, dir: t.TempDir(), addr: freePort(t), cons: freePort(t)}
	m.start()
	env, _ := postgresEnv(t)
	env["S3_ENDPOINT"], env["S3_ACCESS_KEY"], env["S3_SECRET_KEY"] = m.addr, "faulttest", "faulttest-secret"
	s := serve(t, env)
	admin := env["CRAFTSCODE_ADMIN_TOKEN"]
	plan := approvedPlan(t, s.url, admin)
	var first struct{ Items []docJSON }
	require.Equal(t, 200, call(t, "GET", s.url+"/api/v1/action-plans/"+plan+"/documents", admin, nil, 0, &first))
	for _, d := range first.Items {
		waitReady(t, s.url, admin, d.ID, 60*time.Second)
	}

	m.stop()
	require.Equal(t, 503, get(t, s.url+"/readyz", "", nil), "not ready while storage is down")
	var doc docJSON
	require.Equal(t, 202, call(t, "POST", s.url+"/api/v1/action-plans/"+plan+"/documents", admin, map[string]any{"format": "html"}, 0, &doc))
	time.Sleep(3 * time.Second) // let a few attempts fail; not a timing assertion
	require.Equal(t, 200, call(t, "GET", s.url+"/api/v1/documents/"+doc.ID, admin, nil, 0, &doc))
	require.Equal(t, "pending", doc.Status, "storage down: the document waits, it does not fail")

	m.start()
	d := waitReady(t, s.url, admin, doc.ID, 90*time.Second)
	res, body := download(t, s.url+"/api/v1/documents/"+d.ID+"/content?redirect=false", admin, nil)
	require.Equal(t, 200, res.StatusCode)
	sum := sha256.Sum256(body)
	require.Equal(t, d.SHA256, hex.EncodeToString(sum[:]))
	stopServer(t, s)

}
