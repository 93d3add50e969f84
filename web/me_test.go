package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestMyDataPage: "My data" shows the profile and memberships and
// downloads the same JSON as GET /api/v1/me/export. After an erasure the
// session is gone, and the history page names the person by a pseudonym.
func TestMyDataPage(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			s := newSite(t, d, nil)
			_, err := s.store.AddComment(ctx, workflow.NewComment{Kind: workflow.KindActionPlan, DeliverableID: s.planID,
				Body: "Hubs in Prato too?", Section: "general", Stance: workflow.Stance("question"), Principal: principal(t, s, s.reader)})
			require.NoError(t, err)

			b := s.browser(t)
			b.signIn(s.reader)
			home := b.get("/ui/consultations")
			requireHas(t, home.body, `<a href="/ui/me">My data</a>`)
			res := b.get("/ui/me")
			require.Equal(t, 200, res.status, res.body)
			requireHas(t, res.body, "<h1>My data</h1>")
			requireHas(t, res.body, "Niccolò Reader")
			requireHas(t, res.body, "reader@example.org")
			requireHas(t, res.body, "WEB · Stakeholder · Group Firenze")
			requireHas(t, res.body, "You wrote 1 comment.")
			requireHas(t, res.body, `href="/ui/me/export.json"`)

			res = b.get("/ui/me/export.json")
			require.Equal(t, 200, res.status, res.body)
			require.True(t, strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment;"), res.header.Get("Content-Disposition"))
			require.Equal(t, "application/json; charset=utf-8", res.header.Get("Content-Type"))
			var data workflow.PersonalData
			require.NoError(t, json.Unmarshal([]byte(res.body), &data))
			require.Equal(t, "reader@example.org", data.Profile.Email)
			require.Len(t, data.Comments, 1)
			require.Equal(t, "Hubs in Prato too?", data.Comments[0].Comment.Body)
			require.Equal(t, "created", data.Comments[0].History[0].Event)

			// Erased: the session ends at once.
			_, err = s.store.EraseUser(ctx, s.reader.user.ID)
			require.NoError(t, err)
			res = b.get("/ui/me")
			require.Equal(t, 303, res.status)
			require.Contains(t, res.header.Get("Location"), "/ui/login")

			// The owner submitted the plan: its history names a pseudonym.
			ob := s.browser(t)
			ob.signIn(s.owner)
			require.Contains(t, ob.get("/ui/action-plans/"+s.planID+"/history").body, "Giulia Owner")
			erased, err := s.store.EraseUser(ctx, s.owner.user.ID)
			require.NoError(t, err)
			ab := s.browser(t)
			admin := workflow.User{Email: "admin@example.org", Name: "Admin", Admin: true}
			tok, hash := workflow.NewToken()
			require.NoError(t, s.store.CreateUser(ctx, &admin, hash, "test"))
			ab.signIn(person{admin, tok})
			hist := ab.get("/ui/action-plans/" + s.planID + "/history")
			require.Equal(t, 200, hist.status)
			requireLacks(t, hist.body, "Giulia Owner")
			requireHas(t, hist.body, erased.Name)
			require.Regexp(t, `^Former partner \d+ of Firenze$`, erased.Name)
		})
	}
}
