package sqlstoretest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/craftscode/craftscode/search"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// SearchCorpus is a project with many action plans and good practices and
// their search index, written straight into the tables for the search
// benchmark. Every Rare-th document holds the word "filigree", every
// Common-th "ceramics", every other one "ремёсла"; all hold "craft".
type SearchCorpus struct {
	ProjectID    string
	PartnerID    string // owns the first plans
	InstrumentID string // the first plan's instrument
	Docs         int
	Rare, Common int
}

// searchWords are the filler of titles and bodies, from the consortium's
// languages, so that the index holds accents and scripts.
var searchWords = strings.Fields(`network workshop mentoring apprentice design export market tourism heritage
	skills training cluster innovation digital shop fair festival museum chamber municipality region
	réseau atelier métier savoir artisanat formation kézműves műhely vállalkozás képzés rzemiosło
	warsztat szkolenie tradycja oficio taller formación mercado занаят работилница обучение традиция
	handwerk betrieb ausbildung meister ceardaíocht ceardlann oiliúint`)

// SeedSearch writes plans action plans of actions actions each and as many
// good practices as actions in all (so docs = 2 × plans × actions), with
// partners partners; one plan in five and one practice in ten stay drafts.
func SeedSearch(ctx context.Context, db *sql.DB, d sqlstore.Dialect, plans, actions, partners int) (SearchCorpus, error) {
	c := SearchCorpus{ProjectID: workflow.NewID(), Rare: 997, Common: 10}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return c, err
	}
	defer func() { _ = tx.Rollback() }()
	now := time.Now().UTC().Truncate(time.Microsecond)
	b := bulk{tx: tx, dialect: d}
	b.add("projects (id, acronym, title, created_at)", c.ProjectID, "SEARCH", "Search benchmark", now)
	if err := b.flush(ctx); err != nil {
		return c, err
	}
	partnerIDs := make([]string, partners)
	for i := range partnerIDs {
		partnerIDs[i] = workflow.NewID()
		b.add("partners (id, project_id, name, country, role, created_at)", partnerIDs[i], c.ProjectID, fmt.Sprintf("Partner %03d", i), "HU", "partner", now)
	}
	if err := b.flush(ctx); err != nil {
		return c, err
	}
	c.PartnerID = partnerIDs[0]
	type plan struct{ id, partner, instrument, state string }
	ps := make([]plan, plans)
	for i := range ps {
		ps[i] = plan{workflow.NewID(), partnerIDs[i%partners], workflow.NewID(), "approved"}
		if i%5 == 4 {
			ps[i].state = "draft"
		}
		b.add("policy_instruments (id, project_id, name, type, created_at)", ps[i].instrument, c.ProjectID, fmt.Sprintf("Instrument %04d", i), "other", now)
	}
	if err := b.flush(ctx); err != nil {
		return c, err
	}
	c.InstrumentID = ps[0].instrument
	for _, p := range ps {
		b.add("policy_instrument_partners (policy_instrument_id, partner_id)", p.instrument, p.partner)
	}
	if err := b.flush(ctx); err != nil {
		return c, err
	}
	practices := make([]plan, plans*actions)
	for i := range practices {
		practices[i] = plan{workflow.NewID(), partnerIDs[i%partners], "", "approved"}
		if i%10 == 9 {
			practices[i].state = "draft"
		}
	}
	row := func(p plan, kind, title string) {
		var inst any
		if p.instrument != "" {
			inst = p.instrument
		}
		b.add("deliverables (id, kind, project_id, partner_id, policy_instrument_id, title, state, version, revision, content, parties, created_at, updated_at)",
			p.id, kind, c.ProjectID, p.partner, inst, title, p.state, 1, 0, "{}", fmt.Sprintf(`{"owners":[%q],"peers":[]}`, p.partner), now, now)
	}
	for i, p := range ps {
		row(p, "action_plan", fmt.Sprintf("Action plan %d", i))
	}
	for i, p := range practices {
		row(p, "good_practice", fmt.Sprintf("Good practice %d", i))
	}
	if err := b.flush(ctx); err != nil {
		return c, err
	}
	for _, p := range append(ps[:len(ps):len(ps)], practices...) {
		b.add("deliverable_parties (deliverable_id, partner_id, party)", p.id, p.partner, "owner")
	}
	if err := b.flush(ctx); err != nil {
		return c, err
	}
	// The text of document n: filler words picked by a fixed sequence,
	// and the marker words at their rates.
	text := func(n int) (string, string) {
		var w []string
		x := uint32(n)*2654435761 + 1
		for range 40 {
			x = x*1664525 + 1013904223
			w = append(w, searchWords[int(x>>8)%len(searchWords)])
		}
		w = append(w, "craft")
		if n%c.Rare == 0 {
			w = append(w, "filigree")
		}
		if n%c.Common == 0 {
			w = append(w, "ceramics")
		}
		if n%2 == 0 {
			w = append(w, "ремёсла")
		}
		return strings.Join(w[:6], " "), strings.Join(w[6:], " ")
	}
	n := 0
	for _, p := range ps {
		for a := range actions {
			title, body := text(n)
			b.add("search_documents (project_id, deliverable_id, kind, action_number, title, body, norm)",
				c.ProjectID, p.id, "action", a+1, title, body, search.Normalize(title, body))
			n++
		}
	}
	for _, p := range practices {
		title, body := text(n)
		b.add("search_documents (project_id, deliverable_id, kind, action_number, title, body, norm)",
			c.ProjectID, p.id, "good_practice", 0, title, body, search.Normalize(title, body))
		n++
	}
	if err := b.flush(ctx); err != nil {
		return c, err
	}
	c.Docs = n
	if d == sqlstore.Postgres {
		for _, t := range []string{"deliverables", "deliverable_parties", "search_documents"} {
			if _, err := tx.ExecContext(ctx, "ANALYZE "+t); err != nil {
				return c, err
			}
		}
	}
	return c, tx.Commit()
}
