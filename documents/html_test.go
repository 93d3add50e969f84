package documents

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// htmlPhoneSample is a page that a phone has trouble with: the action
// plan's six-column overview table, a 64-character document id, a long
// URL and a long code line.
func htmlPhoneSample(t testing.TB) []byte {
	t.Helper()
	src := string(docxBenchMarkdown(3)) + "\nSee https://example.org/a/very/long/path/that/does/not/break/anywhere/at/all/on/its/own/index.html\n\n" +
		"```\n" + strings.Repeat("no_break_", 20) + "\n```\n"
	meta := docxMeta(true)
	meta.ID = "ab95cc1db4aadfb05c7fdd15b290ffcf424f59cf995622c85e918eca21d3f34c"
	var b bytes.Buffer
	require.NoError(t, renderHTML(&b, Parse([]byte(src), meta)))
	return b.Bytes()
}

// TestHTMLTitleBeforeContents: the document's title heading comes first in
// the main content, then the table of contents, then the body.
func TestHTMLTitleBeforeContents(t *testing.T) {
	t.Parallel()
	out := string(htmlPhoneSample(t))
	main := strings.Index(out, "<main>")
	h1 := strings.Index(out, "<h1")
	nav := strings.Index(out, `<nav class="toc"`)
	part := strings.Index(out, `<h2 id="part-i--general-information">`)
	require.True(t, main >= 0 && h1 > main && nav > h1 && part > nav, "main %d, h1 %d, nav %d, first part %d", main, h1, nav, part)
	require.Equal(t, 1, strings.Count(out, "<h1"), "the title is written once")

	// Rendered block by block, the body is what goldmark writes for the
	// whole tree: nothing lost or doubled between blocks. (Each render
	// gets its own tree: goldmark's table renderer adds the alignment
	// style to the cells it writes.)
	d := Parse(docxBenchMarkdown(3), docxMeta(true))
	var whole bytes.Buffer
	require.NoError(t, htmlBody.Render(&whole, d.Source, d.Root))
	var page bytes.Buffer
	require.NoError(t, renderHTML(&page, Parse(docxBenchMarkdown(3), docxMeta(true))))
	body := page.String()
	body = body[strings.Index(body, "<main>\n")+len("<main>\n") : strings.Index(body, "</main>")]
	nav = strings.Index(body, "<nav")
	end := strings.Index(body, "</nav>\n") + len("</nav>\n")
	require.Equal(t, whole.String(), body[:nav]+body[end:])

	// Without a level-1 heading first, the contents open the main part.
	page.Reset()
	require.NoError(t, renderHTML(&page, Parse([]byte("## A\n\ntext\n\n## B\n"), docxMeta(false))))
	require.Contains(t, page.String(), "<main>\n<nav class=\"toc\"")
}

// TestHTMLPhoneWidth opens the page in headless Chromium at 390×844 (a
// phone) and checks that nothing makes it wider than the window: not the
// tables, not the document id, not a URL or a code line. The screenshot
// stays in the artifacts folder for people to look at.
func TestHTMLPhoneWidth(t *testing.T) {
	browser := os.Getenv("CRAFTSCODE_CHROMIUM")
	if browser == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				browser = p
				break
			}
		}
	}
	if browser == "" {
		browser = needTool(t, "chromium")
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "page.html")
	require.NoError(t, os.WriteFile(page, htmlPhoneSample(t), 0o644))

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("disable-dev-shm-usage", true))...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	ctx, cancelTime := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTime()
	require.NoError(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate("file://"+filepath.ToSlash(page)),
		chromedp.WaitReady(chromedp.CSS("footer")),
	))
	shots := os.Getenv("CRAFTSCODE_ARTIFACTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "craftscode-artifacts")
	}
	shots = filepath.Join(shots, t.Name())
	require.NoError(t, os.MkdirAll(shots, 0o755))
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	shot := filepath.Join(shots, "phone-390x844.png")
	require.NoError(t, os.WriteFile(shot, png, 0o644))

	// Every element stays inside the window, the footer's id included.
	over, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("body *")).
		filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).map(e => e.tagName + ": " + e.textContent.slice(0, 40))`))
	require.NoError(t, err)
	require.Empty(t, over, "elements wider than the window (screenshot %s)", shot)
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[document.documentElement.scrollWidth, window.innerWidth]`))
	require.NoError(t, err)
	require.Equal(t, 390.0, wide[1], "the window")
	require.LessOrEqual(t, wide[0], wide[1], "the page scrolls sideways (screenshot %s)", shot)

	lines, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(() => { const f = document.querySelector("footer");
		return f.getBoundingClientRect().height / parseFloat(getComputedStyle(f).lineHeight || "16") })()`))
	require.NoError(t, err)
	require.Greater(t, lines, 1.0, fmt.Sprintf("the footer's id wraps onto more lines (screenshot %s)", shot))
}
