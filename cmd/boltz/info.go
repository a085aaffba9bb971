package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"sort"
)

func init() {
	register(&command{
		Name:  "info",
		Usage: "boltz info -model M.npz [-json]",
		Short: "show a model's shapes, unit types, training settings and final metrics",
		Long: `Info reads a model file and prints its shapes and unit types, the size of its weights,
the data it was trained on, its training configuration and the metrics of its last epoch,
as far as the file records them.`,
		Flags: infoFlags,
	})
}

func infoFlags(fs *flag.FlagSet) func(*env, []string) error {
	model := fs.String("model", "", "model `FILE` (.npz)")
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	return func(e *env, args []string) error {
		if err := noArgs(args); err != nil {
			return err
		}
		if *model == "" {
			return flagError("model", "a model file is required")
		}
		m, meta, err := loadModel(e, *model)
		if err != nil {
			return err
		}
		wmin, wmax, wrms := stats(m.W.Data)
		if *asJSON {
			out := map[string]any{
				"model": *model, "nv": m.NV(), "nh": m.NH(), "visible": meta.Visible, "hidden": meta.Hidden,
				"format_version": meta.Version, "tool_version": meta.ToolVersion, "data": meta.Data,
				"w_min": wmin, "w_max": wmax, "w_rms": wrms,
			}
			if meta.ImageShape != [2]int{} {
				out["image_shape"] = meta.ImageShape
			}
			if len(meta.Training) > 0 {
				out["training"] = meta.Training
			}
			if len(meta.Metrics) > 0 {
				out["metrics"] = withoutElapsed(meta.Metrics)
			}
			return writeJSON(e.stdout, out)
		}
		w := e.stdout
		fmt.Fprintf(w, "model:     %s\n", *model)
		fmt.Fprintf(w, "shape:     %d visible (%s) × %d hidden (%s)\n", m.NV(), meta.Visible, m.NH(), meta.Hidden)
		if meta.ImageShape != [2]int{} {
			fmt.Fprintf(w, "image:     %d×%d\n", meta.ImageShape[0], meta.ImageShape[1])
		}
		fmt.Fprintf(w, "weights:   min %.4g  max %.4g  rms %.4g\n", wmin, wmax, wrms)
		fmt.Fprintf(w, "format:    version %d, written by boltz %s\n", meta.Version, meta.ToolVersion)
		if meta.Data != "" {
			fmt.Fprintf(w, "data:      %s\n", meta.Data)
		}
		printRawObject(w, "training", meta.Training)
		printRawObject(w, "metrics", withoutElapsed(meta.Metrics))
		return nil
	}
}

// stats returns the smallest, largest and root-mean-square of x. The rms is scaled by the
// largest magnitude, as BLAS's dnrm2 does, so that weights near the float64 limit (1e300)
// give their rms instead of overflowing to +Inf.
func stats(x []float64) (lo, hi, rms float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	scale := 0.0
	for _, v := range x {
		lo, hi = min(lo, v), max(hi, v)
		scale = max(scale, math.Abs(v))
	}
	if scale == 0 || math.IsInf(scale, 0) || math.IsNaN(scale) {
		for _, v := range x {
			rms += v * v
		}
		return lo, hi, math.Sqrt(rms / float64(len(x)))
	}
	for _, v := range x {
		rms += (v / scale) * (v / scale)
	}
	return lo, hi, scale * math.Sqrt(rms/float64(len(x)))
}

// printRawObject prints a JSON object's keys and values one per line, in key order.
func printRawObject(w io.Writer, title string, raw json.RawMessage) {
	if len(raw) == 0 {
		return
	}
	var obj map[string]any
	if json.Unmarshal(raw, &obj) != nil {
		return
	}
	fmt.Fprintf(w, "%s:\n", title)
	for _, k := range sortedKeys(obj) {
		fmt.Fprintf(w, "  %-32s %v\n", k, obj[k])
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// withoutElapsed drops elapsed_seconds from a model file's metrics: boltz train stores it as 0
// there, so that reruns write identical files, and the run's time is in its metrics.jsonl.
func withoutElapsed(raw json.RawMessage) json.RawMessage {
	var obj map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &obj) != nil {
		return raw
	}
	if string(obj["elapsed_seconds"]) != "0" {
		return raw
	}
	delete(obj, "elapsed_seconds")
	out, err := json.Marshal(obj)
	if err != nil {
		return raw
	}
	return out
}
