//go:build !unix

package regfile

// oNonblock: no FIFOs that block in open here.
const oNonblock = 0
