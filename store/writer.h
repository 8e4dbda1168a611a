#ifndef STORE_WRITER_H
#define STORE_WRITER_H

#include <stdint.h>

#include "common/err.h"
#include "common/record.h"
#include "store/store.h"

/*
 * writer: the records an ingest keeps go into the database from a second
 * thread, so that reading, splitting and matching (the ingest's thread)
 * and SQLite's B-tree work (the writer's) overlap on two cores. Records
 * are copied when handed over. The writer also keeps record_spans, the
 * sparse time index, for the ids it writes.
 *
 * Inside a write transaction: writer_begin() once, then writer_put() for
 * each record; writer_sync() before the commit (every record is then in
 * the transaction), writer_discard() before a rollback. The ingest's own
 * statements on the connection meanwhile go between writer_lock() and
 * writer_unlock(). SQLite serializes the two threads' calls (the thread
 * runs only on a connection opened with its mutex); the lock keeps the
 * calls that belong together (a step and its rowid or changes) apart.
 */

struct writer;

/* A writer on s's connection; with a thread when SQLite serializes
 * the connection's calls (else it inserts in the caller's thread). */
struct writer	*writer_new(struct store *s, struct err *e);
void		 writer_free(struct writer *w);

/* The transaction just began: ids continue after every record and every
 * span in the database. */
int	writer_begin(struct writer *w, struct err *e);

/* Queue r from source_id; *id is the id it will have. -1 with *e when
 * the writer has failed (the transaction is then to be rolled back). */
int	writer_put(struct writer *w, int64_t source_id, const struct record *r,
	    int64_t *id, struct err *e);

/* Wait until every queued record and the open span are written; -1 with
 * *e on the writer's first error. */
int	writer_sync(struct writer *w, struct err *e);

/* Wait for the thread, then forget what is queued and any error. */
void	writer_discard(struct writer *w);

/* The connection, for a statement of the caller's while the thread may
 * be inserting (it waits at most a few inserts). */
void	writer_lock(struct writer *w);
void	writer_unlock(struct writer *w);

#endif
