/* Unit tests for common/duration: the one reading of a duration that
 * --stall-min, --window, --context-time, --poll, the query filters and
 * the fleet's --timeout and --jitter share. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/duration.h"
#include "fleet/fleeturl.h"

#define S	INT64_C(1000000)
#define NO	INT64_C(-1)		/* refused */

static const struct {
	const char	*name, *in;
	int64_t		 want;		/* seconds when bare; NO: refused */
} cases[] = {
	{ "milliseconds", "500ms", 500000 },
	{ "seconds with a fraction", "0.5s", 500000 },
	{ "bare seconds", "0.5", 500000 },
	{ "bare whole seconds", "5", 5 * S },
	{ "leading point", ".5s", 500000 },
	{ "trailing point", "2.s", 2 * S },
	{ "sec", "90sec", 90 * S },
	{ "minutes", "2m", 120 * S },
	{ "min", "2min", 120 * S },
	{ "fraction of an hour", "1.5h", 5400 * S },
	{ "hour", "1h", 3600 * S },
	{ "days", "7d", 7 * 86400 * S },
	{ "weeks", "2w", 14 * 86400 * S },
	{ "years", "100y", INT64_C(36500) * 86400 * S },
	{ "zero", "0", 0 },
	{ "microsecond", "0.000001s", 1 },
	{ "under a microsecond rounds", "0.0000004s", 0 },
	{ "fraction of a millisecond", "1.5ms", 1500 },
	{ "many digits of fraction", "0.1234567890123s", 123457 },
	{ "the cap", "200y", INT64_C(200) * 365 * 86400 * S },
	{ "over the cap", "201y", NO },
	{ "overflows int64 seconds", "9300000000000s", NO },
	{ "overflows int64 digits", "99999999999999999999", NO },
	{ "exponent", "1e300", NO },
	{ "small exponent", "5e-1", NO },
	{ "nan", "nan", NO },
	{ "NaN", "NaN", NO },
	{ "inf", "inf", NO },
	{ "infinity", "infinity", NO },
	{ "negative", "-1s", NO },
	{ "negative zero", "-0", NO },
	{ "plus sign", "+1s", NO },
	{ "hex", "0x10", NO },
	{ "empty", "", NO },
	{ "unit only", "s", NO },
	{ "point only", ".", NO },
	{ "point and unit", ".s", NO },
	{ "space before", " 1s", NO },
	{ "space before unit", "1 s", NO },
	{ "space after", "1s ", NO },
	{ "unknown unit", "5q", NO },
	{ "two units", "1h30m", NO },
	{ "upper case unit", "1S", NO },
	{ "two points", "1.2.3s", NO },
	{ "comma", "0,5s", NO },
	{ "negative bare", "-1", NO },
	{ "trailing junk", "5sx", NO },
	{ "trailing junk after ms", "500ms!", NO },
	{ "trailing word", "2m ago", NO },
	{ "infinity with unit", "infs", NO },
	{ "nan with unit", "nans", NO },
	{ "huge exponent with unit", "1e300s", NO },
};

static void
test_table(void **state)
{
	struct err	e;
	int64_t		us;
	size_t		i;
	int		rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("%s: \"%s\"\n", cases[i].name, cases[i].in);
		us = -7;
		err_clear(&e);
		rc = duration_parse(cases[i].in, false, &us, &e);
		if (cases[i].want == NO) {
			assert_int_equal(rc, -1);
			assert_int_equal(e.status, STATUS_USAGE);
			assert_non_null(strstr(e.msg, "not a duration"));
			assert_non_null(strstr(e.msg, cases[i].in));
			assert_int_equal(us, -7);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(us, cases[i].want);
		}
	}
}

/* A bare number is a relative time's error: there the unit is required. */
static void
test_bare_unit(void **state)
{
	int64_t	us = -7;

	(void)state;
	assert_false(duration_read("30", 0, &us));
	assert_int_equal(us, -7);
	assert_true(duration_read("30m", 0, &us));
	assert_int_equal(us, 1800 * S);
	assert_true(duration_read("30", 60 * S, &us));
	assert_int_equal(us, 1800 * S);
}

/* --stall-min: zero is no threshold at all. */
static void
test_positive(void **state)
{
	struct err	e;
	int64_t		us = -7;

	(void)state;
	assert_int_equal(duration_parse("0", true, &us, &e), -1);
	assert_int_equal(e.status, STATUS_USAGE);
	assert_non_null(strstr(e.msg, "must be more than 0"));
	assert_int_equal(duration_parse("0.000s", true, &us, &e), -1);
	assert_int_equal(us, -7);
	assert_int_equal(duration_parse("1ms", true, &us, &e), 0);
	assert_int_equal(us, 1000);
}

/* --timeout and --jitter (ship, fleet, query --fleet): the same reading,
 * in seconds, at most a day. */
static void
test_fleet_seconds(void **state)
{
	static const struct {
		const char	*in;
		double		 want;	/* -1: refused */
	} t[] = {
		{ "30", 30 }, { "30s", 30 }, { "500ms", 0.5 }, { "0.5s", 0.5 },
		{ "2m", 120 }, { "1d", 86400 }, { "0", 0 },
		{ "2d", -1 }, { "86401", -1 }, { "nan", -1 }, { "inf", -1 },
		{ "-1", -1 }, { "1e300", -1 }, { "1e3", -1 }, { "", -1 },
		{ "30 s", -1 }, { "30sx", -1 },
	};
	double	v;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		print_message("\"%s\"\n", t[i].in);
		v = -7;
		if (t[i].want < 0) {
			assert_false(fleeturl_seconds(t[i].in, &v));
			assert_true(v == -7);
		} else {
			assert_true(fleeturl_seconds(t[i].in, &v));
			assert_true(v == t[i].want);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_bare_unit),
		cmocka_unit_test(test_positive),
		cmocka_unit_test(test_fleet_seconds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
