package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/craftscode/craftscode/workflow"
)

// A comment's author edits or deletes it, and the coordinator hides it,
// through the store's methods: who may and when is decided there, as for
// the API. A refused form shows the deliverable's page again, with the
// reason and what was typed.

// commentFor reads the comment a form is about, as the caller may see it;
// a comment they may not see is not_found, whatever the form holds.
func (h *Handler) commentFor(c *call) (workflow.Comment, error) {
	cid := c.r.PathValue("cid")
	if !workflow.ValidID(cid) {
		return workflow.Comment{}, workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	return h.cfg.Store.Comment(c.r.Context(), cid, *c.principal)
}

// onSectionPage makes a refused form about a comment show on the page of
// the comment's section, where its forms are (the overview links there).
func onSectionPage(c *call, cm workflow.Comment) {
	if c.r.PostForm.Get("back") == "" {
		c.r.PostForm.Set("back", cm.Section)
	}
}

// limitComments takes one of the caller's comment tokens, or sets
// Retry-After and says how long to wait.
func (h *Handler) limitComments(c *call) error {
	ok, secs := h.comments.Allow(c.principal.User.ID)
	if ok {
		return nil
	}
	c.w.Header().Set("Retry-After", strconv.Itoa(secs))
	return fmt.Errorf("%w: %s", errTooFast, c.T("reading.too_fast", "Seconds", secs))
}

// formVersion reads the comment version the form was rendered with.
func formVersion(c *call) (int, error) {
	v, err := strconv.Atoi(c.r.PostForm.Get("version"))
	if err != nil || v < 1 {
		return 0, workflow.Errorf(workflow.CodeInvalid, "%s", c.T("reading.comment_no_version"))
	}
	return v, nil
}

func (h *Handler) editComment(c *call) error {
	cm, err := h.commentFor(c)
	if err != nil {
		return err
	}
	f := c.r.PostForm
	draft := &formDraft{CommentID: cm.ID, Action: "edit", Body: f.Get("body"), Stance: workflow.Stance(f.Get("stance")),
		Suggestion: f.Get("suggestion"), SuggestionOf: f.Get("suggestion_of")}
	refuse := func(status int, err error) error {
		onSectionPage(c, cm)
		return h.showDeliverableDraft(c, cm.Kind, cm.DeliverableID, status, err, draft)
	}
	version, err := formVersion(c)
	if err != nil {
		return refuse(0, err)
	}
	// Edits count against the same per-person limit as new comments, as
	// in the API.
	if err := h.limitComments(c); err != nil {
		return refuse(http.StatusTooManyRequests, err)
	}
	_, err = h.cfg.Store.EditComment(c.r.Context(), cm.ID, version, workflow.CommentEdit{Body: draft.Body, Stance: draft.Stance,
		Suggestion: draft.Suggestion, SuggestionOf: draft.SuggestionOf}, *c.principal)
	if formProblem(err) {
		return refuse(0, err)
	}
	if err != nil {
		return err
	}
	http.Redirect(c.w, c.r, pageURL(c, cm.Kind, cm.DeliverableID, "edited", cm.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) deleteComment(c *call) error {
	cm, err := h.commentFor(c)
	if err != nil {
		return err
	}
	version, err := formVersion(c)
	if err == nil && c.r.PostForm.Get("confirm") != "yes" {
		// The box is required in the form; a browser that ignores that, or
		// a crafted request, still deletes nothing without it.
		err = &workflow.Error{Code: workflow.CodeInvalid, Message: c.T("reading.delete_not_done"),
			Fields: []workflow.FieldError{{Field: "confirm", Message: c.T("reading.delete_tick")}}}
	}
	if err == nil {
		err = h.cfg.Store.DeleteComment(c.r.Context(), cm.ID, version, *c.principal)
	}
	if formProblem(err) {
		onSectionPage(c, cm)
		return h.showDeliverable(c, cm.Kind, cm.DeliverableID, 0, err)
	}
	if err != nil {
		return err
	}
	http.Redirect(c.w, c.r, pageURL(c, cm.Kind, cm.DeliverableID, "deleted", cm.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) hideComment(c *call) error {
	cm, err := h.commentFor(c)
	if err != nil {
		return err
	}
	reason := c.r.PostForm.Get("reason")
	_, err = h.cfg.Store.HideComment(c.r.Context(), cm.ID, reason, *c.principal)
	if formProblem(err) {
		onSectionPage(c, cm)
		return h.showDeliverableDraft(c, cm.Kind, cm.DeliverableID, 0, err,
			&formDraft{CommentID: cm.ID, Action: "hide", Body: strings.TrimSpace(reason)})
	}
	if err != nil {
		return err
	}
	http.Redirect(c.w, c.r, pageURL(c, cm.Kind, cm.DeliverableID, "hidden", cm.ID), http.StatusSeeOther)
	return nil
}

func (h *Handler) addComment(kind workflow.Kind) func(*call) error {
	return func(c *call) error {
		id := c.r.PathValue("id")
		if err := h.limitComments(c); err != nil {
			return h.showDeliverable(c, kind, id, http.StatusTooManyRequests, err)
		}
		f := c.r.PostForm
		nc := workflow.NewComment{Kind: kind, DeliverableID: id, Body: f.Get("body"), Section: f.Get("section"),
			ParentID: f.Get("parent_id"), Stance: workflow.Stance(f.Get("stance")), Principal: *c.principal,
			RequestID: c.w.Header().Get("X-Request-Id"), Suggestion: f.Get("suggestion"), SuggestionOf: f.Get("suggestion_of")}
		nc.Normalize()
		err := nc.Validate()
		var cm workflow.Comment
		if err == nil {
			cm, err = h.cfg.Store.AddComment(c.r.Context(), nc)
		}
		if formProblem(err) {
			// The form comes back with what was typed.
			d := &formDraft{Action: "comment", Section: nc.Section, Body: f.Get("body"), Stance: nc.Stance,
				Suggestion: f.Get("suggestion"), SuggestionOf: f.Get("suggestion_of")}
			if nc.ParentID != "" {
				d.Action, d.ParentID = "reply", nc.ParentID
			}
			return h.showDeliverableDraft(c, kind, id, 0, err, d)
		}
		if err != nil {
			return err
		}
		http.Redirect(c.w, c.r, pageURL(c, kind, id, "comment", cm.ID), http.StatusSeeOther)
		return nil
	}
}

func (h *Handler) respond(c *call) error {
	ctx, p, cid := c.r.Context(), *c.principal, c.r.PathValue("cid")
	if !workflow.ValidID(cid) {
		return workflow.Errorf(workflow.CodeNotFound, "not found")
	}
	status, err := workflow.ValidateResponse(c.r.PostForm.Get("status"), c.r.PostForm.Get("body"))
	var cm workflow.Comment
	if err == nil {
		cm, err = h.cfg.Store.RespondToComment(ctx, cid, status, strings.TrimSpace(c.r.PostForm.Get("body")), p)
	}
	if formProblem(err) {
		// Show the problem on the deliverable's page, if the caller sees it.
		if cm, cerr := h.cfg.Store.Comment(ctx, cid, p); cerr == nil {
			d := &formDraft{Action: "respond", CommentID: cid, Body: c.r.PostForm.Get("body")}
			return h.showDeliverableDraft(c, cm.Kind, cm.DeliverableID, 0, err, d)
		}
	}
	if err != nil {
		return err
	}
	http.Redirect(c.w, c.r, pageURL(c, cm.Kind, cm.DeliverableID, "response", cm.ID), http.StatusSeeOther)
	return nil
}
