package web

import "net/http"

// homeRoutes registers the project home and the navigation's pages.
func (h *Handler) homeRoutes(m *http.ServeMux) {}
