/*
 * prefix: the per-line prefixes a runtime, a log collector or a handler
 * puts before every line a program wrote: syslog ("Nov 24 18:01:22 host
 * app[1]: ", RFC 3164 and 5424 on the wire), journald short-iso, Heroku's
 * "TIME app[web.1]: ", docker-compose "app_1  | ", CRI "TIME stdout F ",
 * pm2's "2|app  | ", "stderr: ", a CI runner's or "docker logs -t"'s
 * time, one blank, and RichHandler's time and level columns. It tells
 * their lengths and the time, pid or level they carry, and votes for one
 * from a file's first lines; what follows a prefix is the business of
 * layout and its inner readers.
 */
#include "ingest/prefix.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ingest/timestamp.h"

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

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

/* The end of a name column's "  | " at s[i], the blank after the bar
 * included; 0 when s[i] starts no such bar. */
static size_t
bar_end(const char *s, size_t n, size_t i)
{
	while (i < n && s[i] == ' ')
		i++;
	if (i >= n || s[i] != '|')
		return 0;
	i++;
	if (i < n && s[i] == ' ')
		i++;
	return i;
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
	return bar_end(s, n, i);
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

/* A RichHandler header's columns (its level into rec), or the padding
 * under them of a line that goes on with a record. */
static size_t
prefix_rich(size_t width, const char *s, size_t n, struct record *rec)
{
	int64_t		ts;
	struct span	lv;
	size_t		w, i;

	if (rich_head(s, n, &ts, &lv, &w) && w == width) {
		rec->level = lv;
		rec->ts_us = ts;
		return w;
	}
	for (i = 0; i < n && i < width && s[i] == ' '; i++)
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
	return bar_end(s, n, i);
}

bool
prefix_partial(enum prefix p, const char *line, size_t n)
{
	int64_t	ts;
	size_t	k;

	if (p != PREFIX_CRI && p != PREFIX_CONTAINER)
		return false;
	k = prefix_cri(line, n, &ts);
	/* "... stdout P " (or "P" ending the line): the tag before k */
	return k >= 2 && (line[k - 1] == 'P' || (line[k - 1] == ' ' &&
	    line[k - 2] == 'P'));
}

size_t
prefix_rich_keep(const char *line, size_t n, bool first)
{
	size_t	k;

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
prefix_strip(enum prefix p, size_t rich_w, const char *line, size_t n,
    struct record *rec)
{
	int64_t	ts, pid;
	size_t	k;

	switch (p) {
	case PREFIX_NONE:
		return 0;
	case PREFIX_SYSLOG:
		k = prefix_syslog(line, n, &ts, &pid);
		if (k > 0) {
			rec->ts_us = ts;
			rec->pid = pid;
		}
		return k;
	case PREFIX_COMPOSE:
		return prefix_compose(line, n);
	case PREFIX_CRI:
		k = prefix_cri(line, n, &ts);
		if (k > 0)
			rec->ts_us = ts;
		return k;
	case PREFIX_CONTAINER:
		k = prefix_cri(line, n, &ts);
		if (k > 0) {
			rec->ts_us = ts;
			return k;
		}
		k = prefix_compose(line, n);
		return k > 0 ? k : prefix_stream(line, n);
	case PREFIX_INDENT:
		return prefix_indent(line, n);
	case PREFIX_STREAM:
		return prefix_stream(line, n);
	case PREFIX_TSTAMP:
		k = prefix_tstamp(line, n, &ts);
		if (k > 0)
			rec->ts_us = ts;
		return k;
	case PREFIX_RICH:
		return prefix_rich(rich_w, line, n, rec);
	}
	return 0;
}

void
prefix_vote(struct prefix_votes *v, const char *s, size_t n)
{
	int64_t		ts, pid;
	size_t		k;
	struct span	lv;

	v->lines++;
	if (prefix_cri(s, n, &ts) > 0)
		v->cri++;
	else if (prefix_compose(s, n) > 0)
		v->compose++;
	else if (prefix_stream(s, n) > 0)
		v->stream++;
	if ((k = prefix_tstamp(s, n, &ts)) > 0) {
		v->tstamp++;
		/* a traceback line behind the time: a prefix, not a layout's
		 * own time */
		v->tstamp_cont += k == n || s[k] == ' ' ||
		    (n - k >= 9 && memcmp(s + k, "Traceback", 9) == 0);
	}
	if (rich_head(s, n, &ts, &lv, &k)) {
		v->rich++;
		if (s[0] == '[') {
			v->rich_timed++;
			v->rich_w = k;
		}
	}
	if (s[0] == ' ') {
		v->indent++;
		v->indent1 += n > 1 && s[1] != ' ';
	}
	if (prefix_syslog(s, n, &ts, &pid) > 0) {
		v->syslog++;
		v->syslog_iso += is_digit(s[0]);
	}
}

enum prefix
prefix_choose(const struct prefix_votes *v, size_t fields)
{
	size_t	n = v->lines;

	if (v->rich_timed > 0 && v->rich >= 2)
		return PREFIX_RICH;
	if (n == 0)
		return PREFIX_NONE;
	if (v->cri * 2 >= n)
		return PREFIX_CRI;
	if (v->compose * 2 >= n)
		return PREFIX_COMPOSE;
	if (v->stream * 2 >= n)
		return PREFIX_STREAM;
	if (v->tstamp * 10 >= n * 9 && v->tstamp_cont > 0)
		return PREFIX_TSTAMP;
	if (v->indent * 20 >= n * 19 && v->indent1 * 5 >= n)
		return PREFIX_INDENT;
	/* a time and "host app[pid]: " unless a logging layout reads the
	 * same lines better */
	if (v->syslog * 2 >= n && v->syslog > 0 && fields < v->syslog)
		return PREFIX_SYSLOG;
	return PREFIX_NONE;
}
