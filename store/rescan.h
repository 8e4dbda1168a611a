#ifndef STORE_RESCAN_H
#define STORE_RESCAN_H

#include <stdint.h>

#include "common/err.h"
#include "common/finding.h"
#include "common/record.h"
#include "store/store.h"

/*
 * A rescan's reads and writes (aiosift rescan): the findings the rules
 * made forgotten (gap stalls stay) with every incident, the stored
 * records read back in order, and the new findings stored. Inside the
 * caller's transaction.
 */
struct store_rescan;

/* Forget the incidents and every finding but the gap stalls, and start
 * reading the records. NULL with *e. */
struct store_rescan	*store_rescan_start(struct store *s, struct err *e);
/* The next stored record into *r (its spans loans valid until the next
 * call), its id and source: 1, 0 at the end, -1 with *e. */
int	store_rescan_next(struct store_rescan *w, struct record *r,
	    int64_t *id, int64_t *source_id, struct err *e);
/* Store finding f of record id (of source source_id, r as read);
 * ordinal as for store_finding_bind(). 0 or -1 with *e. */
int	store_rescan_add(struct store_rescan *w, int64_t id,
	    int64_t source_id, const struct record *r,
	    const struct finding *f, int64_t ordinal, struct err *e);
/* The rotation set of source id in *set_path (the caller's to free;
 * NULL when it has none or there is no such source). 0 or -1 with *e. */
int	store_rescan_set_of(struct store_rescan *w, int64_t id,
	    char **set_path, struct err *e);
void	store_rescan_end(struct store_rescan *w);

#endif
