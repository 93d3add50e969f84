package api_test

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/storage/blobstore"
	"github.com/craftscode/craftscode/workflow"
)

// samplePDF is a small file that sniffs as PDF.
var samplePDF = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// planEvidence uploads a fresh evidence file to the submitted plan.
func planEvidence(e *testEnv, c consortium) string {
	res := e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + c.plan.ID + "/evidence?filename=a.pdf", Token: e.admin, Body: samplePDF})
	require.Equal(e.t, 201, res.Status, "%s", res.Body)
	var ev workflow.Evidence
	res.json(e.t, &ev)
	return ev.ID
}

// blobBackend is a blob store for the API under test plus a listing of
// everything it holds underneath: objects, spool files, and on S3
// incomplete multipart uploads.
type blobBackend struct {
	name     string
	endpoint string // s3: the MinIO host:port
	store    documents.BlobStore
	list     func(t *testing.T) []string
}

func fsBackend(t *testing.T) blobBackend {
	dir := t.TempDir()
	s, err := blobstore.NewFS(dir)
	require.NoError(t, err)
	return blobBackend{name: "fs", store: s, list: func(t *testing.T) []string { return filesUnder(t, dir) }}
}

// s3Backend is a fresh bucket on the MinIO of TEST_S3_ENDPOINT; nil when
// none is configured (the test is skipped, or fails under
// CRAFTSCODE_REQUIRE_BACKENDS=1).
func s3Backend(t *testing.T) *blobBackend {
	endpoint := os.Getenv("TEST_S3_ENDPOINT")
	if endpoint == "" {
		if os.Getenv("CRAFTSCODE_REQUIRE_BACKENDS") == "1" {
			t.Fatal("TEST_S3_ENDPOINT is not set, but CRAFTSCODE_REQUIRE_BACKENDS=1 requires the S3 tests to run")
		}
		return nil
	}
	ak, sk := os.Getenv("TEST_S3_ACCESS_KEY"), os.Getenv("TEST_S3_SECRET_KEY")
	bucket := "evidence-" + strings.ToLower(workflow.NewID()[:8]) + "-" + strings.ToLower(workflow.NewID()[24:])
	spool := t.TempDir()
	s, err := blobstore.NewS3(t.Context(), blobstore.S3Config{Endpoint: endpoint, AccessKey: ak, SecretKey: sk, Bucket: bucket, TempDir: spool})
	require.NoError(t, err)
	admin, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4(ak, sk, "")})
	require.NoError(t, err)
	list := func(t *testing.T) []string {
		ctx := context.Background()
		var out []string
		for o := range admin.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
			require.NoError(t, o.Err)
			out = append(out, o.Key)
		}
		for u := range admin.ListIncompleteUploads(ctx, bucket, "", true) {
			require.NoError(t, u.Err)
			out = append(out, "incomplete:"+u.Key)
		}
		for _, f := range filesUnder(t, spool) {
			out = append(out, "spool:"+f)
		}
		return out
	}
	t.Cleanup(func() {
		ctx := context.Background()
		for o := range admin.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
			_ = admin.RemoveObject(ctx, bucket, o.Key, minio.RemoveObjectOptions{})
		}
		_ = admin.RemoveBucket(ctx, bucket)
	})
	return &blobBackend{name: "s3", endpoint: endpoint, store: s, list: list}
}

func filesUnder(t *testing.T, dir string) []string {
	var out []string
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	}))
	return out
}

// forEachBlobBackend runs fn on a SQLite server whose blobs are in a
// folder, and on one whose blobs are on MinIO, with uploads of evidence
// and images limited to limit bytes.
func forEachBlobBackend(t *testing.T, limit int64, fn func(t *testing.T, e *testEnv, b blobBackend)) {
	for _, name := range []string{"fs", "s3"} {
		t.Run(name, func(t *testing.T) {
			var b blobBackend
			if name == "fs" {
				b = fsBackend(t)
			} else {
				s3 := s3Backend(t)
				if s3 == nil {
					t.Skip("TEST_S3_ENDPOINT is not set: set it with TEST_S3_ACCESS_KEY and TEST_S3_SECRET_KEY to run against MinIO")
				}
				b = *s3
			}
			e := setupWith(t, "sqlite", func(cfg *api.Config) { cfg.Blobs, cfg.EvidenceLimit, cfg.ImageLimit = b.store, limit, limit })
			e.blobs = b.store
			fn(t, e, b)
		})
	}
}

// upload sends body as a file with the given headers (a lying
// Content-Type among them, when a test wants one).
func (e *testEnv) upload(planID, token, query string, body []byte, h map[string]string) response {
	return e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + planID + "/evidence" + query, Token: token, Body: body, Headers: h})
}

// requireNothingStored: no object, spool file or upload left, and no row.
func requireNothingStored(t *testing.T, e *testEnv, b blobBackend) {
	t.Helper()
	require.Empty(t, b.list(t), "nothing may be left in the blob store")
	n, err := e.store.EvidenceCount(t.Context())
	require.NoError(t, err)
	require.Zero(t, n, "no evidence row")
}

func TestEvidenceUploadDownloadAndDelete(t *testing.T) {
	forEachBlobBackend(t, 1<<20, func(t *testing.T, e *testEnv, b blobBackend) {
		c := e.consortium("EVID")
		body := append(append([]byte{}, samplePDF...), bytes.Repeat([]byte("stream 0123456789\n"), 5000)...)
		// The name tries a path, a control character and markup; the
		// Content-Type lies.
		name := "../../etc/<script>alert(1)\x07 jelentés.pdf"
		res := e.upload(c.plan.ID, c.tokens["partner"], "", body, map[string]string{
			"Content-Type":        "text/html",
			"Content-Disposition": "attachment; filename*=UTF-8''" + url.PathEscape(name),
		})
		require.Equal(t, 201, res.Status, "%s", res.Body)
		require.NotContains(t, string(res.Body), "<script>", "markup in the name is escaped in JSON")
		var ev workflow.Evidence
		res.json(t, &ev)
		sum := sha256.Sum256(body)
		require.Equal(t, "application/pdf", ev.ContentType, "the sniffed type wins over the request's")
		require.Equal(t, "<script>alert(1) jelentés.pdf", ev.Filename, "only the last path element, without control characters")
		require.Equal(t, int64(len(body)), ev.Size)
		require.Equal(t, hex.EncodeToString(sum[:]), ev.SHA256)
		require.Equal(t, c.plan.ID, ev.PlanID)
		require.Equal(t, "/api/v1/evidence/"+ev.ID, res.Header.Get("Location"))

		// The key holds ids only, and the stored bytes are the file.
		require.Equal(t, []string{"projects/" + c.project.ID + "/action-plans/" + c.plan.ID + "/evidence/" + ev.ID},
			objectKeys(b.list(t)))

		var page struct {
			Items []workflow.Evidence `json:"items"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/action-plans/" + c.plan.ID + "/evidence", Token: c.tokens["stakeholder"]}).json(t, &page)
		require.Len(t, page.Items, 1)
		require.Equal(t, ev.ID, page.Items[0].ID)

		// The service's own headers: on S3 only when asked not to redirect
		// (TestPresignedDownloads follows the redirect).
		content := "/api/v1/evidence/" + ev.ID + "/content"
		dl := e.do(req{Method: "GET", Path: content + "?redirect=false", Token: c.tokens["observer"]})
		require.Equal(t, 200, dl.Status)
		require.Equal(t, body, dl.Body)
		require.Equal(t, "application/pdf", dl.Header.Get("Content-Type"))
		require.Equal(t, `"`+ev.SHA256+`"`, dl.Header.Get("ETag"))
		require.Equal(t, "nosniff", dl.Header.Get("X-Content-Type-Options"))
		cd := dl.Header.Get("Content-Disposition")
		require.True(t, strings.HasPrefix(cd, "attachment; "), cd)
		require.Contains(t, cd, "filename*=UTF-8''%3Cscript%3Ealert%281%29%20jelent%C3%A9s.pdf")
		require.Contains(t, cd, `filename="<script>alert(1) jelent_s.pdf"`)

		rng := map[string]string{"Range": "bytes=0-7"}
		part := e.do(req{Method: "GET", Path: content, Token: c.tokens["stakeholder"], Headers: rng})
		if b.name == "s3" {
			part = follow(t, part, rng) // MinIO answers the range
		}
		require.Equal(t, http.StatusPartialContent, part.Status)
		require.Equal(t, "%PDF-1.7", string(part.Body))
		require.Equal(t, 404, e.do(req{Method: "GET", Path: content, Token: c.tokens["outsider"]}).Status)
		n, err := e.store.EvidenceDownloads(t.Context(), ev.ID)
		require.NoError(t, err)
		require.Equal(t, int64(2), n, "every download is audited, refused ones are not")

		// Deleting removes the row and the object.
		require.Equal(t, 403, e.do(req{Method: "DELETE", Path: "/api/v1/evidence/" + ev.ID, Token: c.tokens["observer"]}).Status)
		require.Equal(t, 204, e.do(req{Method: "DELETE", Path: "/api/v1/evidence/" + ev.ID, Token: c.tokens["partner"]}).Status)
		require.Equal(t, 404, e.do(req{Method: "GET", Path: content, Token: c.tokens["partner"]}).Status)
		requireNothingStored(t, e, b)
	})
}

func objectKeys(entries []string) []string {
	var out []string
	for _, s := range entries {
		if !strings.Contains(s, ":") && !strings.HasPrefix(s, ".tmp/") && !strings.HasSuffix(s, "~meta") {
			out = append(out, strings.TrimSuffix(s, "~blob"))
		}
	}
	return out
}

// chunked hides the length, so the server finds out only by reading.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

func TestEvidenceOverTheLimitLeavesNothing(t *testing.T) {
	const limit = 256 << 10
	forEachBlobBackend(t, limit, func(t *testing.T, e *testEnv, b blobBackend) {
		c := e.consortium("EVBIG")
		over := append(append([]byte{}, samplePDF...), make([]byte, limit)...)

		// Declared too large: refused before reading.
		res := e.upload(c.plan.ID, c.tokens["partner"], "?filename=big.pdf", over, nil)
		require.Equal(t, 413, res.Status, "%s", res.Body)
		require.Equal(t, "body_too_large", res.problem(t).Code)
		requireNothingStored(t, e, b)

		// Streamed without a length: cut off when reading crosses the
		// limit, just past it or far past it.
		for _, size := range []int64{limit + 1, 40 * limit} {
			hr, err := http.NewRequest("POST", e.url+"/api/v1/action-plans/"+c.plan.ID+"/evidence?filename=big.pdf", chunked{pdfStream(size)})
			require.NoError(t, err)
			hr.Header.Set("Authorization", "Bearer "+c.tokens["partner"])
			r, err := http.DefaultClient.Do(hr)
			require.NoError(t, err)
			got, _ := io.ReadAll(r.Body)
			r.Body.Close()
			require.Equal(t, 413, r.StatusCode, "%d bytes: %s", size, got)
			requireNothingStored(t, e, b)
		}

		// Exactly the limit is fine.
		res = e.upload(c.plan.ID, c.tokens["partner"], "?filename=fits.pdf", over[:limit], nil)
		require.Equal(t, 201, res.Status, "%s", res.Body)
	})
}

// docx builds a minimal Office Open XML word document with archive/zip.
func docx(t *testing.T, parts ...string) []byte {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, p := range parts {
		f, err := w.Create(p)
		require.NoError(t, err)
		_, err = fmt.Fprintf(f, "<?xml version=\"1.0\"?><part name=%q/>", p)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes()
}

func TestEvidenceTypes(t *testing.T) {
	forEachBlobBackend(t, 1<<20, func(t *testing.T, e *testEnv, b blobBackend) {
		c := e.consortium("EVTYPE")
		tok := c.tokens["coordinator"]
		for _, tc := range []struct {
			name string
			body []byte
		}{
			{"page.html", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")},
			{"drawing.svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
			{"tool.exe", append([]byte("MZ\x90\x00\x03"), make([]byte, 2000)...)},
			{"archive.docx", docx(t, "payload/readme.txt", "word/document.xml")}, // a zip, but no office package
		} {
			res := e.upload(c.plan.ID, tok, "?filename="+url.QueryEscape(tc.name), tc.body, map[string]string{"Content-Type": "application/pdf"})
			require.Equal(t, 415, res.Status, "%s: %s", tc.name, res.Body)
			require.Equal(t, "unsupported_file_type", res.problem(t).Code)
			requireNothingStored(t, e, b)
		}
		res := e.upload(c.plan.ID, tok, "?filename=empty.pdf", []byte{}, nil)
		require.Equal(t, 422, res.Status, "%s", res.Body)
		requireNothingStored(t, e, b)

		// A report of no plan: refused after streaming, and cleaned up.
		res = e.upload(c.plan.ID, tok, "?filename=a.pdf&report_id="+workflow.NewID(), samplePDF, nil)
		require.Equal(t, 422, res.Status, "%s", res.Body)
		requireNothingStored(t, e, b)

		for name, want := range map[string]string{
			"minutes.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
			"data.csv":     "text/csv; charset=utf-8",
			"notes.txt":    "text/plain; charset=utf-8",
		} {
			body := []byte("év,cél\nKKV,40\n")
			if strings.HasSuffix(name, ".docx") {
				body = docx(t, "[Content_Types].xml", "_rels/.rels", "word/document.xml")
			}
			res := e.upload(c.plan.ID, tok, "?filename="+name, body, map[string]string{"Content-Type": "image/png"})
			require.Equal(t, 201, res.Status, "%s: %s", name, res.Body)
			var ev workflow.Evidence
			res.json(t, &ev)
			require.Equal(t, want, ev.ContentType, name)
			dl := e.do(req{Method: "GET", Path: "/api/v1/evidence/" + ev.ID + "/content", Token: c.tokens["observer"]})
			if b.name == "s3" {
				dl = follow(t, dl, nil) // the type comes from the signed URL
			}
			require.Equal(t, 200, dl.Status)
			require.Equal(t, want, dl.Header.Get("Content-Type"))
			require.Equal(t, body, dl.Body)
		}
	})
}

func TestEvidenceScope(t *testing.T) {
	e := setup(t, "sqlite")
	c := e.consortium("EVSCOPE")
	draft := draftPlan(e, c)
	// A stakeholder does not see a draft: 404, not 403.
	for _, who := range []string{"stakeholder", "outsider"} {
		require.Equal(t, 404, e.upload(draft, c.tokens[who], "?filename=a.pdf", samplePDF, nil).Status, who)
		require.Equal(t, 404, e.do(req{Method: "GET", Path: "/api/v1/action-plans/" + draft + "/evidence", Token: c.tokens[who]}).Status, who)
	}
	// On a submitted plan it sees, it may read but not upload.
	require.Equal(t, 403, e.upload(c.plan.ID, c.tokens["stakeholder"], "?filename=a.pdf", samplePDF, nil).Status)
	res := e.upload(draft, c.tokens["partner"], "?filename=a.pdf", samplePDF, nil)
	require.Equal(t, 201, res.Status, "%s", res.Body)
	var ev workflow.Evidence
	res.json(t, &ev)
	require.Equal(t, 404, e.do(req{Method: "GET", Path: "/api/v1/evidence/" + ev.ID, Token: c.tokens["stakeholder"]}).Status)
	require.Equal(t, 404, e.do(req{Method: "GET", Path: "/api/v1/evidence/" + ev.ID + "/content", Token: c.tokens["stakeholder"]}).Status)
	n, err := e.store.EvidenceDownloads(t.Context(), ev.ID)
	require.NoError(t, err)
	require.Zero(t, n)

	// A peer review has no evidence.
	require.Equal(t, 404, e.upload(c.review.ID, e.admin, "?filename=a.pdf", samplePDF, nil).Status)
}

func TestEvidenceIdempotencyKey(t *testing.T) {
	forEachBlobBackend(t, 1<<20, func(t *testing.T, e *testEnv, b blobBackend) {
		c := e.consortium("EVIDEM")
		key := map[string]string{"Idempotency-Key": "upload-1"}
		first := e.upload(c.plan.ID, c.tokens["partner"], "?filename=a.pdf", samplePDF, key)
		require.Equal(t, 201, first.Status, "%s", first.Body)
		again := e.upload(c.plan.ID, c.tokens["partner"], "?filename=a.pdf", samplePDF, key)
		require.Equal(t, 201, again.Status)
		require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
		require.Equal(t, first.Body, again.Body)
		require.Equal(t, first.Header.Get("Location"), again.Header.Get("Location"))
		other := e.upload(c.plan.ID, c.tokens["partner"], "?filename=a.pdf", append(append([]byte{}, samplePDF...), '\n'), key)
		require.Equal(t, 422, other.Status)
		require.Equal(t, "idempotency_key_reused", other.problem(t).Code)
		// One file, once: the repeats left no second object or row.
		require.Len(t, objectKeys(b.list(t)), 1)
		n, err := e.store.EvidenceCount(t.Context())
		require.NoError(t, err)
		require.Equal(t, int64(1), n)
	})
}

// pdfStream is a PDF header followed by n-len(header) pattern bytes.
func pdfStream(n int64) io.Reader {
	return io.MultiReader(bytes.NewReader(samplePDF), &pattern{left: n - int64(len(samplePDF))})
}

// TestLargeEvidenceUploadStreams: a 200 MB upload goes through the API into
// the store while the process's peak resident memory grows by less than
// 30 MB (client and server share the process, so both must stream).
func TestLargeEvidenceUploadStreams(t *testing.T) {
	if _, err := os.Stat("/proc/self/clear_refs"); err != nil {
		t.Skip("needs Linux /proc to measure the resident set")
	}
	const size = 200 << 20
	forEachBlobBackend(t, size+(1<<20), func(t *testing.T, e *testEnv, b blobBackend) {
		c := e.consortium("EVRSS")
		h := sha256.New()
		_, err := io.Copy(h, pdfStream(size))
		require.NoError(t, err)
		want := hex.EncodeToString(h.Sum(nil))

		require.NoError(t, os.WriteFile("/proc/self/clear_refs", []byte("5"), 0))
		before := rssKB(t, "VmHWM")
		hr, err := http.NewRequest("POST", e.url+"/api/v1/action-plans/"+c.plan.ID+"/evidence?filename=big.pdf", chunked{pdfStream(size)})
		require.NoError(t, err)
		hr.Header.Set("Authorization", "Bearer "+c.tokens["partner"])
		res, err := http.DefaultClient.Do(hr)
		require.NoError(t, err)
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		grew := rssKB(t, "VmHWM") - before
		require.Equal(t, 201, res.StatusCode, "%s", body)
		t.Logf("%s: peak RSS grew by %d kB while uploading %d MB", b.name, grew, size>>20)
		require.Less(t, grew, int64(30<<10), "the upload must stream, not buffer")

		var ev workflow.Evidence
		require.NoError(t, json.Unmarshal(body, &ev))
		require.Equal(t, int64(size), ev.Size)
		require.Equal(t, want, ev.SHA256, "the hash computed while streaming")
		info, err := b.store.Stat(t.Context(), "projects/"+c.project.ID+"/action-plans/"+c.plan.ID+"/evidence/"+ev.ID)
		require.NoError(t, err)
		require.Equal(t, int64(size), info.Size)
	})
}

// insertReport writes a progress report row of the plan directly (the
// report API is another branch's work; evidence only reads reports).
func (e *testEnv) insertReport(c consortium, period, state string) string {
	id := workflow.NewID()
	at := time.Now().UTC()
	_, err := e.store.DB().ExecContext(e.t.Context(), `INSERT INTO progress_reports (id, plan_id, project_id, period, period_index,
		period_start, period_end, due_date, state, version, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, 1, 'u', $9, $9)`,
		id, c.plan.ID, c.project.ID, period, "2024-01-01", "2024-06-30", "2024-07-30", state, at)
	require.NoError(e.t, err)
	return id
}

func TestEvidenceForAReport(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("EVREP")
		draft := e.insertReport(c, "2024-S1", "draft")
		submitted := e.insertReport(c, "2024-S2", "submitted")

		res := e.upload(c.plan.ID, c.tokens["partner"], "?filename=a.pdf&report_id="+draft, samplePDF, nil)
		require.Equal(t, 201, res.Status, "%s", res.Body)
		var ev workflow.Evidence
		res.json(t, &ev)
		require.Equal(t, draft, *ev.ReportID)

		res = e.upload(c.plan.ID, c.tokens["partner"], "?filename=a.pdf&report_id="+submitted, samplePDF, nil)
		require.Equal(t, 409, res.Status, "%s", res.Body)
		res = e.upload(c.plan.ID, c.tokens["partner"], "?filename=a.pdf&report_id=nope", samplePDF, nil)
		require.Equal(t, 400, res.Status, "%s", res.Body)

		// Once its report is submitted, the file is part of the record.
		_, err := e.store.DB().ExecContext(t.Context(), "UPDATE progress_reports SET state = 'submitted' WHERE id = $1", draft)
		require.NoError(t, err)
		res = e.do(req{Method: "DELETE", Path: "/api/v1/evidence/" + ev.ID, Token: c.tokens["coordinator"]})
		require.Equal(t, 409, res.Status, "%s", res.Body)
		require.Equal(t, 200, e.do(req{Method: "GET", Path: "/api/v1/evidence/" + ev.ID + "/content", Token: c.tokens["partner"]}).Status)
	})
}

// A progress report cites evidence of its own plan only.
func TestReportEvidenceMustBeOfItsPlan(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("EVCITE")
		// Phase 2 runs and the plan is monitored; the lifecycle that gets
		// there is tested elsewhere.
		db := e.store.DB()
		_, err := db.ExecContext(t.Context(), "UPDATE projects SET phase1_end = $1, phase2_end = $2 WHERE id = $3", "2019-03-31", "2021-03-31", c.project.ID)
		require.NoError(t, err)
		_, err = db.ExecContext(t.Context(), "UPDATE deliverables SET state = 'monitored' WHERE id = $1", c.plan.ID)
		require.NoError(t, err)
		var rep struct {
			ID string `json:"id"`
		}
		e.create("/api/v1/action-plans/"+c.plan.ID+"/progress-reports", c.tokens["partner"], map[string]any{"period": "2020-S1"}, &rep)

		var mine, foreign workflow.Evidence
		res := e.upload(c.plan.ID, c.tokens["partner"], "?filename=mine.pdf", samplePDF, nil)
		require.Equal(t, 201, res.Status, "%s", res.Body)
		res.json(t, &mine)
		res = e.upload(draftPlan(e, c), c.tokens["partner"], "?filename=other.pdf", samplePDF, nil)
		require.Equal(t, 201, res.Status, "%s", res.Body)
		res.json(t, &foreign)

		patch := func(ids ...string) response {
			return e.do(req{Method: "PATCH", Path: "/api/v1/progress-reports/" + rep.ID, Token: c.tokens["partner"], Headers: ifMatch1,
				Body: map[string]any{"actions": []map[string]any{{"number": 1, "status": "in_progress", "narrative": "Folyamatban", "evidence_ids": ids}}}})
		}
		res = patch(mine.ID, foreign.ID)
		require.Equal(t, 422, res.Status, "%s", res.Body)
		p := res.problem(t)
		require.Len(t, p.Errors, 1)
		require.Equal(t, "actions[0].evidence_ids[1]", p.Errors[0].Field)
		res = patch(mine.ID)
		require.Equal(t, 200, res.Status, "%s", res.Body)
	})
}

// The kept name survives the round trip through a strict parser, whatever
// it holds.
func TestEvidenceNameRoundTrip(t *testing.T) {
	e := setup(t, "sqlite")
	c := e.consortium("EVNAME")
	for _, name := range []string{"a=b@c:d;e,f.pdf", `"quoted" \ back.pdf`, "РАМ Стара планина (2020) 100%.pdf", "it's*.pdf"} {
		res := e.upload(c.plan.ID, c.tokens["partner"], "?filename="+url.QueryEscape(name), samplePDF, nil)
		require.Equal(t, 201, res.Status, "%s", res.Body)
		var ev workflow.Evidence
		res.json(t, &ev)
		dl := e.do(req{Method: "GET", Path: "/api/v1/evidence/" + ev.ID + "/content", Token: c.tokens["partner"]})
		require.Equal(t, 200, dl.Status)
		_, params, err := mime.ParseMediaType(dl.Header.Get("Content-Disposition"))
		require.NoError(t, err, dl.Header.Get("Content-Disposition"))
		require.Equal(t, ev.Filename, params["filename"], "filename* decodes to the kept name")
	}
}

// A body that ends before its Content-Length is the client's fault, and
// stores nothing.
func TestEvidenceTruncatedBody(t *testing.T) {
	forEachBlobBackend(t, 1<<20, func(t *testing.T, e *testEnv, b blobBackend) {
		c := e.consortium("EVCUT")
		conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
		require.NoError(t, err)
		defer conn.Close()
		body := append(append([]byte{}, samplePDF...), make([]byte, 1000)...)
		_, err = fmt.Fprintf(conn, "POST /api/v1/action-plans/%s/evidence?filename=a.pdf HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n",
			c.plan.ID, c.tokens["partner"], len(body)+5000)
		require.NoError(t, err)
		_, err = conn.Write(body)
		require.NoError(t, err)
		require.NoError(t, conn.(*net.TCPConn).CloseWrite())
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, 400, res.StatusCode)
		requireNothingStored(t, e, b)
	})
}
