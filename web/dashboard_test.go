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

// TestDashboardPages: who gets the page, what it holds, and its CSV.
func TestDashboardPages(t *testing.T) {
	s := newSite(t, sqlstore.SQLite, nil)
	web, err := s.store.ProjectByAcronym(ctx, "WEB")
	require.NoError(t, err)
	m := sqlstoretest.GenerateMonitoring("MONI", 3, 2, 2, 1)
	m.Plans[1].Title = `=HYPERLINK("http://evil.example","<i>click</i>")`
	require.NoError(t, sqlstoretest.InsertMonitoring(ctx, s.store.DB(), sqlstore.SQLite, m))
	require.NoError(t, s.store.CreateMembership(ctx, &workflow.Membership{ProjectID: m.Project.ID, UserID: s.owner.user.ID, Role: workflow.RoleObserver}))

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
