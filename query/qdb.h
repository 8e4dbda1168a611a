#ifndef QUERY_QDB_H
#define QUERY_QDB_H

#include <stdbool.h>

#include "common/err.h"
#include "store/store.h"

/* The database as the query commands open it: it must exist already (a
 * query never creates an empty one) and be an aiosift database. */

/* Open path read-only (STORE_READONLY: SQLite read-only and
 * query_only), or read-write when write is set, falling back to
 * read-only when the file cannot be written (*writable then false). NULL
 * with *e (STATUS_DB, "PATH: why") on failure. */
struct store	*qdb_open(const char *path, bool write, bool *writable,
		    struct err *e);

/* Refuse, for the sql command, every statement that could change the
 * database or reach beyond it: writes, schema changes, ATTACH and
 * DETACH, PRAGMAs that set something, and extensions. *refused is set
 * whenever the guard refuses something. 0 or -1 with *e. */
int	qdb_guard(struct store *s, bool *refused, struct err *e);
/* The message a refused statement gets. */
#define QDB_REFUSED	"not allowed: the database is read-only here"

#endif
