package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/craftscode/craftscode/locale"
	"github.com/craftscode/craftscode/workflow"
)

var (
	// {{t "key" …}} and (t "key" …) in a template; c.T("key", …) in Go.
	templateKey = regexp.MustCompile(`\bt "([^"]+)"`)
	goKey       = regexp.MustCompile(`\.T\("([^"]+)"`)
	goString    = regexp.MustCompile(`"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`)
)

// TestMessageCatalog: every message a page or handler asks for is in the
// catalog, and every message in the catalog is asked for somewhere, so
// that the catalog is the list of what the pages say (and what a
// translator translates). Codes (code.<value>) are checked against the
// domain's values instead, since the pages ask for them by value.
func TestMessageCatalog(t *testing.T) {
	c, err := locale.Load()
	require.NoError(t, err)
	en := c.Match(locale.Default)
	asked, mentioned := map[string]string{}, map[string]bool{}
	require.NoError(t, fs.WalkDir(assets, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, p)
		for _, m := range templateKey.FindAllStringSubmatch(string(b), -1) {
			asked[m[1]] = p
		}
		for _, m := range goString.FindAllStringSubmatch(string(b), -1) {
			mentioned[m[1]] = true
		}
		return err
	}))
	gofiles, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, f := range gofiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			asked[m[1]] = f
		}
		for _, m := range goString.FindAllStringSubmatch(string(b), -1) {
			mentioned[m[1]] = true
		}
	}
	for id, where := range asked {
		require.True(t, en.Has(id), "%s asks for %q, which the catalog lacks", where, id)
	}
	for _, id := range c.IDs(locale.Default) {
		if otherPackage(id) {
			continue
		}
		_, ok := asked[id]
		require.True(t, ok || mentioned[id], "the catalog has %q, which no page or handler uses", id)
	}
	for _, code := range domainCodes {
		require.True(t, en.Has("code."+code), "no words for the code %q (code.%s)", code, code)
	}
}

// domainCodes are the values the pages show through label.
var domainCodes = func() []string {
	var s []string
	add := func(vs ...string) { s = append(s, vs...) }
	for _, v := range []workflow.State{workflow.StateDraft, workflow.StateStakeholderReview, workflow.StateApproved, workflow.StateMonitored, workflow.StateClosed} {
		add(string(v))
	}
	for _, v := range []workflow.Trigger{workflow.TriggerSubmit, workflow.TriggerRequestChanges, workflow.TriggerApprove, workflow.TriggerStartMonitoring, workflow.TriggerClose, workflow.TriggerRevise} {
		add(string(v))
	}
	for _, v := range []workflow.Kind{workflow.KindActionPlan, workflow.KindPeerReview, workflow.KindGoodPractice} {
		add(string(v))
	}
	for _, v := range stances {
		add(string(v))
	}
	for _, v := range statuses {
		add(string(v))
	}
	for _, v := range []workflow.Role{workflow.RoleCoordinator, workflow.RolePartner, workflow.RoleStakeholder, workflow.RoleSecretariat, workflow.RoleObserver} {
		add(string(v))
	}
	return s
}()

// otherPackage tells the messages that other packages ask for, each
// checked by that package's own test: codes (against the domain's values,
// below), dates and durations (locale.Clock), the documents' labels
// (documents), the domain's error messages (workflow's formats) and
// the mail (notify.Letters) and the notifications' lines, labels and
// choices (notify's TestNoticeMessages).
func otherPackage(id string) bool {
	for _, p := range []string{"code.", "dates.", "duration.", "doc.", "problem.", "mail.", "notice."} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}
