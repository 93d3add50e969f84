package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

// homeRoutes registers the project home and the navigation's pages.
func (h *Handler) homeRoutes(m *http.ServeMux) {
	m.Handle("GET /ui/projects", h.page(true, h.projectList))
	m.Handle("GET /ui/projects/{pid}", h.page(true, h.projectHome))
}

// landing is /ui/: the project home of someone in one project, the list
// of projects for someone in several (or an administrator), the sign-in
// page for someone not signed in.
func (h *Handler) landing(c *call) error {
	if c.r.URL.Path != "/ui/" {
		return workflow.Errorf(workflow.CodeNotFound, "no such page")
	}
	switch {
	case c.principal == nil:
		http.Redirect(c.w, c.r, "/ui/login", http.StatusSeeOther)
	case !c.principal.User.Admin && len(c.principal.Memberships) == 1:
		http.Redirect(c.w, c.r, "/ui/projects/"+c.principal.Memberships[0].ProjectID, http.StatusSeeOther)
	default:
		http.Redirect(c.w, c.r, "/ui/projects", http.StatusSeeOther)
	}
	return nil
}

// projectItem is one line of the list of projects, with the caller's role.
type projectItem struct {
	workflow.Project
	Role workflow.Role
}

func (h *Handler) projectList(c *call) error {
	p := *c.principal
	userID := p.User.ID
	if p.User.Admin {
		userID = ""
	}
	projects, _, err := h.cfg.Store.ListProjects(c.r.Context(), userID, workflow.Page{Limit: 200})
	if err != nil {
		return err
	}
	items := make([]projectItem, len(projects))
	for i, pr := range projects {
		m, _ := p.Membership(pr.ID)
		items[i] = projectItem{pr, m.Role}
	}
	h.render(c, http.StatusOK, "home/projects", view{Title: c.T("home.projects.title"), Data: items})
	return nil
}

// homeKinds and homeStates fix the order of the project home's lists.
var (
	homeKinds  = []workflow.Kind{workflow.KindActionPlan, workflow.KindPeerReview, workflow.KindGoodPractice}
	homeStates = []workflow.State{workflow.StateDraft, workflow.StateStakeholderReview, workflow.StateApproved,
		workflow.StateMonitored, workflow.StateClosed}
)

// homeRow is a deliverable as the project home lists it, its words worked
// out once here rather than in the template.
type homeRow struct {
	Href, Title, Partner string
	State                workflow.State
	StateLabel           string
	Updated              string // "changed <date>", in words
	Deadline             string // "open until <date>", in words, while the consultation is open
	Unanswered           int
	Overdue              bool
	Period               string
}

// rowWords are the words every row of the project home uses: each message
// is rendered once per page with a marker where the date goes, so that
// 200 rows cost 200 string replacements rather than 200 trips through the
// catalog's templates.
type rowWords struct {
	states            map[workflow.State]string
	updated, deadline string
	dates             *dates
}

const dateMark = "\x00date\x00"

func newRowWords(c *call, now time.Time) *rowWords {
	w := &rowWords{states: map[workflow.State]string{}, dates: c.dates(now),
		updated: c.T("home.updated", "Date", dateMark), deadline: c.T("consultations.open_until", "Deadline", dateMark)}
	for _, s := range homeStates {
		w.states[s] = c.T(codeKey(s))
	}
	return w
}

func (w *rowWords) row(it workflow.HomeItem, now time.Time) homeRow {
	r := homeRow{Href: "/ui/" + segment(it.Kind) + "/" + it.ID, Title: it.Title, Partner: it.PartnerName, State: it.State,
		StateLabel: w.states[it.State], Updated: strings.Replace(w.updated, dateMark, w.dates.text(it.UpdatedAt), 1), Unanswered: it.Unanswered}
	if c := it.Consultation; c != nil && c.Open(now) {
		r.Deadline = strings.Replace(w.deadline, dateMark, w.dates.text(c.Deadline)+" ("+w.dates.Relative(c.Deadline)+")", 1)
	}
	return r
}

type homeGroup struct {
	Kind  workflow.Kind
	Rows  []homeRow
	Total int // the kind's deliverables before the state filter
}

type createLink struct{ Href, Label string }

type option struct {
	Value, Label string
	Selected     bool
}

type homeView struct {
	Project    workflow.Project
	Role       workflow.Role
	Needs      needsView
	NeedsEmpty bool
	Groups     []homeGroup
	Shown      int // deliverables listed after the filters
	Kinds      []option
	States     []option
	Filtered   bool
	Create     []createLink
}

type needsView struct {
	Drafts, Consultations, Responses, Approvals, Reports []homeRow
}

func (h *Handler) projectHome(c *call) error {
	ctx, p, pid := c.r.Context(), *c.principal, c.r.PathValue("pid")
	if !workflow.ValidID(pid) {
		return workflow.Errorf(workflow.CodeNotFound, "project not found")
	}
	if err := p.Authorize(pid, workflow.ActionProjectRead); err != nil {
		return err
	}
	now := time.Now()
	home, err := h.cfg.Store.ProjectHome(ctx, pid, p.DeliverableScope(pid), now)
	if err != nil {
		return err
	}
	m, _ := p.Membership(pid)
	v := homeView{Project: home.Project, Role: m.Role}
	if p.User.Admin && m.Role == "" {
		v.Role = "admin"
	}

	// Needs you now.
	needs := workflow.NeedsYou(p, home, now)
	v.NeedsEmpty = needs.Empty()
	words := newRowWords(c, now)
	rows := func(items []workflow.HomeItem) []homeRow {
		out := make([]homeRow, len(items))
		for i, it := range items {
			out[i] = words.row(it, now)
		}
		return out
	}
	v.Needs = needsView{Drafts: rows(needs.Drafts), Consultations: rows(needs.Consultations),
		Responses: rows(needs.Responses), Approvals: rows(needs.Approvals)}
	for _, r := range needs.Reports {
		v.Needs.Reports = append(v.Needs.Reports, homeRow{Href: "/ui/action-plans/" + r.PlanID + "/reports/" + r.Period, Title: r.Title,
			Period: r.Period, Deadline: words.dates.day(r.DueDate).Text, Overdue: r.Overdue})
	}

	// The filters: unknown values are ignored, as if not given.
	q := c.r.URL.Query()
	kind, state := workflow.Kind(q.Get("kind")), workflow.State(q.Get("state"))
	if !slices.Contains(homeKinds, kind) {
		kind = ""
	}
	if !slices.Contains(homeStates, state) {
		state = ""
	}
	v.Filtered = kind != "" || state != ""
	v.Kinds = append(v.Kinds, option{"", c.T("home.filter.all_kinds"), kind == ""})
	for _, k := range homeKinds {
		v.Kinds = append(v.Kinds, option{string(k), c.T(codeKey(k)), k == kind})
	}
	v.States = append(v.States, option{"", c.T("home.filter.all_states"), state == ""})
	for _, s := range homeStates {
		v.States = append(v.States, option{string(s), c.T(codeKey(s)), s == state})
	}

	// The lists, by kind, then by state in the lifecycle's order, the
	// latest change first.
	rank := map[workflow.State]int{}
	for i, s := range homeStates {
		rank[s] = i
	}
	items := slices.Clone(home.Items)
	slices.SortStableFunc(items, func(a, b workflow.HomeItem) int {
		if d := rank[a.State] - rank[b.State]; d != 0 {
			return d
		}
		return b.UpdatedAt.Compare(a.UpdatedAt)
	})
	for _, k := range homeKinds {
		if kind != "" && k != kind {
			continue
		}
		g := homeGroup{Kind: k}
		for _, it := range items {
			if it.Kind != k {
				continue
			}
			g.Total++
			if state == "" || it.State == state {
				g.Rows = append(g.Rows, words.row(it, now))
			}
		}
		v.Shown += len(g.Rows)
		v.Groups = append(v.Groups, g)
	}

	// Who may start what: the coordinator, or a partner for itself.
	if p.CreateDeliverable(pid, m.PartnerID) == nil {
		base := "/ui/projects/" + pid + "/"
		v.Create = []createLink{
			{base + "action-plans/new", c.T("home.create.action_plan")},
			{base + "peer-reviews/new", c.T("home.create.peer_review")},
			{base + "good-practices/new", c.T("home.create.good_practice")},
		}
	}
	h.render(c, http.StatusOK, "home/project", view{Title: home.Project.Acronym + " · " + c.T("home.title"), Data: v})
	return nil
}

// consultations is "my consultations": the deliverables under
// consultation that the caller may see, in every project.
func (h *Handler) consultations(c *call) error {
	items, err := h.cfg.Store.MyConsultations(c.r.Context(), *c.principal)
	if err != nil {
		return err
	}
	type row struct {
		workflow.ConsultationItem
		Open     bool
		Deadline when
	}
	rows := make([]row, len(items))
	now := time.Now()
	dt := c.dates(now)
	for i, it := range items {
		rows[i] = row{it, it.Consultation.Open(now), dt.atRel(it.Consultation.Deadline)}
	}
	h.render(c, http.StatusOK, "home/consultations", view{Title: c.T("consultations.title"), Data: rows})
	return nil
}

// navLink is one entry of the menu.
type navLink struct {
	Href, Label string
	Current     bool
}

// nav is the menu of a signed-in person: what their role may use, in the
// project of the page (its {pid}, or their only project), worked out from
// the memberships the session brought, without a query.
func (h *Handler) nav(c *call, projectID string) []navLink {
	p := c.principal
	if p == nil {
		return nil
	}
	if projectID == "" {
		projectID = c.r.PathValue("pid")
	}
	m, member := p.Membership(projectID)
	if !member && !p.User.Admin {
		projectID = ""
	}
	if projectID == "" && len(p.Memberships) == 1 {
		m, projectID = p.Memberships[0], p.Memberships[0].ProjectID
	}
	several := p.User.Admin || len(p.Memberships) > 1
	// What the roles may use: in the page's project, its role; else any of
	// the person's roles.
	roles := []workflow.Role{m.Role}
	if projectID == "" {
		roles = roles[:0]
		for _, ms := range p.Memberships {
			roles = append(roles, ms.Role)
		}
	}
	if p.User.Admin {
		roles = append(roles, workflow.RoleCoordinator)
	}
	comments := slices.ContainsFunc(roles, func(r workflow.Role) bool {
		return r == workflow.RoleStakeholder || r == workflow.RolePartner || r == workflow.RoleCoordinator
	})
	dashboard := slices.ContainsFunc(roles, func(r workflow.Role) bool { return r != workflow.RoleStakeholder && r != "" })

	var links []navLink
	add := func(href, label string) {
		links = append(links, navLink{Href: href, Label: label})
	}
	if several {
		add("/ui/projects", c.T("nav.projects"))
	}
	base := "/ui/projects/" + projectID
	if projectID != "" {
		add(base, c.T("nav.home"))
	}
	if comments {
		add("/ui/consultations", c.T("nav.consultations"))
	}
	if dashboard {
		// The dashboards' own page, which goes straight to the project's
		// dashboard for someone in one project.
		add("/ui/dashboard", c.T("nav.dashboard"))
	}
	if projectID != "" {
		add(base+"/good-practices", c.T("nav.practices"))
		add(base+"/events", c.T("nav.events"))
	}
	if projectID != "" && (p.User.Admin || m.Role == workflow.RoleCoordinator) {
		add(base+"/consortium", c.T("nav.consortium"))
	}
	path := strings.TrimSuffix(c.r.URL.Path, "/")
	for i := range links {
		l := &links[i]
		l.Current = l.Href == path || l.Href == "/ui/dashboard" && strings.HasPrefix(path, "/ui/projects/") && strings.HasSuffix(path, "/dashboard")
	}
	return links
}
