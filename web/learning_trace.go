package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

// A good practice's trace: where it was presented, which stakeholder
// groups found it relevant for their region (the transfer interest), and
// the actions that cite it. A stakeholder records their group's interest
// here, and the coordinator (or an admin) any group's, as the API's POST
// /good-practices/{id}/transfer-interests allows.

type interestView struct {
	Group string
	Note  string
	At    when
}

type traceView struct {
	Project   workflow.Project
	Practice  *workflow.GoodPractice
	Place     string
	Trace     workflow.PracticeTrace
	Interests []interestView
	// The interest form: Groups to choose from (the coordinator's), or
	// OwnGroup (a stakeholder's), empty when the caller may not record.
	Groups   []workflow.StakeholderGroup
	OwnGroup string
	Already  bool // the stakeholder's group has shown interest already
	Draft    bool // a draft takes no interest
	Form     *form
}

// placeName is a place as a person reads it: "Budapest (HU11), Hungary",
// the country named in the page's language (its code where the catalog
// has no name), the NUTS2 region by its code.
func placeName(c *call, city, nuts2, country string) string {
	var out string
	switch {
	case city != "" && nuts2 != "":
		out = city + " (" + nuts2 + ")"
	case city != "":
		out = city
	default:
		out = nuts2
	}
	if country != "" {
		name := country
		if key := "doc.country." + strings.ToLower(country); c.loc.Has(key) {
			name = c.T(key)
		}
		if out == "" {
			return name
		}
		out += ", " + name
	}
	return out
}

// interestRecorder tells who may record interest in the project:
// the group a stakeholder records for, or all (the coordinator, admins).
func interestRecorder(c *call, pid string) (own string, any bool) {
	if c.principal.User.Admin {
		return "", true
	}
	m, _ := c.principal.Membership(pid)
	switch m.Role {
	case workflow.RoleCoordinator:
		return "", true
	case workflow.RoleStakeholder:
		return m.StakeholderGroupID, false
	}
	return "", false
}

func (h *Handler) practiceTrace(c *call) error {
	return h.renderTrace(c, http.StatusOK, newForm(url.Values{}))
}

func (h *Handler) renderTrace(c *call, status int, f *form) error {
	d, err := h.visiblePractice(c)
	if err != nil {
		return err
	}
	g := d.Practice
	ctx := c.r.Context()
	pr, err := h.cfg.Store.Project(ctx, g.ProjectID)
	if err != nil {
		return err
	}
	t, err := h.cfg.Store.PracticeTrace(ctx, g.ID)
	if err != nil {
		return err
	}
	groups, err := allPages(func(pg workflow.Page) ([]workflow.StakeholderGroup, string, error) {
		return h.cfg.Store.ListStakeholderGroups(ctx, pr.ID, pg)
	})
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, gr := range groups {
		names[gr.ID] = gr.Name
	}
	v := traceView{Project: pr, Practice: g, Trace: t, Form: f, Draft: g.State == workflow.StateDraft,
		Place: placeName(c, g.Location.City, g.Location.NUTS2, g.Location.Country)}
	dt := c.dates(time.Now())
	for _, ti := range t.Interests {
		v.Interests = append(v.Interests, interestView{Group: names[ti.GroupID], Note: ti.Note, At: dt.at(ti.CreatedAt)})
		if own, _ := interestRecorder(c, pr.ID); own != "" && own == ti.GroupID {
			v.Already = true
		}
	}
	switch own, any := interestRecorder(c, pr.ID); {
	case any:
		v.Groups = groups
	case own != "":
		v.OwnGroup = names[own]
	}
	vw := view{Title: c.T("trace.title", "Title", g.Title), Data: v}
	if c.r.URL.Query().Get("done") == "interest" {
		vw.Notice = c.T("trace.done_interest")
	}
	h.render(c, status, "learning/trace", vw)
	return nil
}

// addInterest records a group's interest: a stakeholder's own group, or
// the group the coordinator chose.
func (h *Handler) addInterest(c *call) error {
	d, err := h.visiblePractice(c)
	if err != nil {
		return err
	}
	g := d.Practice
	f := newForm(c.r.PostForm)
	own, any := interestRecorder(c, g.ProjectID)
	group := f.Get("group_id")
	switch {
	case any:
	case own != "" && (group == "" || group == own):
		group = own
	default:
		h.notAllowed(c, c.T("trace.not_allowed"))
		return nil
	}
	ti := workflow.TransferInterest{PracticeID: g.ID, GroupID: group, Note: f.Get("note"), CreatedBy: c.principal.User.ID}
	err = h.cfg.Store.AddTransferInterest(c.r.Context(), &ti)
	switch {
	case err == nil:
		http.Redirect(c.w, c.r, "/ui/good-practices/"+g.ID+"/trace?done=interest#interests", http.StatusSeeOther)
		return nil
	case workflow.ErrorCode(err) == workflow.CodeConflict:
		f.Problem = c.sayError(asWorkflow(err))
		return h.renderTrace(c, http.StatusConflict, f)
	case f.refuse(c, err):
		return h.renderTrace(c, http.StatusUnprocessableEntity, f)
	}
	return err
}

func asWorkflow(err error) *workflow.Error {
	var we *workflow.Error
	if !errors.As(err, &we) {
		we = &workflow.Error{Message: err.Error()}
	}
	return we
}
