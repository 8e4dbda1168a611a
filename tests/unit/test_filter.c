/* Unit tests for query/filter: user times (durations: test_duration.c),
 * and filters that reach SQLite only as bound values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "common/record.h"
#include "query/filter.h"

#define S	INT64_C(1000000)
#define NOW	(INT64_C(1795545000) * S)	/* 2026-11-24T18:30:00Z */
#define T1	(INT64_C(1795543282) * S)	/* 2026-11-24T18:01:22Z */
#define DAY0	(INT64_C(1795478400) * S)	/* 2026-11-24T00:00:00Z */

static const struct {
	const char	*name, *tz, *in;
	int64_t		 want;
} time_cases[] = {
	{ "seconds ago", "UTC", "90s", NOW - 90 * S },
	{ "minutes ago", "UTC", "30m", NOW - 30 * 60 * S },
	{ "hours ago", "UTC", "2h", NOW - 2 * 3600 * S },
	{ "days ago", "UTC", "7d", NOW - 7 * 86400 * S },
	{ "weeks ago", "UTC", "2w", NOW - 14 * 86400 * S },
	{ "fraction", "UTC", "1.5h", NOW - 5400 * S },
	{ "years ago", "UTC", "100y", NOW - INT64_C(36500) * 86400 * S },
	{ "now", "UTC", "now", NOW },
	{ "log style", "UTC", "2026-11-24 18:01:22", T1 },
	{ "iso z", "UTC", "2026-11-24T18:01:22Z", T1 },
	{ "iso fraction", "UTC", "2026-11-24T18:01:22.770Z", T1 + 770000 },
	{ "comma millis", "UTC", "2026-11-24 18:01:22,770", T1 + 770000 },
	{ "micro", "UTC", "2026-11-24T18:01:22.000001Z", T1 + 1 },
	{ "offset colon", "UTC", "2026-11-24T18:01:22+05:30",
	    T1 - 19800 * S },
	{ "offset plain", "UTC", "2026-11-24T18:01:22-0800", T1 + 28800 * S },
	{ "offset spaced", "UTC", "2026-11-24 18:01:22 +00:00", T1 },
	{ "utc word", "UTC", "2026-11-24 18:01:22 UTC", T1 },
	{ "date only", "UTC", "2026-11-24", DAY0 },
	{ "no seconds", "UTC", "2026-11-24 18:01", T1 - 22 * S },
	{ "clock today", "UTC", "18:01", T1 - 22 * S },
	{ "clock seconds", "UTC", "18:01:22", T1 },
	{ "clock ahead is yesterday", "UTC", "18:45",
	    DAY0 - 86400 * S + (18 * 3600 + 45 * 60) * S },
	{ "clock zoned", "UTC", "18:01:22Z", T1 },
	{ "local zone", "IST-5:30", "2026-11-24 23:31:22", T1 },
	{ "local zone ignored with z", "IST-5:30", "2026-11-24T18:01:22Z",
	    T1 },
	{ "local clock", "IST-5:30", "23:31:22", T1 },
	{ "leap day", "UTC", "2028-02-29", INT64_C(1835395200) * S },
};

static const char *const bad_times[] = {
	"", "yesterday", "90", "90x", "m", "-5m", "1e5s", "2026-13-01",
	"2026-02-30", "2027-02-29", "2026-11-24 25:00", "2026-11-24 18:60",
	"2026-11-24T18:01:22+25:00", "2026-11-24T18:01:22Zjunk", "18:1",
	"2026-11-24 ", "2026/11/24", "99999999999999999d", "1.5.5h",
	"2026-11-24T", "26-11-24",
};

static void
settz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void
test_times(void **state)
{
	struct err	e;
	int64_t		us;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(time_cases) / sizeof(time_cases[0]); i++) {
		print_message("case %s\n", time_cases[i].name);
		settz(time_cases[i].tz);
		us = 0;
		assert_int_equal(filter_time_parse(time_cases[i].in, NOW, &us,
		    &e), 0);
		assert_int_equal(us, time_cases[i].want);
	}
	settz("UTC");
}

static void
test_bad_times(void **state)
{
	struct err	e;
	int64_t		us = 42;
	size_t		i;

	(void)state;
	settz("UTC");
	for (i = 0; i < sizeof(bad_times) / sizeof(bad_times[0]); i++) {
		print_message("bad \"%s\"\n", bad_times[i]);
		err_clear(&e);
		assert_int_equal(filter_time_parse(bad_times[i], NOW, &us, &e),
		    -1);
		assert_int_equal(e.status, STATUS_USAGE);
		assert_non_null(strstr(e.msg, "not a time"));
		assert_int_equal(us, 42);
	}
}

/* A table shaped like findings joined with sources, in memory. */
static sqlite3 *
mkdb(void)
{
	sqlite3	*db;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
	    "CREATE TABLE f (id INTEGER PRIMARY KEY, ts INTEGER, kind TEXT,"
	    " sev INTEGER, task TEXT, coro TEXT, exc TEXT, path TEXT,"
	    " setp TEXT, inc INTEGER);"
	    "INSERT INTO f VALUES"
	    " (1, 100, 'stall', 2, 'Task-1', 'a.run', NULL,"
	    "  '/var/log/app.log', '/var/log/app.log', 1),"
	    " (2, 200, 'never_awaited', 2, NULL, 'main', NULL,"
	    "  '/var/log/app.log.1', '/var/log/app.log', 2),"
	    " (3, 300, 'never_retrieved', 3, 'Task-12', 'b.send',"
	    "  'KeyError', '/srv/worker.log', '/srv/worker.log', 3),"
	    " (4, 400, 'nested_run', 4, 'x'' OR 1=1 --', 'main',"
	    "  'RuntimeError', '/srv/myapp.log', '/srv/myapp.log', 3);",
	    NULL, NULL, NULL), SQLITE_OK);
	return db;
}

/* The ids the filter selects, "1,3". */
static const char *
ids(sqlite3 *db, const struct filter *f)
{
	static const struct filter_cols	 c = {
		.ts = "ts", .kind = "kind", .severity = "sev", .task = "task",
		.coro = "coro", .exception = "exc", .path = "path",
		.set_path = "setp", .incident = "inc",
	};
	static char		 out[64];
	struct filter_sql	 q;
	struct err		 e;
	sqlite3_stmt		*st;
	size_t			 n = 0;

	filter_sql_init(&q);
	filter_sql_add(&q, "SELECT id FROM f WHERE 1");
	filter_where(f, &c, &q);
	filter_sql_add(&q, " ORDER BY id");
	assert_int_equal(filter_sql_prepare(&q, db, "mem", &st, &e), 0);
	out[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW)
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%d",
		    n ? "," : "", sqlite3_column_int(st, 0));
	sqlite3_finalize(st);
	filter_sql_release(&q);
	return out;
}

static void
test_where(void **state)
{
	sqlite3		*db = mkdb();
	struct filter	 f;

	(void)state;
	filter_init(&f);
	assert_string_equal(ids(db, &f), "1,2,3,4");
	f.since_us = 200;
	assert_string_equal(ids(db, &f), "2,3,4");
	f.until_us = 400;
	assert_string_equal(ids(db, &f), "2,3");
	filter_init(&f);
	f.kind = "stall,nested_run";
	assert_string_equal(ids(db, &f), "1,4");
	f.kind = ",";
	assert_string_equal(ids(db, &f), "");
	filter_init(&f);
	f.severity = 3;
	assert_string_equal(ids(db, &f), "3,4");
	filter_init(&f);
	f.task = "Task-1";
	assert_string_equal(ids(db, &f), "1");
	f.task = "Task-1*";
	assert_string_equal(ids(db, &f), "1,3");
	f.task = "x' OR 1=1 --";
	assert_string_equal(ids(db, &f), "4");
	filter_init(&f);
	f.coro = "main";
	f.exception = "RuntimeError";
	assert_string_equal(ids(db, &f), "4");
	filter_init(&f);
	f.source = "app.log";
	assert_string_equal(ids(db, &f), "1,2");
	f.source = "app.log.1";
	assert_string_equal(ids(db, &f), "2");
	f.source = "p.log";		/* a tail only after a '/' */
	assert_string_equal(ids(db, &f), "");
	f.source = "/srv/*";
	assert_string_equal(ids(db, &f), "3,4");
	f.source = "*worker*";
	assert_string_equal(ids(db, &f), "3");
	filter_init(&f);
	f.incident = 3;
	f.kind = "nested_run";
	assert_string_equal(ids(db, &f), "4");
	sqlite3_close(db);
}

static void
test_no_user_text_in_sql(void **state)
{
	static const struct filter_cols	 c = {
		.ts = "ts", .kind = "kind", .kinds = NULL, .task = "task",
		.coro = "coro", .exception = "exc", .path = "path",
	};
	struct filter_sql	q;
	struct filter		f;

	(void)state;
	filter_init(&f);
	f.task = "EVIL1";
	f.coro = "EVIL2*";
	f.exception = "EVIL3";
	f.kind = "EVIL4,EVIL5";
	f.source = "EVIL6";
	filter_sql_init(&q);
	filter_where(&f, &c, &q);
	assert_null(strstr(q.text.data, "EVIL"));
	assert_int_equal(q.nbinds, 6);
	assert_false(q.overflow);
	filter_sql_release(&q);
}

static void
test_kinds_list_column(void **state)
{
	static const struct filter_cols	 c = { .kinds = "kinds" };
	struct filter_sql	 q;
	struct filter		 f;
	struct err		 e;
	sqlite3			*db;
	sqlite3_stmt		*st;
	int			 n = 0;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE i (kinds TEXT);"
	    "INSERT INTO i VALUES ('stall'), ('nested_run,never_awaited'),"
	    " ('never_awaited_x'), ('a b never_awaited');", NULL, NULL,
	    NULL), SQLITE_OK);
	filter_init(&f);
	f.kind = "never_awaited";
	filter_sql_init(&q);
	filter_sql_add(&q, "SELECT count(*) FROM i WHERE 1");
	filter_where(&f, &c, &q);
	assert_int_equal(filter_sql_prepare(&q, db, "mem", &st, &e), 0);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int(st, 0);
	assert_int_equal(n, 2);
	sqlite3_finalize(st);
	filter_sql_release(&q);
	sqlite3_close(db);
}

static void
test_bad_sql_is_db_error(void **state)
{
	struct filter_sql	 q;
	struct err		 e;
	sqlite3			*db;
	sqlite3_stmt		*st = (sqlite3_stmt *)&q;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	filter_sql_init(&q);
	filter_sql_add(&q, "SELECT x FROM nowhere");
	assert_int_equal(filter_sql_prepare(&q, db, "x.db", &st, &e), -1);
	assert_null(st);
	assert_int_equal(e.status, STATUS_DB);
	assert_non_null(strstr(e.msg, "x.db: no such table: nowhere"));
	filter_sql_release(&q);
	sqlite3_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_bad_times),
		cmocka_unit_test(test_where),
		cmocka_unit_test(test_no_user_text_in_sql),
		cmocka_unit_test(test_kinds_list_column),
		cmocka_unit_test(test_bad_sql_is_db_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
