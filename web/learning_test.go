package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// TestLearningPages: who sees which good practices, searched and paged,
// and the events' pages.
func TestLearningPages(t *testing.T) {
	s := newSite(t, sqlstore.SQLite, nil)
	pr, err := s.store.ProjectByAcronym(ctx, "WEB")
	require.NoError(t, err)
	partners, _, err := s.store.ListPartners(ctx, pr.ID, workflow.Page{Limit: 10})
	require.NoError(t, err)
	var ids []string
	for i := range 26 {
		d := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: pr.ID, PartnerID: partners[0].ID,
			Title: fmt.Sprintf("Bottega %02d", i), Summary: "Botteghe aperte <em>ogni</em> sabato a Firenze."}}
		require.NoError(t, s.store.CreateDeliverable(ctx, &d))
		ids = append(ids, d.Practice.ID)
	}
	// All but the last are past draft, so the stakeholder sees 25.
	_, err = s.store.DB().ExecContext(ctx, "UPDATE deliverables SET state = 'approved' WHERE kind = 'good_practice' AND id <> ?", ids[25])
	require.NoError(t, err)
	base := "/ui/projects/" + pr.ID + "/good-practices"
	items := regexp.MustCompile(`<li class="item">`)

	// The owner: 26, in two pages.
	b := s.browser(t)
	b.signIn(s.owner)
	res := b.get(base)
	require.Equal(t, http.StatusOK, res.status)
	require.Len(t, items.FindAllString(res.body, -1), 25)
	next := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(res.body)
	require.NotNil(t, next)
	res = b.get(html.UnescapeString(next[1]))
	require.Len(t, items.FindAllString(res.body, -1), 1)
	require.Contains(t, res.body, "Bottega 25")
	require.NotContains(t, res.body, `rel="next"`)

	// Searching: the summary's markup stays text, the match is marked and
	// the query is echoed escaped.
	res = b.get(base + "?q=" + url.QueryEscape(`bottega 07 "><b`))
	require.Equal(t, http.StatusOK, res.status)
	require.Len(t, items.FindAllString(res.body, -1), 1)
	require.Contains(t, res.body, "<mark>Botteghe</mark> aperte &lt;em&gt;ogni&lt;/em&gt;")
	require.NotContains(t, res.body, `"><b`)
	require.Contains(t, res.body, `value="bottega 07 &#34;&gt;&lt;b"`)

	// The stakeholder does not see the draft, in the list or a search.
	st := s.browser(t)
	st.signIn(s.reader)
	require.Len(t, items.FindAllString(st.get(base+"?q=bottega+25").body, -1), 0)
	require.Len(t, items.FindAllString(st.get(base+"?q=bottega+24").body, -1), 1)
	res = st.get(base)
	require.Len(t, items.FindAllString(res.body, -1), 25)
	require.NotContains(t, res.body, `rel="next"`)

	// Events: a list, a filter, a page; others' projects are not found.
	start := workflow.MustDate("2026-06-01")
	groups, _, err := s.store.ListStakeholderGroups(ctx, pr.ID, workflow.Page{Limit: 10})
	require.NoError(t, err)
	ev := workflow.LearningEvent{ProjectID: pr.ID, Type: workflow.StudyVisit, Title: "Visita a Gabrovo", HostPartnerID: partners[0].ID,
		StartDate: &start, EndDate: &start, Place: workflow.Place{Country: "BG", City: "Габрово"},
		PartnerIDs: []string{partners[0].ID, partners[1].ID}, StakeholderGroupIDs: []string{groups[1].ID},
		Agenda: "9:00 Welcome\n10:00 Workshops <b>visit</b>", GoodPracticeIDs: []string{ids[3], ids[25]}}
	require.NoError(t, s.store.CreateEvent(ctx, &ev))
	require.Contains(t, st.get("/ui/projects/"+pr.ID+"/events?q=габрово").body, "/ui/events/"+ev.ID)
	require.NotContains(t, st.get("/ui/projects/"+pr.ID+"/events?q=firenze").body, "/ui/events/"+ev.ID)
	res = st.get("/ui/events/" + ev.ID)
	require.Equal(t, http.StatusOK, res.status)
	require.True(t, strings.Contains(res.body, "<h1>Visita a Gabrovo</h1>"))
	// The host, the participants and the good practices by name; the
	// agenda keeps its lines; a draft the stakeholder may not see is not
	// even counted (issue 15, #1: the store leaves it out of the event).
	require.Contains(t, res.body, "<dt>Host</dt><dd>"+partners[0].Name+"</dd>")
	require.Contains(t, res.body, "<li>"+partners[1].Name+"</li>")
	require.Contains(t, res.body, "<li>"+groups[1].Name+"</li>")
	require.Contains(t, res.body, `<p class="lines">9:00 Welcome`+"\n"+`10:00 Workshops &lt;b&gt;visit&lt;/b&gt;</p>`)
	require.Contains(t, res.body, `<a href="/ui/good-practices/`+ids[3]+`">Bottega 03</a>`)
	require.NotContains(t, res.body, ids[25])
	require.NotContains(t, res.body, "you may not see")
	res = b.get("/ui/events/" + ev.ID)
	require.Contains(t, res.body, `<a href="/ui/good-practices/`+ids[25]+`">Bottega 25</a>`, "its owner sees the draft")

	other := workflow.Project{Acronym: "ELSE", Title: "Elsewhere"}
	require.NoError(t, s.store.CreateProject(ctx, &other))
	require.Equal(t, http.StatusNotFound, st.get("/ui/projects/"+other.ID+"/good-practices").status)
	require.Equal(t, http.StatusNotFound, st.get("/ui/projects/"+other.ID+"/events").status)
	require.Equal(t, http.StatusNotFound, st.get("/ui/projects/not-an-id/good-practices").status)
	require.Equal(t, http.StatusNotFound, st.get("/ui/events/"+workflow.NewID()).status)
}
