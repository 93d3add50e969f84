package dashboard

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

func ptr(f float64) *float64 { return &f }

func sample() workflow.Dashboard {
	return workflow.Dashboard{
		ProjectID: "p1",
		Deliverables: []workflow.StateCount{
			{Kind: workflow.KindActionPlan, State: workflow.StateMonitored, Count: 3},
			{Kind: workflow.KindPeerReview, State: workflow.StateDraft, Count: 0},
		},
		Actions: workflow.ActionStatusView{
			Totals: []workflow.StatusCount{{Status: "completed", Count: 4}, {Status: workflow.NotReported, Count: 2}},
			Plans: []workflow.PlanActions{{PlanID: "a1", Title: `=HYPERLINK("http://evil","x")`, LatestPeriod: "2024-S1",
				Counts: []workflow.StatusCount{{Status: "completed", Count: 4}}}},
		},
		Indicators: workflow.IndicatorView{
			Summary: workflow.IndicatorSummary{Indicators: 2, Reported: 1, OnTarget: 0, AvgProgress: 0.5},
			Plans: []workflow.PlanIndicators{{PlanID: "a1", Title: "Budapesti Vállalkozásfejlesztési Közalapítvány, \"BVK\"\nplan", Indicators: []workflow.IndicatorAchievement{
				{ID: "i1", Name: "+SUM(A1:A9)", Unit: "@cmd", Baseline: -2, Target: 10, Achieved: ptr(4), Period: "2024-S1", Progress: ptr(0.5)},
				{ID: "i2", Name: "-1+1", Unit: "€", Baseline: 0, Target: 5},
			}}},
		},
		Overdue: []workflow.OverdueReport{{PlanID: "a2", Title: "РАМ Стара планина", Period: "2024-S2",
			DueAt: time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC), Status: "missing", DaysLate: 12}},
	}
}

func TestCSV(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteCSV(&buf, sample()))
	require.Contains(t, buf.String(), "\r\n", "RFC 4180 line ends")
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err, "the output parses back")
	require.Equal(t, CSVHeader, rows[0])
	col := map[string]int{}
	for i, h := range CSVHeader {
		col[h] = i
	}
	bySection := map[string][][]string{}
	for _, r := range rows[1:] {
		require.Len(t, r, len(CSVHeader))
		bySection[r[0]] = append(bySection[r[0]], r)
	}
	require.Len(t, bySection["deliverables"], 2)
	require.Equal(t, []string{"action_plan", "monitored", "3"},
		[]string{bySection["deliverables"][0][col["item"]], bySection["deliverables"][0][col["status"]], bySection["deliverables"][0][col["count"]]})

	// Formulas in what people typed are defused; numbers stay numbers.
	require.Equal(t, `'=HYPERLINK("http://evil","x")`, bySection["actions"][0][col["plan"]])
	ind := bySection["indicators"]
	require.Len(t, ind, 2)
	require.Equal(t, "'+SUM(A1:A9)", ind[0][col["item"]])
	require.Equal(t, "'@cmd", ind[0][col["unit"]])
	require.Equal(t, "-2", ind[0][col["baseline"]], "a negative number is not text")
	require.Equal(t, "4", ind[0][col["achieved"]])
	require.Equal(t, "0.5", ind[0][col["progress"]])
	require.Equal(t, "'-1+1", ind[1][col["item"]])
	require.Equal(t, "", ind[1][col["achieved"]], "never reported is empty, not 0")
	// Quotes, commas and newlines survive quoting; Unicode is kept.
	require.Equal(t, "Budapesti Vállalkozásfejlesztési Közalapítvány, \"BVK\"\nplan", ind[0][col["plan"]])
	o := bySection["overdue_reports"][0]
	require.Equal(t, []string{"РАМ Стара планина", "2024-S2", "missing", "2025-01-31", "12"},
		[]string{o[col["plan"]], o[col["period"]], o[col["status"]], o[col["due_at"]], o[col["days_late"]]})
	require.Len(t, bySection["indicators_summary"], 4)
}

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"=1+2": "'=1+2", "+1": "'+1", "-1": "'-1", "@A1": "'@A1", "\tx": "'\tx", "\rx": "'\rx",
		"": "", "plain": "plain", "a=b": "a=b", "'=already": "'=already",
	} {
		require.Equal(t, want, SafeCell(in), in)
	}
}

// element is a generic XML node, to walk the SVG.
type element struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []element  `xml:",any"`
	Text     string     `xml:",chardata"`
}

func walk(e element, fn func(element)) {
	fn(e)
	for _, c := range e.Children {
		walk(c, fn)
	}
}

func get(e element, name string) string {
	for _, a := range e.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func TestSVGStacked(t *testing.T) {
	evil := `<script>alert(1)</script> & "quotes" Ærø`
	c := Chart{ID: "actions", Title: "Actions " + evil,
		Series: []Series{{Name: "done", Color: "#1c6b35"}, {Name: evil, Color: "#a11d1d"}},
		Bars:   []Bar{{Label: evil, Values: []float64{3, 1}}, {Label: "Second", Values: []float64{0, 2}}}}
	out := c.SVG()
	require.NotContains(t, out, "<script")
	require.NotContains(t, out, "style=")
	var root element
	require.NoError(t, xml.Unmarshal([]byte(out), &root), "well-formed XML:\n%s", out)
	require.Equal(t, "svg", root.XMLName.Local)
	require.Equal(t, "img", get(root, "role"))

	var titles []string
	var widths []float64
	walk(root, func(e element) {
		switch e.XMLName.Local {
		case "title":
			titles = append(titles, e.Text)
		case "script", "foreignObject", "image", "use":
			t.Fatalf("unexpected element %s", e.XMLName.Local)
		case "rect":
			if get(e, "fill") == "#1c6b35" || get(e, "fill") == "#a11d1d" {
				if get(e, "class") != "swatch" {
					w, err := strconv.ParseFloat(get(e, "width"), 64)
					require.NoError(t, err)
					widths = append(widths, w)
				}
			}
		}
		for _, a := range e.Attrs {
			require.False(t, strings.HasPrefix(strings.ToLower(a.Name.Local), "on"), "event handler attribute %s", a.Name.Local)
		}
	})
	require.Contains(t, titles, "Actions "+evil, "the title comes back as the text it was")
	require.Contains(t, titles, evil+": done 3, "+evil+" 1")
	// The largest bar (4) fills the plot: 3/4 and 1/4 of it, then 2/4.
	plot := float64(chartWidth - valueWidth)
	require.InDeltaSlice(t, []float64{plot * 3 / 4, plot / 4, plot / 2}, widths, 0.11)
}

func TestSVGLegendWraps(t *testing.T) {
	var series []Series
	for i := range 12 {
		series = append(series, Series{Name: fmt.Sprintf("Series number %d", i), Color: "#000"})
	}
	out := Chart{ID: "wide", Title: "Wide", Series: series, Bars: []Bar{{Label: "x", Values: make([]float64, 12)}}}.SVG()
	var root element
	require.NoError(t, xml.Unmarshal([]byte(out), &root))
	rows := map[string]bool{}
	walk(root, func(e element) {
		if get(e, "class") == "legend" {
			x, err := strconv.Atoi(get(e, "x"))
			require.NoError(t, err)
			require.Less(t, x+charWidth*len([]rune(e.Text)), chartWidth, "%s fits", e.Text)
			rows[get(e, "y")] = true
		}
	})
	require.Greater(t, len(rows), 1, "the legend wraps")
}

func TestSVGPercentAndEmpty(t *testing.T) {
	c := Chart{ID: "ind", Title: "Indicators", Series: []Series{{Name: "progress", Color: "#0b5cad"}}, Max: 1, Percent: true,
		Bars: []Bar{{Label: strings.Repeat("Long plan title ", 5), Values: []float64{1.7}}}}
	out := c.SVG()
	var root element
	require.NoError(t, xml.Unmarshal([]byte(out), &root))
	require.Contains(t, out, "170%", "the value shows as it is")
	require.Contains(t, out, fmt.Sprintf(`width="%d.0"`, chartWidth-valueWidth), "but the bar does not overflow the plot")
	require.NotContains(t, out, "…", "a long label is not shortened")
	var lines []string
	walk(root, func(e element) {
		if e.XMLName.Local == "tspan" {
			lines = append(lines, e.Text)
			require.LessOrEqual(t, charWidth*len([]rune(e.Text)), chartWidth, "%q fits the width", e.Text)
		}
	})
	require.Greater(t, len(lines), 1, "a long label takes more than one line")
	require.Equal(t, strings.TrimSpace(strings.Repeat("Long plan title ", 5)), strings.Join(lines, " "), "and is written whole")

	empty := Chart{ID: "none", Title: "Nothing"}.SVG()
	require.NoError(t, xml.Unmarshal([]byte(empty), &root))
	require.Contains(t, empty, "Nothing to show yet")
	said := Chart{ID: "none", Title: "Nothing", Empty: "Még nincs mit mutatni"}.SVG()
	require.Contains(t, said, ">Még nincs mit mutatni</text>", "in the page's language")
	require.NotContains(t, said, "Nothing to show yet")
}

func TestWrap(t *testing.T) {
	require.Equal(t, []string{""}, wrap("", 10))
	require.Equal(t, []string{"Action plan", "for Florence"}, wrap("Action plan for Florence", 12))
	require.Equal(t, []string{"Vállalkozás", "fejlesztés", "plan"}, wrap("Vállalkozásfejlesztés plan", 11), "a word longer than a line is cut, in characters")
	require.Equal(t, []string{"a b"}, wrap("  a \n b ", 10))
}
