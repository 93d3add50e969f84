package web_test

import (
	"bytes"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/blobstore"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/web"
	"github.com/craftscode/craftscode/workflow"
)

// member adds a user with a role in the site's project.
func (s *site) member(t *testing.T, email string, m workflow.Membership) person {
	t.Helper()
	pr, err := s.store.ProjectByAcronym(ctx, "WEB")
	require.NoError(t, err)
	u := workflow.User{Email: email, Name: email}
	token, hash := workflow.NewToken()
	require.NoError(t, s.store.CreateUser(ctx, &u, hash, "test"))
	m.ProjectID, m.UserID = pr.ID, u.ID
	require.NoError(t, s.store.CreateMembership(ctx, &m))
	return person{u, token}
}

// upload posts the image form as a browser does: the CSRF token and the
// caption first, then the file.
func (b *browser) upload(path, caption, filename string, data []byte) page {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(b.t, w.WriteField("csrf", b.csrf))
	require.NoError(b.t, w.WriteField("caption", caption))
	fw, err := w.CreateFormFile("image", filename)
	require.NoError(b.t, err)
	_, err = fw.Write(data)
	require.NoError(b.t, err)
	require.NoError(b.t, w.Close())
	r, err := http.NewRequest("POST", b.site.url+path, &body)
	require.NoError(b.t, err)
	r.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(r)
}

// pngOf is n bytes that sniff as PNG.
func pngOf(n int) []byte {
	b := bytes.Repeat([]byte{0}, n)
	copy(b, "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	return b
}

// blobCount counts the image blobs in a blob folder.
func blobCount(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(filepath.ToSlash(p), "/practices/") && strings.HasSuffix(p, "~blob") {
			n++
		}
		return err
	}))
	return n
}

// TestPracticeEditPages: a partner creates a good practice from the form,
// gets a refused form back with its text and the problem at its field,
// edits it under the version (a stale save shows the conflict and keeps
// the text), adds, shows and deletes images with their alt text; other
// roles and other partners cannot.
func TestPracticeEditPages(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) { testPracticeEditPages(t, d) })
	}
}

func testPracticeEditPages(t *testing.T, d sqlstore.Dialect) {
	const limit = 2 << 20 // over the API's 1 MiB body limit: the page's image limit applies
	blobDir := t.TempDir()
	blobs, err := blobstore.NewFS(blobDir)
	require.NoError(t, err)
	s := newSite(t, d, func(c *web.Config) { c.ImageLimit, c.Blobs = limit, blobs })
	pr, err := s.store.ProjectByAcronym(ctx, "WEB")
	require.NoError(t, err)
	partners, _, err := s.store.ListPartners(ctx, pr.ID, workflow.Page{Limit: 10})
	require.NoError(t, err)
	var firenze, gabrovo workflow.Partner
	for _, p := range partners {
		if p.Name == "Firenze" {
			firenze = p
		} else {
			gabrovo = p
		}
	}
	newPage := "/ui/projects/" + pr.ID + "/good-practices/new"

	b := s.browser(t)
	b.signIn(s.owner)
	res := b.get(newPage)
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, `<option value="`+firenze.ID+`" selected>Firenze</option>`)
	require.NotContains(t, res.body, gabrovo.ID, "a partner starts good practices for itself only")
	require.Contains(t, res.body, `name="location.nuts2"`)

	// A refused form comes back with everything typed and the problem next
	// to its field.
	form := url.Values{"partner_id": {firenze.ID}, "title": {"Botteghe aperte"}, "location.country": {"XX"},
		"location.city": {"Firenze"}, "summary": {"Laboratori <b>aperti</b> alle scuole."}, "timescale": {"2015–2019"}}
	res = b.post(newPage, form)
	require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
	require.Contains(t, res.body, `id="f-location-country-error">is not an ISO 3166-1 alpha-2 country code</p>`)
	require.Regexp(t, `<input id="f-location-country" name="location.country" type="text" value="XX"[^>]*aria-invalid="true"`, res.body)
	require.Contains(t, res.body, "Laboratori &lt;b&gt;aperti&lt;/b&gt; alle scuole.</textarea>")
	require.Contains(t, res.body, `value="Botteghe aperte"`)
	require.Contains(t, res.body, "2015–2019</textarea>")

	// Fixed, it is created as a draft.
	form.Set("location.country", "it")
	form.Set("location.nuts2", "iti1")
	form.Set("main_institution", "Comune di Firenze")
	form.Set("potential_for_learning", "Габрово could do the same.")
	res = b.post(newPage, form)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	loc := res.header.Get("Location")
	m := regexp.MustCompile(`^/ui/good-practices/([^/]+)/edit\?done=created$`).FindStringSubmatch(loc)
	require.NotNil(t, m, loc)
	id := m[1]
	dl, err := s.store.Deliverable(ctx, workflow.KindGoodPractice, id)
	require.NoError(t, err)
	g := dl.Practice
	require.Equal(t, workflow.StateDraft, g.State)
	require.Equal(t, firenze.ID, g.PartnerID)
	require.Equal(t, workflow.Location{Country: "IT", NUTS2: "ITI1", City: "Firenze"}, g.Location)
	require.Equal(t, "Comune di Firenze", g.MainInstitution)
	require.Equal(t, "Габрово could do the same.", g.PotentialForLearning)

	edit := "/ui/good-practices/" + id + "/edit"
	res = b.get(loc)
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "The good practice was created as a draft.")
	require.Contains(t, res.body, `name="version" value="1"`)
	require.Contains(t, res.body, `value="ITI1"`)

	// Two pages open at version 1: the first save wins, the second is
	// refused without overwriting, shows the saved text and keeps its own.
	first, second := form, url.Values{}
	for k, v := range form {
		second[k] = v
	}
	first.Set("version", "1")
	first.Set("summary", "Saved first.")
	res = b.post(edit, first)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	require.Equal(t, edit+"?done=saved", res.header.Get("Location"))
	second.Set("version", "1")
	second.Set("summary", "Typed second.")
	res = b.post(edit, second)
	require.Equal(t, http.StatusConflict, res.status, res.body)
	require.Contains(t, res.body, "Someone saved this good practice after you opened it")
	require.Regexp(t, `<dt>Summary</dt><dd class="lines">Saved first.</dd>`, res.body)
	require.Contains(t, res.body, "Typed second.</textarea>")
	require.Contains(t, res.body, `name="version" value="2"`, "the form now carries the version it was compared with")
	dl, err = s.store.Deliverable(ctx, workflow.KindGoodPractice, id)
	require.NoError(t, err)
	require.Equal(t, "Saved first.", dl.Practice.Summary)
	// Saving again from the conflict page is deliberate, and goes through.
	second.Set("version", "2")
	require.Equal(t, http.StatusSeeOther, b.post(edit, second).status)
	// A refused edit keeps the text and says why, at the field.
	bad := url.Values{"version": {"3"}, "title": {strings.Repeat("t", 101)}, "summary": {"Kept."}}
	res = b.post(edit, bad)
	require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
	require.Contains(t, res.body, `id="f-title-error"`)
	require.Contains(t, res.body, "Kept.</textarea>")

	// Images: the alt text is required; the type is sniffed; the limit is
	// the image limit, larger than the body limit of other forms.
	images := "/ui/good-practices/" + id + "/images"
	b.get(edit)
	res = b.upload(images, "  ", "bottega.png", pngOf(100))
	require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
	require.Contains(t, res.body, `id="img-caption-error"`)
	res = b.upload(images, "Una bottega", "bottega.png", []byte("just some text, not an image"))
	require.Equal(t, http.StatusUnsupportedMediaType, res.status, res.body)
	require.Contains(t, res.body, "This file is not a PNG, JPEG, GIF or WebP image.")
	require.Contains(t, res.body, `value="Una bottega"`, "the caption is kept")
	res = b.upload(images, "Too big", "big.png", pngOf(limit+1))
	require.Equal(t, http.StatusRequestEntityTooLarge, res.status, res.body)
	require.Contains(t, res.body, "The image is larger than 2.0 MB.")
	res = b.upload(images, "Far too big", "big.png", pngOf(limit+200<<10)) // refused from Content-Length, unread
	require.Equal(t, http.StatusRequestEntityTooLarge, res.status, res.body)
	require.Contains(t, res.body, `value="Far too big"`)
	require.Equal(t, 0, blobCount(t, blobDir), "a refused image leaves nothing stored")
	img := pngOf(1536 << 10) // over the 1 MiB body limit, under the image limit
	res = b.upload(images, `Bottega "La Scarpa" in via dei Serragli`, "bottega.png", img)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	require.Equal(t, edit+"?done=image_added#images", res.header.Get("Location"))
	dl, err = s.store.Deliverable(ctx, workflow.KindGoodPractice, id)
	require.NoError(t, err)
	require.Len(t, dl.Practice.Images, 1)
	pi := dl.Practice.Images[0]
	require.Equal(t, "image/png", pi.ContentType)
	require.EqualValues(t, len(img), pi.Size)
	require.Equal(t, 1, blobCount(t, blobDir))
	res = b.get(res.header.Get("Location"))
	imgTag := `src="/ui/good-practices/` + id + `/images/` + pi.ID + `" alt="Bottega &#34;La Scarpa&#34; in via dei Serragli">`
	require.Contains(t, res.body, imgTag)
	require.Contains(t, res.body, "The image was added.")
	res = b.get("/ui/good-practices/" + id + "/images/" + pi.ID)
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, "image/png", res.header.Get("Content-Type"))
	require.Equal(t, "nosniff", res.header.Get("X-Content-Type-Options"))
	require.True(t, bytes.Equal(img, []byte(res.body)))
	// The list shows it with its alt text too.
	res = b.get("/ui/projects/" + pr.ID + "/good-practices")
	require.Contains(t, res.body, imgTag)
	// Without the CSRF token, nothing.
	csrf := b.csrf
	b.csrf = "forged"
	require.Equal(t, http.StatusForbidden, b.upload(images, "x", "x.png", pngOf(10)).status)
	b.csrf = csrf

	// Other roles: the observer sees the draft but may not edit it; a
	// stakeholder does not see drafts at all; another partner's practice
	// is not found.
	observer := s.member(t, "observer@example.org", workflow.Membership{Role: workflow.RoleObserver})
	ob := s.browser(t)
	ob.signIn(observer)
	res = ob.get(edit)
	require.Equal(t, http.StatusForbidden, res.status, res.body)
	require.Contains(t, res.body, "Your role may not edit this good practice.")
	res = ob.post(edit, url.Values{"version": {"4"}, "title": {"Taken over"}})
	require.Equal(t, http.StatusForbidden, res.status, res.body)
	require.Equal(t, http.StatusForbidden, ob.upload(images, "x", "x.png", pngOf(10)).status)
	require.Equal(t, http.StatusForbidden, ob.post(images+"/"+pi.ID+"/delete", url.Values{}).status)
	res = ob.get(newPage)
	require.Equal(t, http.StatusForbidden, res.status, res.body)
	require.Contains(t, res.body, "Your role in this project may not start good practices.")
	require.Equal(t, http.StatusOK, ob.get("/ui/good-practices/"+id+"/images/"+pi.ID).status, "who sees the practice sees its images")
	st := s.browser(t)
	st.signIn(s.reader)
	require.Equal(t, http.StatusNotFound, st.get(edit).status)
	require.Equal(t, http.StatusNotFound, st.get("/ui/good-practices/"+id+"/images/"+pi.ID).status)
	require.Equal(t, http.StatusForbidden, st.get(newPage).status)

	other := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: pr.ID,
		PartnerID: gabrovo.ID, Title: "Ремесла в Габрово"}}
	require.NoError(t, s.store.CreateDeliverable(ctx, &other))
	otherEdit := "/ui/good-practices/" + other.Practice.ID + "/edit"
	require.Equal(t, http.StatusNotFound, b.get(otherEdit).status)
	require.Equal(t, http.StatusNotFound, b.post(otherEdit, url.Values{"version": {"1"}, "title": {"Mine now"}}).status)
	require.Equal(t, http.StatusNotFound, b.upload("/ui/good-practices/"+other.Practice.ID+"/images", "x", "x.png", pngOf(10)).status)
	form.Set("partner_id", gabrovo.ID)
	res = b.post(newPage, form)
	require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
	require.Contains(t, res.body, `id="f-partner_id-error"`)

	// The coordinator edits any partner's practice.
	coord := s.member(t, "coordinator@example.org", workflow.Membership{Role: workflow.RoleCoordinator})
	cb := s.browser(t)
	cb.signIn(coord)
	res = cb.get(otherEdit)
	require.Equal(t, http.StatusOK, res.status, res.body)
	res = cb.post(otherEdit, url.Values{"version": {"1"}, "title": {"Ремесла в Габрово"}, "location.country": {"BG"}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)

	// Deleting the image removes it and its blob.
	res = b.post(images+"/"+pi.ID+"/delete", url.Values{})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	dl, err = s.store.Deliverable(ctx, workflow.KindGoodPractice, id)
	require.NoError(t, err)
	require.Empty(t, dl.Practice.Images)
	require.Equal(t, 0, blobCount(t, blobDir))
	require.Equal(t, http.StatusNotFound, b.get("/ui/good-practices/"+id+"/images/"+pi.ID).status)

	// Past draft, the form says so instead of editing.
	cp := principal(t, s, coord)
	_, err = s.store.UpdateDeliverable(ctx, workflow.KindGoodPractice, id, dl.Practice.Version, func(d *workflow.Deliverable) error {
		g := d.Practice
		g.Description, g.EvidenceOfSuccess = "Workshops open to schools.", "3 000 visitors"
		return nil
	})
	require.NoError(t, err)
	_, _, err = s.store.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindGoodPractice, ID: id, Version: dl.Practice.Version + 1,
		Trigger: workflow.TriggerSubmit, Principal: cp})
	require.NoError(t, err)
	res = b.get(edit)
	require.Equal(t, http.StatusConflict, res.status, res.body)
	require.Contains(t, html.UnescapeString(res.body), "can change only in draft")
}
