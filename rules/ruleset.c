/*
 * ruleset: the rules-file parser. Turns the text format documented at the
 * top of rules/asyncio.rules into struct rule values with their PCRE2
 * patterns compiled (and JIT-compiled). Every problem is reported with
 * file, line and, for patterns, the column of PCRE2's error offset; parsing
 * goes on so that one pass lists them all. Matching is the engine's.
 */
#include "rules/ruleset.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/kinds.h"
#include "common/severity.h"
#include "common/xmalloc.h"

#define RULESET_MAX_FILE	(16 * 1024 * 1024)	/* bytes of one file */

const char *const rule_kinds[] = {
	"never_awaited", "never_retrieved", "nested_run", "stall",
	"slow_callback", "task_destroyed_pending", "await_non_awaitable",
	"different_loop", "loop_closed", "callback_exception",
	"unclosed_resource", "timeout", "handler_error", "transport_error",
	"config_error", NULL
};

const char *const rule_field_names[RF_NFIELDS] = {
	"task", "coro", "loc", "file", "line", "exc", "msg", "duration"
};

const char *
rule_kind(const char *name)
{
	size_t	i;

	for (i = 0; rule_kinds[i] != NULL; i++)
		if (strcmp(rule_kinds[i], name) == 0)
			return rule_kinds[i];
	return NULL;
}

static void
diag_add(struct rule_diag *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
diag_add(struct rule_diag *d, const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d->msg = xgrow(d->msg, &d->cap, d->n + 1, sizeof(*d->msg));
	d->msg[d->n++] = xstrdup(buf);
}

static void
strv_free(char **v, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
rule_diag_release(struct rule_diag *d)
{
	if (d == NULL)
		return;
	strv_free(d->msg, d->n);
	memset(d, 0, sizeof(*d));
}

static void
rule_re_release(struct rule_re *re)
{
	pcre2_code_free(re->code);
	free(re->src);
	free(re->group_field);
	memset(re, 0, sizeof(*re));
}

void
rule_release(struct rule *r)
{
	size_t	i;

	if (r == NULL)
		return;
	free(r->id);
	free(r->title);
	strv_free(r->loggers, r->nloggers);
	strv_free(r->levels, r->nlevels);
	strv_free(r->needles, r->nneedles);
	rule_re_release(&r->pattern);
	for (i = 0; i < r->nextracts; i++)
		rule_re_release(&r->extracts[i]);
	free(r->extracts);
	free(r->file);
	memset(r, 0, sizeof(*r));
}

void
ruleset_init(struct ruleset *rs)
{
	memset(rs, 0, sizeof(*rs));
}

void
ruleset_release(struct ruleset *rs)
{
	size_t	i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++)
		rule_release(&rs->v[i]);
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

struct rule *
ruleset_find(struct ruleset *rs, const char *id)
{
	size_t	i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].id, id) == 0)
			return &rs->v[i];
	return NULL;
}

/* A pattern being assembled from a key line and its continuation lines:
 * which file line and column each piece of the text came from, so that
 * PCRE2's error offset names the right place. */
struct piece {
	size_t	off;		/* offset in the pattern text */
	int	line;
	int	col;		/* 1-based column of that byte in the file */
};

struct pending {
	struct buf	 text;
	struct piece	*pieces;
	size_t		 npieces;
	size_t		 cap;
	enum rule_scope	 scope;
	bool		 used;
};

struct parser {
	const char		*name;
	struct rule_diag	*d;
	size_t			 errors;
	struct rule		 r;		/* the rule being read */
	bool			 in_rule;
	bool			 bad;		/* r has an error: drop it */
	bool			 have_kind;
	bool			 have_severity;
	struct pending		 pattern;
	struct pending		*extracts;
	size_t			 nextracts;
	size_t			 cap_extracts;
	struct pending		*cont;		/* what a continuation extends */
	/* ids defined in this file, with their lines */
	char			**ids;
	int			*id_lines;
	size_t			 nids;
	size_t			 cap_ids;
	size_t			 cap_lines;
};

static void
parser_error(struct parser *p, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
parser_error(struct parser *p, int line, int col, const char *fmt, ...)
{
	char	what[768];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (col > 0)
		diag_add(p->d, "%s:%d:%d: %s", p->name, line, col, what);
	else
		diag_add(p->d, "%s:%d: %s", p->name, line, what);
	p->errors++;
	p->bad = true;
}

static void
pending_release(struct pending *pd)
{
	buf_release(&pd->text);
	free(pd->pieces);
	memset(pd, 0, sizeof(*pd));
}

static void
pending_add(struct pending *pd, const char *s, size_t n, int line, int col)
{
	struct piece	*pc;
	bool		 whole;

	if (pd->text.cap == 0)
		buf_init(&pd->text, RULESET_MAX_FILE);
	pd->pieces = xgrow(pd->pieces, &pd->cap, pd->npieces + 1,
	    sizeof(*pd->pieces));
	pc = &pd->pieces[pd->npieces++];
	pc->off = pd->text.len;
	pc->line = line;
	pc->col = col;
	/* never cut: its pieces come from one text of at most
	 * RULESET_MAX_FILE bytes (ruleset_parse refuses longer) */
	whole = buf_add(&pd->text, s, n);
	assert(whole);
	(void)whole;
	pd->used = true;
}

/* The file line and column of byte off of the assembled pattern. */
static void
pending_where(const struct pending *pd, size_t off, int *line, int *col)
{
	size_t	i;

	*line = pd->npieces ? pd->pieces[0].line : 0;
	*col = pd->npieces ? pd->pieces[0].col : 0;
	for (i = 0; i < pd->npieces; i++) {
		if (pd->pieces[i].off > off)
			break;
		*line = pd->pieces[i].line;
		*col = pd->pieces[i].col + (int)(off - pd->pieces[i].off);
	}
}

static int
field_of(const char *name)
{
	int	i;

	for (i = 0; i < RF_NFIELDS; i++)
		if (strcmp(rule_field_names[i], name) == 0)
			return i;
	return -1;
}

/* Where the group called name is declared in pattern, or NULL. */
static const char *
group_name_at(const char *pattern, const char *name)
{
	char		 decl[64];
	const char	*at;

	snprintf(decl, sizeof(decl), "<%s>", name);
	if ((at = strstr(pattern, decl)) != NULL)
		return at + 1;
	snprintf(decl, sizeof(decl), "'%s'", name);
	if ((at = strstr(pattern, decl)) != NULL)
		return at + 1;
	return strstr(pattern, name);
}

/* Compile a pending pattern into re; false (reported) on error. */
static bool
parser_compile(struct parser *p, struct pending *pd, struct rule_re *re,
    const char *what)
{
	PCRE2_UCHAR	 msg[256];
	PCRE2_SPTR	 table;
	PCRE2_SIZE	 erroff;
	uint32_t	 count, size, i, ncap;
	int		 errcode, line, col;
	pcre2_code	*code;

	code = pcre2_compile((PCRE2_SPTR)pd->text.data, pd->text.len,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_UCP | PCRE2_DUPNAMES,
	    &errcode, &erroff, NULL);
	if (code == NULL) {
		pcre2_get_error_message(errcode, msg, sizeof(msg));
		pending_where(pd, erroff, &line, &col);
		parser_error(p, line, col, "%s: %s", what, (char *)msg);
		return false;
	}
	pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &ncap);
	pcre2_pattern_info(code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(code, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(code, PCRE2_INFO_NAMETABLE, &table);
	re->group_field = xmalloc(ncap + 1);
	memset(re->group_field, -1, ncap + 1);
	re->ngroups = ncap;
	for (i = 0; i < count; i++) {
		const unsigned char	*ent = table + (size_t)i * size;
		unsigned		 num = (unsigned)(ent[0] << 8 | ent[1]);
		const char		*name = (const char *)ent + 2;
		const char		*at;
		int			 f = field_of(name);

		if (f < 0) {
			/* point at the group's name in the pattern */
			at = group_name_at(pd->text.data, name);
			pending_where(pd, at ? (size_t)(at - pd->text.data) :
			    0, &line, &col);
			parser_error(p, line, col, "%s: unknown named group "
			    "'%s' (known: task, coro, loc, file, line, exc, "
			    "msg, duration)", what, name);
			pcre2_code_free(code);
			/* re is not the rule's: nothing else frees this */
			free(re->group_field);
			re->group_field = NULL;
			re->ngroups = 0;
			return false;
		}
		if (num <= ncap)
			re->group_field[num] = (signed char)f;
	}
	/* JIT-compiled by the engine at its first use (engine_match) */
	re->code = code;
	re->src = xstrndup(pd->text.data, pd->text.len);
	re->line = pd->npieces ? pd->pieces[0].line : 0;
	re->scope = pd->scope;
	return true;
}

static void
parser_reset_rule(struct parser *p)
{
	size_t	i;

	rule_release(&p->r);
	pending_release(&p->pattern);
	for (i = 0; i < p->nextracts; i++)
		pending_release(&p->extracts[i]);
	p->nextracts = 0;
	p->in_rule = false;
	p->bad = false;
	p->have_kind = false;
	p->have_severity = false;
	p->cont = NULL;
}

/* Default severities by kind, for rules that name none. */
static int
kind_severity(const char *kind)
{
	if (strcmp(kind, KIND_SLOW_CALLBACK) == 0)
		return SEV_INFO;
	if (strcmp(kind, "never_awaited") == 0 ||
	    strcmp(kind, "unclosed_resource") == 0 ||
	    strcmp(kind, KIND_STALL) == 0 || strcmp(kind, "timeout") == 0 ||
	    strcmp(kind, "config_error") == 0)
		return SEV_WARNING;
	return SEV_ERROR;
}

/* The rule being read is complete: check, compile, append. */
static void
parser_finish_rule(struct parser *p, struct ruleset *rs)
{
	struct rule	*r = &p->r;
	size_t		 i;

	if (!p->in_rule)
		return;
	if (!p->have_kind && !p->pattern.used && p->nextracts == 0 &&
	    r->nneedles == 0 && r->nloggers == 0 && r->nlevels == 0)
		r->partial = true;	/* changes a loaded rule */
	else if (!p->have_kind)
		parser_error(p, r->line, 0, "rule '%s': missing kind", r->id);
	if (!r->partial && !p->pattern.used)
		parser_error(p, r->line, 0, "rule '%s': missing pattern",
		    r->id);
	else if (!r->partial)
		(void)parser_compile(p, &p->pattern, &r->pattern, "pattern");
	if (p->nextracts > 0) {
		r->extracts = xcalloc(p->nextracts, sizeof(*r->extracts));
		for (i = 0; i < p->nextracts; i++)
			if (parser_compile(p, &p->extracts[i],
			    &r->extracts[r->nextracts], "extract"))
				r->nextracts++;
	}
	if (!p->bad) {
		r->set_severity = p->have_severity;
		if (!p->have_severity && r->kind != NULL)
			r->severity = kind_severity(r->kind);
		r->set_title = r->title != NULL;
		if (r->title == NULL)
			r->title = xstrdup(r->id);
		rs->v = xgrow(rs->v, &rs->cap, rs->n + 1, sizeof(*rs->v));
		rs->v[rs->n++] = *r;
		memset(r, 0, sizeof(*r));
	}
	parser_reset_rule(p);
}

static bool
valid_id(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' ||
		    *s == '-' || *s == ':'))
			return false;
	return true;
}

static void
strv_add(char ***v, size_t *n, const char *s, size_t len)
{
	size_t	cap = *n;

	*v = xgrow(*v, &cap, *n + 1, sizeof(**v));
	(*v)[(*n)++] = xstrndup(s, len);
}

/* One "key value" line of a rule. */
static void
parser_key(struct parser *p, struct ruleset *rs, const char *key,
    size_t klen, const char *val, size_t vlen, int line, int vcol)
{
	char	 tmp[128];
	size_t	 i;

	p->cont = NULL;
#define KEY(k)	(klen == strlen(k) && memcmp(key, k, klen) == 0)
	if (KEY("rule")) {
		parser_finish_rule(p, rs);
		p->in_rule = true;
		p->r.id = xstrndup(val, vlen);
		p->r.line = line;
		p->r.file = xstrdup(p->name);
		p->r.enabled = true;
		if (!valid_id(p->r.id)) {
			parser_error(p, line, 0, "bad rule id '%s' (letters, "
			    "digits, '_', '.', '-', ':')", p->r.id);
			return;
		}
		for (i = 0; i < p->nids; i++)
			if (strcmp(p->ids[i], p->r.id) == 0) {
				parser_error(p, line, 0, "duplicate rule id "
				    "'%s' (first at line %d)", p->r.id,
				    p->id_lines[i]);
				return;
			}
		p->ids = xgrow(p->ids, &p->cap_ids, p->nids + 1,
		    sizeof(*p->ids));
		p->id_lines = xgrow(p->id_lines, &p->cap_lines, p->nids + 1,
		    sizeof(*p->id_lines));
		p->ids[p->nids] = xstrdup(p->r.id);
		p->id_lines[p->nids++] = line;
		return;
	}
	if (!p->in_rule) {
		parser_error(p, line, 0, "'%.*s' outside a rule (start one "
		    "with: rule ID)", (int)klen, key);
		p->bad = false;
		return;
	}
	if (vlen == 0) {
		parser_error(p, line, 0, "'%.*s' needs a value", (int)klen,
		    key);
		return;
	}
	if (KEY("kind")) {
		snprintf(tmp, sizeof(tmp), "%.*s", (int)vlen, val);
		p->have_kind = true;	/* a bad one is reported once */
		if ((p->r.kind = rule_kind(tmp)) == NULL) {
			parser_error(p, line, vcol, "unknown kind '%s'", tmp);
			return;
		}
	} else if (KEY("severity")) {
		snprintf(tmp, sizeof(tmp), "%.*s", (int)vlen, val);
		if (!severity_parse(tmp, &p->r.severity)) {
			parser_error(p, line, vcol, "unknown severity '%s' "
			    "(info, warning, error, critical)", tmp);
			return;
		}
		p->have_severity = true;
	} else if (KEY("title")) {
		if (vlen > RULESET_TITLE_MAX) {
			parser_error(p, line, vcol, "title longer than %d "
			    "bytes", RULESET_TITLE_MAX);
			return;
		}
		free(p->r.title);
		p->r.title = xstrndup(val, vlen);
	} else if (KEY("logger")) {
		strv_add(&p->r.loggers, &p->r.nloggers, val, vlen);
	} else if (KEY("level")) {
		strv_add(&p->r.levels, &p->r.nlevels, val, vlen);
	} else if (KEY("needle")) {
		strv_add(&p->r.needles, &p->r.nneedles, val, vlen);
	} else if (KEY("pattern")) {
		if (p->pattern.used) {
			parser_error(p, line, 0, "second pattern in rule '%s' "
			    "(continue a long one on lines that start with a "
			    "space)", p->r.id);
			return;
		}
		pending_add(&p->pattern, val, vlen, line, vcol);
		p->cont = &p->pattern;
	} else if (KEY("extract")) {
		struct pending	*pd;
		enum rule_scope	 scope;
		size_t		 w = 0;

		while (w < vlen && val[w] != ' ' && val[w] != '\t')
			w++;
		if (w == 6 && memcmp(val, "before", 6) == 0)
			scope = SCOPE_BEFORE;
		else if (w == 5 && memcmp(val, "after", 5) == 0)
			scope = SCOPE_AFTER;
		else if (w == 6 && memcmp(val, "record", 6) == 0)
			scope = SCOPE_RECORD;
		else {
			parser_error(p, line, vcol, "extract needs a scope "
			    "first: before, after or record");
			return;
		}
		while (w < vlen && (val[w] == ' ' || val[w] == '\t'))
			w++;
		if (w == vlen) {
			parser_error(p, line, 0, "extract needs a pattern");
			return;
		}
		p->extracts = xgrow(p->extracts, &p->cap_extracts,
		    p->nextracts + 1, sizeof(*p->extracts));
		pd = &p->extracts[p->nextracts++];
		memset(pd, 0, sizeof(*pd));
		pd->scope = scope;
		pending_add(pd, val + w, vlen - w, line, vcol + (int)w);
		p->cont = pd;
	} else if (KEY("matches")) {
		if (vlen == 3 && memcmp(val, "all", 3) == 0)
			p->r.all = true;
		else if (vlen == 5 && memcmp(val, "first", 5) == 0)
			p->r.all = false;
		else
			parser_error(p, line, vcol, "matches is 'first' or "
			    "'all'");
	} else if (KEY("enabled")) {
		p->r.set_enabled = true;
		if (vlen == 3 && memcmp(val, "yes", 3) == 0)
			p->r.enabled = true;
		else if (vlen == 2 && memcmp(val, "no", 2) == 0)
			p->r.enabled = false;
		else
			parser_error(p, line, vcol, "enabled is 'yes' or "
			    "'no'");
	} else {
		parser_error(p, line, 1, "unknown key '%.*s' (rule, kind, "
		    "severity, title, logger, level, needle, pattern, "
		    "extract, matches, enabled)", (int)klen, key);
	}
#undef KEY
}

size_t
ruleset_parse(struct ruleset *rs, const char *name, const char *text,
    size_t n, struct rule_diag *d)
{
	struct parser	 p;
	const char	*s = text, *end = text + n, *nl, *e;
	int		 line = 0;
	size_t		 i, errors;

	if (n > RULESET_MAX_FILE) {
		diag_add(d, "%s: larger than %d bytes: not a rules file",
		    name, RULESET_MAX_FILE);
		return 1;
	}
	memset(&p, 0, sizeof(p));
	p.name = name;
	p.d = d;
	for (; s < end; s = nl + 1) {
		const char	*k, *ke, *v;
		size_t		 len;

		line++;
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL)
			nl = end;
		len = (size_t)(nl - s);
		while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' ' ||
		    s[len - 1] == '\t'))
			len--;
		e = s + len;
		if (len > 0 && memchr(s, '\0', len) != NULL) {
			parser_error(&p, line, 0, "NUL byte in a rules file");
			continue;
		}
		k = s;
		while (k < e && (*k == ' ' || *k == '\t'))
			k++;
		if (k == e) {		/* blank: ends a continuation */
			p.cont = NULL;
			continue;
		}
		if (k == s && *k == '#')
			continue;
		if (k > s) {		/* continuation line */
			if (p.cont == NULL) {
				if (*k == '#')
					continue;
				parser_error(&p, line, (int)(k - s) + 1,
				    "indented line continues nothing (only "
				    "pattern and extract continue)");
				continue;
			}
			pending_add(p.cont, k, (size_t)(e - k), line,
			    (int)(k - s) + 1);
			continue;
		}
		ke = k;
		while (ke < e && *ke != ' ' && *ke != '\t')
			ke++;
		v = ke;
		while (v < e && (*v == ' ' || *v == '\t'))
			v++;
		parser_key(&p, rs, k, (size_t)(ke - k), v, (size_t)(e - v),
		    line, (int)(v - s) + 1);
	}
	parser_finish_rule(&p, rs);
	pending_release(&p.pattern);
	free(p.extracts);
	for (i = 0; i < p.nids; i++)
		free(p.ids[i]);
	free(p.ids);
	free(p.id_lines);
	errors = p.errors;
	return errors;
}

size_t
ruleset_load(struct ruleset *rs, const char *path, struct rule_diag *d)
{
	FILE	*f = NULL;
	char	*text = NULL;
	size_t	 n = 0, cap = 0, got, errors = 1;

	if ((f = fopen(path, "rb")) == NULL) {
		diag_add(d, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		text = xgrow(text, &cap, n + 65536, 1);
		got = fread(text + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
		if (n > RULESET_MAX_FILE) {
			diag_add(d, "%s: larger than %d bytes: not a rules "
			    "file", path, RULESET_MAX_FILE);
			goto out;
		}
	}
	if (ferror(f)) {
		diag_add(d, "%s: %s", path, strerror(errno));
		goto out;
	}
	errors = ruleset_parse(rs, path, text, n, d);
out:
	if (f != NULL)
		fclose(f);
	free(text);
	return errors;
}
