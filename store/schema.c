/*
 * schema: the database layout and its forward migrations. Step i takes
 * PRAGMA user_version from i to i + 1; pending steps run in one
 * transaction, so a migration is whole or not at all. A released step
 * never changes, a new need is a new step. Views make the common questions
 * one SELECT away for the sqlite3 shell and other clients.
 */
#include "store/schema.h"

#include <stdio.h>

#include "store/fleetid.h"

static const char *const schema_steps[] = {
	/* 0 -> 1: the first layout */
	"CREATE TABLE sources ("
	"  id INTEGER PRIMARY KEY,"
	"  path TEXT NOT NULL,"		/* where the file was last seen */
	"  set_path TEXT NOT NULL,"	/* its rotation set: dir/app.log */
	"  fingerprint BLOB NOT NULL,"	/* first decompressed bytes */
	"  gzip INTEGER NOT NULL DEFAULT 0,"
	"  size INTEGER NOT NULL DEFAULT 0,"	/* on-disk size last seen */
	"  read_bytes INTEGER NOT NULL DEFAULT 0," /* decompressed, done */
	"  read_lines INTEGER NOT NULL DEFAULT 0,"
	"  layout TEXT,"
	"  complete INTEGER NOT NULL DEFAULT 0," /* rotated and read whole */
	"  records INTEGER NOT NULL DEFAULT 0,"	/* records seen, kept or not */
	/* where a resumed run re-reads from to rebuild the records before
	 * read_bytes that --keep context may still store, and how many
	 * records after the last finding it still keeps, until when */
	"  replay_bytes INTEGER NOT NULL DEFAULT 0,"
	"  replay_lines INTEGER NOT NULL DEFAULT 0,"
	"  replay_ids BLOB,"		/* (offset, records.id) of those kept */
	"  dev INTEGER, ino INTEGER, mtime_us INTEGER," /* to skip unchanged */
	"  keep_n INTEGER NOT NULL DEFAULT 0, keep_until_us INTEGER,"
	"  first_us INTEGER, last_us INTEGER,"
	"  added_us INTEGER NOT NULL, updated_us INTEGER NOT NULL);"
	"CREATE INDEX sources_path ON sources(path);"
	"CREATE INDEX sources_set ON sources(set_path);"
	"CREATE TABLE records ("
	"  id INTEGER PRIMARY KEY,"
	"  source_id INTEGER NOT NULL REFERENCES sources(id),"
	"  offset INTEGER NOT NULL,"	/* first byte, decompressed */
	"  line INTEGER NOT NULL,"	/* first line, 1-based */
	"  nlines INTEGER NOT NULL,"
	"  ts_us INTEGER,"		/* UTC microseconds; NULL: unknown */
	"  flags INTEGER NOT NULL DEFAULT 0," /* RECORD_* in record.h */
	"  level TEXT, logger TEXT, pid INTEGER, thread TEXT, task TEXT,"
	"  msg_off INTEGER NOT NULL DEFAULT 0," /* message = text from here */
	"  message TEXT,"		/* only where not a suffix of text */
	"  text TEXT NOT NULL);"
	"CREATE INDEX records_ts ON records(ts_us);"
	"CREATE TABLE findings ("
	"  id INTEGER PRIMARY KEY,"
	"  record_id INTEGER REFERENCES records(id),"
	"  source_id INTEGER NOT NULL REFERENCES sources(id),"
	"  offset INTEGER, line INTEGER,"
	"  ts_us INTEGER,"
	"  kind TEXT NOT NULL, rule TEXT NOT NULL,"
	"  severity INTEGER NOT NULL,"	/* enum severity */
	"  task TEXT, coro TEXT, exception TEXT, location TEXT,"
	"  message TEXT, duration_us INTEGER,"
	"  incident_id INTEGER REFERENCES incidents(id));"
	"CREATE INDEX findings_ts ON findings(ts_us);"
	"CREATE INDEX findings_record ON findings(record_id);"
	"CREATE INDEX findings_incident ON findings(incident_id);"
	"CREATE INDEX findings_sig ON findings(kind, coro, exception, ts_us);"
	"CREATE INDEX findings_task ON findings(task, ts_us);"
	"CREATE TABLE incidents ("
	"  id INTEGER PRIMARY KEY,"
	"  first_us INTEGER, last_us INTEGER,"
	"  severity INTEGER NOT NULL, kinds TEXT NOT NULL,"
	"  key TEXT, task TEXT, coro TEXT,"
	"  count INTEGER NOT NULL, summary TEXT NOT NULL,"
	"  set_path TEXT);"		/* the stream it happened in */
	"CREATE TABLE counts ("		/* the activity histogram */
	"  source_id INTEGER NOT NULL, minute INTEGER NOT NULL,"
	"  level TEXT NOT NULL, logger TEXT NOT NULL, n INTEGER NOT NULL,"
	"  PRIMARY KEY (source_id, minute, level, logger)) WITHOUT ROWID;"
	"CREATE TABLE stall_state ("	/* gap detector, per rotation set */
	"  set_path TEXT PRIMARY KEY, state BLOB NOT NULL);"
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value);"
	"CREATE VIEW findings_v AS SELECT f.id, f.kind, f.rule,"
	"  CASE f.severity WHEN 1 THEN 'info' WHEN 2 THEN 'warning'"
	"  WHEN 3 THEN 'error' ELSE 'critical' END AS severity,"
	"  strftime('%Y-%m-%dT%H:%M:%fZ', f.ts_us / 1e6, 'unixepoch') AS ts,"
	"  f.task, f.coro, f.exception, f.location,"
	"  f.duration_us / 1e6 AS duration_s, s.path AS source, f.line,"
	"  f.incident_id AS incident, f.message"
	"  FROM findings f JOIN sources s ON s.id = f.source_id;"
	"CREATE VIEW records_v AS SELECT r.id, s.path AS source, r.line,"
	"  strftime('%Y-%m-%dT%H:%M:%fZ', r.ts_us / 1e6, 'unixepoch') AS ts,"
	"  r.level, r.logger, r.pid, r.thread, r.task,"
	"  coalesce(r.message, CAST(substr(CAST(r.text AS BLOB),"
	"  r.msg_off + 1) AS TEXT)) AS message, r.text"
	"  FROM records r JOIN sources s ON s.id = r.source_id;"
	"CREATE VIEW incidents_v AS SELECT id,"
	"  strftime('%Y-%m-%dT%H:%M:%fZ', first_us / 1e6, 'unixepoch') AS first,"
	"  strftime('%Y-%m-%dT%H:%M:%fZ', last_us / 1e6, 'unixepoch') AS last,"
	"  CASE severity WHEN 1 THEN 'info' WHEN 2 THEN 'warning'"
	"  WHEN 3 THEN 'error' ELSE 'critical' END AS severity,"
	"  kinds, task, coro, count, summary, set_path FROM incidents;",
	/* 1 -> 2: a sparse time index over records instead of one index
	 * entry per record (a fifth of the cost of --keep all): a span is
	 * a run of at most SCHEMA_SPAN_RECORDS consecutive record ids with
	 * the least and greatest time among them. Spans never overlap, and
	 * ids are never reused below the last span; records with no time
	 * count in no span's times. */
	"CREATE TABLE record_spans ("
	"  first_id INTEGER PRIMARY KEY,"
	"  last_id INTEGER NOT NULL,"
	"  min_us INTEGER NOT NULL, max_us INTEGER NOT NULL);"
	"INSERT INTO record_spans SELECT min(id), max(id), min(ts_us),"
	"  max(ts_us) FROM records WHERE ts_us IS NOT NULL GROUP BY id / 256;"
	"DROP INDEX records_ts;",
	/* 2 -> 3: a file is found by its device and inode too, whatever
	 * path reached it (paths are canonical and absolute from now on;
	 * relative ones older runs stored are renamed when next met) */
	"CREATE INDEX sources_file ON sources(dev, ino);",
	/* 3 -> 4: shipping to a fleet (store/fleetid.h, fleet/ship.c).
	 * Stable ids for findings and incidents; every change of a
	 * finding, incident or count appends to the outbox, by triggers,
	 * so whatever writes them (ingest, rescan, --reread, a joined
	 * record, a sqlite3 shell) ships in the same transaction. tbl 1:
	 * a finding (key fid, at its ts_us), 2: an incident (key uid, at
	 * first_us), 3: a count (key source_id, at its minute, level,
	 * logger). ship_cursors: how far each destination has taken. */
	"INSERT OR IGNORE INTO meta (key, value) VALUES ('fleet_id',"
	"  lower(hex(randomblob(8))));"
	"ALTER TABLE findings ADD COLUMN fid INTEGER;"
	"ALTER TABLE incidents ADD COLUMN uid INTEGER;"
	"UPDATE findings SET fid = aiosift_fid((SELECT value FROM meta"
	"  WHERE key = 'fleet_id'), findings.source_id, findings.offset,"
	"  findings.rule, o.ord) FROM (SELECT id, row_number() OVER"
	"  (PARTITION BY source_id, offset, rule ORDER BY id) - 1 AS ord"
	"  FROM findings) o WHERE o.id = findings.id;"
	"UPDATE incidents SET uid = (SELECT f.fid FROM findings f"
	"  WHERE f.incident_id = incidents.id ORDER BY f.ts_us, f.id LIMIT 1);"
	"CREATE INDEX findings_fid ON findings(fid);"
	"CREATE INDEX incidents_uid ON incidents(uid);"
	"CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  tbl INTEGER NOT NULL, key INTEGER, at INTEGER,"
	"  level TEXT, logger TEXT);"
	"CREATE TABLE ship_cursors (dest TEXT PRIMARY KEY,"
	"  seq INTEGER NOT NULL, shipped_us INTEGER NOT NULL);"
	"CREATE TRIGGER outbox_finding_ins AFTER INSERT ON findings BEGIN"
	"  INSERT INTO outbox (tbl, key, at) VALUES (1, new.fid, new.ts_us);"
	"  END;"
	"CREATE TRIGGER outbox_finding_upd AFTER UPDATE ON findings BEGIN"
	"  INSERT INTO outbox (tbl, key, at) SELECT 1, old.fid, old.ts_us"
	"  WHERE old.fid IS NOT new.fid OR old.ts_us IS NOT new.ts_us;"
	"  INSERT INTO outbox (tbl, key, at) VALUES (1, new.fid, new.ts_us);"
	"  END;"
	"CREATE TRIGGER outbox_finding_del AFTER DELETE ON findings BEGIN"
	"  INSERT INTO outbox (tbl, key, at) VALUES (1, old.fid, old.ts_us);"
	"  END;"
	"CREATE TRIGGER outbox_incident_ins AFTER INSERT ON incidents BEGIN"
	"  INSERT INTO outbox (tbl, key, at) VALUES (2, new.uid,"
	"  new.first_us); END;"
	"CREATE TRIGGER outbox_incident_upd AFTER UPDATE ON incidents BEGIN"
	"  INSERT INTO outbox (tbl, key, at) SELECT 2, old.uid, old.first_us"
	"  WHERE old.uid IS NOT new.uid OR old.first_us IS NOT new.first_us;"
	"  INSERT INTO outbox (tbl, key, at) VALUES (2, new.uid,"
	"  new.first_us); END;"
	"CREATE TRIGGER outbox_incident_del AFTER DELETE ON incidents BEGIN"
	"  INSERT INTO outbox (tbl, key, at) VALUES (2, old.uid,"
	"  old.first_us); END;"
	"CREATE TRIGGER outbox_count_ins AFTER INSERT ON counts BEGIN"
	"  INSERT INTO outbox (tbl, key, at, level, logger) VALUES (3,"
	"  new.source_id, new.minute, new.level, new.logger); END;"
	"CREATE TRIGGER outbox_count_upd AFTER UPDATE ON counts BEGIN"
	"  INSERT INTO outbox (tbl, key, at, level, logger) VALUES (3,"
	"  new.source_id, new.minute, new.level, new.logger); END;"
	"CREATE TRIGGER outbox_count_del AFTER DELETE ON counts BEGIN"
	"  INSERT INTO outbox (tbl, key, at, level, logger) VALUES (3,"
	"  old.source_id, old.minute, old.level, old.logger); END;",
	/* 4 -> 5: the outbox only while some destination has a cursor: a
	 * database never shipped keeps no outbox (a ship makes its cursor
	 * first, then reads everything; changes from then on are kept) */
	"DROP TRIGGER outbox_finding_ins; DROP TRIGGER outbox_finding_upd;"
	"DROP TRIGGER outbox_finding_del; DROP TRIGGER outbox_incident_ins;"
	"DROP TRIGGER outbox_incident_upd; DROP TRIGGER outbox_incident_del;"
	"DROP TRIGGER outbox_count_ins; DROP TRIGGER outbox_count_upd;"
	"DROP TRIGGER outbox_count_del;"
	"DELETE FROM outbox WHERE NOT EXISTS (SELECT 1 FROM ship_cursors);"
	"CREATE TRIGGER outbox_finding_ins AFTER INSERT ON findings"
	"  WHEN EXISTS (SELECT 1 FROM ship_cursors) BEGIN"
	"  INSERT INTO outbox (tbl, key, at) VALUES (1, new.fid, new.ts_us);"
	"  END;"
	"CREATE TRIGGER outbox_finding_upd AFTER UPDATE ON findings"
	"  WHEN EXISTS (SELECT 1 FROM ship_cursors) BEGIN"
	"  INSERT INTO outbox (tbl, key, at) SELECT 1, old.fid, old.ts_us"
	"  WHERE old.fid IS NOT new.fid OR old.ts_us IS NOT new.ts_us;"
	"  INSERT INTO outbox (tbl, key, at) VALUES (1, new.fid, new.ts_us);"
	"  END;"
	"CREATE TRIGGER outbox_finding_del AFTER DELETE ON findings"
	"  WHEN EXISTS (SELECT 1 FROM ship_cursors) BEGIN"
	"  INSERT INTO outbox (tbl, key, at) VALUES (1, old.fid, old.ts_us);"
	"  END;"
	"CREATE TRIGGER outbox_incident_ins AFTER INSERT ON incidents"
	"  WHEN EXISTS (SELECT 1 FROM ship_cursors) BEGIN"
	"  INSERT INTO outbox (tbl, key, at) VALUES (2, new.uid,"
	"  new.first_us); END;"
	"CREATE TRIGGER outbox_incident_upd AFTER UPDATE ON incidents"
	"  WHEN EXISTS (SELECT 1 FROM ship_cursors) BEGIN"
	"  INSERT INTO outbox (tbl, key, at) SELECT 2, old.uid, old.first_us"
	"  WHERE old.uid IS NOT new.uid OR old.first_us IS NOT new.first_us;"
	"  INSERT INTO outbox (tbl, key, at) VALUES (2, new.uid,"
	"  new.first_us); END;"
	"CREATE TRIGGER outbox_incident_del AFTER DELETE ON incidents"
	"  WHEN EXISTS (SELECT 1 FROM ship_cursors) BEGIN"
	"  INSERT INTO outbox (tbl, key, at) VALUES (2, old.uid,"
	"  old.first_us); END;"
	"CREATE TRIGGER outbox_count_ins AFTER INSERT ON counts"
	"  WHEN EXISTS (SELECT 1 FROM ship_cursors) BEGIN"
	"  INSERT INTO outbox (tbl, key, at, level, logger) VALUES (3,"
	"  new.source_id, new.minute, new.level, new.logger); END;"
	"CREATE TRIGGER outbox_count_upd AFTER UPDATE ON counts"
	"  WHEN EXISTS (SELECT 1 FROM ship_cursors) BEGIN"
	"  INSERT INTO outbox (tbl, key, at, level, logger) VALUES (3,"
	"  new.source_id, new.minute, new.level, new.logger); END;"
	"CREATE TRIGGER outbox_count_del AFTER DELETE ON counts"
	"  WHEN EXISTS (SELECT 1 FROM ship_cursors) BEGIN"
	"  INSERT INTO outbox (tbl, key, at, level, logger) VALUES (3,"
	"  old.source_id, old.minute, old.level, old.logger); END;",
	/* 5 -> 6: when each finding was first stored, by its fleet id (so
	 * a rescan or --reread that makes it again keeps the first time):
	 * findings with no time of their own are reported and filtered by
	 * it, and a report's bookmark catches those stored after their
	 * period was reported. Older findings take their own time, or
	 * their file's last ingest when they have none. */
	"CREATE TABLE found (fid INTEGER PRIMARY KEY,"
	"  found_us INTEGER NOT NULL);"
	"INSERT OR IGNORE INTO found SELECT f.fid, coalesce(f.ts_us,"
	"  s.updated_us) FROM findings f JOIN sources s ON s.id = f.source_id"
	"  WHERE f.fid IS NOT NULL;"
	"CREATE INDEX found_time ON found(found_us);"
	"CREATE TRIGGER found_finding_ins AFTER INSERT ON findings"
	"  WHEN new.fid IS NOT NULL BEGIN"
	"  INSERT OR IGNORE INTO found (fid, found_us) VALUES (new.fid,"
	"  CAST((julianday('now') - 2440587.5) * 86400000 + 1 AS INTEGER)"
	"  * 1000);"	/* the next millisecond: never before now */
	"  END;",
	/* 6 -> 7: how sure a gap stall is that the loop was blocked (0-1,
	 * from its evidence; NULL for the other findings), which ranks the
	 * report's longest stalls. Gaps across restarts and idle periods
	 * are kinds of their own (restart, idle: info). */
	"ALTER TABLE findings ADD COLUMN confidence REAL;",
	/* 7 -> 8: the zone a source's zone-less times were read in (--tz,
	 * else the local zone, named), applied on every later run */
	"ALTER TABLE sources ADD COLUMN tz TEXT;",
	/* 8 -> 9: incidents by time, for the correlation of each run,
	 * which rebuilds those a new finding could join (rules/correlate.c):
	 * without them it read every incident, twice, each run */
	("CREATE INDEX incidents_first ON incidents(first_us);"
	 "CREATE INDEX incidents_last ON incidents(last_us);"),
};

#define SCHEMA_NSTEPS	((int)(sizeof(schema_steps) / sizeof(schema_steps[0])))

int
schema_latest(void)
{
	return SCHEMA_NSTEPS;
}

/* The integer a one-row pragma returns, or -1 with *e filled. */
static int
schema_pragma_int(sqlite3 *db, const char *sql, const char *path,
    struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		err_set(e, STATUS_DB, "%s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	v = sqlite3_column_int(st, 0);
out:
	sqlite3_finalize(st);
	return v;
}

int
schema_version(sqlite3 *db, const char *path, struct err *e)
{
	return schema_pragma_int(db, "PRAGMA user_version", path, e);
}

/* A schema version this build does not know: -1 with *e. */
static int
schema_newer(const char *path, int version, struct err *e)
{
	return err_set(e, STATUS_DB, "%s: schema version %d is newer than "
	    "this aiosift knows (%d): upgrade aiosift", path, version,
	    SCHEMA_NSTEPS);
}

int
schema_check(sqlite3 *db, const char *path, struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 appid = 0, version = 0;

	if (sqlite3_prepare_v2(db, "SELECT application_id, user_version FROM "
	    "pragma_application_id, pragma_user_version", -1, &st, NULL) !=
	    SQLITE_OK)
		return err_set(e, STATUS_DB, "%s: %s", path,
		    sqlite3_errmsg(db));
	/* a locked or unreadable file is that, not someone else's */
	if (sqlite3_step(st) != SQLITE_ROW) {
		err_set(e, STATUS_DB, "%s: %s", path, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	appid = sqlite3_column_int(st, 0);
	version = sqlite3_column_int(st, 1);
	sqlite3_finalize(st);
	if (appid != SCHEMA_APPLICATION_ID || version < 1)
		return err_set(e, STATUS_DB, "%s: not an aiosift database",
		    path);
	if (version > SCHEMA_NSTEPS)
		return schema_newer(path, version, e);
	return 0;
}

int
schema_migrate(sqlite3 *db, const char *path, struct err *e)
{
	char	 sql[128];
	char	*msg = NULL;
	int	 version, appid, ntables;

	if ((version = schema_pragma_int(db, "PRAGMA user_version", path,
	    e)) < 0)
		return -1;
	if (version >= SCHEMA_NSTEPS) {
		if (version > SCHEMA_NSTEPS)
			return schema_newer(path, version, e);
		return 0;
	}
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return err_set(e, STATUS_DB, "%s: %s", path,
		    sqlite3_errmsg(db));
	/* Read again under the write lock: another process may have
	 * migrated meanwhile. */
	if ((version = schema_pragma_int(db, "PRAGMA user_version", path,
	    e)) < 0 ||
	    (appid = schema_pragma_int(db, "PRAGMA application_id", path,
	    e)) < 0 ||
	    (ntables = schema_pragma_int(db, "SELECT count(*) FROM "
	    "sqlite_master", path, e)) < 0)
		goto fail;
	if (appid != SCHEMA_APPLICATION_ID && (appid != 0 || ntables > 0)) {
		err_set(e, STATUS_DB, "%s: not an aiosift database (it has "
		    "other tables or application_id)", path);
		goto fail;
	}
	/* step 3 -> 4 gives older findings their ids */
	if (fleetid_register(db) != SQLITE_OK) {
		err_set(e, STATUS_DB, "%s: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	for (; version < SCHEMA_NSTEPS; version++) {
		if (sqlite3_exec(db, schema_steps[version], NULL, NULL,
		    &msg) != SQLITE_OK) {
			err_set(e, STATUS_DB, "%s: migration %d: %s", path,
			    version + 1, msg ? msg : "failed");
			sqlite3_free(msg);
			goto fail;
		}
	}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d; PRAGMA "
	    "application_id = %d", SCHEMA_NSTEPS, SCHEMA_APPLICATION_ID);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		err_set(e, STATUS_DB, "%s: %s", path, sqlite3_errmsg(db));
		goto fail;
	}
	return 0;
fail:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}
