package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/storage/sqlstore/sqlstoretest"
)

// Finding 10 of issue 15: a webhook to a reserved or internal address is
// refused when it is made; loopback and private receivers only with
// WebhookAllowPrivate (CRAFTSCODE_WEBHOOK_ALLOW_PRIVATE).
func TestWebhookTargetsAreChecked(t *testing.T) {
	for _, d := range sqlstoretest.Backends {
		for _, allow := range []bool{false, true} {
			name := string(d) + "/default"
			if allow {
				name = string(d) + "/allow-private"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				e := setupWith(t, d, func(c *api.Config) { c.WebhookAllowPrivate = allow })
				c := e.consortium("SSRF")
				path := "/api/v1/projects/" + c.project.ID + "/webhooks"
				post := func(u string) response {
					return e.do(req{Method: "POST", Path: path, Token: c.tokens["coordinator"],
						Body: map[string]any{"url": u, "events": []string{"transition"}}})
				}
				for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/", "http://100.100.100.200/",
					"http://[64:ff9b::a9fe:a9fe]/", "http://100.64.0.1/", "http://[fe80::1]/", "http://0.0.0.0:80/"} {
					res := post(u)
					require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s: %s", u, res.Body)
					require.Equal(t, "url", res.problem(t).Errors[0].Field)
				}
				for _, u := range []string{"http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://10.1.2.3/hook", "http://[::1]:9/"} {
					res := post(u)
					if allow {
						require.Equal(t, http.StatusCreated, res.Status, "%s: %s", u, res.Body)
					} else {
						require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s: %s", u, res.Body)
					}
				}
				require.Equal(t, http.StatusCreated, post("https://93.184.215.14/in").Status)
			})
		}
	}
}
