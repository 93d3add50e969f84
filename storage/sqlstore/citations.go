package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

// The citations of an action plan's actions: what each action names as its
// background. They live in the plan's content and, copied into
// action_citations on every write, answer "which actions cite this".

type citationRow struct {
	PlanID       string
	ActionNumber int
	Kind         string
	TargetID     string
	ProjectID    string
}

func (citationRow) TableName() string { return "action_citations" }

func planCitationRows(p *workflow.ActionPlan) []citationRow {
	var rows []citationRow
	add := func(n int, kind, id string) {
		rows = append(rows, citationRow{PlanID: p.ID, ActionNumber: n, Kind: kind, TargetID: id, ProjectID: p.ProjectID})
	}
	for _, a := range p.Actions {
		b := a.Background
		if b.PeerReviewID != "" {
			add(a.Number, workflow.CitePeerReview, b.PeerReviewID)
		}
		if b.RecommendationID != "" {
			add(a.Number, workflow.CiteRecommendation, b.RecommendationID)
		}
		for _, id := range b.GoodPracticeIDs {
			add(a.Number, workflow.CiteGoodPractice, id)
		}
		for _, id := range b.EventIDs {
			add(a.Number, workflow.CiteEvent, id)
		}
	}
	return rows
}

// checkCitations refuses a citation of anything that is not the plan's
// project's: a good practice, event or peer review of another project, or
// a recommendation that its peer review does not have. A deliverable the
// request's viewer may not see is refused in the same words as an absent
// one, unless the plan already cited it (kept: its ids before the edit).
func checkCitations(tx *gorm.DB, p *workflow.ActionPlan, kept map[string]bool) error {
	see := viewerSees(tx)
	for i, a := range p.Actions {
		f := fmt.Sprintf("actions[%d].background.", i)
		b := a.Background
		if b.PeerReviewID != "" {
			var row deliverableRow
			err := tx.Where("id = ? AND kind = ? AND project_id = ?", b.PeerReviewID, string(workflow.KindPeerReview), p.ProjectID).Take(&row).Error
			if err != nil {
				return notFoundAs(err, invalidRef(workflow.Problem(f+"peer_review_id", msgNoPeerReview)))
			}
			d, err := fromRow(row)
			if err != nil {
				return err
			}
			if !kept[b.PeerReviewID] && !see(d) {
				return invalidRef(workflow.Problem(f+"peer_review_id", msgNoPeerReview))
			}
			if b.RecommendationID != "" {
				if !slices.ContainsFunc(d.Review.Recommendations, func(r workflow.Recommendation) bool { return r.ID == b.RecommendationID }) {
					return invalidRef(workflow.Problem(f+"recommendation_id", "is not a recommendation of that peer review"))
				}
			}
		}
		for j, id := range b.GoodPracticeIDs {
			if err := goodPracticeInProject(tx, p.ProjectID, id, fmt.Sprintf("%sgood_practice_ids[%d]", f, j), kept); err != nil {
				return err
			}
		}
		for j, id := range b.EventIDs {
			if err := inProject(tx, &learningEventRow{}, p.ProjectID, id, fmt.Sprintf("%sevent_ids[%d]", f, j)); err != nil {
				return err
			}
		}
	}
	return nil
}

const msgNoPeerReview = "does not name a peer review of this project"

// citedIDs is the set of ids a plan cites.
func citedIDs(p *workflow.ActionPlan) map[string]bool {
	out := map[string]bool{}
	if p == nil {
		return out
	}
	for _, r := range planCitationRows(p) {
		out[r.TargetID] = true
	}
	return out
}

// seer decides whether a reader may see a deliverable.
type seer func(workflow.Deliverable) bool

func seeAll(workflow.Deliverable) bool { return true }

// viewerSees is what the request's viewer (workflow.WithViewer) may see:
// the deliverables inside its scope; everything when there is no viewer.
func viewerSees(db *gorm.DB) seer {
	p, ok := workflow.ViewerOf(db.Statement.Context)
	if !ok {
		return seeAll
	}
	return func(d workflow.Deliverable) bool { return p.SeeDeliverable(d) == nil }
}

// readersSee is what every reader of a plan may see, for its document,
// which outlives the request: nothing in draft, and only what each of the
// plan's owners and the stakeholders of its instrument see.
func readersSee(plan workflow.Deliverable) seer {
	h := plan.Head()
	return func(d workflow.Deliverable) bool {
		if d.Head().State == workflow.StateDraft {
			return false
		}
		for _, o := range plan.Owners {
			if !(workflow.Scope{PartnerID: o}).Visible(d) {
				return false
			}
		}
		return h.PolicyInstrumentID == "" || (workflow.Scope{InstrumentID: h.PolicyInstrumentID}).Visible(d)
	}
}

// sees reports whether see sees the deliverable id; false when it is gone.
func sees(db *gorm.DB, see seer, kind workflow.Kind, id string) (bool, error) {
	var row deliverableRow
	err := db.Where("id = ? AND kind = ?", id, string(kind)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	d, err := fromRow(row)
	if err != nil {
		return false, err
	}
	return see(d), nil
}

func notFoundAs(err, instead error) error {
	if workflow.ErrorCode(translate(err)) == workflow.CodeNotFound {
		return instead
	}
	return err
}

// The good practice's GET shows the events that presented it and the
// actions that cite it.
func init() {
	RegisterTraceHook(func(tx *gorm.DB, practiceID string, t *workflow.PracticeTrace) error {
		events, err := eventsPresenting(tx, practiceID)
		if err != nil {
			return err
		}
		for _, e := range events {
			t.PresentedAt = append(t.PresentedAt, workflow.PracticePresentation{EventID: e.ID, Type: string(e.Type),
				Title: e.Title, Start: e.StartDate, End: e.EndDate})
		}
		cites, err := citingActions(tx, workflow.CiteGoodPractice, practiceID, viewerSees(tx))
		if err != nil {
			return err
		}
		t.CitedBy = append(t.CitedBy, cites...)
		return nil
	})
}

// writeCitations replaces the plan's citation rows; the plan row exists.
func writeCitations(tx *gorm.DB, d workflow.Deliverable) error {
	if d.Plan == nil {
		return nil
	}
	if err := tx.Where("plan_id = ?", d.Plan.ID).Delete(&citationRow{}).Error; err != nil {
		return err
	}
	rows := planCitationRows(d.Plan)
	if len(rows) == 0 {
		return nil
	}
	return tx.Create(&rows).Error
}

// PlanCitations resolves what each action of a plan cites to titles, in
// action order.
func (s *Store) PlanCitations(ctx context.Context, planID string) ([]workflow.Citation, error) {
	db := s.db.WithContext(ctx)
	d, _, err := loadDeliverable(db, workflow.KindActionPlan, planID)
	if err != nil {
		return nil, translate(err)
	}
	out, err := resolveCitations(db, d.Plan, viewerSees(db))
	return out, translate(err)
}

// resolveCitations leaves out what see does not see: a good practice or
// peer review, or a recommendation of a peer review.
func resolveCitations(db *gorm.DB, p *workflow.ActionPlan, see seer) ([]workflow.Citation, error) {
	out := []workflow.Citation{}
	reviews := map[int]string{} // action number: the peer review it cites
	for _, r := range planCitationRows(p) {
		if r.Kind == workflow.CitePeerReview {
			reviews[r.ActionNumber] = r.TargetID
		}
	}
	for _, r := range planCitationRows(p) {
		var ok bool
		var err error
		switch r.Kind {
		case workflow.CiteGoodPractice:
			ok, err = sees(db, see, workflow.KindGoodPractice, r.TargetID)
		case workflow.CitePeerReview:
			ok, err = sees(db, see, workflow.KindPeerReview, r.TargetID)
		case workflow.CiteRecommendation:
			ok, err = sees(db, see, workflow.KindPeerReview, reviews[r.ActionNumber])
		default:
			ok = true
		}
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		title, err := citedTitle(db, r)
		if err != nil {
			return nil, err
		}
		out = append(out, workflow.Citation{ActionNumber: r.ActionNumber, Kind: r.Kind, ID: r.TargetID, Title: title})
	}
	return out, nil
}

// citedTitle is the title of a cited thing, "" when it is gone.
func citedTitle(db *gorm.DB, r citationRow) (string, error) {
	var titles []string
	var err error
	switch r.Kind {
	case workflow.CiteGoodPractice:
		err = db.Model(&deliverableRow{}).Where("id = ?", r.TargetID).Pluck("title", &titles).Error
	case workflow.CiteEvent:
		err = db.Model(&learningEventRow{}).Where("id = ?", r.TargetID).Pluck("title", &titles).Error
	case workflow.CitePeerReview:
		err = db.Model(&deliverableRow{}).Where("id = ?", r.TargetID).Pluck("title", &titles).Error
	case workflow.CiteRecommendation:
		var rows []deliverableRow
		if err := db.Model(&deliverableRow{}).Where("id IN (?)", db.Model(&citationRow{}).Select("target_id").
			Where("plan_id = ? AND action_number = ? AND kind = ?", r.PlanID, r.ActionNumber, workflow.CitePeerReview)).
			Find(&rows).Error; err != nil {
			return "", err
		}
		for _, row := range rows {
			d, err := fromRow(row)
			if err != nil {
				return "", err
			}
			for _, rec := range d.Review.Recommendations {
				if rec.ID == r.TargetID {
					return fmt.Sprintf("Recommendation %d: %s", rec.Number, rec.Title), nil
				}
			}
		}
	}
	if err != nil || len(titles) == 0 {
		return "", err
	}
	return titles[0], nil
}

// CitingActions lists the actions that cite a good practice (kind
// good_practice) or an event (kind event), for their traceability.
func (s *Store) CitingActions(ctx context.Context, kind, targetID string) ([]workflow.PracticeCitation, error) {
	db := s.db.WithContext(ctx)
	out, err := citingActions(db, kind, targetID, viewerSees(db))
	return out, translate(err)
}

// citingActions leaves out the plans that see does not see.
func citingActions(db *gorm.DB, kind, targetID string, see seer) ([]workflow.PracticeCitation, error) {
	var cites []citationRow
	if err := db.Where("kind = ? AND target_id = ?", kind, targetID).Order("plan_id, action_number").Find(&cites).Error; err != nil {
		return nil, err
	}
	out := []workflow.PracticeCitation{}
	for _, c := range cites {
		d, _, err := loadDeliverable(db, workflow.KindActionPlan, c.PlanID)
		if err != nil {
			return nil, err
		}
		if !see(d) {
			continue
		}
		ref := workflow.PracticeCitation{PlanID: c.PlanID, PlanTitle: d.Plan.Title, ActionNumber: c.ActionNumber}
		if c.ActionNumber <= len(d.Plan.Actions) {
			ref.ActionTitle = d.Plan.Actions[c.ActionNumber-1].Title
		}
		out = append(out, ref)
	}
	return out, nil
}

// withCitations adds to an action plan's snapshot, under the key citations,
// what the actions of that revision cite, with the titles of today, so
// that the document prints them: only what every reader of the plan may
// see (readersSee), as the document outlives the request.
func withCitations(db *gorm.DB, snapshot []byte) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(snapshot, &top); err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	var plan workflow.ActionPlan
	if err := json.Unmarshal(top["content"], &plan); err != nil {
		return nil, fmt.Errorf("snapshot content: %w", err)
	}
	d, _, err := loadDeliverable(db, workflow.KindActionPlan, plan.ID)
	if err != nil {
		return nil, err
	}
	cites, err := resolveCitations(db, &plan, readersSee(d))
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(cites)
	if err != nil {
		return nil, err
	}
	top["citations"] = raw
	return json.Marshal(top)
}
