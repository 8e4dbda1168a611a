#ifndef INGEST_PATTERN_H
#define INGEST_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pcre2.h>

#include "common/err.h"
#include "common/record.h"

/* A header pattern: a PCRE2 regex whose named groups (ts, level, logger,
 * pid, thread, task, msg) read a header line's fields into a record. */
struct pattern {
	pcre2_code	*re;
	bool		 jit;		/* JIT-compiled: pcre2_jit_match() */
	int		 g_ts, g_level, g_logger, g_pid, g_thread, g_task,
			 g_msg;		/* group numbers, -1: absent */
};

/* What matching takes besides the pattern: match data, the limits and
 * the lines that hit them. One per layout, used by one thread. */
struct pattern_run {
	pcre2_general_context	*gctx;	/* PCRE2 allocates with xmalloc() */
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;	/* the limits (regex_limits.h) */
	pcre2_jit_stack		*jit_stack;
	size_t			 limit_hits;	/* lines that reached them */
};

/* Compile src with PCRE2 options opts into *pt; -1 with *e
 * (STATUS_USAGE, "header regex: MESSAGE at offset N") when it does not
 * compile. The caller frees pt->re. */
int	pattern_compile(struct pattern *pt, const char *src, uint32_t opts,
	    struct err *e);

/* The most groups a field pattern has (its whole match included). */
#define PATTERN_PAIRS	32

/* Ready *r to match sized_for (NULL: any pattern of at most PATTERN_PAIRS
 * groups) under the limits rules have (common/regex_limits.h). PCRE2
 * allocates through xmalloc(): out of memory is fatal, as everywhere. */
void	pattern_run_init(struct pattern_run *r,
	    const struct pattern *sized_for);
void	pattern_run_release(struct pattern_run *r);

/* Match pt at s[0..n) (anchored as pt is written); on a match fill rec's
 * fields its groups name and its message (after the match, or from the
 * msg group): spans into s. False when it does not match, and when it
 * reached r's limits (counted in r->limit_hits). */
bool	pattern_match(const struct pattern *pt, struct pattern_run *r,
	    const char *s, size_t n, struct record *rec);

#endif
