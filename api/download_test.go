package api_test

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/workflow"
)

// pattern is a cheap, deterministic stream of n bytes.
type pattern struct{ left int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	n := min(int64(len(b)), p.left)
	for i := range n {
		b[i] = byte((p.left - i) * 31)
	}
	p.left -= n
	return int(n), nil
}

// readyDocument stores an object of size bytes and a ready document for it.
func (e *testEnv) readyDocument(c consortium, size int64) (workflow.Document, string) {
	t := e.t
	admin := workflow.Principal{User: workflow.User{ID: workflow.NewID(), Admin: true}}
	doc, _, err := e.store.RequestDocument(t.Context(), workflow.DocumentRequest{Kind: workflow.KindActionPlan,
		DeliverableID: c.plan.ID, Format: "pdf", Template: "action_plan", TemplateVersion: strings.Repeat("0", 64), Principal: admin})
	require.NoError(t, err)
	info, err := e.blobs.Put(t.Context(), "test/"+doc.ID+".pdf", &pattern{left: size}, size, documents.PutOptions{ContentType: "application/pdf"})
	require.NoError(t, err)
	require.NoError(t, e.store.SetDocumentObject(t.Context(), doc.ID, info.Key, info.SHA256, info.Size, "application/pdf"))
	require.NoError(t, e.store.FinishDocument(t.Context(), doc.ID, nil))
	return doc, info.SHA256
}

func TestDownloadHeadersRangesAndAudit(t *testing.T) {
	e := setup(t, "sqlite")
	c := e.consortium("DOWN")
	doc, sha := e.readyDocument(c, 10_000)
	path := "/api/v1/documents/" + doc.ID + "/content"

	res := e.do(req{Method: "GET", Path: path, Token: c.tokens["stakeholder"]})
	require.Equal(t, 200, res.Status)
	require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
	require.Equal(t, `"`+sha+`"`, res.Header.Get("ETag"))
	sum := sha256.Sum256(res.Body)
	require.Equal(t, sha, hex.EncodeToString(sum[:]))
	// The plan's title is Hungarian: the name keeps it, percent-encoded.
	cd := res.Header.Get("Content-Disposition")
	require.True(t, strings.HasPrefix(cd, "attachment; "), cd)
	require.Contains(t, cd, "filename*=UTF-8''Cselekv%C3%A9si%20terv")
	require.Contains(t, cd, `filename="Cselekv_si terv`)
	require.NotContains(t, cd, "\n")

	res = e.do(req{Method: "GET", Path: path, Token: c.tokens["partner"], Headers: map[string]string{"Range": "bytes=100-199"}})
	require.Equal(t, http.StatusPartialContent, res.Status)
	require.Equal(t, "bytes 100-199/10000", res.Header.Get("Content-Range"))
	full := e.do(req{Method: "GET", Path: path, Token: c.tokens["partner"]}).Body
	require.Equal(t, full[100:200], res.Body)

	res = e.do(req{Method: "GET", Path: path, Token: c.tokens["outsider"]})
	require.Equal(t, 404, res.Status)

	n, err := e.store.Downloads(t.Context(), doc.ID)
	require.NoError(t, err)
	require.Equal(t, int64(3), n, "every download is audited, refused ones are not")
}

// rssKB reads a field of /proc/self/status in kB.
func rssKB(t *testing.T, field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	require.NoError(t, err)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			n, err := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			require.NoError(t, err)
			return n
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// TestLargeDownloadStreams: a 200 MB object goes through the API while the
// process's peak resident memory grows by less than 30 MB.
func TestLargeDownloadStreams(t *testing.T) {
	if _, err := os.Stat("/proc/self/clear_refs"); err != nil {
		t.Skip("needs Linux /proc to measure the resident set")
	}
	e := setup(t, "sqlite")
	c := e.consortium("BIG")
	const size = 200 << 20
	doc, sha := e.readyDocument(c, size)

	// Reset the peak (VmHWM) so it measures this download only.
	require.NoError(t, os.WriteFile("/proc/self/clear_refs", []byte("5"), 0))
	before := rssKB(t, "VmHWM")
	r, err := http.NewRequest("GET", e.url+"/api/v1/documents/"+doc.ID+"/content", nil)
	require.NoError(t, err)
	r.Header.Set("Authorization", "Bearer "+c.tokens["observer"])
	res, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	h := sha256.New()
	n, err := io.Copy(h, res.Body)
	res.Body.Close()
	require.NoError(t, err)
	require.Equal(t, int64(size), n)
	require.Equal(t, sha, hex.EncodeToString(h.Sum(nil)))
	grew := rssKB(t, "VmHWM") - before
	t.Logf("peak RSS grew by %d kB while streaming %d MB", grew, size>>20)
	require.Less(t, grew, int64(30<<10), "the download must stream, not buffer")

}
