#ifndef FLEET_FQUERY_H
#define FLEET_FQUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "fleet/clickhouse.h"
#include "query/filter.h"
#include "query/output.h"
#include "query/report.h"

/*
 * fquery: the questions of `aiosift query` and `report`, asked of the
 * fleet on ClickHouse. Every read uses FINAL and leaves deleted rows
 * out; filters are the local ones (struct filter) plus a host GLOB, and
 * since ClickHouse 18.16 has no query parameters, every user value is
 * pasted as an escaped literal (clickhouse_quote()), globs as anchored
 * regular expressions. Results go through query/output, as locally,
 * with a host column.
 */

struct fquery {
	struct clickhouse	*ch;
	char			*db;		/* the URL's database */
	const char		*host;		/* --host GLOB, or NULL */
	char			*shown;		/* "URL" for reports */
};

/* Connect to url (http://HOST:8123/?database=NAME) as user with the
 * password of password_file (either may be NULL). */
int	fquery_open(struct fquery *q, const char *url, const char *host,
	    const char *user, const char *password_file, long timeout_ms,
	    struct err *e);
void	fquery_close(struct fquery *q);

enum fquery_what {
	FQ_FINDINGS, FQ_STALLS, FQ_INCIDENTS, FQ_TASKS, FQ_TOP, FQ_HOSTS
};

struct fquery_out {
	enum output_format	 fmt;
	int			 flags;		/* OUTPUT_COLOR, OUTPUT_LOCAL */
	const char		*by;		/* query top --by */
	int64_t			 now_us;	/* hosts: silent since when */
};

/* Ask one question, writing its rows to stdout. */
int	fquery_ask(struct fquery *q, enum fquery_what what,
	    const struct filter *f, const struct fquery_out *o,
	    struct err *e);

/* Fill *r as report_build() does, from the fleet. */
int	fquery_report(struct fquery *q, struct report *r, int64_t since_us,
	    int64_t until_us, struct err *e);

/* Append to sql an anchored RE2 regular expression, quoted, matching
 * what the SQLite GLOB pattern g matches (* ? [...] [^...]). */
void	fquery_glob(struct buf *sql, const char *g);

#endif
