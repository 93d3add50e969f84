package workflow_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

func TestTakesSuggestion(t *testing.T) {
	yes := map[workflow.Kind][]string{
		workflow.KindActionPlan: {"summary_en", "part2.policy_context", "part3.action.1.background", "part3.action.12.description",
			"part3.action.3.players", "part3.action.3.costs", "part3.action.3.funding_sources"},
		workflow.KindPeerReview:   {"findings", "recommendation.1", "recommendation.20"},
		workflow.KindGoodPractice: {"summary", "description", "resources_needed", "timescale", "evidence_of_success", "potential_for_learning", "main_institution"},
	}
	no := map[workflow.Kind][]string{
		workflow.KindActionPlan: {"", "general", "part1.general", "part3.action.1", "part3.action.1.timeframe", "part3.action.1.title",
			"part3.action.0.players", "part3.action.01.players", "part3.action.x.players", "findings", "summary"},
		workflow.KindPeerReview:   {"general", "visit", "recommendation.1.body", "recommendation.0", "summary_en"},
		workflow.KindGoodPractice: {"general", "location", "findings"},
	}
	for k, anchors := range yes {
		for _, a := range anchors {
			require.True(t, workflow.TakesSuggestion(k, a), "%s %s", k, a)
		}
	}
	for k, anchors := range no {
		for _, a := range anchors {
			require.False(t, workflow.TakesSuggestion(k, a), "%s %s", k, a)
		}
	}
}

func TestSuggestionFields(t *testing.T) {
	plan := workflow.ActionPlan{PolicyContext: "Контекст на политиката", Actions: []workflow.PlanAction{
		{Number: 1, Players: "BKIK"}, {Number: 2, Background: workflow.Background{Text: "Háttér", PeerReviewID: "keep"}}}}
	content, err := json.Marshal(plan)
	require.NoError(t, err)
	text, found, err := workflow.SuggestionFieldText(workflow.KindActionPlan, content, "part2.policy_context")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "Контекст на политиката", text)
	text, found, err = workflow.SuggestionFieldText(workflow.KindActionPlan, content, "part3.action.2.background")
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "Háttér", text)
	_, found, err = workflow.SuggestionFieldText(workflow.KindActionPlan, content, "part3.action.3.players")
	require.NoError(t, err)
	require.False(t, found, "no third action")

	out, err := workflow.ReplaceSuggestionField(workflow.KindActionPlan, content, "part3.action.2.background", "Új háttér")
	require.NoError(t, err)
	var got workflow.ActionPlan
	require.NoError(t, json.Unmarshal(out, &got))
	require.Equal(t, "Új háttér", got.Actions[1].Background.Text)
	require.Equal(t, "keep", got.Actions[1].Background.PeerReviewID, "only the text changes")
	require.Equal(t, plan.PolicyContext, got.PolicyContext)
	_, err = workflow.ReplaceSuggestionField(workflow.KindActionPlan, content, "part3.action.9.players", "x")
	require.Equal(t, workflow.CodeNotFound, workflow.ErrorCode(err))

	review, err := json.Marshal(workflow.PeerReview{Recommendations: []workflow.Recommendation{{Number: 1, Title: "T", Body: "Open a lab"}}})
	require.NoError(t, err)
	out, err = workflow.ReplaceSuggestionField(workflow.KindPeerReview, review, "recommendation.1", "Open two labs")
	require.NoError(t, err)
	var r workflow.PeerReview
	require.NoError(t, json.Unmarshal(out, &r))
	require.Equal(t, "Open two labs", r.Recommendations[0].Body)
	require.Equal(t, "T", r.Recommendations[0].Title)
}

func TestSuggestedText(t *testing.T) {
	out, n := workflow.SuggestedText("Mentorok segítik a kezdő kézműveseket", workflow.Suggestion{Text: "fiatal", Of: "kezdő"})
	require.Equal(t, 1, n)
	require.Equal(t, "Mentorok segítik a fiatal kézműveseket", out)
	out, n = workflow.SuggestedText("a b a", workflow.Suggestion{Text: "c", Of: "a"})
	require.Equal(t, 2, n)
	require.Equal(t, "a b a", out, "unchanged unless one place")
	_, n = workflow.SuggestedText("abc", workflow.Suggestion{Text: "c", Of: "x"})
	require.Zero(t, n)
	out, n = workflow.SuggestedText("old", workflow.Suggestion{Text: "new"})
	require.Equal(t, 1, n)
	require.Equal(t, "new", out)
}

func TestNewCommentSuggestion(t *testing.T) {
	valid := func(c workflow.NewComment) error {
		c.Kind, c.Body = workflow.KindActionPlan, "Megjegyzés"
		c.Normalize()
		return c.Validate()
	}
	require.NoError(t, valid(workflow.NewComment{Section: "summary_en", Suggestion: "  Text  ", SuggestionOf: " "}))
	require.Error(t, valid(workflow.NewComment{Section: "part1.general", Suggestion: "x"}))
	require.Error(t, valid(workflow.NewComment{Suggestion: "x"}), "the document as a whole")
	require.Error(t, valid(workflow.NewComment{Section: "summary_en", SuggestionOf: "x"}), "of without text")
	require.Error(t, valid(workflow.NewComment{Section: "summary_en", ParentID: workflow.NewID(), Suggestion: "x"}), "a reply")
	require.NoError(t, valid(workflow.NewComment{Section: "summary_en", Suggestion: strings.Repeat("é", workflow.MaxSuggestionLength)}))
	require.Error(t, valid(workflow.NewComment{Section: "summary_en", Suggestion: strings.Repeat("é", workflow.MaxSuggestionLength+1)}), "too long")
	require.Error(t, valid(workflow.NewComment{Section: "summary_en", Suggestion: "a\x00b"}), "NUL")
	require.Error(t, valid(workflow.NewComment{Section: "summary_en", Suggestion: "\xff"}), "not UTF-8")
}
