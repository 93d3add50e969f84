package web

import (
	"net/http"
	"time"

	"github.com/craftscode/craftscode/workflow"
)

func (h *Handler) consultations(c *call) error {
	items, err := h.cfg.Store.MyConsultations(c.r.Context(), *c.principal)
	if err != nil {
		return err
	}
	type row struct {
		workflow.ConsultationItem
		Open bool
	}
	rows := make([]row, len(items))
	now := time.Now()
	for i, it := range items {
		rows[i] = row{it, it.Consultation.Open(now)}
	}
	h.render(c, http.StatusOK, "consultations", view{Title: "My consultations", Data: rows})
	return nil
}
