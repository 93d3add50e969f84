package workflow

import (
	"context"
	"strings"
	"time"
)

// KindGoodPractice is a good practice, following the programme's form. It
// goes through the same lifecycle as the other deliverables; "approved"
// means validated by the coordinator, "monitored" that its transfer is
// being followed.
const KindGoodPractice Kind = "good_practice"

// MaxPracticeTitle is the programme form's limit on a good practice title,
// in characters.
const MaxPracticeTitle = 100

// GoodPractice is one good practice as the programme form asks for it. The
// partner that identified it owns it. A good practice addresses no policy
// instrument: it is shared with the whole project.
type GoodPractice struct {
	ID        string `json:"id"`
	ProjectID string `json:"project_id"`
	PartnerID string `json:"partner_id"`
	Title     string `json:"title"`
	// Language is the sheet's language, ISO 639-1; empty means English,
	// which the programme asks for.
	Language string `json:"language"`

	Location Location `json:"location"`

	Summary              string `json:"summary"`
	Description          string `json:"description"` // detailed description
	ResourcesNeeded      string `json:"resources_needed"`
	Timescale            string `json:"timescale"`
	EvidenceOfSuccess    string `json:"evidence_of_success"`
	PotentialForLearning string `json:"potential_for_learning"` // potential for learning or transfer
	MainInstitution      string `json:"main_institution"`

	// Images are kept in the blob store; the store fills this list from its
	// own table, so edits of the content cannot change it.
	Images []PracticeImage `json:"images"`

	State     State     `json:"state"`
	Version   int       `json:"version"`
	Revision  int       `json:"revision"` // the latest frozen revision, 0 if none
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Location is where a good practice takes place.
type Location struct {
	Country string `json:"country"` // ISO 3166-1 alpha-2, upper case
	NUTS2   string `json:"nuts2"`   // NUTS level-2 code of the country
	City    string `json:"city"`
}

// PracticeImage is one image of a good practice. The bytes live in the blob
// store under BlobKey.
type PracticeImage struct {
	ID          string    `json:"id"`
	PracticeID  string    `json:"practice_id"`
	ContentType string    `json:"content_type"` // image/png, image/jpeg, image/gif or image/webp
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Caption     string    `json:"caption"`
	BlobKey     string    `json:"-"`
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
}

// TransferInterest is a stakeholder group's interest in a good practice
// from another region.
type TransferInterest struct {
	ID         string    `json:"id"`
	ProjectID  string    `json:"project_id"`
	PracticeID string    `json:"practice_id"`
	GroupID    string    `json:"group_id"`
	Note       string    `json:"note"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// PracticePresentation is one learning event where a good practice was
// presented. The learning events work fills it.
type PracticePresentation struct {
	EventID string `json:"event_id"`
	Type    string `json:"type"`
	Title   string `json:"title"`
	Start   *Date  `json:"start,omitempty"`
	End     *Date  `json:"end,omitempty"`
}

// PracticeCitation is one action of an action plan that cites a good
// practice as its background. The citations work fills it.
type PracticeCitation struct {
	PlanID       string `json:"plan_id"`
	PlanTitle    string `json:"plan_title"`
	ActionNumber int    `json:"action_number"`
	ActionTitle  string `json:"action_title"`
}

// PracticeTrace is what a good practice led to: where it was presented,
// which groups showed interest and which actions cite it.
type PracticeTrace struct {
	PresentedAt []PracticePresentation `json:"presented_at"`
	Interests   []TransferInterest     `json:"transfer_interests"`
	CitedBy     []PracticeCitation     `json:"cited_by"`
}

// PracticeStore is what good practices need from the store beyond the
// deliverable methods.
type PracticeStore interface {
	// AddPracticeImage records an image whose bytes are already in the blob
	// store; only while the practice is in draft (else conflict).
	AddPracticeImage(ctx context.Context, img *PracticeImage) error
	PracticeImage(ctx context.Context, practiceID, imageID string) (PracticeImage, error)
	// DeletePracticeImage removes the record and returns it, so that the
	// caller can remove the blob; only in draft.
	DeletePracticeImage(ctx context.Context, practiceID, imageID string) (PracticeImage, error)
	// AddTransferInterest records a group's interest; invalid when the
	// group is in the practice's own region (see OwnRegion), conflict when
	// the group already showed interest.
	AddTransferInterest(ctx context.Context, ti *TransferInterest) error
	// PracticeTrace gathers the traceability of a good practice.
	PracticeTrace(ctx context.Context, practiceID string) (PracticeTrace, error)
}

// Limits of good practice text, in characters.
const (
	maxCity         = 200
	maxImageCaption = 500
	maxInterestNote = maxLongText
)

// Normalize trims the text fields and upper-cases the location codes.
func (x *GoodPractice) Normalize() {
	for _, s := range []*string{&x.Title, &x.Summary, &x.Description, &x.ResourcesNeeded, &x.Timescale,
		&x.EvidenceOfSuccess, &x.PotentialForLearning, &x.MainInstitution, &x.Location.City} {
		*s = strings.TrimSpace(*s)
	}
	x.Language = strings.ToLower(strings.TrimSpace(x.Language))
	x.Location.Country = strings.ToUpper(strings.TrimSpace(x.Location.Country))
	x.Location.NUTS2 = strings.ToUpper(strings.TrimSpace(x.Location.NUTS2))
}

// Validate reports every rule that the content breaks; what a submit needs
// on top is Incomplete's job.
func (x *GoodPractice) Validate() error {
	var p Problems
	checkOptionalID(&p, "id", x.ID)
	checkID(&p, "project_id", x.ProjectID)
	checkID(&p, "partner_id", x.PartnerID)
	checkText(&p, "title", x.Title, true, MaxPracticeTitle)
	if x.Language != "" && !validLanguage(x.Language) {
		p.Add("language", "must be an ISO 639-1 code of two lower-case letters")
	}
	if c := x.Location.Country; c != "" && !ValidCountry(c) {
		p.Add("location.country", "is not an ISO 3166-1 alpha-2 country code")
	}
	if r := x.Location.NUTS2; r != "" {
		switch {
		case x.Location.Country == "":
			p.Add("location.nuts2", "needs location.country")
		case !ValidNUTS2(r, x.Location.Country):
			p.Add("location.nuts2", "is not a NUTS2 code of %s (its country prefix and two letters or digits)", x.Location.Country)
		}
	}
	checkText(&p, "location.city", x.Location.City, false, maxCity)
	checkText(&p, "summary", x.Summary, false, maxLongText)
	checkText(&p, "description", x.Description, false, maxLongText)
	checkText(&p, "resources_needed", x.ResourcesNeeded, false, maxLongText)
	checkText(&p, "timescale", x.Timescale, false, maxShortText)
	checkText(&p, "evidence_of_success", x.EvidenceOfSuccess, false, maxLongText)
	checkText(&p, "potential_for_learning", x.PotentialForLearning, false, maxLongText)
	checkText(&p, "main_institution", x.MainInstitution, false, maxName)
	return p.Err("invalid good practice")
}

// Incomplete lists what a submit needs: the location's country and
// region, the summary, the detailed description, the evidence of success
// and the potential for learning or transfer.
func (x *GoodPractice) Incomplete() []FieldError {
	var p Problems
	for _, f := range []struct{ name, v string }{
		{"location.country", x.Location.Country}, {"location.nuts2", x.Location.NUTS2},
		{"summary", x.Summary}, {"description", x.Description},
		{"evidence_of_success", x.EvidenceOfSuccess}, {"potential_for_learning", x.PotentialForLearning},
	} {
		if strings.TrimSpace(f.v) == "" {
			p.Add(f.name, "is required")
		}
	}
	return p
}

// Validate checks a transfer interest's own fields.
func (t *TransferInterest) Validate() error {
	var p Problems
	t.Note = strings.TrimSpace(t.Note)
	checkID(&p, "group_id", t.GroupID)
	checkText(&p, "note", t.Note, false, maxInterestNote)
	return p.Err("invalid transfer interest")
}

// CheckCaption checks an image caption.
func CheckCaption(caption string) error {
	var p Problems
	checkText(&p, "caption", caption, false, maxImageCaption)
	return p.Err("invalid image")
}

// OwnRegion reports whether a good practice belongs to a stakeholder
// group's own region: its partner is one of the partners of the group's
// policy instrument, or its NUTS2 region is the region of one of them.
// A group's interest only counts for practices from other regions.
func OwnRegion(practice GoodPractice, instrumentPartners []Partner) bool {
	for _, p := range instrumentPartners {
		if p.ID == practice.PartnerID {
			return true
		}
		if practice.Location.NUTS2 != "" && strings.EqualFold(p.Region, practice.Location.NUTS2) {
			return true
		}
	}
	return false
}
