package sqlstore_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestPersonalTokens: tokens are made with a name and an expiry, listed
// without their secrets, expire, record their last use at most once a
// minute and are revoked only by their owner (or from the command line).
func TestPersonalTokens(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			s.SetTokenTTL(48 * time.Hour)
			u := workflow.User{Email: "owner@example.org", Name: "Owner"}
			first, firstHash := workflow.NewToken()
			require.NoError(t, s.CreateUser(ctx, &u, firstHash, "cli"))
			other := workflow.User{Email: "other@example.org", Name: "Other"}
			_, otherHash := workflow.NewToken()
			require.NoError(t, s.CreateUser(ctx, &other, otherHash, "cli"))

			// The user's first token expires after the store's TTL.
			ts, next, err := s.ListTokens(ctx, u.ID, workflow.Page{Limit: 10})
			require.NoError(t, err)
			require.Empty(t, next)
			require.Len(t, ts, 1)
			require.True(t, workflow.ValidID(ts[0].ID))
			require.Equal(t, "cli", ts[0].Name)
			require.NotNil(t, ts[0].ExpiresAt)
			require.WithinDuration(t, time.Now().Add(48*time.Hour), *ts[0].ExpiresAt, time.Minute)
			require.Nil(t, ts[0].LastUsedAt)

			// A personal token with its own expiry; one already expired
			// does not authenticate.
			exp := time.Now().Add(time.Hour)
			secret, hash := workflow.NewToken()
			tok := workflow.Token{UserID: u.ID, Name: "Laptop", ExpiresAt: &exp}
			require.NoError(t, s.CreateToken(ctx, &tok, hash))
			require.True(t, workflow.ValidID(tok.ID))
			p, err := s.Authenticate(ctx, workflow.HashToken(secret))
			require.NoError(t, err)
			require.Equal(t, u.ID, p.User.ID)
			past := time.Now().Add(-time.Second)
			_, oldHash := workflow.NewToken()
			old := workflow.Token{UserID: u.ID, Name: "Old", ExpiresAt: &past}
			require.NoError(t, s.CreateToken(ctx, &old, oldHash))
			_, err = s.Authenticate(ctx, oldHash)
			require.Equal(t, workflow.CodeNotFound, code(t, err), "an expired token")
			// Without expiry (an admin's choice, checked by the caller).
			_, foreverHash := workflow.NewToken()
			forever := workflow.Token{UserID: u.ID, Name: "Server"}
			require.NoError(t, s.CreateToken(ctx, &forever, foreverHash))
			_, err = s.Authenticate(ctx, foreverHash)
			require.NoError(t, err)
			ts, _, err = s.ListTokens(ctx, u.ID, workflow.Page{Limit: 10})
			require.NoError(t, err)
			require.Len(t, ts, 4, "expired tokens are listed too")
			// Pages by id.
			page1, next, err := s.ListTokens(ctx, u.ID, workflow.Page{Limit: 3})
			require.NoError(t, err)
			require.Len(t, page1, 3)
			page2, next2, err := s.ListTokens(ctx, u.ID, workflow.Page{Limit: 3, After: next})
			require.NoError(t, err)
			require.Len(t, page2, 1)
			require.Empty(t, next2)

			// The last use is written once a minute at most.
			at := time.Now().UTC()
			require.NoError(t, s.TouchToken(ctx, hash, at))
			require.NoError(t, s.TouchToken(ctx, hash, at.Add(30*time.Second)))
			require.Equal(t, at.Truncate(time.Microsecond), lastUsed(t, s, u.ID, tok.ID).Truncate(time.Microsecond))
			require.NoError(t, s.TouchToken(ctx, hash, at.Add(61*time.Second)))
			require.WithinDuration(t, at.Add(61*time.Second), lastUsed(t, s, u.ID, tok.ID), time.Millisecond)

			// Another person cannot revoke it; its owner can, once.
			_, err = s.RevokeToken(ctx, other.ID, tok.ID)
			require.Equal(t, workflow.CodeNotFound, code(t, err))
			got, err := s.RevokeToken(ctx, u.ID, tok.ID)
			require.NoError(t, err)
			require.Equal(t, "Laptop", got.Name)
			_, err = s.Authenticate(ctx, hash)
			require.Equal(t, workflow.CodeNotFound, code(t, err), "a revoked token")
			_, err = s.RevokeToken(ctx, u.ID, tok.ID)
			require.Equal(t, workflow.CodeNotFound, code(t, err))
			_, err = s.RevokeToken(ctx, u.ID, "not-an-id")
			require.Equal(t, workflow.CodeNotFound, code(t, err))
			// From the command line: anyone's.
			_, err = s.RevokeToken(ctx, "", forever.ID)
			require.NoError(t, err)
			_, err = s.Authenticate(ctx, foreverHash)
			require.Equal(t, workflow.CodeNotFound, code(t, err))
			_, err = s.Authenticate(ctx, workflow.HashToken(first))
			require.NoError(t, err, "the other tokens still work")

			// A token for nobody.
			_, h := workflow.NewToken()
			err = s.CreateToken(ctx, &workflow.Token{UserID: workflow.NewID(), Name: "x", ExpiresAt: &exp}, h)
			require.Equal(t, workflow.CodeNotFound, code(t, err))
		})
	}
}

func lastUsed(t *testing.T, s *sqlstore.Store, userID, id string) time.Time {
	t.Helper()
	ts, _, err := s.ListTokens(ctx, userID, workflow.Page{Limit: 100})
	require.NoError(t, err)
	for _, tk := range ts {
		if tk.ID == id {
			require.NotNil(t, tk.LastUsedAt)
			return *tk.LastUsedAt
		}
	}
	t.Fatalf("token %s not listed", id)
	return time.Time{}
}

// TestDeactivateUser: a deactivated user's tokens and sessions stop
// working at once, sign-in links too; what they wrote stays under their
// name; deactivating again changes nothing.
func TestDeactivateUser(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			u := workflow.User{Email: "leaving@example.org", Name: "Leaving Person"}
			_, hash := workflow.NewToken()
			require.NoError(t, s.CreateUser(ctx, &u, hash, "cli"))
			_, sessHash := workflow.NewToken()
			require.NoError(t, s.CreateSession(ctx, u.ID, sessHash, time.Now().Add(time.Hour)))
			_, linkHash := workflow.NewToken()
			require.NoError(t, s.CreateLoginLink(ctx, u.ID, linkHash, time.Now().Add(time.Hour)))
			_, _, err := s.SessionPrincipal(ctx, sessHash)
			require.NoError(t, err)

			got, err := s.DeactivateUser(ctx, u.ID)
			require.NoError(t, err)
			require.NotNil(t, got.DeactivatedAt)
			require.Equal(t, "Leaving Person", got.Name)
			_, err = s.Authenticate(ctx, hash)
			require.Equal(t, workflow.CodeNotFound, code(t, err), "the token")
			_, _, err = s.SessionPrincipal(ctx, sessHash)
			require.Equal(t, workflow.CodeNotFound, code(t, err), "the session")
			_, err = s.UseLoginLink(ctx, linkHash)
			require.Equal(t, workflow.CodeNotFound, code(t, err), "the sign-in link")
			err = s.CreateToken(ctx, &workflow.Token{UserID: u.ID, Name: "again"}, hash[:63]+"0")
			require.Equal(t, workflow.CodeNotFound, code(t, err), "no new token")

			// Their name stays for what they did; the admin sees them.
			names, err := s.UserNames(ctx, []string{u.ID})
			require.NoError(t, err)
			require.Equal(t, "Leaving Person", names[u.ID])
			again, err := s.DeactivateUser(ctx, u.ID)
			require.NoError(t, err)
			require.Equal(t, got.DeactivatedAt, again.DeactivatedAt)
			byID, err := s.User(ctx, u.ID)
			require.NoError(t, err)
			require.NotNil(t, byID.DeactivatedAt)
			ts, _, err := s.ListTokens(ctx, u.ID, workflow.Page{Limit: 10})
			require.NoError(t, err)
			require.Len(t, ts, 1, "the tokens stay listed")

			_, err = s.DeactivateUser(ctx, workflow.NewID())
			require.Equal(t, workflow.CodeNotFound, code(t, err))
			_, err = s.User(ctx, "nope")
			require.Equal(t, workflow.CodeNotFound, code(t, err))
		})
	}
}
