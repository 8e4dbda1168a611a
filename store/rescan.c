/*
 * rescan: the statements of aiosift rescan (see rescan.h).
 */
#include "store/rescan.h"

#include <stdlib.h>

#include <sqlite3.h>

#include "common/kinds.h"
#include "common/xmalloc.h"

struct store_rescan {
	struct store	*s;
	sqlite3_stmt	*sel;		/* the records */
	sqlite3_stmt	*ins;		/* a finding */
	sqlite3_stmt	*set_of;	/* a source's set, when asked */
};

static const char SQL_RECORDS[] =
    "SELECT " STORE_RECORD_COLS " FROM records r ORDER BY r.id";

struct store_rescan *
store_rescan_start(struct store *s, struct err *e)
{
	struct store_rescan	*w;
	sqlite3			*db = store_db(s);

	if (store_exec(s, "UPDATE findings SET incident_id = NULL; "
	    "DELETE FROM incidents; "
	    "DELETE FROM findings WHERE rule <> '" RULE_STALL_GAP "'", e) == -1)
		return NULL;
	w = xcalloc(1, sizeof(*w));
	w->s = s;
	if (sqlite3_prepare_v2(db, SQL_RECORDS, -1, &w->sel, NULL) !=
	    SQLITE_OK || sqlite3_prepare_v2(db, STORE_FINDING_INSERT, -1,
	    &w->ins, NULL) != SQLITE_OK) {
		store_err(s, e, "rescan");
		store_rescan_end(w);
		return NULL;
	}
	return w;
}

int
store_rescan_next(struct store_rescan *w, struct record *r, int64_t *id,
    int64_t *source_id, struct err *e)
{
	int	step;

	if ((step = sqlite3_step(w->sel)) == SQLITE_DONE)
		return 0;
	if (step != SQLITE_ROW)
		return store_err(w->s, e, "read records");
	store_record_row(w->sel, r);
	*id = sqlite3_column_int64(w->sel, 0);
	*source_id = sqlite3_column_int64(w->sel, 1);
	return 1;
}

int
store_rescan_add(struct store_rescan *w, int64_t id, int64_t source_id,
    const struct record *r, const struct finding *f, int64_t ordinal,
    struct err *e)
{
	int	step;

	store_finding_bind(w->s, w->ins, id, source_id, r, f, ordinal);
	step = sqlite3_step(w->ins);
	sqlite3_reset(w->ins);
	sqlite3_clear_bindings(w->ins);
	if (step != SQLITE_DONE)
		return store_err(w->s, e, "insert finding");
	return 0;
}

int
store_rescan_set_of(struct store_rescan *w, int64_t id, char **set_path,
    struct err *e)
{
	const unsigned char	*p;
	int			 step;

	*set_path = NULL;
	if (w->set_of == NULL && sqlite3_prepare_v2(store_db(w->s),
	    "SELECT set_path FROM sources WHERE id = ?1", -1, &w->set_of,
	    NULL) != SQLITE_OK)
		return store_err(w->s, e, "rescan");
	sqlite3_bind_int64(w->set_of, 1, id);
	if ((step = sqlite3_step(w->set_of)) == SQLITE_ROW &&
	    (p = sqlite3_column_text(w->set_of, 0)) != NULL)
		*set_path = xstrdup((const char *)p);
	sqlite3_reset(w->set_of);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_err(w->s, e, "rescan");
	return 0;
}

void
store_rescan_end(struct store_rescan *w)
{
	if (w == NULL)
		return;
	sqlite3_finalize(w->sel);
	sqlite3_finalize(w->ins);
	sqlite3_finalize(w->set_of);
	free(w);
}
