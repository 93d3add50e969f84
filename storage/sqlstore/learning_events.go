package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/craftscode/craftscode/workflow"
)

type learningEventRow struct {
	ID            string
	ProjectID     string
	Type          string
	Title         string
	HostPartnerID string
	SeminarNumber *int
	Status        string
	StartDate     workflow.Date
	EndDate       workflow.Date
	Content       string
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (learningEventRow) TableName() string { return "learning_events" }

// eventContent is the part of an event kept as JSON: nothing is queried by it.
type eventContent struct {
	Place               workflow.Place `json:"place"`
	PartnerIDs          []string       `json:"partner_ids"`
	StakeholderGroupIDs []string       `json:"stakeholder_group_ids"`
	Agenda              string         `json:"agenda"`
	Minutes             string         `json:"minutes"`
}

type eventPracticeRow struct {
	EventID        string
	GoodPracticeID string
}

func (eventPracticeRow) TableName() string { return "learning_event_practices" }

func eventToRow(e workflow.LearningEvent) (learningEventRow, error) {
	b, err := json.Marshal(eventContent{Place: e.Place, PartnerIDs: e.PartnerIDs, StakeholderGroupIDs: e.StakeholderGroupIDs,
		Agenda: e.Agenda, Minutes: e.Minutes})
	if err != nil {
		return learningEventRow{}, err
	}
	return learningEventRow{ID: e.ID, ProjectID: e.ProjectID, Type: string(e.Type), Title: e.Title, HostPartnerID: e.HostPartnerID,
		SeminarNumber: e.SeminarNumber, Status: string(e.Status), StartDate: *e.StartDate, EndDate: *e.EndDate, Content: string(b),
		Version: e.Version, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}, nil
}

func (r learningEventRow) domain(practices []string) (workflow.LearningEvent, error) {
	var c eventContent
	if err := json.Unmarshal([]byte(r.Content), &c); err != nil {
		return workflow.LearningEvent{}, fmt.Errorf("learning event %s: %w", r.ID, err)
	}
	start, end := r.StartDate, r.EndDate
	e := workflow.LearningEvent{ID: r.ID, ProjectID: r.ProjectID, Type: workflow.LearningEventType(r.Type), Title: r.Title,
		HostPartnerID: r.HostPartnerID, SeminarNumber: r.SeminarNumber, Status: workflow.LearningEventStatus(r.Status),
		StartDate: &start, EndDate: &end, Place: c.Place, PartnerIDs: nonNil(c.PartnerIDs),
		StakeholderGroupIDs: nonNil(c.StakeholderGroupIDs), Agenda: c.Agenda, GoodPracticeIDs: nonNil(practices),
		Minutes: c.Minutes, Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	return e, nil
}

// checkEventRefs checks that everything the event names is the project's
// (and, for a good practice not in kept, visible to the viewer).
func checkEventRefs(tx *gorm.DB, e workflow.LearningEvent, kept map[string]bool) error {
	if err := inProject(tx, &partnerRow{}, e.ProjectID, e.HostPartnerID, "host_partner_id"); err != nil {
		return err
	}
	for i, id := range e.PartnerIDs {
		if err := inProject(tx, &partnerRow{}, e.ProjectID, id, fmt.Sprintf("partner_ids[%d]", i)); err != nil {
			return err
		}
	}
	for i, id := range e.StakeholderGroupIDs {
		if err := inProject(tx, &groupRow{}, e.ProjectID, id, fmt.Sprintf("stakeholder_group_ids[%d]", i)); err != nil {
			return err
		}
	}
	for i, id := range e.GoodPracticeIDs {
		if err := goodPracticeInProject(tx, e.ProjectID, id, fmt.Sprintf("good_practice_ids[%d]", i), kept); err != nil {
			return err
		}
	}
	return nil
}

// goodPracticeInProject checks a reference to a good practice, which is a
// deliverable of its own kind. One the request's viewer may not see is
// refused in the same words as an absent one, unless kept names it (the
// reference was there before the edit).
func goodPracticeInProject(tx *gorm.DB, projectID, id, field string, kept map[string]bool) error {
	var rows []deliverableRow
	if err := tx.Where("id = ? AND kind = ? AND project_id = ?", id, string(workflow.KindGoodPractice), projectID).
		Limit(1).Find(&rows).Error; err != nil {
		return err
	}
	if len(rows) == 0 {
		return invalidRef(workflow.Problem(field, "does not name a good practice of this project"))
	}
	if kept[id] {
		return nil
	}
	d, err := fromRow(rows[0])
	if err != nil {
		return err
	}
	if !viewerSees(tx)(d) {
		return invalidRef(workflow.Problem(field, "does not name a good practice of this project"))
	}
	return nil
}

func seminarTaken(err error) error {
	if workflow.ErrorCode(err) == workflow.CodeConflict {
		return workflow.Errorf(workflow.CodeConflict, "this thematic seminar slot already has an event")
	}
	return err
}

func writePractices(tx *gorm.DB, e workflow.LearningEvent) error {
	if err := tx.Where("event_id = ?", e.ID).Delete(&eventPracticeRow{}).Error; err != nil {
		return err
	}
	if len(e.GoodPracticeIDs) == 0 {
		return nil
	}
	rows := make([]eventPracticeRow, len(e.GoodPracticeIDs))
	for i, id := range e.GoodPracticeIDs {
		rows[i] = eventPracticeRow{EventID: e.ID, GoodPracticeID: id}
	}
	return tx.Create(&rows).Error
}

// CreateEvent stores a new, validated event at version 1.
func (s *Store) CreateEvent(ctx context.Context, e *workflow.LearningEvent) error {
	e.Normalize()
	t := now()
	e.ID, e.Version, e.CreatedAt, e.UpdatedAt = workflow.NewID(), 1, t, t
	if err := e.Validate(); err != nil {
		return err
	}
	err := s.tx(ctx, func(tx *gorm.DB) error {
		if err := checkEventRefs(tx, *e, nil); err != nil {
			return err
		}
		row, err := eventToRow(*e)
		if err != nil {
			return err
		}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		return writePractices(tx, *e)
	})
	e.CitedBy = []workflow.PracticeCitation{} // nothing cites a new event
	return seminarTaken(err)
}

func loadEvent(tx *gorm.DB, id string) (workflow.LearningEvent, error) {
	var row learningEventRow
	if err := tx.Where("id = ?", id).Take(&row).Error; err != nil {
		return workflow.LearningEvent{}, notFound(err, "learning event")
	}
	var practices []string
	if err := tx.Model(&eventPracticeRow{}).Where("event_id = ?", id).Order("good_practice_id").Pluck("good_practice_id", &practices).Error; err != nil {
		return workflow.LearningEvent{}, err
	}
	e, err := row.domain(practices)
	if err != nil {
		return e, err
	}
	e.CitedBy, err = citingActions(tx, workflow.CiteEvent, id, viewerSees(tx))
	return e, err
}

// visibleEvent is the event as the request's viewer may read it: without
// the good practices it may not see.
func visibleEvent(db *gorm.DB, e workflow.LearningEvent) (workflow.LearningEvent, error) {
	see := viewerSees(db)
	ids := []string{}
	for _, gp := range e.GoodPracticeIDs {
		ok, err := sees(db, see, workflow.KindGoodPractice, gp)
		if err != nil {
			return e, err
		}
		if ok {
			ids = append(ids, gp)
		}
	}
	e.GoodPracticeIDs = ids
	return e, nil
}

func (s *Store) Event(ctx context.Context, id string) (workflow.LearningEvent, error) {
	db := s.db.WithContext(ctx)
	e, err := loadEvent(db, id)
	if err == nil {
		e, err = visibleEvent(db, e)
	}
	return e, translate(err)
}

func (s *Store) ListEvents(ctx context.Context, projectID string, p workflow.Page) ([]workflow.LearningEvent, string, error) {
	db := s.db.WithContext(ctx)
	rows, next, err := page(db.Model(&learningEventRow{}).Where("project_id = ?", projectID), p,
		func(r learningEventRow) string { return r.ID })
	if err != nil {
		return nil, "", err
	}
	out := make([]workflow.LearningEvent, len(rows))
	for i, r := range rows {
		// One query per event keeps the code plain; a page is at most 100.
		if out[i], err = loadEvent(db, r.ID); err != nil {
			return nil, "", translate(err)
		}
		if out[i], err = visibleEvent(db, out[i]); err != nil {
			return nil, "", translate(err)
		}
	}
	return out, next, nil
}

func (s *Store) UpdateEvent(ctx context.Context, id string, version int, edit func(*workflow.LearningEvent) error) (workflow.LearningEvent, error) {
	var out workflow.LearningEvent
	err := s.tx(ctx, func(tx *gorm.DB) error {
		e, err := loadEvent(tx, id)
		if err != nil {
			return err
		}
		if e.Version != version {
			return workflow.Errorf(workflow.CodePreconditionFailed, "the event is at version %d, not %d", e.Version, version)
		}
		created := e.CreatedAt
		kept := map[string]bool{}
		for _, gp := range e.GoodPracticeIDs {
			kept[gp] = true
		}
		if err := edit(&e); err != nil {
			return err
		}
		// What identifies the event is not the edit's to change.
		e.ID, e.Version, e.CreatedAt, e.UpdatedAt = id, version+1, created, now()
		e.Normalize()
		if err := e.Validate(); err != nil {
			return err
		}
		if err := checkEventRefs(tx, e, kept); err != nil {
			return err
		}
		row, err := eventToRow(e)
		if err != nil {
			return err
		}
		res := tx.Model(&learningEventRow{}).Where("id = ? AND version = ?", id, version).Updates(map[string]any{
			"type": row.Type, "title": row.Title, "host_partner_id": row.HostPartnerID, "seminar_number": row.SeminarNumber,
			"status": row.Status, "start_date": row.StartDate, "end_date": row.EndDate, "content": row.Content,
			"version": row.Version, "updated_at": row.UpdatedAt})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return workflow.Errorf(workflow.CodePreconditionFailed, "the event changed meanwhile; reload it")
		}
		if err := writePractices(tx, e); err != nil {
			return err
		}
		out, err = visibleEvent(tx, e)
		return err
	})
	return out, seminarTaken(err)
}

// ThematicSeminars lists the project's 4 seminar slots with the event
// that fills each.
func (s *Store) ThematicSeminars(ctx context.Context, projectID string) ([]workflow.SeminarSlot, error) {
	db := s.db.WithContext(ctx)
	var rows []learningEventRow
	if err := db.Where("project_id = ? AND seminar_number IS NOT NULL", projectID).Find(&rows).Error; err != nil {
		return nil, translate(err)
	}
	slots := make([]workflow.SeminarSlot, workflow.ThematicSeminarCount)
	for i := range slots {
		slots[i] = workflow.SeminarSlot{Number: i + 1, Status: "open"}
	}
	for _, r := range rows {
		e, err := loadEvent(db, r.ID)
		if err == nil {
			e, err = visibleEvent(db, e)
		}
		if err != nil {
			return nil, translate(err)
		}
		n := *r.SeminarNumber
		slots[n-1].Event, slots[n-1].Status = &e, string(e.Status)
	}
	return slots, nil
}

// eventsPresenting lists the events at which a good practice was
// presented, oldest first.
func eventsPresenting(db *gorm.DB, goodPracticeID string) ([]workflow.LearningEvent, error) {
	var ids []string
	if err := db.Model(&learningEventRow{}).Where("id IN (?)", db.Model(&eventPracticeRow{}).Select("event_id").
		Where("good_practice_id = ?", goodPracticeID)).Order("start_date, id").Pluck("id", &ids).Error; err != nil {
		return nil, err
	}
	out := make([]workflow.LearningEvent, 0, len(ids))
	for _, id := range ids {
		e, err := loadEvent(db, id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// EventMinutesInput is the data the event_minutes template runs on: the
// event with its project, its host and the names and titles of what it
// names, as JSON.
func (s *Store) EventMinutesInput(ctx context.Context, id string) ([]byte, error) {
	db := s.db.WithContext(ctx)
	e, err := loadEvent(db, id)
	if err == nil {
		e, err = visibleEvent(db, e)
	}
	if err != nil {
		return nil, translate(err)
	}
	var project projectRow
	var host partnerRow
	if err := db.Where("id = ?", e.ProjectID).Take(&project).Error; err != nil {
		return nil, translate(err)
	}
	if err := db.Where("id = ?", e.HostPartnerID).Take(&host).Error; err != nil {
		return nil, translate(err)
	}
	type named struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Country string `json:"country,omitempty"`
	}
	partners, groups := []named{}, []named{}
	for _, pid := range e.PartnerIDs {
		var p partnerRow
		if err := db.Where("id = ?", pid).Take(&p).Error; err != nil {
			return nil, translate(err)
		}
		partners = append(partners, named{ID: p.ID, Name: p.Name, Country: p.Country})
	}
	for _, gid := range e.StakeholderGroupIDs {
		var g groupRow
		if err := db.Where("id = ?", gid).Take(&g).Error; err != nil {
			return nil, translate(err)
		}
		groups = append(groups, named{ID: g.ID, Name: g.Name})
	}
	type practice struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	practices := []practice{}
	for _, gp := range e.GoodPracticeIDs {
		title, err := citedTitle(db, citationRow{Kind: workflow.CiteGoodPractice, TargetID: gp})
		if err != nil {
			return nil, translate(err)
		}
		practices = append(practices, practice{ID: gp, Title: title})
	}
	return json.Marshal(map[string]any{
		"kind":           "event_minutes",
		"project":        map[string]any{"id": project.ID, "acronym": project.Acronym, "title": project.Title, "programme": project.Programme, "language": project.Language},
		"partner":        map[string]any{"id": host.ID, "name": host.Name, "country": host.Country, "region": host.Region},
		"content":        e,
		"participants":   map[string]any{"partners": partners, "groups": groups},
		"good_practices": practices,
	})
}
