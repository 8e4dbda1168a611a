/*
 * stall: the gap detector. Watches the times of one rotation set's
 * records and flags a gap much longer than the set's usual cadence: once
 * STALL_MIN_HISTORY gaps are known, a gap longer than both the floor
 * (--stall-min) and STALL_FACTOR times the 95th percentile of the last
 * STALL_WINDOW gaps (or STALL_MAX_FACTOR times the longest of them, when
 * that is less: a steady heartbeat) is judged, dated at the record before
 * it and attributed to that record's task and coroutine (its taskName,
 * else a name='...' or coro=<...()> in its text). The percentile is
 * computed only for gaps above the floor, so the common path is a few
 * stores.
 *
 * Silence is not always a blocked loop. A gap is judged once the records
 * logged as the loop resumes are in (STALL_SETTLE_US after its end, at
 * most STALL_SETTLE_RECORDS records), and becomes one of three kinds:
 *  - restart (info): the pid changes, a startup banner follows it or a
 *    shutdown banner precedes it; or, when the loop shows no sign of
 *    having been blocked, a new file of the set begins at it or the
 *    records resume at another cadence;
 *  - stall: the signs of a blocked loop, each adding to a confidence:
 *    the same task (or logger and thread) logged before and after it
 *    (a step cut in two by a synchronous call), timers firing late (a
 *    pile-up of records from other tasks just after it), timeouts just
 *    after it;
 *  - idle (info): none of that: the stream had nothing to say.
 * A debug-mode "took N seconds" finding among the records after it that
 * explains the gap makes it no second stall (that finding is the better
 * one: it names the culprit). Records with inferred times are not judged.
 * The caller resets the detector for each rotation set and tells it where
 * a new file of the set begins.
 */
#include "rules/stall.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/kinds.h"
#include "common/severity.h"
#include "common/xmalloc.h"

#define STALL_WINDOW		128	/* gaps kept */
#define STALL_MIN_HISTORY	20	/* gaps needed before judging */
#define STALL_FACTOR		4	/* times the 95th percentile */
#define STALL_MAX_FACTOR	2	/* or times the longest, if less */
#define STALL_NAME_CAP		128	/* bytes kept of a task or coro name */
#define STALL_MAGIC		0x4c545341u	/* "ASTL" */
#define STALL_VERSION		3
#define STALL_SETTLE_US		100000	/* how long after a gap its evidence */
#define STALL_SETTLE_RECORDS	16	/* is looked for (the records logged
					 * as the loop resumes), in how many
					 * (no more than --context keeps) */
#define STALL_PILEUP_US		20000	/* late timers fire within this */
#define STALL_AFTER_GAPS	16	/* gaps after it, for the cadence */
#define STALL_CADENCE_FACTOR	4	/* another cadence: 4 times or 1/4 */
#define STALL_BANNER_CAP	64	/* bytes of a banner quoted */
#define STALL_BANNER_RECORDS	3	/* a start banner among the first 3 */

/* The evidence about a gap (struct stall_state pend_flags). */
#define EV_PID		0x01	/* the pid changed */
#define EV_START	0x02	/* a startup banner after it */
#define EV_STOP		0x04	/* a shutdown banner before it */
#define EV_NEW_FILE	0x08	/* a new file of the set begins at it */
#define EV_SAME_TASK	0x10	/* the same task before and after */
#define EV_SAME_LOGGER	0x20	/* the same logger and thread (no tasks) */
#define EV_STEADY	0x40	/* a steady cadence (a heartbeat) broken */

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
	char		last_source[STALL_NAME_CAP]; /* logger and thread */
	char		last_stop[STALL_BANNER_CAP];  /* its shutdown banner */
	uint32_t	new_file;	/* a new file began since the last record */
	/* a gap found, waiting for its evidence */
	uint32_t	pending;
	uint32_t	pend_records;	/* records seen since */
	uint32_t	pend_flags;	/* EV_* */
	uint32_t	pend_timeouts;	/* records of timeouts after it */
	uint32_t	pend_late;	/* records of other sources just after */
	uint32_t	pend_nafter;	/* gaps in pend_after */
	uint32_t	pend_flushed;	/* decided for now by stall_flush() */
	int64_t		pend_start_us, pend_end_us, pend_gap_us, pend_p95_us;
	int64_t		pend_p50_us, pend_last_us;
	int64_t		pend_pid_before, pend_pid_after;
	int64_t		pend_after[STALL_AFTER_GAPS];
	char		pend_task[STALL_NAME_CAP];
	char		pend_coro[STALL_NAME_CAP];
	char		pend_source[STALL_NAME_CAP]; /* of the record ending it */
	char		pend_banner[STALL_BANNER_CAP];
};

struct stall {
	int64_t			min_us;
	struct stall_state	st;
	uint8_t			shutdown_first[32]; /* first bytes of the
						     * shutdown words */
};

/* The openings of a record that closes a run of the program. */
static const char *const stall_shutdown_words[] = {
	"stopping", "stopped", "shutting down", "shutdown", "exiting",
	"terminating", "terminated", "goodbye", "received signal",
	"received SIGTERM", "received SIGINT", "caught signal", NULL
};

/* Mark the first bytes of words (both cases) in set. */
static void
stall_first_bytes(const char *const words[], uint8_t set[32])
{
	unsigned char	c;
	size_t		k;

	memset(set, 0, 32);
	for (k = 0; words[k] != NULL; k++) {
		c = (unsigned char)tolower((unsigned char)words[k][0]);
		set[c >> 3] |= (uint8_t)(1u << (c & 7));
		c = (unsigned char)toupper((unsigned char)words[k][0]);
		set[c >> 3] |= (uint8_t)(1u << (c & 7));
	}
}

struct stall *
stall_new(const struct stall_opts *o)
{
	struct stall	*sd = xcalloc(1, sizeof(*sd));

	sd->min_us = o != NULL && o->min_us > 0 ? o->min_us : 500000;
	stall_first_bytes(stall_shutdown_words, sd->shutdown_first);
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

/* The 95th percentile of the gaps in the window; *max the longest, *p50
 * (when not NULL) the median. */
static int64_t
stall_p95(const struct stall *sd, int64_t *max, int64_t *p50)
{
	int64_t		v[STALL_WINDOW];
	uint32_t	n = sd->st.ngaps;

	memcpy(v, sd->st.gaps, n * sizeof(v[0]));
	qsort(v, n, sizeof(v[0]), cmp_i64);
	*max = v[n - 1];
	if (p50 != NULL)
		*p50 = v[(n - 1) / 2];
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

/* Copy p[0..end) into out as a name: false when end is NULL, or the name
 * empty, too long, across lines or (when one_word) holding a space. */
static bool
stall_keep_name(const char *p, const char *end, bool one_word,
    char out[STALL_NAME_CAP])
{
	size_t	len;

	if (end == NULL)
		return false;
	len = (size_t)(end - p);
	if (len == 0 || len >= STALL_NAME_CAP || memchr(p, '\n', len) ||
	    (one_word && memchr(p, ' ', len)))
		return false;
	memcpy(out, p, len);
	out[len] = '\0';
	return true;
}

/* Copy the name=... value at p (p[5], after "name=", its opening quote)
 * in s[0..n) into out, for attribution. */
static bool
stall_take_name(const char *s, size_t n, const char *p,
    char out[STALL_NAME_CAP])
{
	const char	*end;
	char		 q;

	if ((size_t)(p - s) + 6 >= n)
		return false;
	q = p[5];
	if (q != '\'' && q != '"')
		return false;
	p += 6;
	end = memchr(p, q, n - (size_t)(p - s));
	return stall_keep_name(p, end, false, out);
}

/* Copy the qualname of coro=<QUALNAME() ...> at p (after "coro=<") in
 * s[0..n) into out. */
static bool
stall_take_coro(const char *s, size_t n, const char *p,
    char out[STALL_NAME_CAP])
{
	return stall_keep_name(p, stall_find(p, n - (size_t)(p - s), "()"),
	    true, out);
}

/* The first "name=" and the first "coro=<" of s[0..n), found in one pass
 * over its '=' signs (rarer than the first letters): *name and *coro,
 * NULL when absent; *name is not looked for when name is NULL. */
static void
stall_find_keys(const char *s, size_t n, const char **name,
    const char **coro)
{
	const char	*p = s, *end = s + n, *eq;

	if (name != NULL)
		*name = NULL;
	*coro = NULL;
	while ((eq = memchr(p, '=', (size_t)(end - p))) != NULL) {
		if (eq - s >= 4 && name != NULL && *name == NULL &&
		    memcmp(eq - 4, "name", 4) == 0)
			*name = eq - 4;
		else if (eq - s >= 4 && *coro == NULL && eq + 1 < end &&
		    eq[1] == '<' && memcmp(eq - 4, "coro", 4) == 0)
			*coro = eq + 2;
		if (*coro != NULL && (name == NULL || *name != NULL))
			break;
		p = eq + 1;
	}
}

/* The task named by name='...' in s[0..n) into out. */
static bool
stall_find_name(const char *s, size_t n, char out[STALL_NAME_CAP])
{
	const char	*name, *coro;

	stall_find_keys(s, n, &name, &coro);
	return name != NULL && stall_take_name(s, n, name, out);
}

/* The first line of rec's message (or text). */
static struct span
stall_first_line(const struct record *rec)
{
	struct span	 m = rec->message.n > 0 ? rec->message : rec->text;
	const char	*nl;

	if (m.p == NULL)
		m.n = 0;
	else if ((nl = memchr(m.p, '\n', m.n)) != NULL)
		m.n = (size_t)(nl - m.p);
	return m;
}

/* Whether m starts with one of words (case-insensitive). */
static bool
stall_starts(struct span m, const char *const words[])
{
	size_t	i, k;
	int	c0;

	/* every record comes here: the first byte rules out most words
	 * before a strlen() and a strncasecmp() each */
	if (m.n == 0)
		return false;
	c0 = tolower((unsigned char)m.p[0]);
	for (k = 0; words[k] != NULL; k++) {
		if (tolower((unsigned char)words[k][0]) != c0)
			continue;
		i = strlen(words[k]);
		if (m.n >= i && strncasecmp(m.p, words[k], i) == 0)
			return true;
	}
	return false;
}

/* Copy the first line of m into out, cut to fit. */
static void
stall_quote(struct span m, char out[STALL_BANNER_CAP])
{
	size_t	n = m.n < STALL_BANNER_CAP - 1 ? m.n : STALL_BANNER_CAP - 1;

	memset(out, 0, STALL_BANNER_CAP);
	memcpy(out, m.p, n);
	out[n] = '\0';
}

/* A record that opens a run of the program: a gap before it is a
 * restart, not a stall. */
static bool
stall_is_banner(const struct record *rec)
{
	static const char *const words[] = {
		"starting ", "started ", "startup", "starting up", "booting ",
		"Using selector: ", NULL
	};

	return stall_starts(stall_first_line(rec), words);
}

/* A record that closes a run of the program. Every record comes here: a
 * first byte no word begins with rules it out at once. */
static bool
stall_is_shutdown(const struct stall *sd, const struct record *rec)
{
	struct span	m = stall_first_line(rec);
	unsigned char	c;

	if (m.n == 0)
		return false;
	c = (unsigned char)m.p[0];
	if (!(sd->shutdown_first[c >> 3] & (1u << (c & 7))))
		return false;
	return stall_starts(m, stall_shutdown_words);
}

/* A record of a timeout: a timer that fired late, or a wait that ran out
 * while the loop could not run. */
static bool
stall_is_timeout(const struct record *rec)
{
	struct span	m = stall_first_line(rec);

	return stall_find(m.p, m.n, "timed out") != NULL ||
	    stall_find(m.p, m.n, "timeout") != NULL ||
	    stall_find(m.p, m.n, "Timeout") != NULL;
}

/* The logger and thread of rec, as one name (empty when neither). */
static void
stall_source(const struct record *rec, char out[STALL_NAME_CAP])
{
	size_t	l = rec->logger.n, t = rec->thread.n;

	out[0] = '\0';	/* the bytes after the NUL: see stall_save() */
	if (l + t + 2 > STALL_NAME_CAP || (l == 0 && t == 0))
		return;
	if (l > 0)
		memcpy(out, rec->logger.p, l);
	out[l] = '/';
	if (t > 0)
		memcpy(out + l + 1, rec->thread.p, t);
	out[l + 1 + t] = '\0';
}

/* Remember rec as the record before the next gap. */
static void
stall_remember(struct stall *sd, const struct record *rec)
{
	struct span	 m = stall_first_line(rec);
	const char	*name = NULL, *coro;
	bool		 named = false;

	sd->st.last_us = rec->ts_us;
	sd->st.last_pid = rec->pid;
	/* the bytes after each NUL are cleared by stall_save() */
	sd->st.last_task[0] = '\0';
	sd->st.last_coro[0] = '\0';
	sd->st.last_stop[0] = '\0';
	sd->st.new_file = 0;
	if (rec->task.n > 0 && rec->task.n < STALL_NAME_CAP) {
		memcpy(sd->st.last_task, rec->task.p, rec->task.n);
		sd->st.last_task[rec->task.n] = '\0';
		named = true;
	}
	/* the first line only: a traceback names other tasks */
	if (m.p != NULL) {
		stall_find_keys(m.p, m.n, named ? NULL : &name, &coro);
		if (!named && name != NULL)
			(void)stall_take_name(m.p, m.n, name,
			    sd->st.last_task);
		if (coro != NULL)
			(void)stall_take_coro(m.p, m.n, coro,
			    sd->st.last_coro);
	}
	stall_source(rec, sd->st.last_source);
	if (m.p != NULL && stall_is_shutdown(sd, rec))
		stall_quote(m, sd->st.last_stop);
}

/* The longest "took N seconds" among the record's findings, or -1. */
static int64_t
stall_took_us(const struct finding *found, size_t nfound)
{
	int64_t	best = -1;
	size_t	i;

	for (i = 0; i < nfound; i++)
		if (found[i].duration_us > best && found[i].kind != NULL &&
		    (strcmp(found[i].kind, KIND_STALL) == 0 ||
		    strcmp(found[i].kind, KIND_SLOW_CALLBACK) == 0))
			best = found[i].duration_us;
	return best;
}

static void	stall_close(struct stall *sd);

bool
stall_absorbs_gaps(const struct finding *f, int64_t *from_us, int64_t *to_us)
{
	int64_t	tol;

	if (f->duration_us <= 0 || f->ts_us == TS_NONE ||
	    strcmp(f->rule, RULE_STALL_GAP) == 0 ||
	    (strcmp(f->kind, KIND_STALL) != 0 &&
	    strcmp(f->kind, KIND_SLOW_CALLBACK) != 0))
		return false;
	tol = f->duration_us / 2 + 50000;
	*from_us = f->ts_us - tol;
	*to_us = f->ts_us + tol;
	return true;
}

/* A gap over the limit, ended by rec: what the records on both sides of
 * it say, for now. */
static void
stall_open(struct stall *sd, const struct record *rec, int64_t gap,
    int64_t p95, int64_t p50, bool steady)
{
	struct stall_state	*st = &sd->st;
	char			 src[STALL_NAME_CAP];
	char			 task[STALL_NAME_CAP];
	struct span		 m = stall_first_line(rec);

	stall_close(sd);
	memset(task, 0, sizeof(task));
	st->pending = 1;
	st->pend_start_us = st->last_us;
	st->pend_end_us = st->pend_last_us = rec->ts_us;
	st->pend_gap_us = gap;
	st->pend_p95_us = p95;
	st->pend_p50_us = p50;
	if (steady)
		st->pend_flags |= EV_STEADY;
	st->pend_records = st->pend_timeouts = st->pend_late = 0;
	st->pend_nafter = 0;
	st->pend_banner[0] = '\0';
	st->pend_pid_before = st->last_pid;
	st->pend_pid_after = rec->pid;
	memcpy(st->pend_task, st->last_task, sizeof(st->pend_task));
	memcpy(st->pend_coro, st->last_coro, sizeof(st->pend_coro));
	if (rec->pid >= 0 && st->last_pid >= 0 && rec->pid != st->last_pid)
		st->pend_flags |= EV_PID;
	if (st->last_stop[0] != '\0') {
		st->pend_flags |= EV_STOP;
		memcpy(st->pend_banner, st->last_stop, sizeof(st->pend_banner));
	}
	if (st->new_file)
		st->pend_flags |= EV_NEW_FILE;
	if (rec->task.n > 0 && rec->task.n < STALL_NAME_CAP) {
		memcpy(task, rec->task.p, rec->task.n);
		task[rec->task.n] = '\0';
	} else if (m.p != NULL) {
		(void)stall_find_name(m.p, m.n, task);
	}
	stall_source(rec, src);
	/* the record ending the gap is the one every other source's is
	 * compared with: a task continuing, or timers of others late */
	if (task[0] != '\0') {
		if (strcmp(task, st->last_task) == 0)
			st->pend_flags |= EV_SAME_TASK;
		memcpy(st->pend_source, task, sizeof(st->pend_source));
	} else {
		if (st->last_task[0] == '\0' && src[0] != '\0' &&
		    strcmp(src, st->last_source) == 0)
			st->pend_flags |= EV_SAME_LOGGER;
		memcpy(st->pend_source, src, sizeof(st->pend_source));
	}
}

/* One record after the gap (rec ended it, or came after): its evidence. */
static void
stall_observe(struct stall *sd, const struct record *rec)
{
	struct stall_state	*st = &sd->st;
	char			 who[STALL_NAME_CAP] = "";
	struct span		 m = stall_first_line(rec);

	if (rec->pid >= 0 && st->pend_pid_before >= 0 &&
	    rec->pid != st->pend_pid_before) {
		st->pend_flags |= EV_PID;
		st->pend_pid_after = rec->pid;
	}
	if (st->pend_records < STALL_BANNER_RECORDS && m.p != NULL &&
	    stall_is_banner(rec) && !(st->pend_flags & EV_START)) {
		st->pend_flags |= EV_START;
		stall_quote(m, st->pend_banner);
	}
	if (m.p != NULL && stall_is_timeout(rec))
		st->pend_timeouts++;
	if (st->pend_records > 0) {
		if (rec->task.n > 0 && rec->task.n < STALL_NAME_CAP) {
			memcpy(who, rec->task.p, rec->task.n);
			who[rec->task.n] = '\0';
		} else {
			stall_source(rec, who);
		}
		if (rec->ts_us - st->pend_end_us <= STALL_PILEUP_US &&
		    strcmp(who, st->pend_source) != 0)
			st->pend_late++;
		if (st->pend_nafter < STALL_AFTER_GAPS &&
		    rec->ts_us >= st->pend_last_us)
			st->pend_after[st->pend_nafter++] = rec->ts_us -
			    st->pend_last_us;
	}
	st->pend_last_us = rec->ts_us;
	st->pend_records++;
}

/* Whether the records after the gap came at another cadence than before
 * it: their median gap over STALL_CADENCE_FACTOR times the usual one, or
 * under a STALL_CADENCE_FACTOR-th of it; *after_us their median. */
static bool
stall_new_cadence(const struct stall_state *st, int64_t *after_us)
{
	int64_t		v[STALL_AFTER_GAPS];
	uint32_t	n = st->pend_nafter;

	if (n < 4 || st->pend_p50_us <= 0)
		return false;
	memcpy(v, st->pend_after, n * sizeof(v[0]));
	qsort(v, n, sizeof(v[0]), cmp_i64);
	*after_us = v[(n - 1) / 2];
	return *after_us > st->pend_p50_us * STALL_CADENCE_FACTOR ||
	    *after_us * STALL_CADENCE_FACTOR < st->pend_p50_us;
}

/* Add ", what" (or "what" first) to the message being built. */
static void
stall_say(char *msg, size_t cap, bool *first, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
stall_say(char *msg, size_t cap, bool *first, const char *fmt, ...)
{
	size_t	n = strlen(msg);
	va_list	ap;

	if (!*first && n + 2 < cap) {
		memcpy(msg + n, ", ", 3);
		n += 2;
	}
	*first = false;
	va_start(ap, fmt);
	vsnprintf(msg + n, cap - n, fmt, ap);
	va_end(ap);
}

/* The signs of a blocked loop around the pending gap, said into ev (cap
 * bytes): their score, at most 1. */
static double
stall_block_signs(const struct stall_state *st, char *ev, size_t cap)
{
	double	score = 0;
	bool	first = true;

	if (st->pend_flags & EV_SAME_TASK) {
		score += 0.4;
		stall_say(ev, cap, &first, "the same task logged before and "
		    "after");
	} else if (st->pend_flags & EV_SAME_LOGGER) {
		score += 0.25;
		stall_say(ev, cap, &first, "the same logger logged before "
		    "and after");
	}
	if (st->pend_flags & EV_STEADY) {
		score += 0.25;
		stall_say(ev, cap, &first, "a steady cadence broken");
	}
	if (st->pend_late >= 1) {
		score += 0.3;
		stall_say(ev, cap, &first, "%u record%s of other tasks within "
		    "%d ms after it (late timers)", st->pend_late,
		    st->pend_late == 1 ? "" : "s", STALL_PILEUP_US / 1000);
	}
	if (st->pend_timeouts > 0) {
		score += 0.5;
		stall_say(ev, cap, &first, "%u timeout%s within %g s after it",
		    st->pend_timeouts, st->pend_timeouts == 1 ? "" : "s",
		    STALL_SETTLE_US / 1e6);
	}
	return score > 1 ? 1 : score;
}

/* The signs of a restart across the pending gap, said into ev (cap
 * bytes); cadence: records resumed every after_us, not as before. */
static void
stall_restart_signs(const struct stall_state *st, bool cadence,
    int64_t after_us, char *ev, size_t cap)
{
	bool	first = true;

	ev[0] = '\0';
	if (st->pend_flags & EV_PID)
		stall_say(ev, cap, &first, "pid %lld, then %lld",
		    (long long)st->pend_pid_before,
		    (long long)st->pend_pid_after);
	if (st->pend_flags & (EV_START | EV_STOP))
		stall_say(ev, cap, &first, "a %s banner '%s'",
		    st->pend_flags & EV_START ? "startup" : "shutdown",
		    st->pend_banner);
	if (st->pend_flags & EV_NEW_FILE)
		stall_say(ev, cap, &first, "a new file of the set");
	if (cadence)
		stall_say(ev, cap, &first, "records resumed every %.3f s, not "
		    "%.3f s", (double)after_us / 1e6,
		    (double)st->pend_p50_us / 1e6);
}

/* Decide the pending gap and append it to out: a stall with its evidence
 * and confidence, or a restart or an idle period (info). */
static void
stall_emit(struct stall *sd, struct finding_list *out)
{
	struct stall_state	*st = &sd->st;
	struct finding		*f = finding_add(out);
	char			 msg[512], ev[320] = "";
	double			 score = stall_block_signs(st, ev, sizeof(ev));
	int64_t			 after_us = 0;
	bool			 restart, cadence;

	restart = st->pend_flags & (EV_PID | EV_START | EV_STOP);
	cadence = stall_new_cadence(st, &after_us);
	if (!restart && score < 0.5 && (st->pend_flags & EV_NEW_FILE ||
	    cadence))
		restart = true;
	f->rule = RULE_STALL_GAP;
	f->ts_us = st->pend_start_us;
	f->duration_us = st->pend_gap_us;
	if (st->pend_task[0] != '\0')
		f->task = xstrdup(st->pend_task);
	if (st->pend_coro[0] != '\0')
		f->coro = xstrdup(st->pend_coro);
	if (restart) {
		f->kind = KIND_RESTART;
		f->severity = SEV_INFO;
		stall_restart_signs(st, cadence, after_us, ev, sizeof(ev));
		snprintf(msg, sizeof(msg), "no log records for %.3f s across "
		    "a restart: %s", (double)st->pend_gap_us / 1e6, ev);
	} else if (score >= 0.5) {
		f->kind = KIND_STALL;
		f->severity = SEV_WARNING;
		f->confidence = score;
		snprintf(msg, sizeof(msg), "no log records for %.3f s (usual "
		    "gap %.3f s): the event loop was blocked: %s",
		    (double)st->pend_gap_us / 1e6,
		    (double)st->pend_p95_us / 1e6, ev);
	} else {
		f->kind = KIND_IDLE;
		f->severity = SEV_INFO;
		snprintf(msg, sizeof(msg), "no log records for %.3f s (usual "
		    "gap %.3f s): an idle stream, %s%s", (double)st->pend_gap_us
		    / 1e6, (double)st->pend_p95_us / 1e6, ev[0] != '\0' ?
		    "too little sign of a blocked loop: " : "no sign of a "
		    "blocked loop (no task cut in two, no late timers, no "
		    "timeouts)", ev);
	}
	f->message = xstrdup(msg);
}

/* Forget the decided gap, every byte of it: the state is saved whole,
 * and two runs must save what one does. */
static void
stall_close(struct stall *sd)
{
	struct stall_state	*st = &sd->st;

	st->pending = st->pend_flushed = st->pend_records = 0;
	st->pend_flags = st->pend_timeouts = st->pend_late = 0;
	st->pend_nafter = 0;
	st->pend_start_us = st->pend_end_us = st->pend_gap_us = 0;
	st->pend_p95_us = st->pend_p50_us = st->pend_last_us = 0;
	st->pend_pid_before = st->pend_pid_after = 0;
	memset(st->pend_after, 0, sizeof(st->pend_after));
	memset(st->pend_task, 0, sizeof(st->pend_task));
	memset(st->pend_coro, 0, sizeof(st->pend_coro));
	memset(st->pend_source, 0, sizeof(st->pend_source));
	memset(st->pend_banner, 0, sizeof(st->pend_banner));
}

void
stall_new_file(struct stall *sd)
{
	if (sd->st.last_us != TS_NONE)
		sd->st.new_file = 1;
}

bool
stall_feed(struct stall *sd, const struct record *rec,
    const struct finding *found, size_t nfound, struct finding_list *out)
{
	int64_t		 gap, p95, p50, max, limit, took;
	bool		 restart, flagged = false;

	if (rec->ts_us == TS_NONE || (rec->flags & RECORD_TS_INFERRED))
		return false;
	/* found may point into out: read it before appending */
	took = stall_took_us(found, nfound);
	/* A gap waits for the records logged as the loop resumes: the slow
	 * step's own lines come first, its "took" line, late timers and
	 * timeouts follow. */
	if (sd->st.pending) {
		if (took >= 0 && took * 2 >= sd->st.pend_gap_us)
			stall_close(sd);
		else if (rec->ts_us > sd->st.pend_end_us + STALL_SETTLE_US ||
		    rec->ts_us < sd->st.pend_end_us ||
		    sd->st.pend_records >= STALL_SETTLE_RECORDS) {
			stall_emit(sd, out);
			stall_close(sd);
			flagged = true;
		} else
			stall_observe(sd, rec);
	}
	if (sd->st.last_us == TS_NONE) {
		stall_remember(sd, rec);
		return flagged;
	}
	gap = rec->ts_us - sd->st.last_us;
	if (gap < 0) {
		/* out of order: no gap to judge */
		stall_remember(sd, rec);
		return flagged;
	}
	if (gap > sd->min_us && sd->st.ngaps >= STALL_MIN_HISTORY &&
	    !(took >= 0 && took * 2 >= gap)) {
		/* A steady cadence (a heartbeat) bounds its gaps: twice the
		 * longest recent gap is then the sharper limit. */
		p95 = stall_p95(sd, &max, &p50);
		limit = p95 * STALL_FACTOR;
		if (max * STALL_MAX_FACTOR < limit)
			limit = max * STALL_MAX_FACTOR;
		if (limit < sd->min_us)
			limit = sd->min_us;
		if (gap > limit) {
			if (sd->st.pending) {
				stall_emit(sd, out);
				stall_close(sd);
				flagged = true;
			}
			stall_open(sd, rec, gap, p95, p50,
			    max * STALL_MAX_FACTOR < p95 * STALL_FACTOR);
			stall_observe(sd, rec);
			/* a gap is no cadence: it would hide the next */
			stall_remember(sd, rec);
			return flagged;
		}
	}
	/* a new process, short as the pause was: no cadence either */
	restart = (rec->pid >= 0 && sd->st.last_pid >= 0 &&
	    rec->pid != sd->st.last_pid) || (gap > sd->min_us &&
	    stall_is_banner(rec));
	if (!restart)
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
	limit = stall_p95(sd, &max, NULL) * STALL_FACTOR;
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
	return sd->st.pending != 0 && !sd->st.pend_flushed;
}

bool
stall_flush(struct stall *sd, struct finding_list *out)
{
	if (!stall_pending(sd))
		return false;
	stall_emit(sd, out);
	/* still open: the records after it may yet come */
	sd->st.pend_flushed = 1;
	return true;
}

/* Clear the bytes of s[0..cap) after its first NUL. */
static void
stall_clear_tail(char *s, size_t cap)
{
	size_t	len = strnlen(s, cap);

	if (len < cap)
		memset(s + len, 0, cap - len);
}

void *
stall_save(const struct stall *sd, size_t *n)
{
	struct stall_state	*st = xmalloc(sizeof(*st));

	/* the names are written over record by record, only up to their
	 * NUL: the state is saved whole, so no stale bytes after it */
	memcpy(st, &sd->st, sizeof(*st));
	stall_clear_tail(st->last_task, sizeof(st->last_task));
	stall_clear_tail(st->last_coro, sizeof(st->last_coro));
	stall_clear_tail(st->last_source, sizeof(st->last_source));
	stall_clear_tail(st->last_stop, sizeof(st->last_stop));
	stall_clear_tail(st->pend_task, sizeof(st->pend_task));
	stall_clear_tail(st->pend_coro, sizeof(st->pend_coro));
	stall_clear_tail(st->pend_source, sizeof(st->pend_source));
	stall_clear_tail(st->pend_banner, sizeof(st->pend_banner));
	*n = sizeof(*st);
	return st;
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
	    memchr(st.pend_coro, '\0', sizeof(st.pend_coro)) == NULL ||
	    memchr(st.last_source, '\0', sizeof(st.last_source)) == NULL ||
	    memchr(st.last_stop, '\0', sizeof(st.last_stop)) == NULL ||
	    memchr(st.pend_source, '\0', sizeof(st.pend_source)) == NULL ||
	    memchr(st.pend_banner, '\0', sizeof(st.pend_banner)) == NULL ||
	    st.pend_nafter > STALL_AFTER_GAPS) {
		stall_reset(sd);
		return false;
	}
	sd->st = st;
	return true;
}
