/*
 * timefmt: formatting of the stored UTC microsecond times. Parsing of log
 * times is ingest/timestamp's; of user times, query/filter's.
 */
#include "common/timefmt.h"

#include <stdio.h>
#include <time.h>

#include "common/record.h"

char *
timefmt_iso(int64_t us, char out[TIMEFMT_ISO_LEN])
{
	struct tm	tm;
	time_t		secs;
	int64_t		frac;

	if (us == TS_NONE) {
		snprintf(out, TIMEFMT_ISO_LEN, "-");
		return out;
	}
	secs = (time_t)(us / 1000000);
	frac = us % 1000000;
	if (frac < 0) {
		frac += 1000000;
		secs--;
	}
	if (gmtime_r(&secs, &tm) == NULL) {
		snprintf(out, TIMEFMT_ISO_LEN, "-");
		return out;
	}
	snprintf(out, TIMEFMT_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)frac);
	return out;
}

int64_t
timefmt_now_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
