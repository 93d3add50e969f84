package sqlstore

import (
	"context"
	"errors"
	"slices"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

type practiceImageRow struct {
	ID          string
	PracticeID  string
	ProjectID   string
	ContentType string
	Size        int64
	SHA256      string `gorm:"column:sha256"`
	Caption     string
	BlobKey     string
	CreatedBy   string
	CreatedAt   time.Time
}

func (practiceImageRow) TableName() string { return "good_practice_images" }

func (r practiceImageRow) domain() workflow.PracticeImage {
	return workflow.PracticeImage{ID: r.ID, PracticeID: r.PracticeID, ContentType: r.ContentType, Size: r.Size,
		SHA256: r.SHA256, Caption: r.Caption, BlobKey: r.BlobKey, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

type interestRow struct {
	ID         string
	ProjectID  string
	PracticeID string
	GroupID    string
	Note       string
	CreatedBy  string
	CreatedAt  time.Time
}

func (interestRow) TableName() string { return "transfer_interests" }

func (r interestRow) domain() workflow.TransferInterest {
	return workflow.TransferInterest{ID: r.ID, ProjectID: r.ProjectID, PracticeID: r.PracticeID, GroupID: r.GroupID,
		Note: r.Note, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC()}
}

// TraceHook adds to a good practice's trace what another part of the
// store knows: the learning events add where it was presented, the action
// plans the actions that cite it. Register one from an init function.
type TraceHook func(tx *gorm.DB, practiceID string, t *workflow.PracticeTrace) error

var traceHooks []TraceHook

// RegisterTraceHook adds h to the hooks PracticeTrace runs.
func RegisterTraceHook(h TraceHook) { traceHooks = append(traceHooks, h) }

// rewriteImages stores the image list in the practice's content, at a new
// version, so that a frozen revision carries its images.
func rewriteImages(tx *gorm.DB, practiceID string, change func([]workflow.PracticeImage) []workflow.PracticeImage) error {
	d, row, err := loadDeliverable(tx, workflow.KindGoodPractice, practiceID)
	if err != nil {
		return err
	}
	if row.State != string(workflow.StateDraft) {
		return workflow.Errorf(workflow.CodeConflict, "images can change only in draft; the good practice is %s", workflow.State(row.State))
	}
	g := d.Practice
	g.Images = change(g.Images)
	g.Version, g.UpdatedAt = row.Version+1, now()
	nr, err := toRow(d)
	if err != nil {
		return err
	}
	nr.Parties = row.Parties
	return casUpdate(tx, nr, row.Version)
}

func (s *Store) AddPracticeImage(ctx context.Context, img *workflow.PracticeImage) error {
	switch img.ContentType {
	case "image/png", "image/jpeg", "image/gif", "image/webp":
	default: // the caller sniffs; this guards the table's rule with a clear answer
		return invalidRef(workflow.Problem("content_type", "is not PNG, JPEG, GIF or WebP"))
	}
	if img.ID == "" {
		img.ID = workflow.NewID()
	}
	img.CreatedAt = now()
	return s.tx(ctx, func(tx *gorm.DB) error {
		var projectID string
		if err := tx.Model(&deliverableRow{}).Where("id = ? AND kind = ?", img.PracticeID, string(workflow.KindGoodPractice)).
			Pluck("project_id", &projectID).Error; err != nil {
			return err
		}
		if projectID == "" {
			return workflow.Errorf(workflow.CodeNotFound, "good practice not found")
		}
		row := practiceImageRow{ID: img.ID, PracticeID: img.PracticeID, ProjectID: projectID, ContentType: img.ContentType,
			Size: img.Size, SHA256: img.SHA256, Caption: img.Caption, BlobKey: img.BlobKey, CreatedBy: img.CreatedBy, CreatedAt: img.CreatedAt}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return rewriteImages(tx, img.PracticeID, func(is []workflow.PracticeImage) []workflow.PracticeImage { return append(is, *img) })
	})
}

func (s *Store) PracticeImage(ctx context.Context, practiceID, imageID string) (workflow.PracticeImage, error) {
	var row practiceImageRow
	err := s.db.WithContext(ctx).Where("id = ? AND practice_id = ?", imageID, practiceID).Take(&row).Error
	if err != nil {
		return workflow.PracticeImage{}, translate(notFound(err, "image"))
	}
	return row.domain(), nil
}

func (s *Store) DeletePracticeImage(ctx context.Context, practiceID, imageID string) (workflow.PracticeImage, error) {
	var row practiceImageRow
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("id = ? AND practice_id = ?", imageID, practiceID).Take(&row).Error; err != nil {
			return notFound(err, "image")
		}
		if err := rewriteImages(tx, practiceID, func(is []workflow.PracticeImage) []workflow.PracticeImage {
			return slices.DeleteFunc(is, func(i workflow.PracticeImage) bool { return i.ID == imageID })
		}); err != nil {
			return err
		}
		return tx.Where("id = ?", imageID).Delete(&practiceImageRow{}).Error
	})
	return row.domain(), err
}

// AddTransferInterest records a group's interest in a submitted practice
// of its project from another region: see workflow.OwnRegion.
func (s *Store) AddTransferInterest(ctx context.Context, ti *workflow.TransferInterest) error {
	if err := ti.Validate(); err != nil {
		return err
	}
	ti.ID, ti.CreatedAt = workflow.NewID(), now()
	err := s.tx(ctx, func(tx *gorm.DB) error {
		d, row, err := loadDeliverable(tx, workflow.KindGoodPractice, ti.PracticeID)
		if err != nil {
			return err
		}
		if row.State == string(workflow.StateDraft) {
			return workflow.Errorf(workflow.CodeConflict, "a good practice in draft takes no transfer interest")
		}
		var g groupRow
		if err := tx.Where("id = ? AND project_id = ?", ti.GroupID, row.ProjectID).Take(&g).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return invalidRef(workflow.Problem("group_id", "does not name a stakeholder group of this project"))
			}
			return err
		}
		var partners []partnerRow
		if err := tx.Where("id IN (?)", tx.Model(&instrumentPartnerRow{}).Select("partner_id").
			Where("policy_instrument_id = ?", g.PolicyInstrumentID)).Find(&partners).Error; err != nil {
			return err
		}
		ps := make([]workflow.Partner, len(partners))
		for i, p := range partners {
			ps[i] = p.domain()
		}
		if workflow.OwnRegion(*d.Practice, ps) {
			return invalidRef(workflow.Problem("group_id", "is in the good practice's own region: interest is for practices from other regions"))
		}
		ti.ProjectID = row.ProjectID
		return tx.Create(&interestRow{ID: ti.ID, ProjectID: ti.ProjectID, PracticeID: ti.PracticeID, GroupID: ti.GroupID,
			Note: ti.Note, CreatedBy: ti.CreatedBy, CreatedAt: ti.CreatedAt}).Error
	})
	if workflow.ErrorCode(err) == workflow.CodeConflict && errors.Is(err, gorm.ErrDuplicatedKey) {
		return workflow.Errorf(workflow.CodeConflict, "this group has already shown interest in this good practice")
	}
	return err
}

// PracticeTrace gathers the transfer interests, then whatever the
// registered hooks add.
func (s *Store) PracticeTrace(ctx context.Context, practiceID string) (workflow.PracticeTrace, error) {
	t := workflow.PracticeTrace{PresentedAt: []workflow.PracticePresentation{}, Interests: []workflow.TransferInterest{},
		CitedBy: []workflow.PracticeCitation{}}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		var rows []interestRow
		if err := tx.Where("practice_id = ?", practiceID).Order("created_at, id").Find(&rows).Error; err != nil {
			return err
		}
		for _, r := range rows {
			t.Interests = append(t.Interests, r.domain())
		}
		for _, h := range traceHooks {
			if err := h(tx, practiceID, &t); err != nil {
				return err
			}
		}
		return nil
	})
	return t, err
}
