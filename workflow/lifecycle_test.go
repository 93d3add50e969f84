package workflow

import (
	"errors"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// The actors of the tables, one column each.
var tableActors = []struct {
	name  string
	actor Actor
}{
	{"coord", Actor{UserID: "u-coord", Role: RoleCoordinator}},
	{"secr", Actor{UserID: "u-secr", Role: RoleSecretariat}},
	{"stake", Actor{UserID: "u-stake", Role: RoleStakeholder}},
	{"obs", Actor{UserID: "u-obs", Role: RoleObserver}},
	{"partner", Actor{UserID: "u-partner", Role: RolePartner}},
	{"owner", Actor{UserID: "u-owner", Role: RolePartner, Owner: true}},
	{"admin", Actor{UserID: "u-admin", Admin: true}},
	{"obs+own", Actor{UserID: "u-obs-own", Role: RoleObserver, Owner: true}}, // Owner counts for partners only
}

var (
	tableStates   = []State{StateDraft, StateStakeholderReview, StateApproved, StateMonitored, StateClosed}
	tableTriggers = []Trigger{TriggerSubmit, TriggerRequestChanges, TriggerApprove, TriggerStartMonitoring, TriggerClose, TriggerRevise}

	// factsMet satisfies every guard; factsUnmet fails every guard.
	factsMet   = Facts{ConsultationOver: true, Phase2Started: true, Phase2Ended: true, Note: "new targets after the mid-term review"}
	factsUnmet = Facts{
		Incomplete:         []FieldError{Problem("policy_instrument_id", "is required"), Problem("actions", "needs at least one action")},
		UnansweredComments: 2,
		Note:               "  ",
	}
)

// The expected lifecycle, one row per (state, trigger) and one column per
// actor. A cell is the outcome with factsMet and, after a slash, the
// outcome with factsUnmet; one value stands for both. Outcomes are a new
// state (D draft, SR stakeholder_review, A approved, M monitored, C
// closed) or an error: 409 conflict, 403 forbidden, 422 guard_failed.
const expectedActionPlan = `
state               trigger           coord   secr    stake   obs     partner owner   admin   obs+own
draft               submit            SR/422  403     403     403     403     SR/422  SR/422  403
draft               request_changes   409     409     409     409     409     409     409     409
draft               approve           409     409     409     409     409     409     409     409
draft               start_monitoring  409     409     409     409     409     409     409     409
draft               close             409     409     409     409     409     409     409     409
draft               revise            409     409     409     409     409     409     409     409
stakeholder_review  submit            409     409     409     409     409     409     409     409
stakeholder_review  request_changes   D       D       403     403     403     D       D       403
stakeholder_review  approve           A/422   A/422   403     403     403     403     A/422   403
stakeholder_review  start_monitoring  409     409     409     409     409     409     409     409
stakeholder_review  close             409     409     409     409     409     409     409     409
stakeholder_review  revise            409     409     409     409     409     409     409     409
approved            submit            409     409     409     409     409     409     409     409
approved            request_changes   409     409     409     409     409     409     409     409
approved            approve           409     409     409     409     409     409     409     409
approved            start_monitoring  M/422   403     403     403     403     403     M/422   403
approved            close             409     409     409     409     409     409     409     409
approved            revise            D/422   403     403     403     403     D/422   D/422   403
monitored           submit            409     409     409     409     409     409     409     409
monitored           request_changes   409     409     409     409     409     409     409     409
monitored           approve           409     409     409     409     409     409     409     409
monitored           start_monitoring  409     409     409     409     409     409     409     409
monitored           close             C/422   403     403     403     403     403     C/422   403
monitored           revise            D/422   403     403     403     403     D/422   D/422   403
closed              submit            409     409     409     409     409     409     409     409
closed              request_changes   409     409     409     409     409     409     409     409
closed              approve           409     409     409     409     409     409     409     409
closed              start_monitoring  409     409     409     409     409     409     409     409
closed              close             409     409     409     409     409     409     409     409
closed              revise            409     409     409     409     409     409     409     409
`

// The same for peer reviews: only the secretariat's approve differs.
const expectedPeerReview = `
state               trigger           coord   secr    stake   obs     partner owner   admin   obs+own
draft               submit            SR/422  403     403     403     403     SR/422  SR/422  403
draft               request_changes   409     409     409     409     409     409     409     409
draft               approve           409     409     409     409     409     409     409     409
draft               start_monitoring  409     409     409     409     409     409     409     409
draft               close             409     409     409     409     409     409     409     409
draft               revise            409     409     409     409     409     409     409     409
stakeholder_review  submit            409     409     409     409     409     409     409     409
stakeholder_review  request_changes   D       D       403     403     403     D       D       403
stakeholder_review  approve           A/422   403     403     403     403     403     A/422   403
stakeholder_review  start_monitoring  409     409     409     409     409     409     409     409
stakeholder_review  close             409     409     409     409     409     409     409     409
stakeholder_review  revise            409     409     409     409     409     409     409     409
approved            submit            409     409     409     409     409     409     409     409
approved            request_changes   409     409     409     409     409     409     409     409
approved            approve           409     409     409     409     409     409     409     409
approved            start_monitoring  M/422   403     403     403     403     403     M/422   403
approved            close             409     409     409     409     409     409     409     409
approved            revise            D/422   403     403     403     403     D/422   D/422   403
monitored           submit            409     409     409     409     409     409     409     409
monitored           request_changes   409     409     409     409     409     409     409     409
monitored           approve           409     409     409     409     409     409     409     409
monitored           start_monitoring  409     409     409     409     409     409     409     409
monitored           close             C/422   403     403     403     403     403     C/422   403
monitored           revise            D/422   403     403     403     403     D/422   D/422   403
closed              submit            409     409     409     409     409     409     409     409
closed              request_changes   409     409     409     409     409     409     409     409
closed              approve           409     409     409     409     409     409     409     409
closed              start_monitoring  409     409     409     409     409     409     409     409
closed              close             409     409     409     409     409     409     409     409
closed              revise            409     409     409     409     409     409     409     409
`

// The effects of each successful trigger.
var expectedEffects = map[Trigger][]Effect{
	TriggerSubmit:         {EffectFreezeRevision, EffectOpenConsultation},
	TriggerRequestChanges: {EffectCloseConsultation},
	TriggerApprove:        {EffectAssembleDocument},
}

var outcomeStates = map[string]State{"D": StateDraft, "SR": StateStakeholderReview, "A": StateApproved, "M": StateMonitored, "C": StateClosed}
var outcomeCodes = map[string]Code{"409": CodeConflict, "403": CodeForbidden, "422": CodeGuardFailed}

type tableKey struct {
	state   State
	trigger Trigger
	actor   string
	met     bool
}

// parseTable reads an expected table into outcome tokens per combination.
func parseTable(t *testing.T, table string) map[tableKey]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(table), "\n")
	header := strings.Fields(lines[0])
	if len(header) != 2+len(tableActors) {
		t.Fatalf("header has %d columns, want %d", len(header), 2+len(tableActors))
	}
	for i, a := range tableActors {
		if header[2+i] != a.name {
			t.Fatalf("column %d is %q, want %q", 2+i, header[2+i], a.name)
		}
	}
	out := map[tableKey]string{}
	for _, line := range lines[1:] {
		f := strings.Fields(line)
		if len(f) != len(header) {
			t.Fatalf("row %q has %d cells, want %d", line, len(f), len(header))
		}
		for i, a := range tableActors {
			met, unmet, ok := strings.Cut(f[2+i], "/")
			if !ok {
				unmet = met
			}
			for _, k := range []tableKey{{State(f[0]), Trigger(f[1]), a.name, true}, {State(f[0]), Trigger(f[1]), a.name, false}} {
				if _, dup := out[k]; dup {
					t.Fatalf("row %s %s appears twice", f[0], f[1])
				}
				out[k] = met
				if !k.met {
					out[k] = unmet
				}
			}
		}
	}
	return out
}

// outcome describes what Fire did in the table's terms.
func outcome(t *testing.T, tr Transition, err error) string {
	t.Helper()
	if err == nil {
		for tok, s := range outcomeStates {
			if s == tr.To {
				return tok
			}
		}
		return "state " + string(tr.To)
	}
	for tok, c := range outcomeCodes {
		if ErrorCode(err) == c {
			return tok
		}
	}
	return "error " + err.Error()
}

func TestFireTable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind  Kind
		table string
	}{{KindActionPlan, expectedActionPlan}, {KindPeerReview, expectedPeerReview},
		// A good practice is validated as a peer review is approved: by the coordinator.
		{KindGoodPractice, expectedPeerReview}} {
		t.Run(string(tc.kind), func(t *testing.T) {
			t.Parallel()
			want := parseTable(t, tc.table)
			if n := len(tableStates) * len(tableTriggers) * len(tableActors) * 2; len(want) != n {
				t.Fatalf("the table has %d combinations, want %d", len(want), n)
			}
			checked := 0
			for _, s := range tableStates {
				for _, tg := range tableTriggers {
					for _, a := range tableActors {
						for _, met := range []bool{true, false} {
							facts := factsUnmet
							if met {
								facts = factsMet
							}
							k := tableKey{s, tg, a.name, met}
							exp, ok := want[k]
							if !ok {
								t.Fatalf("no expectation for %+v", k)
							}
							tr, err := Fire(tc.kind, s, tg, a.actor, facts)
							if got := outcome(t, tr, err); got != exp {
								t.Errorf("%s --%s--> by %s (facts met %v): got %s, want %s (err %v)", s, tg, a.name, met, got, exp, err)
								continue
							}
							checked++
							if err != nil {
								var e *Error
								if !errors.As(err, &e) {
									t.Errorf("%s --%s--> by %s: error %T is not *Error", s, tg, a.name, err)
								}
								continue
							}
							if tr.From != s || tr.Trigger != tg {
								t.Errorf("%s --%s--> by %s: transition %+v", s, tg, a.name, tr)
							}
							if !slices.Equal(tr.Effects, expectedEffects[tg]) {
								t.Errorf("%s --%s-->: effects %v, want %v", s, tg, tr.Effects, expectedEffects[tg])
							}
						}
					}
				}
			}
			t.Logf("%d combinations checked", checked)
		})
	}
}

func TestFireInvalid(t *testing.T) {
	t.Parallel()
	coord := Actor{Role: RoleCoordinator}
	for _, tc := range []struct {
		name  string
		kind  Kind
		state State
		trig  Trigger
	}{
		{"unknown kind", "learning_event", StateDraft, TriggerSubmit},
		{"empty kind", "", StateDraft, TriggerSubmit},
		{"unknown state", KindActionPlan, "archived", TriggerSubmit},
		{"empty state", KindPeerReview, "", TriggerSubmit},
		{"unknown trigger", KindActionPlan, StateDraft, "publish"},
		{"unknown kind before state", "x", "y", "z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Fire(tc.kind, tc.state, tc.trig, coord, factsMet)
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("got %v, want invalid", err)
			}
			if p := Permitted(tc.kind, tc.state, coord, factsMet); p == nil || (tc.trig != "publish" && len(p) != 0) {
				t.Fatalf("Permitted = %#v", p)
			}
		})
	}
}

// fieldNames lists the Fields of a guard_failed error.
func fieldNames(t *testing.T, err error) []string {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Code != CodeGuardFailed {
		t.Fatalf("got %v, want guard_failed", err)
	}
	var out []string
	for _, f := range e.Fields {
		if f.Message == "" {
			t.Errorf("field %s has no message", f.Field)
		}
		out = append(out, f.Field)
	}
	return out
}

func TestGuardsListEveryCondition(t *testing.T) {
	t.Parallel()
	coord := Actor{Role: RoleCoordinator}
	incomplete := []FieldError{
		Problem("policy_instrument_id", "is required"),
		Problem("actions[0].players", "is required"),
		Problem("actions[2].timeframe_end", "is required"),
	}
	for _, tc := range []struct {
		name  string
		kind  Kind
		from  State
		trig  Trigger
		facts Facts
		want  []string
	}{
		{"submit lists every incomplete field", KindActionPlan, StateDraft, TriggerSubmit,
			Facts{Incomplete: incomplete}, []string{"policy_instrument_id", "actions[0].players", "actions[2].timeframe_end"}},
		{"submit of a peer review", KindPeerReview, StateDraft, TriggerSubmit,
			Facts{Incomplete: []FieldError{Problem("peer_partner_ids", "x"), Problem("findings", "y")}}, []string{"peer_partner_ids", "findings"}},
		{"approve: consultation open and comments unanswered", KindActionPlan, StateStakeholderReview, TriggerApprove,
			Facts{UnansweredComments: 3}, []string{"consultation", "comments"}},
		{"approve: consultation open only", KindPeerReview, StateStakeholderReview, TriggerApprove,
			Facts{}, []string{"consultation"}},
		{"approve: comments unanswered only", KindActionPlan, StateStakeholderReview, TriggerApprove,
			Facts{ConsultationOver: true, UnansweredComments: 1}, []string{"comments"}},
		{"approve ignores what only submit needs", KindActionPlan, StateStakeholderReview, TriggerApprove,
			Facts{Incomplete: incomplete, UnansweredComments: 1}, []string{"consultation", "comments"}},
		{"revise without a note", KindActionPlan, StateApproved, TriggerRevise, Facts{}, []string{"note"}},
		{"revise with a blank note", KindPeerReview, StateMonitored, TriggerRevise, Facts{Note: " \n\t"}, []string{"note"}},
		{"start monitoring before phase 2", KindActionPlan, StateApproved, TriggerStartMonitoring, Facts{}, []string{"phase2"}},
		{"close before the end of phase 2", KindActionPlan, StateMonitored, TriggerClose, Facts{Phase2Started: true}, []string{"phase2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Fire(tc.kind, tc.from, tc.trig, coord, tc.facts)
			if got := fieldNames(t, err); !slices.Equal(got, tc.want) {
				t.Fatalf("fields %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckOrder(t *testing.T) {
	t.Parallel()
	stake := Actor{Role: RoleStakeholder}
	// A wrong state wins over a wrong role, and a wrong role over unmet guards.
	if _, err := Fire(KindActionPlan, StateClosed, TriggerApprove, stake, factsUnmet); ErrorCode(err) != CodeConflict {
		t.Errorf("wrong state and role: %v, want conflict", err)
	}
	if _, err := Fire(KindActionPlan, StateStakeholderReview, TriggerApprove, stake, factsUnmet); ErrorCode(err) != CodeForbidden {
		t.Errorf("wrong role and unmet guards: %v, want forbidden", err)
	}
	var e *Error
	_, err := Fire(KindActionPlan, StateStakeholderReview, TriggerApprove, stake, factsUnmet)
	if errors.As(err, &e) && len(e.Fields) != 0 {
		t.Errorf("forbidden leaks guard fields: %v", e.Fields)
	}
}

func TestPermittedMatchesFire(t *testing.T) {
	t.Parallel()
	factSets := []Facts{factsMet, factsUnmet, {ConsultationOver: true}, {Phase2Started: true, Note: "n"}, {Incomplete: []FieldError{Problem("a", "b")}, ConsultationOver: true}}
	combos := 0
	for _, kind := range []Kind{KindActionPlan, KindPeerReview} {
		for _, s := range tableStates {
			for _, a := range tableActors {
				for _, f := range factSets {
					got := Permitted(kind, s, a.actor, f)
					if got == nil {
						t.Fatalf("Permitted returned nil")
					}
					want := []PermittedTrigger{}
					for _, tg := range allTriggers { // sorted by name
						if tr, err := Fire(kind, s, tg, a.actor, f); err == nil {
							want = append(want, PermittedTrigger{Trigger: tg, To: tr.To})
						}
					}
					if !slices.Equal(got, want) {
						t.Errorf("%s %s by %s with %+v: Permitted %v, Fire allows %v", kind, s, a.name, f, got, want)
					}
					combos++
				}
			}
		}
	}
	t.Logf("%d combinations compared", combos)
}

func TestPermittedExamples(t *testing.T) {
	t.Parallel()
	owner := Actor{Role: RolePartner, Owner: true}
	got := Permitted(KindActionPlan, StateStakeholderReview, Actor{Role: RoleSecretariat}, factsMet)
	want := []PermittedTrigger{{TriggerApprove, StateApproved}, {TriggerRequestChanges, StateDraft}}
	if !slices.Equal(got, want) {
		t.Errorf("secretariat on a plan under review: %v, want %v", got, want)
	}
	got = Permitted(KindPeerReview, StateStakeholderReview, Actor{Role: RoleSecretariat}, factsMet)
	want = []PermittedTrigger{{TriggerRequestChanges, StateDraft}}
	if !slices.Equal(got, want) {
		t.Errorf("secretariat on a peer review under review: %v, want %v", got, want)
	}
	if got := Permitted(KindActionPlan, StateDraft, owner, factsUnmet); len(got) != 0 {
		t.Errorf("owner of an incomplete draft: %v, want nothing", got)
	}
	if got := Permitted(KindActionPlan, StateClosed, Actor{Admin: true}, factsMet); got == nil || len(got) != 0 {
		t.Errorf("closed: %#v, want an empty list", got)
	}
}

// Fire builds a fresh machine per call, so concurrent calls cannot see
// each other's state, facts or effects (run with -race).
func TestFireConcurrently(t *testing.T) {
	t.Parallel()
	coord := Actor{Role: RoleCoordinator}
	var wg sync.WaitGroup
	errs := make(chan string, 400)
	for i := range 400 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from, trig, want := StateDraft, TriggerSubmit, StateStakeholderReview
			if i%2 == 1 {
				from, trig, want = StateStakeholderReview, TriggerRequestChanges, StateDraft
			}
			tr, err := Fire(KindActionPlan, from, trig, coord, factsMet)
			if err != nil || tr.To != want || !slices.Equal(tr.Effects, expectedEffects[trig]) {
				errs <- strconv.Itoa(i) + ": " + string(tr.To)
			}
			_ = Permitted(KindActionPlan, from, coord, factsMet)
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestParseTrigger(t *testing.T) {
	t.Parallel()
	for _, tg := range tableTriggers {
		if got, ok := ParseTrigger(string(tg)); !ok || got != tg {
			t.Errorf("ParseTrigger(%q) = %q, %v", tg, got, ok)
		}
	}
	for _, s := range []string{"", "Submit", "submit ", "publish"} {
		if _, ok := ParseTrigger(s); ok {
			t.Errorf("ParseTrigger(%q) accepted", s)
		}
	}
}

// The domain stays pure: its files import only the standard library,
// uuid and stateless.
func TestImportsArePure(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"github.com/google/uuid": true, "github.com/qmuntal/stateless": true}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			first, _, _ := strings.Cut(path, "/")
			if !allowed[path] && strings.Contains(first, ".") {
				t.Errorf("%s imports %s", name, path)
			}
		}
	}
}

func BenchmarkFire(b *testing.B) {
	owner := Actor{Role: RolePartner, Owner: true}
	for b.Loop() {
		if _, err := Fire(KindActionPlan, StateDraft, TriggerSubmit, owner, factsMet); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPermitted(b *testing.B) {
	coord := Actor{Role: RoleCoordinator}
	for b.Loop() {
		if p := Permitted(KindActionPlan, StateStakeholderReview, coord, factsMet); len(p) != 2 {
			b.Fatal(p)
		}
	}
}
