package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// homeSite is newSite with a deliverable in every state, of every kind,
// for two partners, and a person for every role.
type homeSite struct {
	*site
	project                                                workflow.Project
	firenze, gabrovo                                       workflow.Partner
	coordinator, secretariat, observer, gabrovoP, stranger person
	titles                                                 map[string]string // title → id
}

// The deliverables homeSite adds (besides the plan under consultation,
// "Piano d'azione artigianato", on Firenze's instrument, whose group the
// reader is in; the outsider is in Gabrovo's group).
var homeTitles = []string{"PR-F-draft", "PR-F-approved", "PR-F-monitored", "PR-F-closed", "AP-F2-over", "AP-F3-monitored",
	"AP-F4-closed", "PR-G-approved", "PR-G-draft", "GP-F-draft", "GP-G-approved"}

const mainPlan = "Piano d&#39;azione artigianato"

func newHomeSite(t *testing.T, d sqlstore.Dialect) *homeSite {
	t.Helper()
	s := &homeSite{site: newSite(t, d, nil), titles: map[string]string{}}
	var err error
	s.project, err = s.store.ProjectByAcronym(ctx, "WEB")
	require.NoError(t, err)
	pid := s.project.ID
	partners, _, err := s.store.ListPartners(ctx, pid, workflow.Page{Limit: 10})
	require.NoError(t, err)
	for _, p := range partners {
		switch p.Name {
		case "Firenze":
			s.firenze = p
		case "Gabrovo":
			s.gabrovo = p
		}
	}
	instruments, _, err := s.store.ListPolicyInstruments(ctx, pid, workflow.Page{Limit: 10})
	require.NoError(t, err)
	inst := map[string]string{}
	for _, pi := range instruments {
		inst[strings.TrimPrefix(pi.Name, "Instrument ")] = pi.ID
	}
	for _, n := range []string{"F2", "F3", "F4"} {
		pi := workflow.PolicyInstrument{ProjectID: pid, Name: "Instrument " + n, Type: workflow.InstrumentOther, PartnerIDs: []string{s.firenze.ID}}
		require.NoError(t, s.store.CreatePolicyInstrument(ctx, &pi))
		inst[n] = pi.ID
	}
	mk := func(email, name string, m workflow.Membership) person {
		u := workflow.User{Email: email, Name: name}
		token, hash := workflow.NewToken()
		require.NoError(t, s.store.CreateUser(ctx, &u, hash, "test"))
		if m.Role != "" {
			m.ProjectID, m.UserID = pid, u.ID
			require.NoError(t, s.store.CreateMembership(ctx, &m))
		}
		return person{u, token}
	}
	s.coordinator = mk("coord@example.org", "Chiara Coordinator", workflow.Membership{Role: workflow.RoleCoordinator})
	s.secretariat = mk("jts@example.org", "Sam Secretariat", workflow.Membership{Role: workflow.RoleSecretariat})
	s.observer = mk("obs@example.org", "Olga Observer", workflow.Membership{Role: workflow.RoleObserver})
	s.gabrovoP = mk("gab@example.org", "Petar Gabrovo", workflow.Membership{Role: workflow.RolePartner, PartnerID: s.gabrovo.ID})
	s.stranger = mk("stranger@example.org", "Stella Stranger", workflow.Membership{})

	start, end := workflow.MustDate("2019-01-01"), workflow.MustDate("2019-12-31")
	plan := func(title, instrument string) *workflow.Deliverable {
		return &workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: pid, PartnerID: s.firenze.ID,
			PolicyInstrumentID: inst[instrument], Title: title, Language: "en", PolicyContext: "Context.",
			Actions: []workflow.PlanAction{{Number: 1, Title: "A", Description: "d", Players: "p", TimeframeStart: &start, TimeframeEnd: &end}}}}
	}
	review := func(title string, host workflow.Partner, instrument string) *workflow.Deliverable {
		return &workflow.Deliverable{Kind: workflow.KindPeerReview, Review: &workflow.PeerReview{ProjectID: pid, HostPartnerID: host.ID,
			PolicyInstrumentID: inst[instrument], Title: title}}
	}
	practice := func(title string, owner workflow.Partner) *workflow.Deliverable {
		return &workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: pid, PartnerID: owner.ID, Title: title}}
	}
	for _, x := range []struct {
		d     *workflow.Deliverable
		state workflow.State
	}{
		{review("PR-F-draft", s.firenze, "Firenze"), workflow.StateDraft},
		{review("PR-F-approved", s.firenze, "Firenze"), workflow.StateApproved},
		{review("PR-F-monitored", s.firenze, "Firenze"), workflow.StateMonitored},
		{review("PR-F-closed", s.firenze, "Firenze"), workflow.StateClosed},
		{plan("AP-F2-over", "F2"), workflow.StateDraft}, // submitted below
		{plan("AP-F3-monitored", "F3"), workflow.StateMonitored},
		{plan("AP-F4-closed", "F4"), workflow.StateClosed},
		{review("PR-G-approved", s.gabrovo, "Gabrovo"), workflow.StateApproved},
		{review("PR-G-draft", s.gabrovo, "Gabrovo"), workflow.StateDraft},
		{practice("GP-F-draft", s.firenze), workflow.StateDraft},
		{practice("GP-G-approved", s.gabrovo), workflow.StateApproved},
	} {
		require.NoError(t, s.store.CreateDeliverable(ctx, x.d))
		h := x.d.Head()
		s.titles[h.Title] = h.ID
		if x.state != workflow.StateDraft {
			// States reached by SQL: the page lists what the store holds.
			_, err := s.store.DB().ExecContext(ctx, `UPDATE deliverables SET state = $1, revision = 1 WHERE id = $2`, string(x.state), h.ID)
			require.NoError(t, err)
		}
	}
	s.titles[mainPlan] = s.planID
	owner := principal(t, s.site, s.owner)
	// AP-F2-over: submitted, its consultation closed early: waiting for approval.
	_, _, err = s.store.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindActionPlan, ID: s.titles["AP-F2-over"], Version: 1,
		Trigger: workflow.TriggerSubmit, Principal: owner})
	require.NoError(t, err)
	_, err = s.store.CloseConsultation(ctx, workflow.KindActionPlan, s.titles["AP-F2-over"], owner)
	require.NoError(t, err)
	// The plan under consultation gets a comment waiting for a response.
	_, err = s.store.AddComment(ctx, workflow.NewComment{Kind: workflow.KindActionPlan, DeliverableID: s.planID, Body: "Who pays?",
		Section: workflow.GeneralSection, Stance: workflow.StanceQuestion, Principal: principal(t, s.site, s.reader)})
	require.NoError(t, err)
	// Phase 2 from 2021 on: AP-F3-monitored owes its reports.
	_, err = s.store.DB().ExecContext(ctx, `UPDATE projects SET phase1_end = $1, phase2_end = $2 WHERE id = $3`, "2020-12-31", "2035-12-31", pid)
	require.NoError(t, err)
	return s
}

// needsBox and listing split the project home into its "needs you now"
// box and its lists.
func needsBox(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `<section class="needs"`)
	require.GreaterOrEqual(t, i, 0, body)
	j := strings.Index(body[i:], `</section>`)
	return body[i : i+j]
}

func listing(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `id="deliverables"`)
	require.GreaterOrEqual(t, i, 0, body)
	return body[i:]
}

func menu(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `<nav`)
	require.GreaterOrEqual(t, i, 0, body)
	j := strings.Index(body[i:], `</nav>`)
	return body[i : i+j]
}

func TestProjectHome(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newHomeSite(t, d)
			home := "/ui/projects/" + s.project.ID
			all := append([]string{mainPlan}, homeTitles...)
			for _, tc := range []struct {
				name string
				p    person
				sees []string
			}{
				{"coordinator", s.coordinator, all},
				{"secretariat", s.secretariat, all},
				{"observer", s.observer, all},
				{"partner", s.owner, []string{mainPlan, "PR-F-draft", "PR-F-approved", "PR-F-monitored", "PR-F-closed", "AP-F2-over",
					"AP-F3-monitored", "AP-F4-closed", "GP-F-draft", "GP-G-approved"}},
				{"other partner", s.gabrovoP, []string{"PR-G-approved", "PR-G-draft", "GP-G-approved"}},
				{"stakeholder", s.reader, []string{mainPlan, "PR-F-approved", "PR-F-monitored", "PR-F-closed", "GP-G-approved"}},
				{"other stakeholder", s.outsider, []string{"PR-G-approved", "GP-G-approved"}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					b := s.browser(t)
					b.signIn(tc.p)
					res := b.get(home)
					require.Equal(t, http.StatusOK, res.status, res.body)
					list := listing(t, res.body)
					for _, title := range all {
						link := `href="/ui/` + kindSegment(title) + `/` + s.titles[title] + `"`
						if contains(tc.sees, title) {
							require.Contains(t, list, link, "%s sees %s", tc.name, title)
							require.Contains(t, list, ">"+title+"</a>")
						} else {
							require.NotContains(t, res.body, link, "%s does not see %s", tc.name, title)
						}
					}
					// The same through the store.
					pr := principal(t, s.site, tc.p)
					got, err := s.store.ProjectHome(ctx, s.project.ID, pr.DeliverableScope(s.project.ID), time.Now())
					require.NoError(t, err)
					require.Len(t, got.Items, len(tc.sees))
					for _, it := range got.Items {
						require.NoError(t, pr.SeeDeliverable(it.Deliverable()), "the store lists only what SeeDeliverable allows")
						full, err := s.store.Deliverable(ctx, it.Kind, it.ID)
						require.NoError(t, err)
						require.NoError(t, pr.SeeDeliverable(full))
					}
					requireLabels(t, res.body)
				})
			}

			// Outsiders of the project and made-up projects are not found.
			b := s.browser(t)
			b.signIn(s.stranger)
			require.Equal(t, http.StatusNotFound, b.get(home).status)
			require.Equal(t, http.StatusNotFound, b.get("/ui/projects/"+workflow.NewID()).status)
			require.Equal(t, http.StatusNotFound, b.get("/ui/projects/nonsense").status)

			// Filters: a plain GET form.
			b = s.browser(t)
			b.signIn(s.coordinator)
			res := b.get(home + "?kind=peer_review&state=approved")
			require.Equal(t, http.StatusOK, res.status)
			list := listing(t, res.body)
			require.Contains(t, list, ">PR-F-approved</a>")
			require.Contains(t, list, ">PR-G-approved</a>")
			for _, title := range []string{"PR-F-draft", "PR-F-monitored", "AP-F3-monitored", "GP-G-approved", mainPlan} {
				require.NotContains(t, list, ">"+title+"</a>")
			}
			require.Contains(t, list, `<option value="peer_review" selected>`)
			require.Contains(t, list, `<option value="approved" selected>`)
			require.Contains(t, list, "2 deliverables shown")
			res = b.get(home + "?state=monitored")
			list = listing(t, res.body)
			require.Contains(t, list, ">PR-F-monitored</a>")
			require.Contains(t, list, ">AP-F3-monitored</a>")
			require.NotContains(t, list, ">PR-F-approved</a>")
			res = b.get(home + "?kind=bogus&state=bogus") // unknown values are ignored
			require.Equal(t, http.StatusOK, res.status)
			require.Contains(t, listing(t, res.body), "12 deliverables shown")
		})
	}
}

func kindSegment(title string) string {
	switch {
	case strings.HasPrefix(title, "PR-"):
		return "peer-reviews"
	case strings.HasPrefix(title, "GP-"):
		return "good-practices"
	}
	return "action-plans"
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func TestProjectHomeNeedsYou(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newHomeSite(t, d)
			home := "/ui/projects/" + s.project.ID
			type want struct {
				drafts, consultations, responses, approvals, reports []string
			}
			for _, tc := range []struct {
				name string
				p    person
				want want
			}{
				{"coordinator", s.coordinator, want{drafts: []string{"PR-F-draft", "PR-G-draft", "GP-F-draft"},
					responses: []string{mainPlan}, approvals: []string{"AP-F2-over"}, reports: []string{"AP-F3-monitored"}}},
				{"partner", s.owner, want{drafts: []string{"PR-F-draft", "GP-F-draft"}, responses: []string{mainPlan},
					reports: []string{"AP-F3-monitored"}}},
				{"other partner", s.gabrovoP, want{drafts: []string{"PR-G-draft"}}},
				{"secretariat", s.secretariat, want{approvals: []string{"AP-F2-over"}}},
				{"observer", s.observer, want{}},
				{"stakeholder", s.reader, want{consultations: []string{mainPlan}}},
				{"other stakeholder", s.outsider, want{}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					b := s.browser(t)
					b.signIn(tc.p)
					res := b.get(home)
					require.Equal(t, http.StatusOK, res.status)
					box := needsBox(t, res.body)
					all := append(append(append(append(append([]string{}, tc.want.drafts...), tc.want.consultations...),
						tc.want.responses...), tc.want.approvals...), tc.want.reports...)
					if len(all) == 0 {
						require.Contains(t, box, "Nothing needs you right now.")
					} else {
						require.NotContains(t, box, "Nothing needs you right now.")
					}
					for _, title := range append([]string{mainPlan}, homeTitles...) {
						if contains(all, title) {
							require.Contains(t, box, ">"+title+"</a>", "%s needs %s", tc.name, title)
						} else {
							require.NotContains(t, box, ">"+title+"</a>", "%s does not need %s", tc.name, title)
						}
					}
					heading := map[string]int{"draft": len(tc.want.drafts), "consultation": len(tc.want.consultations),
						"with comments waiting for your response": len(tc.want.responses), "waiting for approval": len(tc.want.approvals)}
					for what, n := range heading {
						if n > 0 {
							require.Contains(t, box, what, tc.name)
						} else {
							require.NotContains(t, box, what, tc.name)
						}
					}
					if len(tc.want.responses) > 0 {
						require.Contains(t, box, "1 without a response")
					}
					if len(tc.want.reports) > 0 {
						require.Contains(t, box, "Progress report 2021-S1, due 30 July 2021")
						require.Contains(t, box, "overdue")
					} else {
						require.NotContains(t, box, "Progress report")
					}
					if len(tc.want.consultations) > 0 {
						require.Contains(t, box, "Open until ")
					}
				})
			}
		})
	}
}

func TestLandingAndMenu(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newHomeSite(t, d)
			home := "/ui/projects/" + s.project.ID

			// One project: /ui/ is its home.
			b := s.browser(t)
			b.signIn(s.reader)
			res := b.get("/ui/")
			require.Equal(t, http.StatusSeeOther, res.status)
			require.Equal(t, home, res.header.Get("Location"))

			// The menu by role: a stakeholder has no dashboard.
			res = b.get(home)
			nav := menu(t, res.body)
			require.Contains(t, nav, `<a href="`+home+`" aria-current="page">Project home</a>`)
			require.Contains(t, nav, `href="/ui/consultations"`)
			require.Contains(t, nav, `href="`+home+`/good-practices"`)
			require.Contains(t, nav, `href="`+home+`/events"`)
			require.NotContains(t, nav, "dashboard")
			require.NotContains(t, nav, `href="/ui/projects"`, "one project: no list")
			require.Contains(t, nav, "Niccolò Reader")
			require.Contains(t, nav, "Sign out")
			nav = menu(t, b.get("/ui/consultations").body)
			require.Contains(t, nav, `<a href="/ui/consultations" aria-current="page">My consultations</a>`)
			require.NotContains(t, nav, "dashboard")
			require.Contains(t, nav, `href="`+home+`"`, "the only project is the menu's")

			// A partner has the dashboard; an observer has no consultations.
			b = s.browser(t)
			b.signIn(s.owner)
			nav = menu(t, b.get(home).body)
			require.Contains(t, nav, `href="/ui/dashboard"`)
			require.Contains(t, nav, `href="/ui/consultations"`)
			b = s.browser(t)
			b.signIn(s.observer)
			nav = menu(t, b.get(home).body)
			require.Contains(t, nav, `href="/ui/dashboard"`)
			require.NotContains(t, nav, `href="/ui/consultations"`)

			// Create links only for who may start deliverables.
			for _, tc := range []struct {
				p      person
				create bool
			}{{s.coordinator, true}, {s.owner, true}, {s.gabrovoP, true}, {s.secretariat, false}, {s.observer, false}, {s.reader, false}} {
				b := s.browser(t)
				b.signIn(tc.p)
				body := b.get(home).body
				for _, seg := range []string{"action-plans", "peer-reviews", "good-practices"} {
					link := `href="` + home + `/` + seg + `/new"`
					if tc.create {
						require.Contains(t, body, link, tc.p.user.Name)
					} else {
						require.NotContains(t, body, link, tc.p.user.Name)
					}
				}
			}

			// Several projects: /ui/ lists them, and the menu links the list.
			other := workflow.Project{Acronym: "TWO", Title: "Second project"}
			require.NoError(t, s.store.CreateProject(ctx, &other))
			require.NoError(t, s.store.CreateMembership(ctx, &workflow.Membership{ProjectID: other.ID, UserID: s.coordinator.user.ID, Role: workflow.RoleObserver}))
			b = s.browser(t)
			b.signIn(s.coordinator)
			res = b.get("/ui/")
			require.Equal(t, http.StatusSeeOther, res.status)
			require.Equal(t, "/ui/projects", res.header.Get("Location"))
			res = b.get("/ui/projects")
			require.Equal(t, http.StatusOK, res.status)
			require.Contains(t, res.body, `<a href="`+home+`">WEB</a>`)
			require.Contains(t, res.body, `<a href="/ui/projects/`+other.ID+`">TWO</a>`)
			nav = menu(t, res.body)
			require.Contains(t, nav, `<a href="/ui/projects" aria-current="page">My projects</a>`)
			require.NotContains(t, nav, "good-practices", "no project chosen yet")
			nav = menu(t, b.get(home).body)
			require.Contains(t, nav, `href="`+home+`/good-practices"`)
			require.Contains(t, nav, `href="/ui/projects"`)

			// Signing in with a next goes there; without, to /ui/.
			b = s.browser(t)
			b.get("/ui/login?next=" + url.QueryEscape(home+"/events"))
			res = b.post("/ui/login/token", url.Values{"token": {s.reader.token}, "next": {home + "/events"}})
			require.Equal(t, http.StatusSeeOther, res.status)
			require.Equal(t, home+"/events", res.header.Get("Location"))
		})
	}
}
