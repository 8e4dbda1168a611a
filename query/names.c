/*
 * names: the task and coroutine names of the findings (for completion).
 */
#include "query/names.h"

#include <sqlite3.h>

int
query_names(struct store *s, bool coro, const char *prefix,
    int (*each)(void *arg, const char *name), void *arg, struct err *e)
{
	static const char sql_task[] = "SELECT DISTINCT task FROM findings "
	    "WHERE task IS NOT NULL AND substr(task, 1, length(?1)) = ?1 "
	    "ORDER BY task LIMIT 1000";
	static const char sql_coro[] = "SELECT DISTINCT coro FROM findings "
	    "WHERE coro IS NOT NULL AND substr(coro, 1, length(?1)) = ?1 "
	    "ORDER BY coro LIMIT 1000";
	sqlite3_stmt	*st = NULL;
	int		 step, rc = -1;

	if (sqlite3_prepare_v2(store_db(s), coro ? sql_coro : sql_task, -1,
	    &st, NULL) != SQLITE_OK) {
		store_err(s, e, "names");
		goto out;
	}
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (each(arg, (const char *)sqlite3_column_text(st, 0)) != 0)
			break;
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		store_err(s, e, "names");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}
