/*
 * fuzz_timestamp: libFuzzer harness for the header time parser. The
 * bytes are a time as a header starts with (ISO-8601, Python's asctime,
 * syslog, epoch seconds), not NUL-terminated: the parser must read only
 * inside them, consume at most them, and give times in the range it
 * promises (year 1970 to 9999, or a zone offset off either end).
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "ingest/timestamp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define YEAR_US		(366LL * 86400 * 1000000)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t	us = 0;
	size_t	used = 0;

	if (timestamp_parse((const char *)data, size, &us, &used)) {
		assert(used > 0 && used <= size);
		assert(us >= -2 * 86400 * 1000000LL);
		assert(us <= (9999LL - 1970 + 1) * YEAR_US);
	}
	return 0;
}
