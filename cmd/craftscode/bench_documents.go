package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/craftscode/craftscode/documents"
	"github.com/craftscode/craftscode/storage/blobstore"
)

// benchDocuments measures rendering an action plan with many actions in
// every format, compares it with pandoc converting the same Markdown, and
// reports the peak RSS of rendering and storing many documents in a row.
func benchDocuments(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench documents", flag.ContinueOnError)
	actions := fs.Int("actions", 30, "actions in the sample action plan")
	runs := fs.Int("runs", 50, "renders per format (the median is reported)")
	store := fs.Int("store", 1000, "documents rendered and stored in a row for the RSS figure (0 skips)")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	builtins, err := documents.Builtins()
	if err != nil {
		return err
	}
	var tmpl *documents.Template
	for _, t := range builtins {
		if t.Name == "action_plan" {
			tmpl = t
		}
	}
	if tmpl == nil {
		return fmt.Errorf("no built-in action_plan template")
	}
	snap := documents.SampleActionPlan(*actions)
	meta := documents.MetaFor(snap, false, time.Date(2019, 3, 1, 12, 0, 0, 0, time.UTC), tmpl.Version)
	fmt.Fprintf(out, "bench documents: action plan with %d actions, median of %d renders\n", *actions, *runs)

	ours := map[documents.Format]time.Duration{}
	for _, f := range []documents.Format{documents.FormatPDF, documents.FormatDOCX, documents.FormatHTML, documents.FormatMD} {
		var size int
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		d, err := median(*runs, func() error {
			var b bytes.Buffer
			err := documents.Assemble(&b, tmpl, snap, meta, f)
			size = b.Len()
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		runtime.ReadMemStats(&ms1)
		ours[f] = d
		fmt.Fprintf(out, "  craftscode %-4s  median %8.2f ms  %7d bytes  %8.0f allocs/render\n", f, msf(d), size,
			float64(ms1.Mallocs-ms0.Mallocs)/float64(*runs))
	}

	if pandoc, err := exec.LookPath("pandoc"); err == nil {
		dir, err := os.MkdirTemp("", "craftscode-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		var md bytes.Buffer
		if err := documents.Assemble(&md, tmpl, snap, meta, documents.FormatMD); err != nil {
			return err
		}
		src := filepath.Join(dir, "plan.md")
		if err := os.WriteFile(src, md.Bytes(), 0o600); err != nil {
			return err
		}
		for _, f := range []documents.Format{documents.FormatDOCX, documents.FormatHTML} {
			dst := filepath.Join(dir, "plan."+string(f))
			d, err := median(max(*runs/5, 5), func() error {
				return exec.CommandContext(ctx, pandoc, "--standalone", "--metadata", "title=Action plan", "-o", dst, src).Run()
			})
			if err != nil {
				return fmt.Errorf("pandoc %s: %w", f, err)
			}
			fmt.Fprintf(out, "  pandoc     %-4s  median %8.2f ms   ratio pandoc/craftscode %.1fx\n", f, msf(d), float64(d)/float64(ours[f]))
		}
	} else {
		fmt.Fprintln(out, "  pandoc not found (apt-get install pandoc) — no comparison")
	}

	if *store > 0 {
		dir, err := os.MkdirTemp("", "craftscode-bench-blobs-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		blobs, err := blobstore.NewFS(dir)
		if err != nil {
			return err
		}
		start := time.Now()
		for i := range *store {
			f := []documents.Format{documents.FormatPDF, documents.FormatDOCX}[i%2]
			var b bytes.Buffer
			if err := documents.Assemble(&b, tmpl, snap, meta, f); err != nil {
				return err
			}
			sum := sha256.Sum256(b.Bytes())
			key := fmt.Sprintf("bench/%d/%s.%s", i, hex.EncodeToString(sum[:]), f)
			if _, err := blobs.Put(ctx, key, &b, int64(b.Len()), documents.PutOptions{ContentType: f.ContentType(), NoOverwrite: true}); err != nil {
				return err
			}
		}
		fmt.Fprintf(out, "  rendered and stored %d documents (PDF and DOCX alternately) in %s; peak RSS %d MB\n",
			*store, time.Since(start).Round(time.Millisecond), peakRSSMB())
	}
	return nil
}

func median(n int, fn func() error) (time.Duration, error) {
	times := make([]time.Duration, n)
	for i := range times {
		t0 := time.Now()
		if err := fn(); err != nil {
			return 0, err
		}
		times[i] = time.Since(t0)
	}
	slices.Sort(times)
	return times[n/2], nil
}

func msf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// peakRSSMB reads the process's peak resident set (VmHWM) from /proc.
func peakRSSMB() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return kb / 1024
		}
	}
	return -1
}
