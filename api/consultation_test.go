package api_test

import (
	"context"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

// principalOf is the caller behind a token, as the store knows it.
func (e *testEnv) principalOf(token string) workflow.Principal {
	e.t.Helper()
	p, err := e.store.Authenticate(context.Background(), workflow.HashToken(token))
	require.NoError(e.t, err)
	return p
}

// adminComment is a fresh comment of the admin's on the submitted plan,
// made through the store so that fixtures do not spend the admin's
// comment rate.
func adminComment(e *testEnv, c consortium) string {
	cm, err := e.store.AddComment(context.Background(), workflow.NewComment{Kind: workflow.KindActionPlan, DeliverableID: c.plan.ID,
		Body: "A fixture comment", Principal: e.principalOf(e.admin)})
	require.NoError(e.t, err)
	return cm.ID
}

func freshSubmittedPlan(e *testEnv, c consortium) string {
	id := draftPlan(e, c)
	e.fire("action-plans", id, e.admin, "submit", 1, 200)
	return id
}

func freshSubmittedReview(e *testEnv, c consortium) string {
	id := draftReview(e, c)
	e.fire("peer-reviews", id, e.admin, "submit", 1, 200)
	return id
}
