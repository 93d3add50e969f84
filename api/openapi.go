package api

import (
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
)

// openapiYAML is the contract of everything served; a test keeps it and
// the routes in step.
//
//go:embed openapi.yaml
var openapiYAML []byte

// LoadOpenAPI parses and validates the embedded document.
func LoadOpenAPI() (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(openapiYAML)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return doc, nil
}

func openAPIJSON() ([]byte, error) {
	doc, err := LoadOpenAPI()
	if err != nil {
		return nil, err
	}
	return doc.MarshalJSON()
}

func (s *Server) openAPI(c echo.Context) error {
	return c.Blob(200, "application/json", s.openapi)
}
