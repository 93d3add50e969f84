package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

// Editing the consortium: the project's settings, partners, policy
// instruments, stakeholder groups and members, each under If-Match with
// the version last read (as the deliverables), for admins and the
// project's coordinator; and invitations by e-mail. A change to a member
// clears this process's cache of callers at once; other processes see it
// within principalTTL.

func (s *Server) consortiumEditRoutes(v1 *echo.Group) {
	v1.PATCH("/partners/:id", s.patchPartner)
	v1.DELETE("/partners/:id", s.deletePartner)
	v1.PATCH("/policy-instruments/:id", s.patchPolicyInstrument)
	v1.DELETE("/policy-instruments/:id", s.deletePolicyInstrument)
	v1.PATCH("/stakeholder-groups/:id", s.patchStakeholderGroup)
	v1.DELETE("/stakeholder-groups/:id", s.deleteStakeholderGroup)
	v1.PATCH("/members/:id", s.patchMember)
	v1.DELETE("/members/:id", s.deleteMember)
	v1.POST("/projects/:pid/invitations", s.invite)
}

// optDate is a date field that may be sent as null to clear it: set tells
// whether the field was sent at all.
type optDate struct {
	set bool
	v   *workflow.Date
}

func (o *optDate) UnmarshalJSON(b []byte) error {
	o.set = true
	if string(b) == "null" {
		o.v = nil
		return nil
	}
	var d workflow.Date
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	o.v = &d
	return nil
}

type patchProjectRequest struct {
	Acronym          *string `json:"acronym"`
	Title            *string `json:"title"`
	Programme        *string `json:"programme"`
	Phase1Start      optDate `json:"phase1_start"`
	Phase1End        optDate `json:"phase1_end"`
	Phase2End        optDate `json:"phase2_end"`
	ConsultationDays *int    `json:"consultation_days"`
	MatrixNames      *string `json:"matrix_names"`
	Language         *string `json:"language"`
	TimeZone         *string `json:"time_zone"`
}

func (r patchProjectRequest) empty() bool {
	return r.Acronym == nil && r.Title == nil && r.Programme == nil && !r.Phase1Start.set && !r.Phase1End.set &&
		!r.Phase2End.set && r.ConsultationDays == nil && r.MatrixNames == nil && r.Language == nil && r.TimeZone == nil
}

func setIf[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// patchProject (admin, coordinator) changes a project's settings under
// If-Match: acronym, title, programme, phase dates (null clears one),
// consultation days, what the matrix prints for a stakeholder, and the
// default language and time zone. Fields left out keep their values; at
// least one is required.
func (s *Server) patchProject(c echo.Context) error {
	pid, err := s.authorizeProject(c, workflow.ActionConsortiumManage)
	if err != nil {
		return err
	}
	version, err := ifMatch(c, 0)
	if err != nil {
		if p, lerr := s.store.Project(c.Request().Context(), pid); lerr == nil {
			_, err = ifMatch(c, p.Version)
		}
		return err
	}
	var req patchProjectRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if req.empty() {
		return workflow.Problems{workflow.Problem("", "name at least one setting to change")}.Err("invalid project settings")
	}
	p, err := s.store.UpdateProject(c.Request().Context(), pid, version, func(p *workflow.Project) error {
		setIf(&p.Acronym, req.Acronym)
		setIf(&p.Title, req.Title)
		setIf(&p.Programme, req.Programme)
		if req.Phase1Start.set {
			p.Phase1Start = req.Phase1Start.v
		}
		if req.Phase1End.set {
			p.Phase1End = req.Phase1End.v
		}
		if req.Phase2End.set {
			p.Phase2End = req.Phase2End.v
		}
		setIf(&p.ConsultationDays, req.ConsultationDays)
		if req.ConsultationDays != nil && *req.ConsultationDays == 0 {
			var pr workflow.Problems
			pr.Add("consultation_days", "must be between 1 and 365")
			return pr.Err("invalid project")
		}
		setIf(&p.MatrixNames, req.MatrixNames)
		if req.MatrixNames != nil && *req.MatrixNames == "" {
			var pr workflow.Problems
			pr.Add("matrix_names", "must be organisations or names")
			return pr.Err("invalid project")
		}
		for _, f := range []struct {
			v     *string
			field string
		}{{req.Language, "language"}, {req.TimeZone, "time_zone"}} {
			if f.v != nil && *f.v == "" {
				var pr workflow.Problems
				pr.Add(f.field, "is required")
				return pr.Err("invalid project")
			}
		}
		setIf(&p.Language, req.Language)
		setIf(&p.TimeZone, req.TimeZone)
		return nil
	})
	if err != nil {
		return err
	}
	s.principals.clear() // members' cached principals carry the defaults
	c.Response().Header().Set("ETag", etag(p.Version))
	return c.JSON(http.StatusOK, p)
}

// managed loads a consortium record by the path's id and checks that the
// caller manages its project (not a member: not found; another role:
// forbidden), then reads If-Match.
func managed[T any](c echo.Context, load func(context.Context, string) (T, error), project func(T) string) (string, T, int, error) {
	var cur T
	id, err := pathID(c, "id")
	if err != nil {
		return "", cur, 0, err
	}
	if cur, err = load(c.Request().Context(), id); err != nil {
		return "", cur, 0, err
	}
	if err := principal(c).Authorize(project(cur), workflow.ActionConsortiumManage); err != nil {
		return "", cur, 0, err
	}
	version, err := ifMatch(c, versionOf(cur))
	return id, cur, version, err
}

func versioned(c echo.Context, version int, v any) error {
	c.Response().Header().Set("ETag", etag(version))
	return c.JSON(http.StatusOK, v)
}

type patchPartnerRequest struct {
	Name      *string               `json:"name"`
	ShortName *string               `json:"short_name"`
	Country   *string               `json:"country"`
	Region    *string               `json:"region"`
	Role      *workflow.PartnerRole `json:"role"`
}

func (s *Server) patchPartner(c echo.Context) error {
	id, _, version, err := managed(c, s.store.Partner, func(p workflow.Partner) string { return p.ProjectID })
	if err != nil {
		return err
	}
	var req patchPartnerRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p, err := s.store.UpdatePartner(c.Request().Context(), id, version, func(p *workflow.Partner) error {
		setIf(&p.Name, req.Name)
		setIf(&p.ShortName, req.ShortName)
		setIf(&p.Country, req.Country)
		setIf(&p.Region, req.Region)
		setIf(&p.Role, req.Role)
		return nil
	})
	if err != nil {
		return err
	}
	return versioned(c, p.Version, p)
}

func (s *Server) deletePartner(c echo.Context) error {
	id, _, version, err := managed(c, s.store.Partner, func(p workflow.Partner) string { return p.ProjectID })
	if err != nil {
		return err
	}
	if err := s.store.DeletePartner(c.Request().Context(), id, version); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type patchInstrumentRequest struct {
	Name       *string                  `json:"name"`
	Type       *workflow.InstrumentType `json:"type"`
	PartnerIDs *[]string                `json:"partner_ids"`
}

func (s *Server) patchPolicyInstrument(c echo.Context) error {
	id, _, version, err := managed(c, s.store.PolicyInstrument, func(p workflow.PolicyInstrument) string { return p.ProjectID })
	if err != nil {
		return err
	}
	var req patchInstrumentRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	pi, err := s.store.UpdatePolicyInstrument(c.Request().Context(), id, version, func(p *workflow.PolicyInstrument) error {
		setIf(&p.Name, req.Name)
		setIf(&p.Type, req.Type)
		setIf(&p.PartnerIDs, req.PartnerIDs)
		return nil
	})
	if err != nil {
		return err
	}
	return versioned(c, pi.Version, pi)
}

func (s *Server) deletePolicyInstrument(c echo.Context) error {
	id, _, version, err := managed(c, s.store.PolicyInstrument, func(p workflow.PolicyInstrument) string { return p.ProjectID })
	if err != nil {
		return err
	}
	if err := s.store.DeletePolicyInstrument(c.Request().Context(), id, version); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type patchGroupRequest struct {
	Name               *string `json:"name"`
	PolicyInstrumentID *string `json:"policy_instrument_id"`
}

func (s *Server) patchStakeholderGroup(c echo.Context) error {
	id, _, version, err := managed(c, s.store.StakeholderGroup, func(g workflow.StakeholderGroup) string { return g.ProjectID })
	if err != nil {
		return err
	}
	var req patchGroupRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	g, err := s.store.UpdateStakeholderGroup(c.Request().Context(), id, version, func(g *workflow.StakeholderGroup) error {
		setIf(&g.Name, req.Name)
		setIf(&g.PolicyInstrumentID, req.PolicyInstrumentID)
		return nil
	})
	if err != nil {
		return err
	}
	s.principals.clear() // a stakeholder's scope follows the group's instrument
	return versioned(c, g.Version, g)
}

func (s *Server) deleteStakeholderGroup(c echo.Context) error {
	id, _, version, err := managed(c, s.store.StakeholderGroup, func(g workflow.StakeholderGroup) string { return g.ProjectID })
	if err != nil {
		return err
	}
	if err := s.store.DeleteStakeholderGroup(c.Request().Context(), id, version); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type patchMemberRequest struct {
	Role               *workflow.Role `json:"role"`
	PartnerID          *string        `json:"partner_id"`
	StakeholderGroupID *string        `json:"stakeholder_group_id"`
}

// applyMemberChange changes a membership's role and scope: a new role
// takes the scope sent with it (none when none is sent); without a role,
// the scope sent replaces the current one.
func applyMemberChange(m *workflow.Membership, role *workflow.Role, partnerID, groupID *string) {
	if role != nil {
		m.Role, m.PartnerID, m.StakeholderGroupID = *role, "", ""
	}
	setIf(&m.PartnerID, partnerID)
	setIf(&m.StakeholderGroupID, groupID)
}

func (s *Server) patchMember(c echo.Context) error {
	id, _, version, err := managed(c, s.store.Membership, func(m workflow.Membership) string { return m.ProjectID })
	if err != nil {
		return err
	}
	var req patchMemberRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	m, err := s.store.UpdateMembership(c.Request().Context(), id, version, func(m *workflow.Membership) error {
		applyMemberChange(m, req.Role, req.PartnerID, req.StakeholderGroupID)
		return nil
	})
	if err != nil {
		return err
	}
	s.principals.clear() // the old role ends now in this process
	return versioned(c, m.Version, m)
}

func (s *Server) deleteMember(c echo.Context) error {
	id, _, version, err := managed(c, s.store.Membership, func(m workflow.Membership) string { return m.ProjectID })
	if err != nil {
		return err
	}
	if err := s.store.DeleteMembership(c.Request().Context(), id, version); err != nil {
		return err
	}
	s.principals.clear()
	return c.NoContent(http.StatusNoContent)
}

type inviteRequest struct {
	Email              string        `json:"email"`
	Name               string        `json:"name"`
	Role               workflow.Role `json:"role"`
	PartnerID          string        `json:"partner_id"`
	StakeholderGroupID string        `json:"stakeholder_group_id"`
}

type invitationResponse struct {
	Membership  workflow.Membership `json:"membership"`
	User        workflow.User       `json:"user"`
	UserCreated bool                `json:"user_created"`
	// Mailed tells whether the sign-in link was mailed; false when this
	// server sends no mail or the mail failed (the membership stays).
	Mailed bool `json:"mailed"`
}

// invite (admin, coordinator) makes a person a member by e-mail address,
// creating the user when the address is unknown, and mails them a sign-in
// link that lands in the project.
func (s *Server) invite(c echo.Context) error {
	pid, err := s.authorizeProject(c, workflow.ActionConsortiumManage)
	if err != nil {
		return err
	}
	var req inviteRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	u := workflow.User{Email: req.Email, Name: req.Name}
	u.Normalize()
	m := workflow.Membership{ProjectID: pid, UserID: workflow.NewID(), Role: req.Role, PartnerID: req.PartnerID, StakeholderGroupID: req.StakeholderGroupID}
	var p workflow.Problems
	if err := u.Validate(); err != nil {
		if we := (*workflow.Error)(nil); errors.As(err, &we) {
			p = append(p, we.Fields...)
		}
	}
	if err := m.Validate(); err != nil {
		if we := (*workflow.Error)(nil); errors.As(err, &we) {
			p = append(p, we.Fields...)
		}
	}
	if err := p.Err("invalid invitation"); err != nil {
		return err
	}
	project, err := s.store.Project(ctx, pid)
	if err != nil {
		return err
	}
	created, err := s.store.Invite(ctx, &u, &m)
	if err != nil {
		return err
	}
	s.principals.clear()
	mailed := false
	if s.inviter != nil {
		if err := s.inviter(ctx, u, m, project, principal(c).User); err != nil {
			s.log.ErrorContext(ctx, "invitation mail not sent", "user_id", u.ID, "error", err.Error())
		} else {
			mailed = true
		}
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/members/"+m.ID)
	c.Response().Header().Set("ETag", etag(m.Version))
	return c.JSON(http.StatusCreated, invitationResponse{Membership: m, User: u, UserCreated: created, Mailed: mailed})
}
