/*
 * correlate: findings into incidents. Reads the findings of the period
 * being rebuilt in time order and puts each into an open incident (one
 * that saw a finding within the window) or a new one, trying in turn:
 *   1. a failed asyncio.run()/run_until_complete() (nested_run,
 *      loop_closed) and the never-awaited warning of the coroutine it was
 *      given (compared by the last part of the qualname);
 *   2. a stall and the timeouts that follow it (kind timeout, or an
 *      exception TimeoutError/CancelledError) within the window of its end;
 *   3. a repeat of one signature: kind, coroutine and exception;
 *   4. the same task name;
 *   5. without a task name, the same coroutine.
 * Only findings of one stream (rotation set: one service's log) share an
 * incident.
 * An incident keeps first and last time, the worst severity, its kinds,
 * a key (the first finding's signature), task, coroutine, count and a
 * one-line summary; findings.incident_id points at it. Runs inside the
 * caller's transaction; memory holds only the open incidents.
 */
#include "rules/correlate.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/kinds.h"
#include "common/record.h"
#include "common/xmalloc.h"
#include "store/incidents.h"

struct incident {
	int64_t		 first_us, last_us;	/* TS_NONE: no time */
	int64_t		 chain_end_us;		/* stall end, for rule 2 */
	int		 severity;
	char		*kinds;			/* "a,b": each kind once, as
						 * long as the kinds loaded */
	char		*key;			/* the first signature */
	char		*task, *coro, *exc;	/* the first that had them */
	char		*chain_coro;		/* of a failed run, rule 1 */
	int64_t		 chain_id;		/* that finding's id */
	char		*chain_qual;		/* its qualname, as the never-
						 * awaited warning names it */
	char		*set_path;		/* the stream (rotation set) */
	bool		 has_stall;
	int64_t		 stall_us;		/* longest stall */
	int64_t		 count;
	int64_t		*members;		/* finding ids */
	size_t		 nmembers;
	size_t		 cap;
};

struct corr {
	struct store_incidents	*w;
	int64_t			 window_us;
	struct incident		*open;
	size_t			 nopen;
	size_t			 cap;
};


static const char *
last_part(const char *q)
{
	const char	*dot;

	if (q == NULL)
		return NULL;
	dot = strrchr(q, '.');
	return dot ? dot + 1 : q;
}

static bool
str_eq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static bool
is_timeoutish(const struct store_loose *f)
{
	return strcmp(f->kind, "timeout") == 0 ||
	    (strcmp(f->kind, "never_retrieved") == 0 && f->exc != NULL &&
	    (strcmp(f->exc, "TimeoutError") == 0 ||
	    strcmp(f->exc, "CancelledError") == 0));
}

/* The signature key of a finding: kind, coroutine, exception, each whole
 * (never cut: two long names that differ late are two signatures). */
static char *
signature(const struct store_loose *f)
{
	const char	*coro = f->coro ? f->coro : "", *exc = f->exc ?
			    f->exc : "";
	size_t		 nk = strlen(f->kind), nc = strlen(coro),
			 ne = strlen(exc);
	char		*out = xmalloc(nk + nc + ne + 3);

	memcpy(out, f->kind, nk);
	out[nk] = '|';
	memcpy(out + nk + 1, coro, nc);
	out[nk + 1 + nc] = '|';
	memcpy(out + nk + nc + 2, exc, ne + 1);
	return out;
}

/* Whether f's time lies within the window after t (no time: always). */
static bool
within(const struct corr *c, int64_t t, const struct store_loose *f)
{
	if (t == TS_NONE || f->ts_us == TS_NONE)
		return t == TS_NONE && f->ts_us == TS_NONE;
	return f->ts_us - t <= c->window_us;
}

static struct incident *
pick(struct corr *c, const struct store_loose *f)
{
	struct incident	*inc;
	char		*sig;
	size_t		 i;
	int		 pass;

	sig = signature(f);
	for (pass = 1; pass <= 5; pass++) {
		for (i = 0; i < c->nopen; i++) {
			inc = &c->open[i];
			/* one service's findings never join another's */
			if (!str_eq(inc->set_path, f->set_path) &&
			    (inc->set_path != NULL || f->set_path != NULL))
				continue;
			switch (pass) {
			case 1:
				if (strcmp(f->kind, "never_awaited") == 0 &&
				    inc->chain_coro != NULL && f->coro !=
				    NULL && strcmp(last_part(inc->chain_coro),
				    last_part(f->coro)) == 0 &&
				    within(c, inc->last_us, f))
					goto found;
				break;
			case 2:
				if (inc->has_stall && is_timeoutish(f) &&
				    within(c, inc->chain_end_us, f))
					goto found;
				break;
			case 3:
				if (str_eq(inc->key, sig) &&
				    within(c, inc->last_us, f))
					goto found;
				break;
			case 4:
				if (str_eq(inc->task, f->task) &&
				    within(c, inc->last_us, f))
					goto found;
				break;
			case 5:
				if (f->task == NULL && inc->task == NULL &&
				    str_eq(inc->coro, f->coro) &&
				    within(c, inc->last_us, f))
					goto found;
				break;
			}
		}
	}
	free(sig);
	return NULL;
found:
	free(sig);
	return inc;
}

static void
incident_release(struct incident *inc)
{
	free(inc->kinds);
	free(inc->key);
	free(inc->task);
	free(inc->coro);
	free(inc->exc);
	free(inc->chain_coro);
	free(inc->chain_qual);
	free(inc->set_path);
	free(inc->members);
	memset(inc, 0, sizeof(*inc));
}

static void
incident_add(struct incident *inc, const struct store_loose *f)
{
	size_t	n, k;

	inc->members = xgrow(inc->members, &inc->cap, inc->nmembers + 1,
	    sizeof(*inc->members));
	inc->members[inc->nmembers++] = f->id;
	inc->count++;
	if (f->ts_us != TS_NONE) {
		if (inc->first_us == TS_NONE || f->ts_us < inc->first_us)
			inc->first_us = f->ts_us;
		if (inc->last_us == TS_NONE || f->ts_us > inc->last_us)
			inc->last_us = f->ts_us;
	}
	if (f->severity > inc->severity)
		inc->severity = f->severity;
	if (inc->task == NULL)
		inc->task = dup_or_null(f->task);
	if (inc->coro == NULL)
		inc->coro = dup_or_null(f->coro);
	if (inc->exc == NULL)
		inc->exc = dup_or_null(f->exc);
	if ((strcmp(f->kind, "nested_run") == 0 ||
	    strcmp(f->kind, "loop_closed") == 0) && f->coro != NULL &&
	    inc->chain_coro == NULL) {
		inc->chain_coro = xstrdup(f->coro);
		inc->chain_id = f->id;
	}
	/* The traceback of a failed asyncio.run() names the function
	 * ("fetch"); the warning about the coroutine it was given has the
	 * qualname ("ConfigClient.fetch"): the finding and incident take
	 * the fuller name. */
	if (strcmp(f->kind, "never_awaited") == 0 && inc->chain_coro != NULL &&
	    inc->chain_qual == NULL && f->coro != NULL &&
	    strcmp(f->coro, inc->chain_coro) != 0 &&
	    strcmp(last_part(f->coro), last_part(inc->chain_coro)) == 0) {
		inc->chain_qual = xstrdup(f->coro);
		if (str_eq(inc->coro, inc->chain_coro)) {
			free(inc->coro);
			inc->coro = xstrdup(f->coro);
		}
	}
	if (strcmp(f->kind, KIND_STALL) == 0) {
		int64_t end = f->ts_us == TS_NONE ? TS_NONE : f->ts_us +
		    (f->duration_us > 0 ? f->duration_us : 0);

		inc->has_stall = true;
		if (end != TS_NONE && (inc->chain_end_us == TS_NONE ||
		    end > inc->chain_end_us))
			inc->chain_end_us = end;
		if (f->duration_us > inc->stall_us)
			inc->stall_us = f->duration_us;
	}
	/* the kinds, each once, in order of appearance */
	n = strlen(f->kind);
	for (k = 0; inc->kinds[k] != '\0'; ) {
		if (strncmp(inc->kinds + k, f->kind, n) == 0 &&
		    (inc->kinds[k + n] == ',' || inc->kinds[k + n] == '\0'))
			return;
		while (inc->kinds[k] != '\0' && inc->kinds[k] != ',')
			k++;
		if (inc->kinds[k] == ',')
			k++;
	}
	k = strlen(inc->kinds);
	inc->kinds = xrealloc(inc->kinds, k + n + 2);
	if (k > 0)
		inc->kinds[k++] = ',';
	memcpy(inc->kinds + k, f->kind, n + 1);
}

static struct incident *
incident_new(struct corr *c, const struct store_loose *f)
{
	struct incident	*inc;

	c->open = xgrow(c->open, &c->cap, c->nopen + 1, sizeof(*c->open));
	inc = &c->open[c->nopen++];
	memset(inc, 0, sizeof(*inc));
	inc->first_us = inc->last_us = inc->chain_end_us = TS_NONE;
	inc->stall_us = -1;
	inc->kinds = xcalloc(1, 1);
	inc->key = signature(f);
	inc->set_path = dup_or_null(f->set_path);
	return inc;
}

/* "never_retrieved ×2: Task-8 WebWorkerPool.send_metrics raised
 * ConnectionRefusedError" */
static char *
incident_summary(const struct incident *inc)
{
	struct buf	 b;
	char		*out;
	const char	*k;

	/* room for all of it: " + " for each comma, the names whole, the
	 * count and the stall's seconds */
	buf_init(&b, 3 * strlen(inc->kinds) + (inc->task ? strlen(inc->task) :
	    0) + (inc->coro ? strlen(inc->coro) : 0) + (inc->exc ?
	    strlen(inc->exc) : 0) + 128);
	for (k = inc->kinds; *k != '\0'; k++)
		if (*k == ',')
			buf_adds(&b, " + ");
		else
			buf_addc(&b, *k);
	if (inc->count > 1)
		buf_printf(&b, " \xc3\x97%lld", (long long)inc->count);
	buf_adds(&b, ":");
	if (inc->task != NULL)
		buf_printf(&b, " %s", inc->task);
	if (inc->coro != NULL)
		buf_printf(&b, " %s", inc->coro);
	if (inc->exc != NULL)
		buf_printf(&b, " raised %s", inc->exc);
	if (inc->stall_us >= 0)
		buf_printf(&b, " stalled %.3f s", (double)inc->stall_us / 1e6);
	if (inc->task == NULL && inc->coro == NULL && inc->exc == NULL &&
	    inc->stall_us < 0)
		buf_adds(&b, " (no task or coroutine named)");
	assert(!b.capped);
	out = xstrndup(b.data, b.len);
	buf_release(&b);
	return out;
}

/* Write incident i, link its findings, and drop it from the open set. */
static int
correlate_close(struct corr *c, size_t i, struct err *e)
{
	struct incident		*inc = &c->open[i];
	char			*summary = incident_summary(inc);
	struct store_incident	 out;
	int			 rc;

	out.first_us = inc->first_us;
	out.last_us = inc->last_us;
	out.severity = inc->severity;
	out.kinds = inc->kinds;
	out.key = inc->key;
	out.task = inc->task;
	out.coro = inc->coro;
	out.summary = summary;
	out.set_path = inc->set_path;
	out.count = inc->count;
	out.members = inc->members;
	out.nmembers = inc->nmembers;
	out.chain_qual = inc->chain_qual;
	out.chain_id = inc->chain_id;
	rc = store_incidents_add(c->w, &out, e);
	free(summary);
	incident_release(inc);
	c->open[i] = c->open[--c->nopen];
	return rc;
}

/* Close the incidents nothing at time now can join any more. */
static int
correlate_expire(struct corr *c, int64_t now, struct err *e)
{
	size_t	i;

	for (i = 0; i < c->nopen; ) {
		struct incident	*inc = &c->open[i];
		int64_t		 last = inc->last_us;

		if (inc->chain_end_us != TS_NONE && inc->chain_end_us > last)
			last = inc->chain_end_us;
		if (now != TS_NONE && last != TS_NONE &&
		    now - last > c->window_us) {
			if (correlate_close(c, i, e) == -1)
				return -1;
		} else
			i++;
	}
	return 0;
}

int
correlate_run(struct store *s, int64_t since_us, int64_t window_us,
    struct err *e)
{
	struct corr		 c;
	struct incident		*inc;
	struct store_loose	 f;
	int			 rc = -1, more;

	memset(&c, 0, sizeof(c));
	c.window_us = window_us > 0 ? window_us : 60000000;
	if ((c.w = store_incidents_rebuild(s, since_us, c.window_us, e)) ==
	    NULL)
		goto out;
	while ((more = store_incidents_next(c.w, &f, e)) == 1) {
		if (f.ts_us != TS_NONE && correlate_expire(&c, f.ts_us, e) ==
		    -1)
			goto out;
		if ((inc = pick(&c, &f)) == NULL)
			inc = incident_new(&c, &f);
		incident_add(inc, &f);
	}
	if (more == -1)
		goto out;
	while (c.nopen > 0)
		if (correlate_close(&c, c.nopen - 1, e) == -1)
			goto out;
	rc = 0;
out:
	while (c.nopen > 0) {
		incident_release(&c.open[c.nopen - 1]);
		c.nopen--;
	}
	free(c.open);
	store_incidents_end(c.w);
	return rc;
}
