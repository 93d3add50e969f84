package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/workflow"
)

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// TestMain removes the binary that the tests built.
func TestMain(m *testing.M) {
	code := m.Run()
	if builtBin != "" && buildErr == nil {
		os.RemoveAll(filepath.Dir(builtBin))
	}
	os.Exit(code)
}

// binary builds the real craftscode command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "craftscode-bin-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "craftscode")
		out, err := exec.Command("go", "build", "-race", "-o", builtBin, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			builtBin = string(out)
		}
	})
	require.NoError(t, buildErr, builtBin)
	return builtBin
}

// environ is the child's environment: the test's own, less the service's
// variables, plus env.
func environ(env map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "CRAFTSCODE_") || strings.HasPrefix(k, "S3_") || k == "DATABASE_URL" {
			continue
		}
		out = append(out, kv)
	}
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	return out
}

func runCLI(t *testing.T, env map[string]string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = environ(env)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "craftscode %v: %s", args, stderr.String())
	return out
}

// syncBuffer collects a child's log lines while the test reads them.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type served struct {
	cmd  *exec.Cmd
	url  string
	logs *syncBuffer
	done chan error
}

// serve starts `craftscode serve` on a free port and waits for its
// "listening" log line.
func serve(t *testing.T, env map[string]string) *served {
	t.Helper()
	env["CRAFTSCODE_ADDR"] = "127.0.0.1:0"
	cmd := exec.Command(binary(t), "serve")
	cmd.Env = environ(env)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	s := &served{cmd: cmd, logs: &syncBuffer{}, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Bytes()
			s.logs.Write(append(line, '\n'))
			var rec struct{ Msg, Addr string }
			if json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
			}
		}
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	select {
	case a := <-addr:
		s.url = "http://" + a
	case err := <-s.done:
		t.Fatalf("serve exited early: %v\n%s", err, s.logs)
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start:\n%s", s.logs)
	}
	return s
}

func get(t *testing.T, url, token string, out any) int {
	t.Helper()
	r, err := http.NewRequest("GET", url, nil)
	require.NoError(t, err)
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	if out != nil && res.StatusCode == 200 {
		require.NoError(t, json.Unmarshal(b, out), "%s", b)
	}
	return res.StatusCode
}

func tokenOf(t *testing.T, out demoOutput, role string) string {
	for _, u := range out.Users {
		if u.Role == role {
			return u.Token
		}
	}
	t.Fatalf("no demo user with role %s", role)
	return ""
}

// checkDemo is the acceptance scenario: ready, and the demo
// project with its seven partners, names intact, for a demo token.
func checkDemo(t *testing.T, s *served, demo demoOutput) {
	t.Helper()
	require.Equal(t, 200, get(t, s.url+"/readyz", "", nil))
	var projects struct{ Items []workflow.Project }
	require.Equal(t, 200, get(t, s.url+"/api/v1/projects", tokenOf(t, demo, "partner"), &projects))
	require.Len(t, projects.Items, 1)
	require.Equal(t, "CRAFTS CODE", projects.Items[0].Acronym)
	checkDemoPhases(t, projects.Items[0], time.Now())
	var partners struct{ Items []workflow.Partner }
	require.Equal(t, 200, get(t, s.url+"/api/v1/projects/"+projects.Items[0].ID+"/partners", tokenOf(t, demo, "stakeholder"), &partners))
	names := map[string]string{}
	for _, p := range partners.Items {
		names[p.Name] = p.Country
	}
	require.Equal(t, map[string]string{
		"Municipality of Florence":          "IT",
		"Design and Crafts Council Ireland": "IE",
		"Vaasa University of Applied Sciences – Aalto University School of Arts, Design and Architecture": "FI",
		"Artesis Plantijn Hogeschool Antwerpen":          "BE",
		"FUNDESARTE":                                     "ES",
		"РАМ Стара планина":                              "BG",
		"Budapesti Vállalkozásfejlesztési Közalapítvány": "HU",
	}, names)
}

// checkDemoPhases: the demo lives in the present. Phase 1 runs today (it
// began within the last 400 days, so the project is young but under way),
// and phase 2 follows it.
func checkDemoPhases(t *testing.T, p workflow.Project, now time.Time) {
	t.Helper()
	require.NotNil(t, p.Phase1Start)
	require.NotNil(t, p.Phase1End)
	require.NotNil(t, p.Phase2End)
	today := workflow.MustDate(now.UTC().Format("2006-01-02"))
	require.False(t, today.Before(*p.Phase1Start), "phase 1 has begun: %s", p.Phase1Start)
	require.True(t, today.Before(*p.Phase1End), "phase 1 is running: it ends %s", p.Phase1End)
	require.True(t, now.AddDate(0, 0, -400).Before(p.Phase1Start.Time()), "phase 1 began within 400 days: %s", p.Phase1Start)
	require.True(t, p.Phase1End.Before(*p.Phase2End), "phase 2 follows phase 1")
}

func stopServer(t *testing.T, s *served) {
	t.Helper()
	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-s.done:
		require.NoError(t, err, "a SIGTERM ends serve cleanly:\n%s", s.logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not stop on SIGTERM:\n%s", s.logs)
	}
	require.Contains(t, s.logs.String(), `"msg":"stopped"`)
}

func TestServeDemoOnEmbeddedDefault(t *testing.T) {
	t.Parallel()
	env := map[string]string{"CRAFTSCODE_DATA_DIR": t.TempDir()}
	var demo demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo"), &demo))
	s := serve(t, env)
	checkDemo(t, s, demo)

	// demo again: same data, the first tokens still work.
	var again demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo"), &again))
	require.Equal(t, demo.ProjectID, again.ProjectID)
	require.Len(t, again.Users, len(demo.Users))
	checkDemo(t, s, demo)
	checkDemo(t, s, again)
	stopServer(t, s)
	require.FileExists(t, filepath.Join(env["CRAFTSCODE_DATA_DIR"], "craftscode.db"))
}

func TestServeOnPostgresAndMinIO(t *testing.T) {
	t.Parallel()
	env := s3Env(t)
	env["CRAFTSCODE_DATA_DIR"] = filepath.Join(t.TempDir(), "unused") // must stay unused
	// The server key (it signs the mail's unsubscribe links), as a
	// deployment on PostgreSQL sets it: without it, the key file would be
	// made in the data folder at the first mail.
	env["CRAFTSCODE_SECRET_KEY"] = strings.Repeat("ab", 32)
	var demo demoOutput
	require.NoError(t, json.Unmarshal(runCLI(t, env, "demo"), &demo))
	s := serve(t, env)
	require.Contains(t, s.logs.String(), `"database":"postgres","storage":"s3"`)
	checkDemo(t, s, demo)
	var me struct{ Admin bool }
	require.Equal(t, 200, get(t, s.url+"/api/v1/me", env["CRAFTSCODE_ADMIN_TOKEN"], &me))
	require.True(t, me.Admin, "CRAFTSCODE_ADMIN_TOKEN makes an admin")
	stopServer(t, s)
	require.NoDirExists(t, env["CRAFTSCODE_DATA_DIR"])
}

func TestUserCreate(t *testing.T) {
	t.Parallel()
	env := map[string]string{"CRAFTSCODE_DATA_DIR": t.TempDir()}
	var u struct{ ID, Email, Token string }
	require.NoError(t, json.Unmarshal(runCLI(t, env, "user", "create", "--email", "Kovacs@Example.org", "--name", "Kovács Ödön", "--admin"), &u))
	require.True(t, workflow.ValidID(u.ID))
	require.Equal(t, "kovacs@example.org", u.Email)
	s := serve(t, env)
	var me struct {
		Name  string
		Admin bool
	}
	require.Equal(t, 200, get(t, s.url+"/api/v1/me", u.Token, &me))
	require.Equal(t, "Kovács Ödön", me.Name)
	require.True(t, me.Admin)
	require.Equal(t, 401, get(t, s.url+"/api/v1/me", u.Token+"x", nil))
	stopServer(t, s)

	cmd := exec.Command(binary(t), "user", "create", "--email", "kovacs@example.org", "--name", "Again")
	cmd.Env = environ(env)
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "a second user with the same e-mail")
	require.Contains(t, string(out), "exists")
}
