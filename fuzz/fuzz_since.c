/*
 * fuzz_since: libFuzzer harness for the --since/--until and duration
 * parsers (query/filter.c, common/duration.c): any argument text is a
 * time, a duration or a one-line usage error naming it, never a crash
 * or an overflow.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/duration.h"
#include "common/err.h"
#include "query/filter.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s;
	struct err	 e;
	int64_t		 us;
	/* a fixed "now": 2026-11-24 18:01:22 UTC */
	const int64_t	 now = 1795543282000000LL;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';	/* argv strings end in NUL */
	if (filter_time_parse(s, now, &us, &e) == -1)
		assert(e.status == STATUS_USAGE && e.msg[0] != '\0');
	if (duration_parse(s, false, &us, &e) == -1)
		assert(e.status == STATUS_USAGE && e.msg[0] != '\0');
	else
		assert(us >= 0 && us <= DURATION_MAX_US);
	free(s);
	return 0;
}
