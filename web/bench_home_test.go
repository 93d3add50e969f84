package web_test

import (
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// BenchmarkProjectHome is GET /ui/projects/{pid} on a project of 200
// deliverables (40 action plans, 100 peer reviews, 60 good practices) in
// every state, 20 of them under consultation with comments, on
// PostgreSQL, over HTTP with a session cookie: the store's read, the
// "needs you now" box, the template and the transfer. The coordinator
// sees all 200; the partner and the stakeholder their share. It reports
// p50, p95 and the page's size.
//
//	go test ./web -run '^$' -bench 'ProjectHome$' -benchtime 200x
func BenchmarkProjectHome(b *testing.B) {
	start, end := workflow.MustDate("2019-01-01"), workflow.MustDate("2019-12-31")
	s := buildSite(b, sqlstore.Postgres, nil, []workflow.PlanAction{{Number: 1, Title: "A", Description: "d", Players: "p",
		TimeframeStart: &start, TimeframeEnd: &end}})
	pr, err := s.store.ProjectByAcronym(ctx, "WEB")
	require.NoError(b, err)
	pid := pr.ID
	partners, _, err := s.store.ListPartners(ctx, pid, workflow.Page{Limit: 10})
	require.NoError(b, err)
	firenze := partners[0]
	if firenze.Name != "Firenze" {
		firenze = partners[1]
	}
	instruments, _, err := s.store.ListPolicyInstruments(ctx, pid, workflow.Page{Limit: 10})
	require.NoError(b, err)
	shared := instruments[0].ID // the reader's group's instrument
	if instruments[0].Name != "Instrument Firenze" {
		shared = instruments[1].ID
	}
	u := workflow.User{Email: "coord@example.org", Name: "Chiara Coordinator"}
	token, hash := workflow.NewToken()
	require.NoError(b, s.store.CreateUser(ctx, &u, hash, "bench"))
	require.NoError(b, s.store.CreateMembership(ctx, &workflow.Membership{ProjectID: pid, UserID: u.ID, Role: workflow.RoleCoordinator}))
	coordinator := person{u, token}
	ownerP, err := s.store.Authenticate(ctx, workflow.HashToken(s.owner.token))
	require.NoError(b, err)
	readerP, err := s.store.Authenticate(ctx, workflow.HashToken(s.reader.token))
	require.NoError(b, err)

	states := []workflow.State{workflow.StateDraft, workflow.StateApproved, workflow.StateMonitored, workflow.StateClosed}
	total := 1 // the site's plan under consultation
	for i := range 199 {
		var d workflow.Deliverable
		submit := false
		switch {
		case i < 39: // action plans, one instrument each; the first 10 submitted
			pi := workflow.PolicyInstrument{ProjectID: pid, Name: fmt.Sprintf("Instrument %d", i), Type: workflow.InstrumentOther, PartnerIDs: []string{firenze.ID}}
			require.NoError(b, s.store.CreatePolicyInstrument(ctx, &pi))
			d = workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: pid, PartnerID: firenze.ID,
				PolicyInstrumentID: pi.ID, Title: fmt.Sprintf("Action plan %d", i), Language: "en", PolicyContext: "Context.",
				Actions: []workflow.PlanAction{{Number: 1, Title: "A", Description: "d", Players: "p", TimeframeStart: &start, TimeframeEnd: &end}}}}
			submit = i < 10
		case i < 139:
			// A review names an instrument of its host only (the reader's
			// group's, which Firenze addresses), or none.
			host, instrument := partners[i%2].ID, ""
			if host == firenze.ID {
				instrument = shared
			}
			d = workflow.Deliverable{Kind: workflow.KindPeerReview, Review: &workflow.PeerReview{ProjectID: pid, HostPartnerID: host,
				PolicyInstrumentID: instrument, Title: fmt.Sprintf("Peer review %d", i)}}
		default:
			d = workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: pid, PartnerID: partners[i%2].ID,
				Title: fmt.Sprintf("Good practice %d", i), Summary: "s"}}
		}
		require.NoError(b, s.store.CreateDeliverable(ctx, &d))
		total++
		id := d.Head().ID
		if submit {
			_, _, err := s.store.FireTransition(ctx, workflow.TransitionRequest{Kind: d.Kind, ID: id, Version: 1, Trigger: workflow.TriggerSubmit, Principal: ownerP})
			require.NoError(b, err)
			for j := range 3 {
				_, err := s.store.AddComment(ctx, workflow.NewComment{Kind: d.Kind, DeliverableID: id, Body: fmt.Sprintf("Comment %d", j),
					Section: workflow.GeneralSection, Stance: workflow.StanceQuestion, Principal: ownerP})
				require.NoError(b, err)
			}
			continue
		}
		if st := states[i%len(states)]; st != workflow.StateDraft {
			_, err := s.store.DB().ExecContext(ctx, `UPDATE deliverables SET state = $1, revision = 1 WHERE id = $2`, string(st), id)
			require.NoError(b, err)
		}
	}
	_, err = s.store.AddComment(ctx, workflow.NewComment{Kind: workflow.KindActionPlan, DeliverableID: s.planID, Body: "Who pays?",
		Section: workflow.GeneralSection, Stance: workflow.StanceQuestion, Principal: readerP})
	require.NoError(b, err)
	_, err = s.store.DB().ExecContext(ctx, `UPDATE projects SET phase1_end = $1, phase2_end = $2 WHERE id = $3`, "2020-12-31", "2035-12-31", pid)
	require.NoError(b, err)
	require.Equal(b, 200, total)

	for _, tc := range []struct {
		name string
		p    person
	}{{"coordinator", coordinator}, {"partner", s.owner}, {"stakeholder", s.reader}} {
		// What the page must list, from the store's own rule.
		p, err := s.store.Authenticate(ctx, workflow.HashToken(tc.p.token))
		require.NoError(b, err)
		home, err := s.store.ProjectHome(ctx, pid, p.DeliverableScope(pid), time.Now())
		require.NoError(b, err)
		want := len(home.Items)
		if tc.name == "coordinator" {
			require.Equal(b, 200, want)
		}
		b.Run(tc.name, func(b *testing.B) {
			br := s.browser(b)
			br.signIn(tc.p)
			url := s.url + "/ui/projects/" + pid
			last := timedGets(b, br, url)
			// The page lists every deliverable the caller may see.
			require.Contains(b, last, fmt.Sprintf("%d deliverables shown", want))
			require.Equal(b, want, strings.Count(listingOf(last), `<li class="item">`))
			b.ReportMetric(float64(len(last)), "bytes/page")
		})
	}
}

func listingOf(body string) string {
	if i := strings.Index(body, `id="deliverables"`); i >= 0 {
		return body[i:]
	}
	return ""
}

// timedGets GETs url as br once per iteration of b, reports the p95 and
// p50 in milliseconds, and returns the last page for the caller to check
// (an empty or error page must not pass for a fast one).
func timedGets(b *testing.B, br *browser, url string) string {
	var last string
	times := make([]time.Duration, 0, b.N)
	for b.Loop() {
		t0 := time.Now()
		res, err := br.c.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		times = append(times, time.Since(t0))
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("%d %v", res.StatusCode, err)
		}
		last = string(body)
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	return last
}
