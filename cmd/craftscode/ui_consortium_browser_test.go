package main

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// invitationLink reads the link of the invitation LogMailer wrote to the
// server's log: the sign-in link with the project it lands in.
func invitationLink(t *testing.T, s *served, to string) string {
	t.Helper()
	re := regexp.MustCompile(`(http://[^\s"]+/ui/login/[A-Za-z0-9_-]+\?next=[^\s"]+)`)
	var link string
	require.Eventually(t, func() bool {
		for _, line := range strings.Split(s.logs.String(), "\n") {
			var rec struct{ Msg, To, Body string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "mail" && rec.To == to {
				if m := re.FindStringSubmatch(rec.Body); m != nil {
					link = m[1]
				}
			}
		}
		return link != ""
	}, 10*time.Second, 50*time.Millisecond, "no invitation to %s in the log", to)
	require.True(t, strings.HasPrefix(link, s.url), "the link points at this server: %s", link)
	return link
}

// TestInviteInBrowser: the coordinator opens the consortium page from the
// menu and invites a person the service does not know; the invitee signs
// in through the mailed link and lands in the project.
func TestInviteInBrowser(t *testing.T) {
	env := map[string]string{"CRAFTSCODE_DATA_DIR": t.TempDir()}
	var demo demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo", "--consortium-only"), &demo))
	s := serve(t, env)
	ui := newBrowserUI(t, s)
	text := func(ctx context.Context, sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, sel)
		return v
	}

	coord := ui.signIn(t, tokenOf(t, demo, "coordinator"))
	require.Equal(t, int64(200), ui.open(t, coord, "/ui/projects/"+demo.ProjectID))
	require.NoError(t, chromedp.Do(coord,
		chromedp.Click(chromedp.CSS(`nav a[href$="/consortium"]`)),
		chromedp.WaitVisible(chromedp.ID("invite-button")),
	))
	require.Contains(t, text(coord, "h1"), demo.Acronym)
	const email = "nora.uj@example.org"
	require.NoError(t, chromedp.Do(coord,
		chromedp.SendKeys(chromedp.ID("f-email"), email),
		chromedp.SendKeys(chromedp.ID("f-name"), "Nóra Új"),
		chromedp.SetValue(chromedp.ID("f-role"), "observer"),
		chromedp.Click(chromedp.ID("invite-button")),
		chromedp.WaitVisible(chromedp.CSS(".notice")),
	))
	require.Equal(t, "The invitation was sent.", strings.TrimSpace(text(coord, ".notice")))
	require.Contains(t, text(coord, "#members + ul"), "Nóra Új")
	ui.checkPage(t, coord, "consortium-invited/coordinator")

	link := invitationLink(t, s, email)
	guest := ui.tab(t)
	require.NoError(t, chromedp.Do(guest,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.ID("use-link")),
		chromedp.Click(chromedp.ID("use-link")),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/ui/logout"]`)),
	))
	where, err := chromedp.Run(guest, chromedp.Location())
	require.NoError(t, err)
	require.Equal(t, s.url+"/ui/projects/"+demo.ProjectID, where, "the invitee lands in the project")
	require.Contains(t, text(guest, ".who"), "Nóra Új")
	ui.checkPage(t, guest, "invited-lands/observer")
}
