// Package dashboard renders a project's dashboard (workflow.Dashboard) for
// people and spreadsheets: as CSV and as SVG charts drawn on the server,
// so pages need no script and no third-party host.
package dashboard

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

// CSVHeader is the one header of the dashboard's CSV. Every part of the
// dashboard is a row type of one long table, told apart by section, so the
// file opens as a single sheet and filters by section.
var CSVHeader = []string{"section", "plan_id", "plan", "item", "unit", "status", "period",
	"count", "baseline", "target", "achieved", "progress", "due_at", "days_late"}

const (
	colSection = iota
	colPlanID
	colPlan
	colItem
	colUnit
	colStatus
	colPeriod
	colCount
	colBaseline
	colTarget
	colAchieved
	colProgress
	colDueAt
	colDaysLate
	ncols
)

// WriteCSV writes the dashboard as RFC 4180 CSV (CRLF line ends, quotes
// where needed). Text that people typed (titles, indicator names, units)
// is made safe for spreadsheets: a cell that starts with = + - @ or a tab
// or carriage return gets a leading apostrophe, so it is not run as a
// formula. Numbers the service formats itself are left as numbers.
func WriteCSV(w io.Writer, d workflow.Dashboard) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	row := func(section string, set func(r []string)) {
		r := make([]string, ncols)
		r[colSection] = section
		set(r)
		_ = cw.Write(r) // errors are sticky; checked once by Error below
	}
	for _, c := range d.Deliverables {
		row("deliverables", func(r []string) {
			r[colItem], r[colStatus], r[colCount] = string(c.Kind), string(c.State), strconv.Itoa(c.Count)
		})
	}
	for _, c := range d.Actions.Totals {
		row("actions_total", func(r []string) { r[colStatus], r[colCount] = c.Status, strconv.Itoa(c.Count) })
	}
	for _, p := range d.Actions.Plans {
		for _, c := range p.Counts {
			row("actions", func(r []string) {
				r[colPlanID], r[colPlan], r[colPeriod] = p.PlanID, SafeCell(p.Title), SafeCell(p.LatestPeriod)
				r[colStatus], r[colCount] = c.Status, strconv.Itoa(c.Count)
			})
		}
	}
	s := d.Indicators.Summary
	for _, kv := range []struct {
		item string
		n    int
	}{{"indicators", s.Indicators}, {"reported", s.Reported}, {"on_target", s.OnTarget}} {
		row("indicators_summary", func(r []string) { r[colItem], r[colCount] = kv.item, strconv.Itoa(kv.n) })
	}
	row("indicators_summary", func(r []string) { r[colItem], r[colProgress] = "avg_progress", num(s.AvgProgress) })
	for _, p := range d.Indicators.Plans {
		for _, in := range p.Indicators {
			row("indicators", func(r []string) {
				r[colPlanID], r[colPlan], r[colItem], r[colUnit] = p.PlanID, SafeCell(p.Title), SafeCell(in.Name), SafeCell(in.Unit)
				r[colPeriod], r[colBaseline], r[colTarget] = SafeCell(in.Period), num(in.Baseline), num(in.Target)
				r[colAchieved], r[colProgress] = optNum(in.Achieved), optNum(in.Progress)
			})
		}
	}
	for _, o := range d.Overdue {
		row("overdue_reports", func(r []string) {
			r[colPlanID], r[colPlan], r[colPeriod], r[colStatus] = o.PlanID, SafeCell(o.Title), SafeCell(o.Period), o.Status
			r[colDueAt], r[colDaysLate] = o.DueAt.UTC().Format(time.DateOnly), strconv.Itoa(o.DaysLate)
		})
	}
	cw.Flush()
	return cw.Error()
}

// SafeCell defuses a text cell that a spreadsheet would take for a
// formula (CSV injection).
func SafeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func optNum(f *float64) string {
	if f == nil {
		return ""
	}
	return num(*f)
}
