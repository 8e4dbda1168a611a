/*
 * pylayout: the layouts of Python's logging module and the libraries
 * around it. A header line starts with a time (timestamp_parse: asctime,
 * ISO-8601, "[TIME]", tornado's and celery's heads), then the fields,
 * read by an inferred template (template.c) or by one of a small table
 * of anchored field patterns (level, logger, [pid], [thread], [taskName]
 * in the orders Python logging configurations use); untimed layouts
 * (basicConfig's LEVEL:logger:msg) use the same patterns without the
 * time. Which pattern a file uses first is detection's business
 * (layout.c); this module reads lines and never allocates per line.
 */
#include "ingest/pylayout.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "ingest/timestamp.h"

#define LV	"(?<level>DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL|" \
		"NOTSET|TRACE|EXCEPTION|SUCCESS)"

/* Field patterns, read right after a header time ("^ +" leads) or, for
 * untimed layouts, at the line start (the "^ +" becomes "^"). Tried in
 * this order; a layout spec names a pattern by its name, so a pattern
 * may be inserted anywhere, but a name, once released, keeps meaning
 * its pattern (specs in databases name it). */
static const struct {
	const char	*name;		/* at most PYLAYOUT_NAME_MAX bytes */
	const char	*src;
	bool		 untimed;	/* also usable without a time */
} field_pats[] = {
	/* %(levelname)s [%(threadName)s/%(taskName)s] %(name)s: */
	{ "lv-thtask-name",
	    "^ +" LV " +\\[(?<thread>[^\\]/]*)/(?<task>[^\\]]*)\\] +"
	    "(?<logger>\\S+?):(?: |$)", true },
	/* %(levelname)-8s [%(taskName)s] %(name)s: */
	{ "lv-task-name",
	    "^ +" LV " +\\[(?<task>[^\\]]*)\\] +(?<logger>\\S+?):(?: |$)",
	    true },
	/* [%(process)d] [%(threadName)s] %(levelname)-8s %(name)s - */
	{ "pid-th-lv-name",
	    "^ +\\[(?<pid>\\d+)\\] +\\[(?<thread>[^\\]]*)\\] +" LV
	    " +(?<logger>\\S+) +-(?: |$)", true },
	/* | %(levelname)-8s | %(name)s | */
	{ "bar-lv-name",
	    "^ +\\| +" LV " *\\| +(?<logger>\\S+) +\\|(?: |$)", false },
	/* - %(name)s - %(levelname)s - */
	{ "dash-name-lv",
	    "^ +- +(?<logger>\\S+) +- +" LV " +-(?: |$)", false },
	/* loguru: | LEVEL    | module:function:line - */
	{ "loguru",
	    "^ +\\| +" LV " *\\| +(?<logger>[^\\s:]+)(?::\\S+)? +-(?: |$)",
	    false },
	/* gunicorn: [pid] [LEVEL] */
	{ "gunicorn",
	    "^ +\\[(?<pid>\\d+)\\] +\\[" LV "\\](?: +|$)", false },
	/* structlog's console: [info     ] */
	{ "structlog",
	    "^ +\\[(?<level>debug|info|warning|warn|error|critical|fatal|"
	    "exception) *\\](?: +|$)", false },
	/* [%(levelname)s] %(name)s: */
	{ "blv-name",
	    "^ +\\[" LV "\\] +(?<logger>\\S+?):(?: |$)", true },
	/* %(levelname)s %(name)s: */
	{ "lv-name",
	    "^ +" LV " +(?<logger>\\S+?):(?: |$)", true },
	/* %(levelname)s:%(name)s: (basicConfig's) */
	{ "basic",
	    "^ +" LV ":(?<logger>[^\\s:]*):", true },
	/* [%(threadName)s] %(levelname)s %(name)s: */
	{ "th-lv-name",
	    "^ +\\[(?<thread>[^\\]]*)\\] +" LV " +(?<logger>\\S+?):(?: |$)",
	    true },
	/* %(levelname)s %(name)s - */
	{ "lv-name-dash",
	    "^ +" LV " +(?<logger>\\S+) +-(?: |$)", true },
	/* %(name)s %(levelname)s */
	{ "name-lv",
	    "^ +(?<logger>[A-Za-z_][\\w.]*) +" LV "(?::? +|:?$)", false },
	/* [%(levelname)s] */
	{ "blv",
	    "^ +\\[" LV "\\](?: +|$)", true },
	/* %(levelname)s */
	{ "lv",
	    "^ +" LV "(?::? +|:?$)", true },
};
#define NFIELD_PATS	(sizeof(field_pats) / sizeof(field_pats[0]))
_Static_assert(NFIELD_PATS == PYLAYOUT_PATTERNS, "PYLAYOUT_PATTERNS");
/* The basicConfig pattern, tried first on untimed lines. */
#define BASIC_PAT	"basic"

/* The patterns' names by the index specs gave them before they named
 * them (aiosift b018df9 and older wrote "p=12"): frozen, whatever
 * becomes of the table's order. */
static const char *const v1_index[] = {
	"lv-thtask-name", "lv-task-name", "pid-th-lv-name", "bar-lv-name",
	"dash-name-lv", "loguru", "gunicorn", "structlog", "blv-name",
	"lv-name", "basic", "th-lv-name", "lv-name-dash", "name-lv", "blv",
	"lv"
};

/* How far after the time the "]" that closes a tornado or celery head is
 * looked for: a head longer than that is read as no head (the line may
 * still be a header by the field patterns). */
#define TORNADO_HEAD_MAX	160
#define CELERY_HEAD_MAX		64

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
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
	int		 k;

	if (!field_cached[untimed][i]) {
		if (untimed) {
			/* "^ +" -> "^" */
			src[0] = '^';
			k = snprintf(src + 1, sizeof(src) - 1, "%s", s + 3);
			assert(k >= 0 && (size_t)k < sizeof(src) - 1);
			s = src;
		}
		if (pattern_compile(pt, s, 0, &e) == -1)
			pt->re = NULL;
		field_cached[untimed][i] = true;
	}
	*out = *pt;
	return pt->re != NULL;
}

void
pylayout_init(struct pylayout *py, bool untimed, int first)
{
	size_t		 i, k = 0;
	int		 order[NFIELD_PATS + 1], j, n = 0;
	int		 basic = pylayout_pattern_named(BASIC_PAT,
			    strlen(BASIC_PAT));

	memset(py, 0, sizeof(*py));
	py->untimed = untimed;
	py->first = first;
	if (first >= 0)
		order[n++] = first;
	if (untimed && first != basic)
		order[n++] = basic;
	for (i = 0; i < NFIELD_PATS; i++)
		if ((int)i != first && !(untimed && (int)i == basic))
			order[n++] = (int)i;
	py->pats = xcalloc((size_t)n, sizeof(*py->pats));
	py->index = xcalloc((size_t)n, sizeof(*py->index));
	for (j = 0; j < n; j++) {
		if (untimed && !field_pats[order[j]].untimed)
			continue;
		if (field_pattern(order[j], untimed, &py->pats[k]))
			py->index[k++] = order[j];
	}
	py->npats = k;
}

void
pylayout_release(struct pylayout *py)
{
	free(py->pats);
	free(py->index);
	py->pats = NULL;
	py->index = NULL;
	py->npats = 0;
}

const char *
pylayout_pattern_name(int i)
{
	return i >= 0 && (size_t)i < NFIELD_PATS ? field_pats[i].name : NULL;
}

int
pylayout_pattern_named(const char *name, size_t n)
{
	size_t	i;

	for (i = 0; i < NFIELD_PATS; i++)
		if (strlen(field_pats[i].name) == n &&
		    memcmp(field_pats[i].name, name, n) == 0)
			return (int)i;
	return -1;
}

int
pylayout_pattern_v1(long index)
{
	if (index < 0 || (size_t)index >= sizeof(v1_index) /
	    sizeof(v1_index[0]))
		return -1;
	return pylayout_pattern_named(v1_index[index],
	    strlen(v1_index[index]));
}

bool
pylayout_untimed_ok(int i)
{
	return i >= 0 && (size_t)i < NFIELD_PATS && field_pats[i].untimed;
}

static bool
match_fields(const struct pylayout *py, struct pattern_run *r,
    const char *s, size_t n, struct record *rec)
{
	size_t	k;

	for (k = 0; k < py->npats; k++)
		if (pattern_match(&py->pats[k], r, s, n, rec))
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
	close = memchr(s + 3 + k, ']', n - 3 - k < TORNADO_HEAD_MAX ?
	    n - 3 - k : TORNADO_HEAD_MAX);
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
	close = memchr(s + 3 + k, ']', n - 3 - k < CELERY_HEAD_MAX ?
	    n - 3 - k : CELERY_HEAD_MAX);
	if (close == NULL || memchr(s + 3 + k, '/', (size_t)(close - s) - 3 -
	    k) == NULL)
		return false;
	*used = (size_t)(close - s) + 1;
	return true;
}

/* The level (and process) inside a tornado or celery head that
 * pylayout_time() passed over; false for other heads. */
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

bool
pylayout_time(const char *s, size_t n, int64_t *ts, size_t *used)
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

bool
pylayout_timed(const struct pylayout *py, struct pattern_run *run,
    const char *s, size_t n, struct record *rec)
{
	size_t		used, k;
	int64_t		ts;
	const char	*t;

	if (!pylayout_time(s, n, &ts, &used))
		return false;
	rec->ts_us = ts;
	t = s + used;
	n -= used;
	if (head_fields(s, used, rec)) {
		k = 0;
		while (k < n && t[k] == ' ')
			k++;
		rec->message.p = t + k;
		rec->message.n = n - k;
		return true;
	}
	if ((py->tpl.n > 0 && template_match(&py->tpl, t, n, rec)) ||
	    match_fields(py, run, t, n, rec)) {
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
	while (k < n && t[k] == ' ')
		k++;
	if (k + 1 < n && (t[k] == '-' || t[k] == '|' || t[k] == ':') &&
	    t[k + 1] == ' ')
		k += 2;
	while (k < n && t[k] == ' ')
		k++;
	rec->message.p = t + k;
	rec->message.n = n - k;
	return true;
}

bool
pylayout_untimed(const struct pylayout *py, struct pattern_run *r,
    const char *s, size_t n, struct record *rec)
{
	static const char *const words[] = { "DEBUG", "INFO", "WARN",
	    "ERROR", "CRITICAL", "FATAL", "NOTSET", "TRACE", "EXCEPTION",
	    "SUCCESS", NULL };
	size_t	i;

	/* every untimed pattern starts with "[" or a level word */
	if (n == 0)
		return false;
	if (s[0] == '[')
		return match_fields(py, r, s, n, rec);
	for (i = 0; words[i] != NULL; i++)
		if (s[0] == words[i][0] && n >= strlen(words[i]) &&
		    memcmp(s, words[i], strlen(words[i])) == 0)
			return match_fields(py, r, s, n, rec);
	return false;
}
