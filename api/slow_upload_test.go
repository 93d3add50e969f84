package api_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/api"
	"github.com/craftscode/craftscode/storage/sqlstore"
)

// slowEnv is a server tuned as serve's, with every duration cut to
// seconds: a ReadTimeout of 1 s, uploads limited to 64 KiB with a minimum
// rate of 16 KiB/s (so 1 s + 4 s for one) and a stall after 1 s.
func slowEnv(t *testing.T) *testEnv {
	return setupServer(t, sqlstore.SQLite, func(cfg *api.Config) {
		cfg.EvidenceLimit, cfg.ImageLimit = 64<<10, 64<<10
		cfg.UploadMinRate, cfg.UploadStall = 16<<10, time.Second
	}, func(s *http.Server) {
		// IdleTimeout defaults to ReadTimeout: without its own, the
		// server would close the client's idle keep-alive connections
		// after a second, and a POST sent on one as it closes fails
		// with EOF (POSTs are not retried).
		s.ReadTimeout, s.IdleTimeout = time.Second, time.Minute
	})
}

// sendSlowly posts body in pieces of chunk bytes, one every pause, then
// waits for nothing more (stall: the rest of Content-Length never comes),
// and reads the answer.
func sendSlowly(t *testing.T, e *testEnv, path, token string, body []byte, chunk int, pause time.Duration, stall bool) (int, api.Problem) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	length := len(body)
	if stall {
		length += 1000
	}
	_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n", path, token, length)
	require.NoError(t, err)
	for len(body) > 0 {
		n := min(chunk, len(body))
		if _, err := conn.Write(body[:n]); err != nil {
			break // the server gave up; its answer says why
		}
		body = body[n:]
		time.Sleep(pause)
	}
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(20*time.Second)))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "an answer, not a cut connection")
	defer res.Body.Close()
	var p api.Problem
	if res.StatusCode >= 400 {
		require.NoError(t, json.NewDecoder(res.Body).Decode(&p))
	}
	return res.StatusCode, p
}

// TestSlowUploadGetsItsTime (issue 15, #12): an upload that keeps coming
// slower than the server's ReadTimeout allows is taken, for evidence and
// good practice images: its deadline comes from its size limit.
func TestSlowUploadGetsItsTime(t *testing.T) {
	e := slowEnv(t)
	c := e.consortium("SLOW")
	pdf := append(append([]byte{}, samplePDF...), make([]byte, 6000)...)
	status, p := sendSlowly(t, e, "/api/v1/action-plans/"+c.plan.ID+"/evidence?filename=slow.pdf", c.tokens["partner"], pdf, 600, 250*time.Millisecond, false)
	require.Equal(t, http.StatusCreated, status, "%+v", p) // about 2.5 s, past the 1 s ReadTimeout

	img := pngImage(t, 40, 40)
	require.Greater(t, len(img), 3000)
	status, p = sendSlowly(t, e, "/api/v1/good-practices/"+draftPractice(e, c)+"/images", e.admin, img, len(img)/8+1, 250*time.Millisecond, false)
	require.Equal(t, http.StatusCreated, status, "%+v", p)
}

// TestStalledUploadIs408: an upload whose client stops sending is cut
// after the stall time with 408 upload_stalled, never 500, and leaves
// nothing stored.
func TestStalledUploadIs408(t *testing.T) {
	e := slowEnv(t)
	c := e.consortium("STALL")
	start := time.Now()
	status, p := sendSlowly(t, e, "/api/v1/action-plans/"+c.plan.ID+"/evidence?filename=stall.pdf", c.tokens["partner"], samplePDF, 1000, 0, true)
	require.Equal(t, http.StatusRequestTimeout, status, "%+v", p)
	require.Equal(t, "upload_stalled", p.Code)
	require.Less(t, time.Since(start), 4*time.Second, "cut after the stall time, not the upload's whole time")
	n, err := e.store.EvidenceCount(t.Context())
	require.NoError(t, err)
	require.Zero(t, n)

	status, p = sendSlowly(t, e, "/api/v1/good-practices/"+draftPractice(e, c)+"/images", e.admin, pngImage(t, 8, 8), 1000, 0, true)
	require.Equal(t, http.StatusRequestTimeout, status, "%+v", p)
	require.Equal(t, "upload_stalled", p.Code)
}

// TestUploadTimeIsBounded: a client that trickles forever is cut once the
// upload's whole time (stall + limit at the minimum rate) is over.
func TestUploadTimeIsBounded(t *testing.T) {
	e := setupServer(t, sqlstore.SQLite, func(cfg *api.Config) {
		cfg.EvidenceLimit, cfg.UploadMinRate, cfg.UploadStall = 4<<10, 4<<10, time.Second // 2 s in all
	}, nil)
	c := e.consortium("TRICKLE")
	body := append(append([]byte{}, samplePDF...), make([]byte, 3000)...)
	start := time.Now()
	status, p := sendSlowly(t, e, "/api/v1/action-plans/"+c.plan.ID+"/evidence?filename=t.pdf", c.tokens["partner"], body, 100, 200*time.Millisecond, false)
	require.Equal(t, http.StatusRequestTimeout, status, "%+v", p)
	require.Equal(t, "upload_stalled", p.Code)
	require.Less(t, time.Since(start), 5*time.Second)
}
