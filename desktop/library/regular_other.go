//go:build !unix

package library

// oNonblock: no FIFOs that block in open here.
const oNonblock = 0
