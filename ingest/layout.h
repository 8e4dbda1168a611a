#ifndef INGEST_LAYOUT_H
#define INGEST_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "common/record.h"

/* A log layout: how a header line looks and which fields it carries.
 * Detected per file from its first lines, or named with --format, or a
 * user header regex with named groups (ts, level, logger, pid, thread,
 * task, msg). */
struct layout;

/* Names accepted by --format, NULL-terminated: "auto", "python" (asctime
 * level name: msg and its variants), "iso", "syslog", "journald",
 * "container", "json", "basic" (LEVEL:logger:msg), "stderr" (none). */
extern const char *const layout_names[];

/* A layout by name, or from a PCRE2 header regex; NULL with *e
 * (STATUS_USAGE) when unknown or the regex does not compile. */
struct layout	*layout_by_name(const char *name, struct err *e);
struct layout	*layout_from_regex(const char *regex, struct err *e);
/* Recognise the layout of a file from its first bytes (whole lines,
 * up to 64 KiB); never NULL: "stderr" when nothing fits. */
struct layout	*layout_detect(const char *p, size_t n);
void		 layout_free(struct layout *l);
const char	*layout_name(const struct layout *l);
/* Whether records of this layout are JSON objects, one per line. */
bool		 layout_is_json(const struct layout *l);

/* Whether line[0..n) (no newline) starts a record; if so fill rec's
 * ts_us, pid, level, logger, thread, task and message (the header line's
 * message: spans into line). For JSON layouts, the message span is left
 * to the splitter which decodes strings. */
bool	layout_parse_header(const struct layout *l, const char *line,
	    size_t n, struct record *rec);

#endif
