package library

import "github.com/pikadj/pika/desktop/internal/regfile"

// ErrNotRegular refuses FIFOs, devices and sockets: opening a FIFO named
// x.mp3 blocks until a writer appears, and a device never ends, so either
// would hang an import, the watcher or an analysis worker. It is the
// decoders' error too (audio.ErrNotRegular), so errors.Is holds across.
var ErrNotRegular = regfile.ErrNotRegular
