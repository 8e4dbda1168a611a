#ifndef INGEST_SAMPLE_H
#define INGEST_SAMPLE_H

#include "common/err.h"
#include "common/record.h"

/* One log file cut into records as ingest cuts them (reader, layout
 * detected or named, splitter), with no database: what `rules test` tries
 * the rules on. Records come in file order, each valid until the next
 * call. */
struct sample;

/* Open path (plain or gzip; "-" is stdin) with the layout named format
 * (NULL or "auto": detected from the first lines). NULL with *e: an
 * unknown layout (STATUS_USAGE) or a file that cannot be opened
 * (STATUS_INPUT). */
struct sample	*sample_open(const char *path, const char *format,
		    struct err *e);

/* The next record into *r: 1; 0 at the end; -1 with *e (STATUS_INPUT)
 * when the file could not be read further. After -1 the records cut so
 * far are still returned by the next calls, then 0. */
int	sample_next(struct sample *s, const struct record **r, struct err *e);

/* The layout's name: given, detected, or "none" before detection. */
const char	*sample_layout_name(const struct sample *s);

void	sample_close(struct sample *s);

#endif
