package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// TestBrowserLearning browses the good practices and learning events of
// the demo project in headless Chromium against the real binary: the
// coordinator searches practices by keyboard without accents and in
// Cyrillic, opens one, filters the events and opens one, on a desktop and
// on a phone. A title that tries to be markup stays text.
func TestBrowserLearning(t *testing.T) {
	browserPath := chromium(t)
	shots := artifacts(t)
	dataDir := t.TempDir()
	env := map[string]string{"CRAFTSCODE_DATA_DIR": dataDir}
	var demo demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo", "--consortium-only"), &demo))
	var coord demoUser
	for _, u := range demo.Users {
		if u.Role == "coordinator" && coord.Email == "" {
			coord = u
		}
	}
	require.NotEmpty(t, coord.Token)

	const evil = `<script>alert(1)</script> Ærø <b>`
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(dataDir, "craftscode.db"))
	require.NoError(t, err)
	partners, _, err := store.ListPartners(ctx, demo.ProjectID, workflow.Page{Limit: 50})
	require.NoError(t, err)
	require.NotEmpty(t, partners)
	practice := func(title, summary, city string) string {
		d := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: demo.ProjectID,
			PartnerID: partners[0].ID, Title: title, Summary: summary, Location: workflow.Location{Country: "BG", NUTS2: "BG41", City: city}}}
		require.NoError(t, store.CreateDeliverable(ctx, &d))
		return d.Practice.ID
	}
	atelier := practice("Ateliers partagés pour jeunes artisans", "Shared workshops where young crafts people rent a bench by the month.", "Lyon")
	practice("Занаятчийски пазар в София", "Месечен пазар на занаятите в центъра на града.", "София")
	practice("Quilting circle "+evil, "Evenings of quilting in the library.", "Cork")
	start, end := workflow.MustDate("2026-05-12"), workflow.MustDate("2026-05-13")
	one := 1
	ev := workflow.LearningEvent{ProjectID: demo.ProjectID, Type: workflow.ThematicSeminar, SeminarNumber: &one, Title: "Seminar on shared workshops",
		HostPartnerID: partners[0].ID, StartDate: &start, EndDate: &end, Place: workflow.Place{Country: "FR", City: "Lyon"},
		Agenda: "Visits to three ateliers.", GoodPracticeIDs: []string{atelier}}
	require.NoError(t, store.CreateEvent(ctx, &ev))
	visit := workflow.LearningEvent{ProjectID: demo.ProjectID, Type: workflow.StudyVisit, Title: "Study visit to Cork",
		HostPartnerID: partners[0].ID, StartDate: &start, EndDate: &end, Place: workflow.Place{Country: "IE", City: "Cork"}}
	require.NoError(t, store.CreateEvent(ctx, &visit))
	require.NoError(t, store.Close())
	s := serve(t, env)

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browserPath), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true))...)
	defer cancelAlloc()
	co, cancel := chromedp.NewContext(alloc)
	defer cancel()
	co, cancelTimeout := context.WithTimeout(co, 3*time.Minute)
	defer cancelTimeout()
	require.NoError(t, chromedp.Do(co,
		chromedp.Navigate(s.url+"/ui/login"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), coord.Token),
		chromedp.Click(chromedp.CSS(`form[action="/ui/login/token"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/ui/dashboard"]`)),
	))
	n := 0
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(co, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		n++
		path := filepath.Join(shots, fmt.Sprintf("%02d-%s.png", n, name))
		require.NoError(t, os.WriteFile(path, png, 0o644))
		t.Logf("screenshot: %s", path)
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(co, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, sel)
		return v
	}
	count := func(sel string) int {
		t.Helper()
		v, err := chromedp.Run(co, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
		require.NoError(t, err, sel)
		return v
	}
	practicesURL := s.url + "/ui/projects/" + demo.ProjectID + "/good-practices"

	// 1. The list, with the markup of a title kept as text.
	require.NoError(t, chromedp.Do(co, chromedp.Navigate(practicesURL), chromedp.WaitVisible(chromedp.CSS(`#q`))))
	require.Contains(t, text("h1"), "Good practices of")
	require.Equal(t, "Search good practices", text(`label[for="q"]`))
	require.GreaterOrEqual(t, count(`ul.list > li`), 3)
	require.Zero(t, count("main script, main b"))
	shot("practices-desktop")

	// 2. By keyboard: type into the search box and press Enter. No accents
	// needed to find "Ateliers partagés"; the match is marked.
	require.NoError(t, chromedp.Do(co, chromedp.Focus(chromedp.CSS(`#q`)), chromedp.SendKeys(chromedp.CSS(`#q`), "partages atelier"+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(`p.snippet`))))
	require.Equal(t, 1, count(`ul.list > li`))
	require.Contains(t, text(`ul.list h2`), "Ateliers partagés")
	shot("practices-search")

	// Cyrillic, in another case.
	require.NoError(t, chromedp.Do(co, chromedp.Navigate(practicesURL+"?q=СОФИЯ"), chromedp.WaitVisible(chromedp.CSS(`#q`))))
	require.Equal(t, 1, count(`ul.list > li`))
	require.NoError(t, chromedp.Do(co, chromedp.Navigate(practicesURL+"?q=zzyzx"), chromedp.WaitVisible(chromedp.CSS(`#q`))))
	require.Contains(t, text(`main p[role="status"]`), "No good practice matches")

	// 3. The events: a filter, then an event's page with its practice.
	require.NoError(t, chromedp.Do(co, chromedp.Navigate(s.url+"/ui/projects/"+demo.ProjectID+"/events?q=seminar"), chromedp.WaitVisible(chromedp.CSS(`#q`))))
	require.Equal(t, 1, count(`ul.list > li`))
	require.NoError(t, chromedp.Do(co, chromedp.Click(chromedp.CSS(`a[href="/ui/events/`+ev.ID+`"]`)), chromedp.WaitVisible(chromedp.CSS(`dl.card`))))
	require.Equal(t, "Seminar on shared workshops", text("h1"))
	require.Equal(t, 1, count(`a[href="/ui/good-practices/`+atelier+`"]`))
	shot("event")
	require.NoError(t, chromedp.Do(co, chromedp.Navigate(s.url+"/ui/projects/"+demo.ProjectID+"/events"), chromedp.WaitVisible(chromedp.CSS(`#q`))))
	require.Equal(t, 2, count(`ul.list > li`))

	// 4. On a phone nothing scrolls sideways.
	require.NoError(t, chromedp.Do(co, chromedp.EmulateViewport(390, 844), chromedp.Navigate(practicesURL), chromedp.WaitVisible(chromedp.CSS(`#q`))))
	fit, err := chromedp.Run(co, chromedp.Evaluate[[]float64](`[document.documentElement.scrollWidth, window.innerWidth]`))
	require.NoError(t, err)
	require.LessOrEqual(t, fit[0], fit[1], "nothing scrolls sideways")
	shot("practices-phone")
}
