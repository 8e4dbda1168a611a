/*
 * findings: the ingest's findings and the records they change (see
 * findings.h).
 */
#include "store/findings.h"

#include <string.h>

#include <sqlite3.h>

#include "common/kinds.h"

/* The gap stalls a "took N seconds" stall absorbs
 * (stall_absorbs_gaps()). */
static const char SQL_GAPS_FORGET[] =
    "DELETE FROM findings WHERE rule = '" RULE_STALL_GAP "' AND ts_us "
    "BETWEEN ?2 AND ?3 AND source_id IN (SELECT id FROM sources WHERE "
    "set_path = ?1)";
/* A gap's finding already stored (decided at the end of a run). */
static const char SQL_GAP_FIND[] =
    "SELECT id FROM findings WHERE rule = '" RULE_STALL_GAP "' AND "
    "ts_us = ?2 AND duration_us = ?3 AND source_id IN (SELECT id FROM "
    "sources WHERE set_path = ?1)";
static const char SQL_FINDING_FORGET[] =
    "DELETE FROM findings WHERE id = ?1";
static const char SQL_RECORD_FINDINGS_FORGET[] =
    "DELETE FROM findings WHERE record_id = ?1 AND rule <> '"
    RULE_STALL_GAP "'";
static const char SQL_LAST_IDS[] =
    "SELECT read_bytes, replay_ids FROM sources WHERE path = ?1 AND "
    "set_path = ?2 ORDER BY id DESC LIMIT 1";
static const char SQL_RECORD[] =
    "SELECT " STORE_RECORD_COLS ", ?2 - r.offset - "
    "length(CAST(r.text AS BLOB)) FROM records r WHERE r.id = ?1";
static const char SQL_RECORD_REWRITE[] =
    "UPDATE records SET nlines = ?2, flags = ?3, message = ?4, text = ?5 "
    "WHERE id = ?1";
static const char SQL_LOOSE[] =
    "SELECT count(*), min(ts_us) FROM findings WHERE incident_id IS NULL";
/* the incidents of the findings of a source, a record (but its gap
 * stalls) or a finding (enum store_of), then the findings left without
 * their incident */
static const char *const SQL_APART[] = {
	"DELETE FROM incidents WHERE id IN (SELECT incident_id FROM "
	"findings WHERE source_id = ?1)",
	"DELETE FROM incidents WHERE id IN (SELECT incident_id FROM "
	"findings WHERE record_id = ?1 AND rule <> '" RULE_STALL_GAP "')",
	"DELETE FROM incidents WHERE id IN (SELECT incident_id FROM "
	"findings WHERE id = ?1)",
};
static const char SQL_APART_LEFT[] =
    "UPDATE findings SET incident_id = NULL WHERE incident_id IS NOT NULL "
    "AND incident_id NOT IN (SELECT id FROM incidents)";

int
store_finding_add(struct store *s, const struct store_place *at,
    const struct finding *f, int64_t ordinal, struct err *e)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, STORE_FINDING_INSERT, e)) == NULL)
		return -1;
	store_finding_bind(s, st, at->record_id, at->source_id, at->r, f,
	    ordinal);
	return store_step(s, st, "insert finding", NULL, e);
}

int
store_incidents_apart(struct store *s, enum store_of which, int64_t id,
    struct err *e)
{
	if (store_run_id(s, SQL_APART[which], id, NULL, e) == -1)
		return -1;
	return store_run_id(s, SQL_APART_LEFT, id, NULL, e);
}

int
store_gaps_forget(struct store *s, const char *set_path, int64_t from_us,
    int64_t to_us, int *gone, struct err *e)
{
	sqlite3_stmt	*st;

	if ((st = store_stmt(s, SQL_GAPS_FORGET, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, set_path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, from_us);
	sqlite3_bind_int64(st, 3, to_us);
	return store_step(s, st, "merge stalls", gone, e);
}

int
store_gap_forget(struct store *s, const char *set_path, int64_t ts_us,
    int64_t duration_us, bool *gone, struct err *e)
{
	sqlite3_stmt	*st;
	int64_t		 id = 0;
	int		 rc;

	*gone = false;
	if ((st = store_stmt(s, SQL_GAP_FIND, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, set_path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ts_us);
	sqlite3_bind_int64(st, 3, duration_us);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		store_err(s, e, "gap");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	if (id == 0)
		return 0;
	if (store_incidents_apart(s, STORE_OF_FINDING, id, e) == -1 ||
	    store_run_id(s, SQL_FINDING_FORGET, id, NULL, e) == -1)
		return -1;
	*gone = true;
	return 0;
}

/* The id of the record of greatest offset among a source's replay_ids
 * (pairs of offset and id; 0 when none), and how far it was read. */
static int
record_last_id(struct store *s, const char *path, const char *set_path,
    int64_t *id, int64_t *read_bytes, struct err *e)
{
	sqlite3_stmt	*st;
	const char	*ids;
	int64_t		 best = -1, pair[2];
	size_t		 i, n;
	int		 rc;

	*id = 0;
	*read_bytes = 0;
	if ((st = store_stmt(s, SQL_LAST_IDS, e)) == NULL)
		return -1;
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, set_path, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*read_bytes = sqlite3_column_int64(st, 0);
		ids = sqlite3_column_blob(st, 1);
		n = (size_t)sqlite3_column_bytes(st, 1) / sizeof(pair);
		for (i = 0; ids != NULL && i < n; i++) {
			memcpy(pair, ids + i * sizeof(pair), sizeof(pair));
			if (pair[0] > best) {
				best = pair[0];
				*id = pair[1];
			}
		}
	} else if (rc != SQLITE_DONE)
		store_err(s, e, "joined record");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* Copy st's row (SQL_RECORD) into *out, cut at the buffers' cap. */
static void
record_copy(sqlite3_stmt *st, struct store_record *out)
{
	struct record	*r = &out->r;
	size_t		 msg_off;

	out->id = sqlite3_column_int64(st, 0);
	out->source_id = sqlite3_column_int64(st, 1);
	out->tail = sqlite3_column_int64(st, 15);
	out->own_message = sqlite3_column_type(st, 13) != SQLITE_NULL;
	store_record_row(st, r);
	msg_off = (size_t)(r->message.p - r->text.p);
	buf_add(&out->text, r->text.p, r->text.n);
	if (out->own_message) {
		buf_add(&out->msg, r->message.p, r->message.n);
		r->message.p = out->msg.data;
		r->message.n = out->msg.len;
	} else {
		if (msg_off > out->text.len)
			msg_off = out->text.len;
		r->message.p = out->text.data + msg_off;
		r->message.n = out->text.len - msg_off;
	}
	r->text.p = out->text.data;
	r->text.n = out->text.len;
	if (out->text.capped || out->msg.capped)
		r->flags |= RECORD_TRUNCATED;
	/* the level, logger, thread and task are not needed again */
	memset(&r->level, 0, sizeof(r->level));
	memset(&r->logger, 0, sizeof(r->logger));
	memset(&r->thread, 0, sizeof(r->thread));
	memset(&r->task, 0, sizeof(r->task));
}

int
store_record_last(struct store *s, const char *path, const char *set_path,
    size_t cap, struct store_record *out, struct err *e)
{
	sqlite3_stmt	*st;
	int64_t		 id, read_bytes;
	int		 rc;

	memset(out, 0, sizeof(*out));
	buf_init(&out->text, cap);
	buf_init(&out->msg, cap);
	if (record_last_id(s, path, set_path, &id, &read_bytes, e) == -1 ||
	    (st = store_stmt(s, SQL_RECORD, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);		/* 0: no row */
	sqlite3_bind_int64(st, 2, read_bytes);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		record_copy(st, out);
	else if (rc != SQLITE_DONE)
		store_err(s, e, "joined record");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

void
store_record_release(struct store_record *out)
{
	buf_release(&out->text);
	buf_release(&out->msg);
}

int
store_record_rewrite(struct store *s, int64_t id, const struct record *r,
    bool own_message, int *gone, struct err *e)
{
	sqlite3_stmt	*st;

	*gone = 0;
	if ((st = store_stmt(s, SQL_RECORD_REWRITE, e)) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, r->nlines);
	sqlite3_bind_int(st, 3, (int)r->flags);
	if (own_message)
		sqlite3_bind_text(st, 4, r->message.p, (int)r->message.n,
		    SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->text.p, (int)r->text.n, SQLITE_STATIC);
	if (store_step(s, st, "joined record", NULL, e) == -1 ||
	    store_incidents_apart(s, STORE_OF_RECORD, id, e) == -1)
		return -1;
	return store_run_id(s, SQL_RECORD_FINDINGS_FORGET, id, gone, e);
}

int
store_findings_loose(struct store *s, int64_t *n, int64_t *since,
    struct err *e)
{
	sqlite3_stmt	*st;
	int		 rc;

	*n = 0;
	*since = INT64_MIN;
	if ((st = store_stmt(s, SQL_LOOSE, e)) == NULL)
		return -1;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 1) != SQLITE_NULL)
			*since = sqlite3_column_int64(st, 1);
	} else
		store_err(s, e, "correlate");
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : -1;
}
