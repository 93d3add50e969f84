package web

// "My data": what the service keeps about the person signed in, and a
// download of all of it as JSON (the same as GET /api/v1/me/export).

import (
	"encoding/json"
	"mime"
	"net/http"
)

func (h *Handler) meRoutes(m *http.ServeMux) {
	m.Handle("GET /ui/me", h.page(true, h.myData))
	m.Handle("GET /ui/me/export.json", h.page(true, h.myDataExport))
}

func (h *Handler) myData(c *call) error {
	data, err := h.cfg.Store.PersonalData(c.r.Context(), c.principal.User.ID)
	if err != nil {
		return err
	}
	c.w.Header().Set("Cache-Control", "private, no-store")
	h.render(c, http.StatusOK, "me/data", view{Title: c.T("me.title"), Data: data})
	return nil
}

func (h *Handler) myDataExport(c *call) error {
	data, err := h.cfg.Store.PersonalData(c.r.Context(), c.principal.User.ID)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(data, "", "  ")
	if err != nil {
		return err
	}
	hd := c.w.Header()
	hd.Set("Content-Type", "application/json; charset=utf-8")
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment",
		map[string]string{"filename": "craftscode-my-data-" + data.ExportedAt.Format("2006-01-02") + ".json"}))
	hd.Set("Cache-Control", "private, no-store")
	_, err = c.w.Write(append(body, '\n'))
	return err
}
