/*
 * stitch: joining a record a rotation cut (see stitch.h).
 */
#include "ingest/stitch.h"

#include <string.h>

/* Whether c was appended to r already (this file read again). */
static bool
stitch_appended(const struct record *r, const struct record *c)
{
	return r->text.n > c->text.n && r->text.p[r->text.n - c->text.n - 1]
	    == '\n' && memcmp(r->text.p + r->text.n - c->text.n, c->text.p,
	    c->text.n) == 0;
}

/* Append c to j's record: text, message (its own, or the text's tail
 * from the same place), lines and flags. */
static void
stitch_append(struct store_record *j, const struct record *c)
{
	struct record	*r = &j->r;
	size_t		 msg_off = (size_t)(r->message.p - r->text.p);

	buf_addc(&j->text, '\n');
	buf_add(&j->text, c->text.p, c->text.n);
	if (j->own_message) {
		buf_addc(&j->msg, '\n');
		buf_add(&j->msg, c->message.p, c->message.n);
		r->message.p = j->msg.data;
		r->message.n = j->msg.len;
	} else {
		r->message.p = j->text.data + msg_off;
		r->message.n = j->text.len - msg_off;
	}
	r->text.p = j->text.data;
	r->text.n = j->text.len;
	r->nlines += c->nlines;
	r->flags |= RECORD_JOINED | (c->flags & (RECORD_TRUNCATED |
	    RECORD_NUL | RECORD_BAD_UTF8));
	if (j->text.capped || j->msg.capped)
		r->flags |= RECORD_TRUNCATED;
}

int
stitch_join(struct store *s, const char *prev_path, const char *set_path,
    const struct record *c, struct stitch *out, struct err *e)
{
	struct store_record	*joined = &out->rec;

	out->how = STITCH_NONE;
	out->gone = 0;
	if (store_record_last(s, prev_path, set_path, STITCH_RECORD_CAP,
	    joined, e) == -1)
		return -1;
	if (joined->id == 0)
		return 0;
	if (stitch_appended(&joined->r, c)) {
		out->how = STITCH_BEFORE;
		return 0;
	}
	/* the record must end the file: a newline (or CRLF, or none) after
	 * it, nothing cut off it */
	if (joined->tail < 0 || joined->tail > 2 ||
	    joined->r.flags & RECORD_TRUNCATED)
		return 0;
	stitch_append(joined, c);
	if (store_record_rewrite(s, joined->id, &joined->r,
	    joined->own_message, &out->gone, e) == -1)
		return -1;
	out->how = STITCH_JOINED;
	return 0;
}
