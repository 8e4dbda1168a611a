#ifndef INGEST_TIMESTAMP_H
#define INGEST_TIMESTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Header times into UTC microseconds. Times that carry a zone (Z, +05:30,
 * +0000) use it; zone-less times are read in the zone set here (default:
 * the local zone, as TZ says). */

/* Set the zone for zone-less times: NULL or "" for local, "UTC", a fixed
 * offset "+05:30", or an IANA name "Europe/Berlin". 0 or -1 with *e. */
int	timestamp_set_zone(const char *tz, struct err *e);

/* Parse a time at s[0..n): ISO-8601 ("2026-11-24T18:01:22.770+05:30",
 * "2026-11-24 18:01:22,770", "...Z"), syslog ("Nov 24 18:01:22", year
 * from the context year), epoch seconds with fraction. On success *us is
 * set, *used says how many bytes were consumed, and true is returned.
 * Impossible dates (month 13, Feb 30, year 0 or > 9999) are false. */
bool	timestamp_parse(const char *s, size_t n, int64_t *us, size_t *used);

/* How many zone-less times this thread has read so far (read in the zone
 * set here): a caller compares two counts to know whether a zone was
 * used. */
uint64_t	timestamp_zoneless(void);

/* The year used for syslog times without one; 0 (the default): the
 * current year, or the one before for a date more than a month ahead. */
void	timestamp_set_year(int year);

#endif
