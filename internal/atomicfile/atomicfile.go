// Package atomicfile writes files so that a reader sees either the old content or the complete
// new content, never a partial file: the data goes to a temporary file in the same directory,
// which is flushed, synced to disk and then renamed over the destination.
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes the output of write to path atomically, with permissions perm.
//
// The bytes go to a temporary file named "."+base(path)+".tmp*" in the directory of path,
// through a buffered writer. After write returns nil the buffer is flushed, the file is synced
// and closed, its mode set to perm, and it is renamed over path. On any error (from write, or
// from flushing, syncing, closing, chmod or renaming) the temporary file is removed, the file
// already at path is left untouched, and the error is returned wrapped with path
// ("atomicfile: write <path>: ..."); errors.Is and errors.As see the cause.
//
// The directory itself is not synced after the rename, so after a power loss the old file may
// reappear; it is never a partial new file. WriteFile is safe for concurrent use on distinct
// paths; concurrent writers of the same path leave one complete version.
func WriteFile(path string, perm os.FileMode, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("atomicfile: write %s: %w", path, err)
	}
	tmpName := tmp.Name()
	closed := false
	defer func() {
		if err != nil {
			if !closed {
				tmp.Close()
			}
			os.Remove(tmpName)
			err = fmt.Errorf("atomicfile: write %s: %w", path, err)
		}
	}()

	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	closed = true
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmpName, perm); err != nil {
		return err
	}
	return os.Rename(tmpName, path)
}
