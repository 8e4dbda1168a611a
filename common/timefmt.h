#ifndef COMMON_TIMEFMT_H
#define COMMON_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

/* UTC microseconds as ISO-8601 with microseconds and Z,
 * "2026-11-24T18:01:22.770000Z"; "-" for TS_NONE. Returns out. */
#define TIMEFMT_ISO_LEN	64
char	*timefmt_iso(int64_t us, char out[TIMEFMT_ISO_LEN]);

/* Microseconds since the epoch, now (CLOCK_REALTIME). */
int64_t	timefmt_now_us(void);

#endif
