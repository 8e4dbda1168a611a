/*
 * stall: the gap detector. Watches the times of one rotation set's
 * records and flags a gap much longer than the set's usual cadence: once
 * STALL_MIN_HISTORY gaps are known, a gap longer than both the floor
 * (--stall-min) and STALL_FACTOR times the 95th percentile of the last
 * STALL_WINDOW gaps (or STALL_MAX_FACTOR times the longest of them, when
 * that is less: a steady heartbeat) is a stall, dated at the record
 * before it and
 * attributed to that record's task and coroutine (its taskName, else a
 * name='...' or coro=<...()> in its text). The percentile is computed only
 * for gaps above the floor, so the common path is a few stores.
 *
 * A gap is decided once the records logged as the loop resumes are in
 * (STALL_SETTLE_US after its end, at most STALL_SETTLE_RECORDS records):
 * so it is appended to the findings of a later record than the one that
 * ends it. Not flagged: gaps that a debug-mode "took N seconds" finding
 * among those records explains (it is the better finding: it names the
 * culprit), gaps across a process restart (the pid changes)
 * or ending at a startup banner, and records with inferred times. The
 * caller resets the detector for each rotation set; the files of one set
 * are one stream, so a file boundary is no reset.
 */
#include "rules/stall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/severity.h"
#include "common/xmalloc.h"

#define STALL_WINDOW		128	/* gaps kept */
#define STALL_MIN_HISTORY	20	/* gaps needed before judging */
#define STALL_FACTOR		4	/* times the 95th percentile */
#define STALL_MAX_FACTOR	2	/* or times the longest, if less */
#define STALL_NAME_CAP		128	/* bytes kept of a task or coro name */
#define STALL_MAGIC		0x4c545341u	/* "ASTL" */
#define STALL_VERSION		2
#define STALL_SETTLE_US		100000	/* how long after a gap a "took" */
#define STALL_SETTLE_RECORDS	16	/* may still come, and in how many */

/* The part of the detector that is saved between runs: plain integers
 * and bytes, written in the host's byte order (a database moves between
 * hosts of one byte order; a blob that fails to load is a fresh start). */
struct stall_state {
	uint32_t	magic;
	uint32_t	version;
	int64_t		gaps[STALL_WINDOW];
	uint32_t	ngaps;		/* valid entries, at most WINDOW */
	uint32_t	head;		/* where the next gap goes */
	int64_t		last_us;	/* time of the last record, or TS_NONE */
	int64_t		last_pid;
	char		last_task[STALL_NAME_CAP];
	char		last_coro[STALL_NAME_CAP];
	/* a gap found, waiting for a "took" line that explains it */
	uint32_t	pending;
	uint32_t	pend_records;	/* records seen since */
	int64_t		pend_start_us, pend_end_us, pend_gap_us, pend_p95_us;
	char		pend_task[STALL_NAME_CAP];
	char		pend_coro[STALL_NAME_CAP];
};

struct stall {
	int64_t			min_us;
	struct stall_state	st;
};

struct stall *
stall_new(const struct stall_opts *o)
{
	struct stall	*sd = xcalloc(1, sizeof(*sd));

	sd->min_us = o != NULL && o->min_us > 0 ? o->min_us : 500000;
	stall_reset(sd);
	return sd;
}

void
stall_free(struct stall *sd)
{
	free(sd);
}

int64_t
stall_min(const struct stall *sd)
{
	return sd->min_us;
}

void
stall_reset(struct stall *sd)
{
	memset(&sd->st, 0, sizeof(sd->st));
	sd->st.magic = STALL_MAGIC;
	sd->st.version = STALL_VERSION;
	sd->st.last_us = TS_NONE;
	sd->st.last_pid = -1;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The 95th percentile of the gaps in the window. */
static int64_t
stall_p95(const struct stall *sd, int64_t *max)
{
	int64_t		v[STALL_WINDOW];
	uint32_t	n = sd->st.ngaps;

	memcpy(v, sd->st.gaps, n * sizeof(v[0]));
	qsort(v, n, sizeof(v[0]), cmp_i64);
	*max = v[n - 1];
	return v[(n - 1) * 95 / 100];
}

static void
stall_push(struct stall *sd, int64_t gap)
{
	sd->st.gaps[sd->st.head] = gap;
	sd->st.head = (sd->st.head + 1) % STALL_WINDOW;
	if (sd->st.ngaps < STALL_WINDOW)
		sd->st.ngaps++;
}

/* The first lit in s[0..n), or NULL (memmem() is a GNU extension on
 * glibc). */
static const char *
stall_find(const char *s, size_t n, const char *lit)
{
	size_t		 k = strlen(lit);
	const char	*p = s, *end = s + n;

	while (k > 0 && (size_t)(end - p) >= k &&
	    (p = memchr(p, lit[0], (size_t)(end - p) - k + 1)) != NULL) {
		if (memcmp(p, lit, k) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* Copy the quoted value after key (name=' or name=") in s[0..n) into out,
 * for attribution. */
static bool
stall_find_name(const char *s, size_t n, char out[STALL_NAME_CAP])
{
	const char	*p = stall_find(s, n, "name="), *end;
	char		 q;
	size_t		 len;

	if (p == NULL || (size_t)(p - s) + 6 >= n)
		return false;
	q = p[5];
	if (q != '\'' && q != '"')
		return false;
	p += 6;
	end = memchr(p, q, n - (size_t)(p - s));
	if (end == NULL)
		return false;
	len = (size_t)(end - p);
	if (len == 0 || len >= STALL_NAME_CAP || memchr(p, '\n', len))
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

/* The qualname in coro=<QUALNAME() ...> of s[0..n) into out. */
static bool
stall_find_coro(const char *s, size_t n, char out[STALL_NAME_CAP])
{
	const char	*p = stall_find(s, n, "coro=<"), *end;
	size_t		 len;

	if (p == NULL)
		return false;
	p += 6;
	end = stall_find(p, n - (size_t)(p - s), "()");
	if (end == NULL)
		return false;
	len = (size_t)(end - p);
	if (len == 0 || len >= STALL_NAME_CAP || memchr(p, ' ', len) ||
	    memchr(p, '\n', len))
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

/* A record that opens a run of the program: a gap before it is a
 * restart, not a stall. */
static bool
stall_is_banner(const struct record *rec)
{
	struct span	m = rec->message.n > 0 ? rec->message : rec->text;
	static const char *const words[] = {
		"starting ", "started ", "startup", "booting ",
		"Using selector: ", NULL
	};
	size_t		i, k;

	for (k = 0; words[k] != NULL; k++) {
		i = strlen(words[k]);
		if (m.n >= i && strncasecmp(m.p, words[k], i) == 0)
			return true;
	}
	return false;
}

/* Remember rec as the record before the next gap. */
static void
stall_remember(struct stall *sd, const struct record *rec)
{
	struct span	m = rec->message.n > 0 ? rec->message : rec->text;
	size_t		n;

	sd->st.last_us = rec->ts_us;
	sd->st.last_pid = rec->pid;
	sd->st.last_task[0] = sd->st.last_coro[0] = '\0';
	if (rec->task.n > 0 && rec->task.n < STALL_NAME_CAP) {
		memcpy(sd->st.last_task, rec->task.p, rec->task.n);
		sd->st.last_task[rec->task.n] = '\0';
	} else if (m.p != NULL) {
		/* the first line only: a traceback names other tasks */
		const char *nl = memchr(m.p, '\n', m.n);

		n = nl ? (size_t)(nl - m.p) : m.n;
		(void)stall_find_name(m.p, n, sd->st.last_task);
	}
	if (m.p != NULL) {
		const char *nl = memchr(m.p, '\n', m.n);

		n = nl ? (size_t)(nl - m.p) : m.n;
		(void)stall_find_coro(m.p, n, sd->st.last_coro);
	}
}

/* The longest "took N seconds" among the record's findings, or -1. */
static int64_t
stall_took_us(const struct finding *found, size_t nfound)
{
	int64_t	best = -1;
	size_t	i;

	for (i = 0; i < nfound; i++)
		if (found[i].duration_us > best && found[i].kind != NULL &&
		    (strcmp(found[i].kind, "stall") == 0 ||
		    strcmp(found[i].kind, "slow_callback") == 0))
			best = found[i].duration_us;
	return best;
}

/* Append the pending gap to out as a stall finding. */
static void
stall_emit(struct stall *sd, struct finding_list *out)
{
	struct finding	*f = finding_add(out);
	char		 msg[160];

	f->kind = "stall";
	f->rule = "stall.gap";
	f->severity = SEV_WARNING;
	f->ts_us = sd->st.pend_start_us;
	f->duration_us = sd->st.pend_gap_us;
	if (sd->st.pend_task[0] != '\0')
		f->task = xstrdup(sd->st.pend_task);
	if (sd->st.pend_coro[0] != '\0')
		f->coro = xstrdup(sd->st.pend_coro);
	snprintf(msg, sizeof(msg), "no log records for %.3f s (usual gap "
	    "%.3f s): the event loop or the process was blocked",
	    (double)sd->st.pend_gap_us / 1e6, (double)sd->st.pend_p95_us / 1e6);
	f->message = xstrdup(msg);
	sd->st.pending = 0;
}

bool
stall_feed(struct stall *sd, const struct record *rec,
    const struct finding *found, size_t nfound, struct finding_list *out)
{
	int64_t		 gap, p95, max, limit, took;
	bool		 restart, flagged = false;

	if (rec->ts_us == TS_NONE || (rec->flags & RECORD_TS_INFERRED))
		return false;
	/* found may point into out: read it before appending */
	took = stall_took_us(found, nfound);
	/* A gap waits for the records logged as the loop resumes: the slow
	 * step's own lines come first, its "took" line may follow. */
	if (sd->st.pending) {
		if (took >= 0 && took * 2 >= sd->st.pend_gap_us)
			sd->st.pending = 0;
		else if (rec->ts_us > sd->st.pend_end_us + STALL_SETTLE_US ||
		    rec->ts_us < sd->st.pend_end_us ||
		    ++sd->st.pend_records > STALL_SETTLE_RECORDS) {
			stall_emit(sd, out);
			flagged = true;
		}
	}
	if (sd->st.last_us == TS_NONE) {
		stall_remember(sd, rec);
		return flagged;
	}
	gap = rec->ts_us - sd->st.last_us;
	/* a banner only matters before a gap long enough to judge */
	restart = (rec->pid >= 0 && sd->st.last_pid >= 0 &&
	    rec->pid != sd->st.last_pid) || (gap > sd->min_us &&
	    stall_is_banner(rec));
	if (gap < 0 || restart) {
		/* out of order, or a new process: no gap to judge */
		stall_remember(sd, rec);
		return flagged;
	}
	if (gap > sd->min_us && sd->st.ngaps >= STALL_MIN_HISTORY &&
	    !(took >= 0 && took * 2 >= gap)) {
		/* A steady cadence (a heartbeat) bounds its gaps: twice the
		 * longest recent gap is then the sharper limit. */
		p95 = stall_p95(sd, &max);
		limit = p95 * STALL_FACTOR;
		if (max * STALL_MAX_FACTOR < limit)
			limit = max * STALL_MAX_FACTOR;
		if (limit < sd->min_us)
			limit = sd->min_us;
		if (gap > limit) {
			if (sd->st.pending) {
				stall_emit(sd, out);
				flagged = true;
			}
			sd->st.pending = 1;
			sd->st.pend_start_us = sd->st.last_us;
			sd->st.pend_end_us = rec->ts_us;
			sd->st.pend_gap_us = gap;
			sd->st.pend_p95_us = p95;
			sd->st.pend_records = 0;
			memcpy(sd->st.pend_task, sd->st.last_task,
			    sizeof(sd->st.pend_task));
			memcpy(sd->st.pend_coro, sd->st.last_coro,
			    sizeof(sd->st.pend_coro));
			/* a stall is no cadence: it would hide the next */
			stall_remember(sd, rec);
			return flagged;
		}
	}
	stall_push(sd, gap);
	stall_remember(sd, rec);
	return flagged;
}

bool
stall_status(const struct stall *sd, struct stall_status *ss)
{
	int64_t	max, limit;

	if (sd->st.last_us == TS_NONE || sd->st.pending ||
	    sd->st.ngaps < STALL_MIN_HISTORY)
		return false;
	limit = stall_p95(sd, &max) * STALL_FACTOR;
	if (max * STALL_MAX_FACTOR < limit)
		limit = max * STALL_MAX_FACTOR;
	if (limit < sd->min_us)
		limit = sd->min_us;
	ss->last_us = sd->st.last_us;
	ss->limit_us = limit;
	ss->task = sd->st.last_task;
	ss->coro = sd->st.last_coro;
	return true;
}

bool
stall_pending(const struct stall *sd)
{
	return sd->st.pending != 0;
}

bool
stall_flush(struct stall *sd, struct finding_list *out)
{
	if (!sd->st.pending)
		return false;
	stall_emit(sd, out);
	return true;
}

void *
stall_save(const struct stall *sd, size_t *n)
{
	void	*p = xmalloc(sizeof(sd->st));

	memcpy(p, &sd->st, sizeof(sd->st));
	*n = sizeof(sd->st);
	return p;
}

bool
stall_load(struct stall *sd, const void *p, size_t n)
{
	struct stall_state	st;

	if (p == NULL || n != sizeof(st)) {
		stall_reset(sd);
		return false;
	}
	memcpy(&st, p, sizeof(st));
	if (st.magic != STALL_MAGIC || st.version != STALL_VERSION ||
	    st.ngaps > STALL_WINDOW || st.head >= STALL_WINDOW ||
	    memchr(st.last_task, '\0', sizeof(st.last_task)) == NULL ||
	    memchr(st.last_coro, '\0', sizeof(st.last_coro)) == NULL ||
	    memchr(st.pend_task, '\0', sizeof(st.pend_task)) == NULL ||
	    memchr(st.pend_coro, '\0', sizeof(st.pend_coro)) == NULL) {
		stall_reset(sd);
		return false;
	}
	sd->st = st;
	return true;
}
