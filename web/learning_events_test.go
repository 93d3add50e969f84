package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// TestEventForms: the coordinator and a partner create and edit events in
// the browser with the API's rules (a partner only those it hosts, a
// stakeholder none); a refused form keeps what was typed; a taken
// seminar slot and a stale version are refused, nothing overwritten; the
// minutes download in each format.
func TestEventForms(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) { testEventForms(t, d) })
	}
}

func testEventForms(t *testing.T, d sqlstore.Dialect) {
	s := newSite(t, d, nil)
	pr, err := s.store.ProjectByAcronym(ctx, "WEB")
	require.NoError(t, err)
	partners, _, err := s.store.ListPartners(ctx, pr.ID, workflow.Page{Limit: 10})
	require.NoError(t, err)
	groups, _, err := s.store.ListStakeholderGroups(ctx, pr.ID, workflow.Page{Limit: 10})
	require.NoError(t, err)
	firenze, gabrovo := partners[0], partners[1]
	if firenze.Name != "Firenze" {
		firenze, gabrovo = gabrovo, firenze
	}
	gp := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: pr.ID, PartnerID: gabrovo.ID,
		Title: "Занаятчийска работилница", Location: workflow.Location{Country: "BG", NUTS2: "BG32", City: "Габрово"}}}
	require.NoError(t, s.store.CreateDeliverable(ctx, &gp))
	_, err = s.store.DB().ExecContext(ctx, bind(d, "UPDATE deliverables SET state = 'approved' WHERE id = ?"), gp.Practice.ID)
	require.NoError(t, err)

	coord := s.browser(t)
	coord.signIn(s.coordinator(t))
	base := "/ui/projects/" + pr.ID + "/events"
	res := coord.get(base)
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, `href="`+base+`/new"`)
	require.Contains(t, res.body, "Seminar 1: free")
	res = coord.get(base + "/new")
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, ">Занаятчийска работилница <span", "good practices are picked by title")

	// Refused: no title, a date that is none; what was typed stays.
	form := url.Values{"type": {"thematic_seminar"}, "seminar_number": {"1"}, "host_partner_id": {gabrovo.ID}, "status": {"planned"},
		"start_date": {"2026-13-40"}, "end_date": {"2026-05-13"}, "place.country": {"bg"}, "place.nuts2": {"BG32"}, "place.city": {"Габрово"},
		"partner_ids[]": {firenze.ID, gabrovo.ID}, "stakeholder_group_ids[]": {groups[0].ID}, "good_practice_ids[]": {gp.Practice.ID},
		"agenda": {"9:00 Welcome\r\n10:00 Workshops"}, "title": {""}}
	res = coord.post(base+"/new", form)
	require.Equal(t, http.StatusUnprocessableEntity, res.status, res.body)
	require.Contains(t, res.body, "This is not a date")
	require.Contains(t, res.body, `value="2026-13-40"`)
	require.Contains(t, res.body, ">9:00 Welcome\n10:00 Workshops</textarea>")
	require.Regexp(t, `value="`+gp.Practice.ID+`" checked`, res.body)
	require.Regexp(t, `<option value="`+gabrovo.ID+`" selected>`, res.body)

	form.Set("title", "Seminar in Gabrovo")
	form.Set("start_date", "2026-05-12")
	res = coord.post(base+"/new", form)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	loc := res.header.Get("Location")
	require.True(t, strings.HasSuffix(loc, "?done=created"), loc)
	eventPath := strings.TrimSuffix(loc, "?done=created")
	eid := strings.TrimPrefix(eventPath, "/ui/events/")
	res = coord.get(loc)
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, "The event was created.")
	require.Contains(t, res.body, "<dt>Host</dt><dd>Gabrovo</dd>")
	require.Contains(t, res.body, "Габрово (BG32), Bulgaria")
	require.Contains(t, res.body, `<a href="/ui/good-practices/`+gp.Practice.ID+`">Занаятчийска работилница</a>`)
	require.Contains(t, res.body, `<p class="lines">9:00 Welcome`+"\n"+`10:00 Workshops</p>`)
	for _, f := range []string{"pdf", "docx", "html", "md"} {
		require.Contains(t, res.body, eventPath+"/minutes?format="+f)
	}
	require.Contains(t, coord.get(base).body, `Seminar 1: <a href="`+eventPath+`">Seminar in Gabrovo</a>`)

	// The minutes, made on request, in each format.
	for _, f := range []string{"pdf", "docx", "html", "md"} {
		res = coord.get(eventPath + "/minutes?format=" + f)
		require.Equal(t, http.StatusOK, res.status, f)
		require.Contains(t, res.header.Get("Content-Disposition"), "attachment")
		require.NotEmpty(t, res.body)
	}
	require.Contains(t, coord.get(eventPath+"/minutes?format=md").body, "Seminar in Gabrovo")
	require.Equal(t, http.StatusNotFound, coord.get(eventPath+"/minutes?format=exe").status)

	// The slot is taken: 409, the form as typed.
	form.Set("title", "Second seminar one")
	res = coord.post(base+"/new", form)
	require.Equal(t, http.StatusConflict, res.status)
	require.Contains(t, res.body, `value="Second seminar one"`)
	require.Contains(t, res.body, "Seminar 1: taken by “Seminar in Gabrovo”")

	// A partner: its own events only.
	owner := s.browser(t)
	owner.signIn(s.owner)
	require.Equal(t, http.StatusOK, owner.get(base+"/new").status)
	require.Equal(t, http.StatusForbidden, owner.get(eventPath+"/edit").status)
	require.NotContains(t, owner.get(eventPath).body, `id="edit-link"`)
	visit := url.Values{"type": {"study_visit"}, "host_partner_id": {gabrovo.ID}, "title": {"Visit to Firenze"}, "status": {"planned"},
		"start_date": {"2026-06-01"}, "end_date": {"2026-06-02"}, "place.country": {"IT"}, "place.city": {"Firenze"}}
	res = owner.post(base+"/new", visit)
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, "A partner creates and edits only the events it hosts")
	require.Contains(t, res.body, `value="Visit to Firenze"`)
	visit.Set("host_partner_id", firenze.ID)
	res = owner.post(base+"/new", visit)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	own := strings.TrimSuffix(res.header.Get("Location"), "?done=created")
	res = owner.get(own + "/edit")
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, `name="version" value="1"`)

	// Stale: someone saves meanwhile; nothing is overwritten, the typed
	// text stays, the saved value is shown.
	_, err = s.store.UpdateEvent(ctx, strings.TrimPrefix(own, "/ui/events/"), 1, func(e *workflow.LearningEvent) error {
		e.Title = "Visit to Florence"
		return nil
	})
	require.NoError(t, err)
	visit.Set("version", "1")
	visit.Set("title", "Visita a Firenze")
	res = owner.post(own+"/edit", visit)
	require.Equal(t, http.StatusConflict, res.status)
	require.Contains(t, res.body, "Someone saved this event")
	require.Contains(t, res.body, `value="Visita a Firenze"`)
	require.Contains(t, res.body, "Visit to Florence")
	require.Contains(t, res.body, `name="version" value="2"`)
	visit.Set("version", "2")
	// Handing the event to another host is refused to a partner.
	visit.Set("host_partner_id", gabrovo.ID)
	require.Equal(t, http.StatusUnprocessableEntity, owner.post(own+"/edit", visit).status)
	visit.Set("host_partner_id", firenze.ID)
	res = owner.post(own+"/edit", visit)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	require.Contains(t, owner.get(own).body, "<h1>Visita a Firenze</h1>")

	// The coordinator edits any event.
	res = coord.get(eventPath + "/edit")
	require.Equal(t, http.StatusOK, res.status)
	form.Set("title", "Seminar in Gabrovo, revised")
	form.Set("version", "1")
	res = coord.post(eventPath+"/edit", form)
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	ev, err := s.store.Event(ctx, eid)
	require.NoError(t, err)
	require.Equal(t, "Seminar in Gabrovo, revised", ev.Title)
	require.Equal(t, []string{gp.Practice.ID}, ev.GoodPracticeIDs)

	// A stakeholder manages no event.
	st := s.browser(t)
	st.signIn(s.reader)
	require.Equal(t, http.StatusOK, st.get(eventPath).status)
	require.NotContains(t, st.get(base).body, base+"/new")
	require.Equal(t, http.StatusForbidden, st.get(base+"/new").status)
	require.Equal(t, http.StatusForbidden, st.post(base+"/new", visit).status)
	require.Equal(t, http.StatusForbidden, st.get(eventPath+"/edit").status)
	require.Equal(t, http.StatusForbidden, st.post(eventPath+"/edit", form).status)
	require.Equal(t, http.StatusOK, st.get(eventPath+"/minutes?format=html").status)
	// Outside the project: not found.
	other := workflow.Project{Acronym: "ELSE", Title: "Elsewhere"}
	require.NoError(t, s.store.CreateProject(ctx, &other))
	require.Equal(t, http.StatusNotFound, st.get("/ui/projects/"+other.ID+"/events/new").status)
	require.Equal(t, http.StatusNotFound, st.get("/ui/events/"+workflow.NewID()+"/edit").status)
}

// TestTransferInterest: the catalogue names places; a stakeholder marks
// a practice from another region as relevant for its group's region; its
// own region's is refused, a second time too, a partner may not (as in
// the API); the trace page shows where it was presented and who is
// interested.
func TestTransferInterest(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) { testTransferInterest(t, d) })
	}
}

func testTransferInterest(t *testing.T, dialect sqlstore.Dialect) {
	s := newSite(t, dialect, nil)
	pr, err := s.store.ProjectByAcronym(ctx, "WEB")
	require.NoError(t, err)
	partners, _, err := s.store.ListPartners(ctx, pr.ID, workflow.Page{Limit: 10})
	require.NoError(t, err)
	groups, _, err := s.store.ListStakeholderGroups(ctx, pr.ID, workflow.Page{Limit: 10})
	require.NoError(t, err)
	firenze, gabrovo := partners[0], partners[1]
	if firenze.Name != "Firenze" {
		firenze, gabrovo = gabrovo, firenze
	}
	mk := func(partner workflow.Partner, title string, loc workflow.Location, state string) string {
		d := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: pr.ID, PartnerID: partner.ID,
			Title: title, Summary: "Shared benches.", Location: loc}}
		require.NoError(t, s.store.CreateDeliverable(ctx, &d))
		_, err := s.store.DB().ExecContext(ctx, bind(dialect, "UPDATE deliverables SET state = ? WHERE id = ?"), state, d.Practice.ID)
		require.NoError(t, err)
		return d.Practice.ID
	}
	budapest := mk(gabrovo, "Budapest workshops", workflow.Location{Country: "HU", NUTS2: "HU11", City: "Budapest"}, "approved")
	florence := mk(firenze, "Florentine benches", workflow.Location{Country: "IT", NUTS2: "ITI1", City: "Firenze"}, "approved")
	draft := mk(gabrovo, "Draft benches", workflow.Location{}, "draft")
	start := workflow.MustDate("2026-05-12")
	ev := workflow.LearningEvent{ProjectID: pr.ID, Type: workflow.StudyVisit, Title: "Visit to Budapest", HostPartnerID: gabrovo.ID,
		StartDate: &start, EndDate: &start, Place: workflow.Place{Country: "HU", City: "Budapest"}, GoodPracticeIDs: []string{budapest}}
	require.NoError(t, s.store.CreateEvent(ctx, &ev))

	st := s.browser(t)
	st.signIn(s.reader)
	list := "/ui/projects/" + pr.ID + "/good-practices"
	res := st.get(list)
	require.Contains(t, res.body, "Budapest (HU11), Hungary")
	require.Contains(t, res.body, `href="/ui/good-practices/`+budapest+`/trace"`)
	res = st.get(list + "?q=budapest")
	require.Contains(t, res.body, "Budapest (HU11), Hungary", "search results keep the place")

	trace := "/ui/good-practices/" + budapest + "/trace"
	res = st.get(trace)
	require.Equal(t, http.StatusOK, res.status)
	require.Contains(t, res.body, `<a href="/ui/events/`+ev.ID+`">Visit to Budapest</a>`)
	require.Contains(t, res.body, "For your group: Group Firenze")
	res = st.post("/ui/good-practices/"+budapest+"/interest", url.Values{"note": {"Our workshops need this."}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	res = st.get(trace)
	require.Contains(t, res.body, "Group Firenze")
	require.Contains(t, res.body, "Our workshops need this.")
	require.Contains(t, res.body, "has marked this good practice as relevant")
	require.NotContains(t, res.body, `action="/ui/good-practices/`+budapest+`/interest"`)
	// Again: 409, said in words.
	res = st.post("/ui/good-practices/"+budapest+"/interest", url.Values{"note": {"Twice"}})
	require.Equal(t, http.StatusConflict, res.status)
	require.Contains(t, res.body, "already")
	// Its own region's practice: refused, the note kept.
	st.get("/ui/good-practices/" + florence + "/trace")
	res = st.post("/ui/good-practices/"+florence+"/interest", url.Values{"note": {"Ours"}})
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	require.Contains(t, res.body, "own region")
	require.Contains(t, res.body, ">Ours</textarea>")
	// Another group's interest is not the stakeholder's to record.
	require.Equal(t, http.StatusForbidden, st.post("/ui/good-practices/"+florence+"/interest", url.Values{"group_id": {groups[1].ID}}).status)
	// A draft: not seen by the stakeholder at all.
	require.Equal(t, http.StatusNotFound, st.get("/ui/good-practices/"+draft+"/trace").status)

	// A partner may not record interest (the API's rule), and sees no form.
	owner := s.browser(t)
	owner.signIn(s.owner)
	res = owner.get(trace)
	require.Equal(t, http.StatusOK, res.status)
	require.NotContains(t, res.body, "/interest\"")
	require.Equal(t, http.StatusForbidden, owner.post("/ui/good-practices/"+florence+"/interest", url.Values{}).status)

	// The coordinator records for a group it chooses.
	coord := s.browser(t)
	coord.signIn(s.coordinator(t))
	require.Contains(t, coord.get("/ui/good-practices/"+draft+"/trace").body, "A draft cannot be marked")
	res = coord.get("/ui/good-practices/" + florence + "/trace")
	require.Regexp(t, regexp.MustCompile(`<option value="`+groups[1].ID+`">`), res.body)
	res = coord.post("/ui/good-practices/"+florence+"/interest", url.Values{"group_id": {groups[1].ID}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	require.Contains(t, coord.get("/ui/good-practices/"+florence+"/trace").body, "Group Gabrovo")
	tr, err := s.store.PracticeTrace(ctx, florence)
	require.NoError(t, err)
	require.Len(t, tr.Interests, 1)
}

// bind writes a query's ? placeholders as the dialect wants them.
func bind(d sqlstore.Dialect, q string) string {
	if d != sqlstore.Postgres {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
