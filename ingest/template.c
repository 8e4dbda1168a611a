/*
 * template: the fields of a logging.Formatter layout, inferred from the
 * lines of a file instead of listed in a table. The text after a header's
 * time is cut into tokens (a bracketed value, or a run of non-blanks) and
 * separators (spaces, " - ", " | ", ": "); a token is a field when its
 * shape says so (a level word, a number, name:lineno, anything in
 * brackets) or a separator or a field (by shape or by the separator
 * after it) follows it, and the first token
 * that is not ends the header: the message starts there. Each line gives
 * a candidate; the most frequent wins, and what its values looked like
 * across the lines gives each slot its role (MainThread: threadName;
 * None or Task-3: taskName; the first other name: the logger). Which
 * lines carry a time, and the fixed patterns, are layout's business.
 */
#include "ingest/template.h"

#include <stdint.h>
#include <string.h>

#include "ingest/field.h"

/* kinds: the shape of a value */
#define K_LEVEL		'L'	/* INFO, error, WARNING */
#define K_NUM		'N'	/* 12345 */
#define K_NAMELINE	'C'	/* asyncio:1900, app.py:12, mod:func:12 */
#define K_SLASH		'S'	/* MainThread/Task-1, ERROR/MainProcess */
#define K_WORD		'W'	/* app.db, MainThread, ^Worker, None */
#define K_BAD		0

/* roles: the record field a slot fills */
#define R_NONE		'_'
#define R_LEVEL		'l'
#define R_PID		'p'
#define R_LOGGER	'g'
#define R_THREAD	't'
#define R_TASK		'k'
#define R_THREAD_TASK	'x'	/* threadName/taskName */
#define R_LEVEL_THREAD	'y'	/* celery's levelname/processName */

/* what a slot's values looked like, across lines */
#define SEEN_THREAD	0x1	/* MainThread, Thread-2, MainProcess... */
#define SEEN_TASK	0x2	/* None, Task-7 */
#define SEEN_FILE	0x4	/* base_events.py:1900 */
#define SEEN_BIGNUM	0x8	/* a thread id, not a pid */
#define SEEN_LEVEL	0x10	/* ERROR/MainProcess */
#define SEEN_ASYNCIO	0x20	/* asyncio: the logger of asyncio's records */
#define SEEN_INTERNAL	0x40	/* base_events, _run_once: %(module)s or
				 * %(funcName)s of asyncio's records */

#define VALUE_MAX	96	/* longest bracketed value */

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool	is_level_case(const char *s, size_t n, bool lower);

/* A level word, upper case: what levelname and its look-alikes print. */
static bool
is_level(const char *s, size_t n)
{
	return is_level_case(s, n, false);
}

/* In brackets, structlog's lower-case levels too: "[info     ]". */
static bool
is_level_case(const char *s, size_t n, bool lower)
{
	/* by length, so a line costs one or two memcmp() (the hot path) */
	static const char *const words[10][5] = {
		[4] = { "INFO", "WARN", "info", "warn", NULL },
		[5] = { "ERROR", "DEBUG", "FATAL", "TRACE", NULL },
		[6] = { "NOTSET", "NOTICE", NULL },
		[7] = { "WARNING", "SUCCESS", NULL },
		[8] = { "CRITICAL", NULL },
		[9] = { "EXCEPTION", NULL },
	};
	static const char *const low[10][4] = {
		[5] = { "error", "debug", "fatal", NULL },
		[7] = { "warning", NULL },
		[8] = { "critical", NULL },
	};
	size_t	i;

	if (n < 4 || n > 9)
		return false;
	for (i = 0; words[n][i] != NULL; i++)
		if (s[0] == words[n][i][0] && memcmp(s, words[n][i], n) == 0)
			return lower || s[0] < 'a';
	for (i = 0; lower && low[n][i] != NULL; i++)
		if (s[0] == low[n][i][0] && memcmp(s, low[n][i], n) == 0)
			return true;
	return false;
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    is_digit(c) || c == '_' || c == '.' || c == '-' || c == '^' ||
	    c == '<' || c == '>' || c == '@' || c == '#' || c == '$' ||
	    (unsigned char)c >= 0x80;
}

static bool
all_digits(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	return n > 0;
}

static bool
starts(const char *s, size_t n, const char *lit)
{
	size_t	k = strlen(lit);

	return n >= k && memcmp(s, lit, k) == 0;
}

/* The shape of a value. */
static unsigned char
classify(const char *s, size_t n, bool bracketed)
{
	const char	*c, *slash;
	size_t		 i;

	if (n == 0)
		return K_BAD;
	if (is_level_case(s, n, bracketed))
		return K_LEVEL;
	if (all_digits(s, n))
		return K_NUM;
	slash = memchr(s, '/', n);
	if (slash != NULL && slash > s && slash < s + n - 1) {
		for (i = 0; i < n; i++)
			if (!is_name_char(s[i]) && s[i] != '/')
				return K_BAD;
		return K_SLASH;
	}
	c = memchr(s, ':', n);
	if (slash != NULL)
		return K_BAD;	/* a path: message text */
	if (c != NULL) {
		/* name:lineno, module:function:lineno */
		for (i = n; i > 0 && is_digit(s[i - 1]); i--)
			;
		if (i < n && i > 1 && s[i - 1] == ':' && c > s)
			return K_NAMELINE;
	}
	for (i = 0; i < n; i++)
		if (!is_name_char(s[i]) && s[i] != ':')
			return K_BAD;
	return K_WORD;
}

/* The module or function names asyncio's and warnings' records carry:
 * a slot showing them is %(module)s or %(funcName)s, not the logger. */
static bool
is_internal(const char *s, size_t n)
{
	static const char *const names[] = { "base_events",
	    "selector_events", "proactor_events", "unix_events",
	    "windows_events", "tasks", "futures", "events", "coroutines",
	    "sslproto", "runners", "streams", "warnings",
	    "default_exception_handler", "call_exception_handler",
	    "_run_once", "_showwarnmsg", "__del__", "_warn_unawaited_coroutine",
	    NULL };
	size_t	i;

	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && memcmp(names[i], s, n) == 0)
			return true;
	return false;
}

static unsigned
seen_flags(unsigned char kind, const char *s, size_t n)
{
	const char	*slash;
	unsigned	 f = 0;

	if (kind == K_NUM && n > 7)
		f |= SEEN_BIGNUM;
	if (kind == K_NAMELINE && n > 4) {
		size_t	i;

		for (i = 0; i + 4 <= n; i++)
			if (memcmp(s + i, ".py:", 4) == 0)
				f |= SEEN_FILE;
	}
	if (kind == K_SLASH) {
		slash = memchr(s, '/', n);
		if (is_level(s, (size_t)(slash - s)))
			f |= SEEN_LEVEL;
		n = (size_t)(slash - s);
	}
	if (starts(s, n, "MainThread") || starts(s, n, "Thread-") ||
	    starts(s, n, "ThreadPoolExecutor-") || starts(s, n, "Dummy-") ||
	    starts(s, n, "asyncio_") || starts(s, n, "MainProcess") ||
	    starts(s, n, "ForkPoolWorker-") || starts(s, n, "SpawnProcess-"))
		f |= SEEN_THREAD;
	if ((n == 7 && memcmp(s, "asyncio", 7) == 0) ||
	    starts(s, n, "asyncio."))
		f |= SEEN_ASYNCIO;
	if (is_internal(s, n))
		f |= SEEN_INTERNAL;
	if ((n == 4 && memcmp(s, "None", 4) == 0) ||
	    (starts(s, n, "Task-") && n > 5 && all_digits(s + 5, n - 5)))
		f |= SEEN_TASK;
	return f;
}

/* Spaces and tabs, the blanks between a header's fields. */
static const bool blank_byte[256] = { [' '] = true, ['\t'] = true };

static inline bool
is_blank(char c)
{
	return blank_byte[(unsigned char)c];
}

/* Skip a separator at s[*i]: blanks, then perhaps one of - | : followed
 * by a blank or the end, then blanks. *punct the mark or 0; false when
 * there was nothing to skip and the line goes on. */
static inline bool
skip_sep(const char *s, size_t n, size_t *i, char *punct)
{
	size_t	k = *i;

	*punct = 0;
	while (k < n && is_blank(s[k]))
		k++;
	if (k < n && (s[k] == '-' || s[k] == '|' || s[k] == ':') &&
	    (k + 1 == n || s[k + 1] == ' ' || s[k + 1] == '\t')) {
		*punct = s[k];
		k++;
		while (k < n && is_blank(s[k]))
			k++;
	}
	if (k == *i && k < n && s[k] != '[' && s[k] != '(' && s[k] != '<')
		return false;
	*i = k;
	return true;
}

static char
closer(char open)
{
	return open == '[' ? ']' : open == '(' ? ')' : '>';
}

/* One token at s[*i]: its value, brackets, shape. *i moves past it (a
 * bare value's trailing ':' is left for the separator). */
static bool
read_token(const char *s, size_t n, size_t *i, struct template_slot *sl,
    struct span *v)
{
	const char	*c;
	size_t		 k = *i, lim;

	memset(sl, 0, sizeof(*sl));
	if (k >= n)
		return false;
	if (s[k] == '[' || s[k] == '(' || s[k] == '<') {
		sl->open = s[k];
		sl->close = closer(s[k]);
		lim = n - k - 1 < VALUE_MAX ? n - k - 1 : VALUE_MAX;
		c = memchr(s + k + 1, sl->close, lim);
		if (c == NULL)
			return false;
		v->p = s + k + 1;
		v->n = (size_t)(c - v->p);
		/* "[info     ]": padding inside the brackets */
		while (v->n > 0 && v->p[v->n - 1] == ' ')
			v->n--;
		*i = (size_t)(c - s) + 1;
	} else {
		while (k < n && !is_blank(s[k]))
			k++;
		v->p = s + *i;
		v->n = k - *i;
		if (v->n > 1 && v->p[v->n - 1] == ':') {
			v->n--;
			k--;
		}
		*i = k;
	}
	sl->kind = classify(v->p, v->n, sl->open != 0);
	return sl->kind != K_BAD;
}

/* The candidate template of one line, and what its values looked like. */
static bool
candidate(const char *s, size_t n, struct template *t, unsigned *seen)
{
	struct template_slot	 tok[TEMPLATE_SLOTS + 1];
	struct span		 val[TEMPLATE_SLOTS + 1];
	bool			 ok[TEMPLATE_SLOTS + 1];
	size_t			 i = 0, j, ntok = 0;
	char			 punct;

	memset(t, 0, sizeof(*t));
	if (!skip_sep(s, n, &i, &punct))
		return false;
	t->lead = punct;
	while (ntok <= TEMPLATE_SLOTS && i < n) {
		ok[ntok] = read_token(s, n, &i, &tok[ntok], &val[ntok]);
		if (!ok[ntok] || !skip_sep(s, n, &i, &punct)) {
			ok[ntok] = false;
			ntok++;
			break;
		}
		tok[ntok].sep = punct;
		ntok++;
		if (punct == ':')
			break;
	}
	for (j = 0; j < ntok && j < TEMPLATE_SLOTS && ok[j]; j++) {
		bool	strong = tok[j].open != 0 || tok[j].kind == K_LEVEL ||
			    tok[j].sep != 0;
		/* followed by a field: "%(taskName)s %(funcName)s: " */
		bool	next_strong = j + 1 < ntok && ok[j + 1] &&
			    (tok[j + 1].open != 0 ||
			    tok[j + 1].kind == K_LEVEL || tok[j + 1].sep != 0);

		if (!strong && !next_strong)
			break;
		t->s[j] = tok[j];
		t->s[j].role = R_NONE;
		seen[j] = seen_flags(tok[j].kind, val[j].p, val[j].n);
		t->n = (unsigned char)(j + 1);
		if (tok[j].sep == ':')
			break;
	}
	return t->n > 0;
}

static bool
same_shape(const struct template *a, const struct template *b)
{
	size_t	j;

	if (a->n != b->n || a->lead != b->lead)
		return false;
	for (j = 0; j < a->n; j++)
		if (a->s[j].open != b->s[j].open ||
		    a->s[j].kind != b->s[j].kind || a->s[j].sep != b->s[j].sep)
			return false;
	return true;
}

void
template_votes_init(struct template_votes *v)
{
	v->ncand = 0;
	v->dropped = 0;
}

void
template_vote(struct template_votes *v, const char *s, size_t n)
{
	struct template	t;
	unsigned	seen[TEMPLATE_SLOTS];
	size_t		i, j;

	if (!candidate(s, n, &t, seen))
		return;
	for (i = 0; i < v->ncand; i++)
		if (same_shape(&v->cand[i].t, &t))
			break;
	if (i == v->ncand) {
		if (v->ncand == TEMPLATE_CANDIDATES) {
			v->dropped++;
			return;
		}
		v->ncand++;
		v->cand[i].t = t;
		v->cand[i].count = 0;
		memset(v->cand[i].seen, 0, sizeof(v->cand[i].seen));
	}
	v->cand[i].count++;
	for (j = 0; j < t.n; j++)
		v->cand[i].seen[j] |= seen[j];
}

bool
template_best(const struct template_votes *v, struct template *out,
    size_t *count)
{
	const unsigned	*seen;
	size_t		 i, best = 0, j;
	bool		 level = false, pid = false, logger = false,
			 thread = false, named = false;

	if (v->ncand == 0)
		return false;
	for (i = 1; i < v->ncand; i++)
		if (v->cand[i].count > v->cand[best].count ||
		    (v->cand[i].count == v->cand[best].count &&
		    v->cand[i].t.n < v->cand[best].t.n))
			best = i;
	*out = v->cand[best].t;
	*count = v->cand[best].count;
	seen = v->cand[best].seen;
	/* a slot that showed "asyncio" is the logger, whatever comes first */
	for (j = 0; j < out->n; j++)
		named |= (seen[j] & SEEN_ASYNCIO) != 0 &&
		    (out->s[j].kind == K_WORD || out->s[j].kind == K_NAMELINE);
	/* the roles: a level, a pid, a thread and a task by their values;
	 * the first other name is the logger */
	for (j = 0; j < out->n; j++) {
		struct template_slot	*sl = &out->s[j];

		switch (sl->kind) {
		case K_LEVEL:
			sl->role = level ? R_NONE : R_LEVEL;
			level = true;
			break;
		case K_NUM:
			if (!pid && !(seen[j] & SEEN_BIGNUM)) {
				sl->role = R_PID;
				pid = true;
			}
			break;
		case K_SLASH:
			sl->role = seen[j] & SEEN_LEVEL ? R_LEVEL_THREAD :
			    R_THREAD_TASK;
			break;
		case K_WORD:
			if ((seen[j] & SEEN_THREAD) && !thread) {
				sl->role = R_THREAD;
				thread = true;
			} else if (seen[j] & SEEN_TASK) {
				sl->role = R_TASK;
			} else if (!logger && !(seen[j] & SEEN_INTERNAL) &&
			    (!named || (seen[j] & SEEN_ASYNCIO))) {
				sl->role = R_LOGGER;
				logger = true;
			}
			break;
		case K_NAMELINE:
			if (!(seen[j] & (SEEN_FILE | SEEN_INTERNAL)) &&
			    !logger && (!named || (seen[j] & SEEN_ASYNCIO))) {
				sl->role = R_LOGGER;
				logger = true;
			}
			break;
		}
	}
	return true;
}

struct span
template_logger(struct span v)
{
	const char	*c = memchr(v.p, ':', v.n);
	size_t		 i;

	if (c == NULL || c == v.p)
		return v;
	/* name:lineno, or loguru's module:function:lineno */
	for (i = v.n; i > 0 && is_digit(v.p[i - 1]); i--)
		;
	if (i < v.n && i > 0 && v.p[i - 1] == ':')
		v.n = (size_t)(c - v.p);
	return v;
}

/* Fill rec's field for one slot's value. */
static void
fill(struct record *rec, char role, struct span v)
{
	const char	*slash;
	struct span	 a, b;

	switch (role) {
	case R_LEVEL:
		rec->level = v;
		break;
	case R_PID:
		rec->pid = field_pid(v);
		break;
	case R_LOGGER:
		rec->logger = template_logger(v);
		break;
	case R_THREAD:
		rec->thread = v;
		break;
	case R_TASK:
		rec->task = field_task(v);
		break;
	case R_THREAD_TASK:
	case R_LEVEL_THREAD:
		slash = memchr(v.p, '/', v.n);
		if (slash == NULL)
			break;
		a.p = v.p;
		a.n = (size_t)(slash - v.p);
		b.p = slash + 1;
		b.n = v.n - a.n - 1;
		if (role == R_LEVEL_THREAD) {
			rec->level = a;
			rec->thread = b;
		} else {
			rec->thread = a;
			rec->task = field_task(b);
		}
		break;
	}
}

bool
template_match(const struct template *t, const char *s, size_t n,
    struct record *rec)
{
	const struct template_slot	*sl;
	const char			*c;
	struct span			 v;
	size_t				 i = 0, j, k, lim;
	char				 punct;

	if (t->n == 0 || !skip_sep(s, n, &i, &punct) || punct != t->lead)
		return false;
	for (j = 0; j < t->n; j++) {
		sl = &t->s[j];
		if (sl->open != 0) {
			if (i >= n || s[i] != sl->open)
				return false;
			lim = n - i - 1 < VALUE_MAX ? n - i - 1 : VALUE_MAX;
			c = memchr(s + i + 1, sl->close, lim);
			if (c == NULL)
				return false;
			v.p = s + i + 1;
			v.n = (size_t)(c - v.p);
			while (v.n > 0 && v.p[v.n - 1] == ' ')
				v.n--;
			i = (size_t)(c - s) + 1;
		} else {
			for (k = i; k < n && !is_blank(s[k]); k++)
				;
			v.p = s + i;
			v.n = k - i;
			if (sl->sep == ':' && v.n > 1 && v.p[v.n - 1] == ':') {
				v.n--;
				k--;
			}
			i = k;
		}
		switch (sl->kind) {
		case K_LEVEL:
			if (!is_level_case(v.p, v.n, sl->open != 0))
				return false;
			break;
		case K_NUM:
			if (!all_digits(v.p, v.n))
				return false;
			break;
		case K_NAMELINE:
			if (v.n < 3 || !is_digit(v.p[v.n - 1]) ||
			    memchr(v.p, ':', v.n) == NULL)
				return false;
			break;
		case K_SLASH:
			if (memchr(v.p, '/', v.n) == NULL)
				return false;
			break;
		default:
			if (v.n == 0)
				return false;
			break;
		}
		if (!skip_sep(s, n, &i, &punct) || punct != sl->sep)
			return false;
		fill(rec, (char)sl->role, v);
	}
	rec->message.p = s + i;
	rec->message.n = n - i;
	return true;
}

static char
enc(char c)
{
	return c == 0 ? '_' : c;
}

static char
dec(char c)
{
	return c == '_' ? 0 : c;
}

void
template_format(const struct template *t, char *out, size_t size)
{
	char	buf[TEMPLATE_SPEC];
	size_t	j, k = 0;

	buf[k++] = 'T';
	buf[k++] = enc(t->lead);
	for (j = 0; j < t->n; j++) {
		buf[k++] = enc(t->s[j].open);
		buf[k++] = (char)t->s[j].kind;
		buf[k++] = (char)t->s[j].role;
		buf[k++] = enc(t->s[j].sep);
	}
	buf[k] = '\0';
	if (size > 0) {
		if (k >= size)
			k = size - 1;
		memcpy(out, buf, k);
		out[k] = '\0';
	}
}

bool
template_parse(const char *s, size_t n, struct template *t)
{
	static const char	kinds[] = { K_LEVEL, K_NUM, K_NAMELINE,
	    K_SLASH, K_WORD, 0 };
	static const char	roles[] = { R_NONE, R_LEVEL, R_PID, R_LOGGER,
	    R_THREAD, R_TASK, R_THREAD_TASK, R_LEVEL_THREAD, 0 };
	size_t			j;
	char			o, sep;

	memset(t, 0, sizeof(*t));
	if (n < 2 || s[0] != 'T' || (n - 2) % 4 != 0 ||
	    (n - 2) / 4 > TEMPLATE_SLOTS)
		return false;
	t->lead = dec(s[1]);
	if (t->lead != 0 && strchr("-|:", t->lead) == NULL)
		return false;
	for (j = 0; j < (n - 2) / 4; j++) {
		const char	*p = s + 2 + 4 * j;

		o = dec(p[0]);
		sep = dec(p[3]);
		if ((o != 0 && strchr("[(<", o) == NULL) ||
		    strchr(kinds, p[1]) == NULL || p[1] == 0 ||
		    strchr(roles, p[2]) == NULL || p[2] == 0 ||
		    (sep != 0 && strchr("-|:", sep) == NULL))
			return false;
		t->s[j].open = o;
		t->s[j].close = o != 0 ? closer(o) : 0;
		t->s[j].kind = (unsigned char)p[1];
		t->s[j].role = (unsigned char)p[2];
		t->s[j].sep = sep;
	}
	t->n = (unsigned char)((n - 2) / 4);
	return t->n > 0;
}
