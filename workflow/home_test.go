package workflow

import (
	"testing"
	"time"
)

// TestNeedsYou: who is asked for what, by the lifecycle's own rules.
func TestNeedsYou(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	closed := now.Add(-time.Hour)
	open := &Consultation{Deadline: now.Add(24 * time.Hour)}
	over := &Consultation{Deadline: now.Add(24 * time.Hour), ClosedAt: &closed}
	const pid, a, b, inst = "p", "partner-a", "partner-b", "inst-a"
	item := func(id string, k Kind, s State, owner string, c *Consultation, unanswered int) HomeItem {
		return HomeItem{ID: id, ProjectID: pid, Kind: k, State: s, PartnerID: owner, PolicyInstrumentID: inst, Owners: []string{owner},
			Consultation: c, Unanswered: unanswered}
	}
	home := ProjectHome{Project: Project{ID: pid}, Items: []HomeItem{
		item("draft-a", KindActionPlan, StateDraft, a, nil, 0),
		item("draft-b", KindPeerReview, StateDraft, b, nil, 0),
		item("open-a", KindActionPlan, StateStakeholderReview, a, open, 2),
		item("over-plan", KindActionPlan, StateStakeholderReview, a, over, 0),
		item("over-review", KindPeerReview, StateStakeholderReview, b, over, 1),
		item("monitored-a", KindActionPlan, StateMonitored, a, nil, 0),
	}, Reports: []DueReport{{PlanID: "monitored-a", Period: "2025-S2"}}}
	who := func(r Role, partner, group string) Principal {
		return Principal{User: User{ID: "u"}, Memberships: []Membership{{ProjectID: pid, Role: r, PartnerID: partner, StakeholderGroupID: group}},
			GroupInstruments: map[string]string{"g": inst}}
	}
	ids := func(items []HomeItem) []string {
		out := []string{}
		for _, it := range items {
			out = append(out, it.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name                                  string
		p                                     Principal
		drafts, consult, responses, approvals []string
		reports                               int
	}{
		{"coordinator", who(RoleCoordinator, "", ""), []string{"draft-a", "draft-b"}, []string{}, []string{"open-a", "over-review"},
			[]string{"over-plan", "over-review"}, 1},
		{"partner a", who(RolePartner, a, ""), []string{"draft-a"}, []string{}, []string{"open-a"}, []string{}, 1},
		{"partner b", who(RolePartner, b, ""), []string{"draft-b"}, []string{}, []string{"over-review"}, []string{}, 0},
		{"secretariat", who(RoleSecretariat, "", ""), []string{}, []string{}, []string{}, []string{"over-plan"}, 0},
		{"observer", who(RoleObserver, "", ""), []string{}, []string{}, []string{}, []string{}, 0},
		{"stakeholder", who(RoleStakeholder, "", "g"), []string{}, []string{"open-a"}, []string{}, []string{}, 0},
	} {
		n := NeedsYou(tc.p, home, now)
		check := func(what string, got, want []string) {
			t.Helper()
			if len(got) != len(want) {
				t.Fatalf("%s %s: got %v, want %v", tc.name, what, got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%s %s: got %v, want %v", tc.name, what, got, want)
				}
			}
		}
		check("drafts", ids(n.Drafts), tc.drafts)
		check("consultations", ids(n.Consultations), tc.consult)
		check("responses", ids(n.Responses), tc.responses)
		check("approvals", ids(n.Approvals), tc.approvals)
		if len(n.Reports) != tc.reports {
			t.Fatalf("%s reports: got %v", tc.name, n.Reports)
		}
		if n.Empty() != (len(tc.drafts)+len(tc.consult)+len(tc.responses)+len(tc.approvals)+tc.reports == 0) {
			t.Fatalf("%s: Empty() is wrong", tc.name)
		}
	}
}
