package sqlstore_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/craftscode/craftscode/storage/sqlstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
	"github.com/craftscode/craftscode/workflow"
)

func practiceFor(partnerID, projectID, country, nuts2 string) workflow.Deliverable {
	return workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: &workflow.GoodPractice{
		ProjectID: projectID, PartnerID: partnerID, Title: "Mesterség és tanonc",
		Location: workflow.Location{Country: country, NUTS2: nuts2, City: "Габрово"},
		Summary:  "Masters take apprentices.", Description: "Twelve workshops.", EvidenceOfSuccess: "64 certified",
		PotentialForLearning: "Any heritage site"}}
}

func sha(c string) string { return strings.Repeat(c, 64) }

func init() {
	suite["GoodPractices"] = func(t *testing.T, s *sqlstore.Store) {
		d := seed(t, s, "GP") // partner HU11 addresses the instrument of the group
		pid := d.project.ID
		bg := workflow.Partner{ProjectID: pid, Name: "РАМ Стара планина", Country: "BG", Region: "BG32", Role: workflow.PartnerPartner}
		require.NoError(t, s.CreatePartner(ctx, &bg))
		owner, _ := member(t, s, "gp-owner@x.example", workflow.Membership{ProjectID: pid, Role: workflow.RolePartner, PartnerID: bg.ID})
		coord, _ := member(t, s, "gp-coord@x.example", workflow.Membership{ProjectID: pid, Role: workflow.RoleCoordinator})

		g := practiceFor(bg.ID, pid, "BG", "BG32")
		require.NoError(t, s.CreateDeliverable(ctx, &g))
		id := g.Practice.ID
		require.Equal(t, workflow.StateDraft, g.Practice.State)
		require.Equal(t, []string{bg.ID}, g.Owners)

		// Images: recorded in draft, carried in the content at a new version;
		// an edit of the content cannot drop them.
		img := workflow.PracticeImage{PracticeID: id, ContentType: "image/png", Size: 10, SHA256: sha("a"),
			Caption: "Работилница", BlobKey: "practices/" + id + "/one", CreatedBy: "u"}
		require.NoError(t, s.AddPracticeImage(ctx, &img))
		got, err := s.Deliverable(ctx, workflow.KindGoodPractice, id)
		require.NoError(t, err)
		require.Equal(t, 2, got.Practice.Version)
		require.Len(t, got.Practice.Images, 1)
		require.Equal(t, "Работилница", got.Practice.Images[0].Caption)
		got, err = s.UpdateDeliverable(ctx, workflow.KindGoodPractice, id, 2, func(x *workflow.Deliverable) error {
			x.Practice.Images = nil
			x.Practice.Timescale = "2012–2020"
			return nil
		})
		require.NoError(t, err)
		require.Len(t, got.Practice.Images, 1, "images change through their own methods only")
		require.Equal(t, "2012–2020", got.Practice.Timescale)
		back, err := s.PracticeImage(ctx, id, img.ID)
		require.NoError(t, err)
		require.Equal(t, img.BlobKey, back.BlobKey)
		_, err = s.PracticeImage(ctx, workflow.NewID(), img.ID)
		require.Equal(t, workflow.CodeNotFound, code(t, err), "an image is found only under its practice")
		bad := workflow.PracticeImage{PracticeID: id, ContentType: "image/svg+xml", Size: 10, SHA256: sha("b"), BlobKey: "k2", CreatedBy: "u"}
		require.Equal(t, workflow.CodeInvalid, code(t, s.AddPracticeImage(ctx, &bad)), "the table takes only raster images")

		// A draft takes no interest; a submitted practice is the project's to see.
		ti := workflow.TransferInterest{PracticeID: id, GroupID: d.group.ID, Note: "Érdekel", CreatedBy: "u"}
		require.Equal(t, workflow.CodeConflict, code(t, s.AddTransferInterest(ctx, &ti)))
		_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindGoodPractice, ID: id, Version: 3,
			Trigger: workflow.TriggerSubmit, Principal: owner})
		require.NoError(t, err)
		rev, err := s.Revision(ctx, workflow.KindGoodPractice, id, 1)
		require.NoError(t, err)
		require.Contains(t, string(rev.Snapshot), `"nuts2":"BG32"`)
		require.Contains(t, string(rev.Snapshot), `"Работилница"`, "the frozen revision carries its images")
		secs, err := workflow.Sections(rev.Snapshot)
		require.NoError(t, err)
		require.True(t, workflow.HasSection(secs, "potential_for_learning"))

		list, _, err := s.ListDeliverables(ctx, workflow.KindGoodPractice, pid, workflow.Scope{PartnerID: d.partner.ID}, workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Len(t, list, 1, "another partner sees the submitted practice")
		list, _, err = s.ListDeliverables(ctx, workflow.KindGoodPractice, pid, workflow.Scope{InstrumentID: d.instrument.ID}, workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Len(t, list, 1, "so does a stakeholder group")
		_, err = s.DeletePracticeImage(ctx, id, img.ID)
		require.Equal(t, workflow.CodeConflict, code(t, err), "images are frozen with the revision")

		// Interest from another region: once per group.
		require.NoError(t, s.AddTransferInterest(ctx, &ti))
		again := workflow.TransferInterest{PracticeID: id, GroupID: d.group.ID, CreatedBy: "u"}
		require.Equal(t, workflow.CodeConflict, code(t, s.AddTransferInterest(ctx, &again)))
		stranger := workflow.TransferInterest{PracticeID: id, GroupID: workflow.NewID(), CreatedBy: "u"}
		require.Equal(t, []string{"group_id"}, fieldsOf(t, s.AddTransferInterest(ctx, &stranger)))

		// The group's own region: by partner, or by NUTS2.
		mine := practiceFor(d.partner.ID, pid, "BG", "BG32")
		require.NoError(t, s.CreateDeliverable(ctx, &mine))
		local := practiceFor(bg.ID, pid, "HU", "HU11")
		require.NoError(t, s.CreateDeliverable(ctx, &local))
		for _, x := range []workflow.Deliverable{mine, local} {
			_, _, err = s.FireTransition(ctx, workflow.TransitionRequest{Kind: workflow.KindGoodPractice, ID: x.Practice.ID, Version: 1,
				Trigger: workflow.TriggerSubmit, Principal: coord})
			require.NoError(t, err)
			own := workflow.TransferInterest{PracticeID: x.Practice.ID, GroupID: d.group.ID, CreatedBy: "u"}
			require.Equal(t, []string{"group_id"}, fieldsOf(t, s.AddTransferInterest(ctx, &own)))
		}

		// The trace: interests, and what the registered hooks add.
		tr, err := s.PracticeTrace(ctx, id)
		require.NoError(t, err)
		require.Len(t, tr.Interests, 1)
		require.Equal(t, "Érdekel", tr.Interests[0].Note)
		require.Equal(t, d.group.ID, tr.Interests[0].GroupID)
		require.Empty(t, tr.CitedBy)
		require.NotNil(t, tr.PresentedAt)
	}

	suite["GoodPracticeImageDelete"] = func(t *testing.T, s *sqlstore.Store) {
		d := seed(t, s, "GPD")
		g := practiceFor(d.partner.ID, d.project.ID, "HU", "HU11")
		require.NoError(t, s.CreateDeliverable(ctx, &g))
		id := g.Practice.ID
		img := workflow.PracticeImage{PracticeID: id, ContentType: "image/gif", Size: 3, SHA256: sha("c"), BlobKey: "practices/" + id + "/x", CreatedBy: "u"}
		require.NoError(t, s.AddPracticeImage(ctx, &img))
		gone, err := s.DeletePracticeImage(ctx, id, img.ID)
		require.NoError(t, err)
		require.Equal(t, img.BlobKey, gone.BlobKey, "the caller learns which blob to remove")
		got, err := s.Deliverable(ctx, workflow.KindGoodPractice, id)
		require.NoError(t, err)
		require.Empty(t, got.Practice.Images)
		require.Equal(t, 3, got.Practice.Version)
		_, err = s.DeletePracticeImage(ctx, id, img.ID)
		require.Equal(t, workflow.CodeNotFound, code(t, err))
		// A draft with images but no history can still be deleted.
		require.NoError(t, s.AddPracticeImage(ctx, &workflow.PracticeImage{PracticeID: id, ContentType: "image/png", Size: 3,
			SHA256: sha("d"), BlobKey: "practices/" + id + "/y", CreatedBy: "u"}))
		require.NoError(t, s.DeleteDeliverable(ctx, workflow.KindGoodPractice, id, 4))
		_, err = s.Deliverable(ctx, workflow.KindGoodPractice, id)
		require.Equal(t, workflow.CodeNotFound, code(t, err))
	}
}

// TestTraceHook: a registered hook fills its part of the trace, and its
// error fails the read.
func TestTraceHook(t *testing.T) {
	sqlstore.RegisterTraceHook(func(_ *gorm.DB, practiceID string, tr *workflow.PracticeTrace) error {
		if practiceID == "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d99" {
			tr.CitedBy = append(tr.CitedBy, workflow.PracticeCitation{PlanID: practiceID, ActionNumber: 1})
		}
		return nil
	})
	s := sqlstoretest.New(t, sqlstore.SQLite)
	tr, err := s.PracticeTrace(ctx, "0190a6f2-6c1e-7a3b-9d4e-1f2a3b4c5d99")
	require.NoError(t, err)
	require.Len(t, tr.CitedBy, 1)
}
