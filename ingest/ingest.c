/*
 * ingest: the pipeline from rotation sets to the database. For each file
 * of a set, oldest first, it recognises the file by the fingerprint of its
 * first decompressed bytes, resumes where the last run stopped, splits the
 * bytes into records, runs the rules and the gap detector over them, keeps
 * what --keep asks for, counts everything per minute, and commits records,
 * findings, counts, detector state and the read position in one
 * transaction per batch. Parsing is the splitter's, matching the engine's,
 * incidents correlate's; this file only moves data between them.
 */
#include "ingest/ingest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/finding.h"
#include "common/kinds.h"
#include "common/record.h"
#include "common/testhook.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "ingest/config.h"
#include "ingest/layout.h"
#include "ingest/reader.h"
#include "ingest/splitter.h"
#include "ingest/timestamp.h"
#include "ingest/writer.h"
#include "rules/correlate.h"
#include "rules/engine.h"
#include "rules/stall.h"
#include "store/store.h"

#define INGEST_BLOCK		(1024 * 1024)	/* bytes read at once */
#define INGEST_FP_LEN		1024		/* fingerprint bytes */
#define INGEST_FP_MIN		64	/* shorter prefixes match by path */
#define INGEST_BATCH_RECORDS	50000	/* records per transaction */
#define INGEST_BATCH_BYTES	(64 * 1024 * 1024)
#define INGEST_RING_BYTES	(8 * 1024 * 1024) /* context memory cap */
#define INGEST_COUNT_SLOTS	64		/* per-minute count cache */
#define INGEST_ENGINES		8	/* rules compiled per stall-min */

/* A record copied out of the splitter, for the --keep context ring. */
struct kept {
	struct record	 rec;	/* spans point into data */
	char		*data;
	size_t		 size;
	int64_t		 id;	/* records.id once stored, else 0 */
};

struct count_slot {
	int64_t	minute;
	char	level[16];
	char	logger[112];
	size_t	level_n, logger_n;
	int64_t	n;
};

/* One source (a file) as the database knows it. */
struct source {
	int64_t	id;
	int64_t	read_bytes, read_lines;
	int64_t	replay_bytes, replay_lines;
	int64_t	keep_n, keep_until_us;
	int64_t	records;
	int64_t	first_us, last_us;
	bool	complete;
	char	layout[LAYOUT_SPEC_MAX];
	/* the records before read_bytes that the last run kept, for the
	 * context ring a resumed run rebuilds: (offset, records.id) pairs */
	int64_t	*kept_ids;
	size_t	 nkept_ids;
};

struct ingest {
	/* the zone of the set's zone-less times: --tz (or the
	 * configuration's), else the one stored for the set, else the local
	 * zone by name (NULL: it has none); stored on each source that has
	 * zone-less times, with a note the first time the local one is */
	char			*zone;
	bool			 zone_stored;	/* given or stored before */
	bool			 zone_noted;
	uint64_t		 zoneless_at;	/* timestamp_zoneless() at the
						 * start of the file */
	char			*local_tz;	/* $TZ as the run began */
	bool			 had_tz;
	struct store		*s;
	sqlite3			*db;
	const struct ingest_opts *o;
	struct ingest_stats	*st;
	ingest_warn_fn		*warn;
	void			*ctx;
	struct engine		*en;
	struct stall		*sd;
	struct finding_list	 found;
	struct writer		*wr;		/* records, in a thread */
	sqlite3_stmt		*ins_finding, *upd_source,
				*ins_source, *sel_sources, *ins_count,
				*sel_offset, *put_stall, *get_stall,
				*sel_unchanged, *del_gap, *sel_file_sets,
				*sel_gap, *sel_zone;
	int			 flags;		/* INGEST_END... of this call */
	/* the set's settings: the command line's, else the configuration's */
	const char		*format, *header_regex;
	struct engine		*engines[INGEST_ENGINES]; /* per stall-min */
	int64_t			 engine_min_us[INGEST_ENGINES];
	size_t			 nengines;
	const char		*set_path;	/* of the file being read */
	const char		*prev_path;	/* the set's file before it */
	/* the batch under way */
	int64_t			 batch_max;	/* records per batch */
	bool			 in_txn;
	int64_t			 batch_records, batch_bytes;
	/* context ring: the last records of this file, oldest first */
	struct kept		*ring;
	size_t			 ring_cap, ring_len, ring_head;
	size_t			 ring_bytes;
	struct count_slot	 counts[INGEST_COUNT_SLOTS];
	size_t			 ncounts;
	size_t			 last_count;	/* the slot hit last */
	int64_t			 first_new_us;	/* earliest new finding */
	/* this file's odd records, for one note each at its end */
	int64_t			 n_cut, cut_line, n_binary, binary_line,
				 n_badtime, badtime_line;
	struct timespec		 last_progress;
};

static const char SQL_UPD_SOURCE[] =
    "UPDATE sources SET path = ?2, set_path = ?3, fingerprint = ?4, "
    "gzip = ?5, size = ?6, read_bytes = ?7, read_lines = ?8, layout = ?9, "
    "complete = ?10, records = ?11, first_us = ?12, last_us = ?13, "
    "replay_bytes = ?14, replay_lines = ?15, keep_n = ?16, "
    "keep_until_us = ?17, updated_us = ?18, replay_ids = ?19, dev = ?20, "
    "ino = ?21, mtime_us = ?22, tz = coalesce(tz, ?23) WHERE id = ?1";
/* The zone a set's zone-less times were read in. */
static const char SQL_SEL_ZONE[] =
    "SELECT tz FROM sources WHERE set_path = ?1 AND tz IS NOT NULL "
    "ORDER BY id DESC LIMIT 1";
static const char SQL_INS_SOURCE[] =
    "INSERT INTO sources (path, set_path, fingerprint, gzip, size, "
    "added_us, updated_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
/* Candidates for a file: its path, its set or the same file (device and
 * inode) under another name, newest first. */
static const char SQL_SEL_SOURCES[] =
    "SELECT id, fingerprint, read_bytes, read_lines, replay_bytes, "
    "replay_lines, keep_n, keep_until_us, records, first_us, last_us, "
    "complete, layout, path = ?1 OR (dev = ?3 AND ino = ?4), replay_ids "
    "FROM sources WHERE path = ?1 OR set_path = ?2 OR (dev = ?3 AND "
    "ino = ?4) ORDER BY id DESC";
/* A gap's finding already stored (decided at the end of a run). */
static const char SQL_SEL_GAP[] =
    "SELECT id FROM findings WHERE rule = '" RULE_STALL_GAP "' AND ts_us = ?2 AND "
    "duration_us = ?3 AND source_id IN (SELECT id FROM sources WHERE "
    "set_path = ?1)";
/* The sets a file was stored in under another set name. */
static const char SQL_SEL_FILE_SETS[] =
    "SELECT DISTINCT set_path FROM sources WHERE dev = ?1 AND ino = ?2 "
    "AND set_path <> ?3";
static const char SQL_INS_COUNT[] =
    "INSERT INTO counts (source_id, minute, level, logger, n) "
    "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (source_id, minute, level, "
    "logger) DO UPDATE SET n = n + excluded.n";
static const char SQL_SEL_OFFSET[] =
    "SELECT read_bytes FROM sources WHERE id = ?1";
static const char SQL_PUT_STALL[] =
    "INSERT INTO stall_state (set_path, state) VALUES (?1, ?2) "
    "ON CONFLICT (set_path) DO UPDATE SET state = excluded.state";
/* A file read to its end, unchanged since: nothing to open. */
static const char SQL_SEL_UNCHANGED[] =
    "SELECT 1 FROM sources WHERE path = ?1 AND dev = ?2 AND ino = ?3 AND "
    "size = ?4 AND mtime_us = ?5 AND (complete OR (NOT gzip AND "
    "read_bytes = size))";
/* The gap stalls a "took N seconds" stall absorbs (stall_absorbs_gaps). */
static const char SQL_DEL_GAP[] =
    "DELETE FROM findings WHERE rule = '" RULE_STALL_GAP "' AND ts_us BETWEEN ?2 "
    "AND ?3 AND source_id IN (SELECT id FROM sources WHERE set_path = ?1)";
static const char SQL_GET_STALL[] =
    "SELECT state FROM stall_state WHERE set_path = ?1";

static int
ingest_prepare(struct ingest *in, struct err *e)
{
	static const struct {
		const char	*sql;
		size_t		 off;
	} stmts[] = {
		{ STORE_FINDING_INSERT, offsetof(struct ingest, ins_finding) },
		{ SQL_UPD_SOURCE, offsetof(struct ingest, upd_source) },
		{ SQL_INS_SOURCE, offsetof(struct ingest, ins_source) },
		{ SQL_SEL_SOURCES, offsetof(struct ingest, sel_sources) },
		{ SQL_INS_COUNT, offsetof(struct ingest, ins_count) },
		{ SQL_SEL_OFFSET, offsetof(struct ingest, sel_offset) },
		{ SQL_PUT_STALL, offsetof(struct ingest, put_stall) },
		{ SQL_GET_STALL, offsetof(struct ingest, get_stall) },
		{ SQL_SEL_UNCHANGED, offsetof(struct ingest, sel_unchanged) },
		{ SQL_DEL_GAP, offsetof(struct ingest, del_gap) },
		{ SQL_SEL_FILE_SETS, offsetof(struct ingest, sel_file_sets) },
		{ SQL_SEL_GAP, offsetof(struct ingest, sel_gap) },
		{ SQL_SEL_ZONE, offsetof(struct ingest, sel_zone) },
	};
	size_t	i;

	for (i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		sqlite3_stmt **st = (sqlite3_stmt **)((char *)in +
		    stmts[i].off);

		if (sqlite3_prepare_v3(in->db, stmts[i].sql, -1,
		    SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
			return store_err(in->s, e, "prepare");
	}
	return 0;
}

static void
ingest_finalize(struct ingest *in)
{
	sqlite3_finalize(in->ins_finding);
	sqlite3_finalize(in->upd_source);
	sqlite3_finalize(in->ins_source);
	sqlite3_finalize(in->sel_sources);
	sqlite3_finalize(in->ins_count);
	sqlite3_finalize(in->sel_offset);
	sqlite3_finalize(in->put_stall);
	sqlite3_finalize(in->get_stall);
	sqlite3_finalize(in->sel_unchanged);
	sqlite3_finalize(in->del_gap);
	sqlite3_finalize(in->sel_file_sets);
	sqlite3_finalize(in->sel_gap);
	sqlite3_finalize(in->sel_zone);
}

/* Step a write statement to its end, reset it and clear its bindings;
 * *changes (when not NULL) gets the rows it changed. 0 or -1 with *e.
 * While a batch is open, the caller holds writer_lock(). */
static int
ingest_step(struct ingest *in, sqlite3_stmt *st, const char *what,
    int *changes, struct err *e)
{
	int	rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		store_err(in->s, e, what);
	else if (changes != NULL)
		*changes = sqlite3_changes(in->db);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static void
bind_time(sqlite3_stmt *st, int i, int64_t us)
{
	if (us == TS_NONE)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, us);
}

static int64_t
column_time(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return TS_NONE;
	return sqlite3_column_int64(st, i);
}

/* ---- per-minute counts ---------------------------------------------- */

static int
ingest_flush_counts(struct ingest *in, int64_t source_id, struct err *e)
{
	size_t	i;
	int	rc = 0;

	writer_lock(in->wr);
	for (i = 0; i < in->ncounts; i++) {
		struct count_slot *c = &in->counts[i];

		sqlite3_bind_int64(in->ins_count, 1, source_id);
		sqlite3_bind_int64(in->ins_count, 2, c->minute);
		sqlite3_bind_text(in->ins_count, 3, c->level, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(in->ins_count, 4, c->logger, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(in->ins_count, 5, c->n);
		if (ingest_step(in, in->ins_count, "counts", NULL, e) == -1) {
			rc = -1;
			break;
		}
	}
	writer_unlock(in->wr);
	in->ncounts = 0;
	return rc;
}

static bool
count_slot_is(const struct count_slot *c, int64_t minute, struct span level,
    struct span logger)
{
	return c->minute == minute && c->level_n == level.n &&
	    c->logger_n == logger.n &&
	    memcmp(c->level, level.p, level.n) == 0 &&
	    memcmp(c->logger, logger.p, logger.n) == 0;
}

/* Count rec in its minute; the cache is flushed when full. Records come
 * in runs of few loggers, so the slot last hit is tried first. */
static int
ingest_count(struct ingest *in, int64_t source_id, const struct record *r,
    struct err *e)
{
	struct count_slot	*c;
	struct span		 level = r->level, logger = r->logger;
	int64_t			 minute = r->ts_us == TS_NONE ? -1 :
				    (r->ts_us >= 0 ? r->ts_us / 60000000 :
				    (r->ts_us - 59999999) / 60000000);
	size_t			 i;

	if (level.n >= sizeof(c->level))
		level.n = sizeof(c->level) - 1;
	if (logger.n >= sizeof(c->logger))
		logger.n = sizeof(c->logger) - 1;
	if (in->last_count < in->ncounts && count_slot_is(&in->counts[
	    in->last_count], minute, level, logger)) {
		in->counts[in->last_count].n++;
		return 0;
	}
	for (i = in->ncounts; i-- > 0;)
		if (count_slot_is(&in->counts[i], minute, level, logger)) {
			in->counts[i].n++;
			in->last_count = i;
			return 0;
		}
	if (in->ncounts == INGEST_COUNT_SLOTS &&
	    ingest_flush_counts(in, source_id, e) == -1)
		return -1;
	i = in->ncounts++;
	c = &in->counts[i];
	c->minute = minute;
	if (level.n > 0)
		memcpy(c->level, level.p, level.n);
	c->level[level.n] = '\0';
	c->level_n = level.n;
	if (logger.n > 0)
		memcpy(c->logger, logger.p, logger.n);
	c->logger[logger.n] = '\0';
	c->logger_n = logger.n;
	c->n = 1;
	in->last_count = i;
	return 0;
}

/* ---- storing records and findings ----------------------------------- */

static int
ingest_store_record(struct ingest *in, int64_t source_id,
    const struct record *r, int64_t *id, struct err *e)
{
	if (writer_put(in->wr, source_id, r, id, e) == -1)
		return -1;
	in->st->kept++;
	return 0;
}

static int
ingest_insert_finding(struct ingest *in, int64_t source_id, int64_t rec_id,
    const struct record *r, const struct finding *f, int64_t ordinal,
    struct err *e)
{
	sqlite3_stmt	*st = in->ins_finding;
	int64_t		 from_us, to_us;

	store_finding_bind(in->s, st, rec_id, source_id, r, f, ordinal);
	if (ingest_step(in, st, "insert finding", NULL, e) == -1)
		return -1;
	in->st->findings++;
	if (stall_absorbs_gaps(f, &from_us, &to_us)) {
		int	gone = 0;

		sqlite3_bind_text(in->del_gap, 1, in->set_path, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int64(in->del_gap, 2, from_us);
		sqlite3_bind_int64(in->del_gap, 3, to_us);
		if (ingest_step(in, in->del_gap, "merge stalls", &gone, e)
		    == -1)
			return -1;
		in->st->findings -= gone;
	}
	if (f->ts_us != TS_NONE && (in->first_new_us == TS_NONE ||
	    f->ts_us < in->first_new_us))
		in->first_new_us = f->ts_us;
	return 0;
}

/* Store finding f of record r; ordinal: store_ordinal() of f among the
 * record's findings (0 for a gap stall, the one of its record). */
static int
ingest_store_finding(struct ingest *in, int64_t source_id, int64_t rec_id,
    const struct record *r, const struct finding *f, int64_t ordinal,
    struct err *e)
{
	int	rc;

	writer_lock(in->wr);
	rc = ingest_insert_finding(in, source_id, rec_id, r, f, ordinal, e);
	writer_unlock(in->wr);
	return rc;
}

/* ---- the context ring ----------------------------------------------- */

static void
ring_clear(struct ingest *in)
{
	in->ring_len = 0;
	in->ring_head = 0;
	in->ring_bytes = 0;
}

static void
ring_release(struct ingest *in)
{
	size_t	i;

	for (i = 0; i < in->ring_cap; i++)
		free(in->ring[i].data);
	free(in->ring);
	in->ring = NULL;
	in->ring_cap = 0;
	ring_clear(in);
}

/* The i-th oldest record of the ring. */
static struct kept *
ring_at(struct ingest *in, size_t i)
{
	return &in->ring[(in->ring_head + i) % in->ring_cap];
}

static void
ring_drop_oldest(struct ingest *in)
{
	struct kept	*k = ring_at(in, 0);

	in->ring_bytes -= k->rec.text.n + k->rec.message.n;
	in->ring_head = (in->ring_head + 1) % in->ring_cap;
	in->ring_len--;
}

/* Re-point span sp, which lies in [from, from + n) or is a separate
 * string, into the copy; copied strings are appended at *pos. */
static struct span
kept_span(struct span sp, const char *from, size_t n, char *to, size_t *pos)
{
	struct span	out = { NULL, 0 };

	if (sp.n == 0)
		return out;
	if (sp.p >= from && sp.p + sp.n <= from + n) {
		out.p = to + (sp.p - from);
		out.n = sp.n;
		return out;
	}
	memcpy(to + *pos, sp.p, sp.n);
	out.p = to + *pos;
	out.n = sp.n;
	*pos += sp.n;
	return out;
}

/* Records the ring holds: the context before a finding, and at least
 * the records a gap stall is decided within (it names the record before
 * its gap, STALL_SETTLE_RECORDS back at most). */
#define INGEST_RING_MIN	24

static size_t
ingest_ring_cap(const struct ingest *in)
{
	if (in->o->keep == KEEP_CONTEXT && in->o->context_n > INGEST_RING_MIN)
		return (size_t)in->o->context_n;
	return INGEST_RING_MIN;
}

/* Copy r into the ring as its newest record, dropping the oldest when
 * the ring holds context_n records or too many bytes. */
static struct kept *
ring_push(struct ingest *in, const struct record *r, int64_t id)
{
	struct kept	*k;
	size_t		 need, pos;
	size_t		 cap = ingest_ring_cap(in);

	if (in->ring_cap != cap) {
		ring_release(in);
		in->ring = xcalloc(cap, sizeof(*in->ring));
		in->ring_cap = cap;
	}
	if (in->ring_len == cap)
		ring_drop_oldest(in);
	while (in->ring_len > 0 && in->ring_bytes + r->text.n +
	    r->message.n > INGEST_RING_BYTES)
		ring_drop_oldest(in);
	k = ring_at(in, in->ring_len);
	need = r->text.n + r->message.n + r->level.n + r->logger.n +
	    r->thread.n + r->task.n + 1;
	if (k->size < need) {
		free(k->data);
		k->data = xmalloc(need);
		k->size = need;
	}
	if (r->text.n > 0)
		memcpy(k->data, r->text.p, r->text.n);
	pos = r->text.n;
	k->rec = *r;
	k->rec.text.p = k->data;
	k->rec.message = kept_span(r->message, r->text.p, r->text.n, k->data,
	    &pos);
	k->rec.level = kept_span(r->level, r->text.p, r->text.n, k->data,
	    &pos);
	k->rec.logger = kept_span(r->logger, r->text.p, r->text.n, k->data,
	    &pos);
	k->rec.thread = kept_span(r->thread, r->text.p, r->text.n, k->data,
	    &pos);
	k->rec.task = kept_span(r->task, r->text.p, r->text.n, k->data, &pos);
	k->id = id;
	in->ring_len++;
	in->ring_bytes += r->text.n + r->message.n;
	return k;
}

/* Store the ring's records not stored yet among the last context_n that
 * lie within the context time before ts_us. */
static int
ring_store(struct ingest *in, int64_t source_id, int64_t ts_us,
    struct err *e)
{
	size_t	i, n = (size_t)in->o->context_n;

	for (i = in->ring_len > n ? in->ring_len - n : 0; i < in->ring_len;
	    i++) {
		struct kept *k = ring_at(in, i);

		if (k->id != 0)
			continue;
		if (ts_us != TS_NONE && k->rec.ts_us != TS_NONE &&
		    k->rec.ts_us < ts_us - in->o->context_us)
			continue;
		if (ingest_store_record(in, source_id, &k->rec, &k->id, e)
		    == -1)
			return -1;
	}
	return 0;
}

/* ---- batches -------------------------------------------------------- */

static int
ingest_save_source(struct ingest *in, const char *path, const char *set_path,
    const struct reader_info *ri, const void *fp, size_t fplen,
    const struct source *src, struct err *e)
{
	sqlite3_stmt	*st = in->upd_source;

	sqlite3_bind_int64(st, 1, src->id);
	sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, set_path, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, fp, (int)fplen, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, ri->gzip);
	sqlite3_bind_int64(st, 6, ri->size);
	sqlite3_bind_int64(st, 7, src->read_bytes);
	sqlite3_bind_int64(st, 8, src->read_lines);
	sqlite3_bind_text(st, 9, src->layout, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, src->complete);
	sqlite3_bind_int64(st, 11, src->records);
	bind_time(st, 12, src->first_us);
	bind_time(st, 13, src->last_us);
	sqlite3_bind_int64(st, 14, src->replay_bytes);
	sqlite3_bind_int64(st, 15, src->replay_lines);
	sqlite3_bind_int64(st, 16, src->keep_n);
	bind_time(st, 17, src->keep_until_us);
	sqlite3_bind_int64(st, 18, timefmt_now_us());
	if (src->nkept_ids > 0)
		sqlite3_bind_blob(st, 19, src->kept_ids, (int)(src->nkept_ids *
		    2 * sizeof(int64_t)), SQLITE_STATIC);
	if (ri->size >= 0) {
		sqlite3_bind_int64(st, 20, (int64_t)ri->dev);
		sqlite3_bind_int64(st, 21, (int64_t)ri->ino);
		sqlite3_bind_int64(st, 22, ri->mtime_us);
	}
	if (in->zone != NULL && timestamp_zoneless() > in->zoneless_at)
		sqlite3_bind_text(st, 23, in->zone, -1, SQLITE_STATIC);
	return ingest_step(in, st, "update source", NULL, e);
}

static int
ingest_save_stall(struct ingest *in, const char *set_path, struct err *e)
{
	size_t	 n = 0;
	void	*blob = stall_save(in->sd, &n);
	int	 rc;

	sqlite3_bind_text(in->put_stall, 1, set_path, -1, SQLITE_STATIC);
	sqlite3_bind_blob(in->put_stall, 2, blob, (int)n, SQLITE_STATIC);
	rc = ingest_step(in, in->put_stall, "stall state", NULL, e);
	free(blob);
	return rc;
}

/* The set's gap detector state, as the last run left it (none: a fresh
 * one). 0 or -1 with *e. */
static int
ingest_load_stall(struct ingest *in, const char *set_path, struct err *e)
{
	int	step;

	stall_reset(in->sd);
	sqlite3_bind_text(in->get_stall, 1, set_path, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(in->get_stall)) == SQLITE_ROW)
		stall_load(in->sd, sqlite3_column_blob(in->get_stall, 0),
		    (size_t)sqlite3_column_bytes(in->get_stall, 0));
	sqlite3_reset(in->get_stall);
	sqlite3_clear_bindings(in->get_stall);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_err(in->s, e, "stall state");
	return 0;
}

/* Open a batch: a write transaction in which the source must still be at
 * the offset this run last saw (another ingest may have moved it: then
 * *moved is set and this file is left to that one). */
static int
ingest_batch_begin(struct ingest *in, const struct source *src, bool *moved,
    struct err *e)
{
	int64_t	at = -1;
	int	step;

	*moved = false;
	if (store_begin(in->s, e) == -1)
		return -1;
	in->in_txn = true;
	in->batch_records = 0;
	in->batch_bytes = 0;
	sqlite3_bind_int64(in->sel_offset, 1, src->id);
	if ((step = sqlite3_step(in->sel_offset)) == SQLITE_ROW)
		at = sqlite3_column_int64(in->sel_offset, 0);
	sqlite3_reset(in->sel_offset);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		/* an error is no other run's progress: it is reported */
		store_err(in->s, e, "read position");
		store_rollback(in->s);
		in->in_txn = false;
		return -1;
	}
	if (at != src->read_bytes) {
		*moved = true;
		store_rollback(in->s);
		in->in_txn = false;
		return 0;
	}
	if (writer_begin(in->wr, e) == -1) {
		store_rollback(in->s);
		in->in_txn = false;
		return -1;
	}
	return 0;
}

/* Where a resumed run must re-read from: the oldest record of the ring
 * (so --keep context sees the same records before a finding as one
 * clean run), and the keep-after state. */
static void
ingest_mark_replay(struct ingest *in, struct source *src)
{
	size_t	i;

	src->nkept_ids = 0;
	for (i = 0; i < in->ring_len; i++) {
		struct kept *k = ring_at(in, i);

		if (k->id == 0)
			continue;
		src->kept_ids = xrealloc(src->kept_ids, (src->nkept_ids + 1) *
		    2 * sizeof(int64_t));
		src->kept_ids[2 * src->nkept_ids] = k->rec.offset;
		src->kept_ids[2 * src->nkept_ids + 1] = k->id;
		src->nkept_ids++;
	}
	if (in->ring_len > 0) {
		struct kept *k = ring_at(in, 0);

		src->replay_bytes = k->rec.offset;
		src->replay_lines = k->rec.line;
	} else {
		src->replay_bytes = src->read_bytes;
		src->replay_lines = src->read_lines;
	}
}

static int
ingest_batch_commit(struct ingest *in, const char *path, const char *set_path,
    const struct reader_info *ri, const void *fp, size_t fplen,
    struct source *src, struct err *e)
{
	if (!in->in_txn)
		return 0;
	ingest_mark_replay(in, src);
	if (writer_sync(in->wr, e) == -1 ||
	    ingest_flush_counts(in, src->id, e) == -1 ||
	    ingest_save_stall(in, set_path, e) == -1 ||
	    ingest_save_source(in, path, set_path, ri, fp, fplen, src, e)
	    == -1 || store_commit(in->s, e) == -1) {
		writer_discard(in->wr);
		store_rollback(in->s);
		in->in_txn = false;
		return -1;
	}
	in->in_txn = false;
	return 0;
}

/* ---- one record ----------------------------------------------------- */

/* The ring's record a gap stall starts at (its time is the stall's
 * start), the newest such; NULL when it left the ring. */
static struct kept *
ring_find_time(struct ingest *in, int64_t ts_us)
{
	size_t	i;

	for (i = in->ring_len; i-- > 0;) {
		struct kept *k = ring_at(in, i);

		if (k->rec.ts_us == ts_us)
			return k;
		if (k->rec.ts_us != TS_NONE && k->rec.ts_us < ts_us)
			break;
	}
	return NULL;
}

static int	ingest_delete(struct ingest *, const char *, int64_t, int *,
		    struct err *);
static int	ingest_incidents_apart(struct ingest *, const char *, int64_t,
		    struct err *);

/* A gap decided at the end of an earlier run, with the records it had
 * then (stall_flush()), is decided again now that those after it are in:
 * the earlier finding goes (and its incident comes apart), so that two
 * runs leave what one leaves. 0 or -1 with *e. */
static int
ingest_replace_gap(struct ingest *in, const struct finding *f, struct err *e)
{
	sqlite3_stmt	*st = in->sel_gap;
	int64_t		 id = 0;
	int		 rc;

	if (f->ts_us == TS_NONE || f->duration_us < 0)
		return 0;
	sqlite3_bind_text(st, 1, in->set_path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, f->ts_us);
	sqlite3_bind_int64(st, 3, f->duration_us);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_err(in->s, e, "gap");
	if (id == 0)
		return 0;
	if (ingest_incidents_apart(in, "id = ?1", id, e) == -1 ||
	    ingest_delete(in, "DELETE FROM findings WHERE id = ?1", id, NULL,
	    e) == -1)
		return -1;
	in->st->findings--;
	return 0;
}

/* Store the findings from index first on of in->found, gap stalls, each
 * with the record before its gap (stored now if it was not), else (it was
 * in an earlier file of the set) the record that ended the gap, or with r
 * (stored now if needed, *id) when that record is gone too. */
static int
ingest_store_gaps(struct ingest *in, struct source *src, size_t first,
    const struct record *r, int64_t *id, struct err *e)
{
	struct finding_list	*fl = &in->found;
	struct kept		*k;
	size_t			 i;

	for (i = first; i < fl->n; i++) {
		if (ingest_replace_gap(in, &fl->v[i], e) == -1)
			return -1;
		k = ring_find_time(in, fl->v[i].ts_us);
		if (k == NULL && fl->v[i].ts_us != TS_NONE &&
		    fl->v[i].duration_us > 0)
			k = ring_find_time(in, fl->v[i].ts_us +
			    fl->v[i].duration_us);
		if (k == NULL && r == NULL && in->ring_len > 0)
			k = ring_at(in, in->ring_len - 1);
		if (k != NULL) {
			if (k->id == 0 && ingest_store_record(in, src->id,
			    &k->rec, &k->id, e) == -1)
				return -1;
			if (ingest_store_finding(in, src->id, k->id, &k->rec,
			    &fl->v[i], 0, e) == -1)
				return -1;
			continue;
		}
		if (r == NULL)
			continue;
		if (*id == 0 && ingest_store_record(in, src->id, r, id, e) ==
		    -1)
			return -1;
		if (ingest_store_finding(in, src->id, *id, r, &fl->v[i], 0,
		    e) == -1)
			return -1;
	}
	return 0;
}

static bool
ingest_in_keep_after(const struct source *src, const struct record *r)
{
	if (src->keep_n <= 0)
		return false;
	if (r->ts_us == TS_NONE || src->keep_until_us == TS_NONE)
		return true;
	return r->ts_us <= src->keep_until_us;
}

static int
ingest_record(struct ingest *in, struct source *src, const struct record *r,
    struct err *e)
{
	struct finding_list	*fl = &in->found;
	size_t			 nrule, i;
	int64_t			 id = 0;
	bool			 store;

	finding_list_clear(fl);
	nrule = engine_scan(in->en, r, fl);
	if (r->ts_us != TS_NONE)
		stall_feed(in->sd, r, fl->v, nrule, fl);
	if (ingest_count(in, src->id, r, e) == -1)
		return -1;
	src->records++;
	if (r->ts_us != TS_NONE) {
		if (src->first_us == TS_NONE || r->ts_us < src->first_us)
			src->first_us = r->ts_us;
		if (src->last_us == TS_NONE || r->ts_us > src->last_us)
			src->last_us = r->ts_us;
	}
	switch (in->o->keep) {
	case KEEP_ALL:
		store = true;
		break;
	case KEEP_FINDINGS:
		store = nrule > 0;
		break;
	default:
		store = fl->n > 0 || ingest_in_keep_after(src, r);
		break;
	}
	if (fl->n > 0 && in->o->keep == KEEP_CONTEXT) {
		if (ring_store(in, src->id, r->ts_us, e) == -1)
			return -1;
		src->keep_n = in->o->context_n;
		src->keep_until_us = r->ts_us == TS_NONE ? TS_NONE :
		    r->ts_us + in->o->context_us;
	} else if (store && in->o->keep == KEEP_CONTEXT)
		src->keep_n--;
	if (store && ingest_store_record(in, src->id, r, &id, e) == -1)
		return -1;
	for (i = 0; i < nrule; i++)
		if (ingest_store_finding(in, src->id, id, r, &fl->v[i],
		    store_ordinal(fl->v, i), e) == -1)
			return -1;
	/* gap stalls, decided a few records after the gap */
	if (ingest_store_gaps(in, src, nrule, r, &id, e) == -1)
		return -1;
	ring_push(in, r, id);
	return 0;
}

/* Run sql, one writing statement, binding ?1 (if it has one) to id;
 * *changes (when not NULL) gets the rows it changed. */
static int
ingest_delete(struct ingest *in, const char *sql, int64_t id, int *changes,
    struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int		 rc;

	if (sqlite3_prepare_v2(in->db, sql, -1, &st, NULL) != SQLITE_OK)
		return store_err(in->s, e, "forget");
	sqlite3_bind_int64(st, 1, id);
	rc = ingest_step(in, st, "forget", changes, e);
	sqlite3_finalize(st);
	return rc;
}

/* Take apart the incidents of the findings `which` (a condition on
 * findings, constant text, binding ?1 to id) is about to forget: the
 * run's correlation makes them again from the findings left and new. */
static int
ingest_incidents_apart(struct ingest *in, const char *which, int64_t id,
    struct err *e)
{
	char	sql[256];

	snprintf(sql, sizeof(sql), "DELETE FROM incidents WHERE id IN "
	    "(SELECT incident_id FROM findings WHERE %s)", which);
	if (ingest_delete(in, sql, id, NULL, e) == -1)
		return -1;
	return ingest_delete(in, "UPDATE findings SET incident_id = NULL "
	    "WHERE incident_id IS NOT NULL AND incident_id NOT IN "
	    "(SELECT id FROM incidents)", id, NULL, e);
}

/* ---- a record a rotation cut --------------------------------------- */

/* The row of the set's previous file's last record when it is stored:
 * the stored record of greatest offset among the last ones the file's
 * source remembers (its replay_ids: the context ring at its last
 * commit, which ends with the file's last record), found by id. NULL
 * with *e on error; a statement with no row when there is none. */
static sqlite3_stmt *
stitch_last_record(struct ingest *in, struct err *e)
{
	static const char sql[] = "SELECT " STORE_RECORD_COLS ", "
	    "?2 - r.offset - length(CAST(r.text AS BLOB)) "
	    "FROM records r WHERE r.id = ?1";
	sqlite3_stmt	*st = NULL;
	const int64_t	*ids;
	int64_t		 best = -1, id = 0, read_bytes = 0;
	size_t		 i, n;
	int		 step;

	if (sqlite3_prepare_v2(in->db, "SELECT read_bytes, replay_ids FROM "
	    "sources WHERE path = ?1 AND set_path = ?2 ORDER BY id DESC "
	    "LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, in->prev_path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, in->set_path, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(st)) != SQLITE_ROW && step != SQLITE_DONE)
		goto fail;
	if (step == SQLITE_ROW) {
		read_bytes = sqlite3_column_int64(st, 0);
		ids = sqlite3_column_blob(st, 1);
		n = (size_t)sqlite3_column_bytes(st, 1) / (2 * sizeof(int64_t));
		for (i = 0; ids != NULL && i < n; i++) {
			int64_t	pair[2];

			memcpy(pair, (const char *)ids + i * sizeof(pair),
			    sizeof(pair));
			if (pair[0] > best) {
				best = pair[0];
				id = pair[1];
			}
		}
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(in->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, id);		/* 0: no row */
	sqlite3_bind_int64(st, 2, read_bytes);
	return st;
fail:
	store_err(in->s, e, "joined record");
	sqlite3_finalize(st);
	return NULL;
}

/* The file starts with lines that belong to no header of its own, c: a
 * size-based rotation (a container runtime's) ended the set's previous
 * file inside a record, a traceback most often. When that file's last
 * record is stored, c is appended to it and its findings are made again
 * from the whole record (the exception at the end of a traceback); then
 * *joined is set and c is no record of its own. Already appended (this
 * file read again): only *joined. */
static int
ingest_stitch(struct ingest *in, const struct record *c, bool *joined,
    struct err *e)
{
	sqlite3_stmt	*st, *up = NULL;
	struct record	 r;
	struct buf	 text, msg;
	bool		 own_msg;
	int64_t		 id, source_id, tail;
	size_t		 i, nrule;
	int		 rc = -1, step, gone = 0;

	*joined = false;
	buf_init(&text, (size_t)-1);
	buf_init(&msg, (size_t)-1);
	writer_lock(in->wr);
	if ((st = stitch_last_record(in, e)) == NULL)
		goto unlock;
	if ((step = sqlite3_step(st)) != SQLITE_ROW) {
		rc = step == SQLITE_DONE ? 0 : store_err(in->s, e,
		    "joined record");
		goto unlock;
	}
	store_record_row(st, &r);
	id = sqlite3_column_int64(st, 0);
	source_id = sqlite3_column_int64(st, 1);
	tail = sqlite3_column_int64(st, 15);
	own_msg = sqlite3_column_type(st, 13) != SQLITE_NULL;
	if (r.text.n > c->text.n && r.text.p[r.text.n - c->text.n - 1] ==
	    '\n' && memcmp(r.text.p + r.text.n - c->text.n, c->text.p,
	    c->text.n) == 0) {
		*joined = true;		/* appended by an earlier run */
		rc = 0;
		goto unlock;
	}
	/* the record must end the file: a newline (or CRLF, or none) after
	 * it, nothing cut off it */
	if (tail < 0 || tail > 2 || r.flags & RECORD_TRUNCATED) {
		rc = 0;
		goto unlock;
	}
	buf_add(&text, r.text.p, r.text.n);
	buf_addc(&text, '\n');
	buf_add(&text, c->text.p, c->text.n);
	if (own_msg) {
		buf_add(&msg, r.message.p, r.message.n);
		buf_addc(&msg, '\n');
		buf_add(&msg, c->message.p, c->message.n);
		r.message.p = msg.data;
		r.message.n = msg.len;
	} else {	/* the text's tail: from the same place */
		r.message.p = text.data + (r.message.p - r.text.p);
		r.message.n = text.len - (size_t)(r.message.p - text.data);
	}
	r.text.p = text.data;
	r.text.n = text.len;
	r.nlines += c->nlines;
	r.flags |= RECORD_JOINED | (c->flags & (RECORD_TRUNCATED | RECORD_NUL |
	    RECORD_BAD_UTF8));
	if (sqlite3_prepare_v2(in->db, "UPDATE records SET nlines = ?2, "
	    "flags = ?3, message = ?4, text = ?5 WHERE id = ?1", -1, &up,
	    NULL) != SQLITE_OK) {
		store_err(in->s, e, "joined record");
		goto unlock;
	}
	sqlite3_bind_int64(up, 1, id);
	sqlite3_bind_int64(up, 2, r.nlines);
	sqlite3_bind_int(up, 3, (int)r.flags);
	if (own_msg)
		sqlite3_bind_text(up, 4, msg.data, (int)msg.len,
		    SQLITE_STATIC);
	sqlite3_bind_text(up, 5, text.data, (int)text.len, SQLITE_STATIC);
	/* its findings are made again from the whole record */
	if (ingest_step(in, up, "joined record", NULL, e) == -1 ||
	    ingest_incidents_apart(in, "record_id = ?1 AND rule <> "
	    "'" RULE_STALL_GAP "'", id, e) == -1 ||
	    ingest_delete(in, "DELETE FROM findings WHERE record_id = ?1 AND "
	    "rule <> '" RULE_STALL_GAP "'", id, &gone, e) == -1)
		goto unlock;
	in->st->findings -= gone;
	writer_unlock(in->wr);
	finding_list_clear(&in->found);
	nrule = engine_scan(in->en, &r, &in->found);
	for (i = 0; i < nrule; i++)
		if (ingest_store_finding(in, source_id, id, &r,
		    &in->found.v[i], store_ordinal(in->found.v, i), e) == -1)
			goto out;
	*joined = true;
	rc = 0;
	goto out;
unlock:
	writer_unlock(in->wr);
out:
	sqlite3_finalize(up);
	sqlite3_finalize(st);
	buf_release(&text);
	buf_release(&msg);
	return rc;
}

/* ---- one file ------------------------------------------------------- */

/* Whether the fingerprint stored for a source matches the file's first
 * bytes: the shorter is a prefix of the longer, and long enough to mean
 * something (else only a source of the same path matches). */
static bool
ingest_fp_match(const void *stored, size_t slen, const char *first,
    size_t flen, bool same_path)
{
	size_t	n = slen < flen ? slen : flen;

	if (n < INGEST_FP_MIN && !(same_path && n == slen))
		return false;
	return n == 0 || memcmp(stored, first, n) == 0;
}

/* Empty *src (freeing what it holds): a source not read yet. */
static void
source_reset(struct source *src)
{
	free(src->kept_ids);
	memset(src, 0, sizeof(*src));
	src->first_us = src->last_us = src->keep_until_us = TS_NONE;
}

/* Look the file up among the sources of its path, its set and its device
 * and inode: the newest whose fingerprint matches. */
static int
ingest_lookup_source(struct ingest *in, const char *path,
    const char *set_path, const struct reader_info *ri, const char *first,
    size_t fplen, struct source *src, bool *found, struct err *e)
{
	sqlite3_stmt	*st = in->sel_sources;
	int		 rc;

	*found = false;
	source_reset(src);
	sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, set_path, -1, SQLITE_STATIC);
	if (ri->size >= 0) {
		sqlite3_bind_int64(st, 3, (int64_t)ri->dev);
		sqlite3_bind_int64(st, 4, (int64_t)ri->ino);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const void	*fp = sqlite3_column_blob(st, 1);
		size_t		 n = (size_t)sqlite3_column_bytes(st, 1);
		const char	*layout;

		if (!ingest_fp_match(fp, n, first, fplen,
		    sqlite3_column_int(st, 13)))
			continue;
		src->id = sqlite3_column_int64(st, 0);
		src->read_bytes = sqlite3_column_int64(st, 2);
		src->read_lines = sqlite3_column_int64(st, 3);
		src->replay_bytes = sqlite3_column_int64(st, 4);
		src->replay_lines = sqlite3_column_int64(st, 5);
		src->keep_n = sqlite3_column_int64(st, 6);
		src->keep_until_us = column_time(st, 7);
		src->records = sqlite3_column_int64(st, 8);
		src->first_us = column_time(st, 9);
		src->last_us = column_time(st, 10);
		src->complete = sqlite3_column_int(st, 11);
		layout = (const char *)sqlite3_column_text(st, 12);
		if (layout != NULL)
			snprintf(src->layout, sizeof(src->layout), "%s",
			    layout);
		n = (size_t)sqlite3_column_bytes(st, 14) /
		    (2 * sizeof(int64_t));
		if (n > 0) {
			src->kept_ids = xmalloc(n * 2 * sizeof(int64_t));
			memcpy(src->kept_ids, sqlite3_column_blob(st, 14),
			    n * 2 * sizeof(int64_t));
			src->nkept_ids = n;
		}
		*found = true;
		break;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_err(in->s, e, "sources");
	return 0;
}

/* Forget what was read of a source, for --reread: its records, findings
 * and counts go, the incidents its findings were in are taken apart (the
 * correlation at the end of the run makes them again), and its read
 * position, stored too, goes back to the start. */
static int
ingest_forget_source(struct ingest *in, struct source *src, struct err *e)
{
	static const char *const sql[] = {
		"DELETE FROM findings WHERE source_id = ?1",
		"DELETE FROM records WHERE source_id = ?1",
		"DELETE FROM counts WHERE source_id = ?1",
		"UPDATE sources SET size = 0, read_bytes = 0, read_lines = 0, "
		"complete = 0, records = 0, replay_bytes = 0, replay_lines = 0, "
		"replay_ids = NULL, dev = NULL, ino = NULL, mtime_us = NULL, "
		"keep_n = 0, keep_until_us = NULL, first_us = NULL, "
		"last_us = NULL, tz = NULL WHERE id = ?1",
	};
	int64_t		 id = src->id;
	size_t		 i;

	if (ingest_incidents_apart(in, "source_id = ?1", id, e) == -1)
		return -1;
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		if (ingest_delete(in, sql[i], id, NULL, e) == -1)
			return -1;
	source_reset(src);
	src->id = id;
	return 0;
}

/* Find the source this file continues, or create one, under the write
 * lock so two runs never create two sources for one file. *skip is set
 * when there is nothing to read (a fully read rotated member). */
static int
ingest_find_source(struct ingest *in, const char *path, const char *set_path,
    const struct reader_info *ri, const char *first, size_t flen,
    struct source *src, bool *skip, struct err *e)
{
	size_t	fplen = flen < INGEST_FP_LEN ? flen : INGEST_FP_LEN;
	bool	found;

	*skip = false;
	if (store_begin(in->s, e) == -1)
		return -1;
	if (ingest_lookup_source(in, path, set_path, ri, first, fplen, src,
	    &found, e) == -1)
		goto fail;
	/* A file shorter than what was read of it was truncated in place
	 * (copytruncate): it is new content. */
	if (found && !ri->gzip && ri->size >= 0 && ri->size < src->read_bytes)
		found = false;
	if (found && in->o->reread) {
		if (ingest_forget_source(in, src, e) == -1)
			goto fail;
	} else if (found) {
		*skip = src->complete || (!ri->gzip && ri->size ==
		    src->read_bytes);
	} else {
		source_reset(src);
		sqlite3_bind_text(in->ins_source, 1, path, -1, SQLITE_STATIC);
		sqlite3_bind_text(in->ins_source, 2, set_path, -1,
		    SQLITE_STATIC);
		sqlite3_bind_blob(in->ins_source, 3, first, (int)fplen,
		    SQLITE_STATIC);
		sqlite3_bind_int(in->ins_source, 4, ri->gzip);
		sqlite3_bind_int64(in->ins_source, 5, ri->size);
		sqlite3_bind_int64(in->ins_source, 6, timefmt_now_us());
		if (ingest_step(in, in->ins_source, "insert source", NULL,
		    e) == -1)
			goto fail;
		src->id = sqlite3_last_insert_rowid(in->db);
	}
	return store_commit(in->s, e);
fail:
	store_rollback(in->s);
	return -1;
}

/* Whether path is a file read to its end whose identity, size and time
 * have not changed since: then it is not even opened. 1 (unchanged), 0,
 * or -1 with *e. */
static int
ingest_unchanged(struct ingest *in, const char *path, int fd,
    struct err *e)
{
	struct stat	sb;
	int		step;

	if (in->o->reread || (fd == -1 && strcmp(path, "-") == 0) ||
	    (fd == -1 ? stat(path, &sb) : fstat(fd, &sb)) == -1 ||
	    !S_ISREG(sb.st_mode))
		return 0;
	sqlite3_bind_text(in->sel_unchanged, 1, path, -1, SQLITE_STATIC);
	sqlite3_bind_int64(in->sel_unchanged, 2, (int64_t)sb.st_dev);
	sqlite3_bind_int64(in->sel_unchanged, 3, (int64_t)sb.st_ino);
	sqlite3_bind_int64(in->sel_unchanged, 4, (int64_t)sb.st_size);
	sqlite3_bind_int64(in->sel_unchanged, 5,
	    (int64_t)sb.st_mtim.tv_sec * 1000000 + sb.st_mtim.tv_nsec / 1000);
	step = sqlite3_step(in->sel_unchanged);
	sqlite3_reset(in->sel_unchanged);
	sqlite3_clear_bindings(in->sel_unchanged);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return store_err(in->s, e, "sources");
	return step == SQLITE_ROW;
}

static void
ingest_progress(struct ingest *in, const char *path, int64_t done)
{
	struct timespec	now;
	double		dt;

	if (!in->o->progress)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - in->last_progress.tv_sec) +
	    (double)(now.tv_nsec - in->last_progress.tv_nsec) / 1e9;
	if (dt < 0.5)
		return;
	in->last_progress = now;
	fprintf(stderr, "\r\033[K%s: %.1f MB, %lld records",
	    strrchr(path, '/') ? strrchr(path, '/') + 1 : path,
	    (double)done / 1e6, (long long)in->st->records);
	fflush(stderr);
}

/* The id of a record an earlier run stored, or 0. */
static int64_t
ingest_stored_id(const struct source *src, const struct record *r)
{
	size_t	i;

	for (i = 0; i < src->nkept_ids; i++)
		if (src->kept_ids[2 * i] == r->offset)
			return src->kept_ids[2 * i + 1];
	return 0;
}

/* Drain the splitter; commit a batch when it is large. */
static int
ingest_drain(struct ingest *in, struct splitter *sp, int at_end,
    int64_t replay_to, const char *path, const char *set_path,
    const struct reader_info *ri, const char *fp, size_t fplen,
    struct source *src, bool *moved, struct err *e)
{
	const struct record	*r;
	bool			 joined;

	while (!*moved && (r = splitter_next(sp, at_end)) != NULL) {
		if (r->offset < replay_to) {
			/* read before: only rebuilds the ring, with the ids
			 * of the records the last run stored */
			ring_push(in, r, ingest_stored_id(src, r));
			continue;
		}
		if (!in->in_txn && ingest_batch_begin(in, src, moved, e) == -1)
			return -1;
		if (*moved)
			break;
		joined = false;
		if (r->offset == 0 && r->flags & RECORD_NO_HEADER &&
		    in->prev_path != NULL && ingest_stitch(in, r, &joined, e)
		    == -1)
			return -1;
		if (!joined && ingest_record(in, src, r, e) == -1)
			return -1;
		if (r->flags & RECORD_TRUNCATED && in->n_cut++ == 0)
			in->cut_line = r->line;
		if (r->flags & (RECORD_NUL | RECORD_BAD_UTF8) &&
		    in->n_binary++ == 0)
			in->binary_line = r->line;
		if (r->flags & RECORD_BAD_TIME && in->n_badtime++ == 0)
			in->badtime_line = r->line;
		if (!joined)
			in->st->records++;
		in->batch_records++;
		in->batch_bytes += r->end - r->offset;
		src->read_bytes = r->end;
		src->read_lines = r->line + r->nlines - 1;
		if (in->batch_records >= in->batch_max ||
		    in->batch_bytes >= INGEST_BATCH_BYTES) {
			if (ingest_batch_commit(in, path, set_path, ri, fp,
			    fplen, src, e) == -1)
				return -1;
			ingest_progress(in, path, src->read_bytes);
		}
		testhook("record");
	}
	return 0;
}

static void
ingest_warn(struct ingest *in, const struct err *fe)
{
	in->st->status = err_worse(in->st->status, fe->status);
	if (in->warn != NULL)
		in->warn(in->ctx, fe);
}

/* Notes on what was stored other than as written: cut records, binary
 * bytes. */
static void
ingest_notes(struct ingest *in, const char *path)
{
	struct err	fe;

	if (in->n_cut > 0) {
		err_set(&fe, STATUS_OK, "%s: line %lld: %lld record%s cut to "
		    "%d MiB lines and %d MiB records (flagged)",
		    path, (long long)in->cut_line, (long long)in->n_cut,
		    in->n_cut == 1 ? "" : "s", SPLITTER_LINE_CAP >> 20,
		    SPLITTER_RECORD_CAP >> 20);
		ingest_warn(in, &fe);
	}
	if (in->n_badtime > 0) {
		err_set(&fe, STATUS_OK, "%s: line %lld: %lld record%s with a "
		    "time that cannot be (month 13, Feb 30, before 1970): "
		    "the time of the record before taken (flagged)", path,
		    (long long)in->badtime_line, (long long)in->n_badtime,
		    in->n_badtime == 1 ? "" : "s");
		ingest_warn(in, &fe);
	}
	if (in->n_binary > 0) {
		err_set(&fe, STATUS_OK, "%s: line %lld: %lld record%s with NUL "
		    "bytes or invalid UTF-8 (read as is, flagged)", path,
		    (long long)in->binary_line, (long long)in->n_binary,
		    in->n_binary == 1 ? "" : "s");
		ingest_warn(in, &fe);
	}
}

/* Once, when a set's zone-less times were first read in the local zone
 * (neither --tz nor a zone stored before): which zone that was. */
static void
ingest_zone_note(struct ingest *in, const char *set_path)
{
	struct err	fe;

	if (in->zone_stored || in->zone_noted ||
	    timestamp_zoneless() == in->zoneless_at)
		return;
	in->zone_noted = true;
	if (in->zone != NULL)
		err_set(&fe, STATUS_OK, "%s: times without a zone read in %s, "
		    "the local zone, and remembered for this log (another: "
		    "--tz ZONE --reread)", set_path, in->zone);
	else
		err_set(&fe, STATUS_OK, "%s: times without a zone read in the "
		    "local zone, which has no name to remember: give --tz",
		    set_path);
	ingest_warn(in, &fe);
}

/* Ingest one file of a set (through fd when not -1); is_live: the
 * set's newest plain file, whose unterminated last line waits for the
 * next run; last: the set ends with it, so with INGEST_END a gap stall
 * still waiting for its decision is decided. A per-file problem is
 * warned and 0 returned; -1 only for database errors. */
static int
ingest_file(struct ingest *in, const char *path, const char *set_path,
    int fd, bool is_live, bool last, struct err *e)
{
	struct reader		*rd = NULL;
	struct splitter		*sp = NULL;
	struct layout		*lay = NULL;
	const struct reader_info *ri;
	struct source		 src;
	struct err		 fe, le, note;
	char			*block = NULL, first[INGEST_FP_LEN];
	size_t			 flen = 0;
	ssize_t			 got = 0;
	int64_t			 pos, replay_to, flush_id = 0;
	bool			 skip, moved = false, broken = false;
	bool			 growing = false, flush;
	int			 rc = -1, at_end, same = 0;

	err_clear(&fe);
	memset(&src, 0, sizeof(src));
	in->n_cut = in->n_binary = in->n_badtime = 0;
	in->set_path = set_path;
	in->zoneless_at = timestamp_zoneless();
	/* a gap waiting for its decision is decided at the end, even when
	 * the file it is in has nothing new */
	flush = last && (in->flags & INGEST_END) && stall_pending(in->sd);
	if (!flush && (same = ingest_unchanged(in, path, fd, e)) == -1)
		goto out;
	if (same) {
		in->st->skipped++;
		rc = 0;
		goto out;
	}
	if ((rd = reader_open_fd(path, fd, &fe)) == NULL) {
		/* followed files come and go: one renamed or deleted since
		 * it was listed is read under its new name, or was read */
		if (!(in->flags & INGEST_FOLLOW) || access(path, F_OK) == 0)
			ingest_warn(in, &fe);
		rc = 0;
		goto out;
	}
	ri = reader_info(rd);
	block = xmalloc(INGEST_BLOCK);
	/* The first bytes give the fingerprint; nothing more is read before
	 * the file is known. */
	while (flen < INGEST_FP_LEN) {
		got = reader_read(rd, block + flen, INGEST_FP_LEN - flen, &fe);
		if (got <= 0)
			break;
		flen += (size_t)got;
	}
	if (got < 0)
		broken = true;
	in->st->bytes += (int64_t)flen;
	memcpy(first, block, flen < INGEST_FP_LEN ? flen : INGEST_FP_LEN);
	if (flen == 0 && !broken) {
		in->st->skipped++;	/* empty: nothing to know it by yet */
		rc = 0;
		goto out;
	}
	/* A database named like a log (ours, in the log directory): its
	 * pages are no log text, and reading our own would never end. */
	if (flen >= 16 && memcmp(block, "SQLite format 3", 16) == 0) {
		err_set(&fe, STATUS_INPUT, "%s: an SQLite database, not a log; "
		    "skipped", path);
		ingest_warn(in, &fe);
		rc = 0;
		goto out;
	}
	if (ingest_find_source(in, path, set_path, ri, first, flen, &src,
	    &skip, e) == -1)
		goto out;
	if (skip && !broken && !flush) {
		in->st->skipped++;
		/* a rename is remembered even when nothing is new */
		if (store_begin(in->s, e) == -1 ||
		    ingest_save_source(in, path, set_path, ri, first,
		    flen < INGEST_FP_LEN ? flen : INGEST_FP_LEN, &src, e)
		    == -1 || store_commit(in->s, e) == -1) {
			store_rollback(in->s);
			goto out;
		}
		rc = 0;
		goto out;
	}
	err_clear(&le);
	if (src.layout[0] != '\0' && in->format == NULL &&
	    in->header_regex == NULL)
		lay = layout_by_name(src.layout, &le);
	else if (in->header_regex != NULL)
		lay = layout_from_regex(in->header_regex, &le);
	else if (in->format != NULL && strcmp(in->format, "auto") != 0)
		lay = layout_by_name(in->format, &le);
	if (lay == NULL && le.status != STATUS_OK && src.layout[0] != '\0' &&
	    in->format == NULL && in->header_regex == NULL)
		err_clear(&le);	/* a layout name from an older version:
				 * detect again */
	if (lay == NULL && le.status != STATUS_OK) {
		err_set(e, le.status, "%s", le.msg);
		goto out;
	}
	sp = splitter_new(lay);
	ring_clear(in);
	in->st->files++;
	/* Resume: re-read from the replay point, so the ring holds what it
	 * held when the last run stopped: the context before a finding, and
	 * the record a gap decided after the resume is dated at, whatever
	 * --keep says. */
	replay_to = src.read_bytes;
	if (replay_to == 0)
		stall_new_file(in->sd);	/* a gap before it: maybe a restart */
	pos = src.replay_bytes;
	if (pos > src.read_bytes || pos < 0)
		pos = src.read_bytes;
	splitter_start(sp, pos, pos == src.read_bytes ? src.read_lines + 1 :
	    src.replay_lines);
	if (pos < (int64_t)flen) {
		splitter_feed(sp, block + pos, flen - (size_t)pos);
	} else if (reader_seek(rd, pos, &fe) == -1) {
		if (!(in->flags & INGEST_FOLLOW) || !reader_cut(rd))
			ingest_warn(in, &fe);
		rc = 0;
		goto out;
	}
	if (ingest_drain(in, sp, SPLITTER_MORE, replay_to, path, set_path,
	    ri, first, flen < INGEST_FP_LEN ? flen : INGEST_FP_LEN, &src,
	    &moved, e) == -1)
		goto out;
	while (!broken && !moved) {
		got = reader_read(rd, block, INGEST_BLOCK, &fe);
		if (got < 0) {
			broken = true;
			break;
		}
		if (got == 0)
			break;
		in->st->bytes += got;
		splitter_feed(sp, block, (size_t)got);
		if (ingest_drain(in, sp, SPLITTER_MORE, replay_to, path,
		    set_path, ri, first, flen < INGEST_FP_LEN ? flen :
		    INGEST_FP_LEN, &src, &moved, e) == -1)
			goto out;
	}
	if (moved) {
		err_set(&fe, STATUS_OK, "%s: being ingested by another aiosift "
		    "run; left to it", path);
		ingest_warn(in, &fe);
		rc = 0;
		goto out;
	}
	/* What decoded before a broken part is kept, last line included;
	 * a gzip member still being written is read on later, and so is
	 * the last record of a live file being written. */
	growing = broken && (in->flags & INGEST_FOLLOW) && reader_cut(rd);
	if (growing || (is_live && (in->flags & INGEST_HOLD)))
		at_end = SPLITTER_MORE;
	else
		at_end = (is_live && !ri->gzip && !broken) ? SPLITTER_AT_END :
		    SPLITTER_FLUSH_ALL;
	if (ingest_drain(in, sp, at_end, replay_to, path, set_path, ri,
	    first, flen < INGEST_FP_LEN ? flen : INGEST_FP_LEN, &src, &moved,
	    e) == -1)
		goto out;
	if (!broken && ri->gzip)
		src.complete = true;
	if (splitter_layout(sp) != NULL)
		snprintf(src.layout, sizeof(src.layout), "%s",
		    layout_spec(splitter_layout(sp)));
	if (!in->in_txn && !moved && ingest_batch_begin(in, &src, &moved, e)
	    == -1)
		goto out;
	/* the end of the stream: a gap waiting for the records after it
	 * is decided now (a "took" warning in a later run still absorbs it,
	 * see ingest_store_finding) */
	finding_list_clear(&in->found);
	if (last && (in->flags & INGEST_END) && in->in_txn &&
	    stall_flush(in->sd, &in->found) &&
	    ingest_store_gaps(in, &src, 0, NULL, &flush_id, e) == -1)
		goto out;
	if (ingest_batch_commit(in, path, set_path, ri, first,
	    flen < INGEST_FP_LEN ? flen : INGEST_FP_LEN, &src, e) == -1)
		goto out;
	ingest_notes(in, path);
	ingest_zone_note(in, set_path);
	if (splitter_note(sp, path, &note))
		ingest_warn(in, &note);
	if (broken && !growing)
		ingest_warn(in, &fe);
	rc = 0;
out:
	if (in->in_txn) {
		writer_discard(in->wr);
		store_rollback(in->s);
		in->in_txn = false;
	}
	if (in->o->progress)
		fputs("\r\033[K", stderr);
	splitter_free(sp);
	layout_free(lay);	/* a given layout stays the caller's */
	reader_close(rd);
	free(block);
	free(src.kept_ids);
	return rc;
}

/* ---- the set's name ------------------------------------------------- */

/* The directory part of path with its final slash ("" for a bare name),
 * and the name after it. */
static size_t
path_dir_len(const char *path)
{
	const char	*slash = strrchr(path, '/');

	return slash == NULL ? 0 : (size_t)(slash - path) + 1;
}

/* Whether a and b are names in one directory, by its device and inode:
 * under a bind mount the same directory has two canonical names. */
static bool
path_same_dir(const char *a, const char *b)
{
	struct stat	 sa, sb;
	char		*da, *db;
	bool		 same;

	da = xstrndup(a, path_dir_len(a));
	db = xstrndup(b, path_dir_len(b));
	same = stat(*da ? da : ".", &sa) == 0 && stat(*db ? db : ".", &sb) ==
	    0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	free(da);
	free(db);
	return same;
}

/* path's file name in the directory of set_path, newly allocated. */
static char *
path_rebase(const char *set_path, const char *path)
{
	size_t	 dn = path_dir_len(set_path);
	const char *base = path + path_dir_len(path);
	char	*p = xmalloc(dn + strlen(base) + 1);

	memcpy(p, set_path, dn);
	strcpy(p + dn, base);
	return p;
}

/* The name the database knows a set by. Paths come canonical (see
 * rotation), yet one directory has two canonical names under a bind
 * mount, and an older aiosift stored paths as they were given (relative
 * ones too). So a file of the set already stored in a set of the same
 * file name but another path is looked at: when that path's directory is
 * this one, the set keeps the name it was first read by (*known, the
 * caller's to free); when that path is relative, the stored set takes this
 * canonical name, with its read positions, detector state and incidents.
 * 0, or -1 with *e. */
static int
ingest_known_set(struct ingest *in, const struct rotation_set *rs,
    char **known, struct err *e)
{
	sqlite3_stmt	*st = in->sel_file_sets;
	const char	*base = rs->set_path + path_dir_len(rs->set_path);
	struct stat	 sb;
	char		*old = NULL;
	size_t		 i, renamed = 0;
	int		 rc = SQLITE_DONE;

	*known = NULL;
	if (strcmp(rs->set_path, "-") == 0)
		return 0;
	for (i = 0; i < rs->nfiles && *known == NULL; i++) {
		if (stat(rs->files[i], &sb) == -1 || !S_ISREG(sb.st_mode))
			continue;
		sqlite3_bind_int64(st, 1, (int64_t)sb.st_dev);
		sqlite3_bind_int64(st, 2, (int64_t)sb.st_ino);
		sqlite3_bind_text(st, 3, rs->set_path, -1, SQLITE_STATIC);
		while (old == NULL && *known == NULL &&
		    (rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *sp = (const char *)sqlite3_column_text(st,
			    0);

			if (sp == NULL || strcmp(sp + path_dir_len(sp), base)
			    != 0)
				continue;
			if (sp[0] != '/')
				old = xstrdup(sp);
			else if (path_same_dir(sp, rs->set_path))
				*known = xstrdup(sp);
		}
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (old == NULL && *known == NULL && rc != SQLITE_DONE)
			return store_err(in->s, e, "sets");
		if (old != NULL) {
			rc = store_begin(in->s, e) == -1 ||
			    store_set_rename(in->s, old, rs->set_path, e) ==
			    -1 || store_commit(in->s, e) == -1 ? -1 : 0;
			free(old);
			old = NULL;
			if (rc == -1) {
				store_rollback(in->s);
				return -1;
			}
			if (renamed++ < 8)
				i--;	/* the same file: another old name */
		}
	}
	return 0;
}

/* ---- the run -------------------------------------------------------- */

/* Incidents for findings not yet in one, from the earliest of them on
 * (a killed run leaves some; this run's new findings too). */
static int
ingest_correlate(struct ingest *in, struct err *e)
{
	sqlite3_stmt	*st = NULL;
	int64_t		 since = INT64_MIN;
	int		 rc = -1, has = 0;

	if (sqlite3_prepare_v2(in->db, "SELECT count(*), min(ts_us) FROM "
	    "findings WHERE incident_id IS NULL", -1, &st, NULL) != SQLITE_OK)
		return store_err(in->s, e, "correlate");
	if (sqlite3_step(st) != SQLITE_ROW) {
		store_err(in->s, e, "correlate");
		sqlite3_finalize(st);
		return -1;
	}
	has = sqlite3_column_int(st, 0);
	if (sqlite3_column_type(st, 1) != SQLITE_NULL)
		since = sqlite3_column_int64(st, 1) - in->o->window_us;
	sqlite3_finalize(st);
	if (has == 0)
		return 0;
	if (store_begin(in->s, e) == -1)
		return -1;
	if (correlate_run(in->s, since, in->o->window_us, e) == -1) {
		store_rollback(in->s);
		goto out;
	}
	testhook("correlate");
	if (store_commit(in->s, e) == -1) {
		store_rollback(in->s);
		goto out;
	}
	rc = 0;
out:
	return rc;
}

/* Rules and gap detector for a shortest stall of min_us: the engine
 * compiled for it (once per value), a fresh detector (its state is
 * loaded per set). 0 or -1 with *e. */
static int
ingest_stall_min(struct ingest *in, int64_t min_us, struct err *e)
{
	struct engine_opts	eo;
	struct stall_opts	so;
	size_t			i;

	for (i = 0; i < in->nengines; i++)
		if (in->engine_min_us[i] == min_us)
			break;
	if (i == in->nengines) {
		if (i == INGEST_ENGINES)
			return err_set(e, STATUS_USAGE, "more than %d different "
			    "stall-min settings", INGEST_ENGINES);
		memset(&eo, 0, sizeof(eo));
		eo.rule_files = in->o->rule_files;
		eo.nrule_files = in->o->nrule_files;
		eo.stall_min_s = (double)min_us / 1e6;
		if ((in->engines[i] = engine_new(&eo, e)) == NULL)
			return -1;
		in->engine_min_us[i] = min_us;
		in->nengines++;
	}
	in->en = in->engines[i];
	if (in->sd == NULL || stall_min(in->sd) != min_us) {
		stall_free(in->sd);
		memset(&so, 0, sizeof(so));
		so.min_us = min_us;
		in->sd = stall_new(&so);
	}
	return 0;
}

/* The local zone by a name timestamp_set_zone() takes: $TZ as the run
 * began, else the zone /etc/localtime links to, else UTC when there is
 * none (as the C library does); NULL when it has no such name. */
static char *
ingest_local_zone(const struct ingest *in)
{
	char		 buf[4096];
	const char	*z = NULL, *p;
	ssize_t		 n;
	struct err	 e;

	if (in->had_tz && in->local_tz[0] != '\0') {
		z = in->local_tz[0] == ':' ? in->local_tz + 1 : in->local_tz;
		if ((p = strstr(z, "zoneinfo/")) != NULL)
			z = p + 9;
	} else if ((n = readlink("/etc/localtime", buf, sizeof(buf) - 1)) >
	    0) {
		buf[n] = '\0';
		if ((p = strstr(buf, "zoneinfo/")) != NULL)
			z = p + 9;
	} else if (access("/etc/localtime", F_OK) != 0) {
		z = "UTC";
	}
	if (z == NULL || timestamp_set_zone(z, &e) == -1)
		return NULL;
	return xstrdup(z);
}

/* Back to the local zone of the run's start. */
static void
ingest_zone_local(const struct ingest *in)
{
	if (in->had_tz)
		setenv("TZ", in->local_tz, 1);
	else
		unsetenv("TZ");
	tzset();
	(void)timestamp_set_zone(NULL, NULL);
}

/* The zone of set_path's zone-less times: given (--tz or the
 * configuration's), or the one stored for it, or the local zone; a given
 * zone other than the stored one is refused (the set would mix zones)
 * unless --reread reads it again. 0 or -1 with *e (STATUS_USAGE). */
static int
ingest_zone(struct ingest *in, const char *set_path, const char *given,
    struct err *e)
{
	sqlite3_stmt	*st = in->sel_zone;
	char		*stored = NULL;
	int		 rc;

	sqlite3_bind_text(st, 1, set_path, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		stored = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_err(in->s, e, "zone");
	free(in->zone);
	in->zone = NULL;
	in->zone_noted = false;
	if (given != NULL && stored != NULL && strcmp(given, stored) != 0 &&
	    !in->o->reread) {
		err_set(e, STATUS_USAGE, "%s: its times without a zone were "
		    "read in %s; --tz %s would mix two zones in one log: give "
		    "--tz %s, or --reread to read it again in %s", set_path,
		    stored, given, stored, given);
		free(stored);
		return -1;
	}
	in->zone_stored = given != NULL || stored != NULL;
	if (given != NULL) {
		in->zone = xstrdup(given);
		free(stored);
	} else if (stored != NULL) {
		in->zone = stored;
	} else {
		ingest_zone_local(in);
		in->zone = ingest_local_zone(in);
	}
	if (in->zone == NULL) {
		ingest_zone_local(in);
		return 0;
	}
	return timestamp_set_zone(in->zone, e);
}

/* The settings of the set set_path: the command line's, else those of
 * the configuration's sections that match it. 0 or -1 with *e. */
static int
ingest_settings(struct ingest *in, const char *set_path, struct err *e)
{
	const struct ingest_opts *o = in->o;
	struct config_source	  cs;
	int64_t			  min_us = o->stall_min_us;

	memset(&cs, 0, sizeof(cs));
	if (o->config != NULL)
		config_match(o->config, set_path, &cs);
	if (ingest_zone(in, set_path, o->tz != NULL ? o->tz : cs.tz, e) == -1)
		return -1;
	if (o->config == NULL)
		return 0;
	in->format = o->format;
	in->header_regex = o->header_regex;
	if (o->format == NULL && o->header_regex == NULL) {
		in->format = cs.format;
		in->header_regex = cs.header_regex;
	}
	if (!o->stall_min_set && cs.stall_min_us > 0)
		min_us = cs.stall_min_us;
	return ingest_stall_min(in, min_us, e);
}

struct ingest *
ingest_open(struct store *s, const struct ingest_opts *o,
    struct ingest_stats *st, ingest_warn_fn *warn, void *ctx, struct err *e)
{
	struct ingest		*in = xcalloc(1, sizeof(*in));

	memset(st, 0, sizeof(*st));
	in->s = s;
	in->db = store_db(s);
	in->o = o;
	in->st = st;
	in->warn = warn;
	in->ctx = ctx;
	in->first_new_us = TS_NONE;
	in->had_tz = getenv("TZ") != NULL;
	in->local_tz = xstrdup(in->had_tz ? getenv("TZ") : "");
	/* AIOSIFT_BATCH_RECORDS: smaller transactions, for the kill tests */
	in->batch_max = INGEST_BATCH_RECORDS;
	if (getenv("AIOSIFT_BATCH_RECORDS") != NULL &&
	    atoll(getenv("AIOSIFT_BATCH_RECORDS")) > 0)
		in->batch_max = atoll(getenv("AIOSIFT_BATCH_RECORDS"));
	clock_gettime(CLOCK_MONOTONIC, &in->last_progress);
	in->format = o->format;
	in->header_regex = o->header_regex;
	if (ingest_stall_min(in, o->stall_min_us, e) == -1)
		goto fail;
	if (ingest_prepare(in, e) == -1 ||
	    (in->wr = writer_new(s, e)) == NULL)
		goto fail;
	return in;
fail:
	ingest_close(in);
	return NULL;
}

int
ingest_set(struct ingest *in, const struct rotation_set *rs, int live_fd,
    int flags, struct err *e)
{
	const char	*set_path;
	char		*known, *path, *prev = NULL;
	size_t		 j;
	bool		 live;
	int		 rc = 0;

	in->flags = flags;
	if (ingest_known_set(in, rs, &known, e) == -1)
		return -1;
	set_path = known != NULL ? known : rs->set_path;
	if (ingest_settings(in, set_path, e) == -1) {
		free(known);
		return -1;
	}
	if (in->o->reread)
		stall_reset(in->sd);
	else if (ingest_load_stall(in, set_path, e) == -1) {
		free(known);
		return -1;
	}
	for (j = 0; j < rs->nfiles && rc == 0; j++) {
		path = known != NULL ? path_rebase(known, rs->files[j]) :
		    xstrdup(rs->files[j]);
		in->prev_path = prev;
		live = j + 1 == rs->nfiles && strcmp(path, set_path) == 0 &&
		    strcmp(set_path, "-") != 0;
		rc = ingest_file(in, path, set_path, live ? live_fd : -1,
		    live && !(flags & INGEST_CLOSED), j + 1 == rs->nfiles, e);
		free(prev);
		prev = path;
	}
	in->prev_path = NULL;
	free(prev);
	free(known);
	return rc;
}

int
ingest_finish(struct ingest *in, struct err *e)
{
	return ingest_correlate(in, e);
}

bool
ingest_stall_status(const struct ingest *in, struct stall_status *ss)
{
	return stall_status(in->sd, ss);
}

void
ingest_close(struct ingest *in)
{
	if (in == NULL)
		return;
	if (in->in_txn) {
		writer_discard(in->wr);
		store_rollback(in->s);
	}
	writer_free(in->wr);
	ingest_finalize(in);
	ring_release(in);
	finding_list_release(&in->found);
	stall_free(in->sd);
	while (in->nengines > 0)
		engine_free(in->engines[--in->nengines]);
	free(in->zone);
	free(in->local_tz);
	free(in);
}

int
ingest_run(struct store *s, const struct ingest_opts *o,
    const struct rotation_list *sets, struct ingest_stats *st,
    ingest_warn_fn *warn, void *ctx, struct err *e)
{
	struct ingest	*in;
	size_t		 i;
	int		 rc = -1;

	if ((in = ingest_open(s, o, st, warn, ctx, e)) == NULL)
		return -1;
	for (i = 0; i < sets->nsets; i++)
		if (ingest_set(in, &sets->sets[i], -1, INGEST_END, e) == -1)
			goto out;
	if (ingest_finish(in, e) == -1)
		goto out;
	rc = 0;
out:
	ingest_close(in);
	return rc;
}
