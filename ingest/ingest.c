/*
 * ingest: the pipeline from rotation sets to the database. For each file
 * of a set, oldest first, it recognises the file (source), resumes where
 * the last run stopped, splits the bytes into records, runs the rules and
 * the gap detector over them, keeps what --keep asks for (with the context
 * ring), counts everything per minute (counts), joins a record a rotation
 * cut (stitch), and commits records, findings, counts, detector state and
 * the read position in one transaction per batch. Parsing is the
 * splitter's, matching the engine's, incidents correlate's, SQL the
 * store's; this file only moves data between them.
 */
#include "ingest/ingest.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/finding.h"
#include "common/record.h"
#include "common/testhook.h"
#include "common/xmalloc.h"
#include "ingest/config.h"
#include "ingest/counts.h"
#include "ingest/layout.h"
#include "ingest/reader.h"
#include "ingest/ring.h"
#include "ingest/source.h"
#include "ingest/splitter.h"
#include "ingest/stitch.h"
#include "ingest/timestamp.h"
#include "rules/correlate.h"
#include "rules/engine.h"
#include "rules/stall.h"
#include "store/findings.h"
#include "store/sources.h"
#include "store/store.h"
#include "store/writer.h"

#define INGEST_BLOCK		(1024 * 1024)	/* bytes read at once */
#define INGEST_BATCH_RECORDS	50000	/* records per transaction */
#define INGEST_BATCH_BYTES	(64 * 1024 * 1024)
#define INGEST_ENGINES		8	/* rules compiled per stall-min */

/* Records the ring holds: the context before a finding, and at least
 * the records a gap stall is decided within (it names the record before
 * its gap, STALL_SETTLE_RECORDS back at most). */
#define INGEST_RING_MIN		24

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
	const struct ingest_opts *o;
	struct ingest_stats	*st;
	ingest_warn_fn		*warn;
	void			*ctx;
	struct engine		*en;
	struct stall		*sd;
	struct finding_list	 found;
	struct writer		*wr;		/* records, in a thread */
	struct reader		*ahead;		/* the set's next file, read
						 * ahead (reader.h) */
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
	struct ring		 ring;		/* this file's last records */
	struct counts		 counts;
	int64_t			 first_new_us;	/* earliest new finding */
	/* this file's odd records, for one note each at its end */
	int64_t			 n_cut, cut_line, n_binary, binary_line,
				 n_badtime, badtime_line;
	size_t			 limit_at, cap_at; /* the engine's counts
						    * when it began */
	struct timespec		 last_progress;
};

/* One file of a set being read. */
struct file_read {
	struct store_file	 f;		/* path, set, fingerprint... */
	struct store_source	 src;		/* its row */
	struct reader		*rd;
	struct splitter		*sp;
	struct layout		*lay;
	char			*block;		/* INGEST_BLOCK bytes */
	char			 first[SOURCE_FP_LEN];	/* its fingerprint */
	size_t			 flen;		/* bytes read into it first */
	int64_t			 replay_to;	/* read before: ring only */
	int			 fd;		/* the caller's, or -1 */
	bool			 is_live, last;	/* see ingest_file() */
	bool			 broken;	/* a read failed: fe says */
	bool			 moved;		/* another run reads it */
	struct err		 fe;		/* the file's problem */
};

static void	ingest_warn(struct ingest *, const struct err *);

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

/* Store finding f at *at; ordinal: store_ordinal() of f among the
 * record's findings (0 for a gap stall, the one of its record). A "took
 * N seconds" stall absorbs its gap stall (stall_absorbs_gaps()). */
static int
ingest_store_finding(struct ingest *in, const struct store_place *at,
    const struct finding *f, int64_t ordinal, struct err *e)
{
	int64_t	from_us, to_us;
	int	rc, gone = 0;

	writer_lock(in->wr);
	rc = store_finding_add(in->s, at, f, ordinal, e);
	if (rc == 0 && stall_absorbs_gaps(f, &from_us, &to_us))
		rc = store_gaps_forget(in->s, in->set_path, from_us, to_us,
		    &gone, e);
	writer_unlock(in->wr);
	if (rc == -1)
		return -1;
	in->st->findings += 1 - gone;
	if (f->ts_us != TS_NONE && (in->first_new_us == TS_NONE ||
	    f->ts_us < in->first_new_us))
		in->first_new_us = f->ts_us;
	return 0;
}

/* Count r; a full cache goes to the database first. */
static int
ingest_count(struct ingest *in, int64_t source_id, const struct record *r,
    struct err *e)
{
	int	rc;

	if (counts_add(&in->counts, r))
		return 0;
	writer_lock(in->wr);
	rc = counts_flush(&in->counts, in->s, source_id, e);
	writer_unlock(in->wr);
	if (rc == -1)
		return -1;
	(void)counts_add(&in->counts, r);
	return 0;
}

/* ---- the context ring ----------------------------------------------- */

static size_t
ingest_ring_cap(const struct ingest *in)
{
	if (in->o->keep == KEEP_CONTEXT && in->o->context_n > INGEST_RING_MIN)
		return (size_t)in->o->context_n;
	return INGEST_RING_MIN;
}

/* Store the ring's records not stored yet among the last context_n that
 * lie within the context time before ts_us. */
static int
ingest_store_context(struct ingest *in, int64_t source_id, int64_t ts_us,
    struct err *e)
{
	struct ring	*rg = &in->ring;
	size_t		 i, n = (size_t)in->o->context_n;

	for (i = rg->len > n ? rg->len - n : 0; i < rg->len; i++) {
		struct kept *k = ring_at(rg, i);

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

/* Where a resumed run must re-read from: the oldest record of the ring
 * (so --keep context sees the same records before a finding as one
 * clean run), with the ids of the ring's stored records. */
static void
ingest_mark_replay(struct ring *rg, struct store_source *src)
{
	size_t	i;

	src->nkept_ids = 0;
	for (i = 0; i < rg->len; i++) {
		struct kept *k = ring_at(rg, i);

		if (k->id == 0)
			continue;
		src->kept_ids = xrealloc(src->kept_ids, (src->nkept_ids + 1) *
		    2 * sizeof(int64_t));
		src->kept_ids[2 * src->nkept_ids] = k->rec.offset;
		src->kept_ids[2 * src->nkept_ids + 1] = k->id;
		src->nkept_ids++;
	}
	if (rg->len > 0) {
		struct kept *k = ring_at(rg, 0);

		src->replay_bytes = k->rec.offset;
		src->replay_lines = k->rec.line;
	} else {
		src->replay_bytes = src->read_bytes;
		src->replay_lines = src->read_lines;
	}
}

/* ---- batches -------------------------------------------------------- */

/* Save the file's source row: the zone too when it has zone-less
 * times. */
static int
ingest_save_source(struct ingest *in, const struct file_read *fr,
    struct err *e)
{
	const char	*zone = NULL;

	if (in->zone != NULL && timestamp_zoneless() > in->zoneless_at)
		zone = in->zone;
	return store_source_save(in->s, &fr->f, &fr->src, zone, e);
}

static int
ingest_save_stall(struct ingest *in, const char *set_path, struct err *e)
{
	size_t	 n = 0;
	void	*blob = stall_save(in->sd, &n);
	int	 rc;

	rc = store_stall_put(in->s, set_path, blob, n, e);
	free(blob);
	return rc;
}

/* The set's gap detector state, as the last run left it (none: a fresh
 * one). 0 or -1 with *e. */
static int
ingest_load_stall(struct ingest *in, const char *set_path, struct err *e)
{
	void	*p;
	size_t	 n;

	stall_reset(in->sd);
	if (store_stall_get(in->s, set_path, &p, &n, e) == -1)
		return -1;
	if (p != NULL)
		stall_load(in->sd, p, n);
	free(p);
	return 0;
}

static void
ingest_batch_abort(struct ingest *in)
{
	writer_discard(in->wr);
	store_rollback(in->s);
	in->in_txn = false;
}

/* Open a batch: a write transaction in which the source must still be at
 * the offset this run last saw (another ingest may have moved it: then
 * fr->moved is set and this file is left to that one). */
static int
ingest_batch_begin(struct ingest *in, struct file_read *fr, struct err *e)
{
	int64_t	at;

	fr->moved = false;
	if (store_begin(in->s, e) == -1)
		return -1;
	in->in_txn = true;
	in->batch_records = 0;
	in->batch_bytes = 0;
	/* an error is no other run's progress: it is reported */
	if (store_source_read_bytes(in->s, fr->src.id, &at, e) == -1) {
		store_rollback(in->s);
		in->in_txn = false;
		return -1;
	}
	if (at != fr->src.read_bytes) {
		fr->moved = true;
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

static int
ingest_batch_commit(struct ingest *in, struct file_read *fr, struct err *e)
{
	if (!in->in_txn)
		return 0;
	ingest_mark_replay(&in->ring, &fr->src);
	if (writer_sync(in->wr, e) == -1 ||
	    counts_flush(&in->counts, in->s, fr->src.id, e) == -1 ||
	    ingest_save_stall(in, fr->f.set_path, e) == -1 ||
	    ingest_save_source(in, fr, e) == -1 ||
	    store_commit(in->s, e) == -1) {
		ingest_batch_abort(in);
		return -1;
	}
	in->in_txn = false;
	return 0;
}

/* ---- one record ----------------------------------------------------- */

/* A gap decided at the end of an earlier run, with the records it had
 * then (stall_flush()), is decided again now that those after it are in:
 * the earlier finding goes (and its incident comes apart), so that two
 * runs leave what one leaves. 0 or -1 with *e. */
static int
ingest_replace_gap(struct ingest *in, const struct finding *f, struct err *e)
{
	bool	gone;
	int	rc;

	if (f->ts_us == TS_NONE || f->duration_us < 0)
		return 0;
	writer_lock(in->wr);
	rc = store_gap_forget(in->s, in->set_path, f->ts_us, f->duration_us,
	    &gone, e);
	writer_unlock(in->wr);
	if (rc == 0 && gone)
		in->st->findings--;
	return rc;
}

/* The record gap stall f is stored with: the one before its gap (its
 * start), else (it was in an earlier file of the set) the one that ended
 * the gap, else with no record r to fall back on the ring's newest; NULL
 * when none is in the ring. */
static struct kept *
ingest_gap_record(struct ingest *in, const struct finding *f,
    const struct record *r)
{
	struct kept	*k = ring_find_time(&in->ring, f->ts_us);

	if (k == NULL && f->ts_us != TS_NONE && f->duration_us > 0)
		k = ring_find_time(&in->ring, f->ts_us + f->duration_us);
	if (k == NULL && r == NULL && in->ring.len > 0)
		k = ring_at(&in->ring, in->ring.len - 1);
	return k;
}

/* Store the findings from index first on of in->found, gap stalls, each
 * with its record (ingest_gap_record(), stored now if it was not), or
 * with r (stored now if needed, *id) when that record is gone too. */
static int
ingest_store_gaps(struct ingest *in, int64_t source_id, size_t first,
    const struct record *r, int64_t *id, struct err *e)
{
	struct finding_list	*fl = &in->found;
	struct store_place	 at;
	struct kept		*k;
	size_t			 i;

	at.source_id = source_id;
	for (i = first; i < fl->n; i++) {
		if (ingest_replace_gap(in, &fl->v[i], e) == -1)
			return -1;
		if ((k = ingest_gap_record(in, &fl->v[i], r)) != NULL) {
			if (k->id == 0 && ingest_store_record(in, source_id,
			    &k->rec, &k->id, e) == -1)
				return -1;
			at.record_id = k->id;
			at.r = &k->rec;
		} else if (r != NULL) {
			if (*id == 0 && ingest_store_record(in, source_id, r,
			    id, e) == -1)
				return -1;
			at.record_id = *id;
			at.r = r;
		} else
			continue;
		if (ingest_store_finding(in, &at, &fl->v[i], 0, e) == -1)
			return -1;
	}
	return 0;
}

static bool
ingest_in_keep_after(const struct store_source *src, const struct record *r)
{
	if (src->keep_n <= 0)
		return false;
	if (r->ts_us == TS_NONE || src->keep_until_us == TS_NONE)
		return true;
	return r->ts_us <= src->keep_until_us;
}

/* *store: whether --keep stores r, which has nrule findings of the
 * rules and in->found.n in all; the context before a finding is stored
 * now. 0 or -1 with *e. */
static int
ingest_keep(struct ingest *in, struct store_source *src,
    const struct record *r, size_t nrule, bool *store, struct err *e)
{
	size_t	nfound = in->found.n;

	switch (in->o->keep) {
	case KEEP_ALL:
		*store = true;
		return 0;
	case KEEP_FINDINGS:
		*store = nrule > 0;
		return 0;
	default:
		break;
	}
	*store = nfound > 0 || ingest_in_keep_after(src, r);
	if (nfound > 0) {
		if (ingest_store_context(in, src->id, r->ts_us, e) == -1)
			return -1;
		src->keep_n = in->o->context_n;
		src->keep_until_us = r->ts_us == TS_NONE ? TS_NONE :
		    r->ts_us + in->o->context_us;
	} else if (*store)
		src->keep_n--;
	return 0;
}

static void
ingest_source_times(struct store_source *src, const struct record *r)
{
	src->records++;
	if (r->ts_us == TS_NONE)
		return;
	if (src->first_us == TS_NONE || r->ts_us < src->first_us)
		src->first_us = r->ts_us;
	if (src->last_us == TS_NONE || r->ts_us > src->last_us)
		src->last_us = r->ts_us;
}

static int
ingest_record(struct ingest *in, struct store_source *src,
    const struct record *r, struct err *e)
{
	struct finding_list	*fl = &in->found;
	struct store_place	 at;
	size_t			 nrule, i;
	int64_t			 id = 0;
	bool			 store;

	finding_list_clear(fl);
	nrule = engine_scan(in->en, r, fl);
	if (r->ts_us != TS_NONE)
		stall_feed(in->sd, r, fl->v, nrule, fl);
	if (ingest_count(in, src->id, r, e) == -1)
		return -1;
	ingest_source_times(src, r);
	if (ingest_keep(in, src, r, nrule, &store, e) == -1)
		return -1;
	if (store && ingest_store_record(in, src->id, r, &id, e) == -1)
		return -1;
	at.source_id = src->id;
	at.record_id = id;
	at.r = r;
	for (i = 0; i < nrule; i++)
		if (ingest_store_finding(in, &at, &fl->v[i],
		    store_ordinal(fl->v, i), e) == -1)
			return -1;
	/* gap stalls, decided a few records after the gap */
	if (ingest_store_gaps(in, src->id, nrule, r, &id, e) == -1)
		return -1;
	ring_push(&in->ring, r, id, ingest_ring_cap(in));
	return 0;
}

/* ---- a record a rotation cut --------------------------------------- */

/* c, the file's first record, has no header of its own: joined to the
 * set's previous file's last record when that can be (stitch.h), whose
 * findings are then made again from the whole record. *joined: c is no
 * record of its own. */
static int
ingest_stitch(struct ingest *in, const struct record *c, bool *joined,
    struct err *e)
{
	struct stitch		 j;
	struct store_place	 at;
	size_t			 i, nrule;
	int			 rc;

	writer_lock(in->wr);
	rc = stitch_join(in->s, in->prev_path, in->set_path, c, &j, e);
	writer_unlock(in->wr);
	*joined = rc == 0 && j.how != STITCH_NONE;
	if (rc == 0 && j.how == STITCH_JOINED) {
		in->st->findings -= j.gone;
		if (j.rec.r.flags & RECORD_TRUNCATED && in->n_cut++ == 0)
			in->cut_line = c->line;
		at.source_id = j.rec.source_id;
		at.record_id = j.rec.id;
		at.r = &j.rec.r;
		finding_list_clear(&in->found);
		nrule = engine_scan(in->en, at.r, &in->found);
		for (i = 0; i < nrule && rc == 0; i++)
			rc = ingest_store_finding(in, &at, &in->found.v[i],
			    store_ordinal(in->found.v, i), e);
	}
	store_record_release(&j.rec);
	return rc;
}

/* ---- one file ------------------------------------------------------- */

static void
ingest_progress(struct ingest *in, const char *path, int64_t done)
{
	struct timespec	now;
	double		dt;

	if (in->o->progress == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	dt = (double)(now.tv_sec - in->last_progress.tv_sec) +
	    (double)(now.tv_nsec - in->last_progress.tv_nsec) / 1e9;
	if (dt < 0.5)
		return;
	in->last_progress = now;
	in->o->progress(in->ctx, path, done, in->st->records);
}

/* Tally r's odd flags for the file's notes. */
static void
ingest_odd(struct ingest *in, const struct record *r)
{
	if (r->flags & RECORD_TRUNCATED && in->n_cut++ == 0)
		in->cut_line = r->line;
	if (r->flags & (RECORD_NUL | RECORD_BAD_UTF8) && in->n_binary++ == 0)
		in->binary_line = r->line;
	if (r->flags & RECORD_BAD_TIME && in->n_badtime++ == 0)
		in->badtime_line = r->line;
}

/* One new record of the file: stitched or stored, counted in the batch,
 * which is committed when large. */
static int
ingest_new_record(struct ingest *in, struct file_read *fr,
    const struct record *r, struct err *e)
{
	bool	joined = false;

	if (r->offset == 0 && r->flags & RECORD_NO_HEADER &&
	    in->prev_path != NULL && ingest_stitch(in, r, &joined, e) == -1)
		return -1;
	if (!joined && ingest_record(in, &fr->src, r, e) == -1)
		return -1;
	ingest_odd(in, r);
	if (!joined)
		in->st->records++;
	in->batch_records++;
	in->batch_bytes += r->end - r->offset;
	fr->src.read_bytes = r->end;
	fr->src.read_lines = r->line + r->nlines - 1;
	if (in->batch_records >= in->batch_max ||
	    in->batch_bytes >= INGEST_BATCH_BYTES) {
		if (ingest_batch_commit(in, fr, e) == -1)
			return -1;
		ingest_progress(in, fr->f.path, fr->src.read_bytes);
	}
	return 0;
}

/* Drain the splitter (at_end: splitter_next()'s); stops when another run
 * took the file (fr->moved). */
static int
ingest_drain(struct ingest *in, struct file_read *fr, int at_end,
    struct err *e)
{
	const struct record	*r;

	while (!fr->moved && (r = splitter_next(fr->sp, at_end)) != NULL) {
		if (r->offset < fr->replay_to) {
			/* read before: only rebuilds the ring, with the ids
			 * of the records the last run stored */
			ring_push(&in->ring, r, source_stored_id(&fr->src, r),
			    ingest_ring_cap(in));
			continue;
		}
		if (!in->in_txn && ingest_batch_begin(in, fr, e) == -1)
			return -1;
		if (fr->moved)
			break;
		if (ingest_new_record(in, fr, r, e) == -1)
			return -1;
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

/* Notes on the rules' caps this file reached: matches given up at the
 * PCRE2 limits (the rule skipped for that record), messages rewritten in
 * their first part only (engine_cap_hits). */
static void
ingest_engine_notes(struct ingest *in, const char *path)
{
	struct err	 fe;
	const char	*first;
	size_t		 n;

	if (in->en == NULL)
		return;
	if ((n = engine_limit_hits(in->en, &first) - in->limit_at) > 0) {
		err_set(&fe, STATUS_OK, "%s: %zu match%s hit the PCRE2 limits "
		    "(the rule skipped for that record); the run's first: %s",
		    path, n, n == 1 ? "" : "es", first);
		ingest_warn(in, &fe);
	}
	if ((n = engine_cap_hits(in->en, &first) - in->cap_at) > 0) {
		err_set(&fe, STATUS_OK, "%s: %zu record%s longer than the "
		    "rules rewrite; the run's first: %s", path, n, n == 1 ?
		    "" : "s", first);
		ingest_warn(in, &fe);
	}
}

/* Notes on what was stored other than as written: cut records, binary
 * bytes; the rules' caps. */
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
	ingest_engine_notes(in, path);
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

/* Open the file and read its first bytes, the fingerprint; nothing more
 * is read before the file is known. 1 to go on; 0 when there is nothing
 * to read (unchanged, empty, gone, not a log: noted) or -1 with *e. */
static int
ingest_file_open(struct ingest *in, struct file_read *fr, bool flush,
    struct err *e)
{
	const struct reader_info *ri;
	ssize_t			  got = 0;
	bool			  same = false;

	if (!flush && !in->o->reread && source_unchanged(in->s, fr->f.path,
	    fr->fd, &same, e) == -1)
		return -1;
	if (same) {
		in->st->skipped++;
		return 0;
	}
	if ((fr->rd = fr->fd == -1 ? reader_take_ahead(&in->ahead, fr->f.path,
	    &fr->fe) : reader_open_fd(fr->f.path, fr->fd, &fr->fe)) == NULL) {
		/* followed files come and go: one renamed or deleted since
		 * it was listed is read under its new name, or was read */
		if (!(in->flags & INGEST_FOLLOW) || access(fr->f.path, F_OK) ==
		    0)
			ingest_warn(in, &fr->fe);
		return 0;
	}
	ri = reader_info(fr->rd);
	fr->f.gzip = ri->gzip;
	fr->f.size = ri->size;
	fr->f.dev = (int64_t)ri->dev;
	fr->f.ino = (int64_t)ri->ino;
	fr->f.mtime_us = ri->mtime_us;
	fr->block = xmalloc(INGEST_BLOCK);
	while (fr->flen < SOURCE_FP_LEN) {
		got = reader_read(fr->rd, fr->block + fr->flen, SOURCE_FP_LEN -
		    fr->flen, &fr->fe);
		if (got <= 0)
			break;
		fr->flen += (size_t)got;
	}
	fr->broken = got < 0;
	in->st->bytes += (int64_t)fr->flen;
	memcpy(fr->first, fr->block, fr->flen);
	fr->f.fp = fr->first;
	fr->f.fplen = fr->flen;
	if (fr->flen == 0 && !fr->broken) {
		in->st->skipped++;	/* empty: nothing to know it by yet */
		return 0;
	}
	/* A database named like a log (ours, in the log directory): its
	 * pages are no log text, and reading our own would never end. */
	if (fr->flen >= 16 && memcmp(fr->block, "SQLite format 3", 16) == 0) {
		err_set(&fr->fe, STATUS_INPUT, "%s: an SQLite database, not a "
		    "log; skipped", fr->f.path);
		ingest_warn(in, &fr->fe);
		return 0;
	}
	return 1;
}

/* The source the file continues (or a new one). 1 to read it; 0 when
 * nothing is new (a rename is remembered even then), or -1 with *e. */
static int
ingest_file_source(struct ingest *in, struct file_read *fr, bool flush,
    struct err *e)
{
	bool	skip;

	if (source_find(in->s, &fr->f, in->o->reread, &fr->src, &skip, e) ==
	    -1)
		return -1;
	if (!skip || fr->broken || flush)
		return 1;
	in->st->skipped++;
	if (store_begin(in->s, e) == -1 || ingest_save_source(in, fr, e) ==
	    -1 || store_commit(in->s, e) == -1) {
		store_rollback(in->s);
		return -1;
	}
	return 0;
}

/* The file's layout: the one stored for it unless --format or a header
 * regex says, and a splitter with it. 0 or -1 with *e. */
static int
ingest_file_layout(struct ingest *in, struct file_read *fr, struct err *e)
{
	const char	*stored = fr->src.layout;
	bool		 given = in->format != NULL || in->header_regex != NULL;
	struct err	 le;

	err_clear(&le);
	if (stored != NULL && !given)
		fr->lay = layout_by_name(stored, &le);
	else if (in->header_regex != NULL)
		fr->lay = layout_from_regex(in->header_regex, &le);
	else if (in->format != NULL && strcmp(in->format, "auto") != 0)
		fr->lay = layout_by_name(in->format, &le);
	if (fr->lay == NULL && le.status != STATUS_OK && stored != NULL &&
	    !given)
		err_clear(&le);	/* a layout name from an older version:
				 * detect again */
	if (fr->lay == NULL && le.status != STATUS_OK)
		return err_set(e, le.status, "%s", le.msg);
	fr->sp = splitter_new(fr->lay);
	return 0;
}

/* Read the file from where the last run stopped to its end for now.
 * Resuming re-reads from the replay point, so the ring holds what it
 * held when the last run stopped: the context before a finding, and the
 * record a gap decided after the resume is dated at, whatever --keep
 * says. 1 to end the file, 0 when it is left (to another run, or for
 * later: noted), -1 with *e. */
static int
ingest_file_read(struct ingest *in, struct file_read *fr, struct err *e)
{
	struct store_source	*src = &fr->src;
	int64_t			 pos;
	ssize_t			 got;

	ring_clear(&in->ring);
	in->st->files++;
	fr->replay_to = src->read_bytes;
	if (fr->replay_to == 0)
		stall_new_file(in->sd);	/* a gap before it: maybe a restart */
	pos = src->replay_bytes;
	if (pos > src->read_bytes || pos < 0)
		pos = src->read_bytes;
	splitter_start(fr->sp, pos, pos == src->read_bytes ?
	    src->read_lines + 1 : src->replay_lines);
	if (pos < (int64_t)fr->flen) {
		splitter_feed(fr->sp, fr->block + pos, fr->flen - (size_t)pos);
	} else if (reader_seek(fr->rd, pos, &fr->fe) == -1) {
		if (!(in->flags & INGEST_FOLLOW) || !reader_cut(fr->rd))
			ingest_warn(in, &fr->fe);
		return 0;
	}
	if (ingest_drain(in, fr, SPLITTER_MORE, e) == -1)
		return -1;
	while (!fr->broken && !fr->moved) {
		got = reader_read(fr->rd, fr->block, INGEST_BLOCK, &fr->fe);
		fr->broken = got < 0;
		if (got <= 0)
			break;
		in->st->bytes += got;
		splitter_feed(fr->sp, fr->block, (size_t)got);
		if (ingest_drain(in, fr, SPLITTER_MORE, e) == -1)
			return -1;
	}
	if (fr->moved) {
		err_set(&fr->fe, STATUS_OK, "%s: being ingested by another "
		    "aiosift run; left to it", fr->f.path);
		ingest_warn(in, &fr->fe);
		return 0;
	}
	return 1;
}

/* The end of the file for now: its last record (what decoded before a
 * broken part is kept, last line included; a gzip member still being
 * written is read on later, and so is the last record of a live file
 * being written), a gap stall still waiting decided at the end of the
 * set, the last commit and the file's notes. 0 or -1 with *e. */
static int
ingest_file_end(struct ingest *in, struct file_read *fr, struct err *e)
{
	struct err	note;
	int64_t		flush_id = 0;
	bool		growing;
	int		at_end;

	growing = fr->broken && (in->flags & INGEST_FOLLOW) &&
	    reader_cut(fr->rd);
	if (growing || (fr->is_live && (in->flags & INGEST_HOLD)))
		at_end = SPLITTER_MORE;
	else
		at_end = (fr->is_live && !fr->f.gzip && !fr->broken) ?
		    SPLITTER_AT_END : SPLITTER_FLUSH_ALL;
	if (ingest_drain(in, fr, at_end, e) == -1)
		return -1;
	if (!fr->broken && fr->f.gzip)
		fr->src.complete = true;
	if (splitter_layout(fr->sp) != NULL) {
		free(fr->src.layout);
		fr->src.layout = xstrdup(layout_spec(splitter_layout(fr->sp)));
	}
	if (!in->in_txn && !fr->moved && ingest_batch_begin(in, fr, e) == -1)
		return -1;
	/* the end of the stream: a gap waiting for the records after it
	 * is decided now (a "took" warning in a later run still absorbs it,
	 * see ingest_store_finding) */
	finding_list_clear(&in->found);
	if (fr->last && (in->flags & INGEST_END) && in->in_txn &&
	    stall_flush(in->sd, &in->found) &&
	    ingest_store_gaps(in, fr->src.id, 0, NULL, &flush_id, e) == -1)
		return -1;
	if (ingest_batch_commit(in, fr, e) == -1)
		return -1;
	ingest_notes(in, fr->f.path);
	ingest_zone_note(in, fr->f.set_path);
	if (splitter_note(fr->sp, fr->f.path, &note))
		ingest_warn(in, &note);
	if (fr->broken && !growing)
		ingest_warn(in, &fr->fe);
	return 0;
}

/* Ingest one file of a set: fr as ingest_set() made it (path, set,
 * fd, is_live, last). A per-file problem is warned and 0 returned; -1
 * only for database errors. */
static int
ingest_file(struct ingest *in, struct file_read *fr, struct err *e)
{
	bool	flush;
	int	rc;

	in->n_cut = in->n_binary = in->n_badtime = 0;
	if (in->en != NULL) {
		in->limit_at = engine_limit_hits(in->en, NULL);
		in->cap_at = engine_cap_hits(in->en, NULL);
	}
	in->set_path = fr->f.set_path;
	in->zoneless_at = timestamp_zoneless();
	/* a gap waiting for its decision is decided at the end, even when
	 * the file it is in has nothing new */
	flush = fr->last && (in->flags & INGEST_END) && stall_pending(in->sd);
	if ((rc = ingest_file_open(in, fr, flush, e)) == 1 &&
	    (rc = ingest_file_source(in, fr, flush, e)) == 1 &&
	    (rc = ingest_file_layout(in, fr, e)) == 0 &&
	    (rc = ingest_file_read(in, fr, e)) == 1)
		rc = ingest_file_end(in, fr, e);
	if (in->in_txn)
		ingest_batch_abort(in);
	in->st->names_cut = in->counts.cut;
	in->st->context_dropped = in->ring.capped;
	if (in->o->progress != NULL)
		in->o->progress(in->ctx, NULL, 0, 0);
	splitter_free(fr->sp);
	layout_free(fr->lay);	/* a given layout stays the caller's */
	reader_close(fr->rd);
	free(fr->block);
	store_source_reset(&fr->src);
	return rc == -1 ? -1 : 0;
}

/* ---- the run -------------------------------------------------------- */

/* Incidents for findings not yet in one, from the earliest of them on
 * (a killed run leaves some; this run's new findings too). */
static int
ingest_correlate(struct ingest *in, struct err *e)
{
	int64_t	n, since;

	if (store_findings_loose(in->s, &n, &since, e) == -1)
		return -1;
	if (n == 0)
		return 0;
	if (since != INT64_MIN)
		since -= in->o->window_us;
	if (store_begin(in->s, e) == -1)
		return -1;
	if (correlate_run(in->s, since, in->o->window_us, e) == -1) {
		store_rollback(in->s);
		return -1;
	}
	testhook("correlate");
	if (store_commit(in->s, e) == -1) {
		store_rollback(in->s);
		return -1;
	}
	return 0;
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
	char	*stored;

	if (store_set_zone(in->s, set_path, &stored, e) == -1)
		return -1;
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
	if ((in->wr = writer_new(s, e)) == NULL)
		goto fail;
	return in;
fail:
	ingest_close(in);
	return NULL;
}

/* The set's file k opened ahead, a gzip one inflating in its thread
 * while the file before it is read, or NULL: not the live file (it may
 * grow), nor in watch mode, nor a file unchanged since it was read (it is
 * not even opened). Whatever it meets is met again, and said, when the
 * file is taken (reader_take_ahead). */
static struct reader *
ingest_read_ahead(struct ingest *in, const struct rotation_set *rs,
    const char *known, const char *set_path, size_t k)
{
	struct reader	*r = NULL;
	struct err	 e;
	char		*path;
	bool		 same = false;

	if (k >= rs->nfiles || (in->flags & INGEST_FOLLOW))
		return NULL;
	path = known != NULL ? source_rebase(known, rs->files[k]) :
	    xstrdup(rs->files[k]);
	if ((k + 1 < rs->nfiles || strcmp(path, set_path) != 0) &&
	    (in->o->reread || (source_unchanged(in->s, path, -1, &same,
	    &e) == 0 && !same)))
		r = reader_open_ahead(path);
	free(path);
	return r;
}

int
ingest_set(struct ingest *in, const struct rotation_set *rs, int live_fd,
    int flags, struct err *e)
{
	struct file_read	 fr;
	const char		*set_path;
	char			*known, *path, *prev = NULL;
	struct reader		*next = NULL;
	size_t			 j;
	bool			 live;
	int			 rc = 0;

	in->flags = flags;
	if (source_known_set(in->s, rs, &known, e) == -1)
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
		path = known != NULL ? source_rebase(known, rs->files[j]) :
		    xstrdup(rs->files[j]);
		in->prev_path = prev;
		live = j + 1 == rs->nfiles && strcmp(path, set_path) == 0 &&
		    strcmp(set_path, "-") != 0;
		memset(&fr, 0, sizeof(fr));
		store_source_reset(&fr.src);
		fr.f.path = path;
		fr.f.set_path = set_path;
		/* the set's newest plain file, whose unterminated last line
		 * waits for the next run; the last, with which a gap stall
		 * still waiting is decided (INGEST_END) */
		fr.fd = live ? live_fd : -1;
		fr.is_live = live && !(flags & INGEST_CLOSED);
		fr.last = j + 1 == rs->nfiles;
		/* this file's reader, when it was opened ahead, and the
		 * next one's from now on */
		in->ahead = next;
		next = ingest_read_ahead(in, rs, known, set_path, j + 1);
		rc = ingest_file(in, &fr, e);
		reader_close(in->ahead);	/* not taken: thread joined */
		in->ahead = NULL;
		free(prev);
		prev = path;
	}
	reader_close(next);
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
	if (in->in_txn)
		ingest_batch_abort(in);
	writer_free(in->wr);
	reader_close(in->ahead);
	ring_release(&in->ring);
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
