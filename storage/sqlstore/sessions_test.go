package sqlstore_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestSessions: sign-in links work once and only before they expire;
// sessions carry the user's memberships, expire and end on sign-out.
func TestSessions(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			sd := seed(t, s, "SESS")
			u := workflow.User{Email: "reader@example.org", Name: "Reader"}
			_, apiHash := workflow.NewToken()
			require.NoError(t, s.CreateUser(ctx, &u, apiHash, "test"))
			m := workflow.Membership{ProjectID: sd.project.ID, UserID: u.ID, Role: workflow.RoleStakeholder, StakeholderGroupID: sd.group.ID}
			require.NoError(t, s.CreateMembership(ctx, &m))

			// A link works once.
			link, linkHash := workflow.NewToken()
			require.NoError(t, s.CreateLoginLink(ctx, u.ID, linkHash, time.Now().Add(15*time.Minute)))
			got, err := s.UseLoginLink(ctx, workflow.HashToken(link))
			require.NoError(t, err)
			require.Equal(t, u.ID, got)
			_, err = s.UseLoginLink(ctx, linkHash)
			require.Equal(t, workflow.CodeNotFound, code(t, err), "a link is single-use")

			// Of two racing uses, exactly one wins.
			_, raceHash := workflow.NewToken()
			require.NoError(t, s.CreateLoginLink(ctx, u.ID, raceHash, time.Now().Add(time.Minute)))
			var wg sync.WaitGroup
			wins := make(chan error, 4)
			for range 4 {
				wg.Go(func() { _, err := s.UseLoginLink(ctx, raceHash); wins <- err })
			}
			wg.Wait()
			close(wins)
			ok := 0
			for err := range wins {
				if err == nil {
					ok++
				} else {
					require.Equal(t, workflow.CodeNotFound, code(t, err))
				}
			}
			require.Equal(t, 1, ok)

			// An expired link and an unknown one do nothing.
			_, oldHash := workflow.NewToken()
			require.NoError(t, s.CreateLoginLink(ctx, u.ID, oldHash, time.Now().Add(-time.Second)))
			_, err = s.UseLoginLink(ctx, oldHash)
			require.Equal(t, workflow.CodeNotFound, code(t, err), "an expired link")
			_, unknown := workflow.NewToken()
			_, err = s.UseLoginLink(ctx, unknown)
			require.Equal(t, workflow.CodeNotFound, code(t, err))

			// A session is its user with memberships and the group's instrument.
			_, sessHash := workflow.NewToken()
			expires := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
			require.NoError(t, s.CreateSession(ctx, u.ID, sessHash, expires))
			p, until, err := s.SessionPrincipal(ctx, sessHash)
			require.NoError(t, err)
			require.Equal(t, u.ID, p.User.ID)
			require.WithinDuration(t, expires, until, time.Second)
			require.Len(t, p.Memberships, 1)
			require.Equal(t, sd.instrument.ID, p.GroupInstruments[sd.group.ID])
			require.Equal(t, workflow.Scope{InstrumentID: sd.instrument.ID}, p.DeliverableScope(sd.project.ID))

			// Signing out ends it; ending it again is fine.
			require.NoError(t, s.DeleteSession(ctx, sessHash))
			_, _, err = s.SessionPrincipal(ctx, sessHash)
			require.Equal(t, workflow.CodeNotFound, code(t, err))
			require.NoError(t, s.DeleteSession(ctx, sessHash))

			// An expired session signs no one in.
			_, staleHash := workflow.NewToken()
			require.NoError(t, s.CreateSession(ctx, u.ID, staleHash, time.Now().Add(-time.Second)))
			_, _, err = s.SessionPrincipal(ctx, staleHash)
			require.Equal(t, workflow.CodeNotFound, code(t, err), "an expired session")

			// A session hash is not an API token, and the other way round.
			_, err = s.Authenticate(ctx, staleHash)
			require.Equal(t, workflow.CodeNotFound, code(t, err))
			_, _, err = s.SessionPrincipal(ctx, apiHash)
			require.Equal(t, workflow.CodeNotFound, code(t, err))
			pa, err := s.Authenticate(ctx, apiHash)
			require.NoError(t, err)
			require.Equal(t, u.ID, pa.User.ID)
		})
	}
}
