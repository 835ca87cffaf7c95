package audio

import (
	"errors"
	"os"
)

// ErrNotRegular refuses FIFOs, devices and sockets named like audio files:
// opening a FIFO waits for a writer and a device never ends, so either
// would hang an analysis worker.
var ErrNotRegular = errors.New("not a regular file")

// OpenFile opens path for reading only if it is a regular file (or a link
// to one). The open is non-blocking where the system has that flag, so a
// FIFO swapped in after the check cannot hang it, and the opened file is
// checked again.
func OpenFile(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &os.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, err
	}
	if st, err = f.Stat(); err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, &os.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	return f, nil
}
