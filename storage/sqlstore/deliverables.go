package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

type deliverableRow struct {
	ID                 string
	Kind               string
	ProjectID          string
	PartnerID          string
	PolicyInstrumentID *string
	Title              string
	State              string
	Version            int
	Revision           int
	Content            string
	Parties            string // JSON copy of deliverable_parties
	ActionCount        int    // how many actions a plan lists, for the dashboard
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

func (deliverableRow) TableName() string { return "deliverables" }

// partiesDoc is the JSON form of the parties column.
type partiesDoc struct {
	Owners []string `json:"owners"`
	Peers  []string `json:"peers"`
}

func encodeParties(ps []partyRow) string {
	doc := partiesDoc{Owners: []string{}, Peers: []string{}}
	for _, p := range ps {
		if p.Party == "peer" {
			doc.Peers = append(doc.Peers, p.PartnerID)
		} else {
			doc.Owners = append(doc.Owners, p.PartnerID)
		}
	}
	b, _ := json.Marshal(doc)
	return string(b)
}

type partyRow struct {
	DeliverableID string
	PartnerID     string
	Party         string
}

func (partyRow) TableName() string { return "deliverable_parties" }

type revisionRow struct {
	DeliverableID string
	Number        int
	Snapshot      string
	SHA256        string `gorm:"column:sha256"`
	CreatedBy     string
	CreatedAt     time.Time
}

func (revisionRow) TableName() string { return "revisions" }

type transitionRow struct {
	ID            string
	DeliverableID string
	Version       int
	FromState     string
	ToState       string
	Trigger       string
	ActorID       string
	Note          string
	Revision      int
	RequestID     string
	At            time.Time
	// on approve: who approved, as the approval record states it
	ApproverRole         string
	ApproverOrganisation string
}

func (transitionRow) TableName() string { return "transitions" }

func (r transitionRow) domain() workflow.TransitionRecord {
	return workflow.TransitionRecord{ID: r.ID, DeliverableID: r.DeliverableID, Version: r.Version,
		From: workflow.State(r.FromState), To: workflow.State(r.ToState), Trigger: workflow.Trigger(r.Trigger),
		ActorID: r.ActorID, Note: r.Note, Revision: r.Revision, RequestID: r.RequestID, At: r.At.UTC()}
}

// toRow splits a deliverable into its lifecycle columns and its content.
func toRow(d workflow.Deliverable) (deliverableRow, error) {
	h := d.Head()
	content, err := json.Marshal(d.Value())
	if err != nil {
		return deliverableRow{}, err
	}
	return deliverableRow{ID: h.ID, Kind: string(d.Kind), ProjectID: h.ProjectID, PartnerID: h.PartnerID,
		PolicyInstrumentID: nullable(h.PolicyInstrumentID), Title: h.Title, State: string(h.State),
		Version: h.Version, Revision: h.Revision, Content: string(content), UpdatedAt: h.UpdatedAt, ActionCount: actionCount(d)}, nil
}

func actionCount(d workflow.Deliverable) int {
	if d.Plan == nil {
		return 0
	}
	return len(d.Plan.Actions)
}

// fromRow rebuilds a deliverable; the columns win over the content's copy.
func fromRow(r deliverableRow) (workflow.Deliverable, error) {
	d := workflow.Deliverable{Kind: workflow.Kind(r.Kind)}
	var doc partiesDoc
	if err := json.Unmarshal([]byte(r.Parties), &doc); err != nil {
		return d, fmt.Errorf("deliverable %s parties: %w", r.ID, err)
	}
	d.Owners, d.Peers = doc.Owners, doc.Peers
	switch d.Kind {
	case workflow.KindActionPlan:
		var p workflow.ActionPlan
		if err := json.Unmarshal([]byte(r.Content), &p); err != nil {
			return d, fmt.Errorf("action plan %s: %w", r.ID, err)
		}
		p.ID, p.ProjectID, p.PartnerID, p.Title = r.ID, r.ProjectID, r.PartnerID, r.Title
		p.PolicyInstrumentID = deref(r.PolicyInstrumentID)
		p.State, p.Version, p.Revision = workflow.State(r.State), r.Version, r.Revision
		p.CreatedAt, p.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		if p.Actions == nil {
			p.Actions = []workflow.PlanAction{}
		}
		d.Plan = &p
	case workflow.KindPeerReview:
		var v workflow.PeerReview
		if err := json.Unmarshal([]byte(r.Content), &v); err != nil {
			return d, fmt.Errorf("peer review %s: %w", r.ID, err)
		}
		v.ID, v.ProjectID, v.HostPartnerID, v.Title = r.ID, r.ProjectID, r.PartnerID, r.Title
		v.PolicyInstrumentID = deref(r.PolicyInstrumentID)
		v.State, v.Version, v.Revision = workflow.State(r.State), r.Version, r.Revision
		v.CreatedAt, v.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		if v.Recommendations == nil {
			v.Recommendations = []workflow.Recommendation{}
		}
		if v.PeerPartnerIDs == nil {
			v.PeerPartnerIDs = []string{}
		}
		d.Review = &v
	case workflow.KindGoodPractice:
		var g workflow.GoodPractice
		if err := json.Unmarshal([]byte(r.Content), &g); err != nil {
			return d, fmt.Errorf("good practice %s: %w", r.ID, err)
		}
		g.ID, g.ProjectID, g.PartnerID, g.Title = r.ID, r.ProjectID, r.PartnerID, r.Title
		g.State, g.Version, g.Revision = workflow.State(r.State), r.Version, r.Revision
		g.CreatedAt, g.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		if g.Images == nil {
			g.Images = []workflow.PracticeImage{}
		}
		d.Practice = &g
	default:
		return d, fmt.Errorf("deliverable %s has unknown kind %q", r.ID, r.Kind)
	}
	return d, nil
}

func invalidRef(fe workflow.FieldError) error {
	return workflow.Problems{fe}.Err("unknown or unfit reference")
}

// parties works out the owners and peers of d from the consortium, and
// checks its references.
func parties(tx *gorm.DB, d workflow.Deliverable) ([]partyRow, error) {
	h := d.Head()
	var partner partnerRow
	if err := tx.Where("id = ? AND project_id = ?", h.PartnerID, h.ProjectID).Take(&partner).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			field := "partner_id"
			if d.Kind == workflow.KindPeerReview {
				field = "host_partner_id"
			}
			return nil, invalidRef(workflow.Problem(field, "does not name a partner of this project"))
		}
		return nil, err
	}
	rows := []partyRow{{DeliverableID: h.ID, PartnerID: h.PartnerID, Party: "owner"}}
	var instrumentPartners []string
	if h.PolicyInstrumentID != "" {
		if err := inProject(tx, &instrumentRow{}, h.ProjectID, h.PolicyInstrumentID, "policy_instrument_id"); err != nil {
			return nil, err
		}
		if err := tx.Model(&instrumentPartnerRow{}).Where("policy_instrument_id = ?", h.PolicyInstrumentID).
			Order("partner_id").Pluck("partner_id", &instrumentPartners).Error; err != nil {
			return nil, err
		}
	}
	switch d.Kind {
	case workflow.KindActionPlan:
		if partner.Role == string(workflow.PartnerAdvisory) {
			return nil, invalidRef(workflow.Problem("partner_id", "is an advisory partner, which owns no action plan"))
		}
		if !containsStr(instrumentPartners, h.PartnerID) {
			return nil, invalidRef(workflow.Problem("policy_instrument_id", "is not addressed by this partner"))
		}
		// A joint plan belongs to every partner of its instrument.
		for _, id := range instrumentPartners {
			if id != h.PartnerID {
				rows = append(rows, partyRow{DeliverableID: h.ID, PartnerID: id, Party: "owner"})
			}
		}
	case workflow.KindPeerReview:
		// As for an action plan: the instrument reviewed is one the host
		// addresses, not another partner's.
		if h.PolicyInstrumentID != "" && !containsStr(instrumentPartners, h.PartnerID) {
			return nil, invalidRef(workflow.Problem("policy_instrument_id", "is not addressed by the host partner"))
		}
		for _, id := range d.Review.PeerPartnerIDs {
			if id == h.PartnerID {
				return nil, invalidRef(workflow.Problem("peer_partner_ids", "the host cannot be its own peer"))
			}
			if err := inProject(tx, &partnerRow{}, h.ProjectID, id, "peer_partner_ids"); err != nil {
				return nil, err
			}
			rows = append(rows, partyRow{DeliverableID: h.ID, PartnerID: id, Party: "peer"})
		}
	}
	return rows, nil
}

func containsStr(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// CreateDeliverable stores a new deliverable in draft at version 1.
func (s *Store) CreateDeliverable(ctx context.Context, d *workflow.Deliverable) error {
	t := now()
	id := workflow.NewID()
	switch d.Kind {
	case workflow.KindActionPlan:
		d.Plan.ID, d.Plan.State, d.Plan.Version, d.Plan.Revision, d.Plan.CreatedAt, d.Plan.UpdatedAt = id, workflow.StateDraft, 1, 0, t, t
	case workflow.KindPeerReview:
		d.Review.ID, d.Review.State, d.Review.Version, d.Review.Revision, d.Review.CreatedAt, d.Review.UpdatedAt = id, workflow.StateDraft, 1, 0, t, t
	case workflow.KindGoodPractice:
		// Images come only through AddPracticeImage.
		d.Practice.ID, d.Practice.State, d.Practice.Version, d.Practice.Revision, d.Practice.CreatedAt, d.Practice.UpdatedAt = id, workflow.StateDraft, 1, 0, t, t
		d.Practice.Images = []workflow.PracticeImage{}
	default:
		return workflow.Errorf(workflow.CodeInvalid, "unknown kind %q", d.Kind)
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		ps, err := parties(tx, *d)
		if err != nil {
			return err
		}
		if d.Plan != nil {
			if err := checkCitations(tx, d.Plan, nil); err != nil {
				return err
			}
		}
		row, err := toRow(*d)
		if err != nil {
			return err
		}
		row.CreatedAt, row.Parties = t, encodeParties(ps)
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		if err := tx.Create(&ps).Error; err != nil {
			return err
		}
		if err := writeCitations(tx, *d); err != nil {
			return err
		}
		loaded, err := fromRow(row)
		if err != nil {
			return err
		}
		*d = loaded
		return indexDeliverable(tx, loaded)
	})
	if workflow.ErrorCode(err) == workflow.CodeConflict {
		return workflow.Errorf(workflow.CodeConflict, "this policy instrument already has an action plan")
	}
	return err
}

func loadDeliverable(tx *gorm.DB, kind workflow.Kind, id string) (workflow.Deliverable, deliverableRow, error) {
	var row deliverableRow
	if err := tx.Where("id = ? AND kind = ?", id, string(kind)).Take(&row).Error; err != nil {
		return workflow.Deliverable{}, row, notFound(err, string(kind))
	}
	d, err := fromRow(row)
	return d, row, err
}

func (s *Store) Deliverable(ctx context.Context, kind workflow.Kind, id string) (workflow.Deliverable, error) {
	d, _, err := loadDeliverable(s.db.WithContext(ctx), kind, id)
	return d, translate(err)
}

func (s *Store) ListDeliverables(ctx context.Context, kind workflow.Kind, projectID string, scope workflow.Scope, p workflow.Page) ([]workflow.Deliverable, string, error) {
	db := s.db.WithContext(ctx)
	q := db.Model(&deliverableRow{}).Where("project_id = ? AND kind = ?", projectID, string(kind))
	switch {
	case scope.All:
	case scope.PartnerID != "" && kind == workflow.KindGoodPractice: // as Scope.Visible
		q = q.Where("(state <> ? OR id IN (?))", string(workflow.StateDraft),
			db.Model(&partyRow{}).Select("deliverable_id").Where("partner_id = ?", scope.PartnerID))
	case scope.PartnerID != "":
		q = q.Where("id IN (?)", db.Model(&partyRow{}).Select("deliverable_id").Where("partner_id = ?", scope.PartnerID))
	case scope.InstrumentID != "" && kind == workflow.KindGoodPractice:
		q = q.Where("state <> ?", string(workflow.StateDraft)) // as Scope.Visible
	case scope.InstrumentID != "":
		q = q.Where("policy_instrument_id = ? AND state <> ?", scope.InstrumentID, string(workflow.StateDraft))
	default:
		return []workflow.Deliverable{}, "", nil
	}
	rows, next, err := page(q, p, func(r deliverableRow) string { return r.ID })
	if err != nil {
		return nil, "", err
	}
	out := make([]workflow.Deliverable, len(rows))
	for i, r := range rows {
		if out[i], err = fromRow(r); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// versionGate checks the caller's version before any other rule, so a
// stale write is always told so.
func versionGate(kind workflow.Kind, have, want int) error {
	if have != want {
		return workflow.Errorf(workflow.CodePreconditionFailed, "the %s is at version %d, not %d", kind, have, want)
	}
	return nil
}

// casUpdate writes the row only if it is still at version want.
func casUpdate(tx *gorm.DB, row deliverableRow, want int) error {
	res := tx.Model(&deliverableRow{}).Where("id = ? AND version = ?", row.ID, want).Updates(map[string]any{
		"title": row.Title, "state": row.State, "version": row.Version, "revision": row.Revision,
		"content": row.Content, "action_count": row.ActionCount, "parties": row.Parties, "updated_at": row.UpdatedAt, "policy_instrument_id": row.PolicyInstrumentID,
	})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected == 0 {
		return workflow.Errorf(workflow.CodePreconditionFailed, "the deliverable changed meanwhile; reload it")
	}
	return nil
}

func (s *Store) UpdateDeliverable(ctx context.Context, kind workflow.Kind, id string, version int, edit func(*workflow.Deliverable) error) (workflow.Deliverable, error) {
	var out workflow.Deliverable
	err := s.tx(ctx, func(tx *gorm.DB) (err error) {
		out, err = updateDeliverable(tx, kind, id, version, edit)
		return err
	})
	if workflow.ErrorCode(err) == workflow.CodeConflict && errors.Is(err, gorm.ErrDuplicatedKey) {
		return out, workflow.Errorf(workflow.CodeConflict, "this policy instrument already has an action plan")
	}
	return out, err
}

// updateDeliverable is a draft edit within tx: the content change, its
// parties, citations and search index, at the given version, bumped. Every
// change of a draft's content goes through it.
func updateDeliverable(tx *gorm.DB, kind workflow.Kind, id string, version int, edit func(*workflow.Deliverable) error) (workflow.Deliverable, error) {
	var out workflow.Deliverable
	err := func() error {
		d, row, err := loadDeliverable(tx, kind, id)
		if err != nil {
			return err
		}
		if err := versionGate(kind, row.Version, version); err != nil {
			return err
		}
		if row.State != string(workflow.StateDraft) {
			return workflow.Errorf(workflow.CodeConflict, "a %s can be edited only in draft; it is %s", kind, workflow.State(row.State))
		}
		var images []workflow.PracticeImage
		if d.Practice != nil {
			images = d.Practice.Images
		}
		kept := citedIDs(d.Plan)
		if err := edit(&d); err != nil {
			return err
		}
		switch d.Kind { // lifecycle fields are not the edit's to change
		case workflow.KindGoodPractice:
			d.Practice.ID, d.Practice.State, d.Practice.Revision, d.Practice.Version, d.Practice.UpdatedAt = row.ID, workflow.StateDraft, row.Revision, row.Version+1, now()
			d.Practice.Images = images // nor the images, which have their own endpoints
		case workflow.KindActionPlan:
			d.Plan.ID, d.Plan.State, d.Plan.Revision, d.Plan.Version, d.Plan.UpdatedAt = row.ID, workflow.StateDraft, row.Revision, row.Version+1, now()
		case workflow.KindPeerReview:
			d.Review.ID, d.Review.State, d.Review.Revision, d.Review.Version, d.Review.UpdatedAt = row.ID, workflow.StateDraft, row.Revision, row.Version+1, now()
		}
		ps, err := parties(tx, d)
		if err != nil {
			return err
		}
		if d.Plan != nil {
			if err := checkCitations(tx, d.Plan, kept); err != nil {
				return err
			}
		}
		nr, err := toRow(d)
		if err != nil {
			return err
		}
		nr.Parties = encodeParties(ps)
		if err := casUpdate(tx, nr, version); err != nil {
			return err
		}
		if err := tx.Where("deliverable_id = ?", id).Delete(&partyRow{}).Error; err != nil {
			return err
		}
		if err := tx.Create(&ps).Error; err != nil {
			return err
		}
		if err := writeCitations(tx, d); err != nil {
			return err
		}
		nr.CreatedAt = row.CreatedAt
		if out, err = fromRow(nr); err != nil {
			return err
		}
		return indexDeliverable(tx, out)
	}()
	return out, err
}

func (s *Store) DeleteDeliverable(ctx context.Context, kind workflow.Kind, id string, version int) error {
	return s.tx(ctx, func(tx *gorm.DB) error {
		_, row, err := loadDeliverable(tx, kind, id)
		if err != nil {
			return err
		}
		if err := versionGate(kind, row.Version, version); err != nil {
			return err
		}
		if row.State != string(workflow.StateDraft) || row.Revision > 0 {
			return workflow.Errorf(workflow.CodeConflict, "only a draft that was never submitted can be deleted; this %s has a history", kind)
		}
		// Evidence rows point at their plan and own stored objects, which
		// only deleting the evidence removes.
		var files int64
		if err := tx.Model(&evidenceRow{}).Where("plan_id = ?", id).Count(&files).Error; err != nil {
			return err
		}
		if files > 0 {
			return workflow.Errorf(workflow.CodeConflict, "this %s has %d evidence files; delete them first", kind, files)
		}
		// A draft's images go with it; the caller removes their blobs.
		if err := tx.Where("practice_id = ?", id).Delete(&practiceImageRow{}).Error; err != nil {
			return err
		}
		res := tx.Where("id = ? AND version = ?", id, version).Delete(&deliverableRow{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return workflow.Errorf(workflow.CodePreconditionFailed, "the deliverable changed meanwhile; reload it")
		}
		return nil
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
