package web

// The consortium page of a project, for its coordinator and admins: the
// partners, policy instruments, stakeholder groups and members, each with
// an edit form and a removal behind a confirmation; the invitation form;
// and the project's settings. Every change is made at the version the
// form was read at: a stale form is shown again with what was typed and
// the current values, never saved over them.

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

func (h *Handler) consortiumRoutes(m *http.ServeMux) {
	m.Handle("GET /ui/projects/{pid}/consortium", h.page(true, h.consortiumPage))
	m.Handle("POST /ui/projects/{pid}/consortium/invite", h.page(true, h.inviteMember))
	m.Handle("GET /ui/projects/{pid}/consortium/settings", h.page(true, h.projectSettingsForm))
	m.Handle("POST /ui/projects/{pid}/consortium/settings", h.page(true, h.saveProjectSettings))
	m.Handle("GET /ui/projects/{pid}/consortium/{kind}/{id}", h.page(true, h.recordForm))
	m.Handle("POST /ui/projects/{pid}/consortium/{kind}/{id}", h.page(true, h.saveRecord))
	m.Handle("GET /ui/projects/{pid}/consortium/{kind}/{id}/remove", h.page(true, h.confirmRemove))
	m.Handle("POST /ui/projects/{pid}/consortium/{kind}/{id}/remove", h.page(true, h.removeRecord))
}

// The consortium's field labels, for the problems' summary.
func init() {
	for name, key := range map[string]string{
		"name": "consortium.field.name", "short_name": "consortium.field.short_name", "country": "consortium.field.country",
		"region": "consortium.field.region", "role": "consortium.field.role", "type": "consortium.field.type",
		"partner_ids": "consortium.field.partner_ids", "partner_id": "edit.field.partner_id",
		"stakeholder_group_id": "consortium.field.stakeholder_group_id", "email": "consortium.field.email",
		"acronym": "consortium.field.acronym", "programme": "consortium.field.programme",
		"phase1_start": "consortium.field.phase1_start", "phase1_end": "consortium.field.phase1_end",
		"phase2_end": "consortium.field.phase2_end", "consultation_days": "consortium.field.consultation_days",
		"matrix_names": "consortium.field.matrix_names", "user_id": "consortium.field.member",
	} {
		if _, ok := fieldKeys[name]; !ok {
			fieldKeys[name] = key
		}
	}
}

// The kinds of record the page edits, by their URL segment (the API's).
const (
	kindPartners    = "partners"
	kindInstruments = "policy-instruments"
	kindGroups      = "stakeholder-groups"
	kindMembers     = "members"
)

// consortium is what the pages of a project's consortium read.
type consortium struct {
	Project     workflow.Project
	Partners    []workflow.Partner
	Instruments []workflow.PolicyInstrument
	Groups      []workflow.StakeholderGroup
	Members     []workflow.Membership
	Names       map[string]string // user id → name
}

func (k consortium) partnerName(id string) string {
	for _, p := range k.Partners {
		if p.ID == id {
			return p.Name
		}
	}
	return ""
}

func (k consortium) instrumentName(id string) string {
	for _, i := range k.Instruments {
		if i.ID == id {
			return i.Name
		}
	}
	return ""
}

func (k consortium) groupName(id string) string {
	for _, g := range k.Groups {
		if g.ID == id {
			return g.Name
		}
	}
	return ""
}

// manageProject checks that the caller manages the page's project (others
// get not found or forbidden, as from the API) and reads its consortium.
func (h *Handler) manageProject(c *call) (consortium, error) {
	var k consortium
	pid := c.r.PathValue("pid")
	if !workflow.ValidID(pid) {
		return k, workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	if err := c.principal.Authorize(pid, workflow.ActionConsortiumManage); err != nil {
		return k, err
	}
	ctx := c.r.Context()
	var err error
	if k.Project, err = h.cfg.Store.Project(ctx, pid); err != nil {
		return k, err
	}
	if k.Partners, err = allPages(func(pg workflow.Page) ([]workflow.Partner, string, error) {
		return h.cfg.Store.ListPartners(ctx, pid, pg)
	}); err != nil {
		return k, err
	}
	if k.Instruments, err = allPages(func(pg workflow.Page) ([]workflow.PolicyInstrument, string, error) {
		return h.cfg.Store.ListPolicyInstruments(ctx, pid, pg)
	}); err != nil {
		return k, err
	}
	if k.Groups, err = allPages(func(pg workflow.Page) ([]workflow.StakeholderGroup, string, error) {
		return h.cfg.Store.ListStakeholderGroups(ctx, pid, pg)
	}); err != nil {
		return k, err
	}
	if k.Members, err = allPages(func(pg workflow.Page) ([]workflow.Membership, string, error) {
		return h.cfg.Store.ListMemberships(ctx, pid, pg)
	}); err != nil {
		return k, err
	}
	ids := make([]string, len(k.Members))
	for i, m := range k.Members {
		ids[i] = m.UserID
	}
	if k.Names, err = h.cfg.Store.UserNames(ctx, ids); err != nil {
		return k, err
	}
	slices.SortFunc(k.Partners, func(a, b workflow.Partner) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(k.Instruments, func(a, b workflow.PolicyInstrument) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(k.Groups, func(a, b workflow.StakeholderGroup) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(k.Members, func(a, b workflow.Membership) int { return strings.Compare(k.Names[a.UserID], k.Names[b.UserID]) })
	return k, nil
}

// row is one record of a list on the consortium page.
type row struct {
	Kind, ID, Name, Detail string
}

type consortiumView struct {
	Project                          workflow.Project
	Partners, Instruments, Groups    []row
	Members                          []row
	Invite                           *form
	Roles                            []choice
	PartnerChoices, GroupChoices     []choice
	PhaseStart, PhaseEnd, Phase2, TZ string
}

// choice is an option of a select.
type choice struct{ Value, Label string }

func (h *Handler) consortiumPage(c *call) error {
	return h.showConsortium(c, http.StatusOK, newForm(url.Values{"role": {string(workflow.RolePartner)}}))
}

func (h *Handler) showConsortium(c *call, status int, invite *form) error {
	k, err := h.manageProject(c)
	if err != nil {
		return err
	}
	v := consortiumView{Project: k.Project, Invite: invite}
	for _, r := range roles {
		v.Roles = append(v.Roles, choice{string(r), c.T(codeKey(string(r)))})
	}
	for _, p := range k.Partners {
		detail := c.T(codeKey(string(p.Role))) + " · " + p.Country
		if p.Region != "" {
			detail += " (" + p.Region + ")"
		}
		v.Partners = append(v.Partners, row{kindPartners, p.ID, p.Name, detail})
		v.PartnerChoices = append(v.PartnerChoices, choice{p.ID, p.Name})
	}
	for _, i := range k.Instruments {
		names := make([]string, len(i.PartnerIDs))
		for j, id := range i.PartnerIDs {
			names[j] = k.partnerName(id)
		}
		v.Instruments = append(v.Instruments, row{kindInstruments, i.ID, i.Name, c.T(codeKey(string(i.Type))) + " · " + strings.Join(names, ", ")})
	}
	for _, g := range k.Groups {
		v.Groups = append(v.Groups, row{kindGroups, g.ID, g.Name, k.instrumentName(g.PolicyInstrumentID)})
		v.GroupChoices = append(v.GroupChoices, choice{g.ID, g.Name})
	}
	for _, m := range k.Members {
		detail := c.T(codeKey(string(m.Role)))
		if m.PartnerID != "" {
			detail += " · " + k.partnerName(m.PartnerID)
		}
		if m.StakeholderGroupID != "" {
			detail += " · " + k.groupName(m.StakeholderGroupID)
		}
		v.Members = append(v.Members, row{kindMembers, m.ID, k.Names[m.UserID], detail})
	}
	notice := ""
	if status == http.StatusOK {
		switch {
		case c.r.URL.Query().Get("invited") != "":
			notice = c.T("consortium.invited")
		case c.r.URL.Query().Get("removed") != "":
			notice = c.T("consortium.removed")
		case c.r.URL.Query().Get("saved") != "":
			notice = c.T("consortium.saved")
		}
	}
	h.render(c, status, "consortium/index", view{Title: c.T("consortium.title", "Project", k.Project.Acronym), Data: v, Notice: notice})
	return nil
}

var roles = []workflow.Role{workflow.RoleCoordinator, workflow.RolePartner, workflow.RoleStakeholder, workflow.RoleSecretariat, workflow.RoleObserver}

// inviteMember makes a person a member by e-mail and mails them the link.
func (h *Handler) inviteMember(c *call) error {
	k, err := h.manageProject(c)
	if err != nil {
		return err
	}
	f := newForm(c.r.PostForm)
	u := workflow.User{Email: f.Get("email"), Name: f.Get("name")}
	u.Normalize()
	m := workflow.Membership{ProjectID: k.Project.ID, UserID: workflow.NewID(), Role: workflow.Role(f.Get("role"))}
	scope(&m, f)
	var p workflow.Problems
	for _, err := range []error{u.Validate(), m.Validate()} {
		var we *workflow.Error
		if errors.As(err, &we) {
			p = append(p, we.Fields...)
		}
	}
	err = p.Err("invalid invitation")
	if err == nil {
		_, err = h.cfg.Store.Invite(c.r.Context(), &u, &m)
		if err == nil {
			h.changedAccess()
		}
	}
	if err != nil {
		var we *workflow.Error
		if errors.As(err, &we) && we.Code == workflow.CodeConflict {
			f.Problem = c.sayError(we)
			return h.showConsortium(c, http.StatusConflict, f)
		}
		if f.refuse(c, err) {
			return h.showConsortium(c, http.StatusUnprocessableEntity, f)
		}
		return err
	}
	if err := h.Invite(c.r.Context(), u, m, k.Project, c.principal.User); err != nil {
		h.log.ErrorContext(c.r.Context(), "web: invitation mail not sent", "user_id", u.ID, "error", err.Error())
	}
	http.Redirect(c.w, c.r, "/ui/projects/"+k.Project.ID+"/consortium?invited=1#members", http.StatusSeeOther)
	return nil
}

// scope takes a member's scope from a form: only the one its role uses.
func scope(m *workflow.Membership, f *form) {
	m.PartnerID, m.StakeholderGroupID = "", ""
	switch m.Role {
	case workflow.RolePartner:
		m.PartnerID = f.Get("partner_id")
	case workflow.RoleStakeholder:
		m.StakeholderGroupID = f.Get("stakeholder_group_id")
	}
}

// OnAccessChange registers fn, called after the pages change who may do
// what (a member's role or scope, a removal, an invitation, a group's
// instrument, the project's defaults): the API's cache of callers in this
// process is cleared at once (api.New registers it).
func (h *Handler) OnAccessChange(fn func()) { h.accessChanged.Store(&fn) }

// changedAccess runs the registered function, if any.
func (h *Handler) changedAccess() {
	if fn := h.accessChanged.Load(); fn != nil {
		(*fn)()
	}
}

// Invite mails an invited member a sign-in link that lands in the
// project, valid for InviteTTL. The API's invitations use it too.
func (h *Handler) Invite(ctx context.Context, u workflow.User, m workflow.Membership, p workflow.Project, by workflow.User) error {
	token := randomString()
	if err := h.cfg.Store.CreateLoginLink(ctx, u.ID, workflow.HashToken(token), time.Now().Add(h.cfg.InviteTTL)); err != nil {
		return err
	}
	link := h.cfg.PublicURL + "/ui/login/" + token + "?next=" + url.QueryEscape("/ui/projects/"+p.ID)
	return h.cfg.Mailer.Send(ctx, h.letters.Invitation(u, p, m.Role, by, link, h.cfg.InviteTTL))
}

// recordView is the edit form of one record, or its removal.
type recordView struct {
	Project workflow.Project
	Kind    string
	ID      string
	Name    string // what the record is called, for the heading
	Form    *form
	// Stale: the record changed since the form was read; Current are its
	// values now, shown beside what was typed.
	Stale   bool
	Current []choice
	// Explain says what a removal does; Held, why it was refused.
	Explain                                       string
	Held                                          []string
	PartnerRoles, InstrumentTypes                 []choice
	Roles                                         []choice
	Partners, Instruments, Groups, GroupsOptional []choice
}

// loadRecord reads the record of the URL, which must be in the project.
func (h *Handler) loadRecord(c *call, k consortium) (name string, values url.Values, version int, err error) {
	id, ctx := c.r.PathValue("id"), c.r.Context()
	notFound := workflow.Errorf(workflow.CodeNotFound, "not found")
	if !workflow.ValidID(id) {
		return "", nil, 0, notFound
	}
	switch c.r.PathValue("kind") {
	case kindPartners:
		p, err := h.cfg.Store.Partner(ctx, id)
		if err != nil || p.ProjectID != k.Project.ID {
			return "", nil, 0, notFound
		}
		return p.Name, url.Values{"name": {p.Name}, "short_name": {p.ShortName}, "country": {p.Country},
			"region": {p.Region}, "role": {string(p.Role)}}, p.Version, nil
	case kindInstruments:
		i, err := h.cfg.Store.PolicyInstrument(ctx, id)
		if err != nil || i.ProjectID != k.Project.ID {
			return "", nil, 0, notFound
		}
		return i.Name, url.Values{"name": {i.Name}, "type": {string(i.Type)}, "partner_ids": i.PartnerIDs}, i.Version, nil
	case kindGroups:
		g, err := h.cfg.Store.StakeholderGroup(ctx, id)
		if err != nil || g.ProjectID != k.Project.ID {
			return "", nil, 0, notFound
		}
		return g.Name, url.Values{"name": {g.Name}, "policy_instrument_id": {g.PolicyInstrumentID}}, g.Version, nil
	case kindMembers:
		m, err := h.cfg.Store.Membership(ctx, id)
		if err != nil || m.ProjectID != k.Project.ID {
			return "", nil, 0, notFound
		}
		return k.Names[m.UserID], url.Values{"role": {string(m.Role)}, "partner_id": {m.PartnerID},
			"stakeholder_group_id": {m.StakeholderGroupID}}, m.Version, nil
	}
	return "", nil, 0, notFound
}

func (h *Handler) recordView(c *call, k consortium, name string, f *form) recordView {
	v := recordView{Project: k.Project, Kind: c.r.PathValue("kind"), ID: c.r.PathValue("id"), Name: name, Form: f}
	for _, r := range []workflow.PartnerRole{workflow.PartnerLead, workflow.PartnerPartner, workflow.PartnerAdvisory} {
		v.PartnerRoles = append(v.PartnerRoles, choice{string(r), c.T(codeKey(string(r)))})
	}
	for _, t := range []workflow.InstrumentType{workflow.InstrumentGrowthAndJobs, workflow.InstrumentETC, workflow.InstrumentOther} {
		v.InstrumentTypes = append(v.InstrumentTypes, choice{string(t), c.T(codeKey(string(t)))})
	}
	for _, r := range roles {
		v.Roles = append(v.Roles, choice{string(r), c.T(codeKey(string(r)))})
	}
	for _, p := range k.Partners {
		v.Partners = append(v.Partners, choice{p.ID, p.Name})
	}
	for _, i := range k.Instruments {
		v.Instruments = append(v.Instruments, choice{i.ID, i.Name})
	}
	for _, g := range k.Groups {
		v.Groups = append(v.Groups, choice{g.ID, g.Name})
	}
	return v
}

// removeExplain is what removing a record of the kind does.
var removeExplain = map[string]string{
	kindPartners:    "consortium.remove_explain.partners",
	kindInstruments: "consortium.remove_explain.policy_instruments",
	kindGroups:      "consortium.remove_explain.stakeholder_groups",
	kindMembers:     "consortium.remove_explain.members",
}

// editTitle is the edit page's title of each kind.
var editTitle = map[string]string{
	kindPartners:    "consortium.edit_title.partners",
	kindInstruments: "consortium.edit_title.policy_instruments",
	kindGroups:      "consortium.edit_title.stakeholder_groups",
	kindMembers:     "consortium.edit_title.members",
}

func (h *Handler) recordTitle(c *call, kind, name string) string {
	return c.T(editTitle[kind], "Name", name)
}

func (h *Handler) recordForm(c *call) error {
	k, err := h.manageProject(c)
	if err != nil {
		return err
	}
	name, values, version, err := h.loadRecord(c, k)
	if err != nil {
		return err
	}
	f := newForm(values)
	f.Version = version
	kind := c.r.PathValue("kind")
	h.render(c, http.StatusOK, "consortium/edit", view{Title: h.recordTitle(c, kind, name), Data: h.recordView(c, k, name, f)})
	return nil
}

// currentValues are a record's values as the page shows them, for a
// stale form.
func currentValues(c *call, k consortium, values url.Values) []choice {
	var out []choice
	for _, name := range []string{"name", "short_name", "country", "region", "role", "type", "partner_ids", "policy_instrument_id", "partner_id", "stakeholder_group_id"} {
		vs, ok := values[name]
		if !ok {
			continue
		}
		shown := make([]string, 0, len(vs))
		for _, v := range vs {
			switch name {
			case "role", "type":
				v = c.T(codeKey(v))
			case "partner_ids", "partner_id":
				v = k.partnerName(v)
			case "policy_instrument_id":
				v = k.instrumentName(v)
			case "stakeholder_group_id":
				v = k.groupName(v)
			}
			if v != "" {
				shown = append(shown, v)
			}
		}
		if len(shown) == 0 {
			continue
		}
		out = append(out, choice{fieldLabel(c.loc, name), strings.Join(shown, ", ")})
	}
	return out
}

func (h *Handler) saveRecord(c *call) error {
	k, err := h.manageProject(c)
	if err != nil {
		return err
	}
	name, _, _, err := h.loadRecord(c, k)
	if err != nil {
		return err
	}
	f := newForm(c.r.PostForm)
	f.Version, _ = strconv.Atoi(f.Get("version"))
	ctx, id, kind := c.r.Context(), c.r.PathValue("id"), c.r.PathValue("kind")
	switch kind {
	case kindPartners:
		_, err = h.cfg.Store.UpdatePartner(ctx, id, f.Version, func(p *workflow.Partner) error {
			p.Name, p.ShortName, p.Country, p.Region, p.Role = f.Get("name"), f.Get("short_name"), f.Get("country"), f.Get("region"), workflow.PartnerRole(f.Get("role"))
			return nil
		})
	case kindInstruments:
		_, err = h.cfg.Store.UpdatePolicyInstrument(ctx, id, f.Version, func(i *workflow.PolicyInstrument) error {
			i.Name, i.Type, i.PartnerIDs = f.Get("name"), workflow.InstrumentType(f.Get("type")), f.All("partner_ids")
			return nil
		})
	case kindGroups:
		_, err = h.cfg.Store.UpdateStakeholderGroup(ctx, id, f.Version, func(g *workflow.StakeholderGroup) error {
			g.Name, g.PolicyInstrumentID = f.Get("name"), f.Get("policy_instrument_id")
			return nil
		})
	case kindMembers:
		_, err = h.cfg.Store.UpdateMembership(ctx, id, f.Version, func(m *workflow.Membership) error {
			m.Role = workflow.Role(f.Get("role"))
			scope(m, f)
			return nil
		})
	}
	if err != nil {
		return h.refuseRecord(c, k, name, f, err)
	}
	if kind == kindMembers || kind == kindGroups {
		h.changedAccess()
	}
	http.Redirect(c.w, c.r, "/ui/projects/"+k.Project.ID+"/consortium?saved=1#"+kind, http.StatusSeeOther)
	return nil
}

// refuseRecord shows the edit form again after a refusal: the problems at
// their fields (422), or, when the record changed meanwhile, what was
// typed beside its current values, at its current version (409).
func (h *Handler) refuseRecord(c *call, k consortium, name string, f *form, err error) error {
	kind := c.r.PathValue("kind")
	title := h.recordTitle(c, kind, name)
	switch workflow.ErrorCode(err) {
	case workflow.CodePreconditionFailed:
		_, values, version, lerr := h.loadRecord(c, k)
		if lerr != nil {
			return lerr
		}
		f.Version = version
		v := h.recordView(c, k, name, f)
		v.Stale, v.Current = true, currentValues(c, k, values)
		h.render(c, http.StatusConflict, "consortium/edit", view{Title: title, Data: v})
		return nil
	case workflow.CodeConflict:
		var we *workflow.Error
		errors.As(err, &we)
		f.Problem = c.sayError(we)
		h.render(c, http.StatusConflict, "consortium/edit", view{Title: title, Data: h.recordView(c, k, name, f)})
		return nil
	}
	if f.refuse(c, err) {
		h.render(c, http.StatusUnprocessableEntity, "consortium/edit", view{Title: title, Data: h.recordView(c, k, name, f)})
		return nil
	}
	return err
}

func (h *Handler) confirmRemove(c *call) error {
	k, err := h.manageProject(c)
	if err != nil {
		return err
	}
	name, _, version, err := h.loadRecord(c, k)
	if err != nil {
		return err
	}
	f := newForm(nil)
	f.Version = version
	kind := c.r.PathValue("kind")
	h.render(c, http.StatusOK, "consortium/remove", view{Title: c.T("consortium.remove_title", "Name", name), Data: recordView{
		Project: k.Project, Kind: kind, ID: c.r.PathValue("id"), Name: name, Form: f, Explain: c.T(removeExplain[kind], "Name", name)}})
	return nil
}

func (h *Handler) removeRecord(c *call) error {
	k, err := h.manageProject(c)
	if err != nil {
		return err
	}
	name, _, current, err := h.loadRecord(c, k)
	if err != nil {
		return err
	}
	f := newForm(c.r.PostForm)
	f.Version, _ = strconv.Atoi(f.Get("version"))
	ctx, id, kind := c.r.Context(), c.r.PathValue("id"), c.r.PathValue("kind")
	switch kind {
	case kindPartners:
		err = h.cfg.Store.DeletePartner(ctx, id, f.Version)
	case kindInstruments:
		err = h.cfg.Store.DeletePolicyInstrument(ctx, id, f.Version)
	case kindGroups:
		err = h.cfg.Store.DeleteStakeholderGroup(ctx, id, f.Version)
	case kindMembers:
		err = h.cfg.Store.DeleteMembership(ctx, id, f.Version)
	}
	var we *workflow.Error
	if err != nil && errors.As(err, &we) && (we.Code == workflow.CodeConflict || we.Code == workflow.CodePreconditionFailed) {
		v := recordView{Project: k.Project, Kind: kind, ID: id, Name: name, Form: f, Explain: c.T(removeExplain[kind], "Name", name)}
		if we.Code == workflow.CodePreconditionFailed {
			v.Stale = true
		} else if len(we.Fields) == 0 {
			v.Held = []string{c.sayError(we)}
		}
		for _, fe := range we.Fields {
			v.Held = append(v.Held, c.say(fe))
		}
		f.Version = current
		h.render(c, http.StatusConflict, "consortium/remove", view{Title: c.T("consortium.remove_title", "Name", name), Data: v})
		return nil
	}
	if err != nil {
		return err
	}
	h.changedAccess()
	http.Redirect(c.w, c.r, "/ui/projects/"+k.Project.ID+"/consortium?removed=1#"+kind, http.StatusSeeOther)
	return nil
}

// settingsView is the project's settings form.
type settingsView struct {
	Project   workflow.Project
	Form      *form
	Stale     bool
	Current   []choice
	Languages []languageOption
	Zones     []string
	Matrix    []choice
}

func projectValues(p workflow.Project) url.Values {
	date := func(d *workflow.Date) string {
		if d == nil {
			return ""
		}
		return d.String()
	}
	return url.Values{"acronym": {p.Acronym}, "title": {p.Title}, "programme": {p.Programme},
		"phase1_start": {date(p.Phase1Start)}, "phase1_end": {date(p.Phase1End)}, "phase2_end": {date(p.Phase2End)},
		"consultation_days": {strconv.Itoa(p.ConsultationDays)}, "matrix_names": {p.MatrixNames},
		"language": {p.Language}, "time_zone": {p.TimeZone}}
}

func (h *Handler) projectSettingsForm(c *call) error {
	k, err := h.manageProject(c)
	if err != nil {
		return err
	}
	f := newForm(projectValues(k.Project))
	f.Version = k.Project.Version
	return h.showSettings(c, http.StatusOK, k.Project, f, nil)
}

func (h *Handler) showSettings(c *call, status int, p workflow.Project, f *form, current []choice) error {
	v := settingsView{Project: p, Form: f, Stale: current != nil, Current: current,
		Languages: h.languageOptions(f.Get("language")), Zones: zoneChoices(f.Get("time_zone")),
		Matrix: []choice{{workflow.MatrixOrganisations, c.T("consortium.matrix.organisations")}, {workflow.MatrixPersonNames, c.T("consortium.matrix.names")}}}
	h.render(c, status, "consortium/settings", view{Title: c.T("consortium.settings_title", "Project", p.Acronym), Data: v})
	return nil
}

func (h *Handler) saveProjectSettings(c *call) error {
	k, err := h.manageProject(c)
	if err != nil {
		return err
	}
	f := newForm(c.r.PostForm)
	f.Version, _ = strconv.Atoi(f.Get("version"))
	var p workflow.Problems
	dates := map[string]*workflow.Date{}
	for _, name := range []string{"phase1_start", "phase1_end", "phase2_end"} {
		if s := strings.TrimSpace(f.Get(name)); s != "" {
			d, err := workflow.ParseDate(s)
			if err != nil {
				f.Errors[name] = c.T("consortium.bad_date")
				continue
			}
			dates[name] = &d
		}
	}
	days, derr := strconv.Atoi(strings.TrimSpace(f.Get("consultation_days")))
	if derr != nil || days < 1 {
		p.Add("consultation_days", "must be between 1 and 365")
	}
	if f.Get("language") == "" {
		p.Add("language", "is required")
	}
	if f.Get("time_zone") == "" {
		p.Add("time_zone", "is required")
	}
	err = p.Err("invalid project")
	if err == nil && len(f.Errors) > 0 {
		return h.showSettings(c, http.StatusUnprocessableEntity, k.Project, f, nil)
	}
	if err == nil {
		_, err = h.cfg.Store.UpdateProject(c.r.Context(), k.Project.ID, f.Version, func(pr *workflow.Project) error {
			pr.Acronym, pr.Title, pr.Programme = f.Get("acronym"), f.Get("title"), f.Get("programme")
			pr.Phase1Start, pr.Phase1End, pr.Phase2End = dates["phase1_start"], dates["phase1_end"], dates["phase2_end"]
			pr.ConsultationDays, pr.MatrixNames = days, f.Get("matrix_names")
			pr.Language, pr.TimeZone = f.Get("language"), f.Get("time_zone")
			return nil
		})
	}
	if err != nil {
		switch workflow.ErrorCode(err) {
		case workflow.CodePreconditionFailed:
			cur, lerr := h.cfg.Store.Project(c.r.Context(), k.Project.ID)
			if lerr != nil {
				return lerr
			}
			f.Version = cur.Version
			var shown []choice
			vals := projectValues(cur)
			for _, name := range []string{"acronym", "title", "programme", "phase1_start", "phase1_end", "phase2_end", "consultation_days", "language", "time_zone"} {
				if v := vals.Get(name); v != "" {
					shown = append(shown, choice{fieldLabel(c.loc, name), v})
				}
			}
			return h.showSettings(c, http.StatusConflict, cur, f, shown)
		case workflow.CodeConflict:
			var we *workflow.Error
			errors.As(err, &we)
			f.Problem = c.sayError(we)
			return h.showSettings(c, http.StatusConflict, k.Project, f, nil)
		}
		if f.refuse(c, err) {
			return h.showSettings(c, http.StatusUnprocessableEntity, k.Project, f, nil)
		}
		return err
	}
	h.changedAccess() // members' cached callers carry the project's defaults
	http.Redirect(c.w, c.r, "/ui/projects/"+k.Project.ID+"/consortium?saved=1", http.StatusSeeOther)
	return nil
}
