#ifndef QUERY_PROMETHEUS_H
#define QUERY_PROMETHEUS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "query/report.h"
#include "store/lastrun.h"
#include "store/store.h"

/* `report --format prometheus`: a report's period as metrics in the text
 * exposition format (0.0.4), for node_exporter's textfile collector. The
 * figures a struct report lacks are read by prometheus_build(). */

struct prometheus_count {
	char	*kind;
	int	 sev;
	int64_t	 n;		/* in the period; 0 for a pair seen before */
};

struct prometheus {
	struct prometheus_count	*counts;	/* every kind and severity */
	size_t			 ncounts;	/* ever stored */
	int64_t			 incidents[5];	/* open, by severity 1-4 */
	struct lastrun		 last;
	bool			 have_last;	/* an ingest recorded it */
};

/* Fill *p for r's period from s: 0, or -1 with *e. */
int	prometheus_build(struct prometheus *p, struct store *s,
	    const struct report *r, struct err *e);
void	prometheus_release(struct prometheus *p);

/* Write the metrics of r and p to f; untrusted text in label values is
 * escaped as the format asks, invalid UTF-8 and control characters
 * replaced with U+FFFD. */
void	prometheus_write(FILE *f, const struct report *r,
	    const struct prometheus *p);

#endif
