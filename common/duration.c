/*
 * duration: "500ms", "0.5s", "2m", "1h", "7d" into microseconds, for every
 * command's options and the query filters. The number is read digit by
 * digit, never with strtod(): "nan", "inf", "1e300" and "-1" are simply
 * not durations, and the integer part is checked against the cap before
 * it is multiplied, so no value overflows on its way to int64_t.
 */
#include "common/duration.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char	*name;
	int64_t		 us;
} duration_units[] = {
	{ "ms", 1000 },
	{ "s", DURATION_US_PER_S }, { "sec", DURATION_US_PER_S },
	{ "m", 60 * DURATION_US_PER_S }, { "min", 60 * DURATION_US_PER_S },
	{ "h", 3600 * DURATION_US_PER_S },
	{ "d", 86400 * DURATION_US_PER_S },
	{ "w", 7 * 86400 * DURATION_US_PER_S },
	{ "y", 365 * 86400 * DURATION_US_PER_S },
};

static bool
duration_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool
duration_read(const char *s, int64_t bare_unit_us, int64_t *us)
{
	const char	*p = s;
	int64_t		 whole = 0, unit = bare_unit_us, v;
	double		 frac = 0, scale = 1;
	bool		 digits = false;
	size_t		 i;

	/* at most 18 digits fit; more is over the cap whatever the unit */
	for (; duration_digit(*p); p++, digits = true) {
		if (whole > INT64_MAX / 10 - 9)
			return false;
		whole = whole * 10 + (*p - '0');
	}
	if (*p == '.') {
		for (p++; duration_digit(*p); p++, digits = true) {
			scale /= 10;
			frac += (*p - '0') * scale;
		}
	}
	if (!digits)
		return false;
	if (*p != '\0') {
		unit = 0;
		for (i = 0; i < sizeof(duration_units) /
		    sizeof(duration_units[0]); i++)
			if (strcmp(p, duration_units[i].name) == 0)
				unit = duration_units[i].us;
	}
	if (unit <= 0 || whole > DURATION_MAX_US / unit)
		return false;
	v = whole * unit + (int64_t)(frac * (double)unit + 0.5);
	if (v > DURATION_MAX_US)
		return false;
	*us = v;
	return true;
}

int
duration_parse(const char *s, bool positive, int64_t *us, struct err *e)
{
	int64_t	v;

	if (!duration_read(s, DURATION_US_PER_S, &v))
		return err_set(e, STATUS_USAGE, "\"%s\": not a duration (use "
		    "500ms, 0.5s, 2m, 1h, 7d)", s);
	if (positive && v == 0)
		return err_set(e, STATUS_USAGE, "\"%s\": must be more than 0",
		    s);
	*us = v;
	return 0;
}
