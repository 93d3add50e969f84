package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/documents"
)

// TestPresignedDownloads: on S3 a document and an evidence file are
// audited and then sent to MinIO with a 302; following it without the
// service's credentials gives the recorded bytes under the service's file
// name and type. Whoever may not see them gets what they got before, and
// no URL; ?redirect=false streams.
func TestPresignedDownloads(t *testing.T) {
	s3 := s3Backend(t)
	if s3 == nil {
		t.Skip("TEST_S3_ENDPOINT is not set: set it with TEST_S3_ACCESS_KEY and TEST_S3_SECRET_KEY to run against MinIO")
	}
	e := setupWith(t, "sqlite", func(cfg *api.Config) { cfg.Blobs = s3.store })
	e.blobs = s3.store
	c := e.consortium("PRESIGN")
	doc, sha := e.readyDocument(c, 300_000)
	doc, err := e.store.Document(t.Context(), doc.ID)
	require.NoError(t, err)
	path := "/api/v1/documents/" + doc.ID + "/content"
	downloads := func() int64 {
		n, err := e.store.Downloads(t.Context(), doc.ID)
		require.NoError(t, err)
		return n
	}

	res := e.do(req{Method: "GET", Path: path, Token: c.tokens["stakeholder"]})
	require.Equal(t, http.StatusFound, res.Status, "%s", res.Body)
	require.Equal(t, "no-store", res.Header.Get("Cache-Control"))
	loc := res.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "http://"+s3.endpoint+"/"), loc)
	require.Contains(t, loc, "X-Amz-Expires=300", "valid for 5 minutes")
	require.NotContains(t, loc, c.tokens["stakeholder"])
	require.Equal(t, int64(1), downloads(), "audited before the redirect")

	got := follow(t, res, nil)
	require.Equal(t, http.StatusOK, got.Status, "%s", got.Body)
	sum := sha256.Sum256(got.Body)
	require.Equal(t, sha, hex.EncodeToString(sum[:]))
	require.Equal(t, "application/pdf", got.Header.Get("Content-Type"))
	cd := got.Header.Get("Content-Disposition")
	require.Equal(t, documents.Attachment(doc.FileName(c.plan.Title)), cd, "the service's file name")
	require.Contains(t, cd, "filename*=UTF-8''Cselekv%C3%A9si%20terv")

	// A range goes to MinIO with the redirect, and is audited as such.
	rng := map[string]string{"Range": "bytes=100-199"}
	part := follow(t, e.do(req{Method: "GET", Path: path, Token: c.tokens["partner"], Headers: rng}), rng)
	require.Equal(t, http.StatusPartialContent, part.Status)
	require.Equal(t, got.Body[100:200], part.Body)
	require.Equal(t, int64(2), downloads())

	// Streamed on request, with the same name.
	res = e.do(req{Method: "GET", Path: path + "?redirect=false", Token: c.tokens["observer"]})
	require.Equal(t, http.StatusOK, res.Status)
	require.Empty(t, res.Header.Get("Location"))
	require.Equal(t, got.Body, res.Body)
	require.Equal(t, cd, res.Header.Get("Content-Disposition"))
	require.Equal(t, int64(3), downloads())

	// Refused as before, without a URL or an audit row.
	for _, r := range []req{
		{Method: "GET", Path: path, Token: c.tokens["outsider"]},
		{Method: "GET", Path: path},
		{Method: "GET", Path: path + "?redirect=yes", Token: c.tokens["partner"]},
	} {
		res = e.do(r)
		require.Contains(t, []int{400, 401, 404}, res.Status, "%s", r.Path)
		require.Empty(t, res.Header.Get("Location"))
	}
	require.Equal(t, 404, e.do(req{Method: "GET", Path: path, Token: c.tokens["outsider"]}).Status)
	require.Equal(t, 400, e.do(req{Method: "GET", Path: path + "?redirect=yes", Token: c.tokens["partner"]}).Status)
	require.Equal(t, int64(3), downloads())

	// Evidence: the same, under its kept name.
	body := append(append([]byte{}, samplePDF...), make([]byte, 5000)...)
	up := e.upload(c.plan.ID, c.tokens["partner"], "?filename=jelent%C3%A9s%20%C2%BD.pdf", body, nil)
	require.Equal(t, 201, up.Status, "%s", up.Body)
	var ev struct{ ID, SHA256, Filename string }
	up.json(t, &ev)
	content := "/api/v1/evidence/" + ev.ID + "/content"
	res = e.do(req{Method: "GET", Path: content, Token: c.tokens["observer"]})
	n, err := e.store.EvidenceDownloads(t.Context(), ev.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1), n, "audited before the redirect")
	got = follow(t, res, nil)
	require.Equal(t, http.StatusOK, got.Status, "%s", got.Body)
	require.Equal(t, body, got.Body)
	sum = sha256.Sum256(got.Body)
	require.Equal(t, ev.SHA256, hex.EncodeToString(sum[:]))
	require.Equal(t, "application/pdf", got.Header.Get("Content-Type"))
	require.Equal(t, documents.Attachment("jelentés ½.pdf"), got.Header.Get("Content-Disposition"))
	res = e.do(req{Method: "GET", Path: content, Token: c.tokens["outsider"]})
	require.Equal(t, 404, res.Status)
	require.Empty(t, res.Header.Get("Location"))
	n, err = e.store.EvidenceDownloads(t.Context(), ev.ID)
	require.NoError(t, err)
	require.Equal(t, int64(1), n)
}

// TestFolderStoreStreams: without S3 the answer is the bytes, never a
// redirect, whatever ?redirect says.
func TestFolderStoreStreams(t *testing.T) {
	e := setup(t, "sqlite")
	c := e.consortium("FOLDER")
	doc, sha := e.readyDocument(c, 5000)
	for _, q := range []string{"", "?redirect=true", "?redirect=false"} {
		res := e.do(req{Method: "GET", Path: "/api/v1/documents/" + doc.ID + "/content" + q, Token: c.tokens["partner"]})
		require.Equal(t, http.StatusOK, res.Status, q)
		require.Empty(t, res.Header.Get("Location"))
		sum := sha256.Sum256(res.Body)
		require.Equal(t, sha, hex.EncodeToString(sum[:]))
	}
}
