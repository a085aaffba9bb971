//go:build unix

package report

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSweepPageInChromium opens a sweep summary page in headless Chromium at a narrow and a
// desktop width: the page's script ran, raised no error, drew a point per value and a row
// per task, and does not scroll sideways (the table scrolls in its own box).
func TestSweepPageInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not found on PATH; install it (Debian: apt-get install chromium) to run the browser test of the sweep page")
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	page := filepath.Join(t.TempDir(), "summary.html")
	f, err := os.Create(page)
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteSweepHTML(f, testSweepTable()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	pageURL := (&url.URL{Scheme: "file", Path: page}).String()
	for _, width := range []int{500, 1280} {
		dom, logs := chromium(t, bin, pageURL, "--window-size="+strconv.Itoa(width)+",900", "--hide-scrollbars", "--dump-dom")
		attrs := bodyAttrs(t, dom)
		if attrs["data-loaded"] != "true" {
			t.Fatalf("width %d: the page's load handler did not run; body attributes %v", width, attrs)
		}
		if e := attrs["data-errors"]; e != "" {
			t.Errorf("width %d: page errors: %s", width, e)
		}
		if o, _ := strconv.Atoi(attrs["data-overflow"]); o > 0 {
			t.Errorf("width %d: page scrolls sideways by %d pixels", width, o)
		}
		if attrs["data-points"] != "2" || attrs["data-rows"] != "3" {
			t.Errorf("width %d: %s points and %s rows, want 2 and 3", width, attrs["data-points"], attrs["data-rows"])
		}
		for _, line := range strings.Split(logs, "\n") {
			if strings.Contains(line, ":CONSOLE") {
				t.Errorf("width %d: console message: %s", width, line)
			}
		}
	}
}
