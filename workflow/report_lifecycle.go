package workflow

import (
	"context"
	"slices"
	"strings"

	"github.com/qmuntal/stateless"
)

// The lifecycle of a progress report: the owner (or the coordinator)
// submits a complete draft; the coordinator or the secretariat accepts it,
// or returns it to draft with a note saying why. Accepted is final.

// ReportTransition is the outcome of a successful FireReport.
type ReportTransition struct {
	From    ReportState   `json:"from"`
	To      ReportState   `json:"to"`
	Trigger ReportTrigger `json:"trigger"`
	Effects []Effect      `json:"effects,omitempty"`
}

// reportRule is one transition of the report lifecycle; who and guards
// work as in rule.
type reportRule struct {
	from    ReportState
	trigger ReportTrigger
	to      ReportState
	who     stateless.GuardFunc
	guards  []stateless.GuardFunc
	effects []stateless.ActionFunc
}

var reportRules = []reportRule{
	{ReportDraft, ReportSubmit, ReportSubmitted, byOwnerOrCoordinator, []stateless.GuardFunc{reportComplete}, nil},
	{ReportSubmitted, ReportAccept, ReportAccepted, byCoordinatorOrSecretariat, nil, []stateless.ActionFunc{assembleDocument}},
	{ReportSubmitted, ReportReturn, ReportDraft, byCoordinatorOrSecretariat, []stateless.GuardFunc{returnNoteGiven}, nil},
}

func (s ReportState) valid() bool {
	return s == ReportDraft || s == ReportSubmitted || s == ReportAccepted
}

// reportComplete passes when (*ProgressReport).Incomplete, computed by the
// caller into Facts.Incomplete, found nothing missing.
func reportComplete(_ context.Context, args ...any) bool {
	f := firingOf(args)
	return f.check("complete", f.facts.Incomplete...)
}

func returnNoteGiven(_ context.Context, args ...any) bool {
	f := firingOf(args)
	if strings.TrimSpace(f.facts.Note) != "" {
		return f.check("note")
	}
	return f.check("note", Problem("note", "is required: a returned report says what to change"))
}

// FireReport works out the report transition that t makes from state from,
// fired by a (the caller as an actor on the report's plan) with facts f
// (Incomplete for submit, Note for return). The errors come in the same
// order as Fire's: invalid, conflict, forbidden, guard_failed.
func FireReport(from ReportState, t ReportTrigger, a Actor, f Facts) (ReportTransition, error) {
	if !from.valid() {
		return ReportTransition{}, Errorf(CodeInvalid, "unknown report state %q", from)
	}
	if _, ok := ParseReportTrigger(string(t)); !ok {
		return ReportTransition{}, Errorf(CodeInvalid, "unknown trigger %q", t)
	}
	fr := &firing{actor: a, facts: f}
	m := newReportMachine(from, fr)
	if err := m.sm.Fire(t, fr); err != nil {
		return ReportTransition{}, err
	}
	return ReportTransition{From: from, To: m.state, Trigger: t, Effects: fr.effects}, nil
}

// PermittedReport lists the triggers a may fire from state from given f,
// sorted by trigger; empty, not nil, when there are none.
func PermittedReport(from ReportState, a Actor, f Facts) []ReportPermitted {
	out := []ReportPermitted{}
	if !from.valid() {
		return out
	}
	fr := &firing{actor: a, facts: f}
	m := newReportMachine(from, fr)
	triggers, err := m.sm.PermittedTriggers(fr)
	if err != nil {
		return out
	}
	for _, t := range triggers {
		for _, r := range reportRules {
			if r.from == from && r.trigger == t {
				out = append(out, ReportPermitted{Trigger: r.trigger, To: r.to})
			}
		}
	}
	slices.SortFunc(out, func(x, y ReportPermitted) int { return strings.Compare(string(x.Trigger), string(y.Trigger)) })
	return out
}

type reportMachine struct {
	sm    *stateless.StateMachine
	state ReportState
}

// newReportMachine builds a fresh machine per call, as newMachine does.
func newReportMachine(from ReportState, fr *firing) *reportMachine {
	m := &reportMachine{state: from}
	m.sm = stateless.NewStateMachineWithExternalStorage(
		func(context.Context) (stateless.State, error) { return m.state, nil },
		func(_ context.Context, s stateless.State) error { m.state = s.(ReportState); return nil },
		stateless.FiringImmediate,
	)
	for _, s := range []ReportState{ReportDraft, ReportSubmitted, ReportAccepted} {
		m.sm.Configure(s)
	}
	for _, r := range reportRules {
		guards := append([]stateless.GuardFunc{r.who}, r.guards...)
		m.sm.Configure(r.from).Permit(r.trigger, r.to, guards...)
		for _, e := range r.effects {
			m.sm.Configure(r.to).OnEntryFrom(r.trigger, e)
		}
	}
	m.sm.OnUnhandledTrigger(func(_ context.Context, state stateless.State, t stateless.Trigger, unmet []string) error {
		switch {
		case len(unmet) == 0:
			return Errorf(CodeConflict, "cannot %s: the progress report is %s", t, state)
		case fr.denied:
			return Errorf(CodeForbidden, "you may not %s this progress report", t)
		}
		problems := fr.problems()
		if len(problems) == 0 {
			return Errorf(CodeInternal, "%s from %s: guards %v failed without a reason", t, state, unmet)
		}
		err := Errorf(CodeGuardFailed, "the progress report cannot %s yet", t)
		err.Fields = problems
		return err
	})
	return m
}
