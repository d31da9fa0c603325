// Package atomicfile writes a file so that neither a reader nor a crash
// ever finds half of it: the whole file, or the one it replaces.
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write calls write with a buffered writer on a temporary file in path's
// folder, then gives that file the permissions perm and renames it to
// path. When anything fails, path is left as it was and the temporary
// file is removed.
func Write(path string, perm fs.FileMode, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	bw := bufio.NewWriter(tmp)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteOutput writes a command's output with write: to stdout, through a
// buffer flushed at the end, when path is empty or "-", else to the file
// path through Write with the permissions perm, so that a failed run never
// leaves half a file. An error of the file names it.
func WriteOutput(path string, perm fs.FileMode, stdout io.Writer, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		bw := bufio.NewWriter(stdout)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	if err := Write(path, perm, write); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
