#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "common/err.h"
#include "common/finding.h"
#include "common/record.h"

/* The SQLite database: opening (WAL, busy timeout, migrations), write
 * transactions that wait for other writers, and the meta table. */
struct store;

#define STORE_READONLY	0x1	/* read-only connection, no migration */
#define STORE_CHECKPOINT_THREAD 0x2	/* WAL checkpoints run in a thread
					 * of their own, on a connection of
					 * their own: for long ingests */

/* The database path: opt if given, else $AIOSIFT_DB, else the default
 * set below (the configuration's db), else ./aiosift.db. */
const char	*store_path(const char *opt);
/* The default store_path() falls back on (NULL: none); a loan kept until
 * it is set again. */
void		 store_set_default_path(const char *path);

/* Open (creating and migrating unless STORE_READONLY) the database at
 * path. A file that is not an aiosift database, a newer schema or an
 * unwritable path is refused with STATUS_DB. NULL with *e on failure. */
struct store	*store_open(const char *path, int flags, struct err *e);
void		 store_close(struct store *s);

/* The connection, for the modules that prepare their own statements. */
sqlite3		*store_db(struct store *s);
const char	*store_filename(const struct store *s);

/* BEGIN IMMEDIATE, waiting for other writers (busy timeout, then retry),
 * COMMIT and ROLLBACK. */
int	store_begin(struct store *s, struct err *e);
int	store_commit(struct store *s, struct err *e);
void	store_rollback(struct store *s);

/* Fill *e with STATUS_DB, "PATH: WHAT: sqlite's message"; returns -1. */
int	store_err(struct store *s, struct err *e, const char *what);

/* The columns store_record_row() reads, in this order, of records "r". */
#define STORE_RECORD_COLS "r.id, r.source_id, r.offset, r.line, " \
	"r.nlines, r.ts_us, r.flags, r.level, r.logger, r.pid, r.thread, " \
	"r.task, r.msg_off, r.message, r.text"

/* The record of st's current row, selected with STORE_RECORD_COLS
 * first (offset, end and the id columns aside). Its spans are loans
 * from the row, valid until st steps or resets. */
void	store_record_row(sqlite3_stmt *st, struct record *r);

/* The INSERT of a finding that store_finding_bind() fills. */
#define STORE_FINDING_INSERT "INSERT INTO findings (record_id, source_id, " \
	"offset, line, ts_us, kind, rule, severity, task, coro, exception, " \
	"location, message, duration_us, fid, confidence) VALUES (?1, ?2, " \
	"?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"

/* Bind finding f of record r (record_id rec_id, 0: none stored) from
 * source source_id to a prepared STORE_FINDING_INSERT whose bindings are
 * clear. ordinal is store_ordinal() of f among the record's findings:
 * with the source and offset it makes the finding's fleet id. Strings
 * are bound static: they must outlive the step. */
void	store_finding_bind(struct store *s, sqlite3_stmt *st, int64_t rec_id,
	    int64_t source_id, const struct record *r,
	    const struct finding *f, int64_t ordinal);

/* How many of v[0..i) have the rule of v[i]: its ordinal in its record. */
int64_t	store_ordinal(const struct finding *v, size_t i);

/* The database's random id for fleet ids (store/fleetid.h), read when a
 * writing connection opens: a loan valid while s is open; "" on a
 * database without one, and on a read-only connection. */
const char	*store_fleet_id(struct store *s);

/* Rename a rotation set, inside the caller's transaction: its sources
 * (set_path, and the directory of each path), its gap detector state and
 * its incidents (a state already kept under to stays). 0 or -1 with *e. */
int	store_set_rename(struct store *s, const char *from, const char *to,
	    struct err *e);

/* For store/'s own files. The statement of sql (a static string: it is
 * known by its address), prepared once per connection and kept until
 * store_close(); NULL with *e. */
sqlite3_stmt	*store_stmt(struct store *s, const char *sql, struct err *e);
/* Step st to its end (a write) or first row, reset it and clear its
 * bindings; *changes (when not NULL) gets the rows it changed. 0 or -1
 * with *e naming what. */
int	store_step(struct store *s, sqlite3_stmt *st, const char *what,
	    int *changes, struct err *e);
/* store_step() of sql's statement with ?1 bound to id. */
int	store_run_id(struct store *s, const char *sql, int64_t id,
	    int *changes, struct err *e);

/* Run SQL with no results; 0 or -1 with *e. */
int	store_exec(struct store *s, const char *sql, struct err *e);

/* meta table: the text value of key in *value (the caller's to free;
 * NULL when absent), 0 or -1 with *e; and set it. */
int	 store_meta_get(struct store *s, const char *key, char **value,
	    struct err *e);
int	 store_meta_set(struct store *s, const char *key, const char *value,
	    struct err *e);

#endif
