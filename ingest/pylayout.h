#ifndef INGEST_PYLAYOUT_H
#define INGEST_PYLAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/record.h"
#include "ingest/pattern.h"
#include "ingest/template.h"

/* The layouts of Python's logging module and the libraries around it: a
 * header line starts with a time (asctime, ISO-8601, tornado's and
 * celery's heads) or, untimed, with the fields (basicConfig's
 * LEVEL:logger:msg); the fields after it are read by an inferred
 * template, else by a table of field patterns tried in order. */

/* The field patterns in the table. */
#define PYLAYOUT_PATTERNS	16

/* The field patterns of one layout, compiled, the preferred one first. */
struct pylayout {
	bool		 untimed;	/* patterns without the time */
	int		 first;		/* table index tried first, or -1 */
	struct pattern	*pats;		/* tried in order; shared, not owned */
	int		*index;		/* pats[k]'s table index */
	size_t		 npats;
	struct template	 tpl;		/* inferred fields, tried before
					 * pats; n 0: none */
};

/* Fill *py with the table's patterns (the untimed ones when untimed),
 * table index first (or -1) ahead of the others. */
void	pylayout_init(struct pylayout *py, bool untimed, int first);
void	pylayout_release(struct pylayout *py);
/* The longest pattern name. */
#define PYLAYOUT_NAME_MAX	15

/* The name of the table's pattern i (stable across versions: what a
 * layout spec stores), or NULL when there is no pattern i. */
const char	*pylayout_pattern_name(int i);
/* The table index of the pattern named name[0..n), or -1. */
int		 pylayout_pattern_named(const char *name, size_t n);
/* The table index of the pattern a spec written before patterns had
 * names ("p=12") meant by its index, or -1. */
int		 pylayout_pattern_v1(long index);
/* Whether table index i is a pattern an untimed layout may use. */
bool	pylayout_untimed_ok(int i);

/* Whether line[0..n) is a timed header of py: fill rec's ts_us (TS_NONE
 * and RECORD_BAD_TIME for an impossible time), fields and message. */
bool	pylayout_timed(const struct pylayout *py, struct pattern_run *r,
	    const char *s, size_t n, struct record *rec);
/* Whether line[0..n) starts with a level prefix py's patterns read. */
bool	pylayout_untimed(const struct pylayout *py, struct pattern_run *r,
	    const char *s, size_t n, struct record *rec);
/* A time at the start of s: "2026-...", "[2026-...]", "Nov 24 ...", a
 * tornado or celery head; *used its length. An impossible ISO time
 * ("2026-13-45 ...") is one with *ts TS_NONE. */
bool	pylayout_time(const char *s, size_t n, int64_t *ts, size_t *used);

#endif
