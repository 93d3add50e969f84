package main

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestBrowserSuggestedWording is issue 18's suggested wording in Chromium
// against the real binary: a stakeholder suggests new words for part of
// the policy context, the owner accepts the suggestion and returns the
// plan, then applies it on the draft's page of accepted suggestions; the
// draft holds the new text and the history says who applied it.
func TestBrowserSuggestedWording(t *testing.T) {
	chromium(t)
	env := map[string]string{"CRAFTSCODE_DATA_DIR": t.TempDir()}
	var demo demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo", "--consortium-only"), &demo))
	var partner, reader demoUser
	for _, u := range demo.Users {
		if u.Role == "partner" && partner.Email == "" {
			partner = u
		}
		if u.Role == "stakeholder" && reader.Email == "" {
			reader = u
		}
	}
	s := serve(t, env)
	defer stopServer(t, s)
	ui := newBrowserUI(t, s)

	// The Florentine partner's plan, under consultation for its group.
	base := s.url + "/api/v1/projects/" + demo.ProjectID
	partnerID, instrumentID := partnerAndInstrument(t, base, partner.Token, partner.Partner)
	const context = "Florence's craft SMEs lack access to design schools and export networks."
	var plan struct{ ID string }
	require.Equal(t, 201, call(t, "POST", base+"/action-plans", partner.Token, map[string]any{
		"policy_instrument_id": instrumentID, "partner_id": partnerID, "title": "Piano d'azione: artigianato fiorentino", "language": "en",
		"policy_context": context,
		"actions": []map[string]any{{"title": "Craft hubs", "description": "Open two craft hubs in Oltrarno.",
			"players": "Chamber of commerce, CNA Firenze", "timeframe_start": "2019-01-01", "timeframe_end": "2019-12-31"}},
	}, 0, &plan))
	planAPI := s.url + "/api/v1/action-plans/" + plan.ID
	require.Equal(t, 200, call(t, "POST", planAPI+"/transitions", partner.Token, map[string]any{"trigger": "submit"}, 1, nil))
	planPage := "/ui/action-plans/" + plan.ID
	const section = `section[id="sec-part2-policy_context"]`

	// 1. The stakeholder suggests wording for part of the policy context.
	st := ui.signIn(t, reader.Token)
	require.Equal(t, int64(200), ui.open(t, st, planPage))
	require.NoError(t, chromedp.Do(st,
		chromedp.Click(chromedp.CSS(section+` details.form summary`)),
		chromedp.SendKeys(chromedp.CSS(`[id="body-part2-policy_context"]`), "Online sales matter as much as export fairs."),
		chromedp.SendKeys(chromedp.CSS(`[id="sugg-part2-policy_context"]`), "export networks and online marketplaces"),
		chromedp.SendKeys(chromedp.CSS(`[id="of-part2-policy_context"]`), "export networks"),
		chromedp.Click(chromedp.CSS(section+` details.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	), "suggest wording")
	shown, err := chromedp.Run(st, chromedp.Text(chromedp.CSS(section+` .suggested`)))
	require.NoError(t, err)
	require.Contains(t, shown, "Replace «export networks» with «export networks and online marketplaces»")
	ui.checkPage(t, st, "suggestions/stakeholder-suggested")

	// 2. The owner accepts it on the section's page.
	var threads struct {
		Items []struct{ ID string }
	}
	require.Equal(t, 200, call(t, "GET", planAPI+"/comments", partner.Token, nil, 0, &threads))
	require.Len(t, threads.Items, 1)
	cid := threads.Items[0].ID
	pa := ui.signIn(t, partner.Token)
	require.Equal(t, int64(200), ui.open(t, pa, planPage+"?section=part2.policy_context"))
	require.NoError(t, chromedp.Do(pa,
		chromedp.SetValue(chromedp.ID("resp-status-"+cid), "accepted"),
		chromedp.SendKeys(chromedp.ID("resp-body-"+cid), "Yes: Part II will say so."),
		chromedp.Click(chromedp.CSS(`form[action="/ui/comments/`+cid+`/response"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	), "accept the suggestion")

	// 3. The owner returns the plan to draft; its page links to the
	// accepted suggestion.
	require.Equal(t, int64(200), ui.open(t, pa, planPage+"/transitions/request_changes"))
	require.NoError(t, chromedp.Do(pa,
		chromedp.SendKeys(chromedp.ID("note"), "Taking the consultation in."),
		chromedp.Click(chromedp.ID("confirm")),
		chromedp.WaitVisible(chromedp.ID("suggestions-link")),
	), "return the plan")
	link, err := chromedp.Run(pa, chromedp.Text(chromedp.ID("suggestions-link")))
	require.NoError(t, err)
	require.Equal(t, "1 accepted suggestion to apply", link)

	// 4. The owner reviews the change and applies it.
	require.NoError(t, chromedp.Do(pa,
		chromedp.Click(chromedp.ID("suggestions-link")),
		chromedp.WaitVisible(chromedp.ID("apply")),
	), "open the suggestions")
	before, err := chromedp.Run(pa, chromedp.Text(chromedp.CSS(`.suggestion dd.before del`)))
	require.NoError(t, err)
	require.Equal(t, "export networks", before)
	after, err := chromedp.Run(pa, chromedp.Text(chromedp.CSS(`.suggestion dd.after ins`)))
	require.NoError(t, err)
	require.Equal(t, "export networks and online marketplaces", after)
	ui.checkPage(t, pa, "suggestions/owner-review")
	require.NoError(t, chromedp.Do(pa,
		chromedp.Click(chromedp.ID("apply")),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	), "apply")
	notice, err := chromedp.Run(pa, chromedp.Text(chromedp.CSS(`.notice`)))
	require.NoError(t, err)
	require.Equal(t, "The suggestions are applied and the draft is saved.", notice)
	ui.checkPage(t, pa, "suggestions/applied")

	var draft struct {
		State         string `json:"state"`
		PolicyContext string `json:"policy_context"`
	}
	require.Equal(t, 200, call(t, "GET", planAPI, partner.Token, nil, 0, &draft))
	require.Equal(t, "draft", draft.State)
	require.Equal(t, "Florence's craft SMEs lack access to design schools and export networks and online marketplaces.", draft.PolicyContext)

	// 5. The history says who applied what.
	require.Equal(t, int64(200), ui.open(t, pa, planPage+"/history"))
	applied, err := chromedp.Run(pa, chromedp.Text(chromedp.CSS(`.applied-list`)))
	require.NoError(t, err)
	require.Contains(t, applied, "Part II – Policy context")
	require.Contains(t, applied, "by "+partner.Name)
	ui.checkPage(t, pa, "suggestions/history")
}
