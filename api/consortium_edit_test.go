package api_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestConsortiumEditing: versions (428, 412), refusals that say what holds
// a record (409), and that a removed member or a changed role loses the
// old access at once on this server, on both databases.
func TestConsortiumEditing(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("EDIT")
		coord := c.tokens["coordinator"]
		path := "/api/v1/partners/" + c.partner.ID

		res := e.do(req{Method: "PATCH", Path: path, Token: coord, Body: map[string]any{"short_name": "BVK"}})
		require.Equal(t, 428, res.Status, "%s", res.Body)
		res = e.do(req{Method: "PATCH", Path: path, Token: coord, Body: map[string]any{"short_name": "BVK"}, Headers: map[string]string{"If-Match": "3"}})
		require.Equal(t, 400, res.Status, "%s", res.Body)
		res = e.do(req{Method: "PATCH", Path: path, Token: coord, Body: map[string]any{"short_name": "BVK"}, Headers: map[string]string{"If-Match": `"7"`}})
		require.Equal(t, 412, res.Status, "%s", res.Body)
		res = e.do(req{Method: "PATCH", Path: path, Token: coord, Body: map[string]any{"short_name": "BVK", "region": "HU12"}, Headers: ifMatch1})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.Equal(t, `"2"`, res.Header.Get("ETag"))
		var p workflow.Partner
		res.json(t, &p)
		require.Equal(t, "BVK", p.ShortName)
		require.Equal(t, "Budapesti Vállalkozásfejlesztési Közalapítvány", p.Name, "a field left out keeps its value")
		res = e.do(req{Method: "PATCH", Path: path, Token: coord, Body: map[string]any{"country": "Hungary"}, Headers: map[string]string{"If-Match": `"2"`}})
		require.Equal(t, 422, res.Status, "%s", res.Body)
		res = e.do(req{Method: "PATCH", Path: path, Token: coord, Body: map[string]any{"colour": "red"}, Headers: map[string]string{"If-Match": `"2"`}})
		require.Equal(t, 400, res.Status, "%s", res.Body)

		// The partner owns the plan and the review: 409, saying so.
		res = e.do(req{Method: "DELETE", Path: path, Token: coord, Headers: map[string]string{"If-Match": `"2"`}})
		require.Equal(t, 409, res.Status, "%s", res.Body)
		pr := res.problem(t)
		require.Contains(t, pr.Detail, "owns action plan (1): ")
		require.Contains(t, pr.Detail, c.plan.Title)
		require.Contains(t, pr.Detail, "owns peer review (1)")
		require.NotEmpty(t, pr.Errors)
		res = e.do(req{Method: "GET", Path: "/api/v1/projects/" + c.project.ID + "/partners", Token: coord})
		require.Contains(t, string(res.Body), c.partner.ID, "nothing removed")

		res = e.do(req{Method: "DELETE", Path: "/api/v1/policy-instruments/" + c.instrument.ID, Token: coord, Headers: ifMatch1})
		require.Equal(t, 409, res.Status, "%s", res.Body)
		require.Contains(t, res.problem(t).Detail, "has action plan (1)")
		res = e.do(req{Method: "DELETE", Path: "/api/v1/stakeholder-groups/" + c.group.ID, Token: coord, Headers: ifMatch1})
		require.Equal(t, 409, res.Status, "%s", res.Body)
		require.Contains(t, res.problem(t).Detail, "scopes members (1)")

		// The project: dates for an extension, under If-Match.
		pp := "/api/v1/projects/" + c.project.ID
		res = e.do(req{Method: "GET", Path: pp, Token: coord})
		require.Equal(t, `"1"`, res.Header.Get("ETag"))
		res = e.do(req{Method: "PATCH", Path: pp, Token: coord, Headers: ifMatch1,
			Body: map[string]any{"phase1_end": "2019-03-31", "phase2_end": "2021-09-30", "consultation_days": 21, "title": "Crafts, extended"}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var proj workflow.Project
		res.json(t, &proj)
		require.Equal(t, 2, proj.Version)
		require.Equal(t, "2021-09-30", proj.Phase2End.String())
		require.Equal(t, 21, proj.ConsultationDays)
		require.Equal(t, "2016-04-01", proj.Phase1Start.String(), "left out, kept")
		res = e.do(req{Method: "PATCH", Path: pp, Token: coord, Headers: map[string]string{"If-Match": `"2"`}, Body: map[string]any{"phase2_end": nil}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		res.json(t, &proj)
		require.Nil(t, proj.Phase2End, "null clears a date")
		res = e.do(req{Method: "PATCH", Path: pp, Token: coord, Headers: map[string]string{"If-Match": `"3"`}, Body: map[string]any{"phase1_end": "2015-01-01"}})
		require.Equal(t, 422, res.Status, "%s", res.Body)
		res = e.do(req{Method: "PATCH", Path: pp, Token: coord, Headers: map[string]string{"If-Match": `"3"`}, Body: map[string]any{"phase1_end": "soon"}})
		require.Equal(t, 400, res.Status, "%s", res.Body)
		res = e.do(req{Method: "PATCH", Path: pp, Token: coord, Headers: map[string]string{"If-Match": `"3"`}, Body: map[string]any{"consultation_days": 0}})
		require.Equal(t, 422, res.Status, "%s", res.Body)
		res = e.do(req{Method: "PATCH", Path: pp, Token: coord, Headers: map[string]string{"If-Match": `"3"`}, Body: map[string]any{"acronym": "EDIT-other"}})
		require.Equal(t, 409, res.Status, "%s", res.Body)

		// A member whose role changes loses the old access at once here.
		obs := c.tokens["observer"]
		var members struct {
			Items []workflow.Membership `json:"items"`
		}
		e.do(req{Method: "GET", Path: pp + "/members", Token: coord}).json(t, &members)
		var partnerM, observerM workflow.Membership
		for _, m := range members.Items {
			switch m.Role {
			case workflow.RolePartner:
				partnerM = m
			case workflow.RoleObserver:
				observerM = m
			}
		}
		require.Equal(t, 200, e.do(req{Method: "GET", Path: pp + "/members", Token: c.tokens["partner"]}).Status)
		res = e.do(req{Method: "PATCH", Path: "/api/v1/members/" + partnerM.ID, Token: coord, Headers: ifMatch1,
			Body: map[string]any{"role": "stakeholder", "stakeholder_group_id": c.group.ID}})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.Equal(t, 403, e.do(req{Method: "GET", Path: pp + "/members", Token: c.tokens["partner"]}).Status, "the partner's old right is gone")
		res = e.do(req{Method: "PATCH", Path: "/api/v1/members/" + partnerM.ID, Token: coord, Headers: map[string]string{"If-Match": `"2"`},
			Body: map[string]any{"role": "partner"}})
		require.Equal(t, 422, res.Status, "a partner needs its partner: %s", res.Body)

		require.Equal(t, 200, e.do(req{Method: "GET", Path: pp, Token: obs}).Status)
		require.Equal(t, 204, e.do(req{Method: "DELETE", Path: "/api/v1/members/" + observerM.ID, Token: coord, Headers: ifMatch1}).Status)
		require.Equal(t, 404, e.do(req{Method: "GET", Path: pp, Token: obs}).Status, "a removed member is out at once")
		require.Equal(t, 404, e.do(req{Method: "DELETE", Path: "/api/v1/members/" + observerM.ID, Token: coord, Headers: ifMatch1}).Status)

		// Another project's coordinator does not see these records.
		require.Equal(t, 404, e.do(req{Method: "PATCH", Path: path, Token: c.tokens["outsider"], Headers: ifMatch1, Body: map[string]any{"name": "x"}}).Status)
	})
}

// TestInvitation: a new address becomes a user and member, gets the link
// mail through the configured inviter; a second invitation is 409.
func TestInvitation(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			var mu sync.Mutex
			var sent []string
			e := setupWith(t, d, func(cfg *api.Config) {
				cfg.Inviter = func(_ context.Context, u workflow.User, m workflow.Membership, p workflow.Project, by workflow.User) error {
					mu.Lock()
					defer mu.Unlock()
					sent = append(sent, u.Email+" "+string(m.Role)+" "+p.Acronym+" "+by.Name)
					return nil
				}
			})
			c := e.consortium("INV")
			path := "/api/v1/projects/" + c.project.ID + "/invitations"
			body := map[string]any{"email": " Uj.Tag@Example.org ", "name": "Új Tag", "role": "partner", "partner_id": c.partner.ID}
			res := e.do(req{Method: "POST", Path: path, Token: c.tokens["coordinator"], Body: body})
			require.Equal(t, 201, res.Status, "%s", res.Body)
			var inv struct {
				Membership  workflow.Membership `json:"membership"`
				User        workflow.User       `json:"user"`
				UserCreated bool                `json:"user_created"`
				Mailed      bool                `json:"mailed"`
			}
			res.json(t, &inv)
			require.True(t, inv.UserCreated)
			require.True(t, inv.Mailed)
			require.Equal(t, "uj.tag@example.org", inv.User.Email)
			require.Equal(t, c.partner.ID, inv.Membership.PartnerID)
			require.Equal(t, []string{"uj.tag@example.org partner INV coordinator"}, sent)
			res = e.do(req{Method: "POST", Path: path, Token: c.tokens["coordinator"], Body: body})
			require.Equal(t, 409, res.Status, "%s", res.Body)
			for _, bad := range []map[string]any{
				{"email": "not-an-address", "name": "X", "role": "observer"},
				{"email": "x@example.org", "name": "X", "role": "partner"},
				{"email": "x@example.org", "name": "X", "role": "king"},
				{"email": "x@example.org", "name": "X", "role": "partner", "partner_id": c.other.ID},
			} {
				res := e.do(req{Method: "POST", Path: path, Token: c.tokens["coordinator"], Body: bad})
				require.Equal(t, 422, res.Status, "%v: %s", bad, res.Body)
			}
			_, err := e.store.UserByEmail(context.Background(), "x@example.org")
			require.Equal(t, workflow.CodeNotFound, workflow.ErrorCode(err), "a refused invitation leaves no user")
		})
	}
}
