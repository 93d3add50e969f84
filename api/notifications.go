package api

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

// The caller's inbox and mail settings. Every signed-in user has them,
// whatever their role, and reaches only their own: the user id is always
// the caller's, never one from the request.

func (s *Server) notificationRoutes(v1 *echo.Group) {
	v1.GET("/me/notifications", s.listNotifications)
	v1.POST("/me/notifications/read", s.readAllNotifications)
	v1.POST("/me/notifications/:nid/read", s.readNotification)
	v1.GET("/me/mail-settings", s.getMailSettings)
	v1.PATCH("/me/mail-settings", s.patchMailSettings)
}

// noticeItem is a notification with where the pages show the thing.
type noticeItem struct {
	workflow.Notification
	Path string `json:"path"`
}

// noticeList is the list shape with the caller's unread count, which a
// client shows without paging through the whole inbox.
type noticeList struct {
	Items      []noticeItem `json:"items"`
	NextCursor string       `json:"next_cursor"`
	Unread     int          `json:"unread"`
}

// validNoticeCursor checks the inbox's cursor, the store's
// "<microseconds>.<id>" of the last item.
func validNoticeCursor(s string) bool {
	us, id, ok := strings.Cut(s, ".")
	_, err := strconv.ParseInt(us, 10, 64)
	return ok && err == nil && workflow.ValidID(id)
}

func (s *Server) listNotifications(c echo.Context) error {
	uid := principal(c).User.ID
	pg, err := pageParamsOf(c, validNoticeCursor)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	ns, next, err := s.store.Notifications(ctx, uid, pg)
	if err != nil {
		return err
	}
	unread, err := s.store.UnreadNotifications(ctx, uid)
	if err != nil {
		return err
	}
	items := make([]noticeItem, len(ns))
	for i, n := range ns {
		items[i] = noticeItem{Notification: n, Path: n.Path()}
	}
	return c.JSON(http.StatusOK, noticeList{Items: items, NextCursor: encodeCursor(next), Unread: unread})
}

// readNotification marks one of the caller's notifications read; one that
// is not theirs, or that they may no longer see, is not found.
func (s *Server) readNotification(c echo.Context) error {
	id, err := pathID(c, "nid")
	if err != nil {
		return err
	}
	if err := s.store.MarkNotificationRead(c.Request().Context(), principal(c).User.ID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type readAllResponse struct {
	// Marked is how many were unread.
	Marked int `json:"marked"`
}

func (s *Server) readAllNotifications(c echo.Context) error {
	n, err := s.store.MarkAllNotificationsRead(c.Request().Context(), principal(c).User.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, readAllResponse{Marked: n})
}

func (s *Server) getMailSettings(c echo.Context) error {
	ms, err := s.store.MailSettings(c.Request().Context(), principal(c).User.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ms)
}

// patchMailSettings saves the choices sent, kind by kind; the kinds left
// out keep theirs. The answer is the whole settings.
func (s *Server) patchMailSettings(c echo.Context) error {
	// Values are decoded as any: encoding/json does not say which key of a
	// map held a value of the wrong type, and the problem must name it.
	var req map[workflow.NoticeKind]any
	if err := bind(c, &req); err != nil {
		return err
	}
	set, err := checkMailSettings(req)
	if err != nil {
		return err
	}
	ms, err := s.store.SetMailSettings(c.Request().Context(), principal(c).User.ID, set)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ms)
}

// checkMailSettings refuses a key that is no kind (as bind refuses an
// unknown field), a value that is not a string, and a string that is no
// choice, naming each field.
func checkMailSettings(req map[workflow.NoticeKind]any) (workflow.MailSettings, error) {
	if req == nil { // the body was null
		return nil, newProblem(http.StatusBadRequest, "wrong_type", "the body must be an object")
	}
	set := workflow.MailSettings{}
	// Refused fields by problem code, the gravest code first.
	codes := []string{"unknown_field", "wrong_type", "invalid_parameter"}
	refused := make([][]workflow.FieldError, len(codes))
	for _, k := range slices.Sorted(maps.Keys(req)) {
		v, isString := req[k].(string)
		switch {
		case !workflow.ValidNoticeKind(k):
			refused[0] = append(refused[0], workflow.FieldError{Field: string(k), Message: "is not a kind of notification"})
		case !isString:
			refused[1] = append(refused[1], workflow.FieldError{Field: string(k), Message: "must be a string"})
		case !workflow.ValidMailChoice(workflow.MailChoice(v)):
			refused[2] = append(refused[2], workflow.FieldError{Field: string(k), Message: "must be now, digest or off"})
		default:
			set[k] = workflow.MailChoice(v)
		}
	}
	for i, fs := range refused {
		if len(fs) > 0 {
			p := newProblem(http.StatusBadRequest, codes[i], fmt.Sprintf("%q %s", fs[0].Field, fs[0].Message))
			p.errors = slices.Concat(refused...)
			return nil, p
		}
	}
	return set, nil
}
