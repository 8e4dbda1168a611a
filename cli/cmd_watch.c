/*
 * cmd_watch: `aiosift watch`, following log files as `tail -F` does and
 * ingesting what they gain as it comes, through the ingest pipeline kept
 * open (ingest_set: the same database, read positions, rules and gap
 * detector as `aiosift ingest`). follow says which sets changed; this
 * file reads them, prints each finding once stored (a table on a
 * terminal, NDJSON in a pipe), shows a stall in progress once a stream
 * has been silent longer than its limit, and on SIGINT or SIGTERM reads
 * what is left, commits, prints a summary on stderr and exits 0.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "cli/cliopt.h"
#include "cli/commands.h"
#include "cli/ingestopt.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/escape.h"
#include "common/kinds.h"
#include "common/severity.h"
#include "common/xmalloc.h"
#include "ingest/config.h"
#include "ingest/follow.h"
#include "ingest/ingest.h"
#include "ingest/timestamp.h"
#include "query/output.h"
#include "store/store.h"

#define WATCH_SETTLE_MS		100	/* a set quiet this long is read */
#define WATCH_TICK_MS		1000	/* backstop check with inotify */
#define WATCH_NAME_CAP		128

static const char watch_usage[] =
    "usage: aiosift watch [--db FILE] [--format table|ndjson] [--color WHEN]\n"
    "                     [--local] [--layout NAME | --header-regex RE]\n"
    "                     [--tz ZONE] [--keep context|all|findings]\n"
    "                     [--context N] [--context-time DUR] [--rules FILE]\n"
    "                     [--stall-min SECS] [--window SECS] [--poll[=SECS]]\n"
    "                     [-q] PATH...\n";

static const char watch_help[] =
    "\n"
    "Follow log files the way tail -F does and ingest them as lines arrive:\n"
    "the same pipeline, database and read positions as aiosift ingest, so\n"
    "watch, Ctrl-C, then a cron ingest lose and duplicate nothing. PATH is\n"
    "a file (its rotated files beside it are followed too) or a directory\n"
    "(its log files, recursively); neither need exist yet. Rotation is\n"
    "followed: a rename and a new file, copytruncate, gzip of the old\n"
    "file; the old file is always read to its end before the new one.\n"
    "Changes come from inotify where there is one, else from polling.\n"
    "\n"
    "Each finding is printed once stored: a table on a terminal, NDJSON\n"
    "(the keys of query findings --format ndjson) in a pipe. A stream\n"
    "silent for longer than its limit (the gap a stall must exceed, from\n"
    "its cadence, at least --stall-min) is shown at once as a finding of\n"
    "rule stall.in_progress (not stored: the stall is stored, as by\n"
    "ingest, when the stream resumes). SIGINT or SIGTERM: what is left is\n"
    "read, committed, a summary goes to stderr, and the exit status is 0.\n"
    "The configuration file's db, rules and per-source settings hold as for\n"
    "ingest (aiosift config --help).\n"
    "\n"
    "Options:\n"
    "  --db FILE          database (default: $AIOSIFT_DB, else the\n"
    "                     configuration's db, else ./aiosift.db)\n"
    "  --format FMT       table (default on a terminal) or ndjson (default\n"
    "                     otherwise)\n"
    "  --color WHEN       colour severities in the table: auto, always, never\n"
    "  --local            table times in the local zone (default UTC)\n"
    "  --layout NAME      log layout instead of detecting it (ingest's\n"
    "                     --format): python iso syslog journald container\n"
    "                     json basic stderr\n"
    "  --header-regex RE  PCRE2 regex for a header line, as for ingest\n"
    "  --tz ZONE          zone of times without one (default: local)\n"
    "  --keep WHAT        records to store: context (default), all, findings\n"
    "  --context N        records kept before and after a finding (20)\n"
    "  --context-time DUR and only within this time of it (30s)\n"
    "  --rules FILE       add or override rules (repeatable)\n"
    "  --stall-min SECS   shortest stall reported (0.5)\n"
    "  --window SECS      correlation window for incidents (60)\n"
    "  --poll[=SECS]      poll every SECS (1) instead of inotify events\n"
    "  -q, --quiet        no notes, no summary; findings and errors only\n"
    "\n"
    "Examples:\n"
    "  aiosift watch /var/log/myapp/\n"
    "  aiosift watch --db /var/lib/aiosift/web.db /var/log/web/app.log\n"
    "  aiosift watch --format ndjson app.log | jq -r .message\n"
    "\n"
    "Exit status: 0 stopped by SIGINT or SIGTERM, 2 usage error, 3 the\n"
    "output could not be written, 4 database error.\n";

/* The columns printed, as query findings prints them; in_progress is
 * the expression of a stall in progress (bound: ?1 severity, ?2 time,
 * ?3 task, ?4 coro, ?5 seconds so far, ?6 source, ?7 message). */
struct watch_col {
	struct output_col	 col;
	const char		*in_progress;
};

static const struct watch_col watch_ndjson[] = {
	{ { "f.kind", "kind", "KIND", OUTPUT_TEXT, 0 }, "'" KIND_STALL "'" },
	{ { "f.rule", "rule", NULL, OUTPUT_TEXT, 0 },
	    "'" RULE_STALL_IN_PROGRESS "'" },
	{ { "f.severity", "severity", "SEV", OUTPUT_SEVERITY, 0 }, "?1" },
	{ { "f.ts_us", "ts", NULL, OUTPUT_TIME, 0 }, "?2" },
	{ { "f.task", "task", "TASK", OUTPUT_TEXT, 0 }, "?3" },
	{ { "f.coro", "coro", "CORO", OUTPUT_TEXT, 0 }, "?4" },
	{ { "f.exception", "exception", "EXCEPTION", OUTPUT_TEXT, 0 },
	    "NULL" },
	{ { "f.location", "location", "LOCATION", OUTPUT_TEXT, 0 }, "NULL" },
	{ { "f.duration_us", "duration_s", NULL, OUTPUT_SECONDS, 0 }, "?5" },
	{ { "s.path", "source", NULL, OUTPUT_TEXT, 0 }, "?6" },
	{ { "f.line", "line", NULL, OUTPUT_INT, 0 }, "NULL" },
	{ { "f.incident_id", "incident", "INC", OUTPUT_INT, 0 }, "NULL" },
	{ { "f.message", "message", "MESSAGE", OUTPUT_TEXT, 0 }, "?7" },
};

static const struct watch_col watch_table[] = {
	{ { "f.ts_us", "ts", "TIME", OUTPUT_TIME, 0 }, "?2" },
	{ { "f.severity", "severity", "SEV", OUTPUT_SEVERITY, 0 }, "?1" },
	{ { "f.kind", "kind", "KIND", OUTPUT_TEXT, 0 }, "'" KIND_STALL "'" },
	{ { "f.task", "task", "TASK", OUTPUT_TEXT, 0 }, "?3" },
	{ { "f.coro", "coro", "CORO", OUTPUT_TEXT, 0 }, "?4" },
	{ { "f.exception", "exception", "EXCEPTION", OUTPUT_TEXT, 1 },
	    "NULL" },
	{ { "f.location", "location", "LOCATION", OUTPUT_TEXT, 2 }, "NULL" },
	{ { "f.incident_id", "incident", "INC", OUTPUT_INT, 3 }, "NULL" },
	{ { "f.message", "message", "MESSAGE", OUTPUT_TEXT, 0 }, "?7" },
};

/* A stream's silence, as the gap detector sees it. */
struct watch_stream {
	char	*set_path;
	bool	 known;			/* the detector can judge a gap */
	int64_t	 last_us, limit_us;	/* log time, the gap limit */
	int64_t	 arrived_ms;		/* when last_us came (monotonic) */
	int64_t	 lag_ms;		/* how late it came, by the clock */
	char	 task[WATCH_NAME_CAP], coro[WATCH_NAME_CAP];
	bool	 shown;			/* its stall in progress printed */
};

struct watch {
	struct store		*s;
	struct ingest		*in;
	struct follow		*fl;
	struct output		*out;
	const struct watch_col	*cols;
	size_t			 ncols;
	sqlite3_stmt		*sel_new, *in_progress;
	int64_t			 last_id;	/* findings printed up to */
	int64_t			 printed, in_progress_n;
	struct watch_stream	*streams;
	size_t			 nstreams;
	bool			 quiet;
	size_t			 problems;
	struct err		 e;
};

static volatile sig_atomic_t	watch_signal;
static int			watch_pipe[2] = { -1, -1 };

static void
watch_on_signal(int sig)
{
	int	saved = errno;

	watch_signal = sig;
	if (watch_pipe[1] != -1)
		(void)write(watch_pipe[1], "x", 1);
	errno = saved;
}

static int64_t
watch_now_ms(clockid_t clk)
{
	struct timespec	ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
watch_warn(void *ctx, const struct err *fe)
{
	struct watch	*w = ctx;

	if (fe->status == STATUS_OK && w->quiet)
		return;
	if (fe->status != STATUS_OK)
		w->problems++;
	fputs(fe->status == STATUS_OK ? "aiosift: note: " : "aiosift: ",
	    stderr);
	escape_terminal(stderr, fe->msg, strlen(fe->msg));
	fputc('\n', stderr);
}

/* "SELECT <exprs>TAIL": the columns' expressions, or those of a stall in
 * progress; the caller frees. */
static char *
watch_select(const struct watch_col *cols, size_t n, bool in_progress,
    const char *tail)
{
	struct buf	b;
	size_t		i;

	buf_init(&b, (size_t)-1);
	buf_adds(&b, "SELECT ");
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_adds(&b, ", ");
		buf_adds(&b, in_progress ? cols[i].in_progress :
		    cols[i].col.expr);
	}
	buf_adds(&b, tail);
	buf_addc(&b, '\0');
	return b.data;
}

static int
watch_prepare(struct watch *w, struct err *e)
{
	sqlite3		*db = store_db(w->s);
	sqlite3_stmt	*st = NULL;
	char		*sql;
	int		 rc;

	sql = watch_select(w->cols, w->ncols, false, ", f.id FROM findings f JOIN "
	    "sources s ON s.id = f.source_id WHERE f.id > ?1 ORDER BY f.id");
	rc = sqlite3_prepare_v2(db, sql, -1, &w->sel_new, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return store_err(w->s, e, "watch");
	sql = watch_select(w->cols, w->ncols, true, "");
	rc = sqlite3_prepare_v2(db, sql, -1, &w->in_progress, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return store_err(w->s, e, "watch");
	if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM findings",
	    -1, &st, NULL) != SQLITE_OK)
		return store_err(w->s, e, "watch");
	/* an error is no empty table: it would print every old finding */
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_err(w->s, e, "watch");
		sqlite3_finalize(st);
		return -1;
	}
	w->last_id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

/* Print the findings stored since the last call. */
static int
watch_print_new(struct watch *w, struct err *e)
{
	int	rc;

	sqlite3_bind_int64(w->sel_new, 1, w->last_id);
	while ((rc = sqlite3_step(w->sel_new)) == SQLITE_ROW) {
		output_row(w->out, w->sel_new);
		w->last_id = sqlite3_column_int64(w->sel_new, (int)w->ncols);
		w->printed++;
	}
	sqlite3_reset(w->sel_new);
	if (rc != SQLITE_DONE)
		return store_err(w->s, e, "read findings");
	if (ferror(stdout))
		return err_set(e, STATUS_INPUT, "output: %s", strerror(errno ?
		    errno : EIO));
	return 0;
}

static struct watch_stream *
watch_stream(struct watch *w, const char *set_path)
{
	struct watch_stream	*ws;
	size_t			 i;

	for (i = 0; i < w->nstreams; i++)
		if (strcmp(w->streams[i].set_path, set_path) == 0)
			return &w->streams[i];
	w->streams = xrealloc(w->streams, (w->nstreams + 1) *
	    sizeof(*w->streams));
	ws = &w->streams[w->nstreams++];
	memset(ws, 0, sizeof(*ws));
	ws->set_path = xstrdup(set_path);
	return ws;
}

/* After a set was read: where its stream stands. */
static void
watch_note_stream(struct watch *w, const char *set_path)
{
	struct watch_stream	*ws = watch_stream(w, set_path);
	struct stall_status	 ss;
	int64_t			 now_wall_ms;

	if (!ingest_stall_status(w->in, &ss)) {
		ws->known = false;
		return;
	}
	if (!ws->known || ss.last_us != ws->last_us) {
		ws->arrived_ms = watch_now_ms(CLOCK_MONOTONIC);
		now_wall_ms = watch_now_ms(CLOCK_REALTIME);
		/* how late the record came, when the log's clock agrees with
		 * ours (no zone mix-up): the silence began that much before */
		ws->lag_ms = now_wall_ms - ss.last_us / 1000;
		if (ws->lag_ms < 0 || ws->lag_ms > 1000)
			ws->lag_ms = 0;
		ws->shown = false;
	}
	ws->known = true;
	ws->last_us = ss.last_us;
	ws->limit_us = ss.limit_us;
	snprintf(ws->task, sizeof(ws->task), "%s", ss.task);
	snprintf(ws->coro, sizeof(ws->coro), "%s", ss.coro);
}

static void
watch_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s[0] == '\0')
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Streams silent past their limit: shown once each. Returns the
 * milliseconds until the next would be, or -1. */
static int64_t
watch_stalls(struct watch *w, int64_t now_ms)
{
	int64_t	next = -1, silent_ms, left;
	char	msg[256];
	size_t	i;

	for (i = 0; i < w->nstreams; i++) {
		struct watch_stream *ws = &w->streams[i];

		if (!ws->known || ws->shown)
			continue;
		silent_ms = now_ms - ws->arrived_ms + ws->lag_ms;
		left = ws->limit_us / 1000 + 1 - silent_ms;
		if (left > 0) {
			if (next == -1 || left < next)
				next = left;
			continue;
		}
		ws->shown = true;
		w->in_progress_n++;
		snprintf(msg, sizeof(msg), "no log records for %.3f s so far "
		    "(the stream's limit %.3f s): the event loop or the "
		    "process may be blocked", (double)silent_ms / 1e3,
		    (double)ws->limit_us / 1e6);
		sqlite3_bind_int(w->in_progress, 1, SEV_WARNING);
		sqlite3_bind_int64(w->in_progress, 2, ws->last_us);
		watch_bind_text(w->in_progress, 3, ws->task);
		watch_bind_text(w->in_progress, 4, ws->coro);
		sqlite3_bind_int64(w->in_progress, 5, silent_ms * 1000);
		sqlite3_bind_text(w->in_progress, 6, ws->set_path, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(w->in_progress, 7, msg, -1, SQLITE_STATIC);
		/* a SELECT of its bindings, no table: one row, always */
		if (sqlite3_step(w->in_progress) == SQLITE_ROW)
			output_row(w->out, w->in_progress);
		sqlite3_reset(w->in_progress);
		sqlite3_clear_bindings(w->in_progress);
	}
	return next;
}

/* Read one job's files: the held file rotated away first, then the
 * set. */
static int
watch_read(struct watch *w, const struct follow_job *job, int flags,
    struct err *e)
{
	struct rotation_set	 one;
	char			*files[1];

	if (job->gone_fd != -1) {
		files[0] = (char *)job->set_path;
		one.set_path = (char *)job->set_path;
		one.files = files;
		one.nfiles = 1;
		if (ingest_set(w->in, &one, job->gone_fd, (flags &
		    ~INGEST_HOLD) | INGEST_CLOSED, e) == -1)
			return -1;
	}
	if (job->set != NULL && ingest_set(w->in, job->set, job->live_fd,
	    flags | (job->hold ? INGEST_HOLD : 0), e) == -1)
		return -1;
	watch_note_stream(w, job->set_path);
	return 0;
}

/* Read every due set; then correlate and print. */
static int
watch_pass(struct watch *w, int64_t now_ms, struct err *e)
{
	struct follow_job	job;
	bool			any = false;
	int			rc = 0;

	while (rc == 0 && follow_due(w->fl, now_ms, WATCH_SETTLE_MS, &job)) {
		rc = watch_read(w, &job, INGEST_FOLLOW, e);
		follow_done(w->fl, &job);
		any = true;
	}
	if (rc == 0 && any && (ingest_finish(w->in, e) == -1 ||
	    watch_print_new(w, e) == -1))
		rc = -1;
	return rc;
}

/* At exit: every set read to its end as a batch ingest ends. */
static int
watch_last_pass(struct watch *w, struct err *e)
{
	struct follow_job	job;
	size_t			i;

	follow_update(w->fl, watch_now_ms(CLOCK_MONOTONIC), true);
	for (i = 0; follow_nth(w->fl, i, &job); i++) {
		int rc = watch_read(w, &job, INGEST_FOLLOW | INGEST_END, e);

		follow_done(w->fl, &job);
		if (rc == -1)
			return -1;
	}
	if (ingest_finish(w->in, e) == -1 || watch_print_new(w, e) == -1)
		return -1;
	return 0;
}

/* The loop: wait for events, a tick, a due set or a stall's limit. */
static int
watch_loop(struct watch *w, int64_t poll_ms, struct err *e)
{
	struct pollfd	pfd[2];
	int64_t		now, next_tick, wait, t;
	char		drain[64];
	nfds_t		n;

	next_tick = 0;
	for (;;) {
		now = watch_now_ms(CLOCK_MONOTONIC);
		follow_update(w->fl, now, now >= next_tick);
		if (now >= next_tick)
			next_tick = now + poll_ms;
		if (watch_pass(w, now, e) == -1)
			return -1;
		if (watch_signal != 0)
			return 0;
		now = watch_now_ms(CLOCK_MONOTONIC);
		wait = next_tick - now;
		t = follow_wait_ms(w->fl, now, WATCH_SETTLE_MS);
		if (t >= 0 && t < wait)
			wait = t;
		t = watch_stalls(w, now);
		if (ferror(stdout))
			return err_set(e, STATUS_INPUT, "output: %s",
			    strerror(errno ? errno : EIO));
		if (t >= 0 && t < wait)
			wait = t;
		if (wait < 0)
			wait = 0;
		pfd[0].fd = watch_pipe[0];
		pfd[0].events = POLLIN;
		n = 1;
		if (follow_fd(w->fl) != -1) {
			pfd[1].fd = follow_fd(w->fl);
			pfd[1].events = POLLIN;
			n = 2;
		}
		if (poll(pfd, n, (int)(wait > 60000 ? 60000 : wait)) == -1 &&
		    errno != EINTR)
			return err_set(e, STATUS_INPUT, "poll: %s",
			    strerror(errno));
		if (pfd[0].revents & POLLIN)
			(void)read(watch_pipe[0], drain, sizeof(drain));
		if (watch_signal != 0) {
			/* what came before the signal is read at exit */
			return 0;
		}
	}
}

static int
watch_signals(void)
{
	struct sigaction	sa;

	if (pipe(watch_pipe) == -1)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watch_on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

int
cmd_watch(int argc, char *argv[])
{
	enum { O_DB = 256, O_FORMAT, O_COLOR, O_LOCAL, O_LAYOUT, O_POLL };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "color", required_argument, NULL, O_COLOR },
		{ "colour", required_argument, NULL, O_COLOR },
		{ "local", no_argument, NULL, O_LOCAL },
		{ "layout", required_argument, NULL, O_LAYOUT },
		INGESTOPT_LONG,
		{ "poll", optional_argument, NULL, O_POLL },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct watch		 w;
	struct ingest_opts	 o;
	struct ingestopt	 io;
	struct ingest_stats	 st;
	const char		*db = NULL, *color = "auto";
	enum output_format	 fmt;
	bool			 fmt_set = false, local = false, poll = false;
	int64_t			 poll_us = 1000000;
	int			 c, i, flags, rc, status = STATUS_OK;

	memset(&w, 0, sizeof(w));
	ingestopt_init(&io, "watch", watch_usage, &o);
	io.window_positive = true;
	fmt = isatty(STDOUT_FILENO) ? OUTPUT_TABLE : OUTPUT_NDJSON;
	err_clear(&w.e);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
		switch (c) {
		case O_DB:
			db = optarg;
			break;
		case O_FORMAT:
			if (!output_format_parse(optarg, &fmt) ||
			    (fmt != OUTPUT_TABLE && fmt != OUTPUT_NDJSON))
				return ingestopt_bad(&io, "--format", optarg);
			fmt_set = true;
			break;
		case O_COLOR:
			if (strcmp(optarg, "auto") != 0 && strcmp(optarg,
			    "always") != 0 && strcmp(optarg, "never") != 0)
				return ingestopt_bad(&io, "--color", optarg);
			color = optarg;
			break;
		case O_LOCAL:
			local = true;
			break;
		case O_LAYOUT:
			if ((rc = ingestopt_layout(&io, "--layout", optarg)))
				return rc;
			break;
		case O_POLL:
			poll = true;
			if (optarg != NULL && cliopt_duration("watch",
			    watch_usage, "--poll", optarg, true, &poll_us))
				return STATUS_USAGE;
			if (poll_us < 10000 || poll_us > 3600000000LL)
				return ingestopt_bad(&io, "--poll (10ms to 1h)",
				    optarg);
			break;
		case 'q':
			w.quiet = true;
			break;
		case 'h':
			printf("%s%s", watch_usage, watch_help);
			return STATUS_OK;
		default:
			if ((rc = ingestopt_take(&io, c, argv)) != 0)
				return rc;
			break;
		}
	}
	(void)fmt_set;
	ingestopt_finish(&io);
	if (optind >= argc) {
		fputs("aiosift: watch: no PATH given\n", stderr);
		fputs(watch_usage, stderr);
		return STATUS_USAGE;
	}
	for (i = optind; i < argc; i++)
		if (strcmp(argv[i], "-") == 0) {
			fputs("aiosift: watch: standard input cannot be "
			    "watched (use ingest -)\n", stderr);
			return STATUS_USAGE;
		}
	o.tz = io.tz;
	if (timestamp_set_zone(io.tz, &w.e) == -1) {
		cliopt_fail(&w.e);
		return STATUS_USAGE;
	}
	if (watch_signals() == -1) {
		fprintf(stderr, "aiosift: watch: signals: %s\n",
		    strerror(errno));
		return STATUS_INPUT;
	}
	if (fmt == OUTPUT_TABLE) {
		w.cols = watch_table;
		w.ncols = sizeof(watch_table) / sizeof(watch_table[0]);
	} else {
		w.cols = watch_ndjson;
		w.ncols = sizeof(watch_ndjson) / sizeof(watch_ndjson[0]);
	}
	{
		struct output_col	*cols = xcalloc(w.ncols, sizeof(*cols));
		size_t			 k;

		for (k = 0; k < w.ncols; k++)
			cols[k] = w.cols[k].col;
		flags = OUTPUT_STREAM | (local ? OUTPUT_LOCAL : 0) |
		    (output_color(stdout, color) ? OUTPUT_COLOR : 0);
		w.out = output_new(stdout, fmt, cols, w.ncols, flags,
		    fmt == OUTPUT_TABLE ? output_term_width(stdout) : 0);
		if ((w.s = store_open(store_path(db), STORE_CHECKPOINT_THREAD,
		    &w.e)) == NULL ||
		    (w.in = ingest_open(w.s, &o, &st, watch_warn, &w, &w.e)) ==
		    NULL || watch_prepare(&w, &w.e) == -1 ||
		    (w.fl = follow_new(argv + optind, (size_t)(argc - optind),
		    !poll, &w.e)) == NULL) {
			cliopt_fail(&w.e);
			status = w.e.status;
		} else {
			if (!w.quiet && follow_nfiles(w.fl) == 0)
				fputs("aiosift: note: no log files there yet; "
				    "waiting for them\n", stderr);
			if (watch_loop(&w, poll ? poll_us / 1000 :
			    WATCH_TICK_MS, &w.e) == -1 ||
			    watch_last_pass(&w, &w.e) == -1) {
				cliopt_fail(&w.e);
				status = w.e.status;
			}
			if (output_end(w.out, &w.e) == -1 && status == 0)
				status = w.e.status;
			if (!w.quiet)
				fprintf(stderr, "aiosift: watch: %s; %zu "
				    "file%s in %zu set%s, %.1f MB, %lld "
				    "records, %lld finding%s printed, %lld "
				    "stall%s in progress shown\n",
				    watch_signal == SIGTERM ? "SIGTERM" :
				    watch_signal == SIGINT ? "SIGINT" :
				    "stopped", follow_nfiles(w.fl),
				    follow_nfiles(w.fl) == 1 ? "" : "s",
				    follow_nsets(w.fl),
				    follow_nsets(w.fl) == 1 ? "" : "s",
				    (double)st.bytes / 1e6,
				    (long long)st.records,
				    (long long)w.printed,
				    w.printed == 1 ? "" : "s",
				    (long long)w.in_progress_n,
				    w.in_progress_n == 1 ? "" : "s");
		}
		follow_free(w.fl);
		sqlite3_finalize(w.sel_new);
		sqlite3_finalize(w.in_progress);
		ingest_close(w.in);
		store_close(w.s);
		output_free(w.out);
		free(cols);
	}
	for (size_t k = 0; k < w.nstreams; k++)
		free(w.streams[k].set_path);
	free(w.streams);
	close(watch_pipe[0]);
	close(watch_pipe[1]);
	watch_pipe[0] = watch_pipe[1] = -1;
	return status;
}
