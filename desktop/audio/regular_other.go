//go:build !unix

package audio

// oNonblock: no FIFOs that block in open here.
const oNonblock = 0
