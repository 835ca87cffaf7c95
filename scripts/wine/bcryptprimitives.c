/*
 * A stand-in for bcryptprimitives.dll, for running Pika.exe under Wine in
 * scripts/check-windows-wine only (never shipped). Go 1.24 and later load
 * ProcessPrng from it at start; Windows 10 and 11 have it, Debian 12's
 * Wine 8.0 does not. It fills the buffer from RtlGenRandom
 * (SystemFunction036), as Go did before.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
