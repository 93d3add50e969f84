package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

// querier runs a statement on the pool or in a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// facts gathers what the lifecycle's guards need. Completeness is worked out only when asked for (submit, or listing what
// may be fired): it needs the content and, for a peer review, a query. The
// consultation's state likewise (approve, or listing): one query.
func facts(ctx context.Context, db *gorm.DB, q querier, d workflow.Deliverable, project projectRow, note string, at time.Time, completeness, consultation bool) (workflow.Facts, error) {
	h := d.Head()
	f := workflow.Facts{Note: note, ConsultationOver: true}
	if consultation && h.State == workflow.StateStakeholderReview {
		over, unanswered, err := consultationFacts(ctx, q, h.ID, h.Revision, at)
		if err != nil {
			return f, err
		}
		f.ConsultationOver, f.UnansweredComments = over, unanswered
	}
	today := workflow.MustDate(at.UTC().Format("2006-01-02"))
	f.Phase2Started = project.Phase1End != nil && project.Phase1End.Before(today)
	f.Phase2Ended = project.Phase2End != nil && project.Phase2End.Before(today)
	if !completeness {
		return f, nil
	}
	switch d.Kind {
	case workflow.KindActionPlan:
		f.Incomplete = d.Plan.Incomplete()
	case workflow.KindGoodPractice:
		f.Incomplete = d.Practice.Incomplete()
	case workflow.KindPeerReview:
		var partners []partnerRow
		if err := db.Where("project_id = ?", h.ProjectID).Find(&partners).Error; err != nil {
			return f, err
		}
		country := map[string]string{}
		for _, p := range partners {
			country[p.ID] = p.Country
		}
		f.Incomplete = d.Review.Incomplete(func(id string) string { return country[id] })
	}
	return f, nil
}

// freeze makes the frozen content of a revision: the deliverable's own
// content plus what Parts I and II take from the consortium at that moment
// (project, partner, instrument, a peer review's peers), as canonical JSON.
func freeze(d workflow.Deliverable, c surroundings, number int) ([]byte, string, error) {
	h := d.Head()
	snap := map[string]any{
		"kind":     string(d.Kind),
		"revision": int64(number),
		"project": map[string]any{"id": c.project.ID, "acronym": c.project.Acronym, "title": c.project.Title, "programme": c.project.Programme,
			"language": c.project.Language},
		"partner": map[string]any{"id": h.PartnerID, "name": c.partner.Name, "short_name": c.partner.ShortName,
			"country": c.partner.Country, "region": c.partner.Region, "role": c.partner.Role},
	}
	if c.instrumentName != nil {
		snap["policy_instrument"] = map[string]any{"id": h.PolicyInstrumentID, "name": *c.instrumentName, "type": *c.instrumentType}
	}
	if len(c.peers) > 0 {
		peers := make([]any, len(c.peers))
		for i, p := range c.peers {
			peers[i] = map[string]any{"id": p.ID, "name": p.Name, "short_name": p.ShortName, "country": p.Country, "region": p.Region}
		}
		snap["peers"] = peers
	}
	raw, err := json.Marshal(d.Value())
	if err != nil {
		return nil, "", err
	}
	var content map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&content); err != nil {
		return nil, "", err
	}
	for _, k := range []string{"state", "version", "revision", "created_at", "updated_at"} {
		delete(content, k)
	}
	snap["content"] = content
	return workflow.CanonicalTree(snap)
}

// FireTransition reads, decides, then writes. The reads need no
// transaction: the write is guarded by the version that was read, so a
// decision taken on a state that has since moved is never written. The
// write is one statement on PostgreSQL when the transition has nothing
// beyond its own rows to do (no webhook to notify, no document to queue,
// nobody to tell);
// otherwise it is one transaction around that statement and the rest.
func (s *Store) FireTransition(ctx context.Context, r workflow.TransitionRequest) (workflow.Deliverable, workflow.TransitionRecord, error) {
	if err := workflow.CheckNote(r.Note); err != nil {
		return workflow.Deliverable{}, workflow.TransitionRecord{}, err
	}
	p, err := s.prepareTransition(ctx, r)
	if err != nil {
		return workflow.Deliverable{}, workflow.TransitionRecord{}, translate(err)
	}
	lost := workflow.Errorf(workflow.CodePreconditionFailed, "the deliverable changed meanwhile; reload it")
	if s.dialect == Postgres && !p.hooks && len(p.carry) == 0 && !slices.Contains(p.t.Effects, workflow.EffectAssembleDocument) && transitionNotice(p.row, p.t) == "" {
		// request_changes withdraws the consultation in the same statement.
		p.also.closeConsultation = slices.Contains(p.t.Effects, workflow.EffectCloseConsultation)
		won, err := s.casTransition(ctx, s.sql, p.row, r.Version, p.tr, p.also)
		if err == nil && !won {
			err = lost
		}
		if err != nil {
			return workflow.Deliverable{}, workflow.TransitionRecord{}, translate(err)
		}
		return withHead(p.d, p.row), p.tr.domain(), nil
	}
	err = s.tx(ctx, func(tx *gorm.DB) error {
		stx, err := sqlTx(tx)
		if err != nil {
			return err
		}
		won, err := s.casTransition(ctx, stx, p.row, r.Version, p.tr, p.also)
		if err != nil {
			return err
		}
		if !won {
			return lost
		}
		if err := s.carryOut(ctx, tx, p.row, p.t, r.Principal.User.ID, p.also.deadline, p.hooks); err != nil {
			return err
		}
		if err := s.carryThreads(ctx, stx, p.row, p.carry, []byte(p.also.snapshot), r.Principal.User.ID); err != nil {
			return err
		}
		if err := s.tellTransition(ctx, tx, p.row, p.t, p.tr.ID, r.Principal.User.ID, r.Note, p.tr.At); err != nil {
			return err
		}
		// The event's id is the history row's, so receivers can match them.
		// Most projects have no webhook: the load already said so, which
		// spares emit's query.
		return s.emitIf(ctx, tx, p.hooks, workflow.Event{ID: p.tr.ID, Type: workflow.EventTransition, ProjectID: p.row.ProjectID,
			DeliverableID: p.row.ID, At: p.tr.At, Data: workflow.TransitionEventData{Kind: r.Kind, From: p.t.From, To: p.t.To,
				Trigger: p.t.Trigger, Version: p.row.Version, Revision: p.row.Revision, ActorID: p.tr.ActorID}})
	})
	if err != nil {
		return workflow.Deliverable{}, workflow.TransitionRecord{}, err
	}
	return withHead(p.d, p.row), p.tr.domain(), nil
}

// preparedTransition is a transition decided and ready to be written.
type preparedTransition struct {
	d     workflow.Deliverable
	row   deliverableRow // with the new state, version and revision
	t     workflow.Transition
	tr    transitionRow
	also  casExtras
	hooks bool     // the project has an active webhook
	carry []string // submit: the threads to carry over, checked in the write's transaction
}

// prepareTransition reads the deliverable and what its guards need, runs
// the machine and makes the rows to write. It writes nothing.
func (s *Store) prepareTransition(ctx context.Context, r workflow.TransitionRequest) (preparedTransition, error) {
	var p preparedTransition
	at := now()
	// Only submit looks at the content (its guard, and the revision it
	// freezes); the other triggers skip decoding it.
	submit := r.Trigger == workflow.TriggerSubmit
	d, row, sur, err := loadForTransition(ctx, s.sql, r.Kind, r.ID, submit)
	if err != nil {
		return p, err
	}
	if err := r.Principal.SeeDeliverable(d); err != nil {
		return p, err
	}
	if err := versionGate(r.Kind, row.Version, r.Version); err != nil {
		return p, err
	}
	if p.carry, err = carryRequest(r); err != nil {
		return p, err
	}
	db := s.db.WithContext(ctx)
	f, err := facts(ctx, db, s.sql, d, sur.project, r.Note, at, submit, r.Trigger == workflow.TriggerApprove)
	if err != nil {
		return p, err
	}
	t, err := workflow.Fire(r.Kind, workflow.State(row.State), r.Trigger, r.Principal.Actor(d), f)
	if err != nil {
		return p, err
	}
	// The window is checked before anything is written, so a bad deadline
	// costs no version.
	if slices.Contains(t.Effects, workflow.EffectOpenConsultation) {
		deadline, err := consultationDeadline(r.ConsultationDeadline, sur.project.ConsultationDays, at)
		if err != nil {
			return p, err
		}
		p.also.deadline = &deadline
	}
	row.State, row.Version, row.UpdatedAt = string(t.To), row.Version+1, now()
	if slices.Contains(t.Effects, workflow.EffectFreezeRevision) {
		row.Revision++
		if d.Review != nil && len(d.Review.PeerPartnerIDs) > 0 {
			var peers []partnerRow
			if err := db.Where("id IN ?", d.Review.PeerPartnerIDs).Find(&peers).Error; err != nil {
				return p, err
			}
			byID := map[string]partnerRow{}
			for _, pr := range peers {
				byID[pr.ID] = pr
			}
			for _, id := range d.Review.PeerPartnerIDs {
				if pr, ok := byID[id]; ok {
					sur.peers = append(sur.peers, pr)
				}
			}
		}
		data, sum, err := freeze(d, sur, row.Revision)
		if err != nil {
			return p, err
		}
		p.also.snapshot, p.also.sha256 = string(data), sum
	}
	p.d, p.row, p.t, p.hooks = d, row, t, sur.webhooks
	p.tr = transitionRow{ID: workflow.NewID(), DeliverableID: row.ID, Version: row.Version,
		FromState: string(t.From), ToState: string(t.To), Trigger: string(t.Trigger), ActorID: r.Principal.User.ID,
		Note: r.Note, Revision: row.Revision, RequestID: r.RequestID, At: row.UpdatedAt}
	if t.Trigger == workflow.TriggerApprove {
		a := r.Principal.Actor(d)
		if p.tr.ApproverRole, p.tr.ApproverOrganisation, err = approver(db, sur.project, a.Role, a.Admin); err != nil {
			return p, err
		}
	}
	return p, nil
}

func (s *Store) PermittedTransitions(ctx context.Context, kind workflow.Kind, id string, p workflow.Principal) ([]workflow.PermittedTrigger, workflow.Deliverable, error) {
	var out []workflow.PermittedTrigger
	var d workflow.Deliverable
	err := s.tx(ctx, func(tx *gorm.DB) error {
		stx, err := sqlTx(tx)
		if err != nil {
			return err
		}
		var sur surroundings
		if d, _, sur, err = loadForTransition(ctx, stx, kind, id, true); err != nil {
			return err
		}
		if err := p.SeeDeliverable(d); err != nil {
			return err
		}
		// A note is asked for when revise is fired; for the list, assume one.
		f, err := facts(ctx, tx, stx, d, sur.project, "(note)", now(), true, true)
		if err != nil {
			return err
		}
		out = workflow.Permitted(kind, d.Head().State, p.Actor(d), f)
		return nil
	})
	return out, d, err
}

func (s *Store) History(ctx context.Context, kind workflow.Kind, id string, p workflow.Page) ([]workflow.TransitionRecord, string, error) {
	q := s.db.WithContext(ctx).Where("deliverable_id = ?", id)
	rows, next, err := historyPage(q, "transitions", p, func(r transitionRow) string { return r.ID })
	return mapRows(rows, transitionRow.domain), next, err
}

// historyPage reads one page of an append-only history oldest first (by
// version). The cursor is the id of the previous page's last row.
func historyPage[T any](q *gorm.DB, table string, p workflow.Page, id func(T) string) ([]T, string, error) {
	if p.After != "" {
		q = q.Where("version > (SELECT h.version FROM "+table+" h WHERE h.id = ?)", p.After)
	}
	if p.Limit <= 0 {
		p.Limit = 50
	}
	var rows []T
	if err := q.Order("version").Limit(p.Limit + 1).Find(&rows).Error; err != nil {
		return nil, "", translate(err)
	}
	next := ""
	if len(rows) > p.Limit {
		rows = rows[:p.Limit]
		next = id(rows[len(rows)-1])
	}
	return rows, next, nil
}

func (s *Store) Revision(ctx context.Context, kind workflow.Kind, id string, number int) (workflow.RevisionRecord, error) {
	var row revisionRow
	if err := s.db.WithContext(ctx).Where("deliverable_id = ? AND number = ?", id, number).Take(&row).Error; err != nil {
		return workflow.RevisionRecord{}, notFound(err, "revision")
	}
	return workflow.RevisionRecord{DeliverableID: row.DeliverableID, Number: row.Number, Snapshot: []byte(row.Snapshot),
		SHA256: row.SHA256, CreatedBy: row.CreatedBy, CreatedAt: row.CreatedAt.UTC()}, nil
}

// carryOut does the effects that write more than casTransition's rows:
// it tells subscribers that submit opened the consultation (deadline is
// its end), closes it on request_changes and queues approve's documents.
// hooks is false when the project has no webhook, which spares the
// events' lookups.
func (s *Store) carryOut(ctx context.Context, tx *gorm.DB, row deliverableRow, t workflow.Transition, actorID string, deadline *time.Time, hooks bool) error {
	for _, e := range t.Effects {
		var err error
		switch e {
		case workflow.EffectAssembleDocument:
			err = s.queueApprovalDocuments(ctx, tx, row, actorID)
		case workflow.EffectOpenConsultation:
			err = s.emitIf(ctx, tx, hooks, workflow.Event{ID: workflow.NewID(), Type: workflow.EventConsultationOpened, ProjectID: row.ProjectID,
				DeliverableID: row.ID, At: row.UpdatedAt, Data: workflow.Consultation{DeliverableID: row.ID, Revision: row.Revision,
					OpenedAt: row.UpdatedAt, Deadline: *deadline}})
		case workflow.EffectCloseConsultation:
			_, err = s.closeConsultation(ctx, tx, row.ProjectID, row.ID, row.Revision, actorID, "withdrawn", row.UpdatedAt, hooks)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// casExtras are what a transition writes besides its own rows: submit's
// frozen revision (when snapshot is set) and consultation (when deadline
// is); request_changes' withdrawal of the consultation (closeConsultation,
// PostgreSQL only; elsewhere carryOut does it).
type casExtras struct {
	snapshot, sha256  string
	deadline          *time.Time
	closeConsultation bool
}

// casTransition writes the version-checked state update and appends the
// history row, plus a submit's revision and consultation; won is false when
// the version moved (nothing is written then). On PostgreSQL it is one
// statement, saving round trips on the hot path; SQLite has no
// data-modifying WITH, so there each row is its own statement.
func (s *Store) casTransition(ctx context.Context, stx querier, row deliverableRow, want int, tr transitionRow, also casExtras) (bool, error) {
	if s.dialect == Postgres {
		q := `WITH u AS (
				UPDATE deliverables SET state = $1, version = $2, revision = $3, updated_at = $4
				WHERE id = $5 AND version = $6 RETURNING id, project_id)`
		args := []any{row.State, row.Version, row.Revision, row.UpdatedAt, row.ID, want,
			tr.ID, tr.FromState, tr.ToState, tr.Trigger, tr.ActorID, tr.Note, tr.RequestID, tr.ApproverRole, tr.ApproverOrganisation}
		if also.snapshot != "" {
			args = append(args, also.snapshot, also.sha256)
			q += fmt.Sprintf(`, rv AS (INSERT INTO revisions (deliverable_id, number, snapshot, sha256, created_by, created_at)
				SELECT u.id, $3, $%d, $%d, $11, $4 FROM u)`, len(args)-1, len(args))
		}
		if also.deadline != nil {
			args = append(args, *also.deadline)
			q += fmt.Sprintf(`, cs AS (INSERT INTO consultations (deliverable_id, revision, project_id, opened_at, deadline)
				SELECT u.id, $3, u.project_id, $4, $%d FROM u)`, len(args))
		}
		if also.closeConsultation {
			q += `, cc AS (UPDATE consultations c SET closed_at = $4, closed_by = $11, closed_reason = 'withdrawn'
				FROM u WHERE c.deliverable_id = u.id AND c.revision = $3 AND c.closed_at IS NULL)`
		}
		q += `
			INSERT INTO transitions (id, deliverable_id, version, from_state, to_state, trigger, actor_id, note, revision, request_id, at,
				approver_role, approver_organisation)
			SELECT $7, u.id, $2, $8, $9, $10, $11, $12, $3, $13, $4, $14, $15 FROM u`
		res, err := stx.ExecContext(ctx, q, args...)
		if err != nil {
			return false, err
		}
		n, err := res.RowsAffected()
		return n == 1, err
	}
	res, err := stx.ExecContext(ctx, `UPDATE deliverables SET state = $1, version = $2, revision = $3, updated_at = $4 WHERE id = $5 AND version = $6`,
		row.State, row.Version, row.Revision, row.UpdatedAt, row.ID, want)
	if err != nil {
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	if _, err = stx.ExecContext(ctx, `INSERT INTO transitions (id, deliverable_id, version, from_state, to_state, trigger, actor_id, note, revision, request_id, at,
		approver_role, approver_organisation) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, tr.ID, tr.DeliverableID, tr.Version, tr.FromState, tr.ToState, tr.Trigger,
		tr.ActorID, tr.Note, tr.Revision, tr.RequestID, tr.At, tr.ApproverRole, tr.ApproverOrganisation); err != nil {
		return false, err
	}
	if also.snapshot != "" {
		if _, err := stx.ExecContext(ctx, `INSERT INTO revisions (deliverable_id, number, snapshot, sha256, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			row.ID, row.Revision, also.snapshot, also.sha256, tr.ActorID, row.UpdatedAt); err != nil {
			return false, err
		}
	}
	if also.deadline != nil {
		if _, err := stx.ExecContext(ctx, `INSERT INTO consultations (deliverable_id, revision, project_id, opened_at, deadline) VALUES ($1, $2, $3, $4, $5)`,
			row.ID, row.Revision, row.ProjectID, row.UpdatedAt, *also.deadline); err != nil {
			return false, err
		}
	}
	return true, nil
}

// sqlTx is the database/sql transaction under a gorm transaction. The hot
// path of a transition talks to it directly: gorm's statement building
// costs more than the queries. $n placeholders work on both dialects.
func sqlTx(tx *gorm.DB) (*sql.Tx, error) {
	t, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return nil, fmt.Errorf("not in a database/sql transaction")
	}
	return t, nil
}

// surroundings are what a transition reads besides the deliverable: the
// project (phase dates; Part I) and the partner and instrument that Parts I
// and II of a frozen revision take their names from.
type surroundings struct {
	project                        projectRow
	partner                        partnerRow
	instrumentName, instrumentType *string
	peers                          []partnerRow // read only when a peer review's revision is frozen
	webhooks                       bool         // the project has an active webhook
}

// loadForTransition reads a deliverable and its surroundings in one query:
// the transition path is hot, and each round trip counts.
// Without content, the deliverable carries its lifecycle head and parties
// only.
func loadForTransition(ctx context.Context, q querier, kind workflow.Kind, id string, content bool) (workflow.Deliverable, deliverableRow, surroundings, error) {
	var r deliverableRow
	var c surroundings
	rows, err := q.QueryContext(ctx, `SELECT d.id, d.kind, d.project_id, d.partner_id, d.policy_instrument_id, d.title, d.state,
			d.version, d.revision, d.content, d.parties, d.created_at, d.updated_at,
			p.acronym, p.title, p.programme, p.phase1_end, p.phase2_end, p.consultation_days,
			pa.name, pa.short_name, pa.country, pa.region, pa.role, pi.name, pi.type,
			EXISTS (SELECT 1 FROM webhooks w WHERE w.project_id = d.project_id AND w.active)
		FROM deliverables d
		JOIN projects p ON p.id = d.project_id
		JOIN partners pa ON pa.id = d.partner_id
		LEFT JOIN policy_instruments pi ON pi.id = d.policy_instrument_id
		WHERE d.id = $1 AND d.kind = $2`, id, string(kind))
	if err != nil {
		return workflow.Deliverable{}, r, c, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return workflow.Deliverable{}, r, c, err
		}
		return workflow.Deliverable{}, r, c, workflow.Errorf(workflow.CodeNotFound, "%s not found", kind)
	}
	p, pa := &c.project, &c.partner
	if err := rows.Scan(&r.ID, &r.Kind, &r.ProjectID, &r.PartnerID, &r.PolicyInstrumentID, &r.Title, &r.State,
		&r.Version, &r.Revision, &r.Content, &r.Parties, &r.CreatedAt, &r.UpdatedAt,
		&p.Acronym, &p.Title, &p.Programme, &p.Phase1End, &p.Phase2End, &p.ConsultationDays,
		&pa.Name, &pa.ShortName, &pa.Country, &pa.Region, &pa.Role, &c.instrumentName, &c.instrumentType, &c.webhooks); err != nil {
		return workflow.Deliverable{}, r, c, err
	}
	p.ID, pa.ID = r.ProjectID, r.PartnerID
	if !content {
		r.Content = "{}"
	}
	d, err := fromRow(r)
	return d, r, c, err
}

// withHead returns d with the lifecycle columns of row.
func withHead(d workflow.Deliverable, row deliverableRow) workflow.Deliverable {
	state := workflow.State(row.State)
	if d.Plan != nil {
		p := *d.Plan
		p.State, p.Version, p.Revision, p.UpdatedAt = state, row.Version, row.Revision, row.UpdatedAt
		d.Plan = &p
	} else if d.Practice != nil {
		g := *d.Practice
		g.State, g.Version, g.Revision, g.UpdatedAt = state, row.Version, row.Revision, row.UpdatedAt
		d.Practice = &g
	} else {
		r := *d.Review
		r.State, r.Version, r.Revision, r.UpdatedAt = state, row.Version, row.Revision, row.UpdatedAt
		d.Review = &r
	}
	return d
}
