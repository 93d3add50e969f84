package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// chromium finds a Chromium to drive: CRAFTSCODE_CHROMIUM, else Debian's.
// Without one the browser test skips, unless CRAFTSCODE_REQUIRE_BROWSER=1
// (scripts/test under CI), where it fails.
func chromium(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("CRAFTSCODE_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if p, err := exec.LookPath(c); err == nil {
			return p
		}
	}
	if os.Getenv("CRAFTSCODE_REQUIRE_BROWSER") == "1" {
		t.Fatal("no Chromium found (chromium, chromium-browser, google-chrome or CRAFTSCODE_CHROMIUM) but CRAFTSCODE_REQUIRE_BROWSER=1")
	}
	t.Skip("no Chromium found: install Debian's chromium (scripts/test does) to run the browser test")
	return ""
}

// artifacts is where screenshots go: CRAFTSCODE_ARTIFACTS, else a folder
// in the temp dir. They stay after the test, for people to look at.
func artifacts(t *testing.T) string {
	dir := os.Getenv("CRAFTSCODE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "craftscode-artifacts")
	}
	dir = filepath.Join(dir, t.Name())
	require.NoError(t, os.MkdirAll(dir, 0o755))
	return dir
}

// TestBrowserConsultation is the scenario in headless Chromium
// against the real binary with the demo consortium: a stakeholder signs in
// by the mailed link, opens the submitted draft and comments on a section;
// the partner signs in with a token and answers; the stakeholder sees the
// answer, on a phone-sized screen.
func TestBrowserConsultation(t *testing.T) {
	browserPath := chromium(t)
	shots := artifacts(t)
	env := map[string]string{"CRAFTSCODE_DATA_DIR": t.TempDir()}
	var demo demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo", "--consortium-only"), &demo))
	s := serve(t, env)

	// The Florentine partner's plan, under consultation for its group.
	var partner, reader demoUser
	for _, u := range demo.Users {
		if u.Role == "partner" && partner.Email == "" {
			partner = u
		}
		if u.Role == "stakeholder" && reader.Email == "" {
			reader = u
		}
	}
	require.Equal(t, "partner.it@crafts-code.example", partner.Email)
	require.Equal(t, "stakeholder.it@crafts-code.example", reader.Email)
	base := s.url + "/api/v1/projects/" + demo.ProjectID
	partnerID, instrumentID := partnerAndInstrument(t, base, partner.Token, partner.Partner)
	const title = "Piano d'azione: artigianato fiorentino"
	var plan struct{ ID string }
	require.Equal(t, 201, call(t, "POST", base+"/action-plans", partner.Token, map[string]any{
		"policy_instrument_id": instrumentID, "partner_id": partnerID, "title": title, "language": "en",
		"policy_context": "Florence's craft SMEs lack access to design schools and export networks.",
		"actions": []map[string]any{{"title": "Craft hubs", "description": "Open two craft hubs in Oltrarno.",
			"players": "Chamber of commerce, CNA Firenze", "timeframe_start": "2019-01-01", "timeframe_end": "2019-12-31"}},
	}, 0, &plan))
	require.Equal(t, 200, call(t, "POST", s.url+"/api/v1/action-plans/"+plan.ID+"/transitions", partner.Token, map[string]any{"trigger": "submit"}, 1, nil))
	planURL := s.url + "/ui/action-plans/" + plan.ID

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browserPath), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true))...)
	defer cancelAlloc()
	root, cancelRoot := chromedp.NewContext(alloc)
	defer cancelRoot()
	require.NoError(t, chromedp.Do(root), "start Chromium")
	// Each person has a browser context of their own: separate cookies.
	person := func() context.Context {
		ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
		t.Cleanup(cancelTimeout)
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
	const section = `section[id="sec-part2-policy_context"]`
	const remark = `Please name the design schools <b>by name</b> & {{.Title}}`

	// 1. The stakeholder asks for a link by keyboard, signs in with it,
	// opens the draft and comments on the policy context.
	st := person()
	require.NoError(t, chromedp.Do(st,
		chromedp.Navigate(s.url+"/ui/"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), reader.Email+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/ui/login"]`)),
	))
	require.Equal(t, "Check your mail", text(st, "h1"))
	shot(st, "link-sent")
	link := mailedLink(t, s, reader.Email)
	require.NoError(t, chromedp.Do(st,
		chromedp.Navigate(link),
		chromedp.Click(chromedp.ID("use-link")),
		// Wait for what only the next page has, not for the old page's h1.
		chromedp.WaitVisible(chromedp.CSS(`a[href="/ui/action-plans/`+plan.ID+`"]`)),
	))
	// The stakeholder lands on the home of its only project, the
	// consultation under "Needs you now"; the menu leads to its consultations.
	require.Contains(t, text(st, ".needs"), title)
	require.NoError(t, chromedp.Do(st,
		chromedp.Click(chromedp.CSS(`nav a[href="/ui/consultations"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav a[href="/ui/consultations"][aria-current="page"]`)),
	))
	require.Equal(t, "My consultations", text(st, "h1"))
	// By keyboard the first Tab lands on a visible "Skip to content" link.
	require.NoError(t, chromedp.Do(st, chromedp.KeyEvent("\t")))
	focus, err := chromedp.Run(st, chromedp.Evaluate[[]any](`(() => {
		const e = document.activeElement, r = e.getBoundingClientRect();
		return [e.textContent, r.left >= 0 && r.top >= 0 && r.width > 0, getComputedStyle(e).outlineStyle];
	})()`))
	require.NoError(t, err)
	require.Equal(t, []any{"Skip to content", true, "solid"}, focus, "text, on screen, outline")
	require.Contains(t, text(st, "main"), title)
	shot(st, "my-consultations")
	require.NoError(t, chromedp.Do(st,
		chromedp.Click(chromedp.CSS(`a[href="/ui/action-plans/`+plan.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(section)),
		chromedp.Click(chromedp.CSS(section+` details.form summary`)),
		chromedp.SetValue(chromedp.CSS(`[id="stance-part2-policy_context"]`), "concern"),
		chromedp.SendKeys(chromedp.CSS(`[id="body-part2-policy_context"]`), remark),
		chromedp.Click(chromedp.CSS(section+` details.form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	))
	require.Equal(t, "Your comment is posted.", text(st, ".notice"))
	require.Contains(t, text(st, section+" article.comment .body"), remark, "markup in a comment shows as text")
	require.Contains(t, text(st, "#consultation"), "open until")
	shot(st, "stakeholder-commented")

	// 2. The partner signs in with the API token and answers, on the
	// section's page, where the forms of its comments are.
	pa := person()
	require.NoError(t, chromedp.Do(pa,
		chromedp.Navigate(planURL),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), partner.Token),
		chromedp.Click(chromedp.CSS(`form[action="/ui/login/token"] button`)),
		chromedp.WaitVisible(chromedp.CSS(section+" article.comment")),
		chromedp.Navigate(planURL+"?section=part2.policy_context"),
		chromedp.WaitVisible(chromedp.CSS(section+` form[action$="/response"]`)),
	))
	idAttr, err := chromedp.Run(pa, chromedp.AttributeValue(chromedp.CSS(section+" article.comment"), "id"))
	require.NoError(t, err)
	cid := strings.TrimPrefix(idAttr.Value, "c-")
	require.Contains(t, text(pa, "#"+idAttr.Value+" .body"), remark)
	shot(pa, "partner-sees-comment")
	const answer = "Accepted: Part II will name the Accademia di Belle Arti and Polimoda."
	require.NoError(t, chromedp.Do(pa,
		chromedp.SetValue(chromedp.ID("resp-status-"+cid), "accepted"),
		chromedp.SendKeys(chromedp.ID("resp-body-"+cid), answer),
		chromedp.Click(chromedp.CSS(`#`+idAttr.Value+` form[action$="/response"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	))
	require.Equal(t, "The response is saved.", text(pa, ".notice"))
	shot(pa, "partner-answered")

	// 3. The stakeholder sees the answer, here on a phone-sized screen.
	require.NoError(t, chromedp.Do(st,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(planURL),
		chromedp.WaitVisible(chromedp.CSS(`#`+idAttr.Value+` .response`)),
	))
	got := text(st, `#`+idAttr.Value+` .response`)
	require.Contains(t, got, "Accepted")
	require.Contains(t, got, answer)
	require.Contains(t, got, partner.Name)
	// One column on a phone: the thread sits below the text, not beside it.
	layout, err := chromedp.Run(st, chromedp.Evaluate[[]float64](`(() => {
		const s = document.querySelector('section[id="sec-part2-policy_context"]');
		const a = s.querySelector('.text').getBoundingClientRect(), b = s.querySelector('.thread').getBoundingClientRect();
		return [a.bottom, b.top, document.documentElement.scrollWidth, window.innerWidth];
	})()`))
	require.NoError(t, err)
	require.LessOrEqual(t, layout[0], layout[1], "the thread is below the text")
	require.LessOrEqual(t, layout[2], layout[3], "nothing scrolls sideways")
	shot(st, "stakeholder-sees-answer-phone")

	// The section's own page, reached by keyboard from the overview's link:
	// that section alone, with the thread and its answer.
	require.NoError(t, chromedp.Do(st,
		chromedp.Focus(chromedp.CSS(section+` .more a`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`.crumb a`)),
	))
	require.Contains(t, text(st, `#`+idAttr.Value+` .response`), answer)
	require.Contains(t, text(st, section+" h2"), "Part II")
	shown, err := chromedp.Run(st, chromedp.Evaluate[int](`document.querySelectorAll("section.section").length`))
	require.NoError(t, err)
	require.Equal(t, 1, shown, "only that section")
	shot(st, "stakeholder-section-page-phone")

	// 4. Still on the phone, the stakeholder opens the edit form of their
	// comment by keyboard: it holds the text as typed, markup and all, and
	// the saved change shows on the section's page they come back to.
	const edited = "Please name the design schools: Accademia & Polimoda <i>both</i>"
	article := `#` + idAttr.Value
	editBody := `[id="edit-body-` + cid + `"]`
	require.NoError(t, chromedp.Do(st,
		chromedp.Focus(chromedp.CSS(article+` > details:has(form[action$="/edit"]) > summary`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(editBody)),
	))
	before, err := chromedp.Run(st, chromedp.Value(chromedp.CSS(editBody)))
	require.NoError(t, err)
	require.Equal(t, remark, before)
	wide, err := chromedp.Run(st, chromedp.Evaluate[[]float64](`[document.documentElement.scrollWidth, window.innerWidth]`))
	require.NoError(t, err)
	require.LessOrEqual(t, wide[0], wide[1], "the open edit form does not scroll sideways")
	shot(st, "stakeholder-edit-form-phone")
	require.NoError(t, chromedp.Do(st,
		chromedp.SetValue(chromedp.CSS(`[id="edit-stance-`+cid+`"]`), "suggestion"),
		chromedp.Clear(chromedp.CSS(editBody)),
		chromedp.SendKeys(chromedp.CSS(editBody), edited),
		chromedp.Click(chromedp.CSS(`form[action$="/`+cid+`/edit"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	))
	require.Equal(t, "Your comment is saved.", text(st, ".notice"))
	require.Contains(t, text(st, article+" > .body"), edited)
	require.Contains(t, text(st, article+" > .meta"), "edited")
	require.Contains(t, text(st, article+" > .meta .stance"), "Suggestion")
	require.Contains(t, text(st, `.crumb a`), "Back to the whole revision", "back on the section's page")
	shot(st, "stakeholder-edited-phone")
	// The delete form opens by keyboard too, and asks for a tick first.
	require.NoError(t, chromedp.Do(st,
		chromedp.Focus(chromedp.CSS(article+` > details:has(form[action$="/delete"]) > summary`)),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`[id="delete-confirm-`+cid+`"]`)),
	))
	shot(st, "stakeholder-delete-form-phone")
}

// mailedLink reads the sign-in link that LogMailer wrote to the server log.
func mailedLink(t *testing.T, s *served, to string) string {
	t.Helper()
	re := regexp.MustCompile(`(http://[^\s"]+/ui/login/[A-Za-z0-9_-]+)`)
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
	}, 10*time.Second, 50*time.Millisecond, "no sign-in mail to %s in the log", to)
	require.True(t, strings.HasPrefix(link, s.url), "the link points at this server: %s", link)
	return link
}
