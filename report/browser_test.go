//go:build unix

package report

import (
	"bytes"
	"context"
	"html"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// chromiumTimeout bounds one headless Chromium run; a page load takes a few seconds.
const chromiumTimeout = 60 * time.Second

// chromium runs headless Chromium on pageURL with the extra flags and returns its stdout and
// stderr. Each run gets a fresh profile and no network services; Chromium and its helper
// processes share a process group, which is killed if the run exceeds chromiumTimeout.
func chromium(t *testing.T, bin, pageURL string, flags ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), chromiumTimeout)
	defer cancel()
	args := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=1",
	}, flags...)
	cmd := exec.CommandContext(ctx, bin, append(args, pageURL)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("chromium %s: no result within %v", strings.Join(flags, " "), chromiumTimeout)
	}
	if err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(flags, " "), err, lastLines(errOut.String(), 20))
	}
	return out.String(), errOut.String()
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// bodyAttrs returns the attributes of the <body> element of a dumped DOM.
func bodyAttrs(t *testing.T, dom string) map[string]string {
	t.Helper()
	body := regexp.MustCompile(`<body([^>]*)>`).FindStringSubmatch(dom)
	if body == nil {
		t.Fatalf("no <body> in the DOM:\n%.500s", dom)
	}
	attrs := map[string]string{}
	for _, a := range regexp.MustCompile(`([\w-]+)="([^"]*)"`).FindAllStringSubmatch(body[1], -1) {
		attrs[a[1]] = html.UnescapeString(a[2])
	}
	return attrs
}

// TestReportInChromium opens a report in headless Chromium, at a narrow and at a desktop
// window width, and checks what the page's inline script recorded once it loaded: no errors,
// every image decoded with a non-zero natural and displayed size, no horizontal scrolling,
// one column of figures when narrow and several on a desktop. It also checks that the
// browser logged no console message, read no file but the page, and that a screenshot is not
// blank. Headless Chromium does not make windows narrower than 500 CSS pixels, so 500 stands
// in for a phone; the layout's single-column breakpoint (2 × 22rem) is above it.
func TestReportInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not found on PATH; install it (Debian: apt-get install chromium) to run the browser test of report.html")
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	run := basRun(t)
	run.metrics = withTestRecord(t, run.metrics)
	dir := makeRun(t, run)
	if err := Write(dir, Options{Samples: 16, Sweeps: 10, Reconstructions: 8}); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, HTMLFile)
	pageURL := (&url.URL{Scheme: "file", Path: page}).String()

	for _, win := range []struct {
		name          string
		width, height int
		multiColumn   bool
	}{
		{"narrow", 500, 900, false},
		{"desktop", 1280, 900, true},
	} {
		t.Run(win.name, func(t *testing.T) {
			size := "--window-size=" + strconv.Itoa(win.width) + "," + strconv.Itoa(win.height)
			shot := filepath.Join(t.TempDir(), "shot.png")
			dom, logs := chromium(t, bin, pageURL, size, "--hide-scrollbars", "--dump-dom", "--screenshot="+shot)
			attrs := bodyAttrs(t, dom)
			if attrs["data-loaded"] != "true" {
				t.Fatalf("the page's load handler did not run; body attributes %v", attrs)
			}
			if e := attrs["data-errors"]; e != "" {
				t.Errorf("page errors: %s", e)
			}
			if o, _ := strconv.Atoi(attrs["data-overflow"]); o > 0 {
				t.Errorf("page scrolls sideways by %d pixels", o)
			}
			if cols, _ := strconv.Atoi(attrs["data-columns"]); (cols > 1) != win.multiColumn {
				t.Errorf("%d figure columns at width %d", cols, win.width)
			}
			checkImages(t, attrs["data-images"])
			if !regexp.MustCompile(`<p id="test-log-likelihood" class="trusted">Test log-likelihood -7\.25 nats`).MatchString(dom) {
				t.Errorf("the page does not show the test log-likelihood first:\n%.3000s", dom)
			}
			for _, line := range strings.Split(logs, "\n") {
				if strings.Contains(line, ":CONSOLE") {
					t.Errorf("console message: %s", line)
				}
				if _, f, ok := strings.Cut(line, "FileURLLoader::Start: "); ok && f != pageURL {
					t.Errorf("the page loaded another file: %s", f)
				}
			}

			raw, err := os.ReadFile(shot)
			if err != nil {
				t.Fatalf("no screenshot: %v", err)
			}
			img, err := png.Decode(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("screenshot: %v", err)
			}
			if got := img.Bounds().Size(); got.X != win.width || got.Y != win.height {
				t.Errorf("screenshot is %v, want %d×%d", got, win.width, win.height)
			}
			if uniform(img) {
				t.Error("screenshot is blank")
			}
		})
	}
}

// checkImages checks the page's record of its images, "id:NWxNH:WxH …" (natural and
// displayed sizes): the four figures, each with non-zero sizes.
func checkImages(t *testing.T, record string) {
	t.Helper()
	seen := map[string]bool{}
	for _, im := range strings.Fields(record) {
		parts := strings.Split(im, ":")
		if len(parts) != 3 {
			t.Errorf("image record %q", im)
			continue
		}
		seen[parts[0]] = true
		for _, wh := range parts[1:] {
			w, h, _ := strings.Cut(wh, "x")
			if n, _ := strconv.Atoi(w); n <= 0 {
				t.Errorf("image %s has size %s", parts[0], wh)
			}
			if n, _ := strconv.Atoi(h); n <= 0 {
				t.Errorf("image %s has size %s", parts[0], wh)
			}
		}
	}
	for _, id := range []string{"filters", "samples", "reconstructions", "curves"} {
		if !seen[id] {
			t.Errorf("image %s missing from the page's record %q", id, record)
		}
	}
}
