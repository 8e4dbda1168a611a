#ifndef FLEET_SHIP_H
#define FLEET_SHIP_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "store/outbox.h"
#include "store/store.h"

/*
 * ship: send what changed in a host's database since the destination's
 * cursor (findings, incidents, per-minute counts, then a host row) as
 * JSONEachRow: to ClickHouse over HTTP (gzip), or piped to a command
 * (--exec) once per table, with $AIOSIFT_TABLE naming it. The cursor
 * moves, and the outbox is trimmed, only after every request succeeded
 * (HTTP 200, or the command exited 0): a failure or a crash anywhere
 * resends the same rows, which the fleet's ReplacingMergeTree(ver)
 * collapses.
 */

struct ship_opts {
	const char	*url;		/* --to, or NULL */
	const char	*exec;		/* --exec COMMAND, or NULL */
	const char	*host;		/* the host column */
	const char	*user;		/* NULL: the server's default */
	const char	*password;	/* NULL: none */
	long		 timeout_ms;
};

struct ship_stats {
	int64_t	rows[OUTBOX_NTABLES];	/* sent, deletions included */
	int64_t	deleted;		/* of them, deletions */
	bool	full;			/* no cursor yet: the whole state */
	int64_t	requests;		/* POSTs or command runs */
};

/* This host's name (gethostname(), else "localhost") in buf. */
const char	*ship_hostname(char *buf, size_t n);

/* The name of o's destination, whose cursor ship_run() moves:
 * "HOST URL" or "HOST exec:COMMAND". */
void	ship_dest(struct buf *b, const struct ship_opts *o);

/* Ship once. 0, or -1 with *e (STATUS_REMOTE for the destination's
 * failures, STATUS_DB for the database's): the cursor is then unchanged. */
int	ship_run(struct store *s, const struct ship_opts *o,
	    struct ship_stats *st, struct err *e);

/* Append s (n bytes, any bytes) as a JSON string to b: " \ and control
 * characters escaped, every other byte as it is, so ClickHouse stores
 * invalid UTF-8 byte-exact. */
void	ship_json_str(struct buf *b, const char *s, size_t n);

#endif
