/*
 * sources: the ingest's rows (see sources.h). Statements are prepared
 * once per connection (store_stmt()) and reset after each use.
 */
#include "store/sources.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/record.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "store/findings.h"

/* Candidates for a file: its path, its set or the same file (device and
 * inode) under another name, newest first. */
static const char SQL_FIND[] =
    "SELECT id, fingerprint, read_bytes, read_lines, replay_bytes, "
    "replay_lines, keep_n, keep_until_us, records, first_us, last_us, "
    "complete, layout, path = ?1 OR (dev = ?3 AND ino = ?4), replay_ids "
    "FROM sources WHERE path = ?1 OR set_path = ?2 OR (dev = ?3 AND "
    "ino = ?4) ORDER BY id DESC";
static const char SQL_ADD[] =
    "INSERT INTO sources (path, set_path, fingerprint, gzip, size, "
    "added_us, updated_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
static const char SQL_SAVE[] =
    "UPDATE sources SET path = ?2, set_path = ?3, fingerprint = ?4, "
    "gzip = ?5, size = ?6, read_bytes = ?7, read_lines = ?8, layout = ?9, "
    "complete = ?10, records = ?11, first_us = ?12, last_us = ?13, "
    "replay_bytes = ?14, replay_lines = ?15, keep_n = ?16, "
    "keep_until_us = ?17, updated_us = ?18, replay_ids = ?19, dev = ?20, "
    "ino = ?21, mtime_us = ?22, tz = coalesce(tz, ?23) WHERE id = ?1";
/* A file read to its end, unchanged since: nothing to open. */
static const char SQL_UNCHANGED[] =
    "SELECT 1 FROM sources WHERE path = ?1 AND dev = ?2 AND ino = ?3 AND "
    "size = ?4 AND mtime_us = ?5 AND (complete OR (NOT gzip AND "
    "read_bytes = size))";
static const char SQL_READ_BYTES[] =
    "SELECT read_bytes FROM sources WHERE id = ?1";
/* The sets a file was stored in under another set name. */
static const char SQL_FILE_SETS[] =
    "SELECT DISTINCT set_path FROM sources WHERE dev = ?1 AND ino = ?2 "
    "AND set_path <> ?3";
/* The zone a set's zone-less times were read in. */
static const char SQL_SET_ZONE[] =
    "SELECT tz FROM sources WHERE set_path = ?1 AND tz IS NOT NULL "
    "ORDER BY id DESC LIMIT 1";
static const char SQL_STALL_GET[] =
    "SELECT state FROM stall_state WHERE set_path = ?1";
static const char SQL_STALL_PUT[] =
    "INSERT INTO stall_state (set_path, state) VALUES (?1, ?2) "
    "ON CONFLICT (set_path) DO UPDATE SET state = excluded.state";
static const char SQL_COUNT_ADD[] =
    "INSERT INTO counts (source_id, minute, level, logger, n) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (source_id, minute, level, "
    "logger) DO UPDATE SET n = n + excluded.n";
static const char *const SQL_FORGET[] = {
	"DELETE FROM findings WHERE source_id = ?1",
	"DELETE FROM records WHERE source_id = ?1",
	"DELETE FROM counts WHERE source_id = ?1",
	"UPDATE sources SET size = 0, read_bytes = 0, read_lines = 0, "
	"complete = 0, records = 0, replay_bytes = 0, replay_lines = 0, "
	"replay_ids = NULL, dev = NULL, ino = NULL, mtime_us = NULL, "
	"keep_n = 0, keep_until_us = NULL, first_us = NULL, "
	"last_us = NULL, tz = NULL WHERE id = ?1",
};

static void
bind_time(sqlite3_stmt *st, int i, int64_t us)
{
	if (us == TS_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, us);
}

static int64_t
column_time(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return TS_NONE;
	return sqlite3_column_int64(st, i);
}

/* Bind the file's identity (dev, ino, mtime from index i on) when it
 * has one. */
static void
bind_identity(sqlite3_stmt *st, int i, const struct store_file *f,
    bool mtime)
{
	if (f->size < 0)
		return;
	sqlite3_bind_int64(st, i, f->dev);
	sqlite3_bind_int64(st, i + 1, f->ino);
	if (mtime)
		sqlite3_bind_int64(st, i + 2, f->mtime_us);
}

void
store_source_reset(struct store_source *src)
{
	free(src->kept_ids);
	free(src->layout);
	memset(src, 0, sizeof(*src));
	src->first_us = src->last_us = src->keep_until_us = TS_NONE;
}

/* The row of st (SQL_FIND) into *src. */
static void
source_row(sqlite3_stmt *st, struct store_source *src)
{
	const char	*layout;
	size_t		 n;

	src->id = sqlite3_column_int64(st, 0);
	src->read_bytes = sqlite3_column_int64(st, 2);
	src->read_lines = sqlite3_column_int64(st, 3);
	src->replay_bytes = sqlite3_column_int64(st, 4);
	src->replay_lines = sqlite3_column_int64(st, 5);
	src->keep_n = sqlite3_column_int64(st, 6);
	src->keep_until_us = column_time(st, 7);
	src->records = sqlite3_column_int64(st, 8);
	src->first_us = column_time(st, 9);
	src->last_us = column_time(st, 10);
	src->complete = sqlite3_column_int(st, 11);
	layout = (const char *)sqlite3_column_text(st, 12);
	if (layout != NULL && layout[0] != '\0')
		src->layout = xstrdup(layout);
	n = (size_t)sqlite3_column_bytes(st, 14) / (2 * sizeof(int64_t));
	if (n > 0) {
		src->kept_ids = xmalloc(n * 2 * sizeof(int64_t));
		memcpy(src->kept_ids, sqlite3_column_blob(st, 14),
		    n * 2 * sizeof(int64_t));
		src->nkept_ids = n;
	}
}

int
store_source_find(struct store *s, const struct store_file *f,
    store_fp_match_fn *match, struct store_source *src, bool *found,
    struct err *e)
{
	sqlite3_stmt	*st;
	int		 rc;

	*found = false;
	store_source_reset(src);
	if ((st = store_stmt(s, SQL_FIND, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, f->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->set_path, -1, SQLITE_STATIC);
	bind_identity(st, 3, f, false);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!match(sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1),
		    sqlite3_column_int(st, 13), f))
			continue;
		source_row(st, src);
		*found = true;
		break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		store_err(s, e, "sources");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_source_add(struct store *s, const struct store_file *f, int64_t *id,
    struct err *e)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_ADD, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, f->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, f->set_path, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, f->fp, (int)f->fplen, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, f->gzip);
	sqlite3_bind_int64(st, 5, f->size);
	sqlite3_bind_int64(st, 6, timefmt_now_us());
	if (store_step(s, st, "insert source", NULL, e) == -1)
		return -1;
	*id = sqlite3_last_insert_rowid(store_db(s));
	return 0;
}

int
store_source_save(struct store *s, const struct store_file *f,
    const struct store_source *src, const char *zone, struct err *e)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_SAVE, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, src->id);
	sqlite3_bind_text(st, 2, f->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->set_path, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, f->fp, (int)f->fplen, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, f->gzip);
	sqlite3_bind_int64(st, 6, f->size);
	sqlite3_bind_int64(st, 7, src->read_bytes);
	sqlite3_bind_int64(st, 8, src->read_lines);
	sqlite3_bind_text(st, 9, src->layout != NULL ? src->layout : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_int(st, 10, src->complete);
	sqlite3_bind_int64(st, 11, src->records);
	bind_time(st, 12, src->first_us);
	bind_time(st, 13, src->last_us);
	sqlite3_bind_int64(st, 14, src->replay_bytes);
	sqlite3_bind_int64(st, 15, src->replay_lines);
	sqlite3_bind_int64(st, 16, src->keep_n);
	bind_time(st, 17, src->keep_until_us);
	sqlite3_bind_int64(st, 18, timefmt_now_us());
	if (src->nkept_ids > 0)
		sqlite3_bind_blob(st, 19, src->kept_ids, (int)(src->nkept_ids *
		    2 * sizeof(int64_t)), SQLITE_STATIC);
	bind_identity(st, 20, f, true);
	if (zone != NULL)
		sqlite3_bind_text(st, 23, zone, -1, SQLITE_STATIC);
	return store_step(s, st, "update source", NULL, e);
}

int
store_source_forget(struct store *s, int64_t id, struct err *e)
{
	size_t	i;

	if (store_incidents_apart(s, STORE_OF_SOURCE, id, e) == -1)
		return -1;
	for (i = 0; i < sizeof(SQL_FORGET) / sizeof(SQL_FORGET[0]); i++)
		if (store_run_id(s, SQL_FORGET[i], id, NULL, e) == -1)
			return -1;
	return 0;
}

int
store_source_unchanged(struct store *s, const struct store_file *f,
    bool *same, struct err *e)
{
	sqlite3_stmt	*st;
	int		 rc;

	*same = false;
	if ((st = store_stmt(s, SQL_UNCHANGED, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, f->path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, f->dev);
	sqlite3_bind_int64(st, 3, f->ino);
	sqlite3_bind_int64(st, 4, f->size);
	sqlite3_bind_int64(st, 5, f->mtime_us);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*same = true;
	else if (rc != SQLITE_DONE)
		store_err(s, e, "sources");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_source_read_bytes(struct store *s, int64_t id, int64_t *at,
    struct err *e)
{
	sqlite3_stmt	*st;
	int		 rc;

	*at = -1;
	if ((st = store_stmt(s, SQL_READ_BYTES, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*at = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		store_err(s, e, "read position");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_file_sets(struct store *s, const struct store_file *f, char ***v,
    size_t *n, struct err *e)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;
	int		 rc;

	*v = NULL;
	*n = 0;
	if ((st = store_stmt(s, SQL_FILE_SETS, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, f->dev);
	sqlite3_bind_int64(st, 2, f->ino);
	sqlite3_bind_text(st, 3, f->set_path, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *sp = (const char *)sqlite3_column_text(st, 0);

		if (sp == NULL)
			continue;
		*v = xgrow(*v, &cap, *n + 1, sizeof(**v));
		(*v)[(*n)++] = xstrdup(sp);
	}
	if (rc != SQLITE_DONE)
		store_err(s, e, "sets");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_set_zone(struct store *s, const char *set_path, char **zone,
    struct err *e)
{
	sqlite3_stmt	*st;
	int		 rc;

	*zone = NULL;
	if ((st = store_stmt(s, SQL_SET_ZONE, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, set_path, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*zone = xstrdup((const char *)sqlite3_column_text(st, 0));
	else if (rc != SQLITE_DONE)
		store_err(s, e, "zone");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_stall_get(struct store *s, const char *set_path, void **p, size_t *n,
    struct err *e)
{
	sqlite3_stmt	*st;
	int		 rc;

	*p = NULL;
	*n = 0;
	if ((st = store_stmt(s, SQL_STALL_GET, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, set_path, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_bytes(st, 0) > 0) {
		*n = (size_t)sqlite3_column_bytes(st, 0);
		*p = xmalloc(*n);
		memcpy(*p, sqlite3_column_blob(st, 0), *n);
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		store_err(s, e, "stall state");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_stall_put(struct store *s, const char *set_path, const void *p,
    size_t n, struct err *e)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_STALL_PUT, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, set_path, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, p, (int)n, SQLITE_STATIC);
	return store_step(s, st, "stall state", NULL, e);
}

int
store_count_add(struct store *s, int64_t source_id,
    const struct store_count *c, struct err *e)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_COUNT_ADD, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, source_id);
	sqlite3_bind_int64(st, 2, c->minute);
	sqlite3_bind_text(st, 3, c->level, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->logger, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, c->n);
	return store_step(s, st, "counts", NULL, e);
}
