/* Unit tests for ingest/timestamp: every header time form, every way a
 * time can be impossible, and the zone a zone-less time is read in. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/timestamp.h"

/* 2026-11-24T18:01:22Z */
#define T0	INT64_C(1795543282000000)

static const struct {
	const char	*name, *in;
	int64_t		 us;
	size_t		 used;
} good[] = {
	{ "asctime comma ms", "2026-11-24 18:01:22,454", T0 + 454000, 23 },
	{ "asctime dot ms", "2026-11-24 18:01:48.003",
	    INT64_C(1795543308003000), 23 },
	{ "iso T offset colon", "2026-11-24T23:31:14.456+05:30",
	    INT64_C(1795543274456000), 29 },
	{ "iso Z", "2026-11-24T18:01:22Z", T0, 20 },
	{ "iso +0000", "2026-11-24T18:01:22+0000", T0, 24 },
	{ "iso -0800", "2026-11-24T10:01:22-0800", T0, 24 },
	{ "iso +05 hours only", "2026-11-24T23:01:22+05", T0, 22 },
	{ "microseconds", "2026-11-24T18:01:22.123456Z", T0 + 123456, 27 },
	{ "nanoseconds cut to us", "2026-11-24T18:01:22.123456789Z",
	    T0 + 123456, 30 },
	{ "one fraction digit", "2026-11-24 18:01:22.5", T0 + 500000, 21 },
	{ "space then %z", "2026-11-24 19:01:22 +0100 INFO", T0, 25 },
	{ "space %z in brackets", "2026-11-24 19:01:22 +0100] [1]", T0, 25 },
	{ "followed by text", "2026-11-24 18:01:22,454 INFO app: x",
	    T0 + 454000, 23 },
	{ "no fraction, dash after", "2026-11-24 18:01:22 - app", T0, 19 },
	{ "bad zone left unread", "2026-11-24 18:01:22+25:00", T0, 19 },
	{ "leap day", "2028-02-29 00:00:00", INT64_C(1835395200000000), 19 },
	{ "leap second", "2026-12-31 23:59:60", INT64_C(1798761600000000),
	    19 },
	{ "epoch start", "1970-01-01T00:00:00Z", 0, 20 },
	{ "last second", "9999-12-31T23:59:59Z",
	    INT64_C(253402300799000000), 20 },
	{ "syslog", "Nov 24 18:01:22 host app[1]: x", T0, 15 },
	{ "syslog padded day", "Nov  4 18:01:22", T0 - 20 * 86400 *
	    INT64_C(1000000), 15 },
	{ "epoch float", "1795543282.454", T0 + 454000, 14 },
	{ "epoch seconds", "1795543282", T0, 10 },
	{ "epoch millis", "1795543282454", T0 + 454000, 13 },
	{ "epoch micros", "1795543282454001", T0 + 454001, 16 },
	{ "epoch nanos", "1795543282454001999", T0 + 454001, 19 },
};

static const struct {
	const char	*name, *in;
} bad[] = {
	{ "empty", "" },
	{ "month 13", "2026-13-24 18:01:22" },
	{ "month 0", "2026-00-24 18:01:22" },
	{ "day 0", "2026-11-00 18:01:22" },
	{ "nov 31", "2026-11-31 18:01:22" },
	{ "feb 30", "2028-02-30 18:01:22" },
	{ "feb 29 not leap", "2026-02-29 18:01:22" },
	{ "feb 29 1900 rule", "2100-02-29 00:00:00" },
	{ "hour 24", "2026-11-24 24:00:00" },
	{ "minute 60", "2026-11-24 18:60:00" },
	{ "second 61", "2026-11-24 18:01:61" },
	{ "year 1969", "1969-12-31 23:59:59" },
	{ "year 0", "0000-01-01 00:00:00" },
	{ "date only", "2026-11-24" },
	{ "one digit month", "2026-1-24 18:01:22" },
	{ "no seconds", "2026-11-24 18:01" },
	{ "slash date", "2026/11/24 18:01:22" },
	{ "letters", "INFO:app:message" },
	{ "unknown month", "Foo 24 18:01:22" },
	{ "syslog day 32", "Nov 32 18:01:22" },
	{ "syslog nov 31", "Nov 31 18:01:22" },
	{ "epoch 8 digits", "17955432" },
	{ "epoch 11 digits", "17955432821" },
	{ "epoch comma", "1795543282,454" },
	{ "seven digit seconds field", "2026-11-24 18:01:223" },
	{ "traceback line", "Traceback (most recent call last):" },
};

static int
setup(void **state)
{
	(void)state;
	timestamp_set_year(2026);
	return timestamp_set_zone("UTC", NULL);
}

static void
test_good(void **state)
{
	size_t	i, used;
	int64_t	us;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		print_message("case %s\n", good[i].name);
		used = 0;
		assert_true(timestamp_parse(good[i].in, strlen(good[i].in),
		    &us, &used));
		assert_int_equal(us, good[i].us);
		assert_int_equal(used, good[i].used);
	}
}

static void
test_bad(void **state)
{
	size_t	i, used;
	int64_t	us;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		print_message("case %s\n", bad[i].name);
		assert_false(timestamp_parse(bad[i].in, strlen(bad[i].in), &us,
		    &used));
	}
}

static void
test_length_bound(void **state)
{
	const char	*s = "2026-11-24 18:01:22,454";
	size_t		 used;
	int64_t		 us;

	(void)state;
	/* n bounds the read: a cut time is no time, a cut fraction is
	 * shorter */
	assert_false(timestamp_parse(s, 18, &us, &used));
	assert_true(timestamp_parse(s, 21, &us, &used));
	assert_int_equal(us, T0 + 400000);
	assert_int_equal(used, 21);
}

static void
test_zones(void **state)
{
	struct err	e;
	size_t		used;
	int64_t		us;

	(void)state;
	assert_int_equal(timestamp_set_zone("+05:30", &e), 0);
	assert_true(timestamp_parse("2026-11-24 23:31:22", 19, &us, &used));
	assert_int_equal(us, T0);
	/* an explicit zone wins over the configured one */
	assert_true(timestamp_parse("2026-11-24T18:01:22Z", 20, &us, &used));
	assert_int_equal(us, T0);
	assert_int_equal(timestamp_set_zone("-0800", &e), 0);
	assert_true(timestamp_parse("2026-11-24 10:01:22", 19, &us, &used));
	assert_int_equal(us, T0);

	assert_int_equal(timestamp_set_zone("Europe/Berlin", &e), 0);
	assert_true(timestamp_parse("2026-07-01 12:00:00", 19, &us, &used));
	assert_int_equal(us, INT64_C(1782900000000000));	/* CEST */
	assert_true(timestamp_parse("2026-01-01 12:00:00", 19, &us, &used));
	assert_int_equal(us, INT64_C(1767265200000000));	/* CET */
	/* the hour cache: same hour, other minutes */
	assert_true(timestamp_parse("2026-01-01 12:30:15", 19, &us, &used));
	assert_int_equal(us, INT64_C(1767265200000000) + 1815 *
	    INT64_C(1000000));
	assert_true(timestamp_parse("Nov 24 19:01:22", 15, &us, &used));
	assert_int_equal(us, T0);

	/* NULL: the local zone as TZ says */
	setenv("TZ", "America/New_York", 1);
	tzset();
	assert_int_equal(timestamp_set_zone(NULL, &e), 0);
	assert_true(timestamp_parse("2026-01-01 12:00:00", 19, &us, &used));
	assert_int_equal(us, INT64_C(1767286800000000));

	assert_int_equal(timestamp_set_zone("UTC", &e), 0);
	assert_true(timestamp_parse("2026-01-01 12:00:00", 19, &us, &used));
	assert_int_equal(us, INT64_C(1767268800000000));
}

static void
test_same_second(void **state)
{
	struct err	e;
	size_t		used;
	int64_t		us;
	uint64_t	zl;

	(void)state;
	/* the same second again: its fraction and zone read each time */
	assert_true(timestamp_parse("2026-11-24 18:01:22,100", 23, &us, &used));
	assert_int_equal(us, T0 + 100000);
	zl = timestamp_zoneless();
	assert_true(timestamp_parse("2026-11-24 18:01:22,250", 23, &us, &used));
	assert_int_equal(us, T0 + 250000);
	assert_int_equal(used, 23);
	assert_int_equal(timestamp_zoneless(), zl + 1);
	assert_true(timestamp_parse("2026-11-24 18:01:22+01:00", 25, &us,
	    &used));
	assert_int_equal(us, T0 - 3600 * INT64_C(1000000));
	assert_int_equal(timestamp_zoneless(), zl + 1);
	assert_true(timestamp_parse("2026-11-24 18:01:22-02:00", 25, &us,
	    &used));
	assert_int_equal(us, T0 + 7200 * INT64_C(1000000));
	assert_true(timestamp_parse("2026-11-24 18:01:22Z", 20, &us, &used));
	assert_int_equal(us, T0);
	/* another zone configured: the same text, another time */
	assert_int_equal(timestamp_set_zone("+05:30", &e), 0);
	assert_true(timestamp_parse("2026-11-24 18:01:22", 19, &us, &used));
	assert_int_equal(us, T0 - 19800 * INT64_C(1000000));
	assert_int_equal(timestamp_set_zone("UTC", &e), 0);
	assert_true(timestamp_parse("2026-11-24 18:01:22", 19, &us, &used));
	assert_int_equal(us, T0);
	/* a bad time after a good one of the same minute is still bad */
	assert_false(timestamp_parse("2026-11-24 18:01:61", 19, &us, &used));
	assert_true(timestamp_parse("2026-11-24T18:01:22", 19, &us, &used));
	assert_int_equal(us, T0);
}

static void
test_bad_zones(void **state)
{
	static const char *const names[] = { "Bogus/Zone", "+5", "+05:30x",
	    "+25:00", "../etc/passwd", "/etc/localtime", NULL };
	struct err	e;
	size_t		i;

	(void)state;
	for (i = 0; names[i] != NULL; i++) {
		print_message("zone %s\n", names[i]);
		err_clear(&e);
		assert_int_equal(timestamp_set_zone(names[i], &e), -1);
		assert_int_equal(e.status, STATUS_USAGE);
		assert_non_null(strstr(e.msg, "--tz"));
	}
	assert_int_equal(timestamp_set_zone("UTC", &e), 0);
}

static void
test_syslog_year(void **state)
{
	size_t	used;
	int64_t	us;

	(void)state;
	timestamp_set_year(2028);
	assert_true(timestamp_parse("Feb 29 00:00:00", 15, &us, &used));
	assert_int_equal(us, INT64_C(1835395200000000));
	timestamp_set_year(2026);
	assert_false(timestamp_parse("Feb 29 00:00:00", 15, &us, &used));
}

/* Without a year set: this year, or last year for a date well ahead. */
static void
test_syslog_auto_year(void **state)
{
	static const char	mon[][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t			now = time(NULL), t;
	struct tm		tm;
	char			s[32];
	size_t			used;
	int64_t			us;

	(void)state;
	timestamp_set_year(0);
	t = now - 86400;
	gmtime_r(&t, &tm);
	snprintf(s, sizeof(s), "%s %2d %02d:%02d:%02d", mon[tm.tm_mon],
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	assert_true(timestamp_parse(s, strlen(s), &us, &used));
	assert_int_equal(us, (int64_t)t * 1000000);

	t = now + 90 * 86400;
	gmtime_r(&t, &tm);
	if (tm.tm_mon == 1 && tm.tm_mday == 29) {
		t += 86400;
		gmtime_r(&t, &tm);
	}
	snprintf(s, sizeof(s), "%s %2d %02d:%02d:%02d", mon[tm.tm_mon],
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	tm.tm_year--;
	assert_true(timestamp_parse(s, strlen(s), &us, &used));
	assert_int_equal(us, (int64_t)timegm(&tm) * 1000000);
	timestamp_set_year(2026);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_good, setup),
		cmocka_unit_test_setup(test_bad, setup),
		cmocka_unit_test_setup(test_length_bound, setup),
		cmocka_unit_test_setup(test_zones, setup),
		cmocka_unit_test_setup(test_bad_zones, setup),
		cmocka_unit_test_setup(test_same_second, setup),
		cmocka_unit_test_setup(test_syslog_year, setup),
		cmocka_unit_test_setup(test_syslog_auto_year, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
