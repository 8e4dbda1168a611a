#ifndef INGEST_SPLITTER_H
#define INGEST_SPLITTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/record.h"
#include "ingest/layout.h"

/* Bytes into records: a header line and every following line that is not
 * a header (tracebacks, future:/task:/handle: lines, the source line under
 * a warning, chained-exception separators). CRLF and lone CR are line
 * ends too; a line longer than the line cap is kept cut, flagged. */
struct splitter;

#define SPLITTER_LINE_CAP	(1024 * 1024)	/* bytes kept of one line */

/* A splitter for one file. layout may be NULL: detected from the first
 * bytes fed (the splitter owns a detected layout, never a given one). */
struct splitter	*splitter_new(struct layout *layout);
void		 splitter_free(struct splitter *sp);

/* Where the bytes about to be fed start in the file (after a resume). */
void	splitter_start(struct splitter *sp, int64_t offset, int64_t line);

/* Hand on bytes; the splitter copies what it must keep. */
void	splitter_feed(struct splitter *sp, const char *p, size_t n);

/* The next complete record, or NULL when more bytes are needed. A record
 * is complete when the next header line begins; with at_end (no more
 * bytes will come: a rotated file, or the live file's current end), the
 * last record is complete too if its last line ends in a newline, and
 * with at_end == SPLITTER_FLUSH_ALL even without one. The record and its
 * spans are valid until the next splitter_next() or splitter_feed(). */
#define SPLITTER_MORE		0
#define SPLITTER_AT_END		1
#define SPLITTER_FLUSH_ALL	2
const struct record	*splitter_next(struct splitter *sp, int at_end);

/* The layout in use (detected or given), NULL before detection. */
const struct layout	*splitter_layout(const struct splitter *sp);

#endif
