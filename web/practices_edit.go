package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/craftscode/craftscode/workflow"
)

// practiceEditRoutes registers the pages that create and edit good
// practices and their images.
func (h *Handler) practiceEditRoutes(m *http.ServeMux) {
	m.Handle("GET /ui/projects/{pid}/good-practices/new", h.page(true, h.newPracticeForm))
	m.Handle("POST /ui/projects/{pid}/good-practices/new", h.page(true, h.createPractice))
	m.Handle("GET /ui/good-practices/{id}/edit", h.page(true, h.editPracticeForm))
	m.Handle("POST /ui/good-practices/{id}/edit", h.page(true, h.savePractice))
	// The upload form is multipart: uploadForm reads its text fields (the
	// CSRF token among them) before page checks them, and leaves the file
	// to stream into the blob store.
	m.Handle("POST /ui/good-practices/{id}/images", h.uploadForm(h.cfg.ImageLimit, "image", h.page(true, h.addPracticeImage)))
	m.Handle("GET /ui/good-practices/{id}/images/{image}", h.page(true, h.practiceImage))
	m.Handle("POST /ui/good-practices/{id}/images/{image}/delete", h.page(true, h.deletePracticeImage))
}

// practiceFields are the good practice's fields as the form names them:
// the domain's names, so that its FieldErrors land next to them. They are
// every field the API's create and PATCH accept.
var practiceFields = []string{"title", "language", "location.country", "location.nuts2", "location.city",
	"summary", "description", "resources_needed", "timescale", "evidence_of_success", "potential_for_learning",
	"main_institution"}

// practiceLabels are the fields' labels in the page's language.
func practiceLabels(c *call) map[string]string {
	return map[string]string{
		"partner_id":             c.T("gpform.partner"),
		"title":                  c.T("gpform.title"),
		"language":               c.T("gpform.language"),
		"location.country":       c.T("gpform.country"),
		"location.nuts2":         c.T("gpform.nuts2"),
		"location.city":          c.T("gpform.city"),
		"summary":                c.T("gpform.summary"),
		"description":            c.T("gpform.description"),
		"resources_needed":       c.T("gpform.resources_needed"),
		"timescale":              c.T("gpform.timescale"),
		"evidence_of_success":    c.T("gpform.evidence_of_success"),
		"potential_for_learning": c.T("gpform.potential_for_learning"),
		"main_institution":       c.T("gpform.main_institution"),
	}
}

// practiceValues is a good practice as its form shows it.
func practiceValues(g *workflow.GoodPractice) url.Values {
	return url.Values{
		"partner_id":             {g.PartnerID},
		"title":                  {g.Title},
		"language":               {g.Language},
		"location.country":       {g.Location.Country},
		"location.nuts2":         {g.Location.NUTS2},
		"location.city":          {g.Location.City},
		"summary":                {g.Summary},
		"description":            {g.Description},
		"resources_needed":       {g.ResourcesNeeded},
		"timescale":              {g.Timescale},
		"evidence_of_success":    {g.EvidenceOfSuccess},
		"potential_for_learning": {g.PotentialForLearning},
		"main_institution":       {g.MainInstitution},
	}
}

// applyPractice sets every field of the form on g, as a PATCH naming them
// all would.
func applyPractice(f *form, g *workflow.GoodPractice) {
	g.Title = f.Get("title")
	g.Language = f.Get("language")
	g.Location = workflow.Location{Country: f.Get("location.country"), NUTS2: f.Get("location.nuts2"), City: f.Get("location.city")}
	g.Summary = f.Get("summary")
	g.Description = f.Get("description")
	g.ResourcesNeeded = f.Get("resources_needed")
	g.Timescale = f.Get("timescale")
	g.EvidenceOfSuccess = f.Get("evidence_of_success")
	g.PotentialForLearning = f.Get("potential_for_learning")
	g.MainInstitution = f.Get("main_institution")
}

// savedField is a field whose saved value differs from what the person
// typed, shown beside the form after a stale save.
type savedField struct{ Label, Value string }

type practiceEditView struct {
	Project    workflow.Project
	Practice   *workflow.GoodPractice // nil on the new page
	Form       *form
	Labels     map[string]string
	Partners   []workflow.Partner // the partners the caller may start one for (new page)
	Stale      bool               // a save from a stale page was refused
	Saved      []savedField       // then: the saved values that differ
	ImageForm  *form              // the image upload form
	ImageLimit string             // in MB
	Action     string             // where the content form posts
}

// creatablePartners are the project's partners the caller may start a
// good practice for: all of them for the coordinator and admins, its own
// for a partner, none for the other roles.
func (h *Handler) creatablePartners(c *call, pid string) ([]workflow.Partner, error) {
	if m, _ := c.principal.Membership(pid); !c.principal.User.Admin && m.Role != workflow.RoleCoordinator && m.Role != workflow.RolePartner {
		return nil, nil // no partner to ask CreateDeliverable about: spare the query
	}
	ps, err := allPages(func(pg workflow.Page) ([]workflow.Partner, string, error) {
		return h.cfg.Store.ListPartners(c.r.Context(), pid, pg)
	})
	if err != nil {
		return nil, err
	}
	var out []workflow.Partner
	for _, p := range ps {
		if c.principal.CreateDeliverable(pid, p.ID) == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// notAllowed answers a role that may not do what it asked with a page
// that says so (403); the project's scope was checked before, so this is
// never said of what the caller may not see.
func (h *Handler) notAllowed(c *call, msg string) {
	h.render(c, http.StatusForbidden, "error", view{Title: c.T("gpform.not_allowed"), Error: msg})
}

func (h *Handler) newPracticeForm(c *call) error {
	pr, err := h.learningProject(c)
	if err != nil {
		return err
	}
	partners, err := h.creatablePartners(c, pr.ID)
	if err != nil {
		return err
	}
	if len(partners) == 0 {
		h.notAllowed(c, c.T("gpform.not_allowed_create"))
		return nil
	}
	f := newForm(url.Values{})
	if len(partners) == 1 {
		f.Values.Set("partner_id", partners[0].ID)
	}
	h.renderPracticeNew(c, http.StatusOK, pr, partners, f)
	return nil
}

func (h *Handler) renderPracticeNew(c *call, status int, pr workflow.Project, partners []workflow.Partner, f *form) {
	h.render(c, status, "practices/edit", view{Title: c.T("gpform.new_page_title", "Project", pr.Acronym), Data: practiceEditView{
		Project: pr, Form: f, Labels: practiceLabels(c), Partners: partners,
		Action: "/ui/projects/" + pr.ID + "/good-practices/new"}})
}

func (h *Handler) createPractice(c *call) error {
	pr, err := h.learningProject(c)
	if err != nil {
		return err
	}
	partners, err := h.creatablePartners(c, pr.ID)
	if err != nil {
		return err
	}
	if len(partners) == 0 {
		h.notAllowed(c, c.T("gpform.not_allowed_create"))
		return nil
	}
	f := newForm(c.r.PostForm)
	g := &workflow.GoodPractice{ProjectID: pr.ID, PartnerID: f.Get("partner_id")}
	applyPractice(f, g)
	if g.PartnerID != "" {
		if err := c.principal.CreateDeliverable(pr.ID, g.PartnerID); workflow.ErrorCode(err) == workflow.CodeForbidden {
			f.Errors["partner_id"] = c.T("gpform.partner_not_yours")
		} else if err != nil {
			return err
		}
	}
	d := workflow.Deliverable{Kind: workflow.KindGoodPractice, Practice: g}
	g.Normalize()
	err = g.Validate()
	if err == nil && !f.Invalid() {
		err = h.cfg.Store.CreateDeliverable(c.r.Context(), &d)
	}
	if err != nil && !f.refuse(c, err) {
		return err
	}
	if f.Invalid() {
		if f.Problem == "" {
			f.Problem = c.T("gpform.refused")
		}
		h.renderPracticeNew(c, http.StatusUnprocessableEntity, pr, partners, f)
		return nil
	}
	http.Redirect(c.w, c.r, "/ui/good-practices/"+g.ID+"/edit?done=created", http.StatusSeeOther)
	return nil
}

// editablePractice loads the good practice of the path for an edit: 404
// outside the caller's scope, "not allowed" (false, rendered) for a role
// that may not edit it.
func (h *Handler) editablePractice(c *call) (workflow.Deliverable, bool, error) {
	d, err := h.visiblePractice(c)
	if err != nil {
		return d, false, err
	}
	if err := c.principal.EditDeliverable(d); err != nil {
		if workflow.ErrorCode(err) == workflow.CodeForbidden {
			h.notAllowed(c, c.T("gpform.not_allowed_edit"))
			return d, false, nil
		}
		return d, false, err
	}
	return d, true, nil
}

// visiblePractice loads the good practice of the path as the caller may
// see it; anything else is 404.
func (h *Handler) visiblePractice(c *call) (workflow.Deliverable, error) {
	id := c.r.PathValue("id")
	if !workflow.ValidID(id) {
		return workflow.Deliverable{}, workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	d, err := h.cfg.Store.Deliverable(c.r.Context(), workflow.KindGoodPractice, id)
	if err != nil {
		return d, err
	}
	return d, c.principal.SeeDeliverable(d)
}

// notDraft answers an edit of a good practice past draft: its content and
// images are frozen until it is revised.
func (h *Handler) notDraft(c *call, g *workflow.GoodPractice) {
	h.render(c, http.StatusConflict, "error", view{Title: c.T("gpform.not_draft_title"),
		Error: c.T("gpform.not_draft", "State", c.T(codeKey(g.State)))})
}

func (h *Handler) editPracticeForm(c *call) error {
	d, ok, err := h.editablePractice(c)
	if err != nil || !ok {
		return err
	}
	g := d.Practice
	if g.State != workflow.StateDraft {
		h.notDraft(c, g)
		return nil
	}
	f := newForm(practiceValues(g))
	f.Version = g.Version
	return h.renderPracticeEdit(c, http.StatusOK, g, f, newForm(url.Values{}), nil)
}

// renderPracticeEdit shows the edit page: the content form f, the image
// form, and after a stale save (stale non-nil) the saved values that
// differ from what was typed.
func (h *Handler) renderPracticeEdit(c *call, status int, g *workflow.GoodPractice, f *form, images *form, stale []savedField) error {
	pr, err := h.cfg.Store.Project(c.r.Context(), g.ProjectID)
	if err != nil {
		return err
	}
	v := view{Title: c.T("gpform.edit_title", "Title", g.Title), Data: practiceEditView{
		Project: pr, Practice: g, Form: f, Labels: practiceLabels(c), Stale: stale != nil, Saved: stale, ImageForm: images, ImageLimit: megabytes(h.cfg.ImageLimit),
		Action: "/ui/good-practices/" + g.ID + "/edit"}}
	switch c.r.URL.Query().Get("done") {
	case "created":
		v.Notice = c.T("gpform.done_created")
	case "saved":
		v.Notice = c.T("gpform.done_saved")
	case "image_added":
		v.Notice = c.T("gpform.done_image_added")
	case "image_deleted":
		v.Notice = c.T("gpform.done_image_deleted")
	}
	h.render(c, status, "practices/edit", v)
	return nil
}

func (h *Handler) savePractice(c *call) error {
	d, ok, err := h.editablePractice(c)
	if err != nil || !ok {
		return err
	}
	cur := d.Practice
	if cur.State != workflow.StateDraft {
		h.notDraft(c, cur)
		return nil
	}
	f := newForm(c.r.PostForm)
	version, verr := strconv.Atoi(f.Get("version"))
	f.Version = version
	// Validate through the domain first, so that a refused form is shown
	// with its problems whatever the version.
	check := *cur
	applyPractice(f, &check)
	check.Normalize()
	if err := check.Validate(); err != nil {
		if !f.refuse(c, err) {
			return err
		}
		return h.renderPracticeEdit(c, http.StatusUnprocessableEntity, cur, f, newForm(url.Values{}), nil)
	}
	if verr != nil || version < 1 {
		version = -1 // a form without its version cannot overwrite anything
	}
	out, err := h.cfg.Store.UpdateDeliverable(c.r.Context(), workflow.KindGoodPractice, cur.ID, version, func(d *workflow.Deliverable) error {
		applyPractice(f, d.Practice)
		d.Practice.Normalize()
		return d.Practice.Validate()
	})
	switch {
	case err == nil:
		http.Redirect(c.w, c.r, "/ui/good-practices/"+out.Practice.ID+"/edit?done=saved", http.StatusSeeOther)
		return nil
	case workflow.ErrorCode(err) == workflow.CodePreconditionFailed:
		return h.practiceConflict(c, f)
	case f.refuse(c, err):
		return h.renderPracticeEdit(c, http.StatusUnprocessableEntity, cur, f, newForm(url.Values{}), nil)
	}
	return err
}

// practiceConflict answers a save from a stale page: nothing is
// overwritten; the page shows the saved values that differ from what the
// person typed, and keeps their text in the form, now at the current
// version, so that saving again is a deliberate choice.
func (h *Handler) practiceConflict(c *call, f *form) error {
	d, err := h.visiblePractice(c)
	if err != nil {
		return err
	}
	cur := d.Practice
	if cur.State != workflow.StateDraft {
		h.notDraft(c, cur)
		return nil
	}
	labels, saved := practiceLabels(c), practiceValues(cur)
	diff := []savedField{}
	for _, name := range practiceFields {
		if saved.Get(name) != f.Get(name) {
			diff = append(diff, savedField{Label: labels[name], Value: saved.Get(name)})
		}
	}
	f.Version = cur.Version
	return h.renderPracticeEdit(c, http.StatusConflict, cur, f, newForm(url.Values{}), diff)
}
