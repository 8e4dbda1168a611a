#ifndef STORE_INCIDENTS_H
#define STORE_INCIDENTS_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "store/store.h"

/*
 * Rebuilding incidents: the SQL of correlation (rules/correlate.c keeps
 * the rules). A rebuild forgets the incidents from a time on, reads the
 * findings left without one in time order and writes the incidents the
 * rules make of them, all inside the caller's transaction.
 */

/* A finding without an incident, as read back: strings are loans valid
 * until the next store_incidents_next(). */
struct store_loose {
	int64_t		 id;
	int64_t		 ts_us;		/* TS_NONE when none */
	int64_t		 duration_us;	/* -1 when none */
	int		 severity;
	const char	*kind;		/* "unknown" when none */
	const char	*task, *coro, *exc;
	const char	*set_path;	/* its source's rotation set */
};

/* An incident to write. */
struct store_incident {
	int64_t		 first_us, last_us;	/* TS_NONE: no time */
	int		 severity;
	const char	*kinds, *key, *task, *coro, *summary, *set_path;
	int64_t		 count;
	const int64_t	*members;	/* its findings' ids; the first's
					 * fleet id is the incident's */
	size_t		 nmembers;
	const char	*chain_qual;	/* NULL, or the qualname finding */
	int64_t		 chain_id;	/* chain_id's coroutine becomes */
};

struct store_incidents;

/* Start a rebuild of the incidents of the findings at or after since_us
 * (INT64_MIN: all), moved back to the first finding of any incident that
 * a finding at since_us could still have joined (window_us after its
 * last): those incidents are forgotten and their findings loosed. NULL
 * with *e. */
struct store_incidents *store_incidents_rebuild(struct store *s,
	    int64_t since_us, int64_t window_us, struct err *e);
/* The next loose finding in time order (then id) into *f: 1, 0 at the
 * end, -1 with *e. */
int	store_incidents_next(struct store_incidents *w, struct store_loose *f,
	    struct err *e);
/* Write incident inc and link its findings to it; with chain_qual, name
 * finding chain_id's coroutine so. 0 or -1 with *e. */
int	store_incidents_add(struct store_incidents *w,
	    const struct store_incident *inc, struct err *e);
void	store_incidents_end(struct store_incidents *w);

#endif
