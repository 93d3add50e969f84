package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/jobs"
	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/workflow"
)

// renderPDF asks for the plan's PDF as the admin and renders it as the
// render job does (the store's input, the template, the blob, the row),
// then downloads it through the API.
func (e *testEnv) renderPDF(planID string) (workflow.Document, []byte) {
	t := e.t
	t.Helper()
	var doc workflow.Document
	res := e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + planID + "/documents", Token: e.admin, Body: map[string]any{"format": "pdf"}})
	require.Contains(t, []int{200, 202}, res.Status, "%s", res.Body)
	res.json(t, &doc)
	ctx := t.Context()
	doc, snap, created, err := e.store.RenderInput(ctx, doc.ID)
	require.NoError(t, err)
	var snapshot map[string]any
	dec := json.NewDecoder(bytes.NewReader(snap))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&snapshot))
	tmpl, err := jobs.LoadTemplate(ctx, e.store, doc.Template, doc.TemplateVersion)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, documents.Assemble(&buf, tmpl, snapshot, documents.MetaFor(snapshot, doc.Approved, created, tmpl.Version), documents.FormatPDF))
	sum := sha256.Sum256(buf.Bytes())
	sha := hex.EncodeToString(sum[:])
	key := jobs.ObjectKey(doc, sha)
	_, err = e.blobs.Put(ctx, key, bytes.NewReader(buf.Bytes()), int64(buf.Len()), documents.PutOptions{ContentType: "application/pdf"})
	require.NoError(t, err)
	require.NoError(t, e.store.SetDocumentObject(ctx, doc.ID, key, sha, int64(buf.Len()), "application/pdf"))
	require.NoError(t, e.store.FinishDocument(ctx, doc.ID, nil))
	e.do(req{Method: "GET", Path: "/api/v1/documents/" + doc.ID, Token: e.admin}).json(t, &doc)
	res = e.do(req{Method: "GET", Path: "/api/v1/documents/" + doc.ID + "/content", Token: e.admin})
	require.Equal(t, 200, res.Status)
	return doc, res.Body
}

type verdict struct {
	SHA256   string                         `json:"sha256"`
	Verdict  string                         `json:"verdict"`
	Document *workflow.DocumentVerification `json:"document"`
}

// verifyFile posts a file as the body, with no token.
func (e *testEnv) verifyFile(file []byte) verdict {
	e.t.Helper()
	res := e.do(req{Method: "POST", Path: "/api/v1/verify", Raw: file, Headers: map[string]string{"Content-Type": "application/pdf"}})
	require.Equal(e.t, 200, res.Status, "%s", res.Body)
	var v verdict
	res.json(e.t, &v)
	return v
}

func TestVerifyIdentifiesIssuedDocuments(t *testing.T) {
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		// the test script installs it and asks for every backend
		if os.Getenv("CRAFTSCODE_REQUIRE_BACKENDS") == "1" {
			t.Fatalf("pdftotext is required (CRAFTSCODE_REQUIRE_BACKENDS=1) but not installed: %v", err)
		}
		t.Skip("pdftotext is not installed (poppler-utils)")
	}
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		e.store.SetPublicURL(e.url)
		c := e.consortium("VERIFY")
		var lead workflow.Partner
		e.create("/api/v1/projects/"+c.project.ID+"/partners", e.admin,
			map[string]any{"name": "Stichting Ambacht Vlaanderen", "country": "BE", "region": "BE21", "role": "lead"}, &lead)

		// A draft's PDF: issued here, but a draft.
		_, draftPDF := e.renderPDF(c.plan.ID)
		v := e.verifyFile(draftPDF)
		require.Equal(t, "draft", v.Verdict)
		require.False(t, v.Document.Approved)
		require.Equal(t, workflow.StateStakeholderReview, v.Document.State)

		// Approved by the coordinator once the consultation is closed.
		require.Equal(t, 200, e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + c.plan.ID + "/consultation/close", Token: c.tokens["partner"]}).Status)
		e.fire("action-plans", c.plan.ID, c.tokens["coordinator"], "approve", 2, 200)
		doc, pdf := e.renderPDF(c.plan.ID)
		require.True(t, doc.Approved)
		sum := sha256.Sum256(pdf)
		sha := hex.EncodeToString(sum[:])
		require.Equal(t, doc.SHA256, sha)

		v = e.verifyFile(pdf)
		require.Equal(t, "approved", v.Verdict)
		require.Equal(t, sha, v.SHA256)
		require.NotZero(t, v.Document.IssuedAt)
		require.Equal(t, workflow.DocumentVerification{Kind: workflow.KindActionPlan, Title: "Cselekvési terv a kézműipar versenyképességéért",
			Project: "VERIFY", ProjectTitle: "Crafts", Revision: 1, State: workflow.StateApproved, Approved: true, Format: "pdf",
			IssuedAt: v.Document.IssuedAt}, *v.Document)
		// Nothing but what the document shows: no ids, no people.
		res := e.do(req{Method: "GET", Path: "/api/v1/verify/" + strings.ToUpper(sha)})
		require.Equal(t, 200, res.Status)
		for _, secret := range []string{doc.ID, c.plan.ID, c.project.ID, doc.RequestedBy, "coordinator@"} {
			require.NotContains(t, string(res.Body), secret)
		}
		var byHash verdict
		res.json(t, &byHash)
		require.Equal(t, v, byHash)

		// A multipart form with the file, and JSON with the sum.
		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		fw, err := mw.CreateFormFile("file", "plan.pdf")
		require.NoError(t, err)
		_, _ = fw.Write(pdf)
		require.NoError(t, mw.Close())
		res = e.do(req{Method: "POST", Path: "/api/v1/verify", Raw: form.Bytes(), Headers: map[string]string{"Content-Type": mw.FormDataContentType()}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		res.json(t, &byHash)
		require.Equal(t, "approved", byHash.Verdict)
		res = e.do(req{Method: "POST", Path: "/api/v1/verify", Body: map[string]any{"sha256": " " + sha + "\n"}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		res.json(t, &byHash)
		require.Equal(t, "approved", byHash.Verdict)

		// One changed byte: not issued here.
		changed := bytes.Clone(pdf)
		changed[len(changed)/2] ^= 1
		v = e.verifyFile(changed)
		require.Equal(t, "not_issued", v.Verdict)
		require.Nil(t, v.Document)

		// Bad sums are refused with a problem.
		require.Equal(t, 422, e.do(req{Method: "GET", Path: "/api/v1/verify/" + sha[:63] + "g"}).problem(t).Status)
		require.Equal(t, 422, e.do(req{Method: "POST", Path: "/api/v1/verify", Body: map[string]any{"sha256": "abc"}}).Status)
		require.Equal(t, 400, e.do(req{Method: "POST", Path: "/api/v1/verify", Body: map[string]any{"sha": sha}}).Status)

		// The approved PDF's text states its approval in the plan's
		// language (Hungarian): the approver's role and organisation, the
		// date, the revision's SHA-256 and where to verify.
		path := filepath.Join(t.TempDir(), "plan.pdf")
		require.NoError(t, os.WriteFile(path, pdf, 0o600))
		out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
		require.NoError(t, err)
		text := strings.Join(strings.Fields(string(out)), " ")
		var rev struct{ SHA256 string }
		e.do(req{Method: "GET", Path: "/api/v1/action-plans/" + c.plan.ID + "/revisions/1", Token: e.admin}).json(t, &rev)
		hu := locale.MustLoad().Match("hu")
		var approvedAt time.Time
		for _, h := range e.history("action-plans", c.plan.ID) {
			if h.Trigger == workflow.TriggerApprove {
				approvedAt = h.At.UTC()
			}
		}
		require.False(t, approvedAt.IsZero())
		for _, want := range []string{
			hu.MustT("doc.approval.heading"),
			hu.MustT("doc.approval.coordinator_of", "Organisation", "Stichting Ambacht Vlaanderen"),
			hu.Clock(time.UTC, time.Time{}).Moment(approvedAt),
			rev.SHA256,
			hu.MustT("doc.approval.verify", "URL", e.url+"/verify"),
		} {
			require.Contains(t, text, want)
		}
		require.Len(t, rev.SHA256, 64)
		require.NotContains(t, text, "DRAFT")
	})
}

// TestVerifyIsRateLimited: per client address, without a token, with
// Retry-After; and /verify leads to the page.
func TestVerifyIsRateLimited(t *testing.T) {
	e := setupWith(t, "sqlite", func(c *api.Config) { c.Verify = ratelimit.New(rate.Every(time.Hour), 2) })
	sum := strings.Repeat("ab", 32)
	for range 2 {
		require.Equal(t, 200, e.do(req{Method: "GET", Path: "/api/v1/verify/" + sum}).Status)
	}
	res := e.do(req{Method: "POST", Path: "/api/v1/verify", Raw: []byte("a file"), Headers: map[string]string{"Content-Type": "application/octet-stream"}})
	require.Equal(t, 429, res.Status)
	require.Equal(t, "rate_limited", res.problem(t).Code)
	require.NotEmpty(t, res.Header.Get("Retry-After"))

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := noFollow.Get(e.url + "/verify")
	require.NoError(t, err)
	r.Body.Close()
	require.Equal(t, http.StatusFound, r.StatusCode)
	require.Equal(t, "/ui/verify", r.Header.Get("Location"))
}
