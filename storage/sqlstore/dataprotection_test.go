package sqlstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestEraseUser: erasure deactivates the account (token, session, sign-in
// link), pseudonymises name and e-mail once, and keeps the memberships.
func TestEraseUser(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			sd := seed(t, s, "ERASE")
			u := workflow.User{Email: "anna@example.org", Name: "Kovács Anna"}
			_, apiHash := workflow.NewToken()
			require.NoError(t, s.CreateUser(ctx, &u, apiHash, "test"))
			m := workflow.Membership{ProjectID: sd.project.ID, UserID: u.ID, Role: workflow.RoleStakeholder, StakeholderGroupID: sd.group.ID}
			require.NoError(t, s.CreateMembership(ctx, &m))
			_, sessHash := workflow.NewToken()
			require.NoError(t, s.CreateSession(ctx, u.ID, sessHash, time.Now().Add(time.Hour)))
			_, linkHash := workflow.NewToken()
			require.NoError(t, s.CreateLoginLink(ctx, u.ID, linkHash, time.Now().Add(time.Hour)))
			_, err := s.Authenticate(ctx, apiHash)
			require.NoError(t, err)

			got, err := s.EraseUser(ctx, u.ID)
			require.NoError(t, err)
			require.Regexp(t, `^Former stakeholder \d+ of `, got.Name)
			require.Contains(t, got.Name, sd.group.Name)
			require.NotContains(t, got.Email, "anna")
			_, err = s.Authenticate(ctx, apiHash)
			require.Equal(t, workflow.CodeNotFound, code(t, err))
			_, _, err = s.SessionPrincipal(ctx, sessHash)
			require.Error(t, err)
			_, err = s.UseLoginLink(ctx, linkHash)
			require.Error(t, err)
			_, err = s.UserByEmail(ctx, "anna@example.org")
			require.Equal(t, workflow.CodeNotFound, code(t, err))
			// A new token does not bring the account back.
			_, newHash := workflow.NewToken()
			if s.AddToken(ctx, u.ID, newHash, "x") == nil {
				_, err = s.Authenticate(ctx, newHash)
				require.Equal(t, workflow.CodeNotFound, code(t, err))
			}

			again, err := s.EraseUser(ctx, u.ID)
			require.NoError(t, err)
			require.Equal(t, got, again)
			names, err := s.UserNames(ctx, []string{u.ID})
			require.NoError(t, err)
			require.Equal(t, got.Name, names[u.ID])

			// The next one gets the next number; one without membership
			// is a former user.
			v := workflow.User{Email: "bela@example.org", Name: "Béla"}
			_, h := workflow.NewToken()
			require.NoError(t, s.CreateUser(ctx, &v, h, "test"))
			gv, err := s.EraseUser(ctx, v.ID)
			require.NoError(t, err)
			require.Regexp(t, `^Former user \d+$`, gv.Name)
			require.NotEqual(t, got.Email, gv.Email)

			_, err = s.EraseUser(ctx, workflow.NewID())
			require.Equal(t, workflow.CodeNotFound, code(t, err))

			data, err := s.PersonalData(ctx, u.ID)
			require.NoError(t, err)
			require.Equal(t, got.Name, data.Profile.Name)
			require.Len(t, data.Memberships, 1)
			require.Equal(t, sd.group.Name, data.Memberships[0].StakeholderGroupName)
		})
	}
}

// TestErasureReachesWebhookPayloads: a kept webhook delivery of a comment
// names its author; after the erasure it names the pseudonym.
func TestErasureReachesWebhookPayloads(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			c := setupConsultation(t, s, "HOOKERASE")
			hook(t, s, c.project.ID, workflow.EventCommentCreated)
			c.comment(t, s, c.sh, "general", "")
			name := c.sh.User.Name
			payloads := func() string {
				var all string
				rows, err := s.DB().QueryContext(ctx, `SELECT payload FROM webhook_deliveries`)
				require.NoError(t, err)
				defer rows.Close()
				for rows.Next() {
					var p string
					require.NoError(t, rows.Scan(&p))
					all += p
				}
				require.NoError(t, rows.Err())
				return all
			}
			require.Contains(t, payloads(), `"author_name":"`+name+`"`)
			erased, err := s.EraseUser(ctx, c.sh.User.ID)
			require.NoError(t, err)
			got := payloads()
			require.NotContains(t, got, `"`+name+`"`)
			require.Contains(t, got, `"author_name":"`+erased.Name+`"`)
		})
	}
}
