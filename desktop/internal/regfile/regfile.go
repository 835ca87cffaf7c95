// Package regfile says whether a path is a regular file (or a symbolic
// link to one), and opens it only then. FIFOs, devices and sockets named
// like audio files are refused: opening a FIFO waits for a writer and a
// device never ends, so either would hang an import, the watcher or an
// analysis worker. One package, so that one ErrNotRegular answers
// errors.Is from the decoders, the library and the command line alike.
package regfile

import (
	"errors"
	"io/fs"
	"os"
)

// ErrNotRegular refuses FIFOs, devices, sockets and folders.
var ErrNotRegular = errors.New("not a regular file")

// ErrLinkToDir marks a link to a folder met in a walk. Walks do not follow
// those (so a link loop cannot trap them) and do not report them.
var ErrLinkToDir = errors.New("link to a folder")

// Check returns nil when p is a regular file or a link to one, and
// ErrNotRegular (or the stat error) otherwise. Call it before handing a
// path to code that opens it.
func Check(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return ErrNotRegular
	}
	return nil
}

// Walked is Check for an entry d met while walking a folder, without a stat
// for plain files. A link to a folder gives ErrLinkToDir.
func Walked(p string, d fs.DirEntry) error {
	t := d.Type()
	if t.IsRegular() {
		return nil
	}
	if t&fs.ModeSymlink == 0 {
		return ErrNotRegular
	}
	st, err := os.Stat(p)
	switch {
	case err != nil:
		return err
	case st.IsDir():
		return ErrLinkToDir
	case !st.Mode().IsRegular():
		return ErrNotRegular
	}
	return nil
}

// Open opens p for reading only if it is a regular file. The open is
// non-blocking where the system has that flag, so a FIFO swapped in after
// the check cannot hang it either, and the opened file is checked again.
func Open(p string) (*os.File, error) {
	if err := Check(p); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, ErrNotRegular
	}
	return f, nil
}
