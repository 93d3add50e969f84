package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Graph draws the lifecycle of kind, generated from the configured
// stateless machine itself, in format "dot" (Graphviz) or "mermaid"
// (stateDiagram-v2). The output is the same byte for byte on every call.
func Graph(kind Kind, format string) (string, error) {
	v, err := variantOf(kind)
	if err != nil {
		return "", err
	}
	switch format {
	case "dot":
		return dotGraph(v), nil
	case "mermaid":
		return mermaidGraph(v)
	}
	return "", Errorf(CodeInvalid, "unknown graph format %q: use dot or mermaid", format)
}

// dotGraph is stateless's ToGraph with its lines put in a stable order:
// ToGraph walks maps, so the order of its lines may change from one call
// to the next. Within each run of node lines or of edge lines the lines
// are sorted; the frame (header, the initial-state marker, closing brace)
// stays where ToGraph put it.
func dotGraph(v variant) string {
	return sortDot(newMachine(v, StateDraft, nil).sm.ToGraph())
}

// sortDot puts the node and edge lines of a stateless graph in order.
func sortDot(graph string) string {
	lines := strings.Split(graph, "\n")
	kindOf := func(l string) int {
		switch {
		case strings.HasPrefix(l, "\tinit"), !strings.HasPrefix(l, "\t"), !strings.HasSuffix(l, ";"):
			return 0 // frame: kept in place
		case strings.Contains(l, " -> "):
			return 2 // edge
		}
		return 1 // node
	}
	for i := 0; i < len(lines); {
		k := kindOf(lines[i])
		j := i + 1
		for j < len(lines) && k != 0 && kindOf(lines[j]) == k {
			j++
		}
		slices.Sort(lines[i:j])
		i = j
	}
	return strings.Join(lines, "\n")
}

// mermaidGraph walks the machine: from the initial state, it asks the
// machine which triggers it permits in each state it reaches and fires
// each of them on a fresh machine to see where it leads. The walk runs as
// an administrator with every fact in favour, so that every guard passes
// and every transition shows. (stateless for Go has no GetInfo to list
// the configuration, hence the walk.)
func mermaidGraph(v variant) (string, error) {
	probe := func() *firing {
		return &firing{
			actor: Actor{Admin: true},
			facts: Facts{ConsultationOver: true, Phase2Started: true, Phase2Ended: true, Note: "graph"},
		}
	}
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	fmt.Fprintf(&b, "    [*] --> %s\n", StateDraft)
	seen := map[State]bool{StateDraft: true}
	queue := []State{StateDraft}
	for len(queue) > 0 {
		from := queue[0]
		queue = queue[1:]
		fr := probe()
		triggers, err := newMachine(v, from, fr).sm.PermittedTriggersCtx(context.Background(), fr)
		if err != nil {
			return "", err
		}
		ts := make([]Trigger, 0, len(triggers))
		for _, t := range triggers {
			ts = append(ts, t.(Trigger))
		}
		slices.Sort(ts)
		for _, t := range ts {
			fr := probe()
			m := newMachine(v, from, fr)
			if err := m.sm.Fire(t, fr); err != nil {
				return "", fmt.Errorf("graph: %s from %s: %w", t, from, err)
			}
			fmt.Fprintf(&b, "    %s --> %s: %s\n", from, m.state, t)
			if !seen[m.state] {
				seen[m.state] = true
				queue = append(queue, m.state)
			}
		}
	}
	return b.String(), nil
}

// ReportGraph draws the progress report lifecycle, as Graph does a
// deliverable's.
func ReportGraph(format string) (string, error) {
	switch format {
	case "dot":
		return sortDot(newReportMachine(ReportDraft, nil).sm.ToGraph()), nil
	case "mermaid":
		return reportMermaid()
	}
	return "", Errorf(CodeInvalid, "unknown graph format %q: use dot or mermaid", format)
}

// reportMermaid walks the report machine as mermaidGraph walks a
// deliverable's.
func reportMermaid() (string, error) {
	probe := func() *firing { return &firing{actor: Actor{Admin: true}, facts: Facts{Note: "graph"}} }
	var b strings.Builder
	b.WriteString("stateDiagram-v2\n")
	fmt.Fprintf(&b, "    [*] --> %s\n", ReportDraft)
	seen := map[ReportState]bool{ReportDraft: true}
	queue := []ReportState{ReportDraft}
	for len(queue) > 0 {
		from := queue[0]
		queue = queue[1:]
		fr := probe()
		triggers, err := newReportMachine(from, fr).sm.PermittedTriggersCtx(context.Background(), fr)
		if err != nil {
			return "", err
		}
		ts := make([]ReportTrigger, 0, len(triggers))
		for _, t := range triggers {
			ts = append(ts, t.(ReportTrigger))
		}
		slices.Sort(ts)
		for _, t := range ts {
			fr := probe()
			m := newReportMachine(from, fr)
			if err := m.sm.Fire(t, fr); err != nil {
				return "", fmt.Errorf("graph: %s from %s: %w", t, from, err)
			}
			fmt.Fprintf(&b, "    %s --> %s: %s\n", from, m.state, t)
			if !seen[m.state] {
				seen[m.state] = true
				queue = append(queue, m.state)
			}
		}
	}
	return b.String(), nil
}
