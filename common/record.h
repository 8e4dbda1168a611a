#ifndef COMMON_RECORD_H
#define COMMON_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"

/* One log event as the splitter hands it on: a header line and its
 * continuation lines. Spans point into the splitter's buffers and are
 * valid until the next splitter_next(); copy what must outlive that. */

#define TS_NONE		INT64_MIN	/* the record has no known time */

#define RECORD_TRUNCATED	0x1	/* a line was cut at the line cap */
#define RECORD_BAD_UTF8		0x2	/* holds bytes that are not UTF-8 */
#define RECORD_NUL		0x4	/* holds NUL bytes */
#define RECORD_TS_INFERRED	0x8	/* ts_us taken from a neighbour */
#define RECORD_NO_HEADER	0x10	/* first line matched no header */
#define RECORD_BAD_TIME		0x20	/* a header whose time cannot be
					 * (month 13, Feb 30, before 1970):
					 * ts_us taken from a neighbour */
#define RECORD_JOINED		0x40	/* goes on in the next file of its
					 * set: a size-based rotation cut
					 * it, the rest was appended */

struct record {
	int64_t		offset;	/* byte of the first line, decompressed */
	int64_t		end;	/* byte after the record's last newline */
	int64_t		line;	/* first line's number, 1-based */
	int64_t		nlines;	/* lines in the record */
	int64_t		ts_us;	/* UTC microseconds, or TS_NONE */
	int64_t		pid;	/* process id, or -1 */
	unsigned	flags;	/* RECORD_* */
	struct span	level;	/* "ERROR", upper case as logged; n 0 if none */
	struct span	logger;	/* "asyncio", "py.warnings"; n 0 if none */
	struct span	thread;	/* threadName; n 0 if none */
	struct span	task;	/* %(taskName)s or a JSON taskName; n 0 if none
				 * or the literal None */
	struct span	message;/* the header line's message through the end
				 * of the record: continuation lines included,
				 * prefix (time, level, logger) left out; for
				 * JSON, the message then exc_info/stack text */
	struct span	text;	/* the record as written (for JSON the raw
				 * object line), without its final newline */
};

#endif
