#ifndef INGEST_PREFIX_H
#define INGEST_PREFIX_H

#include <stdbool.h>
#include <stddef.h>

#include "common/record.h"

/* A per-line prefix that a runtime, a collector or a handler puts before
 * every line a program wrote: syslog and journald (Heroku's too), the
 * container runtimes (docker-compose, CRI, pm2, "stderr: "), a CI
 * runner's time, one blank, RichHandler's columns. */

/* The values are stored in layout specs ("o=1"): never renumber them;
 * a new prefix takes the next value. */
enum prefix {
	PREFIX_NONE = 0,
	PREFIX_SYSLOG = 1,	/* syslog or journald short-iso */
	PREFIX_COMPOSE = 2,	/* docker-compose "name  | " */
	PREFIX_CRI = 3,		/* CRI "TIME stdout F " */
	PREFIX_CONTAINER = 4,	/* either container prefix, per line */
	PREFIX_INDENT = 5,	/* one blank before every line */
	PREFIX_STREAM = 6,	/* "stderr: ", pm2's "2|app  | " */
	PREFIX_TSTAMP = 7,	/* "docker logs -t", CI runners: "TIME " */
	PREFIX_RICH = 8		/* RichHandler's "[TIME] LEVEL    " columns */
};
#define PREFIX_LAST	PREFIX_RICH

/* The length of line[0..n)'s prefix of kind p (0 when the line lacks
 * it); a time, pid or level it carries goes into rec's ts_us, pid or
 * level. rich_w: PREFIX_RICH's width of its time and level columns. */
size_t	prefix_strip(enum prefix p, size_t rich_w, const char *line,
	    size_t n, struct record *rec);

/* Whether line[0..n) is a CRI partial line ("TIME stdout P ") of a
 * layout with prefix p: the runtime cut a long line, and the next line
 * of the stream goes on with it. */
bool	prefix_partial(enum prefix p, const char *line, size_t n);

/* How much of a RichHandler line[0..n) (its columns left out) belongs in
 * a record's message: Rich's padding and, on a header line (first), its
 * file:line column dropped. */
size_t	prefix_rich_keep(const char *line, size_t n, bool first);

/* Detection: what the first lines of a file look like. Plain data. */
struct prefix_votes {
	size_t	lines;			/* lines voted with */
	size_t	syslog, syslog_iso;	/* syslog lines; of them ISO-timed */
	size_t	compose, cri, stream, tstamp, tstamp_cont, indent, indent1;
	size_t	rich, rich_timed, rich_w;
};
/* Vote with the non-empty line s[0..n); v starts zeroed. */
void		prefix_vote(struct prefix_votes *v, const char *s, size_t n);
/* The prefix most lines carry, or PREFIX_NONE. fields: the lines a
 * logging layout's fields read best (a syslog time wins only over
 * fewer). */
enum prefix	prefix_choose(const struct prefix_votes *v, size_t fields);

#endif
