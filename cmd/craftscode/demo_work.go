package main

import (
	"context"
	"fmt"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

// demoPeople are the demo users the work is done as, by e-mail.
type demoPeople map[string]workflow.Principal

// demoWork gives the demo project work in each state, around now: a
// Hungarian plan under consultation with comments, an approved plan (its
// PDF and DOCX queued by the approval), an approved good practice, and a
// past and a coming event. Each item is found by its title first, and
// each step is taken only from the state before it, so running it again
// changes nothing. (A monitored plan needs phase 2, which the demo's
// running phase 1 has not reached.)
func demoWork(ctx context.Context, store workflow.Store, project workflow.Project, partners []workflow.Partner, instruments []workflow.PolicyInstrument, people demoPeople, now time.Time) error {
	partner := func(country string) workflow.Partner {
		for _, p := range partners {
			if p.Country == country {
				return p
			}
		}
		return workflow.Partner{}
	}
	instrument := func(partnerID string) string {
		for _, pi := range instruments {
			for _, id := range pi.PartnerIDs {
				if id == partnerID {
					return pi.ID
				}
			}
		}
		return ""
	}
	day := func(months, days int) *workflow.Date {
		return ptr(workflow.MustDate(now.UTC().AddDate(0, months, days).Format("2006-01-02")))
	}
	coordinator, secretariat := people["coordinator@crafts-code.example"], people["secretariat@crafts-code.example"]

	all := workflow.Page{Limit: 1000}
	existing := map[string]workflow.Deliverable{}
	for _, kind := range []workflow.Kind{workflow.KindActionPlan, workflow.KindGoodPractice} {
		ds, _, err := store.ListDeliverables(ctx, kind, project.ID, workflow.Scope{All: true}, all)
		if err != nil {
			return err
		}
		for _, d := range ds {
			existing[string(kind)+"\x00"+d.Head().Title] = d
		}
	}
	ensure := func(d workflow.Deliverable) (workflow.Deliverable, error) {
		if e, ok := existing[string(d.Kind)+"\x00"+d.Head().Title]; ok {
			return e, nil
		}
		if err := store.CreateDeliverable(ctx, &d); err != nil {
			return d, fmt.Errorf("%q: %w", d.Head().Title, err)
		}
		return d, nil
	}
	fire := func(d workflow.Deliverable, trigger workflow.Trigger, by workflow.Principal) (workflow.Deliverable, error) {
		h := d.Head()
		next, _, err := store.FireTransition(ctx, workflow.TransitionRequest{Kind: d.Kind, ID: h.ID, Version: h.Version, Trigger: trigger, Principal: by, RequestID: "demo"})
		if err != nil {
			return d, fmt.Errorf("%s %q: %w", trigger, d.Head().Title, err)
		}
		return next, nil
	}
	// approve takes a draft through a consultation closed early to approved.
	approve := func(d workflow.Deliverable, by workflow.Principal) error {
		var err error
		if d.Head().State == workflow.StateDraft {
			if d, err = fire(d, workflow.TriggerSubmit, coordinator); err != nil {
				return err
			}
		}
		if d.Head().State == workflow.StateStakeholderReview {
			if _, err = store.CloseConsultation(ctx, d.Kind, d.Head().ID, coordinator); err != nil {
				return fmt.Errorf("close %q: %w", d.Head().Title, err)
			}
			if d, err = store.Deliverable(ctx, d.Kind, d.Head().ID); err != nil {
				return err
			}
			_, err = fire(d, workflow.TriggerApprove, by)
		}
		return err
	}

	// The Hungarian plan, under consultation, with comments.
	hu := partner("HU")
	huPlan, err := ensure(workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{
		ProjectID: project.ID, PolicyInstrumentID: instrument(hu.ID), PartnerID: hu.ID, Language: "hu",
		Title:     "Cselekvési terv a budapesti kézműipar versenyképességéért",
		SummaryEN: "Mentoring and shared workshops for Budapest's craft SMEs, funded through VEKOP.",
		Actions: []workflow.PlanAction{
			{Number: 1, Title: "Mentorprogram fiatal kézműveseknek", Description: "Mesterek egy évig mentorálnak fiatal kézműveseket.",
				Players: "BVK, Budapesti Kereskedelmi és Iparkamara", TimeframeStart: day(2, 0), TimeframeEnd: day(14, 0), Costs: "€ 40 000"},
			{Number: 2, Title: "Közös műhelyek", Description: "Bérelhető műhelyhelyek induló kézműves vállalkozásoknak.",
				Players: "BVK, kerületi önkormányzatok", TimeframeStart: day(4, 0), TimeframeEnd: day(20, 0), Costs: "€ 120 000"},
		}}})
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	if huPlan.Head().State == workflow.StateDraft {
		if huPlan, err = fire(huPlan, workflow.TriggerSubmit, people["partner.hu@crafts-code.example"]); err != nil {
			return err
		}
		reader := people["stakeholder.hu@crafts-code.example"]
		first, err := store.AddComment(ctx, workflow.NewComment{Kind: workflow.KindActionPlan, DeliverableID: huPlan.Head().ID, Section: "general",
			Body: "A mentorprogram jó ötlet; ki választja ki a mestereket?", Stance: workflow.StanceQuestion, Principal: reader, RequestID: "demo"})
		if err != nil {
			return fmt.Errorf("comment: %w", err)
		}
		if _, err := store.RespondToComment(ctx, first.ID, workflow.ResponseNoted, "A kamara és a BVK közösen, nyílt pályázaton.", people["partner.hu@crafts-code.example"]); err != nil {
			return fmt.Errorf("response: %w", err)
		}
		if _, err := store.AddComment(ctx, workflow.NewComment{Kind: workflow.KindActionPlan, DeliverableID: huPlan.Head().ID, Section: "general",
			Body: "A közös műhelyek bérleti díja legyen jövedelemfüggő.", Stance: workflow.StanceSuggestion, Principal: reader, RequestID: "demo"}); err != nil {
			return fmt.Errorf("comment: %w", err)
		}
	}

	// The lead partner's plan, approved by the secretariat: its documents
	// are queued by the approval and made by the running service.
	it := partner("IT")
	itPlan, err := ensure(workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{
		ProjectID: project.ID, PolicyInstrumentID: instrument(it.ID), PartnerID: it.ID, Language: "en",
		Title:     "Action plan for Florence's artisan workshops",
		SummaryEN: "Mentoring, shared workshops and a craft trail for Florence's artisan SMEs.",
		Actions: []workflow.PlanAction{
			{Number: 1, Title: "Bottega mentoring", Description: "Master artisans mentor young ones for a year.",
				Players: "Comune di Firenze, CNA Firenze", TimeframeStart: day(1, 0), TimeframeEnd: day(13, 0), Costs: "€ 60 000"},
		}}})
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	if err := approve(itPlan, secretariat); err != nil {
		return err
	}

	// A good practice of the Irish partner, approved.
	ie := partner("IE")
	practice, err := ensure(workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{
		ProjectID: project.ID, PartnerID: ie.ID, Title: "Craft business mentoring in Kilkenny",
		Location:             workflow.Location{Country: "IE", NUTS2: "IE05", City: "Kilkenny"},
		Summary:              "Experienced makers mentor new craft businesses for a year.",
		Description:          "Each new business is paired with a maker of the same craft; they meet monthly.",
		EvidenceOfSuccess:    "Four in five mentored businesses still trade three years on.",
		PotentialForLearning: "Needs only a register of makers and a coordinator.",
		MainInstitution:      "Design and Crafts Council Ireland"}})
	if err != nil {
		return fmt.Errorf("good practice: %w", err)
	}
	if err := approve(practice, coordinator); err != nil {
		return err
	}

	// A past thematic seminar and a coming study visit.
	events, _, err := store.ListEvents(ctx, project.ID, all)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, e := range events {
		have[e.Title] = true
	}
	one := 1
	fi := partner("FI")
	for _, e := range []workflow.LearningEvent{
		{Type: workflow.ThematicSeminar, SeminarNumber: &one, Title: "Thematic seminar on mentoring craft SMEs", HostPartnerID: it.ID,
			Status: workflow.EventHeld, StartDate: day(-2, 0), EndDate: day(-2, 1), Place: workflow.Place{Country: "IT", City: "Firenze"},
			Agenda: "Visits to three botteghe.\nMentoring schemes of the partners.", GoodPracticeIDs: []string{practice.Head().ID}},
		{Type: workflow.StudyVisit, Title: "Study visit to Vaasa's design workshops", HostPartnerID: fi.ID,
			Status: workflow.EventPlanned, StartDate: day(1, 0), EndDate: day(1, 1), Place: workflow.Place{Country: "FI", City: "Vaasa"},
			Agenda: "Shared workshops and the university's design labs."},
	} {
		if have[e.Title] {
			continue
		}
		e.ProjectID = project.ID
		if err := store.CreateEvent(ctx, &e); err != nil {
			return fmt.Errorf("event %s: %w", e.Title, err)
		}
	}
	return nil
}
