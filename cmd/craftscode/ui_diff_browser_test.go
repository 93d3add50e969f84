package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestBrowserRevisionDiff: in Chromium, the coordinator follows the
// reading page's link to what changed in revision 2 of a Hungarian plan,
// and reads the insertions in <ins> and the deletions in <del>, word by
// word, with the revision 1 thread on the changed section marked outdated
// and the one on the unchanged section not.
func TestBrowserRevisionDiff(t *testing.T) {
	chromium(t)
	loadCheckers(t)
	env := map[string]string{"CRAFTSCODE_DATA_DIR": t.TempDir()}
	var demo demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo", "--consortium-only"), &demo))
	var coordinator demoUser
	for _, u := range demo.Users {
		if u.Role == "coordinator" && coordinator.Email == "" {
			coordinator = u
		}
	}
	s := serve(t, env)
	defer stopServer(t, s)
	tok := coordinator.Token

	base := s.url + "/api/v1/projects/" + demo.ProjectID
	var ps struct{ Items []struct{ ID, Name string } }
	require.Equal(t, 200, call(t, "GET", base+"/partners", tok, nil, 0, &ps))
	var instruments struct {
		Items []struct {
			ID         string
			PartnerIDs []string `json:"partner_ids"`
		}
	}
	require.Equal(t, 200, call(t, "GET", base+"/policy-instruments", tok, nil, 0, &instruments))
	var hu, instrument string
	for _, p := range ps.Items {
		if strings.HasPrefix(p.Name, "Budapest") {
			hu = p.ID
		}
	}
	for _, i := range instruments.Items {
		if slices.Contains(i.PartnerIDs, hu) {
			instrument = i.ID
		}
	}
	require.NotEmpty(t, instrument)
	action := func(players string) []map[string]any {
		return []map[string]any{{"title": "Mentorprogram", "description": "Tapasztalt mesterek mentorálják a fiatal kézműveseket.",
			"players": players, "timeframe_start": "2027-01-01", "timeframe_end": "2027-12-31"}}
	}
	var plan struct{ ID string }
	require.Equal(t, 201, call(t, "POST", base+"/action-plans", tok, map[string]any{
		"policy_instrument_id": instrument, "partner_id": hu, "title": "Cselekvési terv: budapesti kézművesek", "language": "hu",
		"summary_en":     "Mentoring for Budapest's craft SMEs.",
		"policy_context": "A VEKOP nem támogatja a kézműves mikrovállalkozásokat.",
		"actions":        action("BKIK, két kőfaragó műhely"),
	}, 0, &plan))
	api := s.url + "/api/v1/action-plans/" + plan.ID
	require.Equal(t, 200, call(t, "POST", api+"/transitions", tok, map[string]any{"trigger": "submit"}, 1, nil))
	var changed, same struct{ ID string }
	require.Equal(t, 201, call(t, "POST", api+"/comments", tok, map[string]any{
		"body": "Kik vesznek még részt?", "section": "part3.action.1.players", "stance": "question"}, 0, &changed))
	require.Equal(t, 201, call(t, "POST", api+"/comments", tok, map[string]any{
		"body": "A mentorálás jó ötlet.", "section": "part3.action.1.description", "stance": "support"}, 0, &same))
	require.Equal(t, 200, call(t, "POST", api+"/transitions", tok, map[string]any{"trigger": "request_changes", "note": "Bővebben"}, 2, nil))
	require.Equal(t, 200, call(t, "PATCH", api, tok, map[string]any{"actions": action("BKIK, öt kőfaragó műhely és a győri szövetség")}, 3, nil))
	require.Equal(t, 200, call(t, "POST", api+"/transitions", tok, map[string]any{"trigger": "submit"}, 4, nil))

	// The page in Hungarian, as the plan is.
	require.Equal(t, 200, call(t, "PATCH", s.url+"/api/v1/me", tok, map[string]any{"language": "hu"}, 0, nil))
	ui := newBrowserUI(t, s)
	ctx := ui.signIn(t, tok)
	require.Equal(t, int64(200), ui.open(t, ctx, "/ui/action-plans/"+plan.ID))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("diff-link")),
		chromedp.WaitVisible(chromedp.ID("legend-h")),
	), "follow the link to what changed")
	ui.checkPage(t, ctx, "diff/plan-revision-2")

	texts := func(sel string) []string {
		t.Helper()
		out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(`+jsString(sel)+`)].map(e => e.textContent)`))
		require.NoError(t, err)
		return out
	}
	// What the eye reads (the screen reader's words hidden) and what a
	// screen reader reads.
	visible := func(sel string) []string {
		t.Helper()
		out, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(`+jsString(sel)+`)].map(e => {
			const c = e.cloneNode(true); c.querySelectorAll(".vh").forEach(v => v.remove()); return c.textContent })`))
		require.NoError(t, err)
		return out
	}
	const players = "#sec-part3-action-1-players"
	require.Equal(t, []string{"öt", " és a győri szövetség"}, visible(players+" p.diff ins"))
	require.Equal(t, []string{"két"}, visible(players+" p.diff del"))
	require.Equal(t, []string{"beszúrás: öt beszúrás vége", "beszúrás:  és a győri szövetség beszúrás vége"}, texts(players+" p.diff ins"),
		"a screen reader hears where each insertion starts and ends, in the page's language")
	require.Empty(t, texts(`#sec-part3-action-1-description p.diff ins, #sec-part3-action-1-description p.diff del`))
	require.Len(t, texts(players+` li#c-`+changed.ID+` .outdated`), 1, "the thread on the changed section is outdated")
	require.Empty(t, texts(`li#c-`+same.ID+` .outdated`), "the one on the unchanged section is not")
	links := texts(players + ` li#c-` + changed.ID + ` a[href$="#sec-part3-action-1-players"]`)
	require.Len(t, links, 1, "it links to the new text")
}
