/*
 * cmd_query: `aiosift query WHAT`: findings, incidents, stalls, tasks,
 * top, timeline, and read-only sql. Options become a struct filter and
 * an output format; each WHAT is one SELECT built from its columns and
 * the filters, with every user value bound. Writing rows is output's.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliopt.h"
#include "cli/cmd_fquery.h"
#include "cli/commands.h"
#include "common/err.h"
#include "common/escape.h"
#include "common/kinds.h"
#include "common/record.h"
#include "common/severity.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "query/filter.h"
#include "query/output.h"
#include "query/qdb.h"
#include "rules/ruleset.h"

#define SQL_MAX		(1 << 20)	/* longest query sql text read */
#define TOP_DEFAULT	10

static const char usage_line[] = "usage: aiosift query "
    "findings|incidents|stalls|tasks|top|timeline|sql [OPTION]... [SQL]\n";

static const char help_text[] =
    "Answer questions from the database.\n"
    "\n"
    "What:\n"
    "  findings    every finding, oldest first\n"
    "  incidents   findings grouped by task and time\n"
    "  stalls      event loop stalls, with their length\n"
    "  tasks       per task (its name in one stream and process): first\n"
    "              and last finding, findings by kind\n"
    "  top         the most frequent kinds, coroutines, exceptions and\n"
    "              locations (--by one of them, or task)\n"
    "  timeline    one task (--task NAME) or incident (--incident N):\n"
    "              its records and findings in time order\n"
    "  sql SQL     run one read-only SELECT (SQL \"-\": read it from stdin)\n"
    "\n"
    "Filters (all combine; a name with * ? [ is a glob):\n"
    "  --since TIME      from TIME on: 2026-11-24 18:01:22,\n"
    "                    2026-11-24T18:01:22Z, 18:01 (today), or now minus\n"
    "                    90s, 30m, 2h, 7d; zone-less times are UTC (local\n"
    "                    with --local); a finding with no time in the log\n"
    "                    by when it was stored\n"
    "  --until TIME      before TIME\n"
    "  --kind K[,K]...   never_awaited, never_retrieved, nested_run, stall,\n"
    "                    task_destroyed_pending, ... (an unknown kind is a\n"
    "                    usage error that lists them)\n"
    "  --severity S      at or above S: info, warning, error, critical\n"
    "  --task NAME       task name     --coro NAME   coroutine\n"
    "  --exception NAME  exception type\n"
    "  --source PATH     log file or rotation set (full path or its tail)\n"
    "  --incident N      one incident's findings\n"
    "  --limit N         the N most recent rows (top: per list; default 10),\n"
    "                    or the first N in --sort order\n"
    "  --sort KEY        findings, stalls: time (default), duration,\n"
    "                    severity; incidents: time, severity, count; tasks:\n"
    "                    count (default), time, name; largest first\n"
    "\n"
    "Output:\n"
    "  --format F        table (default), json, ndjson, csv\n"
    "  --color WHEN      auto (default: on a terminal, unless NO_COLOR),\n"
    "                    always, never\n"
    "  --local           times in the local zone, and --since/--until\n"
    "                    without a zone read in it (default UTC)\n"
    "  --db FILE         the database (default $AIOSIFT_DB, ./aiosift.db)\n"
    "\n"
    "NDJSON findings have the keys kind, rule, severity, ts (UTC,\n"
    "2026-11-24T18:01:22.770000Z, or null), task, coro, exception,\n"
    "location, duration_s, source, line, incident, message.\n"
    "\n"
    "Examples:\n"
    "  aiosift query findings --since 2h --kind never_retrieved\n"
    "  aiosift query findings --since 09:00 --severity error --format ndjson\n"
    "  aiosift query stalls --since 7d --source app.log\n"
    "  aiosift query stalls --sort duration --limit 1    # the longest\n"
    "  aiosift query timeline --task 'Task-8'\n"
    "  aiosift query top --by coro --limit 5\n"
    "  aiosift query sql 'SELECT kind, count(*) FROM findings GROUP BY 1'\n"
    "\n"
    "Exit status: 0 ok, 2 usage error, 4 database error.\n";

enum what {
	WHAT_FINDINGS, WHAT_INCIDENTS, WHAT_STALLS, WHAT_TASKS, WHAT_TOP,
	WHAT_TIMELINE, WHAT_SQL
};

static const char *const what_names[] = { "findings", "incidents",
    "stalls", "tasks", "top", "timeline", "sql" };

struct qopts {
	enum what		 what;
	struct filter		 f;
	enum output_format	 fmt;
	const char		*db;
	const char		*color;
	const char		*by;
	const char		*sort;		/* NULL: the question's default */
	const char		*sql;
	bool			 local;
	bool			 filtered;	/* some filter was given */
};

/* The finding columns, in the fixed NDJSON order. */
static const struct output_col findings_cols[] = {
	{ "f.kind", "kind", "KIND", OUTPUT_TEXT, 0 },
	{ "f.rule", "rule", NULL, OUTPUT_TEXT, 0 },
	{ "f.severity", "severity", "SEV", OUTPUT_SEVERITY, 0 },
	{ "f.ts_us", "ts", NULL, OUTPUT_TIME, 0 },
	{ "f.task", "task", "TASK", OUTPUT_TEXT, 0 },
	{ "f.coro", "coro", "CORO", OUTPUT_TEXT, 0 },
	{ "f.exception", "exception", "EXCEPTION", OUTPUT_TEXT, 0 },
	{ "f.location", "location", "LOCATION", OUTPUT_TEXT, 0 },
	{ "f.duration_us", "duration_s", NULL, OUTPUT_SECONDS, 0 },
	{ "s.path", "source", NULL, OUTPUT_TEXT, 0 },
	{ "f.line", "line", NULL, OUTPUT_INT, 0 },
	{ "f.incident_id", "incident", "INC", OUTPUT_INT, 0 },
	{ "f.message", "message", "MESSAGE", OUTPUT_TEXT, 0 },
};

/* The same for a table: time first, the longest text last; narrow
 * terminals leave out the incident first, then the location, the
 * exception, the source, the coroutine and the severity (the kind then
 * takes its colour): at 80 columns time, kind, task and message stay. */
static const struct output_col findings_table[] = {
	{ "f.ts_us", "ts", "TIME", OUTPUT_TIME, 0 },
	{ "f.severity", "severity", "SEV", OUTPUT_SEVERITY, 2 },
	{ "f.kind", "kind", "KIND", OUTPUT_TEXT, 0 },
	{ "f.task", "task", "TASK", OUTPUT_TEXT, 0 },
	{ "f.coro", "coro", "CORO", OUTPUT_TEXT, 3 },
	{ "f.exception", "exception", "EXCEPTION", OUTPUT_TEXT, 5 },
	{ "s.path", "source", "SOURCE", OUTPUT_PATH, 4 },
	{ "f.location", "location", "LOCATION", OUTPUT_TEXT, 6 },
	{ "f.incident_id", "incident", "INC", OUTPUT_INT, 7 },
	{ "f.message", "message", "MESSAGE", OUTPUT_TEXT, 0 },
};

static const struct output_col stalls_cols[] = {
	{ "f.ts_us", "ts", "TIME", OUTPUT_TIME, 0 },
	{ "f.duration_us", "duration_s", "SECONDS", OUTPUT_SECONDS, 0 },
	{ "f.severity", "severity", "SEV", OUTPUT_SEVERITY, 2 },
	{ "f.rule", "rule", NULL, OUTPUT_TEXT, 0 },
	{ "f.task", "task", "TASK", OUTPUT_TEXT, 0 },
	{ "f.coro", "coro", "CORO", OUTPUT_TEXT, 3 },
	{ "f.location", "location", "LOCATION", OUTPUT_TEXT, 5 },
	{ "s.path", "source", "SOURCE", OUTPUT_PATH, 4 },
	{ "f.line", "line", NULL, OUTPUT_INT, 0 },
	{ "f.incident_id", "incident", "INC", OUTPUT_INT, 6 },
	{ "f.message", "message", "MESSAGE", OUTPUT_TEXT, 0 },
};

static const struct output_col incidents_cols[] = {
	{ "i.id", "id", "ID", OUTPUT_INT, 0 },
	{ "i.first_us", "first", "FIRST", OUTPUT_TIME, 0 },
	{ "i.last_us", "last", "LAST", OUTPUT_TIME, 2 },
	{ "i.severity", "severity", "SEV", OUTPUT_SEVERITY, 0 },
	{ "i.kinds", "kinds", "KINDS", OUTPUT_TEXT, 0 },
	{ "i.task", "task", "TASK", OUTPUT_TEXT, 0 },
	{ "i.coro", "coro", "CORO", OUTPUT_TEXT, 1 },
	{ "i.count", "count", "N", OUTPUT_INT, 0 },
	{ "i.summary", "summary", "SUMMARY", OUTPUT_TEXT, 0 },
};

/* A task is its name in one stream (rotation set) and process: Task-6
 * of two processes is two rows. */
static const struct output_col tasks_cols[] = {
	{ "k.task", "task", "TASK", OUTPUT_TEXT, 0 },
	{ "k.stream", "source", "SOURCE", OUTPUT_PATH, 3 },
	{ "k.pid", "pid", "PID", OUTPUT_INT, 4 },
	{ "first", "first", "FIRST", OUTPUT_TIME, 2 },
	{ "last", "last", "LAST", OUTPUT_TIME, 0 },
	{ "n", "findings", "N", OUTPUT_INT, 0 },
	{ "sev", "severity", "WORST", OUTPUT_SEVERITY, 0 },
	{ "kinds", "kinds", "KINDS", OUTPUT_TEXT, 0 },
	{ "coros", "coros", "COROUTINES", OUTPUT_TEXT, 1 },
};

static const struct output_col top_cols[] = {
	{ NULL, "by", "BY", OUTPUT_TEXT, 0 },
	{ NULL, "value", "VALUE", OUTPUT_TEXT, 0 },
	{ NULL, "count", "COUNT", OUTPUT_INT, 0 },
	{ NULL, "first", "FIRST", OUTPUT_TIME, 1 },
	{ NULL, "last", "LAST", OUTPUT_TIME, 0 },
	{ NULL, "severity", "WORST", OUTPUT_SEVERITY, 0 },
};

static const struct output_col timeline_cols[] = {
	{ "ts", "ts", "TIME", OUTPUT_TIME, 0 },
	{ "what", "what", "WHAT", OUTPUT_TEXT, 0 },
	{ "level", "level", "LEVEL", OUTPUT_TEXT, 0 },
	{ "name", "name", "KIND/LOGGER", OUTPUT_TEXT, 0 },
	{ "task", "task", "TASK", OUTPUT_TEXT, 1 },
	{ "source", "source", NULL, OUTPUT_TEXT, 0 },
	{ "line", "line", "LINE", OUTPUT_INT, 2 },
	{ "text", "text", "TEXT", OUTPUT_TEXT, 0 },
};

/* Findings and their sources: the columns every findings filter uses. */
static const struct filter_cols finding_filter = {
	.ts = "f.ts_us", .found = "f.fid",	/* no time: when stored */ .kind = "f.kind", .severity = "f.severity",
	.task = "f.task", .coro = "f.coro", .exception = "f.exception",
	.path = "s.path", .set_path = "s.set_path",
	.incident = "f.incident_id",
};

static void
query_select(struct filter_sql *q, const struct output_col *cols, size_t n)
{
	size_t	i;

	filter_sql_add(q, "SELECT ");
	for (i = 0; i < n; i++) {
		if (i > 0)
			filter_sql_add(q, ", ");
		filter_sql_add(q, cols[i].expr);
	}
}

/* Step st to its end, writing every row; 0 or -1 with *e. */
static int
query_rows(sqlite3 *db, const char *path, sqlite3_stmt *st,
    struct output *o, struct err *e)
{
	int	rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		output_row(o, st);
	if (rc != SQLITE_DONE)
		return err_set(e, STATUS_DB, "%s: %s", path,
		    sqlite3_errmsg(db));
	return 0;
}

/* Prepare q, write its rows through a new writer of cols. */
static int
query_run(struct store *s, struct filter_sql *q, const struct qopts *o,
    const struct output_col *cols, size_t ncols, struct err *e)
{
	sqlite3_stmt	*st = NULL;
	struct output	*out = NULL;
	int		 rc = -1, flags = 0;

	if (filter_sql_prepare(q, store_db(s), store_filename(s), &st,
	    e) == -1)
		goto out;
	if (output_color(stdout, o->color))
		flags |= OUTPUT_COLOR;
	if (o->local)
		flags |= OUTPUT_LOCAL;
	out = output_new(stdout, o->fmt, cols, ncols, flags,
	    output_term_width(stdout));
	if (query_rows(store_db(s), store_filename(s), st, out, e) == -1)
		goto out;
	rc = output_end(out, e);
out:
	output_free(out);
	sqlite3_finalize(st);
	return rc;
}

/* The valid --sort keys of each question, the default first. */
static const char *const sort_keys[][4] = {
	[WHAT_FINDINGS] = { "time", "duration", "severity", NULL },
	[WHAT_STALLS] = { "time", "duration", "severity", NULL },
	[WHAT_INCIDENTS] = { "time", "severity", "count", NULL },
	[WHAT_TASKS] = { "count", "time", "name", NULL },
};

/* Whether rows come in time order, the N most recent with --limit. */
static bool
query_by_time(const struct qopts *o)
{
	return o->sort == NULL || strcmp(o->sort, "time") == 0;
}

/* "ORDER BY key": all rows; with a limit, the most recent limit rows,
 * still oldest first (the caller wraps the query in an outer ORDER BY
 * o_ts, o_id). Sorted by --sort key (key_expr, largest first), the first
 * limit rows in that order. */
static void
query_order(struct filter_sql *q, const struct qopts *o, const char *ts,
    const char *id, const char *key_expr)
{
	if (!query_by_time(o)) {
		filter_sql_add(q, " ORDER BY ");
		filter_sql_add(q, key_expr);
		filter_sql_add(q, " DESC, ");
		filter_sql_add(q, ts);
		filter_sql_add(q, " DESC, ");
		filter_sql_add(q, id);
		if (o->f.limit > 0) {
			filter_sql_add(q, " LIMIT ");
			filter_sql_int(q, o->f.limit);
		}
		return;
	}
	filter_sql_add(q, " ORDER BY ");
	filter_sql_add(q, ts);
	filter_sql_add(q, o->f.limit > 0 ? " DESC, " : ", ");
	filter_sql_add(q, id);
	if (o->f.limit > 0) {
		filter_sql_add(q, " DESC LIMIT ");
		filter_sql_int(q, o->f.limit);
	}
}

static int
query_findings(struct store *s, const struct qopts *o, bool stalls,
    struct err *e)
{
	struct filter_sql		 q;
	const struct output_col		*cols;
	size_t				 n;
	int				 rc;

	if (stalls) {
		cols = stalls_cols;
		n = sizeof(stalls_cols) / sizeof(stalls_cols[0]);
	} else if (o->fmt == OUTPUT_TABLE) {
		cols = findings_table;
		n = sizeof(findings_table) / sizeof(findings_table[0]);
	} else {
		cols = findings_cols;
		n = sizeof(findings_cols) / sizeof(findings_cols[0]);
	}
	filter_sql_init(&q);
	if (o->f.limit > 0 && query_by_time(o))
		filter_sql_add(&q, "SELECT * FROM (");
	query_select(&q, cols, n);
	filter_sql_add(&q, ", f.ts_us AS o_ts, f.id AS o_id FROM findings f "
	    "JOIN sources s ON s.id = f.source_id WHERE 1");
	if (stalls)
		filter_sql_add(&q, " AND f.kind = '" KIND_STALL "'");
	filter_where(&o->f, &finding_filter, &q);
	query_order(&q, o, "f.ts_us", "f.id", o->sort != NULL &&
	    strcmp(o->sort, "duration") == 0 ? "f.duration_us" : "f.severity");
	if (o->f.limit > 0 && query_by_time(o))
		filter_sql_add(&q, ") ORDER BY o_ts, o_id");
	rc = query_run(s, &q, o, cols, n, e);
	filter_sql_release(&q);
	return rc;
}

static int
query_incidents(struct store *s, const struct qopts *o, struct err *e)
{
	static const struct filter_cols	 c = {
		.ts = "i.first_us", .ts_end = "i.last_us", .kinds = "i.kinds",
		.found = "i.uid",	/* no time: when its first was stored */
		.severity = "i.severity", .task = "i.task", .coro = "i.coro",
	};
	static const struct filter_cols	 fc = {
		.exception = "f.exception", .path = "s.path",
		.set_path = "s.set_path",
	};
	struct filter_sql	 q;
	size_t			 n = sizeof(incidents_cols) /
				    sizeof(incidents_cols[0]);
	int			 rc;

	filter_sql_init(&q);
	if (o->f.limit > 0 && query_by_time(o))
		filter_sql_add(&q, "SELECT * FROM (");
	query_select(&q, incidents_cols, n);
	filter_sql_add(&q, ", i.first_us AS o_ts, i.id AS o_id "
	    "FROM incidents i WHERE 1");
	filter_where(&o->f, &c, &q);
	if (o->f.incident >= 0) {
		filter_sql_add(&q, " AND i.id = ");
		filter_sql_int(&q, o->f.incident);
	}
	if (o->f.exception != NULL || o->f.source != NULL) {
		/* an incident matches when one of its findings does */
		filter_sql_add(&q, " AND EXISTS (SELECT 1 FROM findings f "
		    "JOIN sources s ON s.id = f.source_id WHERE "
		    "f.incident_id = i.id");
		filter_where(&o->f, &fc, &q);
		filter_sql_add(&q, ")");
	}
	query_order(&q, o, "i.first_us", "i.id", o->sort != NULL &&
	    strcmp(o->sort, "count") == 0 ? "i.count" : "i.severity");
	if (o->f.limit > 0 && query_by_time(o))
		filter_sql_add(&q, ") ORDER BY o_ts, o_id");
	rc = query_run(s, &q, o, incidents_cols, n, e);
	filter_sql_release(&q);
	return rc;
}

static int
query_tasks(struct store *s, const struct qopts *o, struct err *e)
{
	struct filter_sql	q;
	int			rc;

	filter_sql_init(&q);
	/* the findings that match, once; then per task and kind, then per
	 * task with its kinds and coroutines */
	filter_sql_add(&q, "WITH m AS MATERIALIZED (SELECT f.task AS task, "
	    "s.set_path AS stream, r.pid AS pid, f.kind AS kind, f.coro AS "
	    "coro, f.ts_us AS ts, f.severity AS sev FROM findings f JOIN "
	    "sources s ON s.id = f.source_id LEFT JOIN records r ON r.id = "
	    "f.record_id WHERE f.task IS NOT NULL");
	filter_where(&o->f, &finding_filter, &q);
	filter_sql_add(&q, "), k AS (SELECT task, stream, pid, kind, count(*) "
	    "AS n, min(ts) AS first, max(ts) AS last, max(sev) AS sev FROM m "
	    "GROUP BY task, stream, pid, kind ORDER BY task, stream, pid, n "
	    "DESC, kind), c AS (SELECT task, stream, pid, group_concat(coro, "
	    "',') AS coros FROM (SELECT DISTINCT task, stream, pid, coro FROM m "
	    "WHERE coro IS NOT NULL ORDER BY task, stream, pid, coro) GROUP BY "
	    "task, stream, pid) SELECT k.task, k.stream, k.pid, min(first) AS "
	    "first, max(last) AS last, sum(n) AS n, max(sev) AS sev, "
	    "group_concat(kind || ':' || n, ' ') AS kinds, c.coros AS coros "
	    "FROM k LEFT JOIN c ON c.task = k.task AND c.stream = k.stream AND "
	    "c.pid IS k.pid GROUP BY k.task, k.stream, k.pid ORDER BY ");
	filter_sql_add(&q, o->sort == NULL || strcmp(o->sort, "count") == 0 ?
	    "n DESC, last DESC" : strcmp(o->sort, "time") == 0 ?
	    "last DESC, n DESC" : "k.task, k.stream, k.pid");
	filter_sql_add(&q, ", k.task, k.stream, k.pid");
	if (o->f.limit > 0) {
		filter_sql_add(&q, " LIMIT ");
		filter_sql_int(&q, o->f.limit);
	}
	rc = query_run(s, &q, o, tasks_cols, sizeof(tasks_cols) /
	    sizeof(tasks_cols[0]), e);
	filter_sql_release(&q);
	return rc;
}

static int
query_top(struct store *s, const struct qopts *o, struct err *e)
{
	static const char *const dims[][2] = {
		{ "kind", "f.kind" }, { "coro", "f.coro" },
		{ "exception", "f.exception" }, { "location", "f.location" },
		{ "task", "f.task" },
	};
	struct filter_sql	 q;
	size_t			 i, ndims = 4;
	int			 rc = -1, flags = 0, which = -1;
	sqlite3_stmt		*st = NULL;
	struct output		*out = NULL;

	if (o->by != NULL) {
		for (i = 0; i < sizeof(dims) / sizeof(dims[0]); i++)
			if (strcmp(o->by, dims[i][0]) == 0)
				which = (int)i;
		if (which < 0) {
			return err_set(e, STATUS_USAGE, "query top: --by: "
			    "use kind, coro, exception, location or task");
		}
	}
	if (output_color(stdout, o->color))
		flags |= OUTPUT_COLOR;
	if (o->local)
		flags |= OUTPUT_LOCAL;
	out = output_new(stdout, o->fmt, top_cols, sizeof(top_cols) /
	    sizeof(top_cols[0]), flags, output_term_width(stdout));
	for (i = 0; i < ndims + 1; i++) {
		if (which >= 0 ? (int)i != which : i >= ndims)
			continue;
		filter_sql_init(&q);
		filter_sql_add(&q, "SELECT '");
		filter_sql_add(&q, dims[i][0]);
		filter_sql_add(&q, "', ");
		filter_sql_add(&q, dims[i][1]);
		filter_sql_add(&q, ", count(*) AS n, min(f.ts_us), "
		    "max(f.ts_us), max(f.severity) FROM findings f JOIN "
		    "sources s ON s.id = f.source_id WHERE ");
		filter_sql_add(&q, dims[i][1]);
		filter_sql_add(&q, " IS NOT NULL");
		filter_where(&o->f, &finding_filter, &q);
		filter_sql_add(&q, " GROUP BY 2 ORDER BY n DESC, 2 LIMIT ");
		filter_sql_int(&q, o->f.limit > 0 ? o->f.limit : TOP_DEFAULT);
		rc = filter_sql_prepare(&q, store_db(s), store_filename(s),
		    &st, e);
		filter_sql_release(&q);
		if (rc == -1 || (rc = query_rows(store_db(s),
		    store_filename(s), st, out, e)) == -1)
			goto out;
		sqlite3_finalize(st);
		st = NULL;
	}
	rc = output_end(out, e);
out:
	sqlite3_finalize(st);
	output_free(out);
	return rc;
}

static int
query_timeline(struct store *s, const struct qopts *o, struct err *e)
{
	static const struct filter_cols	 fc = {
		.ts = "f.ts_us", .path = "s.path", .set_path = "s.set_path",
	};
	static const struct filter_cols	 rc_cols = {
		.ts = "r.ts_us", .path = "s.path", .set_path = "s.set_path",
	};
	struct filter_sql	 q;
	struct filter		 f = o->f;
	int			 rc;

	/* what picks the rows is --task or --incident; the period and the
	 * source narrow them */
	f.task = NULL;
	f.incident = -1;
	filter_sql_init(&q);
	filter_sql_add(&q, "SELECT ts, what, level, name, task, source, "
	    "line, text FROM (SELECT f.ts_us AS ts, 'finding' AS what, "
	    "CASE f.severity WHEN 1 THEN 'info' WHEN 2 THEN 'warning' WHEN 3 "
	    "THEN 'error' ELSE 'critical' END AS level, f.kind AS name, "
	    "f.task AS task, s.path AS source, f.line AS line, f.message AS "
	    "text, 1 AS o_what, f.id AS o_id FROM findings f JOIN sources s "
	    "ON s.id = f.source_id WHERE ");
	if (o->f.incident >= 0) {
		filter_sql_add(&q, "f.incident_id = ");
		filter_sql_int(&q, o->f.incident);
	} else
		filter_match(&q, "f.task", o->f.task);
	filter_where(&f, &fc, &q);
	filter_sql_add(&q, " UNION ALL SELECT r.ts_us, 'record', r.level, "
	    "r.logger, r.task, s.path, r.line, r.text, 0, r.id FROM records r "
	    "JOIN sources s ON s.id = r.source_id WHERE (r.id IN (SELECT "
	    "record_id FROM findings WHERE ");
	if (o->f.incident >= 0) {
		filter_sql_add(&q, "incident_id = ");
		filter_sql_int(&q, o->f.incident);
		filter_sql_add(&q, ")");
	} else {
		filter_match(&q, "task", o->f.task);
		filter_sql_add(&q, ") OR ");
		filter_match(&q, "r.task", o->f.task);
	}
	filter_sql_add(&q, ")");
	filter_where(&f, &rc_cols, &q);
	filter_sql_add(&q, ") ORDER BY ts, o_what, o_id");
	rc = query_run(s, &q, o, timeline_cols, sizeof(timeline_cols) /
	    sizeof(timeline_cols[0]), e);
	filter_sql_release(&q);
	return rc;
}

/* The SQL text of `query sql`: the argument, or stdin for "-". */
static char *
query_sql_text(const char *arg, struct err *e)
{
	struct buf	b;
	char		chunk[8192];
	size_t		n;

	if (strcmp(arg, "-") != 0)
		return xstrdup(arg);
	buf_init(&b, SQL_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (!buf_add(&b, chunk, n)) {
			buf_release(&b);
			err_set(e, STATUS_USAGE, "query sql: the SQL on stdin "
			    "is longer than %d bytes", SQL_MAX);
			return NULL;
		}
	if (ferror(stdin)) {
		buf_release(&b);
		err_set(e, STATUS_INPUT, "query sql: <stdin>: read error");
		return NULL;
	}
	/* nothing read: an empty statement, which the caller refuses */
	return b.data != NULL ? b.data : xstrdup("");
}

static int
query_sql(struct store *s, const struct qopts *o, struct err *e)
{
	sqlite3		*db = store_db(s);
	sqlite3_stmt	*st = NULL, *more = NULL;
	struct output	*out = NULL;
	struct output_col *cols = NULL;
	const char	*tail;
	char		*text = NULL;
	int		 i, n, rc = -1, flags = 0, code;
	bool		 refused = false;

	if (qdb_guard(s, &refused, e) == -1)
		return -1;
	if ((text = query_sql_text(o->sql, e)) == NULL)
		return -1;
	if (sqlite3_prepare_v2(db, text, -1, &st, &tail) != SQLITE_OK) {
		code = sqlite3_errcode(db) & 0xff;
		if (code == SQLITE_AUTH || refused)
			err_set(e, STATUS_USAGE, "query sql: " QDB_REFUSED);
		else
			err_set(e, code == SQLITE_ERROR ? STATUS_USAGE :
			    STATUS_DB, "query sql: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (st == NULL) {
		err_set(e, STATUS_USAGE, "query sql: no statement");
		goto out;
	}
	if (sqlite3_prepare_v2(db, tail, -1, &more, NULL) != SQLITE_OK ||
	    more != NULL) {
		err_set(e, STATUS_USAGE, "query sql: one statement at a time");
		goto out;
	}
	if (!sqlite3_stmt_readonly(st)) {
		err_set(e, STATUS_USAGE, "query sql: " QDB_REFUSED);
		goto out;
	}
	n = sqlite3_column_count(st);
	cols = xcalloc((size_t)(n > 0 ? n : 1), sizeof(*cols));
	for (i = 0; i < n; i++) {
		cols[i].name = sqlite3_column_name(st, i);
		if (cols[i].name == NULL)
			cols[i].name = "?";
		cols[i].title = cols[i].name;
		cols[i].type = OUTPUT_AUTO;
	}
	if (output_color(stdout, o->color))
		flags |= OUTPUT_COLOR;
	out = output_new(stdout, o->fmt, cols, (size_t)n, flags,
	    output_term_width(stdout));
	while ((code = sqlite3_step(st)) == SQLITE_ROW)
		output_row(out, st);
	if (code != SQLITE_DONE) {
		code &= 0xff;
		if (code == SQLITE_AUTH || code == SQLITE_READONLY || refused)
			err_set(e, STATUS_USAGE, "query sql: " QDB_REFUSED);
		else
			err_set(e, code == SQLITE_ERROR ? STATUS_USAGE :
			    STATUS_DB, "query sql: %s", sqlite3_errmsg(db));
		goto out;
	}
	rc = output_end(out, e);
out:
	output_free(out);
	sqlite3_finalize(more);
	sqlite3_finalize(st);
	free(cols);
	free(text);
	return rc;
}

static const struct cliopt_cmd query_cmd = { "query", usage_line,
    help_text };

static int
query_usage(const char *why)
{
	return cliopt_usage(query_cmd.name, query_cmd.usage, why);
}

/* A number of at least min for option name; false after a message. */
static bool
query_number(const char *name, const char *s, int64_t min, int64_t *v)
{
	char		*end;
	long long	 n;

	n = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n < min) {
		fprintf(stderr, "aiosift: query: --%s: \"", name);
		escape_terminal(stderr, s, strlen(s));
		fprintf(stderr, "\": not a number of %lld or more\n",
		    (long long)min);
		return false;
	}
	*v = n;
	return true;
}

/* Whether kind k (n bytes) is one rules may give (rule_kinds: the
 * shipped rules' and any a rules file may name) or one stored in the
 * database (whatever wrote it): 1 or 0, or -1 with *e. */
static int
query_kind_known(struct store *s, const char *k, size_t n,
    struct err *e)
{
	sqlite3_stmt	*st = NULL;
	size_t		 i;
	int		 step;

	for (i = 0; rule_kinds[i] != NULL; i++)
		if (strlen(rule_kinds[i]) == n &&
		    strncmp(rule_kinds[i], k, n) == 0)
			return 1;
	if (sqlite3_prepare_v2(store_db(s), "SELECT 1 FROM findings WHERE "
	    "kind = ? LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return store_err(s, e, "kinds");
	sqlite3_bind_text(st, 1, k, (int)n, SQLITE_STATIC);
	step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_err(s, e, "kinds");
	return step == SQLITE_ROW;
}

/* Every kind of --kind is known; else a usage error listing the valid
 * ones (the rules' kinds and those stored). 0, STATUS_USAGE, or the
 * status of a database error, printed. */
static int
query_kinds_check(struct store *s, const struct qopts *o)
{
	sqlite3		*db = store_db(s);
	sqlite3_stmt	*st = NULL;
	const char	*p = o->f.kind, *comma, *k;
	struct err	 e;
	size_t		 n, i;
	int		 known;
	bool		 first = true;

	for (; p != NULL; p = comma ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == 0)
			continue;
		if ((known = query_kind_known(s, p, n, &e)) == -1)
			return cliopt_fail(&e);
		if (known)
			continue;
		fputs("aiosift: query: --kind: unknown kind \"", stderr);
		escape_terminal(stderr, p, n);
		fputs("\"; kinds are ", stderr);
		for (i = 0; rule_kinds[i] != NULL; i++)
			fprintf(stderr, "%s%s", i ? ", " : "", rule_kinds[i]);
		if (sqlite3_prepare_v2(db, "SELECT DISTINCT kind FROM findings "
		    "ORDER BY 1", -1, &st, NULL) != SQLITE_OK)
			known = SQLITE_ERROR;
		else
			while ((known = sqlite3_step(st)) == SQLITE_ROW) {
				k = (const char *)sqlite3_column_text(st, 0);
				if (k == NULL || rule_kind(k) != NULL)
					continue;
				fprintf(stderr, "%s", first ? ", and stored: " :
				    ", ");
				escape_terminal(stderr, k, strlen(k));
				first = false;
			}
		fputc('\n', stderr);
		if (known != SQLITE_DONE) {
			store_err(s, &e, "kinds");
			sqlite3_finalize(st);
			return cliopt_fail(&e);
		}
		sqlite3_finalize(st);
		return cliopt_usage(query_cmd.name, query_cmd.usage, NULL);
	}
	return 0;
}

/* --sort is one of the question's keys; else a usage error naming
 * them. */
static int
query_sort_check(const struct qopts *o)
{
	char	 why[256];
	size_t	 i, n;

	if (o->what != WHAT_FINDINGS && o->what != WHAT_STALLS &&
	    o->what != WHAT_INCIDENTS && o->what != WHAT_TASKS)
		return query_usage("--sort is for findings, stalls, incidents "
		    "and tasks");
	for (i = 0; sort_keys[o->what][i] != NULL; i++)
		if (strcmp(o->sort, sort_keys[o->what][i]) == 0)
			return 0;
	n = (size_t)snprintf(why, sizeof(why), "--sort: \"%s\" is not a key "
	    "of %s; use", o->sort, what_names[o->what]);
	for (i = 0; sort_keys[o->what][i] != NULL && n < sizeof(why); i++)
		n += (size_t)snprintf(why + n, sizeof(why) - n, "%s %s",
		    i == 0 ? "" : sort_keys[o->what][i + 1] == NULL ? " or" :
		    ",", sort_keys[o->what][i]);
	return query_usage(why);
}

/* Parse argv into *o: 0, or an exit status (-1 for --help done). */
static int
query_parse(int argc, char *argv[], struct qopts *o)
{
	enum { O_SINCE = 256, O_UNTIL, O_KIND, O_SEV, O_TASK, O_CORO, O_EXC,
	    O_SOURCE, O_INCIDENT, O_LIMIT, O_FORMAT, O_BY, O_SORT };
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "kind", required_argument, NULL, O_KIND },
		{ "severity", required_argument, NULL, O_SEV },
		{ "task", required_argument, NULL, O_TASK },
		{ "coro", required_argument, NULL, O_CORO },
		{ "exception", required_argument, NULL, O_EXC },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "incident", required_argument, NULL, O_INCIDENT },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "by", required_argument, NULL, O_BY },
		{ "sort", required_argument, NULL, O_SORT },
		CLIOPT_LONG_DB, CLIOPT_LONG_COLOR, CLIOPT_LONG_LOCAL,
		CLIOPT_LONG_HELP,
		{ NULL, 0, NULL, 0 },
	};
	const struct cliopt_shared sh = { &o->db, &o->color, &o->local };
	int64_t		 now = timefmt_now_us();
	const char	*since = NULL, *until = NULL;
	int		 c, rc;
	size_t		 i;
	bool		 found = false;

	filter_init(&o->f);
	o->fmt = OUTPUT_TABLE;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case O_SINCE:
			since = optarg;
			break;
		case O_UNTIL:
			until = optarg;
			break;
		case O_KIND:
			o->f.kind = optarg;
			break;
		case O_SEV:
			if (!severity_parse(optarg, &o->f.severity))
				return query_usage("--severity: use info, "
				    "warning, error or critical");
			break;
		case O_TASK:
			o->f.task = optarg;
			break;
		case O_CORO:
			o->f.coro = optarg;
			break;
		case O_EXC:
			o->f.exception = optarg;
			break;
		case O_SOURCE:
			o->f.source = optarg;
			break;
		case O_INCIDENT:
			if (!query_number("incident", optarg, 0,
			    &o->f.incident))
				return STATUS_USAGE;
			break;
		case O_LIMIT:
			if (!query_number("limit", optarg, 1, &o->f.limit))
				return STATUS_USAGE;
			break;
		case O_FORMAT:
			if (!output_format_parse(optarg, &o->fmt))
				return query_usage("--format: use table, "
				    "json, ndjson or csv");
			break;
		case O_BY:
			o->by = optarg;
			break;
		case O_SORT:
			o->sort = optarg;
			break;
		default:
			if ((rc = cliopt_take(&query_cmd, c, argv, &sh)) != 0)
				return rc;
			break;
		}
		if (c != O_FORMAT && c != CLIOPT_DB && c != CLIOPT_COLOR &&
		    c != CLIOPT_LOCAL && c != O_BY && c != O_LIMIT &&
		    c != O_SORT)
			o->filtered = true;
	}
	/* read in the zone the output shows */
	if (since != NULL && (rc = cliopt_time(&query_cmd, "since", since,
	    now, o->local, &o->f.since_us)) != 0)
		return rc;
	if (until != NULL && (rc = cliopt_time(&query_cmd, "until", until,
	    now, o->local, &o->f.until_us)) != 0)
		return rc;
	if (optind >= argc)
		return query_usage("what to query is missing");
	for (i = 0; i < sizeof(what_names) / sizeof(what_names[0]); i++)
		if (strcmp(argv[optind], what_names[i]) == 0) {
			o->what = (enum what)i;
			found = true;
		}
	if (!found) {
		fputs("aiosift: query: unknown question \"", stderr);
		escape_terminal(stderr, argv[optind], strlen(argv[optind]));
		fputs("\"\n", stderr);
		return query_usage(NULL);
	}
	optind++;
	if (o->what == WHAT_SQL) {
		if (optind >= argc)
			return query_usage("sql: the SQL is missing");
		o->sql = argv[optind++];
		if (o->filtered || o->f.limit > 0)
			return query_usage("sql: filters do not apply to sql");
	}
	if (optind < argc)
		return query_usage("too many arguments");
	if (o->what == WHAT_TIMELINE && (o->f.task == NULL) ==
	    (o->f.incident < 0))
		return query_usage("timeline: give --task NAME or "
		    "--incident N");
	if (o->by != NULL && o->what != WHAT_TOP)
		return query_usage("--by is for query top");
	if (o->sort != NULL && query_sort_check(o) != 0)
		return STATUS_USAGE;
	if (o->f.since_us != TS_NONE && o->f.until_us != TS_NONE &&
	    o->f.until_us <= o->f.since_us)
		return query_usage("--until must be after --since");
	return 0;
}

int
cmd_query(int argc, char *argv[])
{
	struct qopts	 o;
	struct store	*s = NULL;
	struct err	 e;
	int		 rc, st;

	if (fleet_wanted(argc, argv))	/* the fleet's, on ClickHouse */
		return fleet_query_cmd(argc, argv);
	memset(&o, 0, sizeof(o));
	err_clear(&e);
	if ((st = query_parse(argc, argv, &o)) != 0)
		return st < 0 ? STATUS_OK : st;
	if ((s = qdb_open(store_path(o.db), false, NULL, &e)) == NULL) {
		return cliopt_fail(&e);
	}
	if (o.f.kind != NULL && (st = query_kinds_check(s, &o)) != 0) {
		store_close(s);
		return st;
	}
	switch (o.what) {
	case WHAT_FINDINGS:
		rc = query_findings(s, &o, false, &e);
		break;
	case WHAT_STALLS:
		rc = query_findings(s, &o, true, &e);
		break;
	case WHAT_INCIDENTS:
		rc = query_incidents(s, &o, &e);
		break;
	case WHAT_TASKS:
		rc = query_tasks(s, &o, &e);
		break;
	case WHAT_TOP:
		rc = query_top(s, &o, &e);
		break;
	case WHAT_TIMELINE:
		rc = query_timeline(s, &o, &e);
		break;
	default:
		rc = query_sql(s, &o, &e);
		break;
	}
	store_close(s);
	if (rc == -1) {
		return cliopt_fail(&e);
	}
	return STATUS_OK;
}
