package main

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestBrowserTokens: in Chromium, a partner goes from "My data" to "My
// tokens", makes a token (shown once), uses it on the API, and revokes it
// after the confirmation; the API refuses it at once.
func TestBrowserTokens(t *testing.T) {
	chromium(t)
	env := map[string]string{"CRAFTSCODE_DATA_DIR": t.TempDir()}
	var demo demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo", "--consortium-only"), &demo))
	var partner demoUser
	for _, u := range demo.Users {
		if u.Role == "partner" && partner.Email == "" {
			partner = u
		}
	}
	s := serve(t, env)
	defer stopServer(t, s)
	ui := newBrowserUI(t, s)
	ctx := ui.signIn(t, partner.Token)

	require.Equal(t, int64(200), ui.open(t, ctx, "/ui/me"))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/ui/me/tokens"]`)),
		chromedp.WaitVisible(chromedp.ID("f-name")),
		chromedp.SendKeys(chromedp.ID("f-name"), "Budget spreadsheet"),
		chromedp.SetValue(chromedp.ID("f-expires"), "7"),
		chromedp.Click(chromedp.CSS(`form[action="/ui/me/tokens"] button`)),
		chromedp.WaitVisible(chromedp.ID("secret")),
	), "make a token")
	ui.checkPage(t, ctx, "tokens/created")
	secret, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#secret").textContent`))
	require.NoError(t, err)
	require.Regexp(t, `^cct_[A-Za-z0-9_-]{40,}$`, secret)
	require.Equal(t, 200, get(t, s.url+"/api/v1/me", secret, nil), "the token works")

	require.Equal(t, int64(200), ui.open(t, ctx, "/ui/me/tokens"))
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.Search(`//li[h3[text()="Budget spreadsheet"]]//a[contains(@href, "/revoke")]`)),
		chromedp.WaitVisible(chromedp.ID("confirm")),
	), "ask to revoke")
	ui.checkPage(t, ctx, "tokens/revoke-confirm")
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("confirm")),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
	), "revoke")
	ui.checkPage(t, ctx, "tokens/revoked")
	left, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("li h3")].filter(h => h.textContent.startsWith("Budget spreadsheet")).length`))
	require.NoError(t, err)
	require.Zero(t, left, "no longer listed")
	require.Equal(t, 401, get(t, s.url+"/api/v1/me", secret, nil), "refused at once")
	require.Equal(t, 200, get(t, s.url+"/api/v1/me", partner.Token, nil), "the partner's other token works")
}
