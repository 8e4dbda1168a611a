/*
 * report: what happened in a period, for cron or a person: findings per
 * kind against the period before, signatures never seen before, the
 * busiest tasks and coroutines, the longest stalls, the incidents, and
 * findings per hour for the timeline. Reading is report_build(); the
 * writers below and in html.c only format what it gathered.
 */
#include "query/report.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"
#include "common/record.h"
#include "common/severity.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "query/output.h"

#define HOUR_US		(INT64_C(3600) * 1000000)
#define MAX_BUCKETS	168		/* a week of hours */
#define MAX_MINUTE_BUCKETS 60		/* below, minutes are too fine */
#define MAX_INCIDENTS	50		/* listed; the rest are counted */
#define MAX_UNDATED	50		/* listed; the rest are counted */

/* The findings "f", and which are in the period (R_NOW) or the one
 * before (R_PREV), by their time or, with none (or late, report.h), by
 * when they were stored (table found). Each side of an OR is on an index
 * of its own. The statements bind ?1 since, ?2 until, ?3 the start of
 * the period before, ?4 late. */
#define R_FROM	" FROM findings f "
#define R_STORED(lo, hi) "f.fid IN (SELECT fid FROM found WHERE found_us " \
	">= " lo " AND found_us < " hi ")"
#define R_NOW	"((f.ts_us >= ?1 AND f.ts_us < ?2) OR (" R_STORED("?1", "?2") \
	" AND (f.ts_us IS NULL OR (?4 AND f.ts_us < ?1))))"
#define R_PREV	"((f.ts_us >= ?3 AND f.ts_us < ?1) OR (" R_STORED("?3", "?1") \
	" AND f.ts_us IS NULL))"
/* Stored or logged before the period. */
#define R_BEFORE "(f.ts_us < ?1 OR (f.ts_us IS NULL AND f.fid IN (SELECT " \
	"fid FROM found WHERE found_us < ?1)))"
#define R_NV	4		/* values bound */

static char *
report_dup(sqlite3_stmt *st, int i)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	return s == NULL ? NULL : xstrdup((const char *)s);
}

static int64_t
report_int(sqlite3_stmt *st, int i, int64_t dflt)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? dflt :
	    sqlite3_column_int64(st, i);
}

/* Prepare sql and bind the integers (since, until, prev, ...) as ?1..?n;
 * values beyond the statement's parameters are left out. */
static sqlite3_stmt *
report_prepare(struct store *s, const char *sql, const int64_t *v, int n,
    struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 i;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		store_err(s, e, "report");
		return NULL;
	}
	for (i = 0; i < n && i < sqlite3_bind_parameter_count(st); i++)
		sqlite3_bind_int64(st, i + 1, v[i]);
	return st;
}

/* Finish st: 0 when it ran to its end, else -1 with *e. */
static int
report_done(struct store *s, sqlite3_stmt *st, int rc, struct err *e)
{
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_err(s, e, "report");
	return 0;
}

static int
report_kinds(struct report *r, struct store *s, const int64_t *v,
    struct err *e)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;
	int		 rc;

	if ((st = report_prepare(s, "SELECT kind, sum(now), sum(NOT now), "
	    "max(CASE WHEN now THEN severity END), sum(now AND ts_us IS NULL), "
	    "sum(now AND ts_us < ?1) FROM (SELECT f.kind AS kind, f.severity "
	    "AS severity, f.ts_us AS ts_us, " R_NOW " AS now" R_FROM "WHERE "
	    R_NOW " OR " R_PREV ") GROUP BY kind ORDER BY 2 DESC, 3 DESC, kind",
	    v, R_NV, e)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_kind	*k;

		r->kinds = xgrow(r->kinds, &cap, r->nkinds + 1,
		    sizeof(*r->kinds));
		k = &r->kinds[r->nkinds++];
		k->kind = report_dup(st, 0);
		k->n = report_int(st, 1, 0);
		k->prev = report_int(st, 2, 0);
		k->sev = (int)report_int(st, 3, 0);
		r->total += k->n;
		r->prev_total += k->prev;
		r->nundated += report_int(st, 4, 0);
		r->nlate += report_int(st, 5, 0);
		if (k->sev > r->worst)
			r->worst = k->sev;
	}
	return report_done(s, st, rc, e);
}

/* Whether an index on findings starts with kind: then a probe per
 * signature is an index lookup. */
static bool
report_has_sig_index(struct store *s)
{
	sqlite3_stmt	*st = NULL;
	bool		 yes = false;

	if (sqlite3_prepare_v2(store_db(s), "SELECT 1 FROM "
	    "pragma_index_list('findings') AS l, pragma_index_info(l.name) "
	    "AS i WHERE i.seqno = 0 AND i.name = 'kind'", -1, &st,
	    NULL) == SQLITE_OK)
		yes = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return yes;
}

static bool
report_streq(const char *a, const unsigned char *b)
{
	if (a == NULL || b == NULL)
		return a == NULL && b == NULL;
	return strcmp(a, (const char *)b) == 0;
}

/* Mark the signatures seen before the period, one probe each. */
static int
report_sigs_probe(struct report *r, struct store *s, const int64_t *v,
    struct err *e)
{
	sqlite3_stmt	*st;
	size_t		 i;
	int		 rc;

	if ((st = report_prepare(s, "SELECT EXISTS (SELECT 1" R_FROM "WHERE "
	    "f.kind = ?5 AND f.coro IS ?6 AND f.exception IS ?7 AND "
	    R_BEFORE " AND NOT " R_NOW ")", v, R_NV,
	    e)) == NULL)
		return -1;
	for (i = 0; i < r->nsigs; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 5, r->sigs[i].kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r->sigs[i].coro, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, r->sigs[i].exception, -1,
		    SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
			sqlite3_finalize(st);
			return store_err(s, e, "report");
		}
		if (sqlite3_column_int(st, 0))
			r->sigs[i].n = -1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* Mark the signatures seen before the period, in one pass over the
 * distinct old signatures (no index to probe). */
static int
report_sigs_scan(struct report *r, struct store *s, const int64_t *v,
    struct err *e)
{
	sqlite3_stmt	*st;
	size_t		 i;
	int		 rc;

	if ((st = report_prepare(s, "SELECT DISTINCT f.kind, f.coro, "
	    "f.exception" R_FROM "WHERE " R_BEFORE " AND NOT " R_NOW, v, R_NV,
	    e)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		for (i = 0; i < r->nsigs; i++)
			if (report_streq(r->sigs[i].kind,
			    sqlite3_column_text(st, 0)) &&
			    report_streq(r->sigs[i].coro,
			    sqlite3_column_text(st, 1)) &&
			    report_streq(r->sigs[i].exception,
			    sqlite3_column_text(st, 2)))
				r->sigs[i].n = -1;
	return report_done(s, st, rc, e);
}

static int
report_sigs(struct report *r, struct store *s, const int64_t *v,
    struct err *e)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0, i, keep = 0;
	int		 rc;

	/* the signatures of the period; those seen before it are then
	 * marked (n = -1) and dropped */
	if ((st = report_prepare(s, "SELECT f.kind, f.coro, f.exception, "
	    "count(*), min(f.ts_us), max(f.severity)" R_FROM "WHERE " R_NOW
	    " GROUP BY 1, 2, 3 ORDER BY 5", v, R_NV, e)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_sig	*g;

		r->sigs = xgrow(r->sigs, &cap, r->nsigs + 1,
		    sizeof(*r->sigs));
		g = &r->sigs[r->nsigs++];
		g->kind = report_dup(st, 0);
		g->coro = report_dup(st, 1);
		g->exception = report_dup(st, 2);
		g->n = report_int(st, 3, 0);
		g->first_us = report_int(st, 4, TS_NONE);
		g->sev = (int)report_int(st, 5, 0);
	}
	if (report_done(s, st, rc, e) == -1)
		return -1;
	if (r->nsigs == 0)
		return 0;
	if (report_has_sig_index(s))
		rc = report_sigs_probe(r, s, v, e);
	else
		rc = report_sigs_scan(r, s, v, e);
	if (rc == -1)
		return -1;
	for (i = 0; i < r->nsigs; i++) {
		struct report_sig	*g = &r->sigs[i];

		if (g->n < 0) {		/* seen before */
			free(g->kind);
			free(g->coro);
			free(g->exception);
			continue;
		}
		r->sigs[keep++] = *g;
	}
	r->nsigs = keep;
	return 0;
}

static int
report_tops(struct report_top **out, size_t *n, struct store *s,
    const char *col, const int64_t *v, struct err *e)
{
	char		 sql[1024];
	sqlite3_stmt	*st;
	int		 rc;

	snprintf(sql, sizeof(sql), "SELECT f.%s, count(*) AS n, "
	    "max(f.severity)" R_FROM "WHERE " R_NOW " AND f.%s IS NOT NULL "
	    "GROUP BY 1 ORDER BY n DESC, 1 LIMIT %d", col, col, REPORT_TOP);
	if ((st = report_prepare(s, sql, v, R_NV, e)) == NULL)
		return -1;
	*out = xcalloc(REPORT_TOP, sizeof(**out));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < REPORT_TOP) {
		(*out)[*n].name = report_dup(st, 0);
		(*out)[*n].n = report_int(st, 1, 0);
		(*out)[*n].sev = (int)report_int(st, 2, 0);
		(*n)++;
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	return report_done(s, st, rc, e);
}

static int
report_stalls(struct report *r, struct store *s, const int64_t *v,
    struct err *e)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = report_prepare(s, "SELECT f.ts_us, f.duration_us, f.line, "
	    "f.task, f.coro, src.path, f.message" R_FROM "JOIN sources src ON "
	    "src.id = f.source_id WHERE f.kind = 'stall' AND " R_NOW
	    /* the likeliest first: a debug-mode "took" (no confidence: it
	     * names its culprit) or a gap stall of confidence 0.75 or more,
	     * then the others; each longest first */
	    " ORDER BY coalesce(f.confidence, 1) < 0.75, f.duration_us DESC, "
	    "f.ts_us LIMIT 10", v, R_NV, e)) == NULL)
		return -1;
	r->stalls = xcalloc(10, sizeof(*r->stalls));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && r->nstalls < 10) {
		struct report_stall	*x = &r->stalls[r->nstalls++];

		x->ts_us = report_int(st, 0, TS_NONE);
		x->duration_us = report_int(st, 1, -1);
		x->line = report_int(st, 2, 0);
		x->task = report_dup(st, 3);
		x->coro = report_dup(st, 4);
		x->source = report_dup(st, 5);
		x->message = report_dup(st, 6);
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	return report_done(s, st, rc, e);
}

static int
report_incidents(struct report *r, struct store *s, const int64_t *v,
    struct err *e)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;
	int		 rc;

	if ((st = report_prepare(s, "SELECT id, first_us, last_us, count, "
	    "severity, kinds, task, coro, summary, count(*) OVER () FROM "
	    "incidents WHERE (last_us >= ?1 AND first_us < ?2) OR id IN "
	    "(SELECT f.incident_id" R_FROM "WHERE " R_NOW ") ORDER BY "
	    "severity DESC, first_us, id", v, R_NV, e)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_incident	*i;

		r->nincidents = report_int(st, 9, 0);
		if (r->nshown == MAX_INCIDENTS)
			continue;
		r->incidents = xgrow(r->incidents, &cap, r->nshown + 1,
		    sizeof(*r->incidents));
		i = &r->incidents[r->nshown++];
		i->id = report_int(st, 0, 0);
		i->first_us = report_int(st, 1, TS_NONE);
		i->last_us = report_int(st, 2, TS_NONE);
		i->count = report_int(st, 3, 0);
		i->sev = (int)report_int(st, 4, 0);
		i->kinds = report_dup(st, 5);
		i->task = report_dup(st, 6);
		i->coro = report_dup(st, 7);
		i->summary = report_dup(st, 8);
	}
	return report_done(s, st, rc, e);
}

/* The timeline covers the whole period when it is a week or less, else
 * the span of its findings: in minutes (1, 5 or 15) when that makes at
 * most MAX_MINUTE_BUCKETS, else in hours, or longer past a week. */
static int
report_timeline(struct report *r, struct store *s, const int64_t *v,
    struct err *e)
{
	static const int64_t	 minutes[] = { 1, 5, 15 };
	sqlite3_stmt	*st;
	int64_t		 lo = r->since_us, hi = r->until_us, b[4];
	uint64_t	 hours;
	size_t		 i;
	int		 rc;

	if (r->total == 0)
		return 0;
	if (hi - lo > MAX_BUCKETS * HOUR_US) {
		if ((st = report_prepare(s, "SELECT min(ts_us), max(ts_us) "
		    "FROM findings WHERE ts_us >= ?1 AND ts_us < ?2", v, 2,
		    e)) == NULL)
			return -1;
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			lo = report_int(st, 0, lo);
			hi = report_int(st, 1, hi) + 1;
			rc = SQLITE_DONE;
		}
		if (report_done(s, st, rc, e) == -1)
			return -1;
	}
	/* a short span in minutes (1, 5 or 15), else hours, or several
	 * hours a bucket past a week */
	r->bucket_us = 0;
	for (i = 0; i < sizeof(minutes) / sizeof(minutes[0]); i++) {
		b[0] = minutes[i] * 60 * INT64_C(1000000);
		if ((hi - (lo - (lo % b[0] + b[0]) % b[0]) + b[0] - 1) / b[0] <=
		    MAX_MINUTE_BUCKETS) {
			r->bucket_us = b[0];
			break;
		}
	}
	if (r->bucket_us == 0) {
		lo -= ((lo % HOUR_US) + HOUR_US) % HOUR_US;
		hours = (uint64_t)((hi - lo + HOUR_US - 1) / HOUR_US);
		r->bucket_us = HOUR_US * (int64_t)((hours + MAX_BUCKETS - 1) /
		    MAX_BUCKETS);
	} else
		lo -= ((lo % r->bucket_us) + r->bucket_us) % r->bucket_us;
	r->start_us = lo;
	r->nbuckets = (size_t)((hi - lo + r->bucket_us - 1) / r->bucket_us);
	if (r->nbuckets == 0)
		r->nbuckets = 1;
	r->buckets = xcalloc(r->nbuckets, sizeof(*r->buckets));
	b[0] = v[0];
	b[1] = v[1];
	b[2] = lo;
	b[3] = r->bucket_us;
	if ((st = report_prepare(s, "SELECT (ts_us - ?3) / ?4, kind = 'stall', "
	    "count(*) FROM findings WHERE ts_us >= ?1 AND ts_us < ?2 GROUP BY "
	    "1, 2", b, 4, e)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		i = (size_t)report_int(st, 0, 0);
		if (i >= r->nbuckets)
			continue;
		if (sqlite3_column_int(st, 1))
			r->buckets[i].stalls += report_int(st, 2, 0);
		else
			r->buckets[i].findings += report_int(st, 2, 0);
	}
	return report_done(s, st, rc, e);
}

/* The findings with no time stored in the period, by file. */
static int
report_undated(struct report *r, struct store *s, const int64_t *v,
    struct err *e)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (r->nundated == 0)
		return 0;
	if ((st = report_prepare(s, "SELECT src.path, fd.found_us, f.line, "
	    "f.severity, f.kind, f.task, f.coro, f.exception, f.message"
	    " FROM findings f JOIN found fd ON fd.fid = f.fid JOIN sources src "
	    "ON src.id = f.source_id WHERE f.ts_us IS NULL AND fd.found_us >= "
	    "?1 AND fd.found_us < ?2 ORDER BY "
	    "src.path, f.line, f.id", v, R_NV, e)) == NULL)
		return -1;
	r->undated = xcalloc(MAX_UNDATED, sizeof(*r->undated));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    r->nundated_shown < MAX_UNDATED) {
		struct report_undated	*u = &r->undated[r->nundated_shown++];

		u->source = report_dup(st, 0);
		u->found_us = report_int(st, 1, TS_NONE);
		u->line = report_int(st, 2, 0);
		u->sev = (int)report_int(st, 3, 0);
		u->kind = report_dup(st, 4);
		u->task = report_dup(st, 5);
		u->coro = report_dup(st, 6);
		u->exception = report_dup(st, 7);
		u->message = report_dup(st, 8);
	}
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	return report_done(s, st, rc, e);
}

int
report_build(struct report *r, struct store *s, int64_t since_us,
    int64_t until_us, bool late, bool local, struct err *e)
{
	int64_t	v[R_NV];

	memset(r, 0, sizeof(*r));
	r->db = xstrdup(store_filename(s));
	r->since_us = since_us;
	r->until_us = until_us;
	r->prev_us = since_us - (until_us - since_us);
	r->late = late;
	r->local = local;
	v[0] = since_us;
	v[1] = until_us;
	v[2] = r->prev_us;
	v[3] = late;
	if (report_kinds(r, s, v, e) == -1 || report_sigs(r, s, v, e) == -1 ||
	    report_undated(r, s, v, e) == -1 ||
	    report_tops(&r->tasks, &r->ntasks, s, "task", v, e) == -1 ||
	    report_tops(&r->coros, &r->ncoros, s, "coro", v, e) == -1 ||
	    report_stalls(r, s, v, e) == -1 ||
	    report_incidents(r, s, v, e) == -1 ||
	    report_timeline(r, s, v, e) == -1)
		return -1;
	return 0;
}

void
report_release(struct report *r)
{
	size_t	i;

	free(r->db);
	for (i = 0; i < r->nkinds; i++)
		free(r->kinds[i].kind);
	free(r->kinds);
	for (i = 0; i < r->nsigs; i++) {
		free(r->sigs[i].kind);
		free(r->sigs[i].coro);
		free(r->sigs[i].exception);
	}
	free(r->sigs);
	for (i = 0; i < r->ntasks; i++)
		free(r->tasks[i].name);
	free(r->tasks);
	for (i = 0; i < r->ncoros; i++)
		free(r->coros[i].name);
	free(r->coros);
	for (i = 0; i < r->nstalls; i++) {
		free(r->stalls[i].task);
		free(r->stalls[i].coro);
		free(r->stalls[i].source);
		free(r->stalls[i].message);
	}
	free(r->stalls);
	for (i = 0; i < r->nshown; i++) {
		free(r->incidents[i].kinds);
		free(r->incidents[i].task);
		free(r->incidents[i].coro);
		free(r->incidents[i].summary);
	}
	free(r->incidents);
	for (i = 0; i < r->nundated_shown; i++) {
		free(r->undated[i].source);
		free(r->undated[i].kind);
		free(r->undated[i].task);
		free(r->undated[i].coro);
		free(r->undated[i].exception);
		free(r->undated[i].message);
	}
	free(r->undated);
	free(r->buckets);
	memset(r, 0, sizeof(*r));
}

/* --- text and markdown */

/* Untrusted text for a terminal, "-" for none. */
static void
report_put(FILE *f, const char *s)
{
	if (s == NULL)
		fputc('-', f);
	else
		escape_terminal(f, s, strlen(s));
}

/* Untrusted text inside markdown: escaped for a terminal first, then
 * every character markdown or its inline HTML would act on. */
static void
report_put_md(FILE *f, const char *s)
{
	char	*buf = NULL, *p;
	size_t	 len = 0;
	FILE	*m;

	if (s == NULL) {
		fputc('-', f);
		return;
	}
	if ((m = open_memstream(&buf, &len)) == NULL) {
		fputs("aiosift: out of memory\n", stderr);
		abort();
	}
	escape_terminal(m, s, strlen(s));
	fclose(m);
	for (p = buf; *p != '\0'; p++) {
		switch (*p) {
		case '<':	fputs("&lt;", f); break;
		case '>':	fputs("&gt;", f); break;
		case '&':	fputs("&amp;", f); break;
		case '\\': case '`': case '*': case '_': case '[': case ']':
		case '|': case '#': case '!': case '~': case '(': case ')':
			fputc('\\', f);
			fputc(*p, f);
			break;
		default:
			fputc(*p, f);
		}
	}
	free(buf);
}

/* report_put() then spaces up to width columns. */
static void
report_pad(FILE *f, const char *s, size_t width)
{
	size_t	w = s == NULL ? 1 : escape_width(s, strlen(s));

	report_put(f, s);
	if (w < width)
		fprintf(f, "%*s", (int)(width - w), "");
}

static const char *
report_sevname(int sev)
{
	return sev == 0 ? "none" : severity_name(sev);
}

/* A time to the second, or to the millisecond when it has them. */
static void
report_when(FILE *f, bool local, int64_t us)
{
	char	buf[40];

	if (us == TS_NONE) {
		fputc('-', f);
		return;
	}
	output_time(us, local, buf);
	if (us % 1000000 == 0)
		buf[19] = '\0';
	fputs(buf, f);
}

/* "24 h", "7 d", "90 min": the length of the period. */
static void
report_span(FILE *f, int64_t us)
{
	int64_t	s = us / 1000000;

	if (s % 86400 == 0 && s >= 86400 * 2)
		fprintf(f, "%lld d", (long long)(s / 86400));
	else if (s % 3600 == 0 && s >= 3600)
		fprintf(f, "%lld h", (long long)(s / 3600));
	else if (s % 60 == 0 && s >= 60)
		fprintf(f, "%lld min", (long long)(s / 60));
	else
		fprintf(f, "%lld s", (long long)s);
}

/* "(6 with no time in the log, 2 logged before the period)": why the
 * total may be more than the findings the period's times hold. */
static void
report_why(FILE *f, const struct report *r)
{
	if (r->nundated == 0 && r->nlate == 0)
		return;
	fputs(", of which ", f);
	if (r->nundated > 0)
		fprintf(f, "%lld with no time in the log", (long long)
		    r->nundated);
	if (r->nundated > 0 && r->nlate > 0)
		fputs(" and ", f);
	if (r->nlate > 0)
		fprintf(f, "%lld logged before the period but stored since "
		    "the last report", (long long)r->nlate);
}

/* The findings with no time, under their file and when it was read. */
static void
report_text_undated(FILE *f, const struct report *r)
{
	const struct report_undated	*u, *prev = NULL;
	size_t				 i;
	char				 zone[16];

	if (r->nundated == 0)
		return;
	fprintf(f, "\nFindings with no time in the log (%lld), by file and "
	    "when it was read\n", (long long)r->nundated);
	for (i = 0; i < r->nundated_shown; i++) {
		u = &r->undated[i];
		if (prev == NULL || strcmp(u->source, prev->source) != 0 ||
		    u->found_us / 1000000 != prev->found_us / 1000000) {
			fputs("  ", f);
			report_put(f, u->source);
			fputs(", read ", f);
			report_when(f, r->local, u->found_us / 1000000 *
			    1000000);
			fprintf(f, " %s\n", output_zone(u->found_us, r->local,
			    zone));
		}
		prev = u;
		fprintf(f, "    line %-6lld %-8s ", (long long)u->line,
		    report_sevname(u->sev));
		report_put(f, u->kind);
		fputs("  ", f);
		report_put(f, u->message);
		fputc('\n', f);
	}
	if ((int64_t)r->nundated_shown < r->nundated)
		fprintf(f, "  ... and %lld more\n", (long long)(r->nundated -
		    (int64_t)r->nundated_shown));
}

void
report_text(FILE *f, const struct report *r)
{
	size_t	i;
	char	buf[40], zone[16];

	output_zone(r->until_us, r->local, zone);
	fputs("aiosift report: ", f);
	report_when(f, r->local, r->since_us);
	fputs(" to ", f);
	report_when(f, r->local, r->until_us);
	fprintf(f, " %s (", zone);
	report_span(f, r->until_us - r->since_us);
	fprintf(f, "); times are %s\ndatabase: ", zone);
	report_put(f, r->db);
	fprintf(f, "\n\n%lld finding%s", (long long)r->total,
	    r->total == 1 ? "" : "s");
	report_why(f, r);
	fprintf(f, " (previous period: %lld), worst: %s; %lld incident%s\n",
	    (long long)r->prev_total, report_sevname(r->worst),
	    (long long)r->nincidents, r->nincidents == 1 ? "" : "s");
	if (r->nkinds > 0) {
		fprintf(f, "\nFindings by kind\n  %-24s %8s %8s %8s\n",
		    "KIND", "NOW", "BEFORE", "CHANGE");
		for (i = 0; i < r->nkinds; i++) {
			fputs("  ", f);
			report_pad(f, r->kinds[i].kind, 24);
			fprintf(f, " %8lld %8lld %+8lld\n",
			    (long long)r->kinds[i].n,
			    (long long)r->kinds[i].prev,
			    (long long)(r->kinds[i].n - r->kinds[i].prev));
		}
	}
	if (r->nsigs > 0) {
		fputs("\nNew signatures (never seen before this period)\n", f);
		for (i = 0; i < r->nsigs; i++) {
			fprintf(f, "  %-8s ", report_sevname(r->sigs[i].sev));
			report_put(f, r->sigs[i].kind);
			fputs("  coro ", f);
			report_put(f, r->sigs[i].coro);
			fputs("  exception ", f);
			report_put(f, r->sigs[i].exception);
			fprintf(f, "  x%lld, first ", (long long)r->sigs[i].n);
			report_when(f, r->local, r->sigs[i].first_us);
			fputc('\n', f);
		}
	}
	if (r->ntasks > 0) {
		fputs("\nTop tasks\n", f);
		for (i = 0; i < r->ntasks; i++) {
			fprintf(f, "  %6lld  ", (long long)r->tasks[i].n);
			report_put(f, r->tasks[i].name);
			fputc('\n', f);
		}
	}
	if (r->ncoros > 0) {
		fputs("\nTop coroutines\n", f);
		for (i = 0; i < r->ncoros; i++) {
			fprintf(f, "  %6lld  ", (long long)r->coros[i].n);
			report_put(f, r->coros[i].name);
			fputc('\n', f);
		}
	}
	if (r->nstalls > 0) {
		fputs("\nLongest stalls\n", f);
		for (i = 0; i < r->nstalls; i++) {
			fprintf(f, "  %10s s  ", r->stalls[i].duration_us < 0 ?
			    "?" : output_seconds_ms(r->stalls[i].duration_us,
			    buf));
			report_when(f, r->local, r->stalls[i].ts_us);
			fputs("  ", f);
			report_put(f, r->stalls[i].task);
			fputs("  ", f);
			report_put(f, r->stalls[i].coro);
			fputs("  ", f);
			report_put(f, r->stalls[i].source);
			fprintf(f, ":%lld\n", (long long)r->stalls[i].line);
		}
	}
	report_text_undated(f, r);
	if (r->nincidents > 0) {
		fprintf(f, "\nIncidents (%lld, worst first)\n",
		    (long long)r->nincidents);
		for (i = 0; i < r->nshown; i++) {
			const struct report_incident *x = &r->incidents[i];

			fprintf(f, "  #%-5lld %-8s ", (long long)x->id,
			    report_sevname(x->sev));
			report_when(f, r->local, x->first_us);
			fprintf(f, "  x%lld  ", (long long)x->count);
			report_put(f, x->kinds);
			fputs("\n         ", f);
			report_put(f, x->summary);
			fputc('\n', f);
		}
		if ((int64_t)r->nshown < r->nincidents)
			fprintf(f, "  ... and %lld more\n",
			    (long long)(r->nincidents - (int64_t)r->nshown));
	}
}

void
report_markdown(FILE *f, const struct report *r)
{
	size_t	i;
	char	buf[40], zone[16];

	output_zone(r->until_us, r->local, zone);
	fputs("# aiosift report\n\n", f);
	fputs("Period: ", f);
	report_when(f, r->local, r->since_us);
	fputs(" to ", f);
	report_when(f, r->local, r->until_us);
	fprintf(f, " %s (", zone);
	report_span(f, r->until_us - r->since_us);
	fprintf(f, "), times are %s, database ", zone);
	report_put_md(f, r->db);
	fprintf(f, "\n\n**%lld finding%s**", (long long)r->total,
	    r->total == 1 ? "" : "s");
	report_why(f, r);
	fprintf(f, " (previous period: %lld), worst: **%s**; %lld "
	    "incident%s.\n", (long long)r->prev_total,
	    report_sevname(r->worst), (long long)r->nincidents,
	    r->nincidents == 1 ? "" : "s");
	if (r->nkinds > 0) {
		fputs("\n## Findings by kind\n\n| kind | now | before | "
		    "change |\n| --- | ---: | ---: | ---: |\n", f);
		for (i = 0; i < r->nkinds; i++) {
			fputs("| ", f);
			report_put_md(f, r->kinds[i].kind);
			fprintf(f, " | %lld | %lld | %+lld |\n",
			    (long long)r->kinds[i].n,
			    (long long)r->kinds[i].prev,
			    (long long)(r->kinds[i].n - r->kinds[i].prev));
		}
	}
	if (r->nsigs > 0) {
		fputs("\n## New signatures\n\n| severity | kind | coroutine | "
		    "exception | count | first |\n| --- | --- | --- | --- | "
		    "---: | --- |\n", f);
		for (i = 0; i < r->nsigs; i++) {
			fprintf(f, "| %s | ", report_sevname(r->sigs[i].sev));
			report_put_md(f, r->sigs[i].kind);
			fputs(" | ", f);
			report_put_md(f, r->sigs[i].coro);
			fputs(" | ", f);
			report_put_md(f, r->sigs[i].exception);
			fprintf(f, " | %lld | ", (long long)r->sigs[i].n);
			report_when(f, r->local, r->sigs[i].first_us);
			fputs(" |\n", f);
		}
	}
	if (r->ntasks > 0) {
		fputs("\n## Top tasks\n\n", f);
		for (i = 0; i < r->ntasks; i++) {
			fprintf(f, "- %lld: ", (long long)r->tasks[i].n);
			report_put_md(f, r->tasks[i].name);
			fputc('\n', f);
		}
	}
	if (r->ncoros > 0) {
		fputs("\n## Top coroutines\n\n", f);
		for (i = 0; i < r->ncoros; i++) {
			fprintf(f, "- %lld: ", (long long)r->coros[i].n);
			report_put_md(f, r->coros[i].name);
			fputc('\n', f);
		}
	}
	if (r->nstalls > 0) {
		fputs("\n## Longest stalls\n\n| seconds | when | task | "
		    "coroutine | where |\n| ---: | --- | --- | --- | --- |\n",
		    f);
		for (i = 0; i < r->nstalls; i++) {
			fprintf(f, "| %s | ", r->stalls[i].duration_us < 0 ?
			    "?" : output_seconds_ms(r->stalls[i].duration_us,
			    buf));
			report_when(f, r->local, r->stalls[i].ts_us);
			fputs(" | ", f);
			report_put_md(f, r->stalls[i].task);
			fputs(" | ", f);
			report_put_md(f, r->stalls[i].coro);
			fputs(" | ", f);
			report_put_md(f, r->stalls[i].source);
			fprintf(f, ":%lld |\n", (long long)r->stalls[i].line);
		}
	}
	if (r->nundated > 0) {
		fprintf(f, "\n## Findings with no time in the log (%lld)\n\n"
		    "| file | read | line | severity | kind | message |\n"
		    "| --- | --- | ---: | --- | --- | --- |\n",
		    (long long)r->nundated);
		for (i = 0; i < r->nundated_shown; i++) {
			fputs("| ", f);
			report_put_md(f, r->undated[i].source);
			fputs(" | ", f);
			report_when(f, r->local, r->undated[i].found_us /
			    1000000 * 1000000);
			fprintf(f, " | %lld | %s | ",
			    (long long)r->undated[i].line,
			    report_sevname(r->undated[i].sev));
			report_put_md(f, r->undated[i].kind);
			fputs(" | ", f);
			report_put_md(f, r->undated[i].message);
			fputs(" |\n", f);
		}
	}
	if (r->nincidents > 0) {
		fprintf(f, "\n## Incidents (%lld)\n\n",
		    (long long)r->nincidents);
		for (i = 0; i < r->nshown; i++) {
			const struct report_incident *x = &r->incidents[i];

			fprintf(f, "- **#%lld** %s, ", (long long)x->id,
			    report_sevname(x->sev));
			report_when(f, r->local, x->first_us);
			fprintf(f, ", %lld finding%s (", (long long)x->count,
			    x->count == 1 ? "" : "s");
			report_put_md(f, x->kinds);
			fputs("): ", f);
			report_put_md(f, x->summary);
			fputc('\n', f);
		}
	}
}

/* --- JSON */

static void
report_json_time(FILE *f, int64_t us)
{
	char	buf[TIMEFMT_ISO_LEN];

	if (us == TS_NONE)
		fputs("null", f);
	else
		fprintf(f, "\"%s\"", timefmt_iso(us, buf));
}

void
report_json(FILE *f, const struct report *r)
{
	size_t	i;
	char	buf[32];

	fputs("{\"database\": ", f);
	escape_json_str(f, r->db);
	fputs(", \"since\": ", f);
	report_json_time(f, r->since_us);
	fputs(", \"until\": ", f);
	report_json_time(f, r->until_us);
	fputs(", \"previous_since\": ", f);
	report_json_time(f, r->prev_us);
	fprintf(f, ", \"findings\": %lld, \"previous_findings\": %lld, "
	    "\"worst\": ", (long long)r->total, (long long)r->prev_total);
	escape_json_str(f, r->worst ? severity_name(r->worst) : NULL);
	fprintf(f, ", \"undated_findings\": %lld, \"late_findings\": %lld",
	    (long long)r->nundated, (long long)r->nlate);
	fprintf(f, ", \"incident_count\": %lld,\n \"kinds\": [",
	    (long long)r->nincidents);
	for (i = 0; i < r->nkinds; i++) {
		fputs(i ? ",\n  {\"kind\": " : "\n  {\"kind\": ", f);
		escape_json_str(f, r->kinds[i].kind);
		fprintf(f, ", \"count\": %lld, \"previous\": %lld, "
		    "\"severity\": ", (long long)r->kinds[i].n,
		    (long long)r->kinds[i].prev);
		escape_json_str(f, r->kinds[i].sev ?
		    severity_name(r->kinds[i].sev) : NULL);
		fputc('}', f);
	}
	fputs("],\n \"new_signatures\": [", f);
	for (i = 0; i < r->nsigs; i++) {
		fputs(i ? ",\n  {\"kind\": " : "\n  {\"kind\": ", f);
		escape_json_str(f, r->sigs[i].kind);
		fputs(", \"coro\": ", f);
		escape_json_str(f, r->sigs[i].coro);
		fputs(", \"exception\": ", f);
		escape_json_str(f, r->sigs[i].exception);
		fprintf(f, ", \"count\": %lld, \"first\": ",
		    (long long)r->sigs[i].n);
		report_json_time(f, r->sigs[i].first_us);
		fprintf(f, ", \"severity\": \"%s\"}",
		    severity_name(r->sigs[i].sev));
	}
	fputs("],\n \"top_tasks\": [", f);
	for (i = 0; i < r->ntasks; i++) {
		fputs(i ? ", {\"task\": " : "{\"task\": ", f);
		escape_json_str(f, r->tasks[i].name);
		fprintf(f, ", \"count\": %lld}", (long long)r->tasks[i].n);
	}
	fputs("],\n \"top_coros\": [", f);
	for (i = 0; i < r->ncoros; i++) {
		fputs(i ? ", {\"coro\": " : "{\"coro\": ", f);
		escape_json_str(f, r->coros[i].name);
		fprintf(f, ", \"count\": %lld}", (long long)r->coros[i].n);
	}
	fputs("],\n \"longest_stalls\": [", f);
	for (i = 0; i < r->nstalls; i++) {
		fputs(i ? ",\n  {\"ts\": " : "\n  {\"ts\": ", f);
		report_json_time(f, r->stalls[i].ts_us);
		fputs(", \"duration_s\": ", f);
		fputs(r->stalls[i].duration_us < 0 ? "null" :
		    output_seconds_ms(r->stalls[i].duration_us, buf), f);
		fputs(", \"task\": ", f);
		escape_json_str(f, r->stalls[i].task);
		fputs(", \"coro\": ", f);
		escape_json_str(f, r->stalls[i].coro);
		fputs(", \"source\": ", f);
		escape_json_str(f, r->stalls[i].source);
		fprintf(f, ", \"line\": %lld, \"message\": ",
		    (long long)r->stalls[i].line);
		escape_json_str(f, r->stalls[i].message);
		fputc('}', f);
	}
	fputs("],\n \"undated\": [", f);
	for (i = 0; i < r->nundated_shown; i++) {
		const struct report_undated *u = &r->undated[i];

		fputs(i ? ",\n  {\"source\": " : "\n  {\"source\": ", f);
		escape_json_str(f, u->source);
		fputs(", \"stored\": ", f);
		report_json_time(f, u->found_us);
		fprintf(f, ", \"line\": %lld, \"severity\": \"%s\", "
		    "\"kind\": ", (long long)u->line, severity_name(u->sev));
		escape_json_str(f, u->kind);
		fputs(", \"task\": ", f);
		escape_json_str(f, u->task);
		fputs(", \"coro\": ", f);
		escape_json_str(f, u->coro);
		fputs(", \"exception\": ", f);
		escape_json_str(f, u->exception);
		fputs(", \"message\": ", f);
		escape_json_str(f, u->message);
		fputc('}', f);
	}
	fputs("],\n \"incidents\": [", f);
	for (i = 0; i < r->nshown; i++) {
		const struct report_incident *x = &r->incidents[i];

		fprintf(f, "%s{\"id\": %lld, \"first\": ", i ? ",\n  " :
		    "\n  ", (long long)x->id);
		report_json_time(f, x->first_us);
		fputs(", \"last\": ", f);
		report_json_time(f, x->last_us);
		fprintf(f, ", \"severity\": \"%s\", \"count\": %lld, "
		    "\"kinds\": ", severity_name(x->sev), (long long)x->count);
		escape_json_str(f, x->kinds);
		fputs(", \"task\": ", f);
		escape_json_str(f, x->task);
		fputs(", \"coro\": ", f);
		escape_json_str(f, x->coro);
		fputs(", \"summary\": ", f);
		escape_json_str(f, x->summary);
		fputc('}', f);
	}
	fprintf(f, "],\n \"timeline\": {\"start\": ");
	report_json_time(f, r->nbuckets ? r->start_us : TS_NONE);
	fprintf(f, ", \"bucket_s\": %lld, \"findings\": [",
	    (long long)(r->bucket_us / 1000000));
	for (i = 0; i < r->nbuckets; i++)
		fprintf(f, "%s%lld", i ? ", " : "",
		    (long long)r->buckets[i].findings);
	fputs("], \"stalls\": [", f);
	for (i = 0; i < r->nbuckets; i++)
		fprintf(f, "%s%lld", i ? ", " : "",
		    (long long)r->buckets[i].stalls);
	fputs("]}}\n", f);
}
