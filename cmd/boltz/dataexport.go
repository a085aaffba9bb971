package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/boltzgo/boltz/data"
	"github.com/boltzgo/boltz/internal/atomicfile"
	"github.com/boltzgo/boltz/matrix"
	"github.com/boltzgo/boltz/npz"
)

// dataExportUsage and dataExportHelp are boltz data export's part of the data command's help.
const (
	dataExportUsage = "boltz data export SPEC -o FILE.npy|FILE.csv [-valid N]"
	dataExportHelp  = `Data export writes the rows of any data SPEC that boltz train -data accepts (bas:N,
shifter:N, ising:L:T[:N[:SEED]], potts-chain:Q:N[:ROWS[:SEED]], mnist, mnist:test, mnist:valid
with -valid, or a file) to FILE: a float64 .npy array (rows × columns, C order) or a .csv of
plain numbers, one row per line, no header, each value written in the shortest form that reads
back to the same float64. Values are written as loaded, never binarised; labels and the image
shape are not written. Both read back with -data FILE to exactly the same matrix. The file is
written atomically and replaced if it exists. docs/data.md lists the SPECs.`
)

// dataExportFlags registers boltz data export's flags on the data command's flag set and
// returns its action, which takes the SPEC as its one argument.
func dataExportFlags(fs *flag.FlagSet) func(*env, []string) error {
	out := fs.String("o", "", "data export: output `FILE`, .npy or .csv")
	valid := fs.Int("valid", 0, "data export: hold out the last `N` rows of the MNIST training set as mnist:valid")
	return func(e *env, args []string) error {
		switch {
		case len(args) != 1:
			return usagef("export wants one data SPEC, got %d arguments", len(args))
		case *out == "":
			return flagError("o", "an output file (.npy or .csv) is required")
		case *valid < 0:
			return flagError("valid", "must be at least 0, got %d", *valid)
		}
		write := exportWriter(*out)
		if write == nil {
			return flagError("o", "must end in .npy or .csv, got %q", *out)
		}
		ds, err := data.Load(args[0], data.LoadOptions{Valid: *valid, Fetch: true, Progress: e.stderr})
		if err != nil {
			return err
		}
		err = atomicfile.WriteFile(*out, 0o644, func(w io.Writer) error {
			bw := bufio.NewWriterSize(w, 1<<20)
			if err := write(bw, ds.X); err != nil {
				return err
			}
			return bw.Flush()
		})
		if err != nil {
			return fmt.Errorf("-o: %w", err)
		}
		fmt.Fprintf(e.stdout, "wrote %s: %d rows × %d columns of %s\n", *out, ds.X.Rows, ds.X.Cols, args[0])
		return nil
	}
}

// exportWriter returns the writer for the format that path's suffix names, nil for neither.
func exportWriter(path string) func(io.Writer, *matrix.Dense) error {
	switch lower := strings.ToLower(path); {
	case strings.HasSuffix(lower, ".npy"):
		return writeNPYMatrix
	case strings.HasSuffix(lower, ".csv"):
		return writeCSVMatrix
	}
	return nil
}

// writeNPYMatrix writes x as a float64 .npy array of shape rows × cols.
func writeNPYMatrix(w io.Writer, x *matrix.Dense) error {
	return npz.WriteNPY(w, &npz.Array{Shape: []int{x.Rows, x.Cols}, Data: x.Data, Dtype: "<f8"})
}

// writeCSVMatrix writes x as data.ReadCSV reads it: one row per line, values separated by
// commas, each in the shortest form that parses back to the same float64.
func writeCSVMatrix(w io.Writer, x *matrix.Dense) error {
	var line []byte
	for i := range x.Rows {
		line = line[:0]
		for j, v := range x.Row(i) {
			if j > 0 {
				line = append(line, ',')
			}
			line = strconv.AppendFloat(line, v, 'g', -1, 64)
		}
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}
