#ifndef INGEST_COUNTS_H
#define INGEST_COUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/record.h"
#include "store/store.h"

/* Per-minute counts of records by level and logger, for a source: a small
 * cache, added to the database's counts when full and at each commit. */

#define COUNT_SLOTS		64	/* (minute, level, logger) cached */
#define COUNT_LEVEL_MAX		16	/* bytes of a level name, NUL too */
#define COUNT_LOGGER_MAX	112	/* bytes of a logger name, NUL too */

struct count_slot {
	int64_t	minute;
	char	level[COUNT_LEVEL_MAX];
	char	logger[COUNT_LOGGER_MAX];
	size_t	level_n, logger_n;
	int64_t	n;
};

struct counts {
	struct count_slot	slots[COUNT_SLOTS];
	size_t			n;
	size_t			last;	/* the slot hit last */
	int64_t			cut;	/* names cut to their cap */
};

/* Count r in its minute; false when the cache is full (counts_flush(),
 * then again). */
bool	counts_add(struct counts *c, const struct record *r);

/* Add the cached counts to source_id's in the database and empty the
 * cache. 0 or -1 with *e (the cache is emptied anyway). */
int	counts_flush(struct counts *c, struct store *s, int64_t source_id,
	    struct err *e);

#endif
