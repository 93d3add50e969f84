package web_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/ratelimit"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/web"
	"github.com/craftscode/craftscode/workflow"
)

// verifyUpload posts the verification's file form as a browser does: the
// CSRF token first, then the file (none when filename is empty).
func (b *browser) verifyUpload(filename string, data []byte) page {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(b.t, w.WriteField("csrf", b.csrf))
	fw, err := w.CreateFormFile("file", filename)
	require.NoError(b.t, err)
	_, err = fw.Write(data)
	require.NoError(b.t, err)
	require.NoError(b.t, w.Close())
	r, err := http.NewRequest("POST", b.site.url+"/ui/verify/file", &body)
	require.NoError(b.t, err)
	r.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(r)
}

// TestVerifyPage: signed out, a person pastes a sum or uploads a file and
// reads whether this service issued it; a refused form keeps what was
// typed; the page speaks the reader's language.
func TestVerifyPage(t *testing.T) {
	for _, d := range []sqlstore.Dialect{sqlstore.SQLite, sqlstore.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			if d == sqlstore.Postgres {
				t.Parallel()
			}
			s := newSite(t, d, nil)
			owner := principal(t, s, s.owner)
			doc, _, err := s.store.RequestDocument(ctx, workflow.DocumentRequest{Kind: workflow.KindActionPlan, DeliverableID: s.planID,
				Format: "md", Template: "action_plan", TemplateVersion: "test", Principal: owner})
			require.NoError(t, err)
			content := []byte("# Piano d'azione artigianato\n")
			info, err := s.blobs.Put(ctx, "documents/"+doc.ID+".md", bytes.NewReader(content), int64(len(content)), documents.PutOptions{ContentType: "text/markdown"})
			require.NoError(t, err)
			require.NoError(t, s.store.SetDocumentObject(ctx, doc.ID, info.Key, info.SHA256, info.Size, "text/markdown"))
			require.NoError(t, s.store.FinishDocument(ctx, doc.ID, nil))
			en := locale.MustLoad().Match("en")
			msg := func(id string) string { return html.EscapeString(en.MustT(id)) }

			b := s.browser(t)
			res := b.get("/ui/verify")
			require.Equal(t, 200, res.status)
			requireHas(t, res.body, `action="/ui/verify/file" enctype="multipart/form-data"`)
			requireHas(t, res.body, `name="sha256"`)

			// A pasted sum that is none comes back with what was typed.
			res = b.post("/ui/verify", url.Values{"sha256": {"not <a> sum"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			requireHas(t, res.body, msg("verify.invalid"))
			requireHas(t, res.body, `value="not &lt;a&gt; sum"`)

			// A pasted sum, in capitals: the draft's document.
			res = b.post("/ui/verify", url.Values{"sha256": {" " + strings.ToUpper(info.SHA256) + " "}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, "/ui/verify/"+info.SHA256, res.header.Get("Location"))
			res = b.get(res.header.Get("Location"))
			require.Equal(t, 200, res.status)
			requireHas(t, res.body, msg("verify.draft"))
			requireHas(t, res.body, html.EscapeString("Piano d'azione artigianato"))
			requireHas(t, res.body, "WEB – Pages")
			requireHas(t, res.body, info.SHA256)
			requireLacks(t, res.body, doc.ID)
			requireLacks(t, res.body, "Giulia Owner")

			// The file itself, and the file with one byte changed.
			res = b.verifyUpload("plan.md", content)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, "/ui/verify/"+info.SHA256, res.header.Get("Location"))
			changed := bytes.Clone(content)
			changed[0] = '#' + 1
			sum := sha256.Sum256(changed)
			res = b.verifyUpload("plan.md", changed)
			require.Equal(t, "/ui/verify/"+hex.EncodeToString(sum[:]), res.header.Get("Location"))
			res = b.get(res.header.Get("Location"))
			requireHas(t, res.body, msg("verify.not_issued"))
			requireLacks(t, res.body, html.EscapeString("Piano d'azione"))

			// No file chosen.
			res = b.verifyUpload("", nil)
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			requireHas(t, res.body, msg("verify.no_file"))

			// In the reader's language.
			it := locale.MustLoad().Match("it")
			res = b.getLang("/ui/verify/"+info.SHA256, "it-IT,it;q=0.9")
			requireHas(t, res.body, `<html lang="it">`)
			requireHas(t, res.body, html.EscapeString(it.MustT("verify.draft")))
		})
	}
}

func TestVerifyPageIsRateLimited(t *testing.T) {
	s := newSite(t, sqlstore.SQLite, func(c *web.Config) { c.Verify = ratelimit.New(rate.Every(time.Hour), 2) })
	b := s.browser(t)
	path := "/ui/verify/" + strings.Repeat("0", 64)
	require.Equal(t, 200, b.get(path).status)
	require.Equal(t, 200, b.get(path).status)
	res := b.get(path)
	require.Equal(t, http.StatusTooManyRequests, res.status)
	require.NotEmpty(t, res.header.Get("Retry-After"))
	requireHas(t, res.body, html.EscapeString(locale.MustLoad().Match("en").MustT("verify.too_many")))
}
