package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// invitationLink is the link (path and query) of the last invitation
// mailed to an address.
func (s *site) invitationLink(t *testing.T, to string) string {
	t.Helper()
	s.ui.Wait()
	link := regexp.MustCompile(`http://pages\.example(/ui/login/[A-Za-z0-9_-]+\?next=[^\s]+)`)
	found := ""
	for _, line := range strings.Split(s.log.String(), "\n") {
		var rec struct{ Msg, To, Subject, Body string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "mail" && rec.To == to {
			if m := link.FindStringSubmatch(rec.Body); m != nil {
				found = m[1]
			}
		}
	}
	require.NotEmpty(t, found, "no invitation to %s in the log", to)
	return found
}

func TestConsortiumPages(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := newSite(t, d, nil)
			project, err := s.store.ProjectByAcronym(ctx, "WEB")
			require.NoError(t, err)
			coord := workflow.User{Email: "coord@example.org", Name: "Chiara Coordinator"}
			token, hash := workflow.NewToken()
			require.NoError(t, s.store.CreateUser(ctx, &coord, hash, "test"))
			require.NoError(t, s.store.CreateMembership(ctx, &workflow.Membership{ProjectID: project.ID, UserID: coord.ID, Role: workflow.RoleCoordinator}))
			base := "/ui/projects/" + project.ID + "/consortium"

			// Only the coordinator (and admins) have the page and the menu entry.
			owner := s.browser(t)
			owner.signIn(s.owner)
			require.Equal(t, http.StatusForbidden, owner.get(base).status)
			require.NotContains(t, owner.get("/ui/projects/"+project.ID).body, base)
			b := s.browser(t)
			b.signIn(person{coord, token})
			home := b.get("/ui/projects/" + project.ID)
			require.Contains(t, home.body, `href="`+base+`"`)
			pg := b.get(base)
			require.Equal(t, 200, pg.status, pg.body)
			for _, want := range []string{"Firenze", "Instrument Gabrovo", "Group Firenze", "Giulia Owner", "Invite a member"} {
				require.Contains(t, pg.body, want)
			}

			// Invite a new person: a user and a member are made, and the mail's
			// link signs them in and lands in the project.
			res := b.post(base+"/invite", url.Values{"email": {"New.Member@example.org"}, "name": {"Nóra Új"}, "role": {"observer"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Contains(t, b.get(res.header.Get("Location")).body, "The invitation was sent.")
			res = b.post(base+"/invite", url.Values{"email": {"new.member@example.org"}, "name": {"Again"}, "role": {"observer"}})
			require.Equal(t, http.StatusConflict, res.status)
			require.Contains(t, res.body, "already a member")
			res = b.post(base+"/invite", url.Values{"email": {"nobody"}, "name": {""}, "role": {"partner"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status)
			require.Contains(t, res.body, `value="nobody"`, "what was typed stays")
			link := s.invitationLink(t, "new.member@example.org")
			guest := s.browser(t)
			form := guest.get(link)
			require.Equal(t, 200, form.status, form.body)
			require.Contains(t, form.body, `name="next" value="/ui/projects/`+project.ID+`"`)
			res = guest.post(strings.SplitN(link, "?", 2)[0], url.Values{"next": {"/ui/projects/" + project.ID}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, "/ui/projects/"+project.ID, res.header.Get("Location"))
			require.Equal(t, 200, guest.get("/ui/projects/"+project.ID).status)

			// Edit a partner; a stale form keeps what was typed and shows the
			// current values, saving nothing.
			partner := findPartner(t, s, project.ID, "Firenze")
			edit := base + "/partners/" + partner.ID
			pg = b.get(edit)
			require.Equal(t, 200, pg.status, pg.body)
			require.Contains(t, pg.body, `name="version" value="1"`)
			_, err = s.store.UpdatePartner(ctx, partner.ID, 1, func(p *workflow.Partner) error { p.ShortName = "CNA"; return nil })
			require.NoError(t, err)
			res = b.post(edit, url.Values{"version": {"1"}, "name": {"Firenze"}, "short_name": {"Mine"}, "country": {"IT"}, "region": {""}, "role": {"partner"}})
			require.Equal(t, http.StatusConflict, res.status, res.body)
			require.Contains(t, res.body, `value="Mine"`)
			require.Contains(t, res.body, "CNA")
			require.Contains(t, res.body, `name="version" value="2"`)
			require.Equal(t, "CNA", findPartner(t, s, project.ID, "Firenze").ShortName)
			res = b.post(edit, url.Values{"version": {"2"}, "name": {"Firenze"}, "short_name": {"Mine"}, "country": {"IT"}, "region": {"XX99"}, "role": {"partner"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			res = b.post(edit, url.Values{"version": {"2"}, "name": {"Firenze"}, "short_name": {"Mine"}, "country": {"IT"}, "region": {"ITI1"}, "role": {"partner"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, "Mine", findPartner(t, s, project.ID, "Firenze").ShortName)

			// Removing the plan's partner is refused, saying why, in the
			// page's language.
			pg = b.get(edit + "/remove")
			require.Equal(t, 200, pg.status, pg.body)
			res = b.post(edit+"/remove", url.Values{"version": {"3"}})
			require.Equal(t, http.StatusConflict, res.status, res.body)
			require.Contains(t, res.body, "owns action plan (1): Piano d")
			require.Equal(t, "Firenze", findPartner(t, s, project.ID, "Firenze").Name)
			it := s.browser(t)
			it.signIn(person{coord, token})
			it.get(edit + "/remove") // the session's form token
			res = it.post(edit+"/remove", url.Values{"version": {"3"}}, "Accept-Language", "it")
			require.Equal(t, http.StatusConflict, res.status)
			require.Contains(t, res.body, "possiede: piano d")

			// An instrument's partners are chosen in a multiple select; an
			// instrument with a plan keeps its partners.
			pis, _, err := s.store.ListPolicyInstruments(ctx, project.ID, workflow.Page{Limit: 50})
			require.NoError(t, err)
			gabrovo := findPartner(t, s, project.ID, "Gabrovo")
			for _, pi := range pis {
				pg = b.get(base + "/policy-instruments/" + pi.ID)
				require.Equal(t, 200, pg.status, pg.body)
				require.Contains(t, pg.body, `<select id="f-partner-ids" name="partner_ids" multiple`)
				res = b.post(base+"/policy-instruments/"+pi.ID, url.Values{"version": {"1"}, "name": {pi.Name}, "type": {"etc"},
					"partner_ids": {partner.ID, gabrovo.ID}})
				if pi.Name == "Instrument Firenze" {
					require.Equal(t, http.StatusConflict, res.status, res.body)
					require.Contains(t, res.body, "cannot change")
				} else {
					require.Equal(t, http.StatusSeeOther, res.status, res.body)
					got, err := s.store.PolicyInstrument(ctx, pi.ID)
					require.NoError(t, err)
					require.ElementsMatch(t, []string{partner.ID, gabrovo.ID}, got.PartnerIDs)
				}
			}

			// A member's role changes; removing one ends their access at once.
			members, _, err := s.store.ListMemberships(ctx, project.ID, workflow.Page{Limit: 50})
			require.NoError(t, err)
			var readerM workflow.Membership
			for _, m := range members {
				if m.UserID == s.reader.user.ID {
					readerM = m
				}
			}
			reader := s.browser(t)
			reader.signIn(s.reader)
			require.Equal(t, 200, reader.get("/ui/projects/"+project.ID).status)
			res = b.post(base+"/members/"+readerM.ID, url.Values{"version": {"1"}, "role": {"partner"}})
			require.Equal(t, http.StatusUnprocessableEntity, res.status, "a partner needs its partner")
			apiGet := func(token string) int {
				r, err := http.NewRequest("GET", s.url+"/api/v1/projects/"+project.ID, nil)
				require.NoError(t, err)
				r.Header.Set("Authorization", "Bearer "+token)
				res, err := http.DefaultClient.Do(r)
				require.NoError(t, err)
				res.Body.Close()
				return res.StatusCode
			}
			require.Equal(t, 200, apiGet(s.reader.token), "the API has the reader cached")
			res = b.post(base+"/members/"+readerM.ID+"/remove", url.Values{"version": {"1"}})
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			require.Equal(t, http.StatusNotFound, reader.get("/ui/projects/"+project.ID).status)
			require.Equal(t, 404, apiGet(s.reader.token), "and forgets them at once when the page removes them")

			// The project's settings: an extension; dates out of order are
			// refused at their field.
			pg = b.get(base + "/settings")
			require.Equal(t, 200, pg.status, pg.body)
			settings := url.Values{"version": {"1"}, "acronym": {"WEB"}, "title": {"Pages"}, "programme": {"Interreg Europe"},
				"phase1_start": {"2016-04-01"}, "phase1_end": {"2019-03-31"}, "phase2_end": {"2018-01-01"},
				"consultation_days": {"14"}, "matrix_names": {"organisations"}, "language": {"en"}, "time_zone": {"Europe/Rome"}}
			res = b.post(base+"/settings", settings)
			require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
			require.Contains(t, res.body, "is before phase1_end")
			settings.Set("phase2_end", "2021-09-30")
			res = b.post(base+"/settings", settings)
			require.Equal(t, http.StatusSeeOther, res.status, res.body)
			p, err := s.store.Project(ctx, project.ID)
			require.NoError(t, err)
			require.Equal(t, "2021-09-30", p.Phase2End.String())
			require.Equal(t, "Europe/Rome", p.TimeZone)
			res = b.post(base+"/settings", settings)
			require.Equal(t, http.StatusConflict, res.status, "version 1 is stale now")
		})
	}
}

func findPartner(t *testing.T, s *site, projectID, name string) workflow.Partner {
	t.Helper()
	ps, _, err := s.store.ListPartners(ctx, projectID, workflow.Page{Limit: 50})
	require.NoError(t, err)
	for _, p := range ps {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no partner %s", name)
	return workflow.Partner{}
}
