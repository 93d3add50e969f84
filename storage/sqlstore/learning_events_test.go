package sqlstore_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

func seminar(d seedData, n int) workflow.LearningEvent {
	start, end := workflow.MustDate("2017-10-11"), workflow.MustDate("2017-10-12")
	return workflow.LearningEvent{ProjectID: d.project.ID, Type: workflow.ThematicSeminar, Title: "Kézműves képzés",
		HostPartnerID: d.partner.ID, SeminarNumber: &n, StartDate: &start, EndDate: &end,
		Place:      workflow.Place{Country: "hu", NUTS2: "hu11", City: "Budapest"},
		PartnerIDs: []string{d.partner.ID, d.partner.ID}, StakeholderGroupIDs: []string{d.group.ID}, Agenda: "1. Nyitás"}
}

func TestLearningEvents(t *testing.T) {
	for _, dialect := range sqlstoretest.Backends {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, dialect)
			d := seed(t, s, "EVT")
			other := seed(t, s, "EVT2")

			e := seminar(d, 2)
			require.NoError(t, s.CreateEvent(ctx, &e))
			require.Equal(t, 1, e.Version)
			got, err := s.Event(ctx, e.ID)
			require.NoError(t, err)
			require.Equal(t, workflow.EventPlanned, got.Status)
			require.Equal(t, []string{d.partner.ID}, got.PartnerIDs, "repeated participants are dropped")
			require.Equal(t, workflow.Place{Country: "HU", NUTS2: "HU11", City: "Budapest"}, got.Place)
			require.Equal(t, "2017-10-12", got.EndDate.String())
			require.Equal(t, []string{}, got.GoodPracticeIDs)

			// The slot is taken once per project; another project may fill it.
			dup := seminar(d, 2)
			require.Equal(t, workflow.CodeConflict, workflow.ErrorCode(s.CreateEvent(ctx, &dup)))
			elsewhere := seminar(other, 2)
			require.NoError(t, s.CreateEvent(ctx, &elsewhere))

			// Bad input is invalid, with the field named.
			for name, tc := range map[string]struct {
				edit  func(*workflow.LearningEvent)
				field string
			}{
				"ends before it starts":   {func(x *workflow.LearningEvent) { x.EndDate = ptr(workflow.MustDate("2017-10-10")) }, "end_date"},
				"unknown country":         {func(x *workflow.LearningEvent) { x.Place.Country = "XX" }, "place.country"},
				"NUTS2 of another land":   {func(x *workflow.LearningEvent) { x.Place.NUTS2 = "AT13" }, "place.nuts2"},
				"slot 5":                  {func(x *workflow.LearningEvent) { x.SeminarNumber = ptr(5) }, "seminar_number"},
				"visit with a slot":       {func(x *workflow.LearningEvent) { x.Type = workflow.StudyVisit }, "seminar_number"},
				"host of another project": {func(x *workflow.LearningEvent) { x.HostPartnerID = other.partner.ID }, "host_partner_id"},
				"group of another project": {func(x *workflow.LearningEvent) {
					x.StakeholderGroupIDs = []string{other.group.ID}
				}, "stakeholder_group_ids[0]"},
			} {
				x := seminar(d, 3)
				tc.edit(&x)
				err := s.CreateEvent(ctx, &x)
				require.Equal(t, workflow.CodeInvalid, workflow.ErrorCode(err), "%s: %v", name, err)
				require.Contains(t, fieldsOf(t, err), tc.field, name)
			}

			// Held, at version 2; a stale version is refused.
			up, err := s.UpdateEvent(ctx, e.ID, 1, func(x *workflow.LearningEvent) error {
				x.Status, x.Minutes = workflow.EventHeld, "Jegyzőkönyv"
				return nil
			})
			require.NoError(t, err)
			require.Equal(t, 2, up.Version)
			_, err = s.UpdateEvent(ctx, e.ID, 1, func(*workflow.LearningEvent) error { return nil })
			require.Equal(t, workflow.CodePreconditionFailed, workflow.ErrorCode(err))

			slots, err := s.ThematicSeminars(ctx, d.project.ID)
			require.NoError(t, err)
			require.Len(t, slots, 4)
			require.Equal(t, []string{"open", "held", "open", "open"}, []string{slots[0].Status, slots[1].Status, slots[2].Status, slots[3].Status})
			require.Equal(t, e.ID, slots[1].Event.ID)

			list, next, err := s.ListEvents(ctx, d.project.ID, workflow.Page{Limit: 10})
			require.NoError(t, err)
			require.Empty(t, next)
			require.Len(t, list, 1, "the other project's seminar is not listed")
		})
	}
}

// An action cites events and peer reviews of its own project only; the
// citations resolve to titles and point back at the action.
func TestActionCitations(t *testing.T) {
	for _, dialect := range sqlstoretest.Backends {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, dialect)
			d := seed(t, s, "CITE")
			other := seed(t, s, "CITE2")
			e := seminar(d, 1)
			require.NoError(t, s.CreateEvent(ctx, &e))
			foreign := seminar(other, 1)
			require.NoError(t, s.CreateEvent(ctx, &foreign))

			plan := completePlanFor(d, d.instrument.ID)
			plan.Plan.Actions[1].Background.EventIDs = []string{foreign.ID}
			err := s.CreateDeliverable(ctx, &plan)
			require.Equal(t, workflow.CodeInvalid, workflow.ErrorCode(err))
			require.Equal(t, []string{"actions[1].background.event_ids[0]"}, fieldsOf(t, err))

			plan = completePlanFor(d, d.instrument.ID)
			plan.Plan.Actions[1].Background.PeerReviewID = workflow.NewID()
			err = s.CreateDeliverable(ctx, &plan)
			require.Equal(t, []string{"actions[1].background.peer_review_id"}, fieldsOf(t, err))

			plan = completePlanFor(d, d.instrument.ID)
			plan.Plan.Actions[1].Background.EventIDs = []string{e.ID}
			require.NoError(t, s.CreateDeliverable(ctx, &plan))
			cites, err := s.PlanCitations(ctx, plan.Plan.ID)
			require.NoError(t, err)
			require.Equal(t, []workflow.Citation{{ActionNumber: 2, Kind: workflow.CiteEvent, ID: e.ID, Title: "Kézműves képzés"}}, cites)
			refs, err := s.CitingActions(ctx, workflow.CiteEvent, e.ID)
			require.NoError(t, err)
			require.Equal(t, []workflow.PracticeCitation{{PlanID: plan.Plan.ID, PlanTitle: "Terv", ActionNumber: 2, ActionTitle: "Képzés"}}, refs)

			// An edit that drops the citation drops the back reference too.
			_, err = s.UpdateDeliverable(ctx, workflow.KindActionPlan, plan.Plan.ID, 1, func(x *workflow.Deliverable) error {
				x.Plan.Actions[1].Background.EventIDs = nil
				return nil
			})
			require.NoError(t, err)
			refs, err = s.CitingActions(ctx, workflow.CiteEvent, e.ID)
			require.NoError(t, err)
			require.Empty(t, refs)
		})
	}
}

func practiceOf(t *testing.T, s *sqlstore.Store, d seedData, title string) string {
	t.Helper()
	g := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: d.project.ID,
		PartnerID: d.partner.ID, Title: title, Location: workflow.Location{Country: "HU", NUTS2: "HU11", City: "Budapest"}}}
	require.NoError(t, s.CreateDeliverable(ctx, &g))
	return g.Practice.ID
}

// A good practice is presented at the project's events and cited by its
// actions; both show in its trace. One of another project is refused.
func TestPracticeCitationsAndTrace(t *testing.T) {
	for _, dialect := range sqlstoretest.Backends {
		t.Run(string(dialect), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, dialect)
			d := seed(t, s, "GPC")
			other := seed(t, s, "GPC2")
			gp := practiceOf(t, s, d, "Kézműves Akadémia")
			foreign := practiceOf(t, s, other, "Firenze Artigiana")

			e := seminar(d, 1)
			e.GoodPracticeIDs = []string{foreign}
			err := s.CreateEvent(ctx, &e)
			require.Equal(t, []string{"good_practice_ids[0]"}, fieldsOf(t, err))
			e.GoodPracticeIDs = []string{gp}
			require.NoError(t, s.CreateEvent(ctx, &e))
			require.Equal(t, []string{gp}, e.GoodPracticeIDs)

			plan := completePlanFor(d, d.instrument.ID)
			plan.Plan.Actions[0].Background.GoodPracticeIDs = []string{foreign}
			err = s.CreateDeliverable(ctx, &plan)
			require.Equal(t, workflow.CodeInvalid, workflow.ErrorCode(err))
			require.Equal(t, []string{"actions[0].background.good_practice_ids[0]"}, fieldsOf(t, err))

			plan = completePlanFor(d, d.instrument.ID)
			plan.Plan.Actions[0].Background.GoodPracticeIDs = []string{gp}
			plan.Plan.Actions[1].Background.EventIDs = []string{e.ID}
			require.NoError(t, s.CreateDeliverable(ctx, &plan))
			cites, err := s.PlanCitations(ctx, plan.Plan.ID)
			require.NoError(t, err)
			require.Equal(t, []workflow.Citation{{ActionNumber: 1, Kind: workflow.CiteGoodPractice, ID: gp, Title: "Kézműves Akadémia"},
				{ActionNumber: 2, Kind: workflow.CiteEvent, ID: e.ID, Title: "Kézműves képzés"}}, cites)

			// The plan's document prints the titles under each action's background.
			admin := workflow.User{Email: "admin@gpc.example", Name: "Admin", Admin: true}
			_, hash := workflow.NewToken()
			require.NoError(t, s.CreateUser(ctx, &admin, hash, "test"))
			boss := workflow.Principal{User: admin}
			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindActionPlan, ID: plan.Plan.ID, Version: 1,
				Trigger: workflow.TriggerSubmit, Principal: boss})
			require.NoError(t, err)
			builtins, err := documents.Builtins()
			require.NoError(t, err)
			i := slices.IndexFunc(builtins, func(b *documents.Template) bool { return b.Name == "action_plan" })
			render := func() string {
				doc, _, err := s.RequestDocument(ctx, workflow.DocumentRequest{Kind: workflow.KindActionPlan, DeliverableID: plan.Plan.ID,
					Format: "md", Template: "action_plan", TemplateVersion: builtins[i].Version, Principal: boss})
				require.NoError(t, err)
				_, snap, created, err := s.RenderInput(ctx, doc.ID)
				require.NoError(t, err)
				var snapshot map[string]any
				dec := json.NewDecoder(bytes.NewReader(snap))
				dec.UseNumber()
				require.NoError(t, dec.Decode(&snapshot))
				var out bytes.Buffer
				require.NoError(t, documents.Assemble(&out, builtins[i], snapshot, documents.MetaFor(snapshot, false, created, "1"), documents.Format("md")))
				return out.String()
			}
			// A draft practice is not for the plan's readers (issue 15, #1).
			// The plan is Hungarian: so are its document's words.
			hu := func(id string) string { return locale.MustLoad().Match("hu").MustT(id) }
			md := render()
			require.NotContains(t, md, "Kézműves Akadémia")
			require.Contains(t, md, "- "+hu("doc.plan.cite_event")+": Kézműves képzés")
			_, err = s.UpdateDeliverable(ctx, workflow.KindGoodPractice, gp, 1, func(d *workflow.Deliverable) error {
				g := d.Practice
				g.Summary, g.Description, g.ResourcesNeeded, g.Timescale = "s", "d", "r", "t"
				g.EvidenceOfSuccess, g.PotentialForLearning, g.MainInstitution = "e", "p", "m"
				return nil
			})
			require.NoError(t, err)
			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindGoodPractice, ID: gp, Version: 2,
				Trigger: workflow.TriggerSubmit, Principal: boss})
			require.NoError(t, err)
			md = render()
			require.Contains(t, md, hu("doc.plan.cited")+"\n\n- "+hu("doc.kind.good_practice")+": Kézműves Akadémia\n\n#### 2. "+hu("doc.col.action"))
			require.Contains(t, md, "- "+hu("doc.plan.cite_event")+": Kézműves képzés")

			tr, err := s.PracticeTrace(ctx, gp)
			require.NoError(t, err)
			require.Len(t, tr.PresentedAt, 1)
			require.Equal(t, e.ID, tr.PresentedAt[0].EventID)
			require.Equal(t, "thematic_seminar", tr.PresentedAt[0].Type)
			require.Equal(t, []workflow.PracticeCitation{{PlanID: plan.Plan.ID, PlanTitle: "Terv", ActionNumber: 1, ActionTitle: "Mentor"}}, tr.CitedBy)

			// Deleting a draft practice takes it off the events that presented
			// it; deleting a draft plan takes its citations along.
			draft := practiceOf(t, s, d, "Vázlat")
			_, err = s.UpdateEvent(ctx, e.ID, e.Version, func(x *workflow.LearningEvent) error {
				x.GoodPracticeIDs = append(x.GoodPracticeIDs, draft)
				return nil
			})
			require.NoError(t, err)
			require.NoError(t, s.DeleteDeliverable(ctx, workflow.KindGoodPractice, draft, 1))
			got, err := s.Event(ctx, e.ID)
			require.NoError(t, err)
			require.Equal(t, []string{gp}, got.GoodPracticeIDs)

			other2 := practiceOf(t, s, d, "Másik")
			citing := completePlanFor(d, d.instrument.ID)
			citing.Plan.Actions[0].Background.GoodPracticeIDs = []string{other2}
			pi := workflow.PolicyInstrument{ProjectID: d.project.ID, Name: "Második", Type: workflow.InstrumentOther, PartnerIDs: []string{d.partner.ID}}
			require.NoError(t, s.CreatePolicyInstrument(ctx, &pi))
			citing.Plan.PolicyInstrumentID = pi.ID
			require.NoError(t, s.CreateDeliverable(ctx, &citing))
			refs, err := s.CitingActions(ctx, workflow.CiteGoodPractice, other2)
			require.NoError(t, err)
			require.Len(t, refs, 1)
			require.NoError(t, s.DeleteDeliverable(ctx, workflow.KindActionPlan, citing.Plan.ID, 1))
			refs, err = s.CitingActions(ctx, workflow.CiteGoodPractice, other2)
			require.NoError(t, err)
			require.Empty(t, refs)
		})
	}
}

var _ workflow.LearningEventStore = (*sqlstore.Store)(nil)
