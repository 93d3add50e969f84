package sqlstore

import (
	"context"

	"github.com/craftscode/craftscode/workflow"
)

// The consultation is being built (issue 5); until then these answer that
// nothing is there.

func notYet() error { return workflow.Errorf(workflow.CodeConflict, "consultations are not available yet") }

func (s *Store) AddComment(ctx context.Context, c workflow.NewComment) (workflow.Comment, error) {
	return workflow.Comment{}, notYet()
}
func (s *Store) Comments(ctx context.Context, kind workflow.Kind, id string, revision int, p workflow.Principal) ([]workflow.Comment, error) {
	return nil, notYet()
}
func (s *Store) Comment(ctx context.Context, commentID string, p workflow.Principal) (workflow.Comment, error) {
	return workflow.Comment{}, notYet()
}
func (s *Store) EditComment(ctx context.Context, commentID string, version int, body string, stance workflow.Stance, p workflow.Principal) (workflow.Comment, error) {
	return workflow.Comment{}, notYet()
}
func (s *Store) DeleteComment(ctx context.Context, commentID string, version int, p workflow.Principal) error {
	return notYet()
}
func (s *Store) HideComment(ctx context.Context, commentID, reason string, p workflow.Principal) (workflow.Comment, error) {
	return workflow.Comment{}, notYet()
}
func (s *Store) RespondToComment(ctx context.Context, commentID string, status workflow.ResponseStatus, body string, p workflow.Principal) (workflow.Comment, error) {
	return workflow.Comment{}, notYet()
}
func (s *Store) CommentHistory(ctx context.Context, commentID string, p workflow.Principal) ([]workflow.CommentEvent, error) {
	return nil, notYet()
}
func (s *Store) Consultation(ctx context.Context, kind workflow.Kind, id string, revision int, p workflow.Principal) (workflow.Consultation, error) {
	return workflow.Consultation{}, notYet()
}
func (s *Store) CloseConsultation(ctx context.Context, kind workflow.Kind, id string, p workflow.Principal) (workflow.Consultation, error) {
	return workflow.Consultation{}, notYet()
}
func (s *Store) ExpireConsultation(ctx context.Context, deliverableID string, revision int) (bool, error) {
	return false, notYet()
}
func (s *Store) MyConsultations(ctx context.Context, p workflow.Principal) ([]workflow.ConsultationItem, error) {
	return nil, notYet()
}
