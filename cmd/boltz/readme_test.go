package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's command table lists exactly the commands 'boltz help' lists, with the same
// one-line descriptions.
func TestREADMECommands(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	start, end := strings.Index(s, "<!-- commands"), strings.Index(s, "<!-- end commands -->")
	if start < 0 || end < start {
		t.Fatal("README.md has no commands table between <!-- commands --> markers")
	}
	row := regexp.MustCompile("(?m)^\\| `boltz (\\w+)` \\| (.*) \\|$")
	got := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(s[start:end], -1) {
		got[m[1]] = m[2]
	}
	for _, c := range sortedCommands() {
		if got[c.Name] != c.Short {
			t.Errorf("README row for %s is %q; 'boltz help' says %q", c.Name, got[c.Name], c.Short)
		}
		delete(got, c.Name)
	}
	for name := range got {
		t.Errorf("README lists %s, which is not a command", name)
	}
}

// The first lines of the README give the two commands a new user runs.
func TestREADMEFirstCommands(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(strings.SplitN(string(raw), "\n", 6)[:5], "\n")
	for _, want := range []string{"go run ./cmd/boltz train", "go test ./..."} {
		if !strings.Contains(head, want) {
			t.Errorf("README's first lines lack %q", want)
		}
	}
}
