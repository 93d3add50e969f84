package api

import (
	"bytes"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/craftscode/craftscode/workflow"
)

func (s *Server) webhookRoutes(v1 *echo.Group) {
	v1.POST("/projects/:pid/webhooks", s.createWebhook)
	v1.GET("/projects/:pid/webhooks", s.listWebhooks)
	v1.GET("/webhooks/:wid", s.getWebhook)
	v1.DELETE("/webhooks/:wid", s.deleteWebhook)
	v1.GET("/webhooks/:wid/deliveries", s.listDeliveries)
}

type createWebhookRequest struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
	// Secret is optional: without it one is made. A pointer, so that an
	// empty string is refused rather than replaced.
	Secret *string `json:"secret"`
}

// createdWebhook is the only answer that shows the secret.
type createdWebhook struct {
	workflow.Webhook
	Secret string `json:"secret"`
}

func (s *Server) createWebhook(c echo.Context) error {
	pid, err := s.authorizeProject(c, workflow.ActionWebhookManage)
	if err != nil {
		return err
	}
	var req createWebhookRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	w := workflow.Webhook{ProjectID: pid, URL: req.URL, CreatedBy: principal(c).User.ID}
	for _, e := range req.Events {
		w.Events = append(w.Events, workflow.EventType(e))
	}
	if req.Secret != nil {
		w.Secret = *req.Secret
	} else {
		w.Secret = workflow.NewWebhookSecret()
	}
	w.Normalize()
	if err := w.Validate(); err != nil {
		return err
	}
	if err := workflow.CheckWebhookTarget(c.Request().Context(), w.URL, s.webhookAllowPrivate); err != nil {
		return err
	}
	if err := s.store.CreateWebhook(c.Request().Context(), &w); err != nil {
		return err
	}
	// An idempotent repeat must not show the secret again, nor may the
	// stored first answer hold it: keep the answer without it.
	var replay bytes.Buffer
	if err := jsonEncode(&replay, w); err != nil {
		return err
	}
	c.Set(replayBodyKey, replay.Bytes())
	noStore(c)
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/webhooks/"+w.ID)
	return c.JSON(http.StatusCreated, createdWebhook{Webhook: w, Secret: w.Secret})
}

func (s *Server) listWebhooks(c echo.Context) error {
	return listIn(s, c, workflow.ActionWebhookManage, s.store.ListWebhooks)
}

// managedWebhook loads a webhook the caller may manage: not_found outside
// its project, forbidden for a role without the right.
func (s *Server) managedWebhook(c echo.Context) (workflow.Webhook, error) {
	id, err := pathID(c, "wid")
	if err != nil {
		return workflow.Webhook{}, err
	}
	w, err := s.store.Webhook(c.Request().Context(), id)
	if err != nil {
		return w, err
	}
	if err := principal(c).Authorize(w.ProjectID, workflow.ActionWebhookManage); err != nil {
		if workflow.ErrorCode(err) == workflow.CodeNotFound {
			return w, workflow.Errorf(workflow.CodeNotFound, "webhook not found")
		}
		return w, err
	}
	return w, nil
}

func (s *Server) getWebhook(c echo.Context) error {
	w, err := s.managedWebhook(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, w)
}

func (s *Server) deleteWebhook(c echo.Context) error {
	w, err := s.managedWebhook(c)
	if err != nil {
		return err
	}
	if err := s.store.DeleteWebhook(c.Request().Context(), w.ID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listDeliveries(c echo.Context) error {
	w, err := s.managedWebhook(c)
	if err != nil {
		return err
	}
	pg, err := pageParams(c)
	if err != nil {
		return err
	}
	status := c.QueryParam("status")
	switch status {
	case "", workflow.DeliveryPending, workflow.DeliveryDelivered, workflow.DeliveryFailed:
	default:
		return newProblem(http.StatusBadRequest, "invalid_parameter", "status must be pending, delivered or failed")
	}
	items, next, err := s.store.ListDeliveries(c.Request().Context(), w.ID, status, pg)
	if err != nil {
		return err
	}
	return list(c, items, next)
}
