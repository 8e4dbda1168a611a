/*
 * cmd_postmortem: `aiosift postmortem --incident N` or `--at TIME`: the
 * incident's summary, then every stored record of the affected sources
 * around it, in time order, tracebacks whole, each finding printed under
 * the record it was found in, and the silences between records shown
 * where they stand out. What is stored around a finding is ingest's
 * choice (--keep context or all); this only reads.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliopt.h"
#include "cli/commands.h"
#include "common/duration.h"
#include "common/err.h"
#include "common/escape.h"
#include "common/record.h"
#include "common/severity.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "query/filter.h"
#include "query/output.h"
#include "query/qdb.h"

#define S_US		INT64_C(1000000)
#define GAP_FLOOR_US	S_US		/* a silence is at least 1 s */
#define GAP_MEDIANS	5		/* and this many median gaps */
#define GAP_SAMPLE	(1 << 20)	/* gaps the median is taken from */
#define INCIDENT_MARGIN	(60 * S_US)	/* default --window, --incident */
#define AT_WINDOW	(5 * 60 * S_US)	/* default --window, --at */
#define PM_ALL_TIME	INT64_MIN	/* lo of a walk with no time bound */

static const char usage_line[] = "usage: aiosift postmortem --incident N "
    "[--window DURATION] [--db FILE]\n"
    "       aiosift postmortem --at TIME [--window DURATION] "
    "[--source PATH] [--db FILE]\n";

static const char help_text[] =
    "Walk one incident, or one moment, record by record: every stored\n"
    "record of the affected log files around it in time order, tracebacks\n"
    "whole, findings marked under their record, and silences in the\n"
    "stream (\"\xe2\x80\x94 4.2 s of silence \xe2\x80\x94\") where a gap is longer\n"
    "than 1 s and 5 times the usual gap.\n"
    "\n"
    "Options:\n"
    "  --incident N      the incident (see aiosift query incidents); the\n"
    "                    records from --window before its first finding\n"
    "                    to --window after its last (default 1m)\n"
    "  --at TIME         a moment: 2026-11-24 18:01:22, 18:01, 2h (ago);\n"
    "                    the records --window either side (default 5m)\n"
    "  --window DUR      90s, 10m, 1h\n"
    "  --source PATH     with --at: only this log file or rotation set\n"
    "  --color WHEN      auto (default), always, never\n"
    "  --local           times in the local zone (default UTC)\n"
    "  --db FILE         the database (default $AIOSIFT_DB, ./aiosift.db)\n"
    "\n"
    "Only records ingest kept are shown: with --keep context (the default)\n"
    "those around each finding, with --keep all every one; where lines of\n"
    "a file between two records shown were not kept, a line says so:\n"
    "\"\xe2\x80\xa6 50 lines not stored (app.log lines 195\xe2\x80\x93" "244) \xe2\x80\xa6\"\n"
    "\n"
    "Examples:\n"
    "  aiosift postmortem --incident 3\n"
    "  aiosift postmortem --incident 3 --window 10m | less -R\n"
    "  aiosift postmortem --at '2026-11-24 18:03' --window 2m --source app.log\n"
    "\n"
    "Exit status: 0 ok, 2 usage error or no such incident, 4 database "
    "error.\n";

struct popts {
	const char	*db;
	const char	*source;
	const char	*color;
	int64_t		 incident;
	int64_t		 at_us;
	int64_t		 window_us;
	bool		 local;
	bool		 color_on;
	int64_t		 src[FILTER_MAXBINDS / 2];	/* the incident's */
	size_t		 nsrc;				/* sources */
	bool		 src_many;	/* too many to list: a subquery */
};

/* What the walk prints between records. */
struct walk {
	FILE		*f;
	const struct popts *o;
	sqlite3_stmt	*per_record;	/* findings of one record */
	sqlite3_stmt	*orphans;	/* findings with no record shown */
	bool		 orphan_row;	/* orphans holds an unprinted row */
	int64_t		 gap_us;	/* silence threshold */
	int64_t		 last_us;	/* time of the last record printed */
	int64_t		 nrecords, nfindings;
	/* per source, the line after the last record printed: where a
	 * record starts further on, the lines between were not stored */
	int64_t		*next_src, *next_line;
	size_t		 nnext, capnext;
};

static const struct cliopt_cmd pm_cmd = { "postmortem", usage_line,
    help_text };

static int
pm_usage(const char *why)
{
	return cliopt_usage(pm_cmd.name, pm_cmd.usage, why);
}

/* 0, an exit status, or -1 after --help. */
static int
pm_parse(int argc, char *argv[], struct popts *o)
{
	enum { O_INCIDENT = 256, O_AT, O_WINDOW, O_SOURCE };
	static const struct option longopts[] = {
		{ "incident", required_argument, NULL, O_INCIDENT },
		{ "at", required_argument, NULL, O_AT },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "source", required_argument, NULL, O_SOURCE },
		CLIOPT_LONG_DB, CLIOPT_LONG_COLOR, CLIOPT_LONG_LOCAL,
		CLIOPT_LONG_HELP,
		{ NULL, 0, NULL, 0 },
	};
	const struct cliopt_shared sh = { &o->db, &o->color, &o->local };
	struct err	 e;
	char		*end;
	const char	*at = NULL;
	int		 c, rc;

	o->incident = -1;
	o->at_us = TS_NONE;
	o->window_us = -1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case O_INCIDENT:
			o->incident = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->incident < 0)
				return pm_usage("--incident: a number, as "
				    "aiosift query incidents shows");
			break;
		case O_AT:
			at = optarg;
			break;
		case O_WINDOW:
			if (duration_parse(optarg, false, &o->window_us,
			    &e) == -1)
				return cliopt_bad_value(&pm_cmd, "window",
				    e.msg);
			break;
		case O_SOURCE:
			o->source = optarg;
			break;
		default:
			if ((rc = cliopt_take(&pm_cmd, c, argv, &sh)) != 0)
				return rc;
			break;
		}
	}
	if (optind < argc)
		return pm_usage("no arguments, only options");
	/* read in the zone the output shows */
	if (at != NULL && (rc = cliopt_time(&pm_cmd, "at", at,
	    timefmt_now_us(), o->local, &o->at_us)) != 0)
		return rc;
	if ((o->incident >= 0) == (o->at_us != TS_NONE))
		return pm_usage("give --incident N or --at TIME");
	if (o->source != NULL && o->incident >= 0)
		return pm_usage("--source is for --at: an incident names its "
		    "sources");
	if (o->window_us < 0)
		o->window_us = o->incident >= 0 ? INCIDENT_MARGIN : AT_WINDOW;
	return 0;
}

static void
pm_time(FILE *f, int64_t us, bool local, bool date)
{
	char	buf[40];

	if (us == TS_NONE) {
		fprintf(f, "%-*s", date ? 1 : 12, "-");
		return;
	}
	output_time(us, local, buf);
	fputs(date ? buf : buf + 11, f);
}

static void
pm_put(FILE *f, const char *s)
{
	escape_terminal(f, s, strlen(s));
}

/* The source restriction of the walk, appended to q: the incident's
 * sources, or --source, or nothing. col comes with a unary + so that
 * SQLite walks the time index rather than all of a source's records. */
static void
pm_sources(struct filter_sql *q, const struct popts *o, const char *col)
{
	static const struct filter_cols	 c = {
		.path = "s.path", .set_path = "s.set_path",
	};
	struct filter			 f;

	size_t				 i;

	if (o->incident >= 0 && !o->src_many) {
		filter_sql_add(q, " AND ");
		filter_sql_add(q, col);
		filter_sql_add(q, " IN (");
		for (i = 0; i < o->nsrc; i++) {
			if (i > 0)
				filter_sql_add(q, ", ");
			filter_sql_int(q, o->src[i]);
		}
		filter_sql_add(q, ")");
	} else if (o->incident >= 0) {
		filter_sql_add(q, " AND ");
		filter_sql_add(q, col);
		filter_sql_add(q, " IN (SELECT source_id FROM findings WHERE "
		    "incident_id = ");
		filter_sql_int(q, o->incident);
		filter_sql_add(q, ")");
	} else if (o->source != NULL) {
		filter_init(&f);
		f.source = o->source;
		filter_sql_add(q, " AND ");
		filter_sql_add(q, col);
		filter_sql_add(q, " IN (SELECT s.id FROM sources s WHERE 1");
		filter_where(&f, &c, q);
		filter_sql_add(q, ")");
	}
}

/* Print the incident's header and set the window; -1 with *e when there
 * is no such incident. */
/* The incident's sources into o->src, once: every query of the walk
 * then names them rather than searching the findings again. */
static int
pm_incident_sources(struct store *s, struct popts *o, struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	if (sqlite3_prepare_v2(store_db(s), "SELECT DISTINCT source_id FROM "
	    "findings WHERE incident_id = ?", -1, &st, NULL) != SQLITE_OK)
		return store_err(s, e, "incident");
	sqlite3_bind_int64(st, 1, o->incident);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (o->nsrc == sizeof(o->src) / sizeof(o->src[0])) {
			o->src_many = true;
			continue;
		}
		o->src[o->nsrc++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_err(s, e, "incident");
	return 0;
}

static int
pm_incident(struct store *s, struct popts *o, int64_t *lo, int64_t *hi,
    struct err *e)
{
	sqlite3_stmt	*st = NULL;
	const char	*txt;
	char		 zone[16];
	int64_t		 first, last;
	int		 rc = -1, i;
	static const char *const labels[] = { "kinds", "task", "coro" };

	if (sqlite3_prepare_v2(store_db(s), "SELECT first_us, last_us, "
	    "severity, count, kinds, task, coro, summary FROM incidents "
	    "WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		store_err(s, e, "incident");
		goto out;
	}
	sqlite3_bind_int64(st, 1, o->incident);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			err_set(e, STATUS_USAGE, "postmortem: no incident %lld "
			    "in %s", (long long)o->incident,
			    store_filename(s));
		else
			store_err(s, e, "incident");
		rc = -1;
		goto out;
	}
	first = sqlite3_column_type(st, 0) == SQLITE_NULL ? TS_NONE :
	    sqlite3_column_int64(st, 0);
	last = sqlite3_column_type(st, 1) == SQLITE_NULL ? first :
	    sqlite3_column_int64(st, 1);
	fprintf(stdout, "Incident #%lld: %s, %lld finding%s, ",
	    (long long)o->incident, severity_name(sqlite3_column_int(st, 2)),
	    (long long)sqlite3_column_int64(st, 3),
	    sqlite3_column_int64(st, 3) == 1 ? "" : "s");
	if (first == TS_NONE)
		fputs("time unknown\n", stdout);
	else {
		pm_time(stdout, first, o->local, true);
		fputs(" to ", stdout);
		pm_time(stdout, last, o->local, true);
		fprintf(stdout, " %s\n", output_zone(last, o->local, zone));
	}
	for (i = 0; i < 3; i++)
		if ((txt = (const char *)sqlite3_column_text(st, 4 + i)) !=
		    NULL) {
			fprintf(stdout, "  %-6s ", labels[i]);
			pm_put(stdout, txt);
			fputc('\n', stdout);
		}
	if ((txt = (const char *)sqlite3_column_text(st, 7)) != NULL) {
		fputs("  ", stdout);
		pm_put(stdout, txt);
		fputc('\n', stdout);
	}
	if (pm_incident_sources(s, o, e) == -1) {
		rc = -1;
		goto out;
	}
	if (first == TS_NONE) {
		/* no time: the window is the whole of its sources */
		*lo = PM_ALL_TIME;
		*hi = INT64_MAX;
	} else {
		*lo = first - o->window_us;
		*hi = last + o->window_us + 1;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* Append " AND col in [lo, hi)", or nothing when the walk has no time
 * (an incident whose findings have none: all of its sources' records). */
static void
pm_range(struct filter_sql *q, const char *col, int64_t lo, int64_t hi)
{
	if (lo == PM_ALL_TIME)
		return;
	filter_sql_add(q, " AND ");
	filter_sql_add(q, col);
	filter_sql_add(q, " >= ");
	filter_sql_int(q, lo);
	filter_sql_add(q, " AND ");
	filter_sql_add(q, col);
	filter_sql_add(q, " < ");
	filter_sql_int(q, hi);
}

/* FROM the records that may lie in [lo, hi): those of the record spans
 * (the sparse time index) whose times meet it; "r" names them. */
static void
pm_records_from(struct filter_sql *q, int64_t lo, int64_t hi)
{
	if (lo == PM_ALL_TIME) {
		filter_sql_add(q, " FROM records r");
		return;
	}
	filter_sql_add(q, " FROM record_spans b CROSS JOIN records r ON "
	    "r.id BETWEEN b.first_id AND b.last_id AND b.max_us >= ");
	filter_sql_int(q, lo);
	filter_sql_add(q, " AND b.min_us < ");
	filter_sql_int(q, hi);
}

static int
pm_cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The silence threshold: GAP_MEDIANS times the median gap between the
 * records of the window, and at least GAP_FLOOR_US. */
static int
pm_threshold(struct store *s, const struct popts *o, int64_t lo, int64_t hi,
    int64_t *gap, struct err *e)
{
	struct filter_sql	 q;
	sqlite3_stmt		*st = NULL;
	int64_t			*v = NULL, prev = TS_NONE, t;
	size_t			 n = 0, cap = 0;
	int			 rc;

	*gap = GAP_FLOOR_US;
	filter_sql_init(&q);
	filter_sql_add(&q, "SELECT r.ts_us");
	pm_records_from(&q, lo, hi);
	filter_sql_add(&q, " WHERE r.ts_us IS NOT NULL");
	pm_range(&q, "r.ts_us", lo, hi);
	pm_sources(&q, o, "+r.source_id");
	filter_sql_add(&q, " ORDER BY r.ts_us");
	rc = filter_sql_prepare(&q, store_db(s), store_filename(s), &st, e);
	filter_sql_release(&q);
	if (rc == -1)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < GAP_SAMPLE) {
		t = sqlite3_column_int64(st, 0);
		if (prev != TS_NONE) {
			v = xgrow(v, &cap, n + 1, sizeof(*v));
			v[n++] = t - prev;
		}
		prev = t;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_err(s, e, "records");
		sqlite3_finalize(st);
		free(v);
		return -1;
	}
	sqlite3_finalize(st);
	if (n > 0) {
		qsort(v, n, sizeof(*v), pm_cmp64);
		if (v[n / 2] * GAP_MEDIANS > *gap)
			*gap = v[n / 2] * GAP_MEDIANS;
	}
	free(v);
	return 0;
}

/* One finding line from st's columns: kind, severity, task, coro,
 * exception, location, duration_us, incident_id, message, ts_us. */
static void
pm_finding(struct walk *w, sqlite3_stmt *st, bool with_time)
{
	static const char *const labels[] = { "task", "coro", NULL, "at" };
	const char	*txt;
	int		 sev = sqlite3_column_int(st, 1), i;
	char		 buf[32];

	if (w->o->color_on)
		fputs(sev >= SEV_ERROR ? "\033[1;31m" : sev == SEV_WARNING ?
		    "\033[1;33m" : "\033[1;36m", w->f);
	fputs("  >>> ", w->f);
	if (with_time) {
		pm_time(w->f, sqlite3_column_type(st, 9) == SQLITE_NULL ?
		    TS_NONE : sqlite3_column_int64(st, 9), w->o->local, false);
		fputc(' ', w->f);
	}
	pm_put(w->f, (const char *)sqlite3_column_text(st, 0));
	fprintf(w->f, " (%s)", severity_name(sev));
	for (i = 0; i < 4; i++) {
		if ((txt = (const char *)sqlite3_column_text(st, 2 + i)) ==
		    NULL)
			continue;
		fputs(", ", w->f);
		if (labels[i] != NULL)
			fprintf(w->f, "%s ", labels[i]);
		pm_put(w->f, txt);
	}
	if (sqlite3_column_type(st, 6) != SQLITE_NULL)
		fprintf(w->f, ", %s s", output_seconds(
		    sqlite3_column_int64(st, 6), buf));
	if (sqlite3_column_type(st, 7) != SQLITE_NULL)
		fprintf(w->f, ", incident %lld",
		    (long long)sqlite3_column_int64(st, 7));
	if ((txt = (const char *)sqlite3_column_text(st, 8)) != NULL) {
		fputs(": ", w->f);
		pm_put(w->f, txt);
	}
	if (w->o->color_on)
		fputs("\033[0m", w->f);
	fputc('\n', w->f);
	w->nfindings++;
}

/* Print the findings with no record in the walk that come before t
 * (all that are left for INT64_MAX); those without a time come first. */
static int
pm_orphans_before(struct walk *w, int64_t t, struct store *s, struct err *e)
{
	int	rc;

	while (w->orphan_row) {
		if (sqlite3_column_type(w->orphans, 9) != SQLITE_NULL &&
		    sqlite3_column_int64(w->orphans, 9) >= t)
			return 0;
		pm_finding(w, w->orphans, true);
		rc = sqlite3_step(w->orphans);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return store_err(s, e, "findings");
		w->orphan_row = rc == SQLITE_ROW;
	}
	return 0;
}

/* Before a record of source src at line (nlines long): "… 15 lines not
 * stored (app.log lines 56–70) …" when the walk's last record of that
 * source ended before it; then remember where this one ends. */
static void
pm_hole(struct walk *w, int64_t src, int64_t line, int64_t nlines,
    const char *base)
{
	size_t	i;

	for (i = 0; i < w->nnext && w->next_src[i] != src; i++)
		;
	if (i == w->nnext) {
		w->next_src = xgrow(w->next_src, &w->capnext, w->nnext + 1,
		    sizeof(*w->next_src));
		w->next_line = xrealloc(w->next_line, w->capnext *
		    sizeof(*w->next_line));
		w->next_src[i] = src;
		w->next_line[i] = line;
		w->nnext++;
	}
	if (line > w->next_line[i]) {
		fprintf(w->f, "%14s\xe2\x80\xa6 %lld line%s not stored (", "",
		    (long long)(line - w->next_line[i]),
		    line - w->next_line[i] == 1 ? "" : "s");
		escape_terminal(w->f, base, strlen(base));
		if (line - w->next_line[i] == 1)
			fprintf(w->f, " line %lld) \xe2\x80\xa6\n",
			    (long long)w->next_line[i]);
		else
			fprintf(w->f, " lines %lld\xe2\x80\x93%lld) "
			    "\xe2\x80\xa6\n", (long long)w->next_line[i],
			    (long long)(line - 1));
	}
	if (line + nlines > w->next_line[i])
		w->next_line[i] = line + nlines;
}

/* One record: the time, where, its text with continuation lines
 * indented, then its findings. */
static int
pm_record(struct walk *w, sqlite3_stmt *st, struct store *s, struct err *e)
{
	const char	*text = (const char *)sqlite3_column_text(st, 5);
	const char	*path = (const char *)sqlite3_column_text(st, 3);
	const char	*base, *p, *nl;
	size_t		 n = (size_t)sqlite3_column_bytes(st, 5);
	int64_t		 ts = sqlite3_column_type(st, 1) == SQLITE_NULL ?
			    TS_NONE : sqlite3_column_int64(st, 1);
	int		 width, rc;
	char		 gap[32];

	if (w->last_us != TS_NONE && ts != TS_NONE &&
	    ts - w->last_us > w->gap_us)
		fprintf(w->f, "%14s\xe2\x80\x94 %s s of silence \xe2\x80\x94\n", "",
		    output_seconds((ts - w->last_us) / 100000 * 100000, gap));
	if (ts != TS_NONE)
		w->last_us = ts;
	base = path ? strrchr(path, '/') : NULL;
	base = base ? base + 1 : path ? path : "?";
	pm_hole(w, sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 4),
	    sqlite3_column_int64(st, 6), base);
	pm_time(w->f, ts, w->o->local, false);
	fputs("  ", w->f);
	width = 14;
	escape_terminal(w->f, base, strlen(base));
	width += (int)escape_width(base, strlen(base)) + 1;
	fputc(':', w->f);
	width += fprintf(w->f, "%lld", (long long)sqlite3_column_int64(st,
	    4)) + 2;
	fputs("  ", w->f);
	for (p = text ? text : ""; ; p = nl + 1) {
		nl = memchr(p, '\n', n - (size_t)(p - (text ? text : "")));
		if (p != text)
			fprintf(w->f, "%*s", width, "");
		escape_terminal_flags(w->f, p, nl ? (size_t)(nl - p) :
		    n - (size_t)(p - (text ? text : "")), ESCAPE_NEWLINES);
		fputc('\n', w->f);
		if (nl == NULL)
			break;
	}
	w->nrecords++;
	sqlite3_reset(w->per_record);
	sqlite3_bind_int64(w->per_record, 1, sqlite3_column_int64(st, 0));
	while ((rc = sqlite3_step(w->per_record)) == SQLITE_ROW)
		pm_finding(w, w->per_record, false);
	if (rc != SQLITE_DONE)
		return store_err(s, e, "findings");
	return 0;
}

#define PM_FINDING_COLS	"f.kind, f.severity, f.task, f.coro, f.exception, " \
	"f.location, f.duration_us, f.incident_id, f.message, f.ts_us"

static int
pm_walk(struct store *s, const struct popts *o, int64_t lo, int64_t hi,
    struct err *e)
{
	struct filter_sql	 q;
	struct walk		 w;
	sqlite3_stmt		*st = NULL;
	int			 rc = -1, step;

	memset(&w, 0, sizeof(w));
	w.f = stdout;
	w.o = o;
	w.last_us = TS_NONE;
	if (pm_threshold(s, o, lo, hi, &w.gap_us, e) == -1)
		return -1;
	if (sqlite3_prepare_v2(store_db(s), "SELECT " PM_FINDING_COLS
	    " FROM findings f WHERE f.record_id = ? ORDER BY f.id", -1,
	    &w.per_record, NULL) != SQLITE_OK) {
		store_err(s, e, "findings");
		goto out;
	}
	/* findings whose record is not in the walk: gaps, records not kept */
	filter_sql_init(&q);
	filter_sql_add(&q, "SELECT " PM_FINDING_COLS " FROM findings f WHERE 1");
	pm_range(&q, "f.ts_us", lo, hi);
	pm_sources(&q, o, "+f.source_id");
	filter_sql_add(&q, " AND NOT EXISTS (SELECT 1 FROM records r WHERE "
	    "r.id = f.record_id");
	pm_range(&q, "r.ts_us", lo, hi);
	filter_sql_add(&q, ") ORDER BY f.ts_us, f.id");
	step = filter_sql_prepare(&q, store_db(s), store_filename(s),
	    &w.orphans, e);
	filter_sql_release(&q);
	if (step == -1)
		goto out;
	step = sqlite3_step(w.orphans);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		store_err(s, e, "findings");
		goto out;
	}
	w.orphan_row = step == SQLITE_ROW;

	filter_sql_init(&q);
	filter_sql_add(&q, "SELECT r.id, r.ts_us, r.source_id, s.path, "
	    "r.line, r.text, r.nlines");
	pm_records_from(&q, lo, hi);
	filter_sql_add(&q, " JOIN sources s ON s.id = r.source_id WHERE 1");
	pm_range(&q, "r.ts_us", lo, hi);
	pm_sources(&q, o, "+r.source_id");
	filter_sql_add(&q, " ORDER BY r.ts_us, r.source_id, r.offset");
	step = filter_sql_prepare(&q, store_db(s), store_filename(s), &st, e);
	filter_sql_release(&q);
	if (step == -1)
		goto out;
	fputc('\n', stdout);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (pm_orphans_before(&w, sqlite3_column_int64(st, 1), s,
		    e) == -1 || pm_record(&w, st, s, e) == -1)
			goto out;
	}
	if (step != SQLITE_DONE) {
		store_err(s, e, "records");
		goto out;
	}
	if (pm_orphans_before(&w, INT64_MAX, s, e) == -1)
		goto out;
	fprintf(stdout, "\n%lld record%s, %lld finding%s", (long long)
	    w.nrecords, w.nrecords == 1 ? "" : "s", (long long)w.nfindings,
	    w.nfindings == 1 ? "" : "s");
	if (w.nrecords == 0)
		fputs(" (no records stored for this window: ingest keeps "
		    "those around findings with --keep context, all with "
		    "--keep all)", stdout);
	fputc('\n', stdout);
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_finalize(w.per_record);
	sqlite3_finalize(w.orphans);
	free(w.next_src);
	free(w.next_line);
	return rc;
}

int
cmd_postmortem(int argc, char *argv[])
{
	struct popts	 o;
	struct store	*s = NULL;
	struct err	 e;
	int64_t		 lo, hi;
	int		 st;
	char		 buf[32], buf2[32], zone[16];

	memset(&o, 0, sizeof(o));
	err_clear(&e);
	if ((st = pm_parse(argc, argv, &o)) != 0)
		return st < 0 ? STATUS_OK : st;
	o.color_on = output_color(stdout, o.color);
	if ((s = qdb_open(store_path(o.db), false, NULL, &e)) == NULL)
		goto fail;
	if (o.incident >= 0) {
		if (pm_incident(s, &o, &lo, &hi, &e) == -1)
			goto fail;
		if (lo == PM_ALL_TIME)
			fputs("All the records of its sources\n", stdout);
		else
			fprintf(stdout, "Records from %s s before to %s s "
			    "after\n", output_seconds(o.window_us, buf),
			    output_seconds(o.window_us, buf2));
	} else {
		lo = o.at_us - o.window_us;
		hi = o.at_us + o.window_us + 1;
		fputs("Around ", stdout);
		pm_time(stdout, o.at_us, o.local, true);
		fprintf(stdout, " %s, %s s either side", output_zone(o.at_us,
		    o.local, zone),
		    output_seconds(o.window_us, buf));
		if (o.source != NULL) {
			fputs(", source ", stdout);
			pm_put(stdout, o.source);
		}
		fputc('\n', stdout);
	}
	if (pm_walk(s, &o, lo, hi, &e) == -1)
		goto fail;
	store_close(s);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		err_set(&e, STATUS_INPUT, "output: write failed");
		cliopt_fail(&e);
		return STATUS_INPUT;
	}
	return STATUS_OK;
fail:
	cliopt_fail(&e);
	store_close(s);
	return e.status;
}
