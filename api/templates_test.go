package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/workflow"
)

func TestTemplateUploadIsCheckedFirst(t *testing.T) {
	e := setup(t, "sqlite")
	post := func(body map[string]any) response {
		return e.do(req{Method: "POST", Path: "/api/v1/templates", Token: e.admin, Body: body})
	}
	// A syntax error names its line.
	res := post(map[string]any{"name": "broken", "kind": "action_plan", "source": "# Plan\n\n{{.content.title}\n"})
	require.Equal(t, 422, res.Status, "%s", res.Body)
	p := res.problem(t)
	require.Equal(t, "template_invalid", p.Code)
	require.Len(t, p.Errors, 1)
	require.True(t, strings.HasPrefix(p.Errors[0].Field, "source:3:"), p.Errors[0].Field)

	// Unbounded loops and unknown functions are refused.
	for _, src := range []string{"{{range 100000000}}x{{end}}", "{{call .x}}", `{{define "a"}}{{template "a" .}}{{end}}{{template "a" .}}`} {
		res = post(map[string]any{"name": "bad", "kind": "action_plan", "source": src})
		require.Equal(t, 422, res.Status, "%s: %s", src, res.Body)
	}
	// A good one is accepted once per version and listed.
	good := map[string]any{"name": "short_plan", "kind": "action_plan", "source": "# {{.content.title}}\n\n{{.partner.name}}\n"}
	require.Equal(t, 201, post(good).Status)
	require.Equal(t, 409, post(good).Status, "the same version twice")
	// A template of kind any must render both kinds' samples.
	res = post(map[string]any{"name": "plan_only", "kind": "any", "source": "# {{.content.summary_en}}\n"})
	require.Equal(t, 422, res.Status, "%s", res.Body)
	require.Contains(t, string(res.Body), "peer_review sample")
	require.Equal(t, 201, post(map[string]any{"name": "short_any", "kind": "any", "source": "# {{.content.title}}\n\n{{.partner.name}}\n"}).Status)
	var l struct {
		Items []struct {
			Name    string
			Builtin bool
		}
	}
	e.do(req{Method: "GET", Path: "/api/v1/templates", Token: e.admin}).json(t, &l)
	names := map[string]bool{}
	for _, it := range l.Items {
		names[it.Name] = it.Builtin
	}
	require.Equal(t, map[string]bool{"action_plan": true, "peer_review": true, "good_practice": true, "progress_report": true, "comment_response_matrix": true,
		"event_minutes": true, "short_plan": false, "short_any": false}, names)
}

func TestDocumentRequestsAreChecked(t *testing.T) {
	e := setup(t, "sqlite")
	c := e.consortium("DOCS")
	path := "/api/v1/action-plans/" + c.plan.ID + "/documents"
	res := e.do(req{Method: "POST", Path: path, Token: c.tokens["partner"], Body: map[string]any{"format": "odt"}})
	require.Equal(t, 422, res.Status)
	res = e.do(req{Method: "POST", Path: path, Token: c.tokens["partner"], Body: map[string]any{"format": "pdf", "template": "peer_review"}})
	require.Equal(t, 422, res.Status, "a template of another kind")
	draft := draftPlan(e, c)
	res = e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + draft + "/documents", Token: c.tokens["partner"], Body: map[string]any{"format": "pdf"}})
	require.Equal(t, 409, res.Status, "never submitted: no revision to assemble")

	// The same request twice is the same document.
	var a, b struct{ ID, Status string }
	e.do(req{Method: "POST", Path: path, Token: c.tokens["partner"], Body: map[string]any{"format": "docx"}}).json(t, &a)
	e.do(req{Method: "POST", Path: path, Token: c.tokens["coordinator"], Body: map[string]any{"format": "docx"}}).json(t, &b)
	require.Equal(t, a.ID, b.ID)
	require.Equal(t, "pending", a.Status)
}

// TestMatrixDocumentForBothKinds: the built-in comment-response matrix is of
// kind any, so either kind of deliverable can ask for it by name.
func TestMatrixDocumentForBothKinds(t *testing.T) {
	e := setup(t, "sqlite")
	plan, review := submittedPair(t, e.store)
	for seg, id := range map[string]string{"action-plans": plan, "peer-reviews": review} {
		var doc struct {
			ID, Template, Format, Status string
			TemplateVersion              string `json:"template_version"`
		}
		res := e.do(req{Method: "POST", Path: "/api/v1/" + seg + "/" + id + "/documents", Token: e.admin,
			Body: map[string]any{"format": "pdf", "template": "comment_response_matrix"}})
		require.Equal(t, 202, res.Status, "%s: %s", seg, res.Body)
		res.json(t, &doc)
		require.Equal(t, "comment_response_matrix", doc.Template, seg)
		require.Len(t, doc.TemplateVersion, 64, seg)
		require.Equal(t, "pending", doc.Status)
	}
	// A kind's own template still does not fit the other kind.
	res := e.do(req{Method: "POST", Path: "/api/v1/peer-reviews/" + review + "/documents", Token: e.admin,
		Body: map[string]any{"format": "pdf", "template": "action_plan"}})
	require.Equal(t, 422, res.Status, "%s", res.Body)

	var l struct{ Items []struct{ Name, Kind string } }
	e.do(req{Method: "GET", Path: "/api/v1/templates", Token: e.admin}).json(t, &l)
	kinds := map[string]string{}
	for _, it := range l.Items {
		kinds[it.Name] = it.Kind
	}
	require.Equal(t, map[string]string{"action_plan": "action_plan", "peer_review": "peer_review", "good_practice": "good_practice", "progress_report": "progress_report",
		"comment_response_matrix": "any", "event_minutes": "event_minutes"}, kinds)

	// Its download is named apart from the plan's own document.
	doc, _, err := e.store.RequestDocument(t.Context(), workflow.DocumentRequest{Kind: workflow.KindActionPlan, DeliverableID: plan,
		Format: "md", Template: "comment_response_matrix", TemplateVersion: strings.Repeat("0", 64),
		Principal: workflow.Principal{User: workflow.User{ID: workflow.NewID(), Admin: true}}})
	require.NoError(t, err)
	info, err := e.blobs.Put(t.Context(), "test/"+doc.ID+".md", strings.NewReader("# Matrix\n"), 9, documents.PutOptions{ContentType: "text/markdown"})
	require.NoError(t, err)
	require.NoError(t, e.store.SetDocumentObject(t.Context(), doc.ID, info.Key, info.SHA256, info.Size, "text/markdown; charset=utf-8"))
	require.NoError(t, e.store.FinishDocument(t.Context(), doc.ID, nil))
	res = e.do(req{Method: "GET", Path: "/api/v1/documents/" + doc.ID + "/content", Token: e.admin})
	require.Equal(t, 200, res.Status, "%s", res.Body)
	require.Contains(t, res.Header.Get("Content-Disposition"), `filename="Terv (comment response matrix) r1 DRAFT.md"`)
}

// submittedPair makes a submitted action plan and peer review through the
// store (not the API: only the document endpoints are under test here).
func submittedPair(t *testing.T, s *sqlstore.Store) (planID, reviewID string) {
	t.Helper()
	ctx := context.Background()
	pr := workflow.Project{Acronym: "MATRIX", Title: "Crafts"}
	require.NoError(t, s.CreateProject(ctx, &pr))
	var partners []workflow.Partner
	for _, p := range [][2]string{{"Budapesti Vállalkozásfejlesztési Közalapítvány", "HU"}, {"FUNDESARTE", "ES"}, {"РАМ Стара планина", "BG"}} {
		pa := workflow.Partner{ProjectID: pr.ID, Name: p[0], Country: p[1], Role: workflow.PartnerPartner}
		require.NoError(t, s.CreatePartner(ctx, &pa))
		partners = append(partners, pa)
	}
	pi := workflow.PolicyInstrument{ProjectID: pr.ID, Name: "VEKOP", Type: workflow.InstrumentGrowthAndJobs, PartnerIDs: []string{partners[0].ID}}
	require.NoError(t, s.CreatePolicyInstrument(ctx, &pi))
	start, end := workflow.MustDate("2019-01-01"), workflow.MustDate("2019-12-31")
	plan := workflow.Deliverable{Kind: workflow.KindActionPlan, Plan: &workflow.ActionPlan{ProjectID: pr.ID, PartnerID: partners[0].ID,
		PolicyInstrumentID: pi.ID, Title: "Terv", Language: "en",
		Actions: []workflow.PlanAction{{Title: "A", Description: "d", Players: "p", TimeframeStart: &start, TimeframeEnd: &end}}}}
	require.NoError(t, s.CreateDeliverable(ctx, &plan))
	review := workflow.Deliverable{Kind: workflow.KindPeerReview, Review: &workflow.PeerReview{ProjectID: pr.ID, HostPartnerID: partners[0].ID,
		PeerPartnerIDs: []string{partners[1].ID, partners[2].ID}, PolicyInstrumentID: pi.ID, Title: "Peer review",
		VisitStart: &start, VisitEnd: &start, Findings: "f",
		Recommendations: []workflow.Recommendation{{Title: "R", Body: "b"}}}}
	require.NoError(t, s.CreateDeliverable(ctx, &review))
	admin := workflow.Principal{User: workflow.User{ID: workflow.NewID(), Admin: true}}
	for _, d := range []workflow.Deliverable{plan, review} {
		_, _, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: d.Kind, ID: d.Head().ID, Version: 1,
			Trigger: workflow.TriggerSubmit, Principal: admin})
		require.NoError(t, err)
	}
	return plan.Plan.ID, review.Review.ID
}
