/*
 * field: the values a header line's fields take in a record: a pid from
 * its digits, a task name with Python's "None" read as none. Where the
 * fields are in a line is the business of layout, template, jsonline and
 * prefix.
 */
#include "ingest/field.h"

#include <string.h>

/* The most digits a pid is read from: more would overflow int64_t (and
 * no system has such pids); a longer number is no pid (-1). */
#define PID_DIGITS_MAX	18

int64_t
field_pid(struct span s)
{
	int64_t	v = 0;
	size_t	i;

	if (s.n == 0 || s.n > PID_DIGITS_MAX)
		return -1;
	for (i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -1;
		v = v * 10 + (s.p[i] - '0');
	}
	return v;
}

struct span
field_task(struct span s)
{
	if (s.n == 4 && memcmp(s.p, "None", 4) == 0)
		s.n = 0;
	return s;
}
