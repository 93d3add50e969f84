package web_test

import (
	"encoding/csv"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestDashboardPages: who gets the page, what it holds, and its CSV, on
// both databases.
func TestDashboardPages(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) { testDashboardPages(t, d) })
	}
}

func testDashboardPages(t *testing.T, d sqlstore.Dialect) {
	s := newSite(t, d, nil)
	web, err := s.store.ProjectByAcronym(ctx, "WEB")
	require.NoError(t, err)
	m := sqlstoretest.GenerateMonitoring("MONI", 3, 2, 2, 1)
	m.Plans[1].Title = `=HYPERLINK("http://evil.example","<i>click</i>")`
	m.Plans[2].Title = "Action plan 003: crafts and design schools in the Budapest region, with export networks"
	m.Plans[2].Reports = m.Plans[2].Reports[:1] // its latest report is missing: overdue
	require.NoError(t, sqlstoretest.InsertMonitoring(ctx, s.store.DB(), d, m))
	require.NoError(t, s.store.CreateMembership(ctx, &workflow.Membership{ProjectID: m.Project.ID, UserID: s.owner.user.ID, Role: workflow.RoleObserver}))
	gp := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: m.Project.ID,
		PartnerID: m.Plans[0].PartnerID, Title: "Shared ateliers", Location: workflow.Location{Country: "HU", City: "Budapest"}}}
	require.NoError(t, s.store.CreateDeliverable(ctx, &gp))

	// The owner is in two projects: a list of both.
	b := s.browser(t)
	b.signIn(s.owner)
	res := b.get("/ui/dashboard")
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, `href="/ui/projects/`+web.ID+`/dashboard"`)
	require.Contains(t, res.body, `href="/ui/projects/`+m.Project.ID+`/dashboard"`)

	// As a partner in WEB: its own deliverables only.
	res = b.get("/ui/projects/" + web.ID + "/dashboard")
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, html.UnescapeString(res.body), "your partner's deliverables only")
	require.Contains(t, res.header.Get("Content-Security-Policy"), "default-src 'self'")

	// As an observer in MONI: everything; a title stays text.
	res = b.get("/ui/projects/" + m.Project.ID + "/dashboard")
	require.Equal(t, http.StatusOK, res.status)
	require.NotContains(t, res.body, "your partner")
	require.Equal(t, 4, strings.Count(res.body, `<svg xmlns="http://www.w3.org/2000/svg" class="chart"`))
	require.NotContains(t, res.body, "<i>click</i>")
	require.Contains(t, res.body, "&lt;i&gt;click&lt;/i&gt;")
	require.NotContains(t, res.body, "style=", "no inline styles for the CSP to refuse")
	// Each plan is linked, under its full title; the charts write it whole.
	for _, p := range m.Plans {
		require.Contains(t, html.UnescapeString(res.body), `<a href="/ui/action-plans/`+p.ID+`">`+p.Title+`</a>`)
		require.Contains(t, res.body, `<a href="/ui/action-plans/`+p.ID+`/periods">`)
	}
	require.NotContains(t, res.body, "…", "no label is cut short")
	require.Contains(t, res.body, `<tspan x="0" y="`)
	require.Contains(t, res.body, ">in the Budapest region, with export</tspan><tspan x=\"0\" y=", "a long title goes on over lines")
	// The overdue report links to its page; its due day is in words.
	missing := m.Plans[0].Reports[1].Period // plan 3 lacks it
	require.Contains(t, res.body, `<a href="/ui/action-plans/`+m.Plans[2].ID+`/reports/`+missing.Name+`">`)
	require.Contains(t, res.body, `<time datetime="`+missing.DueDate.String()+`">`)
	require.Contains(t, res.body, "1 report overdue")
	// Good practices are counted by kind.
	require.Contains(t, res.body, "<dt>Good practices</dt><dd>1</dd>")
	require.Contains(t, res.body, `<th scope="row">Good practices</th><td data-label="Draft">1</td>`)

	res = b.get("/ui/projects/" + m.Project.ID + "/dashboard.csv")
	require.Equal(t, http.StatusOK, res.status)
	require.Equal(t, "text/csv; charset=utf-8", res.header.Get("Content-Type"))
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	require.NoError(t, err)
	var plans []string
	for _, r := range rows {
		if r[0] == "actions" {
			plans = append(plans, r[2])
		}
	}
	require.Contains(t, plans, `'=HYPERLINK("http://evil.example","<i>click</i>")`, "a formula is defused")

	// A stakeholder may not; someone outside the project does not see it.
	st := s.browser(t)
	st.signIn(s.reader)
	require.Equal(t, http.StatusForbidden, st.get("/ui/projects/"+web.ID+"/dashboard").status)
	require.Equal(t, http.StatusForbidden, st.get("/ui/projects/"+web.ID+"/dashboard.csv").status)
	require.Equal(t, http.StatusNotFound, st.get("/ui/projects/"+m.Project.ID+"/dashboard").status)
	require.Contains(t, st.get("/ui/dashboard").body, "no project dashboard")

	// Signed out: to the sign-in page, and back after.
	res = s.browser(t).get("/ui/projects/" + web.ID + "/dashboard")
	require.Equal(t, http.StatusSeeOther, res.status)
	require.Contains(t, res.header.Get("Location"), "/ui/login?next=")
}
