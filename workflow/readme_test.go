package workflow

import (
	"os"
	"strings"
	"testing"
)

// The README shows the lifecycle; it must be the machine's own graph.
func TestReadmeShowsTheMachine(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	g, err := Graph(KindActionPlan, "mermaid")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```mermaid\n"+strings.TrimRight(g, "\n")+"\n```") {
		t.Fatalf("README.md's lifecycle picture differs from the machine; paste in:\n%s", g)
	}
}
