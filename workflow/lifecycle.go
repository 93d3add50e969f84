package workflow

import (
	"context"
	"slices"
	"strings"

	"github.com/qmuntal/stateless"
)

// Actor is the caller firing a trigger, as far as the lifecycle cares.
type Actor struct {
	UserID string
	Role   Role // the caller's role in the deliverable's project
	Admin  bool // admins may do everything a coordinator may
	Owner  bool // the caller is a partner-member of the deliverable's owning partner(s)
}

// coordinates reports whether the actor has the coordinator's rights.
func (a Actor) coordinates() bool { return a.Admin || a.Role == RoleCoordinator }

// owns reports whether the actor acts for the owning partner. Only a
// partner member can own a deliverable: an Owner flag on any other role
// gives nothing.
func (a Actor) owns() bool { return a.Owner && a.Role == RolePartner }

// Facts is everything the guards need to know about the deliverable and
// its surroundings. The caller (the store) computes them beforehand, so
// the machine itself does no I/O.
type Facts struct {
	Incomplete         []FieldError // the deliverable's Incomplete(): submit
	ConsultationOver   bool         // deadline passed or closed early: approve
	UnansweredComments int          // top-level comments without a response: approve
	Phase2Started      bool         // start_monitoring
	Phase2Ended        bool         // close
	Note               string       // revise needs one
}

// Effect is work that a transition asks the store to carry out inside
// the transaction that records it.
type Effect string

const (
	EffectFreezeRevision    Effect = "freeze_revision"    // snapshot the content as a new numbered revision
	EffectOpenConsultation  Effect = "open_consultation"  // open the stakeholder group's consultation
	EffectCloseConsultation Effect = "close_consultation" // close the open consultation
	EffectAssembleDocument  Effect = "assemble_document"  // enqueue building the approved document
)

// Transition is the outcome of a successful Fire.
type Transition struct {
	From    State    `json:"from"`
	To      State    `json:"to"`
	Trigger Trigger  `json:"trigger"`
	Effects []Effect `json:"effects,omitempty"`
}

// PermittedTrigger is a trigger the caller may fire now, and where it
// leads.
type PermittedTrigger struct {
	Trigger Trigger `json:"trigger"`
	To      State   `json:"to"`
}

// Fire works out the transition that trigger t makes from state from,
// fired by a with facts f. It changes nothing: the caller stores the new
// state and carries out the effects in one transaction. The checks come
// in this order, and the first that fails decides the error:
//   - an unknown kind, state or trigger: invalid
//   - a trigger the state does not allow: conflict
//   - a role that may not fire it: forbidden
//   - unmet guards: guard_failed, with every unmet condition in Fields
func Fire(kind Kind, from State, t Trigger, a Actor, f Facts) (Transition, error) {
	v, err := variantOf(kind)
	if err != nil {
		return Transition{}, err
	}
	if !from.valid() {
		return Transition{}, Errorf(CodeInvalid, "unknown state %q", from)
	}
	if _, ok := ParseTrigger(string(t)); !ok {
		return Transition{}, Errorf(CodeInvalid, "unknown trigger %q", t)
	}
	fr := &firing{actor: a, facts: f}
	m := newMachine(v, from, fr)
	if err := m.sm.Fire(t, fr); err != nil {
		return Transition{}, err
	}
	return Transition{From: from, To: m.state, Trigger: t, Effects: fr.effects}, nil
}

// Permitted lists the triggers that a may fire from state from, given f:
// those whose role rule and guards pass, sorted by trigger. It is empty,
// not nil, when there are none, and for an unknown kind or state.
func Permitted(kind Kind, from State, a Actor, f Facts) []PermittedTrigger {
	out := []PermittedTrigger{}
	v, err := variantOf(kind)
	if err != nil || !from.valid() {
		return out
	}
	fr := &firing{actor: a, facts: f}
	m := newMachine(v, from, fr)
	triggers, err := m.sm.PermittedTriggers(fr)
	if err != nil {
		return out
	}
	rules := v.rules()
	for _, t := range triggers {
		for _, r := range rules {
			if r.from == from && r.trigger == t {
				out = append(out, PermittedTrigger{Trigger: r.trigger, To: r.to})
			}
		}
	}
	slices.SortFunc(out, func(x, y PermittedTrigger) int { return strings.Compare(string(x.Trigger), string(y.Trigger)) })
	return out
}

// variant is what sets the lifecycles of the deliverable kinds apart: who
// may approve, and which completeness the submit guard stands for.
type variant struct {
	kind      Kind
	noun      KindNoun // the kind, in words
	approvers stateless.GuardFunc
	complete  stateless.GuardFunc
}

func variantOf(kind Kind) (variant, error) {
	switch kind {
	case KindActionPlan:
		return variant{kind, KindNoun(kind), byCoordinatorOrSecretariat, actionPlanComplete}, nil
	case KindPeerReview:
		return variant{kind, KindNoun(kind), byCoordinator, peerReviewComplete}, nil
	case KindGoodPractice:
		// Validating a good practice is the lead partner's call for the
		// whole project, as with peer reviews: the coordinator approves.
		return variant{kind, KindNoun(kind), byCoordinator, goodPracticeComplete}, nil
	}
	return variant{}, Errorf(CodeInvalid, "unknown kind of deliverable %q", kind)
}

// rule is one transition of the lifecycle. who is the role rule: when it
// fails the answer is forbidden, whatever the guards say; when only
// guards fail it is guard_failed with everything they found unmet.
type rule struct {
	from    State
	trigger Trigger
	to      State
	who     stateless.GuardFunc
	guards  []stateless.GuardFunc
	effects []stateless.ActionFunc // entry actions of to, for this trigger
}

// rules is the lifecycle of v, as DOMAIN.md draws it.
func (v variant) rules() []rule {
	return []rule{
		{StateDraft, TriggerSubmit, StateStakeholderReview, byOwnerOrCoordinator,
			[]stateless.GuardFunc{v.complete}, []stateless.ActionFunc{freezeRevision, openConsultation}},
		{StateStakeholderReview, TriggerRequestChanges, StateDraft, byCoordinatorSecretariatOrOwner,
			nil, []stateless.ActionFunc{closeConsultation}},
		{StateStakeholderReview, TriggerApprove, StateApproved, v.approvers,
			[]stateless.GuardFunc{consultationOver, commentsAnswered}, []stateless.ActionFunc{assembleDocument}},
		{StateApproved, TriggerStartMonitoring, StateMonitored, byCoordinator,
			[]stateless.GuardFunc{phase2Started}, nil},
		{StateApproved, TriggerRevise, StateDraft, byOwnerOrCoordinator,
			[]stateless.GuardFunc{noteGiven}, nil},
		{StateMonitored, TriggerClose, StateClosed, byCoordinator,
			[]stateless.GuardFunc{phase2Ended}, nil},
		{StateMonitored, TriggerRevise, StateDraft, byOwnerOrCoordinator,
			[]stateless.GuardFunc{noteGiven}, nil},
	}
}

// firing carries one call's actor and facts into the guards and entry
// actions, and brings back what they found. It lives for one call only.
type firing struct {
	actor   Actor
	facts   Facts
	denied  bool                    // a role guard failed
	unmet   map[string][]FieldError // by guard, so that evaluating a guard twice is harmless
	order   []string                // guards in the order they first failed
	effects []Effect
}

// check records the outcome of guard name and reports whether it passed.
func (f *firing) check(name string, problems ...FieldError) bool {
	if f.unmet == nil {
		f.unmet = map[string][]FieldError{}
	}
	if _, seen := f.unmet[name]; !seen && len(problems) > 0 {
		f.order = append(f.order, name)
	}
	if len(problems) > 0 {
		f.unmet[name] = problems
	} else {
		delete(f.unmet, name)
	}
	return len(problems) == 0
}

// problems lists every unmet condition, in the order the guards ran.
func (f *firing) problems() []FieldError {
	var out []FieldError
	for _, name := range f.order {
		out = append(out, f.unmet[name]...)
	}
	return out
}

func (f *firing) allow(ok bool) bool {
	if !ok {
		f.denied = true
	}
	return ok
}

func firingOf(args []any) *firing { return args[0].(*firing) }

// Role rules. They are named functions so that the graph shows them.

func byOwnerOrCoordinator(_ context.Context, args ...any) bool {
	f := firingOf(args)
	return f.allow(f.actor.owns() || f.actor.coordinates())
}

func byCoordinatorSecretariatOrOwner(_ context.Context, args ...any) bool {
	f := firingOf(args)
	return f.allow(f.actor.coordinates() || f.actor.Role == RoleSecretariat || f.actor.owns())
}

func byCoordinatorOrSecretariat(_ context.Context, args ...any) bool {
	f := firingOf(args)
	return f.allow(f.actor.coordinates() || f.actor.Role == RoleSecretariat)
}

func byCoordinator(_ context.Context, args ...any) bool {
	f := firingOf(args)
	return f.allow(f.actor.coordinates())
}

// Guards. Each records what it found unmet under its own name.

// actionPlanComplete passes when (*ActionPlan).Incomplete, computed by the
// caller into Facts.Incomplete, found nothing missing.
func actionPlanComplete(_ context.Context, args ...any) bool {
	f := firingOf(args)
	return f.check("complete", f.facts.Incomplete...)
}

// peerReviewComplete passes when (*PeerReview).Incomplete, computed by the
// caller into Facts.Incomplete, found nothing missing.
func peerReviewComplete(_ context.Context, args ...any) bool {
	f := firingOf(args)
	return f.check("complete", f.facts.Incomplete...)
}

// goodPracticeComplete passes when (*GoodPractice).Incomplete, computed by
// the caller into Facts.Incomplete, found nothing missing.
func goodPracticeComplete(_ context.Context, args ...any) bool {
	f := firingOf(args)
	return f.check("complete", f.facts.Incomplete...)
}

func consultationOver(_ context.Context, args ...any) bool {
	f := firingOf(args)
	if f.facts.ConsultationOver {
		return f.check("consultation")
	}
	return f.check("consultation", Problem("consultation", "is still open: its deadline has not passed and it was not closed early"))
}

func commentsAnswered(_ context.Context, args ...any) bool {
	f := firingOf(args)
	if n := f.facts.UnansweredComments; n > 0 {
		return f.check("comments", Problem("comments", "%d top-level comments have no response", n))
	}
	return f.check("comments")
}

func phase2Started(_ context.Context, args ...any) bool {
	f := firingOf(args)
	if f.facts.Phase2Started {
		return f.check("phase2")
	}
	return f.check("phase2", Problem("phase2", "has not started"))
}

func phase2Ended(_ context.Context, args ...any) bool {
	f := firingOf(args)
	if f.facts.Phase2Ended {
		return f.check("phase2")
	}
	return f.check("phase2", Problem("phase2", "has not ended"))
}

func noteGiven(_ context.Context, args ...any) bool {
	f := firingOf(args)
	if strings.TrimSpace(f.facts.Note) != "" {
		return f.check("note")
	}
	return f.check("note", Problem("note", "is required: a revision says why"))
}

// Entry actions. They do no I/O: stateless cannot roll an action back, so
// they only record the effect for the store to carry out in its
// transaction.

func freezeRevision(_ context.Context, args ...any) error {
	return record(args, EffectFreezeRevision)
}

func openConsultation(_ context.Context, args ...any) error {
	return record(args, EffectOpenConsultation)
}

func closeConsultation(_ context.Context, args ...any) error {
	return record(args, EffectCloseConsultation)
}

func assembleDocument(_ context.Context, args ...any) error {
	return record(args, EffectAssembleDocument)
}

func record(args []any, e Effect) error {
	f := firingOf(args)
	f.effects = append(f.effects, e)
	return nil
}

// machine is a stateless machine with its state held in memory for the
// duration of one call.
type machine struct {
	sm    *stateless.StateMachine
	state State
}

// newMachine builds a fresh machine of variant v in state from. A machine
// is never shared between calls: in queued mode stateless may hand one
// caller's result to another, and the state lives outside it anyway.
func newMachine(v variant, from State, fr *firing) *machine {
	m := &machine{state: from}
	m.sm = stateless.NewStateMachineWithExternalStorage(
		func(context.Context) (stateless.State, error) { return m.state, nil },
		func(_ context.Context, s stateless.State) error { m.state = s.(State); return nil },
		stateless.FiringImmediate,
	)
	for _, s := range []State{StateDraft, StateStakeholderReview, StateApproved, StateMonitored, StateClosed} {
		m.sm.Configure(s)
	}
	for _, r := range v.rules() {
		guards := append([]stateless.GuardFunc{r.who}, r.guards...)
		m.sm.Configure(r.from).Permit(r.trigger, r.to, guards...)
		for _, e := range r.effects {
			m.sm.Configure(r.to).OnEntryFrom(r.trigger, e)
		}
	}
	m.sm.OnUnhandledTrigger(func(_ context.Context, state stateless.State, t stateless.Trigger, unmet []string) error {
		switch {
		case len(unmet) == 0:
			return Errorf(CodeConflict, "cannot %s: the %s is in state %s", t, v.noun, state)
		case fr == nil:
			return Errorf(CodeInternal, "%s from %s: guards %v failed without a firing", t, state, unmet)
		case fr.denied:
			return Errorf(CodeForbidden, "you may not %s this %s", t, v.noun)
		}
		problems := fr.problems()
		if len(problems) == 0 {
			return Errorf(CodeInternal, "%s from %s: guards %v failed without a reason", t, state, unmet)
		}
		err := Errorf(CodeGuardFailed, "the %s cannot %s yet", v.noun, t)
		err.Fields = problems
		return err
	})
	return m
}
