#ifndef CLI_REPORT_OUT_H
#define CLI_REPORT_OUT_H

#include <stdio.h>

#include "common/err.h"
#include "query/prometheus.h"
#include "query/report.h"

/* The formats of `aiosift report`, in the order of its --format names. */
enum report_format { RF_TEXT, RF_MARKDOWN, RF_JSON, RF_HTML, RF_PROMETHEUS };

/* Write r to f in fmt (p: the Prometheus figures, for RF_PROMETHEUS). */
void	report_write(FILE *f, const struct report *r,
	    const struct prometheus *p, enum report_format fmt);

/* Write r to path through a temporary file in the same folder, flushed
 * to disk before it replaces path: a reader sees the old page or the new
 * one, never half of one. 0 or -1 with *e (STATUS_INPUT). */
int	report_out(const char *path, const struct report *r,
	    const struct prometheus *p, enum report_format fmt, struct err *e);

#endif
