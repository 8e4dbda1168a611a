/*
 * incidents: the statements of an incident rebuild (see incidents.h).
 */
#include "store/incidents.h"

#include <stdlib.h>

#include <sqlite3.h>

#include "common/record.h"
#include "common/xmalloc.h"

struct store_incidents {
	struct store	*s;
	sqlite3		*db;
	sqlite3_stmt	*sel;	/* the loose findings */
	sqlite3_stmt	*ins;	/* an incident */
	sqlite3_stmt	*upd;	/* a finding's incident */
	sqlite3_stmt	*qual;	/* a finding's coroutine */
};

/* Where the rebuild starts: since, moved back to the first finding of any
 * incident that a finding at since could still have joined. */
static int
rebuild_start(struct store *s, int64_t since_us, int64_t window_us,
    int64_t *lo, struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	*lo = since_us;
	if (since_us == INT64_MIN)
		return 0;
	/* two lookups by index (incidents_last, findings_ts), not one pass
	 * over the incidents in first_us order */
	if (sqlite3_prepare_v2(store_db(s), "SELECT min(m) FROM (SELECT "
	    "first_us AS m FROM incidents WHERE last_us >= ?1 UNION ALL "
	    "SELECT first_us FROM incidents WHERE id IN (SELECT incident_id "
	    "FROM findings WHERE ts_us >= ?2))", -1, &st, NULL) !=
	    SQLITE_OK) {
		store_err(s, e, "find incidents to rebuild");
		goto out;
	}
	sqlite3_bind_int64(st, 1, since_us > INT64_MIN + window_us ?
	    since_us - window_us : INT64_MIN);
	sqlite3_bind_int64(st, 2, since_us);
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_err(s, e, "find incidents to rebuild");
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

/* Forget the incidents being rebuilt; findings left without one (theirs
 * was rebuilt, or they are new) are read again. */
static int
rebuild_forget(struct store *s, int64_t lo, struct err *e)
{
	sqlite3_stmt	*del = NULL, *upd = NULL;
	int		 rc = -1, step;

	if (lo == INT64_MIN)
		return store_exec(s, "DELETE FROM incidents; UPDATE findings "
		    "SET incident_id = NULL WHERE incident_id IS NOT NULL", e);
	/* the findings of each incident deleted, by the index on
	 * incident_id (looking for those of no incident at all read
	 * every finding, each run) */
	if (sqlite3_prepare_v2(store_db(s), "DELETE FROM incidents WHERE id "
	    "IN (SELECT incident_id FROM findings WHERE ts_us >= ?1 "
	    "OR ts_us IS NULL) OR first_us >= ?1 RETURNING id", -1,
	    &del, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(store_db(s), "UPDATE findings SET incident_id "
	    "= NULL WHERE incident_id = ?1", -1, &upd, NULL) !=
	    SQLITE_OK) {
		store_err(s, e, "rebuild incidents");
		goto out;
	}
	sqlite3_bind_int64(del, 1, lo);
	while ((step = sqlite3_step(del)) == SQLITE_ROW) {
		sqlite3_bind_int64(upd, 1, sqlite3_column_int64(del, 0));
		if (sqlite3_step(upd) != SQLITE_DONE) {
			store_err(s, e, "rebuild incidents");
			goto out;
		}
		sqlite3_reset(upd);
	}
	if (step != SQLITE_DONE) {
		store_err(s, e, "rebuild incidents");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(del);
	sqlite3_finalize(upd);
	return rc;
}

struct store_incidents *
store_incidents_rebuild(struct store *s, int64_t since_us, int64_t window_us,
    struct err *e)
{
	struct store_incidents	*w;
	int64_t			 lo;

	if (rebuild_start(s, since_us, window_us, &lo, e) == -1 ||
	    rebuild_forget(s, lo, e) == -1)
		return NULL;
	w = xcalloc(1, sizeof(*w));
	w->s = s;
	w->db = store_db(s);
	if (sqlite3_prepare_v2(w->db, "SELECT f.id, f.ts_us, f.duration_us, "
	    "f.severity, f.kind, f.task, f.coro, f.exception, s.set_path "
	    "FROM findings f LEFT JOIN sources s ON s.id = f.source_id "
	    "WHERE f.incident_id IS NULL ORDER BY f.ts_us, f.id", -1, &w->sel,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w->db, "INSERT INTO incidents (first_us, "
	    "last_us, severity, kinds, key, task, coro, count, summary, "
	    "set_path, uid) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "(SELECT fid FROM findings WHERE id = ?11))", -1, &w->ins,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w->db, "UPDATE findings SET incident_id = ?1 "
	    "WHERE id = ?2", -1, &w->upd, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(w->db, "UPDATE findings SET coro = ?1 "
	    "WHERE id = ?2", -1, &w->qual, NULL) != SQLITE_OK) {
		store_err(s, e, "correlate");
		store_incidents_end(w);
		return NULL;
	}
	return w;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int
store_incidents_next(struct store_incidents *w, struct store_loose *f,
    struct err *e)
{
	sqlite3_stmt	*sel = w->sel;
	int		 step;

	if ((step = sqlite3_step(sel)) == SQLITE_DONE)
		return 0;
	if (step != SQLITE_ROW)
		return store_err(w->s, e, "read findings");
	f->id = sqlite3_column_int64(sel, 0);
	f->ts_us = sqlite3_column_type(sel, 1) == SQLITE_NULL ?
	    TS_NONE : sqlite3_column_int64(sel, 1);
	f->duration_us = sqlite3_column_type(sel, 2) == SQLITE_NULL ?
	    -1 : sqlite3_column_int64(sel, 2);
	f->severity = sqlite3_column_int(sel, 3);
	f->kind = col_text(sel, 4) ? col_text(sel, 4) : "unknown";
	f->task = col_text(sel, 5);
	f->coro = col_text(sel, 6);
	f->exc = col_text(sel, 7);
	f->set_path = col_text(sel, 8);
	return 1;
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

int
store_incidents_add(struct store_incidents *w,
    const struct store_incident *inc, struct err *e)
{
	int64_t	id;
	size_t	k;
	int	rc = -1;

	bind_time(w->ins, 1, inc->first_us);
	bind_time(w->ins, 2, inc->last_us);
	sqlite3_bind_int(w->ins, 3, inc->severity);
	sqlite3_bind_text(w->ins, 4, inc->kinds, -1, SQLITE_TRANSIENT);
	bind_text_or_null(w->ins, 5, inc->key);
	bind_text_or_null(w->ins, 6, inc->task);
	bind_text_or_null(w->ins, 7, inc->coro);
	sqlite3_bind_int64(w->ins, 8, inc->count);
	sqlite3_bind_text(w->ins, 9, inc->summary, -1, SQLITE_TRANSIENT);
	bind_text_or_null(w->ins, 10, inc->set_path);
	/* its fleet uid is its first finding's id */
	sqlite3_bind_int64(w->ins, 11, inc->members[0]);
	if (sqlite3_step(w->ins) != SQLITE_DONE) {
		store_err(w->s, e, "insert incident");
		goto out;
	}
	sqlite3_reset(w->ins);
	id = sqlite3_last_insert_rowid(w->db);
	if (inc->chain_qual != NULL) {
		sqlite3_bind_text(w->qual, 1, inc->chain_qual, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(w->qual, 2, inc->chain_id);
		if (sqlite3_step(w->qual) != SQLITE_DONE) {
			store_err(w->s, e, "name the failed coroutine");
			goto out;
		}
		sqlite3_reset(w->qual);
	}
	for (k = 0; k < inc->nmembers; k++) {
		sqlite3_bind_int64(w->upd, 1, id);
		sqlite3_bind_int64(w->upd, 2, inc->members[k]);
		if (sqlite3_step(w->upd) != SQLITE_DONE) {
			store_err(w->s, e, "link finding to incident");
			goto out;
		}
		sqlite3_reset(w->upd);
	}
	rc = 0;
out:
	sqlite3_reset(w->ins);
	sqlite3_reset(w->upd);
	return rc;
}

void
store_incidents_end(struct store_incidents *w)
{
	if (w == NULL)
		return;
	sqlite3_finalize(w->sel);
	sqlite3_finalize(w->ins);
	sqlite3_finalize(w->upd);
	sqlite3_finalize(w->qual);
	free(w);
}
