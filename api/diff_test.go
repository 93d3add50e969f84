package api_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/revdiff"
	"github.com/craftscode/craftscode/workflow"
)

// resubmit takes a submitted deliverable back to draft, applies the
// change and submits it again: revision 2.
func (e *testEnv) resubmit(seg, id, token string, change map[string]any) {
	e.t.Helper()
	path := "/api/v1/" + seg + "/" + id
	version := func() int {
		var cur struct{ Version int }
		e.do(req{Method: "GET", Path: path, Token: token}).json(e.t, &cur)
		return cur.Version
	}
	e.fire(seg, id, token, "request_changes", version(), 200)
	res := e.do(req{Method: "PATCH", Path: path, Token: token, Body: change, Headers: map[string]string{"If-Match": fmt.Sprintf(`"%d"`, version())}})
	require.Equal(e.t, 200, res.Status, "%s", res.Body)
	e.fire(seg, id, token, "submit", version(), 200)
}

// edits lists a section's inserted and deleted runs as "+text", "-text".
func edits(s revdiff.SectionDiff) []string {
	var out []string
	for _, o := range s.Ops {
		switch o.Op {
		case revdiff.OpInsert:
			out = append(out, "+"+o.Text)
		case revdiff.OpDelete:
			out = append(out, "-"+o.Text)
		}
	}
	return out
}

func sectionOf(t *testing.T, d revdiff.RevisionDiff, anchor string) revdiff.SectionDiff {
	t.Helper()
	for _, s := range d.Sections {
		if s.Anchor == anchor {
			return s
		}
	}
	t.Fatalf("no section %s in %+v", anchor, d.Sections)
	return revdiff.SectionDiff{}
}

// The diff of two revisions, word by word: Hungarian in a plan, Bulgarian
// in a peer review; the parameter's rules; who may read it.
func TestRevisionDiff(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("DIFF")
		owner, stakeholder := c.tokens["partner"], c.tokens["stakeholder"]
		plan := "/api/v1/action-plans/" + c.plan.ID

		// Revision 1 only: nothing to compare with.
		res := e.do(req{Method: "GET", Path: plan + "/revisions/1/diff", Token: stakeholder})
		require.Equal(t, 422, res.Status, "%s", res.Body)
		require.Equal(t, "from", res.problem(t).Errors[0].Field)

		// Threads on revision 1: one on a section revision 2 changes, one on
		// a section it keeps.
		var onChanged, onSame workflow.Comment
		e.create(plan+"/comments", stakeholder, map[string]any{"body": "Kik vesznek részt?", "section": "part3.action.1.players"}, &onChanged)
		e.create(plan+"/comments", stakeholder, map[string]any{"body": "Jó leírás.", "section": "part3.action.1.description"}, &onSame)

		e.resubmit("action-plans", c.plan.ID, owner, map[string]any{"actions": []map[string]any{
			{"title": "Mentorprogram", "description": "Mentoring for craft SMEs", "players": "BVK, kamarák és a győri kézműves szövetség",
				"timeframe_start": "2019-04-01", "timeframe_end": "2020-03-31", "costs": "€ 40 000"},
			{"title": "Kőfaragó műhely", "description": "Közös műhely Győrben", "players": "BVK",
				"timeframe_start": "2019-04-01", "timeframe_end": "2020-03-31"},
		}})

		var d revdiff.RevisionDiff
		res = e.do(req{Method: "GET", Path: plan + "/revisions/2/diff", Token: stakeholder})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		require.NotEmpty(t, res.Header.Get("ETag"))
		res.json(t, &d)
		require.Equal(t, 1, d.From)
		require.Equal(t, 2, d.To)
		require.Equal(t, []string{"part3.action.1.players"}, d.Changed)
		require.Contains(t, d.Added, "part3.action.2")
		require.Contains(t, d.Added, "part3.action.2.description")
		require.Empty(t, d.Removed)
		require.Equal(t, []string{"+ és a győri kézműves szövetség"}, edits(sectionOf(t, d, "part3.action.1.players")))
		require.Equal(t, revdiff.SectionUnchanged, sectionOf(t, d, "part3.action.1.description").Change)
		require.Equal(t, []string{"+Közös műhely Győrben"}, edits(sectionOf(t, d, "part3.action.2.description")))

		// Listed for revision 1, the thread on the changed section is
		// outdated in revision 2; the other is not.
		var threads struct{ Items []workflow.Comment }
		res = e.do(req{Method: "GET", Path: plan + "/comments?revision=1", Token: stakeholder})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		res.json(t, &threads)
		require.Len(t, threads.Items, 2)
		for _, cm := range threads.Items {
			require.Equal(t, cm.ID == onChanged.ID, cm.Outdated, cm.Section)
			require.Equal(t, map[bool]int{true: 2, false: 0}[cm.ID == onChanged.ID], cm.OutdatedIn, cm.Section)
		}
		require.Equal(t, onSame.ID, threads.Items[1].ID)

		// from explicitly; the same answer.
		var again revdiff.RevisionDiff
		e.do(req{Method: "GET", Path: plan + "/revisions/2/diff?from=1", Token: owner}).json(t, &again)
		require.Equal(t, d, again)

		// from must be an earlier revision; n must exist.
		for _, from := range []string{"0", "2", "3", "-1"} {
			res := e.do(req{Method: "GET", Path: plan + "/revisions/2/diff?from=" + from, Token: owner})
			require.Equal(t, 422, res.Status, "from=%s: %s", from, res.Body)
			p := res.problem(t)
			require.Equal(t, "validation_failed", p.Code)
			require.Equal(t, "from", p.Errors[0].Field)
		}
		require.Equal(t, 400, e.do(req{Method: "GET", Path: plan + "/revisions/2/diff?from=egy", Token: owner}).Status)
		require.Equal(t, 400, e.do(req{Method: "GET", Path: plan + "/revisions/x/diff", Token: owner}).Status)
		require.Equal(t, 404, e.do(req{Method: "GET", Path: plan + "/revisions/3/diff", Token: owner}).Status)
		require.Equal(t, 404, e.do(req{Method: "GET", Path: plan + "/revisions/2/diff", Token: c.tokens["outsider"]}).Status)

		// A peer review in Bulgarian: a recommendation's body changes, one goes.
		review := "/api/v1/peer-reviews/" + c.review.ID
		e.resubmit("peer-reviews", c.review.ID, owner, map[string]any{
			"findings":        "Силна мрежа от занаятчийски сдружения в Габрово.",
			"recommendations": []map[string]any{{"title": "Open a design lab", "body": "Споделено оборудване за занаятчийските предприятия."}},
		})
		res = e.do(req{Method: "GET", Path: review + "/revisions/2/diff", Token: stakeholder})
		require.Equal(t, 200, res.Status, "%s", res.Body)
		var rd revdiff.RevisionDiff
		res.json(t, &rd)
		require.ElementsMatch(t, []string{"findings", "recommendation.1"}, rd.Changed)
		require.Equal(t, []string{"-Strong network of craft associations", "+Силна мрежа от занаятчийски сдружения в Габрово"},
			edits(sectionOf(t, rd, "findings")))
		require.Equal(t, []string{"-Shared equipment for craft SMEs", "+Споделено оборудване за занаятчийските предприятия"},
			edits(sectionOf(t, rd, "recommendation.1")))

		e.resubmit("peer-reviews", c.review.ID, owner, map[string]any{
			"findings": "Силна мрежа от занаятчийски сдружения в Стара Загора.",
		})
		var r3 revdiff.RevisionDiff
		e.do(req{Method: "GET", Path: review + "/revisions/3/diff", Token: stakeholder}).json(t, &r3)
		require.Equal(t, []string{"findings"}, r3.Changed)
		require.Equal(t, []string{"-Габрово", "+Стара Загора"}, edits(sectionOf(t, r3, "findings")))
		var r13 revdiff.RevisionDiff
		e.do(req{Method: "GET", Path: review + "/revisions/3/diff?from=1", Token: stakeholder}).json(t, &r13)
		require.Equal(t, 1, r13.From)
		require.ElementsMatch(t, []string{"findings", "recommendation.1"}, r13.Changed)
	})
}
