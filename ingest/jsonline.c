/*
 * jsonline: records written one JSON object per line (python-json-logger,
 * structlog's JSONRenderer, ECS and GCP formatters), or as key=value
 * pairs (structlog's KeyValueRenderer, logfmt). A small scanner reads the
 * top-level members and keeps the ones a record has fields for, under the
 * names those libraries use; string values are decoded only for the
 * message. Which lines are JSON at all is layout's business.
 */
#include "ingest/jsonline.h"

#include <stdint.h>
#include <string.h>

#include "ingest/field.h"
#include "ingest/timestamp.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

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

/* The most exception fields of one line whose text joins the message;
 * the rest are left out of it (the record's text keeps them). */
#define JSON_EXC_MAX	5

/* The known members of one line. */
struct members {
	struct jvalue	 f[JF_NONE];	/* the best-ranked value per field */
	struct jvalue	 exc[JSON_EXC_MAX];	/* exception fields, in order */
	size_t		 nexc;
};

static void
members_clear(struct members *m)
{
	size_t	i;

	for (i = 0; i < JF_NONE; i++)
		m->f[i].key = -1;
	m->nexc = 0;
}

/* Keep the value v[0..end) of key ki (-1: not a known key): an exception
 * field in order, another field when it ranks above what m holds. */
static void
members_keep(struct members *m, int ki, const char *v, const char *end)
{
	struct jvalue	*to;
	enum jfield	 fd;

	if (ki < 0)
		return;
	fd = json_keys[ki].field;
	if (fd == JF_EXC) {
		if (m->nexc >= JSON_EXC_MAX)
			return;
		to = &m->exc[m->nexc++];
	} else if (m->f[fd].key == -1 || ki < m->f[fd].key) {
		to = &m->f[fd];
	} else {
		return;
	}
	to->key = ki;
	to->raw.p = v;
	to->raw.n = (size_t)(end - v);
}

/* Walk the top-level members of the object at line; for each known key
 * keep the best-ranked value per field (excs: every one, up to
 * JSON_EXC_MAX). */
static bool
json_members(const char *line, size_t n, struct members *m)
{
	const char	*p = line, *end = line + n, *k, *v;
	int		 ki;

	members_clear(m);
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
		members_keep(m, ki, v, p);
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
kv_members(const char *line, size_t n, struct members *m)
{
	const char	*p = line, *end = line + n, *k, *v;
	int		 ki;
	char		 q;

	members_clear(m);
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
		members_keep(m, ki, v, p);
	}
	return m->f[JF_LEVEL].key >= 0 || m->f[JF_MSG].key >= 0;
}

/* The members of a JSON object or a key=value line. */
static bool
line_members(const char *line, size_t n, struct members *m)
{
	if (n == 0)
		return false;
	if (line[0] == '{')
		return json_members(line, n, m);
	if (!is_key_char(line[0]) || memchr(line, '=', n < 32 ? n : 32) ==
	    NULL)
		return false;
	return kv_members(line, n, m);
}

bool
jsonline_parse(const char *line, size_t n, struct record *rec)
{
	struct members	 m;
	const struct jvalue *f = m.f;
	struct span	 s;
	size_t		 used;

	if (!line_members(line, n, &m))
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
		rec->task = field_task(json_inner(f[JF_TASK].raw));
	if (f[JF_PID].key >= 0)
		rec->pid = field_pid(json_inner(f[JF_PID].raw));
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
jsonline_message(const char *line, size_t n, struct buf *out)
{
	struct members	m;
	size_t		i;

	if (!line_members(line, n, &m) || m.f[JF_MSG].key < 0) {
		buf_add(out, line, n);
		return;
	}
	json_decode(m.f[JF_MSG].raw, out);
	for (i = 0; i < m.nexc; i++) {
		if (json_is_blank(m.exc[i].raw))
			continue;
		buf_addc(out, '\n');
		json_decode(m.exc[i].raw, out);
	}
}

