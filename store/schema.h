#ifndef STORE_SCHEMA_H
#define STORE_SCHEMA_H

#include <sqlite3.h>

#include "common/err.h"

#define SCHEMA_APPLICATION_ID	0x41494f53	/* "AIOS" */
#define SCHEMA_SPAN_RECORDS	256	/* records per record_spans row */

/* Bring the database to the latest schema version, the pending steps in
 * one transaction. A newer database, or one that belongs to another application, is
 * refused with STATUS_DB. Returns 0 or -1. */
int	schema_migrate(sqlite3 *db, const char *path, struct err *e);

/* The database's version (PRAGMA user_version), or -1 with *e. */
int	schema_version(sqlite3 *db, const char *path, struct err *e);

/* Whether db is an aiosift database this build can read: aiosift's
 * application id, a schema version from 1 to the latest. 0, or -1 with
 * *e (STATUS_DB): not one (a new, empty file is not either), or newer. */
int	schema_check(sqlite3 *db, const char *path, struct err *e);

/* The latest version this build knows. */
int	schema_latest(void);

#endif
