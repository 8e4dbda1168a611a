/*
 * writer: records into the database from a second thread. The ingest
 * fills one batch of record copies while the thread inserts the other;
 * a full batch waits for the thread to take it. Ids are the ingest's to
 * know at once (a finding names its record), so they are counted here:
 * under the transaction's write lock nobody else inserts, and SQLite
 * gives each new row the next id, which the thread checks.
 */
#include "store/writer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/xmalloc.h"
#include "store/schema.h"

#define WRITER_BATCH_BYTES	(1024 * 1024)	/* handed over at once */
#define WRITER_BATCH_RECORDS	8192
#define WRITER_ROWS		32	/* rows per INSERT, and per hold of
					 * the connection */
#define WRITER_COLS		15	/* of records, in the INSERT */

/* A record in a batch: strings are offsets into the batch's bytes. */
struct wrec {
	int64_t		id, source_id;
	int64_t		offset, line, nlines, ts_us, pid, msg_off;
	unsigned	flags;
	bool		own_message;	/* message stored apart from text */
	size_t		text, level, logger, thread, task, message;
	size_t		text_n, level_n, logger_n, thread_n, task_n,
			message_n;
};

struct wbatch {
	struct wrec	*v;
	size_t		 n, cap;
	char		*bytes;
	size_t		 len, size;
};

/* The span being built: consecutive ids, their least and greatest time. */
struct wspan {
	int64_t	first, last, min_us, max_us;
	size_t	n;
	bool	has_ts;
};

struct writer {
	struct store	*s;
	sqlite3		*db;
	sqlite3_stmt	*ins, *ins_span;
	int64_t		 next_id;	/* the next record's */
	bool		 explicit_id;	/* the next insert names its id */
	struct wbatch	 fill;		/* the ingest's */
	struct wbatch	 work;		/* the thread's, while busy */
	struct wspan	 span;		/* the thread's, while busy */
	/* the thread, and what it shares, under mu */
	bool		 threaded;
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 work_cv;	/* a batch, or quit: for the thread */
	pthread_cond_t	 idle_cv;	/* the batch is done: for the ingest */
	pthread_cond_t	 conn_cv;	/* the connection is free */
	bool		 busy, quit, failed;
	/* who has the connection: the thread a few inserts at a time, the
	 * ingest between writer_lock() and writer_unlock(), first */
	bool		 thread_in, ingest_in;
	int		 ingest_wants;
	struct err	 err;
};

/* OR FAIL: an error keeps the rows before it (the transaction is rolled
 * back anyway), so no statement journal copies pages for each INSERT */
static const char SQL_INS[] =
    "INSERT OR FAIL INTO records (id, source_id, offset, line, nlines, "
    "ts_us, flags, level, logger, pid, thread, task, msg_off, message, "
    "text) SELECT id, source_id, offset, line, nlines, ts_us, flags, "
    "level, logger, pid, thread, task, msg_off, message, text FROM "
    "aiosift_batch(?1)";
static const char SQL_INS_SPAN[] =
    "INSERT INTO record_spans (first_id, last_id, min_us, max_us) "
    "VALUES (?1, ?2, ?3, ?4)";

/* ---- the batch ------------------------------------------------------ */

static size_t
wbatch_add(struct wbatch *b, struct span sp, size_t *n)
{
	size_t	at = b->len;

	*n = sp.n;
	if (sp.n == 0)
		return at;
	if (b->len + sp.n > b->size) {
		b->size = b->size * 2 > b->len + sp.n ? b->size * 2 :
		    b->len + sp.n;
		b->bytes = xrealloc(b->bytes, b->size);
	}
	memcpy(b->bytes + b->len, sp.p, sp.n);
	b->len += sp.n;
	return at;
}

static void
wbatch_put(struct wbatch *b, int64_t id, int64_t source_id,
    const struct record *r)
{
	const char	*tend = r->text.p + r->text.n;
	struct wrec	*w;

	b->v = xgrow(b->v, &b->cap, b->n + 1, sizeof(*b->v));
	w = &b->v[b->n++];
	w->id = id;
	w->source_id = source_id;
	w->offset = r->offset;
	w->line = r->line;
	w->nlines = r->nlines;
	w->ts_us = r->ts_us;
	w->pid = r->pid;
	w->flags = r->flags;
	w->text = wbatch_add(b, r->text, &w->text_n);
	w->level = wbatch_add(b, r->level, &w->level_n);
	w->logger = wbatch_add(b, r->logger, &w->logger_n);
	w->thread = wbatch_add(b, r->thread, &w->thread_n);
	w->task = wbatch_add(b, r->task, &w->task_n);
	/* the message is usually the text's tail: then only where */
	w->own_message = !(r->message.p >= r->text.p && r->message.p <= tend &&
	    r->message.p + r->message.n == tend);
	w->msg_off = w->own_message ? 0 : r->message.p - r->text.p;
	w->message = w->own_message ? wbatch_add(b, r->message,
	    &w->message_n) : 0;
	if (!w->own_message)
		w->message_n = 0;
}

static void
wbatch_free(struct wbatch *b)
{
	free(b->v);
	free(b->bytes);
	memset(b, 0, sizeof(*b));
}

/* ---- the batch as a table ------------------------------------------- */

/*
 * The inserts read their rows from the batch through a table-valued
 * function, aiosift_batch(slice), rather than binding fifteen parameters
 * a row: on a connection SQLite serializes, every bind takes its mutex,
 * while a virtual table's column results do not. One insert binds only
 * the slice: the batch and which of its records.
 */
struct wslice {
	const struct wbatch	*b;
	const struct wrec	*r;
	size_t			 n;
	bool			 explicit_id;	/* give r[0] its id */
};

#define WSLICE_TYPE	"aiosift_wslice"
#define WSLICE_COL	WRITER_COLS	/* the hidden column: the slice */

struct wcursor {
	sqlite3_vtab_cursor	 base;
	const struct wslice	*sl;
	size_t			 i;
};

static int
wtab_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
    sqlite3_vtab **vt, char **err)
{
	int	rc;

	(void)aux;
	(void)argc;
	(void)argv;
	(void)err;
	rc = sqlite3_declare_vtab(db, "CREATE TABLE x (id, source_id, "
	    "offset, line, nlines, ts_us, flags, level, logger, pid, thread, "
	    "task, msg_off, message, text, slice HIDDEN)");
	if (rc != SQLITE_OK)
		return rc;
	if ((*vt = sqlite3_malloc(sizeof(**vt))) == NULL)
		return SQLITE_NOMEM;
	memset(*vt, 0, sizeof(**vt));
	return SQLITE_OK;
}

static int
wtab_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

/* Only a scan of one slice: slice = ? */
static int
wtab_best_index(sqlite3_vtab *vt, sqlite3_index_info *ii)
{
	int	i;

	(void)vt;
	for (i = 0; i < ii->nConstraint; i++) {
		if (ii->aConstraint[i].iColumn != WSLICE_COL ||
		    ii->aConstraint[i].op != SQLITE_INDEX_CONSTRAINT_EQ)
			continue;
		if (!ii->aConstraint[i].usable)
			return SQLITE_CONSTRAINT;
		ii->aConstraintUsage[i].argvIndex = 1;
		ii->aConstraintUsage[i].omit = 1;
		ii->estimatedCost = WRITER_ROWS;
		ii->estimatedRows = WRITER_ROWS;
		return SQLITE_OK;
	}
	return SQLITE_CONSTRAINT;
}

static int
wtab_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **cur)
{
	struct wcursor	*c;

	(void)vt;
	if ((c = sqlite3_malloc(sizeof(*c))) == NULL)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	*cur = &c->base;
	return SQLITE_OK;
}

static int
wtab_close(sqlite3_vtab_cursor *cur)
{
	sqlite3_free(cur);
	return SQLITE_OK;
}

static int
wtab_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxs, int argc,
    sqlite3_value **argv)
{
	struct wcursor	*c = (struct wcursor *)cur;

	(void)idx;
	(void)idxs;
	c->i = 0;
	c->sl = argc == 1 ? sqlite3_value_pointer(argv[0], WSLICE_TYPE) : NULL;
	return SQLITE_OK;
}

static int
wtab_next(sqlite3_vtab_cursor *cur)
{
	((struct wcursor *)cur)->i++;
	return SQLITE_OK;
}

static int
wtab_eof(sqlite3_vtab_cursor *cur)
{
	const struct wcursor	*c = (const struct wcursor *)cur;

	return c->sl == NULL || c->i >= c->sl->n;
}

static int
wtab_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *rowid)
{
	*rowid = (sqlite_int64)((struct wcursor *)cur)->i;
	return SQLITE_OK;
}

/* Text at b's bytes, NULL when empty (or, for the text, ""). */
static void
wtab_text(sqlite3_context *ctx, const struct wbatch *b, size_t at, size_t n,
    bool null_if_empty)
{
	if (n == 0 && null_if_empty)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_text(ctx, n ? b->bytes + at : "", (int)n,
		    SQLITE_STATIC);
}

static void
wtab_int_or_null(sqlite3_context *ctx, int64_t v, bool null)
{
	if (null)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int64(ctx, v);
}

/* Record i of the slice, column col: what writer_bind() bound before. */
static int
wtab_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
	const struct wcursor	*c = (const struct wcursor *)cur;
	const struct wbatch	*b = c->sl->b;
	const struct wrec	*r = &c->sl->r[c->i];

	switch (col) {
	case 0:	/* NULL: SQLite picks max + 1 without a uniqueness probe */
		wtab_int_or_null(ctx, r->id, !(c->sl->explicit_id &&
		    c->i == 0));
		break;
	case 1:
		sqlite3_result_int64(ctx, r->source_id);
		break;
	case 2:
		sqlite3_result_int64(ctx, r->offset);
		break;
	case 3:
		sqlite3_result_int64(ctx, r->line);
		break;
	case 4:
		sqlite3_result_int64(ctx, r->nlines);
		break;
	case 5:
		wtab_int_or_null(ctx, r->ts_us, r->ts_us == TS_NONE);
		break;
	case 6:
		sqlite3_result_int(ctx, (int)r->flags);
		break;
	case 7:
		wtab_text(ctx, b, r->level, r->level_n, true);
		break;
	case 8:
		wtab_text(ctx, b, r->logger, r->logger_n, true);
		break;
	case 9:
		wtab_int_or_null(ctx, r->pid, r->pid < 0);
		break;
	case 10:
		wtab_text(ctx, b, r->thread, r->thread_n, true);
		break;
	case 11:
		wtab_text(ctx, b, r->task, r->task_n, true);
		break;
	case 12:
		sqlite3_result_int64(ctx, r->msg_off);
		break;
	case 13:
		if (r->own_message)
			wtab_text(ctx, b, r->message, r->message_n, false);
		else
			sqlite3_result_null(ctx);
		break;
	case 14:
		wtab_text(ctx, b, r->text, r->text_n, false);
		break;
	default:
		sqlite3_result_null(ctx);
		break;
	}
	return SQLITE_OK;
}

static const sqlite3_module wtab_module = {
	.iVersion = 0,
	.xCreate = NULL,		/* eponymous only */
	.xConnect = wtab_connect,
	.xBestIndex = wtab_best_index,
	.xDisconnect = wtab_disconnect,
	.xDestroy = wtab_disconnect,
	.xOpen = wtab_open,
	.xClose = wtab_close,
	.xFilter = wtab_filter,
	.xNext = wtab_next,
	.xEof = wtab_eof,
	.xColumn = wtab_column,
	.xRowid = wtab_rowid,
};

/* ---- inserting (the thread, or the ingest when there is none) ------- */

/* Run an insert; the error into *e. The connection is held. */
static int
writer_run(struct writer *w, sqlite3_stmt *st, const char *what,
    int64_t want_id, struct err *e)
{
	int		 rc;
	int64_t		 got = 0;

	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		store_err(w->s, e, what);
	else
		got = sqlite3_last_insert_rowid(w->db);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return -1;
	if (want_id > 0 && got != want_id)
		return err_set(e, STATUS_DB, "%s: %s: record %lld stored as "
		    "%lld: another writer without the write lock?",
		    store_filename(w->s), what, (long long)want_id,
		    (long long)got);
	return 0;
}

static int
writer_span_flush(struct writer *w, struct err *e)
{
	struct wspan	*sp = &w->span;
	int		 rc = 0;

	if (sp->n > 0 && sp->has_ts) {
		sqlite3_bind_int64(w->ins_span, 1, sp->first);
		sqlite3_bind_int64(w->ins_span, 2, sp->last);
		sqlite3_bind_int64(w->ins_span, 3, sp->min_us);
		sqlite3_bind_int64(w->ins_span, 4, sp->max_us);
		rc = writer_run(w, w->ins_span, "record spans", 0, e);
	}
	memset(sp, 0, sizeof(*sp));
	return rc;
}

static int
writer_span_add(struct writer *w, int64_t id, int64_t ts_us, struct err *e)
{
	struct wspan	*sp = &w->span;

	if (sp->n > 0 && (id != sp->last + 1 || sp->n == SCHEMA_SPAN_RECORDS)
	    && writer_span_flush(w, e) == -1)
		return -1;
	if (sp->n++ == 0)
		sp->first = id;
	sp->last = id;
	if (ts_us == TS_NONE)
		return 0;
	if (!sp->has_ts || ts_us < sp->min_us)
		sp->min_us = ts_us;
	if (!sp->has_ts || ts_us > sp->max_us)
		sp->max_us = ts_us;
	sp->has_ts = true;
	return 0;
}

/* Insert the n records from r on (1 or WRITER_ROWS) in one statement. */
static int
writer_insert(struct writer *w, const struct wbatch *b, const struct wrec *r,
    size_t n, struct err *e)
{
	struct wslice	 sl;
	size_t		 i;

	sl.b = b;
	sl.r = r;
	sl.n = n;
	sl.explicit_id = w->explicit_id;
	sqlite3_bind_pointer(w->ins, 1, &sl, WSLICE_TYPE, NULL);
	if (writer_run(w, w->ins, "insert record", r[n - 1].id, e) == -1)
		return -1;
	w->explicit_id = false;
	for (i = 0; i < n; i++)
		if (writer_span_add(w, r[i].id, r[i].ts_us, e) == -1)
			return -1;
	return 0;
}

/* The thread takes the connection when the ingest neither has it nor
 * waits for it. */
static void
writer_take(struct writer *w)
{
	if (!w->threaded)
		return;
	pthread_mutex_lock(&w->mu);
	while (w->ingest_in || w->ingest_wants > 0)
		pthread_cond_wait(&w->conn_cv, &w->mu);
	w->thread_in = true;
	pthread_mutex_unlock(&w->mu);
}

static void
writer_give(struct writer *w)
{
	if (!w->threaded)
		return;
	pthread_mutex_lock(&w->mu);
	w->thread_in = false;
	if (w->ingest_wants > 0)
		pthread_cond_broadcast(&w->conn_cv);
	pthread_mutex_unlock(&w->mu);
}

/* Insert a batch; stop at the first error. The connection is taken a
 * few inserts at a time, so the ingest's own statements get in soon. */
static int
writer_insert_batch(struct writer *w, struct wbatch *b, struct err *e)
{
	size_t	i, n;
	int	rc = 0;

	for (i = 0; i < b->n && rc == 0; i += n) {
		n = b->n - i >= WRITER_ROWS && !w->explicit_id ? WRITER_ROWS :
		    1;
		writer_take(w);
		rc = writer_insert(w, b, &b->v[i], n, e);
		writer_give(w);
	}
	b->n = 0;
	b->len = 0;
	return rc;
}

static void *
writer_main(void *arg)
{
	struct writer	*w = arg;
	struct err	 e;
	bool		 skip;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->busy && !w->quit)
			pthread_cond_wait(&w->work_cv, &w->mu);
		if (!w->busy)
			break;
		skip = w->failed;
		pthread_mutex_unlock(&w->mu);
		err_clear(&e);
		if (skip)
			w->work.n = w->work.len = 0;
		else if (writer_insert_batch(w, &w->work, &e) == -1) {
			pthread_mutex_lock(&w->mu);
			w->failed = true;
			w->err = e;
			pthread_mutex_unlock(&w->mu);
		}
		pthread_mutex_lock(&w->mu);
		w->busy = false;
		pthread_cond_broadcast(&w->idle_cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* ---- the ingest's side ---------------------------------------------- */

/* Wait until the thread is idle; -1 with *e when it has failed. */
static int
writer_wait(struct writer *w, struct err *e)
{
	int	rc = 0;

	if (!w->threaded) {
		if (!w->failed)
			return 0;
		*e = w->err;
		return -1;
	}
	pthread_mutex_lock(&w->mu);
	while (w->busy)
		pthread_cond_wait(&w->idle_cv, &w->mu);
	if (w->failed) {
		*e = w->err;
		rc = -1;
	}
	pthread_mutex_unlock(&w->mu);
	return rc;
}

/* Hand the filled batch over (insert it, without a thread). */
static int
writer_handoff(struct writer *w, struct err *e)
{
	struct wbatch	tmp;

	if (w->fill.n == 0)
		return writer_wait(w, e);
	if (!w->threaded) {
		if (!w->failed && writer_insert_batch(w, &w->fill, &w->err)
		    == -1)
			w->failed = true;
		w->fill.n = w->fill.len = 0;
		return writer_wait(w, e);
	}
	if (writer_wait(w, e) == -1)
		return -1;
	pthread_mutex_lock(&w->mu);
	tmp = w->work;
	w->work = w->fill;
	w->fill = tmp;
	w->busy = true;
	pthread_cond_signal(&w->work_cv);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

static void
writer_destroy_sync(struct writer *w)
{
	pthread_cond_destroy(&w->conn_cv);
	pthread_cond_destroy(&w->idle_cv);
	pthread_cond_destroy(&w->work_cv);
	pthread_mutex_destroy(&w->mu);
}

struct writer *
writer_new(struct store *s, struct err *e)
{
	struct writer	*w = xcalloc(1, sizeof(*w));
	int		 rc;

	w->s = s;
	w->db = store_db(s);
	rc = sqlite3_create_module_v2(w->db, "aiosift_batch", &wtab_module,
	    NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(w->db, SQL_INS, -1,
		    SQLITE_PREPARE_PERSISTENT, &w->ins, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v3(w->db, SQL_INS_SPAN, -1,
		    SQLITE_PREPARE_PERSISTENT, &w->ins_span, NULL);
	if (rc != SQLITE_OK) {
		store_err(s, e, "prepare");
		writer_free(w);
		return NULL;
	}
	/* Two threads on one connection: only when SQLite serializes the
	 * calls on it (a connection opened with its mutex, store_open());
	 * writer_lock() keeps the pairs of calls that belong together (an
	 * insert and its rowid, a statement and its error message) apart. */
	if (sqlite3_db_mutex(w->db) != NULL) {
		pthread_mutex_init(&w->mu, NULL);
		pthread_cond_init(&w->work_cv, NULL);
		pthread_cond_init(&w->idle_cv, NULL);
		pthread_cond_init(&w->conn_cv, NULL);
		w->threaded = true;
		if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
			w->threaded = false;
			writer_destroy_sync(w);
		}
	}
	return w;
}

void
writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	if (w->threaded) {
		pthread_mutex_lock(&w->mu);
		while (w->busy)
			pthread_cond_wait(&w->idle_cv, &w->mu);
		w->quit = true;
		pthread_cond_signal(&w->work_cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->thread, NULL);
		writer_destroy_sync(w);
	}
	sqlite3_finalize(w->ins);
	sqlite3_finalize(w->ins_span);
	wbatch_free(&w->fill);
	wbatch_free(&w->work);
	free(w);
}

int
writer_begin(struct writer *w, struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int64_t		 rec_max = 0, span_max = 0;
	int		 rc = -1;

	/* the thread is idle here: sync or discard ended the last batch */
	if (sqlite3_prepare_v2(w->db, "SELECT (SELECT max(id) FROM records), "
	    "(SELECT last_id FROM record_spans ORDER BY first_id DESC "
	    "LIMIT 1)", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		store_err(w->s, e, "record ids");
		goto out;
	}
	rec_max = sqlite3_column_int64(st, 0);
	span_max = sqlite3_column_int64(st, 1);
	w->next_id = (rec_max > span_max ? rec_max : span_max) + 1;
	/* ids below a span's end are never given again */
	w->explicit_id = span_max > rec_max;
	memset(&w->span, 0, sizeof(w->span));
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

int
writer_put(struct writer *w, int64_t source_id, const struct record *r,
    int64_t *id, struct err *e)
{
	*id = w->next_id++;
	wbatch_put(&w->fill, *id, source_id, r);
	if (w->fill.len >= WRITER_BATCH_BYTES ||
	    w->fill.n >= WRITER_BATCH_RECORDS)
		return writer_handoff(w, e);
	return 0;
}

int
writer_sync(struct writer *w, struct err *e)
{
	if (writer_handoff(w, e) == -1 || writer_wait(w, e) == -1)
		return -1;
	return writer_span_flush(w, e);
}

void
writer_discard(struct writer *w)
{
	if (w->threaded) {
		pthread_mutex_lock(&w->mu);
		while (w->busy)
			pthread_cond_wait(&w->idle_cv, &w->mu);
		pthread_mutex_unlock(&w->mu);
	}
	w->fill.n = w->fill.len = 0;
	w->failed = false;
	err_clear(&w->err);
	memset(&w->span, 0, sizeof(w->span));
}

void
writer_lock(struct writer *w)
{
	if (!w->threaded)
		return;
	pthread_mutex_lock(&w->mu);
	w->ingest_wants++;
	while (w->thread_in)
		pthread_cond_wait(&w->conn_cv, &w->mu);
	w->ingest_wants--;
	w->ingest_in = true;
	pthread_mutex_unlock(&w->mu);
}

void
writer_unlock(struct writer *w)
{
	if (!w->threaded)
		return;
	pthread_mutex_lock(&w->mu);
	w->ingest_in = false;
	pthread_cond_broadcast(&w->conn_cv);
	pthread_mutex_unlock(&w->mu);
}
