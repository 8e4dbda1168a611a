/*
 * qdb: opening the database for the query, report and postmortem
 * commands, and the guard that keeps `query sql` read-only. A query must
 * never create a database (a typo in --db would otherwise answer "no
 * findings"), so the file must exist and carry aiosift's schema.
 */
#include "query/qdb.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/schema.h"

struct store *
qdb_open(const char *path, bool write, bool *writable, struct err *e)
{
	struct store	*s = NULL;
	struct stat	 sb;

	if (writable != NULL)
		*writable = false;
	if (stat(path, &sb) == -1) {
		err_set(e, STATUS_DB, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (write && access(path, W_OK) == 0) {
		/* the store migrates it; a stranger's file is refused */
		s = store_open(path, 0, e);
		if (s != NULL && writable != NULL)
			*writable = true;
	} else
		s = store_open(path, STORE_READONLY, e);
	if (s != NULL && schema_check(store_db(s), store_filename(s), e) ==
	    -1) {
		store_close(s);
		s = NULL;
	}
	return s;
}

/* Pragmas that only read; the first group also with an argument (the
 * table they describe), the second only without (with one, they set). */
static const char *const qdb_pragmas_arg[] = {
	"collation_list", "compile_options", "database_list",
	"foreign_key_check", "foreign_key_list", "function_list",
	"index_info", "index_list", "index_xinfo", "integrity_check",
	"module_list", "pragma_list", "quick_check", "table_info",
	"table_list", "table_xinfo",
};
static const char *const qdb_pragmas_noarg[] = {
	"application_id", "auto_vacuum", "data_version", "encoding",
	"freelist_count", "journal_mode", "page_count", "page_size",
	"query_only", "schema_version", "user_version",
};

static bool
qdb_listed(const char *name, const char *const *list, size_t n)
{
	size_t	i;

	for (i = 0; name != NULL && i < n; i++)
		if (strcasecmp(name, list[i]) == 0)
			return true;
	return false;
}

static int
qdb_decide(int action, const char *a1, const char *a2)
{
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_FUNCTION:
		return a2 != NULL && strcasecmp(a2, "load_extension") == 0 ?
		    SQLITE_DENY : SQLITE_OK;
	case SQLITE_PRAGMA:
		if (qdb_listed(a1, qdb_pragmas_arg, sizeof(qdb_pragmas_arg) /
		    sizeof(qdb_pragmas_arg[0])))
			return SQLITE_OK;
		if (a2 == NULL && qdb_listed(a1, qdb_pragmas_noarg,
		    sizeof(qdb_pragmas_noarg) / sizeof(qdb_pragmas_noarg[0])))
			return SQLITE_OK;
		return SQLITE_DENY;
	case SQLITE_UPDATE:
		/* SQLite's own lookup of the schema when a statement first
		 * uses a table-valued pragma; a user's UPDATE of it is
		 * still refused: it is not a read-only statement */
		return a1 != NULL && strcmp(a1, "sqlite_master") == 0 ?
		    SQLITE_OK : SQLITE_DENY;
	default:
		/* writes, schema changes, ATTACH, DETACH, transactions,
		 * ANALYZE, REINDEX, virtual tables */
		return SQLITE_DENY;
	}
}

/* The authorizer: arg is a bool set when something was refused, so the
 * caller can tell a refusal from SQLite's own errors. */
static int
qdb_authorize(void *arg, int action, const char *a1, const char *a2,
    const char *db, const char *via)
{
	int	rc = qdb_decide(action, a1, a2);

	(void)db;
	(void)via;
	if (rc != SQLITE_OK)
		*(bool *)arg = true;
	return rc;
}

int
qdb_guard(struct store *s, bool *refused, struct err *e)
{
	sqlite3	*db = store_db(s);

	if (sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0,
	    NULL) != SQLITE_OK ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) !=
	    SQLITE_OK ||
	    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL) !=
	    SQLITE_OK ||
	    sqlite3_set_authorizer(db, qdb_authorize, refused) != SQLITE_OK)
		return store_err(s, e, "read-only guard");
	sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
	return 0;
}
