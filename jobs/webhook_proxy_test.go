package jobs

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Finding 9 of issue 15: deliveries ignore HTTP(S)_PROXY. Through a
// proxy, the address check saw only the proxy, and a webhook to a metadata
// service was delivered through it.
func TestWebhookDeliveryUsesNoProxy(t *testing.T) {
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		_, _ = io.WriteString(w, "from the proxy")
	}))
	defer proxy.Close()
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("HTTPS_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	t.Setenv("https_proxy", proxy.URL)
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")

	client := webhookClient(2*time.Second, true)
	require.Nil(t, client.Transport.(*http.Transport).Proxy)
	res, err := client.Post("http://169.254.169.254/latest/meta-data/", "application/json", strings.NewReader("{}"))
	if err == nil {
		res.Body.Close()
	}
	require.Error(t, err, "the metadata address was reached")
	require.Contains(t, err.Error(), "reserved or internal")
	require.Zero(t, proxied.Load(), "the delivery went through the proxy")
}
