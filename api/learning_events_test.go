package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

func studyVisit(c consortium) map[string]any {
	return map[string]any{"type": "study_visit", "title": uniq("Tanulmányút"), "host_partner_id": c.partner.ID,
		"start_date": "2018-05-14", "end_date": "2018-05-16", "place": map[string]any{"country": "FO", "city": "Tórshavn"}}
}

// eventOf plans a fresh study visit hosted by the partner user's partner.
func eventOf(e *testEnv, c consortium) string {
	var ev workflow.LearningEvent
	e.create("/api/v1/projects/"+c.project.ID+"/events", e.admin, studyVisit(c), &ev)
	return ev.ID
}

// The learning event rows of the role × endpoint matrix (auth_test.go).
func init() {
	matrix = append(matrix,
		endpoint{"POST", "/api/v1/projects/{pid}/events", func(_ *testEnv, c consortium) any { return studyVisit(c) },
			[]int{401, 401, 201, 201, 201, 403, 403, 403, 404, 404}, nil},
		endpoint{"GET", "/api/v1/projects/{pid}/events", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, nil},
		endpoint{"GET", "/api/v1/projects/{pid}/thematic-seminars", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, nil},
		endpoint{"GET", "/api/v1/events/{eid}", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/events/{id}", eventOf, nil, nil)},
		endpoint{"PATCH", "/api/v1/events/{eid}", nil,
			[]int{401, 401, 200, 200, 200, 403, 403, 403, 404, 404},
			on("/api/v1/events/{id}", eventOf, map[string]any{"status": "held", "minutes": "Jegyzőkönyv"}, ifMatch1)},
		endpoint{"GET", "/api/v1/events/{eid}/minutes", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/events/{id}/minutes?format=md", eventOf, nil, nil)},
		endpoint{"GET", "/api/v1/action-plans/{id}/citations", nil,
			[]int{401, 401, 200, 200, 200, 200, 200, 200, 404, 404}, on("/api/v1/action-plans/{id}/citations", submittedPlan, nil, nil)},
	)
}

func TestLearningEventsAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("LEARN")
		base := "/api/v1/projects/" + c.project.ID
		partner := c.tokens["partner"]

		seminar := map[string]any{"type": "thematic_seminar", "seminar_number": 3, "title": "Kézműves képzés",
			"host_partner_id": c.partner.ID, "start_date": "2017-10-11", "end_date": "2017-10-12",
			"place":       map[string]any{"country": "HU", "nuts2": "HU11", "city": "Budapest"},
			"partner_ids": []string{c.partner.ID, c.peers[0].ID}, "stakeholder_group_ids": []string{c.group.ID}, "agenda": "1. Nyitás"}
		var ev workflow.LearningEvent
		res := e.do(req{Method: "POST", Path: base + "/events", Token: partner, Body: seminar})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		res.json(t, &ev)
		require.Equal(t, `"1"`, res.Header.Get("ETag"))
		require.Equal(t, "/api/v1/events/"+ev.ID, res.Header.Get("Location"))
		require.Equal(t, workflow.EventPlanned, ev.Status)

		// The same slot twice is a conflict; an event ending before it starts
		// and a place code of no country are invalid.
		require.Equal(t, http.StatusConflict, e.do(req{Method: "POST", Path: base + "/events", Token: partner, Body: seminar}).Status)
		bad := studyVisit(c)
		bad["end_date"] = "2018-05-13"
		res = e.do(req{Method: "POST", Path: base + "/events", Token: partner, Body: bad})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		require.Equal(t, "end_date", res.problem(t).Errors[0].Field)
		bad = studyVisit(c)
		bad["place"] = map[string]any{"country": "HU", "nuts2": "Budapest"}
		res = e.do(req{Method: "POST", Path: base + "/events", Token: partner, Body: bad})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		// A partner may not host an event in another partner's name.
		bad = studyVisit(c)
		bad["host_partner_id"] = c.peers[0].ID
		require.Equal(t, http.StatusForbidden, e.do(req{Method: "POST", Path: base + "/events", Token: partner, Body: bad}).Status)

		// Held: version 2; a stale If-Match is refused.
		res = e.do(req{Method: "PATCH", Path: "/api/v1/events/" + ev.ID, Token: partner, Body: map[string]any{"status": "held"}, Headers: ifMatch1})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.Equal(t, `"2"`, res.Header.Get("ETag"))
		res = e.do(req{Method: "PATCH", Path: "/api/v1/events/" + ev.ID, Token: partner, Body: map[string]any{"agenda": "x"}, Headers: ifMatch1})
		require.Equal(t, http.StatusPreconditionFailed, res.Status)

		var slots struct {
			Items []workflow.SeminarSlot `json:"items"`
		}
		e.do(req{Method: "GET", Path: base + "/thematic-seminars", Token: c.tokens["stakeholder"]}).json(t, &slots)
		require.Len(t, slots.Items, 4)
		require.Equal(t, "held", slots.Items[2].Status)
		require.Equal(t, ev.ID, slots.Items[2].Event.ID)
		require.Equal(t, "open", slots.Items[0].Status)
		require.Nil(t, slots.Items[0].Event)

		// A seminar that becomes a study visit frees its slot for another.
		var moved workflow.LearningEvent
		other := studyVisit(c)
		other["type"], other["seminar_number"] = "thematic_seminar", 4
		e.create(base+"/events", partner, other, &moved)
		res = e.do(req{Method: "PATCH", Path: "/api/v1/events/" + moved.ID, Token: partner, Body: map[string]any{"type": "study_visit"}, Headers: ifMatch1})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		res.json(t, &moved)
		require.Nil(t, moved.SeminarNumber)
		e.create(base+"/events", partner, other, nil)

		// An action cites the event and a good practice of the project; a
		// good practice of another project is refused.
		gp := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: c.project.ID,
			PartnerID: c.partner.ID, Title: "Kézműves Akadémia", Location: workflow.Location{Country: "BG", NUTS2: "BG32", City: "Габрово"}}}
		require.NoError(t, e.store.CreateDeliverable(context.Background(), &gp))
		var otherPartner workflow.Partner
		e.create("/api/v1/projects/"+c.other.ID+"/partners", e.admin, map[string]any{"name": "Firenze", "country": "IT", "region": "ITI1", "role": "partner"}, &otherPartner)
		foreign := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: c.other.ID,
			PartnerID: otherPartner.ID, Title: "Firenze Artigiana"}}
		require.NoError(t, e.store.CreateDeliverable(context.Background(), &foreign))

		plan := completePlan(e.freshInstrument(c), c.partner.ID)
		action := plan["actions"].([]map[string]any)[0]
		action["background"] = map[string]any{"text": "Látogatás", "good_practice_ids": []string{foreign.Practice.ID}}
		res = e.do(req{Method: "POST", Path: base + "/action-plans", Token: partner, Body: plan})
		require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
		require.Equal(t, "actions[0].background.good_practice_ids[0]", res.problem(t).Errors[0].Field)

		action["background"] = map[string]any{"text": "Látogatás", "good_practice_ids": []string{gp.Practice.ID}, "event_ids": []string{ev.ID}}
		var p workflow.ActionPlan
		e.create(base+"/action-plans", partner, plan, &p)
		require.Equal(t, []string{ev.ID}, p.Actions[0].Background.EventIDs)

		var cites struct {
			Items []workflow.Citation `json:"items"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/action-plans/" + p.ID + "/citations", Token: partner}).json(t, &cites)
		require.Equal(t, []workflow.Citation{
			{ActionNumber: 1, Kind: "good_practice", ID: gp.Practice.ID, Title: "Kézműves Akadémia"},
			{ActionNumber: 1, Kind: "event", ID: ev.ID, Title: "Kézműves képzés"},
		}, cites.Items)

		// The good practice shows the action that cites it; once an event
		// presents it, that event too.
		res = e.do(req{Method: "PATCH", Path: "/api/v1/events/" + ev.ID, Token: partner,
			Body: map[string]any{"good_practice_ids": []string{gp.Practice.ID}}, Headers: map[string]string{"If-Match": `"2"`}})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		var practice struct {
			Trace workflow.PracticeTrace `json:"trace"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/good-practices/" + gp.Practice.ID, Token: partner}).json(t, &practice)
		require.Len(t, practice.Trace.PresentedAt, 1)
		require.Equal(t, ev.ID, practice.Trace.PresentedAt[0].EventID)
		require.Equal(t, []workflow.PracticeCitation{{PlanID: p.ID, PlanTitle: p.Title, ActionNumber: 1, ActionTitle: "Mentorprogram"}}, practice.Trace.CitedBy)

		// The minutes name the host, the participants and the practice
		// presented; the event is held, so they are no draft.
		res = e.do(req{Method: "GET", Path: "/api/v1/events/" + ev.ID + "/minutes?format=md", Token: c.tokens["stakeholder"]})
		require.Equal(t, http.StatusOK, res.Status, "%s", res.Body)
		require.True(t, strings.HasPrefix(res.Header.Get("Content-Type"), "text/markdown"), res.Header.Get("Content-Type"))
		md := string(res.Body)
		for _, want := range []string{"# Kézműves képzés", "Minutes of the thematic seminar 3 · held", "- **Host:** " + c.partner.Name,
			"- " + c.peers[0].Name, "- Érintettek", "- **Place:** Budapest, HU11, Hungary"} {
			require.Contains(t, md, want)
		}
		require.NotContains(t, md, "DRAFT")
		// The practice is a draft: its owner's minutes name it, a
		// stakeholder's do not.
		require.NotContains(t, md, "Kézműves Akadémia")
		res = e.do(req{Method: "GET", Path: "/api/v1/events/" + ev.ID + "/minutes?format=md", Token: partner})
		require.Contains(t, string(res.Body), "- Kézműves Akadémia")
		res = e.do(req{Method: "GET", Path: "/api/v1/events/" + ev.ID + "/minutes", Token: partner})
		require.Equal(t, http.StatusOK, res.Status)
		require.Equal(t, "application/pdf", res.Header.Get("Content-Type"))
		require.Equal(t, http.StatusBadRequest, e.do(req{Method: "GET", Path: "/api/v1/events/" + ev.ID + "/minutes?format=odt", Token: partner}).Status)
		// An uploaded version of the template takes over from the built-in.
		e.create("/api/v1/templates", e.admin, map[string]any{"name": "event_minutes", "kind": "event_minutes",
			"source": "# {{ inline .content.title }}\n\nOur own minutes.\n"}, nil)
		res = e.do(req{Method: "GET", Path: "/api/v1/events/" + ev.ID + "/minutes?format=md", Token: partner})
		require.Contains(t, string(res.Body), "Our own minutes.")

		// The event shows the action that cites it.
		var got workflow.LearningEvent
		e.do(req{Method: "GET", Path: "/api/v1/events/" + ev.ID, Token: c.tokens["observer"]}).json(t, &got)
		require.Equal(t, []workflow.PracticeCitation{{PlanID: p.ID, PlanTitle: p.Title, ActionNumber: 1, ActionTitle: "Mentorprogram"}}, got.CitedBy)
	})
}
