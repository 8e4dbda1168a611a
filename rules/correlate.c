/*
 * correlate: findings into incidents. Reads the findings of the period
 * being rebuilt in time order and puts each into an open incident (one
 * that saw a finding within the window) or a new one, trying in turn:
 *   1. a failed asyncio.run()/run_until_complete() (nested_run,
 *      loop_closed) and the never-awaited warning of the coroutine it was
 *      given (compared by the last part of the qualname);
 *   2. a stall and the timeouts that follow it (kind timeout, or an
 *      exception TimeoutError/CancelledError) within the window of its end;
 *   3. a repeat of one signature: kind, coroutine and exception;
 *   4. the same task name;
 *   5. without a task name, the same coroutine.
 * Only findings of one stream (rotation set: one service's log) share an
 * incident.
 * An incident keeps first and last time, the worst severity, its kinds,
 * a key (the first finding's signature), task, coroutine, count and a
 * one-line summary; findings.incident_id points at it. Runs inside the
 * caller's transaction; memory holds only the open incidents.
 */
#include "rules/correlate.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/kinds.h"
#include "common/record.h"
#include "common/xmalloc.h"

struct incident {
	int64_t		 first_us, last_us;	/* TS_NONE: no time */
	int64_t		 chain_end_us;		/* stall end, for rule 2 */
	int		 severity;
	char		*kinds;			/* "a,b": each kind once, as
						 * long as the kinds loaded */
	char		*key;			/* the first signature */
	char		*task, *coro, *exc;	/* the first that had them */
	char		*chain_coro;		/* of a failed run, rule 1 */
	int64_t		 chain_id;		/* that finding's id */
	char		*chain_qual;		/* its qualname, as the never-
						 * awaited warning names it */
	char		*set_path;		/* the stream (rotation set) */
	bool		 has_stall;
	int64_t		 stall_us;		/* longest stall */
	int64_t		 count;
	int64_t		*members;		/* finding ids */
	size_t		 nmembers;
	size_t		 cap;
};

struct corr {
	sqlite3		*db;
	struct store	*s;
	int64_t		 window_us;
	struct incident	*open;
	size_t		 nopen;
	size_t		 cap;
	sqlite3_stmt	*ins;
	sqlite3_stmt	*upd;
	sqlite3_stmt	*qual;
};

/* A finding as read back. */
struct cf {
	int64_t		 id;
	int64_t		 ts_us;		/* TS_NONE when NULL */
	int64_t		 duration_us;	/* -1 when NULL */
	int		 severity;
	const char	*kind, *task, *coro, *exc;	/* loans from the row */
	const char	*set_path;
};

static const char *
last_part(const char *q)
{
	const char	*dot;

	if (q == NULL)
		return NULL;
	dot = strrchr(q, '.');
	return dot ? dot + 1 : q;
}

static bool
str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static bool
is_timeoutish(const struct cf *f)
{
	return strcmp(f->kind, "timeout") == 0 ||
	    (strcmp(f->kind, "never_retrieved") == 0 && f->exc != NULL &&
	    (strcmp(f->exc, "TimeoutError") == 0 ||
	    strcmp(f->exc, "CancelledError") == 0));
}

/* The signature key of a finding: kind, coroutine, exception, each whole
 * (never cut: two long names that differ late are two signatures). */
static char *
signature(const struct cf *f)
{
	const char	*coro = f->coro ? f->coro : "", *exc = f->exc ?
			    f->exc : "";
	size_t		 nk = strlen(f->kind), nc = strlen(coro),
			 ne = strlen(exc);
	char		*out = xmalloc(nk + nc + ne + 3);

	memcpy(out, f->kind, nk);
	out[nk] = '|';
	memcpy(out + nk + 1, coro, nc);
	out[nk + 1 + nc] = '|';
	memcpy(out + nk + nc + 2, exc, ne + 1);
	return out;
}

/* Whether f's time lies within the window after t (no time: always). */
static bool
within(const struct corr *c, int64_t t, const struct cf *f)
{
	if (t == TS_NONE || f->ts_us == TS_NONE)
		return t == TS_NONE && f->ts_us == TS_NONE;
	return f->ts_us - t <= c->window_us;
}

static struct incident *
pick(struct corr *c, const struct cf *f)
{
	struct incident	*inc;
	char		*sig;
	size_t		 i;
	int		 pass;

	sig = signature(f);
	for (pass = 1; pass <= 5; pass++) {
		for (i = 0; i < c->nopen; i++) {
			inc = &c->open[i];
			/* one service's findings never join another's */
			if (!str_eq(inc->set_path, f->set_path) &&
			    (inc->set_path != NULL || f->set_path != NULL))
				continue;
			switch (pass) {
			case 1:
				if (strcmp(f->kind, "never_awaited") == 0 &&
				    inc->chain_coro != NULL && f->coro !=
				    NULL && strcmp(last_part(inc->chain_coro),
				    last_part(f->coro)) == 0 &&
				    within(c, inc->last_us, f))
					goto found;
				break;
			case 2:
				if (inc->has_stall && is_timeoutish(f) &&
				    within(c, inc->chain_end_us, f))
					goto found;
				break;
			case 3:
				if (str_eq(inc->key, sig) &&
				    within(c, inc->last_us, f))
					goto found;
				break;
			case 4:
				if (str_eq(inc->task, f->task) &&
				    within(c, inc->last_us, f))
					goto found;
				break;
			case 5:
				if (f->task == NULL && inc->task == NULL &&
				    str_eq(inc->coro, f->coro) &&
				    within(c, inc->last_us, f))
					goto found;
				break;
			}
		}
	}
	free(sig);
	return NULL;
found:
	free(sig);
	return inc;
}

static void
incident_release(struct incident *inc)
{
	free(inc->kinds);
	free(inc->key);
	free(inc->task);
	free(inc->coro);
	free(inc->exc);
	free(inc->chain_coro);
	free(inc->chain_qual);
	free(inc->set_path);
	free(inc->members);
	memset(inc, 0, sizeof(*inc));
}

static void
incident_add(struct incident *inc, const struct cf *f)
{
	size_t	n, k;

	inc->members = xgrow(inc->members, &inc->cap, inc->nmembers + 1,
	    sizeof(*inc->members));
	inc->members[inc->nmembers++] = f->id;
	inc->count++;
	if (f->ts_us != TS_NONE) {
		if (inc->first_us == TS_NONE || f->ts_us < inc->first_us)
			inc->first_us = f->ts_us;
		if (inc->last_us == TS_NONE || f->ts_us > inc->last_us)
			inc->last_us = f->ts_us;
	}
	if (f->severity > inc->severity)
		inc->severity = f->severity;
	if (inc->task == NULL)
		inc->task = dup_or_null(f->task);
	if (inc->coro == NULL)
		inc->coro = dup_or_null(f->coro);
	if (inc->exc == NULL)
		inc->exc = dup_or_null(f->exc);
	if ((strcmp(f->kind, "nested_run") == 0 ||
	    strcmp(f->kind, "loop_closed") == 0) && f->coro != NULL &&
	    inc->chain_coro == NULL) {
		inc->chain_coro = xstrdup(f->coro);
		inc->chain_id = f->id;
	}
	/* The traceback of a failed asyncio.run() names the function
	 * ("fetch"); the warning about the coroutine it was given has the
	 * qualname ("ConfigClient.fetch"): the finding and incident take
	 * the fuller name. */
	if (strcmp(f->kind, "never_awaited") == 0 && inc->chain_coro != NULL &&
	    inc->chain_qual == NULL && f->coro != NULL &&
	    strcmp(f->coro, inc->chain_coro) != 0 &&
	    strcmp(last_part(f->coro), last_part(inc->chain_coro)) == 0) {
		inc->chain_qual = xstrdup(f->coro);
		if (str_eq(inc->coro, inc->chain_coro)) {
			free(inc->coro);
			inc->coro = xstrdup(f->coro);
		}
	}
	if (strcmp(f->kind, KIND_STALL) == 0) {
		int64_t end = f->ts_us == TS_NONE ? TS_NONE : f->ts_us +
		    (f->duration_us > 0 ? f->duration_us : 0);

		inc->has_stall = true;
		if (end != TS_NONE && (inc->chain_end_us == TS_NONE ||
		    end > inc->chain_end_us))
			inc->chain_end_us = end;
		if (f->duration_us > inc->stall_us)
			inc->stall_us = f->duration_us;
	}
	/* the kinds, each once, in order of appearance */
	n = strlen(f->kind);
	for (k = 0; inc->kinds[k] != '\0'; ) {
		if (strncmp(inc->kinds + k, f->kind, n) == 0 &&
		    (inc->kinds[k + n] == ',' || inc->kinds[k + n] == '\0'))
			return;
		while (inc->kinds[k] != '\0' && inc->kinds[k] != ',')
			k++;
		if (inc->kinds[k] == ',')
			k++;
	}
	k = strlen(inc->kinds);
	inc->kinds = xrealloc(inc->kinds, k + n + 2);
	if (k > 0)
		inc->kinds[k++] = ',';
	memcpy(inc->kinds + k, f->kind, n + 1);
}

static struct incident *
incident_new(struct corr *c, const struct cf *f)
{
	struct incident	*inc;

	c->open = xgrow(c->open, &c->cap, c->nopen + 1, sizeof(*c->open));
	inc = &c->open[c->nopen++];
	memset(inc, 0, sizeof(*inc));
	inc->first_us = inc->last_us = inc->chain_end_us = TS_NONE;
	inc->stall_us = -1;
	inc->kinds = xcalloc(1, 1);
	inc->key = signature(f);
	inc->set_path = dup_or_null(f->set_path);
	return inc;
}

/* "never_retrieved ×2: Task-8 WebWorkerPool.send_metrics raised
 * ConnectionRefusedError" */
static char *
incident_summary(const struct incident *inc)
{
	struct buf	 b;
	char		*out;
	const char	*k;

	/* room for all of it: " + " for each comma, the names whole, the
	 * count and the stall's seconds */
	buf_init(&b, 3 * strlen(inc->kinds) + (inc->task ? strlen(inc->task) :
	    0) + (inc->coro ? strlen(inc->coro) : 0) + (inc->exc ?
	    strlen(inc->exc) : 0) + 128);
	for (k = inc->kinds; *k != '\0'; k++)
		if (*k == ',')
			buf_adds(&b, " + ");
		else
			buf_addc(&b, *k);
	if (inc->count > 1)
		buf_printf(&b, " \xc3\x97%lld", (long long)inc->count);
	buf_adds(&b, ":");
	if (inc->task != NULL)
		buf_printf(&b, " %s", inc->task);
	if (inc->coro != NULL)
		buf_printf(&b, " %s", inc->coro);
	if (inc->exc != NULL)
		buf_printf(&b, " raised %s", inc->exc);
	if (inc->stall_us >= 0)
		buf_printf(&b, " stalled %.3f s", (double)inc->stall_us / 1e6);
	if (inc->task == NULL && inc->coro == NULL && inc->exc == NULL &&
	    inc->stall_us < 0)
		buf_adds(&b, " (no task or coroutine named)");
	assert(!b.capped);
	out = xstrndup(b.data, b.len);
	buf_release(&b);
	return out;
}

static void
bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_time(sqlite3_stmt *st, int i, int64_t t)
{
	if (t != TS_NONE)
		sqlite3_bind_int64(st, i, t);
	else
		sqlite3_bind_null(st, i);
}

/* Write incident i, link its findings, and drop it from the open set. */
static int
correlate_close(struct corr *c, size_t i, struct err *e)
{
	struct incident	*inc = &c->open[i];
	char		*summary = incident_summary(inc);
	int64_t		 id;
	size_t		 k;
	int		 rc = -1;

	bind_time(c->ins, 1, inc->first_us);
	bind_time(c->ins, 2, inc->last_us);
	sqlite3_bind_int(c->ins, 3, inc->severity);
	sqlite3_bind_text(c->ins, 4, inc->kinds, -1, SQLITE_TRANSIENT);
	bind_text_or_null(c->ins, 5, inc->key);
	bind_text_or_null(c->ins, 6, inc->task);
	bind_text_or_null(c->ins, 7, inc->coro);
	sqlite3_bind_int64(c->ins, 8, inc->count);
	sqlite3_bind_text(c->ins, 9, summary, -1, SQLITE_TRANSIENT);
	bind_text_or_null(c->ins, 10, inc->set_path);
	/* its fleet uid is its first finding's id */
	sqlite3_bind_int64(c->ins, 11, inc->members[0]);
	if (sqlite3_step(c->ins) != SQLITE_DONE) {
		store_err(c->s, e, "insert incident");
		goto out;
	}
	sqlite3_reset(c->ins);
	id = sqlite3_last_insert_rowid(c->db);
	if (inc->chain_qual != NULL) {
		sqlite3_bind_text(c->qual, 1, inc->chain_qual, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(c->qual, 2, inc->chain_id);
		if (sqlite3_step(c->qual) != SQLITE_DONE) {
			store_err(c->s, e, "name the failed coroutine");
			goto out;
		}
		sqlite3_reset(c->qual);
	}
	for (k = 0; k < inc->nmembers; k++) {
		sqlite3_bind_int64(c->upd, 1, id);
		sqlite3_bind_int64(c->upd, 2, inc->members[k]);
		if (sqlite3_step(c->upd) != SQLITE_DONE) {
			store_err(c->s, e, "link finding to incident");
			goto out;
		}
		sqlite3_reset(c->upd);
	}
	rc = 0;
out:
	sqlite3_reset(c->ins);
	sqlite3_reset(c->upd);
	free(summary);
	incident_release(inc);
	c->open[i] = c->open[--c->nopen];
	return rc;
}

/* Close the incidents nothing at time now can join any more. */
static int
correlate_expire(struct corr *c, int64_t now, struct err *e)
{
	size_t	i;

	for (i = 0; i < c->nopen; ) {
		struct incident	*inc = &c->open[i];
		int64_t		 last = inc->last_us;

		if (inc->chain_end_us != TS_NONE && inc->chain_end_us > last)
			last = inc->chain_end_us;
		if (now != TS_NONE && last != TS_NONE &&
		    now - last > c->window_us) {
			if (correlate_close(c, i, e) == -1)
				return -1;
		} else
			i++;
	}
	return 0;
}

/* Where the rebuild starts: since, moved back to the first finding of any
 * incident that a finding at since could still have joined. */
static int
correlate_start(struct corr *c, int64_t since_us, int64_t *lo,
    struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	*lo = since_us;
	if (since_us == INT64_MIN)
		return 0;
	/* two lookups by index (incidents_last, findings_ts), not one pass
	 * over the incidents in first_us order */
	if (sqlite3_prepare_v2(c->db, "SELECT min(m) FROM (SELECT first_us "
	    "AS m FROM incidents WHERE last_us >= ?1 UNION ALL SELECT "
	    "first_us FROM incidents WHERE id IN (SELECT incident_id FROM "
	    "findings WHERE ts_us >= ?2))", -1, &st, NULL) != SQLITE_OK) {
		store_err(c->s, e, "find incidents to rebuild");
		goto out;
	}
	sqlite3_bind_int64(st, 1, since_us > INT64_MIN + c->window_us ?
	    since_us - c->window_us : INT64_MIN);
	sqlite3_bind_int64(st, 2, since_us);
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_err(c->s, e, "find incidents to rebuild");
		goto out;
	}
	if (sqlite3_column_type(st, 0) != SQLITE_NULL &&
	    sqlite3_column_int64(st, 0) < *lo)
		*lo = sqlite3_column_int64(st, 0);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int
correlate_run(struct store *s, int64_t since_us, int64_t window_us,
    struct err *e)
{
	struct corr	 c;
	sqlite3_stmt	*sel = NULL, *del = NULL;
	struct incident	*inc;
	struct cf	 f;
	int64_t		 lo;
	int		 rc = -1, step;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.db = store_db(s);
	c.window_us = window_us > 0 ? window_us : 60000000;
	if (correlate_start(&c, since_us, &lo, e) == -1)
		goto out;
	/* forget the incidents being rebuilt; findings left without one
	 * (theirs was rebuilt, or they are new) are read again */
	if (lo == INT64_MIN) {
		if (store_exec(s, "DELETE FROM incidents; UPDATE findings SET "
		    "incident_id = NULL WHERE incident_id IS NOT NULL", e) ==
		    -1)
			goto out;
	} else {
		/* the findings of each incident deleted, by the index on
		 * incident_id (looking for those of no incident at all read
		 * every finding, each run) */
		if (sqlite3_prepare_v2(c.db, "DELETE FROM incidents WHERE id "
		    "IN (SELECT incident_id FROM findings WHERE ts_us >= ?1 "
		    "OR ts_us IS NULL) OR first_us >= ?1 RETURNING id", -1,
		    &del, NULL) != SQLITE_OK ||
		    sqlite3_prepare_v2(c.db, "UPDATE findings SET incident_id "
		    "= NULL WHERE incident_id = ?1", -1, &c.upd, NULL) !=
		    SQLITE_OK) {
			store_err(s, e, "rebuild incidents");
			goto out;
		}
		sqlite3_bind_int64(del, 1, lo);
		while ((step = sqlite3_step(del)) == SQLITE_ROW) {
			sqlite3_bind_int64(c.upd, 1,
			    sqlite3_column_int64(del, 0));
			if (sqlite3_step(c.upd) != SQLITE_DONE) {
				store_err(s, e, "rebuild incidents");
				goto out;
			}
			sqlite3_reset(c.upd);
		}
		if (step != SQLITE_DONE) {
			store_err(s, e, "rebuild incidents");
			goto out;
		}
		sqlite3_finalize(c.upd);
		c.upd = NULL;
	}
	if (sqlite3_prepare_v2(c.db, "SELECT f.id, f.ts_us, f.duration_us, "
	    "f.severity, f.kind, f.task, f.coro, f.exception, s.set_path "
	    "FROM findings f LEFT JOIN sources s ON s.id = f.source_id "
	    "WHERE f.incident_id IS NULL ORDER BY f.ts_us, f.id", -1, &sel,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c.db, "INSERT INTO incidents (first_us, "
	    "last_us, severity, kinds, key, task, coro, count, summary, "
	    "set_path, uid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "(SELECT fid FROM findings WHERE id = ?11))", -1,
	    &c.ins,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c.db, "UPDATE findings SET incident_id = ?1 "
	    "WHERE id = ?2", -1, &c.upd, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(c.db, "UPDATE findings SET coro = ?1 "
	    "WHERE id = ?2", -1, &c.qual, NULL) != SQLITE_OK) {
		store_err(s, e, "correlate");
		goto out;
	}
	while ((step = sqlite3_step(sel)) == SQLITE_ROW) {
		f.id = sqlite3_column_int64(sel, 0);
		f.ts_us = sqlite3_column_type(sel, 1) == SQLITE_NULL ?
		    TS_NONE : sqlite3_column_int64(sel, 1);
		f.duration_us = sqlite3_column_type(sel, 2) == SQLITE_NULL ?
		    -1 : sqlite3_column_int64(sel, 2);
		f.severity = sqlite3_column_int(sel, 3);
		f.kind = col_text(sel, 4) ? col_text(sel, 4) : "unknown";
		f.task = col_text(sel, 5);
		f.coro = col_text(sel, 6);
		f.exc = col_text(sel, 7);
		f.set_path = col_text(sel, 8);
		if (f.ts_us != TS_NONE && correlate_expire(&c, f.ts_us, e) ==
		    -1)
			goto out;
		if ((inc = pick(&c, &f)) == NULL)
			inc = incident_new(&c, &f);
		incident_add(inc, &f);
	}
	if (step != SQLITE_DONE) {
		store_err(s, e, "read findings");
		goto out;
	}
	while (c.nopen > 0)
		if (correlate_close(&c, c.nopen - 1, e) == -1)
			goto out;
	rc = 0;
out:
	while (c.nopen > 0) {
		incident_release(&c.open[c.nopen - 1]);
		c.nopen--;
	}
	free(c.open);
	sqlite3_finalize(sel);
	sqlite3_finalize(del);
	sqlite3_finalize(c.ins);
	sqlite3_finalize(c.upd);
	sqlite3_finalize(c.qual);
	return rc;
}
