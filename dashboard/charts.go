package dashboard

import (
	"fmt"
	"strings"

	"github.com/craftscode/craftscode/workflow"
)

// Colours of the states and statuses. They are told apart by more than
// hue (the order of the segments and the legend), and each has a
// contrast of at least 3:1 against white.
var (
	stateColors = map[workflow.State]string{
		workflow.StateDraft: "#8a93a3", workflow.StateStakeholderReview: "#b36b00", workflow.StateApproved: "#0b5cad",
		workflow.StateMonitored: "#1c6b35", workflow.StateClosed: "#4b3f72",
	}
	statusColors = map[string]string{
		"not_started": "#8a93a3", "in_progress": "#0b5cad", "completed": "#1c6b35",
		"delayed": "#b36b00", "abandoned": "#a11d1d", workflow.NotReported: "#d5dae3",
	}
)

// Label turns a code into words: stakeholder_review → Stakeholder review.
func Label(code string) string {
	v := strings.ReplaceAll(code, "_", " ")
	if v == "" {
		return v
	}
	return strings.ToUpper(v[:1]) + v[1:]
}

// DeliverablesChart stacks each kind's deliverables by state.
func DeliverablesChart(d workflow.Dashboard) Chart {
	c := Chart{ID: "chart-deliverables", Title: "Deliverables by kind and state"}
	var states []workflow.State
	bars := map[workflow.Kind]int{}
	for _, sc := range d.Deliverables {
		i, ok := bars[sc.Kind]
		if !ok {
			i = len(c.Bars)
			bars[sc.Kind] = i
			c.Bars = append(c.Bars, Bar{Label: Label(string(sc.Kind)) + "s"})
		}
		if i == 0 {
			states = append(states, sc.State)
		}
		c.Bars[i].Values = append(c.Bars[i].Values, float64(sc.Count))
	}
	for _, s := range states {
		c.Series = append(c.Series, Series{Name: Label(string(s)), Color: stateColors[s]})
	}
	return c
}

// ActionsChart is one bar per implementation status, over all plans.
func ActionsChart(d workflow.Dashboard) Chart {
	c := Chart{ID: "chart-actions", Title: "Actions by implementation status", Series: []Series{{Name: "Actions", Color: "#0b5cad"}}}
	for _, sc := range d.Actions.Totals {
		c.Bars = append(c.Bars, Bar{Label: Label(sc.Status), Values: []float64{float64(sc.Count)}})
	}
	return c
}

// PlanActionsChart stacks each plan's actions by status.
func PlanActionsChart(d workflow.Dashboard) Chart {
	c := Chart{ID: "chart-plan-actions", Title: "Actions of each plan by status"}
	for _, st := range workflow.ImplementationStatuses {
		c.Series = append(c.Series, Series{Name: Label(st), Color: statusColors[st]})
	}
	for _, p := range d.Actions.Plans {
		b := Bar{Label: p.Title, Values: make([]float64, len(workflow.ImplementationStatuses))}
		for _, sc := range p.Counts {
			for i, st := range workflow.ImplementationStatuses {
				if st == sc.Status {
					b.Values[i] = float64(sc.Count)
				}
			}
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// IndicatorsChart is each plan's mean progress towards its indicators'
// targets, as a percentage of a full bar.
func IndicatorsChart(d workflow.Dashboard) Chart {
	c := Chart{ID: "chart-indicators", Title: "Indicator achievement per plan (mean progress to target)", Max: 1, Percent: true,
		Series: []Series{{Name: "Progress", Color: "#1c6b35"}}}
	for _, p := range d.Indicators.Plans {
		c.Bars = append(c.Bars, Bar{Label: p.Title, Values: []float64{p.AvgProgress}})
	}
	return c
}

// Percent formats a 0..1 share for the page.
func Percent(f float64) string { return fmt.Sprintf("%.0f%%", f*100) }
