package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/search"
	"github.com/craftscode/craftscode/workflow"
)

// searchRow is one entry of the search index (migration 00012).
type searchRow struct {
	ProjectID     string
	DeliverableID string
	Kind          string
	ActionNumber  int
	Title         string
	Body          string
	Norm          string
}

func (searchRow) TableName() string { return "search_documents" }

// searchMigration is the migration that creates search_documents.
const searchMigration = 12

// snippetWords is how many words a result's snippet shows.
const snippetWords = 30

// searchWindow is how many documents PostgreSQL looks through in order
// before it asks the GIN index (see Search).
const searchWindow = 3000

// indexDeliverable replaces the index entries of d with its current
// content; every write of a deliverable's content calls it in its own
// transaction, so the index never lags behind.
func indexDeliverable(tx *gorm.DB, d workflow.Deliverable) error {
	h := d.Head()
	if err := tx.Where("deliverable_id = ?", h.ID).Delete(&searchRow{}).Error; err != nil {
		return err
	}
	var rows []searchRow
	if d.Plan != nil {
		for _, a := range d.Plan.Actions {
			body := joinNonEmpty(a.Description, a.Background.Text, a.Players, a.Costs, a.FundingSources)
			rows = append(rows, searchRow{ProjectID: h.ProjectID, DeliverableID: h.ID, Kind: string(workflow.SearchAction),
				ActionNumber: a.Number, Title: a.Title, Body: body, Norm: search.Normalize(a.Title, body)})
		}
	}
	if g := d.Practice; g != nil {
		body := joinNonEmpty(g.Summary, g.Description, g.Location.City, g.MainInstitution, g.ResourcesNeeded,
			g.Timescale, g.EvidenceOfSuccess, g.PotentialForLearning)
		rows = append(rows, searchRow{ProjectID: h.ProjectID, DeliverableID: h.ID, Kind: string(workflow.SearchGoodPractice),
			Title: g.Title, Body: body, Norm: search.Normalize(g.Title, body)})
	}
	if len(rows) == 0 {
		return nil
	}
	return tx.Create(&rows).Error
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}

// reindexAll rebuilds the index of every deliverable, a page at a time:
// run once when migration 00012 creates the index over existing plans.
func (s *Store) reindexAll(ctx context.Context) error {
	after := ""
	for {
		var rows []deliverableRow
		if err := s.db.WithContext(ctx).Where("id > ?", after).Order("id").Limit(200).Find(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		err := s.tx(ctx, func(tx *gorm.DB) error {
			for _, r := range rows {
				d, err := fromRow(r)
				if err != nil {
					return err
				}
				if err := indexDeliverable(tx, d); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("search index: %w", err)
		}
		after = rows[len(rows)-1].ID
	}
}

type searchResultRow struct {
	DeliverableID string
	Kind          string
	ActionNumber  int
	Title         string
	Body          string
	PlanTitle     string
	State         string
}

// Search finds the documents of a project that match every term as a word
// prefix: with the GIN-indexed tsvector on PostgreSQL, with LIKE over the
// folded words on SQLite. Scope is the deliverables' own rule, read from
// the deliverable at query time.
func (s *Store) Search(ctx context.Context, q workflow.SearchQuery) ([]workflow.SearchHit, *workflow.SearchCursor, error) {
	if len(q.Terms) == 0 || q.Limit <= 0 {
		return []workflow.SearchHit{}, nil, nil
	}
	if q.Kind == "" && !q.Scope.All {
		return s.searchEachKind(ctx, q)
	}
	db := s.db.WithContext(ctx)
	// Which documents: the project's, of the kind, after the cursor; for
	// a partner or a group, actions only of the plans it may see, which are
	// few, so that no walk passes over everybody else's.
	docs := db.Table("search_documents").Where("project_id = ?", q.ProjectID)
	if q.Kind != "" {
		docs = docs.Where("kind = ?", string(q.Kind))
	}
	if q.Kind == workflow.SearchAction {
		switch {
		case q.Scope.PartnerID != "":
			docs = docs.Where("deliverable_id IN (?)", db.Model(&partyRow{}).Select("deliverable_id").Where("partner_id = ?", q.Scope.PartnerID))
		case q.Scope.InstrumentID != "":
			docs = docs.Where("deliverable_id IN (?)", db.Model(&deliverableRow{}).Select("id").
				Where("kind = ? AND policy_instrument_id = ? AND state <> ? AND project_id = ?", string(workflow.KindActionPlan), q.Scope.InstrumentID, string(workflow.StateDraft), q.ProjectID))
		}
	}
	if q.After.DeliverableID != "" {
		docs = docs.Where("(deliverable_id > ? OR (deliverable_id = ? AND action_number > ?))",
			q.After.DeliverableID, q.After.DeliverableID, q.After.ActionNumber)
	}
	match := func(tx *gorm.DB, col string) *gorm.DB {
		if s.dialect == Postgres {
			return tx.Where(col+"tsv @@ to_tsquery('simple', ?)", search.TSQuery(q.Terms))
		}
		for _, t := range q.Terms {
			// Terms are letters and digits: nothing for LIKE to escape.
			tx = tx.Where(col+"norm LIKE ?", "% "+t+"%")
		}
		return tx
	}
	page := func(source *gorm.DB) ([]searchResultRow, error) {
		tx := db.Table("(?) AS sd", source).
			Select("sd.deliverable_id, sd.kind, sd.action_number, sd.title, sd.body, d.title AS plan_title, d.state").
			Joins("JOIN deliverables d ON d.id = sd.deliverable_id")
		tx = match(tx, "sd.")
		// As Scope.Visible: submitted good practices are shown to every
		// partner and group, actions to their plan's parties and its
		// instrument's group.
		draft, gp := string(workflow.StateDraft), string(workflow.SearchGoodPractice)
		switch {
		case q.Scope.All:
		case q.Scope.PartnerID != "":
			tx = tx.Where("((sd.kind = ? AND d.state <> ?) OR sd.deliverable_id IN (?))", gp, draft,
				db.Model(&partyRow{}).Select("deliverable_id").Where("partner_id = ?", q.Scope.PartnerID))
		case q.Scope.InstrumentID != "":
			tx = tx.Where("d.state <> ? AND (sd.kind = ? OR d.policy_instrument_id = ?)", draft, gp, q.Scope.InstrumentID)
		default:
			return nil, nil
		}
		var rows []searchResultRow
		err := tx.Order("sd.deliverable_id, sd.action_number").Limit(q.Limit + 1).Scan(&rows).Error
		return rows, translate(err)
	}
	var rows []searchResultRow
	var err error
	if s.dialect == Postgres {
		// PostgreSQL cannot tell a rare word from a common one when it is a
		// prefix, and then walks the whole index in order even for a rare
		// word. So count the matches among the next searchWindow documents
		// first: when the words are common, the walk in order soon fills a
		// page; when they are rare, the GIN index finds them all (the
		// subquery's LIMIT keeps the planner from merging it into a walk).
		var dense int64
		probe := docs.Session(&gorm.Session{}).Select("tsv").Order("deliverable_id, action_number").Limit(searchWindow)
		err = match(db.Table("(?) AS w", probe), "w.").Count(&dense).Error
		switch {
		case err != nil:
		case dense*100 >= searchWindow: // at least 1 %
			rows, err = page(docs.Session(&gorm.Session{}).Select("*").Order("deliverable_id, action_number").Limit(math.MaxInt32))
		default:
			rows, err = page(match(docs, "").Limit(math.MaxInt32))
		}
	} else {
		rows, err = page(match(docs, ""))
	}
	if err != nil {
		return nil, nil, err
	}
	var next *workflow.SearchCursor
	if len(rows) > q.Limit {
		rows = rows[:q.Limit]
		last := rows[len(rows)-1]
		next = &workflow.SearchCursor{DeliverableID: last.DeliverableID, ActionNumber: last.ActionNumber}
	}
	out := make([]workflow.SearchHit, len(rows))
	for i, r := range rows {
		h := workflow.SearchHit{Type: workflow.SearchKind(r.Kind), ID: r.DeliverableID, Title: r.Title,
			State: workflow.State(r.State), Snippet: search.Snippet(r.Body, q.Terms, snippetWords),
			Cursor: workflow.SearchCursor{DeliverableID: r.DeliverableID, ActionNumber: r.ActionNumber}}
		switch h.Type {
		case workflow.SearchAction:
			h.ActionNumber, h.PlanTitle = r.ActionNumber, r.PlanTitle
			h.Links = map[string]string{"action_plan": "/api/v1/action-plans/" + r.DeliverableID}
		case workflow.SearchGoodPractice:
			h.Links = map[string]string{"good_practice": "/api/v1/good-practices/" + r.DeliverableID, "page": "/ui/good-practices/" + r.DeliverableID}
		}
		out[i] = h
	}
	return out, next, nil
}

// searchEachKind answers a partner's or a group's search of every kind as
// two searches, one per kind, merged in order: the actions they may see
// are few, the good practices many, and one walk over both would pass
// over every other plan's actions.
func (s *Store) searchEachKind(ctx context.Context, q workflow.SearchQuery) ([]workflow.SearchHit, *workflow.SearchCursor, error) {
	var all []workflow.SearchHit
	more := false
	for _, k := range []workflow.SearchKind{workflow.SearchAction, workflow.SearchGoodPractice} {
		qk := q
		qk.Kind = k
		hits, next, err := s.Search(ctx, qk)
		if err != nil {
			return nil, nil, err
		}
		all, more = append(all, hits...), more || next != nil
	}
	slices.SortFunc(all, func(a, b workflow.SearchHit) int {
		return cmp.Or(strings.Compare(a.ID, b.ID), cmp.Compare(a.ActionNumber, b.ActionNumber))
	})
	if len(all) > q.Limit {
		all, more = all[:q.Limit], true
	}
	if !more || len(all) == 0 {
		return all, nil, nil
	}
	last := all[len(all)-1].Cursor
	return all, &last, nil
}
