package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestBrowserReport: in headless Chromium against the real binary, a
// partner starts the progress report of its monitored plan for a period,
// gives each action a status and the indicator its value, uploads an
// evidence file through the page's file input, cites it, and submits the
// report; the secretariat returns it with a note, and the partner finds
// it a draft again, with the note in its history. Every page on the way
// passes the accessibility checks.
func TestBrowserReport(t *testing.T) {
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

	// A project in phase 2: plan 4's latest report (of two periods) was
	// never started. The demo's partner is that plan's partner, and the
	// demo's secretariat is in the project.
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(dataDir, "craftscode.db"))
	require.NoError(t, err)
	m := sqlstoretest.GenerateMonitoring("REPT", 4, 2, 2, 1)
	require.NoError(t, sqlstoretest.InsertMonitoring(ctx, store.DB(), sqlstore.SQLite, m))
	plan := m.Plans[3]
	require.Len(t, plan.Reports, 1, "its latest report is missing")
	period := m.Plans[0].Reports[1].Period.Name
	for _, who := range []struct {
		role      workflow.Role
		partnerID string
	}{{workflow.RolePartner, plan.PartnerID}, {workflow.RoleSecretariat, ""}} {
		u, err := store.UserByEmail(ctx, users[string(who.role)].Email)
		require.NoError(t, err)
		require.NoError(t, store.CreateMembership(ctx, &workflow.Membership{ProjectID: m.Project.ID, UserID: u.ID, Role: who.role, PartnerID: who.partnerID}))
	}
	require.NoError(t, store.Close())

	// The evidence: a small CSV file, uploaded by the browser.
	evidence := filepath.Join(t.TempDir(), "workshop-attendance.csv")
	require.NoError(t, os.WriteFile(evidence, []byte("date,participants\n2021-03-04,23\n2021-05-12,31\n"), 0o644))

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
	submit := func(ctx context.Context, sel string) {
		t.Helper()
		res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
		require.NoError(t, err, sel)
		require.Equal(t, int64(200), res.Status, "%s: %s", sel, text(ctx, "main"))
	}
	page := "/ui/action-plans/" + plan.ID + "/reports/" + period

	// 1. The partner finds the report due from the dashboard, and starts it.
	pa := ui.signIn(t, users["partner"].Token)
	require.Equal(t, int64(200), ui.open(t, pa, "/ui/projects/"+m.Project.ID+"/dashboard"))
	require.Contains(t, text(pa, "#overdue"), plan.Title)
	res, err := chromedp.RunResponse(pa, chromedp.Click(chromedp.CSS(`#overdue a[href="`+page+`"]`)))
	require.NoError(t, err)
	require.Equal(t, int64(200), res.Status)
	require.NoError(t, chromedp.Do(pa, chromedp.WaitVisible(chromedp.ID("not-started"))))
	ui.checkPage(t, pa, "report-not-started/partner")
	submit(pa, `form[action="`+page+`/start"] button`)
	require.NoError(t, chromedp.Do(pa, chromedp.WaitVisible(chromedp.ID("save-report"))))
	require.Equal(t, "Draft", text(pa, "#report-state"))

	// 2. It fills the report: a status per action, the indicator's value.
	set(pa, `[name="actions[0].status"]`, "completed")
	set(pa, `[name="actions[1].status"]`, "in_progress")
	require.NoError(t, chromedp.Do(pa,
		chromedp.SendKeys(chromedp.CSS(`[name="actions[0].narrative"]`), "Two design workshops were held."),
		chromedp.SendKeys(chromedp.CSS(`[name="indicator_values[0].achieved"]`), "7"),
	))
	submit(pa, "#save-report")
	require.Contains(t, text(pa, "main"), "The report is saved.")
	ui.checkPage(t, pa, "report-saved/partner")

	// 3. It uploads the evidence through the file input, and cites it.
	require.NoError(t, chromedp.Do(pa, chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{evidence})))
	submit(pa, `#upload-evidence button[type="submit"]`)
	require.Contains(t, text(pa, "main"), "The file is uploaded.")
	require.Contains(t, text(pa, "ul.evidence"), "workshop-attendance.csv")
	ui.checkPage(t, pa, "report-evidence/partner")
	ui.run(t, pa, `document.querySelector("#action-1 .picks input[type=checkbox]").checked = true`)
	submit(pa, "#save-report")
	require.Contains(t, text(pa, "main"), "The report is saved.")

	// 4. It submits the report: no longer editable, evidence still there.
	submit(pa, `#submit-form button[type="submit"]`)
	require.Equal(t, "Submitted", text(pa, "#report-state"))
	require.Contains(t, text(pa, "ol.report-actions"), "Two design workshops were held.")
	require.Contains(t, text(pa, "ol.report-actions"), "workshop-attendance.csv", "the action cites the file")
	require.Contains(t, text(pa, "#indicators ~ ul"), "7 SMEs")
	n, err := chromedp.Run(pa, chromedp.Evaluate[int](`document.querySelectorAll("#save-report, #upload-evidence").length`))
	require.NoError(t, err)
	require.Zero(t, n, "a submitted report is not edited")
	ui.checkPage(t, pa, "report-submitted/partner")

	// 5. The secretariat returns it with a note.
	se := ui.signIn(t, users["secretariat"].Token)
	require.Equal(t, int64(200), ui.open(t, se, page))
	require.Equal(t, "Submitted", text(se, "#report-state"))
	require.Contains(t, text(se, "ul.evidence"), "workshop-attendance.csv")
	ui.checkPage(t, se, "report-submitted/secretariat")
	// Without its note, the return is refused at the note.
	require.Equal(t, int64(422), ui.submitForm(t, se, "#return-form"))
	require.Equal(t, "Submitted", text(se, "#report-state"))
	require.NotEmpty(t, text(se, "#f-note-error"))
	ui.checkPage(t, se, "report-return-refused/secretariat")
	require.NoError(t, chromedp.Do(se, chromedp.SendKeys(chromedp.ID("f-note"), "Please add the attendance of the May workshop per sector.")))
	submit(se, `#return-form button[type="submit"]`)
	require.Equal(t, "Draft", text(se, "#report-state"))
	require.Contains(t, text(se, "ul.history"), "Please add the attendance of the May workshop per sector.")
	ui.checkPage(t, se, "report-returned/secretariat")

	// 6. The partner finds it a draft again, with the note, to edit.
	require.Equal(t, int64(200), ui.open(t, pa, page))
	require.Equal(t, "Draft", text(pa, "#report-state"))
	require.Contains(t, text(pa, "ul.history"), "Please add the attendance of the May workshop per sector.")
	require.NoError(t, chromedp.Do(pa, chromedp.WaitVisible(chromedp.ID("save-report"))))
	ui.checkPage(t, pa, "report-returned/partner")
}
