package library

import (
	"errors"
	"io/fs"
	"os"
)

// ErrNotRegular refuses FIFOs, devices and sockets: opening a FIFO named
// x.mp3 blocks until a writer appears, and a device never ends, so either
// would hang an import, the watcher or an analysis worker.
var ErrNotRegular = errors.New("not a regular file")

// errLinkToDir marks a link to a folder. Scans do not follow those (so a
// link loop cannot trap them) and do not report them.
var errLinkToDir = errors.New("link to a folder")

// CheckRegular returns nil when p is a regular file or a symbolic link to
// one, and ErrNotRegular (or the stat error) otherwise. Call it before
// handing a path to code that opens it.
func CheckRegular(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return ErrNotRegular
	}
	return nil
}

// walkedRegular is CheckRegular for an entry met while walking a folder,
// without a stat for plain files. Links to folders give errLinkToDir.
func walkedRegular(p string, d fs.DirEntry) error {
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
		return errLinkToDir
	case !st.Mode().IsRegular():
		return ErrNotRegular
	}
	return nil
}

// openRegular opens p for reading only if it is a regular file. The open
// is non-blocking where the system has that flag, so a FIFO swapped in
// after the check cannot hang it either, and the opened file is checked
// again.
func openRegular(p string) (*os.File, error) {
	if err := CheckRegular(p); err != nil {
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
