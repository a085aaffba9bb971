package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/boltzgo/boltz/exact"
	"github.com/boltzgo/boltz/internal/memsize"
	"github.com/boltzgo/boltz/mcmc"
	"github.com/boltzgo/boltz/train"
)

// memoryCommands are the commands whose requests can ask for more memory than a machine
// has (issue 13: chains, runs, samples and hidden units are flags); each has -max-memory and
// checks its estimate with env.checkMemory before allocating.
var memoryCommands = map[string]bool{"train": true, "eval": true, "sample": true, "report": true, "gradcheck": true}

// fallbackMemory is the limit when the available memory cannot be read (no
// /proc/meminfo, as on macOS and Windows) and -max-memory is not set: 16 GiB, the memory of
// a common laptop. -max-memory replaces it.
const fallbackMemory = 16 << 30

// memoryFlag is the value of -max-memory: a byte count with an optional k, M, G or T suffix
// (powers of 1024).
type memoryFlag struct {
	bytes int64
	set   bool
}

func (m *memoryFlag) String() string {
	if m == nil || !m.set {
		return ""
	}
	return strconv.FormatInt(m.bytes, 10)
}

func (m *memoryFlag) Set(s string) error {
	b, err := parseBytes(s)
	if err != nil {
		return err
	}
	m.bytes, m.set = b, true
	return nil
}

// parseBytes reads a positive byte count: digits with an optional suffix k, M, G or T
// (×2^10, 2^20, 2^30, 2^40; either case), optionally followed by B or iB.
func parseBytes(s string) (int64, error) {
	t := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(s), "B"), "i")
	shift := 0
	if t != "" {
		switch t[len(t)-1] {
		case 'k', 'K':
			shift = 10
		case 'm', 'M':
			shift = 20
		case 'g', 'G':
			shift = 30
		case 't', 'T':
			shift = 40
		}
		if shift > 0 {
			t = t[:len(t)-1]
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || !(n > 0) || math.IsInf(n, 0) || strings.ContainsAny(t, "xXpPnN_") {
		return 0, fmt.Errorf("want a positive number of bytes such as 512M or 8G, got %q", s)
	}
	b := n * float64(int64(1)<<shift)
	if b >= math.MaxInt64 {
		return 0, fmt.Errorf("%q is more bytes than this program can count", s)
	}
	return int64(b), nil
}

// addMemoryFlag registers -max-memory on the flag sets of memoryCommands.
func addMemoryFlag(fs *flag.FlagSet, name string, m *memoryFlag) {
	if memoryCommands[name] {
		fs.Var(m, "max-memory", "refuse requests estimated to need more than `BYTES` of memory (k, M, G, T suffixes; default: the available memory, MemAvailable in /proc/meminfo)")
	}
}

// memoryLimit returns the bytes a command may allocate and where that number comes from:
// -max-memory when set, else the kernel's estimate of available memory, else
// fallbackMemory.
func (e *env) memoryLimit() (int64, string) {
	if e.maxMemory.set {
		return e.maxMemory.bytes, "allowed by -max-memory"
	}
	if b, ok := memAvailable("/proc/meminfo"); ok {
		return b, "available"
	}
	return fallbackMemory, "assumed (no /proc/meminfo to read)"
}

// memAvailable reads MemAvailable (in kB) from a meminfo file.
func memAvailable(path string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil || kb < 0 {
				return 0, false
			}
			return kb << 10, true
		}
	}
	return 0, false
}

// memoryError is a request refused because its estimated memory exceeds the limit.
type memoryError struct {
	Flag        string // the flag that asks for most of it, without its dash
	Need, Limit int64
	LimitSource string
}

func (e *memoryError) Error() string {
	return fmt.Sprintf("-%s: needs an estimated %d bytes (%s) of memory, more than the %d bytes (%s) %s; lower -%s or raise -max-memory",
		e.Flag, e.Need, humanBytes(e.Need), e.Limit, humanBytes(e.Limit), e.LimitSource, e.Flag)
}

// checkMemory returns a *memoryError if need exceeds the command's memory limit.
func (e *env) checkMemory(flagName string, need int64) error {
	limit, source := e.memoryLimit()
	if need <= limit {
		return nil
	}
	return &memoryError{Flag: flagName, Need: need, Limit: limit, LimitSource: source}
}

// humanBytes formats b in binary units with three significant digits.
func humanBytes(b int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	x, i := float64(b), 0
	for x >= 1024 && i < len(units)-1 {
		x /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", b)
	}
	return fmt.Sprintf("%.3g %s", x, units[i])
}

// blame returns, of the flags the user set in candidates, the one whose lowering to its
// least value lowers the estimate most; fallback when none was set. lower(name) returns the
// estimate with that flag at its least value.
func blame(candidates []string, set map[string]bool, need int64, lower func(string) int64, fallback string) string {
	best, gain := fallback, int64(-1)
	for _, name := range candidates {
		if !set[name] {
			continue
		}
		if g := need - lower(name); g > gain {
			best, gain = name, g
		}
	}
	return best
}

// checkTrainMemory refuses a training run whose estimate (train.MemoryNeeded) exceeds the
// limit, naming the flag that asks for most of it.
func (e *env) checkTrainMemory(c train.Config, rows, nv int, set map[string]bool) error {
	need := train.MemoryNeeded(c, rows, nv)
	lower := func(name string) int64 {
		d := c
		switch name {
		case "hidden":
			d.Hidden = 1
		case "chains":
			d.Chains = 1
		case "batch":
			d.Batch = 1
		case "replicas":
			d.Replicas = 2
		case "ais-runs":
			d.AISRuns = 2
		case "monitor-rows":
			d.MonitorRows = 1
		}
		return train.MemoryNeeded(d, rows, nv)
	}
	flagName := blame([]string{"hidden", "chains", "batch", "replicas", "ais-runs", "monitor-rows"}, set, need, lower, "hidden")
	return e.checkMemory(flagName, need)
}

// checkSampleMemory refuses a boltz sample request whose estimate exceeds the limit: the
// chains (PT: every replica), the visible means and the picture or array written. The flag
// named is -n, or -replicas when PT asks for more replicas than chains.
func (e *env) checkSampleMemory(nv, nh, n, replicas int, pt bool) error {
	chains, flagName := mcmc.ChainsMemory(nv, nh, n), "n"
	if pt {
		chains = mcmc.TemperingMemory(nv, nh, n, replicas)
		if replicas > n {
			flagName = "replicas"
		}
	}
	return e.checkMemory(flagName, memsize.Bytes(float64(chains)+memsize.Float64s(n, nv)+2*memsize.Product(n, nv)))
}

// checkGradcheckMemory refuses a gradient check whose estimate exceeds the limit:
// exact.GradCheckMemory, plus the random model when one is made and the random rows when
// no -data is given. The flag named is the larger of -nv and -nh (-model for a file).
func (e *env) checkGradcheckMemory(nv, nh int, randomModel, randomRows bool) error {
	need := float64(exact.GradCheckMemory(nv, nh))
	if randomModel {
		need += need / 5
	}
	if randomRows {
		need += memsize.Float64s(gradcheckRows, nv)
	}
	flagName := "model"
	switch {
	case randomModel && nv >= nh:
		flagName = "nv"
	case randomModel:
		flagName = "nh"
	}
	return e.checkMemory(flagName, memsize.Bytes(need))
}
