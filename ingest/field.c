/*
 * field: the values a header line's fields take in a record: a pid from
 * its digits, a task name with Python's "None" read as none. Where the
 * fields are in a line is the business of layout, template, jsonline and
 * prefix.
 */
#include "ingest/field.h"

#include <string.h>

int64_t
field_pid(struct span s)
{
	int64_t	v = 0;
	size_t	i;

	if (s.n == 0 || s.n > 18)
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
