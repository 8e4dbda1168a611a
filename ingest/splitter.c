/*
 * splitter: bytes into records. Bytes are kept in one growing buffer of
 * pending input, scanned line by line with memchr(); a record is a header
 * line and the lines after it that are not headers. Which lines are
 * headers is the layout's answer for timed, JSON and regex layouts. For
 * untimed layouts (basicConfig's LEVEL:logger:msg, bare stderr) this file
 * decides, by shape:
 *  - a line with a level prefix (LEVEL:logger:) is a header;
 *  - continuations: blank lines, lines starting with a space or tab
 *    (frames, source lines, exception-group gutters), "During handling of
 *    the above exception...", "The above exception was the direct
 *    cause...", key lines of asyncio's exception handler (future:, task:,
 *    handle:, context:, protocol:, transport:, source_traceback:,
 *    handle_traceback:, ...), "Coroutine created at", "Object allocated
 *    at", the "Enable tracemalloc" trailer, and the exception line that
 *    ends a traceback (any column-0 line after frames, or a dotted name
 *    with an optional ": message" after key lines or a chain separator);
 *  - "Traceback (most recent call last):" continues the record before it
 *    only when that record can own it: it is inside a chained traceback,
 *    or it has no traceback yet and is at ERROR level or above, or is an
 *    exception-handler report (key lines seen, or a message such as "Task
 *    exception was never retrieved", "Exception in callback ...",
 *    "Exception ignored in ..."). After an INFO line, a plain stderr line
 *    or a complete traceback it starts a record of its own: that is what
 *    an uncaught exception or traceback.print_exc() looks like;
 *  - any other column-0 line (warnings "file:line: XWarning: ...",
 *    "Task exception was never retrieved", "[crawler] started") is a
 *    header.
 * What a record means is left to the rules; the pipeline stores it.
 */
#include "ingest/splitter.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"
#include "common/xmalloc.h"
#include "ingest/jsonline.h"

#define NONE		SIZE_MAX

enum tb_state {
	TB_NONE,	/* no traceback in the record yet */
	TB_KEYS,	/* exception-handler key lines seen (future:, ...) */
	TB_IN,		/* inside a traceback: frames, then its exception */
	TB_CHAIN,	/* after "During handling..." / "The above..." */
	TB_DONE		/* a traceback ended with its exception line */
};

enum { F_LEVEL, F_LOGGER, F_THREAD, F_TASK, F_MESSAGE, F_COUNT };

/* The pending record's header fields, as offsets from its first byte. */
struct header {
	int64_t	ts_us;
	int64_t	pid;
	size_t	off[F_COUNT];
	size_t	len[F_COUNT];
};

/* Where the next line-end byte of one kind is: at (>= scan), or NONE
 * when there is none in buf[..to). Each byte is looked at once, whatever
 * mix of line ends a file has. */
struct finder {
	size_t	at;
	size_t	to;
};

struct splitter {
	struct layout	*layout;
	bool		 own_layout;

	char		*buf;		/* pending bytes */
	size_t		 len, size;
	size_t		 scan;		/* the next line to look at */
	struct finder	 lf, cr;	/* the next '\n' and '\r' */
	bool		 skipping;	/* dropping the rest of a long line */
	bool		 line_cut;	/* the line at scan was cut */
	int64_t		 line_dropped;	/* bytes dropped from that line */
	int64_t		 scan_off;	/* file offset of the line at scan */
	int64_t		 scan_line;	/* its line number */

	bool		 have;		/* a record is pending */
	size_t		 rec_start;	/* its first byte in buf */
	size_t		 rec_first_end;	/* end of its first line's text */
	size_t		 rec_text_end;	/* end of its last kept line's text */
	size_t		 rec_kept_end;	/* NONE, or where dropped lines begin
					 * (the record cap was reached) */
	int64_t		 rec_off, rec_end, rec_line, rec_nlines;
	unsigned	 rec_flags;
	struct header	 hdr;
	enum tb_state	 tb;
	bool		 owner;		/* owns a following traceback whatever
					 * its header says (key lines seen) */
	bool		 partial;	/* the last line taken was a CRI "P"
					 * line: the next one goes on with it */
	bool		 wrap_judged;
	size_t		 wrap;		/* a console hard-wrapped at this
					 * width, or 0 */
	size_t		 prev_w;	/* the last line taken: its width */
	char		 prev_last;	/* and its last byte */

	/* a user regex judged: lines taken and how many started a record,
	 * and, on the first bytes, how many lines the detected layout would
	 * have made headers of */
	bool		 judged;
	size_t		 auto_lines, auto_headers, auto_missed, judge_hits;
	char		 auto_name[16];

	int64_t		 last_ts;	/* the last record's own time */
	struct buf	 msg;		/* synthesized messages */
	struct record	 out;
};

struct splitter *
splitter_new(struct layout *layout)
{
	struct splitter	*sp = xcalloc(1, sizeof(*sp));

	sp->layout = layout;
	sp->lf.at = sp->cr.at = NONE;
	sp->scan_line = 1;
	sp->last_ts = TS_NONE;
	buf_init(&sp->msg, SPLITTER_RECORD_CAP + SPLITTER_LINE_CAP);
	return sp;
}

void
splitter_free(struct splitter *sp)
{
	if (sp == NULL)
		return;
	if (sp->own_layout)
		layout_free(sp->layout);
	free(sp->buf);
	buf_release(&sp->msg);
	free(sp);
}

const struct layout *
splitter_layout(const struct splitter *sp)
{
	return sp->layout;
}

/* Forget where line ends were: the buffer moved. */
static void
finders_reset(struct splitter *sp)
{
	sp->lf.at = sp->cr.at = NONE;
	sp->lf.to = sp->cr.to = sp->scan;
}

size_t
splitter_held(const struct splitter *sp)
{
	return sp->size + sp->msg.size;
}

void
splitter_start(struct splitter *sp, int64_t offset, int64_t line)
{
	sp->len = 0;
	sp->scan = 0;
	finders_reset(sp);
	sp->skipping = false;
	sp->line_cut = false;
	sp->line_dropped = 0;
	sp->scan_off = offset;
	sp->scan_line = line;
	sp->have = false;
	sp->partial = false;
	sp->prev_w = 0;
	sp->last_ts = TS_NONE;
}

/* Drop what was handed out and the lines cut by the record cap. */
static void
compact(struct splitter *sp)
{
	size_t	from, gap;

	if (sp->have && sp->rec_kept_end != NONE &&
	    sp->rec_kept_end < sp->scan) {
		gap = sp->scan - sp->rec_kept_end;
		memmove(sp->buf + sp->rec_kept_end, sp->buf + sp->scan,
		    sp->len - sp->scan);
		sp->len -= gap;
		sp->scan -= gap;
	}
	from = sp->have ? sp->rec_start : sp->scan;
	if (from > 0) {
		memmove(sp->buf, sp->buf + from, sp->len - from);
		sp->len -= from;
		sp->scan -= from;
		if (sp->have) {
			sp->rec_start -= from;
			sp->rec_first_end -= from;
			sp->rec_text_end -= from;
			if (sp->rec_kept_end != NONE)
				sp->rec_kept_end -= from;
		}
	}
	finders_reset(sp);
}

void
splitter_feed(struct splitter *sp, const char *p, size_t n)
{
	const char	*nl, *cr;
	size_t		 k;

	compact(sp);
	if (sp->skipping) {
		nl = memchr(p, '\n', n);
		cr = memchr(p, '\r', nl != NULL ? (size_t)(nl - p) : n);
		if (cr != NULL)
			nl = cr;
		k = nl != NULL ? (size_t)(nl - p) : n;
		sp->line_dropped += (int64_t)k;
		p += k;
		n -= k;
		if (nl == NULL)
			return;
		sp->skipping = false;
	}
	if (n == 0)
		return;
	sp->buf = xgrow(sp->buf, &sp->size, sp->len + n + 1, 1);
	memcpy(sp->buf + sp->len, p, n);
	sp->len += n;
}

/* The next c at or after scan, or NONE. */
static size_t
next_byte(struct splitter *sp, struct finder *f, char c)
{
	const char	*p;
	size_t		 from;

	if (f->at != NONE && f->at >= sp->scan)
		return f->at;
	from = f->at == NONE && f->to > sp->scan ? f->to : sp->scan;
	if (from >= sp->len)
		return NONE;
	p = memchr(sp->buf + from, c, sp->len - from);
	f->to = sp->len;
	f->at = p != NULL ? (size_t)(p - sp->buf) : NONE;
	return f->at;
}

/* Whether the line at scan is complete: its text ends at *cend, followed
 * by *term line-end bytes (\n, \r\n or \r). */
static bool
find_eol(struct splitter *sp, int at_end, size_t *cend, size_t *term)
{
	size_t	nl, e, cr;

	nl = next_byte(sp, &sp->lf, '\n');
	e = nl != NONE ? nl : sp->len;
	cr = next_byte(sp, &sp->cr, '\r');
	if (cr != NONE && cr < e) {
		*cend = cr;
		if (cr + 1 < sp->len) {
			*term = sp->buf[cr + 1] == '\n' ? 2 : 1;
			return true;
		}
		/* a final \r may be the first half of \r\n */
		*term = 1;
		return at_end == SPLITTER_FLUSH_ALL;
	}
	if (nl == NONE)
		return false;
	*cend = e;
	*term = 1;
	return true;
}

/* How much of a line longer than the cap to keep: the cap, less a UTF-8
 * sequence the cut would split. */
static size_t
cut_keep(const char *line)
{
	size_t	k = SPLITTER_LINE_CAP;
	int	i;

	for (i = 0; i < 3 && ((unsigned char)line[k] & 0xc0) == 0x80; i++)
		k--;
	if (i > 0 && ((unsigned char)line[k] & 0xc0) == 0xc0)
		return k;
	return SPLITTER_LINE_CAP;
}

/* The open line at scan is past the line cap: keep the cap, drop the
 * rest until its end. */
static void
cut_open(struct splitter *sp)
{
	size_t	excess = sp->len - sp->scan - cut_keep(sp->buf + sp->scan);

	sp->line_dropped += (int64_t)excess;
	sp->len -= excess;
	sp->skipping = true;
	sp->line_cut = true;
	finders_reset(sp);
}

/* The complete line [scan, *cend) is past the line cap: cut it. */
static void
cut_line(struct splitter *sp, size_t *cend)
{
	size_t	keep = sp->scan + cut_keep(sp->buf + sp->scan);
	size_t	excess = *cend - keep;

	memmove(sp->buf + keep, sp->buf + *cend, sp->len - *cend);
	sp->len -= excess;
	*cend = keep;
	sp->line_dropped += (int64_t)excess;
	sp->line_cut = true;
	finders_reset(sp);
}

/* --- untimed line shapes --- */

struct lit {
	const char	*s;
	size_t		 n;
};
#define LIT(s)	{ s, sizeof(s) - 1 }

#define STARTS(s, n, l) \
	((n) >= sizeof(l) - 1 && memcmp((s), (l), sizeof(l) - 1) == 0)

/* Whether s[0..n) starts with one of lits (NULL-terminated). */
static bool
starts_any(const char *s, size_t n, const struct lit *lits)
{
	for (; lits->s != NULL; lits++)
		if (n >= lits->n && s[0] == lits->s[0] &&
		    memcmp(s, lits->s, lits->n) == 0)
			return true;
	return false;
}

static bool
is_word(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* Lines asyncio's exception handler (and logging's error report) print
 * under a message: never a record of their own. */
static bool
key_line(const char *s, size_t n)
{
	static const struct lit	keys[] = { LIT("future: "), LIT("task: "),
	    LIT("handle: "), LIT("context: "), LIT("protocol: "),
	    LIT("transport: "), LIT("source_traceback: "),
	    LIT("handle_traceback: "), LIT("loop: "), LIT("asyncgen: "),
	    LIT("exception: "), LIT("client_session: "),
	    LIT("connections: "), LIT("connector: "), LIT("socket: "),
	    LIT("Call stack:"), LIT("Message: "), LIT("Arguments: "),
	    { NULL, 0 } };

	return starts_any(s, n, keys);
}

static bool
trailer_line(const char *s, size_t n)
{
	static const struct lit	trailers[] = {
	    LIT("RuntimeWarning: Enable tracemalloc"),
	    LIT("ResourceWarning: Enable tracemalloc"),
	    LIT("Coroutine created at (most recent call last)"),
	    LIT("Object allocated at (most recent call last)"),
	    LIT("Object created at (most recent call last)"), { NULL, 0 } };

	return starts_any(s, n, trailers);
}

/* The first "Warning: " in s[0..n), or NULL (memmem() needs
 * _GNU_SOURCE on glibc). */
static const char *
find_warning(const char *s, size_t n)
{
	const char	*p = s, *end = s + n;

	while (end - p >= 9 && (p = memchr(p, 'W', (size_t)(end - p) - 8)) !=
	    NULL) {
		if (memcmp(p, "Warning: ", 9) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* "FILE:LINE: XxxWarning: ...", "sys:1: RuntimeWarning: ..." */
static bool
warning_line(const char *s, size_t n)
{
	const char	*w = find_warning(s, n), *c, *d;

	if (w == NULL)
		return false;
	for (c = w; c > s && is_word(c[-1]); c--)
		;
	if (c - s < 4 || c[-1] != ' ' || c[-2] != ':')
		return false;
	for (d = c - 2; d > s && d[-1] >= '0' && d[-1] <= '9'; d--)
		;
	return d < c - 2 && d - s >= 2 && d[-1] == ':';
}

/* A message after which a traceback belongs to it. */
static bool
handler_message(const char *s, size_t n)
{
	static const struct lit	heads[] = { LIT("Exception in callback"),
	    LIT("Exception in default exception handler"),
	    LIT("Unhandled error in exception handler"),
	    LIT("Exception ignored in"), LIT("Exception in thread"),
	    LIT("Fatal error"), LIT("Fatal Python error"),
	    LIT("Unhandled exception in client_connected_cb"),
	    LIT("Error on reading from the event loop"),
	    LIT("--- Logging error ---"),
	    LIT("Task was destroyed but it is pending"), { NULL, 0 } };
	static const char	tail[] = "exception was never retrieved";
	const size_t		k = sizeof(tail) - 1;

	if (n > 0 && starts_any(s, n, heads))
		return true;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		n--;
	return n >= k && memcmp(s + n - k, tail, k) == 0;
}

static bool
error_level(struct span lv)
{
	return span_eq(lv, "ERROR") || span_eq(lv, "CRITICAL") ||
	    span_eq(lv, "FATAL") || span_eq(lv, "EXCEPTION");
}

/* "ValueError", "asyncio.exceptions.CancelledError: msg" */
static bool
exception_shape(const char *s, size_t n)
{
	size_t	i = 0;

	for (;;) {
		if (i >= n || !(is_word(s[i]) && !(s[i] >= '0' &&
		    s[i] <= '9')))
			return false;
		while (i < n && is_word(s[i]))
			i++;
		if (i == n || s[i] == ':')
			return true;
		if (s[i] != '.')
			return false;
		i++;
	}
}

/* Whether the pending record owns a traceback that follows it: key
 * lines seen, an ERROR level or above, or an exception-handler message.
 * Worked out only when a traceback comes, off the hot path. */
static bool
pending_owns(const struct splitter *sp)
{
	const char	*t = sp->buf + sp->rec_start;
	const char	*m = t + sp->hdr.off[F_MESSAGE];
	struct span	 lv;

	if (sp->owner)
		return true;
	lv.p = t + sp->hdr.off[F_LEVEL];
	lv.n = sp->hdr.len[F_LEVEL];
	return error_level(lv) || handler_message(m,
	    (size_t)(sp->buf + sp->rec_first_end - m));
}

/* Whether the untimed line s[0..n) (prefix stripped) starts a record;
 * updates the pending record's traceback state when it does not. */
static bool
untimed_header(struct splitter *sp, const char *s, size_t n,
    enum tb_state *ntb)
{
	*ntb = TB_NONE;
	if (n == 0 || s[0] == ' ' || s[0] == '\t')
		return false;
	if (STARTS(s, n, "Traceback (most recent call last):")) {
		if (sp->tb == TB_CHAIN || ((sp->tb == TB_NONE ||
		    sp->tb == TB_KEYS) && pending_owns(sp))) {
			sp->tb = TB_IN;
			return false;
		}
		*ntb = TB_IN;
		return true;
	}
	if (STARTS(s, n, "During handling of the above exception") ||
	    STARTS(s, n, "The above exception was the direct cause")) {
		sp->tb = TB_CHAIN;
		return false;
	}
	if (key_line(s, n)) {
		if (sp->tb == TB_NONE || sp->tb == TB_IN)
			sp->tb = TB_KEYS;
		sp->owner = true;
		return false;
	}
	if (trailer_line(s, n))
		return false;
	if (sp->tb == TB_IN) {
		if (warning_line(s, n) || handler_message(s, n))
			return true;
		sp->tb = TB_DONE;
		return false;
	}
	if ((sp->tb == TB_CHAIN || sp->tb == TB_KEYS) &&
	    exception_shape(s, n)) {
		sp->tb = TB_DONE;
		return false;
	}
	/* the rest of a word the console wrapped in a bare line (a
	 * warning's "...client.py:88: Reso", then "urceWarning: ..."); not
	 * in a LEVEL:logger: record, where a print may follow a full line */
	if (sp->wrap != 0 && sp->prev_w == sp->wrap && is_word(s[0]) &&
	    is_word(sp->prev_last) && sp->hdr.len[F_LEVEL] == 0)
		return false;
	return true;
}

/* --- records --- */

static void
header_set(struct header *h, const char *line, const struct record *rec)
{
	const struct span	*f[F_COUNT] = { &rec->level, &rec->logger,
				    &rec->thread, &rec->task, &rec->message };
	size_t			 i;

	h->ts_us = rec->ts_us;
	h->pid = rec->pid;
	for (i = 0; i < F_COUNT; i++) {
		h->off[i] = f[i]->n > 0 ? (size_t)(f[i]->p - line) : 0;
		h->len[i] = f[i]->n;
	}
}

/* Whether the 32 bytes at p are all ASCII and none is NUL. */
static bool
plain32(const char *p)
{
#ifdef __SSE2__
	const __m128i	zero = _mm_setzero_si128();
	__m128i		a = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i		b = _mm_loadu_si128((const __m128i *)(const void *)
			    (p + 16));

	/* the high bits, and the NULs as 0xff */
	return _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b),
	    _mm_or_si128(_mm_cmpeq_epi8(a, zero), _mm_cmpeq_epi8(b,
	    zero)))) == 0;
#else
	const uint64_t	lo = UINT64_C(0x0101010101010101);
	const uint64_t	hi = UINT64_C(0x8080808080808080);
	uint64_t	w[4], t = 0;
	size_t		i;

	memcpy(w, p, sizeof(w));
	for (i = 0; i < 4; i++)
		t |= w[i] | ((w[i] - lo) & ~w[i]);
	return (t & hi) == 0;
#endif
}

/* Flags for bytes that are not UTF-8, and NUL bytes; 32, then 8 bytes at
 * a time while they are plain ASCII. */
static unsigned
byte_flags(const char *p, size_t n)
{
	const uint64_t	 lo = UINT64_C(0x0101010101010101);
	const uint64_t	 hi = UINT64_C(0x8080808080808080);
	uint64_t	 w;
	unsigned	 fl = 0;
	size_t		 i = 0, stop, k;

	while (i < n) {
		if (i + 32 <= n && plain32(p + i)) {
			i += 32;
			continue;
		}
		if (i + 8 <= n) {
			memcpy(&w, p + i, 8);
			if (((w | ((w - lo) & ~w)) & hi) == 0) {
				i += 8;
				continue;
			}
			stop = i + 8;
		} else {
			stop = n;
		}
		while (i < stop) {
			if (p[i] == '\0') {
				fl |= RECORD_NUL;
				i++;
			} else if ((unsigned char)p[i] < 0x80) {
				i++;
			} else {
				k = escape_utf8_len((const unsigned char *)p +
				    i, n - i);
				if (k == 0) {
					fl |= RECORD_BAD_UTF8;
					k = 1;
				}
				i += k;
			}
		}
		if (fl == (RECORD_NUL | RECORD_BAD_UTF8))
			break;
	}
	return fl;
}

/* The end of the line's text at p (before \n, \r\n or \r) and, in *next,
 * the start of the next line. */
static const char *
line_end(const char *p, const char *end, const char **next)
{
	while (p < end && *p != '\n' && *p != '\r')
		p++;
	*next = p;
	if (p < end) {
		*next = p + 1;
		if (*p == '\r' && p + 1 < end && p[1] == '\n')
			*next = p + 2;
	}
	return p;
}

/* The message of the pending record, synthesized into sp->msg: JSON
 * decoded, or with the per-line prefix left out of continuation lines. */
static struct span
message_build(struct splitter *sp, const char *text, size_t n)
{
	const char	*first_end = sp->buf + sp->rec_first_end;
	const char	*end = text + n, *p, *e, *next;
	struct record	 tmp;
	struct span	 m;
	bool		 json = layout_is_json(sp->layout), part;
	size_t		 k;

	buf_reset(&sp->msg);
	if (sp->rec_flags & RECORD_NO_HEADER)
		buf_add(&sp->msg, text, (size_t)(first_end - text));
	else if (json)
		jsonline_message(text + sp->hdr.off[F_MESSAGE],
		    sp->hdr.len[F_MESSAGE], &sp->msg);
	else
		buf_add(&sp->msg, text + sp->hdr.off[F_MESSAGE],
		    layout_line_keep(sp->layout, text + sp->hdr.off[F_MESSAGE],
		    (size_t)(first_end - text) - sp->hdr.off[F_MESSAGE],
		    true));
	e = line_end(text, end, &next);
	part = layout_partial(sp->layout, text, (size_t)(e - text));
	for (p = next; p < end; p = next) {
		e = line_end(p, end, &next);
		k = layout_prefix(sp->layout, p, (size_t)(e - p), &tmp);
		/* a CRI partial line and its rest are one line */
		if (!part)
			buf_addc(&sp->msg, '\n');
		part = layout_partial(sp->layout, p, (size_t)(e - p));
		buf_add(&sp->msg, p + k, layout_line_keep(sp->layout, p + k,
		    (size_t)(e - p) - k, false));
	}
	m.p = sp->msg.data;
	m.n = sp->msg.len;
	return m;
}

/* Hand out the pending record. */
static const struct record *
emit(struct splitter *sp)
{
	struct record	*r = &sp->out;
	const char	*text = sp->buf + sp->rec_start;
	struct span	*f[F_COUNT] = { &r->level, &r->logger, &r->thread,
			    &r->task, &r->message };
	size_t		 i;

	r->offset = sp->rec_off;
	r->end = sp->rec_end;
	r->line = sp->rec_line;
	r->nlines = sp->rec_nlines;
	r->flags = sp->rec_flags;
	r->pid = sp->hdr.pid;
	r->text.p = text;
	r->text.n = sp->rec_text_end - sp->rec_start;
	for (i = 0; i < F_COUNT; i++) {
		f[i]->p = text + sp->hdr.off[i];
		f[i]->n = sp->hdr.len[i];
	}
	if (layout_is_json(sp->layout) || layout_has_prefix(sp->layout))
		r->message = message_build(sp, text, r->text.n);
	else if (sp->rec_flags & RECORD_NO_HEADER)
		r->message = r->text;
	else
		r->message.n = r->text.n - sp->hdr.off[F_MESSAGE];
	r->ts_us = sp->hdr.ts_us;
	if (r->ts_us == TS_NONE) {
		if (sp->last_ts != TS_NONE) {
			r->ts_us = sp->last_ts;
			r->flags |= RECORD_TS_INFERRED;
		}
	} else {
		sp->last_ts = r->ts_us;
	}
	r->flags |= byte_flags(r->text.p, r->text.n);
	sp->have = false;
	return r;
}

/* Whether line[0..n) starts a record; *rec gets its fields and *ntb the
 * new record's traceback state. */
static bool
classify(struct splitter *sp, const char *line, size_t n, struct record *rec,
    enum tb_state *ntb)
{
	const struct layout	*l = sp->layout;
	size_t			 k;

	*ntb = TB_NONE;
	if (layout_parse_header(l, line, n, rec))
		return true;
	if (layout_kind(l) != LAYOUT_UNTIMED)
		return false;
	k = layout_prefix(l, line, n, rec);
	if (!untimed_header(sp, line + k, n - k, ntb))
		return false;
	rec->message.p = line + k;
	rec->message.n = n - k;
	return true;
}

/* Take the complete line [scan, cend) and its term line-end bytes: the
 * record it completes, if any. */
static const struct record *
take_line(struct splitter *sp, size_t cend, size_t term)
{
	const struct record	*out = NULL;
	const char		*line = sp->buf + sp->scan;
	size_t			 n = cend - sp->scan;
	struct record		 rec;
	enum tb_state		 ntb;
	size_t			 k;
	bool			 hdr;

	if (!sp->have) {
		sp->tb = TB_NONE;
		sp->owner = true;
	}
	/* a UTF-8 byte order mark before the first line */
	k = sp->scan_off == 0 && n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) ==
	    0 ? 3 : 0;
	/* the rest of a line the container runtime cut is never a header */
	hdr = !(sp->partial && sp->have) && classify(sp, line + k, n - k,
	    &rec, &ntb);
	if (sp->partial && sp->have)
		ntb = TB_NONE;
	sp->partial = layout_partial(sp->layout, line, n);
	sp->prev_w = n;
	sp->prev_last = n > 0 ? line[n - 1] : 0;
	if (hdr || !sp->have) {
		if (sp->have)
			out = emit(sp);
		sp->have = true;
		sp->rec_start = sp->scan;
		sp->rec_first_end = cend;
		sp->rec_text_end = cend;
		sp->rec_kept_end = NONE;
		sp->rec_off = sp->scan_off;
		sp->rec_line = sp->scan_line;
		sp->rec_nlines = 1;
		sp->rec_flags = sp->line_cut ? RECORD_TRUNCATED : 0;
		if (hdr) {
			header_set(&sp->hdr, line, &rec);
			sp->rec_flags |= rec.flags & RECORD_BAD_TIME;
			sp->tb = ntb;
			sp->owner = false;
		} else {
			memset(&sp->hdr, 0, sizeof(sp->hdr));
			sp->hdr.ts_us = TS_NONE;
			sp->hdr.pid = -1;
			sp->rec_flags |= RECORD_NO_HEADER;
			/* a stream that starts inside a traceback */
			if (sp->tb == TB_NONE)
				sp->tb = TB_IN;
		}
	} else {
		sp->rec_nlines++;
		if (sp->line_cut)
			sp->rec_flags |= RECORD_TRUNCATED;
		if (sp->rec_kept_end == NONE &&
		    cend - sp->rec_start > SPLITTER_RECORD_CAP) {
			sp->rec_kept_end = sp->scan;
			sp->rec_flags |= RECORD_TRUNCATED;
		}
		if (sp->rec_kept_end == NONE)
			sp->rec_text_end = cend;
	}
	sp->scan_off += (int64_t)(cend + term - sp->scan) + sp->line_dropped;
	sp->line_dropped = 0;
	sp->line_cut = false;
	sp->scan = cend + term;
	sp->scan_line++;
	sp->rec_end = sp->scan_off;
	return out;
}

/* Whether the unterminated last line already reads as a header, so the
 * record before it is complete. Only the layout's own header test: a
 * shape rule could change its mind when the line grows. */
static bool
open_is_header(struct splitter *sp)
{
	struct record	rec;

	return layout_parse_header(sp->layout, sp->buf + sp->scan,
	    sp->len - sp->scan, &rec);
}

/* A console hard-wrapped at 80, 120 or 160 columns: on the first bytes,
 * at least two lines exactly that wide and none wider. Untimed layouts
 * only: a timed layout never takes a wrapped line's rest for a header. */
static void
judge_wrap(struct splitter *sp)
{
	const char	*p = sp->buf + sp->scan, *end, *nl;
	size_t		 n = sp->len - sp->scan, len, maxw = 0, atmax = 0;

	sp->wrap_judged = true;
	if (layout_kind(sp->layout) != LAYOUT_UNTIMED)
		return;
	if (n > LAYOUT_DETECT_BYTES)
		n = LAYOUT_DETECT_BYTES;
	for (end = p + n; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;	/* whole lines only */
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > maxw) {
			maxw = len;
			atmax = 0;
		}
		atmax += len == maxw;
	}
	if (atmax >= 2 && (maxw == 80 || maxw == 120 || maxw == 160))
		sp->wrap = maxw;
}

/* Compare a user regex with the layout detection on the first bytes:
 * lines, lines the detected layout starts a record at, and of them the
 * ones the regex leaves as continuations. */
static void
judge_regex(struct splitter *sp)
{
	const char	*p = sp->buf + sp->scan, *end, *nl;
	struct layout	*d;
	struct record	 rec;
	size_t		 n = sp->len - sp->scan, hits, len;
	bool		 a;

	sp->judged = true;
	hits = layout_limit_hits(sp->layout);
	if (n > LAYOUT_DETECT_BYTES)
		n = LAYOUT_DETECT_BYTES;
	d = layout_detect(p, n);
	snprintf(sp->auto_name, sizeof(sp->auto_name), "%s", layout_name(d));
	for (end = p + n; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			break;		/* whole lines only */
		if (nl == p || (nl == p + 1 && *p == '\r'))
			continue;
		len = (size_t)(nl - p - (nl[-1] == '\r'));
		sp->auto_lines++;
		a = layout_parse_header(d, p, len, &rec);
		sp->auto_headers += a;
		sp->auto_missed += a && !layout_parse_header(sp->layout, p, len,
		    &rec);
	}
	if (layout_kind(d) != LAYOUT_TIMED && layout_kind(d) != LAYOUT_JSON)
		sp->auto_lines = 0;	/* no evidence of record starts */
	sp->judge_hits = layout_limit_hits(sp->layout) - hits;
	layout_free(d);
}

bool
splitter_note(const struct splitter *sp, const char *path, struct err *e)
{
	size_t	hits;

	if (sp->layout == NULL)
		return false;	/* nothing read yet */
	hits = layout_limit_hits(sp->layout) - sp->judge_hits;
	if (hits > 0 && layout_kind(sp->layout) != LAYOUT_REGEX) {
		err_set(e, STATUS_OK, "%s: the %s layout's field patterns gave "
		    "up on %zu line%s (their match limit: too much "
		    "backtracking); read as no header", path,
		    layout_name(sp->layout), hits, hits == 1 ? "" : "s");
		return true;
	}
	if (layout_kind(sp->layout) != LAYOUT_REGEX)
		return false;	/* no user regex */
	if (hits > 0) {
		err_set(e, STATUS_OK, "%s: the header regex gave up on %zu "
		    "line%s (its match limit: too much backtracking); read "
		    "as continuation lines", path, hits, hits == 1 ? "" : "s");
		return true;
	}
	if (!sp->judged || sp->auto_lines < 10 ||
	    sp->auto_missed * 10 < sp->auto_lines)
		return false;
	err_set(e, STATUS_OK, "%s: the header regex left %zu of the first "
	    "%zu lines as continuations where the detected layout (%s) "
	    "starts a record: records may be merged; check the regex",
	    path, sp->auto_missed, sp->auto_lines, sp->auto_name);
	return true;
}

const struct record *
splitter_next(struct splitter *sp, int at_end)
{
	const struct record	*r;
	size_t			 cend, term;

	if (sp->layout == NULL) {
		if (sp->len - sp->scan < LAYOUT_DETECT_BYTES &&
		    at_end == SPLITTER_MORE)
			return NULL;
		/* nothing fed yet (an empty stream): buf is still NULL */
		sp->layout = layout_detect(sp->buf != NULL ? sp->buf +
		    sp->scan : "", sp->len - sp->scan);
		sp->own_layout = true;
	}
	/* on the first bytes fed, before any is taken */
	if (!sp->judged && layout_kind(sp->layout) == LAYOUT_REGEX &&
	    sp->len > sp->scan)
		judge_regex(sp);
	if (!sp->wrap_judged && sp->len > sp->scan)
		judge_wrap(sp);
	for (;;) {
		if (sp->scan >= sp->len) {
			if (at_end != SPLITTER_MORE && sp->have &&
			    !sp->skipping)
				return emit(sp);
			return NULL;
		}
		if (!find_eol(sp, at_end, &cend, &term)) {
			if (sp->len - sp->scan > SPLITTER_LINE_CAP)
				cut_open(sp);
			if (at_end == SPLITTER_AT_END && sp->have &&
			    open_is_header(sp))
				return emit(sp);
			if (at_end != SPLITTER_FLUSH_ALL)
				return NULL;
			/* the last line, without an end */
			cend = sp->len;
			term = 0;
			sp->skipping = false;
		}
		if (cend - sp->scan > SPLITTER_LINE_CAP)
			cut_line(sp, &cend);
		r = take_line(sp, cend, term);
		if (r != NULL)
			return r;
	}
}
