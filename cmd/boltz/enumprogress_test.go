package main

import (
	"bytes"
	"testing"
	"time"
)

func TestProgressLine(t *testing.T) {
	for _, c := range []struct {
		done, total int
		elapsed     time.Duration
		want        string
	}{
		{16, 64, 62 * time.Second, "boltz exact: 25% (16/64), 1m2s elapsed, about 3m6s left"},
		{0, 64, 0, "boltz exact: 0% (0/64), 0s elapsed"},
		{64, 64, 10 * time.Second, "boltz exact: 100% (64/64), 10s elapsed"},
	} {
		if got := progressLine("boltz exact:", c.done, c.total, c.elapsed); got != c.want {
			t.Errorf("progressLine(%d, %d, %v) = %q, want %q", c.done, c.total, c.elapsed, got, c.want)
		}
	}
	if enumProgress(new(bytes.Buffer), "x") != nil {
		t.Error("progress drawn on a buffer, not a terminal")
	}
}
