/*
 * engine: runs the signature rules over records. Loads the shipped pack
 * (rules/asyncio.rules, built into the binary) and --rules files, orders
 * and overrides them by id, and for each record: one pass of a literal
 * prefilter over the message (most records hold no needle and stop
 * there: a Wu-Manber scan over byte pairs), then the JIT-compiled
 * patterns of the rules whose needles occurred, under PCRE2 match and
 * depth limits so that no record can hang the run; the kinds not found
 * are tried again on the message with a console's hard wraps joined.
 * Fields captured by named groups become the finding's task,
 * coroutine, exception type, location and duration. Storing findings and
 * the gap detector are others' work.
 */
#include "rules/engine.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/escape.h"
#include "common/regex_limits.h"
#include "common/kinds.h"
#include "common/severity.h"
#include "common/xmalloc.h"
#include "rules/ruleset.h"

extern const char asyncio_rules[];
extern const size_t asyncio_rules_len;

#define ENGINE_FIELD_CAP	512	/* bytes kept of one captured field */
/* Bytes of a message the engine copies to rewrite it (lone CRs made LF,
 * hard wraps joined): the splitter's line cap, so that a message of one
 * line is never cut; a longer message is rewritten in its first
 * ENGINE_COPY_CAP bytes only, counted (engine_cap_hits). */
#define ENGINE_COPY_CAP		(1024 * 1024)
/* Bytes of a finding's message: a title (RULESET_TITLE_MAX) and at most
 * three fields with their separators and a duration always fit. */
#define ENGINE_MESSAGE_CAP	2048
_Static_assert(RULESET_TITLE_MAX + 3 * (ENGINE_FIELD_CAP + 7) + 32 <=
    ENGINE_MESSAGE_CAP, "a finding's message fits its cap");

/* A distinct needle; hash is the byte pair that ends its first m bytes
 * (m: the shortest needle), where the prefilter stops to compare. */
struct needle {
	const char	*s;		/* loan from a rule */
	size_t		 n;
	unsigned	 hash;
	uint64_t	 seen;		/* generation it was last found in */
};

struct erule {
	struct rule	 r;
	size_t		*needles;	/* indexes into engine.needles */
	size_t		 nneedles;
	unsigned	 kind_bit;
};

struct engine {
	struct erule		*rules;
	size_t			 nrules;
	struct needle		*needles;
	size_t			 nneedles;
	size_t			 cap_needles;
	size_t			*short_needles;	/* one byte long: memchr */
	size_t			 nshort;
	unsigned char		*shift;		/* 65536 byte pairs: how far
						 * the window may move */
	size_t			 m;		/* window: shortest needle */
	uint64_t		 gen;
	pcre2_match_data	*md;
	pcre2_match_context	*mc;
	pcre2_jit_stack		*js;
	size_t			 nunfiltered;	/* enabled rules with no
						 * needle: tried on every
						 * record */
	double			 stall_min_s;
	size_t			 limit_hits;
	char			 first_limit[256];
	size_t			 cap_hits;	/* messages cut at
						 * ENGINE_COPY_CAP */
	char			 first_cap[256];
	struct buf		 lf;		/* a message with lone CRs as LF */
	struct buf		 unwrap;	/* the message, hard wraps
						 * joined */
};

/* A field captured from the subject: a span, NULL p when unset. */
struct fields {
	struct span	v[RF_NFIELDS];
};

/* Count a message of n bytes cut at ENGINE_COPY_CAP for what (lone CRs,
 * hard wraps), describing the first. */
static void
engine_cap_hit(struct engine *en, const struct record *rec, size_t n,
    const char *what)
{
	if (en->cap_hits++ == 0)
		snprintf(en->first_cap, sizeof(en->first_cap), "record line "
		    "%lld: a message of %zu bytes had %s rewritten in its "
		    "first %d bytes only", (long long)rec->line, n, what,
		    ENGINE_COPY_CAP);
}

/* The patterns end lines at LF; a log written with lone CRs (old Mac
 * line ends, a terminal's progress lines) would match none of them. When
 * s holds a CR not followed by LF, a copy of s with each such CR turned
 * into LF, the same length so that offsets stay; else s itself. The copy
 * is valid until the next call; *n becomes its length, less than before
 * when the message was cut at ENGINE_COPY_CAP (counted). */
static const char *
engine_lone_cr(struct engine *en, const struct record *rec, const char *s,
    size_t *n)
{
	const char	*cr = s, *end = s + *n;
	size_t		 i;

	while ((cr = memchr(cr, '\r', (size_t)(end - cr))) != NULL &&
	    cr + 1 < end && cr[1] == '\n')
		cr += 2;
	if (cr == NULL)
		return s;
	buf_reset(&en->lf);
	if (!buf_add(&en->lf, s, *n))
		engine_cap_hit(en, rec, *n, "lone CRs");
	*n = en->lf.len;
	for (i = (size_t)(cr - s); i < *n; i++)
		if (en->lf.data[i] == '\r' && (i + 1 == *n ||
		    en->lf.data[i + 1] != '\n'))
			en->lf.data[i] = '\n';
	return en->lf.data;
}

static size_t
engine_add_needle(struct engine *en, const char *s)
{
	struct needle	*nd;
	size_t		 i, n = strlen(s);

	for (i = 0; i < en->nneedles; i++)
		if (en->needles[i].n == n && memcmp(en->needles[i].s, s, n) ==
		    0)
			return i;
	en->needles = xgrow(en->needles, &en->cap_needles, en->nneedles + 1,
	    sizeof(*en->needles));
	nd = &en->needles[en->nneedles];
	memset(nd, 0, sizeof(*nd));
	nd->s = s;
	nd->n = n;
	if (n < 2) {
		en->short_needles = xrealloc(en->short_needles,
		    (en->nshort + 1) * sizeof(*en->short_needles));
		en->short_needles[en->nshort++] = en->nneedles;
	}
	return en->nneedles++;
}

static unsigned
pair_at(const unsigned char *p)
{
	return (unsigned)(p[0] << 8 | p[1]);
}

/* The Wu-Manber shift table over byte pairs for the needles of two bytes
 * or more: a window of m bytes (the shortest such needle) moves by the
 * table's value for the pair that ends it; 0 means some needle's first m
 * bytes may end here. */
static void
engine_build_shift(struct engine *en)
{
	struct needle	*nd;
	size_t		 i, q, d;

	en->m = 0;
	for (i = 0; i < en->nneedles; i++)
		if (en->needles[i].n >= 2 && (en->m == 0 ||
		    en->needles[i].n < en->m))
			en->m = en->needles[i].n;
	if (en->m > 255)
		en->m = 255;
	if (en->m == 0)
		return;
	en->shift = xmalloc(65536);
	memset(en->shift, (int)(en->m - 1), 65536);
	for (i = 0; i < en->nneedles; i++) {
		nd = &en->needles[i];
		if (nd->n < 2)
			continue;
		for (q = 0; q + 1 < en->m; q++) {
			d = en->m - 2 - q;
			if (d < en->shift[pair_at((const unsigned char *)nd->s +
			    q)])
				en->shift[pair_at((const unsigned char *)nd->s +
				    q)] = (unsigned char)d;
		}
		nd->hash = pair_at((const unsigned char *)nd->s + en->m - 2);
	}
}

/* One pass over p[0..n): mark every needle that occurs; whether one did.
 * Most of the text is skipped several bytes at a time. */
static bool
engine_prefilter(struct engine *en, const unsigned char *p, size_t n)
{
	size_t		 i, j, start, m = en->m;
	unsigned	 pair;
	struct needle	*nd;
	bool		 any = false;

	for (j = 0; j < en->nshort; j++) {
		nd = &en->needles[en->short_needles[j]];
		if (nd->n == 0 || memchr(p, nd->s[0], n) != NULL)
			nd->seen = en->gen, any = true;
	}
	if (m < 2 || n < m)
		return any;
	for (i = m - 1; i < n; ) {
		pair = pair_at(p + i - 1);
		if (en->shift[pair] != 0) {
			i += en->shift[pair];
			continue;
		}
		start = i + 1 - m;
		for (j = 0; j < en->nneedles; j++) {
			nd = &en->needles[j];
			if (nd->hash != pair || nd->n < 2 ||
			    nd->seen == en->gen || start + nd->n > n)
				continue;
			if (memcmp(p + start, nd->s, nd->n) == 0)
				nd->seen = en->gen, any = true;
		}
		i++;
	}
	return any;
}

/* Move the rules of src into dst: a known id replaces the rule in place,
 * a new one is appended to added, a partial rule changes the one of its
 * id. A partial rule of no known id is a problem, added to d. */
static void
engine_merge(struct ruleset *dst, struct ruleset *added, struct ruleset *src,
    struct rule_diag *d)
{
	struct rule	*old, *r;
	size_t		 i;
	char		 msg[512];

	for (i = 0; i < src->n; i++) {
		r = &src->v[i];
		if ((old = ruleset_find(dst, r->id)) == NULL)
			old = ruleset_find(added, r->id);
		if (r->partial && old == NULL) {
			snprintf(msg, sizeof(msg), "%s:%d: rule '%s': no rule "
			    "of that id to change (a new rule needs kind and "
			    "pattern)", r->file, r->line, r->id);
			d->msg = xgrow(d->msg, &d->cap, d->n + 1,
			    sizeof(*d->msg));
			d->msg[d->n++] = xstrdup(msg);
			rule_release(r);
		} else if (r->partial) {
			if (r->set_enabled)
				old->enabled = r->enabled;
			if (r->set_severity)
				old->severity = r->severity;
			if (r->set_title) {
				free(old->title);
				old->title = r->title;
				r->title = NULL;
			}
			rule_release(r);
		} else if (old != NULL) {
			rule_release(old);
			*old = *r;
		} else {
			added->v = xgrow(added->v, &added->cap, added->n + 1,
			    sizeof(*added->v));
			added->v[added->n++] = *r;
		}
		memset(r, 0, sizeof(*r));
	}
	src->n = 0;
}

/* Turn a list of problems into *e: the first, and how many more. */
static void
engine_diag_err(const struct rule_diag *d, struct err *e)
{
	if (d->n > 1)
		err_set(e, STATUS_USAGE, "%s (and %zu more problem%s: aiosift "
		    "rules check)", d->msg[0], d->n - 1, d->n > 2 ? "s" : "");
	else
		err_set(e, STATUS_USAGE, "%s", d->n ? d->msg[0] :
		    "bad rules");
}

struct engine *
engine_new(const struct engine_opts *o, struct err *e)
{
	struct engine		*en = xcalloc(1, sizeof(*en));
	struct ruleset		 pack, added, one;
	struct rule_diag	 d;
	uint32_t		 maxcap = 0, cap;
	size_t			 i, j, k;

	ruleset_init(&pack);
	ruleset_init(&added);
	ruleset_init(&one);
	memset(&d, 0, sizeof(d));
	en->stall_min_s = o->stall_min_s > 0 ? o->stall_min_s : 0.5;
	buf_init(&en->lf, ENGINE_COPY_CAP);
	buf_init(&en->unwrap, ENGINE_COPY_CAP);
	if (!o->no_builtin && ruleset_parse(&pack, "asyncio.rules",
	    asyncio_rules, asyncio_rules_len, &d) > 0) {
		engine_diag_err(&d, e);
		goto fail;
	}
	for (i = 0; i < pack.n; i++)
		if (pack.v[i].partial) {
			err_set(e, STATUS_USAGE, "asyncio.rules:%d: rule '%s' "
			    "has no kind or pattern", pack.v[i].line,
			    pack.v[i].id);
			goto fail;
		}
	for (i = 0; i < o->nrule_files; i++) {
		if (ruleset_load(&one, o->rule_files[i], &d) > 0) {
			engine_diag_err(&d, e);
			goto fail;
		}
		engine_merge(&pack, &added, &one, &d);
	}
	if (o->rules_text != NULL) {
		if (ruleset_parse(&one, "<text>", o->rules_text,
		    strlen(o->rules_text), &d) > 0) {
			engine_diag_err(&d, e);
			goto fail;
		}
		engine_merge(&pack, &added, &one, &d);
	}
	if (d.n > 0) {
		engine_diag_err(&d, e);
		goto fail;
	}
	en->nrules = added.n + pack.n;
	en->rules = xcalloc(en->nrules ? en->nrules : 1, sizeof(*en->rules));
	for (i = 0; i < added.n; i++)
		en->rules[i].r = added.v[i];
	for (i = 0; i < pack.n; i++)
		en->rules[added.n + i].r = pack.v[i];
	added.n = pack.n = 0;
	for (i = 0; i < en->nrules; i++) {
		struct erule	*er = &en->rules[i];

		for (k = 0; rule_kinds[k] != NULL; k++)
			if (rule_kinds[k] == er->r.kind)
				er->kind_bit = 1u << k;
		er->needles = xcalloc(er->r.nneedles + 1,
		    sizeof(*er->needles));
		for (j = 0; j < er->r.nneedles && er->r.enabled; j++)
			er->needles[er->nneedles++] = engine_add_needle(en,
			    er->r.needles[j]);
		if (er->r.enabled && er->nneedles == 0)
			en->nunfiltered++;
		pcre2_pattern_info(er->r.pattern.code,
		    PCRE2_INFO_CAPTURECOUNT, &cap);
		if (cap > maxcap)
			maxcap = cap;
		for (j = 0; j < er->r.nextracts; j++) {
			pcre2_pattern_info(er->r.extracts[j].code,
			    PCRE2_INFO_CAPTURECOUNT, &cap);
			if (cap > maxcap)
				maxcap = cap;
		}
	}
	engine_build_shift(en);
	en->md = pcre2_match_data_create(maxcap + 1, NULL);
	en->mc = pcre2_match_context_create(NULL);
	en->js = pcre2_jit_stack_create(REGEX_JIT_STACK_START,
	    REGEX_JIT_STACK_MAX, NULL);
	if (en->md == NULL || en->mc == NULL || en->js == NULL) {
		err_set(e, STATUS_USAGE, "pcre2: out of memory");
		goto fail;
	}
	pcre2_set_match_limit(en->mc, REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(en->mc, REGEX_DEPTH_LIMIT);
	pcre2_jit_stack_assign(en->mc, NULL, en->js);
	ruleset_release(&pack);
	ruleset_release(&added);
	ruleset_release(&one);
	rule_diag_release(&d);
	return en;
fail:
	ruleset_release(&pack);
	ruleset_release(&added);
	ruleset_release(&one);
	rule_diag_release(&d);
	engine_free(en);
	return NULL;
}

void
engine_free(struct engine *en)
{
	size_t	i;

	if (en == NULL)
		return;
	for (i = 0; i < en->nrules; i++) {
		rule_release(&en->rules[i].r);
		free(en->rules[i].needles);
	}
	free(en->rules);
	free(en->needles);
	free(en->short_needles);
	free(en->shift);
	pcre2_match_data_free(en->md);
	pcre2_match_context_free(en->mc);
	pcre2_jit_stack_free(en->js);
	buf_release(&en->lf);
	buf_release(&en->unwrap);
	free(en);
}

size_t
engine_rule_count(const struct engine *en)
{
	return en->nrules;
}

/* Whether the record passes the rule's logger and level filters: a
 * record that carries no logger (or level) passes, since the same text
 * reaches stderr without one. */
static bool
engine_filters(const struct rule *r, const struct record *rec)
{
	size_t	i;
	bool	ok;

	if (r->nloggers > 0 && rec->logger.n > 0) {
		for (ok = false, i = 0; i < r->nloggers && !ok; i++)
			ok = span_eq(rec->logger, r->loggers[i]);
		if (!ok)
			return false;
	}
	if (r->nlevels > 0 && rec->level.n > 0) {
		for (ok = false, i = 0; i < r->nlevels && !ok; i++)
			ok = rec->level.n == strlen(r->levels[i]) &&
			    strncasecmp(rec->level.p, r->levels[i],
			    rec->level.n) == 0;
		if (!ok)
			return false;
	}
	return true;
}

/* pcre2_match under the limits; the return code, with limit hits
 * counted and the first described. */
static int
engine_match(struct engine *en, const struct erule *er, pcre2_code *code,
    const char *s, size_t n, size_t start, const struct record *rec)
{
	int	rc;

	/* JIT-compiled at its first use (ruleset.c compiles without): a
	 * run never pays for the rules it never tries, most of them in a
	 * short incremental run; every match still runs JIT code, with its
	 * limits. Compiled once: later calls return at once. */
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	rc = pcre2_match(code, (PCRE2_SPTR)s, n, start, 0, en->md, en->mc);
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT) {
		if (en->limit_hits++ == 0)
			snprintf(en->first_limit, sizeof(en->first_limit),
			    "rule %s: %s at record line %lld", er->r.id,
			    rc == PCRE2_ERROR_MATCHLIMIT ? "match limit "
			    "exceeded" : rc == PCRE2_ERROR_JIT_STACKLIMIT ?
			    "JIT stack limit exceeded" : "depth limit "
			    "exceeded", (long long)rec->line);
	}
	return rc;
}

/* Copy the named groups of the last match into f, leaving set fields. */
static void
engine_take(struct engine *en, const struct rule_re *re, const char *s,
    struct fields *f, bool overwrite)
{
	PCRE2_SIZE	*ov = pcre2_get_ovector_pointer(en->md);
	uint32_t	 npairs = pcre2_get_ovector_count(en->md);
	unsigned	 g;
	int		 fi;

	for (g = 1; g <= re->ngroups && g < npairs; g++) {
		if ((fi = re->group_field[g]) < 0 || ov[2 * g] == PCRE2_UNSET)
			continue;
		if (f->v[fi].p != NULL && !overwrite)
			continue;
		f->v[fi].p = s + ov[2 * g];
		f->v[fi].n = ov[2 * g + 1] - ov[2 * g];
	}
}

/* Where the next search starts after a match [a, b). */
static size_t
engine_next(size_t a, size_t b)
{
	return b > a ? b : b + 1;
}

/* Fill the fields the main match left empty from the rule's extract
 * patterns, each in its scope around the main match [ms, me). */
static void
engine_extract(struct engine *en, const struct erule *er, const char *s,
    size_t n, size_t ms, size_t me, const struct record *rec,
    struct fields *f)
{
	const struct rule_re	*re;
	struct fields		 got;
	PCRE2_SIZE		*ov;
	size_t			 i, k, start, end;
	bool			 found;

	for (i = 0; i < er->r.nextracts; i++) {
		re = &er->r.extracts[i];
		memset(&got, 0, sizeof(got));
		found = false;
		if (re->scope == SCOPE_AFTER) {
			if (engine_match(en, er, re->code, s, n, me, rec) > 0) {
				engine_take(en, re, s, &got, true);
				found = true;
			}
		} else {
			/* the last match wholly before the main one, or in
			 * the record */
			end = re->scope == SCOPE_BEFORE ? ms : n;
			for (start = 0; start <= end; ) {
				if (engine_match(en, er, re->code, s, end,
				    start, rec) <= 0)
					break;
				ov = pcre2_get_ovector_pointer(en->md);
				memset(&got, 0, sizeof(got));
				engine_take(en, re, s, &got, true);
				found = true;
				start = engine_next(ov[0], ov[1]);
			}
		}
		if (!found)
			continue;
		for (k = 0; k < RF_NFIELDS; k++)
			if (f->v[k].p == NULL && got.v[k].p != NULL)
				f->v[k] = got.v[k];
	}
}

/* A copy of a captured field with control characters as spaces and
 * surrounding blanks trimmed; NULL when empty. */
static char *
field_dup(struct span sp)
{
	char	*out;
	size_t	 i;

	while (sp.n > 0 && (sp.p[0] == ' ' || sp.p[0] == '\t'))
		sp.p++, sp.n--;
	while (sp.n > 0 && (sp.p[sp.n - 1] == ' ' ||
	    sp.p[sp.n - 1] == '\t' || sp.p[sp.n - 1] == '\r'))
		sp.n--;
	if (sp.p == NULL || sp.n == 0)
		return NULL;
	if (sp.n > ENGINE_FIELD_CAP)
		sp.n = ENGINE_FIELD_CAP;
	out = xstrndup(sp.p, sp.n);
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	return out;
}

/* An exception type as the findings keep it: "ValueError" of
 * "ValueError('boom')", "asyncio.exceptions.TimeoutError" or
 * "socket.gaierror: [Errno -2] ...". */
static char *
exception_type(struct span sp)
{
	const char	*p = sp.p, *end, *dot;
	size_t		 i;

	if (p == NULL)
		return NULL;
	for (i = 0; i < sp.n; i++)
		if (p[i] == '(' || p[i] == ':' || p[i] == ' ' || p[i] == '<')
			break;
	end = p + i;
	for (dot = end; dot > p && dot[-1] != '.'; dot--)
		;
	sp.p = dot;
	sp.n = (size_t)(end - dot);
	return field_dup(sp);
}

/* A coroutine name without a trailing "()". */
static char *
coro_name(struct span sp)
{
	if (sp.p != NULL && sp.n > 2 && sp.p[sp.n - 2] == '(' &&
	    sp.p[sp.n - 1] == ')')
		sp.n -= 2;
	return field_dup(sp);
}

/* Seconds as text into microseconds; -1 when not a number. */
static int64_t
duration_us(struct span sp)
{
	char	 buf[64], *end;
	double	 s;

	if (sp.p == NULL || sp.n == 0 || sp.n >= sizeof(buf))
		return -1;
	memcpy(buf, sp.p, sp.n);
	buf[sp.n] = '\0';
	s = strtod(buf, &end);
	if (end == buf || s < 0 || s > 1e9)
		return -1;
	return (int64_t)(s * 1e6 + 0.5);
}

static void
engine_finding(struct engine *en, const struct erule *er,
    const struct record *rec, const struct fields *f,
    struct finding_list *out)
{
	struct finding	*fd = finding_add(out);
	struct buf	 msg;
	char		*detail;

	fd->kind = er->r.kind;
	fd->rule = er->r.id;
	fd->severity = er->r.severity;
	fd->ts_us = rec->ts_us;
	fd->task = field_dup(f->v[RF_TASK]);
	if (fd->task == NULL && rec->task.n > 0)
		fd->task = field_dup(rec->task);
	fd->coro = coro_name(f->v[RF_CORO]);
	fd->exception = exception_type(f->v[RF_EXC]);
	if (f->v[RF_LOC].p != NULL)
		fd->location = field_dup(f->v[RF_LOC]);
	else if (f->v[RF_FILE].p != NULL) {
		/* 512 + 1 + 32 bytes: never cut */
		buf_init(&msg, 2 * ENGINE_FIELD_CAP);
		buf_add(&msg, f->v[RF_FILE].p, f->v[RF_FILE].n <
		    ENGINE_FIELD_CAP ? f->v[RF_FILE].n : ENGINE_FIELD_CAP);
		if (f->v[RF_LINE].p != NULL) {
			buf_addc(&msg, ':');
			buf_add(&msg, f->v[RF_LINE].p, f->v[RF_LINE].n < 32 ?
			    f->v[RF_LINE].n : 32);
		}
		fd->location = field_dup((struct span){ msg.data, msg.len });
		buf_release(&msg);
	}
	fd->duration_us = duration_us(f->v[RF_DURATION]);
	if (fd->duration_us >= 0) {
		if (fd->duration_us < (int64_t)(en->stall_min_s * 1e6) &&
		    strcmp(fd->kind, KIND_STALL) == 0) {
			fd->kind = rule_kind(KIND_SLOW_CALLBACK);
			fd->severity = SEV_INFO;
		}
		/* a stall is dated when it began */
		if (fd->ts_us != TS_NONE)
			fd->ts_us -= fd->duration_us;
	}
	buf_init(&msg, ENGINE_MESSAGE_CAP);
	buf_adds(&msg, er->r.title);
	if ((detail = field_dup(f->v[RF_MSG])) != NULL) {
		buf_printf(&msg, ": %s", detail);
		free(detail);
	} else {
		const char	*sep = ": ";

		if (fd->task != NULL) {
			buf_printf(&msg, "%stask %s", sep, fd->task);
			sep = ", ";
		}
		if (fd->coro != NULL) {
			buf_printf(&msg, "%s%s", sep, fd->coro);
			sep = ", ";
		}
		if (fd->exception != NULL) {
			buf_printf(&msg, "%s%s", sep, fd->exception);
			sep = ", ";
		}
		if (fd->duration_us >= 0)
			buf_printf(&msg, "%s%.3f s", sep,
			    (double)fd->duration_us / 1e6);
	}
	assert(!msg.capped);
	fd->message = xstrndup(msg.data, msg.len);
	buf_release(&msg);
}

/* The widths a console hard-wraps a copied line at: 80 columns (a
 * terminal's and cmd.exe's default), 120 (Windows Terminal's), 160. */
static const size_t engine_wrap_cols[] = { 80, 120, 160 };

/* Whether a line of n bytes after lead bytes of header is exactly one of
 * the wrap widths wide. Bytes stand for columns: a wrap in a line holding
 * wide or multi-byte characters is not undone. */
static bool
engine_wrap_width(size_t n, size_t lead)
{
	size_t	i;

	for (i = 0; i < sizeof(engine_wrap_cols) / sizeof(*engine_wrap_cols);
	    i++)
		if (lead + n == engine_wrap_cols[i])
			return true;
	return false;
}

/* A copy of the message s[0..n) with a console's hard wraps undone: a line
 * exactly a wrap width wide (the first counting the lead columns of the
 * record's header before the message) and followed by another is joined
 * to it, so that "took 1.3" / "32 seconds" reads "took 1.332 seconds" and
 * "excepti" / "on=" "exception=". NULL when no line is that wide. The
 * copy is valid until the next call; *outn is its length (cut at
 * ENGINE_COPY_CAP, counted). */
static const char *
engine_unwrap(struct engine *en, const struct record *rec, const char *s,
    size_t n, size_t lead, size_t *outn)
{
	const char	*ls = s, *nl, *end = s + n;
	size_t		 len;
	bool		 copying = false;

	/* most records have no line that wide: copy from the first one */
	for (; (nl = memchr(ls, '\n', (size_t)(end - ls))) != NULL;
	    ls = nl + 1) {
		len = (size_t)(nl - ls);
		if (len > 0 && ls[len - 1] == '\r')
			len--;
		if (!engine_wrap_width(len, ls == s ? lead : 0))
			len = (size_t)(nl + 1 - ls);
		else if (!copying) {
			copying = true;
			buf_reset(&en->unwrap);
			buf_add(&en->unwrap, s, (size_t)(ls - s));
		}
		if (copying)
			buf_add(&en->unwrap, ls, len);
	}
	if (!copying)
		return NULL;
	buf_add(&en->unwrap, ls, (size_t)(end - ls));
	if (en->unwrap.capped)
		engine_cap_hit(en, rec, n, "hard wraps");
	*outn = en->unwrap.len;
	return en->unwrap.data;
}

/* Whether the match [ms, me) of an all-matches rule repeats the one made
 * on the message's first line, first (NULL when none): a record whose
 * message is the exception line ("RuntimeError: ...", logged with
 * exc_info) shows it again at the end of its traceback, one failure.
 * Other equal texts in one record are each their own (two warnings of a
 * pytest summary, two sub-exceptions of a group). */
static bool
engine_repeat(const char *s, size_t ms, size_t me, const struct span *first)
{
	return first != NULL && first->p != s + ms && first->n == me - ms &&
	    memcmp(first->p, s + ms, me - ms) == 0;
}

/* Try the rules whose needles occurred in s[0..n) (prefiltered) on it,
 * each kind not in *done, adding findings to out and their kinds to
 * *done. */
static void
engine_rules(struct engine *en, const struct record *rec, const char *s,
    size_t n, unsigned *done, struct finding_list *out)
{
	size_t		 i, j, start;
	struct fields	 f;
	struct span	 first;
	PCRE2_SIZE	*ov;
	bool		 hit;

	for (i = 0; i < en->nrules; i++) {
		struct erule	*er = &en->rules[i];

		if (!er->r.enabled || (*done & er->kind_bit))
			continue;
		if (er->nneedles > 0) {
			for (hit = false, j = 0; j < er->nneedles && !hit; j++)
				hit = en->needles[er->needles[j]].seen ==
				    en->gen;
			if (!hit)
				continue;
		}
		if (!engine_filters(&er->r, rec))
			continue;
		for (first.p = NULL, start = 0; start <= n; ) {
			size_t	ms, me;

			if (engine_match(en, er, er->r.pattern.code, s, n,
			    start, rec) <= 0)
				break;
			ov = pcre2_get_ovector_pointer(en->md);
			ms = ov[0];
			me = ov[1];
			if (er->r.all) {
				start = engine_next(ms, me);
				if (engine_repeat(s, ms, me, first.p ? &first :
				    NULL))
					continue;
				if (memchr(s, '\n', ms) == NULL)
					first = (struct span){ s + ms,
					    me - ms };
			}
			memset(&f, 0, sizeof(f));
			engine_take(en, &er->r.pattern, s, &f, false);
			engine_extract(en, er, s, n, ms, me, rec, &f);
			engine_finding(en, er, rec, &f, out);
			*done |= er->kind_bit;
			if (!er->r.all)
				break;
		}
	}
}

size_t
engine_scan(struct engine *en, const struct record *rec,
    struct finding_list *out)
{
	const char	*s, *u;
	size_t		 n, un, lead = 0, before = out->n;
	unsigned	 done = 0;
	bool		 inside;

	if (rec->message.p != NULL && rec->message.n > 0) {
		s = rec->message.p;
		n = rec->message.n;
	} else {
		s = rec->text.p;
		n = rec->text.n;
	}
	if (s == NULL)
		return 0;
	/* the header's columns, when the message is a part of the text (not
	 * a JSON field, which no console wrapped) */
	inside = rec->text.p != NULL && s >= rec->text.p &&
	    s <= rec->text.p + rec->text.n;
	if (inside)
		lead = (size_t)(s - rec->text.p);
	s = engine_lone_cr(en, rec, s, &n);
	en->gen++;
	/* most records hold no needle: then only needle-less rules run */
	if (engine_prefilter(en, (const unsigned char *)s, n) ||
	    en->nunfiltered > 0)
		engine_rules(en, rec, s, n, &done, out);
	/* a console's hard wrap can cut a signature in two: the kinds not
	 * found are tried again on the lines joined */
	if (inside && rec->nlines > 1 &&
	    (u = engine_unwrap(en, rec, s, n, lead, &un)) != NULL) {
		en->gen++;
		if (engine_prefilter(en, (const unsigned char *)u, un) ||
		    en->nunfiltered > 0)
			engine_rules(en, rec, u, un, &done, out);
	}
	return out->n - before;
}

size_t
engine_limit_hits(const struct engine *en, const char **first)
{
	if (first != NULL)
		*first = en->limit_hits ? en->first_limit : NULL;
	return en->limit_hits;
}

size_t
engine_cap_hits(const struct engine *en, const char **first)
{
	if (first != NULL)
		*first = en->cap_hits ? en->first_cap : NULL;
	return en->cap_hits;
}

void
engine_list(const struct engine *en, FILE *f, bool tabs)
{
	const struct rule	*r;
	size_t			 i;
	char			 origin[300];

	if (!tabs)
		fprintf(f, "%-34s %-22s %-8s %-3s %s\n", "ID", "KIND",
		    "SEVERITY", "ON", "TITLE");
	for (i = 0; i < en->nrules; i++) {
		r = &en->rules[i].r;
		snprintf(origin, sizeof(origin), "%s:%d", r->file, r->line);
		/* ids are checked; origins and titles come from files */
		if (tabs) {
			fprintf(f, "%s\t%s\t%s\t%s\t", r->id, r->kind,
			    severity_name(r->severity), r->enabled ? "yes" :
			    "no");
			escape_terminal(f, origin, strlen(origin));
			fputc('\t', f);
		} else
			fprintf(f, "%-34s %-22s %-8s %-3s ", r->id, r->kind,
			    severity_name(r->severity), r->enabled ? "yes" :
			    "no");
		escape_terminal(f, r->title, strlen(r->title));
		fputc('\n', f);
	}
}
