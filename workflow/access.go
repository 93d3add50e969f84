package workflow

// Role is what a user may do within one project.
type Role string

const (
	RoleCoordinator Role = "coordinator" // lead partner staff: manages the consortium
	RolePartner     Role = "partner"     // a partner's staff, scoped to that partner
	RoleStakeholder Role = "stakeholder" // a stakeholder group member, scoped to the group
	RoleSecretariat Role = "secretariat" // the programme's officer: reads all, validates plans
	RoleObserver    Role = "observer"    // auditors and guests: read only
)

// Action is something a caller may be allowed to do.
type Action string

const (
	// Global actions, outside any project: admin only.
	ActionUserCreate     Action = "user.create"
	ActionUserList       Action = "user.list"
	ActionUserErase      Action = "user.erase"
	ActionProjectCreate  Action = "project.create"
	ActionTemplateCreate Action = "template.create"

	// Project actions.
	ActionProjectRead      Action = "project.read"
	ActionConsortiumManage Action = "consortium.manage" // partners, members, instruments, groups
	ActionMemberList       Action = "member.list"
	ActionWebhookManage    Action = "webhook.manage" // subscribe, list, remove, read deliveries
)

// projectPolicy is the one table of who may do what inside a project.
// Admins may do everything and are not listed. A caller without a
// membership in the project gets not_found, whatever the action.
var projectPolicy = map[Action][]Role{
	ActionProjectRead:      {RoleCoordinator, RolePartner, RoleStakeholder, RoleSecretariat, RoleObserver},
	ActionConsortiumManage: {RoleCoordinator},
	ActionMemberList:       {RoleCoordinator, RolePartner, RoleSecretariat, RoleObserver},
	ActionWebhookManage:    {RoleCoordinator},
	ActionDashboard:        {RoleCoordinator, RolePartner, RoleSecretariat, RoleObserver},
}

// Principal is an authenticated caller with the memberships that scope it.
type Principal struct {
	User        User
	Memberships []Membership
	// GroupInstruments maps the caller's stakeholder groups to their
	// policy instruments, which scope what a stakeholder sees.
	GroupInstruments map[string]string
	// Projects are the default language and time zone of each of the
	// caller's projects, for a page or mail when the caller chose none.
	Projects map[string]ProjectLocale
}

// Membership returns the caller's membership in a project.
func (p Principal) Membership(projectID string) (Membership, bool) {
	for _, m := range p.Memberships {
		if m.ProjectID == projectID {
			return m, true
		}
	}
	return Membership{}, false
}

// Authorize decides a global action (projectID empty) or an action inside a
// project. It answers not_found for projects the caller is not in, so that
// existence is not revealed, and forbidden for a role that lacks the right.
func (p Principal) Authorize(projectID string, a Action) error {
	if p.User.Admin {
		return nil
	}
	if projectID == "" {
		return Errorf(CodeForbidden, "only an administrator may do this")
	}
	m, ok := p.Membership(projectID)
	if !ok {
		return Errorf(CodeNotFound, "project not found")
	}
	for _, r := range projectPolicy[a] {
		if r == m.Role {
			return nil
		}
	}
	return Errorf(CodeForbidden, "role %s may not do this", m.Role)
}
