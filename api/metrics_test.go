package api_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// series counts the request counter's series on /metrics.
func (e *testEnv) series() int {
	e.t.Helper()
	res, err := http.Get(e.url + "/metrics")
	require.NoError(e.t, err)
	defer res.Body.Close()
	n := 0
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "craftscode_http_requests_total{") {
			n++
		}
	}
	require.NoError(e.t, sc.Err())
	return n
}

// Finding 6 of issue 15: made-up methods and paths must not grow the
// number of series.
func TestMetricsLabelsAreBounded(t *testing.T) {
	e := setup(t, "sqlite")
	send := func(method, path string) {
		hr, err := http.NewRequest(method, e.url+path, nil)
		require.NoError(t, err)
		res, err := http.DefaultClient.Do(hr)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
	}
	// One of each kind first, so every folded series exists.
	send("BREW", "/nowhere")
	send("GET", "/nowhere")
	send("BREW", "/api/v1/me")
	send("GET", "/api/v1/nowhere")
	e.series() // the scrape itself is a series
	before := e.series()
	for i := range 1000 {
		send(fmt.Sprintf("M%d", i), fmt.Sprintf("/made/up/%d", i))
		send("GET", fmt.Sprintf("/made/up/%d", i))
		send(fmt.Sprintf("M%d", i), "/api/v1/me")
		send("GET", fmt.Sprintf("/api/v1/made-up-%d", i))
	}
	require.Equal(t, before, e.series(), "4,000 made-up requests added series")

	res, err := http.Get(e.url + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	require.Contains(t, string(b), `method="other"`)
	require.Contains(t, string(b), `route="unmatched"`)
}
