package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestBrowserDashboard opens the dashboard of a project in phase 2 in
// headless Chromium against the real binary: the demo consortium plus a
// monitored project of 12 plans written straight into its SQLite file.
// The coordinator picks the project, reads the charts and their tables by
// keyboard, on a desktop and on a phone; a partner sees its own plan only.
func TestBrowserDashboard(t *testing.T) {
	browserPath := chromium(t)
	shots := artifacts(t)
	dataDir := t.TempDir()
	env := map[string]string{"CRAFTSCODE_DATA_DIR": dataDir}
	var demo demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo", "--consortium-only"), &demo))
	var coord, partner demoUser
	for _, u := range demo.Users {
		switch {
		case u.Role == "coordinator" && coord.Email == "":
			coord = u
		case u.Role == "partner" && partner.Email == "":
			partner = u
		}
	}
	require.NotEmpty(t, coord.Token)

	// Phase 2 at the dashboard's scale for a page: 12 plans, one with a
	// title that tries to be markup.
	const evil = `<script>alert(1)</script> & "Ærø" <b>`
	m := sqlstoretest.GenerateMonitoring("MONI", 12, 6, 4, 3)
	m.Plans[4].Title = "Action plan 005 " + evil
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(dataDir, "craftscode.db"))
	require.NoError(t, err)
	require.NoError(t, sqlstoretest.InsertMonitoring(ctx, store.DB(), sqlstore.SQLite, m))
	for _, who := range []struct {
		u         demoUser
		role      workflow.Role
		partnerID string
	}{{coord, workflow.RoleCoordinator, ""}, {partner, workflow.RolePartner, m.Plans[2].PartnerID}} {
		u, err := store.UserByEmail(ctx, who.u.Email)
		require.NoError(t, err)
		require.NoError(t, store.CreateMembership(ctx, &workflow.Membership{ProjectID: m.Project.ID, UserID: u.ID, Role: who.role, PartnerID: who.partnerID}))
	}
	want, err := store.Dashboard(ctx, m.Project.ID, workflow.Scope{All: true}, time.Now())
	require.NoError(t, err)
	require.NotEmpty(t, want.Overdue)
	require.NoError(t, store.Close())
	s := serve(t, env)

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browserPath), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true))...)
	defer cancelAlloc()
	root, cancelRoot := chromedp.NewContext(alloc)
	defer cancelRoot()
	require.NoError(t, chromedp.Do(root), "start Chromium")
	person := func(token string) context.Context {
		ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
		t.Cleanup(cancelTimeout)
		require.NoError(t, chromedp.Do(ctx,
			chromedp.Navigate(s.url+"/ui/login"),
			chromedp.WaitVisible(chromedp.ID("token")),
			chromedp.SendKeys(chromedp.ID("token"), token),
			chromedp.Click(chromedp.CSS(`form[action="/ui/login/token"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`a[href="/ui/dashboard"]`)),
		))
		return ctx
	}
	n := 0
	shot := func(ctx context.Context, name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		n++
		path := filepath.Join(shots, fmt.Sprintf("%02d-%s.png", n, name))
		require.NoError(t, os.WriteFile(path, png, 0o644))
		t.Logf("screenshot: %s", path)
	}
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, sel)
		return v
	}
	count := func(ctx context.Context, sel string) int {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
		require.NoError(t, err, sel)
		return v
	}
	dashURL := "/ui/projects/" + m.Project.ID + "/dashboard"

	// 1. The coordinator is in two projects: the list, then MONI. The
	// browser's log must stay free of Content-Security-Policy refusals
	// (an inline style or script would show there).
	co := person(coord.Token)
	var logMu sync.Mutex
	var refused []string
	require.NoError(t, chromedp.Listen(co, func(ev any) {
		if e, ok := ev.(*cdplog.EventEntryAdded); ok && strings.Contains(e.Entry.Text, "Content Security Policy") {
			logMu.Lock()
			refused = append(refused, e.Entry.Text)
			logMu.Unlock()
		}
	}))
	_, err = chromedp.Call(co, cdplog.Enable, cdp.Empty{})
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(co,
		chromedp.Click(chromedp.CSS(`a[href="/ui/dashboard"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+dashURL+`"]`)),
	))
	require.Equal(t, "Dashboards", text(co, "h1"))
	require.NoError(t, chromedp.Do(co,
		chromedp.Click(chromedp.CSS(`a[href="`+dashURL+`"]`)),
		chromedp.WaitVisible(chromedp.ID("chart-plan-actions")),
	))
	require.Equal(t, "Dashboard · MONI", text(co, "h1"))
	require.Equal(t, 4, count(co, "svg.chart"), "four charts drawn on the server")
	require.Equal(t, 12, count(co, "#chart-plan-actions g.bar"), "a bar per plan")
	require.Equal(t, 12, count(co, "#chart-indicators g.bar"))
	require.Equal(t, len(want.Overdue), count(co, "#overdue tbody tr"))
	require.Contains(t, text(co, "#summary"), fmt.Sprintf("Overdue reports\n%d", len(want.Overdue)))

	// The markup in a title stays text, in the chart and in the table;
	// the page runs no script and loads nothing from elsewhere.
	require.Zero(t, count(co, "script"))
	require.Zero(t, count(co, "svg b, table b"))
	titles, err := chromedp.Run(co, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('#chart-plan-actions g.bar > title')).map(e => e.textContent)`))
	require.NoError(t, err)
	require.Contains(t, strings.Join(titles, "\n"), "Action plan 005 "+evil+":")
	origins, err := chromedp.Run(co, chromedp.Evaluate[[]string](
		`performance.getEntriesByType('resource').map(e => new URL(e.name).origin)`))
	require.NoError(t, err)
	for _, o := range origins {
		require.Equal(t, s.url, o, "every resource comes from the service")
	}
	shot(co, "dashboard-desktop")
	logMu.Lock()
	require.Empty(t, refused, "the page breaks its own Content-Security-Policy")
	logMu.Unlock()

	// By keyboard: tab to the first "figures" summary, open it with Enter,
	// and the table is there.
	found := false
	for range 40 {
		require.NoError(t, chromedp.Do(co, chromedp.KeyEvent("\t")))
		tag, err := chromedp.Run(co, chromedp.Evaluate[string](`document.activeElement.closest('#deliverables details.figures') ? document.activeElement.tagName : ''`))
		require.NoError(t, err)
		if tag == "SUMMARY" {
			found = true
			break
		}
	}
	require.True(t, found, "the deliverables' table is reachable by Tab")
	require.NoError(t, chromedp.Do(co, chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(`#deliverables details.figures table`))))
	rows := text(co, `#deliverables details.figures tbody`)
	require.Contains(t, rows, "Action plans")
	require.Contains(t, rows, "12", "twelve monitored plans")
	shot(co, "dashboard-table-open")

	// On a phone nothing scrolls sideways and the charts fit the screen.
	require.NoError(t, chromedp.Do(co, chromedp.EmulateViewport(390, 844), chromedp.Navigate(s.url+dashURL),
		chromedp.WaitVisible(chromedp.ID("chart-indicators"))))
	fit, err := chromedp.Run(co, chromedp.Evaluate[[]float64](`(() => {
		const c = document.getElementById('chart-plan-actions').getBoundingClientRect();
		return [document.documentElement.scrollWidth, window.innerWidth, c.right];
	})()`))
	require.NoError(t, err)
	require.LessOrEqual(t, fit[0], fit[1], "nothing scrolls sideways")
	require.LessOrEqual(t, fit[2], fit[1], "the chart fits the screen")
	shot(co, "dashboard-phone")

	// 2. The partner sees its own plan only, and says so.
	pa := person(partner.Token)
	require.NoError(t, chromedp.Do(pa, chromedp.Navigate(s.url+dashURL), chromedp.WaitVisible(chromedp.ID("chart-plan-actions"))))
	require.Contains(t, text(pa, "main .meta"), "your partner's deliverables only")
	require.Equal(t, 1, count(pa, "#chart-plan-actions g.bar"))
	label, err := chromedp.Run(pa, chromedp.Evaluate[string](`document.querySelector('#chart-plan-actions g.bar > title').textContent`))
	require.NoError(t, err)
	require.Contains(t, label, m.Plans[2].Title)
	shot(pa, "dashboard-partner")
}
