#ifndef INGEST_JSONLINE_H
#define INGEST_JSONLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/record.h"

/* Records written one per line as a JSON object or as key=value pairs. */

/* Whether line[0..n) is a JSON object, or key=value pairs with a level
 * or a message among them; if so fill rec's ts_us, pid, level, logger,
 * thread and task (spans into line, a string's escapes left as
 * written), and its message span with the whole line:
 * jsonline_message() decodes it. On false rec is left alone. */
bool	jsonline_parse(const char *line, size_t n, struct record *rec);

/* Append the message of the line[0..n) to out, decoded: the message
 * field (msg, message or event), then "\n" and the text of each
 * exc_info, exc_text, exception, stack_info or traceback field present.
 * Without a message field, the raw line. */
void	jsonline_message(const char *line, size_t n, struct buf *out);

#endif
