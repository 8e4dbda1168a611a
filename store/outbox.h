#ifndef STORE_OUTBOX_H
#define STORE_OUTBOX_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "common/err.h"
#include "store/store.h"

/*
 * outbox: the SQLite side of shipping to a fleet. Triggers append every
 * change of a finding, incident or count to the outbox (schema steps 4 and
 * 5), while some destination has a cursor;
 * a destination's cursor is the last outbox seq it acknowledged. The
 * rows to send are SELECTs whose column names are the fleet tables'
 * columns: one row per changed key with its state now, or, for a key
 * that is gone, a deletion (deleted = 1) at the time it had, so that the
 * fleet's ReplacingMergeTree(ver) keeps the latest. ver is the outbox
 * seq of the key's last change (all of them, for a destination that has
 * no cursor yet: it gets the whole state).
 *
 * signature_days is derived: for each UTC day in which a finding changed,
 * every signature (kind, coro, exception; '' for none) the host has that
 * day, with its first time and count, all at ver = the last seq, plus a
 * row of kind '' for a day left with none. The fleet takes a host's day
 * as its rows of the greatest ver, so a signature whose findings were
 * all withdrawn (a rule turned off, rescan) is no longer seen.
 */

enum outbox_table {
	OUTBOX_FINDINGS,
	OUTBOX_INCIDENTS,
	OUTBOX_COUNTS,
	OUTBOX_SIGNATURE_DAYS,	/* derived: each changed day's signatures */
	OUTBOX_NTABLES
};

/* The fleet table name of t: "findings", "incidents", "counts",
 * "signature_days". */
const char	*outbox_table_name(enum outbox_table t);

/* The cursor of dest (-1: none yet), the time of its last ship (0:
 * none) and the outbox's last seq, read in the caller's transaction. */
int	outbox_cursor(struct store *s, const char *dest, int64_t *cursor,
	    int64_t *prev_us, int64_t *last, struct err *e);

/* A statement over the rows of table t that changed after cursor up to
 * last (cursor -1: every row, as of now, ver = last), for the caller to
 * step and finalize; NULL with *e. */
sqlite3_stmt	*outbox_rows(struct store *s, enum outbox_table t,
		    int64_t cursor, int64_t last, struct err *e);

/* Make dest's cursor, if it has none, before its first read: from then
 * on the outbox keeps every change (it keeps none while no destination
 * has a cursor). In a write transaction of its own. */
int	outbox_register(struct store *s, const char *dest, struct err *e);

/* Forget dest's cursor if it never shipped (a first ship failed), and
 * the outbox when no destination is left. Best effort: a failure leaves
 * a cursor that holds back no trimming. */
void	outbox_unregister(struct store *s, const char *dest);

/* Forget dest's cursor (*found tells whether it had one) and drop the
 * outbox rows no destination left still needs: all of them when none is
 * left. The bound on the outbox for a destination that will never ship
 * again, which would hold every change back. In a write transaction of
 * its own. */
int	outbox_forget(struct store *s, const char *dest, bool *found,
	    struct err *e);

/* A statement over the destinations: dest, its cursor (-1: never
 * shipped), its last ship (us, 0: none) and the outbox rows it has not
 * taken yet, by dest; for the caller to step and finalize. */
sqlite3_stmt	*outbox_destinations(struct store *s, struct err *e);

/* Move dest's cursor to seq (never back), note now_us as its last ship,
 * and drop the outbox rows every destination has taken, in a write
 * transaction of its own. */
int	outbox_advance(struct store *s, const char *dest, int64_t seq,
	    int64_t now_us, struct err *e);

#endif
