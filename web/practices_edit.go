package web

import "net/http"

// practiceEditRoutes registers the pages that create and edit good
// practices and their images.
func (h *Handler) practiceEditRoutes(m *http.ServeMux) {}
