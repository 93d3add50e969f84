package sqlstore_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

// approveAs approves the fixture's plan (its consultation closed, nothing
// to answer) as u, a member of the project in role.
func approveAs(t *testing.T, s *sqlstore.Store, f matrixFixture, u workflow.User, role workflow.Role) {
	t.Helper()
	d, err := s.Deliverable(ctx, f.plan.Kind, f.plan.Plan.ID)
	require.NoError(t, err)
	p := workflow.Principal{User: u, Memberships: []workflow.Membership{{ProjectID: f.plan.Plan.ProjectID, UserID: u.ID, Role: role}}}
	_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: f.plan.Kind, ID: f.plan.Plan.ID, Version: d.Plan.Version,
		Trigger: workflow.TriggerApprove, Principal: p})
	require.NoError(t, err)
}

// finish stores a document's bytes as the render job would (without the
// blob) and marks it ready: the verification looks at the recorded hash.
func finish(t *testing.T, s *sqlstore.Store, doc workflow.Document, sha string) {
	t.Helper()
	require.NoError(t, s.SetDocumentObject(ctx, doc.ID, "test/"+doc.ID, sha, 10, "text/markdown"))
	require.NoError(t, s.FinishDocument(ctx, doc.ID, nil))
}

func TestApprovalRecordAndVerify(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			s.SetPublicURL("https://verify.example.org/")
			f := newMatrixFixture(t, s)
			lead := workflow.Partner{ProjectID: f.plan.Plan.ProjectID, Name: "Design and Crafts Council Ireland", Country: "IE", Role: workflow.PartnerLead}
			require.NoError(t, s.CreatePartner(ctx, &lead))

			// A draft rendered while under review: no approval record.
			_, draftSnap, _, err := renderInputFor(t, s, f, "action_plan", "md")
			require.NoError(t, err)
			require.NotContains(t, string(draftSnap), `"approval"`)
			drafts, _, err := s.ListDocuments(ctx, f.plan.Plan.ID, workflow.Page{Limit: 10})
			require.NoError(t, err)
			require.Len(t, drafts, 1)
			draftSHA := strings.Repeat("d", 64)
			finish(t, s, drafts[0], draftSHA)

			approveAs(t, s, f, f.coordinator, workflow.RoleCoordinator)
			tmpl, snap, created, err := renderInputFor(t, s, f, "action_plan", "md")
			require.NoError(t, err)
			var data struct {
				Approval documents.Approval `json:"approval"`
			}
			require.NoError(t, json.Unmarshal(snap, &data))
			var revSHA string
			require.NoError(t, s.DB().QueryRowContext(ctx, "SELECT sha256 FROM revisions WHERE deliverable_id = $1 AND number = 1",
				f.plan.Plan.ID).Scan(&revSHA))
			var approvedAt string
			history, _, err := s.History(ctx, f.plan.Kind, f.plan.Plan.ID, workflow.Page{Limit: 50})
			require.NoError(t, err)
			for _, tr := range history {
				if tr.Trigger == workflow.TriggerApprove {
					approvedAt = tr.At.UTC().String()
				}
			}
			a := data.Approval
			require.Equal(t, approvedAt, a.ApprovedAt.String())
			require.Equal(t, documents.Approval{ApprovedAt: a.ApprovedAt, Role: "coordinator", Organisation: lead.Name, Revision: 1,
				RevisionSHA256: revSHA, VerifyURL: "https://verify.example.org/verify"}, a)
			require.NotContains(t, string(snap), f.coordinator.Name, "the record names the organisation, not the person")

			// The rendered record, from the store's input.
			var snapshot map[string]any
			dec := json.NewDecoder(bytes.NewReader(snap))
			dec.UseNumber()
			require.NoError(t, dec.Decode(&snapshot))
			var out bytes.Buffer
			require.NoError(t, documents.Assemble(&out, tmpl, snapshot, documents.MetaFor(snapshot, true, created, tmpl.Version), documents.FormatMD))
			for _, want := range []string{"## Approval record", "the project's coordinator, for the lead partner Design and Crafts Council Ireland",
				"- **Revision:** 1, SHA-256 " + revSHA, "no comments were made", "Verify this document at https://verify.example.org/verify"} {
				require.Contains(t, out.String(), want)
			}

			docs, _, err := s.ListDocuments(ctx, f.plan.Plan.ID, workflow.Page{Limit: 10})
			require.NoError(t, err)
			var approved workflow.Document
			for _, doc := range docs {
				if doc.Approved && doc.Format == "md" {
					approved = doc
				}
			}
			require.NotEmpty(t, approved.ID)
			approvedSHA := strings.Repeat("a", 64)
			// Not ready yet: not issued.
			require.NoError(t, s.SetDocumentObject(ctx, approved.ID, "test/"+approved.ID, approvedSHA, 10, "text/markdown"))
			_, err = s.VerifyDocument(ctx, approvedSHA)
			require.Equal(t, workflow.CodeNotFound, code(t, err))
			require.NoError(t, s.FinishDocument(ctx, approved.ID, nil))

			v, err := s.VerifyDocument(ctx, approvedSHA)
			require.NoError(t, err)
			require.NotZero(t, v.IssuedAt)
			require.Equal(t, workflow.DocumentVerification{Kind: workflow.KindActionPlan, Title: "Cselekvési terv", Project: "MATRIX",
				ProjectTitle: "Crafts as a driver of SME competitiveness", Revision: 1, State: workflow.StateApproved, Approved: true,
				Format: "md", IssuedAt: v.IssuedAt}, v)

			v, err = s.VerifyDocument(ctx, draftSHA)
			require.NoError(t, err)
			require.False(t, v.Approved)
			require.Equal(t, workflow.StateStakeholderReview, v.State)

			_, err = s.VerifyDocument(ctx, strings.Repeat("0", 64))
			require.Equal(t, workflow.CodeNotFound, code(t, err))
		})
	}
}

// TestApprovalRecordBySecretariat: the programme's secretariat approves an
// action plan for the programme.
func TestApprovalRecordBySecretariat(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			f := newMatrixFixture(t, s)
			officer := matrixUser(t, s, "js@matrix.example", "Officer")
			require.NoError(t, s.CreateMembership(ctx, &workflow.Membership{ProjectID: f.plan.Plan.ProjectID, UserID: officer.ID,
				Role: workflow.RoleSecretariat}))
			_, err := s.DB().ExecContext(ctx, "UPDATE projects SET programme = 'Interreg Europe' WHERE id = $1", f.plan.Plan.ProjectID)
			require.NoError(t, err)
			approveAs(t, s, f, officer, workflow.RoleSecretariat)
			_, snap, _, err := renderInputFor(t, s, f, "action_plan", "pdf")
			require.NoError(t, err)
			var data struct {
				Approval documents.Approval `json:"approval"`
			}
			require.NoError(t, json.Unmarshal(snap, &data))
			require.Equal(t, "secretariat", data.Approval.Role)
			require.Equal(t, "Interreg Europe", data.Approval.Organisation)
			require.Empty(t, data.Approval.VerifyURL, "without a public URL there is no line")
		})
	}
}

// TestApprovalRecordOfAnUnknownApprover: an approver with no membership,
// an admin by the flag of the principal, who is gone from the service when
// the document is rendered: the transition recorded the role.
func TestApprovalRecordOfAnUnknownApprover(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			f := newMatrixFixture(t, s)
			gone := workflow.Principal{User: workflow.User{ID: workflow.NewID(), Admin: true}}
			_, _, err := s.FireTransition(ctx, workflow.TransitionRequest{Kind: f.plan.Kind, ID: f.plan.Plan.ID, Version: 2,
				Trigger: workflow.TriggerApprove, Principal: gone})
			require.NoError(t, err)
			_, snap, _, err := renderInputFor(t, s, f, "action_plan", "md")
			require.NoError(t, err)
			var data struct {
				Approval documents.Approval `json:"approval"`
			}
			require.NoError(t, json.Unmarshal(snap, &data))
			require.Equal(t, "admin", data.Approval.Role)
			require.Equal(t, 1, data.Approval.Revision)

		})
	}
}

// TestApprovalRecordStaysAsApproved: the record states the approver as
// they were when they approved. The lead partner renamed and the
// coordinator moved to the secretariat afterwards change nothing in a document
// rendered later, so it keeps its bytes.
func TestApprovalRecordStaysAsApproved(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			s := sqlstoretest.New(t, d)
			f := newMatrixFixture(t, s)
			lead := workflow.Partner{ProjectID: f.plan.Plan.ProjectID, Name: "Comune di Firenze", Country: "IT", Role: workflow.PartnerLead}
			require.NoError(t, s.CreatePartner(ctx, &lead))
			approveAs(t, s, f, f.coordinator, workflow.RoleCoordinator)
			_, before, _, err := renderInputFor(t, s, f, "action_plan", "md")
			require.NoError(t, err)

			_, err = s.DB().ExecContext(ctx, "UPDATE partners SET name = 'Città di Firenze' WHERE id = $1", lead.ID)
			require.NoError(t, err)
			_, err = s.DB().ExecContext(ctx, "UPDATE memberships SET role = 'secretariat' WHERE user_id = $1", f.coordinator.ID)
			require.NoError(t, err)
			_, after, _, err := renderInputFor(t, s, f, "action_plan", "md")
			require.NoError(t, err)
			require.Equal(t, string(before), string(after))
			var data struct {
				Approval documents.Approval `json:"approval"`
			}
			require.NoError(t, json.Unmarshal(after, &data))
			require.Equal(t, "coordinator", data.Approval.Role)
			require.Equal(t, "Comune di Firenze", data.Approval.Organisation)
		})
	}
}
