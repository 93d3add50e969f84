package workflow

import "time"

// PersonalData is everything the service keeps about one person, as they
// may take it away (GET /api/v1/me/export): the profile, the memberships,
// the comments they wrote with each one's history and the formal response
// to it.
type PersonalData struct {
	ExportedAt  time.Time          `json:"exported_at"`
	Profile     User               `json:"profile"`
	Memberships []MembershipDetail `json:"memberships"`
	Comments    []PersonalComment  `json:"comments"`
	// MailSettings are their choices of mail, one per kind.
	MailSettings MailSettings `json:"mail_settings"`
}

// MembershipDetail is a membership with the names it points at.
type MembershipDetail struct {
	Membership
	ProjectAcronym       string `json:"project_acronym"`
	ProjectTitle         string `json:"project_title"`
	PartnerName          string `json:"partner_name,omitempty"`
	StakeholderGroupName string `json:"stakeholder_group_name,omitempty"`
}

// PersonalComment is one comment a person wrote (hidden and deleted ones
// too), its response and its whole history, oldest first.
type PersonalComment struct {
	Comment Comment        `json:"comment"`
	History []CommentEvent `json:"history"`
}
