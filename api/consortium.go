package api

import (
	"bytes"
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

// Request bodies. Each has exactly the fields the API accepts, so unknown
// fields are refused by the decoder.

type createUserRequest struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Admin bool   `json:"admin"`
}

type createdUser struct {
	workflow.User
	// Token is shown once; only its hash is kept. A replay of the answer
	// (Idempotency-Key) leaves it out.
	Token string `json:"token,omitempty"`
}

type createProjectRequest struct {
	Acronym     string         `json:"acronym"`
	Title       string         `json:"title"`
	Programme   string         `json:"programme"`
	Phase1Start *workflow.Date `json:"phase1_start"`
	Phase1End   *workflow.Date `json:"phase1_end"`
	Phase2End   *workflow.Date `json:"phase2_end"`
	// ConsultationDays is the default consultation window (0: 14 days).
	ConsultationDays int `json:"consultation_days"`
	// MatrixNames: what the matrix prints for a stakeholder,
	// "organisations" (default) or "names".
	MatrixNames string `json:"matrix_names"`
	// Language and TimeZone are the defaults for people who chose none
	// ("en" and "UTC" when left out).
	Language string `json:"language"`
	TimeZone string `json:"time_zone"`
}

type createPartnerRequest struct {
	Name      string               `json:"name"`
	ShortName string               `json:"short_name"`
	Country   string               `json:"country"`
	Region    string               `json:"region"`
	Role      workflow.PartnerRole `json:"role"`
}

type createMemberRequest struct {
	UserID             string        `json:"user_id"`
	Role               workflow.Role `json:"role"`
	PartnerID          string        `json:"partner_id"`
	StakeholderGroupID string        `json:"stakeholder_group_id"`
}

type createInstrumentRequest struct {
	Name       string                  `json:"name"`
	Type       workflow.InstrumentType `json:"type"`
	PartnerIDs []string                `json:"partner_ids"`
}

type createGroupRequest struct {
	Name               string `json:"name"`
	PolicyInstrumentID string `json:"policy_instrument_id"`
}

type meResponse struct {
	workflow.User
	Memberships []workflow.Membership `json:"memberships"`
}

func (s *Server) me(c echo.Context) error {
	p := principal(c)
	ms := p.Memberships
	if ms == nil {
		ms = []workflow.Membership{}
	}
	return c.JSON(http.StatusOK, meResponse{User: p.User, Memberships: ms})
}

func (s *Server) createUser(c echo.Context) error {
	if err := principal(c).Authorize("", workflow.ActionUserCreate); err != nil {
		return err
	}
	var req createUserRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	u := workflow.User{Email: req.Email, Name: req.Name, Admin: req.Admin}
	u.Normalize()
	if err := u.Validate(); err != nil {
		return err
	}
	token, hash := workflow.NewToken()
	if err := s.store.CreateUser(c.Request().Context(), &u, hash, "api"); err != nil {
		return err
	}
	// The idempotency table keeps the answer without the token: a replay
	// must not show it again, nor may the table hold it.
	var replay bytes.Buffer
	if err := jsonEncode(&replay, createdUser{User: u}); err != nil {
		return err
	}
	c.Set(replayBodyKey, replay.Bytes())
	noStore(c)
	return c.JSON(http.StatusCreated, createdUser{User: u, Token: token})
}

func (s *Server) listUsers(c echo.Context) error {
	if err := principal(c).Authorize("", workflow.ActionUserList); err != nil {
		return err
	}
	pg, err := pageParams(c)
	if err != nil {
		return err
	}
	items, next, err := s.store.ListUsers(c.Request().Context(), pg)
	if err != nil {
		return err
	}
	return list(c, items, next)
}

func (s *Server) createProject(c echo.Context) error {
	if err := principal(c).Authorize("", workflow.ActionProjectCreate); err != nil {
		return err
	}
	var req createProjectRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p := workflow.Project{Acronym: req.Acronym, Title: req.Title, Programme: req.Programme,
		Phase1Start: req.Phase1Start, Phase1End: req.Phase1End, Phase2End: req.Phase2End, ConsultationDays: req.ConsultationDays,
		MatrixNames: req.MatrixNames, Language: req.Language, TimeZone: req.TimeZone}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	if err := s.store.CreateProject(c.Request().Context(), &p); err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/projects/"+p.ID)
	return c.JSON(http.StatusCreated, p)
}

func (s *Server) listProjects(c echo.Context) error {
	pg, err := pageParams(c)
	if err != nil {
		return err
	}
	userID := principal(c).User.ID
	if principal(c).User.Admin {
		userID = ""
	}
	items, next, err := s.store.ListProjects(c.Request().Context(), userID, pg)
	if err != nil {
		return err
	}
	return list(c, items, next)
}

func (s *Server) getProject(c echo.Context) error {
	pid, err := s.authorizeProject(c, workflow.ActionProjectRead)
	if err != nil {
		return err
	}
	p, err := s.store.Project(c.Request().Context(), pid)
	if err != nil {
		return err
	}
	c.Response().Header().Set("ETag", etag(p.Version))
	return c.JSON(http.StatusOK, p)
}

func (s *Server) createPartner(c echo.Context) error {
	pid, err := s.authorizeProject(c, workflow.ActionConsortiumManage)
	if err != nil {
		return err
	}
	var req createPartnerRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	p := workflow.Partner{ProjectID: pid, Name: req.Name, ShortName: req.ShortName, Country: req.Country, Region: req.Region, Role: req.Role}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	if err := s.store.CreatePartner(c.Request().Context(), &p); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, p)
}

func (s *Server) listPartners(c echo.Context) error {
	return listIn(s, c, workflow.ActionProjectRead, s.store.ListPartners)
}

func (s *Server) createMember(c echo.Context) error {
	pid, err := s.authorizeProject(c, workflow.ActionConsortiumManage)
	if err != nil {
		return err
	}
	var req createMemberRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	m := workflow.Membership{ProjectID: pid, UserID: req.UserID, Role: req.Role, PartnerID: req.PartnerID, StakeholderGroupID: req.StakeholderGroupID}
	if err := m.Validate(); err != nil {
		return err
	}
	if err := s.store.CreateMembership(c.Request().Context(), &m); err != nil {
		return err
	}
	s.principals.clear()
	return c.JSON(http.StatusCreated, m)
}

func (s *Server) listMembers(c echo.Context) error {
	return listIn(s, c, workflow.ActionMemberList, s.store.ListMemberships)
}

func (s *Server) createPolicyInstrument(c echo.Context) error {
	pid, err := s.authorizeProject(c, workflow.ActionConsortiumManage)
	if err != nil {
		return err
	}
	var req createInstrumentRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	pi := workflow.PolicyInstrument{ProjectID: pid, Name: req.Name, Type: req.Type, PartnerIDs: req.PartnerIDs}
	pi.Normalize()
	if err := pi.Validate(); err != nil {
		return err
	}
	if err := s.store.CreatePolicyInstrument(c.Request().Context(), &pi); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, pi)
}

func (s *Server) listPolicyInstruments(c echo.Context) error {
	return listIn(s, c, workflow.ActionProjectRead, s.store.ListPolicyInstruments)
}

func (s *Server) createStakeholderGroup(c echo.Context) error {
	pid, err := s.authorizeProject(c, workflow.ActionConsortiumManage)
	if err != nil {
		return err
	}
	var req createGroupRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	g := workflow.StakeholderGroup{ProjectID: pid, Name: req.Name, PolicyInstrumentID: req.PolicyInstrumentID}
	g.Normalize()
	if err := g.Validate(); err != nil {
		return err
	}
	if err := s.store.CreateStakeholderGroup(c.Request().Context(), &g); err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, g)
}

func (s *Server) listStakeholderGroups(c echo.Context) error {
	return listIn(s, c, workflow.ActionProjectRead, s.store.ListStakeholderGroups)
}

// listIn serves a project-scoped list after the authorization check.
func listIn[T any](s *Server, c echo.Context, a workflow.Action,
	fetch func(ctx context.Context, projectID string, p workflow.Page) ([]T, string, error)) error {
	pid, err := s.authorizeProject(c, a)
	if err != nil {
		return err
	}
	pg, err := pageParams(c)
	if err != nil {
		return err
	}
	items, next, err := fetch(c.Request().Context(), pid, pg)
	if err != nil {
		return err
	}
	return list(c, items, next)
}
