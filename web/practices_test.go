package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

// TestGoodPracticePage: a submitted good practice has the same consultation
// page as the other kinds, with the form's sections, and every stakeholder
// of the project may comment on it.
func TestGoodPracticePage(t *testing.T) {
	s := newSite(t, sqlstore.SQLite, nil)
	owner := principal(t, s, s.owner)
	m, _ := owner.Membership(owner.Memberships[0].ProjectID)
	g := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{ProjectID: m.ProjectID,
		PartnerID: m.PartnerID, Title: "Botteghe artigiane aperte", Location: workflow.Location{Country: "IT", NUTS2: "ITI1", City: "Firenze"},
		Summary: "Open workshops.", Description: "Workshops open to schools.", EvidenceOfSuccess: "3 000 visitors",
		PotentialForLearning: "Габрово could do the same."}}
	require.NoError(t, s.store.CreateDeliverable(ctx, &g))
	_, _, err := s.store.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindGoodPractice, ID: g.Practice.ID, Version: 1,
		Trigger: workflow.TriggerSubmit, Principal: owner})
	require.NoError(t, err)

	page := "/ui/good-practices/" + g.Practice.ID
	b := s.browser(t)
	b.signIn(s.outsider) // the other group's stakeholder: a good practice is the project's
	res := b.get(page)
	require.Equal(t, http.StatusOK, res.status, res.body)
	require.Contains(t, res.body, "Potential for learning or transfer")
	require.Contains(t, res.body, "Габрово could do the same.")
	require.Contains(t, res.body, `id="sec-evidence_of_success"`)
	res = b.post(page+"/comments", url.Values{"section": {"potential_for_learning"}, "stance": {"support"}, "body": {"Nálunk is működne"}})
	require.Equal(t, http.StatusSeeOther, res.status, res.body)
	require.Contains(t, b.get(page).body, "Nálunk is működne")
	require.Equal(t, http.StatusNotFound, b.get("/ui/action-plans/"+g.Practice.ID).status, "a good practice is not an action plan")
}
