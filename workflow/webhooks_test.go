package workflow_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

func TestWebhookNormalizeAndValidate(t *testing.T) {
	w := workflow.Webhook{URL: "  HTTPS://Hooks.example.org/In?x=1 ", Secret: workflow.NewWebhookSecret(),
		Events: []workflow.EventType{workflow.EventDocumentReady, workflow.EventTransition, workflow.EventDocumentReady}}
	w.Normalize()
	require.Equal(t, "https://Hooks.example.org/In?x=1", w.URL, "the scheme only is lowered")
	require.Equal(t, []workflow.EventType{workflow.EventTransition, workflow.EventDocumentReady}, w.Events)
	require.NoError(t, w.Validate())
	require.True(t, w.Subscribed(workflow.EventTransition))
	require.False(t, w.Subscribed(workflow.EventCommentCreated))

	for _, u := range []string{"https", "file:///etc/passwd", "gopher://x", "//host/path", "https://h.example/#frag", "http://[::1"} {
		bad := w
		bad.URL = u
		bad.Normalize()
		err := bad.Validate()
		require.Error(t, err, u)
		require.Equal(t, "url", err.(*workflow.Error).Fields[0].Field, u)
	}
	unknown := w
	unknown.Events = []workflow.EventType{"comment.deleted", workflow.EventTransition}
	unknown.Normalize()
	err := unknown.Validate()
	require.ErrorContains(t, err, "the webhook is not valid")
	require.Contains(t, err.(*workflow.Error).Fields[0].Message, `"comment.deleted"`)

	require.True(t, strings.HasPrefix(workflow.NewWebhookSecret(), "whsec_"))
	require.NotEqual(t, workflow.NewWebhookSecret(), workflow.NewWebhookSecret())
}
