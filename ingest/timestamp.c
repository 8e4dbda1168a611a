/*
 * timestamp: header times into UTC microseconds. ISO-8601 (with T or a
 * space, "," or "." fractions of any length, Z / +05:30 / +0530 / +05
 * zones), syslog "Nov 24 18:01:22" and epoch numbers. Zone-less times are
 * read in the zone set by timestamp_set_zone(). The hot path never calls
 * timegm() or mktime() per line: the last date's midnight (UTC) and the
 * last local hour's start are cached per thread. Finding a time in a line
 * is the layout's business; this module only reads one where it is told.
 */
#include "ingest/timestamp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum zone_kind {
	ZONE_LOCAL,		/* mktime() with TZ as the environment says */
	ZONE_UTC,
	ZONE_FIXED		/* zone_off_s east of UTC */
};

static enum zone_kind	zone_kind = ZONE_LOCAL;
static int		zone_off_s;
static unsigned		zone_gen = 1;	/* bumped when the zone changes */
static int		syslog_year;	/* 0: the current year, or the last */
static _Thread_local uint64_t zoneless;	/* zone-less times read */

/* The last date converted, as UTC midnight, and the last local hour. */
static _Thread_local struct {
	int	y, mo, d;
	int64_t	midnight_s;
} date_cache = { -1, -1, -1, 0 };

static _Thread_local struct {
	unsigned	gen;
	int		y, mo, d, h;
	int64_t		start_s;
} hour_cache;

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Read exactly k digits at s into *v. */
static bool
digits(const char *s, size_t n, size_t k, int *v)
{
	size_t	i;
	int	x = 0;

	if (n < k)
		return false;
	for (i = 0; i < k; i++) {
		if (!is_digit(s[i]))
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

/* "+05:30", "-0800", "+05" at s: seconds east of UTC, bytes used. */
static bool
parse_offset(const char *s, size_t n, int *off_s, size_t *used)
{
	int	hh, mm = 0;
	size_t	k;

	if (n < 3 || (s[0] != '+' && s[0] != '-') || !digits(s + 1, n - 1,
	    2, &hh))
		return false;
	k = 3;
	if (k < n && s[k] == ':') {
		if (!digits(s + k + 1, n - k - 1, 2, &mm))
			return false;
		k += 3;
	} else if (digits(s + k, n - k, 2, &mm)) {
		k += 2;
	}
	if (k < n && is_digit(s[k]))
		return false;
	if (hh > 23 || mm > 59)
		return false;
	*off_s = (hh * 3600 + mm * 60) * (s[0] == '-' ? -1 : 1);
	*used = k;
	return true;
}

int
timestamp_set_zone(const char *tz, struct err *e)
{
	char	path[4096];
	const char *dir;
	size_t	used;
	int	off;

	zone_gen++;
	if (tz == NULL || *tz == '\0') {
		zone_kind = ZONE_LOCAL;
		return 0;
	}
	if (strcmp(tz, "UTC") == 0 || strcmp(tz, "utc") == 0 ||
	    strcmp(tz, "Z") == 0 || strcmp(tz, "GMT") == 0) {
		zone_kind = ZONE_UTC;
		return 0;
	}
	if (tz[0] == '+' || tz[0] == '-') {
		if (!parse_offset(tz, strlen(tz), &off, &used) ||
		    tz[used] != '\0')
			return err_set(e, STATUS_USAGE,
			    "--tz: bad offset '%s' (want +HH:MM)", tz);
		zone_kind = ZONE_FIXED;
		zone_off_s = off;
		return 0;
	}
	/* An IANA name: tzset() silently falls back to UTC on an unknown
	 * name, so look for its file first. */
	dir = getenv("TZDIR");
	if (dir == NULL || *dir == '\0')
		dir = "/usr/share/zoneinfo";
	if (tz[0] == '/' || strstr(tz, "..") != NULL ||
	    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, tz) >=
	    sizeof(path) || access(path, R_OK) != 0)
		return err_set(e, STATUS_USAGE, "--tz: unknown time zone '%s'",
		    tz);
	if (setenv("TZ", tz, 1) != 0)
		return err_set(e, STATUS_USAGE, "--tz: cannot set '%s'", tz);
	tzset();
	zone_kind = ZONE_LOCAL;
	return 0;
}

void
timestamp_set_year(int year)
{
	syslog_year = year;
}

static int
current_year(void)
{
	static _Thread_local int	year;
	static _Thread_local time_t	found;
	time_t				now = time(NULL);
	struct tm			tm;

	if (year == 0 || now - found > 3600) {
		year = gmtime_r(&now, &tm) != NULL ? tm.tm_year + 1900 : 1970;
		found = now;
	}
	return year;
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* A wall-clock time as written, its fields unchecked. */
struct civil {
	int	y, mo, d, h, mi, s;
};

static bool
valid_date(const struct civil *c)
{
	static const int	mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31,
	    30, 31, 30, 31 };
	int			dim;

	if (c->y < 1970 || c->y > 9999 || c->mo < 1 || c->mo > 12 ||
	    c->d < 1)
		return false;
	dim = mdays[c->mo - 1] + (c->mo == 2 && is_leap(c->y));
	return c->d <= dim && c->h < 24 && c->mi < 60 && c->s <= 60;
}

/* Seconds since the epoch of y-mo-d 00:00 UTC. */
static int64_t
utc_midnight(int y, int mo, int d)
{
	struct tm	tm;

	if (date_cache.y == y && date_cache.mo == mo && date_cache.d == d)
		return date_cache.midnight_s;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	date_cache.midnight_s = (int64_t)timegm(&tm);
	date_cache.y = y;
	date_cache.mo = mo;
	date_cache.d = d;
	return date_cache.midnight_s;
}

/* Seconds since the epoch of local y-mo-d h:00, in the process zone. */
static int64_t
local_hour(int y, int mo, int d, int h)
{
	struct tm	tm;

	if (hour_cache.gen == zone_gen && hour_cache.y == y &&
	    hour_cache.mo == mo && hour_cache.d == d && hour_cache.h == h)
		return hour_cache.start_s;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_isdst = -1;
	hour_cache.start_s = (int64_t)mktime(&tm);
	hour_cache.gen = zone_gen;
	hour_cache.y = y;
	hour_cache.mo = mo;
	hour_cache.d = d;
	hour_cache.h = h;
	return hour_cache.start_s;
}

/* Wall-clock fields to UTC seconds: with an explicit offset when has_off,
 * else in the configured zone. */
static int64_t
to_epoch(const struct civil *c, bool has_off, int off)
{
	int64_t	secs = (int64_t)c->mi * 60 + c->s;

	if (!has_off) {
		zoneless++;
		if (zone_kind == ZONE_LOCAL)
			return local_hour(c->y, c->mo, c->d, c->h) + secs;
		off = zone_kind == ZONE_FIXED ? zone_off_s : 0;
	}
	return utc_midnight(c->y, c->mo, c->d) + (int64_t)c->h * 3600 + secs -
	    off;
}

/* A fraction after '.' or ',' at s (s[0] is the separator): microseconds
 * (extra digits beyond six are read and dropped). */
static size_t
parse_fraction(const char *s, size_t n, int *us)
{
	size_t	i;
	int	v = 0, k = 0;

	if (n < 2 || (s[0] != '.' && s[0] != ',') || !is_digit(s[1]))
		return 0;
	/* milliseconds, as Python's logging writes them */
	if (n >= 4 && is_digit(s[2]) && is_digit(s[3]) && (n == 4 ||
	    !is_digit(s[4]))) {
		*us = ((s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0')) *
		    1000;
		return 4;
	}
	for (i = 1; i < n && is_digit(s[i]); i++) {
		if (k < 6) {
			v = v * 10 + (s[i] - '0');
			k++;
		}
	}
	while (k++ < 6)
		v *= 10;
	*us = v;
	return i;
}

/* The last second parse_iso() converted: its 19 bytes, how its zone was
 * given and its UTC seconds. Records come many to a second; the next in
 * the same second reads only its fraction and offset. */
static _Thread_local struct {
	char		key[19];
	bool		set, has_off;
	int		off;
	unsigned	gen;
	int64_t		secs;
} second_cache;

/* s[0..19) ("2024-05-01 12:00:00" or with a T) as UTC seconds, with an
 * explicit offset when has_off, else in the configured zone; false when
 * it is no valid time. */
static bool
iso_seconds(const char *s, size_t n, bool has_off, int off, int64_t *secs)
{
	struct civil	c;

	if (second_cache.set && second_cache.gen == zone_gen &&
	    second_cache.has_off == has_off && (!has_off ||
	    second_cache.off == off) && memcmp(s, second_cache.key, 19) ==
	    0) {
		if (!has_off)
			zoneless++;
		*secs = second_cache.secs;
		return true;
	}
	if (!digits(s, n, 4, &c.y) || s[4] != '-' ||
	    !digits(s + 5, n - 5, 2, &c.mo) || s[7] != '-' ||
	    !digits(s + 8, n - 8, 2, &c.d) || (s[10] != 'T' && s[10] != ' ') ||
	    !digits(s + 11, n - 11, 2, &c.h) || s[13] != ':' ||
	    !digits(s + 14, n - 14, 2, &c.mi) || s[16] != ':' ||
	    !digits(s + 17, n - 17, 2, &c.s) || !valid_date(&c))
		return false;
	*secs = to_epoch(&c, has_off, off);
	memcpy(second_cache.key, s, 19);
	second_cache.set = true;
	second_cache.has_off = has_off;
	second_cache.off = off;
	second_cache.gen = zone_gen;
	second_cache.secs = *secs;
	return true;
}

static bool
parse_iso(const char *s, size_t n, int64_t *us, size_t *used)
{
	int64_t		secs;
	int		frac = 0, off = 0;
	size_t		k, z;
	bool		has_off = false;

	if (n < 19)
		return false;
	k = 19;
	if (k < n && is_digit(s[k]))
		return false;
	k += parse_fraction(s + k, n - k, &frac);
	if (k < n && s[k] == 'Z') {
		has_off = true;
		k++;
	} else if (k < n && (s[k] == '+' || s[k] == '-') &&
	    parse_offset(s + k, n - k, &off, &z)) {
		has_off = true;
		k += z;
	} else if (k + 6 <= n && s[k] == ' ' &&
	    (s[k + 1] == '+' || s[k + 1] == '-') &&
	    parse_offset(s + k + 1, n - k - 1, &off, &z) && z == 5 &&
	    (k + 6 == n || s[k + 6] == ' ' || s[k + 6] == ']')) {
		/* strftime's "%H:%M:%S %z" */
		has_off = true;
		k += 6;
	}
	if (!iso_seconds(s, n, has_off, off, &secs))
		return false;
	*us = secs * 1000000 + frac;
	*used = k;
	return true;
}

static bool
parse_syslog(const char *s, size_t n, int64_t *us, size_t *used)
{
	static const char	months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char		*m;
	struct civil		 c;
	int			 frac = 0;
	size_t			 k;

	if (n < 15 || s[3] != ' ')
		return false;
	for (m = months; *m != '\0'; m += 3)
		if (memcmp(m, s, 3) == 0)
			break;
	if (*m == '\0')
		return false;
	c.mo = (int)((m - months) / 3) + 1;
	if (s[4] == ' ' && is_digit(s[5]))
		c.d = s[5] - '0';
	else if (!digits(s + 4, n - 4, 2, &c.d))
		return false;
	if (s[6] != ' ' || !digits(s + 7, n - 7, 2, &c.h) || s[9] != ':' ||
	    !digits(s + 10, n - 10, 2, &c.mi) || s[12] != ':' ||
	    !digits(s + 13, n - 13, 2, &c.s))
		return false;
	k = 15;
	if (k < n && is_digit(s[k]))
		return false;
	k += parse_fraction(s + k, n - k, &frac);
	c.y = syslog_year;
	if (c.y == 0) {
		/* this year, unless that is more than a month ahead: a
		 * December log read in January */
		c.y = current_year();
		if (valid_date(&c) && to_epoch(&c, false, 0) >
		    (int64_t)time(NULL) + 31 * 86400)
			c.y--;
	}
	if (!valid_date(&c))
		return false;
	*us = to_epoch(&c, false, 0) * 1000000 + frac;
	*used = k;
	return true;
}

/* Epoch seconds (9-10 digits, optional fraction), or an integer in
 * milliseconds (12-13 digits), microseconds (15-16) or nanoseconds
 * (18-19). */
static bool
parse_epoch(const char *s, size_t n, int64_t *us, size_t *used)
{
	uint64_t v = 0;		/* 19 digits fit; 20 wrap, and are refused */
	size_t	i, k;
	int	frac = 0;

	for (i = 0; i < n && i < 20 && is_digit(s[i]); i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (i < n && is_digit(s[i]))
		return false;
	if (i == 9 || i == 10) {
		k = parse_fraction(s + i, n - i, &frac);
		if (k > 0 && s[i] != '.')
			return false;
		*us = (int64_t)v * 1000000 + frac;
		*used = i + k;
	} else if (i < n && s[i] == '.') {
		return false;
	} else if (i == 12 || i == 13) {
		*us = (int64_t)v * 1000;
		*used = i;
	} else if (i == 15 || i == 16) {
		*us = (int64_t)v;
		*used = i;
	} else if (i == 18 || i == 19) {
		*us = (int64_t)(v / 1000);
		*used = i;
	} else {
		return false;
	}
	/* up to 9999-12-31, like the calendar forms */
	return *us >= 0 && *us < INT64_C(253402300800) * 1000000;
}

bool
timestamp_parse(const char *s, size_t n, int64_t *us, size_t *used)
{
	if (n == 0)
		return false;
	if (is_digit(s[0])) {
		if (n >= 19 && s[4] == '-')
			return parse_iso(s, n, us, used);
		return parse_epoch(s, n, us, used);
	}
	if (s[0] >= 'A' && s[0] <= 'S')
		return parse_syslog(s, n, us, used);
	return false;
}

uint64_t
timestamp_zoneless(void)
{
	return zoneless;
}
