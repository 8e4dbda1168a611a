#ifndef INGEST_TEMPLATE_H
#define INGEST_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/record.h"

/* The fields a logging.Formatter puts between the time and the message,
 * inferred from the lines of a file: any order of levelname (padded or
 * not), name, name:lineno, filename:lineno, funcName, module, process,
 * thread, threadName, taskName, each bare or in [] () <>, with the usual
 * separators (spaces, " - ", " | ", ": "). A template is a short list of
 * slots; reading a line with one is a plain scan, no regex. */

#define TEMPLATE_SLOTS	8
#define TEMPLATE_SPEC	(2 + 4 * TEMPLATE_SLOTS + 1)	/* its text */

struct template_slot {
	char		open, close;	/* '[' ']', '(' ')', '<' '>' or 0 */
	char		sep;		/* after it: 0 (spaces), '-', '|', ':' */
	unsigned char	kind;		/* what the value looks like */
	unsigned char	role;		/* which record field it fills */
};

struct template {
	char			lead;	/* separator before the first slot */
	unsigned char		n;	/* slots; 0: none inferred */
	struct template_slot	s[TEMPLATE_SLOTS];
};

#define TEMPLATE_CANDIDATES	16

/* Detection state: the candidate templates the lines gave, with counts
 * and what their values looked like. Plain data, no allocation. */
struct template_votes {
	size_t		 ncand;
	size_t		 dropped;	/* lines whose new shape found the
					 * TEMPLATE_CANDIDATES taken: left
					 * out of the vote */
	struct {
		struct template	 t;
		size_t		 count;
		unsigned	 seen[TEMPLATE_SLOTS];	/* SEEN_* per slot */
	}		 cand[TEMPLATE_CANDIDATES];
};

void	template_votes_init(struct template_votes *v);
/* Vote with the text of a header line after its time (s[0..n)). */
void	template_vote(struct template_votes *v, const char *s, size_t n);
/* The template most lines gave, its slots' roles set from their values;
 * false when no line gave one. *count: the lines that gave it. */
bool	template_best(const struct template_votes *v, struct template *out,
	    size_t *count);

/* Read s[0..n) (a line after its time) with t: fill rec's level, logger,
 * thread, task, pid and message (spans into s). False when the line does
 * not have t's shape; rec may then be partly filled. */
bool	template_match(const struct template *t, const char *s, size_t n,
	    struct record *rec);

/* t as text of at most TEMPLATE_SPEC - 1 bytes, no ';' (for
 * layout_spec()), and back; template_parse() is false on bad text. */
void	template_format(const struct template *t, char *out, size_t size);
bool	template_parse(const char *s, size_t n, struct template *t);

/* The logger of a "name:lineno" value: the name ("asyncio:1900" ->
 * "asyncio"); other values as they are. */
struct span	template_logger(struct span v);

#endif
