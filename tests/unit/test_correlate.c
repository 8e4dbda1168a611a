/* Unit tests for rules/correlate on a real temporary SQLite database:
 * one test per chain, plus windows, repeats and incremental rebuilds. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/severity.h"
#include "rules/correlate.h"
#include "store/store.h"

#define S	1000000LL
#define T0	1764007282000000LL
#define WINDOW	(60 * S)

struct db {
	char		 path[64];
	struct store	*s;
};

static int
setup(void **state)
{
	struct db	*d = calloc(1, sizeof(*d));
	struct err	 e;
	int		 fd;

	if (d == NULL)
		return -1;
	strcpy(d->path, "/tmp/aiosift-corr-XXXXXX");
	if ((fd = mkstemp(d->path)) == -1)
		return -1;
	close(fd);
	unlink(d->path);
	if ((d->s = store_open(d->path, 0, &e)) == NULL) {
		fprintf(stderr, "store_open: %s\n", e.msg);
		return -1;
	}
	if (store_exec(d->s, "INSERT INTO sources (id, path, set_path, "
	    "fingerprint, added_us, updated_us) VALUES (1, 'app.log', "
	    "'app.log', x'00', 0, 0)", &e) == -1)
		return -1;
	*state = d;
	return 0;
}

static int
teardown(void **state)
{
	struct db	*d = *state;
	char		 p[80];

	store_close(d->s);
	unlink(d->path);
	snprintf(p, sizeof(p), "%s-wal", d->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", d->path);
	unlink(p);
	free(d);
	return 0;
}

/* Insert one finding; returns its id. */
static int64_t
add(struct db *d, int64_t ts, const char *kind, int sev, const char *task,
    const char *coro, const char *exc, int64_t dur)
{
	sqlite3		*db = store_db(d->s);
	sqlite3_stmt	*st;

	assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO findings "
	    "(source_id, ts_us, kind, rule, severity, task, coro, exception, "
	    "duration_us) VALUES (1, ?1, ?2, 'r', ?3, ?4, ?5, ?6, ?7)", -1,
	    &st, NULL), SQLITE_OK);
	if (ts == INT64_MIN)
		sqlite3_bind_null(st, 1);
	else
		sqlite3_bind_int64(st, 1, ts);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, sev);
	if (task)
		sqlite3_bind_text(st, 4, task, -1, SQLITE_STATIC);
	if (coro)
		sqlite3_bind_text(st, 5, coro, -1, SQLITE_STATIC);
	if (exc)
		sqlite3_bind_text(st, 6, exc, -1, SQLITE_STATIC);
	if (dur >= 0)
		sqlite3_bind_int64(st, 7, dur);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	return sqlite3_last_insert_rowid(db);
}

static void
correlate(struct db *d, int64_t since)
{
	struct err	e;

	assert_int_equal(store_begin(d->s, &e), 0);
	if (correlate_run(d->s, since, WINDOW, &e) == -1)
		fail_msg("correlate_run: %s", e.msg);
	assert_int_equal(store_commit(d->s, &e), 0);
}

static int64_t
one_int(struct db *d, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v;

	assert_int_equal(sqlite3_prepare_v2(store_db(d->s), sql, -1, &st,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The incident of finding id as "kinds|count|task|coro|severity|summary". */
static const char *
incident_of(struct db *d, int64_t id)
{
	static char	 out[1024];
	sqlite3_stmt	*st;

	assert_int_equal(sqlite3_prepare_v2(store_db(d->s), "SELECT i.kinds, "
	    "i.count, coalesce(i.task, '-'), coalesce(i.coro, '-'), "
	    "i.severity, i.summary, i.first_us, i.last_us FROM findings f "
	    "JOIN incidents i ON i.id = f.incident_id WHERE f.id = ?1", -1,
	    &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("finding %lld has no incident", (long long)id);
	snprintf(out, sizeof(out), "%s|%lld|%s|%s|%d|%s",
	    sqlite3_column_text(st, 0), (long long)sqlite3_column_int64(st, 1),
	    sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
	    sqlite3_column_int(st, 4), sqlite3_column_text(st, 5));
	sqlite3_finalize(st);
	return out;
}

static int64_t
incident_id(struct db *d, int64_t finding)
{
	char	sql[128];

	snprintf(sql, sizeof(sql), "SELECT incident_id FROM findings WHERE "
	    "id = %lld", (long long)finding);
	return one_int(d, sql);
}

static void
test_nested_run_chain(void **state)
{
	struct db	*d = *state;
	int64_t		 a, b, c;

	a = add(d, T0, "nested_run", SEV_ERROR, NULL, "_fetch_robots",
	    "RuntimeError", -1);
	b = add(d, T0 + 2000, "never_awaited", SEV_WARNING, NULL,
	    "Crawler._fetch_robots", NULL, -1);
	/* another coroutine's warning is its own incident */
	c = add(d, T0 + 3000, "never_awaited", SEV_WARNING, NULL,
	    "Crawler.other", NULL, -1);
	correlate(d, INT64_MIN);
	assert_string_equal(incident_of(d, a), "nested_run,never_awaited|2|-|"
	    "Crawler._fetch_robots|3|nested_run + never_awaited \xc3\x97" "2: "
	    "Crawler._fetch_robots raised RuntimeError");
	assert_int_equal(incident_id(d, a), incident_id(d, b));
	/* the failed run's finding takes the warning's qualname */
	assert_int_equal(one_int(d, "SELECT count(*) FROM findings WHERE "
	    "kind = 'nested_run' AND coro = 'Crawler._fetch_robots'"), 1);
	assert_true(incident_id(d, c) != incident_id(d, a));
	assert_int_equal(one_int(d, "SELECT count(*) FROM incidents"), 2);
}

static void
test_loop_closed_chain(void **state)
{
	struct db	*d = *state;
	int64_t		 a, b;

	a = add(d, T0, "loop_closed", SEV_ERROR, NULL, "write_manifest",
	    "RuntimeError", -1);
	b = add(d, T0 + 1, "never_awaited", SEV_WARNING, NULL,
	    "write_manifest", NULL, -1);
	correlate(d, INT64_MIN);
	assert_int_equal(incident_id(d, a), incident_id(d, b));
}

static void
test_stall_then_timeouts(void **state)
{
	struct db	*d = *state;
	int64_t		 st, t1, t2, other;

	st = add(d, T0, "stall", SEV_WARNING, "jwks-refresh", NULL, NULL,
	    894 * 1000);
	t1 = add(d, T0 + 900 * 1000, "never_retrieved", SEV_ERROR,
	    "analytics-56", "Gateway.push_analytics", "TimeoutError", -1);
	t2 = add(d, T0 + 5 * S, "timeout", SEV_WARNING, "req-9", NULL,
	    "TimeoutError", -1);
	/* not a timeout: not caused by the stall */
	other = add(d, T0 + 2 * S, "never_retrieved", SEV_ERROR, "Task-8",
	    "send", "ConnectionRefusedError", -1);
	correlate(d, INT64_MIN);
	assert_int_equal(incident_id(d, st), incident_id(d, t1));
	assert_int_equal(incident_id(d, st), incident_id(d, t2));
	assert_true(incident_id(d, other) != incident_id(d, st));
	assert_string_equal(incident_of(d, st), "stall,never_retrieved,"
	    "timeout|3|jwks-refresh|Gateway.push_analytics|3|stall + "
	    "never_retrieved + timeout \xc3\x97" "3: jwks-refresh "
	    "Gateway.push_analytics raised TimeoutError stalled 0.894 s");
}

static void
test_repeats(void **state)
{
	struct db	*d = *state;
	int64_t		 a, b, c;

	a = add(d, T0, "never_retrieved", SEV_ERROR, "Task-8",
	    "WebWorkerPool.send_metrics", "ConnectionRefusedError", -1);
	b = add(d, T0 + 1200 * 1000, "never_retrieved", SEV_ERROR, "Task-9",
	    "WebWorkerPool.send_metrics", "ConnectionRefusedError", -1);
	/* the same signature after the window: a new incident */
	c = add(d, T0 + 1200 * 1000 + WINDOW + 1, "never_retrieved",
	    SEV_ERROR, "Task-30", "WebWorkerPool.send_metrics",
	    "ConnectionRefusedError", -1);
	correlate(d, INT64_MIN);
	assert_string_equal(incident_of(d, a), "never_retrieved|2|Task-8|"
	    "WebWorkerPool.send_metrics|3|never_retrieved \xc3\x97" "2: "
	    "Task-8 WebWorkerPool.send_metrics raised "
	    "ConnectionRefusedError");
	assert_int_equal(incident_id(d, a), incident_id(d, b));
	assert_true(incident_id(d, c) != incident_id(d, a));
	assert_int_equal(one_int(d, "SELECT last_us - first_us FROM "
	    "incidents WHERE count = 2"), 1200 * 1000);
	assert_string_equal(incident_of(d, c), "never_retrieved|1|Task-30|"
	    "WebWorkerPool.send_metrics|3|never_retrieved: Task-30 "
	    "WebWorkerPool.send_metrics raised ConnectionRefusedError");
}

static void
test_same_task(void **state)
{
	struct db	*d = *state;
	int64_t		 a, b, c, x;

	a = add(d, T0, "different_loop", SEV_ERROR, "req-8", "A.x",
	    "RuntimeError", -1);
	b = add(d, T0 + 10 * S, "callback_exception", SEV_CRITICAL, "req-8",
	    NULL, "KeyError", -1);
	x = add(d, T0 + 11 * S, "callback_exception", SEV_ERROR, "req-9",
	    NULL, "ValueError", -1);
	/* later than the window after the last one */
	c = add(d, T0 + 10 * S + WINDOW + 1, "await_non_awaitable", SEV_ERROR,
	    "req-8", NULL, "TypeError", -1);
	correlate(d, INT64_MIN);
	assert_int_equal(incident_id(d, a), incident_id(d, b));
	assert_true(incident_id(d, x) != incident_id(d, a));
	assert_true(incident_id(d, c) != incident_id(d, a));
	/* the worst severity */
	assert_string_equal(incident_of(d, a), "different_loop,"
	    "callback_exception|2|req-8|A.x|4|different_loop + "
	    "callback_exception \xc3\x97" "2: req-8 A.x raised RuntimeError");
}

static void
test_same_coro_without_task(void **state)
{
	struct db	*d = *state;
	int64_t		 a, b, c;

	a = add(d, T0, "never_awaited", SEV_WARNING, NULL, "Poller.poll", NULL,
	    -1);
	b = add(d, T0 + S, "task_destroyed_pending", SEV_ERROR, NULL,
	    "Poller.poll", NULL, -1);
	/* a task name of its own keeps it apart */
	c = add(d, T0 + 2 * S, "task_destroyed_pending", SEV_ERROR, "poller",
	    "Other.poll", NULL, -1);
	correlate(d, INT64_MIN);
	assert_int_equal(incident_id(d, a), incident_id(d, b));
	assert_true(incident_id(d, c) != incident_id(d, a));
}

static void
test_incremental(void **state)
{
	struct db	*d = *state;
	int64_t		 a, b, c, old;

	old = add(d, T0 - 3600 * S, "loop_closed", SEV_ERROR, NULL, NULL,
	    "RuntimeError", -1);
	a = add(d, T0, "never_retrieved", SEV_ERROR, "Task-2", "notify",
	    "OSError", -1);
	correlate(d, INT64_MIN);
	assert_int_equal(one_int(d, "SELECT count(*) FROM incidents"), 2);
	/* a later run adds a repeat within the window: the incident grows */
	b = add(d, T0 + 5 * S, "never_retrieved", SEV_ERROR, "Task-3",
	    "notify", "OSError", -1);
	correlate(d, T0 + 5 * S);
	assert_int_equal(one_int(d, "SELECT count(*) FROM incidents"), 2);
	assert_int_equal(incident_id(d, a), incident_id(d, b));
	assert_string_equal(incident_of(d, b), "never_retrieved|2|Task-2|"
	    "notify|3|never_retrieved \xc3\x97" "2: Task-2 notify raised "
	    "OSError");
	/* the old incident is untouched; nothing is left without one */
	assert_string_equal(incident_of(d, old), "loop_closed|1|-|-|3|"
	    "loop_closed: raised RuntimeError");
	/* a finding without a time gets an incident too */
	c = add(d, INT64_MIN, "unclosed_resource", SEV_WARNING, NULL, NULL,
	    NULL, -1);
	correlate(d, T0 + 5 * S);
	assert_int_equal(one_int(d, "SELECT count(*) FROM findings WHERE "
	    "incident_id IS NULL"), 0);
	assert_int_equal(one_int(d, "SELECT count(*) FROM incidents i WHERE "
	    "NOT EXISTS (SELECT 1 FROM findings f WHERE f.incident_id = "
	    "i.id)"), 0);
	assert_string_equal(incident_of(d, c), "unclosed_resource|1|-|-|2|"
	    "unclosed_resource: (no task or coroutine named)");
	/* a full rebuild gives the same */
	correlate(d, INT64_MIN);
	assert_int_equal(one_int(d, "SELECT count(*) FROM incidents"), 3);
	assert_int_equal(incident_id(d, a), incident_id(d, b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nested_run_chain, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_loop_closed_chain, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stall_then_timeouts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_repeats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_task, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_same_coro_without_task,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_incremental, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
