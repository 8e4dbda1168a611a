/*
 * bench/gen.c: a deterministic generator of realistic CPython asyncio
 * service logs (Python 3.11, layout "%(asctime)s %(levelname)s %(name)s:
 * %(message)s", comma milliseconds), written as a rotation set.
 *
 *   gen --out DIR --mb N [--seed S] [--files K] [--tail-kb N]
 *       [--start EPOCH | --end-near-now] [--pattern ERE]
 *
 * writes into DIR:
 *   all.log          every line of the set, one plain file (baselines)
 *   set/app.log      the live file (plain), set/app.log.1 (plain),
 *   set/app.log.2.gz ... set/app.log.K-1.gz (gzip members, real gzip)
 *   plainset/app.log, app.log.1 ... app.log.K-1: the same files, none
 *                    compressed
 *   gzset/app.log.1.gz ... gzset/app.log.K.gz: the same data, every file
 *                    gzipped (the set rotated once more)
 *   tail.log         with --tail-kb: what comes next, to append to
 *                    set/app.log for an incremental run
 *   truth.json       counts: bytes, lines, records, findings per kind,
 *                    lines and records the signature ERE matches
 *
 * Ordinary traffic (access log, heartbeats every 100-150 ms, housekeeping,
 * slow-request warnings, ordinary application tracebacks) carries, at known
 * rates, every failure signature in CPython's exact wording, and stalls:
 * gaps of 0.6-1.0 s with no record at all, after which the heartbeat
 * reports the loop lag.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUTBUF	(1u << 20)
#define RECMAX	8192

enum kind {
	K_NEVER_AWAITED, K_NEVER_RETRIEVED, K_NESTED_RUN, K_STALL,
	K_TASK_DESTROYED, K_AWAIT_NON_AWAITABLE, K_DIFFERENT_LOOP,
	K_LOOP_CLOSED, K_CALLBACK_EXCEPTION, K_NKINDS
};

static const char *const kind_names[K_NKINDS] = {
	"never_awaited", "never_retrieved", "nested_run", "stall",
	"task_destroyed_pending", "await_non_awaitable", "different_loop",
	"loop_closed", "callback_exception",
};

struct counts {
	uint64_t	bytes, lines, records;
	uint64_t	kinds[K_NKINDS];
	uint64_t	grep_lines, grep_records;
	uint64_t	app_tracebacks;
	int64_t		first_ms, last_ms;
};

/* Output: one big buffer, flushed to every open sink. */
struct sink {
	int	fd;
};

static char	 *outbuf;
static size_t	  outlen;
static struct sink sinks[4];
static int	  nsinks;
static uint64_t	  chunk_bytes;

static char	 rec[RECMAX];
static size_t	 reclen;
static int	 rec_sig;	/* the record may hold signature text */

static uint64_t	 rng_state;
static regex_t	 pattern;
static struct counts *cur;	/* counts being filled (set or tail) */

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("gen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static uint64_t
rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static int64_t
rnd(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

static const char *
pick(const char *const *v, size_t n)
{
	return v[rng_next() % n];
}
#define PICK(v)	pick((v), sizeof(v) / sizeof((v)[0]))

/* ---- writing ---- */

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write: %s", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
}

static void
out_flush(void)
{
	for (int i = 0; i < nsinks; i++)
		write_all(sinks[i].fd, outbuf, outlen);
	outlen = 0;
}

static void
sink_open_plain(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	sinks[nsinks].fd = fd;
	nsinks++;
}

/* Background "gzip -6 -n -c < src > dst" jobs: gzip of a finished chunk
 * runs while the next one is generated. */
struct gzjob {
	pid_t	pid;
	char	dst[4096];
	char	link[4096];	/* a second name for dst, or "" */
};

static struct gzjob jobs[128];
static int	    njobs, jobs_done;

static void
gzip_wait_one(void)
{
	struct gzjob *j = &jobs[jobs_done++];
	int st;

	if (waitpid(j->pid, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		die("gzip of %s failed", j->dst);
	if (j->link[0] != '\0') {
		unlink(j->link);
		if (link(j->dst, j->link) < 0)
			die("link %s: %s", j->link, strerror(errno));
	}
}

/* Start gzip of src into dst (then also named lnk, if not NULL), leaving
 * at most `running` jobs going. */
static void
gzip_start(const char *src, const char *dst, const char *lnk, int running)
{
	struct gzjob *j;
	pid_t pid;

	if (njobs == (int)(sizeof(jobs) / sizeof(jobs[0])))
		die("too many files");
	while (njobs - jobs_done >= running && jobs_done < njobs)
		gzip_wait_one();
	j = &jobs[njobs];
	snprintf(j->dst, sizeof(j->dst), "%s", dst);
	snprintf(j->link, sizeof(j->link), "%s", lnk ? lnk : "");
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int in = open(src, O_RDONLY);
		int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (in < 0 || out < 0)
			_exit(127);
		dup2(in, 0);
		dup2(out, 1);
		for (int i = 3; i < 64; i++)
			close(i);
		execlp("gzip", "gzip", "-6", "-n", "-c", (char *)NULL);
		_exit(127);
	}
	j->pid = pid;
	njobs++;
}

/* Close every sink but the first (all.log). */
static void
sinks_close_chunk(void)
{
	out_flush();
	for (int i = 1; i < nsinks; i++)
		close(sinks[i].fd);
	nsinks = 1;
	chunk_bytes = 0;
}

/* ---- records ---- */

static void
r_raw(const char *s, size_t n)
{
	if (reclen + n > RECMAX)
		die("record too long");
	memcpy(rec + reclen, s, n);
	reclen += n;
}

static void
r_str(const char *s)
{
	r_raw(s, strlen(s));
}

static void
r_u(uint64_t v)
{
	char t[24];
	int i = 24;

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	r_raw(t + i, (size_t)(24 - i));
}

/* v/10 with one decimal. */
static void
r_d1(uint64_t tenths)
{
	r_u(tenths / 10);
	r_raw(".", 1);
	r_raw(&"0123456789"[tenths % 10], 1);
}

static void
r_f(const char *fmt, ...)
{
	char t[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(t))
		die("format overflow");
	r_raw(t, (size_t)n);
}

/* Timestamp "YYYY-MM-DD HH:MM:SS,mmm", the seconds part cached. */
static int64_t	ts_sec = -1;
static char	ts_text[20];

static void
r_ts(int64_t ms)
{
	int64_t s = ms / 1000;
	int m = (int)(ms % 1000);
	char t[4];

	if (s != ts_sec) {
		time_t tt = (time_t)s;
		struct tm tm;

		gmtime_r(&tt, &tm);
		strftime(ts_text, sizeof(ts_text), "%Y-%m-%d %H:%M:%S", &tm);
		ts_sec = s;
	}
	r_raw(ts_text, 19);
	t[0] = ',';
	t[1] = (char)('0' + m / 100);
	t[2] = (char)('0' + m / 10 % 10);
	t[3] = (char)('0' + m % 10);
	r_raw(t, 4);
}

static void
r_head(int64_t ms, const char *level, const char *logger)
{
	reclen = 0;
	rec_sig = 0;
	r_ts(ms);
	r_raw(" ", 1);
	r_str(level);
	r_raw(" ", 1);
	r_str(logger);
	r_raw(": ", 2);
	if (ms > cur->last_ms)
		cur->last_ms = ms;
	if (cur->first_ms < 0)
		cur->first_ms = ms;
}

/* Count lines and signature matches of the record, then queue it. */
static void
r_end(void)
{
	uint64_t nl = 0;
	int any = 0;
	char *p = rec, *end = rec + reclen;

	while (p < end) {
		char *e = memchr(p, '\n', (size_t)(end - p));

		if (e == NULL)
			die("record not terminated");
		nl++;
		if (rec_sig) {
			*e = '\0';
			if (regexec(&pattern, p, 0, NULL, 0) == 0) {
				cur->grep_lines++;
				any = 1;
			}
			*e = '\n';
		}
		p = e + 1;
	}
	cur->lines += nl;
	cur->records++;
	cur->grep_records += (uint64_t)any;
	cur->bytes += reclen;
	chunk_bytes += reclen;
	if (outlen + reclen > OUTBUF)
		out_flush();
	memcpy(outbuf + outlen, rec, reclen);
	outlen += reclen;
}

/* ---- the service ---- */

static const char *const queries[] = {
	"desk", "lamp", "chair", "usb-c", "monitor", "cable", "mouse",
};
static const char *const countries[] = {
	"NL", "DE", "FR", "US", "GB", "SE", "PL", "ES",
};

static uint64_t	heartbeat_seq;
static uint64_t	task_counter = 40;
static uint64_t	req_counter;
static uint64_t	findings_tracked;

static void
r_ip(void)
{
	r_str("10.");
	r_u((uint64_t)rnd(0, 9));
	r_raw(".", 1);
	r_u((uint64_t)rnd(0, 255));
	r_raw(".", 1);
	r_u((uint64_t)rnd(1, 254));
}

/* duration_ms10: request time in tenths of ms (0 for a random one). */
static void
emit_access(int64_t ms, uint64_t dur10)
{
	int which = (int)rnd(0, 99);
	const char *method = "GET";
	int status = 200;
	uint64_t size = (uint64_t)rnd(200, 9000);

	r_head(ms, "INFO", "app.access");
	r_ip();
	r_str(" - - \"");
	if (which < 30) {
		r_str("GET /api/items/");
		r_u((uint64_t)rnd(1, 99999));
	} else if (which < 45) {
		r_str("GET /api/search?q=");
		r_str(PICK(queries));
	} else if (which < 60) {
		r_str("GET /api/users/u100");
		r_u((uint64_t)rnd(0, 9));
		size = 200 + (uint64_t)rnd(0, 9);
	} else if (which < 70) {
		r_str("GET /healthz");
	} else if (which < 80) {
		method = "POST";
		r_str("POST /api/orders");
	} else if (which < 88) {
		method = "POST";
		r_str("POST /api/track");
		status = 204;
		size = 0;
	} else if (which < 94) {
		r_str("GET /api/cart/");
		r_u((uint64_t)rnd(1000, 9999));
	} else if (which < 98) {
		r_str("GET /api/geo");
		size = 64;
	} else {
		method = "POST";
		r_str("POST /admin/flags/dark-mode");
		size = 128;
	}
	(void)method;
	r_str(" HTTP/1.1\" ");
	r_u((uint64_t)status);
	r_raw(" ", 1);
	r_u(size);
	r_raw(" ", 1);
	r_d1(dur10 ? dur10 : (uint64_t)rnd(19, 90));
	r_str("ms\n");
	r_end();
}

static void
emit_heartbeat(int64_t ms, uint64_t lag10)
{
	r_head(ms, "DEBUG", "app.health");
	r_str("heartbeat seq=");
	r_u(++heartbeat_seq);
	r_str(" tasks=");
	r_u((uint64_t)rnd(6, 9));
	r_str(" loop_lag_ms=");
	r_d1(lag10 ? lag10 : (uint64_t)rnd(1, 12));
	r_raw("\n", 1);
	r_end();
}

static void
emit_maint(int64_t ms)
{
	r_head(ms, "DEBUG", "app.maint");
	r_str("housekeeping: gc collected ");
	r_u(rnd(0, 3) == 0 ? (uint64_t)rnd(10, 400) : 0);
	r_str(" objects, ");
	r_u(findings_tracked);
	r_str(" findings tracked\n");
	r_end();
}

static void
emit_web_info(int64_t ms)
{
	r_head(ms, "INFO", "app.web");
	switch (rnd(0, 3)) {
	case 0:
		r_str("geo lookup for ");
		r_ip();
		r_str(" -> ");
		r_str(PICK(countries));
		r_raw("\n", 1);
		break;
	case 1:
		r_f("cache refreshed: %d keys in %d.%dms\n", (int)rnd(50, 900),
		    (int)rnd(1, 40), (int)rnd(0, 9));
		break;
	case 2:
		r_f("order %d accepted for customer c%d\n",
		    (int)rnd(100000, 999999), (int)rnd(1000, 9999));
		break;
	default:
		r_f("connection pool: %d idle, %d in use\n", (int)rnd(0, 8),
		    (int)rnd(1, 16));
		break;
	}
	r_end();
}

static void
emit_slow_request(int64_t ms)
{
	int t = (int)rnd(251, 480);

	r_head(ms, "WARNING", "app.web");
	r_f("request GET /reports/q%d/export took 0.%03d seconds "
	    "(slow_request_threshold=0.250)\n", (int)rnd(1, 4), t);
	r_end();
}

/* Ordinary application tracebacks: not findings. */
static void
emit_app_traceback(int64_t ms)
{
	int u = (int)rnd(1000, 9999);

	cur->app_tracebacks++;
	switch (rnd(0, 2)) {
	case 0:
		r_head(ms, "ERROR", "app.web");
		r_f("unhandled error while serving GET /api/users/u%d\n", u);
		r_str("Traceback (most recent call last):\n"
		    "  File \"/srv/app/service.py\", line 405, in worker\n"
		    "    status, size = await self.handle(req)\n"
		    "                   ^^^^^^^^^^^^^^^^^^^^^^\n"
		    "  File \"/srv/app/service.py\", line 374, in handle\n"
		    "    name = self.USERS[req[\"user\"]]\n"
		    "           ~~~~~~~~~~^^^^^^^^^^^^^\n");
		r_f("KeyError: 'u%d'\n", u);
		r_end();
		emit_access(ms, (uint64_t)rnd(40, 90));
		break;
	case 1:
		r_head(ms, "ERROR", "app.upstream");
		r_f("fetch failed for inventory shard %d, retrying\n",
		    (int)rnd(0, 15));
		r_str("Traceback (most recent call last):\n"
		    "  File \"/srv/app/upstream.py\", line 88, in fetch\n"
		    "    data = await reader.readexactly(size)\n"
		    "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
		    "  File \"/usr/lib/python3.11/asyncio/streams.py\", line 750, in readexactly\n"
		    "    await self._wait_for_data('readexactly')\n"
		    "  File \"/usr/lib/python3.11/asyncio/streams.py\", line 543, in _wait_for_data\n"
		    "    await self._waiter\n"
		    "  File \"/usr/lib/python3.11/asyncio/selector_events.py\", line 995, in _read_ready__data_received\n"
		    "    data = self._sock.recv(self.max_size)\n"
		    "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
		    "ConnectionResetError: [Errno 104] Connection reset by peer\n");
		r_end();
		break;
	default:
		r_head(ms, "ERROR", "app.orders");
		r_f("could not decode order payload from %d\n",
		    (int)rnd(100000, 999999));
		r_str("Traceback (most recent call last):\n"
		    "  File \"/srv/app/orders.py\", line 131, in on_message\n"
		    "    payload = json.loads(body)\n"
		    "              ^^^^^^^^^^^^^^^^\n"
		    "  File \"/usr/lib/python3.11/json/__init__.py\", line 346, in loads\n"
		    "    return _default_decoder.decode(s)\n"
		    "           ^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
		    "  File \"/usr/lib/python3.11/json/decoder.py\", line 337, in decode\n"
		    "    obj, end = self.raw_decode(s, idx=_w(s, 0).end())\n"
		    "               ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
		    "  File \"/usr/lib/python3.11/json/decoder.py\", line 355, in raw_decode\n"
		    "    raise JSONDecodeError(\"Expecting value\", s, err.value) from None\n"
		    "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)\n");
		r_end();
		break;
	}
}

struct unawaited {
	const char	*qualname;
	int		 line;
	const char	*source;
};

static const struct unawaited unawaited[] = {
	{ "WebWorkerPool.audit_log", 368, "self.audit_log(req)" },
	{ "MetricsClient.flush", 212, "self.metrics.flush()" },
	{ "CacheWarmer.refresh", 517, "self.cache.refresh(key)" },
	{ "notify_webhook", 733, "notify_webhook(order)" },
	{ "SessionStore.touch", 455, "self.sessions.touch(sid)" },
};

static void
emit_never_awaited_at(int64_t ms, const char *file, int line,
    const char *qualname, const char *source)
{
	r_head(ms, "WARNING", "py.warnings");
	rec_sig = 1;
	r_f("%s:%d: RuntimeWarning: coroutine '%s' was never awaited\n",
	    file, line, qualname);
	r_f("  %s\n\n", source);
	r_end();
	cur->kinds[K_NEVER_AWAITED]++;
	findings_tracked++;
}

static void
emit_never_awaited(int64_t ms)
{
	const struct unawaited *u =
	    &unawaited[rng_next() % (sizeof(unawaited) / sizeof(unawaited[0]))];

	emit_never_awaited_at(ms, "/srv/app/service.py", u->line,
	    u->qualname, u->source);
}

static void
emit_never_retrieved(int64_t ms)
{
	r_head(ms, "ERROR", "asyncio");
	rec_sig = 1;
	r_str("Task exception was never retrieved\n");
	if (rnd(0, 1) == 0) {
		r_f("future: <Task finished name='Task-%llu' coro=<WebWorkerPool.send_metrics() done, defined at /srv/app/service.py:352> exception=ConnectionRefusedError(111, \"Connect call failed ('127.0.0.1', 8125)\")>\n",
		    (unsigned long long)++task_counter);
		r_str("Traceback (most recent call last):\n"
		    "  File \"/srv/app/service.py\", line 354, in send_metrics\n"
		    "    raise ConnectionRefusedError(111, \"Connect call failed ('127.0.0.1', 8125)\")\n"
		    "ConnectionRefusedError: [Errno 111] Connect call failed ('127.0.0.1', 8125)\n");
	} else {
		uint64_t n = ++req_counter;

		r_f("future: <Task finished name='analytics-%llu' coro=<Analytics.push() done, defined at /srv/app/analytics.py:61> exception=ConnectionResetError('Connection lost')>\n",
		    (unsigned long long)n);
		r_str("Traceback (most recent call last):\n"
		    "  File \"/srv/app/analytics.py\", line 66, in push\n"
		    "    await self.writer.drain()\n"
		    "  File \"/usr/lib/python3.11/asyncio/streams.py\", line 378, in drain\n"
		    "    await self._protocol._drain_helper()\n"
		    "  File \"/usr/lib/python3.11/asyncio/streams.py\", line 167, in _drain_helper\n"
		    "    raise ConnectionResetError('Connection lost')\n"
		    "ConnectionResetError: Connection lost\n");
	}
	r_end();
	cur->kinds[K_NEVER_RETRIEVED]++;
	findings_tracked++;
}

static void
emit_nested_run(int64_t ms)
{
	int already = rnd(0, 2) == 0;

	r_head(ms, "ERROR", "app.sync");
	rec_sig = 1;
	if (!already) {
		r_str("nested asyncio.run failed while refreshing config\n"
		    "Traceback (most recent call last):\n"
		    "  File \"/srv/app/service.py\", line 512, in refresh_config\n"
		    "    asyncio.run(self.config.fetch())\n"
		    "  File \"/usr/lib/python3.11/asyncio/runners.py\", line 186, in run\n"
		    "    raise RuntimeError(\n"
		    "RuntimeError: asyncio.run() cannot be called from a running event loop\n");
		r_end();
		cur->kinds[K_NESTED_RUN]++;
		emit_never_awaited_at(ms + 1, "/srv/app/service.py", 514,
		    "ConfigClient.fetch",
		    "log.exception(\"nested asyncio.run failed while refreshing config\")");
	} else {
		r_str("run_until_complete on running loop failed\n"
		    "Traceback (most recent call last):\n"
		    "  File \"/srv/app/legacy.py\", line 77, in load_accounts\n"
		    "    return loop.run_until_complete(self._fetch_accounts())\n"
		    "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
		    "  File \"/usr/lib/python3.11/asyncio/base_events.py\", line 629, in run_until_complete\n"
		    "    self._check_running()\n"
		    "  File \"/usr/lib/python3.11/asyncio/base_events.py\", line 588, in _check_running\n"
		    "    raise RuntimeError('This event loop is already running')\n"
		    "RuntimeError: This event loop is already running\n");
		r_end();
		cur->kinds[K_NESTED_RUN]++;
		emit_never_awaited_at(ms + 1, "/srv/app/legacy.py", 79,
		    "LegacyCrmClient._fetch_accounts",
		    "log.exception(\"run_until_complete on running loop failed\")");
	}
	findings_tracked++;
}

static void
emit_task_destroyed(int64_t ms)
{
	r_head(ms, "ERROR", "asyncio");
	rec_sig = 1;
	r_str("Task was destroyed but it is pending!\n");
	r_f("task: <Task pending name='lease-watch-%llu' coro=<Consumer._watch_lease() running at /srv/app/service.py:640> wait_for=<Future pending cb=[Task.task_wakeup()]>>\n",
	    (unsigned long long)++task_counter);
	r_end();
	cur->kinds[K_TASK_DESTROYED]++;
	findings_tracked++;
}

static void
emit_callback_exception(int64_t ms)
{
	int sid = (int)rnd(1000, 9999);

	r_head(ms, "ERROR", "asyncio");
	rec_sig = 1;
	r_f("Exception in callback SessionStore._expire('s-%d')\n", sid);
	r_f("handle: <TimerHandle when=%d.%09d SessionStore._expire('s-%d')>\n",
	    (int)(ms / 1000 % 100000), (int)rnd(0, 999999999), sid);
	r_str("Traceback (most recent call last):\n"
	    "  File \"/usr/lib/python3.11/asyncio/events.py\", line 80, in _run\n"
	    "    self._context.run(self._callback, *self._args)\n"
	    "  File \"/srv/app/sessions.py\", line 73, in _expire\n"
	    "    del self.sessions[sid]\n"
	    "        ~~~~~~~~~~~~~^^^^^\n");
	r_f("KeyError: 's-%d'\n", sid);
	r_end();
	cur->kinds[K_CALLBACK_EXCEPTION]++;
	findings_tracked++;
}

static void
emit_await_non_awaitable(int64_t ms)
{
	r_head(ms, "ERROR", "app.web");
	rec_sig = 1;
	r_str("unhandled error while serving POST /api/cache/purge\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/service.py\", line 405, in worker\n"
	    "    status, size = await self.handle(req)\n"
	    "                   ^^^^^^^^^^^^^^^^^^^^^^\n"
	    "  File \"/srv/app/service.py\", line 391, in handle\n"
	    "    await self.cache.purge(req[\"key\"])\n"
	    "TypeError: object NoneType can't be used in 'await' expression\n");
	r_end();
	cur->kinds[K_AWAIT_NON_AWAITABLE]++;
	findings_tracked++;
	emit_access(ms, (uint64_t)rnd(30, 90));
}

static void
emit_different_loop(int64_t ms)
{
	uint64_t r = ++req_counter;

	r_head(ms, "ERROR", "app.bridge");
	rec_sig = 1;
	r_f("request %llu: threaded export failed\n", (unsigned long long)r);
	r_str("Traceback (most recent call last):\n"
	    "  File \"/srv/app/bridge.py\", line 899, in bridge_request\n"
	    "    await self.exporter.push(ack)\n"
	    "  File \"/srv/app/bridge.py\", line 855, in push\n"
	    "    await ack\n");
	r_f("RuntimeError: Task <Task pending name='Task-%llu' coro=<Exporter._push_with_ack() running at /srv/app/bridge.py:851> cb=[_run_until_complete_cb() at /usr/lib/python3.11/asyncio/base_events.py:180]> got Future <Future pending> attached to a different loop\n",
	    (unsigned long long)++task_counter);
	r_end();
	cur->kinds[K_DIFFERENT_LOOP]++;
	findings_tracked++;
}

static void
emit_loop_closed(int64_t ms)
{
	r_head(ms, "ERROR", "app.bridge");
	rec_sig = 1;
	r_str("failed to deliver result from worker thread\n"
	    "Traceback (most recent call last):\n"
	    "  File \"/srv/app/bridge.py\", line 902, in _deliver\n"
	    "    self.loop.call_soon_threadsafe(fut.set_result, value)\n"
	    "  File \"/usr/lib/python3.11/asyncio/base_events.py\", line 807, in call_soon_threadsafe\n"
	    "    self._check_closed()\n"
	    "  File \"/usr/lib/python3.11/asyncio/base_events.py\", line 519, in _check_closed\n"
	    "    raise RuntimeError('Event loop is closed')\n"
	    "RuntimeError: Event loop is closed\n");
	r_end();
	cur->kinds[K_LOOP_CLOSED]++;
	findings_tracked++;
}

/* Rates per million access-log lines. */
enum ev {
	EV_NEVER_AWAITED, EV_NEVER_RETRIEVED, EV_NESTED_RUN, EV_STALL,
	EV_TASK_DESTROYED, EV_AWAIT, EV_DIFFERENT_LOOP, EV_LOOP_CLOSED,
	EV_CALLBACK, EV_APP_TRACEBACK, EV_SLOW_REQUEST, EV_WEB_INFO, EV_N
};

static const unsigned ev_rate[EV_N] = {
	[EV_NEVER_AWAITED] = 200, [EV_NEVER_RETRIEVED] = 200,
	[EV_NESTED_RUN] = 40, [EV_STALL] = 60, [EV_TASK_DESTROYED] = 40,
	[EV_AWAIT] = 40, [EV_DIFFERENT_LOOP] = 25, [EV_LOOP_CLOSED] = 25,
	[EV_CALLBACK] = 60, [EV_APP_TRACEBACK] = 700,
	[EV_SLOW_REQUEST] = 1500, [EV_WEB_INFO] = 30000,
};

/* The service's clock and the next time of each periodic stream. */
static int64_t	now, next_access, next_heartbeat, next_maint;
static uint64_t	pending_lag10;	/* after a stall: lag the next records show */
static int	after_stall;

static void
step(void)
{
	int64_t t = next_access;

	if (next_heartbeat < t)
		t = next_heartbeat;
	if (next_maint < t)
		t = next_maint;
	now = t;
	if (t == next_heartbeat) {
		emit_heartbeat(t, pending_lag10);
		pending_lag10 = 0;
		next_heartbeat = t + rnd(100, 150);
		after_stall = 0;
		return;
	}
	if (t == next_maint) {
		emit_maint(t);
		next_maint = t + rnd(330, 380);
		after_stall = 0;
		return;
	}
	emit_access(t, pending_lag10 ? pending_lag10 + (uint64_t)rnd(20, 60) : 0);
	pending_lag10 = 0;
	after_stall = 0;
	next_access = t + rnd(3, 45);

	uint64_t r = rng_next() % 1000000;
	unsigned acc = 0;
	int ev = -1;

	for (int i = 0; i < EV_N; i++) {
		acc += ev_rate[i];
		if (r < acc) {
			ev = i;
			break;
		}
	}
	int64_t et = t + rnd(0, 2);

	if (et > next_access)
		next_access = et;
	switch (ev) {
	case EV_NEVER_AWAITED:	emit_never_awaited(et); break;
	case EV_NEVER_RETRIEVED: emit_never_retrieved(et); break;
	case EV_NESTED_RUN:	emit_nested_run(et); break;
	case EV_TASK_DESTROYED:	emit_task_destroyed(et); break;
	case EV_AWAIT:		emit_await_non_awaitable(et); break;
	case EV_DIFFERENT_LOOP:	emit_different_loop(et); break;
	case EV_LOOP_CLOSED:	emit_loop_closed(et); break;
	case EV_CALLBACK:	emit_callback_exception(et); break;
	case EV_APP_TRACEBACK:	emit_app_traceback(et); break;
	case EV_SLOW_REQUEST:	emit_slow_request(et); break;
	case EV_WEB_INFO:	emit_web_info(et); break;
	case EV_STALL: {
		/* The loop blocks: nothing at all is logged for 0.6-1.0 s. */
		int64_t gap = rnd(600, 1000);

		next_access = t + gap;
		next_heartbeat = t + gap + rnd(0, 3);
		if (next_maint < next_access)
			next_maint = next_access + rnd(1, 30);
		pending_lag10 = (uint64_t)(gap - rnd(40, 120)) * 10 +
		    (uint64_t)rnd(0, 9);
		cur->kinds[K_STALL]++;
		findings_tracked++;
		after_stall = 1;
		break;
	}
	default:
		break;
	}
}

static void
emit_startup(int64_t ms)
{
	r_head(ms, "INFO", "app.main");
	r_str("starting web_pool pid=10380 python=3.11.7\n");
	r_end();
	r_head(ms, "DEBUG", "asyncio");
	r_str("Using selector: EpollSelector\n");
	r_end();
	r_head(ms, "INFO", "app");
	r_str("web pool started with 4 workers\n");
	r_end();
}

static void
write_counts(FILE *f, const struct counts *c, const char *indent)
{
	uint64_t total = 0;

	fprintf(f, "%s\"bytes\": %llu,\n", indent, (unsigned long long)c->bytes);
	fprintf(f, "%s\"lines\": %llu,\n", indent, (unsigned long long)c->lines);
	fprintf(f, "%s\"records\": %llu,\n", indent,
	    (unsigned long long)c->records);
	fprintf(f, "%s\"first_ms\": %lld,\n", indent, (long long)c->first_ms);
	fprintf(f, "%s\"last_ms\": %lld,\n", indent, (long long)c->last_ms);
	fprintf(f, "%s\"app_tracebacks\": %llu,\n", indent,
	    (unsigned long long)c->app_tracebacks);
	fprintf(f, "%s\"grep_lines\": %llu,\n", indent,
	    (unsigned long long)c->grep_lines);
	fprintf(f, "%s\"grep_records\": %llu,\n", indent,
	    (unsigned long long)c->grep_records);
	fprintf(f, "%s\"findings\": {", indent);
	for (int k = 0; k < K_NKINDS; k++) {
		fprintf(f, "%s\"%s\": %llu", k ? ", " : "", kind_names[k],
		    (unsigned long long)c->kinds[k]);
		total += c->kinds[k];
	}
	fprintf(f, "},\n%s\"findings_total\": %llu", indent,
	    (unsigned long long)total);
}

static void
usage(void)
{
	fputs("usage: gen --out DIR --mb N [--seed S] [--files K] "
	    "[--tail-kb N] [--start EPOCH | --end-near-now] [--pattern ERE]\n",
	    stderr);
	exit(2);
}

/* Log time per generated byte, measured, to end a set near now. */
#define BYTES_PER_SEC	5333.0

int
main(int argc, char **argv)
{
	const char *dir = NULL, *pat = NULL;
	double mb = 0;
	uint64_t seed = 1;
	int files = 6, end_near_now = 0;
	long tail_kb = 0;
	int64_t start = 1795132800;	/* 2026-11-20 00:00:00 UTC */
	char path[4096], path2[4096];
	struct counts set, tail;
	uint64_t target, max_bytes;
	int chunk;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--end-near-now") == 0) {
			end_near_now = 1;
			continue;
		}
		if (v == NULL)
			usage();
		if (strcmp(a, "--out") == 0)
			dir = v;
		else if (strcmp(a, "--mb") == 0)
			mb = atof(v);
		else if (strcmp(a, "--seed") == 0)
			seed = strtoull(v, NULL, 10);
		else if (strcmp(a, "--files") == 0)
			files = atoi(v);
		else if (strcmp(a, "--tail-kb") == 0)
			tail_kb = atol(v);
		else if (strcmp(a, "--start") == 0)
			start = strtoll(v, NULL, 10);
		else if (strcmp(a, "--pattern") == 0)
			pat = v;
		else
			usage();
		i++;
	}
	if (dir == NULL || mb <= 0 || files < 3 || files > 99)
		usage();
	if (pat == NULL)
		pat = "was never awaited|exception was never retrieved|"
		    "cannot be called from a running event loop|"
		    "This event loop is already running|"
		    "Task was destroyed but it is pending|Exception in callback|"
		    "can.t be used in .await. expression|Event loop is closed|"
		    "attached to a different loop|Executing <.* took [0-9.]+ seconds";
	if (regcomp(&pattern, pat, REG_EXTENDED | REG_NOSUB) != 0)
		die("bad pattern");
	target = (uint64_t)(mb * 1024 * 1024);
	max_bytes = (uint64_t)((double)target / ((double)files - 0.5));
	if (end_near_now)
		start = (int64_t)time(NULL) - (int64_t)((double)target / BYTES_PER_SEC);
	rng_state = seed * 0x2545F4914F6CDD1DULL + 1;

	outbuf = malloc(OUTBUF);
	if (outbuf == NULL)
		die("out of memory");
	snprintf(path, sizeof(path), "%s/set", dir);
	mkdir(dir, 0755);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/gzset", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/plainset", dir);
	mkdir(path, 0755);

	memset(&set, 0, sizeof(set));
	memset(&tail, 0, sizeof(tail));
	set.first_ms = tail.first_ms = -1;
	cur = &set;

	snprintf(path, sizeof(path), "%s/all.log", dir);
	sink_open_plain(path);

	/* Chunk c (0 = oldest) is app.log.(files-1-c); the newest two plain.
	 * Every chunk is written plain into plainset/, then gzipped from
	 * there in the background. */
	chunk = 0;
	for (;;) {
		int num = files - 1 - chunk;
		char src[4096];

		if (num > 0)
			snprintf(src, sizeof(src), "%s/plainset/app.log.%d", dir,
			    num);
		else
			snprintf(src, sizeof(src), "%s/plainset/app.log", dir);
		sink_open_plain(src);
		if (num < 2) {
			if (num == 1)
				snprintf(path, sizeof(path), "%s/set/app.log.1", dir);
			else
				snprintf(path, sizeof(path), "%s/set/app.log", dir);
			sink_open_plain(path);
		}
		if (chunk == 0) {
			now = start * 1000 + 454;
			next_access = now + 46;
			next_heartbeat = now + 52;
			next_maint = now + 355;
			emit_startup(now);
		}
		while (set.bytes < target &&
		    (num == 0 || chunk_bytes < max_bytes || after_stall))
			step();
		sinks_close_chunk();
		/* The gz set is this set rotated once more. */
		snprintf(path2, sizeof(path2), "%s/gzset/app.log.%d.gz", dir,
		    num + 1);
		if (num >= 2) {
			snprintf(path, sizeof(path), "%s/set/app.log.%d.gz", dir,
			    num);
			gzip_start(src, path, path2, 2);
		} else {
			gzip_start(src, path2, NULL, 2);
		}
		if (num == 0 || set.bytes >= target) {
			if (num != 0) {
				/* Ran out early: the live file exists, empty. */
				snprintf(path, sizeof(path), "%s/set/app.log", dir);
				sink_open_plain(path);
				snprintf(path, sizeof(path), "%s/plainset/app.log", dir);
				sink_open_plain(path);
				sinks_close_chunk();
			}
			break;
		}
		chunk++;
	}
	out_flush();
	close(sinks[0].fd);
	nsinks = 0;

	if (tail_kb > 0) {
		cur = &tail;
		snprintf(path, sizeof(path), "%s/tail.log", dir);
		sink_open_plain(path);
		while (tail.bytes < (uint64_t)tail_kb * 1024)
			step();
		out_flush();
		close(sinks[0].fd);
		nsinks = 0;
	}

	while (jobs_done < njobs)
		gzip_wait_one();
	snprintf(path, sizeof(path), "%s/truth.json", dir);
	FILE *f = fopen(path, "w");

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "{\n  \"generator\": \"bench/gen.c\",\n  \"seed\": %llu,\n"
	    "  \"mb\": %g,\n  \"files\": %d,\n  \"pattern\": \"",
	    (unsigned long long)seed, mb, files);
	for (const char *p = pat; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', f);
		fputc(*p, f);
	}
	fputs("\",\n  \"set\": {\n", f);
	write_counts(f, &set, "    ");
	fputs("\n  },\n  \"tail\": {\n", f);
	write_counts(f, &tail, "    ");
	fputs("\n  }\n}\n", f);
	if (fclose(f) != 0)
		die("%s: write failed", path);
	regfree(&pattern);
	free(outbuf);
	return 0;
}
