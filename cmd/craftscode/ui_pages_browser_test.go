package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/notify"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// pageCase is one page, as one role sees it, in TestPagesAccessible.
type pageCase struct {
	role   string                       // demo role signed in ("" = signed out)
	page   string                       // the page's name in messages and files
	path   func(f *pagesFixture) string // where it is
	submit string                       // a form (CSS) to submit as it is, empty fields and all, for its error state
	values map[string]string            // fields (CSS) to fill first
	status int64                        // the answer's status (0 = 200)
}

// TestPagesAccessible holds every page of the service, for every role that
// sees it, in every language, to the harness's rules (ui_harness_test.go):
// no axe-core violation at 1280×900 and 390×844, html-validate clean, no
// sideways scrolling; screenshots in artifacts(). In every language but
// English, each page also says it speaks that language (<html lang>) and
// shows no message of the English catalog (pagesSpeak). A new page is one
// line in pageCases.
func TestPagesAccessible(t *testing.T) {
	f := newPagesFixture(t)
	cat := locale.MustLoad()
	signedIn := map[string]context.Context{}
	langs := cat.Languages()
	if only := os.Getenv("CRAFTSCODE_PAGE_LANGUAGES"); only != "" && os.Getenv("CI") == "" {
		langs = strings.Split(only, ",") // a quicker run while working on a page; CI runs all
	}
	for _, lang := range langs {
		t.Run(lang, func(t *testing.T) {
			f.speak(t, signedIn, lang)
			f.runPages(t, signedIn, lang, newEnglishWords(cat, lang))
		})
	}
}

// speak makes every demo user of the pages read lang: their saved setting
// (PATCH /api/v1/me), and the switcher in the signed-out tab.
func (f *pagesFixture) speak(t *testing.T, signedIn map[string]context.Context, lang string) {
	for role, u := range f.users {
		require.Equal(t, 200, call(t, "PATCH", f.s.url+"/api/v1/me", u.Token, map[string]any{"language": lang}, 0, nil), role)
	}
	ctx := f.tabFor(t, signedIn, "")
	f.ui.open(t, ctx, "/ui/login")
	f.ui.run(t, ctx, `document.querySelector("#lang-switch").value = `+jsString(lang))
	require.Equal(t, int64(200), f.ui.submitForm(t, ctx, `form[action="/ui/language"]`))
}

// tabFor is a tab signed in as role's demo user ("": signed out), opened
// once and kept for every language.
func (f *pagesFixture) tabFor(t *testing.T, signedIn map[string]context.Context, role string) context.Context {
	if ctx, ok := signedIn[role]; ok {
		return ctx
	}
	var ctx context.Context
	if role == "" {
		ctx = f.ui.tab(f.t)
	} else {
		u, ok := f.users[role]
		require.True(t, ok, "no demo user with role %s", role)
		ctx = f.ui.signIn(f.t, u.Token)
	}
	signedIn[role] = ctx
	return ctx
}

// pageCases is every page, as every role that sees it.
func pageCases(lang string) []pageCase {
	plan := func(f *pagesFixture) string { return "/ui/action-plans/" + f.plan }
	section := func(f *pagesFixture) string { return "/ui/action-plans/" + f.plan + "?section=part2.policy_context" }
	at := func(p string) func(*pagesFixture) string { return func(*pagesFixture) string { return p } }
	project := func(p string) func(*pagesFixture) string {
		return func(f *pagesFixture) string { return "/ui/projects/" + f.demo.ProjectID + p }
	}
	review := func(f *pagesFixture) string { return "/ui/peer-reviews/" + f.review }
	revised := func(p string) func(*pagesFixture) string {
		return func(f *pagesFixture) string { return "/ui/peer-reviews/" + f.revised + p }
	}
	plan2 := func(p string) func(*pagesFixture) string {
		return func(f *pagesFixture) string { return "/ui/action-plans/" + f.plan + p }
	}
	draft := func(p string) func(*pagesFixture) string {
		return func(f *pagesFixture) string { return "/ui/action-plans/" + f.draft + p }
	}
	draftReview := func(p string) func(*pagesFixture) string {
		return func(f *pagesFixture) string { return "/ui/peer-reviews/" + f.draftReview + p }
	}
	returned := func(p string) func(*pagesFixture) string {
		return func(f *pagesFixture) string { return "/ui/action-plans/" + f.returned + p }
	}
	practice := func(p string) func(*pagesFixture) string {
		return func(f *pagesFixture) string { return "/ui/good-practices/" + f.practice + p }
	}
	monitored := func(f *pagesFixture) string { return "/ui/projects/" + f.monitored + "/dashboard" }
	phase2 := func(i int, p string) func(*pagesFixture) string {
		return func(f *pagesFixture) string {
			return "/ui/action-plans/" + f.monitoredPlans[i] + strings.ReplaceAll(p, "{period}", f.monitoredPeriod)
		}
	}
	const reportForm = `main form.report`
	event := func(p string) func(*pagesFixture) string {
		return func(f *pagesFixture) string { return "/ui/events/" + f.event + p }
	}
	trace := func(f *pagesFixture) string { return "/ui/good-practices/" + f.submitted + "/trace" }
	const commentForm = `form[action$="/comments"]:has(input[name="section"][value="part2.policy_context"])`
	const responseForm = `form[action$="/response"]`
	// Each language asks for a link for an address of its own: the
	// sign-in form limits the links one address gets a minute.
	asker := "stakeholder.it@crafts-code.example"
	if lang != locale.Default {
		asker = "nobody." + lang + "@crafts-code.example"
	}
	return []pageCase{
		{role: "", page: "sign-in", path: at("/ui/login")},
		{role: "", page: "sign-in-error", path: at("/ui/login"), submit: `form[action="/ui/login/email"]`, status: 422},
		{role: "", page: "link-sent", path: at("/ui/login"), submit: `form[action="/ui/login/email"]`, values: map[string]string{"#email": asker}},
		{role: "", page: "link-confirm", path: func(f *pagesFixture) string {
			if lang != locale.Default { // the page is the same for any link until it is used
				return "/ui/login/" + strings.Repeat("L", 43)
			}
			return f.link("stakeholder.it@crafts-code.example")
		}},
		{role: "", page: "verify", path: at("/ui/verify")},
		{role: "", page: "verify-error", path: at("/ui/verify"), submit: `form[action="/ui/verify"]`, status: 422},
		{role: "", page: "verify-not-issued", path: at("/ui/verify/" + strings.Repeat("0", 64))},
		{role: "coordinator", page: "verify", path: at("/ui/verify")},
		{role: "", page: "not-found", path: at("/ui/no-such-page"), status: 404},
		{role: "coordinator", page: "not-found", path: at("/ui/no-such-page"), status: 404},
		{role: "coordinator", page: "deliverable-not-found", path: at("/ui/action-plans/00000000000000000000000000"), status: 404},
		{role: "coordinator", page: "landing", path: at("/ui/")},
		{role: "coordinator", page: "projects", path: at("/ui/projects")},
		{role: "coordinator", page: "home", path: project("")},
		{role: "partner", page: "home", path: project("")},
		{role: "stakeholder", page: "home", path: project("")},
		{role: "secretariat", page: "home", path: project("")},
		{role: "observer", page: "home", path: project("")},
		{role: "coordinator", page: "home-filtered", path: project("?kind=action_plan&state=draft")},
		{role: "partner", page: "plan-new", path: project("/action-plans/new")},
		{role: "partner", page: "plan-new-error", path: project("/action-plans/new"), submit: `main form[action$="/action-plans/new"]`, status: 422},
		{role: "coordinator", page: "plan-edit", path: draft("/edit")},
		{role: "coordinator", page: "plan-edit-error", path: draft("/edit"), submit: `main form[action$="/edit"]`,
			values: map[string]string{`[name="contact_email"]`: "not an address"}, status: 422},
		{role: "coordinator", page: "plan-edit-conflict", path: draft("/edit"), submit: `main form[action$="/edit"]`,
			values: map[string]string{`main form[action$="/edit"] [name="version"]`: "99", `[name="title"]`: "A title typed in a stale tab"}, status: 409},
		{role: "coordinator", page: "review-new", path: project("/peer-reviews/new")},
		{role: "coordinator", page: "review-edit", path: draftReview("/edit")},
		{role: "coordinator", page: "review-edit-check", path: draftReview("/edit?check=submit")},
		{role: "partner", page: "practice-new", path: project("/good-practices/new")},
		{role: "coordinator", page: "practice-edit", path: practice("/edit")},
		{role: "coordinator", page: "practice-edit-error", path: practice("/edit"), submit: `main form[action$="/edit"]`,
			values: map[string]string{`main form[action$="/edit"] [name="title"]`: ""}, status: 422},
		{role: "coordinator", page: "submit-confirm", path: draft("/transitions/submit")},
		{role: "coordinator", page: "request-changes-confirm", path: plan2("/transitions/request_changes")},
		{role: "coordinator", page: "close-confirm", path: plan2("/consultation/close")},
		{role: "coordinator", page: "submit-carry-error", path: draft("/transitions/submit"), submit: `main form.confirm`,
			values: map[string]string{`[name="carry_over"]`: "00000000-0000-7000-8000-000000000000"}, status: 422},
		{role: "partner", page: "unanswered", path: plan2("/unanswered")},
		{role: "coordinator", page: "unanswered", path: plan2("/unanswered")},
		{role: "coordinator", page: "history", path: plan2("/history")},
		{role: "stakeholder", page: "history", path: plan2("/history")},
		{role: "coordinator", page: "consultations", path: at("/ui/consultations")},
		{role: "partner", page: "consultations", path: at("/ui/consultations")},
		{role: "stakeholder", page: "consultations", path: at("/ui/consultations")},
		{role: "secretariat", page: "consultations", path: at("/ui/consultations")},
		{role: "observer", page: "consultations", path: at("/ui/consultations")},
		{role: "stakeholder", page: "my-data", path: at("/ui/me")},
		{role: "coordinator", page: "my-data", path: at("/ui/me")},
		{role: "coordinator", page: "dashboards", path: at("/ui/dashboard")},
		{role: "partner", page: "dashboards", path: at("/ui/dashboard")},
		{role: "observer", page: "dashboards", path: at("/ui/dashboard")},
		{role: "coordinator", page: "dashboard", path: project("/dashboard")},
		{role: "partner", page: "dashboard", path: project("/dashboard")},
		{role: "observer", page: "dashboard", path: project("/dashboard")},
		{role: "partner", page: "periods", path: phase2(0, "/periods")},
		{role: "coordinator", page: "periods", path: phase2(0, "/periods")},
		{role: "secretariat", page: "periods", path: phase2(0, "/periods")},
		{role: "observer", page: "periods", path: phase2(0, "/periods")},
		{role: "partner", page: "indicators", path: phase2(0, "/indicators")},
		{role: "coordinator", page: "indicators", path: phase2(0, "/indicators")},
		{role: "observer", page: "indicators", path: phase2(0, "/indicators")},
		{role: "partner", page: "report-accepted", path: phase2(0, "/reports/{period}")},
		{role: "secretariat", page: "report-accepted", path: phase2(0, "/reports/{period}")},
		{role: "observer", page: "report-accepted", path: phase2(0, "/reports/{period}")},
		{role: "coordinator", page: "report-draft", path: phase2(1, "/reports/{period}")},
		{role: "secretariat", page: "report-draft", path: phase2(1, "/reports/{period}")},
		{role: "coordinator", page: "report-error", path: phase2(1, "/reports/{period}"), submit: reportForm,
			values: map[string]string{`[name="indicator_values[0].achieved"]`: "twelve", `[name="actions[0].status"]`: "delayed", `[name="actions[0].explanation"]`: ""}, status: 422},
		{role: "coordinator", page: "report-not-started", path: phase2(2, "/reports/{period}")},
		{role: "observer", page: "report-not-started", path: phase2(2, "/reports/{period}")},
		{role: "coordinator", page: "dashboard-monitored", path: monitored},
		{role: "partner", page: "dashboard-monitored", path: monitored},
		{role: "coordinator", page: "good-practices", path: project("/good-practices")},
		{role: "coordinator", page: "good-practices-search", path: project("/good-practices?q=atelier")},
		{role: "coordinator", page: "good-practices-none", path: project("/good-practices?q=zzyzx")},
		{role: "stakeholder", page: "good-practices", path: project("/good-practices")},
		{role: "coordinator", page: "events", path: project("/events")},
		{role: "coordinator", page: "events-search", path: project("/events?q=seminar")},
		{role: "coordinator", page: "event", path: func(f *pagesFixture) string { return "/ui/events/" + f.event }},
		{role: "coordinator", page: "good-practice", path: func(f *pagesFixture) string { return "/ui/good-practices/" + f.practice }},
		{role: "partner", page: "good-practice", path: func(f *pagesFixture) string { return "/ui/good-practices/" + f.practice }},
		{role: "partner", page: "events", path: project("/events")},
		{role: "stakeholder", page: "events", path: project("/events")},
		{role: "coordinator", page: "event-new", path: project("/events/new")},
		{role: "partner", page: "event-new", path: project("/events/new")},
		{role: "coordinator", page: "event-new-error", path: project("/events/new"), submit: `main form[action$="/events/new"]`, status: 422},
		{role: "coordinator", page: "event-edit", path: event("/edit")},
		{role: "coordinator", page: "event-edit-conflict", path: event("/edit"), submit: `main form[action$="/edit"]`,
			values: map[string]string{`main form[action$="/edit"] [name="version"]`: "99", `[name="title"]`: "A title typed in a stale tab"}, status: 409},
		{role: "partner", page: "event", path: event("")},
		{role: "stakeholder", page: "event", path: event("")},
		{role: "coordinator", page: "trace", path: trace},
		{role: "partner", page: "trace", path: trace},
		{role: "stakeholder", page: "trace", path: trace},
		{role: "stakeholder", page: "good-practices-search", path: project("/good-practices?q=budapest")},
		{role: "stakeholder", page: "reading", path: plan},
		{role: "partner", page: "reading", path: plan},
		{role: "coordinator", page: "reading", path: plan},
		{role: "secretariat", page: "reading", path: plan},
		{role: "observer", page: "reading", path: plan},
		{role: "stakeholder", page: "peer-review", path: review},
		{role: "partner", page: "peer-review", path: review},
		{role: "coordinator", page: "peer-review", path: review},
		{role: "stakeholder", page: "peer-review-section", path: func(f *pagesFixture) string { return review(f) + "?section=recommendation.1" }},
		{role: "stakeholder", page: "revision-diff", path: revised("/revisions/2/diff")},
		{role: "partner", page: "revision-diff", path: revised("/revisions/2/diff")},
		{role: "coordinator", page: "revision-diff", path: revised("/revisions/2/diff")},
		{role: "secretariat", page: "revision-diff", path: revised("/revisions/2/diff")},
		{role: "observer", page: "revision-diff", path: revised("/revisions/2/diff")},
		{role: "stakeholder", page: "revision-diff-invalid", path: revised("/revisions/2/diff?from=2"), status: 422},
		{role: "stakeholder", page: "peer-review-revised", path: revised("")},
		{role: "partner", page: "peer-review-revised", path: revised("")},
		{role: "stakeholder", page: "history-revised", path: revised("/history")},
		{role: "stakeholder", page: "section", path: section},
		{role: "partner", page: "section", path: section},
		{role: "stakeholder", page: "comment-error", path: plan, submit: commentForm, status: 422},
		{role: "stakeholder", page: "section-comment-error", path: section, submit: commentForm, status: 422},
		{role: "partner", page: "response-error", path: section, submit: responseForm, status: 422},
		{role: "partner", page: "returned-draft", path: returned("")},
		{role: "partner", page: "suggestions", path: returned("/suggestions")},
		{role: "coordinator", page: "suggestions", path: returned("/suggestions")},
		{role: "partner", page: "suggestions-stale", path: returned("/suggestions"), submit: `main form.suggestions`,
			values: map[string]string{`main form.suggestions [name="version"]`: "99"}, status: 409},
		{role: "partner", page: "history-applied", path: returned("/history")},

		// Tokens and accounts: everyone's own tokens, the admin's users.
		{role: "admin", page: "my-data", path: at("/ui/me")},
		{role: "coordinator", page: "my-tokens", path: at("/ui/me/tokens")},
		{role: "partner", page: "my-tokens", path: at("/ui/me/tokens")},
		{role: "stakeholder", page: "my-tokens", path: at("/ui/me/tokens")},
		{role: "secretariat", page: "my-tokens", path: at("/ui/me/tokens")},
		{role: "observer", page: "my-tokens", path: at("/ui/me/tokens")},
		{role: "admin", page: "my-tokens", path: at("/ui/me/tokens")},
		{role: "stakeholder", page: "my-tokens-error", path: at("/ui/me/tokens"), submit: `form[action="/ui/me/tokens"]`, status: 422},
		{role: "stakeholder", page: "token-created", path: at("/ui/me/tokens"), submit: `form[action="/ui/me/tokens"]`,
			values: map[string]string{"#f-name": "Reporting script", "#f-expires": "30"}},
		{role: "coordinator", page: "token-revoke-confirm", path: func(f *pagesFixture) string { return "/ui/me/tokens/" + f.token + "/revoke" }},
		{role: "coordinator", page: "admin-users-forbidden", path: at("/ui/admin/users"), status: 403},
		{role: "admin", page: "admin-users", path: at("/ui/admin/users")},
		{role: "admin", page: "admin-user-tokens", path: func(f *pagesFixture) string { return "/ui/admin/users/" + f.coordinatorID + "/tokens" }},
		{role: "admin", page: "admin-token-revoke-confirm", path: func(f *pagesFixture) string {
			return "/ui/admin/users/" + f.coordinatorID + "/tokens/" + f.token + "/revoke"
		}},
		{role: "admin", page: "admin-deactivate-confirm", path: func(f *pagesFixture) string { return "/ui/admin/users/" + f.coordinatorID + "/deactivate" }},
		{role: "coordinator", page: "consortium", path: project("/consortium")},
		{role: "admin", page: "consortium", path: project("/consortium")},
		{role: "coordinator", page: "consortium-invite-error", path: project("/consortium"), submit: `form[action$="/consortium/invite"]`, status: 422},
		{role: "coordinator", page: "consortium-settings", path: project("/consortium/settings")},
		{role: "coordinator", page: "consortium-settings-error", path: project("/consortium/settings"), submit: `main form[action$="/settings"]`,
			values: map[string]string{"#f-title": ""}, status: 422},
		{role: "coordinator", page: "consortium-settings-conflict", path: project("/consortium/settings"), submit: `main form[action$="/settings"]`,
			values: map[string]string{`main form [name="version"]`: "99"}, status: 409},
		{role: "coordinator", page: "consortium-partner", path: consortium("partners", func(f *pagesFixture) string { return f.host })},
		{role: "coordinator", page: "consortium-partner-conflict", path: consortium("partners", func(f *pagesFixture) string { return f.host }),
			submit: `main form`, values: map[string]string{`main form [name="version"]`: "99", "#f-short-name": "Typed in a stale tab"}, status: 409},
		{role: "coordinator", page: "consortium-instrument", path: consortium("policy-instruments", func(f *pagesFixture) string { return f.instrument })},
		{role: "coordinator", page: "consortium-group", path: consortium("stakeholder-groups", func(f *pagesFixture) string { return f.group })},
		{role: "coordinator", page: "consortium-member", path: consortium("members", func(f *pagesFixture) string { return f.member })},
		{role: "admin", page: "consortium-member", path: consortium("members", func(f *pagesFixture) string { return f.member })},
		{role: "coordinator", page: "consortium-member-error", path: consortium("members", func(f *pagesFixture) string { return f.member }),
			submit: `main form`, values: map[string]string{"#f-role": "partner", "#f-partner": ""}, status: 422},
		{role: "coordinator", page: "consortium-remove", path: consortium("partners", func(f *pagesFixture) string { return f.host + "/remove" })},
		{role: "coordinator", page: "consortium-remove-refused", path: consortium("partners", func(f *pagesFixture) string { return f.host + "/remove" }),
			submit: `main form`, status: 409},

		// Notifications: the inbox, the mail settings, the unsubscribe link.
		{role: "coordinator", page: "notifications", path: at("/ui/notifications")},
		{role: "partner", page: "notifications", path: at("/ui/notifications")},
		{role: "stakeholder", page: "notifications", path: at("/ui/notifications")},
		{role: "secretariat", page: "notifications", path: at("/ui/notifications")},
		{role: "observer", page: "notifications", path: at("/ui/notifications")},
		{role: "admin", page: "notifications", path: at("/ui/notifications")},
		{role: "partner", page: "my-data", path: at("/ui/me")},
		{role: "secretariat", page: "my-data", path: at("/ui/me")},
		{role: "observer", page: "my-data", path: at("/ui/me")},
		{role: "stakeholder", page: "mail-settings-error", path: at("/ui/me"), submit: `form[action="/ui/me/mail"]`,
			values: map[string]string{"#m-comment_reply": "never"}, status: 422},
		{role: "", page: "unsubscribe", path: func(f *pagesFixture) string { return f.unsubscribe }},
		{role: "", page: "unsubscribe-done", path: func(f *pagesFixture) string { return f.unsubscribe },
			submit: `main form[action^="/ui/unsubscribe/"]`},
		{role: "", page: "unsubscribe-invalid", path: at("/ui/unsubscribe/not-a-link"), status: 400},
	}
}

// consortium is the path of a record's page on the consortium page.
func consortium(kind string, id func(*pagesFixture) string) func(*pagesFixture) string {
	return func(f *pagesFixture) string {
		return "/ui/projects/" + f.demo.ProjectID + "/consortium/" + kind + "/" + id(f)
	}
}

// runPages opens and checks every page in lang; english finds the English
// catalog's words on a page in another language.
func (f *pagesFixture) runPages(t *testing.T, signedIn map[string]context.Context, lang string, english *englishWords) {
	for _, pc := range pageCases(lang) {
		role := pc.role
		if role == "" {
			role = "signed-out"
		}
		name := pc.page + "/" + role
		t.Run(name, func(t *testing.T) {
			f.sub = t
			ctx := f.tabFor(t, signedIn, pc.role)
			status := f.ui.open(t, ctx, pc.path(f))
			if pc.submit != "" {
				require.Equal(t, int64(200), status, "the page with the form")
				for sel, v := range pc.values {
					f.ui.run(t, ctx, `document.querySelector(`+jsString(sel)+`).value = `+jsString(v))
				}
				status = f.ui.submitForm(t, ctx, pc.submit)
			}
			want := pc.status
			if want == 0 {
				want = 200
			}
			require.Equal(t, want, status)
			f.ui.checkPage(t, ctx, lang+"/"+name)
			if english != nil {
				for _, p := range english.on(t, ctx) {
					t.Error(p)
				}
			}
		})
	}
}

// pagesFixture is the demo consortium served, with an action plan of the
// Florentine partner under consultation (a stakeholder's comment on it, one
// answered), good practices and learning events.
type pagesFixture struct {
	t, sub  *testing.T
	ui      *browserUI
	s       *served
	demo    demoOutput
	users   map[string]demoUser // the first demo user of each role
	plan    string
	comment string // the stakeholder's unanswered comment
	review  string // a peer review under consultation
	// revised is a peer review returned and resubmitted with its findings
	// changed and a recommendation removed: revision 2, with threads on
	// revision 1.
	revised  string
	practice string
	event    string
	// submitted is a good practice of the Hungarian partner past draft,
	// presented at the event, which a stakeholder finds relevant.
	submitted string
	// draft is the Hungarian partner's action plan, complete but not
	// submitted; draftReview a peer review it hosts, incomplete.
	draft, draftReview string
	// returned is a plan of the Florentine partner back in draft after its
	// consultation, with accepted suggestions: one applied, one waiting,
	// one in conflict with the draft.
	returned string
	// monitored is a project in phase 2 (the coordinator's and the
	// partner's second project).
	monitored string
	// monitoredPlans are plans of it: the partner's, one with a draft
	// report for monitoredPeriod, one with none.
	monitoredPlans  [3]string
	monitoredPeriod string
	// token is a personal token of the coordinator, whose id is
	// coordinatorID (the admin's pages about a user).
	token, coordinatorID string
	// host is the partner that hosts the events (its removal is refused);
	// instrument, group and member are records of the consortium page.
	host, instrument, group, member string
	// dataDir is the server's; unsubscribe a stakeholder's unsubscribe
	// link, as a path.
	dataDir, unsubscribe string
}

func newPagesFixture(t *testing.T) *pagesFixture {
	chromium(t)
	loadCheckers(t)
	dataDir := t.TempDir()
	env := map[string]string{"CRAFTSCODE_DATA_DIR": dataDir}
	f := &pagesFixture{t: t, users: map[string]demoUser{}, dataDir: dataDir}
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo", "--consortium-only"), &f.demo))
	for _, u := range f.demo.Users {
		if _, ok := f.users[u.Role]; !ok {
			f.users[u.Role] = u
		}
	}
	partner, reader := f.users["partner"], f.users["stakeholder"]
	require.Equal(t, "partner.it@crafts-code.example", partner.Email)
	require.Equal(t, "stakeholder.it@crafts-code.example", reader.Email)

	// Learning: two practices and two events, written into the store.
	ctx := context.Background()
	store, err := sqlstore.Open(ctx, filepath.Join(dataDir, "craftscode.db"))
	require.NoError(t, err)
	partners, _, err := store.ListPartners(ctx, f.demo.ProjectID, workflow.Page{Limit: 50})
	require.NoError(t, err)
	require.NotEmpty(t, partners)
	practice := func(title, summary, city string) string {
		d := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: f.demo.ProjectID,
			PartnerID: partners[0].ID, Title: title, Summary: summary, Location: workflow.Location{Country: "FR", NUTS2: "FRK2", City: city}}}
		require.NoError(t, store.CreateDeliverable(ctx, &d))
		return d.Practice.ID
	}
	f.practice = practice("Ateliers partagés pour jeunes artisans", "Shared workshops where young crafts people rent a bench by the month.", "Lyon")
	practice("Quilting circle", "Evenings of quilting in the library.", "Cork")
	for _, p := range partners {
		if strings.HasPrefix(p.Name, "Budapest") {
			d := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: f.demo.ProjectID,
				PartnerID: p.ID, Title: "Budapest craft mentoring", Summary: "Master crafts people mentor young ones for a year.",
				Location: workflow.Location{Country: "HU", NUTS2: "HU11", City: "Budapest"}}}
			require.NoError(t, store.CreateDeliverable(ctx, &d))
			f.submitted = d.Practice.ID
		}
	}
	require.NotEmpty(t, f.submitted)
	_, err = store.DB().ExecContext(ctx, "UPDATE deliverables SET state = 'approved' WHERE id = ?", f.submitted)
	require.NoError(t, err)
	start, end := workflow.MustDate("2026-05-12"), workflow.MustDate("2026-05-13")
	one := 1
	ev := workflow.LearningEvent{ProjectID: f.demo.ProjectID, Type: workflow.ThematicSeminar, SeminarNumber: &one, Title: "Seminar on shared workshops",
		HostPartnerID: partners[0].ID, StartDate: &start, EndDate: &end, Place: workflow.Place{Country: "FR", City: "Lyon"},
		Agenda: "Visits to three ateliers.\nA talk on mentoring.", GoodPracticeIDs: []string{f.practice, f.submitted}}
	require.NoError(t, store.CreateEvent(ctx, &ev))
	f.event = ev.ID
	f.host = partners[0].ID
	pis, _, err := store.ListPolicyInstruments(ctx, f.demo.ProjectID, workflow.Page{Limit: 1})
	require.NoError(t, err)
	gs, _, err := store.ListStakeholderGroups(ctx, f.demo.ProjectID, workflow.Page{Limit: 1})
	require.NoError(t, err)
	ms, _, err := store.ListMemberships(ctx, f.demo.ProjectID, workflow.Page{Limit: 1})
	require.NoError(t, err)
	f.instrument, f.group, f.member = pis[0].ID, gs[0].ID, ms[0].ID
	visit := workflow.LearningEvent{ProjectID: f.demo.ProjectID, Type: workflow.StudyVisit, Title: "Study visit to Cork",
		HostPartnerID: partners[0].ID, StartDate: &start, EndDate: &end, Place: workflow.Place{Country: "IE", City: "Cork"}}
	require.NoError(t, store.CreateEvent(ctx, &visit))

	// A second project, in phase 2 with 12 monitored plans, for the
	// coordinator and a partner: a list of dashboards, and charts with data.
	m := sqlstoretest.GenerateMonitoring("MONI", 12, 6, 4, 3)
	require.NoError(t, sqlstoretest.InsertMonitoring(ctx, store.DB(), sqlstore.SQLite, m))
	for _, who := range []struct {
		role      workflow.Role
		partnerID string
	}{{workflow.RoleCoordinator, ""}, {workflow.RolePartner, m.Plans[2].PartnerID}, {workflow.RoleSecretariat, ""}, {workflow.RoleObserver, ""}} {
		u, err := store.UserByEmail(ctx, f.users[string(who.role)].Email)
		require.NoError(t, err)
		require.NoError(t, store.CreateMembership(ctx, &workflow.Membership{ProjectID: m.Project.ID, UserID: u.ID, Role: who.role, PartnerID: who.partnerID}))
	}
	f.monitored = m.Project.ID
	// Its plans: the partner's (every report accepted), one whose latest
	// report is a draft and one whose latest report nobody started.
	f.monitoredPlans = [3]string{m.Plans[2].ID, m.Plans[5].ID, m.Plans[3].ID}
	f.monitoredPeriod = m.Plans[2].Reports[len(m.Plans[2].Reports)-1].Period.Name
	f.notifications(t, store, m)
	require.NoError(t, store.Close())

	f.s = serve(t, env)
	f.ui = newBrowserUI(t, f.s)

	// The Florentine partner's plan, submitted: under consultation.
	base := f.s.url + "/api/v1/projects/" + f.demo.ProjectID
	var ps struct{ Items []struct{ ID, Name string } }
	require.Equal(t, 200, call(t, "GET", base+"/partners", partner.Token, nil, 0, &ps))
	var instruments struct {
		Items []struct {
			ID         string
			PartnerIDs []string `json:"partner_ids"`
		}
	}
	require.Equal(t, 200, call(t, "GET", base+"/policy-instruments", partner.Token, nil, 0, &instruments))
	var partnerID, instrumentID string
	for _, p := range ps.Items {
		if p.Name == partner.Partner {
			partnerID = p.ID
		}
	}
	for _, i := range instruments.Items {
		if slices.Contains(i.PartnerIDs, partnerID) {
			instrumentID = i.ID
		}
	}
	require.NotEmpty(t, instrumentID)
	var plan struct{ ID string }
	require.Equal(t, 201, call(t, "POST", base+"/action-plans", partner.Token, map[string]any{
		"policy_instrument_id": instrumentID, "partner_id": partnerID, "title": "Piano d'azione: artigianato fiorentino", "language": "en",
		"policy_context": "Florence's craft SMEs lack access to design schools and export networks.",
		"actions": []map[string]any{{"title": "Craft hubs", "description": "Open two craft hubs in Oltrarno.",
			"players": "Chamber of commerce, CNA Firenze", "timeframe_start": "2019-01-01", "timeframe_end": "2019-12-31"}},
	}, 0, &plan))
	f.plan = plan.ID
	planAPI := f.s.url + "/api/v1/action-plans/" + plan.ID
	require.Equal(t, 200, call(t, "POST", planAPI+"/transitions", partner.Token, map[string]any{"trigger": "submit"}, 1, nil))

	// Two comments on the policy context: one answered, one not.
	var answered, open struct{ ID string }
	require.Equal(t, 201, call(t, "POST", planAPI+"/comments", reader.Token, map[string]any{
		"body": "Which design schools take part?", "section": "part2.policy_context", "stance": "question"}, 0, &answered))
	require.Equal(t, 201, call(t, "POST", planAPI+"/comments", reader.Token, map[string]any{
		"body": "Export networks matter more than schools.", "section": "part2.policy_context", "stance": "concern"}, 0, &open))
	require.Equal(t, 200, call(t, "POST", f.s.url+"/api/v1/comments/"+answered.ID+"/response", partner.Token, map[string]any{
		"status": "accepted", "body": "Part II will name the Accademia di Belle Arti and Polimoda."}, 0, nil))
	f.comment = open.ID
	// The answered one is edited after its response: the section page
	// shows both texts and the owner's form to respond again.
	require.Equal(t, 200, call(t, "PATCH", f.s.url+"/api/v1/comments/"+answered.ID, reader.Token, map[string]any{
		"body": "Which design schools and which craft guilds take part?"}, 1, nil))

	// A peer review hosted by the same partner, on the same instrument,
	// submitted too, with a comment on its recommendation.
	var peers []string
	for _, p := range ps.Items {
		if p.ID != partnerID && len(peers) < 2 {
			peers = append(peers, p.ID)
		}
	}
	var review struct{ ID string }
	require.Equal(t, 201, call(t, "POST", base+"/peer-reviews", partner.Token, map[string]any{
		"host_partner_id": partnerID, "title": "Peer review in Florence", "peer_partner_ids": peers, "policy_instrument_id": instrumentID,
		"visit_start": "2017-10-10", "visit_end": "2017-10-11", "findings": "A strong network of craft associations.",
		"recommendations": []map[string]any{{"title": "Open a design lab", "body": "Shared equipment for craft SMEs."}},
	}, 0, &review))
	f.review = review.ID
	reviewAPI := f.s.url + "/api/v1/peer-reviews/" + review.ID
	require.Equal(t, 200, call(t, "POST", reviewAPI+"/transitions", partner.Token, map[string]any{"trigger": "submit"}, 1, nil))
	require.Equal(t, 201, call(t, "POST", reviewAPI+"/comments", reader.Token, map[string]any{
		"body": "Who would run the design lab?", "section": "recommendation.1", "stance": "question"}, 0, nil))

	// Another one, returned and resubmitted: what changed in revision 2.
	var revised struct{ ID string }
	recommendations := []map[string]any{{"title": "Open a design lab", "body": "Shared equipment for craft SMEs."},
		{"title": "Train apprentices", "body": "Two years with a master in Oltrarno."}}
	require.Equal(t, 201, call(t, "POST", base+"/peer-reviews", partner.Token, map[string]any{
		"host_partner_id": partnerID, "title": "Second peer review in Florence", "peer_partner_ids": peers, "policy_instrument_id": instrumentID,
		"visit_start": "2018-03-06", "visit_end": "2018-03-07", "findings": "Craft associations work well together; export support is weak.",
		"recommendations": recommendations,
	}, 0, &revised))
	f.revised = revised.ID
	revisedAPI := f.s.url + "/api/v1/peer-reviews/" + revised.ID
	require.Equal(t, 200, call(t, "POST", revisedAPI+"/transitions", partner.Token, map[string]any{"trigger": "submit"}, 1, nil))
	for _, c := range []map[string]any{
		{"body": "Which export support is meant?", "section": "findings", "stance": "question"},
		{"body": "A design lab would help us.", "section": "recommendation.1", "stance": "support"},
		{"body": "Who pays the apprentices?", "section": "recommendation.2", "stance": "concern"},
	} {
		require.Equal(t, 201, call(t, "POST", revisedAPI+"/comments", reader.Token, c, 0, nil))
	}
	require.Equal(t, 200, call(t, "POST", revisedAPI+"/transitions", partner.Token, map[string]any{"trigger": "request_changes", "note": "Export support"}, 2, nil))
	require.Equal(t, 200, call(t, "PATCH", revisedAPI, partner.Token, map[string]any{
		"findings":        "Craft associations work well together; support for exports to Japan and the United States is weak.",
		"recommendations": recommendations[:1],
	}, 3, nil))
	require.Equal(t, 200, call(t, "POST", revisedAPI+"/transitions", partner.Token, map[string]any{"trigger": "submit"}, 4, nil))
	f.returned = f.returnedPlan(t, base, partnerID)

	// The Hungarian partner's drafts, which the coordinator edits.
	coordinator := f.users["coordinator"]
	var hu, huInstrument string
	for _, p := range ps.Items {
		if strings.HasPrefix(p.Name, "Budapest") {
			hu = p.ID
		}
	}
	for _, i := range instruments.Items {
		if slices.Contains(i.PartnerIDs, hu) {
			huInstrument = i.ID
		}
	}
	require.NotEmpty(t, huInstrument)
	var draft, draftReview struct{ ID string }
	require.Equal(t, 201, call(t, "POST", base+"/action-plans", coordinator.Token, map[string]any{
		"policy_instrument_id": huInstrument, "partner_id": hu, "title": "Cselekvési terv: budapesti kézművesek", "language": "hu",
		"summary_en":     "Mentoring and shared workshops for Budapest's craft SMEs.",
		"policy_context": "A VEKOP nem támogatja a kézműves mikrovállalkozásokat.",
		"actions": []map[string]any{{"title": "Mentorprogram", "description": "Tapasztalt mesterek mentorálják a fiatal kézműveseket.",
			"players": "BKIK, Budapesti Vállalkozásfejlesztési Közalapítvány", "timeframe_start": "2027-01-01", "timeframe_end": "2027-12-31"}},
	}, 0, &draft))
	f.draft = draft.ID
	// Submitted, commented and returned: its next submit offers the open
	// thread of revision 1 to carry over.
	draftAPI := f.s.url + "/api/v1/action-plans/" + draft.ID
	require.Equal(t, 200, call(t, "POST", draftAPI+"/transitions", coordinator.Token, map[string]any{"trigger": "submit"}, 1, nil))
	require.Equal(t, 201, call(t, "POST", draftAPI+"/comments", coordinator.Token, map[string]any{
		"body": "Name the VEKOP measure that funds the mentors.", "section": "part2.policy_context", "stance": "suggestion"}, 0, nil))
	require.Equal(t, 200, call(t, "POST", draftAPI+"/transitions", coordinator.Token, map[string]any{"trigger": "request_changes", "note": "Not yet"}, 2, nil))
	require.Equal(t, 201, call(t, "POST", base+"/peer-reviews", coordinator.Token, map[string]any{
		"host_partner_id": hu, "title": "Peer review in Budapest", "peer_partner_ids": peers, "policy_instrument_id": huInstrument,
	}, 0, &draftReview))
	f.draftReview = draftReview.ID

	// A personal token of the coordinator's, for the revoke pages.
	var me struct{ ID string }
	require.Equal(t, 200, call(t, "GET", f.s.url+"/api/v1/me", coordinator.Token, nil, 0, &me))
	f.coordinatorID = me.ID
	var tok struct{ ID string }
	require.Equal(t, 201, call(t, "POST", f.s.url+"/api/v1/me/tokens", coordinator.Token, map[string]any{"name": "Reporting script"}, 0, &tok))
	f.token = tok.ID
	return f
}

// notifications gives each role's demo user a few notifications,
// written straight into the table (the events that write them are not
// needed for the pages), one of them read; and the unsubscribe link of
// the stakeholder's, signed with the server's key file.
func (f *pagesFixture) notifications(t *testing.T, store *sqlstore.Store, m sqlstoretest.Monitoring) {
	ctx := context.Background()
	id := func(role string) string {
		u, err := store.UserByEmail(ctx, f.users[role].Email)
		require.NoError(t, err)
		return u.ID
	}
	coordinator := id("coordinator")
	at := time.Now().Add(-80 * time.Hour) // the last one a day ago, none in the future
	add := func(role string, kind workflow.NoticeKind, project, deliverable, period, title, detail string, read bool) {
		at = at.Add(5 * time.Hour)
		var dl, readAt any
		if deliverable != "" {
			dl = deliverable
		}
		if read {
			readAt = at.Add(time.Hour).UTC()
		}
		_, err := store.DB().ExecContext(ctx, `INSERT INTO notifications (id, user_id, project_id, kind, deliverable_id, period, title,
			detail, revision, actor_id, mail, created_at, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, 'digest', ?, ?)`,
			workflow.NewID(), id(role), project, string(kind), dl, period, title, detail, coordinator, at.UTC(), readAt)
		require.NoError(t, err)
	}
	const projectTitle = "Improving the competitiveness of craft SMEs through interregional policy learning"
	for _, role := range []string{"coordinator", "partner", "stakeholder", "secretariat", "observer"} {
		add(role, workflow.NoticeInvited, f.demo.ProjectID, "", "", projectTitle, "", true)
	}
	add("stakeholder", workflow.NoticeRoleChanged, f.demo.ProjectID, "", "", projectTitle, string(workflow.RoleStakeholder), false)
	add("observer", workflow.NoticeRoleChanged, f.demo.ProjectID, "", "", projectTitle, string(workflow.RoleObserver), false)
	add("partner", workflow.NoticeApproved, m.Project.ID, m.Plans[2].ID, "", m.Plans[2].Title, "", false)
	add("partner", workflow.NoticeReportDue, m.Project.ID, m.Plans[2].ID, f.monitoredPeriod, m.Plans[2].Title, "", false)
	add("coordinator", workflow.NoticeReportOverdue, m.Project.ID, m.Plans[5].ID, f.monitoredPeriod, m.Plans[5].Title, "", false)
	add("coordinator", workflow.NoticeDocumentFailed, m.Project.ID, m.Plans[3].ID, "", m.Plans[3].Title, "pdf", false)
	add("secretariat", workflow.NoticeReportAccepted, m.Project.ID, m.Plans[2].ID, f.monitoredPeriod, m.Plans[2].Title, "", false)

	store.SetSecretBox(notify.NewFileBox(filepath.Join(f.dataDir, notify.KeyFileName)))
	token, err := store.UnsubscribeToken(id("stakeholder"), workflow.NoticeCommentReply)
	require.NoError(t, err)
	f.unsubscribe = "/ui/unsubscribe/" + token
}

// link is the sign-in link last mailed to email, as a path.
func (f *pagesFixture) link(email string) string {
	return strings.TrimPrefix(mailedLink(f.sub, f.s, email), f.s.url)
}

// returnedPlan is a plan of the partner on an instrument of its own, taken
// through a consultation in which the coordinator suggested wording three
// times and the partner accepted all three, back in draft: the first
// suggestion applied, the second waiting, the third in conflict (its
// section changed in the draft since).
func (f *pagesFixture) returnedPlan(t *testing.T, base, partnerID string) string {
	partner, coordinator := f.users["partner"], f.users["coordinator"]
	var pi struct{ ID string }
	require.Equal(t, 201, call(t, "POST", base+"/policy-instruments", coordinator.Token, map[string]any{
		"name": "Programma regionale artigianato", "type": "other", "partner_ids": []string{partnerID}}, 0, &pi))
	var plan struct{ ID string }
	require.Equal(t, 201, call(t, "POST", base+"/action-plans", partner.Token, map[string]any{
		"policy_instrument_id": pi.ID, "partner_id": partnerID, "title": "Piano d'azione: botteghe scuola", "language": "en",
		"summary_en":     "Workshop schools for young crafts people in Tuscany.",
		"policy_context": "The regional programme funds apprenticeships but not the workshops that host them.",
		"actions": []map[string]any{{"title": "Workshop schools", "description": "Ten workshops take two apprentices each.",
			"players": "CNA Toscana", "timeframe_start": "2027-01-01", "timeframe_end": "2027-12-31"}},
	}, 0, &plan))
	api := f.s.url + "/api/v1/action-plans/" + plan.ID
	require.Equal(t, 200, call(t, "POST", api+"/transitions", partner.Token, map[string]any{"trigger": "submit"}, 1, nil))
	var ids []string
	for _, c := range []map[string]any{
		{"body": "Say who hosts them.", "section": "part2.policy_context",
			"suggestion": map[string]any{"text": "the craft workshops", "of": "the workshops"}},
		{"body": "Confartigianato takes part too.", "section": "part3.action.1.players",
			"suggestion": map[string]any{"text": "CNA Toscana, Confartigianato Firenze"}},
		{"body": "A shorter summary reads better.", "section": "summary_en",
			"suggestion": map[string]any{"text": "Workshop schools in Tuscany."}},
	} {
		var cm struct{ ID string }
		require.Equal(t, 201, call(t, "POST", api+"/comments", coordinator.Token, c, 0, &cm))
		require.Equal(t, 200, call(t, "POST", f.s.url+"/api/v1/comments/"+cm.ID+"/response", partner.Token,
			map[string]any{"status": "accepted", "body": "Agreed."}, 0, nil))
		ids = append(ids, cm.ID)
	}
	require.Equal(t, 200, call(t, "POST", api+"/transitions", partner.Token, map[string]any{"trigger": "request_changes", "note": "Taking the comments in."}, 2, nil))
	require.Equal(t, 200, call(t, "POST", api+"/suggestions/apply", partner.Token, map[string]any{"comments": ids[:1]}, 3, nil))
	require.Equal(t, 200, call(t, "PATCH", api, partner.Token, map[string]any{"summary_en": "Workshop schools for young crafts people across Tuscany."}, 4, nil))
	return plan.ID
}
