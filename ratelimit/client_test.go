package ratelimit

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseProxies(t *testing.T) {
	p, err := ParseProxies(" 10.0.0.0/8, 192.0.2.7 ,fd00::/8,")
	require.NoError(t, err)
	require.Len(t, p, 3)
	require.Equal(t, "192.0.2.7/32", p[1].String())
	none, err := ParseProxies("")
	require.NoError(t, err)
	require.Empty(t, none)
	_, err = ParseProxies("10.0.0.0/8,proxy.internal")
	require.ErrorContains(t, err, "proxy.internal")
	_, err = ParseProxies("10.0.0.0/33")
	require.Error(t, err)
}

// TestClientIP: X-Forwarded-For counts only from a trusted proxy, read
// from the right, so a client cannot choose its own key.
func TestClientIP(t *testing.T) {
	proxies, err := ParseProxies("10.0.0.0/8")
	require.NoError(t, err)
	req := func(peer string, xff ...string) string {
		r := httptest.NewRequest("POST", "/ui/login/email", nil)
		r.RemoteAddr = peer
		for _, v := range xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		return ClientIP(r, proxies)
	}
	require.Equal(t, "203.0.113.9", req("203.0.113.9:5000", "198.51.100.1"), "an untrusted peer's header is ignored")
	require.Equal(t, "198.51.100.1", req("10.1.2.3:5000", "198.51.100.1"))
	require.Equal(t, "198.51.100.1", req("10.1.2.3:5000", "6.6.6.6, 198.51.100.1"), "what the client wrote itself is passed over")
	require.Equal(t, "198.51.100.1", req("10.1.2.3:5000", "6.6.6.6", "198.51.100.1, 10.9.9.9"), "proxies behind proxies")
	require.Equal(t, "10.9.9.9", req("10.1.2.3:5000", "junk, 10.9.9.9"), "an unreadable hop stops the walk")
	require.Equal(t, "10.1.2.3", req("10.1.2.3:5000"), "no header: the proxy itself")
	require.Equal(t, "198.51.100.1", req("[::ffff:10.1.2.3]:5000", "::ffff:198.51.100.1"))

	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "203.0.113.9:1"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	require.Equal(t, "203.0.113.9", ClientIP(r, nil), "no trusted proxies: the header is ignored")
}
