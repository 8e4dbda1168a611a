/* Unit tests for rules/stall: the gap detector over record streams. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/finding.h"
#include "common/record.h"
#include "rules/stall.h"

#define MS	1000LL
#define T0	1764007282000000LL	/* 2025-11-24 18:01:22 UTC */

static struct record	rec;

/* A record at time t (microseconds after T0) with message msg. */
static const struct record *
at(int64_t t, const char *msg)
{
	memset(&rec, 0, sizeof(rec));
	rec.ts_us = T0 + t;
	rec.pid = -1;
	rec.message.p = msg;
	rec.message.n = strlen(msg);
	rec.text = rec.message;
	return &rec;
}

/* Feed n records every step_us from *t on; returns the stalls found. */
static size_t
steady(struct stall *sd, int64_t *t, size_t n, int64_t step_us,
    struct finding_list *out)
{
	size_t	i, found = 0;

	for (i = 0; i < n; i++, *t += step_us)
		found += stall_feed(sd, at(*t, "heartbeat"), NULL, 0, out);
	*t -= step_us;
	return found;
}

static struct stall *
detector(void)
{
	struct stall_opts	o = { 500000 };

	return stall_new(&o);
}

/* A record of task (NULL: none) at time t. */
static const struct record *
task_at(int64_t t, const char *task, const char *msg)
{
	at(t, msg);
	if (task != NULL) {
		rec.task.p = task;
		rec.task.n = strlen(task);
	}
	return &rec;
}

/* Feed records until the gap waiting is decided (2 s of records after
 * it); returns how many findings that appended. */
static size_t
settle(struct stall *sd, int64_t *t, struct finding_list *out)
{
	size_t	found = 0, i;

	for (i = 0; i < 25; i++) {
		*t += 100 * MS;
		found += stall_feed(sd, at(*t, "heartbeat"), NULL, 0, out);
	}
	return found;
}

static void
test_one_long_gap(void **state)
{
	struct stall		*sd = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	int64_t			 t = 0;

	(void)state;
	assert_int_equal(steady(sd, &t, 50, 100 * MS, &out), 0);
	/* the record before the gap names its task; the same task logs
	 * right after it, and a timer of another one fires late */
	t += 37 * MS;
	assert_false(stall_feed(sd, task_at(t, "web-worker-3",
	    "rebuilding index"), NULL, 0, &out));
	assert_false(stall_feed(sd, task_at(t + 956 * MS, "web-worker-3",
	    "index rebuilt"), NULL, 0, &out));
	assert_false(stall_feed(sd, at(t + 958 * MS, "heartbeat"), NULL, 0,
	    &out));
	/* decided once the records logged as the loop resumes are in */
	assert_int_equal(out.n, 0);
	t += 958 * MS;
	assert_int_equal(settle(sd, &t, &out), 1);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].kind, "stall");
	assert_string_equal(out.v[0].rule, "stall.gap");
	assert_int_equal(out.v[0].duration_us, 956 * MS);
	assert_int_equal(out.v[0].ts_us, T0 + 5037 * MS - 100 * MS);
	assert_string_equal(out.v[0].task, "web-worker-3");
	assert_null(out.v[0].coro);
	assert_non_null(strstr(out.v[0].message, "0.956 s"));
	assert_non_null(strstr(out.v[0].message, "the event loop was blocked"));
	assert_non_null(strstr(out.v[0].message, "the same task logged before "
	    "and after"));
	assert_non_null(strstr(out.v[0].message, "1 record of other tasks "
	    "within 20 ms after it (late timers)"));
	assert_true(out.v[0].confidence >= 0.9);
	/* the cadence goes on: nothing more */
	assert_int_equal(steady(sd, &t, 30, 100 * MS, &out), 0);
	assert_int_equal(out.n, 1);
	finding_list_release(&out);
	stall_free(sd);
}

/* Timeouts right after a gap: the loop could not run their timers. */
static void
test_timeouts(void **state)
{
	struct stall		*sd = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	int64_t			 t = 0;

	(void)state;
	assert_int_equal(steady(sd, &t, 50, 100 * MS, &out), 0);
	t += 1500 * MS;
	assert_false(stall_feed(sd, task_at(t, "price-31", "price fetch for "
	    "order 31 timed out after 1.0 s"), NULL, 0, &out));
	assert_false(stall_feed(sd, task_at(t + 30 * MS, "price-32",
	    "TimeoutError in price fetch"), NULL, 0, &out));
	t += 30 * MS;
	assert_int_equal(settle(sd, &t, &out), 1);
	assert_string_equal(out.v[0].kind, "stall");
	assert_non_null(strstr(out.v[0].message, "2 timeouts within 0.1 s "
	    "after it"));
	finding_list_release(&out);
	stall_free(sd);
}

/* A stream of work that stops and starts again, no timer late, no task
 * cut in two: idle, not a stall. */
static void
test_idle(void **state)
{
	struct stall		*sd = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	int64_t			 t = 0;
	size_t			 i;

	(void)state;
	for (i = 0; i < 40; i++, t += 50 * MS)
		assert_false(stall_feed(sd, task_at(t, i % 2 ? "worker-1" :
		    "worker-2", "order shipped"), NULL, 0, &out));
	t -= 50 * MS;
	assert_false(stall_feed(sd, task_at(t + 5 * MS, "Task-1", "batch "
	    "done; waiting for the next batch"), NULL, 0, &out));
	t += 3005 * MS;
	for (i = 0; i < 30; i++, t += 50 * MS)
		stall_feed(sd, task_at(t, i % 2 ? "worker-1" : "worker-2",
		    "order shipped"), NULL, 0, &out);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].kind, "idle");
	assert_int_equal(out.v[0].severity, 1);	/* SEV_INFO */
	assert_int_equal(out.v[0].duration_us, 3000 * MS);
	assert_non_null(strstr(out.v[0].message, "an idle stream"));
	finding_list_release(&out);
	stall_free(sd);
}

static void
test_slow_source(void **state)
{
	struct stall		*sd = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	int64_t			 t = 0;

	(void)state;
	/* a 2 s heartbeat: 2.5 s is its cadence, not a stall */
	assert_int_equal(steady(sd, &t, 40, 2000 * MS, &out), 0);
	assert_int_equal(steady(sd, &t, 10, 2500 * MS, &out), 0);
	/* far beyond it is one */
	t += 30000 * MS;
	assert_false(stall_feed(sd, at(t, "x"), NULL, 0, &out));
	assert_int_equal(steady(sd, &t, 3, 2000 * MS, &out), 1);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.v[0].duration_us, 30000 * MS);
	finding_list_release(&out);
	stall_free(sd);
}

static void
test_heartbeat(void **state)
{
	struct stall		*sd = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	int64_t			 t = 0;
	size_t			 found;

	(void)state;
	/* a 200 ms heartbeat: a 0.6 s silence is a stall (3 times the
	 * cadence, under 4 times its 95th percentile but over twice its
	 * longest gap) */
	assert_int_equal(steady(sd, &t, 60, 200 * MS, &out), 0);
	t += 600 * MS;
	found = steady(sd, &t, 5, 200 * MS, &out);
	assert_int_equal(found, 1);
	assert_int_equal(out.v[0].duration_us, 600 * MS);
	/* a second gap soon after is not hidden by the first */
	t += 700 * MS;
	found = steady(sd, &t, 5, 200 * MS, &out);
	assert_int_equal(found, 1);
	assert_int_equal(out.n, 2);
	assert_int_equal(out.v[1].duration_us, 700 * MS);
	/* and 0.35 s, under the floor, is none */
	t += 350 * MS;
	assert_int_equal(steady(sd, &t, 20, 200 * MS, &out), 0);
	finding_list_release(&out);
	stall_free(sd);
}

static void
test_regular_poller(void **state)
{
	struct stall		*sd = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	int64_t			 t = 0;
	size_t			 i;

	(void)state;
	/* pairs of records every 200 ms: a 600 ms silence is three beats */
	for (i = 0; i < 12; i++, t += 200 * MS) {
		assert_false(stall_feed(sd, at(t, "heartbeat"), NULL, 0, &out));
		assert_false(stall_feed(sd, at(t + MS, "poll"), NULL, 0, &out));
	}
	t = t - 200 * MS + MS;		/* the last record */
	/* the two timers fire together, late */
	assert_false(stall_feed(sd, at(t + 600 * MS, "heartbeat"), NULL, 0,
	    &out));
	at(t + 601 * MS, "poll");
	rec.logger.p = "app.poller";
	rec.logger.n = strlen(rec.logger.p);
	assert_false(stall_feed(sd, &rec, NULL, 0, &out));
	t += 601 * MS;
	assert_int_equal(steady(sd, &t, 15, 200 * MS, &out), 1);
	assert_int_equal(out.v[0].duration_us, 600 * MS);
	assert_string_equal(out.v[0].kind, "stall");
	assert_non_null(strstr(out.v[0].message, "a steady cadence broken"));
	finding_list_release(&out);
	stall_free(sd);
}

static void
test_floor(void **state)
{
	struct stall		*sd = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	int64_t			 t = 0;

	(void)state;
	/* 40 times the cadence, but under --stall-min */
	assert_int_equal(steady(sd, &t, 50, 10 * MS, &out), 0);
	assert_false(stall_feed(sd, at(t + 400 * MS, "x"), NULL, 0, &out));
	assert_int_equal(out.n, 0);
	finding_list_release(&out);
	stall_free(sd);
}

static void
test_too_little_history(void **state)
{
	struct stall		*sd = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	int64_t			 t = 0;

	(void)state;
	assert_int_equal(steady(sd, &t, 10, 100 * MS, &out), 0);
	assert_false(stall_feed(sd, at(t + 5000 * MS, "x"), NULL, 0, &out));
	assert_int_equal(out.n, 0);
	finding_list_release(&out);
	stall_free(sd);
}

static void
test_took_explains_gap(void **state)
{
	struct stall		*sd = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	struct finding		*took;
	int64_t			 t = 0;

	(void)state;
	assert_int_equal(steady(sd, &t, 50, 40 * MS, &out), 0);
	/* the engine's debug-mode finding sits in out, passed as found:
	 * stall_feed must read it before it appends (out may move) */
	took = finding_add(&out);
	took->kind = "stall";
	took->rule = "stall.took";
	took->duration_us = 759 * MS;
	t += 770 * MS;
	assert_false(stall_feed(sd, at(t, "Executing <Task ...> took 0.759 "
	    "seconds"), out.v, 1, &out));
	assert_int_equal(out.n, 1);
	/* the slow step's own line may come before its "took" line */
	finding_list_clear(&out);
	assert_int_equal(steady(sd, &t, 30, 40 * MS, &out), 0);
	t += 700 * MS;
	assert_false(stall_feed(sd, at(t, "routing table rebuilt"), NULL, 0,
	    &out));
	took = finding_add(&out);
	took->kind = "stall";
	took->rule = "stall.took";
	took->duration_us = 702 * MS;
	assert_false(stall_feed(sd, at(t + MS, "Executing <Task ...> took "
	    "0.702 seconds"), out.v, 1, &out));
	t += MS;
	finding_list_clear(&out);
	assert_int_equal(steady(sd, &t, 30, 40 * MS, &out), 0);
	/* a short slow callback does not explain a long gap */
	finding_list_clear(&out);
	assert_int_equal(steady(sd, &t, 30, 40 * MS, &out), 0);
	took = finding_add(&out);
	took->kind = "slow_callback";
	took->rule = "stall.took";
	took->duration_us = 120 * MS;
	t += 2000 * MS;
	assert_false(stall_feed(sd, at(t, "x"), out.v, 1, &out));
	assert_int_equal(steady(sd, &t, 17, 40 * MS, &out), 1);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[1].rule, "stall.gap");
	assert_int_equal(out.v[1].duration_us, 2000 * MS);
	finding_list_release(&out);
	stall_free(sd);
}

/* The gaps of one restart each: a new pid, a startup banner after it, a
 * shutdown banner before it, a new file of the set (when nothing says the
 * loop was blocked). Restarts are no stalls. */
static void
test_restart(void **state)
{
	struct stall		*sd = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	int64_t			 t = 0;
	size_t			 i;

	(void)state;
	for (i = 0; i < 40; i++, t += 50 * MS) {
		at(t, "tick");
		rec.pid = 100;
		assert_false(stall_feed(sd, &rec, NULL, 0, &out));
	}
	/* a new pid after a long pause */
	t += 60000 * MS;
	for (i = 0; i < 30; i++, t += 50 * MS) {
		at(t, "tick");
		rec.pid = 200;
		stall_feed(sd, &rec, NULL, 0, &out);
	}
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].kind, "restart");
	assert_int_equal(out.v[0].severity, 1);	/* SEV_INFO */
	assert_non_null(strstr(out.v[0].message, "across a restart: pid 100, "
	    "then 200"));
	/* a startup banner without pids */
	t += 9000 * MS;
	stall_feed(sd, at(t, "starting web_pool pid=10380 python=3.11.7"),
	    NULL, 0, &out);
	settle(sd, &t, &out);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[1].kind, "restart");
	assert_non_null(strstr(out.v[1].message, "a startup banner 'starting "
	    "web_pool pid=10380"));
	/* a shutdown banner before it */
	stall_feed(sd, at(t, "stopping: 70 orders shipped, bye"), NULL, 0,
	    &out);
	t += 5000 * MS;
	stall_feed(sd, at(t, "tick"), NULL, 0, &out);
	settle(sd, &t, &out);
	assert_int_equal(out.n, 3);
	assert_string_equal(out.v[2].kind, "restart");
	assert_non_null(strstr(out.v[2].message, "a shutdown banner "
	    "'stopping: 70 orders"));
	/* a new file of the set, nothing else said */
	t += 4000 * MS;
	stall_new_file(sd);
	stall_feed(sd, at(t, "tick"), NULL, 0, &out);
	settle(sd, &t, &out);
	assert_int_equal(out.n, 4);
	assert_string_equal(out.v[3].kind, "restart");
	assert_non_null(strstr(out.v[3].message, "a new file of the set"));
	finding_list_release(&out);
	stall_free(sd);
}

/* The end of the input decides a gap for now; records after it decide it
 * again (the caller replaces the first finding). */
static void
test_flush_then_more(void **state)
{
	struct stall		*sd = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	int64_t			 t = 0;

	(void)state;
	assert_int_equal(steady(sd, &t, 50, 100 * MS, &out), 0);
	t += 1500 * MS;
	assert_false(stall_feed(sd, at(t, "x"), NULL, 0, &out));
	assert_true(stall_pending(sd));
	assert_true(stall_flush(sd, &out));
	assert_false(stall_pending(sd));
	assert_false(stall_flush(sd, &out));
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].kind, "idle");
	/* the next run: a timeout right after it makes it a stall */
	assert_false(stall_feed(sd, at(t + MS, "fetch timed out"), NULL, 0,
	    &out));
	t += MS;
	assert_int_equal(settle(sd, &t, &out), 1);
	assert_int_equal(out.n, 2);
	assert_string_equal(out.v[1].kind, "stall");
	assert_int_equal(out.v[1].ts_us, out.v[0].ts_us);
	assert_int_equal(out.v[1].duration_us, out.v[0].duration_us);
	finding_list_release(&out);
	stall_free(sd);
}

static void
test_attribution_from_text(void **state)
{
	struct stall		*sd = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	int64_t			 t = 0;

	(void)state;
	assert_int_equal(steady(sd, &t, 30, 20 * MS, &out), 0);
	t += 20 * MS;
	assert_false(stall_feed(sd, at(t, "Executing <Task pending "
	    "name='fetch-13' coro=<Crawler.fetch() running at /a.py:1>> took "
	    "0.101 seconds\nTraceback name='other'"), NULL, 0, &out));
	t += 3000 * MS;
	assert_false(stall_feed(sd, at(t, "x"), NULL, 0, &out));
	/* the end of the input: the waiting gap is flushed */
	assert_true(stall_flush(sd, &out));
	assert_false(stall_flush(sd, &out));
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].task, "fetch-13");
	assert_string_equal(out.v[0].coro, "Crawler.fetch");
	finding_list_release(&out);
	stall_free(sd);
}

static void
test_ignored_records(void **state)
{
	struct stall		*sd = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	int64_t			 t = 0;

	(void)state;
	assert_int_equal(steady(sd, &t, 30, 20 * MS, &out), 0);
	/* inferred times say nothing about gaps */
	at(t + 5000 * MS, "x");
	rec.flags = RECORD_TS_INFERRED;
	assert_false(stall_feed(sd, &rec, NULL, 0, &out));
	/* nor does a record from the past */
	assert_false(stall_feed(sd, at(t - 4000 * MS, "old"), NULL, 0, &out));
	assert_false(stall_feed(sd, at(t - 3980 * MS, "x"), NULL, 0, &out));
	assert_int_equal(out.n, 0);
	finding_list_release(&out);
	stall_free(sd);
}

static void
test_save_load(void **state)
{
	struct stall		*sd = detector(), *next = detector();
	struct finding_list	 out = { NULL, 0, 0 };
	int64_t			 t = 0;
	void			*blob;
	size_t			 n;
	char			 junk[16] = "not a stall";

	(void)state;
	/* 15 gaps in the first run, 10 in the next: together enough */
	assert_int_equal(steady(sd, &t, 16, 100 * MS, &out), 0);
	at(t, "polling");
	rec.task.p = "poller";
	rec.task.n = 6;
	assert_false(stall_feed(sd, &rec, NULL, 0, &out));
	blob = stall_save(sd, &n);
	assert_true(n > 0);
	assert_true(stall_load(next, blob, n));
	free(blob);
	/* the gap across runs is judged with the saved history */
	t += 100 * MS;
	assert_int_equal(steady(next, &t, 5, 100 * MS, &out), 0);
	t += 1500 * MS;
	assert_false(stall_feed(next, at(t, "x"), NULL, 0, &out));
	/* a gap waiting for its decision is saved too */
	blob = stall_save(next, &n);
	stall_reset(next);
	assert_true(stall_load(next, blob, n));
	free(blob);
	assert_true(stall_feed(next, at(t + 500 * MS, "x"), NULL, 0, &out));
	assert_int_equal(out.v[0].duration_us, 1500 * MS);
	assert_null(out.v[0].task);	/* the record before the gap had none */
	/* without the state the history would have been too short */
	stall_reset(next);
	t += 500 * MS;
	assert_int_equal(steady(next, &t, 6, 100 * MS, &out), 0);
	assert_false(stall_feed(next, at(t + 1500 * MS, "x"), NULL, 0, &out));
	assert_false(stall_flush(next, &out));
	/* a bad blob is refused and leaves a fresh detector */
	assert_false(stall_load(next, junk, sizeof(junk)));
	assert_false(stall_load(next, NULL, 0));
	finding_list_release(&out);
	stall_free(sd);
	stall_free(next);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_long_gap),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_idle),
		cmocka_unit_test(test_slow_source),
		cmocka_unit_test(test_heartbeat),
		cmocka_unit_test(test_regular_poller),
		cmocka_unit_test(test_floor),
		cmocka_unit_test(test_too_little_history),
		cmocka_unit_test(test_took_explains_gap),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_flush_then_more),
		cmocka_unit_test(test_attribution_from_text),
		cmocka_unit_test(test_ignored_records),
		cmocka_unit_test(test_save_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
