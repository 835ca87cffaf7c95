//go:build unix

package regfile

import "syscall"

// oNonblock keeps open(2) of a FIFO from waiting for a writer; it changes
// nothing for regular files.
const oNonblock = syscall.O_NONBLOCK
