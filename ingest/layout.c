/*
 * layout: recognise a log file's layout from its first lines and read
 * header lines. A layout is an optional per-line prefix (docker-compose
 * "app_1  | ", CRI "TIME stdout F ", syslog "Nov 24 18:01:22 host app[1]: ",
 * journald short-iso) around an inner layout:
 *  - timed: a time at the line start (timestamp_parse), then the fields,
 *    read by one of a small table of anchored PCRE2 patterns (level,
 *    logger, [pid], [thread], [taskName] in the orders Python logging
 *    configurations use); detection keeps the pattern that matches the most
 *    of the first lines;
 *  - JSON lines, read by a small scanner of top-level keys;
 *  - untimed: the same field patterns without the time (basicConfig's
 *    LEVEL:logger:msg), or none at all (bare stderr).
 * Which untimed line starts a record is the splitter's business; this
 * module reads fields and never allocates per line. CRI partial lines
 * ("P") are told apart (layout_partial) for the splitter to join.
 */
#include "ingest/layout.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "common/xmalloc.h"
#include "ingest/template.h"
#include "ingest/timestamp.h"

#define DETECT_BYTES	65536
#define DETECT_LINES	2000

const char *const layout_names[] = {
	"auto", "python", "iso", "syslog", "journald", "container", "json",
	"basic", "stderr", "rich", NULL
};

enum outer {
	OUTER_NONE,
	OUTER_SYSLOG,		/* syslog or journald short-iso */
	OUTER_COMPOSE,		/* docker-compose "name  | " */
	OUTER_CRI,		/* CRI "TIME stdout F " */
	OUTER_CONTAINER,	/* either container prefix, per line */
	OUTER_INDENT,		/* one blank before every line */
	OUTER_STREAM,		/* "stderr: ", pm2's "2|app  | " */
	OUTER_TSTAMP,		/* "docker logs -t", CI runners: "TIME " */
	OUTER_RICH		/* RichHandler's "[TIME] LEVEL    " columns */
};

struct pattern {
	pcre2_code	*re;
	bool		 jit;		/* JIT-compiled: pcre2_jit_match() */
	int		 g_ts, g_level, g_logger, g_pid, g_thread, g_task,
			 g_msg;
};

struct layout {
	const char		*name;
	enum layout_kind	 kind;
	enum outer		 outer;
	bool			 inner_any;	/* a container layout by name:
						 * timed, JSON or untimed per
						 * line */
	struct pattern		*pats;		/* tried in order */
	size_t			 npats;
	int			 pat;		/* field_pats index tried first,
						 * or -1 */
	bool			 own_pats;	/* compiled for this layout
						 * (a --header-regex), not
						 * field_cache's */
	int			 rich_w;	/* OUTER_RICH: the width of
						 * its time and level columns */
	struct template		 tpl;		/* inferred fields, tried
						 * before pats; n 0: none */
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;		/* a user regex's limits */
	size_t			*limit_hits;	/* lines that hit them */
	char			 spec[LAYOUT_SPEC_MAX];	/* layout_spec() */
};

/* A user's header regex gets this much backtracking per line, so a
 * pattern that backtracks catastrophically on some line costs a bounded
 * time there (the line then reads as no header) and is reported. */
#define REGEX_MATCH_LIMIT	1000000
#define REGEX_DEPTH_LIMIT	10000

#define LV	"(?<level>DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL|" \
		"NOTSET|TRACE|EXCEPTION|SUCCESS)"

/* Field patterns, read right after a header time ("^ +" leads) or, for
 * untimed layouts, at the line start (the "^ +" becomes "^"). */
static const struct {
	const char	*src;
	bool		 untimed;	/* also usable without a time */
} field_pats[] = {
	/* %(levelname)s [%(threadName)s/%(taskName)s] %(name)s: */
	{ "^ +" LV " +\\[(?<thread>[^\\]/]*)/(?<task>[^\\]]*)\\] +"
	    "(?<logger>\\S+?):(?: |$)", true },
	/* %(levelname)-8s [%(taskName)s] %(name)s: */
	{ "^ +" LV " +\\[(?<task>[^\\]]*)\\] +(?<logger>\\S+?):(?: |$)", true },
	/* [%(process)d] [%(threadName)s] %(levelname)-8s %(name)s - */
	{ "^ +\\[(?<pid>\\d+)\\] +\\[(?<thread>[^\\]]*)\\] +" LV
	    " +(?<logger>\\S+) +-(?: |$)", true },
	/* | %(levelname)-8s | %(name)s | */
	{ "^ +\\| +" LV " *\\| +(?<logger>\\S+) +\\|(?: |$)", false },
	/* - %(name)s - %(levelname)s - */
	{ "^ +- +(?<logger>\\S+) +- +" LV " +-(?: |$)", false },
	/* loguru: | LEVEL    | module:function:line - */
	{ "^ +\\| +" LV " *\\| +(?<logger>[^\\s:]+)(?::\\S+)? +-(?: |$)",
	    false },
	/* gunicorn: [pid] [LEVEL] */
	{ "^ +\\[(?<pid>\\d+)\\] +\\[" LV "\\](?: +|$)", false },
	/* structlog's console: [info     ] */
	{ "^ +\\[(?<level>debug|info|warning|warn|error|critical|fatal|"
	    "exception) *\\](?: +|$)", false },
	/* [%(levelname)s] %(name)s: */
	{ "^ +\\[" LV "\\] +(?<logger>\\S+?):(?: |$)", true },
	/* %(levelname)s %(name)s: */
	{ "^ +" LV " +(?<logger>\\S+?):(?: |$)", true },
	/* %(levelname)s:%(name)s: */
	{ "^ +" LV ":(?<logger>[^\\s:]*):", true },
	/* [%(threadName)s] %(levelname)s %(name)s: */
	{ "^ +\\[(?<thread>[^\\]]*)\\] +" LV " +(?<logger>\\S+?):(?: |$)",
	    true },
	/* %(levelname)s %(name)s - */
	{ "^ +" LV " +(?<logger>\\S+) +-(?: |$)", true },
	/* %(name)s %(levelname)s */
	{ "^ +(?<logger>[A-Za-z_][\\w.]*) +" LV "(?::? +|:?$)", false },
	/* [%(levelname)s] */
	{ "^ +\\[" LV "\\](?: +|$)", true },
	/* %(levelname)s */
	{ "^ +" LV "(?::? +|:?$)", true },
};
#define NFIELD_PATS	(sizeof(field_pats) / sizeof(field_pats[0]))
/* The basicConfig pattern, tried first on untimed lines. */
#define BASIC_PAT	10

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
group_number(pcre2_code *re, const char *name)
{
	int	g = pcre2_substring_number_from_name(re, (PCRE2_SPTR)name);

	return g > 0 ? g : -1;
}

static int
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

static struct layout *
layout_alloc(const char *name, enum layout_kind kind, enum outer outer)
{
	struct layout	*l = xcalloc(1, sizeof(*l));

	l->name = name;
	l->kind = kind;
	l->outer = outer;
	l->pat = -1;
	return l;
}

/* The field patterns, compiled (and JIT-compiled) once per process on
 * first use, timed [0] and untimed [1]: every file's detection and layout
 * uses them, and compiling them is most of the cost of a small file.
 * Only the ingest's thread reads layouts. */
static struct pattern	field_cache[2][NFIELD_PATS];
static bool		field_cached[2][NFIELD_PATS];

/* Field pattern i, timed or untimed; false if it does not compile. */
static bool
field_pattern(int i, bool untimed, struct pattern *out)
{
	struct pattern	*pt = &field_cache[untimed][i];
	const char	*s = field_pats[i].src;
	char		 src[512];
	struct err	 e;

	if (!field_cached[untimed][i]) {
		if (untimed) {
			/* "^ +" -> "^" */
			src[0] = '^';
			snprintf(src + 1, sizeof(src) - 1, "%s", s + 3);
			s = src;
		}
		if (pattern_compile(pt, s, 0, &e) == -1)
			pt->re = NULL;
		field_cached[untimed][i] = true;
	}
	*out = *pt;
	return pt->re != NULL;
}

/* The field patterns of a timed or untimed layout, `first` (an index
 * into field_pats, or -1) ahead of the others. */
static void
layout_add_fields(struct layout *l, int first)
{
	size_t		 i, k = 0;
	int		 order[NFIELD_PATS + 1], j, n = 0;
	bool		 untimed = l->kind == LAYOUT_UNTIMED;

	l->pat = first;
	if (first >= 0)
		order[n++] = first;
	if (untimed && first != BASIC_PAT)
		order[n++] = BASIC_PAT;
	for (i = 0; i < NFIELD_PATS; i++)
		if ((int)i != first && !(untimed && i == BASIC_PAT))
			order[n++] = (int)i;
	l->pats = xcalloc((size_t)n, sizeof(*l->pats));
	for (j = 0; j < n; j++) {
		if (untimed && !field_pats[order[j]].untimed)
			continue;
		if (field_pattern(order[j], untimed, &l->pats[k]))
			k++;
	}
	l->npats = k;
	l->md = pcre2_match_data_create(32, NULL);
}

void
layout_free(struct layout *l)
{
	size_t	i;

	if (l == NULL)
		return;
	for (i = 0; l->own_pats && i < l->npats; i++)
		pcre2_code_free(l->pats[i].re);
	free(l->pats);
	pcre2_match_data_free(l->md);
	pcre2_match_context_free(l->mctx);
	free(l->limit_hits);
	free(l);
}

size_t
layout_limit_hits(const struct layout *l)
{
	return l->limit_hits != NULL ? *l->limit_hits : 0;
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
	return l->outer != OUTER_NONE;
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
		snprintf(l->spec, sizeof(l->spec), "%s;o=%d;k=%d;p=%d;a=%d",
		    l->name, (int)l->outer, (int)l->kind, l->pat,
		    (int)l->inner_any);
		if (l->outer == OUTER_RICH)
			snprintf(l->spec + strlen(l->spec), sizeof(l->spec) -
			    strlen(l->spec), ";w=%d", l->rich_w);
		if (l->tpl.n > 0) {
			template_format(&l->tpl, t, sizeof(t));
			snprintf(l->spec + strlen(l->spec), sizeof(l->spec) -
			    strlen(l->spec), ";t=%s", t);
		}
	}
	return l;
}

/* A layout from its layout_spec(), or NULL. */
static struct layout *
layout_by_spec(const char *spec)
{
	struct layout	*l;
	const char	*semi = strchr(spec, ';');
	size_t		 i, len = (size_t)(semi - spec);
	int		 o, k, p, a, end = 0, w = 0, wend = 0;
	struct template	 tpl;

	memset(&tpl, 0, sizeof(tpl));
	if (sscanf(semi, ";o=%d;k=%d;p=%d;a=%d%n", &o, &k, &p, &a, &end) == 4 &&
	    sscanf(semi + end, ";w=%d%n", &w, &wend) == 1 && w > 9 && w < 64) {
		end += wend;
		if (semi[end] != '\0')
			return NULL;
	}
	if (sscanf(semi, ";o=%d;k=%d;p=%d;a=%d", &o, &k, &p, &a) == 4 &&
	    strncmp(semi + end, ";t=", 3) == 0) {
		if (!template_parse(semi + end + 3, strlen(semi + end + 3),
		    &tpl))
			return NULL;
		end += (int)strlen(semi + end);
	}
	if (sscanf(semi, ";o=%d;k=%d;p=%d;a=%d", &o, &k, &p, &a) != 4 ||
	    semi[end] != '\0' || o < OUTER_NONE || o > OUTER_RICH ||
	    k < LAYOUT_TIMED || k > LAYOUT_UNTIMED || p < -1 ||
	    p >= (int)NFIELD_PATS || (a != 0 && a != 1))
		return NULL;
	for (i = 1; layout_names[i] != NULL; i++)
		if (strlen(layout_names[i]) == len &&
		    memcmp(layout_names[i], spec, len) == 0)
			break;
	if (layout_names[i] == NULL ||
	    (k == LAYOUT_UNTIMED && p >= 0 && !field_pats[p].untimed))
		return NULL;
	l = layout_alloc(layout_names[i], (enum layout_kind)k, (enum outer)o);
	l->inner_any = a;
	l->tpl = tpl;
	l->rich_w = w;
	if ((o == OUTER_RICH) != (w > 0)) {
		layout_free(l);
		return NULL;
	}
	if (l->kind != LAYOUT_JSON)
		layout_add_fields(l, p);
	return l;
}

struct layout *
layout_by_name(const char *name, struct err *e)
{
	struct layout	*l = NULL;

	if (strchr(name, ';') != NULL)
		l = layout_by_spec(name);
	else if (strcmp(name, "python") == 0)
		l = layout_alloc("python", LAYOUT_TIMED, OUTER_NONE);
	else if (strcmp(name, "iso") == 0)
		l = layout_alloc("iso", LAYOUT_TIMED, OUTER_NONE);
	else if (strcmp(name, "syslog") == 0)
		l = layout_alloc("syslog", LAYOUT_UNTIMED, OUTER_SYSLOG);
	else if (strcmp(name, "journald") == 0)
		l = layout_alloc("journald", LAYOUT_UNTIMED, OUTER_SYSLOG);
	else if (strcmp(name, "container") == 0) {
		l = layout_alloc("container", LAYOUT_TIMED, OUTER_CONTAINER);
		l->inner_any = true;
	} else if (strcmp(name, "json") == 0)
		l = layout_alloc("json", LAYOUT_JSON, OUTER_NONE);
	else if (strcmp(name, "basic") == 0)
		l = layout_alloc("basic", LAYOUT_UNTIMED, OUTER_NONE);
	else if (strcmp(name, "stderr") == 0)
		l = layout_alloc("stderr", LAYOUT_UNTIMED, OUTER_NONE);
	else if (strcmp(name, "rich") == 0) {
		l = layout_alloc("rich", LAYOUT_TIMED, OUTER_RICH);
		l->rich_w = 20;		/* the documented datefmt="[%X]" */
	}
	if (l == NULL) {
		err_set(e, STATUS_USAGE, "--format: unknown layout '%s' (want "
		    "python, iso, syslog, journald, container, json, basic, "
		    "stderr, rich or auto)", name);
		return NULL;
	}
	if (l->kind != LAYOUT_JSON && l->pats == NULL)
		layout_add_fields(l, -1);
	return layout_finish(l);
}

struct layout *
layout_from_regex(const char *regex, struct err *e)
{
	struct layout	*l = layout_alloc("regex", LAYOUT_REGEX, OUTER_NONE);

	l->pats = xcalloc(1, sizeof(*l->pats));
	l->own_pats = true;
	/* a user's pattern may use \p{L} and friends; log bytes need not be
	 * valid UTF-8 */
	if (pattern_compile(&l->pats[0], regex, PCRE2_UTF |
	    PCRE2_MATCH_INVALID_UTF, e) == -1) {
		layout_free(l);
		return NULL;
	}
	l->npats = 1;
	l->md = pcre2_match_data_create_from_pattern(l->pats[0].re, NULL);
	l->mctx = pcre2_match_context_create(NULL);
	if (l->md == NULL || l->mctx == NULL) {
		layout_free(l);
		err_set(e, STATUS_USAGE, "header regex: out of memory");
		return NULL;
	}
	pcre2_set_match_limit(l->mctx, REGEX_MATCH_LIMIT);
	pcre2_set_depth_limit(l->mctx, REGEX_DEPTH_LIMIT);
	l->limit_hits = xcalloc(1, sizeof(*l->limit_hits));
	return layout_finish(l);
}

/* --- prefixes --- */

static bool
is_level_word(const char *s, size_t n)
{
	static const char *const levels[] = { "DEBUG", "INFO", "WARNING",
	    "WARN", "ERROR", "CRITICAL", "FATAL", NULL };
	size_t	i;

	for (i = 0; levels[i] != NULL; i++)
		if (strlen(levels[i]) == n && memcmp(levels[i], s, n) == 0)
			return true;
	return false;
}

/* "app_1  | ", "web-1  | " */
static size_t
prefix_compose(const char *s, size_t n)
{
	size_t	i = 0;
	char	c;

	if (n == 0 || !((s[0] >= 'A' && s[0] <= 'Z') ||
	    (s[0] >= 'a' && s[0] <= 'z')))
		return 0;
	for (i = 1; i < n; i++) {
		c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    is_digit(c) || c == '_' || c == '-' || c == '.'))
			break;
	}
	if (i >= n || s[i] != ' ')
		return 0;
	while (i < n && s[i] == ' ')
		i++;
	if (i >= n || s[i] != '|')
		return 0;
	i++;
	if (i < n && s[i] == ' ')
		i++;
	return i;
}

/* "2026-11-24T18:01:22.123456789Z stdout F " */
static size_t
prefix_cri(const char *s, size_t n, int64_t *ts)
{
	size_t	used, i;

	if (n < 20 || !is_digit(s[0]) || s[10] != 'T' ||
	    !timestamp_parse(s, n, ts, &used))
		return 0;
	i = used;
	if (i + 10 > n || s[i] != ' ' || (memcmp(s + i + 1, "stdout ", 7) != 0
	    && memcmp(s + i + 1, "stderr ", 7) != 0))
		return 0;
	i += 8;
	if (s[i] != 'F' && s[i] != 'P')
		return 0;
	i++;
	if (i < n && s[i] == ' ')
		i++;
	else if (i != n)
		return 0;
	return i;
}

/* RFC 5424 after "<PRI>1 ": "TIME HOST APP PROCID MSGID SD MSG"; the
 * time at s. */
static size_t
prefix_5424(const char *s, size_t n, int64_t *ts, int64_t *pid)
{
	size_t	used, i, f, k;
	int64_t	p = -1;

	if (!timestamp_parse(s, n, ts, &used) || used >= n || s[used] != ' ')
		return 0;
	i = used + 1;
	for (f = 0; f < 4; f++) {	/* host, app, procid, msgid */
		k = i;
		while (i < n && s[i] != ' ')
			i++;
		if (i == k || i >= n)
			return 0;
		if (f == 2 && s[k] != '-') {
			p = 0;
			for (; k < i && is_digit(s[k]); k++)
				p = p * 10 + (s[k] - '0');
			if (k != i)
				p = -1;
		}
		i++;
	}
	/* structured data: "-" or [id k="v"]... */
	if (s[i] == '-') {
		i++;
	} else {
		while (i < n && s[i] == '[') {
			for (i++; i < n && s[i] != ']'; i++)
				if (s[i] == '\\')
					i++;
			if (i >= n)
				return 0;
			i++;
		}
	}
	if (i < n && s[i] == ' ')
		i++;
	if (n - i >= 3 && memcmp(s + i, "\xef\xbb\xbf", 3) == 0)
		i += 3;
	*pid = p;
	return i;
}

/* "Nov 24 18:01:22 host app[123]: ", "2026-11-24T18:01:22+0000 host
 * app[123]: ": a syslog time, or an ISO time with T and a zone; "<13>"
 * before it (RFC 3164 on the wire) or "<13>1 " (RFC 5424). Heroku's
 * "2026-11-24T18:01:22.5+00:00 app[web.1]: " is one without a host. */
static size_t
prefix_syslog(const char *s, size_t n, int64_t *ts, int64_t *pid)
{
	size_t	used, i, h, t, k = 0;
	int64_t	p = -1;

	if (n > 3 && s[0] == '<') {
		for (k = 1; k < n && k < 5 && is_digit(s[k]); k++)
			;
		if (k == 1 || k >= n || s[k] != '>')
			return 0;
		k++;
		if (k + 2 < n && s[k] == '1' && s[k + 1] == ' ') {
			i = prefix_5424(s + k + 2, n - k - 2, ts, pid);
			return i > 0 ? k + 2 + i : 0;
		}
		s += k;
		n -= k;
	}
	if (n < 16)
		return 0;
	if (is_digit(s[0])) {
		if (n < 20 || s[10] != 'T')
			return 0;
	} else if (!(s[0] >= 'A' && s[0] <= 'S'))
		return 0;
	if (!timestamp_parse(s, n, ts, &used))
		return 0;
	/* journald's ISO time carries a zone */
	if (is_digit(s[0]) && (used <= 19 || (memchr(s + 19, 'Z',
	    used - 19) == NULL && memchr(s + 19, '+', used - 19) == NULL &&
	    memchr(s + 19, '-', used - 19) == NULL)))
		return 0;
	i = used;
	if (i >= n || s[i] != ' ')
		return 0;
	h = ++i;
	while (i < n && s[i] != ' ')
		i++;
	if (i == h || i >= n || is_level_word(s + h, i - h) || s[h] == '|' ||
	    s[h] == '-' || s[h] == '[')
		return 0;
	if (s[i - 1] == ':' && is_digit(s[0]) && i - h > 1 && s[i - 2] == ']') {
		/* no host: Heroku's "app[web.1]: " */
		i = h;
	} else {
		i++;
	}
	t = i;
	while (i < n && s[i] != ' ' && s[i] != '[' && s[i] != ':')
		i++;
	if (i == t || i >= n)
		return 0;
	if (s[i] == '[') {
		p = 0;
		for (i++; i < n && is_digit(s[i]); i++)
			p = p * 10 + (s[i] - '0');
		if (i < n && s[i] != ']') {
			/* a dyno or unit name, not a pid */
			p = -1;
			while (i < n && s[i] != ']' && s[i] != ' ')
				i++;
		}
		if (i >= n || s[i] != ']')
			return 0;
		i++;
	}
	if (i >= n || s[i] != ':')
		return 0;
	i++;
	if (i < n && s[i] == ' ')
		i++;
	*pid = p;
	return k + i;
}

/* RichHandler: "[04:43:18] ERROR    msg   file.py:12", the time left out
 * (blank) when it repeats, "[12/06/26 04:43:18]" with log_time_format's
 * default; other lines of a record under the message column. The level
 * makes a header; *w the columns' width (0: not such a line). */
static bool
rich_head(const char *s, size_t n, int64_t *ts, struct span *level,
    size_t *w)
{
	char	iso[20];
	size_t	i = 0, k, used;

	*ts = TS_NONE;
	if (n > 0 && s[0] == '[') {
		if (n >= 20 && is_digit(s[1]) && s[3] == '/' && s[6] == '/' &&
		    s[9] == ' ' && s[12] == ':' && s[18] == ']') {
			/* %x %X: MM/DD/YY HH:MM:SS */
			snprintf(iso, sizeof(iso), "20%.2s-%.2s-%.2s %.8s",
			    s + 7, s + 1, s + 4, s + 10);
			if (!timestamp_parse(iso, 19, ts, &used))
				*ts = TS_NONE;
			i = 19;
		} else if (n >= 11 && is_digit(s[1]) && s[3] == ':' &&
		    s[6] == ':' && s[9] == ']') {
			i = 10;		/* %X alone: no date to read */
		} else {
			return false;
		}
		if (i >= n || s[i] != ' ')
			return false;
		i++;
	} else {
		while (i < n && s[i] == ' ')
			i++;
		if (i != 11 && i != 20)
			return false;
	}
	for (k = i; k < n && s[k] >= 'A' && s[k] <= 'Z'; k++)
		;
	if (!is_level_word(s + i, k - i) || k >= n || s[k] != ' ' ||
	    i + 9 > n)
		return false;
	level->p = s + i;
	level->n = k - i;
	*w = i + 9;
	return true;
}

static size_t
prefix_rich(const struct layout *l, const char *s, size_t n,
    struct record *rec)
{
	int64_t		ts;
	struct span	lv;
	size_t		w, i;

	if (rich_head(s, n, &ts, &lv, &w) && (int)w == l->rich_w) {
		rec->level = lv;
		rec->ts_us = ts;
		return w;
	}
	for (i = 0; i < n && i < (size_t)l->rich_w && s[i] == ' '; i++)
		;
	return i;
}

/* One blank before every line (a paste, a wrapper's indent): the
 * lines inside it keep their own indentation. */
static size_t
prefix_indent(const char *s, size_t n)
{
	return n >= 1 && s[0] == ' ' ? 1 : 0;
}

/* "2026-11-24T18:01:22.151146948Z " before every line: docker logs -t,
 * GitHub Actions and other CI runners' raw logs. A T and a zone. */
static size_t
prefix_tstamp(const char *s, size_t n, int64_t *ts)
{
	size_t	used;

	if (n < 21 || !is_digit(s[0]) || s[10] != 'T' ||
	    !timestamp_parse(s, n, ts, &used) || used <= 19 ||
	    (s[used - 1] != 'Z' && memchr(s + 19, '+', used - 19) == NULL &&
	    memchr(s + 19, '-', used - 19) == NULL))
		return 0;
	if (used < n && s[used] == ' ')
		return used + 1;
	return used == n ? used : 0;
}

/* A stream tag before every line: "stderr: ", "stdout: ", pm2's
 * "2|app  | ", "[stderr] ". */
static size_t
prefix_stream(const char *s, size_t n)
{
	size_t	i;

	if (n >= 8 && (memcmp(s, "stderr: ", 8) == 0 ||
	    memcmp(s, "stdout: ", 8) == 0))
		return 8;
	if (n >= 9 && (memcmp(s, "[stderr] ", 9) == 0 ||
	    memcmp(s, "[stdout] ", 9) == 0))
		return 9;
	/* pm2 logs: "ID|NAME | " */
	for (i = 0; i < n && is_digit(s[i]); i++)
		;
	if (i == 0 || i >= n || s[i] != '|')
		return 0;
	for (i++; i < n && s[i] != ' ' && s[i] != '|'; i++)
		;
	while (i < n && s[i] == ' ')
		i++;
	if (i >= n || s[i] != '|')
		return 0;
	i++;
	if (i < n && s[i] == ' ')
		i++;
	return i;
}

bool
layout_partial(const struct layout *l, const char *line, size_t n)
{
	int64_t	ts;
	size_t	k;

	if (l->outer != OUTER_CRI && l->outer != OUTER_CONTAINER)
		return false;
	k = prefix_cri(line, n, &ts);
	/* "... stdout P " (or "P" ending the line): the tag before k */
	return k >= 2 && (line[k - 1] == 'P' || (line[k - 1] == ' ' &&
	    line[k - 2] == 'P'));
}

size_t
layout_line_keep(const struct layout *l, const char *line, size_t n,
    bool first)
{
	size_t	k;

	if (l->outer != OUTER_RICH)
		return n;
	while (n > 0 && line[n - 1] == ' ')
		n--;
	if (!first)
		return n;
	/* the "file.py:12" column at the right of a header */
	for (k = n; k > 0 && is_digit(line[k - 1]); k--)
		;
	if (k == n || k < 2 || line[k - 1] != ':')
		return n;
	for (k--; k > 0 && line[k - 1] != ' '; k--)
		;
	if (k < 2 || line[k - 2] != ' ')
		return n;
	while (k > 0 && line[k - 1] == ' ')
		k--;
	return k;
}

size_t
layout_prefix(const struct layout *l, const char *line, size_t n,
    struct record *rec)
{
	int64_t	ts, pid;
	size_t	k;

	switch (l->outer) {
	case OUTER_NONE:
		return 0;
	case OUTER_SYSLOG:
		k = prefix_syslog(line, n, &ts, &pid);
		if (k > 0) {
			rec->ts_us = ts;
			rec->pid = pid;
		}
		return k;
	case OUTER_COMPOSE:
		return prefix_compose(line, n);
	case OUTER_CRI:
		k = prefix_cri(line, n, &ts);
		if (k > 0)
			rec->ts_us = ts;
		return k;
	case OUTER_CONTAINER:
		k = prefix_cri(line, n, &ts);
		if (k > 0) {
			rec->ts_us = ts;
			return k;
		}
		k = prefix_compose(line, n);
		return k > 0 ? k : prefix_stream(line, n);
	case OUTER_INDENT:
		return prefix_indent(line, n);
	case OUTER_STREAM:
		return prefix_stream(line, n);
	case OUTER_TSTAMP:
		k = prefix_tstamp(line, n, &ts);
		if (k > 0)
			rec->ts_us = ts;
		return k;
	case OUTER_RICH:
		return prefix_rich(l, line, n, rec);
	}
	return 0;
}

/* --- field patterns --- */

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

static int64_t
span_pid(struct span s)
{
	int64_t	v = 0;
	size_t	i;

	if (s.n == 0 || s.n > 18)
		return -1;
	for (i = 0; i < s.n; i++) {
		if (!is_digit(s.p[i]))
			return -1;
		v = v * 10 + (s.p[i] - '0');
	}
	return v;
}

static struct span
task_span(struct span s)
{
	if (s.n == 4 && memcmp(s.p, "None", 4) == 0)
		s.n = 0;
	return s;
}

/* Match pattern k of l at s[0..n); fill rec's fields and message. */
static bool
pattern_match(const struct layout *l, size_t k, const char *s, size_t n,
    struct record *rec)
{
	const struct pattern	*pt = &l->pats[k];
	PCRE2_SIZE		*ov;
	struct span		 sp;
	int			 rc;
	size_t			 used;

	if (pt->jit)
		rc = pcre2_jit_match(pt->re, (PCRE2_SPTR)s, n, 0, 0, l->md,
		    l->mctx);
	else
		rc = pcre2_match(pt->re, (PCRE2_SPTR)s, n, 0, 0, l->md,
		    l->mctx);
	if (rc <= 0) {
		if ((rc == PCRE2_ERROR_MATCHLIMIT ||
		    rc == PCRE2_ERROR_DEPTHLIMIT ||
		    rc == PCRE2_ERROR_HEAPLIMIT ||
		    rc == PCRE2_ERROR_JIT_STACKLIMIT) && l->limit_hits != NULL)
			(*l->limit_hits)++;
		return false;
	}
	ov = pcre2_get_ovector_pointer(l->md);
	rec->level = group_span(s, ov, rc, pt->g_level);
	rec->logger = group_span(s, ov, rc, pt->g_logger);
	rec->thread = group_span(s, ov, rc, pt->g_thread);
	rec->task = task_span(group_span(s, ov, rc, pt->g_task));
	sp = group_span(s, ov, rc, pt->g_pid);
	if (sp.n > 0)
		rec->pid = span_pid(sp);
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

static bool
match_fields(const struct layout *l, const char *s, size_t n,
    struct record *rec)
{
	size_t	k;

	for (k = 0; k < l->npats; k++)
		if (pattern_match(l, k, s, n, rec))
			return true;
	return false;
}

/* Whether s starts with the shape of an ISO time, "DDDD-DD-DD DD:DD:DD"
 * ("T" or " " between), a fraction, a zone: *used its length. For the
 * times timestamp_parse() refuses as impossible. */
static bool
iso_shape(const char *s, size_t n, size_t *used)
{
	static const char	shape[] = "dddd-dd-dd dd:dd:dd";
	size_t			k;

	if (n < sizeof(shape) - 1)
		return false;
	for (k = 0; k < sizeof(shape) - 1; k++)
		if (shape[k] == 'd' ? !is_digit(s[k]) : k == 10 ?
		    s[k] != ' ' && s[k] != 'T' : s[k] != shape[k])
			return false;
	if (k + 1 < n && (s[k] == ',' || s[k] == '.') && is_digit(s[k + 1]))
		for (k++; k < n && is_digit(s[k]); k++)
			;
	if (k < n && s[k] == 'Z')
		k++;
	else if (k + 5 <= n && (s[k] == '+' || s[k] == '-') &&
	    is_digit(s[k + 1]) && is_digit(s[k + 2])) {
		k += 3;
		if (k < n && s[k] == ':')
			k++;
		while (k < n && is_digit(s[k]))
			k++;
	}
	*used = k;
	return true;
}

/* "%(asctime)s.%(msecs)03d" with asctime's own ",123": the ".123" after
 * it repeats the fraction; *used moves past it. */
static void
skip_msecs(const char *s, size_t n, size_t *used)
{
	size_t	k = *used;

	if (k + 4 <= n && s[k] == '.' && is_digit(s[k + 1]) &&
	    is_digit(s[k + 2]) && is_digit(s[k + 3]) &&
	    (k + 4 == n || !is_digit(s[k + 4])) && k > 4 &&
	    (s[k - 4] == ',' || s[k - 4] == '.'))
		*used = k + 4;
}

/* tornado's LogFormatter: "[E 2026-11-24 18:01:22.310 App module:801] "
 * (a level letter, the time, then the app and where, up to "]"). */
static bool
tornado_head(const char *s, size_t n, int64_t *ts, size_t *used)
{
	const char	*close;
	size_t		 k;

	if (n < 25 || s[0] != '[' || strchr("DIWEC", s[1]) == NULL ||
	    s[2] != ' ' || !is_digit(s[3]) ||
	    !timestamp_parse(s + 3, n - 3, ts, &k) || s[3 + k] != ' ')
		return false;
	close = memchr(s + 3 + k, ']', n - 3 - k < 160 ? n - 3 - k : 160);
	if (close == NULL)
		return false;
	*used = (size_t)(close - s) + 1;
	return true;
}

/* celery's worker_log_format: "[2026-11-24 18:01:22,454: ERROR/
 * MainProcess] " (the level and process name inside the brackets). */
static bool
celery_head(const char *s, size_t n, int64_t *ts, size_t *used)
{
	const char	*close;
	size_t		 k;

	if (n < 30 || s[0] != '[' || !is_digit(s[1]) ||
	    !timestamp_parse(s + 1, n - 1, ts, &k) || 1 + k + 2 >= n ||
	    s[1 + k] != ':' || s[2 + k] != ' ')
		return false;
	close = memchr(s + 3 + k, ']', n - 3 - k < 64 ? n - 3 - k : 64);
	if (close == NULL || memchr(s + 3 + k, '/', (size_t)(close - s) - 3 -
	    k) == NULL)
		return false;
	*used = (size_t)(close - s) + 1;
	return true;
}

/* The level (and process) inside a tornado or celery head that
 * leading_time() passed over; false for other heads. */
static bool
head_fields(const char *s, size_t used, struct record *rec)
{
	const char	*p, *slash;

	if (used < 4 || s[0] != '[' || s[used - 1] != ']')
		return false;
	if (!is_digit(s[1]) && s[2] == ' ') {
		rec->level.p = s + 1;		/* tornado: "[E 2026-..." */
		rec->level.n = 1;
		return true;
	}
	for (p = s + 1; p < s + used - 1 && !(p[0] == ':' && p[1] == ' ');
	    p++)
		;
	if (p >= s + used - 1)
		return false;
	p += 2;
	slash = memchr(p, '/', (size_t)(s + used - 1 - p));
	if (slash == NULL)
		return false;
	rec->level.p = p;			/* celery: ": ERROR/Main..." */
	rec->level.n = (size_t)(slash - p);
	rec->thread.p = slash + 1;
	rec->thread.n = (size_t)(s + used - 1 - slash - 1);
	return true;
}

/* A time at the start of s: "2026-...", "[2026-...]", "Nov 24 ...". An
 * impossible ISO time ("2026-13-45 ...") is one with *ts TS_NONE. */
static bool
leading_time(const char *s, size_t n, int64_t *ts, size_t *used)
{
	size_t	k;

	if (n == 0)
		return false;
	if (is_digit(s[0])) {
		if (timestamp_parse(s, n, ts, used)) {
			skip_msecs(s, n, used);
			return true;
		}
		*ts = TS_NONE;
		return iso_shape(s, n, used);
	}
	if (tornado_head(s, n, ts, used) || celery_head(s, n, ts, used))
		return true;
	if (s[0] == '[' && n > 1 && is_digit(s[1])) {
		if (!timestamp_parse(s + 1, n - 1, ts, &k)) {
			*ts = TS_NONE;
			if (!iso_shape(s + 1, n - 1, &k))
				return false;
		}
		k++;
		skip_msecs(s, n, &k);
		if (k >= n || s[k] != ']')
			return false;
		*used = k + 1;
		return true;
	}
	if (s[0] >= 'A' && s[0] <= 'S' && n >= 15 && s[3] == ' ')
		return timestamp_parse(s, n, ts, used);
	return false;
}

static bool
parse_timed(const struct layout *l, const char *s, size_t n,
    struct record *rec)
{
	size_t		used, k;
	int64_t		ts;
	const char	*r;

	if (!leading_time(s, n, &ts, &used))
		return false;
	rec->ts_us = ts;
	r = s + used;
	n -= used;
	if (head_fields(s, used, rec)) {
		k = 0;
		while (k < n && r[k] == ' ')
			k++;
		rec->message.p = r + k;
		rec->message.n = n - k;
		return true;
	}
	if ((l->tpl.n > 0 && template_match(&l->tpl, r, n, rec)) ||
	    match_fields(l, r, n, rec)) {
		rec->ts_us = ts;
		if (ts == TS_NONE)
			rec->flags |= RECORD_BAD_TIME;
		return true;
	}
	/* an impossible time heads a record only with the layout's fields
	 * after it: alone, it could be any text that looks like a date */
	if (ts == TS_NONE)
		return false;
	/* a time and a message, fields unknown */
	k = 0;
	while (k < n && r[k] == ' ')
		k++;
	if (k + 1 < n && (r[k] == '-' || r[k] == '|' || r[k] == ':') &&
	    r[k + 1] == ' ')
		k += 2;
	while (k < n && r[k] == ' ')
		k++;
	rec->message.p = r + k;
	rec->message.n = n - k;
	return true;
}

static bool
parse_untimed(const struct layout *l, const char *s, size_t n,
    struct record *rec)
{
	static const char *const words[] = { "DEBUG", "INFO", "WARN",
	    "ERROR", "CRITICAL", "FATAL", "NOTSET", "TRACE", "EXCEPTION",
	    "SUCCESS", NULL };
	size_t	i;

	/* every untimed pattern starts with "[" or a level word */
	if (n == 0)
		return false;
	if (s[0] == '[')
		return match_fields(l, s, n, rec);
	for (i = 0; words[i] != NULL; i++)
		if (s[0] == words[i][0] && n >= strlen(words[i]) &&
		    memcmp(s, words[i], strlen(words[i])) == 0)
			return match_fields(l, s, n, rec);
	return false;
}

/* --- JSON --- */

static const char *
json_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++;
	return p;
}

/* p at '"': the byte after the closing quote, or NULL. */
static const char *
json_skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* p at a value: the byte after it, or NULL. */
static const char *
json_skip_value(const char *p, const char *end)
{
	int	depth = 0;

	if (p >= end)
		return NULL;
	if (*p == '"')
		return json_skip_string(p, end);
	if (*p != '{' && *p != '[') {
		while (p < end && *p != ',' && *p != '}' && *p != ']' &&
		    *p != ' ' && *p != '\t')
			p++;
		return p;
	}
	for (; p < end; p++) {
		if (*p == '"') {
			p = json_skip_string(p, end);
			if (p == NULL)
				return NULL;
			p--;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				return p + 1;
		}
	}
	return NULL;
}

enum jfield {
	JF_TS, JF_LEVEL, JF_LOGGER, JF_PID, JF_THREAD, JF_TASK, JF_MSG,
	JF_EXC, JF_NONE
};

#define JKEY(k, f)	{ k, sizeof(k) - 1, f }

static const struct {
	const char	*key;
	size_t		 len;
	enum jfield	 field;
} json_keys[] = {
	/* earlier keys of a field win over later ones */
	JKEY("ts", JF_TS), JKEY("time", JF_TS), JKEY("timestamp", JF_TS),
	JKEY("@timestamp", JF_TS), JKEY("asctime", JF_TS),
	JKEY("created", JF_TS),
	JKEY("level", JF_LEVEL), JKEY("levelname", JF_LEVEL),
	JKEY("severity", JF_LEVEL), JKEY("log.level", JF_LEVEL),
	JKEY("logger", JF_LOGGER), JKEY("logger_name", JF_LOGGER),
	JKEY("log.logger", JF_LOGGER), JKEY("name", JF_LOGGER),
	JKEY("pid", JF_PID), JKEY("process", JF_PID),
	JKEY("thread", JF_THREAD), JKEY("threadName", JF_THREAD),
	JKEY("thread_name", JF_THREAD),
	JKEY("task", JF_TASK), JKEY("taskName", JF_TASK),
	JKEY("task_name", JF_TASK),
	JKEY("msg", JF_MSG), JKEY("message", JF_MSG), JKEY("event", JF_MSG),
	JKEY("exc_info", JF_EXC), JKEY("exc_text", JF_EXC),
	JKEY("exception", JF_EXC), JKEY("stack_info", JF_EXC),
	JKEY("traceback", JF_EXC), JKEY("stack", JF_EXC),
};
#define NJSON_KEYS	(sizeof(json_keys) / sizeof(json_keys[0]))

/* The key index of k[0..n), or -1. */
static int
json_key(const char *k, size_t n)
{
	size_t	i;

	if (n == 0)
		return -1;
	for (i = 0; i < NJSON_KEYS; i++)
		if (json_keys[i].len == n && json_keys[i].key[0] == k[0] &&
		    memcmp(json_keys[i].key, k, n) == 0)
			return (int)i;
	return -1;
}

struct jvalue {
	int		 key;	/* index into json_keys, -1: unset */
	struct span	 raw;	/* the value as written, quotes included */
};

/* Walk the top-level members of the object at line; for each known key
 * keep the best-ranked value per field (excs: every one, up to 5). */
static bool
json_members(const char *line, size_t n, struct jvalue f[JF_NONE],
    struct jvalue exc[5], size_t *nexc)
{
	const char	*p = line, *end = line + n, *k, *v;
	int		 ki;
	enum jfield	 fd;
	size_t		 i;

	for (i = 0; i < JF_NONE; i++)
		f[i].key = -1;
	*nexc = 0;
	p = json_ws(p, end);
	if (p >= end || *p != '{')
		return false;
	p = json_ws(p + 1, end);
	while (p < end && *p != '}') {
		if (*p != '"')
			return false;
		k = p;
		p = json_skip_string(p, end);
		if (p == NULL)
			return false;
		ki = json_key(k + 1, (size_t)(p - k - 2));
		p = json_ws(p, end);
		if (p >= end || *p != ':')
			return false;
		p = json_ws(p + 1, end);
		v = p;
		p = json_skip_value(p, end);
		if (p == NULL)
			return false;
		if (ki >= 0) {
			fd = json_keys[ki].field;
			if (fd == JF_EXC) {
				if (*nexc < 5) {
					exc[*nexc].key = ki;
					exc[*nexc].raw.p = v;
					exc[*nexc].raw.n = (size_t)(p - v);
					(*nexc)++;
				}
			} else if (f[fd].key == -1 || ki < f[fd].key) {
				f[fd].key = ki;
				f[fd].raw.p = v;
				f[fd].raw.n = (size_t)(p - v);
			}
		}
		p = json_ws(p, end);
		if (p < end && *p == ',')
			p = json_ws(p + 1, end);
	}
	return p < end;
}

/* A string value's bytes between the quotes (still escaped); other values
 * as written; null as empty. */
static struct span
json_inner(struct span raw)
{
	if (raw.n >= 2 && (raw.p[0] == '"' || raw.p[0] == '\'')) {
		raw.p++;
		raw.n -= 2;
	} else if (raw.n == 4 && memcmp(raw.p, "null", 4) == 0) {
		raw.n = 0;
	}
	return raw;
}

static bool
json_is_blank(struct span raw)
{
	struct span	s = json_inner(raw);

	return s.n == 0 || (raw.n == 5 && memcmp(raw.p, "false", 5) == 0) ||
	    (raw.n == 4 && memcmp(raw.p, "true", 4) == 0);
}

static bool
is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    is_digit(c) || c == '_' || c == '@' || c == '.' || c == '-';
}

/* The members of a key=value line (structlog's KeyValueRenderer: values
 * as Python reprs, 'quoted'; logfmt: "quoted" or bare), as
 * json_members() gives them; false unless every token is key=value and
 * a level or a message is among them. */
static bool
kv_members(const char *line, size_t n, struct jvalue f[JF_NONE],
    struct jvalue exc[5], size_t *nexc)
{
	const char	*p = line, *end = line + n, *k, *v;
	int		 ki;
	enum jfield	 fd;
	size_t		 i;
	char		 q;

	for (i = 0; i < JF_NONE; i++)
		f[i].key = -1;
	*nexc = 0;
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			break;
		for (k = p; p < end && is_key_char(*p); p++)
			;
		if (p == k || p >= end || *p != '=')
			return false;
		ki = json_key(k, (size_t)(p - k));
		v = ++p;
		if (p < end && (*p == '"' || *p == '\'')) {
			for (q = *p++; p < end && *p != q; p++)
				if (*p == '\\')
					p++;
			if (p >= end)
				return false;
			p++;
		} else {
			while (p < end && *p != ' ')
				p++;
		}
		if (p < end && *p != ' ')
			return false;
		if (ki < 0)
			continue;
		fd = json_keys[ki].field;
		if (fd == JF_EXC) {
			if (*nexc < 5) {
				exc[*nexc].key = ki;
				exc[*nexc].raw.p = v;
				exc[*nexc].raw.n = (size_t)(p - v);
				(*nexc)++;
			}
		} else if (f[fd].key == -1 || ki < f[fd].key) {
			f[fd].key = ki;
			f[fd].raw.p = v;
			f[fd].raw.n = (size_t)(p - v);
		}
	}
	return f[JF_LEVEL].key >= 0 || f[JF_MSG].key >= 0;
}

/* The members of a JSON object or a key=value line. */
static bool
line_members(const char *line, size_t n, struct jvalue f[JF_NONE],
    struct jvalue exc[5], size_t *nexc)
{
	if (n == 0)
		return false;
	if (line[0] == '{')
		return json_members(line, n, f, exc, nexc);
	if (!is_key_char(line[0]) || memchr(line, '=', n < 32 ? n : 32) ==
	    NULL)
		return false;
	return kv_members(line, n, f, exc, nexc);
}

static bool
parse_json(const char *line, size_t n, struct record *rec)
{
	struct jvalue	f[JF_NONE], exc[5];
	struct span	s;
	size_t		nexc, used;

	if (!line_members(line, n, f, exc, &nexc))
		return false;
	if (f[JF_TS].key >= 0) {
		s = json_inner(f[JF_TS].raw);
		if (!timestamp_parse(s.p, s.n, &rec->ts_us, &used))
			rec->ts_us = TS_NONE;
	}
	if (f[JF_LEVEL].key >= 0)
		rec->level = json_inner(f[JF_LEVEL].raw);
	if (f[JF_LOGGER].key >= 0)
		rec->logger = json_inner(f[JF_LOGGER].raw);
	if (f[JF_THREAD].key >= 0)
		rec->thread = json_inner(f[JF_THREAD].raw);
	if (f[JF_TASK].key >= 0)
		rec->task = task_span(json_inner(f[JF_TASK].raw));
	if (f[JF_PID].key >= 0)
		rec->pid = span_pid(json_inner(f[JF_PID].raw));
	rec->message.p = line;
	rec->message.n = n;
	return true;
}

static void
put_utf8(struct buf *out, uint32_t c)
{
	char	u[4];

	if (c < 0x80) {
		u[0] = (char)c;
		buf_add(out, u, 1);
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		buf_add(out, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		buf_add(out, u, 3);
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		buf_add(out, u, 4);
	}
}

static bool
hex4(const char *p, const char *end, uint32_t *v)
{
	uint32_t	x = 0;
	int		i;
	char		c;

	if (end - p < 4)
		return false;
	for (i = 0; i < 4; i++) {
		c = p[i];
		x <<= 4;
		if (c >= '0' && c <= '9')
			x |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			x |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			x |= (uint32_t)(c - 'A' + 10);
		else
			return false;
	}
	*v = x;
	return true;
}

static bool
hex2(const char *p, uint32_t *v)
{
	char	h[5] = { '0', '0', p[0], p[1], '\0' };

	return hex4(h, h + 4, v);
}

/* Append a value decoded: a string's escapes resolved, others raw. */
static void
json_decode(struct span raw, struct buf *out)
{
	struct span	 s = json_inner(raw);
	const char	*p = s.p, *end = s.p + s.n, *run;
	uint32_t	 c, lo;

	if (raw.n == 0 || (raw.p[0] != '"' && raw.p[0] != '\'')) {
		buf_add(out, s.p, s.n);
		return;
	}
	while (p < end) {
		run = p;
		while (p < end && *p != '\\')
			p++;
		buf_add(out, run, (size_t)(p - run));
		if (p >= end)
			break;
		if (p + 1 >= end) {
			buf_addc(out, '\\');
			break;
		}
		p++;
		switch (*p) {
		case 'n': buf_addc(out, '\n'); p++; break;
		case 't': buf_addc(out, '\t'); p++; break;
		case 'r': buf_addc(out, '\r'); p++; break;
		case 'b': buf_addc(out, '\b'); p++; break;
		case 'f': buf_addc(out, '\f'); p++; break;
		case '"': case '\\': case '/': case '\'':
			buf_addc(out, *p);
			p++;
			break;
		case 'x':	/* a Python repr's \xNN */
			if (end - p >= 3 && hex2(p + 1, &c)) {
				put_utf8(out, c);
				p += 3;
			} else {
				buf_addc(out, '\\');
			}
			break;
		case 'u':
			if (!hex4(p + 1, end, &c)) {
				buf_addc(out, '\\');
				break;
			}
			p += 5;
			if (c >= 0xd800 && c <= 0xdbff && end - p >= 6 &&
			    p[0] == '\\' && p[1] == 'u' &&
			    hex4(p + 2, end, &lo) && lo >= 0xdc00 &&
			    lo <= 0xdfff) {
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			} else if (c >= 0xd800 && c <= 0xdfff) {
				c = 0xfffd;
			}
			put_utf8(out, c);
			break;
		default:
			buf_addc(out, '\\');
			break;
		}
	}
}

void
layout_json_message(const char *line, size_t n, struct buf *out)
{
	struct jvalue	f[JF_NONE], exc[5];
	size_t		nexc, i;

	if (!line_members(line, n, f, exc, &nexc) || f[JF_MSG].key < 0) {
		buf_add(out, line, n);
		return;
	}
	json_decode(f[JF_MSG].raw, out);
	for (i = 0; i < nexc; i++) {
		if (json_is_blank(exc[i].raw))
			continue;
		buf_addc(out, '\n');
		json_decode(exc[i].raw, out);
	}
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

bool
layout_parse_header(const struct layout *l, const char *line, size_t n,
    struct record *rec)
{
	size_t		k = 0;
	int64_t		outer_ts;
	bool		ok = false;

	record_clear(rec);
	if (l->outer != OUTER_NONE) {
		k = layout_prefix(l, line, n, rec);
		if (k == 0 && l->kind != LAYOUT_UNTIMED)
			return false;
	}
	outer_ts = rec->ts_us;
	if (l->outer == OUTER_RICH) {
		if (rec->level.n == 0)
			return false;
		rec->message.p = line + k;
		rec->message.n = n - k;
		return true;
	}
	switch (l->kind) {
	case LAYOUT_TIMED:
		ok = parse_timed(l, line + k, n - k, rec);
		if (!ok && l->inner_any)
			ok = parse_json(line + k, n - k, rec) ||
			    parse_untimed(l, line + k, n - k, rec);
		break;
	case LAYOUT_JSON:
		ok = parse_json(line + k, n - k, rec);
		break;
	case LAYOUT_UNTIMED:
		ok = parse_untimed(l, line + k, n - k, rec);
		break;
	case LAYOUT_REGEX:
		ok = pattern_match(l, 0, line, n, rec);
		break;
	}
	if (!ok) {
		record_clear(rec);
		return false;
	}
	if (rec->ts_us == TS_NONE)
		rec->ts_us = outer_ts;
	return true;
}

/* --- detection --- */

struct scores {
	size_t	lines;			/* non-empty lines looked at */
	size_t	first_timed;		/* the first line has a time: 1 */
	size_t	timed, iso_t;		/* lines with a leading time; of
					 * them with a T */
	size_t	json;
	size_t	pat[NFIELD_PATS];	/* timed lines matched per pattern */
	size_t	untimed[NFIELD_PATS];	/* untimed lines per pattern */
	size_t	syslog, syslog_iso, compose, cri, stream, tstamp, indent,
		indent1, tstamp_cont, rich, rich_timed, rich_w;
	struct template_votes tv;	/* timed lines' field templates */
};

/* Score one inner line (after any prefix) into sc, using the all-patterns
 * layouts timed and untimed. */
static void
score_inner(struct scores *sc, struct layout *timed, struct layout *untimed,
    const char *s, size_t n, bool first)
{
	struct record	rec;
	int64_t		ts;
	size_t		used, k;

	if (n > 0 && parse_json(s, n, &rec)) {
		sc->json++;
		return;
	}
	if (leading_time(s, n, &ts, &used)) {
		sc->timed++;
		sc->first_timed += first;
		if (used > 10 && s[10] == 'T')
			sc->iso_t++;
		template_vote(&sc->tv, s + used, n - used);
		for (k = 0; k < NFIELD_PATS; k++)
			if (pattern_match(timed, k, s + used, n - used, &rec))
				sc->pat[k]++;
		return;
	}
	for (k = 0; k < untimed->npats; k++)
		if (pattern_match(untimed, k, s, n, &rec))
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

/* Untimed patterns are compiled in a different order (BASIC_PAT first):
 * map the index of a compiled untimed pattern back to field_pats. */
static int
untimed_index(int k)
{
	size_t	i;
	int	j = 0;

	if (k == 0)
		return BASIC_PAT;
	for (i = 0; i < NFIELD_PATS; i++) {
		if (i == BASIC_PAT || !field_pats[i].untimed)
			continue;
		if (++j == k)
			return (int)i;
	}
	return -1;
}

struct layout *
layout_detect(const char *p, size_t n)
{
	struct layout	*timed = layout_alloc("python", LAYOUT_TIMED,
			    OUTER_NONE);
	struct layout	*untimed = layout_alloc("stderr", LAYOUT_UNTIMED,
			    OUTER_NONE);
	struct layout	*l = NULL;
	struct scores	 sc, inner;
	const char	*s, *nl, *end;
	size_t		 len, k;
	int64_t		 ts, pid;
	enum outer	 outer = OUTER_NONE;
	size_t		 nsyslog, nsyslog_iso;
	int		 best, bu;
	bool		 first = true;
	struct template	 tpl;
	size_t		 ntpl;
	struct span	 rich_lv;

	layout_add_fields(timed, -1);
	layout_add_fields(untimed, -1);
	memset(&sc, 0, sizeof(sc));
	memset(&inner, 0, sizeof(inner));
	template_votes_init(&sc.tv);
	template_votes_init(&inner.tv);
	if (n > DETECT_BYTES) {
		/* whole lines only */
		for (k = DETECT_BYTES; k > 0 && p[k - 1] != '\n'; k--)
			;
		n = k > 0 ? k : DETECT_BYTES;
	}
	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		n -= 3;
	}
	/* pass 1: which per-line prefix, if any */
	for (s = p, end = p + n; s < end && sc.lines < DETECT_LINES;
	    s = nl + 1) {
		nl = memchr(s, '\n', (size_t)(end - s));
		if (nl == NULL)
			nl = end;
		len = (size_t)(nl - s);
		if (len > 0 && s[len - 1] == '\r')
			len--;
		if (len == 0)
			continue;
		sc.lines++;
		if (prefix_cri(s, len, &ts) > 0)
			sc.cri++;
		else if (prefix_compose(s, len) > 0)
			sc.compose++;
		else if (prefix_stream(s, len) > 0)
			sc.stream++;
		if ((k = prefix_tstamp(s, len, &ts)) > 0) {
			sc.tstamp++;
			/* a traceback line behind the time: a prefix, not a
			 * layout's own time */
			sc.tstamp_cont += k == len || s[k] == ' ' ||
			    (len - k >= 9 && memcmp(s + k, "Traceback", 9) ==
			    0);
		}
		if (rich_head(s, len, &ts, &rich_lv, &k)) {
			sc.rich++;
			if (s[0] == '[') {
				sc.rich_timed++;
				sc.rich_w = k;
			}
		}
		if (s[0] == ' ') {
			sc.indent++;
			sc.indent1 += len > 1 && s[1] != ' ';
		}
		if (prefix_syslog(s, len, &ts, &pid) > 0) {
			sc.syslog++;
			sc.syslog_iso += is_digit(s[0]);
		}
		score_inner(&sc, timed, untimed, s, len, first);
		first = false;
	}
	if (sc.rich_timed > 0 && sc.rich >= 2)
		outer = OUTER_RICH;
	else if (sc.lines > 0 && sc.cri * 2 >= sc.lines)
		outer = OUTER_CRI;
	else if (sc.lines > 0 && sc.compose * 2 >= sc.lines)
		outer = OUTER_COMPOSE;
	else if (sc.lines > 0 && sc.stream * 2 >= sc.lines)
		outer = OUTER_STREAM;
	else if (sc.lines > 0 && sc.tstamp * 10 >= sc.lines * 9 &&
	    sc.tstamp_cont > 0)
		outer = OUTER_TSTAMP;
	else if (sc.lines > 0 && sc.indent * 20 >= sc.lines * 19 &&
	    sc.indent1 * 5 >= sc.lines)
		outer = OUTER_INDENT;
	else if (sc.syslog * 2 >= sc.lines && sc.syslog > 0) {
		/* a time and "host app[pid]: " unless a logging layout reads
		 * the same lines better */
		best = best_of(sc.pat, NFIELD_PATS - 1);
		if (best < 0 || sc.pat[best] < sc.syslog)
			outer = OUTER_SYSLOG;
	}
	nsyslog = sc.syslog;
	nsyslog_iso = sc.syslog_iso;
	if (outer == OUTER_RICH) {
		l = layout_alloc("rich", LAYOUT_TIMED, OUTER_RICH);
		l->rich_w = (int)sc.rich_w;
		layout_free(timed);
		layout_free(untimed);
		return layout_finish(l);
	}
	if (outer != OUTER_NONE) {
		/* pass 2: the inner layout, behind the prefix */
		struct layout	 probe = { 0 };
		struct record	 rec;

		probe.outer = outer;
		first = true;
		for (s = p, end = p + n; s < end && inner.lines < DETECT_LINES;
		    s = nl + 1) {
			nl = memchr(s, '\n', (size_t)(end - s));
			if (nl == NULL)
				nl = end;
			len = (size_t)(nl - s);
			if (len > 0 && s[len - 1] == '\r')
				len--;
			k = layout_prefix(&probe, s, len, &rec);
			if (k == 0)
				continue;
			inner.lines++;
			score_inner(&inner, timed, untimed, s + k, len - k,
			    first);
			first = false;
		}
		sc = inner;
	}
	best = best_of(sc.pat, NFIELD_PATS);
	bu = best_of(sc.untimed, untimed->npats);
	if (sc.json > 0 && sc.json >= sc.timed &&
	    sc.json >= (bu < 0 ? 0 : sc.untimed[bu])) {
		l = layout_alloc("json", LAYOUT_JSON, outer);
	} else if (sc.timed > 0 && (sc.first_timed || (sc.timed >= 2 &&
	    sc.timed * 10 >= sc.lines)) &&
	    (bu < 0 || sc.timed > sc.untimed[bu])) {
		/* the first line timed, or one line in ten: a stray date at
		 * the start of a stderr line does not make a timed file */
		l = layout_alloc(sc.iso_t * 2 > sc.timed ? "iso" : "python",
		    LAYOUT_TIMED, outer);
		layout_add_fields(l, best);
		/* fields inferred from half the timed lines or more come
		 * first; the fixed patterns stay for the other lines */
		if (template_best(&sc.tv, &tpl, &ntpl) && ntpl * 2 >= sc.timed)
			l->tpl = tpl;
	} else {
		l = layout_alloc(bu >= 0 ? "basic" : "stderr", LAYOUT_UNTIMED,
		    outer);
		layout_add_fields(l, bu >= 0 ? untimed_index(bu) : -1);
	}
	if (outer == OUTER_SYSLOG)
		l->name = nsyslog_iso * 2 > nsyslog ? "journald" : "syslog";
	else if (outer != OUTER_NONE && outer != OUTER_INDENT)
		l->name = "container";
	layout_free(timed);
	layout_free(untimed);
	return layout_finish(l);
}
