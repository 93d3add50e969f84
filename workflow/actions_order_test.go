package workflow

import (
	"testing"
)

func titles(p *ActionPlan) string {
	s := ""
	for _, a := range p.Actions {
		s += a.Title
	}
	return s
}

func TestMoveAndRemoveAction(t *testing.T) {
	plan := func() *ActionPlan {
		p := &ActionPlan{Actions: []PlanAction{{Title: "a"}, {Title: "b"}, {Title: "c"}, {Title: "d"}}}
		p.Normalize()
		return p
	}
	for _, tc := range []struct {
		number, to int
		want       string
		code       Code
	}{
		{1, 3, "bcad", ""}, {4, 1, "dabc", ""}, {2, 2, "abcd", ""}, {3, 4, "abdc", ""},
		{0, 1, "", CodeNotFound}, {5, 1, "", CodeNotFound}, {1, 0, "", CodeInvalid}, {1, 5, "", CodeInvalid},
	} {
		p := plan()
		err := p.MoveAction(tc.number, tc.to)
		if ErrorCode(err) != tc.code {
			t.Fatalf("move %d to %d: %v, want code %q", tc.number, tc.to, err, tc.code)
		}
		if err != nil {
			if titles(p) != "abcd" {
				t.Fatalf("a refused move changed the plan: %s", titles(p))
			}
			continue
		}
		if titles(p) != tc.want {
			t.Fatalf("move %d to %d: %s, want %s", tc.number, tc.to, titles(p), tc.want)
		}
		for i, a := range p.Actions {
			if a.Number != i+1 {
				t.Fatalf("not renumbered: %+v", p.Actions)
			}
		}
	}
	p := plan()
	if err := p.RemoveAction(2); err != nil || titles(p) != "acd" || p.Actions[2].Number != 3 {
		t.Fatalf("remove 2: %v %s %+v", err, titles(p), p.Actions)
	}
	if err := p.RemoveAction(4); ErrorCode(err) != CodeNotFound || titles(p) != "acd" {
		t.Fatalf("remove 4: %v %s", err, titles(p))
	}
}
