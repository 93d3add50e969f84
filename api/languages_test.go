package api_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestLanguageSettings: a person saves their own language and time zone
// with PATCH /api/v1/me, and a coordinator sets a project's defaults with
// PATCH /api/v1/projects/{pid}; bad values are 422 on both databases, and
// problem+json stays English whatever the caller chose.
func TestLanguageSettings(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			e := setup(t, d)
			c := e.consortium("LANG")
			tok := c.tokens["stakeholder"]

			var u workflow.User
			res := e.do(req{Method: "PATCH", Path: "/api/v1/me", Token: tok, Body: map[string]any{"language": "bg", "time_zone": "Europe/Sofia"}})
			require.Equal(t, 200, res.Status, res.Body)
			res.json(t, &u)
			require.Equal(t, "bg", u.Language)
			require.Equal(t, "Europe/Sofia", u.TimeZone)
			var me workflow.User
			e.do(req{Method: "GET", Path: "/api/v1/me", Token: tok}).json(t, &me)
			require.Equal(t, "bg", me.Language, "the cached caller was refreshed")

			for _, bad := range []map[string]any{
				{"language": "fr"},
				{"language": "HU"},
				{"time_zone": "Mars/Olympus"},
				{"time_zone": "Local"},
				{"time_zone": "Europe/Rome\x00"},
				{"language": 7},
				{"colour": "blue"},
			} {
				res := e.do(req{Method: "PATCH", Path: "/api/v1/me", Token: tok, Body: bad})
				require.True(t, res.Status == 422 || res.Status == 400, "%v: %d %s", bad, res.Status, res.Body)
			}
			res = e.do(req{Method: "PATCH", Path: "/api/v1/me", Token: tok, Body: map[string]any{"time_zone": "Nowhere/Town"}})
			require.Equal(t, 422, res.Status)
			require.Contains(t, string(res.Body), "is not a time zone name such as Europe/Rome", "problem+json stays English")
			// Empty clears a setting.
			e.do(req{Method: "PATCH", Path: "/api/v1/me", Token: tok, Body: map[string]any{"language": "", "time_zone": ""}}).json(t, &u)
			require.Equal(t, "", u.Language)
			require.Equal(t, "", u.TimeZone)

			// The project's defaults: en and UTC until set.
			var p workflow.Project
			e.do(req{Method: "GET", Path: "/api/v1/projects/" + c.project.ID, Token: e.admin}).json(t, &p)
			require.Equal(t, "en", p.Language)
			require.Equal(t, "UTC", p.TimeZone)
			res = e.do(req{Method: "PATCH", Path: "/api/v1/projects/" + c.project.ID, Token: c.tokens["coordinator"],
				Body: map[string]any{"time_zone": "Europe/Rome"}, Headers: map[string]string{"If-Match": etagOf(p.Version)}})
			require.Equal(t, 200, res.Status, res.Body)
			res.json(t, &p)
			require.Equal(t, "Europe/Rome", p.TimeZone)
			require.Equal(t, "en", p.Language, "a field left out keeps its value")
			require.Equal(t, workflow.MatrixOrganisations, p.MatrixNames)
			res = e.do(req{Method: "PATCH", Path: "/api/v1/projects/" + c.project.ID, Token: c.tokens["coordinator"],
				Body: map[string]any{"language": "it"}, Headers: map[string]string{"If-Match": etagOf(p.Version)}})
			require.Equal(t, 200, res.Status, res.Body)
			res.json(t, &p)
			require.Equal(t, "it", p.Language)
			require.Equal(t, "Europe/Rome", p.TimeZone)
			for _, bad := range []map[string]any{{"language": "xx"}, {"time_zone": "Europe/Atlantis"}, {}, {"language": ""}} {
				res := e.do(req{Method: "PATCH", Path: "/api/v1/projects/" + c.project.ID, Token: c.tokens["coordinator"], Body: bad,
					Headers: map[string]string{"If-Match": etagOf(p.Version)}})
				require.Equal(t, 422, res.Status, "%v: %s", bad, res.Body)
			}
			// A new project takes them at creation.
			res = e.do(req{Method: "POST", Path: "/api/v1/projects", Token: e.admin,
				Body: map[string]any{"acronym": "LANG2", "title": "Crafts", "language": "fi", "time_zone": "Europe/Helsinki"}})
			require.Equal(t, 201, res.Status, res.Body)
			res.json(t, &p)
			require.Equal(t, "fi", p.Language)
			require.Equal(t, "Europe/Helsinki", p.TimeZone)
			res = e.do(req{Method: "POST", Path: "/api/v1/projects", Token: e.admin,
				Body: map[string]any{"acronym": "LANG3", "title": "Crafts", "time_zone": "Europe/Nowhere"}})
			require.Equal(t, 422, res.Status, res.Body)
		})
	}
}
