#ifndef QUERY_FILTER_H
#define QUERY_FILTER_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "common/buf.h"
#include "common/err.h"

/* Command-line filters turned into SQL: user times and durations parsed,
 * every user value bound as a parameter, never pasted into the text. */

/* A user time as UTC microseconds. Relative: a number and a unit, s m h
 * d w y ("90s", "30m", "1.5h", "7d"), meaning now_us minus that; "now".
 * Absolute: "2026-11-24 18:01:22", "2026-11-24T18:01:22.770Z",
 * "2026-11-24T18:01:22+05:30", "2026-11-24 18:01", "2026-11-24" (its
 * midnight), a comma or dot before the fraction as logs write it;
 * "18:01" or "18:01:22" is that time today, or yesterday when today's is
 * still ahead. Times without a zone are local ($TZ). 0, or -1 with *e
 * (STATUS_USAGE) naming the text. */
int	filter_time_parse(const char *s, int64_t now_us, int64_t *us,
	    struct err *e);
/* The same with times without a zone read in UTC unless local: the
 * zone the command's output shows. */
int	filter_time_parse_zone(const char *s, int64_t now_us, bool local,
	    int64_t *us, struct err *e);

/* SQL text being built and the values bound to its parameters. The text
 * holds only our own words and ?N placeholders. */
#define FILTER_MAXBINDS	48
struct filter_bind {
	bool		 is_text;
	int64_t		 i;
	const char	*s;		/* a loan until filter_sql_prepare() */
	int		 n;		/* bytes of s, or -1: up to its NUL */
};
struct filter_sql {
	struct buf		text;
	struct filter_bind	binds[FILTER_MAXBINDS];
	int			nbinds;
	bool			overflow;	/* more than FILTER_MAXBINDS */
};

void	filter_sql_init(struct filter_sql *q);
void	filter_sql_release(struct filter_sql *q);
/* Append our own SQL words (never user text). */
void	filter_sql_add(struct filter_sql *q, const char *sql);
/* Bind a value and append its placeholder "?N"; returns N, to refer to
 * the same value again with filter_sql_ref(). */
int	filter_sql_text(struct filter_sql *q, const char *s);
int	filter_sql_int(struct filter_sql *q, int64_t i);
void	filter_sql_ref(struct filter_sql *q, int n);
/* Prepare the text on db and bind the values: 0, or -1 with *e
 * (STATUS_DB, naming path). */
int	filter_sql_prepare(struct filter_sql *q, sqlite3 *db, const char *path,
	    sqlite3_stmt **st, struct err *e);

/* What the user asked for. Strings are loans from argv. A name holding
 * * ? or [ is a GLOB pattern, otherwise it must match exactly; kind is
 * a comma-separated list. */
struct filter {
	int64_t		 since_us;	/* inclusive; TS_NONE: open */
	int64_t		 until_us;	/* exclusive; TS_NONE: open */
	const char	*kind;
	int		 severity;	/* at or above; 0: any */
	const char	*task;
	const char	*coro;
	const char	*exception;
	const char	*source;	/* path, rotation set, or its tail */
	int64_t		 incident;	/* -1: any */
	int64_t		 limit;		/* 0: no limit */
};

void	filter_init(struct filter *f);

/* The column expressions of the query a filter applies to; NULL for a
 * column the query does not have (its filter is then not applied). */
struct filter_cols {
	const char	*ts;		/* compared with since and until */
	const char	*ts_end;	/* when set, a row [ts, ts_end] matches
					 * if it overlaps the period */
	const char	*found;		/* when set, a row with no ts matches
					 * when the finding of this fleet id
					 * was stored in the period */
	const char	*kind;
	const char	*kinds;		/* a list column: "a,b" or "a b" */
	const char	*severity;
	const char	*task;
	const char	*coro;
	const char	*exception;
	const char	*path;		/* sources.path */
	const char	*set_path;	/* sources.set_path */
	const char	*incident;
};

/* Append " AND cond" for each filter that is set and has a column. */
void	filter_where(const struct filter *f, const struct filter_cols *c,
	    struct filter_sql *q);
/* Append a match of column col against a name or GLOB pattern. */
void	filter_match(struct filter_sql *q, const char *col, const char *v);

#endif
