package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// formValues is what a browser would send with the form whose action is
// action, as the page shows it: inputs, ticked boxes, text areas and the
// selected options. Buttons are left out.
func formValues(t *testing.T, body, action string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	require.NoError(t, err)
	attr := func(n *html.Node, k string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val, true
			}
		}
		return "", false
	}
	var form *html.Node
	var find func(*html.Node)
	find = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "form" {
			if a, _ := attr(n, "action"); a == action && form == nil {
				form = n
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	require.NotNil(t, form, "no form posting to %s", action)
	v := url.Values{}
	var walk func(*html.Node)
	text := func(n *html.Node) string {
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.TextNode {
				b.WriteString(c.Data)
			}
		}
		return b.String()
	}
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name, named := attr(n, "name")
			switch n.Data {
			case "input":
				typ, _ := attr(n, "type")
				_, checked := attr(n, "checked")
				if named && (typ != "checkbox" && typ != "radio" || checked) {
					val, _ := attr(n, "value")
					v.Add(name, val)
				}
			case "textarea":
				if named {
					v.Add(name, strings.TrimPrefix(text(n), "\n"))
				}
			case "select":
				first, chosen := "", ""
				found, seen := false, false
				for o := range n.Descendants() {
					if o.Type != html.ElementNode || o.Data != "option" {
						continue
					}
					val, _ := attr(o, "value")
					if !seen {
						first, seen = val, true
					}
					if _, sel := attr(o, "selected"); sel && !found {
						chosen, found = val, true
					}
				}
				if !found {
					chosen = first
				}
				if named {
					v.Add(name, chosen)
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(form)
	return v
}

// editMember adds a user with a membership to the site's project.
func editMember(t *testing.T, s *site, email string, m workflow.Membership) person {
	t.Helper()
	d, err := s.store.Deliverable(ctx, workflow.KindActionPlan, s.planID)
	require.NoError(t, err)
	u := workflow.User{Email: email, Name: email}
	token, hash := workflow.NewToken()
	require.NoError(t, s.store.CreateUser(ctx, &u, hash, "test"))
	m.ProjectID, m.UserID = d.Plan.ProjectID, u.ID
	require.NoError(t, s.store.CreateMembership(ctx, &m))
	return person{u, token}
}

// editFixtures is the site's project, its two partners and instruments.
type editFixtures struct {
	pid                   string
	firenze, gabrovo      workflow.Partner
	instrument, otherInst workflow.PolicyInstrument
}

func editFix(t *testing.T, s *site) editFixtures {
	t.Helper()
	d, err := s.store.Deliverable(ctx, workflow.KindActionPlan, s.planID)
	require.NoError(t, err)
	f := editFixtures{pid: d.Plan.ProjectID}
	partners, _, err := s.store.ListPartners(ctx, f.pid, workflow.Page{Limit: 10})
	require.NoError(t, err)
	for _, p := range partners {
		if p.Name == "Firenze" {
			f.firenze = p
		} else {
			f.gabrovo = p
		}
	}
	insts, _, err := s.store.ListPolicyInstruments(ctx, f.pid, workflow.Page{Limit: 10})
	require.NoError(t, err)
	for _, pi := range insts {
		if pi.PartnerIDs[0] == f.firenze.ID {
			f.instrument = pi
		} else {
			f.otherInst = pi
		}
	}
	// The site's plan has the first instrument: one plan per instrument.
	f.instrument = workflow.PolicyInstrument{ProjectID: f.pid, Name: "Second instrument of Firenze", Type: workflow.InstrumentOther, PartnerIDs: []string{f.firenze.ID}}
	require.NoError(t, s.store.CreatePolicyInstrument(ctx, &f.instrument))
	return f
}

var createdEdit = regexp.MustCompile(`^/ui/(action-plans|peer-reviews)/([0-9a-f-]{36})/edit\?done=created$`)

// editFirstInstrument is the instrument of the site's plan.
func editFirstInstrument(t *testing.T, s *site) string {
	return editLoadPlan(t, s, s.planID).PolicyInstrumentID
}

func editLoadPlan(t *testing.T, s *site, id string) *workflow.ActionPlan {
	t.Helper()
	d, err := s.store.Deliverable(ctx, workflow.KindActionPlan, id)
	require.NoError(t, err)
	return d.Plan
}

func actionTitles(p *workflow.ActionPlan) []string {
	var out []string
	for _, a := range p.Actions {
		out = append(out, a.Title)
	}
	return out
}

// TestEditActionPlan: a partner starts a plan from the form, adds three
// actions, reorders and removes them, each through the page's buttons,
// which post everything typed.
func TestEditActionPlan(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			fx := editFix(t, s)
			owner := s.browser(t)
			owner.signIn(s.owner)

			newURL := "/ui/projects/" + fx.pid + "/action-plans/new"
			res := owner.get(newURL)
			require.Equal(t, 200, res.status, res.body)
			requireLabels(t, res.body)
			requireLacks(t, res.body, fx.otherInst.Name, "a partner picks among its own instruments")
			requireHas(t, res.body, "The plan will belong to Firenze")

			// Refused: no title, a language that is no code; what was typed stays.
			// An instrument that has a plan already: said on the form.
			form := formValues(t, res.body, newURL)
			form.Set("policy_instrument_id", editFirstInstrument(t, s))
			form.Set("title", "Second plan")
			res = owner.post(newURL, form)
			require.Equal(t, http.StatusConflict, res.status, res.body)
			requireHas(t, res.body, "already has an action plan")
			requireHas(t, res.body, `value="Second plan"`)

			form.Set("policy_instrument_id", fx.instrument.ID)
			form.Set("title", "")
			form.Set("language", "Italian")
			form.Set("summary_en", "Craft SMEs: a plan kept across the refusal")
			res = owner.post(newURL, form)
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			requireHas(t, res.body, `id="f-language-error"`)
			requireHas(t, res.body, `id="f-title-error"`)
			requireHas(t, res.body, "a plan kept across the refusal")
			requireHas(t, res.body, `value="Italian"`)

			form.Set("title", "Piano artigiano")
			form.Set("language", "it")
			res = owner.post(newURL, form)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			m := createdEdit.FindStringSubmatch(res.header.Get("Location"))
			require.NotNil(t, m, res.header.Get("Location"))
			id := m[2]
			edit := "/ui/action-plans/" + id + "/edit"
			p := editLoadPlan(t, s, id)
			require.Equal(t, fx.firenze.ID, p.PartnerID)
			require.Equal(t, "Craft SMEs: a plan kept across the refusal", p.SummaryEN)

			res = owner.get(edit + "?done=created")
			require.Equal(t, 200, res.status, res.body)
			requireLabels(t, res.body)
			requireHas(t, res.body, `lang="en"`)
			requireHas(t, res.body, "The plan has no action yet.")

			// Add three actions, each typed into the form before the next.
			for i, title := range []string{"Hubs", "Mentoring", "Export desk"} {
				form = formValues(t, res.body, edit)
				if i == 0 {
					form.Set("contact_name", "Giulia")
				}
				res = owner.post("/ui/action-plans/"+id+"/actions", form)
				require.Equal(t, http.StatusSeeOther, res.status, res.body)
				require.Contains(t, res.header.Get("Location"), "#action-")
				res = owner.get(edit)
				require.Equal(t, 200, res.status)
				form = formValues(t, res.body, edit)
				form.Set("actions["+strconv.Itoa(i)+"].title", title)
				form.Set("actions["+strconv.Itoa(i)+"].players", "Players of "+title)
				res = owner.post(edit, form)
				require.Equal(t, http.StatusSeeOther, res.status, res.body)
				res = owner.get(edit)
			}
			p = editLoadPlan(t, s, id)
			require.Equal(t, []string{"Hubs", "Mentoring", "Export desk"}, actionTitles(p))
			require.Equal(t, "Giulia", p.ContactName)
			requireHas(t, res.body, `name="actions[2].players"`)

			// Move the third action up, with an unsaved change typed: both land.
			form = formValues(t, res.body, edit)
			form.Set("actions[0].costs", "EUR 40,000")
			form.Set("to", "2")
			res = owner.post("/ui/action-plans/"+id+"/actions/3/move", form)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			p = editLoadPlan(t, s, id)
			require.Equal(t, []string{"Hubs", "Export desk", "Mentoring"}, actionTitles(p))
			require.Equal(t, "EUR 40,000", p.Actions[0].Costs)
			require.Equal(t, "Players of Export desk", p.Actions[1].Players)
			require.Equal(t, 2, p.Actions[1].Number)

			// Remove without the tick: refused, nothing lost; with it: gone.
			res = owner.get(edit)
			form = formValues(t, res.body, edit)
			form.Set("actions[1].description", "typed before the refused removal")
			res = owner.post("/ui/action-plans/"+id+"/actions/1/remove", form)
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			requireHas(t, res.body, `id="f-actions-0-remove-error"`)
			requireHas(t, res.body, "typed before the refused removal")
			require.Len(t, editLoadPlan(t, s, id).Actions, 3)
			form = formValues(t, res.body, edit)
			form.Set("actions[0].remove", "yes")
			res = owner.post("/ui/action-plans/"+id+"/actions/1/remove", form)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			p = editLoadPlan(t, s, id)
			require.Equal(t, []string{"Export desk", "Mentoring"}, actionTitles(p))
			require.Equal(t, "typed before the refused removal", p.Actions[0].Description)

			// A refused save keeps the typed text and puts the problem next
			// to its field.
			res = owner.get(edit)
			form = formValues(t, res.body, edit)
			form.Set("actions[1].timeframe_start", "2020-06-01")
			form.Set("actions[1].timeframe_end", "2020-01-01")
			form.Set("actions[1].background.text", "Learnt in Gabrovo, kept after refusal")
			form.Set("contact_email", "not an address")
			res = owner.post(edit, form)
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			requireHas(t, res.body, `id="f-actions-1-timeframe-end-error"`)
			requireHas(t, res.body, `id="f-contact-email-error"`)
			requireHas(t, res.body, "Learnt in Gabrovo, kept after refusal")
			requireHas(t, res.body, `value="not an address"`)
			require.Empty(t, editLoadPlan(t, s, id).Actions[1].Background.Text, "a refused form saves nothing")
		})
	}
}

// TestEditConflict: two tabs load the edit form; the first saves, the
// second's save at the old version overwrites nothing and shows the
// conflict view, holding the second tab's text at the new version.
func TestEditConflict(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			fx := editFix(t, s)
			plan := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: fx.pid, PartnerID: fx.firenze.ID,
				PolicyInstrumentID: fx.instrument.ID, Title: "Plan", Language: "en", PolicyContext: "The craft sector is small and old.",
				Actions: []workflow.PlanAction{{Number: 1, Title: "Hubs", Players: "Chamber"}}}}
			require.NoError(t, s.store.CreateDeliverable(ctx, &plan))
			edit := "/ui/action-plans/" + plan.Plan.ID + "/edit"
			owner := s.browser(t)
			owner.signIn(s.owner)

			tab1 := formValues(t, owner.get(edit).body, edit)
			tab2 := formValues(t, owner.get(edit).body, edit)
			require.Equal(t, "1", tab2.Get("version"))

			tab1.Set("policy_context", "The craft sector is small and young.")
			res := owner.post(edit, tab1)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)

			tab2.Set("policy_context", "The craft sector is large and old.")
			tab2.Set("actions[0].players", "Chamber and guilds")
			res = owner.post(edit, tab2)
			require.Equal(t, http.StatusConflict, res.status, res.body)
			p := editLoadPlan(t, s, plan.Plan.ID)
			require.Equal(t, "The craft sector is small and young.", p.PolicyContext, "the stale save overwrote nothing")
			require.Equal(t, "Chamber", p.Actions[0].Players)
			require.Equal(t, 2, p.Version)

			requireHas(t, res.body, "Someone saved changes meanwhile")
			requireHas(t, res.body, "The craft sector is small and young.", "the saved value is shown")
			requireHas(t, res.body, "<del>young.</del>")
			requireHas(t, res.body, "<ins>old.</ins>")
			// The form holds tab 2's text, now at version 2.
			again := formValues(t, res.body, edit)
			require.Equal(t, "2", again.Get("version"))
			require.Equal(t, "The craft sector is large and old.", again.Get("policy_context"))
			require.Equal(t, "Chamber and guilds", again.Get("actions[0].players"))
			requireLabels(t, res.body)

			// Saving again is the deliberate choice, and it lands.
			res = owner.post(edit, again)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			p = editLoadPlan(t, s, plan.Plan.ID)
			require.Equal(t, "The craft sector is large and old.", p.PolicyContext)
			require.Equal(t, "Chamber and guilds", p.Actions[0].Players)

			// A stale form that is also refused keeps its old version, so
			// that once corrected it still meets the change made meanwhile.
			tab3 := formValues(t, owner.get(edit).body, edit)
			tab4 := formValues(t, owner.get(edit).body, edit)
			tab3.Set("title", "Renamed in tab 3")
			require.Equal(t, http.StatusSeeOther, owner.post(edit, tab3).status)
			tab4.Set("contact_email", "not an address")
			res = owner.post(edit, tab4)
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			fixed := formValues(t, res.body, edit)
			require.Equal(t, tab4.Get("version"), fixed.Get("version"))
			fixed.Set("contact_email", "giulia@example.org")
			res = owner.post(edit, fixed)
			require.Equal(t, http.StatusConflict, res.status, res.body)
			require.Equal(t, "Renamed in tab 3", editLoadPlan(t, s, plan.Plan.ID).Title)
			requireHas(t, res.body, "Renamed in tab 3")

			// A form without its version overwrites nothing either.
			noVersion := formValues(t, res.body, edit)
			noVersion.Del("version")
			res = owner.post(edit, noVersion)
			require.Equal(t, http.StatusConflict, res.status, res.body)
			require.Equal(t, "Renamed in tab 3", editLoadPlan(t, s, plan.Plan.ID).Title)
		})
	}
}

// TestEditCheckSubmit: ?check=submit puts what a submit still needs next
// to each field, with a summary linking to them.
func TestEditCheckSubmit(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			fx := editFix(t, s)
			plan := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: fx.pid, PartnerID: fx.firenze.ID,
				PolicyInstrumentID: fx.instrument.ID, Title: "Plan", Language: "it",
				Actions: []workflow.PlanAction{{Number: 1, Title: "Hubs", Players: "Chamber"}}}}
			require.NoError(t, s.store.CreateDeliverable(ctx, &plan))
			edit := "/ui/action-plans/" + plan.Plan.ID + "/edit"
			owner := s.browser(t)
			owner.signIn(s.owner)

			res := owner.get(edit)
			requireLacks(t, res.body, `id="submit-check"`)
			res = owner.get(edit + "?check=submit")
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, `id="submit-check"`)
			requireHas(t, res.body, `<a href="#f-summary-en">Summary in English</a>`)
			requireHas(t, res.body, `<a href="#f-actions-0-description">Action 1 · Description</a>`)
			requireHas(t, res.body, `id="f-actions-0-timeframe-start-error"`)
			requireHas(t, res.body, `id="f-summary-en-error"`)
			requireLacks(t, res.body, `id="f-actions-0-players-error"`, "players are there")

			// Saving from the check keeps the check on.
			form := formValues(t, res.body, edit)
			require.Equal(t, "submit", form.Get("check"))
			form.Set("summary_en", "Craft SMEs in Tuscany.")
			res = owner.post(edit, form)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Contains(t, res.header.Get("Location"), "check=submit")
			res = owner.get(res.header.Get("Location"))
			requireLacks(t, res.body, `id="f-summary-en-error"`)
			requireHas(t, res.body, `id="f-actions-0-description-error"`)
		})
	}
}

// TestEditAccess: only the owner and the coordinator edit; others get 404
// outside their scope, "not allowed" inside it.
func TestEditAccess(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			fx := editFix(t, s)
			plan := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: fx.pid, PartnerID: fx.firenze.ID,
				PolicyInstrumentID: fx.instrument.ID, Title: "Draft plan", Language: "en", Actions: []workflow.PlanAction{}}}
			require.NoError(t, s.store.CreateDeliverable(ctx, &plan))
			review := workflow.Deliverable{Kind: workflow.KindPeerReview, Review: &workflow.PeerReview{ProjectID: fx.pid, HostPartnerID: fx.firenze.ID,
				Title: "Draft review", PeerPartnerIDs: []string{}, Recommendations: []workflow.Recommendation{}}}
			require.NoError(t, s.store.CreateDeliverable(ctx, &review))
			edit := "/ui/action-plans/" + plan.Plan.ID + "/edit"
			reviewEdit := "/ui/peer-reviews/" + review.Review.ID + "/edit"

			coordinator := editMember(t, s, "coord@example.org", workflow.Membership{Role: workflow.RoleCoordinator})
			observer := editMember(t, s, "observer@example.org", workflow.Membership{Role: workflow.RoleObserver})
			secretariat := editMember(t, s, "jts@example.org", workflow.Membership{Role: workflow.RoleSecretariat})
			other := editMember(t, s, "gabrovo@example.org", workflow.Membership{Role: workflow.RolePartner, PartnerID: fx.gabrovo.ID})

			for _, tc := range []struct {
				who          person
				edit, create int
			}{
				{s.reader, http.StatusNotFound, http.StatusForbidden},  // a stakeholder sees no draft, starts nothing
				{observer, http.StatusForbidden, http.StatusForbidden}, // sees all, edits nothing
				{secretariat, http.StatusForbidden, http.StatusForbidden},
				{other, http.StatusNotFound, http.StatusOK}, // another partner's draft is not its own
				{coordinator, http.StatusOK, http.StatusOK},
				{s.owner, http.StatusOK, http.StatusOK},
			} {
				b := s.browser(t)
				b.signIn(tc.who)
				for _, path := range []string{edit, reviewEdit} {
					res := b.get(path)
					require.Equal(t, tc.edit, res.status, "%s GET %s", tc.who.user.Email, path)
					if tc.edit == http.StatusForbidden {
						requireHas(t, res.body, "Not allowed")
					}
				}
				// A post is refused the same way, and changes nothing.
				res := b.post(edit, url.Values{"version": {strconv.Itoa(editLoadPlan(t, s, plan.Plan.ID).Version)}, "title": {"Taken over"}, "language": {"en"}})
				require.Equal(t, tc.edit == http.StatusOK, res.status == http.StatusSeeOther, "%s POST: %d", tc.who.user.Email, res.status)
				if tc.edit != http.StatusOK {
					require.Equal(t, tc.edit, res.status)
					require.Equal(t, "Draft plan", editLoadPlan(t, s, plan.Plan.ID).Title)
					for _, op := range []string{"/actions", "/actions/1/move", "/actions/1/remove"} {
						res = b.post("/ui/action-plans/"+plan.Plan.ID+op, url.Values{"version": {strconv.Itoa(editLoadPlan(t, s, plan.Plan.ID).Version)}, "to": {"1"}})
						require.Equal(t, tc.edit, res.status, "%s POST %s", tc.who.user.Email, op)
					}
					res = b.post(reviewEdit, url.Values{"version": {"1"}, "title": {"Taken over"}})
					require.Equal(t, tc.edit, res.status)
					require.Empty(t, editLoadPlan(t, s, plan.Plan.ID).Actions)
				} else {
					// put it back for the next one, at the version now stored
					res = b.post(edit, url.Values{"version": {strconv.Itoa(editLoadPlan(t, s, plan.Plan.ID).Version)}, "title": {"Draft plan"}, "language": {"en"}})
					require.Equal(t, http.StatusSeeOther, res.status, res.body)
				}
				for _, path := range []string{"/ui/projects/" + fx.pid + "/action-plans/new", "/ui/projects/" + fx.pid + "/peer-reviews/new"} {
					res := b.get(path)
					require.Equal(t, tc.create, res.status, "%s GET %s", tc.who.user.Email, path)
				}
				res = b.post("/ui/projects/"+fx.pid+"/peer-reviews/new", url.Values{"title": {"Sneaky"}, "host_partner_id": {fx.firenze.ID}})
				if tc.create == http.StatusForbidden {
					require.Equal(t, http.StatusForbidden, res.status)
				}
			}
			// Past draft, the page says so.
			b := s.browser(t)
			b.signIn(s.owner)
			require.Equal(t, http.StatusConflict, b.get("/ui/action-plans/"+s.planID+"/edit").status)
			// A save that arrives after the submit loses nothing typed.
			res := b.post("/ui/action-plans/"+s.planID+"/edit", url.Values{"version": {"1"}, "title": {"Typed after the submit"}, "language": {"en"}})
			require.Equal(t, http.StatusConflict, res.status)
			requireHas(t, res.body, "no longer a draft")
			requireHas(t, res.body, `value="Typed after the submit"`)
			requireHas(t, res.body, "Piano d&#39;azione artigianato", "beside what is stored")
			// Someone outside the project: 404.
			outsiderProject := workflow.Project{Acronym: "ELSE", Title: "Elsewhere"}
			require.NoError(t, s.store.CreateProject(ctx, &outsiderProject))
			require.Equal(t, http.StatusNotFound, b.get("/ui/projects/"+outsiderProject.ID+"/action-plans/new").status)
		})
	}
}

// TestEditPeerReview: the coordinator starts a review for a host; the
// host's partner fills it in: peers, visit, findings, recommendations
// added, changed and removed; ?check=submit lists what is missing.
func TestEditPeerReview(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			fx := editFix(t, s)
			coordinator := editMember(t, s, "coord@example.org", workflow.Membership{Role: workflow.RoleCoordinator})
			var peers []workflow.Partner
			for _, c := range []string{"HU", "BG"} {
				p := workflow.Partner{ProjectID: fx.pid, Name: "Peer " + c, Country: c, Role: workflow.PartnerPartner}
				require.NoError(t, s.store.CreatePartner(ctx, &p))
				peers = append(peers, p)
			}
			co := s.browser(t)
			co.signIn(coordinator)
			newURL := "/ui/projects/" + fx.pid + "/peer-reviews/new"
			res := co.get(newURL)
			require.Equal(t, 200, res.status, res.body)
			requireLabels(t, res.body)
			form := formValues(t, res.body, newURL)
			form.Set("host_partner_id", fx.firenze.ID)
			form.Set("title", "Peer review in Florence")
			form["peer_partner_ids[]"] = []string{fx.firenze.ID}
			form.Set("visit_start", "2018-05-02")
			form.Set("visit_end", "2018-05-01")
			res = co.post(newURL, form)
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			requireHas(t, res.body, `id="f-visit-end-error"`)
			requireHas(t, res.body, `id="f-peer-partner-ids-error"`, "the host as its own peer")
			form["peer_partner_ids[]"] = []string{peers[0].ID}
			form.Set("visit_end", "2018-05-04")
			res = co.post(newURL, form)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			m := createdEdit.FindStringSubmatch(res.header.Get("Location"))
			require.NotNil(t, m)
			edit := "/ui/peer-reviews/" + m[2] + "/edit"

			owner := s.browser(t)
			owner.signIn(s.owner)
			res = owner.get(edit + "?check=submit")
			require.Equal(t, 200, res.status, res.body)
			requireLabels(t, res.body)
			requireHas(t, res.body, `<a href="#f-findings">Findings</a>`)
			requireHas(t, res.body, `<a href="#recommendations">Recommendations</a>`)
			requireHas(t, res.body, `<a href="#f-peer-partner-ids">Peer partners</a>`)
			requireLacks(t, res.body, `name="host_partner_id"`, "the host's partner does not move the review elsewhere")

			form = formValues(t, res.body, edit)
			form["peer_partner_ids[]"] = []string{peers[0].ID, peers[1].ID}
			form.Set("findings", "Strong guilds, weak export.")
			form.Set("recommendations[0].title", "Export desk")
			form.Set("recommendations[0].body", "Open one.")
			res = owner.post(edit, form)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = owner.get(res.header.Get("Location"))
			requireHas(t, res.body, "Nothing is missing")
			form = formValues(t, res.body, edit)
			require.Equal(t, "Export desk", form.Get("recommendations[0].title"))
			form.Set("recommendations[1].title", "Guild academy")
			res = owner.post(edit, form)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)

			rv, err := s.store.Deliverable(ctx, workflow.KindPeerReview, m[2])
			require.NoError(t, err)
			r := rv.Review
			require.Len(t, r.Recommendations, 2)
			first := r.Recommendations[0].ID

			// Remove the first, change the second: the second keeps its id.
			res = owner.get(edit)
			form = formValues(t, res.body, edit)
			form.Set("recommendations[0].remove", "yes")
			form.Set("recommendations[1].body", "Train young makers.")
			stale := formValues(t, res.body, edit)
			res = owner.post(edit, form)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			rv, err = s.store.Deliverable(ctx, workflow.KindPeerReview, m[2])
			require.NoError(t, err)
			r = rv.Review
			require.Len(t, r.Recommendations, 1)
			require.NotEqual(t, first, r.Recommendations[0].ID)
			require.Equal(t, "Guild academy", r.Recommendations[0].Title)
			require.Equal(t, 1, r.Recommendations[0].Number)

			// A stale tab: the conflict view, nothing overwritten.
			stale.Set("findings", "Strong guilds, strong export.")
			res = owner.post(edit, stale)
			require.Equal(t, http.StatusConflict, res.status, res.body)
			requireHas(t, res.body, "<ins>strong</ins>")
			rv, err = s.store.Deliverable(ctx, workflow.KindPeerReview, m[2])
			require.NoError(t, err)
			require.Equal(t, "Strong guilds, weak export.", rv.Review.Findings)
			require.Equal(t, strconv.Itoa(rv.Review.Version), formValues(t, res.body, edit).Get("version"))
		})
	}
}

// TestEditCitations: an action's background cites a recommendation of a
// peer review the caller sees, good practices and learning events, picked
// from lists; a citation of something the project does not have is
// refused next to its field.
func TestEditCitations(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			fx := editFix(t, s)
			rec := workflow.Recommendation{ID: workflow.NewID(), Number: 1, Title: "Export desk", Body: "Open one."}
			review := workflow.Deliverable{Kind: workflow.KindPeerReview, Review: &workflow.PeerReview{ProjectID: fx.pid, HostPartnerID: fx.firenze.ID,
				Title: "Review in Florence", PeerPartnerIDs: []string{}, Recommendations: []workflow.Recommendation{rec}}}
			require.NoError(t, s.store.CreateDeliverable(ctx, &review))
			hidden := workflow.Deliverable{Kind: workflow.KindPeerReview, Review: &workflow.PeerReview{ProjectID: fx.pid, HostPartnerID: fx.gabrovo.ID,
				Title: "Review in Gabrovo", PeerPartnerIDs: []string{}, Recommendations: []workflow.Recommendation{{ID: workflow.NewID(), Number: 1, Title: "Hidden rec"}}}}
			require.NoError(t, s.store.CreateDeliverable(ctx, &hidden))
			gp := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: fx.pid, PartnerID: fx.firenze.ID,
				Title: "Bottega aperta", Summary: "Open workshops."}}
			require.NoError(t, s.store.CreateDeliverable(ctx, &gp))
			start := workflow.MustDate("2018-06-01")
			ev := workflow.LearningEvent{ProjectID: fx.pid, Type: workflow.StudyVisit, Title: "Visita a Gabrovo", HostPartnerID: fx.firenze.ID,
				StartDate: &start, EndDate: &start, Place: workflow.Place{Country: "BG", City: "Gabrovo"}}
			require.NoError(t, s.store.CreateEvent(ctx, &ev))
			plan := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: fx.pid, PartnerID: fx.firenze.ID,
				PolicyInstrumentID: fx.instrument.ID, Title: "Plan", Language: "en",
				Actions: []workflow.PlanAction{{Number: 1, Title: "Hubs"}}}}
			require.NoError(t, s.store.CreateDeliverable(ctx, &plan))
			edit := "/ui/action-plans/" + plan.Plan.ID + "/edit"
			owner := s.browser(t)
			owner.signIn(s.owner)

			res := owner.get(edit)
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, `<optgroup label="Review in Florence">`)
			requireHas(t, res.body, "Recommendation 1: Export desk")
			requireLacks(t, res.body, "Hidden rec", "another partner's draft review is not offered")
			requireHas(t, res.body, "Bottega aperta")
			requireHas(t, res.body, "Visita a Gabrovo (1 June 2018)")

			form := formValues(t, res.body, edit)
			form.Set("actions[0].background.recommendation_id", review.Review.ID+"/"+rec.ID)
			form["actions[0].background.good_practice_ids[]"] = []string{gp.Practice.ID}
			form["actions[0].background.event_ids[]"] = []string{ev.ID}
			res = owner.post(edit, form)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			b := editLoadPlan(t, s, plan.Plan.ID).Actions[0].Background
			require.Equal(t, review.Review.ID, b.PeerReviewID)
			require.Equal(t, rec.ID, b.RecommendationID)
			require.Equal(t, []string{gp.Practice.ID}, b.GoodPracticeIDs)
			require.Equal(t, []string{ev.ID}, b.EventIDs)
			res = owner.get(edit)
			requireHas(t, res.body, `value="`+review.Review.ID+"/"+rec.ID+`" selected`)
			requireHas(t, res.body, `value="`+gp.Practice.ID+`" checked`)

			// A forged citation: refused next to its list, nothing saved.
			form = formValues(t, res.body, edit)
			form["actions[0].background.event_ids[]"] = []string{workflow.NewID()}
			res = owner.post(edit, form)
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			requireHas(t, res.body, `id="f-actions-0-background-event-ids-error"`)
			require.Equal(t, []string{ev.ID}, editLoadPlan(t, s, plan.Plan.ID).Actions[0].Background.EventIDs)
		})
	}
}

// TestAddRecommendation: a peer adds recommendations to the review it
// takes part in, without editing the rest; a stale form adds nothing and
// keeps the text.
func TestAddRecommendation(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			fx := editFix(t, s)
			review := workflow.Deliverable{Kind: workflow.KindPeerReview, Review: &workflow.PeerReview{ProjectID: fx.pid, HostPartnerID: fx.firenze.ID,
				Title: "Review in Florence", PeerPartnerIDs: []string{fx.gabrovo.ID}, Recommendations: []workflow.Recommendation{}}}
			require.NoError(t, s.store.CreateDeliverable(ctx, &review))
			add := "/ui/peer-reviews/" + review.Review.ID + "/recommendations/new"
			peer := s.browser(t)
			peer.signIn(editMember(t, s, "gabrovo@example.org", workflow.Membership{Role: workflow.RolePartner, PartnerID: fx.gabrovo.ID}))
			require.Equal(t, http.StatusForbidden, peer.get("/ui/peer-reviews/"+review.Review.ID+"/edit").status, "a peer edits no more than its recommendations")

			res := peer.get(add)
			require.Equal(t, 200, res.status, res.body)
			requireLabels(t, res.body)
			requireLacks(t, res.body, "/edit#recommendations")
			tab1 := formValues(t, res.body, add)
			tab2 := formValues(t, res.body, add)

			tab1.Set("title", "")
			tab1.Set("body", "A body without a title")
			res = peer.post(add, tab1)
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			requireHas(t, res.body, `id="f-title-error"`)
			requireHas(t, res.body, "A body without a title")
			tab1 = formValues(t, res.body, add)
			tab1.Set("title", "Export desk")
			res = peer.post(add, tab1)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			res = peer.get(res.header.Get("Location"))
			requireHas(t, res.body, "The recommendation was added.")
			requireHas(t, res.body, "<strong>Export desk</strong>")

			tab2.Set("title", "Guild academy")
			res = peer.post(add, tab2)
			require.Equal(t, http.StatusConflict, res.status, res.body)
			requireHas(t, res.body, `value="Guild academy"`)
			requireHas(t, res.body, "<strong>Export desk</strong>")
			rv, err := s.store.Deliverable(ctx, workflow.KindPeerReview, review.Review.ID)
			require.NoError(t, err)
			require.Len(t, rv.Review.Recommendations, 1)
			res = peer.post(add, formValues(t, res.body, add))
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			rv, err = s.store.Deliverable(ctx, workflow.KindPeerReview, review.Review.ID)
			require.NoError(t, err)
			require.Len(t, rv.Review.Recommendations, 2)
			require.Equal(t, "Guild academy", rv.Review.Recommendations[1].Title)

			owner := s.browser(t)
			owner.signIn(s.owner)
			requireHas(t, owner.get(add).body, "/edit#recommendations")
			observer := s.browser(t)
			observer.signIn(editMember(t, s, "observer@example.org", workflow.Membership{Role: workflow.RoleObserver}))
			require.Equal(t, http.StatusForbidden, observer.get(add).status)
			reader := s.browser(t)
			reader.signIn(s.reader)
			require.Equal(t, http.StatusNotFound, reader.get(add).status)
		})
	}
}
