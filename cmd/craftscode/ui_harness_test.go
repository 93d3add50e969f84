package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// The browser tests' shared harness: one headless Chromium per test, a
// browser context (own cookies) per person, and checkPage, which holds a
// page to the rules every page of the service must meet:
//
//   - axe-core finds no violation of any impact, at 1280×900 and at
//     390×844 (WCAG 2.0, 2.1 and 2.2 A and AA rules, and best practices);
//   - nothing scrolls sideways, at either size;
//   - the browser refuses nothing by the Content-Security-Policy (an inline
//     script or style) since the last check in that tab;
//   - html-validate (recommended preset) passes on the HTML as served
//     (the response body of the page's document, so a form's refused POST
//     is checked too, not the browser's re-serialized DOM);
//   - a full-page screenshot of each size, and the served HTML, stay in
//     artifacts() for people to look at.
//
// The checkers come from npm, pinned in scripts/lib/checkers and installed
// by scripts/test, which exports CRAFTSCODE_AXE_JS (axe.min.js) and
// CRAFTSCODE_HTML_VALIDATE (the command). Without them the test skips,
// unless CRAFTSCODE_REQUIRE_BROWSER=1, where it fails.

// viewports are the sizes checkPage looks at a page in.
var viewports = []struct {
	name   string
	width  int64
	height int64
}{{"desktop", 1280, 900}, {"phone", 390, 844}}

// axeTags are the axe-core rule tags the pages must pass: every WCAG A and
// AA level, and axe's best practices.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"}

// pageCheckers are the paths of the checkers that scripts/test installs.
type pageCheckers struct {
	axe          string // axe-core's source, to inject
	htmlValidate string // the html-validate command
	config       string // its configuration (testdata/htmlvalidate.json)
}

func loadCheckers(t *testing.T) pageCheckers {
	t.Helper()
	missing := func(why string) {
		if os.Getenv("CRAFTSCODE_REQUIRE_BROWSER") == "1" {
			t.Fatalf("%s, but CRAFTSCODE_REQUIRE_BROWSER=1 (scripts/test installs the checkers)", why)
		}
		t.Skipf("%s: run the test through scripts/test, which installs axe-core and html-validate", why)
	}
	axePath, hv := os.Getenv("CRAFTSCODE_AXE_JS"), os.Getenv("CRAFTSCODE_HTML_VALIDATE")
	if axePath == "" || hv == "" {
		missing("CRAFTSCODE_AXE_JS or CRAFTSCODE_HTML_VALIDATE is not set")
	}
	src, err := os.ReadFile(axePath)
	if err != nil {
		missing(fmt.Sprintf("axe-core: %v", err))
	}
	if _, err := os.Stat(hv); err != nil {
		missing(fmt.Sprintf("html-validate: %v", err))
	}
	config, err := filepath.Abs(filepath.Join("testdata", "htmlvalidate.json"))
	require.NoError(t, err)
	return pageCheckers{axe: string(src), htmlValidate: hv, config: config}
}

// browserUI is one Chromium against one served binary, for one test.
type browserUI struct {
	s     *served
	root  context.Context
	chk   pageCheckers
	shots string

	mu    sync.Mutex
	tabs  map[target.ID]*tabState
	html  []servedPage // waiting for html-validate
	shotN int
}

// tabState follows the document a tab shows: the last HTML response.
type tabState struct {
	mu      sync.Mutex
	doc     network.RequestID
	url     string
	status  int64
	refused []string // the browser's Content-Security-Policy refusals
}

type servedPage struct{ name, file, url string }

// newBrowserUI starts Chromium for the test (closed at its end) and reads
// the checkers. Pages are checked against s.
func newBrowserUI(t *testing.T, s *served) *browserUI {
	t.Helper()
	browserPath := chromium(t)
	chk := loadCheckers(t)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browserPath), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1280, 900),
		chromedp.Flag("disable-dev-shm-usage", true))...)
	t.Cleanup(cancelAlloc)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(cancelRoot)
	require.NoError(t, chromedp.Do(root), "start Chromium")
	ui := &browserUI{s: s, root: root, chk: chk, shots: artifacts(t),
		tabs: map[target.ID]*tabState{}}
	// Registered after Chromium's cancels, so it runs before them. The
	// server's log stays with the screenshots.
	t.Cleanup(func() {
		ui.validateHTML(t)
		if s.logs != nil {
			_ = os.WriteFile(filepath.Join(ui.shots, "server.log"), []byte(s.logs.String()), 0o644)
		}
	})
	return ui
}

// tab opens a browser context of its own (no cookies) with one tab.
func (ui *browserUI) tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(ui.root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	require.NoError(t, chromedp.Do(ctx), "open a tab")
	st := &tabState{}
	ui.mu.Lock()
	ui.tabs[chromedp.FromContext(ctx).Target.TargetID] = st
	ui.mu.Unlock()
	require.NoError(t, chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventResponseReceived:
			if e.Type == network.ResourceTypeDocument {
				st.mu.Lock()
				st.doc, st.url, st.status = e.RequestID, e.Response.URL, e.Response.Status
				st.mu.Unlock()
			}
		case *cdplog.EventEntryAdded:
			if strings.Contains(e.Entry.Text, "Content Security Policy") {
				st.mu.Lock()
				st.refused = append(st.refused, e.Entry.Text)
				st.mu.Unlock()
			}
		}
	}))
	_, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{})
	require.NoError(t, err)
	// Long enough for a test that keeps a tab through every language.
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Minute)
	t.Cleanup(cancelTimeout)
	return ctx
}

// signIn opens a tab and signs in with an API token on the sign-in page's
// token form, as a person would.
func (ui *browserUI) signIn(t *testing.T, token string) context.Context {
	t.Helper()
	ctx := ui.tab(t)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(ui.s.url+"/ui/login"),
		chromedp.WaitVisible(chromedp.ID("token")),
		chromedp.SendKeys(chromedp.ID("token"), token),
		chromedp.Click(chromedp.CSS(`form[action="/ui/login/token"] button`)),
		// Every role's menu has the sign-out form; only signed-in pages do.
		chromedp.WaitVisible(chromedp.CSS(`form[action="/ui/logout"]`)),
	), "sign in with a token")
	return ctx
}

// open navigates to path (on the served binary) and gives the status.
func (ui *browserUI) open(t *testing.T, ctx context.Context, path string) int64 {
	t.Helper()
	res, err := chromedp.RunResponse(ctx, chromedp.Navigate(ui.s.url+path))
	require.NoError(t, err, "open %s", path)
	return res.Status
}

// submitForm submits the form that sel finds as it is, without the
// browser's own checks of required fields (the server must refuse it), and
// waits for the answer. It gives the answer's status.
func (ui *browserUI) submitForm(t *testing.T, ctx context.Context, sel string) int64 {
	t.Helper()
	js := `(() => { const f = document.querySelector(` + jsString(sel) + `); f.noValidate = true; f.requestSubmit(); })()`
	res, err := chromedp.RunResponse(ctx, script(js))
	require.NoError(t, err, "submit %s", sel)
	return res.Status
}

// run runs JavaScript in the tab for its effect.
func (ui *browserUI) run(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	require.NoError(t, chromedp.Do(ctx, script(js)), js)
}

// jsString quotes s as a JavaScript string.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// script runs JavaScript for its effect.
func script(js string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](js)(ctx, tg)
		return chromedp.Void{}, err
	}
}

type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// checkPage holds the page the tab shows to every rule (see the top of
// this file): a test error for each problem. name
// names the page in messages and files ("page/role"). The viewport is left
// at the phone's size; html-validate's findings come at the test's end.
func (ui *browserUI) checkPage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, p := range ui.pageProblems(t, ctx, name) {
		t.Error(p)
	}
}

// pageProblems is checkPage's work: it gives the problems of the page, and
// queues the served HTML for html-validate.
func (ui *browserUI) pageProblems(t *testing.T, ctx context.Context, name string) []string {
	t.Helper()
	var problems []string
	require.NoError(t, chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS("body"))))
	ui.mu.Lock()
	st := ui.tabs[chromedp.FromContext(ctx).Target.TargetID]
	ui.shotN++
	n := ui.shotN
	ui.mu.Unlock()
	require.NotNil(t, st, "checkPage needs a tab from ui.tab or ui.signIn")
	file := fmt.Sprintf("%03d-%s", n, unsafeName.ReplaceAllString(name, "-"))

	// The HTML as served, for html-validate (run once for all pages).
	st.mu.Lock()
	doc, url := st.doc, st.url
	st.mu.Unlock()
	require.NotEmpty(t, doc, "%s: no document loaded", name)
	body, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: doc})
	require.NoError(t, err, "%s: the served HTML", name)
	htmlFile := filepath.Join(ui.shots, file+".html")
	require.NoError(t, os.WriteFile(htmlFile, body.Body, 0o644))
	ui.mu.Lock()
	ui.html = append(ui.html, servedPage{name: name, file: htmlFile, url: url})
	ui.mu.Unlock()

	injected, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined"`))
	require.NoError(t, err)
	if !injected {
		require.NoError(t, chromedp.Do(ctx, script(ui.chk.axe)), "inject axe-core")
	}
	tags, err := json.Marshal(axeTags)
	require.NoError(t, err)
	run := fmt.Sprintf(`axe.run(document, {runOnly: {type: "tag", values: %s}, resultTypes: ["violations"]}).then(r =>
		r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map(n => ({target: JSON.stringify(n.target), html: n.html, summary: n.failureSummary}))})))`, tags)
	for _, vp := range viewports {
		require.NoError(t, chromedp.Do(ctx, chromedp.EmulateViewport(vp.width, vp.height)))
		// Let the new layout settle before measuring it.
		_, err := chromedp.Run(ctx, chromedp.Evaluate[any](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`, chromedp.EvalAwaitPromise))
		require.NoError(t, err)
		at := fmt.Sprintf("%s at %dx%d (%s)", name, vp.width, vp.height, url)

		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		shot := filepath.Join(ui.shots, fmt.Sprintf("%s-%s.png", file, vp.name))
		require.NoError(t, os.WriteFile(shot, png, 0o644))

		wide, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[document.documentElement.scrollWidth, window.innerWidth]`))
		require.NoError(t, err)
		if wide[0] > wide[1] {
			problems = append(problems, fmt.Sprintf("%s: scrolls sideways: the page is %.0f px wide in a %.0f px window (screenshot %s)", at, wide[0], wide[1], shot))
		}

		found, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](run, chromedp.EvalAwaitPromise))
		require.NoError(t, err, "%s: axe.run", at)
		for _, v := range found {
			var b strings.Builder
			fmt.Fprintf(&b, "%s: axe %s (%s): %s <%s>", at, v.ID, v.Impact, v.Help, v.URL)
			for _, nd := range v.Nodes {
				fmt.Fprintf(&b, "\n\t%s %s\n\t\t%s", nd.Target, nd.HTML, strings.ReplaceAll(nd.Summary, "\n", "\n\t\t"))
			}
			problems = append(problems, b.String())
		}
	}
	// Pages run no inline script or style: the browser refuses them (and
	// would refuse anything axe-core needed that the policy forbids).
	st.mu.Lock()
	refused := st.refused
	st.refused = nil
	st.mu.Unlock()
	for _, r := range refused {
		problems = append(problems, fmt.Sprintf("%s (%s): the browser refused something by the Content-Security-Policy: %s", name, url, r))
	}
	return problems
}

// validateHTML runs html-validate once over every page checkPage saw; it
// runs when the test ends, and its findings fail the test.
func (ui *browserUI) validateHTML(t *testing.T) {
	for _, p := range ui.htmlProblems(t) {
		t.Error(p)
	}
}

// htmlProblems runs html-validate over the pages queued so far and gives
// its findings.
func (ui *browserUI) htmlProblems(t *testing.T) (problems []string) {
	ui.mu.Lock()
	pages := ui.html
	ui.html = nil
	ui.mu.Unlock()
	if len(pages) == 0 {
		return nil
	}
	fail := func(format string, args ...any) []string { return append(problems, fmt.Sprintf(format, args...)) }
	// The report goes to a file: node may exit before a large answer on a
	// pipe is written out.
	report := filepath.Join(ui.shots, "html-validate.json")
	_ = os.Remove(report)
	args := []string{"--config", ui.chk.config, "--formatter", "json=" + report}
	byFile := map[string]servedPage{}
	for _, p := range pages {
		args = append(args, p.file)
		byFile[p.file] = p
	}
	cmd := exec.Command(ui.chk.htmlValidate, args...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return fail("html-validate: %v: %s", err, out)
	}
	answer, rerr := os.ReadFile(report)
	if rerr != nil {
		return fail("html-validate wrote no report (%v, %v): %s", err, rerr, out)
	}
	var results []struct {
		FilePath string `json:"filePath"`
		Messages []struct {
			RuleID   string `json:"ruleId"`
			Severity int    `json:"severity"`
			Message  string `json:"message"`
			Line     int    `json:"line"`
			Column   int    `json:"column"`
			Selector string `json:"selector"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(answer, &results); err != nil {
		return fail("html-validate's report %s: %v", report, err)
	}
	if err != nil && len(results) == 0 {
		problems = fail("html-validate failed (%v) and reported nothing: %s", err, out)
	}
	sort.Slice(results, func(i, j int) bool { return results[i].FilePath < results[j].FilePath })
	for _, r := range results {
		p, ok := byFile[r.FilePath]
		if !ok {
			abs, _ := filepath.Abs(r.FilePath)
			p = byFile[abs]
		}
		for _, m := range r.Messages {
			msg := fmt.Sprintf("%s (%s): html-validate %s: %s at %s:%d:%d %s", p.name, p.url, m.RuleID, m.Message, r.FilePath, m.Line, m.Column, m.Selector)
			problems = append(problems, msg)
		}
	}
	return problems
}

// TestCheckPageCatches shows that the harness can fail: a page with an
// image without text, an unlabelled field, no language, an untyped button,
// an inline style its policy refuses and a box wider than a phone, served by a bare HTTP server, gets every
// one of them reported, and a clean page nothing.
func TestCheckPageCatches(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if r.URL.Path == "/good" {
			fmt.Fprint(w, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"+
				"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Good</title>\n</head>\n"+
				"<body>\n<main>\n<h1>Good</h1>\n<p>Nothing wrong here.</p>\n</main>\n</body>\n</html>\n")
			return
		}
		w.Header().Set("Content-Security-Policy", "default-src 'self'")
		fmt.Fprint(w, "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"+
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Bad</title>\n</head>\n"+
			"<body>\n<main>\n<h1 style=\"color: red\">Bad</h1>\n<img src=\"/x.png\">\n<input id=\"a\">\n<button>Go</button>\n"+
			"<svg width=\"2000\" height=\"10\"></svg>\n</main>\n</body>\n</html>\n")
	}))
	defer srv.Close()
	ui := newBrowserUI(t, &served{url: srv.URL})
	ctx := ui.tab(t)
	require.Equal(t, int64(200), ui.open(t, ctx, "/bad"))
	got := strings.Join(ui.pageProblems(t, ctx, "bad"), "\n")
	for _, want := range []string{"axe image-alt", "axe label", "axe html-has-lang", "scrolls sideways", "Content-Security-Policy"} {
		require.Contains(t, got, want)
	}
	got = strings.Join(ui.htmlProblems(t), "\n")
	for _, want := range []string{"html-validate wcag/h37", "html-validate element-required-attributes", "html-validate no-implicit-button-type"} {
		require.Contains(t, got, want)
	}

	require.Equal(t, int64(200), ui.open(t, ctx, "/good"))
	require.Empty(t, ui.pageProblems(t, ctx, "good"))
	require.Empty(t, ui.htmlProblems(t))
}

// partnerAndInstrument finds, through the project's API at base as the
// holder of token, the partner named partnerName and a policy instrument
// it takes part in: what a test's action plan is written for.
func partnerAndInstrument(t *testing.T, base, token, partnerName string) (partnerID, instrumentID string) {
	t.Helper()
	var partners struct{ Items []struct{ ID, Name string } }
	require.Equal(t, 200, call(t, "GET", base+"/partners", token, nil, 0, &partners))
	var instruments struct {
		Items []struct {
			ID         string
			PartnerIDs []string `json:"partner_ids"`
		}
	}
	require.Equal(t, 200, call(t, "GET", base+"/policy-instruments", token, nil, 0, &instruments))
	for _, p := range partners.Items {
		if p.Name == partnerName {
			partnerID = p.ID
		}
	}
	for _, i := range instruments.Items {
		if slices.Contains(i.PartnerIDs, partnerID) {
			instrumentID = i.ID
		}
	}
	require.NotEmpty(t, instrumentID)
	return partnerID, instrumentID
}
