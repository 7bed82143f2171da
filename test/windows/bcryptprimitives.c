/* A stand-in for Windows's bcryptprimitives.dll, which Wine 8 lacks: Go >= 1.22 programs take
 * their random numbers from its ProcessPrng. Built by run.sh into the test prefix only (never
 * shipped): it forwards to RtlGenRandom (advapi32's SystemFunction036), which Wine has. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}
