package api_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// The search rows of the role × endpoint matrix (auth_test.go): every
// member and the admin may search; outsiders do not learn the project.
func init() {
	matrix = append(matrix,
		endpoint{"GET", "/api/v1/projects/{pid}/search", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404},
			func(_ *testEnv, c consortium) (string, any, map[string]string) {
				return "/api/v1/projects/" + c.project.ID + "/search?q=mentor", nil, nil
			}},
	)
}

type searchPage struct {
	Items      []workflow.SearchHit `json:"items"`
	NextCursor string               `json:"next_cursor"`
}

func TestSearch(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("FIND")
		base := "/api/v1/projects/" + c.project.ID + "/search?q="
		find := func(who, q string) searchPage {
			t.Helper()
			var p searchPage
			res := e.do(req{Method: "GET", Path: base + url.QueryEscape(q), Token: c.tokens[who]})
			require.Equal(t, 200, res.Status, "%s", res.Body)
			res.json(t, &p)
			return p
		}
		// The submitted plan's action, for its group's stakeholder too.
		p := find("stakeholder", "MENTORPROG kamara")
		require.Len(t, p.Items, 1)
		require.Equal(t, workflow.SearchAction, p.Items[0].Type)
		require.Equal(t, c.plan.ID, p.Items[0].ID)
		require.Equal(t, 1, p.Items[0].ActionNumber)
		require.Equal(t, "/api/v1/action-plans/"+c.plan.ID, p.Items[0].Links["action_plan"])
		require.Contains(t, p.Items[0].Snippet, "<mark>kamarák</mark>")
		require.Empty(t, p.NextCursor)

		// A draft plan of another instrument: its owner and the coordinator
		// find it, the stakeholder does not. Accents and Cyrillic fold.
		plan := completePlan(e.freshInstrument(c), c.partner.ID)
		plan["actions"] = []map[string]any{
			{"title": "Ремёсла <script>", "description": "Ателье", "players": "x", "timeframe_start": "2019-04-01", "timeframe_end": "2020-03-31"},
			{"title": "Műhely 2", "description": "Ателье", "players": "x", "timeframe_start": "2019-04-01", "timeframe_end": "2020-03-31"},
			{"title": "Műhely 3", "description": "Ателье", "players": "x", "timeframe_start": "2019-04-01", "timeframe_end": "2020-03-31"},
		}
		var draft workflow.ActionPlan
		e.create("/api/v1/projects/"+c.project.ID+"/action-plans", e.admin, plan, &draft)
		require.Len(t, find("partner", "ремесла").Items, 1)
		require.Equal(t, "Ремёсла <script>", find("coordinator", "РЕМЁСЛА").Items[0].Title, "the title is data; the JSON keeps it as it is")
		require.Empty(t, find("stakeholder", "ремесла").Items)
		require.Len(t, find("observer", "muhely").Items, 2)
		require.Empty(t, find("observer", "muhely").NextCursor)

		// Pages of two over three hits.
		var first, second searchPage
		e.do(req{Method: "GET", Path: base + "ателье&limit=2", Token: c.tokens["coordinator"]}).json(t, &first)
		require.Len(t, first.Items, 2)
		require.NotEmpty(t, first.NextCursor)
		e.do(req{Method: "GET", Path: base + "ателье&limit=2&cursor=" + first.NextCursor, Token: c.tokens["coordinator"]}).json(t, &second)
		require.Len(t, second.Items, 1)
		require.Equal(t, 3, second.Items[0].ActionNumber)
		require.Empty(t, second.NextCursor)
		require.Empty(t, find("coordinator", "ателье&type=good_practice").Items)

		for _, bad := range []string{"", "%20-%20", "x&type=event", "x&limit=0", "x&cursor=bm9wZQ", "x&cursor=%21%21", "x&limit=201"} {
			res := e.do(req{Method: "GET", Path: base + bad, Token: c.tokens["coordinator"]})
			require.Equal(t, 400, res.Status, "q=%s: %s", bad, res.Body)
			require.Equal(t, "invalid_parameter", res.problem(t).Code)
		}
	})
}
