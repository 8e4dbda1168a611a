#ifndef INGEST_RING_H
#define INGEST_RING_H

#include <stddef.h>
#include <stdint.h>

#include "common/record.h"

/*
 * The context ring: copies of the last records of the file being read,
 * oldest first. It holds the context --keep context stores before a
 * finding, and the record a gap stall is dated at (decided records
 * later); a resumed run rebuilds it by reading again from its oldest
 * record.
 */

#define RING_BYTES	(8 * 1024 * 1024)	/* memory cap: the oldest
						 * records go first */

/* A record copied out of the splitter. */
struct kept {
	struct record	 rec;	/* spans point into data */
	char		*data;
	size_t		 size;
	int64_t		 id;	/* records.id once stored, else 0 */
};

struct ring {
	struct kept	*v;
	size_t		 cap, len, head;
	size_t		 bytes;		/* of text and message held */
	int64_t		 capped;	/* records dropped for RING_BYTES
					 * before their turn */
};

/* Forget the records, keeping the memory. */
void		 ring_clear(struct ring *rg);
void		 ring_release(struct ring *rg);
/* The i-th oldest record (i < rg->len). */
struct kept	*ring_at(struct ring *rg, size_t i);
/* Copy r (stored as records.id id, 0: not stored) in as the newest
 * record of a ring of cap records, dropping the oldest when it holds cap
 * records or RING_BYTES. */
struct kept	*ring_push(struct ring *rg, const struct record *r, int64_t id,
		    size_t cap);
/* The newest record of time ts_us (a gap stall's start), searching back
 * to the first older time; NULL when it left the ring. */
struct kept	*ring_find_time(struct ring *rg, int64_t ts_us);

#endif
