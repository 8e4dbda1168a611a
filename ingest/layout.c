/*
 * layout: recognise a log file's layout from its first lines and read
 * header lines. A layout is an optional per-line prefix (prefix.c:
 * syslog, journald, container runtimes, RichHandler) around an inner
 * layout:
 *  - timed: a Python logging layout, a time then the fields
 *    (pylayout.c); detection keeps the field pattern that matches the
 *    most of the first lines, and a template when one fits half of them;
 *  - JSON lines or key=value pairs (jsonline.c);
 *  - untimed: the same field patterns without the time (basicConfig's
 *    LEVEL:logger:msg), or none at all (bare stderr);
 *  - a user's header regex (pattern.c).
 * Which untimed line starts a record is the splitter's business; this
 * module picks and names the layout and never allocates per line.
 */
#include "ingest/layout.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "ingest/jsonline.h"
#include "ingest/pattern.h"
#include "ingest/prefix.h"
#include "ingest/pylayout.h"
#include "ingest/template.h"

#define DETECT_LINES	2000	/* lines detection reads at the most */

/* The longest spec: a container layout with a pattern and a template. */
_Static_assert(sizeof("container;o=8;k=2;p=;a=1;t=") - 1 + PYLAYOUT_NAME_MAX +
    TEMPLATE_SPEC - 1 < LAYOUT_SPEC_MAX, "LAYOUT_SPEC_MAX");

const char *const layout_names[] = {
	"auto", "python", "iso", "syslog", "journald", "container", "json",
	"basic", "stderr", "rich", NULL
};

struct layout {
	const char		*name;
	enum layout_kind	 kind;
	enum prefix		 prefix;
	bool			 inner_any;	/* a container layout by name:
						 * timed, JSON or untimed per
						 * line */
	size_t			 rich_w;	/* PREFIX_RICH: the width of
						 * its time and level columns */
	struct pylayout		 py;		/* timed and untimed: fields */
	struct pattern		 regex;		/* LAYOUT_REGEX: the user's */
	struct pattern_run	*run;		/* match data and limits (a
						 * pointer: reading a line
						 * through a const layout
						 * uses it) */
	char			 spec[LAYOUT_SPEC_MAX];	/* layout_spec() */
};

static struct layout *
layout_alloc(const char *name, enum layout_kind kind, enum prefix prefix)
{
	struct layout	*l = xcalloc(1, sizeof(*l));

	l->name = name;
	l->kind = kind;
	l->prefix = prefix;
	l->py.first = -1;
	l->run = xcalloc(1, sizeof(*l->run));
	return l;
}

/* Give l (timed or untimed) its field patterns, table index first (or
 * -1) ahead of the others. */
static void
layout_add_fields(struct layout *l, int first)
{
	pylayout_init(&l->py, l->kind == LAYOUT_UNTIMED, first);
	pattern_run_init(l->run, NULL);
}

void
layout_free(struct layout *l)
{
	if (l == NULL)
		return;
	pcre2_code_free(l->regex.re);
	pylayout_release(&l->py);
	pattern_run_release(l->run);
	free(l->run);
	free(l);
}

size_t
layout_limit_hits(const struct layout *l)
{
	return l->run->limit_hits;
}

const char *
layout_name(const struct layout *l)
{
	return l->name;
}

bool
layout_is_json(const struct layout *l)
{
	return l->kind == LAYOUT_JSON;
}

enum layout_kind
layout_kind(const struct layout *l)
{
	return l->kind;
}

bool
layout_has_prefix(const struct layout *l)
{
	return l->prefix != PREFIX_NONE;
}

const char *
layout_spec(const struct layout *l)
{
	return l->spec;
}

/* Fill l's spec once its variant is known. */
static struct layout *
layout_finish(struct layout *l)
{
	char	t[TEMPLATE_SPEC];

	if (l->kind == LAYOUT_REGEX) {
		snprintf(l->spec, sizeof(l->spec), "%s", l->name);
	} else {
		/* the pattern by its name: an index would change meaning
		 * when a pattern is added to the table */
		snprintf(l->spec, sizeof(l->spec), "%s;o=%d;k=%d;p=%s;a=%d",
		    l->name, (int)l->prefix, (int)l->kind, l->py.first >= 0 ?
		    pylayout_pattern_name(l->py.first) : "-1",
		    (int)l->inner_any);
		if (l->prefix == PREFIX_RICH)
			snprintf(l->spec + strlen(l->spec), sizeof(l->spec) -
			    strlen(l->spec), ";w=%zu", l->rich_w);
		if (l->py.tpl.n > 0) {
			template_format(&l->py.tpl, t, sizeof(t));
			snprintf(l->spec + strlen(l->spec), sizeof(l->spec) -
			    strlen(l->spec), ";t=%s", t);
		}
	}
	return l;
}

/* The fields of a layout spec, as read. */
struct spec_fields {
	long		 o, k, a, w;
	int		 pat;		/* table index, or -1 */
	struct template	 tpl;
};

/* The value of "KEY=VALUE" at *s when it is key's: its span, *s moved to
 * the ';' or NUL after it. False when *s holds another field. */
static bool
spec_field(const char **s, char key, struct span *v)
{
	if ((*s)[0] != ';' || (*s)[1] != key || (*s)[2] != '=')
		return false;
	v->p = *s + 3;
	v->n = strcspn(v->p, ";");
	*s = v->p + v->n;
	return true;
}

/* The integer v holds, when it holds one within [lo, hi]. */
static bool
spec_int(struct span v, long lo, long hi, long *out)
{
	char	buf[24], *end;

	if (v.n == 0 || v.n >= sizeof(buf))
		return false;
	memcpy(buf, v.p, v.n);
	buf[v.n] = '\0';
	*out = strtol(buf, &end, 10);
	return *end == '\0' && (buf[0] == '-' || (buf[0] >= '0' &&
	    buf[0] <= '9')) && *out >= lo && *out <= hi;
}

/* The pattern a spec's p= names: -1 for none, a name, or (specs from
 * before patterns had names) an index into the table of that time. */
static bool
spec_pattern(struct span v, int *pat)
{
	long	n;

	if (v.n > 0 && (v.p[0] == '-' || (v.p[0] >= '0' && v.p[0] <= '9'))) {
		if (!spec_int(v, -1, 999, &n))
			return false;
		*pat = n == -1 ? -1 : pylayout_pattern_v1(n);
		return *pat >= 0 || n == -1;
	}
	*pat = pylayout_pattern_named(v.p, v.n);
	return *pat >= 0;
}

/* Read the fields after a spec's name (";o=0;k=0;p=lv-name;a=0", then
 * ";w=20" or ";t=..."); false unless every one is there and valid. */
static bool
spec_read(const char *s, struct spec_fields *f)
{
	struct span	v;

	memset(f, 0, sizeof(*f));
	if (!spec_field(&s, 'o', &v) ||
	    !spec_int(v, PREFIX_NONE, PREFIX_LAST, &f->o) ||
	    !spec_field(&s, 'k', &v) ||
	    !spec_int(v, LAYOUT_TIMED, LAYOUT_UNTIMED, &f->k) ||
	    !spec_field(&s, 'p', &v) || !spec_pattern(v, &f->pat) ||
	    !spec_field(&s, 'a', &v) || !spec_int(v, 0, 1, &f->a))
		return false;
	if (spec_field(&s, 'w', &v) && !spec_int(v, 10, 63, &f->w))
		return false;
	if (f->w == 0 && spec_field(&s, 't', &v) &&
	    !template_parse(v.p, v.n, &f->tpl))
		return false;
	return *s == '\0' && (f->o == PREFIX_RICH) == (f->w > 0) &&
	    !(f->k == LAYOUT_UNTIMED && f->pat >= 0 &&
	    !pylayout_untimed_ok(f->pat));
}

/* A layout from its layout_spec(), or NULL. */
static struct layout *
layout_by_spec(const char *spec)
{
	struct layout		*l;
	const char		*semi = strchr(spec, ';');
	size_t			 i, len = (size_t)(semi - spec);
	struct spec_fields	 f;

	if (!spec_read(semi, &f))
		return NULL;
	for (i = 1; layout_names[i] != NULL; i++)
		if (strlen(layout_names[i]) == len &&
		    memcmp(layout_names[i], spec, len) == 0)
			break;
	if (layout_names[i] == NULL)
		return NULL;
	l = layout_alloc(layout_names[i], (enum layout_kind)f.k,
	    (enum prefix)f.o);
	l->inner_any = f.a;
	l->rich_w = (size_t)f.w;
	if (l->kind != LAYOUT_JSON)
		layout_add_fields(l, f.pat);
	l->py.tpl = f.tpl;
	return l;
}

struct layout *
layout_by_name(const char *name, struct err *e)
{
	struct layout	*l = NULL;

	if (strchr(name, ';') != NULL)
		l = layout_by_spec(name);
	else if (strcmp(name, "python") == 0)
		l = layout_alloc("python", LAYOUT_TIMED, PREFIX_NONE);
	else if (strcmp(name, "iso") == 0)
		l = layout_alloc("iso", LAYOUT_TIMED, PREFIX_NONE);
	else if (strcmp(name, "syslog") == 0)
		l = layout_alloc("syslog", LAYOUT_UNTIMED, PREFIX_SYSLOG);
	else if (strcmp(name, "journald") == 0)
		l = layout_alloc("journald", LAYOUT_UNTIMED, PREFIX_SYSLOG);
	else if (strcmp(name, "container") == 0) {
		l = layout_alloc("container", LAYOUT_TIMED, PREFIX_CONTAINER);
		l->inner_any = true;
	} else if (strcmp(name, "json") == 0)
		l = layout_alloc("json", LAYOUT_JSON, PREFIX_NONE);
	else if (strcmp(name, "basic") == 0)
		l = layout_alloc("basic", LAYOUT_UNTIMED, PREFIX_NONE);
	else if (strcmp(name, "stderr") == 0)
		l = layout_alloc("stderr", LAYOUT_UNTIMED, PREFIX_NONE);
	else if (strcmp(name, "rich") == 0) {
		l = layout_alloc("rich", LAYOUT_TIMED, PREFIX_RICH);
		l->rich_w = 20;		/* the documented datefmt="[%X]" */
	}
	if (l == NULL) {
		err_set(e, STATUS_USAGE, "--format: unknown layout '%s' (want "
		    "python, iso, syslog, journald, container, json, basic, "
		    "stderr, rich or auto)", name);
		return NULL;
	}
	if (l->kind != LAYOUT_JSON && l->py.pats == NULL)
		layout_add_fields(l, -1);
	return layout_finish(l);
}

struct layout *
layout_from_regex(const char *regex, struct err *e)
{
	struct layout	*l = layout_alloc("regex", LAYOUT_REGEX, PREFIX_NONE);

	/* a user's pattern may use \p{L} and friends; log bytes need not be
	 * valid UTF-8 */
	if (pattern_compile(&l->regex, regex, PCRE2_UTF |
	    PCRE2_MATCH_INVALID_UTF, e) == -1) {
		layout_free(l);
		return NULL;
	}
	pattern_run_init(l->run, &l->regex);
	return layout_finish(l);
}

/* --- reading a header --- */

static void
record_clear(struct record *rec)
{
	struct span	none = { NULL, 0 };

	rec->ts_us = TS_NONE;
	rec->pid = -1;
	rec->flags = 0;
	rec->level = none;
	rec->logger = none;
	rec->thread = none;
	rec->task = none;
	rec->message = none;
}

size_t
layout_prefix(const struct layout *l, const char *line, size_t n,
    struct record *rec)
{
	return prefix_strip(l->prefix, l->rich_w, line, n, rec);
}

bool
layout_partial(const struct layout *l, const char *line, size_t n)
{
	return prefix_partial(l->prefix, line, n);
}

size_t
layout_line_keep(const struct layout *l, const char *line, size_t n,
    bool first)
{
	if (l->prefix != PREFIX_RICH)
		return n;
	return prefix_rich_keep(line, n, first);
}

/* Read the inner line s[0..n) (after any prefix) with l's inner layout. */
static bool
parse_inner(const struct layout *l, const char *s, size_t n,
    struct record *rec)
{
	switch (l->kind) {
	case LAYOUT_TIMED:
		if (pylayout_timed(&l->py, l->run, s, n, rec))
			return true;
		return l->inner_any && (jsonline_parse(s, n, rec) ||
		    pylayout_untimed(&l->py, l->run, s, n, rec));
	case LAYOUT_JSON:
		return jsonline_parse(s, n, rec);
	case LAYOUT_UNTIMED:
		return pylayout_untimed(&l->py, l->run, s, n, rec);
	case LAYOUT_REGEX:
		return pattern_match(&l->regex, l->run, s, n, rec);
	}
	return false;
}

bool
layout_parse_header(const struct layout *l, const char *line, size_t n,
    struct record *rec)
{
	size_t		k = 0;
	int64_t		outer_ts;

	record_clear(rec);
	if (l->prefix != PREFIX_NONE) {
		k = layout_prefix(l, line, n, rec);
		if (k == 0 && l->kind != LAYOUT_UNTIMED)
			return false;
	}
	outer_ts = rec->ts_us;
	if (l->prefix == PREFIX_RICH) {
		if (rec->level.n == 0)
			return false;
		rec->message.p = line + k;
		rec->message.n = n - k;
		return true;
	}
	if (!parse_inner(l, line + k, n - k, rec)) {
		record_clear(rec);
		return false;
	}
	if (rec->ts_us == TS_NONE)
		rec->ts_us = outer_ts;
	return true;
}

/* --- detection --- */

/* What the inner lines (after any prefix) of a file's start look like. */
struct scores {
	size_t	lines;			/* non-empty lines looked at */
	size_t	first_timed;		/* the first line has a time: 1 */
	size_t	timed, iso_t;		/* lines with a leading time; of
					 * them with a T */
	size_t	json;
	size_t	pat[PYLAYOUT_PATTERNS];	/* timed lines matched per table
					 * pattern */
	size_t	untimed[PYLAYOUT_PATTERNS];	/* untimed lines per
						 * compiled pattern */
	struct template_votes tv;	/* timed lines' field templates */
};

/* The all-patterns layouts detection reads lines with. */
struct probes {
	struct layout	*timed, *untimed;
};

/* Score one inner line (after any prefix) into sc. */
static void
score_inner(struct scores *sc, const struct probes *pr, const char *s,
    size_t n, bool first)
{
	struct record	 rec;
	int64_t		 ts;
	size_t		 used, k;
	struct layout	*t = pr->timed, *u = pr->untimed;

	if (n > 0 && jsonline_parse(s, n, &rec)) {
		sc->json++;
		return;
	}
	if (pylayout_time(s, n, &ts, &used)) {
		sc->timed++;
		sc->first_timed += first;
		if (used > 10 && s[10] == 'T')
			sc->iso_t++;
		template_vote(&sc->tv, s + used, n - used);
		for (k = 0; k < t->py.npats; k++)
			if (pattern_match(&t->py.pats[k], t->run, s + used,
			    n - used, &rec))
				sc->pat[t->py.index[k]]++;
		return;
	}
	for (k = 0; k < u->py.npats; k++)
		if (pattern_match(&u->py.pats[k], u->run, s, n, &rec))
			sc->untimed[k]++;
}

/* The index of the largest count (the first on ties), or -1 if all 0. */
static int
best_of(const size_t *v, size_t n)
{
	size_t	i;
	int	best = -1;

	for (i = 0; i < n; i++)
		if (v[i] > 0 && (best < 0 || v[i] > v[best]))
			best = (int)i;
	return best;
}

/* The next line of [*s, end) (its "\r\n" or "\n" left out): *s moves
 * past it; false at the end. */
static bool
next_line(const char **s, const char *end, const char **line, size_t *len)
{
	const char	*nl;

	if (*s >= end)
		return false;
	nl = memchr(*s, '\n', (size_t)(end - *s));
	if (nl == NULL)
		nl = end;
	*line = *s;
	*len = (size_t)(nl - *s);
	if (*len > 0 && (*s)[*len - 1] == '\r')
		(*len)--;
	*s = nl + 1;
	return true;
}

/* Pass 1: score every line whole, and vote for a prefix. */
static void
score_lines(const char *p, size_t n, const struct probes *pr,
    struct scores *sc, struct prefix_votes *pv)
{
	const char	*s = p, *line;
	size_t		 len;
	bool		 first = true;

	while (sc->lines < DETECT_LINES && next_line(&s, p + n, &line, &len)) {
		if (len == 0)
			continue;
		sc->lines++;
		prefix_vote(pv, line, len);
		score_inner(sc, pr, line, len, first);
		first = false;
	}
}

/* Pass 2: score the lines that carry the prefix, behind it. */
static void
score_behind(const char *p, size_t n, enum prefix prefix,
    const struct probes *pr, struct scores *sc)
{
	const char	*s = p, *line;
	size_t		 len, k;
	bool		 first = true;
	struct record	 rec;

	while (sc->lines < DETECT_LINES && next_line(&s, p + n, &line, &len)) {
		k = prefix_strip(prefix, 0, line, len, &rec);
		if (k == 0)
			continue;
		sc->lines++;
		score_inner(sc, pr, line + k, len - k, first);
		first = false;
	}
}

/* The inner layout the scores point to, behind prefix. */
static struct layout *
choose_inner(const struct scores *sc, const struct probes *pr,
    enum prefix prefix)
{
	struct layout	*l;
	struct template	 tpl;
	size_t		 ntpl;
	int		 best = best_of(sc->pat, PYLAYOUT_PATTERNS);
	int		 bu = best_of(sc->untimed, pr->untimed->py.npats);

	if (sc->json > 0 && sc->json >= sc->timed &&
	    sc->json >= (bu < 0 ? 0 : sc->untimed[bu]))
		return layout_alloc("json", LAYOUT_JSON, prefix);
	if (sc->timed > 0 && (sc->first_timed || (sc->timed >= 2 &&
	    sc->timed * 10 >= sc->lines)) &&
	    (bu < 0 || sc->timed > sc->untimed[bu])) {
		/* the first line timed, or one line in ten: a stray date at
		 * the start of a stderr line does not make a timed file */
		l = layout_alloc(sc->iso_t * 2 > sc->timed ? "iso" : "python",
		    LAYOUT_TIMED, prefix);
		layout_add_fields(l, best);
		/* fields inferred from half the timed lines or more come
		 * first; the fixed patterns stay for the other lines */
		if (template_best(&sc->tv, &tpl, &ntpl) &&
		    ntpl * 2 >= sc->timed)
			l->py.tpl = tpl;
		return l;
	}
	l = layout_alloc(bu >= 0 ? "basic" : "stderr", LAYOUT_UNTIMED, prefix);
	layout_add_fields(l, bu >= 0 ? pr->untimed->py.index[bu] : -1);
	return l;
}

/* The part of p[0..*n) detection reads: whole lines of the first
 * LAYOUT_DETECT_BYTES, a UTF-8 byte order mark left out. */
static const char *
detect_window(const char *p, size_t *n)
{
	size_t	k;

	if (*n > LAYOUT_DETECT_BYTES) {
		for (k = LAYOUT_DETECT_BYTES; k > 0 && p[k - 1] != '\n'; k--)
			;
		*n = k > 0 ? k : LAYOUT_DETECT_BYTES;
	}
	if (*n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		*n -= 3;
	}
	return p;
}

struct layout *
layout_detect(const char *p, size_t n)
{
	struct probes		 pr;
	struct layout		*l;
	struct scores		 sc;
	struct prefix_votes	 pv;
	enum prefix		 prefix;
	int			 best;

	pr.timed = layout_alloc("python", LAYOUT_TIMED, PREFIX_NONE);
	pr.untimed = layout_alloc("stderr", LAYOUT_UNTIMED, PREFIX_NONE);
	layout_add_fields(pr.timed, -1);
	layout_add_fields(pr.untimed, -1);
	memset(&sc, 0, sizeof(sc));
	memset(&pv, 0, sizeof(pv));
	template_votes_init(&sc.tv);
	p = detect_window(p, &n);
	score_lines(p, n, &pr, &sc, &pv);
	/* the last pattern, a level alone, left out */
	best = best_of(sc.pat, PYLAYOUT_PATTERNS - 1);
	prefix = prefix_choose(&pv, best < 0 ? 0 : sc.pat[best]);
	if (prefix == PREFIX_RICH) {
		l = layout_alloc("rich", LAYOUT_TIMED, PREFIX_RICH);
		l->rich_w = pv.rich_w;
	} else {
		if (prefix != PREFIX_NONE) {
			memset(&sc, 0, sizeof(sc));
			template_votes_init(&sc.tv);
			score_behind(p, n, prefix, &pr, &sc);
		}
		l = choose_inner(&sc, &pr, prefix);
		if (prefix == PREFIX_SYSLOG)
			l->name = pv.syslog_iso * 2 > pv.syslog ? "journald" :
			    "syslog";
		else if (prefix != PREFIX_NONE && prefix != PREFIX_INDENT)
			l->name = "container";
	}
	/* lines the probes' patterns gave up on count as the layout's */
	l->run->limit_hits += pr.timed->run->limit_hits +
	    pr.untimed->run->limit_hits;
	layout_free(pr.timed);
	layout_free(pr.untimed);
	return layout_finish(l);
}
