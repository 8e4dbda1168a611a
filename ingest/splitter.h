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
 * ends too; a line longer than the line cap is kept cut, flagged, and a
 * record keeps at most SPLITTER_RECORD_CAP bytes (later lines are counted
 * in nlines and end but left out of text, flagged RECORD_TRUNCATED).
 *
 * record.text is the record as written (without its final line end);
 * record.message is a suffix of text for plain line layouts (so text +
 * offset stores both), but a separate, synthesized string for JSON (the
 * decoded message, then exception/stack text, then any non-JSON
 * continuation lines) and for layouts with a per-line prefix (container,
 * syslog: the prefix left out of every line). Test with
 * message.p >= text.p && message.p < text.p + text.n when it matters.
 *
 * A record without a time of its own takes the previous record's time in
 * the same stream, flagged RECORD_TS_INFERRED (TS_NONE if there is none).
 * A stream whose first line is not a header (a file that starts in the
 * middle of a traceback) gives a first record flagged RECORD_NO_HEADER.
 *
 * Memory is bounded when splitter_next() is called until NULL after each
 * splitter_feed(): the pending record (at most the record cap plus a
 * line), the open line (at most the line cap) and the last block fed. */
struct splitter;

#define SPLITTER_LINE_CAP	(1024 * 1024)	/* bytes kept of one line */
#define SPLITTER_RECORD_CAP	(4 * 1024 * 1024) /* bytes kept of a record */

/* A splitter for one file. layout may be NULL: detected from the first
 * bytes fed (the splitter owns a detected layout, never a given one). */
struct splitter	*splitter_new(struct layout *layout);
void		 splitter_free(struct splitter *sp);

/* Where the bytes about to be fed start in the file (after a resume):
 * byte offset and 1-based line number. Drops anything pending. */
void	splitter_start(struct splitter *sp, int64_t offset, int64_t line);

/* Hand on bytes; the splitter copies what it must keep. */
void	splitter_feed(struct splitter *sp, const char *p, size_t n);

/* The next complete record, or NULL when more bytes are needed. A record
 * is complete when the next header line begins; with at_end (no more
 * bytes will come: a rotated file, or the live file's current end), the
 * last record is complete too if its last line ends in a newline, and
 * with at_end == SPLITTER_FLUSH_ALL even without one. With
 * SPLITTER_AT_END an unterminated last line is never returned: the
 * record before it is returned only if that line already reads as a
 * header to the layout (otherwise it may yet be a continuation and waits
 * with it). The end of the last record returned is where the next
 * run resumes. The record and its spans are valid until the next
 * splitter_next() or splitter_feed(). */
#define SPLITTER_MORE		0
#define SPLITTER_AT_END		1
#define SPLITTER_FLUSH_ALL	2
const struct record	*splitter_next(struct splitter *sp, int at_end);

/* Bytes the splitter holds now (pending input and its buffer's spare
 * room): what the memory bound is about. */
size_t	splitter_held(const struct splitter *sp);

/* A note on how the layout split the file so far, for the end of a
 * file: its patterns gave up on lines (their match limit), or, for a
 * user's header regex, of the first lines it left a tenth or more as
 * continuations where the detected (timed or JSON) layout starts a
 * record. True with *e (STATUS_OK) filled, naming path. */
bool	splitter_note(const struct splitter *sp, const char *path,
	    struct err *e);

/* The layout in use (detected or given), NULL before detection. */
const struct layout	*splitter_layout(const struct splitter *sp);

#endif
