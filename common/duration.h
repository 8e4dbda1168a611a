#ifndef COMMON_DURATION_H
#define COMMON_DURATION_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

/* Durations as every command reads them: a decimal number, digits with
 * an optional fraction ("0.5", "1.25", ".5"), then a unit: ms, s (sec),
 * m (min), h, d, w, y (365 d). No sign, exponent, space, NaN or infinity;
 * at most DURATION_MAX_US. One parser for --stall-min, --window,
 * --context-time and the query filters, so that a duration one command
 * takes, every command takes. */

#define DURATION_US_PER_S	INT64_C(1000000)
#define DURATION_MAX_US		(INT64_C(200) * 366 * 86400 * \
				    DURATION_US_PER_S)	/* beyond any log */

/* s as microseconds into *us (rounded to the nearest); a number without
 * a unit counts bare_unit_us each, and is refused when bare_unit_us is 0.
 * false, *us untouched, when s is not a duration. */
bool	duration_read(const char *s, int64_t bare_unit_us, int64_t *us);

/* An option's value (seconds when bare) as microseconds: 0, or -1 with
 * *e (STATUS_USAGE): "S": not a duration (use 500ms, 0.5s, 2m, 1h, 7d),
 * or, when positive and S is zero, "S": must be more than 0. The command
 * puts the option's name in front. *us is untouched on failure. */
int	duration_parse(const char *s, bool positive, int64_t *us,
	    struct err *e);

#endif
