package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/craftscode/craftscode/evidence"
	"github.com/craftscode/craftscode/workflow"
)

// One progress report per period: each action's status (with an
// explanation where the status needs one), each indicator's value, the
// policy improvements, and the report's evidence. The form's fields are
// the domain's (actions[0].status, indicator_values[1].achieved,
// improvements[0].description), indexed by the plan's action and
// indicator order, so that the store's problems land at their fields.

type reportAction struct {
	Index  int
	Action workflow.PlanAction
	Saved  *workflow.ActionProgress // as stored, when the form shown is not
}

type reportIndicator struct {
	Index     int
	Indicator workflow.Indicator
	Saved     string // the stored value, when the form shown is not
}

type evidenceRow struct {
	ID, Name, Type, Size string
	When                 when
}

type improvementRow struct{ Index, Number int }

type problemLink struct{ Anchor, Label, Message string }

type reportView struct {
	Plan         *workflow.ActionPlan
	Period       workflow.PeriodStatus
	Due          when
	Report       *workflow.ProgressReport
	CanStart     bool // no report yet, and the caller may start it
	CanEdit      bool // a draft the caller may edit
	CanUpload    bool
	Form         *form
	Problems     []problemLink
	Stale        bool
	Actions      []reportAction
	Indicators   []reportIndicator
	Improvements []improvementRow // the rows of the improvements form
	Statuses     []option
	Types        []option
	Evidence     []evidenceRow
	EvidenceName map[string]string
	Limit        string // the evidence limit, in MB
	UploadError  string
	Permitted    []workflow.ReportPermitted
	History      []historyRow
	Note         *form // the return form
}

type historyRow struct {
	From, To, Trigger, Actor, Note string
	At                             when
}

// reportParts loads what a report's page shows: the plan, its period,
// its report for the period (nil when none was started) and indicators.
type reportParts struct {
	d          workflow.Deliverable
	period     workflow.PeriodStatus
	report     *workflow.ProgressReport
	indicators []workflow.Indicator
}

func (h *Handler) loadReport(c *call) (reportParts, error) {
	var rp reportParts
	d, pr, err := h.monitoredPlan(c)
	if err != nil {
		return rp, err
	}
	rp.d = d
	name := c.r.PathValue("period")
	if _, ok := workflow.PeriodOf(pr, name); !ok {
		return rp, workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	reports, err := h.planReports(c, d.Plan.ID)
	if err != nil {
		return rp, err
	}
	for _, s := range workflow.PeriodStatuses(pr, reports, time.Now()) {
		if s.Name == name {
			rp.period = s
		}
	}
	if rp.period.ReportID != "" {
		r, err := h.cfg.Store.ProgressReport(c.r.Context(), rp.period.ReportID, *c.principal)
		if err != nil {
			return rp, err
		}
		rp.report = &r
	}
	rp.indicators, err = h.cfg.Store.ListIndicators(c.r.Context(), d.Plan.ID, *c.principal)
	return rp, err
}

// reportValues is the form as the report is stored.
func reportValues(rp reportParts) map[string][]string {
	v := map[string][]string{}
	r := rp.report
	if r == nil {
		return v
	}
	for _, a := range r.Actions {
		i := a.Number - 1
		v[fmt.Sprintf("actions[%d].status", i)] = []string{string(a.Status)}
		v[fmt.Sprintf("actions[%d].explanation", i)] = []string{a.Explanation}
		v[fmt.Sprintf("actions[%d].narrative", i)] = []string{a.Narrative}
		v[fmt.Sprintf("actions[%d].evidence_ids", i)] = a.EvidenceIDs
	}
	for j, in := range rp.indicators {
		for _, iv := range r.IndicatorValues {
			if iv.IndicatorID == in.ID {
				v[fmt.Sprintf("indicator_values[%d].achieved", j)] = []string{numberText(iv.Achieved)}
			}
		}
	}
	for k, m := range r.Improvements {
		p := fmt.Sprintf("improvements[%d].", k)
		v[p+"id"] = []string{m.ID}
		v[p+"type"] = []string{string(m.Type)}
		v[p+"description"] = []string{m.Description}
		v[p+"date"] = []string{m.Date.String()}
		v[p+"evidence_ids"] = m.EvidenceIDs
	}
	return v
}

func (h *Handler) reportPage(c *call) error {
	rp, err := h.loadReport(c)
	if err != nil {
		return err
	}
	f := newForm(reportValues(rp))
	if rp.report != nil {
		f.Version = rp.report.Version
	}
	return h.renderReport(c, http.StatusOK, rp, f, false, nil)
}

// renderReport shows the report's page with f as its form; stale shows
// the stored values beside what was typed; note is the return form.
func (h *Handler) renderReport(c *call, status int, rp reportParts, f *form, stale bool, note *form) error {
	ctx := c.r.Context()
	d := rp.d
	now := time.Now()
	dates := c.dates(now)
	edit := c.principal.EditDeliverable(d) == nil
	v := reportView{Plan: d.Plan, Period: rp.period, Due: dates.day(rp.period.DueDate), Report: rp.report, Form: f,
		Stale: stale, Limit: humanSize(c, h.cfg.EvidenceLimit), Note: note, EvidenceName: map[string]string{}}
	if v.Note == nil {
		v.Note = newForm(map[string][]string{})
	}
	v.CanStart = rp.report == nil && edit && d.Plan.State == workflow.StateMonitored
	v.CanEdit = rp.report != nil && rp.report.State == workflow.ReportDraft && edit
	v.CanUpload = v.CanEdit && h.cfg.Blobs != nil
	for i, a := range d.Plan.Actions {
		ra := reportAction{Index: i, Action: a}
		if stale && rp.report != nil {
			for _, s := range rp.report.Actions {
				if s.Number == a.Number {
					ra.Saved = &s
				}
			}
			if ra.Saved == nil {
				ra.Saved = &workflow.ActionProgress{Number: a.Number, Status: "not_reported"}
			}
		}
		v.Actions = append(v.Actions, ra)
	}
	saved := reportValues(rp)
	for j, in := range rp.indicators {
		ri := reportIndicator{Index: j, Indicator: in}
		if stale {
			ri.Saved = "–"
			if s := saved[fmt.Sprintf("indicator_values[%d].achieved", j)]; len(s) > 0 {
				ri.Saved = s[0]
			}
		}
		v.Indicators = append(v.Indicators, ri)
	}
	rows := 0
	for f.Values.Has(fmt.Sprintf("improvements[%d].type", rows)) || f.Values.Has(fmt.Sprintf("improvements[%d].description", rows)) {
		rows++
	}
	blank := func(k int) bool {
		p := fmt.Sprintf("improvements[%d].", k)
		return f.Get(p+"id") == "" && f.Get(p+"type") == "" && strings.TrimSpace(f.Get(p+"description")) == "" && f.Get(p+"date") == ""
	}
	if v.CanEdit && rows < 100 && (rows == 0 || !blank(rows-1)) {
		rows++ // a blank row for a new one
	}
	for k := range rows {
		v.Improvements = append(v.Improvements, improvementRow{k, k + 1})
	}
	v.Statuses = append(v.Statuses, option{"", c.T("report.status_none"), false})
	for _, s := range workflow.ActionStatuses {
		v.Statuses = append(v.Statuses, option{string(s), c.T(codeKey(s)), false})
	}
	v.Types = append(v.Types, option{"", c.T("report.type_none"), false})
	for _, t := range workflow.ImprovementTypes {
		v.Types = append(v.Types, option{string(t), c.T(codeKey(t)), false})
	}
	if rp.report != nil {
		evs, err := allPages(func(pg workflow.Page) ([]workflow.Evidence, string, error) {
			return h.cfg.Store.ListEvidence(ctx, d.Plan.ID, pg)
		})
		if err != nil {
			return err
		}
		for _, e := range evs {
			if e.ReportID != nil && *e.ReportID == rp.report.ID {
				v.Evidence = append(v.Evidence, evidenceRow{ID: e.ID, Name: e.Filename, Type: evidenceType(e.ContentType),
					Size: c.T("report.evidence_size", "Size", humanSize(c, e.Size)), When: dates.atRel(e.CreatedAt)})
				v.EvidenceName[e.ID] = e.Filename
			}
		}
		permitted, _, err := h.cfg.Store.ReportPermittedTransitions(ctx, rp.report.ID, *c.principal)
		if err != nil {
			return err
		}
		v.Permitted = permitted
		hist, err := allPages(func(pg workflow.Page) ([]workflow.ReportTransitionRecord, string, error) {
			return h.cfg.Store.ReportHistory(ctx, rp.report.ID, *c.principal, pg)
		})
		if err != nil {
			return err
		}
		var ids []string
		for _, t := range hist {
			ids = append(ids, t.ActorID)
		}
		names, err := h.cfg.Store.UserNames(ctx, ids)
		if err != nil {
			return err
		}
		for i := len(hist) - 1; i >= 0; i-- { // the latest first
			t := hist[i]
			if names[t.ActorID] == "" {
				names[t.ActorID] = t.ActorID
			}
			v.History = append(v.History, historyRow{From: c.T(codeKey(t.From)), To: c.T(codeKey(t.To)), Trigger: c.T(codeKey(t.Trigger)),
				Actor: names[t.ActorID], Note: t.Note, At: dates.atRel(t.At)})
		}
	}
	v.Problems = reportProblems(c, v, f)
	v.Problems = append(v.Problems, reportProblems(c, v, v.Note)...)
	page := view{Title: c.T("report.title", "Period", rp.period.Name, "Title", d.Plan.Title), Data: v, ProjectID: d.Plan.ProjectID}
	switch c.r.URL.Query().Get("done") {
	case "saved":
		page.Notice = c.T("report.saved")
	case "started":
		page.Notice = c.T("report.started")
	case "uploaded":
		page.Notice = c.T("report.evidence_uploaded")
	case "deleted":
		page.Notice = c.T("report.evidence_deleted")
	case "transition":
		if rp.report != nil {
			page.Notice = c.T("report.now", "State", inSentence(c.T(codeKey(rp.report.State))))
		}
	}
	h.render(c, status, "monitoring/report", page)
	return nil
}

// evidenceType names a stored content type briefly: PDF, PNG, DOCX…
func evidenceType(ct string) string {
	switch ct {
	case evidence.TypePDF:
		return "PDF"
	case evidence.TypePNG:
		return "PNG"
	case evidence.TypeJPEG:
		return "JPEG"
	case evidence.TypeGIF:
		return "GIF"
	case evidence.TypeWebP:
		return "WebP"
	case evidence.TypeText:
		return "TXT"
	case evidence.TypeCSV:
		return "CSV"
	case evidence.TypeDOCX:
		return "DOCX"
	case evidence.TypeXLSX:
		return "XLSX"
	case evidence.TypePPTX:
		return "PPTX"
	case evidence.TypeODT:
		return "ODT"
	case evidence.TypeODS:
		return "ODS"
	case evidence.TypeODP:
		return "ODP"
	}
	return ct
}

var reportField = regexp.MustCompile(`^(actions|indicator_values|improvements)\[(\d+)\]\.?(.*)$`)

// reportFieldLabel names a field of the report's form in words.
func reportFieldLabel(c *call, v reportView, name string) string {
	m := reportField.FindStringSubmatch(name)
	if m == nil {
		switch name {
		case "note":
			return c.T("report.note")
		case "actions":
			return c.T("report.actions")
		case "indicator_values":
			return c.T("report.indicators")
		case "improvements":
			return c.T("report.improvements")
		}
		return name
	}
	i, _ := strconv.Atoi(m[2])
	var what string
	switch m[3] {
	case "status":
		what = c.T("report.status")
	case "explanation":
		what = c.T("report.explanation")
	case "narrative":
		what = c.T("report.narrative")
	case "achieved":
		what = c.T("report.achieved")
	case "type":
		what = c.T("report.type")
	case "description":
		what = c.T("report.description")
	case "date":
		what = c.T("report.date")
	default:
		what = c.T("report.evidence")
	}
	switch m[1] {
	case "actions":
		return c.T("report.in_action", "Number", i+1, "Field", what)
	case "indicator_values":
		if i < len(v.Indicators) {
			return v.Indicators[i].Indicator.Name + " · " + what
		}
	}
	return c.T("report.in_improvement", "Number", i+1, "Field", what)
}

func reportProblems(c *call, v reportView, f *form) []problemLink {
	var out []problemLink
	for name, msg := range f.Errors {
		out = append(out, problemLink{Anchor: domainFieldID(name), Label: reportFieldLabel(c, v, name), Message: msg})
	}
	// The order of the form: actions, indicators, improvements, the note.
	rank := func(p problemLink) string { return p.Anchor }
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && rank(out[j]) < rank(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// readReport turns the posted form into the report's content; numbers
// that are not are problems of the form. index maps each list's position
// in the content back to its row in the form.
func readReport(c *call, f *form, rp reportParts) (workflow.ReportContent, map[string][]int) {
	index := map[string][]int{}
	actions := []workflow.ActionProgress{}
	for i, a := range rp.d.Plan.Actions {
		p := fmt.Sprintf("actions[%d].", i)
		ap := workflow.ActionProgress{Number: a.Number, Status: workflow.ActionStatus(f.Get(p + "status")),
			Explanation: f.Get(p + "explanation"), Narrative: f.Get(p + "narrative"), EvidenceIDs: f.All(p + "evidence_ids")}
		if ap.Status == "" && strings.TrimSpace(ap.Explanation) == "" && strings.TrimSpace(ap.Narrative) == "" && len(ap.EvidenceIDs) == 0 {
			continue // not reported yet
		}
		actions = append(actions, ap)
		index["actions"] = append(index["actions"], i)
	}
	values := []workflow.IndicatorValue{}
	for j, in := range rp.indicators {
		name := fmt.Sprintf("indicator_values[%d].achieved", j)
		s := strings.TrimSpace(f.Get(name))
		if s == "" {
			continue
		}
		x, ok := parseNumber(s)
		if !ok {
			f.Errors[name] = c.T("monitoring.not_a_number")
			continue
		}
		values = append(values, workflow.IndicatorValue{IndicatorID: in.ID, Achieved: x})
		index["indicator_values"] = append(index["indicator_values"], j)
	}
	improvements := []workflow.Improvement{}
	for k := 0; k <= 100; k++ {
		p := fmt.Sprintf("improvements[%d].", k)
		if !f.Values.Has(p+"type") && !f.Values.Has(p+"description") {
			break
		}
		if f.Get(p+"remove") != "" {
			continue
		}
		m := workflow.Improvement{ID: f.Get(p + "id"), Type: workflow.ImprovementType(f.Get(p + "type")),
			Description: f.Get(p + "description"), EvidenceIDs: f.All(p + "evidence_ids")}
		date := strings.TrimSpace(f.Get(p + "date"))
		if m.Type == "" && strings.TrimSpace(m.Description) == "" && date == "" {
			continue // the blank row
		}
		if date != "" {
			d, err := workflow.ParseDate(date)
			if err != nil {
				f.Errors[p+"date"] = c.T("report.date_format")
			}
			m.Date = d
		}
		improvements = append(improvements, m)
		index["improvements"] = append(index["improvements"], k)
	}
	return workflow.ReportContent{Actions: &actions, IndicatorValues: &values, Improvements: &improvements}, index
}

// remapFields renames a domain error's fields from positions in the
// content to rows of the form.
func remapFields(err error, index map[string][]int) error {
	we, ok := err.(*workflow.Error)
	if !ok {
		return err
	}
	out := *we
	out.Fields = nil
	for _, fe := range we.Fields {
		if m := reportField.FindStringSubmatch(fe.Field); m != nil {
			n, _ := strconv.Atoi(m[2])
			if rows := index[m[1]]; n < len(rows) {
				fe.Field = fmt.Sprintf("%s[%d]", m[1], rows[n])
				if m[3] != "" {
					fe.Field += "." + m[3]
				}
			}
		}
		out.Fields = append(out.Fields, fe)
	}
	return &out
}

func (h *Handler) saveReport(c *call) error {
	rp, err := h.loadReport(c)
	if err != nil {
		return err
	}
	if rp.report == nil {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	if err := c.principal.EditDeliverable(rp.d); err != nil {
		return err
	}
	f := newForm(c.r.PostForm)
	version, verr := postedVersion(c)
	f.Version = version
	content, index := readReport(c, f, rp)
	if verr != nil {
		f.Problem = c.T("edit.no_version")
	}
	// The domain's checks first, so that every problem shows at once,
	// with those of the numbers typed.
	check := *rp.report
	check.Actions, check.IndicatorValues, check.Improvements = *content.Actions, *content.IndicatorValues, *content.Improvements
	check.Normalize()
	ids := make([]string, len(rp.indicators))
	for j, in := range rp.indicators {
		ids[j] = in.ID
	}
	err = remapFields(check.Validate(len(rp.d.Plan.Actions), ids), index)
	if err != nil && !f.refuse(c, err) {
		return err
	}
	if f.Invalid() {
		if f.Problem == "" {
			f.Problem = c.T("report.refused")
		}
		return h.renderReport(c, http.StatusUnprocessableEntity, rp, f, false, nil)
	}
	_, err = h.cfg.Store.UpdateProgressReport(c.r.Context(), rp.report.ID, version, content, *c.principal)
	err = remapFields(err, index)
	switch code := workflow.ErrorCode(err); {
	case err == nil:
		http.Redirect(c.w, c.r, reportURL(rp.d.Plan.ID, rp.period.Name, "?done=saved"), http.StatusSeeOther)
		return nil
	case code == workflow.CodePreconditionFailed:
		// Someone saved the report meanwhile: nothing is saved; what was
		// typed stays, beside what is stored now, at the stored version.
		f.Version = rp.report.Version
		f.Problem = c.T("report.stale")
		return h.renderReport(c, http.StatusConflict, rp, f, true, nil)
	case code == workflow.CodeConflict:
		_, ev := h.describe(c, err)
		f.Problem = ev.Error
		return h.renderReport(c, http.StatusConflict, rp, f, false, nil)
	case f.refuse(c, err):
		return h.renderReport(c, http.StatusUnprocessableEntity, rp, f, false, nil)
	}
	return err
}

func (h *Handler) startReport(c *call) error {
	d, _, err := h.monitoredPlan(c)
	if err != nil {
		return err
	}
	period := c.r.PathValue("period")
	_, err = h.cfg.Store.CreateProgressReport(c.r.Context(), d.Plan.ID, period, *c.principal)
	if err != nil {
		if workflow.ErrorCode(err) == workflow.CodeInvalid {
			rp, lerr := h.loadReport(c)
			if lerr != nil {
				return lerr
			}
			if rp.report != nil { // started meanwhile, in another tab
				http.Redirect(c.w, c.r, reportURL(d.Plan.ID, period, ""), http.StatusSeeOther)
				return nil
			}
			f := newForm(map[string][]string{})
			f.refuse(c, err)
			return h.renderReport(c, http.StatusUnprocessableEntity, rp, f, false, nil)
		}
		return err
	}
	http.Redirect(c.w, c.r, reportURL(d.Plan.ID, period, "?done=started"), http.StatusSeeOther)
	return nil
}

// fireReport fires the report's submit, accept or return at the version
// the page was shown with.
func (h *Handler) fireReport(c *call) error {
	rp, err := h.loadReport(c)
	if err != nil {
		return err
	}
	if rp.report == nil {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	note := newForm(c.r.PostForm)
	trigger, ok := workflow.ParseReportTrigger(note.Get("trigger"))
	if !ok {
		return workflow.Errorf(workflow.CodeInvalid, "%s", c.T("report.unknown_trigger"))
	}
	version, verr := postedVersion(c)
	if verr == nil {
		_, _, err = h.cfg.Store.FireReportTransition(c.r.Context(), workflow.ReportTransitionRequest{ReportID: rp.report.ID,
			Version: version, Trigger: trigger, Note: strings.TrimSpace(note.Get("note")), Principal: *c.principal,
			RequestID: c.w.Header().Get("X-Request-Id")})
	} else {
		err = verr
	}
	if err == nil {
		http.Redirect(c.w, c.r, reportURL(rp.d.Plan.ID, rp.period.Name, "?done=transition"), http.StatusSeeOther)
		return nil
	}
	code := workflow.ErrorCode(err)
	if code == workflow.CodeForbidden || !formProblem(err) {
		return err
	}
	f := newForm(reportValues(rp))
	f.Version = rp.report.Version
	if trigger != workflow.ReportReturn {
		note = nil
	}
	switch code {
	case workflow.CodePreconditionFailed:
		f.Problem = c.T("report.transition_stale")
		return h.renderReport(c, http.StatusConflict, rp, f, false, note)
	case workflow.CodeConflict:
		_, ev := h.describe(c, err)
		f.Problem = ev.Error
		return h.renderReport(c, http.StatusConflict, rp, f, false, note)
	}
	// A submit that lacks something, or a return without its note: the
	// problems at their fields.
	target := f
	if note != nil {
		target = note
	}
	target.refuse(c, err)
	status := http.StatusUnprocessableEntity
	if code == workflow.CodeGuardFailed && trigger == workflow.ReportSubmit {
		status = http.StatusConflict
	}
	return h.renderReport(c, status, rp, f, false, note)
}
