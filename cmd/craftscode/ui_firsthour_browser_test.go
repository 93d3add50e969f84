package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
)

// TestBrowserFirstHour is a consortium's first hour in the browser, on
// SQLite and on PostgreSQL, with nothing done through the API once the
// demo consortium is loaded: the Hungarian partner starts a plan and writes
// three actions; its submit is refused with the problems next to their
// fields; fixed, it is submitted with a chosen deadline; the Hungarian
// stakeholder comments and the partner answers; the coordinator closes the
// consultation and approves; the stakeholder, the secretariat and the
// observer each download the approved PDF; and the plan is still on
// everyone's project home.
func TestBrowserFirstHour(t *testing.T) {
	chromium(t)
	loadCheckers(t)
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			env := map[string]string{"CRAFTSCODE_DATA_DIR": t.TempDir()}
			if backend == "postgres" {
				env["DATABASE_URL"] = sqlstoretest.DSN(t, sqlstore.Postgres)
			}
			firstHour(t, env, backend == "sqlite")
		})
	}
}

func firstHour(t *testing.T, env map[string]string, check bool) {
	var demo demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo", "--consortium-only"), &demo))
	s := serve(t, env)
	ui := newBrowserUI(t, s)
	user := func(email string) demoUser {
		for _, u := range demo.Users {
			if u.Email == email {
				return u
			}
		}
		t.Fatalf("no demo user %s", email)
		return demoUser{}
	}
	home := "/ui/projects/" + demo.ProjectID
	// Each step waits at most a while, so that a missing element fails
	// the test at that step rather than at the tab's deadline.
	step := func(ctx context.Context) context.Context {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		t.Cleanup(cancel)
		return ctx
	}
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		v, err := chromedp.Run(step(ctx), chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, sel)
		return v
	}
	// press clicks a button or link and waits for the page it leads to.
	press := func(ctx context.Context, sel string) int64 {
		t.Helper()
		res, err := chromedp.RunResponse(step(ctx), chromedp.Click(chromedp.CSS(sel)))
		require.NoError(t, err, "press %s", sel)
		return res.Status
	}
	type field struct{ sel, value string }
	fill := func(ctx context.Context, fields ...field) {
		t.Helper()
		for _, f := range fields {
			if f.value == "" {
				continue // left empty, as a person leaves a field
			}
			require.NoError(t, chromedp.Do(step(ctx), chromedp.SetValue(chromedp.CSS(f.sel), f.value)), f.sel)
		}
	}
	look := func(ctx context.Context, name string) {
		t.Helper()
		if check {
			ui.checkPage(t, ctx, name)
		}
	}

	// 1. The Hungarian partner signs in and lands on the project home,
	// where it starts an action plan.
	partner := ui.signIn(t, user("partner.hu@crafts-code.example").Token)
	require.Equal(t, int64(200), ui.open(t, partner, home))
	require.Equal(t, int64(200), press(partner, `a[href$="/action-plans/new"]`))
	const title = "Cselekvési terv: a budapesti kézműves kkv-k versenyképessége"
	fill(partner, field{"#f-title", title}, field{"#f-language", "hu"})
	// The instrument: the partner's own, VEKOP, picked by its name.
	ui.run(t, partner, `(() => { const s = document.querySelector("#f-policy-instrument-id");
		s.value = [...s.options].find(o => o.text.startsWith("VEKOP")).value; })()`)
	// The create answers with a redirect to the edit page, which the browser follows.
	require.Equal(t, int64(200), press(partner, `main form button[type=submit]`))
	planURL, err := chromedp.Run(partner, chromedp.Evaluate[string](`location.pathname`))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(planURL, "/ui/action-plans/") && strings.HasSuffix(planURL, "/edit"), planURL)
	planPath := strings.TrimSuffix(planURL, "/edit")

	// Three actions, added one by one; the third without its players.
	actions := []struct{ title, description, players string }{
		{"Mentorprogram", "Tapasztalt mesterek mentorálják a fiatal kézműveseket.", "BKIK, Budapesti Vállalkozásfejlesztési Közalapítvány"},
		{"Közös műhelyek", "Bérelhető műhelypadok a VIII. kerületben.", "Józsefvárosi Önkormányzat"},
		{"Export-tanácsadás", "Tanácsadás a külpiaci értékesítéshez.", ""},
	}
	for i, a := range actions {
		require.Equal(t, int64(200), press(partner, `main form button[formaction$="/actions"]`), "add action %d", i+1)
		p := "#f-actions-" + string(rune('0'+i)) + "-"
		fill(partner, field{p + "title", a.title}, field{p + "description", a.description}, field{p + "players", a.players},
			field{p + "timeframe-start", "2027-01-01"}, field{p + "timeframe-end", "2027-12-31"})
	}
	require.Equal(t, int64(200), press(partner, `main form button[type=submit]:not([formaction])`), "save")

	// 2. Submit is refused: the English summary and the third action's
	// players are missing, each said next to its field.
	require.Equal(t, int64(200), ui.open(t, partner, planPath+"/transitions/submit"))
	where, err := chromedp.Run(partner, chromedp.Evaluate[string](`location.pathname + location.search`))
	require.NoError(t, err)
	require.Equal(t, planPath+"/edit?check=submit", where, "an incomplete submit leads to the edit page's check")
	require.NotEmpty(t, text(partner, "#f-summary-en-error"), "the summary's problem sits next to it")
	require.NotEmpty(t, text(partner, "#f-actions-2-players-error"), "the players' problem sits next to them")
	for i, a := range actions {
		v, err := chromedp.Run(partner, chromedp.Value(chromedp.CSS("#f-actions-"+string(rune('0'+i))+"-title")))
		require.NoError(t, err)
		require.Equal(t, a.title, v, "the actions are kept, in order")
	}
	look(partner, "first-hour-check-submit")
	fill(partner, field{"#f-summary-en", "Mentoring, shared workshops and export advice for Budapest's craft SMEs."},
		field{"#f-actions-2-players", "Magyar Kereskedelmi és Iparkamara"})
	require.Equal(t, int64(200), press(partner, `main form button[type=submit]:not([formaction])`), "save the fixes")

	// Submitted with a deadline the partner chooses.
	require.Equal(t, int64(200), ui.open(t, partner, planPath+"/transitions/submit"))
	deadline := time.Now().Add(10 * 24 * time.Hour).UTC().Format("2006-01-02T15:04")
	fill(partner, field{"#consultation-deadline", deadline})
	look(partner, "first-hour-submit-confirm")
	require.Equal(t, int64(200), press(partner, "#confirm"))
	require.Contains(t, text(partner, "main"), "Stakeholder review")
	planID := strings.TrimPrefix(planPath, "/ui/action-plans/")

	// 3. The Hungarian stakeholder finds it under "Needs you now" and
	// comments on the third action's players.
	stakeholder := ui.signIn(t, user("stakeholder.hu@crafts-code.example").Token)
	require.Equal(t, int64(200), ui.open(t, stakeholder, home))
	require.Contains(t, text(stakeholder, "main"), title)
	require.Equal(t, int64(200), ui.open(t, stakeholder, planPath+"?section=part3.action.3.players"))
	const remark = "Az iparkamara mellett a céhek is vegyenek részt."
	require.NoError(t, chromedp.Do(step(stakeholder), chromedp.Click(chromedp.CSS(`details:has(form[action$="/comments"]) > summary`))),
		"open the comment form")
	fill(stakeholder, field{`[id="stance-part3-action-3-players"]`, "suggestion"}, field{`[id="body-part3-action-3-players"]`, remark})
	require.Equal(t, int64(200), press(stakeholder, `form[action$="/comments"] button[type=submit]`))
	require.Contains(t, text(stakeholder, "main"), remark)

	// The partner answers it, on the section's page.
	require.Equal(t, int64(200), ui.open(t, partner, planPath+"?section=part3.action.3.players"))
	cid, err := chromedp.Run(partner, chromedp.Evaluate[string](`document.querySelector("form[action$='/response']").action.split("/").slice(-2)[0]`))
	require.NoError(t, err)
	const answer = "Elfogadva: a céheket is bevonjuk."
	fill(partner, field{"#resp-status-" + cid, "accepted"}, field{"#resp-body-" + cid, answer})
	require.Equal(t, int64(200), press(partner, `form[action$="/`+cid+`/response"] button[type=submit]`))
	require.Contains(t, text(partner, "main"), answer)

	// 4. The coordinator closes the consultation, then approves.
	coordinator := ui.signIn(t, user("coordinator@crafts-code.example").Token)
	require.Equal(t, int64(200), ui.open(t, coordinator, planPath+"/consultation/close"))
	require.Equal(t, int64(200), press(coordinator, "#confirm"))
	require.Equal(t, int64(200), ui.open(t, coordinator, planPath+"/transitions/approve"))
	look(coordinator, "first-hour-approve-confirm")
	require.Equal(t, int64(200), press(coordinator, "#confirm"))
	require.Contains(t, text(coordinator, "main"), "Approved")

	// 5. The approved PDF, downloaded by the stakeholder, the secretariat
	// and the observer, once it is ready (approve queues it).
	download := func(ctx context.Context, who string) {
		t.Helper()
		var got []any
		require.Eventually(t, func() bool {
			if ui.open(t, ctx, planPath) != 200 {
				return false
			}
			got, err = chromedp.Run(ctx, chromedp.Evaluate[[]any](`(async () => {
				const a = [...document.querySelectorAll("a[href^='/ui/documents/']")].find(a => /PDF/.test(a.textContent) && /Action plan/.test(a.textContent));
				if (!a) return [];
				const r = await fetch(a.href);
				const b = new Uint8Array(await r.arrayBuffer());
				return [r.status, r.headers.get("content-type"), String.fromCharCode(...b.slice(0, 5))];
			})()`, chromedp.EvalAwaitPromise))
			return err == nil && len(got) == 3
		}, 90*time.Second, time.Second, "%s: no approved PDF in the documents panel", who)
		require.Equal(t, []any{float64(200), "application/pdf", "%PDF-"}, got, who)
	}
	download(stakeholder, "stakeholder")
	secretariat := ui.signIn(t, user("secretariat@crafts-code.example").Token)
	download(secretariat, "secretariat")
	observer := ui.signIn(t, user("observer@crafts-code.example").Token)
	download(observer, "observer")
	look(observer, "first-hour-approved-observer")

	// 6. The approved plan is still on everyone's project home.
	for who, ctx := range map[string]context.Context{"partner": partner, "stakeholder": stakeholder, "coordinator": coordinator,
		"secretariat": secretariat, "observer": observer} {
		require.Equal(t, int64(200), ui.open(t, ctx, home), who)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector("main a[href='/ui/action-plans/`+planID+`']")`))
		require.NoError(t, err)
		require.True(t, ok, "%s: the approved plan is on the project home", who)
	}
	ui.validateHTML(t)
}
