package workflow

import (
	"context"
	"time"
)

// ProjectHome is what a project's home page shows: the deliverables the
// caller may see, in every state, with what "needs you now" is worked out
// from, read in a fixed number of queries whatever their number.
type ProjectHome struct {
	Project Project
	Items   []HomeItem
	// Reports are the progress reports of the monitored plans in Items
	// whose reminder day has come and that are not submitted yet (missing
	// or in draft), oldest due first.
	Reports []DueReport
}

// HomeItem is one deliverable on the project home: its head, who owns it,
// and, while it is in stakeholder_review, its consultation.
type HomeItem struct {
	Kind                                         Kind
	ID, ProjectID, Title, PartnerID, PartnerName string
	PolicyInstrumentID                           string
	State                                        State
	Version, Revision                            int
	UpdatedAt                                    time.Time
	Owners, Peers                                []string
	Consultation                                 *Consultation // the latest revision's, in stakeholder_review
	Unanswered                                   int           // top-level comments the approval waits for (not hidden, not deleted, no response)
}

// Deliverable is the item as the access rules see it: the head and the
// parties, without content.
func (it HomeItem) Deliverable() Deliverable {
	d := Deliverable{Kind: it.Kind, Owners: it.Owners, Peers: it.Peers}
	switch it.Kind {
	case KindActionPlan:
		d.Plan = &ActionPlan{ID: it.ID, ProjectID: it.ProjectID, PartnerID: it.PartnerID, PolicyInstrumentID: it.PolicyInstrumentID,
			Title: it.Title, State: it.State, Version: it.Version, Revision: it.Revision, UpdatedAt: it.UpdatedAt}
	case KindPeerReview:
		d.Review = &PeerReview{ID: it.ID, ProjectID: it.ProjectID, HostPartnerID: it.PartnerID, PolicyInstrumentID: it.PolicyInstrumentID,
			Title: it.Title, State: it.State, Version: it.Version, Revision: it.Revision, UpdatedAt: it.UpdatedAt}
	case KindGoodPractice:
		d.Practice = &GoodPractice{ID: it.ID, ProjectID: it.ProjectID, PartnerID: it.PartnerID,
			Title: it.Title, State: it.State, Version: it.Version, Revision: it.Revision, UpdatedAt: it.UpdatedAt}
	}
	return d
}

// DueReport is a monitored plan's progress report for a period whose
// reminder day has come and that is not submitted: missing or in draft.
type DueReport struct {
	PlanID, Title, Period string
	DueDate               Date
	Status                string // missing, draft
	Overdue               bool   // its due date has passed
}

// HomeReader is the store's side of the project home.
type HomeReader interface {
	// ProjectHome reads the project (not_found if there is none) and the
	// deliverables inside scope, in every state, without their content.
	ProjectHome(ctx context.Context, projectID string, scope Scope, now time.Time) (ProjectHome, error)
}

// Needs is the "needs you now" of a caller on a project home.
type Needs struct {
	Drafts        []HomeItem  // drafts the caller may edit and submit
	Consultations []HomeItem  // open consultations a stakeholder may comment on
	Responses     []HomeItem  // in stakeholder_review with comments waiting for the caller's response
	Approvals     []HomeItem  // consultation over, waiting for the caller's approval
	Reports       []DueReport // progress reports the caller writes, due or overdue
}

// Empty tells whether nothing needs the caller.
func (n Needs) Empty() bool {
	return len(n.Drafts)+len(n.Consultations)+len(n.Responses)+len(n.Approvals)+len(n.Reports) == 0
}

// NeedsYou works out, by the lifecycle's own rules, what on a project home
// waits for the caller at now:
//   - drafts it may edit (its own partner's, or all for the coordinator);
//   - for a stakeholder, consultations open to its group;
//   - deliverables under consultation with top-level comments without a
//     response, for whoever answers (the owner, the coordinator);
//   - deliverables whose consultation is over, for whoever may approve
//     (the coordinator; the secretariat too for action plans);
//   - due progress reports of monitored plans, for the owner and the
//     coordinator.
func NeedsYou(p Principal, home ProjectHome, now time.Time) Needs {
	var n Needs
	m, _ := p.Membership(home.Project.ID)
	reports := map[string]bool{} // plans whose reports the caller writes
	for _, it := range home.Items {
		d := it.Deliverable()
		if p.SeeDeliverable(d) != nil {
			continue
		}
		a := p.Actor(d)
		switch it.State {
		case StateDraft:
			if p.EditDeliverable(d) == nil {
				n.Drafts = append(n.Drafts, it)
			}
		case StateStakeholderReview:
			open := it.Consultation != nil && it.Consultation.Open(now)
			if open && m.Role == RoleStakeholder && !p.User.Admin && p.Commenting(d) == nil {
				n.Consultations = append(n.Consultations, it)
			}
			if it.Unanswered > 0 && p.Answering(d) == nil {
				n.Responses = append(n.Responses, it)
			}
			if !open && mayApprove(it.Kind, a) {
				n.Approvals = append(n.Approvals, it)
			}
		case StateMonitored:
			if it.Kind == KindActionPlan && (a.coordinates() || a.owns()) {
				reports[it.ID] = true
			}
		}
	}
	for _, r := range home.Reports {
		if reports[r.PlanID] {
			n.Reports = append(n.Reports, r)
		}
	}
	return n
}

// mayApprove tells whether the actor's role may fire approve on the kind,
// the guards aside.
func mayApprove(kind Kind, a Actor) bool {
	for _, t := range Permitted(kind, StateStakeholderReview, a, Facts{ConsultationOver: true}) {
		if t.Trigger == TriggerApprove {
			return true
		}
	}
	return false
}
