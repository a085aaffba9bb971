package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/boltzgo/boltz/train"
)

// ReadMetrics reads a metrics.jsonl stream: one train.Metrics JSON object per line. Blank
// lines are skipped and unknown fields ignored, so that files from newer versions still read.
//
// The writer appends whole lines, but a run killed mid-write, or a disk that filled up, can
// leave a last line without its newline. ReadMetrics drops such a line when it does not parse
// and returns its 1-based line number as partial (0 when nothing was dropped), so the caller
// can warn. Any other line that does not parse is an error naming the line.
func ReadMetrics(r io.Reader) (ms []train.Metrics, partial int, err error) {
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		text, rerr := br.ReadBytes('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return ms, 0, fmt.Errorf("metrics line %d: %w", line, rerr)
		}
		terminated := rerr == nil
		if text = bytes.TrimSpace(text); len(text) > 0 {
			var m train.Metrics
			if err := json.Unmarshal(text, &m); err != nil {
				if !terminated {
					return ms, line, nil
				}
				return ms, 0, fmt.Errorf("metrics line %d: %w", line, err)
			}
			ms = append(ms, m)
		}
		if !terminated {
			return ms, 0, nil
		}
	}
}
