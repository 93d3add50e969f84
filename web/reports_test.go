package web_test

import (
	"bytes"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/blobstore"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/web"
	"github.com/craftscode/craftscode/workflow"
)

// monitoredSite is a site with a second project in phase 2: one
// monitored plan with two actions and two indicators, its first two
// periods' reports accepted and the third (2021-S1) not started, and
// the plan's partner, the coordinator, the secretariat and an observer
// as members.
type monitoredSite struct {
	*site
	plan                                        string
	partner, coordinator, secretariat, observer person
	indicators                                  []string
	blobDir                                     string // the pages' blob store
}

func newMonitoredSite(t *testing.T, d sqlstore.Dialect) *monitoredSite {
	t.Helper()
	dir := t.TempDir()
	blobs, err := blobstore.NewFS(dir)
	require.NoError(t, err)
	s := newSite(t, d, func(c *web.Config) { c.EvidenceLimit, c.Blobs = 4<<10, blobs })
	m := sqlstoretest.GenerateMonitoring("RPT", 1, 2, 3, 2)
	m.Plans[0].Reports = m.Plans[0].Reports[:2]
	require.NoError(t, sqlstoretest.InsertMonitoring(ctx, s.store.DB(), d, m))
	ms := &monitoredSite{site: s, plan: m.Plans[0].ID, blobDir: dir}
	for _, in := range m.Plans[0].Indicators {
		ms.indicators = append(ms.indicators, in.ID)
	}
	mk := func(email string, ship workflow.Membership) person {
		u := workflow.User{Email: email, Name: email}
		token, hash := workflow.NewToken()
		require.NoError(t, s.store.CreateUser(ctx, &u, hash, "test"))
		ship.ProjectID, ship.UserID = m.Project.ID, u.ID
		require.NoError(t, s.store.CreateMembership(ctx, &ship))
		return person{u, token}
	}
	ms.partner = mk("partner.rpt@example.org", workflow.Membership{Role: workflow.RolePartner, PartnerID: m.Plans[0].PartnerID})
	ms.coordinator = mk("coordinator.rpt@example.org", workflow.Membership{Role: workflow.RoleCoordinator})
	ms.secretariat = mk("jts.rpt@example.org", workflow.Membership{Role: workflow.RoleSecretariat})
	ms.observer = mk("observer.rpt@example.org", workflow.Membership{Role: workflow.RoleObserver})
	return ms
}

// evidenceBlobs counts the evidence files in the blob folder, and the
// spool files of uploads under way.
func evidenceBlobs(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.Contains(filepath.ToSlash(p), "/evidence/") || strings.Contains(filepath.ToSlash(p), "/.tmp/")) {
			n++
		}
		return err
	}))
	return n
}

// uploadFile posts the evidence form as a browser does: the CSRF token
// first, then the file.
func (b *browser) uploadFile(path, filename string, data []byte) page {
	b.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	require.NoError(b.t, w.WriteField("csrf", b.csrf))
	fw, err := w.CreateFormFile("file", filename)
	require.NoError(b.t, err)
	_, err = fw.Write(data)
	require.NoError(b.t, err)
	require.NoError(b.t, w.Close())
	r, err := http.NewRequest("POST", b.site.url+path, &body)
	require.NoError(b.t, err)
	r.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(r)
}

var versionInput = regexp.MustCompile(`name="version" value="(\d+)"`)

func reportVersion(t *testing.T, body string) string {
	t.Helper()
	m := versionInput.FindStringSubmatch(body)
	require.NotNil(t, m, "the page has a versioned form")
	return m[1]
}

// TestProgressReportPages: a partner starts, fills and submits a progress
// report with an evidence file through the pages; a refused form keeps
// what was typed, a stale one shows what is stored, a refused file leaves
// nothing behind; the secretariat returns it with a note and the
// coordinator accepts it. Others read, or see nothing.
func TestProgressReportPages(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newMonitoredSite(t, d)
			plan := "/ui/action-plans/" + s.plan
			report := plan + "/reports/2021-S1"
			partner := s.browser(t)
			partner.signIn(s.partner)

			// The periods: three, the last one overdue and not started.
			res := partner.get(plan + "/periods")
			require.Equal(t, 200, res.status, res.body)
			for _, p := range []string{"2020-S1", "2020-S2", "2021-S1"} {
				require.Contains(t, res.body, `href="`+plan+`/reports/`+p+`"`)
			}
			require.Contains(t, res.body, `<strong class="overdue">overdue</strong>`)
			require.Contains(t, res.body, "due 30 July 2021", "the due date in words")
			require.Equal(t, 404, partner.get(plan+"/reports/2031-S1").status, "a semester outside phase 2")
			require.Equal(t, 404, partner.get(plan+"/reports/nonsense").status)

			// Not started: the partner starts it.
			res = partner.get(report)
			require.Equal(t, 200, res.status)
			require.Contains(t, res.body, "Nobody has started the report")
			res = partner.post(report+"/start", url.Values{})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = partner.get(res.header.Get("Location"))
			require.Contains(t, res.body, "The report is started.")
			require.Contains(t, res.body, "Up to 4.1 kB:", "the limit shown")
			v1 := reportVersion(t, res.body)

			// Refused: delayed without an explanation, a value that is not a
			// number; everything typed comes back.
			bad := url.Values{"version": {v1}, "actions[0].status": {"delayed"}, "actions[0].narrative": {"Hubs half open in Oltrarno"},
				"actions[1].status": {"completed"}, "indicator_values[0].achieved": {"twelve"}, "indicator_values[1].achieved": {"4,5"},
				"improvements[0].type": {"governance"}, "improvements[0].description": {"A new board for crafts"}, "improvements[0].date": {"2021-03-01"}}
			res = partner.post(report, bad)
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			require.Contains(t, res.body, "Hubs half open in Oltrarno")
			require.Contains(t, res.body, `value="twelve"`)
			require.Contains(t, res.body, "is not a number")
			require.Contains(t, res.body, `href="#f-actions-0-explanation"`)
			require.Contains(t, res.body, "is required when the status is delayed")
			require.Contains(t, res.body, "A new board for crafts")

			// Saved.
			good := url.Values{}
			for k, v := range bad {
				good[k] = v
			}
			good.Set("actions[0].explanation", "The call for tenders was late.")
			good.Set("indicator_values[0].achieved", "12")
			res = partner.post(report, good)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = partner.get(res.header.Get("Location"))
			require.Contains(t, res.body, "The report is saved.")
			require.Contains(t, res.body, "The call for tenders was late.")
			require.Contains(t, res.body, `value="4.5"`, "a decimal comma is read as a point")
			v2 := reportVersion(t, res.body)
			require.NotEqual(t, v1, v2)

			// Stale: the tab still at the first version keeps its text and
			// shows what is stored now.
			stale := url.Values{"version": {v1}, "actions[0].status": {"abandoned"}, "actions[0].explanation": {"Typed in an old tab"}}
			res = partner.post(report, stale)
			require.Equal(t, http.StatusConflict, res.status, res.body)
			require.Contains(t, res.body, "Typed in an old tab")
			require.Contains(t, res.body, "Stored now: Delayed")
			require.Equal(t, v2, reportVersion(t, res.body))

			// Evidence: refused files leave nothing behind.
			dir := s.blobDir
			partner.get(report)
			res = partner.uploadFile(report+"/evidence", "empty.pdf", nil)
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			require.Contains(t, res.body, "The file is empty.")
			res = partner.uploadFile(report+"/evidence", "run.exe", append([]byte("MZ\x90\x00"), make([]byte, 600)...))
			require.Equal(t, http.StatusUnsupportedMediaType, res.status, res.body)
			require.Contains(t, res.body, "This type of file is not accepted")
			res = partner.uploadFile(report+"/evidence", "big.txt", bytes.Repeat([]byte("crafts "), 1000))
			require.Equal(t, http.StatusRequestEntityTooLarge, res.status, res.body)
			require.Contains(t, res.body, "The file is larger than")
			res = partner.uploadFile(report+"/evidence", "bad.txt", append(bytes.Repeat([]byte("a"), 600), 0xff, 0xfe))
			require.Equal(t, http.StatusUnsupportedMediaType, res.status, "text that is not UTF-8, found at the end: %s", res.body)
			require.Equal(t, 0, evidenceBlobs(t, dir), "nothing stored")
			list, _, err := s.store.ListEvidence(ctx, s.plan, workflow.Page{Limit: 10})
			require.NoError(t, err)
			require.Empty(t, list, "and no row")

			pdf := []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
			res = partner.uploadFile(report+"/evidence", "minutes of the board.pdf", pdf)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, 2, evidenceBlobs(t, dir), "the file and its sidecar")
			res = partner.get(report)
			require.Contains(t, res.body, "minutes of the board.pdf")
			list, _, err = s.store.ListEvidence(ctx, s.plan, workflow.Page{Limit: 10})
			require.NoError(t, err)
			require.Len(t, list, 1)
			file := partner.get("/ui/evidence/" + list[0].ID)
			require.Equal(t, 200, file.status)
			require.Equal(t, string(pdf), file.body)
			require.Contains(t, file.header.Get("Content-Disposition"), "attachment")

			// Cite it from an action, then submit: the second indicator's
			// value is there, so the report is complete.
			res = partner.get(report)
			good.Set("version", reportVersion(t, res.body))
			good.Set("actions[0].evidence_ids", list[0].ID)
			res = partner.post(report, good)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = partner.get(report)
			require.Contains(t, res.body, `name="actions[0].evidence_ids" value="`+list[0].ID+`" checked`)
			res = partner.post(report+"/transitions", url.Values{"trigger": {"submit"}, "version": {reportVersion(t, res.body)}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = partner.get(res.header.Get("Location"))
			require.Contains(t, res.body, "The report is now: submitted.")
			require.NotContains(t, res.body, `id="save-report"`, "submitted: no longer edited")
			require.NotContains(t, res.body, `id="upload-evidence"`)
			require.Contains(t, res.body, `href="/ui/evidence/`+list[0].ID+`">minutes of the board.pdf</a>`)

			// Others: the observer reads; someone of another project sees nothing.
			observer := s.browser(t)
			observer.signIn(s.observer)
			res = observer.get(report)
			require.Equal(t, 200, res.status)
			require.NotContains(t, res.body, `/transitions"`)
			outsider := s.browser(t)
			outsider.signIn(s.outsider)
			require.Equal(t, 404, outsider.get(report).status)
			require.Equal(t, 404, outsider.get("/ui/evidence/"+list[0].ID).status)

			// The secretariat returns it: a note is required.
			jts := s.browser(t)
			jts.signIn(s.secretariat)
			res = jts.get(report)
			require.Contains(t, res.body, `id="return-form"`)
			require.Contains(t, res.body, `id="accept-form"`)
			v := reportVersion(t, res.body)
			res = jts.post(report+"/transitions", url.Values{"trigger": {"return"}, "version": {v}, "note": {"  "}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			require.Contains(t, res.body, `href="#f-note"`)
			res = jts.post(report+"/transitions", url.Values{"trigger": {"return"}, "version": {"1"}, "note": {"Stale tab"}})
			require.Equal(t, http.StatusConflict, res.status, res.body)
			res = jts.post(report+"/transitions", url.Values{"trigger": {"return"}, "version": {v}, "note": {"Attach the board's decision, please."}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)

			// The partner reads the note, in draft again, and submits again;
			// the coordinator accepts.
			res = partner.get(report)
			require.Contains(t, res.body, "Attach the board&#39;s decision, please.")
			require.Contains(t, res.body, `id="save-report"`)
			res = partner.post(report+"/transitions", url.Values{"trigger": {"submit"}, "version": {reportVersion(t, res.body)}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			coord := s.browser(t)
			coord.signIn(s.coordinator)
			res = coord.get(report)
			res = coord.post(report+"/transitions", url.Values{"trigger": {"accept"}, "version": {reportVersion(t, res.body)}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Contains(t, coord.get(res.header.Get("Location")).body, "The report is now: accepted.")
			r, err := s.store.ProgressReport(ctx, *list[0].ReportID, workflow.Principal{User: workflow.User{Admin: true}})
			require.NoError(t, err)
			require.Equal(t, workflow.ReportAccepted, r.State)
		})
	}
}

// TestIndicatorPages: the plan's partner adds and edits indicators; a
// refused form keeps what was typed, a stale one is not saved, and a unit
// with a reported value is locked.
func TestIndicatorPages(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newMonitoredSite(t, d)
			page := "/ui/action-plans/" + s.plan + "/indicators"
			partner := s.browser(t)
			partner.signIn(s.partner)
			res := partner.get(page)
			require.Equal(t, 200, res.status, res.body)
			require.Contains(t, res.body, "Indicator 01")
			require.Contains(t, res.body, "The unit is locked")
			require.Regexp(t, `id="ind-`+s.indicators[0]+`-unit" type="text" value="SMEs" readonly`, res.body)

			res = partner.post(page, url.Values{"name": {"Craft jobs"}, "unit": {"jobs"}, "baseline": {"3"}, "target": {"many"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			require.Contains(t, res.body, `value="Craft jobs"`)
			require.Contains(t, res.body, `value="many"`)
			require.Contains(t, res.body, "is not a number")
			res = partner.post(page, url.Values{"name": {"Craft jobs"}, "unit": {"jobs"}, "baseline": {"3"}, "target": {"40"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			list, err := s.store.ListIndicators(ctx, s.plan, workflow.Principal{User: workflow.User{Admin: true}})
			require.NoError(t, err)
			var added workflow.Indicator
			for _, in := range list {
				if in.Name == "Craft jobs" {
					added = in
				}
			}
			require.Equal(t, 40.0, added.Target)

			// Its unit is free: nothing reported in it yet.
			edit := page + "/" + added.ID
			res = partner.post(edit, url.Values{"version": {"1"}, "name": {"Craft jobs"}, "unit": {"full-time jobs"}, "baseline": {"3"}, "target": {"45"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			// Stale.
			res = partner.post(edit, url.Values{"version": {"1"}, "name": {"Jobs typed late"}, "unit": {"jobs"}, "baseline": {"3"}, "target": {"50"}})
			require.Equal(t, http.StatusConflict, res.status, res.body)
			require.Contains(t, res.body, `value="Jobs typed late"`)
			require.Contains(t, res.body, "Someone changed this indicator meanwhile")
			in, err := s.store.Indicator(ctx, added.ID, workflow.Principal{User: workflow.User{Admin: true}})
			require.NoError(t, err)
			require.Equal(t, "full-time jobs", in.Unit)
			require.Equal(t, 45.0, in.Target)

			// A locked unit, sent anyway, is refused with the reason.
			seeded, err := s.store.Indicator(ctx, s.indicators[0], workflow.Principal{User: workflow.User{Admin: true}})
			require.NoError(t, err)
			res = partner.post(page+"/"+seeded.ID, url.Values{"version": {strconv.Itoa(seeded.Version)}, "name": {"Indicator 01"}, "unit": {"EUR"},
				"baseline": {"0"}, "target": {"10"}})
			require.Equal(t, http.StatusConflict, res.status, res.body)
			require.Contains(t, res.body, "The unit is locked")
			// Without the unit (the locked field is not sent) the rest saves.
			res = partner.post(page+"/"+seeded.ID, url.Values{"version": {strconv.Itoa(seeded.Version)}, "name": {"SMEs mentored"},
				"baseline": {"0"}, "target": {"11"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)

			// The observer reads without forms.
			observer := s.browser(t)
			observer.signIn(s.observer)
			res = observer.get(page)
			require.Equal(t, 200, res.status)
			require.Contains(t, res.body, "SMEs mentored")
			require.NotContains(t, res.body, `method="post" action="`+page)
			require.Equal(t, http.StatusForbidden, observer.post(page, url.Values{"name": {"x"}, "unit": {"x"}, "baseline": {"1"}, "target": {"2"}}).status)
		})
	}
}
