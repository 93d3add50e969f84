package web

import "net/http"

// editRoutes registers the pages that create and edit action plans and
// peer reviews in draft.
func (h *Handler) editRoutes(m *http.ServeMux) {}
