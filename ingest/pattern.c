/*
 * pattern: header patterns, PCRE2 regexes whose named groups read a
 * header line's fields (the built-in field patterns and a user's
 * --header-regex alike). Compiled once, JIT-compiled when PCRE2 can;
 * matched with match data and limits owned by the caller (a layout), so
 * that a line never allocates. Which patterns a layout tries, and in
 * which order, is layout's and pylayout's business.
 */
#include "ingest/pattern.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "common/regex_limits.h"
#include "common/xmalloc.h"
#include "ingest/field.h"
#include "ingest/timestamp.h"

static int
group_number(pcre2_code *re, const char *name)
{
	int	g = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);

	return g > 0 ? g : -1;
}

int
pattern_compile(struct pattern *pt, const char *src, uint32_t opts,
    struct err *e)
{
	int		ec;
	PCRE2_SIZE	eo;
	PCRE2_UCHAR	msg[256];

	pt->re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, opts,
	    &ec, &eo, NULL);
	if (pt->re == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		return err_set(e, STATUS_USAGE,
		    "header regex: %s at offset %zu", (char *)msg, (size_t)eo);
	}
	pt->jit = pcre2_jit_compile(pt->re, PCRE2_JIT_COMPLETE) == 0;
	pt->g_ts = group_number(pt->re, "ts");
	pt->g_level = group_number(pt->re, "level");
	pt->g_logger = group_number(pt->re, "logger");
	pt->g_pid = group_number(pt->re, "pid");
	pt->g_thread = group_number(pt->re, "thread");
	pt->g_task = group_number(pt->re, "task");
	pt->g_msg = group_number(pt->re, "msg");
	return 0;
}

static void *
pcre_alloc(PCRE2_SIZE n, void *unused)
{
	(void)unused;
	return xmalloc(n);
}

static void
pcre_free(void *p, void *unused)
{
	(void)unused;
	free(p);
}

void
pattern_run_init(struct pattern_run *r, const struct pattern *sized_for)
{
	memset(r, 0, sizeof(*r));
	/* through xmalloc(), which never returns NULL: PCRE2 fails these
	 * only when its allocator does, so none can be NULL (the asserts
	 * say so) */
	r->gctx = pcre2_general_context_create(pcre_alloc, pcre_free, NULL);
	assert(r->gctx != NULL);
	if (sized_for != NULL)
		r->md = pcre2_match_data_create_from_pattern(sized_for->re,
		    r->gctx);
	else
		r->md = pcre2_match_data_create(PATTERN_PAIRS, r->gctx);
	r->mctx = pcre2_match_context_create(r->gctx);
	assert(r->md != NULL && r->mctx != NULL);
	pcre2_set_match_limit(r->mctx, REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(r->mctx, REGEX_DEPTH_LIMIT);
	/* NULL without JIT support, or when its mmap() fails: JIT code
	 * then runs on PCRE2's 32 KiB default (a deep match reaches
	 * PCRE2_ERROR_JIT_STACKLIMIT sooner, and is counted) */
	r->jit_stack = pcre2_jit_stack_create(REGEX_JIT_STACK_START,
	    REGEX_JIT_STACK_MAX, r->gctx);
	if (r->jit_stack != NULL)
		pcre2_jit_stack_assign(r->mctx, NULL, r->jit_stack);
}

void
pattern_run_release(struct pattern_run *r)
{
	pcre2_match_data_free(r->md);
	pcre2_match_context_free(r->mctx);
	pcre2_jit_stack_free(r->jit_stack);
	pcre2_general_context_free(r->gctx);
	memset(r, 0, sizeof(*r));
}

static struct span
group_span(const char *s, PCRE2_SIZE *ov, int rc, int g)
{
	struct span	sp = { NULL, 0 };

	if (g < 0 || g >= rc || ov[2 * g] == PCRE2_UNSET)
		return sp;
	sp.p = s + ov[2 * g];
	sp.n = ov[2 * g + 1] - ov[2 * g];
	return sp;
}

static bool
limit_reached(int rc)
{
	return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

bool
pattern_match(const struct pattern *pt, struct pattern_run *r,
    const char *s, size_t n, struct record *rec)
{
	PCRE2_SIZE	*ov;
	struct span	 sp;
	int		 rc;
	size_t		 used;

	if (pt->jit)
		rc = pcre2_jit_match(pt->re, (PCRE2_SPTR)s, n, 0, 0, r->md,
		    r->mctx);
	else
		rc = pcre2_match(pt->re, (PCRE2_SPTR)s, n, 0, 0, r->md,
		    r->mctx);
	if (rc <= 0) {
		if (limit_reached(rc))
			r->limit_hits++;
		return false;
	}
	ov = pcre2_get_ovector_pointer(r->md);
	rec->level = group_span(s, ov, rc, pt->g_level);
	rec->logger = group_span(s, ov, rc, pt->g_logger);
	rec->thread = group_span(s, ov, rc, pt->g_thread);
	rec->task = field_task(group_span(s, ov, rc, pt->g_task));
	sp = group_span(s, ov, rc, pt->g_pid);
	if (sp.n > 0)
		rec->pid = field_pid(sp);
	sp = group_span(s, ov, rc, pt->g_ts);
	if (sp.n > 0 && !timestamp_parse(sp.p, sp.n, &rec->ts_us, &used))
		rec->ts_us = TS_NONE;
	sp = group_span(s, ov, rc, pt->g_msg);
	if (sp.p != NULL) {
		rec->message.p = sp.p;
		rec->message.n = (size_t)(s + n - sp.p);
	} else {
		rec->message.p = s + ov[1];
		rec->message.n = n - ov[1];
	}
	return true;
}
