package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{
		"1": 1, "1000": 1000, "1k": 1 << 10, "2K": 2 << 10, "512M": 512 << 20, "8G": 8 << 30,
		"8GiB": 8 << 30, "1.5G": 3 << 29, "1T": 1 << 40, "64MB": 64 << 20,
	} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "1q", "G", "NaN", "Inf", "0x10", "1e30T", "1_000"} {
		if got, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q) = %d, want an error", in, got)
		}
	}
}

func TestMemAvailable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "meminfo")
	os.WriteFile(path, []byte("MemTotal:       24683748 kB\nMemFree:  100 kB\nMemAvailable:   2000 kB\n"), 0o644)
	if got, ok := memAvailable(path); !ok || got != 2000<<10 {
		t.Errorf("memAvailable = %d, %v; want %d", got, ok, 2000<<10)
	}
	os.WriteFile(path, []byte("MemTotal: 1 kB\n"), 0o644)
	if _, ok := memAvailable(path); ok {
		t.Error("memAvailable found a value in a file without MemAvailable")
	}
	if _, ok := memAvailable(filepath.Join(dir, "none")); ok {
		t.Error("memAvailable read a missing file")
	}
}

// TestMemoryLimitFlags checks that -max-memory is offered where requests allocate, that a
// limit above the estimate lets a request through, and that -max-seconds 0 lifts the time
// limit of an enumeration that a limit of a microsecond refuses.
func TestMemoryLimitFlags(t *testing.T) {
	for _, name := range []string{"train", "eval", "sample", "report"} {
		if _, out, _ := runCmd(t, "help", name); !strings.Contains(out, "-max-memory") {
			t.Errorf("boltz help %s does not list -max-memory", name)
		}
	}
	for _, name := range []string{"exact", "gradcheck"} {
		if _, out, _ := runCmd(t, "help", name); !strings.Contains(out, "-max-seconds") {
			t.Errorf("boltz help %s does not list -max-seconds", name)
		}
	}
	model := saveTestModel(t, 9, 4, 0.5)
	out := filepath.Join(t.TempDir(), "s.npy")
	if code, _, stderr := runCmd(t, "sample", "-model", model, "-n", "10", "-max-memory", "1G", "-o", out); code != 0 {
		t.Errorf("sample under a 1 GiB limit: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runCmd(t, "sample", "-model", model, "-n", "10", "-max-memory", "100", "-o", filepath.Join(t.TempDir(), "t.npy")); code != 1 || !strings.Contains(stderr, "-n: needs an estimated") {
		t.Errorf("sample under a 100-byte limit: exit %d, %s", code, stderr)
	}
	wide := saveTestModel(t, 400, 18, 0.01) // 2^18·418 unit-states: probed
	if code, _, stderr := runCmd(t, "exact", "-model", wide, "-max-seconds", "0.000001"); code != 1 || !strings.Contains(stderr, "-max-seconds: log Z over 2^18 states") {
		t.Errorf("exact under a 1 µs limit: exit %d, %s", code, stderr)
	}
	if code, _, stderr := runCmd(t, "exact", "-model", wide, "-max-seconds", "0"); code != 0 {
		t.Errorf("exact without a time limit: exit %d, %s", code, stderr)
	}
}
