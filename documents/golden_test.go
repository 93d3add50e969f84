package documents

import (
	"flag"
	"os"
	"os/exec"
	"testing"
)

// update rewrites the golden files in testdata:
// go test ./documents -run 'Golden|PDF|DOCX' -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// needTool finds a command a test needs (pdftotext, soffice). Without it
// the test skips, or fails when CRAFTSCODE_REQUIRE_BACKENDS=1, which the
// project's test script sets after installing them.
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CRAFTSCODE_REQUIRE_BACKENDS") == "1" {
			t.Fatalf("%s is required (CRAFTSCODE_REQUIRE_BACKENDS=1) but not installed: %v", name, err)
		}
		t.Skipf("%s is not installed (Debian: poppler-utils, libreoffice-writer-nogui); ./scripts/test installs it", name)
	}
	return p
}
