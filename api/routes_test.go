package api_test

import (
	"github.com/labstack/echo/v4"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/storage/blobstore"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
)

func newServer(t *testing.T) *api.Server {
	blobs, err := blobstore.NewFS(t.TempDir())
	require.NoError(t, err)
	srv, err := api.New(api.Config{Store: sqlstoretest.New(t, "sqlite"), Blobs: blobs, Registry: prometheus.NewRegistry()})
	require.NoError(t, err)
	return srv
}

var echoParam = regexp.MustCompile(`:([a-z_0-9]+)`)

func toOpenAPIPath(p string) string { return echoParam.ReplaceAllString(p, "{$1}") }

// TestOpenAPIMatchesRoutes: every served route is documented and every
// documented operation is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	served := map[string]bool{}
	for _, r := range newServer(t).Routes() {
		if r.Method == echo.RouteNotFound || strings.HasPrefix(r.Path, "/ui") {
			continue // the pages for people are not the JSON API
		}
		key := r.Method + " " + toOpenAPIPath(r.Path)
		served[key] = true
		item := openapiDoc.Paths.Find(toOpenAPIPath(r.Path))
		require.NotNil(t, item, "route %s is not in openapi.yaml", key)
		require.NotNil(t, item.GetOperation(r.Method), "route %s is not in openapi.yaml", key)
	}
	for path, item := range openapiDoc.Paths.Map() {
		for method := range item.Operations() {
			require.True(t, served[method+" "+path], "openapi.yaml documents %s %s, which is not served", method, path)
		}
	}
	require.NoError(t, openapiDoc.Validate(t.Context()))
}
