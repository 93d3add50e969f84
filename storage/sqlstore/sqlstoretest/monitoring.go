package sqlstoretest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// Monitoring is a project in phase 2 written straight into the tables,
// for dashboard tests and benchmarks at a scale the API would take
// minutes to build. Plans are listed with their reports; a report's
// Actions[k] is the status of action k+1 and Values[j] the value of the
// plan's indicator j.
type Monitoring struct {
	Project workflow.Project
	Plans   []MonitoredPlan
}

// MonitoredPlan is an action plan with its indicators and reports.
type MonitoredPlan struct {
	ID, PartnerID, InstrumentID, Title string
	State                              workflow.State
	Actions                            int
	Indicators                         []SeedIndicator
	Reports                            []SeedReport
}

// SeedIndicator is one plan indicator.
type SeedIndicator struct {
	ID, Name, Unit   string
	Baseline, Target float64
}

// SeedReport is one period's report; Values may be shorter than the
// plan's indicators (the rest have no value).
type SeedReport struct {
	ID      string
	Period  workflow.Period
	State   workflow.ReportState
	Actions []workflow.ActionStatus
	Values  []float64
}

// Phase 2 of the seeded projects starts in 2020 and has at most eight
// periods, to 2023-S2, all due long ago.
var (
	seedPhase1End = workflow.MustDate("2019-12-31")
	seedPhase2End = workflow.MustDate("2023-12-31")
)

// GenerateMonitoring builds plans × actions × periods reports with
// indicators each, deterministically. Every tenth plan's latest report is
// still a draft and every seventh plan lacks its latest report, so some
// reports are overdue and some actions not reported.
func GenerateMonitoring(acronym string, plans, actions, periods, indicators int) Monitoring {
	p1, p2 := seedPhase1End, seedPhase2End
	m := Monitoring{Project: workflow.Project{ID: workflow.NewID(), Acronym: acronym, Title: "Monitoring " + acronym,
		Phase1Start: ptr(workflow.MustDate("2016-04-01")), Phase1End: &p1, Phase2End: &p2}}
	pers := workflow.Periods(m.Project)
	if periods > len(pers) {
		periods = len(pers)
	}
	// Phase 2 ends with the last period asked for, so every period is reported on.
	end := pers[periods-1].End
	m.Project.Phase2End = &end
	for i := range plans {
		p := MonitoredPlan{ID: workflow.NewID(), PartnerID: workflow.NewID(), InstrumentID: workflow.NewID(),
			Title: fmt.Sprintf("Action plan %03d: crafts in region %d", i+1, i+1), State: workflow.StateMonitored, Actions: actions}
		for j := range indicators {
			p.Indicators = append(p.Indicators, SeedIndicator{ID: workflow.NewID(), Name: fmt.Sprintf("Indicator %02d", j+1),
				Unit: "SMEs", Baseline: float64(j % 3), Target: float64(10 + j)})
		}
		for k := range periods {
			if k == periods-1 && i%7 == 3 {
				break // the latest report is missing
			}
			r := SeedReport{ID: workflow.NewID(), Period: pers[k], State: workflow.ReportAccepted}
			if k == periods-1 && i%10 == 5 {
				r.State = workflow.ReportDraft
			}
			for a := range actions {
				r.Actions = append(r.Actions, workflow.ActionStatuses[(i+a+k)%len(workflow.ActionStatuses)])
			}
			for j := range indicators {
				r.Values = append(r.Values, float64((k+1)*(j%4+1)))
			}
			p.Reports = append(p.Reports, r)
		}
		m.Plans = append(m.Plans, p)
	}
	return m
}

func ptr[T any](v T) *T { return &v }

// InsertMonitoring writes m into db (PostgreSQL or SQLite) with multi-row
// INSERTs, in one transaction: the project, a partner and an instrument
// per plan, the plans (as monitored deliverables with their actions), the
// indicators, reports, action statuses and achieved values.
func InsertMonitoring(ctx context.Context, db *sql.DB, d sqlstore.Dialect, m Monitoring) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	now := time.Now().UTC().Truncate(time.Microsecond)
	b := bulk{tx: tx, dialect: d}
	pr := m.Project
	b.add("projects (id, acronym, title, phase1_start, phase1_end, phase2_end, created_at)",
		pr.ID, pr.Acronym, pr.Title, pr.Phase1Start.String(), pr.Phase1End.String(), pr.Phase2End.String(), now)
	if err := b.flush(ctx); err != nil {
		return err
	}
	for i, p := range m.Plans {
		b.add("partners (id, project_id, name, country, role, created_at)", p.PartnerID, pr.ID, fmt.Sprintf("Partner %03d", i+1), "HU", "partner", now)
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	for i, p := range m.Plans {
		b.add("policy_instruments (id, project_id, name, type, created_at)", p.InstrumentID, pr.ID, fmt.Sprintf("Instrument %03d", i+1), "other", now)
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	for _, p := range m.Plans {
		b.add("policy_instrument_partners (policy_instrument_id, partner_id)", p.InstrumentID, p.PartnerID)
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	for _, p := range m.Plans {
		plan := workflow.ActionPlan{ID: p.ID, ProjectID: pr.ID, PolicyInstrumentID: p.InstrumentID, PartnerID: p.PartnerID,
			Title: p.Title, Language: "en", PolicyContext: "Craft SMEs need design skills and export networks.",
			State: p.State, Version: 5, Revision: 1, CreatedAt: now, UpdatedAt: now}
		for a := range p.Actions {
			plan.Actions = append(plan.Actions, workflow.PlanAction{Number: a + 1, Title: fmt.Sprintf("Action %d", a+1),
				Description: "Mentoring and shared workshops for craft SMEs.", Players: "Chamber of commerce", Costs: "€ 40 000"})
		}
		content, err := json.Marshal(plan)
		if err != nil {
			return err
		}
		parties := fmt.Sprintf(`{"owners":[%q],"peers":[]}`, p.PartnerID)
		b.add("deliverables (id, kind, project_id, partner_id, policy_instrument_id, title, state, version, revision, content, action_count, parties, created_at, updated_at)",
			p.ID, string(workflow.KindActionPlan), pr.ID, p.PartnerID, p.InstrumentID, p.Title, string(p.State), 5, 1, string(content), p.Actions, parties, now, now)
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	for _, p := range m.Plans {
		b.add("deliverable_parties (deliverable_id, partner_id, party)", p.ID, p.PartnerID, "owner")
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	for _, p := range m.Plans {
		for _, in := range p.Indicators {
			b.add("plan_indicators (id, plan_id, project_id, name, unit, baseline, target, created_by, created_at)",
				in.ID, p.ID, pr.ID, in.Name, in.Unit, in.Baseline, in.Target, "seed", now)
		}
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	for _, p := range m.Plans {
		for _, r := range p.Reports {
			b.add("progress_reports (id, plan_id, project_id, period, period_index, period_start, period_end, due_date, state, version, created_by, created_at, updated_at)",
				r.ID, p.ID, pr.ID, r.Period.Name, r.Period.Index, r.Period.Start.String(), r.Period.End.String(), r.Period.DueDate.String(),
				string(r.State), 1, "seed", now, now)
		}
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	for _, p := range m.Plans {
		for _, r := range p.Reports {
			for a, st := range r.Actions {
				expl := ""
				if st.NeedsExplanation() {
					expl = "Waiting for the regional call."
				}
				b.add("progress_report_actions (report_id, project_id, action_number, status, explanation, narrative)",
					r.ID, pr.ID, a+1, string(st), expl, "Work goes on with the partners.")
			}
		}
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	for _, p := range m.Plans {
		for _, r := range p.Reports {
			for j, v := range r.Values {
				b.add("progress_report_indicators (report_id, indicator_id, project_id, achieved)", r.ID, p.Indicators[j].ID, pr.ID, v)
			}
		}
	}
	if err := b.flush(ctx); err != nil {
		return err
	}
	if d == sqlstore.Postgres {
		for _, t := range []string{"deliverables", "deliverable_parties", "plan_indicators", "progress_reports", "progress_report_actions", "progress_report_indicators"} {
			if _, err := tx.ExecContext(ctx, "ANALYZE "+t); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// bulk gathers rows per table and writes them in multi-row INSERTs.
type bulk struct {
	tx      *sql.Tx
	dialect sqlstore.Dialect
	table   string // "name (columns)"
	rows    [][]any
}

func (b *bulk) add(table string, row ...any) {
	if b.table != "" && b.table != table {
		panic("bulk: flush " + b.table + " before adding to " + table)
	}
	b.table = table
	b.rows = append(b.rows, row)
}

func (b *bulk) flush(ctx context.Context) error {
	defer func() { b.table, b.rows = "", nil }()
	if len(b.rows) == 0 {
		return nil
	}
	// Stay under both databases' limits on bound parameters.
	per := max(1, 30000/len(b.rows[0]))
	for start := 0; start < len(b.rows); start += per {
		chunk := b.rows[start:min(start+per, len(b.rows))]
		var sb strings.Builder
		args := make([]any, 0, len(chunk)*len(chunk[0]))
		sb.WriteString("INSERT INTO " + b.table + " VALUES ")
		for i, r := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			for j := range r {
				if j > 0 {
					sb.WriteByte(',')
				}
				args = append(args, r[j])
				if b.dialect == sqlstore.Postgres {
					fmt.Fprintf(&sb, "$%d", len(args))
				} else {
					sb.WriteByte('?')
				}
			}
			sb.WriteByte(')')
		}
		if _, err := b.tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", b.table, err)
		}
	}
	return nil
}
