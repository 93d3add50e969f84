package workflow

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Project is one Interreg cooperation project, such as CRAFTS CODE.
type Project struct {
	ID          string `json:"id"`
	Acronym     string `json:"acronym"`
	Title       string `json:"title"`
	Programme   string `json:"programme"`
	Phase1Start *Date  `json:"phase1_start"`
	Phase1End   *Date  `json:"phase1_end"`
	Phase2End   *Date  `json:"phase2_end"`
	// ConsultationDays is the default consultation window of a submit
	// that names no deadline (0 when created: DefaultConsultationDays).
	ConsultationDays int `json:"consultation_days"`
	// MatrixNames is what the comment-response matrix prints for a
	// stakeholder: MatrixOrganisations (the default) or MatrixPersonNames.
	MatrixNames string `json:"matrix_names"`
	// Language and TimeZone are the project's defaults for people who
	// chose none ("en" and "UTC" when created without them).
	Language  string    `json:"language"`
	TimeZone  string    `json:"time_zone"`
	CreatedAt time.Time `json:"created_at"`
	// Version is bumped by every change (If-Match).
	Version int `json:"version"`
}

// The values of Project.MatrixNames.
const (
	MatrixOrganisations = "organisations"
	MatrixPersonNames   = "names"
)

// PartnerRole is a partner's place in the consortium.
type PartnerRole string

const (
	PartnerLead     PartnerRole = "lead"
	PartnerPartner  PartnerRole = "partner"
	PartnerAdvisory PartnerRole = "advisory" // analyses only; owns no action plan
)

// Partner is a member organisation of a project.
type Partner struct {
	ID        string      `json:"id"`
	ProjectID string      `json:"project_id"`
	Name      string      `json:"name"`
	ShortName string      `json:"short_name"`
	Country   string      `json:"country"` // ISO 3166-1 alpha-2
	Region    string      `json:"region"`  // NUTS2 code, may be empty
	Role      PartnerRole `json:"role"`
	CreatedAt time.Time   `json:"created_at"`
	Version   int         `json:"version"`
}

// InstrumentType is the programme's classification of a policy instrument.
type InstrumentType string

const (
	InstrumentGrowthAndJobs InstrumentType = "growth_and_jobs" // Investment for Growth and Jobs
	InstrumentETC           InstrumentType = "etc"             // European Territorial Cooperation
	InstrumentOther         InstrumentType = "other"           // another regional policy instrument
)

// PolicyInstrument is a regional programme or strategy that partners try
// to improve. Two partners that address one instrument write a joint plan.
type PolicyInstrument struct {
	ID         string         `json:"id"`
	ProjectID  string         `json:"project_id"`
	Name       string         `json:"name"`
	Type       InstrumentType `json:"type"`
	PartnerIDs []string       `json:"partner_ids"`
	CreatedAt  time.Time      `json:"created_at"`
	Version    int            `json:"version"`
}

// StakeholderGroup gathers the regional stakeholders of one instrument.
type StakeholderGroup struct {
	ID                 string    `json:"id"`
	ProjectID          string    `json:"project_id"`
	Name               string    `json:"name"`
	PolicyInstrumentID string    `json:"policy_instrument_id"`
	CreatedAt          time.Time `json:"created_at"`
	Version            int       `json:"version"`
}

// User is a person who can sign in.
type User struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
	// Language and TimeZone are the person's settings; empty when not
	// chosen.
	Language  string    `json:"language"`
	TimeZone  string    `json:"time_zone"`
	CreatedAt time.Time `json:"created_at"`
	// DeactivatedAt is when an admin deactivated the account; nil while
	// it is active.
	DeactivatedAt *time.Time `json:"deactivated_at,omitempty"`
}

// Membership gives a user a role in a project, scoped to a partner (role
// partner) or a stakeholder group (role stakeholder).
type Membership struct {
	ID                 string    `json:"id"`
	ProjectID          string    `json:"project_id"`
	UserID             string    `json:"user_id"`
	Role               Role      `json:"role"`
	PartnerID          string    `json:"partner_id,omitempty"`
	StakeholderGroupID string    `json:"stakeholder_group_id,omitempty"`
	CreatedAt          time.Time `json:"created_at"`
	Version            int       `json:"version"`
}

// Text limits, in characters.
const (
	maxName  = 200
	maxTitle = 500
)

// checkText is the one check of every free text a person writes: valid
// UTF-8, no NUL and no other control character except tab and newline,
// at most max characters, and present when required.
func checkText(p *Problems, field, v string, required bool, max int) {
	switch {
	case required && strings.TrimSpace(v) == "":
		p.Add(field, "is required")
	case !utf8.ValidString(v):
		p.Add(field, "is not valid UTF-8")
	case utf8.RuneCountInString(v) > max:
		p.Add(field, "is longer than %d characters", max)
	case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		p.Add(field, "contains control characters")
	}
}

// CheckText applies the text rules (valid UTF-8, no control characters but
// tab and newline, at most max characters) to a field that is not part of
// a domain type's Validate, such as a template's source.
func CheckText(p *Problems, field, v string, required bool, max int) {
	checkText(p, field, v, required, max)
}

func checkID(p *Problems, field, v string) {
	if v == "" {
		p.Add(field, "is required")
	} else if !ValidID(v) {
		p.Add(field, "is not a valid id")
	}
}

// Normalize trims the text fields.
func (x *Project) Normalize() {
	x.Acronym = strings.TrimSpace(x.Acronym)
	x.Title = strings.TrimSpace(x.Title)
	x.Programme = strings.TrimSpace(x.Programme)
	if x.MatrixNames == "" {
		x.MatrixNames = MatrixOrganisations
	}
	if x.Language == "" {
		x.Language = Languages[0]
	}
	if x.TimeZone == "" {
		x.TimeZone = DefaultTimeZone
	}
}

// Validate reports every broken rule.
func (x *Project) Validate() error {
	var p Problems
	checkText(&p, "acronym", x.Acronym, true, 40)
	checkText(&p, "title", x.Title, true, maxTitle)
	checkText(&p, "programme", x.Programme, false, maxName)
	if x.Phase1Start != nil && x.Phase1End != nil && x.Phase1End.Before(*x.Phase1Start) {
		p.Add("phase1_end", "is before phase1_start")
	}
	if x.Phase1End != nil && x.Phase2End != nil && x.Phase2End.Before(*x.Phase1End) {
		p.Add("phase2_end", "is before phase1_end")
	}
	if x.ConsultationDays < 0 || x.ConsultationDays > 365 {
		p.Add("consultation_days", "must be between 1 and 365")
	}
	// Empty is the default, organisations (Normalize and the store set it).
	if x.MatrixNames != "" && x.MatrixNames != MatrixOrganisations && x.MatrixNames != MatrixPersonNames {
		p.Add("matrix_names", "must be organisations or names")
	}
	checkLanguage(&p, "language", x.Language, false)
	checkTimeZone(&p, "time_zone", x.TimeZone, false)
	return p.Err("invalid project")
}

// Normalize trims text and upper-cases codes.
func (x *Partner) Normalize() {
	x.Name = strings.TrimSpace(x.Name)
	x.ShortName = strings.TrimSpace(x.ShortName)
	x.Country = strings.ToUpper(strings.TrimSpace(x.Country))
	x.Region = strings.ToUpper(strings.TrimSpace(x.Region))
}

// Validate reports every broken rule.
func (x *Partner) Validate() error {
	var p Problems
	checkText(&p, "name", x.Name, true, maxName)
	checkText(&p, "short_name", x.ShortName, false, 60)
	if !ValidCountry(x.Country) {
		p.Add("country", "is not an ISO 3166-1 alpha-2 country code")
	} else if x.Region != "" && !ValidNUTS2(x.Region, x.Country) {
		p.Add("region", "is not a NUTS2 code of country %s", x.Country)
	}
	switch x.Role {
	case PartnerLead, PartnerPartner, PartnerAdvisory:
	default:
		p.Add("role", "must be lead, partner or advisory")
	}
	return p.Err("invalid partner")
}

// Normalize trims text and sorts out duplicate partner ids.
func (x *PolicyInstrument) Normalize() {
	x.Name = strings.TrimSpace(x.Name)
	seen := map[string]bool{}
	ids := x.PartnerIDs[:0:0]
	for _, id := range x.PartnerIDs {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	x.PartnerIDs = ids
}

// Validate reports every broken rule. That the partners belong to the
// project is checked by the store.
func (x *PolicyInstrument) Validate() error {
	var p Problems
	checkText(&p, "name", x.Name, true, maxTitle)
	switch x.Type {
	case InstrumentGrowthAndJobs, InstrumentETC, InstrumentOther:
	default:
		p.Add("type", "must be growth_and_jobs, etc or other")
	}
	if len(x.PartnerIDs) == 0 {
		p.Add("partner_ids", "must name at least one partner")
	}
	for _, id := range x.PartnerIDs {
		if !ValidID(id) {
			p.Add("partner_ids", "%q is not a valid id", id)
		}
	}
	return p.Err("invalid policy instrument")
}

// Normalize trims text.
func (x *StakeholderGroup) Normalize() { x.Name = strings.TrimSpace(x.Name) }

// Validate reports every broken rule.
func (x *StakeholderGroup) Validate() error {
	var p Problems
	checkText(&p, "name", x.Name, true, maxName)
	checkID(&p, "policy_instrument_id", x.PolicyInstrumentID)
	return p.Err("invalid stakeholder group")
}

// Normalize trims text and lower-cases the e-mail address.
func (x *User) Normalize() {
	x.Email = strings.ToLower(strings.TrimSpace(x.Email))
	x.Name = strings.TrimSpace(x.Name)
}

// Validate reports every broken rule.
func (x *User) Validate() error {
	var p Problems
	if a, err := mail.ParseAddress(x.Email); err != nil || a.Address != x.Email || a.Name != "" {
		p.Add("email", "is not a plain e-mail address")
	}
	checkText(&p, "name", x.Name, true, maxName)
	checkLanguage(&p, "language", x.Language, false)
	checkTimeZone(&p, "time_zone", x.TimeZone, false)
	return p.Err("invalid user")
}

// Validate checks the role and that its scope fits it: a partner member
// names a partner, a stakeholder a stakeholder group, and no other role
// has a scope.
func (x *Membership) Validate() error {
	var p Problems
	checkID(&p, "user_id", x.UserID)
	switch x.Role {
	case RolePartner:
		checkID(&p, "partner_id", x.PartnerID)
		if x.StakeholderGroupID != "" {
			p.Add("stakeholder_group_id", "is only for role stakeholder")
		}
	case RoleStakeholder:
		checkID(&p, "stakeholder_group_id", x.StakeholderGroupID)
		if x.PartnerID != "" {
			p.Add("partner_id", "is only for role partner")
		}
	case RoleCoordinator, RoleSecretariat, RoleObserver:
		if x.PartnerID != "" {
			p.Add("partner_id", "is only for role partner")
		}
		if x.StakeholderGroupID != "" {
			p.Add("stakeholder_group_id", "is only for role stakeholder")
		}
	default:
		p.Add("role", "must be coordinator, partner, stakeholder, secretariat or observer")
	}
	return p.Err("invalid membership")
}
