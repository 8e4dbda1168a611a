#ifndef QUERY_REPORT_H
#define QUERY_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "store/store.h"

/* A period's summary: gathered into a struct report from this host's
 * database by report_build() (report_gather.c), or from elsewhere by
 * another gatherer (the fleet's, fleet/fquery.c), then written as text,
 * markdown, JSON (report.c) or HTML (html.c). All strings are the
 * report's (report_release frees them), NULL when the log did not say. */

#define REPORT_TOP		10	/* rows in each top list */
#define REPORT_MAX_INCIDENTS	50	/* listed; the rest are counted */
#define REPORT_MAX_UNDATED	50	/* listed; the rest are counted */

struct report_kind {
	char	*kind;
	int64_t	 n, prev;	/* in the period, in the one before */
	int	 sev;		/* worst severity in the period */
};

struct report_sig {		/* a kind+coro+exception first seen now */
	char	*kind, *coro, *exception;
	int64_t	 n, first_us;
	int	 sev;
};

struct report_top {
	char	*name;
	int64_t	 n;
	int	 sev;
};

struct report_stall {
	int64_t	 ts_us, duration_us, line;
	char	*task, *coro, *source, *message;
};

struct report_incident {
	int64_t	 id, first_us, last_us, count;
	int	 sev;
	char	*kinds, *task, *coro, *summary;
};

struct report_undated {		/* a finding whose record had no time */
	int64_t	 found_us, line;
	int	 sev;
	char	*source, *kind, *task, *coro, *exception, *message;
};

struct report_bucket {
	int64_t	 findings;	/* other than stalls */
	int64_t	 stalls;
};

struct report {
	char			*db;		/* the database's path */
	int64_t			 since_us, until_us, prev_us;
	int64_t			 total, prev_total;
	bool			 late;		/* findings stored in the period
						 * but logged before it count */
	bool			 local;		/* times in the local zone */
	int64_t			 nlate;		/* of total: logged before */
	int64_t			 nundated;	/* of total: with no time */
	struct report_undated	*undated;
	size_t			 nundated_shown;
	int			 worst;		/* 0: no findings */
	int64_t			 nincidents;
	struct report_kind	*kinds;
	size_t			 nkinds;
	struct report_sig	*sigs;
	size_t			 nsigs;
	struct report_top	*tasks, *coros;
	size_t			 ntasks, ncoros;
	struct report_stall	*stalls;
	size_t			 nstalls;
	struct report_incident	*incidents;
	size_t			 nshown;	/* incidents listed */
	/* the timeline: nbuckets of bucket_us from start_us */
	int64_t			 start_us, bucket_us;
	struct report_bucket	*buckets;
	size_t			 nbuckets;
};

/* Fill *r for [since_us, until_us) from s: 0, or -1 with *e. A
 * finding is in the period when its time is; one with no time when it
 * was stored in the period; with late, also one stored in the period
 * but logged before it (a bookmark's report: it was not there when the
 * period before was reported). local: the writers show local times. */
int	report_build(struct report *r, struct store *s, int64_t since_us,
	    int64_t until_us, bool late, bool local, struct err *e);
void	report_release(struct report *r);

/* Read an incident's row into *i: the columns id, first_us, last_us,
 * count, severity, kinds, task, coro, summary, in this order. */
void	report_incident_read(struct report_incident *i, sqlite3_stmt *st);

/* The timeline, for any gatherer. It covers the period when that is a
 * week or less, else (report_timeline_spans_findings()) the span of the
 * period's findings with a time, first to last plus 1 us: pass that
 * span to report_timeline_layout(), which sets start_us, bucket_us and
 * nbuckets and allocates the buckets, then count each bucket's findings
 * with report_timeline_add() (bucket: (ts_us - start_us) / bucket_us;
 * one out of range is ignored). */
bool	report_timeline_spans_findings(const struct report *r);
void	report_timeline_layout(struct report *r, int64_t lo, int64_t hi);
void	report_timeline_add(struct report *r, int64_t bucket, bool stall,
	    int64_t n);

/* For the writers: a time to the second, or to the millisecond when it
 * has them, in buf (NULL for TS_NONE); a severity's name, "none" for 0. */
#define REPORT_TIME_LEN	40
const char	*report_time(char buf[REPORT_TIME_LEN], int64_t us, bool local);
const char	*report_sevname(int sev);

/* Write r to f as plain text (untrusted text escaped for a terminal),
 * markdown, or one JSON object. */
void	report_text(FILE *f, const struct report *r);
void	report_markdown(FILE *f, const struct report *r);
void	report_json(FILE *f, const struct report *r);
/* One self-contained HTML page (html.c). */
void	report_html(FILE *f, const struct report *r);

#endif
