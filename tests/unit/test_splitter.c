/* Unit tests for ingest/splitter: record boundaries on multi-line inputs
 * of every layout, the same records whatever the feeding, line ends,
 * hostile bytes, caps, the end of a live file and resuming. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/splitter.h"
#include "ingest/timestamp.h"

/* A copy of a record, to outlive the splitter's loan. */
struct rcopy {
	int64_t		 offset, end, line, nlines, ts_us, pid;
	unsigned	 flags;
	char		*text, *message, *level, *logger, *task;
	size_t		 text_n, message_n;
	bool		 message_in_text;
};

struct rlist {
	struct rcopy	*v;
	size_t		 n;
};

static char *
dup_span(struct span s)
{
	char	*p = malloc(s.n + 1);

	assert_non_null(p);
	if (s.n > 0)
		memcpy(p, s.p, s.n);
	p[s.n] = '\0';
	return p;
}

static void
rlist_add(struct rlist *l, const struct record *r)
{
	struct rcopy	*c;

	l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	assert_non_null(l->v);
	c = &l->v[l->n++];
	c->offset = r->offset;
	c->end = r->end;
	c->line = r->line;
	c->nlines = r->nlines;
	c->ts_us = r->ts_us;
	c->pid = r->pid;
	c->flags = r->flags;
	c->text = dup_span(r->text);
	c->text_n = r->text.n;
	c->message = dup_span(r->message);
	c->message_n = r->message.n;
	c->message_in_text = r->message.p >= r->text.p &&
	    r->message.p <= r->text.p + r->text.n;
	c->level = dup_span(r->level);
	c->logger = dup_span(r->logger);
	c->task = dup_span(r->task);
}

static void
rlist_free(struct rlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].text);
		free(l->v[i].message);
		free(l->v[i].level);
		free(l->v[i].logger);
		free(l->v[i].task);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static struct layout *
named(const char *name)
{
	struct err	 e;
	struct layout	*l;

	if (name == NULL)
		return NULL;
	l = layout_by_name(name, &e);
	assert_non_null(l);
	return l;
}

/* Split in[0..n) fed in chunks: chunk bytes each, or random sizes from
 * seed when chunk is 0, or [0, cut) then the rest when cut is not 0;
 * ending with at_end. */
static void
split(struct splitter *sp, const char *in, size_t n, size_t chunk,
    size_t cut, unsigned seed, int at_end, struct rlist *out)
{
	const struct record	*r;
	size_t			 i = 0, k;

	while (i < n) {
		if (cut > 0)
			k = i == 0 ? cut : n - i;
		else if (chunk > 0)
			k = chunk;
		else
			k = 1 + (size_t)(rand_r(&seed) % 29);
		if (k > n - i)
			k = n - i;
		splitter_feed(sp, in + i, k);
		i += k;
		while ((r = splitter_next(sp, SPLITTER_MORE)) != NULL)
			rlist_add(out, r);
	}
	while ((r = splitter_next(sp, at_end)) != NULL)
		rlist_add(out, r);
}

static void
split_all(const char *layout, const char *in, size_t n, struct rlist *out)
{
	struct layout	*l = named(layout);
	struct splitter	*sp = splitter_new(l);

	split(sp, in, n, n, 0, 0, SPLITTER_FLUSH_ALL, out);
	splitter_free(sp);
	layout_free(l);
}

/* "line:nlines" of every record, space separated. */
static char *
shape(const struct rlist *l)
{
	static char	s[4096];
	size_t		i, k = 0;

	s[0] = '\0';
	for (i = 0; i < l->n; i++)
		k += (size_t)snprintf(s + k, sizeof(s) - k, "%s%lld:%lld",
		    i ? " " : "", (long long)l->v[i].line,
		    (long long)l->v[i].nlines);
	return s;
}

static void
same_records(const struct rlist *a, const struct rlist *b)
{
	size_t	i;

	assert_int_equal(a->n, b->n);
	for (i = 0; i < a->n; i++) {
		assert_int_equal(a->v[i].offset, b->v[i].offset);
		assert_int_equal(a->v[i].end, b->v[i].end);
		assert_int_equal(a->v[i].line, b->v[i].line);
		assert_int_equal(a->v[i].nlines, b->v[i].nlines);
		assert_int_equal(a->v[i].flags, b->v[i].flags);
		assert_int_equal(a->v[i].ts_us, b->v[i].ts_us);
		assert_int_equal(a->v[i].text_n, b->v[i].text_n);
		assert_memory_equal(a->v[i].text, b->v[i].text,
		    a->v[i].text_n);
		assert_int_equal(a->v[i].message_n, b->v[i].message_n);
		assert_memory_equal(a->v[i].message, b->v[i].message,
		    a->v[i].message_n);
		assert_string_equal(a->v[i].level, b->v[i].level);
		assert_string_equal(a->v[i].logger, b->v[i].logger);
	}
}

/* Offsets tile the input; text is the input's bytes at the offset. */
static void
offsets_exact(const struct rlist *l, const char *in, size_t n)
{
	size_t	i;

	for (i = 0; i < l->n; i++) {
		assert_int_equal(l->v[i].offset, i ? l->v[i - 1].end : 0);
		assert_memory_equal(l->v[i].text, in + l->v[i].offset,
		    l->v[i].text_n);
		if (i > 0)
			assert_int_equal(l->v[i].line, l->v[i - 1].line +
			    l->v[i - 1].nlines);
	}
	if (l->n > 0)
		assert_int_equal(l->v[l->n - 1].end, (int64_t)n);
}

static const struct {
	const char	*name;
	const char	*layout;	/* NULL: detected */
	const char	*in;
	const char	*shape;		/* "line:nlines ..." */
	const char	*first_message;	/* of the record holding line 2,
					 * or NULL */
} cases[] = {
	{ "chained traceback with blank lines", NULL,
	    "2026-11-24 18:01:22,000 INFO app: start\n"
	    "2026-11-24 18:01:22,100 ERROR app: wait_for timed out\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/usr/lib/python3.12/asyncio/tasks.py\", line 520, in "
	    "wait_for\n"
	    "    return await fut\n"
	    "           ^^^^^^^^^\n"
	    "asyncio.exceptions.CancelledError\n"
	    "\n"
	    "The above exception was the direct cause of the following "
	    "exception:\n"
	    "\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/s.py\", line 32, in main\n"
	    "TimeoutError\n"
	    "2026-11-24 18:01:22,200 INFO app: next\n",
	    "1:1 2:12 14:1", NULL },
	{ "never retrieved with future line", NULL,
	    "2026-11-24 18:01:23,187 INFO app.access: GET / 200\n"
	    "2026-11-24 18:01:23,192 ERROR asyncio: Task exception was never "
	    "retrieved\n"
	    "future: <Task finished name='Task-8' coro=<send() done, defined "
	    "at /srv/app/s.py:352> exception=ConnectionRefusedError(111)>\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/s.py\", line 354, in send\n"
	    "ConnectionRefusedError: [Errno 111] refused\n"
	    "2026-11-24 18:01:23,199 INFO app.access: GET / 200\n",
	    "1:1 2:5 7:1",
	    "Task exception was never retrieved\nfuture: <Task finished "
	    "name='Task-8' coro=<send() done, defined at /srv/app/s.py:352> "
	    "exception=ConnectionRefusedError(111)>\nTraceback (most recent "
	    "call last):\n  File \"/srv/app/s.py\", line 354, in send\n"
	    "ConnectionRefusedError: [Errno 111] refused" },
	{ "py.warnings then empty line", "basic",
	    "WARNING:py.warnings:/srv/app/s02.py:24: RuntimeWarning: "
	    "coroutine 'fetch_data' was never awaited\n"
	    "  fetch_data()\n"
	    "\n"
	    "DEBUG:asyncio:Using selector: EpollSelector\n",
	    "1:3 4:1", NULL },
	{ "basicConfig batch", NULL,
	    "INFO:batch:processed part-00003.parquet rows=81458\n"
	    "/srv/app/s.py:1227: RuntimeWarning: coroutine "
	    "'Uploader.upload_chunk' was never awaited\n"
	    "  up.upload_chunk(part)\n"
	    "RuntimeWarning: Enable tracemalloc to get the object allocation "
	    "traceback\n"
	    "INFO:batch:processed part-00004.parquet rows=55155\n"
	    "ERROR:asyncio:Task exception was never retrieved\n"
	    "future: <Task finished name='Task-2' coro=<notify() done>>\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/s.py\", line 1189, in notify\n"
	    "    raise OSError(101, \"Network is unreachable\")\n"
	    "OSError: [Errno 101] Network is unreachable\n"
	    "ERROR:asyncio:Task was destroyed but it is pending!\n"
	    "task: <Task pending name='progress' coro=<progress() running at "
	    "/srv/app/s.py:1211>>\n"
	    "INFO:batch:exiting with 1 pending retries\n"
	    "sys:1: RuntimeWarning: coroutine 'retry_upload' was never "
	    "awaited\n"
	    "<sys>:0: RuntimeWarning: coroutine 'other' was never awaited\n",
	    "1:1 2:3 5:1 6:6 12:2 14:1 15:1 16:1",
	    "/srv/app/s.py:1227: RuntimeWarning: coroutine "
	    "'Uploader.upload_chunk' was never awaited\n"
	    "  up.upload_chunk(part)\n"
	    "RuntimeWarning: Enable tracemalloc to get the object allocation "
	    "traceback" },
	{ "uncaught traceback after INFO", "basic",
	    "INFO:app:working\n"
	    "Traceback (most recent call last):\n"
	    "  File \"s.py\", line 3, in <module>\n"
	    "KeyboardInterrupt\n"
	    "INFO:app:again\n",
	    "1:1 2:3 5:1", "Traceback (most recent call last):\n"
	    "  File \"s.py\", line 3, in <module>\nKeyboardInterrupt" },
	{ "traceback after complete traceback", "basic",
	    "ERROR:app:x\n"
	    "Traceback (most recent call last):\n"
	    "  File \"a.py\", line 1, in f\n"
	    "ValueError: a\n"
	    "Traceback (most recent call last):\n"
	    "  File \"b.py\", line 2, in g\n"
	    "KeyError: 'b'\n",
	    "1:4 5:3", NULL },
	{ "exception group gutters", "basic",
	    "ERROR:app:task group failed: 2 sub-exceptions\n"
	    "  + Exception Group Traceback (most recent call last):\n"
	    "  |   File \"/srv/app/s25.py\", line 16, in main\n"
	    "  | ExceptionGroup: unhandled errors in a TaskGroup (2 "
	    "sub-exceptions)\n"
	    "  +-+---------------- 1 ----------------\n"
	    "    | Traceback (most recent call last):\n"
	    "    | ConnectionError: upstream 1 refused\n"
	    "    +------------------------------------\n"
	    "INFO:app:after\n",
	    "1:8 9:1", NULL },
	{ "bare stderr crawler", "stderr",
	    "[crawler] crawl started, debug=True\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/s.py\", line 1339, in crawl_main\n"
	    "    cr.allowed_sync(\"shop.example.test\")\n"
	    "RuntimeError: asyncio.run() cannot be called from a running event "
	    "loop\n"
	    "/srv/app/s.py:1342: RuntimeWarning: coroutine "
	    "'Crawler._fetch_robots' was never awaited\n"
	    "Coroutine created at (most recent call last)\n"
	    "  File \"/srv/app/s.py\", line 1421, in cmd_run\n"
	    "    spec[\"fn\"](ctx)\n"
	    "  traceback.print_exc()\n"
	    "RuntimeWarning: Enable tracemalloc to get the object allocation "
	    "traceback\n"
	    "Task exception was never retrieved\n"
	    "future: <Task finished name='Task-2' coro=<Crawler.throttle() "
	    "done> exception=TypeError(\"object NoneType can't be used in "
	    "'await' expression\")>\n"
	    "source_traceback: Object created at (most recent call last):\n"
	    "  File \"/srv/app/s.py\", line 1499, in <module>\n"
	    "    sys.exit(main(sys.argv[1:]))\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/s.py\", line 1306, in throttle\n"
	    "    await time.sleep(0.02)\n"
	    "TypeError: object NoneType can't be used in 'await' expression\n"
	    "[crawler] 200 https://shop.example.test/p/2 25097 bytes\n"
	    "Executing <Task pending name='fetch-13' coro=<Crawler.fetch() "
	    "running at /srv/app/s.py:1324>> took 0.587 seconds\n"
	    "[crawler] could not parse pagination token\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/s.py\", line 1374, in crawl_main\n"
	    "ValueError: invalid literal for int() with base 10: 'page-2'\n"
	    "[crawler] crawl finished\n",
	    "1:1 2:4 6:6 12:9 21:1 22:1 23:1 24:3 27:1", NULL },
	{ "future without traceback, gathering future", "stderr",
	    "Future exception was never retrieved\n"
	    "future: <Future finished exception=RuntimeError('future "
	    "failed')>\n"
	    "RuntimeError: future failed\n"
	    "_GatheringFuture exception was never retrieved\n"
	    "future: <_GatheringFuture finished exception=CancelledError()>\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/usr/lib/python3.9/asyncio/tasks.py\", line 654, in "
	    "sleep\n"
	    "asyncio.exceptions.CancelledError\n"
	    "\n"
	    "During handling of the above exception, another exception "
	    "occurred:\n"
	    "\n"
	    "asyncio.exceptions.CancelledError\n"
	    "[app] next\n",
	    "1:3 4:9 13:1", NULL },
	{ "handler failure and logging error", "stderr",
	    "Exception ignored in: <coroutine object f at 0x7f>\n"
	    "Traceback (most recent call last):\n"
	    "  File \"a.py\", line 2, in f\n"
	    "RuntimeError: coroutine ignored GeneratorExit\n"
	    "--- Logging error ---\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/usr/lib/python3.8/logging/__init__.py\", line 436\n"
	    "KeyError: 'taskName'\n"
	    "\n"
	    "During handling of the above exception, another exception "
	    "occurred:\n"
	    "\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/usr/lib/python3.8/logging/__init__.py\", line 1\n"
	    "ValueError: Formatting field not found in record: 'taskName'\n"
	    "Call stack:\n"
	    "  File \"s18.py\", line 24, in <module>\n"
	    "    log.info('outside any task')\n"
	    "Message: 'outside any task'\n"
	    "Arguments: ()\n"
	    "Unhandled error in exception handler\n"
	    "context: {'message': \"Exception in callback cb()\"}\n"
	    "Traceback (most recent call last):\n"
	    "KeyError: 'user_id'\n",
	    "1:4 5:15 20:4", NULL },
	{ "starts mid traceback, timed", "python",
	    "  File \"/srv/app/x.py\", line 1, in f\n"
	    "ValueError: x\n"
	    "2026-11-24 18:01:22,000 INFO app: ok\n",
	    "1:2 3:1", NULL },
	{ "starts mid traceback, stderr", "stderr",
	    "    raise ValueError('boom')\n"
	    "ValueError: boom\n"
	    "[app] ok\n",
	    "1:2 3:1", NULL },
	{ "json with stray stderr lines", "json",
	    "{\"ts\": \"2026-11-24T18:01:22Z\", \"level\": \"ERROR\", \"msg\": "
	    "\"failed\", \"exc_info\": \"Traceback (most recent call last):"
	    "\\nValueError: x\"}\n"
	    "{\"ts\": \"2026-11-24T18:01:23Z\", \"level\": \"INFO\", \"msg\": "
	    "\"caf\\u00e9\"}\n"
	    "Task exception was never retrieved\n"
	    "future: <Task finished>\n"
	    "{\"ts\": \"2026-11-24T18:01:24Z\", \"msg\": \"last\"}\n",
	    "1:1 2:3 5:1",
	    "caf\xc3\xa9\nTask exception was never retrieved\n"
	    "future: <Task finished>" },
	{ "compose prefix stripped", "container",
	    "app_1  | 2026-11-24 18:01:22,000 INFO app: start\n"
	    "app_1  | 2026-11-24 18:01:22,100 ERROR app: failed\n"
	    "app_1  | Traceback (most recent call last):\n"
	    "app_1  |   File \"a.py\", line 1, in f\n"
	    "app_1  | ValueError: x\n"
	    "app_1  | 2026-11-24 18:01:22,200 INFO app: next\n",
	    "1:1 2:4 6:1",
	    "failed\nTraceback (most recent call last):\n"
	    "  File \"a.py\", line 1, in f\nValueError: x" },
	{ "byte order mark", NULL,
	    "\xef\xbb\xbf" "2026-11-24 18:01:22,000 ERROR app: first\n"
	    "Traceback (most recent call last):\n"
	    "ValueError: v\n"
	    "2026-11-24 18:01:22,100 INFO app: second\n",
	    "1:3 4:1", "first\nTraceback (most recent call last):\n"
	    "ValueError: v" },
	{ "syslog untimed inner", NULL,
	    "Nov 24 18:01:22 web01 app[9]: ERROR:app:failed\n"
	    "Nov 24 18:01:22 web01 app[9]: Traceback (most recent call last):\n"
	    "Nov 24 18:01:22 web01 app[9]:   File \"a.py\", line 1, in f\n"
	    "Nov 24 18:01:22 web01 app[9]: ValueError: x\n"
	    "Nov 24 18:01:23 web01 app[9]: INFO:app:next\n"
	    "Nov 24 18:01:23 web01 app[9]: INFO:app:again\n",
	    "1:4 5:1 6:1", NULL },
};

static const char *
message_of_line2(const struct rlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].line <= 2 && l->v[i].line + l->v[i].nlines > 2)
			return l->v[i].message;
	return "";
}

static int
setup(void **state)
{
	(void)state;
	timestamp_set_year(2026);
	return timestamp_set_zone("UTC", NULL);
}

static void
test_boundaries(void **state)
{
	struct rlist	l = { 0 };
	size_t		i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %s\n", cases[i].name);
		n = strlen(cases[i].in);
		split_all(cases[i].layout, cases[i].in, n, &l);
		assert_string_equal(shape(&l), cases[i].shape);
		offsets_exact(&l, cases[i].in, n);
		if (cases[i].first_message != NULL)
			assert_string_equal(message_of_line2(&l),
			    cases[i].first_message);
		rlist_free(&l);
	}
}

/* Every way of feeding gives the same records. */
static void
test_feeding(void **state)
{
	struct rlist	 whole = { 0 }, other = { 0 };
	struct layout	*l;
	struct splitter	*sp;
	size_t		 i, n, cut;
	unsigned	 seed;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %s\n", cases[i].name);
		n = strlen(cases[i].in);
		split_all(cases[i].layout, cases[i].in, n, &whole);
		for (cut = 1; cut < n; cut++) {
			l = named(cases[i].layout);
			sp = splitter_new(l);
			split(sp, cases[i].in, n, 0, cut, 0,
			    SPLITTER_FLUSH_ALL, &other);
			same_records(&whole, &other);
			rlist_free(&other);
			splitter_free(sp);
			layout_free(l);
		}
		for (seed = 0; seed < 24; seed++) {
			l = named(cases[i].layout);
			sp = splitter_new(l);
			split(sp, cases[i].in, n, seed == 0 ? 1 : 0, 0, seed,
			    SPLITTER_FLUSH_ALL, &other);
			same_records(&whole, &other);
			rlist_free(&other);
			splitter_free(sp);
			layout_free(l);
		}
		rlist_free(&whole);
	}
}

/* Line numbers, offsets and text with \r\n and lone \r line ends. */
static void
test_line_ends(void **state)
{
	const char	*in = "2026-11-24 18:01:22,000 ERROR app: x\r\n"
			    "Traceback (most recent call last):\r\n"
			    "ValueError: v\r\n"
			    "2026-11-24 18:01:22,001 INFO app: y\r"
			    "2026-11-24 18:01:22,002 INFO app: z\r\n";
	struct rlist	 l = { 0 }, o = { 0 };
	struct splitter	*sp;
	struct layout	*lay;
	size_t		 n = strlen(in), cut;

	(void)state;
	split_all(NULL, in, n, &l);
	assert_string_equal(shape(&l), "1:3 4:1 5:1");
	offsets_exact(&l, in, n);
	assert_string_equal(l.v[0].text, "2026-11-24 18:01:22,000 ERROR app: "
	    "x\r\nTraceback (most recent call last):\r\nValueError: v");
	assert_string_equal(l.v[1].text, "2026-11-24 18:01:22,001 INFO app: "
	    "y");
	assert_string_equal(l.v[1].message, "y");
	assert_int_equal(l.v[1].end, l.v[1].offset + (int64_t)strlen(
	    "2026-11-24 18:01:22,001 INFO app: y\r"));
	assert_string_equal(l.v[2].message, "z");
	/* \r\n cut between its halves, and lone \r at a block end */
	for (cut = 1; cut < n; cut++) {
		lay = named("python");
		sp = splitter_new(lay);
		split(sp, in, n, 0, cut, 0, SPLITTER_FLUSH_ALL, &o);
		same_records(&l, &o);
		rlist_free(&o);
		splitter_free(sp);
		layout_free(lay);
	}
	rlist_free(&l);
}

/* Old Mac line ends only: each byte looked at once (this would take
 * minutes if every line searched the block for a \n). */
static void
test_lone_cr_file(void **state)
{
	size_t		 n = 4 * 1024 * 1024, i;
	char		*in = malloc(n);
	struct layout	*lay = named("basic");
	struct splitter	*sp = splitter_new(lay);
	struct rlist	 l = { 0 };
	const struct record *r;
	size_t		 count = 0;

	(void)state;
	assert_non_null(in);
	for (i = 0; i + 8 <= n; i += 8)
		memcpy(in + i, "INFO:a:\r", 8);
	for (i = 0; i < n; i += 1024 * 1024) {
		splitter_feed(sp, in + i, 1024 * 1024);
		while ((r = splitter_next(sp, SPLITTER_MORE)) != NULL)
			count++;
	}
	while ((r = splitter_next(sp, SPLITTER_FLUSH_ALL)) != NULL) {
		if (count++ == n / 8 - 1)
			rlist_add(&l, r);
	}
	assert_int_equal(count, n / 8);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].line, (int64_t)(n / 8));
	assert_int_equal(l.v[0].end, (int64_t)n);
	rlist_free(&l);
	splitter_free(sp);
	layout_free(lay);
	free(in);
}

static void
test_hostile_bytes(void **state)
{
	static const struct {
		const char	*name, *in;
		size_t		 n;
		unsigned	 flags;
	} hb[] = {
		{ "plain", "INFO:a:plain ascii\n", 19, 0 },
		{ "valid utf-8", "INFO:a:\xd0\xb8\xd0\xbc\xd1\x8f \xf0\x9f\x98\x80"
		    "\n", 19, 0 },
		{ "nul", "INFO:a:x\0y\n", 11, RECORD_NUL },
		{ "bad utf-8", "INFO:a:x\xff" "y\n", 11, RECORD_BAD_UTF8 },
		{ "truncated sequence", "INFO:a:x\xd0\n", 10, RECORD_BAD_UTF8 },
		{ "overlong", "INFO:a:\xc0\xaf long enough to pass a word\n",
		    37, RECORD_BAD_UTF8 },
		{ "both, late", "INFO:a:0123456789abcdef\0 and \xed\xa0\x80"
		    "\n", 33, RECORD_NUL | RECORD_BAD_UTF8 },
	};
	struct rlist	l = { 0 };
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(hb) / sizeof(hb[0]); i++) {
		print_message("case %s\n", hb[i].name);
		split_all("basic", hb[i].in, hb[i].n, &l);
		assert_int_equal(l.n, 1);
		assert_int_equal(l.v[0].flags, hb[i].flags);
		assert_int_equal(l.v[0].text_n, hb[i].n - 1);
		rlist_free(&l);
	}
}

/* A 3 MiB line is kept cut at the line cap, flagged; memory stays
 * bounded; the records after it are intact. */
static void
test_long_line(void **state)
{
	const char	*head = "2026-11-24 18:01:22,000 ERROR app: ";
	const char	*tail = "\n2026-11-24 18:01:22,001 INFO app: after\n";
	size_t		 big = 3 * 1024 * 1024, n, i;
	char		*in;
	struct rlist	 l = { 0 };
	struct layout	*lay = named("python");
	struct splitter	*sp = splitter_new(lay);
	const struct record *r;
	size_t		 max_held = 0;

	(void)state;
	n = strlen(head) + big + strlen(tail);
	in = malloc(n);
	assert_non_null(in);
	memcpy(in, head, strlen(head));
	memset(in + strlen(head), 'x', big);
	memcpy(in + strlen(head) + big, tail, strlen(tail));
	for (i = 0; i < n; i += 65536) {
		splitter_feed(sp, in + i, n - i < 65536 ? n - i : 65536);
		while ((r = splitter_next(sp, SPLITTER_MORE)) != NULL)
			rlist_add(&l, r);
		if (splitter_held(sp) > max_held)
			max_held = splitter_held(sp);
	}
	while ((r = splitter_next(sp, SPLITTER_FLUSH_ALL)) != NULL)
		rlist_add(&l, r);
	assert_true(max_held < 2 * SPLITTER_LINE_CAP + 4 * 65536);
	assert_string_equal(shape(&l), "1:1 2:1");
	assert_int_equal(l.v[0].flags, RECORD_TRUNCATED);
	assert_int_equal(l.v[0].text_n, SPLITTER_LINE_CAP);
	assert_int_equal(l.v[0].end, (int64_t)(strlen(head) + big + 1));
	assert_int_equal(l.v[1].offset, l.v[0].end);
	assert_int_equal(l.v[1].end, (int64_t)n);
	assert_string_equal(l.v[1].message, "after");
	assert_int_equal(l.v[1].flags, 0);
	rlist_free(&l);

	/* the same line in one block: cut in place */
	splitter_start(sp, 0, 1);
	split(sp, in, n, n, 0, 0, SPLITTER_FLUSH_ALL, &l);
	assert_string_equal(shape(&l), "1:1 2:1");
	assert_int_equal(l.v[0].text_n, SPLITTER_LINE_CAP);
	assert_int_equal(l.v[1].offset, (int64_t)(strlen(head) + big + 1));
	rlist_free(&l);
	splitter_free(sp);
	layout_free(lay);
	free(in);
}

/* The cut never splits a UTF-8 sequence: no false RECORD_BAD_UTF8. */
static void
test_long_line_utf8(void **state)
{
	size_t		 n = 7 + 2 * 1024 * 1024 + 1, i, chunk;
	char		*in = malloc(n);
	struct rlist	 l = { 0 };

	(void)state;
	assert_non_null(in);
	memcpy(in, "INFO:a:", 7);
	for (i = 7; i + 1 < n; i += 2)
		memcpy(in + i, "\xc3\xa9", 2);
	in[n - 1] = '\n';
	for (chunk = 65536; chunk <= n; chunk *= 64) {
		struct layout	*lay = named("basic");
		struct splitter	*sp = splitter_new(lay);

		split(sp, in, n, chunk, 0, 0, SPLITTER_FLUSH_ALL, &l);
		assert_int_equal(l.n, 1);
		assert_int_equal(l.v[0].flags, RECORD_TRUNCATED);
		assert_int_equal(l.v[0].text_n, SPLITTER_LINE_CAP - 1);
		assert_int_equal(l.v[0].end, (int64_t)n);
		rlist_free(&l);
		splitter_free(sp);
		layout_free(lay);
	}
	free(in);
}

/* 20 MB without a newline, fed in 1 MiB blocks: bounded, one record. */
static void
test_no_newline_at_all(void **state)
{
	size_t		 block = 1024 * 1024, i, max_held = 0;
	char		*b = malloc(block);
	struct splitter	*sp = splitter_new(NULL);
	struct rlist	 l = { 0 };
	const struct record *r;

	(void)state;
	assert_non_null(b);
	memset(b, 'y', block);
	for (i = 0; i < 20; i++) {
		splitter_feed(sp, b, block);
		while ((r = splitter_next(sp, SPLITTER_MORE)) != NULL)
			rlist_add(&l, r);
		if (splitter_held(sp) > max_held)
			max_held = splitter_held(sp);
	}
	assert_int_equal(l.n, 0);
	assert_null(splitter_next(sp, SPLITTER_AT_END));
	while ((r = splitter_next(sp, SPLITTER_FLUSH_ALL)) != NULL)
		rlist_add(&l, r);
	assert_true(max_held <= 4 * block);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].end, (int64_t)(20 * block));
	assert_int_equal(l.v[0].text_n, SPLITTER_LINE_CAP);
	assert_true(l.v[0].flags & RECORD_TRUNCATED);
	rlist_free(&l);
	splitter_free(sp);
	free(b);
}

/* A record of 6 MiB of traceback lines keeps the record cap. */
static void
test_record_cap(void **state)
{
	const char	*head = "2026-11-24 18:01:22,000 ERROR app: big\n";
	const char	*frame = "  File \"/srv/app/x.py\", line 1, in f\n";
	const char	*tail = "2026-11-24 18:01:22,001 INFO app: after\n";
	size_t		 nframes = 6 * 1024 * 1024 / strlen(frame), n, i, k;
	char		*in;
	struct rlist	 l = { 0 };

	(void)state;
	n = strlen(head) + nframes * strlen(frame) + strlen(tail);
	in = malloc(n);
	assert_non_null(in);
	k = strlen(head);
	memcpy(in, head, k);
	for (i = 0; i < nframes; i++, k += strlen(frame))
		memcpy(in + k, frame, strlen(frame));
	memcpy(in + k, tail, strlen(tail));
	for (k = 65536; k <= n; k *= 64) {
		struct layout	*lay = named("python");
		struct splitter	*sp = splitter_new(lay);

		split(sp, in, n, k, 0, 0, SPLITTER_FLUSH_ALL, &l);
		assert_int_equal(l.n, 2);
		assert_int_equal(l.v[0].nlines, (int64_t)nframes + 1);
		assert_true(l.v[0].flags & RECORD_TRUNCATED);
		assert_true(l.v[0].text_n <= SPLITTER_RECORD_CAP);
		assert_true(l.v[0].text_n > SPLITTER_RECORD_CAP -
		    strlen(frame));
		assert_int_equal(l.v[0].end, (int64_t)(n - strlen(tail)));
		assert_int_equal(l.v[1].offset, l.v[0].end);
		assert_int_equal(l.v[1].line, (int64_t)nframes + 2);
		assert_string_equal(l.v[1].message, "after");
		rlist_free(&l);
		splitter_free(sp);
		layout_free(lay);
	}
	free(in);
}

/* A live file's unterminated last line waits; a rotated one flushes. */
static void
test_end_of_file(void **state)
{
	const char	*in = "INFO:app:one\n"
			    "ERROR:app:two\n"
			    "Traceback (most recent call last):\n"
			    "ValueError: v\n"
			    "INFO:app:thr";
	struct layout	*lay = named("basic");
	struct splitter	*sp = splitter_new(lay);
	struct rlist	 l = { 0 };
	const struct record *r;

	(void)state;
	split(sp, in, strlen(in), 7, 0, 0, SPLITTER_AT_END, &l);
	assert_string_equal(shape(&l), "1:1 2:3");
	assert_int_equal(l.v[1].end, (int64_t)strlen(in) - 12);
	/* the rest of the line comes: the record is finished */
	splitter_feed(sp, "ee\n", 3);
	assert_null(splitter_next(sp, SPLITTER_MORE));
	r = splitter_next(sp, SPLITTER_AT_END);
	assert_non_null(r);
	assert_int_equal(r->line, 5);
	assert_int_equal(r->offset, (int64_t)strlen(in) - 12);
	assert_int_equal(r->end, (int64_t)strlen(in) + 3);
	assert_int_equal(r->text.n, 14);
	assert_memory_equal(r->text.p, "INFO:app:three", 14);
	assert_null(splitter_next(sp, SPLITTER_AT_END));
	rlist_free(&l);

	/* an unterminated continuation holds its record back too */
	splitter_start(sp, 0, 1);
	split(sp, "ERROR:a:x\nTraceback (most recent call last):\nValu",
	    50, 50, 0, 0, SPLITTER_AT_END, &l);
	assert_int_equal(l.n, 0);
	rlist_free(&l);

	splitter_start(sp, 0, 1);
	split(sp, in, strlen(in), 5, 0, 0, SPLITTER_FLUSH_ALL, &l);
	assert_string_equal(shape(&l), "1:1 2:3 5:1");
	assert_int_equal(l.v[2].end, (int64_t)strlen(in));
	assert_string_equal(l.v[2].text, "INFO:app:thr");
	rlist_free(&l);

	/* a final \r waits at AT_END (it may be half of \r\n) */
	splitter_start(sp, 0, 1);
	split(sp, "INFO:a:x\r", 9, 9, 0, 0, SPLITTER_AT_END, &l);
	assert_int_equal(l.n, 0);
	rlist_free(&l);
	splitter_free(sp);
	layout_free(lay);
}

/* Starting again at a record boundary gives the same later records. */
static void
test_resume(void **state)
{
	struct rlist	 all = { 0 }, rest = { 0 };
	struct layout	*lay;
	struct splitter	*sp;
	const char	*name;
	char		 spec[LAYOUT_SPEC_MAX];
	size_t		 i, k, j, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %s\n", cases[i].name);
		n = strlen(cases[i].in);
		name = cases[i].layout;
		if (name == NULL) {
			/* a detected layout is remembered by its spec */
			sp = splitter_new(NULL);
			split(sp, cases[i].in, n, n, 0, 0, SPLITTER_FLUSH_ALL,
			    &all);
			snprintf(spec, sizeof(spec), "%s",
			    layout_spec(splitter_layout(sp)));
			splitter_free(sp);
			rlist_free(&all);
			name = spec;
		}
		split_all(name, cases[i].in, n, &all);
		for (k = 1; k < all.n; k++) {
			lay = named(name);
			sp = splitter_new(lay);
			splitter_start(sp, all.v[k].offset, all.v[k].line);
			split(sp, cases[i].in + all.v[k].offset,
			    n - (size_t)all.v[k].offset, 3, 0, 0,
			    SPLITTER_FLUSH_ALL, &rest);
			assert_int_equal(rest.n, all.n - k);
			for (j = 0; j < rest.n; j++) {
				assert_int_equal(rest.v[j].offset,
				    all.v[k + j].offset);
				assert_int_equal(rest.v[j].end,
				    all.v[k + j].end);
				assert_int_equal(rest.v[j].line,
				    all.v[k + j].line);
				assert_string_equal(rest.v[j].text,
				    all.v[k + j].text);
			}
			rlist_free(&rest);
			splitter_free(sp);
			layout_free(lay);
		}
		rlist_free(&all);
	}
}

static void
test_fields_and_times(void **state)
{
	const char	*in = "{\"ts\": \"2026-11-24T18:01:22Z\", \"level\": "
			    "\"INFO\", \"logger\": \"a\", \"task\": \"t-1\", "
			    "\"msg\": \"one\"}\n"
			    "{\"level\": \"ERROR\", \"msg\": \"no time\"}\n";
	const char	*bare = "[app] one\n[app] two\n";
	const char	*timed = "2026-11-24 18:01:22,454 INFO app: a\n"
			    "2026-11-24 18:01:23,000 WARNING app.x: b\n";
	const char	*badtime = "2026-11-24 18:01:22,454 INFO app: a\n"
			    "2026-11-31 18:01:22,900 ERROR app: november 31\n"
			    "  with a second line\n"
			    "2026-11-24 18:01:23,000 INFO app: c\n";
	struct rlist	 l = { 0 };

	(void)state;
	split_all(NULL, in, strlen(in), &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].ts_us, INT64_C(1795543282000000));
	assert_int_equal(l.v[0].flags, 0);
	assert_string_equal(l.v[0].task, "t-1");
	assert_string_equal(l.v[0].message, "one");
	assert_false(l.v[0].message_in_text);
	assert_int_equal(l.v[1].ts_us, INT64_C(1795543282000000));
	assert_int_equal(l.v[1].flags, RECORD_TS_INFERRED);
	assert_string_equal(l.v[1].level, "ERROR");
	rlist_free(&l);

	split_all(NULL, bare, strlen(bare), &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].ts_us, TS_NONE);
	assert_int_equal(l.v[1].ts_us, TS_NONE);
	assert_int_equal(l.v[1].flags, 0);
	rlist_free(&l);

	split_all(NULL, timed, strlen(timed), &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].ts_us, INT64_C(1795543282454000));
	assert_string_equal(l.v[1].level, "WARNING");
	assert_string_equal(l.v[1].logger, "app.x");
	assert_string_equal(l.v[1].message, "b");
	/* a line layout's message is the tail of its text */
	assert_true(l.v[1].message_in_text);
	assert_string_equal(l.v[1].text + l.v[1].text_n - l.v[1].message_n,
	    "b");
	rlist_free(&l);

	/* a header whose time cannot be: its own record, the time before */
	split_all(NULL, badtime, strlen(badtime), &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[1].nlines, 2);
	assert_int_equal(l.v[1].ts_us, INT64_C(1795543282454000));
	assert_int_equal(l.v[1].flags, RECORD_BAD_TIME | RECORD_TS_INFERRED);
	assert_string_equal(l.v[1].level, "ERROR");
	assert_int_equal(l.v[2].ts_us, INT64_C(1795543283000000));
	assert_int_equal(l.v[2].flags, 0);
	rlist_free(&l);
}

static void
test_detect_waits(void **state)
{
	struct splitter	*sp = splitter_new(NULL);
	const char	*line = "2026-11-24 18:01:22,454 INFO app: a\n";

	(void)state;
	splitter_feed(sp, line, strlen(line));
	assert_null(splitter_next(sp, SPLITTER_MORE));
	assert_null(splitter_layout(sp));
	assert_non_null(splitter_next(sp, SPLITTER_AT_END));
	assert_string_equal(layout_name(splitter_layout(sp)), "python");
	splitter_free(sp);
	splitter_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_boundaries, setup),
		cmocka_unit_test_setup(test_feeding, setup),
		cmocka_unit_test_setup(test_line_ends, setup),
		cmocka_unit_test_setup(test_lone_cr_file, setup),
		cmocka_unit_test_setup(test_hostile_bytes, setup),
		cmocka_unit_test_setup(test_long_line, setup),
		cmocka_unit_test_setup(test_long_line_utf8, setup),
		cmocka_unit_test_setup(test_no_newline_at_all, setup),
		cmocka_unit_test_setup(test_record_cap, setup),
		cmocka_unit_test_setup(test_end_of_file, setup),
		cmocka_unit_test_setup(test_resume, setup),
		cmocka_unit_test_setup(test_fields_and_times, setup),
		cmocka_unit_test_setup(test_detect_waits, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
