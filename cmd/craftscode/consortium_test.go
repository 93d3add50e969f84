package main

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// principalTTL is the documented time (README, api/auth.go) after which a
// membership change made through one process shows on the others.
const principalTTL = 2 * time.Second

// TestAccessEndsOnEveryProcess: two servers on one PostgreSQL. A member
// removed, or whose role changes, through one of them loses the old access
// on that one at once, and on the other within the cache time.
func TestAccessEndsOnEveryProcess(t *testing.T) {
	t.Parallel()
	env, _ := postgresEnv(t)
	var demo demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, copyEnv(env), "demo", "--consortium-only"), &demo))
	a := serve(t, copyEnv(env))
	b := serve(t, copyEnv(env))
	coord := tokenOf(t, demo, "coordinator")
	byEmail := map[string]string{}
	for _, u := range demo.Users {
		byEmail[u.Email] = u.Token
	}
	project := a.url + "/api/v1/projects/" + demo.ProjectID
	var members struct{ Items []workflow.Membership }
	require.Equal(t, 200, call(t, "GET", project+"/members?limit=200", coord, nil, 0, &members))
	var me struct{ ID string }
	membership := func(token string) workflow.Membership {
		require.Equal(t, 200, call(t, "GET", a.url+"/api/v1/me", token, nil, 0, &me))
		for _, m := range members.Items {
			if m.UserID == me.ID {
				return m
			}
		}
		t.Fatalf("no membership of %s", me.ID)
		return workflow.Membership{}
	}
	// within waits until the call answers want on url and says how long it took.
	within := func(url, token string, want int) time.Duration {
		start := time.Now()
		for {
			got := call(t, "GET", url, token, nil, 0, nil)
			if got == want {
				return time.Since(start)
			}
			require.Less(t, time.Since(start), 3*principalTTL, "still %d on %s after %s", got, url, time.Since(start))
			time.Sleep(50 * time.Millisecond)
		}
	}

	// Removal through a.
	removed := byEmail["partner.ie@crafts-code.example"]
	m := membership(removed)
	for _, s := range []*served{a, b} { // both processes have the caller cached
		require.Equal(t, 200, call(t, "GET", s.url+"/api/v1/projects/"+demo.ProjectID, removed, nil, 0, nil))
	}
	require.Equal(t, 204, call(t, "DELETE", a.url+"/api/v1/members/"+m.ID, coord, nil, m.Version, nil))
	require.Equal(t, 404, call(t, "GET", a.url+"/api/v1/projects/"+demo.ProjectID, removed, nil, 0, nil), "at once on the process that removed")
	took := within(b.url+"/api/v1/projects/"+demo.ProjectID, removed, 404)
	t.Logf("the other process refused the removed member after %s", took)
	require.LessOrEqual(t, took, principalTTL+time.Second)

	// A role change through b: a partner (who may list the members)
	// becomes a stakeholder (who may not).
	changed := byEmail["partner.fi@crafts-code.example"]
	m = membership(changed)
	var groups struct{ Items []workflow.StakeholderGroup }
	require.Equal(t, 200, call(t, "GET", project+"/stakeholder-groups", coord, nil, 0, &groups))
	for _, s := range []*served{a, b} {
		require.Equal(t, 200, call(t, "GET", s.url+"/api/v1/projects/"+demo.ProjectID+"/members", changed, nil, 0, nil))
	}
	require.Equal(t, 200, call(t, "PATCH", b.url+"/api/v1/members/"+m.ID, coord,
		map[string]any{"role": "stakeholder", "stakeholder_group_id": groups.Items[0].ID}, m.Version, nil))
	require.Equal(t, 403, call(t, "GET", b.url+"/api/v1/projects/"+demo.ProjectID+"/members", changed, nil, 0, nil), "at once on the process that changed it")
	took = within(a.url+"/api/v1/projects/"+demo.ProjectID+"/members", changed, 403)
	t.Logf("the other process refused the old role after %s", took)
	require.LessOrEqual(t, took, principalTTL+time.Second)
}
