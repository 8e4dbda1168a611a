/*
 * counts: per-minute record counts (see counts.h).
 */
#include "ingest/counts.h"

#include <string.h>

#include "store/sources.h"

static bool
count_slot_is(const struct count_slot *c, int64_t minute, struct span level,
    struct span logger)
{
	return c->minute == minute && c->level_n == level.n &&
	    c->logger_n == logger.n &&
	    memcmp(c->level, level.p, level.n) == 0 &&
	    memcmp(c->logger, logger.p, logger.n) == 0;
}

/* sp cut to a name of cap bytes with its NUL; counted in *cut. */
static struct span
count_name(struct span sp, size_t cap, int64_t *cut)
{
	if (sp.n >= cap) {
		sp.n = cap - 1;
		(*cut)++;
	}
	return sp;
}

static void
count_copy(char *to, size_t *to_n, struct span sp)
{
	if (sp.n > 0)
		memcpy(to, sp.p, sp.n);
	to[sp.n] = '\0';
	*to_n = sp.n;
}

/* Records come in runs of few loggers, so the slot last hit is tried
 * first. */
bool
counts_add(struct counts *c, const struct record *r)
{
	struct count_slot	*cs;
	int64_t			 cut = 0;
	struct span		 level = count_name(r->level, COUNT_LEVEL_MAX,
				    &cut);
	struct span		 logger = count_name(r->logger,
				    COUNT_LOGGER_MAX, &cut);
	int64_t			 minute = r->ts_us == TS_NONE ? -1 :
				    (r->ts_us >= 0 ? r->ts_us / 60000000 :
				    (r->ts_us - 59999999) / 60000000);
	size_t			 i;

	if (c->last < c->n && count_slot_is(&c->slots[c->last], minute, level,
	    logger)) {
		c->slots[c->last].n++;
		c->cut += cut;
		return true;
	}
	for (i = c->n; i-- > 0;)
		if (count_slot_is(&c->slots[i], minute, level, logger)) {
			c->slots[i].n++;
			c->last = i;
			c->cut += cut;
			return true;
		}
	if (c->n == COUNT_SLOTS)
		return false;
	c->cut += cut;
	i = c->n++;
	cs = &c->slots[i];
	cs->minute = minute;
	count_copy(cs->level, &cs->level_n, level);
	count_copy(cs->logger, &cs->logger_n, logger);
	cs->n = 1;
	c->last = i;
	return true;
}

int
counts_flush(struct counts *c, struct store *s, int64_t source_id,
    struct err *e)
{
	struct store_count	sc;
	size_t			i;
	int			rc = 0;

	for (i = 0; i < c->n && rc == 0; i++) {
		sc.minute = c->slots[i].minute;
		sc.level = c->slots[i].level;
		sc.logger = c->slots[i].logger;
		sc.n = c->slots[i].n;
		rc = store_count_add(s, source_id, &sc, e);
	}
	c->n = 0;
	return rc;
}
