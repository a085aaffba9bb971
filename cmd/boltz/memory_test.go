package main

import (
	"os"
	"path/filepath"
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
