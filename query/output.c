/*
 * output: the rows of a query as a person or a program wants them. A
 * table is aligned to the widest cells of its first rows and shrunk to
 * the terminal, long cells cut with an ellipsis; JSON, NDJSON and CSV
 * follow their specifications whatever bytes the log held. Which rows to
 * write is the commands' business.
 */
#include "query/output.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "common/escape.h"
#include "common/severity.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"

#define TABLE_SAMPLE	200	/* rows measured before the table starts */
#define TABLE_MINW	8	/* a column is never shrunk below this */
#define TABLE_GAP	2	/* spaces between columns */
#define TABLE_LAST_BONUS 30	/* the last column shrinks this much later */
#define TABLE_LAST_FIRST 48	/* ... once it is this narrow */
#define TABLE_STREAM_W	16	/* a stream's text columns start this wide */

struct cell {
	char	*s;		/* escaped display text */
	size_t	 w;		/* its display width */
	int	 sev;		/* severity to colour it by, or 0 */
};

struct output {
	FILE			*f;
	enum output_format	 fmt;
	const struct output_col	*cols;
	size_t			 ncols;
	int			 flags;
	int			 width;
	size_t			 nrows;
	/* table: the rows held until the widths are known */
	struct cell		*held;
	size_t			 nheld;
	size_t			*w;		/* column widths, once fixed */
	bool			*hidden;	/* columns left out to fit */
	char			**titles;	/* table headers, zone named */
	char			 zone[16];	/* of the first time shown */
	bool			 short_time;	/* times to the second */
	bool			 started;
};

bool
output_format_parse(const char *s, enum output_format *fmt)
{
	static const char *const names[] = { "table", "json", "ndjson",
	    "csv" };
	size_t	i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*fmt = (enum output_format)i;
			return true;
		}
	return false;
}

int
output_term_width(FILE *f)
{
	struct winsize	 ws;
	const char	*env;
	long		 v;

	if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col > 0)
		return ws.ws_col;
	env = getenv("COLUMNS");
	if (env != NULL && (v = strtol(env, NULL, 10)) > 0 && v < 100000)
		return (int)v;
	return 0;
}

bool
output_color(FILE *f, const char *when)
{
	const char	*env;

	if (when != NULL && strcmp(when, "always") == 0)
		return true;
	if (when != NULL && strcmp(when, "never") == 0)
		return false;
	if ((env = getenv("NO_COLOR")) != NULL && *env != '\0')
		return false;
	if ((env = getenv("TERM")) != NULL && strcmp(env, "dumb") == 0)
		return false;
	return isatty(fileno(f));
}

char *
output_seconds(int64_t us, char out[32])
{
	uint64_t	a = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	size_t		n;

	n = (size_t)snprintf(out, 32, "%s%llu.%06llu", us < 0 ? "-" : "",
	    (unsigned long long)(a / 1000000),
	    (unsigned long long)(a % 1000000));
	while (n > 0 && out[n - 1] == '0' && out[n - 2] != '.')
		out[--n] = '\0';
	return out;
}

char *
output_seconds_ms(int64_t us, char out[32])
{
	snprintf(out, 32, "%.3f", (double)us / 1e6);
	return out;
}

char *
output_time(int64_t us, bool local, char out[40])
{
	struct tm	tm;
	time_t		t;
	int64_t		ms;

	ms = us % 1000000;
	t = (time_t)(us / 1000000);
	if (ms < 0) {
		ms += 1000000;
		t--;
	}
	if ((local ? localtime_r(&t, &tm) : gmtime_r(&t, &tm)) == NULL) {
		snprintf(out, 40, "-");
		return out;
	}
	snprintf(out, 40, "%04d-%02d-%02d %02d:%02d:%02d.%03d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms / 1000));
	return out;
}

char *
output_zone(int64_t us, bool local, char out[16])
{
	struct tm	tm;
	time_t		t = (time_t)(us / 1000000);

	if (!local)
		snprintf(out, 16, "UTC");
	else if (localtime_r(&t, &tm) == NULL ||
	    strftime(out, 16, "%Z", &tm) == 0 || out[0] == '\0')
		snprintf(out, 16, "local");
	return out;
}

size_t
output_width(const char *s, size_t n)
{
	size_t	i, w = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

char *
output_fit(const char *s, size_t n, size_t w)
{
	size_t	i, cols = 0;
	char	*out;

	if (output_width(s, n) <= w)
		return xstrndup(s, n);
	if (w == 0)
		return xstrdup("");
	/* keep w - 1 columns, then the ellipsis */
	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (cols == w - 1)
				break;
			cols++;
		}
	}
	out = xmalloc(i + 4);
	memcpy(out, s, i);
	memcpy(out + i, "\xe2\x80\xa6", 4);
	return out;
}

struct output *
output_new(FILE *f, enum output_format fmt, const struct output_col *cols,
    size_t ncols, int flags, int width)
{
	struct output	*o = xcalloc(1, sizeof(*o));

	o->f = f;
	o->fmt = fmt;
	o->cols = cols;
	o->ncols = ncols;
	o->flags = flags;
	o->width = width;
	o->hidden = xcalloc(ncols ? ncols : 1, sizeof(*o->hidden));
	if (fmt == OUTPUT_TABLE)
		o->held = xcalloc(TABLE_SAMPLE * ncols, sizeof(*o->held));
	return o;
}

/* The last two names of a path: "web/app.log" of "/srv/web/app.log". */
static const char *
output_tail(const char *path)
{
	const char	*p = path + strlen(path);
	int		 slashes = 0;

	while (p > path) {
		if (p[-1] == '/' && ++slashes == 2)
			break;
		p--;
	}
	return p;
}

/* The severity number of a name as the views spell it, or 0. */
static int
output_sev_of(const char *s)
{
	int	sev;

	return s != NULL && severity_parse(s, &sev) ? sev : 0;
}

/* One value of st as a table cell. */
static void
output_cell(struct output *o, sqlite3_stmt *st, int i, struct cell *c)
{
	const struct output_col	*col = &o->cols[i];
	char			*buf = NULL, tmp[40];
	size_t			 len = 0;
	FILE			*m;
	int			 type = sqlite3_column_type(st, i);
	const char		*txt;

	c->sev = 0;
	if (type == SQLITE_NULL) {
		c->s = xstrdup("-");
		c->w = 1;
		return;
	}
	if ((m = open_memstream(&buf, &len)) == NULL) {
		fputs("aiosift: out of memory\n", stderr);
		abort();
	}
	switch (col->type) {
	case OUTPUT_TIME:
		fputs(output_time(sqlite3_column_int64(st, i),
		    o->flags & OUTPUT_LOCAL, tmp), m);
		if (o->zone[0] == '\0')
			output_zone(sqlite3_column_int64(st, i),
			    o->flags & OUTPUT_LOCAL, o->zone);
		break;
	case OUTPUT_SECONDS:
		/* a table shows milliseconds; json and csv keep every digit */
		fprintf(m, "%.3f", (double)sqlite3_column_int64(st, i) / 1e6);
		break;
	case OUTPUT_SEVERITY:
		c->sev = sqlite3_column_int(st, i);
		fputs(severity_name(c->sev), m);
		break;
	case OUTPUT_PATH:
		txt = (const char *)sqlite3_column_text(st, i);
		escape_terminal(m, output_tail(txt ? txt : ""),
		    strlen(output_tail(txt ? txt : "")));
		break;
	default:
		txt = (const char *)sqlite3_column_text(st, i);
		escape_terminal(m, txt ? txt : "",
		    (size_t)sqlite3_column_bytes(st, i));
		if (type == SQLITE_TEXT)
			c->sev = col->type == OUTPUT_TEXT &&
			    strcmp(col->name, "severity") == 0 ?
			    output_sev_of(txt) : 0;
	}
	fclose(m);
	c->s = buf;
	c->w = output_width(buf, len);
}

static void
output_json_value(struct output *o, sqlite3_stmt *st, int i)
{
	const struct output_col	*col = &o->cols[i];
	int			 type = sqlite3_column_type(st, i);
	char			 tmp[TIMEFMT_ISO_LEN];
	double			 d;

	if (type == SQLITE_NULL) {
		fputs(o->fmt == OUTPUT_CSV ? "" : "null", o->f);
		return;
	}
	switch (col->type) {
	case OUTPUT_TIME:
		timefmt_iso(sqlite3_column_int64(st, i), tmp);
		if (o->fmt == OUTPUT_CSV)
			escape_csv(o->f, tmp, strlen(tmp));
		else
			fprintf(o->f, "\"%s\"", tmp);
		return;
	case OUTPUT_SECONDS:
		fputs(output_seconds(sqlite3_column_int64(st, i), tmp), o->f);
		return;
	case OUTPUT_SEVERITY:
		fprintf(o->f, "\"%s\"",
		    severity_name(sqlite3_column_int(st, i)));
		return;
	case OUTPUT_INT:
		if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
			fprintf(o->f, "%lld",
			    (long long)sqlite3_column_int64(st, i));
			return;
		}
		break;
	default:
		break;
	}
	if (col->type != OUTPUT_TEXT && type == SQLITE_INTEGER) {
		fprintf(o->f, "%lld", (long long)sqlite3_column_int64(st, i));
		return;
	}
	if (col->type != OUTPUT_TEXT && type == SQLITE_FLOAT) {
		d = sqlite3_column_double(st, i);
		if (isfinite(d))
			fprintf(o->f, "%.17g", d);
		else
			fputs(o->fmt == OUTPUT_CSV ? "" : "null", o->f);
		return;
	}
	if (o->fmt == OUTPUT_CSV) {
		escape_csv(o->f, (const char *)sqlite3_column_blob(st, i),
		    (size_t)sqlite3_column_bytes(st, i));
		return;
	}
	fputc('"', o->f);
	escape_json(o->f, (const char *)sqlite3_column_blob(st, i),
	    (size_t)sqlite3_column_bytes(st, i));
	fputc('"', o->f);
}

static void
output_object(struct output *o, sqlite3_stmt *st)
{
	size_t	i;

	fputc('{', o->f);
	for (i = 0; i < o->ncols; i++) {
		if (i > 0)
			fputs(", ", o->f);
		escape_json_str(o->f, o->cols[i].name);
		fputs(": ", o->f);
		output_json_value(o, st, (int)i);
	}
	fputc('}', o->f);
}

static bool
output_shown(const struct output *o, size_t i)
{
	return o->cols[i].title != NULL && !o->hidden[i];
}

static bool
output_is_text(const struct output *o, size_t i)
{
	return o->cols[i].type == OUTPUT_TEXT || o->cols[i].type ==
	    OUTPUT_AUTO || o->cols[i].type == OUTPUT_PATH;
}

static const char *
output_title(const struct output *o, size_t i)
{
	return o->titles != NULL && o->titles[i] != NULL ? o->titles[i] :
	    o->cols[i].title;
}

/* How narrow column i may become: its title's width, and with soft the
 * width below which its text stops being readable (by the column's key:
 * a message keeps 30 columns, a kind 13, "never_awaited") or its
 * natural width when less. */
static size_t
output_floor(const struct output *o, size_t i, size_t natural, bool soft)
{
	static const struct {
		const char	*name;
		size_t		 min;
	} mins[] = {
		{ "message", 30 }, { "summary", 30 }, { "text", 30 },
		{ "kind", 15 }, { "kinds", 15 }, { "task", 10 },
		{ "coro", 16 }, { "coros", 16 }, { "exception", 12 },
		{ "source", 16 }, { "location", 16 },
	};
	size_t	tw = output_width(output_title(o, i),
		    strlen(output_title(o, i)));
	size_t	m = TABLE_MINW, k;

	for (k = 0; k < sizeof(mins) / sizeof(mins[0]); k++)
		if (strcmp(o->cols[i].name, mins[k].name) == 0)
			m = mins[k].min;

	if (!soft)
		return tw;
	if (m > natural)
		m = natural;
	return m > tw ? m : tw;
}

/* Narrow the widest column (a text column when text_only) by one column
 * at a time, never below its floor (output_floor(), soft or not), until
 * *total fits the width or none can give way. */
static void
output_shrink(struct output *o, size_t *total, bool text_only, bool soft)
{
	size_t	i, widest, last = o->ncols, wi, ww = 0;
	size_t	*fl = xcalloc(o->ncols, sizeof(*fl));

	for (i = 0; i < o->ncols; i++)
		if (output_shown(o, i)) {
			last = i;
			fl[i] = output_floor(o, i, o->w[i], soft);
		}
	while (o->width > 0 && *total > (size_t)o->width) {
		/* the last column, the message, gives way first down to
		 * TABLE_LAST_FIRST, names keeping whole; below that it
		 * counts as narrower than it is, keeping more of its text
		 * than the names before it */
		widest = o->ncols;
		for (i = 0; i < o->ncols; i++) {
			if (!output_shown(o, i) || (text_only &&
			    !output_is_text(o, i)))
				continue;
			wi = i != last ? o->w[i] : o->w[i] > TABLE_LAST_FIRST ?
			    SIZE_MAX / 2 : o->w[i] > TABLE_LAST_BONUS ?
			    o->w[i] - TABLE_LAST_BONUS : o->w[i];
			if (o->w[i] > fl[i] && (widest == o->ncols ||
			    wi > ww)) {
				widest = i;
				ww = wi;
			}
		}
		if (widest == o->ncols)
			break;
		o->w[widest]--;
		(*total)--;
	}
	free(fl);
}

/* The width of cell c of column i as shown: a time to the second
 * ("2026-11-24 18:01:22") when the milliseconds are left out. */
static size_t
output_cell_w(const struct output *o, size_t i, const struct cell *c)
{
	if (o->short_time && o->cols[i].type == OUTPUT_TIME && c->w == 23)
		return 19;
	return c->w;
}

/* The natural widths of the shown columns, and the table's total. */
static size_t
output_natural(struct output *o)
{
	size_t	i, r, total = 0, nshown = 0;

	for (i = 0; i < o->ncols; i++) {
		o->w[i] = 0;
		if (!output_shown(o, i))
			continue;
		o->w[i] = output_width(output_title(o, i),
		    strlen(output_title(o, i)));
		for (r = 0; r < o->nheld; r++)
			if (output_cell_w(o, i, &o->held[r * o->ncols + i]) >
			    o->w[i])
				o->w[i] = output_cell_w(o, i,
				    &o->held[r * o->ncols + i]);
		total += o->w[i];
		nshown++;
	}
	if (nshown > 1)
		total += TABLE_GAP * (nshown - 1);
	return total;
}

/* Leave out the shown optional column of the highest drop: false when
 * none is left. */
static bool
output_drop_one(struct output *o)
{
	size_t	i, drop = o->ncols;

	for (i = 0; i < o->ncols; i++)
		if (output_shown(o, i) && o->cols[i].drop > 0 &&
		    (drop == o->ncols || o->cols[i].drop > o->cols[drop].drop))
			drop = i;
	if (drop == o->ncols)
		return false;
	o->hidden[drop] = true;
	return true;
}

/* Fix the column widths from the rows held: each column as wide as its
 * widest cell; when the table is too wide, text columns narrow to their
 * floor (output_col.min), then times lose their milliseconds, then the
 * optional columns are left out, lowest priority (highest drop) first,
 * and only then do text columns narrow to their titles' width. Times,
 * numbers and severities are never cut. */
static void
output_widths(struct output *o)
{
	size_t	total;

	o->w = xcalloc(o->ncols, sizeof(*o->w));
	for (;;) {
		total = output_natural(o);
		output_shrink(o, &total, true, true);
		if (o->width <= 0 || total <= (size_t)o->width)
			return;
		if (!o->short_time) {
			o->short_time = true;
			continue;
		}
		if (!output_drop_one(o))
			break;
	}
	output_shrink(o, &total, true, false);
}

/* A stream's rows come one by one, so its widths cannot wait for them:
 * each column as wide as its title and first cell, text columns from
 * TABLE_STREAM_W to twice that, severities as wide as "critical"; then,
 * until the last column (the message) keeps TABLE_STREAM_W * 2, the
 * optional columns are left out (highest drop first) and the widest
 * text columns narrowed. The last column takes the rest of the line
 * (all of it without a width). */
static void
output_stream_widths(struct output *o)
{
	size_t	i, last, total, widest;

	o->w = xcalloc(o->ncols, sizeof(*o->w));
	for (;;) {
		(void)output_natural(o);
		last = o->ncols;
		total = 0;
		for (i = 0; i < o->ncols; i++) {
			if (!output_shown(o, i))
				continue;
			if (output_is_text(o, i) && o->w[i] < TABLE_STREAM_W)
				o->w[i] = TABLE_STREAM_W;
			if (output_is_text(o, i) && o->w[i] > 2 * TABLE_STREAM_W)
				o->w[i] = 2 * TABLE_STREAM_W;
			if (o->cols[i].type == OUTPUT_SEVERITY && o->w[i] < 8)
				o->w[i] = 8;
			if (last != o->ncols)
				total += o->w[last] + TABLE_GAP;
			last = i;
		}
		if (last == o->ncols)
			return;
		if (o->width <= 0) {
			o->w[last] = SIZE_MAX / 4;
			return;
		}
		if (total + 2 * TABLE_STREAM_W <= (size_t)o->width)
			break;
		if (!output_drop_one(o))
			break;
	}
	while (total + 2 * TABLE_STREAM_W > (size_t)o->width) {
		widest = o->ncols;
		for (i = 0; i < last; i++)
			if (output_shown(o, i) && output_is_text(o, i) &&
			    o->w[i] > TABLE_MINW && (widest == o->ncols ||
			    o->w[i] > o->w[widest]))
				widest = i;
		if (widest == o->ncols)
			break;
		o->w[widest]--;
		total--;
	}
	o->w[last] = total + TABLE_MINW < (size_t)o->width ?
	    (size_t)o->width - total : TABLE_MINW;
}

static void
output_colour_on(struct output *o, int sev)
{
	if (!(o->flags & OUTPUT_COLOR) || sev == 0)
		return;
	switch (sev) {
	case SEV_CRITICAL:	fputs("\033[1;31m", o->f); break;
	case SEV_ERROR:		fputs("\033[31m", o->f); break;
	case SEV_WARNING:	fputs("\033[33m", o->f); break;
	default:		fputs("\033[36m", o->f); break;
	}
}

/* One table line of cells; cells are freed. */
static void
output_line(struct output *o, struct cell *cells)
{
	size_t	 i, last = 0, w;
	char	*fit;
	bool	 first = true;

	int	 rowsev = 0;

	for (i = 0; i < o->ncols; i++) {
		if (output_shown(o, i))
			last = i;
		/* the severity left out: the kind takes its colour */
		if (o->cols[i].type == OUTPUT_SEVERITY && o->hidden[i])
			rowsev = cells[i].sev;
	}
	for (i = 0; i < o->ncols; i++) {
		if (!output_shown(o, i)) {
			free(cells[i].s);
			cells[i].s = NULL;
			continue;
		}
		if (!first)
			fprintf(o->f, "%*s", TABLE_GAP, "");
		first = false;
		if (rowsev != 0 && strcmp(o->cols[i].name, "kind") == 0)
			cells[i].sev = rowsev;
		if (o->short_time && o->cols[i].type == OUTPUT_TIME &&
		    cells[i].s != NULL && strlen(cells[i].s) >= 23 &&
		    cells[i].s[19] == '.')
			memmove(cells[i].s + 19, cells[i].s + 23,
			    strlen(cells[i].s + 23) + 1);
		fit = output_fit(cells[i].s, strlen(cells[i].s), o->w[i]);
		w = output_width(fit, strlen(fit));
		output_colour_on(o, cells[i].sev);
		fputs(fit, o->f);
		if ((o->flags & OUTPUT_COLOR) && cells[i].sev != 0)
			fputs("\033[0m", o->f);
		if (i != last && w < o->w[i])
			fprintf(o->f, "%*s", (int)(o->w[i] - w), "");
		free(fit);
		free(cells[i].s);
		cells[i].s = NULL;
	}
	fputc('\n', o->f);
}

/* Widths known: the header and the rows held. */
static void
output_table_start(struct output *o)
{
	struct cell	*hdr = xcalloc(o->ncols, sizeof(*hdr));
	size_t		 i, r, n;

	/* a time column's title names its zone: "TIME UTC" */
	o->titles = xcalloc(o->ncols, sizeof(*o->titles));
	if (o->zone[0] == '\0')
		output_zone(timefmt_now_us(), o->flags & OUTPUT_LOCAL, o->zone);
	for (i = 0; i < o->ncols; i++)
		if (o->cols[i].title != NULL &&
		    o->cols[i].type == OUTPUT_TIME) {
			n = strlen(o->cols[i].title) + strlen(o->zone) + 2;
			o->titles[i] = xmalloc(n);
			snprintf(o->titles[i], n, "%s %s", o->cols[i].title,
			    o->zone);
		}
	if (o->flags & OUTPUT_STREAM)
		output_stream_widths(o);
	else
		output_widths(o);
	for (i = 0; i < o->ncols; i++)
		if (output_shown(o, i)) {
			hdr[i].s = xstrdup(output_title(o, i));
			hdr[i].w = strlen(hdr[i].s);
		}
	output_line(o, hdr);
	free(hdr);
	for (r = 0; r < o->nheld; r++)
		output_line(o, &o->held[r * o->ncols]);
	o->nheld = 0;
	o->started = true;
}

static void
output_csv_header(struct output *o)
{
	size_t	i;

	for (i = 0; i < o->ncols; i++) {
		if (i > 0)
			fputc(',', o->f);
		escape_csv(o->f, o->cols[i].name, strlen(o->cols[i].name));
	}
	fputs("\r\n", o->f);
}

void
output_row(struct output *o, sqlite3_stmt *st)
{
	struct cell	*cells;
	size_t		 i;

	switch (o->fmt) {
	case OUTPUT_JSON:
		fputs(o->nrows == 0 ? "[\n" : ",\n", o->f);
		output_object(o, st);
		break;
	case OUTPUT_NDJSON:
		output_object(o, st);
		fputc('\n', o->f);
		break;
	case OUTPUT_CSV:
		if (o->nrows == 0)
			output_csv_header(o);
		for (i = 0; i < o->ncols; i++) {
			if (i > 0)
				fputc(',', o->f);
			output_json_value(o, st, (int)i);
		}
		fputs("\r\n", o->f);
		break;
	case OUTPUT_TABLE:
		if (o->started) {
			cells = xcalloc(o->ncols, sizeof(*cells));
			for (i = 0; i < o->ncols; i++)
				if (output_shown(o, i))
					output_cell(o, st, (int)i, &cells[i]);
			output_line(o, cells);
			free(cells);
			break;
		}
		cells = &o->held[o->nheld * o->ncols];
		for (i = 0; i < o->ncols; i++)
			if (output_shown(o, i) || (o->cols[i].title !=
			    NULL && o->cols[i].type == OUTPUT_SEVERITY))
				output_cell(o, st, (int)i, &cells[i]);
		if (++o->nheld == TABLE_SAMPLE || (o->flags & OUTPUT_STREAM))
			output_table_start(o);
		break;
	}
	o->nrows++;
	if (o->flags & OUTPUT_STREAM)
		fflush(o->f);
}

int
output_end(struct output *o, struct err *e)
{
	switch (o->fmt) {
	case OUTPUT_JSON:
		fputs(o->nrows == 0 ? "[]\n" : "\n]\n", o->f);
		break;
	case OUTPUT_CSV:
		if (o->nrows == 0)
			output_csv_header(o);
		break;
	case OUTPUT_TABLE:
		if (!o->started && o->nrows > 0)
			output_table_start(o);
		break;
	default:
		break;
	}
	if (fflush(o->f) == EOF || ferror(o->f))
		return err_set(e, STATUS_INPUT, "output: %s",
		    strerror(errno ? errno : EIO));
	return 0;
}

void
output_free(struct output *o)
{
	size_t	i;

	if (o == NULL)
		return;
	if (o->held != NULL)
		for (i = 0; i < o->nheld * o->ncols; i++)
			free(o->held[i].s);
	free(o->held);
	free(o->w);
	free(o->hidden);
	if (o->titles != NULL)
		for (i = 0; i < o->ncols; i++)
			free(o->titles[i]);
	free(o->titles);
	free(o);
}
