package audio

import (
	"errors"
	"os"

	"github.com/pikadj/pika/desktop/internal/regfile"
)

// ErrNotRegular refuses FIFOs, devices and sockets named like audio files:
// opening a FIFO waits for a writer and a device never ends, so either
// would hang an analysis worker. It is regfile's, shared with the library.
var ErrNotRegular = regfile.ErrNotRegular

// OpenFile opens path for reading only if it is a regular file (or a link
// to one); see regfile.Open.
func OpenFile(path string) (*os.File, error) {
	f, err := regfile.Open(path)
	if errors.Is(err, ErrNotRegular) {
		return nil, &os.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	return f, err
}
