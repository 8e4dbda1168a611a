/* Unit tests for ingest/layout: detection of every layout from a few
 * lines, the fields of a header line, named layouts, user regexes and
 * JSON message decoding. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/jsonline.h"
#include "ingest/layout.h"
#include "ingest/pylayout.h"
#include "ingest/timestamp.h"

/* 2026-11-24T18:01:22Z */
#define T0	INT64_C(1795543282000000)

struct want {
	int64_t		 ts_us;
	int64_t		 pid;
	const char	*level, *logger, *thread, *task;
	const char	*message;	/* NULL: not checked (JSON) */
};

static const struct {
	const char	*name;
	const char	*text;		/* the first lines of a file */
	const char	*layout;	/* detected name */
	struct want	 want;		/* fields of the first line */
} cases[] = {
	{ "asctime level name",
	    "2026-11-24 18:01:22,454 INFO app.main: starting pid=10380\n"
	    "2026-11-24 18:01:22,454 DEBUG asyncio: Using selector: "
	    "EpollSelector\n"
	    "2026-11-24 18:01:23,192 ERROR asyncio: Task exception was never "
	    "retrieved\n"
	    "future: <Task finished name='Task-8' coro=<send() done>>\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/x.py\", line 354, in send\n"
	    "    raise ConnectionRefusedError(111, 'refused')\n"
	    "ConnectionRefusedError: [Errno 111] refused\n"
	    "2026-11-24 18:01:24,671 WARNING app.web: slow request\n",
	    "python", { T0 + 454000, -1, "INFO", "app.main", "", "",
	    "starting pid=10380" } },
	{ "asctime [level] name",
	    "2026-11-24 18:01:22,589 [WARNING] py.warnings: /srv/a.py:24: "
	    "RuntimeWarning: coroutine 'f' was never awaited\n"
	    "  f()\n"
	    "\n"
	    "2026-11-24 18:01:23,001 [INFO] app: done\n"
	    "2026-11-24 18:01:23,002 [ERROR] app: failed\n",
	    "python", { T0 + 589000, -1, "WARNING", "py.warnings", "", "",
	    "/srv/a.py:24: RuntimeWarning: coroutine 'f' was never awaited" } },
	{ "taskName none",
	    "2026-11-24 18:01:22,821 ERROR    [None] app.sched: job failed\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/s.py\", line 705, in rotate\n"
	    "KeyError: 'kms'\n"
	    "2026-11-24 18:01:22,824 INFO     [job:refresh#22] app.jobs: ok\n"
	    "2026-11-24 18:01:22,913 DEBUG    [Task-1] app.sched: spawned\n",
	    "python", { T0 + 821000, -1, "ERROR", "app.sched", "", "",
	    "job failed" } },
	{ "taskName named",
	    "2026-11-24 18:01:22,824 INFO     [job:refresh#22] app.jobs: ok\n"
	    "2026-11-24 18:01:22,913 DEBUG    [Task-1] app.sched: spawned\n"
	    "2026-11-24 18:01:22,975 DEBUG    [heartbeat] app.health: seq=11\n",
	    "python", { T0 + 824000, -1, "INFO", "app.jobs", "",
	    "job:refresh#22", "ok" } },
	{ "msecs pid thread",
	    "2026-11-24 18:01:22.003 [10489] [MainThread] INFO     "
	    "app.consumer - consumed msg id=1036\n"
	    "2026-11-24 18:01:22.045 [10489] [MainThread] DEBUG    "
	    "app.health - heartbeat seq=9\n"
	    "2026-11-24 18:01:22.211 [10489] [MainThread] ERROR    "
	    "asyncio - Task was destroyed but it is pending!\n"
	    "task: <Task pending name='t' coro=<f() running at /a.py:1>>\n",
	    "python", { T0 + 3000, 10489, "INFO", "app.consumer", "MainThread",
	    "", "consumed msg id=1036" } },
	{ "dashes",
	    "2026-11-24 18:01:22,100 - app.db - ERROR - query failed\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/a.py\", line 1, in q\n"
	    "TimeoutError\n"
	    "2026-11-24 18:01:22,200 - app.db - INFO - retry\n",
	    "python", { T0 + 100000, -1, "ERROR", "app.db", "", "",
	    "query failed" } },
	{ "iso pipes",
	    "2026-11-24T23:31:22.456+05:30 | DEBUG    | app.health | "
	    "heartbeat seq=18\n"
	    "2026-11-24T23:31:22.459+05:30 | INFO     | app.bridge | "
	    "request 66\n"
	    "2026-11-24T23:31:22.626+05:30 | ERROR    | app.metrics | "
	    "flush failed\n"
	    "Traceback (most recent call last):\n"
	    "RuntimeError: Event loop is closed\n",
	    "iso", { T0 + 456000, -1, "DEBUG", "app.health", "", "",
	    "heartbeat seq=18" } },
	{ "bracketed time",
	    "[2026-11-24 18:01:22,001] INFO app: one\n"
	    "[2026-11-24 18:01:22,002] INFO app: two\n",
	    "python", { T0 + 1000, -1, "INFO", "app", "", "", "one" } },
	{ "time only",
	    "2026-11-24T18:01:22Z something happened\n"
	    "2026-11-24T18:01:23Z something else\n",
	    "iso", { T0, -1, "", "", "", "", "something happened" } },
	{ "loguru",
	    "2026-11-24 18:01:22.454 | INFO     | __main__:main:12 - started\n"
	    "2026-11-24 18:01:22.500 | SUCCESS  | app.jobs:run:40 - done\n"
	    "2026-11-24 18:01:22.600 | ERROR    | app.jobs:run:44 - failed\n"
	    "Traceback (most recent call last):\n",
	    "python", { T0 + 454000, -1, "INFO", "__main__", "", "",
	    "started" } },
	{ "gunicorn",
	    "[2026-11-24 18:01:22 +0000] [123] [INFO] Starting gunicorn 21.2.0\n"
	    "[2026-11-24 18:01:22 +0000] [123] [INFO] Listening at: "
	    "http://0.0.0.0:8000 (123)\n"
	    "[2026-11-24 18:01:23 +0000] [130] [ERROR] Exception in worker "
	    "process\n",
	    "python", { T0, 123, "INFO", "", "", "", "Starting gunicorn 21.2.0" } },
	{ "structlog console",
	    "2026-11-24T18:01:22.454Z [info     ] request handled   path=/\n"
	    "2026-11-24T18:01:22.500Z [error    ] request failed    path=/x\n",
	    "iso", { T0 + 454000, -1, "info", "", "", "",
	    "request handled   path=/" } },
	{ "py3.12 msecs padded level name [pid] taskName",
	    "2026-11-24 18:01:22.576 DEBUG    asyncio [29689] None: Using "
	    "selector: EpollSelector\n"
	    "2026-11-24 18:01:22.577 INFO     app.svc [29689] Task-1: starting\n"
	    "2026-11-24 18:01:22.592 ERROR    asyncio [29689] Task-1: Task "
	    "exception was never retrieved\n"
	    "future: <Task finished name='Task-2' coro=<boom() done>>\n",
	    "python", { T0 + 576000, 29689, "DEBUG", "asyncio", "", "",
	    "Using selector: EpollSelector" } },
	{ "name:lineno is the logger",
	    "2026-11-24 18:01:22,100 WARNING  asyncio:1900: Executing <Task "
	    "pending> took 0.101 seconds\n"
	    "2026-11-24 18:01:22,200 INFO     app.main:42: ok\n",
	    "python", { T0 + 100000, -1, "WARNING", "asyncio", "", "",
	    "Executing <Task pending> took 0.101 seconds" } },
	{ "asctime with msecs twice",
	    "2026-11-24 18:01:22,454.454 ERROR [app.db] boom\n"
	    "2026-11-24 18:01:22,455.455 INFO [app.db] ok\n",
	    "python", { T0 + 454000, -1, "ERROR", "app.db", "", "", "boom" } },
	{ "home assistant",
	    "2026-11-24 18:01:22.454 ERROR (MainThread) [homeassistant.core] "
	    "Error doing job: Task exception was never retrieved\n"
	    "2026-11-24 18:01:22.500 INFO (SyncWorker_0) [homeassistant.setup] "
	    "Setup done\n",
	    "python", { T0 + 454000, -1, "ERROR", "homeassistant.core",
	    "MainThread", "", "Error doing job: Task exception was never "
	    "retrieved" } },
	{ "module is not the logger",
	    "2026-11-24 18:01:22,001 [ERROR] [base_events] Task exception "
	    "was never retrieved\n"
	    "2026-11-24 18:01:22,002 [INFO] [server] listening\n",
	    "python", { T0 + 1000, -1, "ERROR", "", "", "",
	    "Task exception was never retrieved" } },
	{ "celery",
	    "[2026-11-24 18:01:22,454: ERROR/MainProcess] Task exception was "
	    "never retrieved\n"
	    "[2026-11-24 18:01:22,455: INFO/ForkPoolWorker-1] done\n",
	    "python", { T0 + 454000, -1, "ERROR", "", "MainProcess", "",
	    "Task exception was never retrieved" } },
	{ "heroku",
	    "2026-11-24T18:01:22.100000+00:00 app[web.1]: ERROR:asyncio:Task "
	    "exception was never retrieved\n"
	    "2026-11-24T18:01:22.100001+00:00 app[web.1]: future: <Task>\n"
	    "2026-11-24T18:01:23.000000+00:00 app[web.1]: INFO:app:ok\n",
	    "journald", { T0 + 100000, -1, "ERROR", "asyncio", "", "",
	    "Task exception was never retrieved" } },
	{ "rfc 5424",
	    "<11>1 2026-11-24T18:01:22.5Z web01 quotes 4711 - - ERROR:asyncio:"
	    "Task exception was never retrieved\n"
	    "<11>1 2026-11-24T18:01:22.5Z web01 quotes 4711 - - future: x\n",
	    "syslog", { T0 + 500000, 4711, "ERROR", "asyncio", "", "",
	    "Task exception was never retrieved" } },
	{ "pm2",
	    "0|quotes   | ERROR:asyncio:Task exception was never retrieved\n"
	    "0|quotes   | future: <Task finished>\n"
	    "0|quotes   | INFO:app:ok\n",
	    "container", { TS_NONE, -1, "ERROR", "asyncio", "", "",
	    "Task exception was never retrieved" } },
	{ "structlog key=value",
	    "timestamp='2026-11-24T18:01:22.25Z' level='error' logger='asyncio' "
	    "event='Task exception was never retrieved\\nfuture: x'\n"
	    "timestamp='2026-11-24T18:01:23Z' level='info' logger='app' "
	    "event='ok'\n",
	    "json", { T0 + 250000, -1, "error", "asyncio", "", "", NULL } },
	{ "rich",
	    "[18:01:22] ERROR    Task exception was never retrieved        "
	    "base_events.py:1771\n"
	    "                    future: <Task finished>\n"
	    "           INFO     ok                                  x.py:3\n",
	    "rich", { TS_NONE, -1, "ERROR", "", "", "",
	    "Task exception was never retrieved        base_events.py:1771" } },
	{ "byte order mark",
	    "\xef\xbb\xbf" "2026-11-24 18:01:22,454 INFO app: one\n"
	    "2026-11-24 18:01:22,455 INFO app: two\n",
	    "python", { T0 + 455000, -1, "INFO", "app", "", "", "two" } },
	{ "basicConfig",
	    "INFO:batch:starting batch: 50 parts\n"
	    "INFO:batch:processed part-00000.parquet\n"
	    "/srv/app/s.py:1227: RuntimeWarning: coroutine 'up' was never "
	    "awaited\n"
	    "  up()\n"
	    "RuntimeWarning: Enable tracemalloc to get the object allocation "
	    "traceback\n"
	    "ERROR:asyncio:Task exception was never retrieved\n",
	    "basic", { TS_NONE, -1, "INFO", "batch", "", "",
	    "starting batch: 50 parts" } },
	{ "untimed thread/task",
	    "INFO [MainThread/None] app: outside any task\n"
	    "DEBUG [MainThread/None] asyncio: Using selector: EpollSelector\n"
	    "INFO [MainThread/worker-A] app: inside named task\n",
	    "basic", { TS_NONE, -1, "INFO", "app", "MainThread", "",
	    "outside any task" } },
	{ "bare stderr",
	    "[crawler] crawl started, debug=True\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/s.py\", line 1339, in crawl_main\n"
	    "RuntimeError: asyncio.run() cannot be called from a running "
	    "event loop\n"
	    "Task exception was never retrieved\n"
	    "future: <Task finished name='Task-2' coro=<f() done>>\n",
	    "stderr", { TS_NONE, -1, "", "", "", "", NULL } },
	{ "json",
	    "{\"ts\": \"2026-11-24T18:01:22.562482Z\", \"level\": \"INFO\", "
	    "\"logger\": \"gateway.access\", \"pid\": 10206, \"thread\": "
	    "\"MainThread\", \"task\": \"req-44\", \"msg\": \"POST /v1/cart\"}\n"
	    "{\"ts\": \"2026-11-24T18:01:22.6Z\", \"level\": \"ERROR\", "
	    "\"logger\": \"asyncio\", \"pid\": 10206, \"thread\": "
	    "\"MainThread\", \"task\": null, \"msg\": \"Task exception was "
	    "never retrieved\\nfuture: <Task finished>\"}\n",
	    "json", { T0 + 562482, 10206, "INFO", "gateway.access",
	    "MainThread", "req-44", NULL } },
	{ "json python-json-logger",
	    "{\"asctime\": \"2026-11-24 18:01:22,454\", \"levelname\": "
	    "\"WARNING\", \"name\": \"py.warnings\", \"message\": \"x\", "
	    "\"taskName\": \"None\", \"process\": 7, \"threadName\": \"T\"}\n",
	    "json", { T0 + 454000, 7, "WARNING", "py.warnings", "T", "",
	    NULL } },
	{ "json structlog epoch",
	    "{\"event\": \"started\", \"level\": \"info\", \"logger\": \"app\", "
	    "\"timestamp\": 1795543282.25}\n",
	    "json", { T0 + 250000, -1, "info", "app", "", "", NULL } },
	{ "syslog",
	    "Nov 24 18:01:22 web01 app[123]: INFO app.main: started\n"
	    "Nov 24 18:01:22 web01 app[123]: Traceback (most recent call "
	    "last):\n"
	    "Nov 24 18:01:22 web01 app[123]:   File \"/a.py\", line 1, in f\n"
	    "Nov 24 18:01:23 web01 app[123]: ERROR app.main: failed\n",
	    "syslog", { T0, 123, "INFO", "app.main", "", "", "started" } },
	{ "syslog bare",
	    "Nov 24 18:01:22 web01 app[99]: Task exception was never "
	    "retrieved\n"
	    "Nov 24 18:01:22 web01 app[99]: future: <Task finished>\n"
	    "Nov 24 18:01:23 web01 cron: job done\n",
	    "syslog", { TS_NONE, -1, "", "", "", "", NULL } },
	{ "journald short-iso",
	    "2026-11-24T18:01:22+0000 web01 app[7]: WARNING:py.warnings:"
	    "/a.py:3: RuntimeWarning: coroutine 'f' was never awaited\n"
	    "2026-11-24T18:01:22+0000 web01 app[7]:   f()\n"
	    "2026-11-24T18:01:23+0000 web01 app[7]: INFO:app:ok\n",
	    "journald", { T0, 7, "WARNING", "py.warnings", "", "",
	    "/a.py:3: RuntimeWarning: coroutine 'f' was never awaited" } },
	{ "docker-compose python",
	    "app_1  | 2026-11-24 18:01:22,454 INFO app.main: starting\n"
	    "app_1  | 2026-11-24 18:01:22,500 ERROR app: boom\n"
	    "app_1  | Traceback (most recent call last):\n"
	    "app_1  | ValueError: boom\n",
	    "container", { T0 + 454000, -1, "INFO", "app.main", "", "",
	    "starting" } },
	{ "cri json",
	    "2026-11-24T18:01:22.123456789Z stdout F {\"time\": "
	    "\"2026-11-24T18:01:22.5Z\", \"levelname\": \"ERROR\", \"name\": "
	    "\"asyncio\", \"message\": \"boom\"}\n"
	    "2026-11-24T18:01:23.123456789Z stdout F {\"time\": "
	    "\"2026-11-24T18:01:23Z\", \"levelname\": \"INFO\", \"name\": "
	    "\"app\", \"message\": \"ok\"}\n",
	    "container", { T0 + 500000, -1, "ERROR", "asyncio", "", "",
	    NULL } },
	{ "cri basic",
	    "2026-11-24T18:01:22.000001Z stderr F ERROR:asyncio:Task exception "
	    "was never retrieved\n"
	    "2026-11-24T18:01:22.000002Z stderr F future: <Task finished>\n"
	    "2026-11-24T18:01:23.000001Z stderr F INFO:app:ok\n",
	    "container", { T0 + 1, -1, "ERROR", "asyncio", "", "",
	    "Task exception was never retrieved" } },
};

static void
span_is(struct span s, const char *want)
{
	char	*got = span_dup(s);

	assert_string_equal(got, want);
	free(got);
}

static void
check_header(const struct layout *l, const char *line, const struct want *w)
{
	struct record	rec;

	memset(&rec, 0, sizeof(rec));
	assert_true(layout_parse_header(l, line, strlen(line), &rec));
	assert_int_equal(rec.ts_us, w->ts_us);
	assert_int_equal(rec.pid, w->pid);
	span_is(rec.level, w->level);
	span_is(rec.logger, w->logger);
	span_is(rec.thread, w->thread);
	span_is(rec.task, w->task);
	if (w->message != NULL)
		span_is(rec.message, w->message);
}

static int
setup(void **state)
{
	(void)state;
	timestamp_set_year(2026);
	return timestamp_set_zone("UTC", NULL);
}

static void
test_detect(void **state)
{
	struct layout	*l;
	struct layout	*again;
	struct err	 e;
	char		 line[1024];
	const char	*nl, *s;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %s\n", cases[i].name);
		l = layout_detect(cases[i].text, strlen(cases[i].text));
		assert_non_null(l);
		assert_string_equal(layout_name(l), cases[i].layout);
		/* the first line, or the second after a byte order mark */
		s = cases[i].text;
		if (strncmp(s, "\xef\xbb\xbf", 3) == 0)
			s = strchr(s, '\n') + 1;
		nl = strchr(s, '\n');
		assert_non_null(nl);
		assert_true((size_t)(nl - s) < sizeof(line));
		memcpy(line, s, (size_t)(nl - s));
		line[nl - s] = '\0';
		if (strcmp(cases[i].layout, "stderr") == 0 ||
		    strcmp(cases[i].name, "syslog bare") == 0) {
			/* no level prefix: the splitter judges by shape */
			struct record	rec;

			assert_false(layout_parse_header(l, line, strlen(line),
			    &rec));
			assert_int_equal(layout_kind(l), LAYOUT_UNTIMED);
		} else {
			check_header(l, line, &cases[i].want);
		}
		/* the spec gives back the same layout, for a resumed file */
		assert_true(strlen(layout_spec(l)) < LAYOUT_SPEC_MAX);
		again = layout_by_name(layout_spec(l), &e);
		assert_non_null(again);
		assert_string_equal(layout_name(again), cases[i].layout);
		assert_string_equal(layout_spec(again), layout_spec(l));
		if (layout_kind(again) != LAYOUT_UNTIMED ||
		    cases[i].want.level[0] != '\0')
			check_header(again, line, &cases[i].want);
		layout_free(again);
		layout_free(l);
	}
}

/* Lines that must not read as headers in a timed layout. */
static void
test_not_headers(void **state)
{
	static const char *const lines[] = {
		"Traceback (most recent call last):",
		"  File \"/srv/app/x.py\", line 1, in f",
		"ValueError: 2026-11-24 18:01:22,454 in the message",
		"future: <Task finished name='Task-1'>",
		"",
		/* a time that cannot be, without the layout's fields */
		"2026-13-24 18:01:22,454 zzz",
		"Nov 24 18:61:22 minute 61",
		NULL
	};
	static const char *const bad_times[] = {
		"2026-13-24 18:01:22,454 ERROR app: bad",
		"2026-02-30 10:00:00 ERROR app: bad",
		"[2026-11-24T25:61:00.5+01:00] ERROR app: bad",
		"1969-12-31 23:59:59,000 ERROR app: bad",
		NULL
	};
	const char	*text = "2026-11-24 18:01:22,454 INFO app: a\n"
			    "2026-11-24 18:01:22,455 INFO app: b\n";
	struct layout	*l = layout_detect(text, strlen(text));
	struct record	 rec;
	size_t		 i;

	(void)state;
	assert_string_equal(layout_name(l), "python");
	for (i = 0; lines[i] != NULL; i++) {
		print_message("line %s\n", lines[i]);
		assert_false(layout_parse_header(l, lines[i], strlen(lines[i]),
		    &rec));
		assert_int_equal(rec.ts_us, TS_NONE);
	}
	/* a time that cannot be, with the layout's fields: a header with
	 * no time, flagged */
	for (i = 0; bad_times[i] != NULL; i++) {
		print_message("line %s\n", bad_times[i]);
		assert_true(layout_parse_header(l, bad_times[i],
		    strlen(bad_times[i]), &rec));
		assert_int_equal(rec.ts_us, TS_NONE);
		assert_int_equal(rec.flags, RECORD_BAD_TIME);
		assert_int_equal(rec.level.n, 5);
		assert_memory_equal(rec.level.p, "ERROR", 5);
		assert_int_equal(rec.message.n, 3);
		assert_memory_equal(rec.message.p, "bad", 3);
	}
	assert_true(layout_parse_header(l, "2026-11-24 18:01:22,454 ERROR app: "
	    "fine", 39, &rec));
	assert_int_equal(rec.flags, 0);
	/* a header time with an unknown field order still starts a record */
	assert_true(layout_parse_header(l, "2026-11-24 18:01:22 zzz", 23,
	    &rec));
	span_is(rec.message, "zzz");
	layout_free(l);
}

static void
test_by_name(void **state)
{
	static const struct {
		const char	*name, *line;
		bool		 header;
		const char	*level;
	} named[] = {
		{ "python", "2026-11-24 18:01:22,454 [ERROR] app: x", true,
		    "ERROR" },
		{ "python", "2026-11-24 18:01:22,454 - app - ERROR - x", true,
		    "ERROR" },
		{ "iso", "2026-11-24T18:01:22Z | INFO | app | x", true,
		    "INFO" },
		{ "json", "{\"level\": \"INFO\", \"msg\": \"x\"}", true,
		    "INFO" },
		{ "json", "not json", false, "" },
		{ "basic", "WARNING:py.warnings:x", true, "WARNING" },
		{ "stderr", "ERROR:asyncio:x", true, "ERROR" },
		{ "syslog", "Nov 24 18:01:22 h app: ERROR:app:x", true,
		    "ERROR" },
		{ "journald", "2026-11-24T18:01:22+0000 h app[1]: INFO app: x",
		    true, "INFO" },
		{ "container", "app-1  | 2026-11-24 18:01:22,454 INFO app: x",
		    true, "INFO" },
		{ "container", "2026-11-24T18:01:22Z stdout F {\"level\": "
		    "\"DEBUG\"}", true, "DEBUG" },
	};
	struct layout	*l;
	struct record	 rec;
	struct err	 e;
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		print_message("name %s: %s\n", named[i].name, named[i].line);
		l = layout_by_name(named[i].name, &e);
		assert_non_null(l);
		assert_string_equal(layout_name(l), named[i].name);
		assert_int_equal(layout_parse_header(l, named[i].line,
		    strlen(named[i].line), &rec), named[i].header);
		span_is(rec.level, named[i].level);
		layout_free(l);
	}
	err_clear(&e);
	assert_null(layout_by_name("xml", &e));
	assert_int_equal(e.status, STATUS_USAGE);
	assert_non_null(strstr(e.msg, "'xml'"));
	assert_null(layout_by_name("auto", &e));
	assert_null(layout_by_name("python;o=0;k=0;p=99;a=0", &e));
	assert_null(layout_by_name("nope;o=0;k=0;p=1;a=0", &e));
	assert_null(layout_by_name("python;o=9;k=0;p=1;a=0", &e));
	assert_null(layout_by_name("python;o=0;k=0;p=1;a=0;x", &e));
	assert_null(layout_by_name("python;", &e));
	assert_int_equal(e.status, STATUS_USAGE);
	assert_true(layout_is_json(l = layout_by_name("json", &e)));
	layout_free(l);
}

/* A spec names its field pattern by a stable name; the specs older
 * versions stored, which gave its index in their table, read the same. */
static void
test_spec_names(void **state)
{
	/* a spec of b018df9 and older, and what it reads as today */
	static const struct {
		const char	*v1, *now;
	} specs[] = {
		{ "python;o=0;k=0;p=12;a=0;t=T__Ll__Wg-",
		  "python;o=0;k=0;p=lv-name-dash;a=0;t=T__Ll__Wg-" },
		{ "python;o=0;k=0;p=9;a=0", "python;o=0;k=0;p=lv-name;a=0" },
		{ "basic;o=0;k=2;p=10;a=0", "basic;o=0;k=2;p=basic;a=0" },
		{ "iso;o=0;k=0;p=0;a=0", "iso;o=0;k=0;p=lv-thtask-name;a=0" },
		{ "container;o=4;k=0;p=-1;a=1", "container;o=4;k=0;p=-1;a=1" },
		{ "python;o=0;k=0;p=15;a=0", "python;o=0;k=0;p=lv;a=0" },
		{ "rich;o=8;k=0;p=-1;a=0;w=20", "rich;o=8;k=0;p=-1;a=0;w=20" },
	};
	struct layout	*l, *again;
	struct err	 e;
	const char	*name;
	size_t		 i, j;

	(void)state;
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		print_message("spec %s\n", specs[i].v1);
		l = layout_by_name(specs[i].v1, &e);
		assert_non_null(l);
		assert_string_equal(layout_spec(l), specs[i].now);
		again = layout_by_name(specs[i].now, &e);
		assert_non_null(again);
		assert_string_equal(layout_spec(again), specs[i].now);
		layout_free(again);
		layout_free(l);
	}
	/* every index an old spec could hold names a pattern */
	for (i = 0; i < 16; i++)
		assert_true(pylayout_pattern_v1((long)i) >= 0);
	assert_int_equal(pylayout_pattern_v1(16), -1);
	/* names: unique, short, never read as an index or cut by ';' */
	for (i = 0; (name = pylayout_pattern_name((int)i)) != NULL; i++) {
		assert_true(strlen(name) > 0 &&
		    strlen(name) <= PYLAYOUT_NAME_MAX);
		assert_true(name[0] != '-' && (name[0] < '0' || name[0] > '9'));
		assert_null(strchr(name, ';'));
		assert_int_equal(pylayout_pattern_named(name, strlen(name)),
		    (int)i);
		for (j = 0; j < i; j++)
			assert_string_not_equal(pylayout_pattern_name((int)j),
			    name);
	}
	assert_int_equal(i, PYLAYOUT_PATTERNS);
	assert_null(layout_by_name("python;o=0;k=0;p=nosuch;a=0", &e));
	assert_null(layout_by_name("python;o=0;k=0;p=;a=0", &e));
	assert_null(layout_by_name("python;o=0;k=0;p=lv;a=0;w=20", &e));
	assert_null(layout_by_name("basic;o=0;k=2;p=loguru;a=0", &e));
}

static void
test_regex(void **state)
{
	const char	*line = "<2026-11-24 18:01:22.5> E [w1] 42 svc: boom";
	struct layout	*l;
	struct record	 rec;
	struct err	 e;

	(void)state;
	l = layout_from_regex("^<(?<ts>[^>]+)> (?<level>[A-Z]) "
	    "\\[(?<thread>[^\\]]+)\\] (?<pid>\\d+) (?<logger>\\w+): "
	    "(?<msg>.*)", &e);
	assert_non_null(l);
	assert_string_equal(layout_name(l), "regex");
	assert_int_equal(layout_kind(l), LAYOUT_REGEX);
	assert_true(layout_parse_header(l, line, strlen(line), &rec));
	assert_int_equal(rec.ts_us, T0 + 500000);
	assert_int_equal(rec.pid, 42);
	span_is(rec.level, "E");
	span_is(rec.thread, "w1");
	span_is(rec.logger, "svc");
	span_is(rec.message, "boom");
	assert_false(layout_parse_header(l, "  File x", 8, &rec));
	layout_free(l);

	/* no msg group: the message starts where the match ends */
	l = layout_from_regex("^\\d+ ", &e);
	assert_non_null(l);
	assert_true(layout_parse_header(l, "12 hello", 8, &rec));
	span_is(rec.message, "hello");
	assert_int_equal(rec.ts_us, TS_NONE);
	layout_free(l);

	/* UTF-8 aware, and invalid bytes do not break matching */
	l = layout_from_regex("^(?<task>\\p{L}+) ", &e);
	assert_non_null(l);
	assert_true(layout_parse_header(l, "\xd0\xb8\xd0\xbc\xd1\x8f x", 8,
	    &rec));
	span_is(rec.task, "\xd0\xb8\xd0\xbc\xd1\x8f");
	assert_false(layout_parse_header(l, "\xff\xfe x", 4, &rec));
	layout_free(l);

	/* catastrophic backtracking: capped by the rules' limits (years
	 * seconds without them), the line read as no header and counted;
	 * the next line matches as ever */
	l = layout_from_regex("^(a|a)+$", &e);
	assert_non_null(l);
	assert_int_equal(layout_limit_hits(l), 0);
	assert_false(layout_parse_header(l, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaa!", 53, &rec));
	assert_int_equal(layout_limit_hits(l), 1);
	assert_true(layout_parse_header(l, "aaaa", 4, &rec));
	assert_int_equal(layout_limit_hits(l), 1);
	layout_free(l);

	err_clear(&e);
	assert_null(layout_from_regex("^(?<ts>[0-9", &e));
	assert_int_equal(e.status, STATUS_USAGE);
	assert_non_null(strstr(e.msg, "header regex: "));
	assert_non_null(strstr(e.msg, "at offset"));
}

static void
test_json_message(void **state)
{
	static const struct {
		const char	*name, *line, *want;
	} jm[] = {
		{ "msg only", "{\"msg\": \"hello\"}", "hello" },
		{ "escapes", "{\"msg\": \"a\\nb\\t\\\"q\\\" \\\\ \\/\"}",
		    "a\nb\t\"q\" \\ /" },
		{ "bmp escape", "{\"msg\": \"caf\\u00e9 \\u20ac\"}",
		    "caf\xc3\xa9 \xe2\x82\xac" },
		{ "surrogate pair", "{\"msg\": \"\\ud83d\\ude00!\"}",
		    "\xf0\x9f\x98\x80!" },
		{ "lone surrogate", "{\"msg\": \"x\\ud83dy\"}",
		    "x\xef\xbf\xbdy" },
		{ "raw utf-8 kept", "{\"msg\": \"\xd0\xb8\xd0\xbc\xd1\x8f\"}",
		    "\xd0\xb8\xd0\xbc\xd1\x8f" },
		{ "exc_info appended", "{\"msg\": \"failed\", \"exc_info\": "
		    "\"Traceback (most recent call last):\\n  File \\\"a.py\\\""
		    "\\nValueError: x\"}",
		    "failed\nTraceback (most recent call last):\n  File \"a.py\""
		    "\nValueError: x" },
		{ "stack_info too", "{\"message\": \"m\", \"exc_text\": \"E\", "
		    "\"stack_info\": \"S\"}", "m\nE\nS" },
		{ "null exception skipped", "{\"event\": \"e\", \"exception\": "
		    "null, \"exc_info\": false}", "e" },
		{ "msg wins over message", "{\"message\": \"b\", \"msg\": \"a\"}",
		    "a" },
		{ "nested values skipped", "{\"extra\": {\"msg\": \"no\", "
		    "\"l\": [1, \"}\"]}, \"msg\": \"yes\"}", "yes" },
		{ "number message", "{\"msg\": 42}", "42" },
		{ "no message field", "{\"level\": \"INFO\"}",
		    "{\"level\": \"INFO\"}" },
		{ "broken object", "{\"msg\": \"unterminated",
		    "{\"msg\": \"unterminated" },
	};
	struct buf	b;
	size_t		i;

	(void)state;
	buf_init(&b, 1 << 20);
	for (i = 0; i < sizeof(jm) / sizeof(jm[0]); i++) {
		print_message("case %s\n", jm[i].name);
		buf_reset(&b);
		jsonline_message(jm[i].line, strlen(jm[i].line), &b);
		assert_string_equal(b.data, jm[i].want);
	}
	buf_release(&b);
}

/* Nothing recognisable: stderr, never NULL, even on no input. */
static void
test_detect_fallback(void **state)
{
	const char	*stray = "[job] start\n[job] a\n[job] b\n[job] c\n"
			    "2026-11-24 18:01:22 was the cutoff\n[job] d\n"
			    "[job] e\n[job] f\n[job] g\n[job] h\n[job] i\n"
			    "[job] j\n[job] k\n[job] l\n[job] m\n[job] n\n"
			    "[job] o\n[job] p\n[job] q\n[job] r\n[job] s\n"
			    "2026-11-25 00:00:00 is next\n[job] t\n";
	struct layout	*l;

	(void)state;
	l = layout_detect("", 0);
	assert_string_equal(layout_name(l), "stderr");
	layout_free(l);
	l = layout_detect("\x01\x02\xff\n\n\n", 6);
	assert_string_equal(layout_name(l), "stderr");
	layout_free(l);
	/* two dated lines among many bare ones */
	l = layout_detect(stray, strlen(stray));
	assert_string_equal(layout_name(l), "stderr");
	layout_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_detect, setup),
		cmocka_unit_test_setup(test_not_headers, setup),
		cmocka_unit_test_setup(test_by_name, setup),
		cmocka_unit_test_setup(test_spec_names, setup),
		cmocka_unit_test_setup(test_regex, setup),
		cmocka_unit_test_setup(test_json_message, setup),
		cmocka_unit_test_setup(test_detect_fallback, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
