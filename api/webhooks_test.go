package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

type webhookBody struct {
	workflow.Webhook
	Secret *string `json:"secret"`
}

func TestWebhookValidation(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("HOOKV")
		path := "/api/v1/projects/" + c.project.ID + "/webhooks"
		ok := func() map[string]any {
			return map[string]any{"url": "https://hooks.example.org/in", "events": []string{"transition"}}
		}
		for name, tc := range map[string]struct {
			change func(map[string]any)
			field  string
		}{
			"ftp scheme":          {func(b map[string]any) { b["url"] = "ftp://hooks.example.org/in" }, "url"},
			"javascript":          {func(b map[string]any) { b["url"] = "javascript:alert(1)" }, "url"},
			"relative":            {func(b map[string]any) { b["url"] = "/in" }, "url"},
			"no host":             {func(b map[string]any) { b["url"] = "http:///in" }, "url"},
			"credentials":         {func(b map[string]any) { b["url"] = "https://user:pw@hooks.example.org/in" }, "url"},
			"empty url":           {func(b map[string]any) { b["url"] = "" }, "url"},
			"long url":            {func(b map[string]any) { b["url"] = "https://h.example/" + strings.Repeat("a", 2000) }, "url"},
			"no events":           {func(b map[string]any) { delete(b, "events") }, "events"},
			"empty events":        {func(b map[string]any) { b["events"] = []string{} }, "events"},
			"unknown event":       {func(b map[string]any) { b["events"] = []string{"transition", "comment.deleted"} }, "events"},
			"short secret":        {func(b map[string]any) { b["secret"] = "too-short" }, "secret"},
			"empty secret":        {func(b map[string]any) { b["secret"] = "" }, "secret"},
			"secret over the max": {func(b map[string]any) { b["secret"] = strings.Repeat("s", 201) }, "secret"},
		} {
			t.Run(name, func(t *testing.T) {
				b := ok()
				tc.change(b)
				res := e.do(req{Method: "POST", Path: path, Token: c.tokens["coordinator"], Body: b})
				require.Equal(t, http.StatusUnprocessableEntity, res.Status, "%s", res.Body)
				p := res.problem(t)
				require.Equal(t, "validation_failed", p.Code)
				require.NotEmpty(t, p.Errors)
				require.Equal(t, tc.field, p.Errors[0].Field, "%+v", p.Errors)
			})
		}
		res := e.do(req{Method: "POST", Path: path, Token: c.tokens["coordinator"], Body: map[string]any{"url": "https://h.example/", "events": []string{"transition"}, "active": false}})
		require.Equal(t, http.StatusBadRequest, res.Status, "unknown fields are refused")
		var none struct{ Items []workflow.Webhook }
		e.do(req{Method: "GET", Path: path, Token: e.admin}).json(t, &none)
		require.Empty(t, none.Items, "nothing was stored")
	})
}

func TestWebhookSecretIsShownOnce(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("HOOKS")
		path := "/api/v1/projects/" + c.project.ID + "/webhooks"
		mine := "a-receivers-own-secret-0123456789"
		res := e.do(req{Method: "POST", Path: path, Token: c.tokens["coordinator"], Body: map[string]any{
			"url": "https://hooks.example.org/in", "events": []string{"document.ready", "transition", "transition"}, "secret": mine}})
		require.Equal(t, http.StatusCreated, res.Status, "%s", res.Body)
		var given webhookBody
		res.json(t, &given)
		require.Equal(t, mine, *given.Secret)
		require.Equal(t, []workflow.EventType{workflow.EventTransition, workflow.EventDocumentReady}, given.Events)
		require.Equal(t, "/api/v1/webhooks/"+given.ID, res.Header.Get("Location"))

		var made webhookBody
		e.create(path, e.admin, map[string]any{"url": "https://receiver.example.net/x", "events": []string{"transition"}}, &made)
		require.NotNil(t, made.Secret)
		require.True(t, strings.HasPrefix(*made.Secret, "whsec_"), *made.Secret)
		require.GreaterOrEqual(t, len(*made.Secret), 40)

		// Reads never show it.
		for _, p := range []string{"/api/v1/webhooks/" + given.ID, path} {
			res := e.do(req{Method: "GET", Path: p, Token: c.tokens["coordinator"]})
			require.Equal(t, http.StatusOK, res.Status)
			require.NotContains(t, string(res.Body), "secret")
			require.NotContains(t, string(res.Body), mine)
			require.NotContains(t, string(res.Body), *made.Secret)
		}
		// Nor does an idempotent repeat, and the kept answer does not hold it.
		key := map[string]string{"Idempotency-Key": "hook-1"}
		body := map[string]any{"url": "https://hooks.example.org/again", "events": []string{"transition"}}
		first := e.do(req{Method: "POST", Path: path, Token: c.tokens["coordinator"], Body: body, Headers: key})
		require.Equal(t, http.StatusCreated, first.Status)
		var firstBody webhookBody
		first.json(t, &firstBody)
		require.NotNil(t, firstBody.Secret)
		again := e.do(req{Method: "POST", Path: path, Token: c.tokens["coordinator"], Body: body, Headers: key})
		require.Equal(t, http.StatusCreated, again.Status)
		require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
		var againBody webhookBody
		again.json(t, &againBody)
		require.Equal(t, firstBody.ID, againBody.ID)
		require.Nil(t, againBody.Secret)

		// At rest there is only ciphertext.
		for _, s := range []string{mine, *made.Secret, *firstBody.Secret} {
			var n int
			require.NoError(t, e.store.DB().QueryRow(`SELECT count(*) FROM webhooks WHERE secret_sealed LIKE '%' || $1 || '%' OR events LIKE '%' || $1 || '%'`, s).Scan(&n))
			require.Zero(t, n)
		}
		rows, err := e.store.DB().Query(`SELECT body FROM idempotency_keys WHERE body IS NOT NULL`)
		require.NoError(t, err)
		defer rows.Close()
		kept := 0
		for rows.Next() {
			var b []byte
			require.NoError(t, rows.Scan(&b))
			kept++
			for _, s := range []string{mine, *made.Secret, *firstBody.Secret} {
				require.NotContains(t, string(b), s)
			}
		}
		require.NoError(t, rows.Err())
		require.Positive(t, kept)
	})
}

func TestWebhookDeliveriesAreListed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *testEnv) {
		c := e.consortium("HOOKL")
		path := "/api/v1/projects/" + c.project.ID + "/webhooks"
		var onTransition, onReady workflow.Webhook
		e.create(path, c.tokens["coordinator"], map[string]any{"url": "https://hooks.example.org/t", "events": []string{"transition"}}, &onTransition)
		e.create(path, c.tokens["coordinator"], map[string]any{"url": "https://hooks.example.org/d", "events": []string{"document.ready"}}, &onReady)

		require.Equal(t, 200, e.do(req{Method: "POST", Path: "/api/v1/action-plans/" + c.plan.ID + "/consultation/close", Token: c.tokens["coordinator"]}).Status)
		e.fire("action-plans", c.plan.ID, e.admin, "approve", 2, 200)
		var page struct {
			Items      []workflow.WebhookDelivery `json:"items"`
			NextCursor string                     `json:"next_cursor"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/webhooks/" + onTransition.ID + "/deliveries", Token: c.tokens["coordinator"]}).json(t, &page)
		require.Len(t, page.Items, 1)
		d := page.Items[0]
		require.Equal(t, workflow.EventTransition, d.EventType)
		require.Equal(t, workflow.DeliveryPending, d.Status, "no worker runs in these tests")
		require.Zero(t, d.Attempts)
		require.Equal(t, onTransition.ID, d.WebhookID)
		var history struct {
			Items []workflow.TransitionRecord `json:"items"`
		}
		e.do(req{Method: "GET", Path: "/api/v1/action-plans/" + c.plan.ID + "/history", Token: e.admin}).json(t, &history)
		require.Equal(t, history.Items[len(history.Items)-1].ID, d.EventID)
		base := "/api/v1/webhooks/" + onTransition.ID + "/deliveries?status="
		e.do(req{Method: "GET", Path: base + "pending", Token: e.admin}).json(t, &page)
		require.Len(t, page.Items, 1)
		e.do(req{Method: "GET", Path: base + "delivered", Token: e.admin}).json(t, &page)
		require.Empty(t, page.Items)
		res := e.do(req{Method: "GET", Path: base + "lost", Token: e.admin})
		require.Equal(t, http.StatusBadRequest, res.Status)
		require.Equal(t, "invalid_parameter", res.problem(t).Code)
		e.do(req{Method: "GET", Path: "/api/v1/webhooks/" + onReady.ID + "/deliveries", Token: e.admin}).json(t, &page)
		require.Empty(t, page.Items, "not subscribed to transitions")

		// Removed: gone from reads, and what it still owed has failed.
		res = e.do(req{Method: "DELETE", Path: "/api/v1/webhooks/" + onTransition.ID, Token: c.tokens["coordinator"]})
		require.Equal(t, http.StatusNoContent, res.Status)
		for _, p := range []string{"/api/v1/webhooks/" + onTransition.ID, "/api/v1/webhooks/" + onTransition.ID + "/deliveries"} {
			require.Equal(t, http.StatusNotFound, e.do(req{Method: "GET", Path: p, Token: c.tokens["coordinator"]}).Status)
		}
		require.Equal(t, http.StatusNotFound, e.do(req{Method: "DELETE", Path: "/api/v1/webhooks/" + onTransition.ID, Token: e.admin}).Status)
		ds, _, err := e.store.ListDeliveries(t.Context(), onTransition.ID, "", workflow.Page{Limit: 10})
		require.NoError(t, err)
		require.Len(t, ds, 1)
		require.Equal(t, workflow.DeliveryFailed, ds[0].Status)
		var list struct{ Items []workflow.Webhook }
		e.do(req{Method: "GET", Path: path, Token: e.admin}).json(t, &list)
		require.Len(t, list.Items, 1)
		require.Equal(t, onReady.ID, list.Items[0].ID)
	})
}
