#ifndef INGEST_LAYOUT_H
#define INGEST_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "common/record.h"

/* A log layout: how a header line looks and which fields it carries.
 * Detected per file from its first lines, or named with --format, or a
 * user header regex with named groups (ts, level, logger, pid, thread,
 * task, msg). A layout is an optional per-line prefix (container, syslog,
 * journald) around an inner layout: timed (Python logging with asctime,
 * ISO-8601), JSON lines, or untimed (basicConfig LEVEL:logger:msg, bare
 * stderr). A layout is used by one thread at a time. */
struct layout;

/* The longest layout_spec(), its NUL included. */
#define LAYOUT_SPEC_MAX	80

/* Names accepted by --format, NULL-terminated: "auto", "python" (asctime
 * level name: msg and its variants), "iso", "syslog", "journald",
 * "container", "json" (and key=value lines), "basic" (LEVEL:logger:msg),
 * "stderr" (none), "rich" (RichHandler's columns). */
extern const char *const layout_names[];

/* How a layout tells where records start. The values are stored in
 * layout specs ("k=0"): never renumber them. */
enum layout_kind {
	LAYOUT_TIMED = 0,	/* a header line starts with a time; others
				 * continue */
	LAYOUT_JSON = 1,	/* a header line is a JSON object; others
				 * continue */
	LAYOUT_UNTIMED = 2,	/* no times: headers by shape (level prefix,
				 * warning lines, asyncio messages, column 0),
				 * see splitter */
	LAYOUT_REGEX = 3	/* a header line matches the user's regex */
};

/* A layout by name (or layout_spec()), or from a PCRE2 header regex;
 * NULL with *e (STATUS_USAGE) when unknown or the regex does not compile.
 * "auto" is not a layout: the caller detects instead (NULL with *e). A
 * named layout tries every variant of its family on each line (slower
 * than a detected one, which knows its variant). */
struct layout	*layout_by_name(const char *name, struct err *e);
struct layout	*layout_from_regex(const char *regex, struct err *e);
/* How much of a file's start detection reads. */
#define LAYOUT_DETECT_BYTES	65536

/* Recognise the layout of a file from its first bytes (whole lines,
 * up to LAYOUT_DETECT_BYTES); never NULL: "stderr" when nothing fits. */
struct layout	*layout_detect(const char *p, size_t n);
void		 layout_free(struct layout *l);
/* One of layout_names ("regex" for a user regex); a loan for l's life. */
const char	*layout_name(const struct layout *l);
/* The exact layout, variant included, as a string shorter than
 * LAYOUT_SPEC_MAX that layout_by_name() takes back
 * ("python;o=0;k=0;p=lv-name;a=0", ";t=..." when fields were inferred;
 * the field pattern by its stable name): what to remember for the next
 * run of a detected file, so a resumed file is split as before.
 * layout_by_name() also reads the specs of older versions, which gave
 * the pattern's index in their table ("p=9"). A loan for l's life. */
const char	*layout_spec(const struct layout *l);
/* Lines a pattern of the layout gave up on (the match, depth or JIT
 * stack limit of common/regex_limits.h reached: catastrophic
 * backtracking, as a user regex may have), read as no header, since the
 * layout was made (its detection included). */
size_t		 layout_limit_hits(const struct layout *l);
/* Whether records of this layout are JSON objects, one per line. */
bool		 layout_is_json(const struct layout *l);
enum layout_kind layout_kind(const struct layout *l);
/* Whether every line carries a prefix (container, syslog) that the
 * splitter strips from continuation lines. */
bool		 layout_has_prefix(const struct layout *l);

/* Whether line[0..n) (no newline) starts a record; if so fill rec's
 * ts_us, pid, level, logger, thread, task and message (the header line's
 * message: spans into line). rec's other fields are left alone; on false
 * the filled ones are TS_NONE, -1 and empty. For JSON layouts the message
 * span is the raw line: jsonline_message() decodes it. For untimed
 * layouts true means a level prefix matched (LEVEL:logger:); the splitter
 * judges the other lines by their shape. */
bool	layout_parse_header(const struct layout *l, const char *line,
	    size_t n, struct record *rec);

/* The length of line's per-line prefix (0 when the layout has none or
 * the line lacks it); a time and pid it carries go into rec->ts_us and
 * rec->pid. */
size_t	layout_prefix(const struct layout *l, const char *line, size_t n,
	    struct record *rec);

/* Whether line[0..n) is a CRI partial line ("TIME stdout P "): the
 * runtime cut a long line, and the next line of the stream goes on
 * with it (without a line end between). */
bool	layout_partial(const struct layout *l, const char *line, size_t n);

/* How much of line[0..n) (prefix left out) belongs in a record's
 * message: all of it, but for Rich's padding and its file:line column
 * (first: the header line). */
size_t	layout_line_keep(const struct layout *l, const char *line, size_t n,
	    bool first);

#endif
