/*
 * ring: the context ring (see ring.h).
 */
#include "ingest/ring.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

void
ring_clear(struct ring *rg)
{
	rg->len = 0;
	rg->head = 0;
	rg->bytes = 0;
}

void
ring_release(struct ring *rg)
{
	size_t	i;

	for (i = 0; i < rg->cap; i++)
		free(rg->v[i].data);
	free(rg->v);
	rg->v = NULL;
	rg->cap = 0;
	ring_clear(rg);
}

struct kept *
ring_at(struct ring *rg, size_t i)
{
	return &rg->v[(rg->head + i) % rg->cap];
}

static void
ring_drop_oldest(struct ring *rg)
{
	struct kept	*k = ring_at(rg, 0);

	rg->bytes -= k->rec.text.n + k->rec.message.n;
	rg->head = (rg->head + 1) % rg->cap;
	rg->len--;
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

struct kept *
ring_push(struct ring *rg, const struct record *r, int64_t id, size_t cap)
{
	struct kept	*k;
	size_t		 need, pos;

	if (rg->cap != cap) {
		ring_release(rg);
		rg->v = xcalloc(cap, sizeof(*rg->v));
		rg->cap = cap;
	}
	if (rg->len == cap)
		ring_drop_oldest(rg);
	while (rg->len > 0 && rg->bytes + r->text.n + r->message.n >
	    RING_BYTES) {
		ring_drop_oldest(rg);
		rg->capped++;
	}
	k = ring_at(rg, rg->len);
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
	rg->len++;
	rg->bytes += r->text.n + r->message.n;
	return k;
}

struct kept *
ring_find_time(struct ring *rg, int64_t ts_us)
{
	size_t	i;

	for (i = rg->len; i-- > 0;) {
		struct kept *k = ring_at(rg, i);

		if (k->rec.ts_us == ts_us)
			return k;
		if (k->rec.ts_us != TS_NONE && k->rec.ts_us < ts_us)
			break;
	}
	return NULL;
}
