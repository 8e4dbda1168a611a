/*
 * filter: what the user typed on the command line, as SQL. Times are
 * parsed here (durations by common/duration); names, kinds and times reach SQLite only as
 * bound parameters, so no log text or argument is ever SQL. Which columns
 * a command filters on is the command's choice (struct filter_cols).
 */
#include "query/filter.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/duration.h"
#include "common/record.h"

#define US_PER_S	INT64_C(1000000)

static const char time_help[] = "use 2026-11-24 18:01:22, "
    "2026-11-24T18:01:22Z, 18:01, or now minus 90s, 30m, 2h, 7d";

/* Exactly n digits at *p, advancing it; -1 when they are not there. */
static int
filter_digits(const char **p, int n)
{
	int	v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (*(*p)++ - '0');
	}
	return v;
}

/* HH:MM[:SS[(.|,)frac]] at *p into tm and *frac_us; false if not. */
static bool
filter_clock(const char **p, struct tm *tm, int64_t *frac_us)
{
	int64_t	scale = 100000;

	*frac_us = 0;
	if ((tm->tm_hour = filter_digits(p, 2)) < 0 || *(*p)++ != ':' ||
	    (tm->tm_min = filter_digits(p, 2)) < 0)
		return false;
	tm->tm_sec = 0;
	if (**p == ':') {
		(*p)++;
		if ((tm->tm_sec = filter_digits(p, 2)) < 0)
			return false;
		if ((**p == '.' || **p == ',') &&
		    isdigit((unsigned char)(*p)[1])) {
			(*p)++;
			while (isdigit((unsigned char)**p)) {
				*frac_us += (**p - '0') * scale;
				scale /= 10;
				(*p)++;
			}
		}
	}
	return tm->tm_hour < 24 && tm->tm_min < 60 && tm->tm_sec <= 60;
}

/* An optional zone at p: nothing (*has false), " "?, Z, UTC, +HH,
 * +HHMM, +HH:MM. The offset east of UTC in seconds; false if p holds
 * anything else. */
static bool
filter_zone(const char *p, bool *has, long *off_s)
{
	int	sign, h, m = 0;
	bool	space = false;

	*has = false;
	*off_s = 0;
	if (*p == ' ') {
		p++;
		space = true;
	}
	if (*p == '\0')
		return !space;
	*has = true;
	if (strcmp(p, "Z") == 0 || strcmp(p, "z") == 0 ||
	    strcmp(p, "UTC") == 0)
		return true;
	if (*p != '+' && *p != '-')
		return false;
	sign = *p++ == '-' ? -1 : 1;
	if ((h = filter_digits(&p, 2)) < 0)
		return false;
	if (*p == ':')
		p++;
	if (*p != '\0' && (m = filter_digits(&p, 2)) < 0)
		return false;
	if (*p != '\0' || h > 23 || m > 59)
		return false;
	*off_s = sign * (h * 3600L + m * 60L);
	return true;
}

/* Seconds since the epoch of the broken-down time tm, in UTC shifted by
 * off_s when has_zone, else in the local zone; -1 when tm names no day
 * that exists (2026-02-30). */
static bool
filter_mktime(struct tm *tm, bool has_zone, long off_s, time_t *t)
{
	struct tm	chk;
	int		mday = tm->tm_mday, mon = tm->tm_mon;

	tm->tm_isdst = -1;
	if (has_zone) {
		*t = timegm(tm);
		if (*t == (time_t)-1 && tm->tm_year != 69)
			return false;
		if (gmtime_r(t, &chk) == NULL || chk.tm_mday != mday ||
		    chk.tm_mon != mon)
			return false;
		*t -= off_s;
		return true;
	}
	chk = *tm;
	*t = mktime(&chk);
	return chk.tm_mday == mday && chk.tm_mon == mon;
}

int
filter_time_parse(const char *s, int64_t now_us, int64_t *us, struct err *e)
{
	return filter_time_parse_zone(s, now_us, true, us, e);
}

int
filter_time_parse_zone(const char *s, int64_t now_us, bool local,
    int64_t *us, struct err *e)
{
	struct tm	 tm;
	const char	*p = s;
	int64_t		 rel, frac_us = 0;
	time_t		 t, now_s = (time_t)(now_us / US_PER_S);
	long		 off_s;
	bool		 has_zone;

	memset(&tm, 0, sizeof(tm));
	if (strcmp(s, "now") == 0) {
		*us = now_us;
		return 0;
	}
	if (duration_read(s, 0, &rel)) {
		*us = now_us - rel;
		return 0;
	}
	if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    s[2] == ':') {
		/* a time of day: today's, or yesterday's if still ahead */
		if (!filter_clock(&p, &tm, &frac_us) ||
		    !filter_zone(p, &has_zone, &off_s))
			goto bad;
		has_zone = has_zone || !local;
		t = now_s + (has_zone ? off_s : 0);
		if (has_zone ? gmtime_r(&t, &tm) == NULL :
		    localtime_r(&now_s, &tm) == NULL)
			goto bad;
		p = s;
		if (!filter_clock(&p, &tm, &frac_us) ||
		    !filter_mktime(&tm, has_zone, off_s, &t))
			goto bad;
		if ((int64_t)t * US_PER_S + frac_us > now_us) {
			tm.tm_mday--;
			if (has_zone)
				t = timegm(&tm) - off_s;
			else {
				tm.tm_isdst = -1;
				t = mktime(&tm);
			}
		}
		*us = (int64_t)t * US_PER_S + frac_us;
		return 0;
	}
	if ((tm.tm_year = filter_digits(&p, 4)) < 0 || *p++ != '-' ||
	    (tm.tm_mon = filter_digits(&p, 2)) < 1 || *p++ != '-' ||
	    (tm.tm_mday = filter_digits(&p, 2)) < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday > 31 || tm.tm_year < 1900)
		goto bad;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	if ((*p == ' ' || *p == 'T' || *p == 't') &&
	    isdigit((unsigned char)p[1])) {
		p++;
		if (!filter_clock(&p, &tm, &frac_us))
			goto bad;
	}
	if (!filter_zone(p, &has_zone, &off_s) ||
	    !filter_mktime(&tm, has_zone || !local, off_s, &t))
		goto bad;
	*us = (int64_t)t * US_PER_S + frac_us;
	return 0;
bad:
	return err_set(e, STATUS_USAGE, "\"%s\": not a time (%s)", s,
	    time_help);
}

void
filter_sql_init(struct filter_sql *q)
{
	memset(q, 0, sizeof(*q));
	buf_init(&q->text, 1 << 16);
}

void
filter_sql_release(struct filter_sql *q)
{
	buf_release(&q->text);
}

void
filter_sql_add(struct filter_sql *q, const char *sql)
{
	buf_adds(&q->text, sql);
}

void
filter_sql_ref(struct filter_sql *q, int n)
{
	buf_printf(&q->text, "?%d", n);
}

static int
filter_sql_bind(struct filter_sql *q, bool is_text, int64_t i, const char *s,
    int n)
{
	if (q->nbinds == FILTER_MAXBINDS) {
		q->overflow = true;
		buf_adds(&q->text, "NULL");
		return 1;
	}
	q->binds[q->nbinds].is_text = is_text;
	q->binds[q->nbinds].i = i;
	q->binds[q->nbinds].s = s;
	q->binds[q->nbinds].n = n;
	q->nbinds++;
	filter_sql_ref(q, q->nbinds);
	return q->nbinds;
}

int
filter_sql_text(struct filter_sql *q, const char *s)
{
	return filter_sql_bind(q, true, 0, s, -1);
}

int
filter_sql_int(struct filter_sql *q, int64_t i)
{
	return filter_sql_bind(q, false, i, NULL, 0);
}

int
filter_sql_prepare(struct filter_sql *q, sqlite3 *db, const char *path,
    sqlite3_stmt **st, struct err *e)
{
	int	i, rc;

	*st = NULL;
	if (q->overflow || q->text.capped)
		return err_set(e, STATUS_USAGE, "too many filter values");
	if (sqlite3_prepare_v2(db, q->text.data, -1, st, NULL) != SQLITE_OK)
		return err_set(e, STATUS_DB, "%s: %s", path,
		    sqlite3_errmsg(db));
	for (i = 0; i < q->nbinds; i++) {
		if (q->binds[i].is_text)
			rc = sqlite3_bind_text(*st, i + 1, q->binds[i].s,
			    q->binds[i].n, SQLITE_TRANSIENT);
		else
			rc = sqlite3_bind_int64(*st, i + 1, q->binds[i].i);
		if (rc != SQLITE_OK) {
			err_set(e, STATUS_DB, "%s: bind: %s", path,
			    sqlite3_errmsg(db));
			sqlite3_finalize(*st);
			*st = NULL;
			return -1;
		}
	}
	return 0;
}

void
filter_init(struct filter *f)
{
	memset(f, 0, sizeof(*f));
	f->since_us = TS_NONE;
	f->until_us = TS_NONE;
	f->incident = -1;
}

static bool
filter_is_glob(const char *v)
{
	return strpbrk(v, "*?[") != NULL;
}

void
filter_match(struct filter_sql *q, const char *col, const char *v)
{
	filter_sql_add(q, col);
	filter_sql_add(q, filter_is_glob(v) ? " GLOB " : " = ");
	filter_sql_text(q, v);
}

/* A source path or set matches v whole, or by its tail after a '/'. */
static void
filter_source(struct filter_sql *q, const struct filter_cols *c,
    const char *v)
{
	const char	*cols[2] = { c->path, c->set_path };
	int		 n = 0, i;
	bool		 first = true;

	filter_sql_add(q, " AND (");
	for (i = 0; i < 2; i++) {
		if (cols[i] == NULL)
			continue;
		if (!first)
			filter_sql_add(q, " OR ");
		first = false;
		if (filter_is_glob(v)) {
			filter_sql_add(q, cols[i]);
			filter_sql_add(q, " GLOB ");
			n = n ? (filter_sql_ref(q, n), n) : filter_sql_text(q,
			    v);
			filter_sql_add(q, " OR ");
			filter_sql_add(q, cols[i]);
			filter_sql_add(q, " GLOB '*/' || ");
			filter_sql_ref(q, n);
			continue;
		}
		filter_sql_add(q, cols[i]);
		filter_sql_add(q, " = ");
		n = n ? (filter_sql_ref(q, n), n) : filter_sql_text(q, v);
		filter_sql_add(q, " OR substr(");
		filter_sql_add(q, cols[i]);
		filter_sql_add(q, ", -(length(");
		filter_sql_ref(q, n);
		filter_sql_add(q, ") + 1)) = '/' || ");
		filter_sql_ref(q, n);
	}
	filter_sql_add(q, ")");
}

/* kind = a OR kind = b ... from "a,b", or a match in a list column. */
static void
filter_kinds(struct filter_sql *q, const struct filter_cols *c,
    const char *list)
{
	const char	*p = list, *comma;
	size_t		 n;
	bool		 first = true;

	filter_sql_add(q, " AND (");
	for (;;) {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n > 0) {
			if (!first)
				filter_sql_add(q, " OR ");
			first = false;
			if (c->kind != NULL) {
				filter_sql_add(q, c->kind);
				filter_sql_add(q, " = ");
			} else {
				filter_sql_add(q, "instr(' ' || replace(");
				filter_sql_add(q, c->kinds);
				filter_sql_add(q, ", ',', ' ') || ' ', "
				    "' ' || ");
			}
			filter_sql_bind(q, true, 0, p, (int)n);
			if (c->kind == NULL)
				filter_sql_add(q, " || ' ') > 0");
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	if (first)
		filter_sql_add(q, "0");
	filter_sql_add(q, ")");
}

/* " AND col OP t", or with c->found, " AND (col OP t OR (c->ts IS NULL
 * AND the time c->found (a fleet id) was stored OP t))": a row with no
 * time by when it was stored. */
static void
filter_time(struct filter_sql *q, const struct filter_cols *c,
    const char *col, const char *op, int64_t t)
{
	int	n;

	filter_sql_add(q, c->found ? " AND (" : " AND ");
	filter_sql_add(q, col);
	filter_sql_add(q, op);
	n = filter_sql_int(q, t);
	if (c->found == NULL)
		return;
	/* each side of the OR on an index of its own */
	filter_sql_add(q, " OR (");
	filter_sql_add(q, c->ts);
	filter_sql_add(q, " IS NULL AND ");
	filter_sql_add(q, c->found);
	filter_sql_add(q, " IN (SELECT fid FROM found WHERE found_us");
	filter_sql_add(q, op);
	filter_sql_ref(q, n);
	filter_sql_add(q, ")))");
}

void
filter_where(const struct filter *f, const struct filter_cols *c,
    struct filter_sql *q)
{
	const char	*end = c->ts_end ? c->ts_end : c->ts;

	if (c->ts != NULL && f->since_us != TS_NONE)
		filter_time(q, c, end, " >= ", f->since_us);
	if (c->ts != NULL && f->until_us != TS_NONE)
		filter_time(q, c, c->ts, " < ", f->until_us);
	if (f->kind != NULL && (c->kind != NULL || c->kinds != NULL))
		filter_kinds(q, c, f->kind);
	if (f->severity > 0 && c->severity != NULL) {
		filter_sql_add(q, " AND ");
		filter_sql_add(q, c->severity);
		filter_sql_add(q, " >= ");
		filter_sql_int(q, f->severity);
	}
	if (f->task != NULL && c->task != NULL) {
		filter_sql_add(q, " AND ");
		filter_match(q, c->task, f->task);
	}
	if (f->coro != NULL && c->coro != NULL) {
		filter_sql_add(q, " AND ");
		filter_match(q, c->coro, f->coro);
	}
	if (f->exception != NULL && c->exception != NULL) {
		filter_sql_add(q, " AND ");
		filter_match(q, c->exception, f->exception);
	}
	if (f->source != NULL && (c->path != NULL || c->set_path != NULL))
		filter_source(q, c, f->source);
	if (f->incident >= 0 && c->incident != NULL) {
		filter_sql_add(q, " AND ");
		filter_sql_add(q, c->incident);
		filter_sql_add(q, " = ");
		filter_sql_int(q, f->incident);
	}
}
