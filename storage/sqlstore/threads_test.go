package sqlstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// tally counts threads the way the page did from Comments: the brute
// force that CommentThreads' GROUP BY must agree with.
func tally(threads []workflow.Comment) map[string]workflow.SectionTally {
	out := map[string]workflow.SectionTally{}
	for _, t := range threads {
		s := out[t.Section]
		s.Threads++
		s.Comments += 1 + len(t.Replies)
		if t.Response == nil && !t.Hidden && !t.Deleted {
			s.Unanswered++
		}
		out[t.Section] = s
	}
	return out
}

// mostRecent keeps, of threads in order, those of section ("" for all)
// that are among the n most recent of their section (n 0: all), in order.
func mostRecent(threads []workflow.Comment, section string, n int) []workflow.Comment {
	left := map[string]int{}
	keep := make([]bool, len(threads))
	for i := len(threads) - 1; i >= 0; i-- {
		t := threads[i]
		if section != "" && t.Section != section {
			continue
		}
		if n == 0 || left[t.Section] < n {
			keep[i] = true
			left[t.Section]++
		}
	}
	var out []workflow.Comment
	for i, t := range threads {
		if keep[i] {
			out = append(out, t)
		}
	}
	return out
}

func ids(threads []workflow.Comment) []string {
	out := make([]string, len(threads))
	for i, t := range threads {
		out[i] = t.ID
	}
	return out
}

func init() {
	suite["CommentThreadsAreWhatAPageShows"] = func(t *testing.T, s *sqlstore.Store) {
		c := setupConsultation(t, s, "PAGE")
		const a, b = "part3.action.2.players", workflow.GeneralSection
		var inA []workflow.Comment // top-level comments on a, oldest first
		for i := range 5 {
			inA = append(inA, c.comment(t, s, c.sh, a, ""))
			if i%2 == 0 {
				c.comment(t, s, c.owner, a, inA[i].ID)
			}
		}
		b1 := c.comment(t, s, c.sh, b, "")
		b1reply := c.comment(t, s, c.owner, b, b1.ID)
		b1replyHidden := c.comment(t, s, c.sh, b, b1.ID)
		b2 := c.comment(t, s, c.sh, b, "")
		// The most recent thread on a is hidden, a reply on b too; one
		// thread is answered and one deleted.
		_, err := s.HideComment(ctx, inA[4].ID, "off topic", c.coord)
		require.NoError(t, err)
		_, err = s.HideComment(ctx, b1replyHidden.ID, "off topic", c.coord)
		require.NoError(t, err)
		_, err = s.RespondToComment(ctx, inA[3].ID, workflow.ResponseNoted, "Noted.", c.owner)
		require.NoError(t, err)
		require.NoError(t, s.DeleteComment(ctx, b2.ID, 1, c.sh))

		for _, p := range []struct {
			name string
			who  workflow.Principal
		}{{"stakeholder", c.sh}, {"owner", c.owner}, {"coordinator", c.coord}, {"observer", c.observer}} {
			all, next, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 0, p.who, workflow.Page{})
			require.NoError(t, err)
			require.Empty(t, next)
			// Paged, the same threads come in pages of at most limit, each
			// with its replies, and the last page says no more follow.
			for _, limit := range []int{1, 2, 3, len(all), len(all) + 1} {
				var paged []workflow.Comment
				after := ""
				for pages := 0; ; pages++ {
					require.Less(t, pages, len(all)+1, "paging ends")
					page, next, err := s.Comments(ctx, c.plan.Kind, c.plan.Plan.ID, 0, p.who, workflow.Page{Limit: limit, After: after})
					require.NoError(t, err)
					require.LessOrEqual(t, len(page), limit)
					paged = append(paged, page...)
					if next == "" {
						break
					}
					require.Equal(t, page[len(page)-1].ID, next)
					after = next
				}
				require.Equal(t, all, paged, "%s, limit %d", p.name, limit)
			}
			for _, q := range []workflow.ThreadQuery{{}, {PerSection: 2}, {PerSection: 1}, {Section: a}, {Section: a, PerSection: 3}, {Section: b, PerSection: 1}} {
				set, err := s.CommentThreads(ctx, c.plan.Kind, c.plan.Plan.ID, 0, p.who, q)
				require.NoError(t, err, "%s %+v", p.name, q)
				require.Equal(t, mostRecent(all, q.Section, q.PerSection), set.Threads, "%s %+v", p.name, q)
				require.Equal(t, tally(all), set.Sections, "%s %+v: every section is tallied, whatever the query", p.name, q)
			}
		}

		// What that means, spelled out: the stakeholder's two most recent
		// threads on a skip the hidden one and are shown oldest first; the
		// owner sees the hidden one, marked.
		set, err := s.CommentThreads(ctx, c.plan.Kind, c.plan.Plan.ID, 0, c.sh, workflow.ThreadQuery{Section: a, PerSection: 2})
		require.NoError(t, err)
		require.Equal(t, []string{inA[2].ID, inA[3].ID}, ids(set.Threads))
		require.Len(t, set.Threads[0].Replies, 1, "the reply is nested in its thread")
		require.Equal(t, c.owner.User.Name, set.Threads[0].Replies[0].AuthorName)
		require.Equal(t, workflow.SectionTally{Threads: 4, Comments: 6, Unanswered: 3}, set.Sections[a])
		require.Equal(t, workflow.SectionTally{Threads: 2, Comments: 3, Unanswered: 1}, set.Sections[b], "the hidden reply is not counted")
		set, err = s.CommentThreads(ctx, c.plan.Kind, c.plan.Plan.ID, 0, c.sh, workflow.ThreadQuery{Section: b})
		require.NoError(t, err)
		require.Equal(t, []string{b1.ID, b2.ID}, ids(set.Threads))
		require.Equal(t, []string{b1reply.ID}, ids(set.Threads[0].Replies))

		set, err = s.CommentThreads(ctx, c.plan.Kind, c.plan.Plan.ID, 0, c.owner, workflow.ThreadQuery{Section: a, PerSection: 2})
		require.NoError(t, err)
		require.Equal(t, []string{inA[3].ID, inA[4].ID}, ids(set.Threads))
		require.True(t, set.Threads[1].Hidden)
		require.Equal(t, "off topic", set.Threads[1].HiddenReason)
		require.Equal(t, workflow.SectionTally{Threads: 5, Comments: 8, Unanswered: 3}, set.Sections[a])
		require.Equal(t, workflow.SectionTally{Threads: 2, Comments: 4, Unanswered: 1}, set.Sections[b])

		// Outside the caller's scope, nothing is there.
		_, err = s.CommentThreads(ctx, c.plan.Kind, c.plan.Plan.ID, 0, c.sh2, workflow.ThreadQuery{PerSection: 10})
		require.Equal(t, workflow.CodeNotFound, code(t, err))
		_, err = s.CommentThreads(ctx, c.plan.Kind, workflow.NewID(), 0, c.sh, workflow.ThreadQuery{})
		require.Equal(t, workflow.CodeNotFound, code(t, err))
	}
}
