package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// TestBrowserLearningForms: in headless Chromium against the real binary,
// the coordinator creates a thematic seminar in the browser (type, host,
// slot, dates, place, participants, an agenda of several lines, a good
// practice picked by its title), and a stakeholder marks a good practice
// from another region as relevant for their group's region, on its trace
// page. Both pages pass the accessibility checks.
func TestBrowserLearningForms(t *testing.T) {
	dataDir := t.TempDir()
	env := map[string]string{"CRAFTSCODE_DATA_DIR": dataDir}
	var demo demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo", "--consortium-only"), &demo))
	users := map[string]demoUser{}
	for _, u := range demo.Users {
		if _, ok := users[u.Role]; !ok {
			users[u.Role] = u
		}
	}

	// A good practice of the Hungarian partner, past draft.
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(dataDir, "craftscode.db"))
	require.NoError(t, err)
	partners, _, err := store.ListPartners(ctx, demo.ProjectID, workflow.Page{Limit: 50})
	require.NoError(t, err)
	var practice string
	for _, p := range partners {
		if strings.HasPrefix(p.Name, "Budapest") {
			d := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: demo.ProjectID,
				PartnerID: p.ID, Title: "Budapest craft mentoring", Summary: "Master crafts people mentor young ones for a year.",
				Location: workflow.Location{Country: "HU", NUTS2: "HU11", City: "Budapest"}}}
			require.NoError(t, store.CreateDeliverable(ctx, &d))
			practice = d.Practice.ID
		}
	}
	require.NotEmpty(t, practice)
	_, err = store.DB().ExecContext(ctx, "UPDATE deliverables SET state = 'approved' WHERE id = ?", practice)
	require.NoError(t, err)
	require.NoError(t, store.Close())

	s := serve(t, env)
	ui := newBrowserUI(t, s)
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, sel)
		return v
	}
	set := func(ctx context.Context, sel, value string) {
		t.Helper()
		ui.run(t, ctx, `document.querySelector(`+jsString(sel)+`).value = `+jsString(value))
	}

	// 1. The coordinator creates a thematic seminar.
	co := ui.signIn(t, users["coordinator"].Token)
	require.Equal(t, int64(200), ui.open(t, co, "/ui/projects/"+demo.ProjectID+"/events"))
	require.NoError(t, chromedp.Do(co, chromedp.Click(chromedp.CSS(`a[href$="/events/new"]`)), chromedp.WaitVisible(chromedp.ID("f-title"))))
	require.NoError(t, chromedp.Do(co, chromedp.SendKeys(chromedp.ID("f-title"), "Seminar on mentoring")))
	set(co, "#f-type", "thematic_seminar")
	ui.run(t, co, `document.querySelector("#f-host-partner-id").selectedIndex = 1`)
	set(co, "#f-seminar-number", "2")
	set(co, "#f-start-date", "2026-09-14")
	set(co, "#f-end-date", "2026-09-15")
	require.NoError(t, chromedp.Do(co,
		chromedp.SendKeys(chromedp.ID("f-place-country"), "HU"),
		chromedp.SendKeys(chromedp.ID("f-place-city"), "Budapest"),
		chromedp.SendKeys(chromedp.ID("f-agenda"), "9:00 Welcome\n10:00 Mentors and apprentices"),
	))
	ui.run(t, co, `document.querySelectorAll('input[name="partner_ids[]"]').forEach((c, i) => { if (i < 2) c.checked = true })`)
	ui.run(t, co, `document.querySelector('input[name="good_practice_ids[]"][value="`+practice+`"]').checked = true`)
	ui.checkPage(t, co, "event-form/coordinator")
	res, err := chromedp.RunResponse(co, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	require.NoError(t, err)
	require.Equal(t, int64(200), res.Status, text(co, "main"))
	require.NoError(t, chromedp.Do(co, chromedp.WaitVisible(chromedp.CSS(`dl.card`))))
	require.Equal(t, "Seminar on mentoring", text(co, "h1"))
	require.Contains(t, text(co, "main"), "The event was created.")
	require.Equal(t, "Budapest craft mentoring", text(co, `main a[href="/ui/good-practices/`+practice+`"]`))
	agenda, err := chromedp.Run(co, chromedp.Evaluate[string](`document.querySelector("p.lines").innerText`))
	require.NoError(t, err)
	require.Equal(t, "9:00 Welcome\n10:00 Mentors and apprentices", agenda)
	require.Contains(t, text(co, "dl.card"), "Budapest, Hungary")
	ui.checkPage(t, co, "event-created/coordinator")
	require.Equal(t, int64(200), ui.open(t, co, "/ui/projects/"+demo.ProjectID+"/events"))
	require.Contains(t, text(co, "ul.slots"), "Seminar on mentoring")

	// 2. A stakeholder finds the practice relevant for their region.
	st := ui.signIn(t, users["stakeholder"].Token)
	require.Equal(t, int64(200), ui.open(t, st, "/ui/projects/"+demo.ProjectID+"/good-practices"))
	require.Contains(t, text(st, "main"), "Budapest (HU11), Hungary")
	require.NoError(t, chromedp.Do(st, chromedp.Click(chromedp.CSS(`a[href="/ui/good-practices/`+practice+`/trace"]`)),
		chromedp.WaitVisible(chromedp.ID("f-note"))))
	require.Contains(t, text(st, "main"), "Seminar on mentoring", "where it was presented")
	require.NoError(t, chromedp.Do(st, chromedp.SendKeys(chromedp.ID("f-note"), "Our mentoring scheme could start from this.")))
	res, err = chromedp.RunResponse(st, chromedp.Click(chromedp.CSS(`form.interest-form button[type="submit"]`)))
	require.NoError(t, err)
	require.Equal(t, int64(200), res.Status)
	require.NoError(t, chromedp.Do(st, chromedp.WaitVisible(chromedp.CSS(`#interests li`))))
	require.Contains(t, text(st, "#interests"), "Our mentoring scheme could start from this.")
	require.Contains(t, text(st, "#interests"), "has marked this good practice as relevant")
	ui.checkPage(t, st, "trace-marked/stakeholder")
}
