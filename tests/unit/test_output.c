/* Unit tests for query/output: every format stays valid whatever the log
 * text holds; tables fit their width. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "query/output.h"

static const struct output_col cols[] = {
	{ NULL, "ts", "TIME", OUTPUT_TIME, 0 },
	{ NULL, "severity", "SEV", OUTPUT_SEVERITY, 0 },
	{ NULL, "task", "TASK", OUTPUT_TEXT, 0 },
	{ NULL, "duration_s", "DUR", OUTPUT_SECONDS, 0 },
	{ NULL, "line", "LINE", OUTPUT_INT, 0 },
	{ NULL, "message", "MESSAGE", OUTPUT_TEXT, 0 },
};
#define NCOLS	(sizeof(cols) / sizeof(cols[0]))

/* The rows of sql written in fmt, a string the caller frees. */
static char *
render(const char *sql, enum output_format fmt, int flags, int width)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	struct output	*o;
	struct err	 e;
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
	    SQLITE_OK);
	o = output_new(f, fmt, cols, NCOLS, flags, width);
	while (sqlite3_step(st) == SQLITE_ROW)
		output_row(o, st);
	assert_int_equal(output_end(o, &e), 0);
	output_free(o);
	sqlite3_finalize(st);
	sqlite3_close(db);
	fclose(f);
	return buf;
}

/* 2026-11-24T18:01:22.770000Z, a hostile task and message. */
#define ROW_HOSTILE	"SELECT 1795543282770000, 3, '=cmd|'' /C calc''!A0'," \
	" 4250000, 42, 'a \"q\", b' || char(10) || 'next' || char(27) ||" \
	" ']8;;http://evil' || char(7) || '<script>' || char(13) ||" \
	" x'ff' || char(8232)"
#define ROW_NULLS	"SELECT NULL, 1, NULL, NULL, NULL, NULL"

static void
test_ndjson(void **state)
{
	char	*s;

	(void)state;
	s = render(ROW_HOSTILE, OUTPUT_NDJSON, 0, 0);
	assert_string_equal(s, "{\"ts\": \"2026-11-24T18:01:22.770000Z\", "
	    "\"severity\": \"error\", \"task\": \"=cmd|' /C calc'!A0\", "
	    "\"duration_s\": 4.25, \"line\": 42, \"message\": "
	    "\"a \\\"q\\\", b\\nnext\\u001b]8;;http://evil\\u0007<script>"
	    "\\r\\ufffd\\u2028\"}\n");
	free(s);
	s = render(ROW_NULLS, OUTPUT_NDJSON, 0, 0);
	assert_string_equal(s, "{\"ts\": null, \"severity\": \"info\", "
	    "\"task\": null, \"duration_s\": null, \"line\": null, "
	    "\"message\": null}\n");
	free(s);
}

static void
test_json_array(void **state)
{
	char	*s;

	(void)state;
	s = render(ROW_NULLS " UNION ALL " ROW_NULLS, OUTPUT_JSON, 0, 0);
	assert_non_null(strstr(s, "[\n{"));
	assert_non_null(strstr(s, "},\n{"));
	assert_non_null(strstr(s, "}\n]\n"));
	free(s);
	s = render(ROW_NULLS " WHERE 0", OUTPUT_JSON, 0, 0);
	assert_string_equal(s, "[]\n");
	free(s);
}

static void
test_csv(void **state)
{
	char	*s;

	(void)state;
	s = render(ROW_HOSTILE, OUTPUT_CSV, 0, 0);
	assert_string_equal(s, "\"ts\",\"severity\",\"task\",\"duration_s\","
	    "\"line\",\"message\"\r\n"
	    "\"2026-11-24T18:01:22.770000Z\",\"error\","
	    "\"'=cmd|' /C calc'!A0\",4.25,42,"
	    "\"a \"\"q\"\", b\nnext\\e]8;;http://evil\\x07<script>\\r"
	    "\xef\xbf\xbd\\u{2028}\"\r\n");
	free(s);
	s = render(ROW_NULLS, OUTPUT_CSV, 0, 0);
	assert_non_null(strstr(s, "\r\n,\"info\",,,,\r\n"));
	free(s);
	s = render(ROW_NULLS " WHERE 0", OUTPUT_CSV, 0, 0);
	assert_string_equal(s, "\"ts\",\"severity\",\"task\",\"duration_s\","
	    "\"line\",\"message\"\r\n");
	free(s);
	s = render("SELECT 0, 2, '-2+3', NULL, NULL, '@SUM(A1)'",
	    OUTPUT_CSV, 0, 0);
	assert_non_null(strstr(s, "\"'-2+3\""));
	assert_non_null(strstr(s, "\"'@SUM(A1)\""));
	free(s);
}

static void
test_table(void **state)
{
	char	*s;

	(void)state;
	s = render(ROW_HOSTILE, OUTPUT_TABLE, 0, 0);
	/* escaped: no ESC, BEL, CR or newline inside the row */
	assert_null(strchr(s, '\x1b'));
	assert_null(strchr(s, '\x07'));
	assert_null(strchr(s, '\r'));
	assert_non_null(strstr(s, "\\e]8;;http://evil\\x07"));
	assert_non_null(strstr(s, "2026-11-24 18:01:22.770  error"));
	assert_non_null(strstr(s, "4.250"));	/* a table shows ms */
	assert_int_equal(strchr(s, '\n') - s, strlen("TIME                "
	    "     SEV    TASK                DUR    LINE  MESSAGE"));
	free(s);
	s = render(ROW_NULLS, OUTPUT_TABLE, 0, 0);
	/* the time column names its zone */
	assert_non_null(strstr(s, "TIME UTC  SEV   TASK  DUR  LINE  MESSAGE\n"));
	assert_non_null(strstr(s, "-         info  -     -    -     -\n"));
	free(s);
	s = render(ROW_NULLS " WHERE 0", OUTPUT_TABLE, 0, 0);
	assert_string_equal(s, "");
	free(s);
}

static void
test_table_width(void **state)
{
	char	*s, *line, *save = NULL;
	size_t	 n = 0;

	(void)state;
	s = render("SELECT 0, 2, 'Task-1', 1000000, 7, "
	    "printf('%.200c', 'x')", OUTPUT_TABLE, 0, 60);
	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		assert_true(output_width(line, strlen(line)) <= 60);
		n++;
	}
	assert_int_equal(n, 2);
	free(s);
	s = render("SELECT 0, 2, 'Task-1', 1000000, 7, "
	    "printf('%.200c', 'x')", OUTPUT_TABLE, 0, 60);
	assert_non_null(strstr(s, "x\xe2\x80\xa6\n"));
	free(s);
}

static void
test_table_drop(void **state)
{
	static const struct output_col	 dcols[] = {
		{ NULL, "a", "AAAA", OUTPUT_TEXT, 0 },
		{ NULL, "b", "BBBB", OUTPUT_TEXT, 1 },
		{ NULL, "c", "CCCC", OUTPUT_TEXT, 2 },
		{ NULL, "m", "MESSAGE", OUTPUT_TEXT, 0 },
	};
	sqlite3		*db;
	sqlite3_stmt	*st;
	struct output	*o;
	struct err	 e;
	char		*buf = NULL;
	size_t		 len = 0;
	FILE		*f = open_memstream(&buf, &len);
	int		 width;

	(void)state;
	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	for (width = 200; width >= 22; width -= 178) {
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT "
		    "'aaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbb', "
		    "'cccccccccccccccccccc', printf('%.60c', 'm')", -1, &st,
		    NULL), SQLITE_OK);
		o = output_new(f, OUTPUT_TABLE, dcols, 4, 0, width);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		output_row(o, st);
		assert_int_equal(output_end(o, &e), 0);
		output_free(o);
		sqlite3_finalize(st);
	}
	fclose(f);
	/* wide: everything whole; narrow: C left out first, then B */
	assert_non_null(strstr(buf, "AAAA                  BBBB                  "
	    "CCCC                  MESSAGE\n"));
	assert_non_null(strstr(buf, "\nAAAA      MESSAGE\n"));
	assert_null(strstr(strstr(buf, "\nAAAA      MESSAGE\n"), "BBBB"));
	free(buf);
	sqlite3_close(db);
}

static void
test_colour(void **state)
{
	char	*s;

	(void)state;
	s = render(ROW_HOSTILE, OUTPUT_TABLE, OUTPUT_COLOR, 0);
	assert_non_null(strstr(s, "\033[31merror\033[0m"));
	free(s);
	s = render(ROW_HOSTILE, OUTPUT_TABLE, 0, 0);
	assert_null(strstr(s, "\033["));
	free(s);
	s = render(ROW_HOSTILE, OUTPUT_JSON, OUTPUT_COLOR, 0);
	assert_null(strchr(s, '\033'));
	free(s);
}

static void
test_helpers(void **state)
{
	static const struct {
		int64_t		 us;
		const char	*want;
	} secs[] = {
		{ 4200000, "4.2" }, { 1, "0.000001" }, { 0, "0.0" },
		{ 1000000, "1.0" }, { -1500000, "-1.5" },
		{ INT64_MIN, "-9223372036854.775808" },
	};
	char	buf[40], *p;
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
		assert_string_equal(output_seconds(secs[i].us, buf),
		    secs[i].want);
	assert_string_equal(output_time(INT64_C(1795543282770000), false,
	    buf), "2026-11-24 18:01:22.770");
	assert_string_equal(output_time(-1, false, buf),
	    "1969-12-31 23:59:59.999");
	p = output_fit("abcdef", 6, 6);
	assert_string_equal(p, "abcdef");
	free(p);
	p = output_fit("abcdef", 6, 4);
	assert_string_equal(p, "abc\xe2\x80\xa6");
	free(p);
	/* a cut never splits a UTF-8 sequence */
	p = output_fit("\xd0\xb8\xd0\xbc\xd1\x8f", 6, 2);
	assert_string_equal(p, "\xd0\xb8\xe2\x80\xa6");
	free(p);
	p = output_fit("abc", 3, 0);
	assert_string_equal(p, "");
	free(p);
	assert_true(output_format_parse("ndjson", &(enum output_format){ 0 }));
	assert_false(output_format_parse("xml", &(enum output_format){ 0 }));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ndjson),
		cmocka_unit_test(test_json_array),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_table_width),
		cmocka_unit_test(test_table_drop),
		cmocka_unit_test(test_colour),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
