/* Unit tests for rules/engine and the shipped pack: every signature in
 * its version forms (stderr, logging, JSON message + exc_info), the
 * prose and quoted copies that must not match, overrides, filters and
 * the PCRE2 limits. One cmocka test per named case. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/finding.h"
#include "common/record.h"
#include "common/severity.h"
#include "rules/engine.h"

#define NONE	-1.0

struct ecase {
	const char	*name;
	const char	*logger, *level, *task;	/* the record's; NULL: none */
	const char	*msg;			/* the record's message */
	size_t		 nfind;			/* findings expected */
	const char	*kind;			/* the one checked, or NULL */
	const char	*rule;
	const char	*ftask, *coro, *exc, *loc;
	double		 duration;		/* seconds, NONE: -1 */
};

static const struct ecase cases[] = {
	/* ---- never awaited ------------------------------------------- */
	{ "never_awaited stderr 3.12", NULL, NULL, NULL,
	    "/srv/app/s01_never_awaited.py:27: RuntimeWarning: coroutine "
	    "'fetch_data' was never awaited\n"
	    "  fetch_data()            # plain function, never awaited\n"
	    "RuntimeWarning: Enable tracemalloc to get the object allocation "
	    "traceback", 1, "never_awaited", "never_awaited.warning", NULL,
	    "fetch_data", NULL, "/srv/app/s01_never_awaited.py:27", NONE },
	{ "never_awaited nested qualname", NULL, NULL, NULL,
	    "/srv/app/s01_never_awaited.py:30: RuntimeWarning: coroutine "
	    "'outer.<locals>.inner' was never awaited\n  outer()()\n",
	    1, "never_awaited", NULL, NULL, "outer.<locals>.inner", NULL,
	    "/srv/app/s01_never_awaited.py:30", NONE },
	{ "never_awaited 3.8 relative path", NULL, NULL, NULL,
	    "s01_never_awaited.py:27: RuntimeWarning: coroutine 'fetch_data' "
	    "was never awaited\n  fetch_data()\n", 1, "never_awaited", NULL,
	    NULL, "fetch_data", NULL, "s01_never_awaited.py:27", NONE },
	{ "never_awaited tracemalloc", NULL, NULL, NULL,
	    "/srv/app/s01_never_awaited.py:35: RuntimeWarning: coroutine "
	    "'fetch_data' was never awaited\n"
	    "  fetch_data()            # forgotten await\n"
	    "Object allocated at (most recent call last):\n"
	    "  File \"/usr/lib/python3.12/asyncio/base_events.py\", lineno 671\n"
	    "    self.run_forever()\n"
	    "  File \"/srv/app/s01_never_awaited.py\", lineno 35\n"
	    "    fetch_data()\n", 1, "never_awaited", NULL, NULL, "fetch_data",
	    NULL, "/srv/app/s01_never_awaited.py:35", NONE },
	{ "never_awaited debug coroutine created at", NULL, NULL, NULL,
	    "/srv/app/s01_never_awaited.py:35: RuntimeWarning: coroutine "
	    "'fetch_data' was never awaited\n"
	    "Coroutine created at (most recent call last)\n"
	    "  File \"/srv/app/s01_never_awaited.py\", line 41, in <module>\n"
	    "    asyncio.run(amain())\n"
	    "  File \"/usr/lib/python3.12/asyncio/runners.py\", line 194, in "
	    "run\n    return runner.run(main)\n"
	    "  File \"/srv/app/s01_never_awaited.py\", line 35, in amain\n"
	    "    fetch_data()\n  fetch_data()\n"
	    "RuntimeWarning: Enable tracemalloc to get the object allocation "
	    "traceback", 1, "never_awaited", NULL, NULL, "fetch_data", NULL,
	    "/srv/app/s01_never_awaited.py:35", NONE },
	{ "never_awaited py.warnings logger", "py.warnings", "WARNING", NULL,
	    "/srv/app/s02_never_awaited_logging.py:24: RuntimeWarning: "
	    "coroutine 'fetch_data' was never awaited\n  fetch_data()\n\n",
	    1, "never_awaited", NULL, NULL, "fetch_data", NULL,
	    "/srv/app/s02_never_awaited_logging.py:24", NONE },
	{ "never_awaited exit sys:1", NULL, NULL, NULL,
	    "sys:1: RuntimeWarning: coroutine 'background_job' was never "
	    "awaited", 1, "never_awaited", NULL, NULL, "background_job", NULL,
	    "sys:1", NONE },
	{ "never_awaited exit 3.13 <sys>:0", NULL, NULL, NULL,
	    "<sys>:0: RuntimeWarning: coroutine 'Poller.poll' was never "
	    "awaited", 1, "never_awaited", NULL, NULL, "Poller.poll", NULL,
	    "<sys>:0", NONE },
	{ "never_awaited 3.13 agen method", NULL, NULL, NULL,
	    "/srv/app/s26_agen_method.py:13: RuntimeWarning: coroutine method "
	    "'aclose' of 'agen' was never awaited\n  g.aclose()\n", 1,
	    "never_awaited", NULL, NULL, "agen", NULL,
	    "/srv/app/s26_agen_method.py:13", NONE },
	{ "never_awaited windows path", NULL, NULL, NULL,
	    "C:\\srv\\app\\worker.py:7: RuntimeWarning: coroutine 'Svc.run' "
	    "was never awaited", 1, "never_awaited", NULL, NULL, "Svc.run",
	    NULL, "C:\\srv\\app\\worker.py:7", NONE },
	{ "never_awaited unparsed basicConfig prefix", NULL, NULL, NULL,
	    "WARNING:py.warnings:/srv/app/x.py:24: RuntimeWarning: coroutine "
	    "'fetch' was never awaited", 1, "never_awaited", NULL, NULL,
	    "fetch", NULL, "/srv/app/x.py:24", NONE },
	{ "never_awaited unparsed asctime prefix", NULL, NULL, NULL,
	    "2026-11-24 17:36:37,589 [WARNING] py.warnings: /srv/app/x.py:24: "
	    "RuntimeWarning: coroutine 'fetch' was never awaited", 1,
	    "never_awaited", NULL, NULL, "fetch", NULL, "/srv/app/x.py:24",
	    NONE },
	{ "never_awaited callback inside asyncio", NULL, NULL, NULL,
	    "/usr/lib/python3.12/asyncio/events.py:84: RuntimeWarning: "
	    "coroutine 'Svc.run' was never awaited\n"
	    "  self._context.run(self._callback, *self._args)\n", 1,
	    "never_awaited", NULL, NULL, "Svc.run", NULL,
	    "/usr/lib/python3.12/asyncio/events.py:84", NONE },
	{ "never_awaited task from taskName", "py.warnings", "WARNING",
	    "job:sync-legacy#14",
	    "/srv/app/scenarios.py:669: RuntimeWarning: coroutine "
	    "'LegacyCrmClient._fetch_accounts' was never awaited\n"
	    "  log.exception(\"legacy CRM sync failed\")\n", 1,
	    "never_awaited", NULL, "job:sync-legacy#14",
	    "LegacyCrmClient._fetch_accounts", NULL,
	    "/srv/app/scenarios.py:669", NONE },
	{ "never_awaited two warnings in one record", NULL, NULL, NULL,
	    "processed part 3\n"
	    "/srv/app/a.py:1: RuntimeWarning: coroutine 'one' was never "
	    "awaited\n  one()\n"
	    "sys:1: RuntimeWarning: coroutine 'two' was never awaited", 2,
	    "never_awaited", NULL, NULL, "one", NULL, "/srv/app/a.py:1",
	    NONE },
	{ "never_awaited invalid utf-8 around", NULL, NULL, NULL,
	    "\xff\xfe junk\n/srv/app/a.py:3: RuntimeWarning: coroutine "
	    "'\xd0\xb7\xd0\xb0\xd0\xb4\xd0\xb0\xd1\x87\xd0\xb0' was never "
	    "awaited\n\xc3(", 1, "never_awaited", NULL, NULL,
	    "\xd0\xb7\xd0\xb0\xd0\xb4\xd0\xb0\xd1\x87\xd0\xb0", NULL,
	    "/srv/app/a.py:3", NONE },
	{ "never_awaited prose", "app", "INFO", NULL,
	    "coroutine 'x' was never awaited is a common bug", 0, NULL, NULL,
	    NULL, NULL, NULL, NULL, NONE },
	{ "never_awaited quoted in a user message", "app", "INFO", NULL,
	    "saw \"/x.py:1: RuntimeWarning: coroutine 'f' was never "
	    "awaited\"", 0, NULL, NULL, NULL, NULL, NULL, NULL, NONE },
	{ "never_awaited docstring mention", "app", "DEBUG", NULL,
	    "help: a RuntimeWarning: coroutine 'f' was never awaited means "
	    "you forgot await", 0, NULL, NULL, NULL, NULL, NULL, NULL, NONE },
	{ "tracemalloc hint alone", NULL, NULL, NULL,
	    "RuntimeWarning: Enable tracemalloc to get the object allocation "
	    "traceback", 0, NULL, NULL, NULL, NULL, NULL, NULL, NONE },

	/* ---- never retrieved ----------------------------------------- */
	{ "never_retrieved task 3.12 bare", NULL, NULL, NULL,
	    "Task exception was never retrieved\n"
	    "future: <Task finished name='Task-2' coro=<worker() done, defined "
	    "at /srv/app/s04_task_exception.py:14> exception=ValueError('boom')>"
	    "\nTraceback (most recent call last):\n"
	    "  File \"/srv/app/s04_task_exception.py\", line 16, in worker\n"
	    "    raise ValueError('boom')\nValueError: boom", 1,
	    "never_retrieved", "never_retrieved.future", "Task-2", "worker",
	    "ValueError", "/srv/app/s04_task_exception.py:16", NONE },
	{ "never_retrieved future no traceback", "asyncio", "ERROR", NULL,
	    "Future exception was never retrieved\n"
	    "future: <Future finished exception=RuntimeError('future failed')>"
	    "\nRuntimeError: future failed", 1, "never_retrieved", NULL, NULL,
	    NULL, "RuntimeError", NULL, NONE },
	{ "never_retrieved named method task", "asyncio", "ERROR", NULL,
	    "Task exception was never retrieved\n"
	    "future: <Task finished name='fetcher-1' coro=<Fetcher.fetch() "
	    "done, defined at /srv/app/f.py:20> exception=ConnectionError("
	    "'cannot reach http://x')>", 1, "never_retrieved", NULL,
	    "fetcher-1", "Fetcher.fetch", "ConnectionError", NULL, NONE },
	{ "never_retrieved gathering future 3.8", NULL, NULL, NULL,
	    "_GatheringFuture exception was never retrieved\n"
	    "future: <_GatheringFuture finished exception=CancelledError()>\n"
	    "asyncio.exceptions.CancelledError", 1, "never_retrieved", NULL,
	    NULL, NULL, "CancelledError", NULL, NONE },
	{ "never_retrieved debug created at", "asyncio", "ERROR", NULL,
	    "Task exception was never retrieved\n"
	    "future: <Task finished name='Task-2' coro=<worker() done, defined "
	    "at /srv/app/s04.py:14> exception=ValueError('boom') created at "
	    "/usr/lib/python3.12/asyncio/tasks.py:695>\n"
	    "source_traceback: Object created at (most recent call last):\n"
	    "  File \"/srv/app/s04.py\", line 37, in <module>\n"
	    "    asyncio.run(main())\n"
	    "  File \"/usr/lib/python3.12/asyncio/tasks.py\", line 695, in "
	    "ensure_future\n    return loop.create_task(coro_or_future)\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/s04.py\", line 16, in worker\n"
	    "    raise ValueError('boom')\nValueError: boom", 1,
	    "never_retrieved", NULL, "Task-2", "worker", "ValueError",
	    "/srv/app/s04.py:16", NONE },
	{ "never_retrieved quoted name", NULL, NULL, NULL,
	    "Task exception was never retrieved\n"
	    "future: <Task finished name=\"it's quoted\" coro=<boom() done, "
	    "defined at /srv/app/b.py:11> exception=ValueError(\"can't "
	    "parse\")>", 1, "never_retrieved", NULL, "it's quoted", "boom",
	    "ValueError", NULL, NONE },
	{ "never_retrieved non-ascii name", NULL, NULL, NULL,
	    "Task exception was never retrieved\n"
	    "future: <Task finished name='\xd0\xb8\xd0\xbc\xd1\x8f' "
	    "coro=<work() done, defined at /srv/app/b.py:11> "
	    "exception=KeyError('k')>", 1, "never_retrieved", NULL,
	    "\xd0\xb8\xd0\xbc\xd1\x8f", "work", "KeyError", NULL, NONE },
	{ "never_retrieved module path stripped", NULL, NULL, NULL,
	    "Future exception was never retrieved\n"
	    "future: <Future finished exception=concurrent.futures._base."
	    "TimeoutError()>", 1, "never_retrieved", NULL, NULL, NULL,
	    "TimeoutError", NULL, NONE },
	{ "never_retrieved json message + exc_info", "asyncio", "ERROR", NULL,
	    "Task exception was never retrieved\n"
	    "future: <Task finished name='analytics-25' coro=<Gateway."
	    "push_analytics() done, defined at /srv/app/scenarios.py:1068> "
	    "exception=TimeoutError()>\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/usr/lib/python3.9/asyncio/tasks.py\", line 652, in "
	    "sleep\n    return await future\n"
	    "asyncio.exceptions.CancelledError\n\n"
	    "The above exception was the direct cause of the following "
	    "exception:\n\nTraceback (most recent call last):\n"
	    "  File \"/srv/app/scenarios.py\", line 1070, in push_analytics\n"
	    "    await asyncio.wait_for(asyncio.sleep(1.0), 0.02)\n"
	    "asyncio.exceptions.TimeoutError", 1, "never_retrieved", NULL,
	    "analytics-25", "Gateway.push_analytics", "TimeoutError",
	    "/srv/app/scenarios.py:1070", NONE },
	{ "never_retrieved 3.11 client_connected_cb", "asyncio", "ERROR",
	    NULL, "Unhandled exception in client_connected_cb\n"
	    "transport: <_SelectorSocketTransport fd=8 read=polling "
	    "write=<idle, bufsize=0>>\nTraceback (most recent call last):\n"
	    "  File \"/srv/app/s19.py\", line 40, in handle\n"
	    "    raise RuntimeError('handler crashed')\n"
	    "RuntimeError: handler crashed", 1, "never_retrieved",
	    "never_retrieved.client_cb", NULL, "handle", "RuntimeError",
	    "/srv/app/s19.py:40", NONE },
	{ "never_retrieved + await_non_awaitable", NULL, NULL, NULL,
	    "Task exception was never retrieved\n"
	    "future: <Task finished name='Task-2' coro=<Crawler.throttle() "
	    "done, defined at /srv/app/scenarios.py:1304> exception=TypeError("
	    "\"object NoneType can't be used in 'await' expression\") created "
	    "at /usr/lib/python3.12/asyncio/tasks.py:695>\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/scenarios.py\", line 1306, in throttle\n"
	    "    await time.sleep(0.02)\n"
	    "TypeError: object NoneType can't be used in 'await' expression",
	    2, "await_non_awaitable", NULL, "Task-2", "Crawler.throttle",
	    "TypeError", "/srv/app/scenarios.py:1306", NONE },
	{ "never_retrieved header without future line", "app", "INFO", NULL,
	    "Task exception was never retrieved", 0, NULL, NULL, NULL, NULL,
	    NULL, NULL, NONE },
	{ "never_retrieved context copy", "asyncio", "ERROR", NULL,
	    "Unhandled error in exception handler\n"
	    "context: {'message': 'Task exception was never retrieved', "
	    "'exception': ValueError('x')}\nRuntimeError: handler is broken",
	    1, "handler_error", NULL, NULL, NULL, "RuntimeError", NULL, NONE },

	/* ---- nested loops -------------------------------------------- */
	{ "nested_run asyncio.run 3.12", "app", "ERROR", NULL,
	    "nested asyncio.run failed\nTraceback (most recent call last):\n"
	    "  File \"/srv/app/s05_nested_loops.py\", line 16, in main\n"
	    "    asyncio.run(child())\n"
	    "  File \"/usr/lib/python3.12/asyncio/runners.py\", line 190, in "
	    "run\n    raise RuntimeError(\n"
	    "RuntimeError: asyncio.run() cannot be called from a running "
	    "event loop", 1, "nested_run", "nested_run.error", NULL, "child",
	    "RuntimeError", "/srv/app/s05_nested_loops.py:16", NONE },
	{ "nested_run 3.13 two-line raise", "app.jobs", "ERROR",
	    "job:sync-legacy#14", "legacy CRM sync failed\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/scenarios.py\", line 644, in "
	    "fetch_accounts_sync\n"
	    "    return asyncio.run(self._fetch_accounts())\n"
	    "           ~~~~~~~~~~~^^^^^^^^^^^^^^^^^^^^^^^^\n"
	    "  File \"/usr/lib/python3.13/asyncio/runners.py\", line 190, in "
	    "run\n    raise RuntimeError(\n"
	    "        \"asyncio.run() cannot be called from a running event "
	    "loop\")\n"
	    "RuntimeError: asyncio.run() cannot be called from a running "
	    "event loop", 1, "nested_run", NULL, "job:sync-legacy#14",
	    "_fetch_accounts", "RuntimeError", "/srv/app/scenarios.py:644",
	    NONE },
	{ "nested_run already running", "app", "ERROR", NULL,
	    "request failed\nTraceback (most recent call last):\n"
	    "  File \"/srv/app/scenarios.py\", line 830, in warm_sync\n"
	    "    return asyncio.get_event_loop().run_until_complete(self."
	    "load())\n"
	    "  File \"/usr/lib/python3.10/asyncio/base_events.py\", line 584, "
	    "in _check_running\n"
	    "    raise RuntimeError('This event loop is already running')\n"
	    "RuntimeError: This event loop is already running", 1,
	    "nested_run", NULL, NULL, "load", "RuntimeError",
	    "/srv/app/scenarios.py:830", NONE },
	{ "nested_run another loop running", "app", "ERROR", NULL,
	    "export failed\nTraceback (most recent call last):\n"
	    "  File \"/srv/app/scenarios.py\", line 844, in export_sync\n"
	    "    return loop.run_until_complete(self._push(rows))\n"
	    "  File \"/usr/lib/python3.10/asyncio/base_events.py\", line 586, "
	    "in _check_running\n    raise RuntimeError(\n"
	    "RuntimeError: Cannot run the event loop while another loop is "
	    "running", 1, "nested_run", NULL, NULL, "_push", "RuntimeError",
	    "/srv/app/scenarios.py:844", NONE },
	{ "nested_run source line only", "app", "ERROR", NULL,
	    "context\n  File \"/usr/lib/python3.12/asyncio/base_events.py\", "
	    "line 619, in _check_running\n"
	    "    raise RuntimeError('This event loop is already running')\n",
	    0, NULL, NULL, NULL, NULL, NULL, NULL, NONE },
	{ "nested_run with its never-awaited warning", NULL, NULL, NULL,
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/scenarios.py\", line 1302, in allowed_sync\n"
	    "    return asyncio.run(self._fetch_robots(host))\n"
	    "  File \"/usr/lib/python3.12/asyncio/runners.py\", line 190, in "
	    "run\n    raise RuntimeError(\n"
	    "RuntimeError: asyncio.run() cannot be called from a running "
	    "event loop\n"
	    "/srv/app/scenarios.py:1342: RuntimeWarning: coroutine "
	    "'Crawler._fetch_robots' was never awaited\n", 2, "nested_run",
	    NULL, NULL, "_fetch_robots", "RuntimeError",
	    "/srv/app/scenarios.py:1302", NONE },

	/* ---- slow callbacks ------------------------------------------ */
	{ "stall task took 1.001", "asyncio", "WARNING", NULL,
	    "Executing <Task pending name='db-poller' coro=<blocking_worker() "
	    "running at /srv/app/s07_slow_callback.py:17> cb=[Task.task_wakeup"
	    "()] created at /usr/lib/python3.12/asyncio/tasks.py:420> took "
	    "1.001 seconds", 1, "stall", "stall.took", "db-poller",
	    "blocking_worker", NULL, NULL, 1.001 },
	{ "stall 3.8 wakeup repr", "asyncio", "WARNING", NULL,
	    "Executing <Task pending name='db-poller' coro=<blocking_worker() "
	    "running at s07_slow_callback.py:17> cb=[<TaskWakeupMethWrapper "
	    "object at 0x7fee7fbea250>()] created at /usr/lib/python3.8/"
	    "asyncio/tasks.py:382> took 1.002 seconds", 1, "stall", NULL,
	    "db-poller", "blocking_worker", NULL, NULL, 1.002 },
	{ "stall bare stderr debug", NULL, NULL, NULL,
	    "Executing <Task pending name='fetch-13' coro=<Crawler.fetch() "
	    "running at /srv/app/scenarios.py:1324> cb=[gather.<locals>."
	    "_done_callback() at /usr/lib/python3.12/asyncio/tasks.py:767] "
	    "created at /usr/lib/python3.12/asyncio/tasks.py:420> took 0.587 "
	    "seconds", 1, "stall", NULL, "fetch-13", "Crawler.fetch", NULL,
	    NULL, 0.587 },
	{ "slow handle under stall-min", "asyncio", "WARNING", NULL,
	    "Executing <Handle blocking_callback('soon') at /srv/app/s07.py:20 "
	    "created at /srv/app/s07.py:33> took 0.150 seconds", 1,
	    "slow_callback", "stall.took", NULL, "blocking_callback", NULL,
	    NULL, 0.150 },
	{ "slow timer handle", "asyncio", "WARNING", NULL,
	    "Executing <TimerHandle when=481.946121469 Handler.on_timer() "
	    "created at /srv/app/s07.py:34> took 0.121 seconds", 1,
	    "slow_callback", NULL, NULL, "Handler.on_timer", NULL, NULL,
	    0.121 },
	{ "slow cancelling task 3.11", "asyncio", "WARNING", NULL,
	    "Executing <Task cancelling name='stubborn' coro=<stubborn() "
	    "running at /srv/app/s29.py:20> cb=[Task.task_wakeup()] created at "
	    "/usr/lib/python3.12/asyncio/tasks.py:420> took 0.120 seconds", 1,
	    "slow_callback", NULL, "stubborn", "stubborn", NULL, NULL, 0.120 },
	{ "slow protocol callback", "asyncio", "WARNING", NULL,
	    "Executing <Handle _SelectorSocketTransport._read_ready() created "
	    "at /usr/lib/python3.12/asyncio/selector_events.py:276> took 0.151 "
	    "seconds", 1, "slow_callback", NULL, NULL,
	    "_SelectorSocketTransport._read_ready", NULL, NULL, 0.151 },
	{ "stall text in an app logger", "app", "WARNING", NULL,
	    "Executing <Task pending name='x' coro=<x() running at a.py:1>> "
	    "took 2.000 seconds", 0, NULL, NULL, NULL, NULL, NULL, NULL, NONE },
	{ "app slow request is no stall", "app.web", "WARNING", NULL,
	    "request GET /reports/q4/export took 0.281 seconds "
	    "(slow_request_threshold=0.250)", 0, NULL, NULL, NULL, NULL, NULL,
	    NULL, NONE },

	/* ---- task destroyed ------------------------------------------ */
	{ "destroyed pending 3.12", NULL, NULL, NULL,
	    "Task was destroyed but it is pending!\n"
	    "task: <Task pending name='Task-2' coro=<forever() done, defined "
	    "at /srv/app/s08.py:13> wait_for=<Future pending cb=[Task."
	    "task_wakeup()]>>", 1, "task_destroyed_pending",
	    "task_destroyed_pending.task", "Task-2", "forever", NULL, NULL,
	    NONE },
	{ "destroyed pending running at", "asyncio", "ERROR", "housekeeping",
	    "Task was destroyed but it is pending!\n"
	    "task: <Task pending name='job:watch-config#4' coro=<watch_config() "
	    "running at /srv/app/scenarios.py:692> wait_for=<Future pending "
	    "cb=[Task.task_wakeup()]>>", 1, "task_destroyed_pending", NULL,
	    "job:watch-config#4", "watch_config", NULL,
	    "/srv/app/scenarios.py:692", NONE },
	{ "destroyed pending debug source_traceback", "asyncio", "ERROR",
	    NULL, "Task was destroyed but it is pending!\n"
	    "source_traceback: Object created at (most recent call last):\n"
	    "  File \"/srv/app/s27.py\", line 22, in <module>\n"
	    "    loop.run_until_complete(main())\n"
	    "task: <Task pending name='Task-2' coro=<ticker() running at "
	    "/srv/app/s27.py:11> wait_for=<Future pending cb=[Task.task_wakeup"
	    "()] created at /usr/lib/python3.12/asyncio/base_events.py:447> "
	    "created at /usr/lib/python3.12/asyncio/tasks.py:695>", 1,
	    "task_destroyed_pending", NULL, "Task-2", "ticker", NULL,
	    "/srv/app/s27.py:11", NONE },
	{ "destroyed pending 3.8 wakeup", "asyncio", "ERROR", NULL,
	    "Task was destroyed but it is pending!\n"
	    "task: <Task pending name='progress-reporter' coro=<"
	    "progress_reporter() running at /srv/app/scenarios.py:1211> "
	    "wait_for=<Future pending cb=[<TaskWakeupMethWrapper object at "
	    "0x7f4f3b5a4190>()]>>", 1, "task_destroyed_pending", NULL,
	    "progress-reporter", "progress_reporter", NULL,
	    "/srv/app/scenarios.py:1211", NONE },
	{ "destroyed pending header only", "asyncio", "ERROR", NULL,
	    "Task was destroyed but it is pending!", 1,
	    "task_destroyed_pending", "task_destroyed_pending.header", NULL,
	    NULL, NULL, NULL, NONE },

	/* ---- await non-awaitable ------------------------------------- */
	{ "await None logged", "app", "ERROR", NULL,
	    "await None failed\nTraceback (most recent call last):\n"
	    "  File \"/srv/app/s10_await_non_awaitable.py\", line 32, in main\n"
	    "    await value\n"
	    "TypeError: object NoneType can't be used in 'await' expression",
	    1, "await_non_awaitable", "await_non_awaitable.error", NULL,
	    "main", "TypeError", "/srv/app/s10_await_non_awaitable.py:32",
	    NONE },
	{ "await 3.14 wording", NULL, NULL, NULL,
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/a.py\", line 5, in go\n    await 1\n"
	    "TypeError: 'int' object can't be awaited", 1,
	    "await_non_awaitable", NULL, NULL, "go", "TypeError",
	    "/srv/app/a.py:5", NONE },
	{ "await json exc_info", "gateway", "ERROR", "req-34",
	    "request 34: unhandled error\nTraceback (most recent call last):\n"
	    "  File \"/srv/app/scenarios.py\", line 1097, in handle\n"
	    "    await self.purge_cache(\"user:%d\" % rng.randint(1, 999))\n"
	    "  File \"/srv/app/scenarios.py\", line 1088, in purge_cache\n"
	    "    await self.cache.invalidate(key)\n"
	    "TypeError: object NoneType can't be used in 'await' expression",
	    1, "await_non_awaitable", NULL, "req-34", "purge_cache",
	    "TypeError", "/srv/app/scenarios.py:1088", NONE },
	{ "await behind a gutter", NULL, NULL, NULL,
	    "  | TypeError: object function can't be used in 'await' "
	    "expression", 1, "await_non_awaitable", NULL, NULL, NULL,
	    "TypeError", NULL, NONE },
	{ "await prose", "app", "INFO", NULL,
	    "TypeError: object int can't be used in 'await' expression "
	    "happens when you await a number", 0, NULL, NULL, NULL, NULL,
	    NULL, NULL, NONE },

	/* ---- different loop ------------------------------------------ */
	{ "different loop got future", "app", "ERROR", NULL,
	    "failed\nTraceback (most recent call last):\n"
	    "  File \"/srv/app/s11.py\", line 16, in use_foreign_future\n"
	    "    await fut\n"
	    "RuntimeError: Task <Task pending name='foreign-user' coro=<"
	    "use_foreign_future() running at /srv/app/s11.py:16> cb=[Task."
	    "task_wakeup()]> got Future <Future pending> attached to a "
	    "different loop", 1, "different_loop", "different_loop.future",
	    "foreign-user", "use_foreign_future", "RuntimeError",
	    "/srv/app/s11.py:16", NONE },
	{ "different loop bound 3.10", "app", "ERROR", NULL,
	    "RuntimeError: <Queue at 0x7fe3b9d16330 maxsize=0 tasks=1> is "
	    "bound to a different event loop", 1, "different_loop", NULL,
	    NULL, NULL, "RuntimeError", NULL, NONE },
	{ "different loop 3.8 truncated repr", NULL, NULL, NULL,
	    "RuntimeError: Task <Task pending name='Task-4' coro=<Queue.get() "
	    "running at /usr/lib/python3.8/asyncio/queues.py:163> cb=["
	    "_release_waiter(<Future pendi...e55723700>()]>)() at /usr/lib/"
	    "python3.8/asyncio/tasks.py:429]> got Future <Future pending> "
	    "attached to a different loop", 1, "different_loop", NULL,
	    "Task-4", "Queue.get", "RuntimeError", NULL, NONE },
	{ "different loop json 3.9", "gateway", "ERROR", "token-warmup",
	    "rate limiter warmup failed\nTraceback (most recent call last):\n"
	    "  File \"/srv/app/scenarios.py\", line 1026, in warm_tokens\n"
	    "    await self.limiter.acquire()\n"
	    "  File \"/usr/lib/python3.9/asyncio/queues.py\", line 166, in get\n"
	    "    await getter\n"
	    "RuntimeError: Task <Task pending name='token-warmup' coro=<"
	    "Gateway.warm_tokens() running at /srv/app/scenarios.py:1026> "
	    "cb=[<TaskWakeupMethWrapper object at 0x7f70852d2fd0>()]> got "
	    "Future <Future pending> attached to a different loop", 1,
	    "different_loop", NULL, "token-warmup", "Gateway.warm_tokens",
	    "RuntimeError", "/srv/app/scenarios.py:1026", NONE },

	/* ---- closed loop --------------------------------------------- */
	{ "loop closed transport finalizer", NULL, NULL, NULL,
	    "Exception ignored in: <function BaseSubprocessTransport.__del__ "
	    "at 0x7ff70b140a40>\nTraceback (most recent call last):\n"
	    "  File \"/usr/lib/python3.12/asyncio/base_subprocess.py\", line "
	    "126, in __del__\n    self.close()\n"
	    "  File \"/usr/lib/python3.12/asyncio/base_events.py\", line 539, "
	    "in _check_closed\n    raise RuntimeError('Event loop is closed')\n"
	    "RuntimeError: Event loop is closed", 1, "loop_closed",
	    "loop_closed.error", NULL, NULL, "RuntimeError", NULL, NONE },
	{ "loop closed run_until_complete", "batch", "ERROR", NULL,
	    "could not write manifest\nTraceback (most recent call last):\n"
	    "  File \"/srv/app/scenarios.py\", line 1271, in scenario\n"
	    "    loop.run_until_complete(write_manifest(state))\n"
	    "  File \"/usr/lib/python3.8/asyncio/base_events.py\", line 508, in "
	    "_check_closed\n    raise RuntimeError('Event loop is closed')\n"
	    "RuntimeError: Event loop is closed", 1, "loop_closed", NULL,
	    NULL, "write_manifest", "RuntimeError",
	    "/srv/app/scenarios.py:1271", NONE },
	{ "loop closed source line only", "app", "DEBUG", NULL,
	    "  File \"/usr/lib/python3.12/asyncio/base_events.py\", line 539, "
	    "in _check_closed\n    raise RuntimeError('Event loop is closed')",
	    0, NULL, NULL, NULL, NULL, NULL, NULL, NONE },
	{ "loop closed prose", "app", "INFO", NULL,
	    "shutting down: the Event loop is closed now", 0, NULL, NULL,
	    NULL, NULL, NULL, NULL, NONE },

	/* ---- callbacks ----------------------------------------------- */
	{ "callback 3.12 with args", "asyncio", "ERROR", NULL,
	    "Exception in callback bad_callback('user_id') at /srv/app/s09."
	    "py:14\nhandle: <Handle bad_callback('user_id') at /srv/app/s09.py"
	    ":14>\nTraceback (most recent call last):\n"
	    "  File \"/usr/lib/python3.12/asyncio/events.py\", line 84, in "
	    "_run\n    self._context.run(self._callback, *self._args)\n"
	    "  File \"/srv/app/s09.py\", line 15, in bad_callback\n"
	    "    raise KeyError(key)\nKeyError: 'user_id'", 1,
	    "callback_exception", "callback_exception.handle", NULL, NULL,
	    "KeyError", "/srv/app/s09.py:15", NONE },
	{ "callback 3.13 hidden args", "asyncio", "ERROR", NULL,
	    "Exception in callback Scheduler._record_report_metrics()\n"
	    "handle: <Handle Scheduler._record_report_metrics()>\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/usr/lib/python3.13/asyncio/events.py\", line 89, in "
	    "_run\n    self._context.run(self._callback, *self._args)\n"
	    "    ~~~~~~~~~~~~~~~~~^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
	    "  File \"/srv/app/scenarios.py\", line 747, in "
	    "_record_report_metrics\n"
	    "    self.metrics[\"report.rows\"] += rows\n"
	    "    ~~~~~~~~~~~~^^^^^^^^^^^^^^^\nKeyError: 'report.rows'", 1,
	    "callback_exception", NULL, NULL, NULL, "KeyError",
	    "/srv/app/scenarios.py:747", NONE },
	{ "callback timer handle", "asyncio", "ERROR", NULL,
	    "Exception in callback Conn.on_data()\n"
	    "handle: <TimerHandle when=487.146609216 Conn.on_data()>\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/c.py\", line 9, in on_data\n"
	    "    raise ValueError('bad frame')\nValueError: bad frame", 1,
	    "callback_exception", NULL, NULL, NULL, "ValueError",
	    "/srv/app/c.py:9", NONE },
	{ "callback windows proactor", "asyncio", "ERROR", NULL,
	    "Exception in callback _ProactorBasePipeTransport."
	    "_call_connection_lost(None)\nhandle: <Handle "
	    "_ProactorBasePipeTransport._call_connection_lost(None)>\n"
	    "Traceback (most recent call last):\n"
	    "  File \"asyncio\\events.py\", line 80, in _run\n"
	    "ConnectionResetError: [WinError 10054] An existing connection "
	    "was forcibly closed by the remote host", 1, "callback_exception",
	    NULL, NULL, NULL, "ConnectionResetError", NULL, NONE },
	{ "callback quoted in handler context", "asyncio", "ERROR", NULL,
	    "Unhandled error in exception handler\n"
	    "context: {'message': \"Exception in callback bad_callback("
	    "'user_id') at /srv/app/s09.py:14\", 'exception': KeyError("
	    "'user_id')}\nTraceback (most recent call last):\n"
	    "  File \"/srv/app/s09.py\", line 38, in raising_handler\n"
	    "    raise RuntimeError('handler is broken')\n"
	    "RuntimeError: handler is broken", 1, "handler_error",
	    "handler_error.custom", NULL, NULL, "RuntimeError", NULL, NONE },

	/* ---- resources, transports, configuration -------------------- */
	{ "unclosed socket warning", NULL, NULL, NULL,
	    "/srv/app/s20.py:26: ResourceWarning: unclosed <socket.socket "
	    "fd=6, family=2, type=1, proto=0, laddr=('0.0.0.0', 0)>\n"
	    "  del loop, s\n", 1, "unclosed_resource",
	    "unclosed_resource.warning", NULL, NULL, NULL, "/srv/app/s20.py:26",
	    NONE },
	{ "unclosed transport warning", NULL, NULL, NULL,
	    "/usr/lib/python3.12/asyncio/selector_events.py:875: "
	    "ResourceWarning: unclosed transport <_SelectorSocketTransport "
	    "fd=8>", 1, "unclosed_resource", NULL, NULL, NULL, NULL,
	    "/usr/lib/python3.12/asyncio/selector_events.py:875", NONE },
	{ "aiohttp unclosed session", "asyncio", "ERROR", NULL,
	    "Unclosed client session\nclient_session: <aiohttp.client."
	    "ClientSession object at 0x7f6e210a1c90>", 1, "unclosed_resource",
	    "unclosed_resource.aiohttp", NULL, NULL, NULL, NULL, NONE },
	{ "aiohttp unclosed connector dev warning", NULL, NULL, NULL,
	    "/usr/lib/python3/dist-packages/aiohttp/connector.py:281: "
	    "ResourceWarning: Unclosed connector <aiohttp.connector."
	    "TCPConnector object at 0x7fa5>", 1, "unclosed_resource",
	    "unclosed_resource.warning", NULL, NULL, NULL,
	    "/usr/lib/python3/dist-packages/aiohttp/connector.py:281", NONE },
	{ "fatal protocol error", "asyncio", "ERROR", NULL,
	    "Fatal error: protocol.data_received() call failed.\n"
	    "protocol: <__main__.BadProto object at 0x7fa1263b8f80>\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/p.py\", line 3, in data_received\n"
	    "    raise ValueError(data)\nValueError: cannot parse b'hello'", 1,
	    "transport_error", NULL, NULL, NULL, "ValueError", NULL, NONE },
	{ "taskName format on 3.11", NULL, NULL, NULL,
	    "--- Logging error ---\nTraceback (most recent call last):\n"
	    "KeyError: 'taskName'\n\nDuring handling of the above exception, "
	    "another exception occurred:\n\n"
	    "ValueError: Formatting field not found in record: 'taskName'", 1,
	    "config_error", NULL, NULL, NULL, "ValueError", NULL, NONE },
	{ "ordinary traffic", "app.access", "INFO", "req-1",
	    "10.2.85.70 - - \"GET /api/search?q=desk HTTP/1.1\" 200 6969 2.2ms",
	    0, NULL, NULL, NULL, NULL, NULL, NULL, NONE },
	{ "ordinary traceback", "app", "ERROR", NULL,
	    "poison message\nTraceback (most recent call last):\n"
	    "  File \"/srv/app/s.py\", line 520, in process\n"
	    "    json.loads(msg[\"body\"])\njson.decoder.JSONDecodeError: "
	    "Expecting value", 0, NULL, NULL, NULL, NULL, NULL, NULL, NONE },
};

#define NCASES	(sizeof(cases) / sizeof(cases[0]))

static struct engine	*pack;

static struct span
sp(const char *s)
{
	struct span	r = { s, s ? strlen(s) : 0 };

	return r;
}

static void
rec_make(struct record *r, const char *logger, const char *level,
    const char *task, const char *msg)
{
	memset(r, 0, sizeof(*r));
	r->line = 7;
	r->ts_us = 10000000;
	r->pid = -1;
	r->logger = sp(logger);
	r->level = sp(level);
	r->task = sp(task);
	r->message = sp(msg);
	r->text = sp(msg);
}

static void
assert_field(const char *what, const char *got, const char *want)
{
	if (want == NULL && got == NULL)
		return;
	if (want == NULL || got == NULL || strcmp(got, want) != 0)
		fail_msg("%s: got '%s', wanted '%s'", what, got ? got : "(null)",
		    want ? want : "(null)");
}

static void
run_case(void **state)
{
	const struct ecase	*c = *state;
	struct finding_list	 fl = { NULL, 0, 0 };
	const struct finding	*f = NULL;
	struct record		 r;
	size_t			 i;

	rec_make(&r, c->logger, c->level, c->task, c->msg);
	assert_int_equal(engine_scan(pack, &r, &fl), c->nfind);
	assert_int_equal(fl.n, c->nfind);
	if (c->kind != NULL) {
		for (i = 0; i < fl.n && f == NULL; i++)
			if (strcmp(fl.v[i].kind, c->kind) == 0)
				f = &fl.v[i];
		if (f == NULL)
			fail_msg("no finding of kind %s (first: %s)", c->kind,
			    fl.n ? fl.v[0].kind : "none");
		if (c->rule != NULL)
			assert_string_equal(f->rule, c->rule);
		assert_field("task", f->task, c->ftask);
		assert_field("coro", f->coro, c->coro);
		assert_field("exception", f->exception, c->exc);
		assert_field("location", f->location, c->loc);
		assert_non_null(f->message);
		if (c->duration < 0)
			assert_int_equal(f->duration_us, -1);
		else {
			assert_int_equal(f->duration_us,
			    (int64_t)(c->duration * 1e6 + 0.5));
			/* dated when the slow step began */
			assert_int_equal(f->ts_us, r.ts_us - f->duration_us);
		}
	}
	finding_list_release(&fl);
}

/* ---- behaviours beyond the table --------------------------------- */

static struct engine *
engine_text(const char *text, bool builtin, double stall_min)
{
	struct engine_opts	 o;
	struct err		 e;
	struct engine		*en;

	memset(&o, 0, sizeof(o));
	o.rules_text = text;
	o.no_builtin = !builtin;
	o.stall_min_s = stall_min;
	en = engine_new(&o, &e);
	if (en == NULL)
		fail_msg("engine_new: %s", e.msg);
	return en;
}

static size_t
scan_one(struct engine *en, const char *logger, const char *level,
    const char *msg, struct finding_list *fl)
{
	struct record	r;

	finding_list_clear(fl);
	rec_make(&r, logger, level, NULL, msg);
	return engine_scan(en, &r, fl);
}

static void
test_backtracking_limit(void **state)
{
	struct engine		*en;
	struct finding_list	 fl = { NULL, 0, 0 };
	const char		*first = NULL;
	char			 subject[4096];
	clock_t			 t0;

	(void)state;
	en = engine_text("rule evil.nested\nkind stall\nneedle aaaa\n"
	    "pattern ^(a|aa|a?a)+$\n", false, 0);
	memset(subject, 'a', 3000);
	strcpy(subject + 3000, "!");
	t0 = clock();
	assert_int_equal(scan_one(en, NULL, NULL, subject, &fl), 0);
	assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);
	assert_int_equal(engine_limit_hits(en, &first), 1);
	assert_non_null(first);
	assert_non_null(strstr(first, "rule evil.nested"));
	assert_non_null(strstr(first, "limit"));
	/* the engine goes on with the next record */
	assert_int_equal(scan_one(en, NULL, NULL, "aaaa", &fl), 1);
	finding_list_release(&fl);
	engine_free(en);
}

static void
test_override_disable(void **state)
{
	struct engine		*en;
	struct finding_list	 fl = { NULL, 0, 0 };
	const char		*w = "sys:1: RuntimeWarning: coroutine 'x' was "
				    "never awaited";

	(void)state;
	en = engine_text("rule never_awaited.warning\nkind never_awaited\n"
	    "pattern x\nenabled no\n", true, 0);
	assert_int_equal(scan_one(en, NULL, NULL, w, &fl), 0);
	engine_free(en);
	/* replaced where it stands: same id, a new pattern and severity */
	en = engine_text("rule never_awaited.warning\nkind never_awaited\n"
	    "severity critical\nneedle never\n"
	    "pattern coroutine '(?<coro>\\w+)' was never awaited\n", true, 0);
	assert_int_equal(scan_one(en, NULL, NULL, w, &fl), 1);
	assert_int_equal(fl.v[0].severity, SEV_CRITICAL);
	assert_string_equal(fl.v[0].coro, "x");
	assert_null(fl.v[0].location);
	finding_list_release(&fl);
	engine_free(en);
}

static void
test_user_rule_first(void **state)
{
	struct engine		*en;
	struct finding_list	 fl = { NULL, 0, 0 };

	(void)state;
	/* a new rule of a kind the pack has is tried first, and wins */
	en = engine_text("rule mine.never_awaited\nkind never_awaited\n"
	    "title mine\nneedle was never awaited\n"
	    "pattern coroutine '(?<coro>[^']+)'\n", true, 0);
	assert_int_equal(scan_one(en, NULL, NULL, "sys:1: RuntimeWarning: "
	    "coroutine 'x' was never awaited", &fl), 1);
	assert_string_equal(fl.v[0].rule, "mine.never_awaited");
	finding_list_release(&fl);
	engine_free(en);
}

static void
test_filters(void **state)
{
	struct engine		*en;
	struct finding_list	 fl = { NULL, 0, 0 };

	(void)state;
	en = engine_text("rule f.one\nkind timeout\nlogger app.db\n"
	    "level ERROR\nlevel CRITICAL\npattern deadline passed\n", false,
	    0);
	assert_int_equal(scan_one(en, "app.db", "ERROR", "deadline passed",
	    &fl), 1);
	assert_int_equal(scan_one(en, "app.db", "critical", "deadline passed",
	    &fl), 1);
	assert_int_equal(scan_one(en, "app.web", "ERROR", "deadline passed",
	    &fl), 0);
	assert_int_equal(scan_one(en, "app.db", "INFO", "deadline passed",
	    &fl), 0);
	/* no logger, no level (bare stderr): the filters let it through */
	assert_int_equal(scan_one(en, NULL, NULL, "deadline passed", &fl), 1);
	finding_list_release(&fl);
	engine_free(en);
}

static void
test_needles_gate(void **state)
{
	struct engine		*en;
	struct finding_list	 fl = { NULL, 0, 0 };

	(void)state;
	/* the pattern would match; without one of its needles it is never
	 * tried; any one needle opens the gate */
	en = engine_text("rule g.one\nkind timeout\nneedle zzq\nneedle "
	    "\xc3\xa9t\xc3\xa9\npattern deadline\n"
	    "rule g.two\nkind stall\nneedle x\npattern deadline\n", false, 0);
	assert_int_equal(scan_one(en, NULL, NULL, "deadline", &fl), 0);
	assert_int_equal(scan_one(en, NULL, NULL, "deadline zzq", &fl), 1);
	assert_int_equal(scan_one(en, NULL, NULL, "l'\xc3\xa9t\xc3\xa9 "
	    "deadline", &fl), 1);
	assert_int_equal(scan_one(en, NULL, NULL, "deadline x", &fl), 1);
	assert_string_equal(fl.v[0].kind, "stall");
	assert_int_equal(scan_one(en, NULL, NULL, "zzq x deadline", &fl), 2);
	finding_list_release(&fl);
	engine_free(en);
}

/* The prefilter against strstr on random text: a rule fires exactly
 * when its needle occurs, at the start, the end or overlapping others. */
static void
test_prefilter_random(void **state)
{
	static const char *const needles[] = {
		"abcab", "ba", "cccc", "abca", "bcbcbcb", "a'c"
	};
	static const char *const kinds[] = {
		"stall", "timeout", "loop_closed", "nested_run",
		"never_awaited", "different_loop"
	};
	struct engine		*en;
	struct finding_list	 fl = { NULL, 0, 0 };
	char			 text[4096], subject[64];
	size_t			 i, k, len, want;
	unsigned		 seed = 12345;
	int			 off = 0;

	(void)state;
	for (k = 0; k < 6; k++)
		off += snprintf(text + off, sizeof(text) - (size_t)off,
		    "rule r%zu\nkind %s\nneedle %s\npattern ^\n", k, kinds[k],
		    needles[k]);
	en = engine_text(text, false, 0);
	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245u + 12345u;
		len = 1 + (seed >> 16) % (sizeof(subject) - 1);
		for (k = 0; k < len; k++) {
			seed = seed * 1103515245u + 12345u;
			subject[k] = "abc'"[(seed >> 16) % 4];
		}
		subject[len] = '\0';
		for (want = 0, k = 0; k < 6; k++)
			want += strstr(subject, needles[k]) != NULL;
		if (scan_one(en, NULL, NULL, subject, &fl) != want)
			fail_msg("'%s': %zu findings, wanted %zu", subject, fl.n,
			    want);
	}
	finding_list_release(&fl);
	engine_free(en);
}

static void
test_message_and_text(void **state)
{
	struct finding_list	 fl = { NULL, 0, 0 };
	struct record		 r;
	const char		*text = "2026-11-24 18:01:22,771 WARNING "
				    "py.warnings: sys:1: RuntimeWarning: "
				    "coroutine 'x' was never awaited";

	(void)state;
	/* no message span: the whole text is matched */
	rec_make(&r, NULL, NULL, NULL, NULL);
	r.text = sp(text);
	r.flags = RECORD_NO_HEADER;
	assert_int_equal(engine_scan(pack, &r, &fl), 1);
	assert_string_equal(fl.v[0].location, "sys:1");
	/* with a message, only the message */
	finding_list_clear(&fl);
	r.message = sp("heartbeat");
	assert_int_equal(engine_scan(pack, &r, &fl), 0);
	/* a record without a time keeps TS_NONE */
	r.message = sp("Executing <Handle cb() at /a.py:1> took 2.000 "
	    "seconds");
	r.ts_us = TS_NONE;
	assert_int_equal(engine_scan(pack, &r, &fl), 1);
	assert_true(fl.v[0].ts_us == TS_NONE);
	assert_string_equal(fl.v[0].kind, "stall");
	finding_list_release(&fl);
}

static void
test_stall_min(void **state)
{
	struct engine		*en;
	struct finding_list	 fl = { NULL, 0, 0 };
	const char		*m = "Executing <Handle cb() at /a.py:1> took "
				    "0.150 seconds";

	(void)state;
	en = engine_text(NULL, true, 0.1);
	assert_int_equal(scan_one(en, "asyncio", "WARNING", m, &fl), 1);
	assert_string_equal(fl.v[0].kind, "stall");
	assert_int_equal(fl.v[0].severity, SEV_WARNING);
	engine_free(en);
	en = engine_text(NULL, true, 2.0);
	assert_int_equal(scan_one(en, "asyncio", "WARNING", "Executing "
	    "<Handle cb() at /a.py:1> took 1.999 seconds", &fl), 1);
	assert_string_equal(fl.v[0].kind, "slow_callback");
	assert_int_equal(fl.v[0].severity, SEV_INFO);
	finding_list_release(&fl);
	engine_free(en);
}

static void
test_bad_rules_file(void **state)
{
	struct engine_opts	 o;
	struct err		 e;
	const char		*files[] = { "/nonexistent/my.rules" };

	(void)state;
	memset(&o, 0, sizeof(o));
	o.rules_text = "rule a\nkind stall\npattern (x\n";
	assert_null(engine_new(&o, &e));
	assert_int_equal(e.status, STATUS_USAGE);
	assert_string_equal(e.msg, "<text>:3:11: pattern: missing closing "
	    "parenthesis");
	memset(&o, 0, sizeof(o));
	o.rule_files = files;
	o.nrule_files = 1;
	assert_null(engine_new(&o, &e));
	assert_int_equal(e.status, STATUS_USAGE);
	assert_string_equal(e.msg, "/nonexistent/my.rules: No such file or "
	    "directory");
	memset(&o, 0, sizeof(o));
	o.rules_text = "rule a\nkind bogus\npattern x\nrule b\ncolour red\n";
	assert_null(engine_new(&o, &e));
	assert_non_null(strstr(e.msg, "unknown kind 'bogus'"));
	assert_non_null(strstr(e.msg, "and 1 more problem:"));
}

static void
test_partial_rules(void **state)
{
	struct engine		*en;
	struct engine_opts	 o;
	struct err		 e;
	struct finding_list	 fl = { NULL, 0, 0 };
	const char		*m = "--- Logging error ---\nValueError: "
				    "Formatting field not found in record: "
				    "'taskName'";

	(void)state;
	/* shipped off */
	en = engine_text(NULL, true, 0);
	assert_int_equal(scan_one(en, "asyncio", "ERROR", m, &fl), 0);
	engine_free(en);
	/* a block of only id and severity changes the loaded rule */
	en = engine_text("rule config_error.taskname\nenabled yes\n"
	    "severity critical\ntitle handler broke\n", true, 0);
	assert_int_equal(scan_one(en, "asyncio", "ERROR", m, &fl), 1);
	assert_int_equal(fl.v[0].severity, SEV_CRITICAL);
	assert_string_equal(fl.v[0].kind, "config_error");
	assert_non_null(strstr(fl.v[0].message, "handler broke"));
	engine_free(en);
	/* of an id nobody loaded: an error */
	memset(&o, 0, sizeof(o));
	o.rules_text = "rule nope.nothing\nenabled no\n";
	assert_null(engine_new(&o, &e));
	assert_int_equal(e.status, STATUS_USAGE);
	assert_string_equal(e.msg, "<text>:1: rule 'nope.nothing': no rule of "
	    "that id to change (a new rule needs kind and pattern)");
	finding_list_release(&fl);
}

static void
test_list(void **state)
{
	char	 out[8192];
	FILE	*f = fmemopen(out, sizeof(out), "w");

	(void)state;
	assert_non_null(f);
	engine_list(pack, f, true);
	fclose(f);
	assert_non_null(strstr(out, "never_awaited.warning\tnever_awaited\t"
	    "warning\tyes\tasyncio.rules:"));
	assert_non_null(strstr(out, "stall.took\tstall\t"));
	assert_true(engine_rule_count(pack) >= 10);
}

static int
setup(void **state)
{
	struct engine_opts	o;
	struct err		e;

	(void)state;
	memset(&o, 0, sizeof(o));
	/* the pack, with the rules it ships turned off turned on */
	o.rules_text = "rule handler_error.custom\nenabled yes\n"
	    "rule transport_error.fatal\nenabled yes\n"
	    "rule config_error.taskname\nenabled yes\nseverity error\n";
	if ((pack = engine_new(&o, &e)) == NULL) {
		fprintf(stderr, "engine_new: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	engine_free(pack);
	return 0;
}

int
main(void)
{
	static const struct CMUnitTest more[] = {
		cmocka_unit_test(test_backtracking_limit),
		cmocka_unit_test(test_override_disable),
		cmocka_unit_test(test_user_rule_first),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_needles_gate),
		cmocka_unit_test(test_prefilter_random),
		cmocka_unit_test(test_message_and_text),
		cmocka_unit_test(test_stall_min),
		cmocka_unit_test(test_bad_rules_file),
		cmocka_unit_test(test_partial_rules),
		cmocka_unit_test(test_list),
	};
	struct CMUnitTest	*tests;
	size_t			 i, n = NCASES + sizeof(more) / sizeof(more[0]);
	int			 rc;

	tests = calloc(n, sizeof(*tests));
	if (tests == NULL)
		return 1;
	for (i = 0; i < NCASES; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	for (i = NCASES; i < n; i++)
		tests[i] = more[i - NCASES];
	rc = _cmocka_run_group_tests("engine", tests, n, setup, teardown);
	free(tests);
	return rc;
}
