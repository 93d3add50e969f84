package workflow

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestGraphGolden(t *testing.T) {
	for _, kind := range []Kind{KindActionPlan, KindPeerReview, KindGoodPractice} {
		for _, format := range []string{"dot", "mermaid"} {
			name := fmt.Sprintf("lifecycle_%s.%s", kind, format)
			t.Run(name, func(t *testing.T) {
				got, err := Graph(kind, format)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", name)
				if *update {
					if err := os.MkdirAll("testdata", 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./workflow -run Graph -update to create it)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from the golden file (go test ./workflow -run Graph -update rewrites it)\n got:\n%s\nwant:\n%s", name, got, want)
				}
			})
		}
	}
}

// ToGraph walks maps; the normalised output must not change between calls.
func TestGraphDeterministic(t *testing.T) {
	t.Parallel()
	for _, kind := range []Kind{KindActionPlan, KindPeerReview} {
		for _, format := range []string{"dot", "mermaid"} {
			first, err := Graph(kind, format)
			if err != nil {
				t.Fatal(err)
			}
			for range 100 {
				if again, _ := Graph(kind, format); again != first {
					t.Fatalf("%s %s changed between calls:\n%s\n%s", kind, format, first, again)
				}
			}
		}
	}
}

func TestGraphInvalid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		kind   Kind
		format string
	}{{KindActionPlan, "svg"}, {KindActionPlan, ""}, {KindPeerReview, "DOT"}, {"learning_event", "dot"}} {
		if _, err := Graph(tc.kind, tc.format); ErrorCode(err) != CodeInvalid {
			t.Errorf("Graph(%q, %q): %v, want invalid", tc.kind, tc.format, err)
		}
	}
}

// The mermaid picture has exactly the transitions that Fire allows to an
// administrator when every guard passes.
func TestMermaidMatchesFire(t *testing.T) {
	t.Parallel()
	for _, kind := range []Kind{KindActionPlan, KindPeerReview} {
		g, err := Graph(kind, "mermaid")
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(g, "\n"), "\n")
		if lines[0] != "stateDiagram-v2" || strings.TrimSpace(lines[1]) != "[*] --> draft" {
			t.Fatalf("head of %s:\n%s", kind, g)
		}
		var got, want []string
		for _, l := range lines[2:] {
			got = append(got, strings.TrimSpace(l))
		}
		for _, s := range tableStates {
			for _, tg := range tableTriggers {
				if tr, err := Fire(kind, s, tg, Actor{Admin: true}, factsMet); err == nil {
					want = append(want, fmt.Sprintf("%s --> %s: %s", s, tr.To, tg))
				}
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: mermaid %v\nFire %v", kind, got, want)
		}
	}
}
