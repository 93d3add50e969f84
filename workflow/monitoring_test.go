package workflow

import (
	"strings"
	"testing"
	"time"
)

// The expected report lifecycle, one row per (state, trigger) and one
// column per actor of tableActors; cells as in expectedActionPlan, with
// D draft, S submitted, AC accepted.
const expectedReport = `
state      trigger  coord   secr    stake   obs     partner owner   admin   obs+own
draft      submit   S/422   403     403     403     403     S/422   S/422   403
draft      accept   409     409     409     409     409     409     409     409
draft      return   409     409     409     409     409     409     409     409
submitted  submit   409     409     409     409     409     409     409     409
submitted  accept   AC      AC      403     403     403     403     AC      403
submitted  return   D/422   D/422   403     403     403     403     D/422   403
accepted   submit   409     409     409     409     409     409     409     409
accepted   accept   409     409     409     409     409     409     409     409
accepted   return   409     409     409     409     409     409     409     409
`

func TestFireReportTable(t *testing.T) {
	t.Parallel()
	states := map[string]ReportState{"D": ReportDraft, "S": ReportSubmitted, "AC": ReportAccepted}
	rows := strings.Split(strings.TrimSpace(expectedReport), "\n")
	header := strings.Fields(rows[0])
	for i, a := range tableActors {
		if header[2+i] != a.name {
			t.Fatalf("column %d is %q, want %q", 2+i, header[2+i], a.name)
		}
	}
	if len(rows)-1 != 9 {
		t.Fatalf("the table has %d rows, want every state × trigger (9)", len(rows)-1)
	}
	for _, line := range rows[1:] {
		f := strings.Fields(line)
		for i, a := range tableActors {
			met, unmet, ok := strings.Cut(f[2+i], "/")
			if !ok {
				unmet = met
			}
			for _, c := range []struct {
				facts Facts
				want  string
			}{{factsMet, met}, {factsUnmet, unmet}} {
				tr, err := FireReport(ReportState(f[0]), ReportTrigger(f[1]), a.actor, c.facts)
				got := ""
				if err == nil {
					for tok, s := range states {
						if s == tr.To {
							got = tok
						}
					}
				} else {
					for tok, code := range outcomeCodes {
						if ErrorCode(err) == code {
							got = tok
						}
					}
				}
				if got != c.want {
					t.Errorf("%s %s by %s (met %v): got %q (%v), want %q", f[0], f[1], a.name, c.facts.Note != "  ", got, err, c.want)
				}
				// Permitted agrees with Fire.
				permitted := false
				for _, p := range PermittedReport(ReportState(f[0]), a.actor, c.facts) {
					permitted = permitted || p.Trigger == ReportTrigger(f[1])
				}
				if permitted != (err == nil) {
					t.Errorf("%s %s by %s: Permitted says %v, Fire says %v", f[0], f[1], a.name, permitted, err)
				}
			}
		}
	}
}

func TestFireReportDetails(t *testing.T) {
	t.Parallel()
	coord := Actor{Role: RoleCoordinator}
	tr, err := FireReport(ReportSubmitted, ReportAccept, coord, Facts{})
	if err != nil || len(tr.Effects) != 1 || tr.Effects[0] != EffectAssembleDocument {
		t.Fatalf("accept: %+v %v, want the document assembled", tr, err)
	}
	_, err = FireReport(ReportDraft, ReportSubmit, coord, factsUnmet)
	var e *Error
	if !asError(err, &e) || len(e.Fields) != 2 {
		t.Fatalf("submit of an incomplete report: %v, want both problems", err)
	}
	_, err = FireReport(ReportSubmitted, ReportReturn, coord, Facts{Note: " "})
	if !asError(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != "note" {
		t.Fatalf("return without a note: %v", err)
	}
	for _, c := range []struct {
		s ReportState
		t ReportTrigger
	}{{"sent", ReportSubmit}, {ReportDraft, "approve"}} {
		if _, err := FireReport(c.s, c.t, coord, factsMet); ErrorCode(err) != CodeInvalid {
			t.Errorf("%s %s: %v, want invalid", c.s, c.t, err)
		}
	}
}

func asError(err error, e **Error) bool {
	v, ok := err.(*Error)
	*e = v
	return ok
}

func TestPeriods(t *testing.T) {
	t.Parallel()
	d := func(s string) *Date { v := MustDate(s); return &v }
	for _, c := range []struct {
		name         string
		p1end, p2end *Date
		want         string // name start end due, comma-separated
	}{
		{"CRAFTS CODE: phase 2 from April 2019 to March 2021", d("2019-03-31"), d("2021-03-31"),
			"2019-S1 2019-04-01 2019-06-30 2019-07-30,2019-S2 2019-07-01 2019-12-31 2020-01-30," +
				"2020-S1 2020-01-01 2020-06-30 2020-07-30,2020-S2 2020-07-01 2020-12-31 2021-01-30," +
				"2021-S1 2021-01-01 2021-03-31 2021-04-30"},
		{"whole semesters", d("2023-12-31"), d("2024-12-31"),
			"2024-S1 2024-01-01 2024-06-30 2024-07-30,2024-S2 2024-07-01 2024-12-31 2025-01-30"},
		{"one day", d("2024-06-30"), d("2024-07-01"), "2024-S2 2024-07-01 2024-07-01 2024-07-31"},
		{"no phase 2 end", d("2024-06-30"), nil, ""},
		{"no phase 1 end", nil, d("2024-06-30"), ""},
		{"phase 2 ends with phase 1", d("2024-06-30"), d("2024-06-30"), ""},
	} {
		var got []string
		for i, p := range Periods(Project{Phase1End: c.p1end, Phase2End: c.p2end}) {
			if p.Index != i+1 {
				t.Errorf("%s: %s has index %d, want %d", c.name, p.Name, p.Index, i+1)
			}
			got = append(got, strings.Join([]string{p.Name, p.Start.String(), p.End.String(), p.DueDate.String()}, " "))
		}
		if g := strings.Join(got, ","); g != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, g, c.want)
		}
	}
	pr := Project{Phase1End: d("2019-03-31"), Phase2End: d("2021-03-31")}
	for name, ok := range map[string]bool{"2019-S1": true, "2021-S1": true, "2021-S2": false, "2018-S2": false,
		"2019-S3": false, "2019-s1": false, "19-S1": false, "+019-S1": false, "2019-S1 ": false, "": false} {
		if _, got := PeriodOf(pr, name); got != ok {
			t.Errorf("PeriodOf(%q) = %v, want %v", name, got, ok)
		}
	}
	p, _ := PeriodOf(pr, "2019-S2")
	if p.RemindAt().String() != "2020-01-16" {
		t.Errorf("the reminder of 2019-S2 goes out %s, want 14 days before 2020-01-30", p.RemindAt())
	}
}

func TestOverdue(t *testing.T) {
	t.Parallel()
	due := MustDate("2024-07-30")
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	for _, c := range []struct {
		s    ReportState
		now  string
		want bool
	}{
		{ReportDraft, "2024-07-30T23:59:59Z", false}, // on time through the due date
		{ReportDraft, "2024-07-31T00:00:00Z", true},
		{ReportSubmitted, "2024-09-01T00:00:00Z", false},
		{ReportAccepted, "2024-09-01T00:00:00Z", false},
	} {
		if got := Overdue(c.s, due, at(c.now)); got != c.want {
			t.Errorf("Overdue(%s, %s, %s) = %v, want %v", c.s, due, c.now, got, c.want)
		}
	}
}

func TestReportValidate(t *testing.T) {
	t.Parallel()
	ind := []string{NewID(), NewID()}
	r := ProgressReport{
		Actions: []ActionProgress{
			{Number: 1, Status: ActionDelayed},   // no explanation
			{Number: 1, Status: ActionCompleted}, // twice
			{Number: 3, Status: "finished"},      // no such action, no such status
			{Number: 2, Status: ActionAbandoned, Explanation: " ", EvidenceIDs: []string{"x"}},
		},
		IndicatorValues: []IndicatorValue{{IndicatorID: ind[0], Achieved: 3}, {IndicatorID: NewID()}},
		Improvements:    []Improvement{{Type: "policy", Description: " "}},
	}
	r.Normalize()
	err := r.Validate(2, ind)
	var e *Error
	if !asError(err, &e) {
		t.Fatalf("got %v, want invalid", err)
	}
	want := []string{"actions[0].explanation", "actions[1].number", "actions[2].number", "actions[2].status",
		"actions[3].explanation", "actions[3].evidence_ids[0]", "indicator_values[1].indicator_id",
		"improvements[0].type", "improvements[0].description", "improvements[0].date"}
	var got []string
	for _, f := range e.Fields {
		got = append(got, f.Field)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("fields:\n got %v\nwant %v", got, want)
	}
	inc := r.Incomplete(2, ind)
	if len(inc) != 1 || !strings.Contains(inc[0].Message, ind[1]) {
		t.Errorf("Incomplete = %v, want only the second indicator's value missing", inc)
	}
	ok := ProgressReport{Actions: []ActionProgress{{Number: 1, Status: ActionDelayed, Explanation: "the call opened late"}},
		Improvements: []Improvement{{Type: ImprovementGovernance, Description: "a new board", Date: MustDate("2024-03-01")}}}
	ok.Normalize()
	if err := ok.Validate(1, nil); err != nil {
		t.Errorf("a valid report: %v", err)
	}
}

func TestPeriodStatuses(t *testing.T) {
	t.Parallel()
	d := func(s string) *Date { v := MustDate(s); return &v }
	pr := Project{Phase1End: d("2019-03-31"), Phase2End: d("2020-12-31")}
	reports := []ProgressReport{{ID: "a", Period: "2019-S2", State: ReportAccepted}, {ID: "b", Period: "2020-S1", State: ReportDraft}}
	now := time.Date(2020, time.August, 1, 0, 0, 0, 0, time.UTC)
	var got []string
	for _, s := range PeriodStatuses(pr, reports, now) {
		got = append(got, strings.Join([]string{s.Name, s.ReportID, s.State, map[bool]string{true: "overdue", false: "on time"}[s.Overdue]}, " "))
	}
	want := []string{
		"2019-S1  missing overdue", // due 2019-07-30, never started
		"2019-S2 a accepted on time",
		"2020-S1 b draft overdue", // due 2020-07-30
		"2020-S2  missing on time",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestReportGraph(t *testing.T) {
	t.Parallel()
	g, err := ReportGraph("mermaid")
	if err != nil {
		t.Fatal(err)
	}
	want := "stateDiagram-v2\n    [*] --> draft\n    draft --> submitted: submit\n" +
		"    submitted --> accepted: accept\n    submitted --> draft: return\n"
	if g != want {
		t.Errorf("got\n%s\nwant\n%s", g, want)
	}
	dot, err := ReportGraph("dot")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ReportGraph("dot")
	if dot != again || !strings.Contains(dot, "submitted") || !strings.Contains(dot, "accept") {
		t.Errorf("dot graph unstable or incomplete:\n%s", dot)
	}
	if _, err := ReportGraph("svg"); ErrorCode(err) != CodeInvalid {
		t.Errorf("svg: %v", err)
	}
}
