/*
 * outbox: what changed since a destination's cursor, as rows of the
 * fleet's tables. The changes of a key are grouped (key and time: a key
 * whose time changed is deleted at its old time, the partition and sort
 * key it was sent with), and joined with the table as it is now; a key
 * not found is a deletion. Sending is fleet/ship.c's.
 */
#include "store/outbox.h"

#include <stdio.h>

#include "store/fleetid.h"

static const char *const outbox_names[OUTBOX_NTABLES] = {
	"findings", "incidents", "counts", "signature_days"
};

/* Columns shared by the fleet's findings, whichever way they are read:
 * f (findings, NULL columns when gone), s, i; the key and time come from
 * the caller's select. */
#define OUTBOX_FINDING_COLS \
	"coalesce(f.kind, '') AS kind, coalesce(f.rule, '') AS rule, " \
	"coalesce(f.severity, 0) AS severity, f.task, f.coro, " \
	"f.exception, f.location, coalesce(f.message, '') AS message, " \
	"f.duration_us, coalesce(s.path, '') AS source, " \
	"coalesce(s.set_path, '') AS stream, " \
	"coalesce(f.line, 0) AS line, coalesce(i.uid, 0) AS incident " \
	"FROM "
#define OUTBOX_FINDING_JOINS \
	" LEFT JOIN sources s ON s.id = f.source_id " \
	"LEFT JOIN incidents i ON i.id = f.incident_id"
#define OUTBOX_TS(col) "max(coalesce(" col ", 0), 0) / 1000000 AS ts"

/* The signatures of the days d (day numbers since 1970, UTC). */
#define OUTBOX_DAY_US	"86400000000"
#define OUTBOX_SIGNATURE_DAYS(days) \
	"WITH d AS (" days ") SELECT d.day * 86400 AS day, ?2 AS ver, " \
	"coalesce(f.kind, '') AS kind, coalesce(f.coro, '') AS coro, " \
	"coalesce(f.exception, '') AS exception, " \
	"coalesce(min(f.ts_us), 0) AS first_us, count(f.id) AS n FROM d " \
	"LEFT JOIN findings f ON f.ts_us >= d.day * " OUTBOX_DAY_US " AND " \
	"f.ts_us < (d.day + 1) * " OUTBOX_DAY_US " GROUP BY d.day, 3, 4, 5"

static const char *const outbox_all[OUTBOX_NTABLES] = {
	"SELECT f.fid AS fid, ?2 AS ver, 0 AS deleted, "
	OUTBOX_TS("f.ts_us") ", f.ts_us AS ts_us, " OUTBOX_FINDING_COLS
	"findings f" OUTBOX_FINDING_JOINS,

	"SELECT uid, ?2 AS ver, 0 AS deleted, " OUTBOX_TS("first_us") ", "
	"first_us, last_us, severity, kinds, key, task, coro, count AS n, "
	"summary, coalesce(set_path, '') AS stream FROM incidents",

	"SELECT aiosift_cid(?3, c.source_id, c.minute, c.level, c.logger) "
	"AS cid, ?2 AS ver, 0 AS deleted, max(c.minute, 0) * 60 AS ts, "
	"c.minute AS minute, coalesce(s.path, '') AS source, c.level AS "
	"level, c.logger AS logger, c.n AS n FROM counts c "
	"LEFT JOIN sources s ON s.id = c.source_id",

	OUTBOX_SIGNATURE_DAYS("SELECT DISTINCT max(ts_us, 0) / " OUTBOX_DAY_US
	" AS day FROM findings WHERE ts_us IS NOT NULL"),
};

static const char *const outbox_changed[OUTBOX_NTABLES] = {
	"WITH ch AS (SELECT key, at, max(seq) AS ver FROM outbox WHERE "
	"tbl = 1 AND seq > ?1 AND seq <= ?2 AND key IS NOT NULL "
	"GROUP BY key, at) "
	"SELECT ch.key AS fid, ch.ver AS ver, f.id IS NULL AS deleted, "
	OUTBOX_TS("ch.at") ", ch.at AS ts_us, " OUTBOX_FINDING_COLS
	"ch LEFT JOIN findings f ON f.fid = ch.key AND f.ts_us IS ch.at"
	OUTBOX_FINDING_JOINS,

	"WITH ch AS (SELECT key, at, max(seq) AS ver FROM outbox WHERE "
	"tbl = 2 AND seq > ?1 AND seq <= ?2 AND key IS NOT NULL "
	"GROUP BY key, at) "
	"SELECT ch.key AS uid, ch.ver AS ver, i.id IS NULL AS deleted, "
	OUTBOX_TS("ch.at") ", ch.at AS first_us, i.last_us AS last_us, "
	"coalesce(i.severity, 0) AS severity, coalesce(i.kinds, '') AS "
	"kinds, i.key AS key, i.task AS task, i.coro AS coro, "
	"coalesce(i.count, 0) AS n, coalesce(i.summary, '') AS summary, "
	"coalesce(i.set_path, '') AS stream FROM ch LEFT JOIN incidents i "
	"ON i.uid = ch.key AND i.first_us IS ch.at",

	"WITH ch AS (SELECT key, at, level, logger, max(seq) AS ver FROM "
	"outbox WHERE tbl = 3 AND seq > ?1 AND seq <= ?2 "
	"GROUP BY key, at, level, logger) "
	"SELECT aiosift_cid(?3, ch.key, ch.at, ch.level, ch.logger) AS cid, "
	"ch.ver AS ver, c.n IS NULL AS deleted, max(ch.at, 0) * 60 AS ts, "
	"ch.at AS minute, coalesce(s.path, '') AS source, ch.level AS "
	"level, ch.logger AS logger, coalesce(c.n, 0) AS n FROM ch "
	"LEFT JOIN counts c ON c.source_id = ch.key AND c.minute = ch.at "
	"AND c.level = ch.level AND c.logger = ch.logger "
	"LEFT JOIN sources s ON s.id = ch.key",

	OUTBOX_SIGNATURE_DAYS("SELECT DISTINCT max(at, 0) / " OUTBOX_DAY_US
	" AS day FROM outbox WHERE tbl = 1 AND seq > ?1 AND seq <= ?2 AND "
	"at IS NOT NULL"),
};

const char *
outbox_table_name(enum outbox_table t)
{
	return outbox_names[t];
}

int
outbox_cursor(struct store *s, const char *dest, int64_t *cursor,
    int64_t *prev_us, int64_t *last, struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	*cursor = -1;
	*prev_us = 0;
	*last = 0;
	if (sqlite3_prepare_v2(store_db(s), "SELECT (SELECT seq FROM "
	    "ship_cursors WHERE dest = ?1), (SELECT seq FROM sqlite_sequence "
	    "WHERE name = 'outbox'), (SELECT shipped_us FROM ship_cursors "
	    "WHERE dest = ?1)", -1, &st, NULL) != SQLITE_OK) {
		store_err(s, e, "outbox");
		goto out;
	}
	sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_err(s, e, "outbox");
		goto out;
	}
	if (sqlite3_column_type(st, 0) != SQLITE_NULL &&
	    sqlite3_column_int64(st, 0) >= 0)	/* -1: not shipped yet */
		*cursor = sqlite3_column_int64(st, 0);
	*last = sqlite3_column_int64(st, 1);
	*prev_us = sqlite3_column_int64(st, 2);
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

sqlite3_stmt *
outbox_rows(struct store *s, enum outbox_table t, int64_t cursor,
    int64_t last, struct err *e)
{
	sqlite3_stmt	*st = NULL;
	const char	*sql = cursor < 0 ? outbox_all[t] : outbox_changed[t];

	if (fleetid_register(store_db(s)) != SQLITE_OK ||
	    sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) !=
	    SQLITE_OK) {
		store_err(s, e, outbox_names[t]);
		sqlite3_finalize(st);
		return NULL;
	}
	if (sqlite3_bind_parameter_index(st, "?1") > 0)
		sqlite3_bind_int64(st, 1, cursor);
	sqlite3_bind_int64(st, 2, last);
	if (sqlite3_bind_parameter_index(st, "?3") > 0)
		sqlite3_bind_text(st, 3, store_fleet_id(s), -1,
		    SQLITE_STATIC);
	return st;
}

int
outbox_register(struct store *s, const char *dest, struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	if (store_begin(s, e) == -1)
		return -1;
	if (sqlite3_prepare_v2(store_db(s), "INSERT OR IGNORE INTO "
	    "ship_cursors (dest, seq, shipped_us) VALUES (?1, -1, 0)", -1,
	    &st, NULL) != SQLITE_OK) {
		store_err(s, e, "ship cursor");
		goto out;
	}
	sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_err(s, e, "ship cursor");
		goto out;
	}
	rc = store_commit(s, e);
out:
	sqlite3_finalize(st);
	if (rc == -1)
		store_rollback(s);
	return rc;
}

void
outbox_unregister(struct store *s, const char *dest)
{
	sqlite3_stmt	*st = NULL;
	struct err	 e;

	if (store_begin(s, &e) == -1)
		return;
	if (sqlite3_prepare_v2(store_db(s), "DELETE FROM ship_cursors WHERE "
	    "dest = ?1 AND seq < 0", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			/* the cursor stays, and the outbox with it */
			sqlite3_finalize(st);
			store_rollback(s);
			return;
		}
	}
	sqlite3_finalize(st);
	if (store_exec(s, "DELETE FROM outbox WHERE NOT EXISTS (SELECT 1 "
	    "FROM ship_cursors)", &e) == -1 || store_commit(s, &e) == -1)
		store_rollback(s);
}

/* Drop the outbox rows every destination with a cursor has taken (a
 * destination not shipped to yet, -1, holds nothing back: it will take
 * everything as it then is); all of them when no destination is left. */
#define OUTBOX_TRIM \
	"DELETE FROM outbox WHERE NOT EXISTS (SELECT 1 FROM ship_cursors) " \
	"OR seq <= (SELECT min(seq) FROM ship_cursors WHERE seq >= 0)"

int
outbox_forget(struct store *s, const char *dest, bool *found, struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	*found = false;
	if (store_begin(s, e) == -1)
		return -1;
	if (sqlite3_prepare_v2(store_db(s), "DELETE FROM ship_cursors WHERE "
	    "dest = ?1", -1, &st, NULL) != SQLITE_OK) {
		store_err(s, e, "ship cursor");
		goto out;
	}
	sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_err(s, e, "ship cursor");
		goto out;
	}
	*found = sqlite3_changes(store_db(s)) > 0;
	if (store_exec(s, OUTBOX_TRIM, e) == -1)
		goto out;
	rc = store_commit(s, e);
out:
	sqlite3_finalize(st);
	if (rc == -1)
		store_rollback(s);
	return rc;
}

sqlite3_stmt *
outbox_destinations(struct store *s, struct err *e)
{
	sqlite3_stmt	*st = NULL;

	if (sqlite3_prepare_v2(store_db(s), "SELECT dest, seq, shipped_us, "
	    "(SELECT count(*) FROM outbox o WHERE o.seq > c.seq) FROM "
	    "ship_cursors c ORDER BY dest", -1, &st, NULL) != SQLITE_OK) {
		store_err(s, e, "ship cursors");
		return NULL;
	}
	return st;
}

int
outbox_advance(struct store *s, const char *dest, int64_t seq,
    int64_t now_us, struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	if (store_begin(s, e) == -1)
		return -1;
	if (sqlite3_prepare_v2(store_db(s), "INSERT INTO ship_cursors (dest, "
	    "seq, shipped_us) VALUES (?1, ?2, ?3) ON CONFLICT (dest) DO "
	    "UPDATE SET seq = max(seq, excluded.seq), shipped_us = "
	    "excluded.shipped_us", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	sqlite3_bind_int64(st, 3, now_us);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	if (store_exec(s, OUTBOX_TRIM, e) == -1 ||
	    store_commit(s, e) == -1)
		goto out;
	rc = 0;
	goto out;
fail:
	store_err(s, e, "ship cursor");
out:
	sqlite3_finalize(st);
	if (rc == -1)
		store_rollback(s);
	return rc;
}
