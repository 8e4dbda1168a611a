/*
 * report_gather: a report's sections read from this host's database
 * (report_build()): findings per kind against the period before,
 * signatures never seen before, the busiest tasks and coroutines, the
 * longest stalls, the incidents, and findings per bucket of time for
 * the timeline. It only reads; report.c and html.c write what it
 * gathered.
 */
#include "query/report.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/kinds.h"
#include "common/record.h"
#include "common/xmalloc.h"

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
	    "src.id = f.source_id WHERE f.kind = '" KIND_STALL "' AND " R_NOW
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

void
report_incident_read(struct report_incident *i, sqlite3_stmt *st)
{
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
		r->nincidents = report_int(st, 9, 0);
		if (r->nshown == REPORT_MAX_INCIDENTS)
			continue;
		r->incidents = xgrow(r->incidents, &cap, r->nshown + 1,
		    sizeof(*r->incidents));
		report_incident_read(&r->incidents[r->nshown++], st);
	}
	return report_done(s, st, rc, e);
}

/* Findings per bucket of the timeline that report_timeline_layout()
 * lays out. */
static int
report_timeline(struct report *r, struct store *s, const int64_t *v,
    struct err *e)
{
	sqlite3_stmt	*st;
	int64_t		 lo = r->since_us, hi = r->until_us, b[4];
	int		 rc;

	if (r->total == 0)
		return 0;
	if (report_timeline_spans_findings(r)) {
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
	report_timeline_layout(r, lo, hi);
	b[0] = v[0];
	b[1] = v[1];
	b[2] = r->start_us;
	b[3] = r->bucket_us;
	if ((st = report_prepare(s, "SELECT (ts_us - ?3) / ?4, kind = '"
	    KIND_STALL "', count(*) FROM findings WHERE ts_us >= ?1 AND "
	    "ts_us < ?2 GROUP BY 1, 2", b, 4, e)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		report_timeline_add(r, report_int(st, 0, 0),
		    sqlite3_column_int(st, 1) != 0, report_int(st, 2, 0));
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
	r->undated = xcalloc(REPORT_MAX_UNDATED, sizeof(*r->undated));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    r->nundated_shown < REPORT_MAX_UNDATED) {
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
