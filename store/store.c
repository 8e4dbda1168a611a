/*
 * store: the one SQLite file behind every command. It opens the database
 * in WAL mode so readers never block the ingester, sets a busy timeout so
 * concurrent ingests wait instead of failing, and migrates the schema.
 * What to store is the callers' business (ingest/, rules/, query/).
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/testhook.h"
#include "common/xmalloc.h"
#include "store/fleetid.h"
#include "store/schema.h"

#define STORE_BUSY_MS	60000	/* how long a writer waits for another */

/* How long to wait for a lock: STORE_BUSY_MS, or for the tests of a
 * locked database AIOSIFT_TEST_BUSY_MS (a test hook, as those of
 * common/testhook.h: a test holds the lock until the run has failed). */
static int
store_busy_ms(void)
{
	const char	*v = getenv("AIOSIFT_TEST_BUSY_MS");
	long		 ms;
	char		*end;

	if (v == NULL || *v == '\0')
		return STORE_BUSY_MS;
	ms = strtol(v, &end, 10);
	return *end == '\0' && ms >= 0 && ms <= STORE_BUSY_MS ? (int)ms :
	    STORE_BUSY_MS;
}

/* WAL frames after which a checkpoint runs: SQLite's own default */
#define STORE_CKPT_FRAMES	1000

/* The WAL a writing connection leaves at close, at most (store_settle) */
#define STORE_WAL_KEEP		(INT64_C(4) << 20)

/* Checkpoints off the committing thread: the commit that finds the WAL
 * long wakes a thread that copies it into the database on a connection
 * of its own (passive: it waits for no one), while the ingest goes on.
 * The WAL only starts over when a transaction begins with all of it
 * copied, which a writer that never pauses never sees: so once the WAL
 * is twice as long, the next store_begin() waits for the thread and
 * copies the rest itself (the last commit's pages, little). */
struct checkpointer {
	sqlite3		*db;
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* due, quit, or done */
	bool		 due, busy, quit;
	int		 frames;	/* in the WAL at the last commit;
					 * the committing thread's */
};

/* Statements store_stmt() keeps prepared: more than store/ has */
#define STORE_STMTS	48

struct store {
	sqlite3			*db;
	char			*path;
	char			*fleet_id;	/* store_fleet_id() */
	struct checkpointer	*ck;
	struct {
		const char	*sql;		/* by address */
		sqlite3_stmt	*st;
	}			 stmts[STORE_STMTS];
	size_t			 nstmts;
	bool			 wrote;		/* committed since the open */
	int			 wal_frames;	/* in the WAL at the last
						 * commit */
};

static void	checkpointer_start(struct store *s);
static void	checkpointer_stop(struct store *s);
static int	store_wal_hook(void *arg, sqlite3 *db, const char *name,
		    int nframes);
static void	checkpointer_catch_up(struct store *s);

static const char	*store_default_path;

void
store_set_default_path(const char *path)
{
	store_default_path = path;
}

const char *
store_path(const char *opt)
{
	const char	*env;

	if (opt != NULL && *opt != '\0')
		return opt;
	env = getenv("AIOSIFT_DB");
	if (env != NULL && *env != '\0')
		return env;
	if (store_default_path != NULL && *store_default_path != '\0')
		return store_default_path;
	return "aiosift.db";
}

int
store_err(struct store *s, struct err *e, const char *what)
{
	return err_set(e, STATUS_DB, "%s: %s: %s", s->path, what,
	    sqlite3_errmsg(s->db));
}

static struct span
store_column_span(sqlite3_stmt *st, int i)
{
	struct span	sp;

	sp.p = (const char *)sqlite3_column_text(st, i);
	sp.n = (size_t)sqlite3_column_bytes(st, i);
	if (sp.p == NULL)
		sp.n = 0;
	return sp;
}

void
store_record_row(sqlite3_stmt *st, struct record *r)
{
	int64_t	msg_off;

	memset(r, 0, sizeof(*r));
	r->offset = sqlite3_column_int64(st, 2);
	r->line = sqlite3_column_int64(st, 3);
	r->nlines = sqlite3_column_int64(st, 4);
	r->ts_us = sqlite3_column_type(st, 5) == SQLITE_NULL ? TS_NONE :
	    sqlite3_column_int64(st, 5);
	r->flags = (unsigned)sqlite3_column_int(st, 6);
	r->pid = sqlite3_column_type(st, 9) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, 9);
	/* text first: fetching other columns may not move it */
	r->text = store_column_span(st, 14);
	r->level = store_column_span(st, 7);
	r->logger = store_column_span(st, 8);
	r->thread = store_column_span(st, 10);
	r->task = store_column_span(st, 11);
	msg_off = sqlite3_column_int64(st, 12);
	if (sqlite3_column_type(st, 13) != SQLITE_NULL)
		r->message = store_column_span(st, 13);
	else if (msg_off >= 0 && (size_t)msg_off <= r->text.n) {
		r->message.p = r->text.p + msg_off;
		r->message.n = r->text.n - (size_t)msg_off;
	} else
		r->message = r->text;
}

static void
store_bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

int64_t
store_ordinal(const struct finding *v, size_t i)
{
	int64_t	n = 0;
	size_t	j;

	for (j = 0; j < i; j++)
		if (strcmp(v[j].rule, v[i].rule) == 0)
			n++;
	return n;
}

const char *
store_fleet_id(struct store *s)
{
	return s->fleet_id != NULL ? s->fleet_id : "";
}

void
store_finding_bind(struct store *s, sqlite3_stmt *st, int64_t rec_id,
    int64_t source_id, const struct record *r, const struct finding *f,
    int64_t ordinal)
{
	sqlite3_bind_int64(st, 15, fleetid_finding(store_fleet_id(s),
	    source_id, r->offset, f->rule, ordinal));
	if (rec_id > 0)
		sqlite3_bind_int64(st, 1, rec_id);
	sqlite3_bind_int64(st, 2, source_id);
	sqlite3_bind_int64(st, 3, r->offset);
	sqlite3_bind_int64(st, 4, r->line);
	if (f->ts_us != TS_NONE)
		sqlite3_bind_int64(st, 5, f->ts_us);
	store_bind_str(st, 6, f->kind);
	store_bind_str(st, 7, f->rule);
	sqlite3_bind_int(st, 8, f->severity);
	store_bind_str(st, 9, f->task);
	store_bind_str(st, 10, f->coro);
	store_bind_str(st, 11, f->exception);
	store_bind_str(st, 12, f->location);
	store_bind_str(st, 13, f->message);
	if (f->duration_us >= 0)
		sqlite3_bind_int64(st, 14, f->duration_us);
	if (f->confidence > 0)
		sqlite3_bind_double(st, 16, f->confidence);
}

sqlite3_stmt *
store_stmt(struct store *s, const char *sql, struct err *e)
{
	size_t	i;

	for (i = 0; i < s->nstmts; i++)
		if (s->stmts[i].sql == sql)
			return s->stmts[i].st;
	if (s->nstmts == STORE_STMTS) {
		err_set(e, STATUS_DB, "%s: more than %d statements to keep "
		    "prepared (STORE_STMTS)", s->path, STORE_STMTS);
		return NULL;
	}
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &s->stmts[i].st, NULL) != SQLITE_OK) {
		store_err(s, e, "prepare");
		sqlite3_finalize(s->stmts[i].st);
		return NULL;
	}
	s->stmts[i].sql = sql;
	s->nstmts++;
	return s->stmts[i].st;
}

int
store_step(struct store *s, sqlite3_stmt *st, const char *what, int *changes,
    struct err *e)
{
	int	rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		store_err(s, e, what);
	else if (changes != NULL)
		*changes = sqlite3_changes(s->db);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int
store_run_id(struct store *s, const char *sql, int64_t id, int *changes,
    struct err *e)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, sql, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return store_step(s, st, "forget", changes, e);
}

int
store_exec(struct store *s, const char *sql, struct err *e)
{
	char	*msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(e, STATUS_DB, "%s: %s", s->path,
		    msg ? msg : sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
store_set_rename(struct store *s, const char *from, const char *to,
    struct err *e)
{
	static const char *const sql[] = {
		"UPDATE sources SET path = ?4 || substr(path, length(?3) + 1) "
		"WHERE set_path = ?1 AND substr(path, 1, length(?3)) = ?3",
		"UPDATE sources SET set_path = ?2 WHERE set_path = ?1",
		"UPDATE stall_state SET set_path = ?2 WHERE set_path = ?1 AND "
		"NOT EXISTS (SELECT 1 FROM stall_state WHERE set_path = ?2)",
		"UPDATE incidents SET set_path = ?2 WHERE set_path = ?1",
	};
	const char	*fs = strrchr(from, '/'), *ts = strrchr(to, '/');
	sqlite3_stmt	*st = NULL;
	size_t		 i;
	int		 rc = -1;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		if (sqlite3_prepare_v2(s->db, sql[i], -1, &st, NULL) !=
		    SQLITE_OK)
			goto out;
		sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, from, fs == NULL ? 0 :
		    (int)(fs - from) + 1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, to, ts == NULL ? 0 :
		    (int)(ts - to) + 1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto out;
		sqlite3_finalize(st);
		st = NULL;
	}
	rc = 0;
out:
	if (rc == -1)
		store_err(s, e, "rename set");
	sqlite3_finalize(st);
	return rc;
}

/* store_exec(), retried while another connection holds the lock: two
 * runs creating one database at once meet here, and SQLite does not call
 * the busy handler for every lock a journal mode change needs. */
static int
store_exec_retry(struct store *s, const char *sql, struct err *e)
{
	struct timespec	 nap = { 0, 20 * 1000 * 1000 };
	int		 tries, rc;

	for (tries = store_busy_ms() / 20; ; tries--) {
		rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
		if (((rc & 0xff) != SQLITE_BUSY &&
		    (rc & 0xff) != SQLITE_LOCKED) || tries <= 0)
			break;
		nanosleep(&nap, NULL);
	}
	if (rc != SQLITE_OK)
		return err_set(e, STATUS_DB, "%s: %s", s->path,
		    sqlite3_errmsg(s->db));
	return 0;
}

/* Check the file is a database at all: SQLite opens anything lazily and
 * only fails at the first read, with a message that names no file. */
static int
store_probe(struct store *s, struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM sqlite_master",
	    -1, &st, NULL) != SQLITE_OK)
		goto bad;
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
bad:
	sqlite3_finalize(st);
	return err_set(e, STATUS_DB, "%s: %s", s->path,
	    sqlite3_errmsg(s->db));
}

/* Why a database cannot be written, when that is the reason an open
 * failed: the file, or for a new one its directory, is not writable (a
 * read-only mount, permissions). Fills *e and returns -1; 0 when both
 * are writable. */
static int
store_unwritable(const char *path, struct err *e)
{
	char	*dir, *slash;
	int	 rc = 0;

	if (access(path, F_OK) == 0) {
		if (access(path, W_OK) == -1)
			rc = err_set(e, STATUS_DB, "%s: database is read-only: "
			    "%s", path, strerror(errno));
		return rc;
	}
	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (access(dir, W_OK) == -1 && errno != ENOENT)
		rc = err_set(e, STATUS_DB, "%s: cannot create the database: "
		    "%s", path, strerror(errno));
	free(dir);
	return rc;
}

/* A read-only connection to a WAL database on a read-only medium: SQLite
 * needs to create the -shm file for WAL and cannot, unless told that
 * nothing changes the file (immutable=1, as a URI). */
static sqlite3 *
store_open_immutable(const char *path)
{
	static const char	 hex[] = "0123456789ABCDEF";
	struct buf		 uri;
	sqlite3			*db = NULL;
	const unsigned char	*p;

	buf_init(&uri, 3 * strlen(path) + 64);
	buf_adds(&uri, "file:");
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._-", *p) != NULL) {
			buf_addc(&uri, (char)*p);
		} else {
			buf_addc(&uri, '%');
			buf_addc(&uri, hex[*p >> 4]);
			buf_addc(&uri, hex[*p & 15]);
		}
	}
	buf_adds(&uri, "?immutable=1");
	if (sqlite3_open_v2(uri.data, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		sqlite3_close_v2(db);
		db = NULL;
	}
	buf_release(&uri);
	return db;
}

/* Whether a WAL with content lies beside the database at path. */
static bool
store_wal_waits(const char *path)
{
	struct stat	 sb;
	char		*wal = xmalloc(strlen(path) + 5);
	bool		 yes;

	sprintf(wal, "%s-wal", path);
	yes = stat(wal, &sb) == 0 && sb.st_size > 0;
	free(wal);
	return yes;
}

/* A read-only connection to an aiosift database of an older schema: the
 * file is migrated first through a writing connection, when it can be
 * written; else the questions would meet tables that are not there. */
static int
store_readable(struct store *s, struct err *e)
{
	struct store	*w;
	int		 version;

	if ((version = schema_version(s->db, s->path, e)) == -1)
		return -1;
	if (version == 0 || version >= schema_latest())
		return 0;	/* not ours, empty, or newer: said later */
	if (access(s->path, W_OK) == -1)
		return err_set(e, STATUS_DB, "%s: database of schema version "
		    "%d, older than this aiosift's %d, and it cannot be "
		    "written to upgrade it: %s", s->path, version,
		    schema_latest(), strerror(errno));
	if ((w = store_open(s->path, 0, e)) == NULL)
		return -1;
	store_close(w);
	return 0;
}

struct store *
store_open(const char *path, int flags, struct err *e)
{
	struct store	*s = xcalloc(1, sizeof(*s));
	struct stat	 sb;
	int		 oflags;

	s->path = xstrdup(path);
	if (flags & STORE_READONLY) {
		if (stat(path, &sb) == -1) {
			err_set(e, STATUS_DB, "%s: %s", path, strerror(errno));
			goto fail;
		}
		oflags = SQLITE_OPEN_READONLY;
	} else
		oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		err_set(e, STATUS_DB, "%s: not a regular file", path);
		goto fail;
	}
	/* No memory statistics: they take a global mutex per allocation.
	 * Refused (harmlessly) once SQLite is initialized. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* A writing connection may be shared by two threads (the ingest
	 * and its writer, store/writer.h): SQLite serializes their calls
	 * (the writer runs no thread on a connection without the mutex). A
	 * reading one is one thread's: no mutex. */
	oflags |= flags & STORE_READONLY ? SQLITE_OPEN_NOMUTEX :
	    SQLITE_OPEN_FULLMUTEX;
	if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
		err_set(e, STATUS_DB, "%s: %s", path, s->db ?
		    sqlite3_errmsg(s->db) : "cannot open database");
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, store_busy_ms());
	if (store_probe(s, e) == -1) {
		if (!(flags & STORE_READONLY) ||
		    (sqlite3_errcode(s->db) & 0xff) != SQLITE_CANTOPEN)
			goto fail;
		sqlite3_close_v2(s->db);
		s->db = NULL;
		/* immutable reads the database file alone: a WAL beside it
		 * (the last runs', store_settle()) would go unread */
		if (store_wal_waits(path)) {
			err_set(e, STATUS_DB, "%s: its WAL (%s-wal) cannot be "
			    "read here (SQLite cannot open %s-shm beside it); "
			    "open it once where it can be written, or copy it "
			    "with sqlite3 .backup", path, path, path);
			goto fail;
		}
		if ((s->db = store_open_immutable(path)) == NULL ||
		    store_probe(s, e) == -1)
			goto fail;
	}
	if (flags & STORE_READONLY) {
		if (store_exec(s, "PRAGMA query_only = 1", e) == -1 ||
		    store_readable(s, e) == -1)
			goto fail;
		return s;
	}
	/* A new database gets large pages: a sixteenth of the B-tree pages
	 * and WAL frames of 4 KiB ones for a --keep all archive (a no-op
	 * for an existing database, and for one already in WAL mode) */
	if (store_exec(s, "PRAGMA page_size = 65536", e) == -1 ||
	    store_exec_retry(s, "PRAGMA journal_mode = WAL", e) == -1 ||
	    store_exec(s, "PRAGMA synchronous = NORMAL", e) == -1 ||
	    store_exec(s, "PRAGMA foreign_keys = OFF", e) == -1 ||
	    schema_migrate(s->db, path, e) == -1 ||
	    /* the cache in pages was sized for the page size at open: 500
	     * of 64 KiB for a new database, unless sized again */
	    store_exec(s, "PRAGMA cache_size = -2000", e) == -1 ||
	    store_meta_get(s, FLEETID_META, &s->fleet_id, e) == -1)
		goto fail;
	/* the WAL is kept at close, synced once (store_settle) */
	if (sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
	    NULL) != SQLITE_OK) {
		store_err(s, e, "open");
		goto fail;
	}
	sqlite3_wal_hook(s->db, store_wal_hook, s);
	if (flags & STORE_CHECKPOINT_THREAD)
		checkpointer_start(s);
	return s;
fail:
	if (!(flags & STORE_READONLY))
		store_unwritable(path, e);
	store_close(s);
	return NULL;
}

/* ---- checkpoints in a thread ------------------------------------------ */

static void *
checkpointer_main(void *arg)
{
	struct checkpointer	*ck = arg;

	pthread_mutex_lock(&ck->mu);
	for (;;) {
		while (!ck->due && !ck->quit)
			pthread_cond_wait(&ck->cv, &ck->mu);
		if (ck->quit)
			break;
		ck->due = false;
		ck->busy = true;
		pthread_mutex_unlock(&ck->mu);
		/* busy or failed: the next one, or the close, does it */
		sqlite3_wal_checkpoint_v2(ck->db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&ck->mu);
		ck->busy = false;
		pthread_cond_broadcast(&ck->cv);
	}
	pthread_mutex_unlock(&ck->mu);
	return NULL;
}

/* After each commit (the committing thread): wake the checkpointer. */
static void
checkpointer_hook(struct checkpointer *ck, int nframes)
{
	ck->frames = nframes;
	if (nframes >= STORE_CKPT_FRAMES) {
		pthread_mutex_lock(&ck->mu);
		ck->due = true;
		pthread_cond_broadcast(&ck->cv);
		pthread_mutex_unlock(&ck->mu);
	}
}

/* After each commit of a writing connection (its wal hook, which
 * replaces SQLite's automatic checkpoint): note that it wrote and how
 * long the WAL is; a long WAL is copied into the database, by the
 * checkpointer when there is one, else here as SQLite would (passive:
 * it waits for no reader). */
static int
store_wal_hook(void *arg, sqlite3 *db, const char *name, int nframes)
{
	struct store	*s = arg;

	(void)name;
	s->wrote = true;
	s->wal_frames = nframes;
	if (s->ck != NULL)
		checkpointer_hook(s->ck, nframes);
	else if (nframes >= STORE_CKPT_FRAMES)
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE,
		    NULL, NULL);
	return SQLITE_OK;
}

/* The database's page size (64 KiB for those aiosift made); that size
 * when it cannot be read: it only sizes the WAL for store_settle(),
 * whose checkpoint reports its own errors' effect (none copied: the WAL
 * is synced instead). */
static int64_t
store_page_size(struct store *s)
{
	sqlite3_stmt	*st = NULL;
	int64_t		 n = 65536;

	if (sqlite3_prepare_v2(s->db, "PRAGMA page_size", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* What durability needs at the end of a writing connection, and no more.
 *
 * Commits run with synchronous = NORMAL in WAL mode: each appends its
 * pages to the WAL with write(), no fsync. That is crash safe: a killed
 * process loses nothing the kernel has (tests/cli/crashsafe.sh), and
 * after a power loss SQLite reads the WAL up to its last whole, valid
 * commit, so the database is as some commit left it, read positions in
 * step with what was stored (they commit together): a later run reads
 * again whatever a lost commit held, nothing is lost or stored twice.
 *
 * Durability, the run's work surviving a power loss once it has exited,
 * needs those WAL pages on disk: one fdatasync of the WAL, here. SQLite's
 * checkpoint at close would cost two more (the WAL before copying it, the
 * database after), so the connections close without one
 * (SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE): the WAL stays beside the database.
 * Not for long: the next process to open the database reads all of it
 * again (SQLite rebuilds its index, -shm, when no connection is left),
 * about 1M instructions a MiB, queries too. So this close copies it in
 * and empties it once it holds STORE_WAL_KEEP bytes of pages (a few
 * incremental runs), at the price of those fsyncs then, and without
 * waiting for readers (one reading leaves it to a later close).
 * SQLite adds one sync of its own when it starts a WAL file over: its
 * header, and the directory entry of a new file (so a WAL this run made
 * is found after a power loss too).
 *
 * The fdatasync is on a descriptor of our own: it flushes the file, not
 * the descriptor, and SQLite's own sync of the WAL (xSync) would sync the
 * directory too at its first call in a process, a second fsync, needed
 * only for a new file, which SQLite has synced then. */
static void
store_settle(struct store *s)
{
	sqlite3_file	*wal = NULL;
	const char	*name;
	int		 fd = -1;

	int		 nlog = -1, ncopied = -1;

	if ((int64_t)s->wal_frames * store_page_size(s) >= STORE_WAL_KEEP) {
		sqlite3_busy_timeout(s->db, 0);
		if (sqlite3_wal_checkpoint_v2(s->db, NULL,
		    SQLITE_CHECKPOINT_TRUNCATE, &nlog, &ncopied) == SQLITE_OK &&
		    nlog == 0)
			return;		/* copied, synced, emptied */
	}
	name = sqlite3_db_filename(s->db, "main");
	if (name != NULL && *name != '\0')
		fd = open(sqlite3_filename_wal(name), O_RDONLY | O_CLOEXEC);
	if (fd != -1) {
		(void)fdatasync(fd);
		close(fd);
	} else if (sqlite3_file_control(s->db, "main",
	    SQLITE_FCNTL_JOURNAL_POINTER, &wal) == SQLITE_OK && wal != NULL &&
	    wal->pMethods != NULL)
		wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
}

/* Before a write transaction: when the WAL is long, let it start over
 * (see struct checkpointer). */
static void
checkpointer_catch_up(struct store *s)
{
	struct checkpointer	*ck = s->ck;

	if (ck == NULL || ck->frames < 2 * STORE_CKPT_FRAMES)
		return;
	pthread_mutex_lock(&ck->mu);
	while (ck->due || ck->busy)
		pthread_cond_wait(&ck->cv, &ck->mu);
	pthread_mutex_unlock(&ck->mu);
	sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
	    NULL);
	ck->frames = 0;
}

/* Start the checkpointer; without one (no second connection, no thread)
 * store_wal_hook() checkpoints at commit. */
static void
checkpointer_start(struct store *s)
{
	struct checkpointer	*ck;

	if (sqlite3_threadsafe() == 0)
		return;
	ck = xcalloc(1, sizeof(*ck));
	/* a first read finds the WAL: before it, checkpoints are no-ops
	 * (the header is enough: no schema to parse) */
	if (sqlite3_open_v2(s->path, &ck->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_db_config(ck->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(ck->db, "PRAGMA user_version", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		sqlite3_close_v2(ck->db);
		free(ck);
		return;
	}
	pthread_mutex_init(&ck->mu, NULL);
	pthread_cond_init(&ck->cv, NULL);
	if (pthread_create(&ck->thread, NULL, checkpointer_main, ck) != 0) {
		pthread_cond_destroy(&ck->cv);
		pthread_mutex_destroy(&ck->mu);
		sqlite3_close_v2(ck->db);
		free(ck);
		return;
	}
	s->ck = ck;
}

static void
checkpointer_stop(struct store *s)
{
	struct checkpointer	*ck = s->ck;

	if (ck == NULL)
		return;
	pthread_mutex_lock(&ck->mu);
	ck->quit = true;
	pthread_cond_broadcast(&ck->cv);
	pthread_mutex_unlock(&ck->mu);
	pthread_join(ck->thread, NULL);
	pthread_cond_destroy(&ck->cv);
	pthread_mutex_destroy(&ck->mu);
	sqlite3_close_v2(ck->db);
	free(ck);
	s->ck = NULL;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	checkpointer_stop(s);
	while (s->nstmts > 0)
		sqlite3_finalize(s->stmts[--s->nstmts].st);
	if (s->wrote)
		store_settle(s);	/* after the finalize: its checkpoint
					 * wants no statement under way */
	sqlite3_close_v2(s->db);
	free(s->path);
	free(s->fleet_id);
	free(s);
}

sqlite3 *
store_db(struct store *s)
{
	return s->db;
}

const char *
store_filename(const struct store *s)
{
	return s->path;
}

int
store_begin(struct store *s, struct err *e)
{
	struct timespec	 nap = { 0, 50 * 1000 * 1000 };
	int		 tries, rc = SQLITE_OK;

	checkpointer_catch_up(s);
	/* The busy handler waits STORE_BUSY_MS; a WAL snapshot conflict
	 * (SQLITE_BUSY_SNAPSHOT) is not waited for by it, so retry. */
	for (tries = 0; tries < 20; tries++) {
		rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			break;
		nanosleep(&nap, NULL);
	}
	if (rc != SQLITE_OK)
		return store_err(s, e, "begin");
	return 0;
}

int
store_commit(struct store *s, struct err *e)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		store_err(s, e, "commit");
		store_rollback(s);
		return -1;
	}
	testhook("commit");
	return 0;
}

void
store_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int
store_meta_get(struct store *s, const char *key, char **value,
    struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 step, rc = -1;

	*value = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?",
	    -1, &st, NULL) != SQLITE_OK) {
		store_err(s, e, "meta");
		goto out;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(st)) != SQLITE_ROW && step != SQLITE_DONE) {
		store_err(s, e, "meta");
		goto out;
	}
	if (step == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*value = xstrdup((const char *)sqlite3_column_text(st, 0));
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

int
store_meta_set(struct store *s, const char *key, const char *value,
    struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 rc = -1;

	if (sqlite3_prepare_v2(s->db, "INSERT INTO meta (key, value) "
	    "VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = "
	    "excluded.value", -1, &st, NULL) != SQLITE_OK) {
		store_err(s, e, "meta");
		goto out;
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		store_err(s, e, "meta");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}
