package workflow

import (
	"fmt"
	"strings"
	"testing"
)

func TestAnchorListStopsAtTwenty(t *testing.T) {
	t.Parallel()
	var secs []Section
	for i := 1; i <= 25; i++ {
		secs = append(secs, Section{Anchor: fmt.Sprintf("recommendation.%d", i)})
	}
	got := AnchorList(secs)
	if !strings.HasPrefix(got, "recommendation.1, recommendation.2, ") || !strings.HasSuffix(got, "recommendation.20, …") {
		t.Errorf("AnchorList: %s", got)
	}
	if got := AnchorList(secs[:2]); got != "recommendation.1, recommendation.2" {
		t.Errorf("AnchorList of two: %s", got)
	}
}
