package api

import (
	"github.com/labstack/echo/v4"
)

// strictSerializer writes JSON with HTML characters escaped (so user text
// can never become markup in a browser) and decodes strictly.
type strictSerializer struct{}

func (strictSerializer) Serialize(c echo.Context, v any, indent string) error {
	return jsonEncode(c.Response(), v)
}

func (strictSerializer) Deserialize(c echo.Context, v any) error {
	return bind(c, v)
}
