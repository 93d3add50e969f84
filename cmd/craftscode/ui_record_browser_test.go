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
	"github.com/stretchr/testify/require"
)

// TestBrowserRecord is the record after an answer in headless Chromium
// against the real binary and the demo consortium: the stakeholder edits a
// comment the partner has answered, and both texts show, the answered one
// marked; the partner responds again. Then the partner follows the
// without-a-response counter to its list, returns the plan to draft and
// resubmits it carrying the open thread over, which the new revision shows
// as carried over.
func TestBrowserRecord(t *testing.T) {
	browserPath := chromium(t)
	shots := artifacts(t)
	env := map[string]string{"CRAFTSCODE_DATA_DIR": t.TempDir()}
	var demo demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo", "--consortium-only"), &demo))
	s := serve(t, env)

	var partner, reader demoUser
	for _, u := range demo.Users {
		if u.Role == "partner" && partner.Email == "" {
			partner = u
		}
		if u.Role == "stakeholder" && reader.Email == "" {
			reader = u
		}
	}
	base := s.url + "/api/v1/projects/" + demo.ProjectID
	partnerID, instrumentID := partnerAndInstrument(t, base, partner.Token, partner.Partner)
	var plan struct{ ID string }
	require.Equal(t, 201, call(t, "POST", base+"/action-plans", partner.Token, map[string]any{
		"policy_instrument_id": instrumentID, "partner_id": partnerID, "title": "Piano d'azione: artigianato fiorentino", "language": "en",
		"policy_context": "Florence's craft SMEs lack access to design schools and export networks.",
		"actions": []map[string]any{{"title": "Craft hubs", "description": "Open two craft hubs in Oltrarno.",
			"players": "Chamber of commerce, CNA Firenze", "timeframe_start": "2019-01-01", "timeframe_end": "2019-12-31"}},
	}, 0, &plan))
	planAPI := s.url + "/api/v1/action-plans/" + plan.ID
	require.Equal(t, 200, call(t, "POST", planAPI+"/transitions", partner.Token, map[string]any{"trigger": "submit"}, 1, nil))
	var answered, open struct{ ID string }
	require.Equal(t, 201, call(t, "POST", planAPI+"/comments", reader.Token, map[string]any{
		"body": "Which design schools take part?", "section": "part2.policy_context", "stance": "question"}, 0, &answered))
	require.Equal(t, 201, call(t, "POST", planAPI+"/comments", reader.Token, map[string]any{
		"body": "Export networks matter more than schools.", "section": "part2.policy_context", "stance": "concern"}, 0, &open))
	require.Equal(t, 200, call(t, "POST", s.url+"/api/v1/comments/"+answered.ID+"/response", partner.Token, map[string]any{
		"status": "accepted", "body": "Part II will name the Accademia di Belle Arti."}, 0, nil))

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
			chromedp.WaitVisible(chromedp.CSS(`a[href="/ui/dashboard"], nav`)),
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
	sectionPage := s.url + "/ui/action-plans/" + plan.ID + "?section=part2.policy_context"
	answeredC := `article[id="c-` + answered.ID + `"]`

	// 1. The stakeholder edits the answered comment on the section's page.
	st := person(reader.Token)
	require.NoError(t, chromedp.Do(st,
		chromedp.Navigate(sectionPage),
		chromedp.WaitVisible(chromedp.CSS(answeredC)),
		chromedp.Click(chromedp.CSS(answeredC+` > details.form:first-of-type summary`)),
		chromedp.SetValue(chromedp.CSS(`[id="edit-body-`+answered.ID+`"]`), "Which design schools and which craft guilds take part?"),
		chromedp.Click(chromedp.CSS(answeredC+` form[action$="/edit"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	))
	require.Contains(t, text(st, answeredC+" .after-response"), "Edited after the response.")
	require.Equal(t, "Which design schools take part?", text(st, answeredC+" blockquote.answered .body"))
	require.Contains(t, text(st, answeredC), "Which design schools and which craft guilds take part?")
	shot(st, "stakeholder-edited-after-response")

	// 2. The partner reads both texts and responds again, to the text now.
	pa := person(partner.Token)
	require.NoError(t, chromedp.Do(pa,
		chromedp.Navigate(sectionPage),
		chromedp.WaitVisible(chromedp.CSS(answeredC+" blockquote.answered")),
	))
	require.Contains(t, text(pa, answeredC+` form[action$="/response"]`), "A response is your formal answer")
	shot(pa, "partner-sees-both-texts")
	require.NoError(t, chromedp.Do(pa,
		chromedp.SetValue(chromedp.CSS(`[id="resp-status-`+answered.ID+`"]`), "partially_accepted"),
		chromedp.SendKeys(chromedp.CSS(`[id="resp-body-`+answered.ID+`"]`), "Guilds join in revision 2."),
		chromedp.Click(chromedp.CSS(answeredC+` form[action$="/response"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	))
	require.NotContains(t, text(pa, answeredC), "Edited after the response.")
	require.Contains(t, text(pa, answeredC+" .response"), "Guilds join in revision 2.")

	// 3. The counter leads to the list of comments without a response,
	// each a link to its thread.
	require.NoError(t, chromedp.Do(pa,
		chromedp.Navigate(s.url+"/ui/action-plans/"+plan.ID),
		chromedp.WaitVisible(chromedp.ID("unanswered-link")),
	))
	require.Equal(t, "1 without a response", text(pa, "#unanswered-link"))
	require.NoError(t, chromedp.Do(pa,
		chromedp.Click(chromedp.ID("unanswered-link")),
		chromedp.WaitVisible(chromedp.ID("unanswered-list")),
	))
	require.Contains(t, text(pa, "#unanswered-list"), "Export networks matter more than schools.")
	shot(pa, "unanswered-list")
	require.NoError(t, chromedp.Do(pa,
		chromedp.Click(chromedp.CSS(`#unanswered-list a`)),
		chromedp.WaitVisible(chromedp.CSS(`article[id="c-`+open.ID+`"]`)),
	))

	// 4. Back to draft, then resubmitted with the open thread carried over.
	require.NoError(t, chromedp.Do(pa,
		chromedp.Navigate(s.url+"/ui/action-plans/"+plan.ID+"/transitions/request_changes"),
		chromedp.WaitVisible(chromedp.ID("note")),
		chromedp.SendKeys(chromedp.ID("note"), "Adding the guilds"),
		chromedp.Click(chromedp.ID("confirm")),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
		chromedp.Navigate(s.url+"/ui/action-plans/"+plan.ID+"/transitions/submit"),
		chromedp.WaitVisible(chromedp.ID("f-carry-over")),
	))
	checked, err := chromedp.Run(pa, chromedp.Evaluate[bool](`document.querySelector('input[name="carry_over"][value="`+open.ID+`"]').checked`))
	require.NoError(t, err)
	require.True(t, checked, "checked by default")
	require.Contains(t, text(pa, "#f-carry-over"), "Export networks matter more than schools.")
	require.NotContains(t, text(pa, "#f-carry-over"), "craft guilds", "an answered thread is not offered")
	shot(pa, "submit-carry-over")
	require.NoError(t, chromedp.Do(pa,
		chromedp.Click(chromedp.ID("confirm")),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
		chromedp.Navigate(sectionPage),
		chromedp.WaitVisible(chromedp.CSS(`article[id="c-`+open.ID+`"] .carried`)),
	))
	require.Equal(t, "carried over from revision 1", text(pa, `article[id="c-`+open.ID+`"] .carried`))
	require.NotContains(t, text(pa, "main"), "craft guilds", "the answered thread stays on revision 1")
	shot(pa, "carried-over")
}
