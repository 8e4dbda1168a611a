/*
 * fquery: fleet questions. ClickHouse filters and aggregates (FINAL, the
 * day-first sort key narrowed by the period); the rows it returns, few,
 * are read from its TabSeparated answer into an in-memory SQLite table,
 * from which query/output writes them exactly as a local answer, with
 * the same columns plus the host. User values are literals escaped by
 * clickhouse_quote(): 18.16 has no query parameters.
 */
#include "fleet/fquery.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "common/buf.h"
#include "common/escape.h"
#include "common/kinds.h"
#include "common/record.h"
#include "common/xmalloc.h"
#include "fleet/fleeturl.h"

#define FQ_TOP_DEFAULT	10
#define FQ_INC_MASK	"9223372036854775807"	/* uids shown as int64 */

int
fquery_open(struct fquery *q, const char *url, const char *host,
    const char *user, const char *password_file, long timeout_ms,
    struct err *e)
{
	struct fleeturl	 u;
	char		*password = NULL;

	memset(q, 0, sizeof(*q));
	if (fleeturl_parse(url, &u, e) == -1)
		return -1;
	q->db = xstrdup(u.database);
	fleeturl_release(&u);
	q->host = host;
	if (password_file != NULL && (password = fleeturl_password(
	    password_file, e)) == NULL)
		goto fail;
	q->ch = clickhouse_new(url, user, password, timeout_ms, e);
	if (password != NULL) {
		memset(password, 0, strlen(password));
		free(password);
	}
	if (q->ch == NULL)
		goto fail;
	q->shown = xstrdup(clickhouse_url(q->ch));
	return 0;
fail:
	fquery_close(q);
	return -1;
}

void
fquery_close(struct fquery *q)
{
	clickhouse_free(q->ch);
	free(q->db);
	free(q->shown);
	memset(q, 0, sizeof(*q));
}

/* ---- SQL text ------------------------------------------------------- */

static void
fq_quote(struct buf *b, const char *s)
{
	clickhouse_quote(b, s, strlen(s));
}

void
fquery_glob(struct buf *sql, const char *g)
{
	struct buf	re;
	const char	*p;

	buf_init(&re, (size_t)-1);
	buf_addc(&re, '^');
	for (p = g; *p != '\0'; p++) {
		if (*p == '*')
			buf_adds(&re, ".*");
		else if (*p == '?')
			buf_addc(&re, '.');
		else if (*p == '[' && strchr(p + 1, ']') != NULL) {
			const char *end = strchr(p + (p[1] == ']' ? 2 : 1),
			    ']');

			if (end == NULL)
				end = strchr(p + 1, ']');
			buf_addc(&re, '[');
			for (p++; p < end; p++) {
				if (*p == '^' && p[-1] == '[')
					buf_addc(&re, '^');
				else if (*p == '\\' || *p == '[' || *p == '^')
					buf_printf(&re, "\\%c", *p);
				else
					buf_addc(&re, *p);
			}
			buf_addc(&re, ']');
		} else if ((unsigned char)*p >= 0x80 && escape_utf8_len(
		    (const unsigned char *)p, strlen(p)) == 0) {
			/* RE2 takes no invalid UTF-8; in the text it reads
			 * such a byte as one character */
			buf_addc(&re, '.');
		} else if (strchr("\\.+()|{}^$[]", *p) != NULL) {
			buf_addc(&re, '\\');
			buf_addc(&re, *p);
		} else
			buf_addc(&re, *p);
	}
	buf_addc(&re, '$');
	clickhouse_quote(sql, re.data, re.len);
	buf_release(&re);
}

static bool
fq_is_glob(const char *v)
{
	return strpbrk(v, "*?[") != NULL;
}

/* " AND col matches v" (a name, or a GLOB pattern) */
static void
fq_match(struct buf *b, const char *col, const char *v)
{
	if (fq_is_glob(v)) {
		buf_printf(b, " AND %s IS NOT NULL AND match(assumeNotNull(%s), ",
		    col, col);
		fquery_glob(b, v);
		buf_addc(b, ')');
	} else {
		buf_printf(b, " AND %s = ", col);
		fq_quote(b, v);
	}
}

/* One column against a source: the whole path or its tail after '/'. */
static void
fq_source_col(struct buf *b, const char *col, const char *v)
{
	char	*tail;
	size_t	 n = strlen(v) + 3;

	if (fq_is_glob(v)) {
		tail = xmalloc(n);
		snprintf(tail, n, "*/%s", v);
		buf_printf(b, "match(%s, ", col);
		fquery_glob(b, v);
		buf_printf(b, ") OR match(%s, ", col);
		fquery_glob(b, tail);
		buf_addc(b, ')');
		free(tail);
		return;
	}
	tail = xmalloc(n);
	snprintf(tail, n, "/%s", v);
	buf_printf(b, "%s = ", col);
	fq_quote(b, v);
	buf_printf(b, " OR endsWith(%s, ", col);
	fq_quote(b, tail);
	buf_addc(b, ')');
	free(tail);
}

/* The filters on the fleet's findings (alias-free column names). */
static void
fq_where_findings(struct buf *b, const struct fquery *q,
    const struct filter *f)
{
	const char	*p, *comma;

	buf_adds(b, " WHERE deleted = 0");
	if (q->host != NULL)
		fq_match(b, "host", q->host);
	if (f->since_us != TS_NONE)
		buf_printf(b, " AND ts_us >= %" PRId64 " AND ts >= "
		    "toDateTime(%" PRId64 ")", f->since_us, f->since_us >= 0 ?
		    f->since_us / 1000000 : 0);
	if (f->until_us != TS_NONE)
		buf_printf(b, " AND ts_us < %" PRId64 " AND ts <= "
		    "toDateTime(%" PRId64 ")", f->until_us, f->until_us > 0 ?
		    f->until_us / 1000000 : 0);
	if (f->kind != NULL) {
		buf_adds(b, " AND kind IN (");
		for (p = f->kind; ; p = comma + 1) {
			char	*one;

			comma = strchr(p, ',');
			one = comma ? xstrndup(p, (size_t)(comma - p)) :
			    xstrdup(p);
			if (p != f->kind)
				buf_adds(b, ", ");
			fq_quote(b, one);
			free(one);
			if (comma == NULL)
				break;
		}
		buf_addc(b, ')');
	}
	if (f->severity > 0)
		buf_printf(b, " AND severity >= %d", f->severity);
	if (f->task != NULL)
		fq_match(b, "task", f->task);
	if (f->coro != NULL)
		fq_match(b, "coro", f->coro);
	if (f->exception != NULL)
		fq_match(b, "exception", f->exception);
	if (f->source != NULL) {
		buf_adds(b, " AND (");
		fq_source_col(b, "source", f->source);
		buf_adds(b, " OR ");
		fq_source_col(b, "stream", f->source);
		buf_addc(b, ')');
	}
	if (f->incident >= 0)
		buf_printf(b, " AND bitAnd(incident, " FQ_INC_MASK ") = %"
		    PRId64, f->incident);
}

/* ---- answers into SQLite -------------------------------------------- */

/* Undo ClickHouse's TabSeparated escapes of n bytes at p into *out. */
static void
fq_unescape(const char *p, size_t n, struct buf *out)
{
	size_t	i;

	buf_reset(out);
	for (i = 0; i < n; i++) {
		if (p[i] != '\\' || i + 1 == n) {
			buf_addc(out, p[i]);
			continue;
		}
		switch (p[++i]) {
		case 'b': buf_addc(out, '\b'); break;
		case 'f': buf_addc(out, '\f'); break;
		case 'r': buf_addc(out, '\r'); break;
		case 'n': buf_addc(out, '\n'); break;
		case 't': buf_addc(out, '\t'); break;
		case '0': buf_addc(out, '\0'); break;
		default: buf_addc(out, p[i]); break;
		}
	}
}

/* Append the rows of resp, a TabSeparated answer, to table name of db,
 * whose columns are typed by types: 'i' integer, 't' text. */
static int
fq_load(sqlite3 *db, const char *name, const char *types,
    const struct buf *resp, struct err *e)
{
	struct buf	 ins, field;
	sqlite3_stmt	*st = NULL;
	const char	*p, *end, *tab, *nl;
	size_t		 ncols = strlen(types), i;
	int		 rc = -1;

	buf_init(&ins, (size_t)-1);
	buf_init(&field, (size_t)-1);
	buf_printf(&ins, "INSERT INTO %s VALUES (", name);
	for (i = 0; i < ncols; i++)
		buf_adds(&ins, i ? ", ?" : "?");
	buf_addc(&ins, ')');
	if (sqlite3_prepare_v2(db, ins.data, -1, &st, NULL) != SQLITE_OK) {
		err_set(e, STATUS_DB, "fleet answer: %s", sqlite3_errmsg(db));
		goto out;
	}
	p = resp->data ? resp->data : "";
	end = p + resp->len;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		for (i = 0; i < ncols; i++) {
			tab = memchr(p, '\t', (size_t)(nl - p));
			if (tab == NULL || i == ncols - 1)
				tab = nl;
			if (tab - p == 2 && p[0] == '\\' && p[1] == 'N')
				sqlite3_bind_null(st, (int)i + 1);
			else if (types[i] == 'i')
				sqlite3_bind_int64(st, (int)i + 1,
				    strtoll(p, NULL, 10));
			else {
				fq_unescape(p, (size_t)(tab - p), &field);
				sqlite3_bind_text(st, (int)i + 1, field.data ?
				    field.data : "", (int)field.len,
				    SQLITE_TRANSIENT);
			}
			p = tab < nl ? tab + 1 : nl;
		}
		if (sqlite3_step(st) != SQLITE_DONE) {
			err_set(e, STATUS_DB, "fleet answer: %s",
			    sqlite3_errmsg(db));
			goto out;
		}
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		p = nl + 1;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	buf_release(&ins);
	buf_release(&field);
	return rc;
}

/* A statement for ClickHouse and the table of an in-memory database
 * its rows go to: columns typed by types ('i' integer, 't' text), named
 * c0, c1... unless the table was made before. */
struct fq_stmt {
	const char	*table;
	const char	*types;
	struct buf	 sql;
};

#define FQ_MAX_STMTS	8

static void
fq_stmt_init(struct fq_stmt *s, const char *table, const char *types)
{
	s->table = table;
	s->types = types;
	buf_init(&s->sql, (size_t)-1);
}

/* Ask the n statements of s at once, in parallel requests (the server
 * works on them together), and load each answer into its table. The
 * statements are released. */
static int
fq_fetch(struct fquery *q, sqlite3 *db, struct fq_stmt *s, size_t n,
    struct err *e)
{
	const char	*sqls[FQ_MAX_STMTS];
	struct buf	 answers[FQ_MAX_STMTS], *outs[FQ_MAX_STMTS];
	struct buf	 ddl;
	size_t		 i, j;
	int		 rc = -1;

	buf_init(&ddl, (size_t)-1);
	for (i = 0; i < n; i++) {
		sqls[i] = s[i].sql.data;
		buf_init(&answers[i], (size_t)-1);
		outs[i] = &answers[i];
	}
	if (clickhouse_query_all(q->ch, n, sqls, outs, e) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		buf_reset(&ddl);
		buf_printf(&ddl, "CREATE TABLE IF NOT EXISTS %s (",
		    s[i].table);
		for (j = 0; s[i].types[j] != '\0'; j++)
			buf_printf(&ddl, "%sc%zu", j ? ", " : "", j);
		buf_addc(&ddl, ')');
		if (sqlite3_exec(db, ddl.data, NULL, NULL, NULL) != SQLITE_OK) {
			err_set(e, STATUS_DB, "fleet answer: %s",
			    sqlite3_errmsg(db));
			goto out;
		}
		if (fq_load(db, s[i].table, s[i].types, &answers[i], e) == -1)
			goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		buf_release(&answers[i]);
		buf_release(&s[i].sql);
	}
	buf_release(&ddl);
	return rc;
}

/* Write the rows of sql over db with cols, as query does. */
static int
fq_write(sqlite3 *db, const char *sql, const struct output_col *cols,
    size_t n, const struct fquery_out *o, struct output *out_in,
    struct err *e)
{
	sqlite3_stmt	*st = NULL;
	struct output	*out = out_in;
	int		 rc = -1, step;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		err_set(e, STATUS_DB, "fleet answer: %s", sqlite3_errmsg(db));
		goto done;
	}
	if (out == NULL)
		out = output_new(stdout, o->fmt, cols, n, o->flags,
		    output_term_width(stdout));
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		output_row(out, st);
	if (step != SQLITE_DONE) {
		err_set(e, STATUS_DB, "fleet answer: %s", sqlite3_errmsg(db));
		goto done;
	}
	rc = out_in == NULL ? output_end(out, e) : 0;
done:
	if (out_in == NULL)
		output_free(out);
	sqlite3_finalize(st);
	return rc;
}

/* One statement: sql's rows into table of db. */
static int
fq_fetch1(struct fquery *q, sqlite3 *db, const char *table,
    const char *types, const char *sql, struct err *e)
{
	struct fq_stmt	st;

	fq_stmt_init(&st, table, types);
	buf_adds(&st.sql, sql);
	return fq_fetch(q, db, &st, 1, e);
}

/* ---- query WHAT ----------------------------------------------------- */

#define FQ_HOST_COL	{ "host", "host", "HOST", OUTPUT_TEXT, 0 }

static const struct output_col fq_findings_cols[] = {
	FQ_HOST_COL,
	{ "kind", "kind", "KIND", OUTPUT_TEXT, 0 },
	{ "rule", "rule", NULL, OUTPUT_TEXT, 0 },
	{ "severity", "severity", "SEV", OUTPUT_SEVERITY, 0 },
	{ "ts_us", "ts", NULL, OUTPUT_TIME, 0 },
	{ "task", "task", "TASK", OUTPUT_TEXT, 0 },
	{ "coro", "coro", "CORO", OUTPUT_TEXT, 0 },
	{ "exception", "exception", "EXCEPTION", OUTPUT_TEXT, 0 },
	{ "location", "location", "LOCATION", OUTPUT_TEXT, 0 },
	{ "duration_us", "duration_s", NULL, OUTPUT_SECONDS, 0 },
	{ "source", "source", NULL, OUTPUT_TEXT, 0 },
	{ "line", "line", NULL, OUTPUT_INT, 0 },
	{ "incident", "incident", "INC", OUTPUT_INT, 0 },
	{ "message", "message", "MESSAGE", OUTPUT_TEXT, 0 },
};

static const struct output_col fq_findings_table[] = {
	{ "ts_us", "ts", "TIME", OUTPUT_TIME, 0 },
	FQ_HOST_COL,
	{ "severity", "severity", "SEV", OUTPUT_SEVERITY, 0 },
	{ "kind", "kind", "KIND", OUTPUT_TEXT, 0 },
	{ "task", "task", "TASK", OUTPUT_TEXT, 0 },
	{ "coro", "coro", "CORO", OUTPUT_TEXT, 0 },
	{ "exception", "exception", "EXCEPTION", OUTPUT_TEXT, 1 },
	{ "location", "location", "LOCATION", OUTPUT_TEXT, 2 },
	{ "incident", "incident", "INC", OUTPUT_INT, 3 },
	{ "message", "message", "MESSAGE", OUTPUT_TEXT, 0 },
};

static const struct output_col fq_stalls_cols[] = {
	{ "ts_us", "ts", "TIME", OUTPUT_TIME, 0 },
	FQ_HOST_COL,
	{ "duration_us", "duration_s", "SECONDS", OUTPUT_SECONDS, 0 },
	{ "severity", "severity", "SEV", OUTPUT_SEVERITY, 0 },
	{ "rule", "rule", NULL, OUTPUT_TEXT, 0 },
	{ "task", "task", "TASK", OUTPUT_TEXT, 0 },
	{ "coro", "coro", "CORO", OUTPUT_TEXT, 0 },
	{ "location", "location", "LOCATION", OUTPUT_TEXT, 1 },
	{ "source", "source", NULL, OUTPUT_TEXT, 0 },
	{ "line", "line", NULL, OUTPUT_INT, 0 },
	{ "incident", "incident", "INC", OUTPUT_INT, 2 },
	{ "message", "message", "MESSAGE", OUTPUT_TEXT, 0 },
};

static const struct output_col fq_incidents_cols[] = {
	FQ_HOST_COL,
	{ "id", "id", "ID", OUTPUT_INT, 0 },
	{ "first_us", "first", "FIRST", OUTPUT_TIME, 0 },
	{ "last_us", "last", "LAST", OUTPUT_TIME, 2 },
	{ "severity", "severity", "SEV", OUTPUT_SEVERITY, 0 },
	{ "kinds", "kinds", "KINDS", OUTPUT_TEXT, 0 },
	{ "task", "task", "TASK", OUTPUT_TEXT, 0 },
	{ "coro", "coro", "CORO", OUTPUT_TEXT, 1 },
	{ "n", "count", "N", OUTPUT_INT, 0 },
	{ "summary", "summary", "SUMMARY", OUTPUT_TEXT, 0 },
};

static const struct output_col fq_tasks_cols[] = {
	{ "task", "task", "TASK", OUTPUT_TEXT, 0 },
	{ "first", "first", "FIRST", OUTPUT_TIME, 2 },
	{ "last", "last", "LAST", OUTPUT_TIME, 0 },
	{ "n", "findings", "N", OUTPUT_INT, 0 },
	{ "sev", "severity", "WORST", OUTPUT_SEVERITY, 0 },
	{ "hosts", "hosts", "HOSTS", OUTPUT_INT, 0 },
	{ "kinds", "kinds", "KINDS", OUTPUT_TEXT, 0 },
	{ "coros", "coros", "COROUTINES", OUTPUT_TEXT, 1 },
};

static const struct output_col fq_top_cols[] = {
	{ "by", "by", "BY", OUTPUT_TEXT, 0 },
	{ "value", "value", "VALUE", OUTPUT_TEXT, 0 },
	{ "n", "count", "COUNT", OUTPUT_INT, 0 },
	{ "hosts", "hosts", "HOSTS", OUTPUT_INT, 0 },
	{ "first", "first", "FIRST", OUTPUT_TIME, 1 },
	{ "last", "last", "LAST", OUTPUT_TIME, 0 },
	{ "sev", "severity", "WORST", OUTPUT_SEVERITY, 0 },
};

static const struct output_col fq_hosts_cols[] = {
	FQ_HOST_COL,
	{ "last", "last_ship", "LAST SHIP", OUTPUT_TIME, 0 },
	{ "ships", "ships", "SHIPS", OUTPUT_INT, 1 },
	{ "interval", "interval_s", "USUAL", OUTPUT_SECONDS, 0 },
	{ "silent", "silent_s", "SILENT", OUTPUT_SECONDS, 0 },
	{ "status", "status", "STATUS", OUTPUT_TEXT, 0 },
};

#define NELEMS(a)	(sizeof(a) / sizeof((a)[0]))

static sqlite3 *
fq_mem(const char *schema, struct err *e)
{
	sqlite3	*db = NULL;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		err_set(e, STATUS_DB, "fleet answer: %s", db ?
		    sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

static int
fq_findings(struct fquery *q, const struct filter *f, bool stalls,
    const struct fquery_out *o, struct err *e)
{
	const struct output_col	*cols;
	struct buf		 sql;
	sqlite3			*db;
	size_t			 n, i;
	int			 rc = -1;

	if (stalls) {
		cols = fq_stalls_cols;
		n = NELEMS(fq_stalls_cols);
	} else if (o->fmt == OUTPUT_TABLE) {
		cols = fq_findings_table;
		n = NELEMS(fq_findings_table);
	} else {
		cols = fq_findings_cols;
		n = NELEMS(fq_findings_cols);
	}
	if ((db = fq_mem("CREATE TABLE r (host, kind, rule, severity, ts_us, "
	    "task, coro, exception, location, duration_us, source, line, "
	    "incident, message)", e)) == NULL)
		return -1;
	buf_init(&sql, (size_t)-1);
	buf_printf(&sql, "SELECT host, kind, rule, severity, ts_us, task, "
	    "coro, exception, location, duration_us, source, line, "
	    "if(incident = 0, NULL, bitAnd(incident, " FQ_INC_MASK ")), "
	    "message FROM %s.findings FINAL", q->db);
	fq_where_findings(&sql, q, f);
	if (stalls)
		buf_adds(&sql, " AND kind = '" KIND_STALL "'");
	if (f->limit > 0)
		buf_printf(&sql, " ORDER BY isNotNull(ts_us) DESC, ts_us DESC, "
		    "host DESC, fid DESC LIMIT %" PRId64, f->limit);
	else
		buf_adds(&sql, " ORDER BY isNotNull(ts_us), ts_us, host, fid");
	if (fq_fetch1(q, db, "r", "tttiittttitiit", sql.data, e) == -1)
		goto out;
	buf_reset(&sql);
	buf_adds(&sql, "SELECT ");
	for (i = 0; i < n; i++)
		buf_printf(&sql, "%s%s", i ? ", " : "", cols[i].expr);
	buf_printf(&sql, " FROM r ORDER BY rowid%s", f->limit > 0 ? " DESC" :
	    "");
	rc = fq_write(db, sql.data, cols, n, o, NULL, e);
out:
	buf_release(&sql);
	sqlite3_close(db);
	return rc;
}

static int
fq_incidents(struct fquery *q, const struct filter *f,
    const struct fquery_out *o, struct err *e)
{
	struct filter	 ff;
	struct buf	 sql;
	sqlite3		*db;
	const char	*p, *comma;
	int		 rc = -1;

	if ((db = fq_mem("CREATE TABLE r (host, id, first_us, last_us, "
	    "severity, kinds, task, coro, n, summary)", e)) == NULL)
		return -1;
	buf_init(&sql, (size_t)-1);
	buf_printf(&sql, "SELECT host, bitAnd(uid, " FQ_INC_MASK "), "
	    "first_us, last_us, severity, kinds, task, coro, n, summary FROM "
	    "%s.incidents FINAL WHERE deleted = 0", q->db);
	if (q->host != NULL)
		fq_match(&sql, "host", q->host);
	if (f->since_us != TS_NONE)
		buf_printf(&sql, " AND last_us >= %" PRId64, f->since_us);
	if (f->until_us != TS_NONE)
		buf_printf(&sql, " AND first_us < %" PRId64 " AND ts <= "
		    "toDateTime(%" PRId64 ")", f->until_us, f->until_us > 0 ?
		    f->until_us / 1000000 : 0);
	if (f->kind != NULL) {
		buf_adds(&sql, " AND (0");
		for (p = f->kind; ; p = comma + 1) {
			char	*one;

			comma = strchr(p, ',');
			one = comma ? xstrndup(p, (size_t)(comma - p)) :
			    xstrdup(p);
			buf_adds(&sql, " OR has(splitByChar(',', kinds), ");
			fq_quote(&sql, one);
			buf_addc(&sql, ')');
			free(one);
			if (comma == NULL)
				break;
		}
		buf_addc(&sql, ')');
	}
	if (f->severity > 0)
		buf_printf(&sql, " AND severity >= %d", f->severity);
	if (f->task != NULL)
		fq_match(&sql, "task", f->task);
	if (f->coro != NULL)
		fq_match(&sql, "coro", f->coro);
	if (f->incident >= 0)
		buf_printf(&sql, " AND bitAnd(uid, " FQ_INC_MASK ") = %" PRId64,
		    f->incident);
	if (f->exception != NULL || f->source != NULL) {
		/* an incident matches when one of its findings does */
		filter_init(&ff);
		ff.exception = f->exception;
		ff.source = f->source;
		buf_printf(&sql, " AND (host, uid) GLOBAL IN (SELECT host, "
		    "incident FROM %s.findings FINAL", q->db);
		fq_where_findings(&sql, q, &ff);
		buf_addc(&sql, ')');
	}
	if (f->limit > 0)
		buf_printf(&sql, " ORDER BY isNotNull(first_us) DESC, first_us "
		    "DESC, host DESC, uid DESC LIMIT %" PRId64, f->limit);
	else
		buf_adds(&sql, " ORDER BY isNotNull(first_us), first_us, host, "
		    "uid");
	if (fq_fetch1(q, db, "r", "tiiiitttit", sql.data, e) == -1)
		goto out;
	rc = fq_write(db, f->limit > 0 ? "SELECT * FROM r ORDER BY rowid DESC"
	    : "SELECT * FROM r ORDER BY rowid", fq_incidents_cols,
	    NELEMS(fq_incidents_cols), o, NULL, e);
out:
	buf_release(&sql);
	sqlite3_close(db);
	return rc;
}

static int
fq_tasks(struct fquery *q, const struct filter *f,
    const struct fquery_out *o, struct err *e)
{
	struct fq_stmt	 st[3];
	struct buf	 sql, w;
	sqlite3		*db;
	int		 rc = -1;

	if ((db = fq_mem("CREATE TABLE k (task, kind, n, first, last, sev);"
	    "CREATE TABLE c (task, coro); CREATE TABLE h (task, hosts)",
	    e)) == NULL)
		return -1;
	buf_init(&sql, (size_t)-1);
	buf_init(&w, (size_t)-1);
	buf_printf(&w, " FROM %s.findings FINAL", q->db);
	fq_where_findings(&w, q, f);
	buf_adds(&w, " AND task IS NOT NULL");
	fq_stmt_init(&st[0], "k", "ttiiii");
	buf_printf(&st[0].sql, "SELECT task, kind, count(), min(ts_us), "
	    "max(ts_us), max(severity)%s GROUP BY task, kind", w.data);
	fq_stmt_init(&st[1], "c", "tt");
	buf_printf(&st[1].sql, "SELECT task, coro%s AND coro IS NOT NULL "
	    "GROUP BY task, coro", w.data);
	fq_stmt_init(&st[2], "h", "ti");
	buf_printf(&st[2].sql, "SELECT task, uniqExact(host)%s GROUP BY task",
	    w.data);
	if (fq_fetch(q, db, st, 3, e) == -1)
		goto out;
	/* then as locally: per task, its kinds by count, its coroutines */
	buf_adds(&sql, "WITH kk AS (SELECT * FROM k ORDER BY task, n DESC, "
	    "kind), cc AS (SELECT task, group_concat(coro, ',') AS coros FROM "
	    "(SELECT task, coro FROM c ORDER BY task, coro) GROUP BY task) "
	    "SELECT kk.task AS task, min(first) AS first, max(last) AS last, "
	    "sum(n) AS n, max(sev) AS sev, h.hosts AS hosts, "
	    "group_concat(kind || ':' || n, ' ') AS kinds, cc.coros AS coros "
	    "FROM kk LEFT JOIN cc ON cc.task = kk.task LEFT JOIN h ON "
	    "h.task = kk.task GROUP BY kk.task ORDER BY 4 DESC, 3 DESC, "
	    "kk.task");
	if (f->limit > 0)
		buf_printf(&sql, " LIMIT %" PRId64, f->limit);
	rc = fq_write(db, sql.data, fq_tasks_cols, NELEMS(fq_tasks_cols), o,
	    NULL, e);
out:
	buf_release(&sql);
	buf_release(&w);
	sqlite3_close(db);
	return rc;
}

static int
fq_top(struct fquery *q, const struct filter *f, const struct fquery_out *o,
    struct err *e)
{
	static const char *const dims[] = { "kind", "coro", "exception",
	    "location", "task" };
	struct fq_stmt	 st[NELEMS(dims)];
	sqlite3		*db;
	size_t		 i, n = 0, ndims = 4;
	int		 rc = -1, which = -1;

	if (o->by != NULL) {
		for (i = 0; i < NELEMS(dims); i++)
			if (strcmp(o->by, dims[i]) == 0)
				which = (int)i;
		if (which < 0)
			return err_set(e, STATUS_USAGE, "query top: --by: use "
			    "kind, coro, exception, location or task");
	}
	if ((db = fq_mem("CREATE TABLE r (by, value, n, hosts, first, last, "
	    "sev)", e)) == NULL)
		return -1;
	for (i = 0; i < NELEMS(dims); i++) {
		if (which >= 0 ? (int)i != which : i >= ndims)
			continue;
		fq_stmt_init(&st[n], "r", "ttiiiii");
		buf_printf(&st[n].sql, "SELECT '%s', %s AS v, count() AS n, "
		    "uniqExact(host), min(ts_us), max(ts_us), max(severity) "
		    "FROM %s.findings FINAL", dims[i], dims[i], q->db);
		fq_where_findings(&st[n].sql, q, f);
		buf_printf(&st[n].sql, " AND %s IS NOT NULL GROUP BY v ORDER "
		    "BY n DESC, v LIMIT %" PRId64, dims[i], f->limit > 0 ?
		    f->limit : FQ_TOP_DEFAULT);
		n++;
	}
	if (fq_fetch(q, db, st, n, e) == -1)
		goto out;
	rc = fq_write(db, "SELECT * FROM r ORDER BY rowid", fq_top_cols,
	    NELEMS(fq_top_cols), o, NULL, e);
out:
	sqlite3_close(db);
	return rc;
}

static int
fq_hosts(struct fquery *q, const struct fquery_out *o, struct err *e)
{
	struct buf	 sql;
	sqlite3		*db;
	int		 rc = -1;

	if ((db = fq_mem("CREATE TABLE r (host, last, ships, interval)",
	    e)) == NULL)
		return -1;
	buf_init(&sql, (size_t)-1);
	buf_printf(&sql, "SELECT host, max(ship_us), count(), "
	    "if(countIf(prev_us > 0) = 0, NULL, toInt64(quantileExactIf(0.5)"
	    "(ship_us - prev_us, prev_us > 0))) FROM %s.hosts WHERE 1", q->db);
	if (q->host != NULL)
		fq_match(&sql, "host", q->host);
	buf_adds(&sql, " GROUP BY host ORDER BY host");
	if (fq_fetch1(q, db, "r", "tiii", sql.data, e) == -1)
		goto out;
	/* silent: more than twice the usual interval since the last ship */
	buf_reset(&sql);
	buf_printf(&sql, "SELECT host, last, ships, interval, %" PRId64
	    " - last AS silent, CASE WHEN interval IS NULL THEN 'ok' "
	    "WHEN %" PRId64 " - last > 2 * interval THEN 'silent' ELSE 'ok' "
	    "END FROM r ORDER BY rowid", o->now_us, o->now_us);
	rc = fq_write(db, sql.data, fq_hosts_cols, NELEMS(fq_hosts_cols), o,
	    NULL, e);
out:
	buf_release(&sql);
	sqlite3_close(db);
	return rc;
}

int
fquery_ask(struct fquery *q, enum fquery_what what, const struct filter *f,
    const struct fquery_out *o, struct err *e)
{
	switch (what) {
	case FQ_FINDINGS:
		return fq_findings(q, f, false, o, e);
	case FQ_STALLS:
		return fq_findings(q, f, true, o, e);
	case FQ_INCIDENTS:
		return fq_incidents(q, f, o, e);
	case FQ_TASKS:
		return fq_tasks(q, f, o, e);
	case FQ_TOP:
		return fq_top(q, f, o, e);
	default:
		return fq_hosts(q, o, e);
	}
}

/* ---- report --------------------------------------------------------- */

/*
 * The report asks two rounds of statements, each round's at once:
 * first one pass over the findings of the period and the one before
 * (FINAL, the costly part, read once) that answers the kinds, the
 * signatures, the top tasks and coroutines, the keys of the longest
 * stalls and the timeline as sections of one answer; beside it the
 * signatures seen before and the incidents' count and keys. Then the
 * text of the stalls and incidents picked, found through the sort key.
 */

enum {
	FQ_SECT_KIND = 1, FQ_SECT_SIG, FQ_SECT_TASK, FQ_SECT_CORO,
	FQ_SECT_STALL, FQ_SECT_BUCKET
};

static char *
fq_dup(sqlite3_stmt *st, int i)
{
	const unsigned char	*s = sqlite3_column_text(st, i);

	return s == NULL ? NULL : xstrndup((const char *)s,
	    (size_t)sqlite3_column_bytes(st, i));
}

static int64_t
fq_int(sqlite3_stmt *st, int i, int64_t dflt)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? dflt :
	    sqlite3_column_int64(st, i);
}

/* " FROM db.findings FINAL WHERE ... [lo, hi)" */
static void
fq_period(struct buf *b, struct fquery *q, int64_t lo, int64_t hi)
{
	struct filter	f;

	filter_init(&f);
	f.since_us = lo;
	f.until_us = hi;
	buf_printf(b, " FROM %s.findings FINAL", q->db);
	fq_where_findings(b, q, &f);
}

#define FQ_NO_STR	"CAST(NULL AS Nullable(String))"

/*
 * The pass: the findings of [prev_us, until_us) grouped by kind, coro,
 * exception, task, whether in the period, and timeline bucket (with the
 * ten longest stalls of each group); each group then spread, by ARRAY
 * JOIN, over the sections it counts in, as (section, a, b, c, n, prev,
 * first, last, sev, dur):
 *   kind       (kind)                n, prev, sev in the period
 *   signature  (kind, coro, exc.)    n, first, last, sev
 *   task, coro (name)                the ten with most findings
 *   stall      (host, fid, day)      the ten longest: dur, first
 *   bucket     (bucket, is stall)    n   (when layout_us > 0)
 */
static void
fq_report_pass(struct buf *b, struct fquery *q, const struct report *r,
    int64_t start_us, int64_t bucket_us)
{
	buf_printf(b, "SELECT tupleElement(x, 1) AS sect, tupleElement(x, 2) "
	    "AS a, tupleElement(x, 3) AS b, tupleElement(x, 4) AS c, "
	    "sum(tupleElement(x, 5)) AS o_n, sum(tupleElement(x, 6)) AS "
	    "o_prev, min(tupleElement(x, 7)) AS o_first, max(tupleElement(x, "
	    "8)) AS o_last, max(tupleElement(x, 9)) AS o_sev, "
	    "max(tupleElement(x, 10)) AS o_dur FROM (SELECT kind, coro, "
	    "exception, task, now, bucket, count() AS n, min(t) AS first, "
	    "max(t) AS last, max(severity) AS sev, arraySlice(arraySort("
	    "groupArrayIf(tuple(-ifNull(duration_us, -9223372036854775807), "
	    "t, host, fid, toUInt32(toStartOfDay(ts))), kind = '" KIND_STALL
	    "')), 1, 10) AS stalls FROM (SELECT kind, coro, exception, task, "
	    "severity, duration_us, host, fid, ts, assumeNotNull(ts_us) AS t, "
	    "t >= %" PRId64 " AS now, ", r->since_us);
	if (bucket_us > 0)
		buf_printf(b, "if(now, intDiv(t - %" PRId64 ", %" PRId64 "), -1)",
		    start_us, bucket_us);
	else
		buf_adds(b, "-1");
	buf_adds(b, " AS bucket");
	fq_period(b, q, r->prev_us, r->until_us);
	buf_printf(b, ") GROUP BY kind, coro, exception, task, now, bucket) "
	    "ARRAY JOIN arrayConcat(arrayFilter(y -> tupleElement(y, 1) != 0, ["
	    "tuple(%d, toNullable(kind), " FQ_NO_STR ", " FQ_NO_STR ", "
	    "if(now, n, 0), if(now, 0, n), first, last, if(now, sev, 0), "
	    "toInt64(0)), "
	    "tuple(if(now, %d, 0), toNullable(kind), coro, exception, n, 0, "
	    "first, last, sev, toInt64(0)), "
	    "tuple(if(now AND task IS NOT NULL, %d, 0), task, " FQ_NO_STR ", "
	    FQ_NO_STR ", n, 0, first, last, sev, toInt64(0)), "
	    "tuple(if(now AND coro IS NOT NULL, %d, 0), coro, " FQ_NO_STR ", "
	    FQ_NO_STR ", n, 0, first, last, sev, toInt64(0)), "
	    "tuple(if(now AND bucket >= 0, %d, 0), toNullable(toString("
	    "bucket)), toNullable(toString(kind = '" KIND_STALL "')), "
	    FQ_NO_STR ", n, 0, first, last, sev, toInt64(0))]), "
	    "arrayMap(s -> tuple(%d, toNullable(tupleElement(s, 3)), "
	    "toNullable(toString(tupleElement(s, 4))), toNullable(toString("
	    "tupleElement(s, 5))), toUInt64(1), toUInt64(0), tupleElement(s, "
	    "2), tupleElement(s, 2), toUInt8(0), -tupleElement(s, 1)), "
	    "arrayFilter(s -> now, stalls))) AS x "
	    "GROUP BY sect, a, b, c "
	    "ORDER BY sect, if(sect = %d, o_dur, toInt64(o_n)) DESC, "
	    "if(sect = %d, o_prev, 0) DESC, if(sect = %d, o_first, 0), a, "
	    "if(sect = %d, toUInt64OrZero(b), 0), b, c "
	    "LIMIT %d BY sect, if(sect IN (%d, %d, %d), '', concat(ifNull(a, "
	    "''), '\\0', ifNull(b, ''), '\\0', ifNull(c, '')))",
	    FQ_SECT_KIND, FQ_SECT_SIG, FQ_SECT_TASK, FQ_SECT_CORO,
	    FQ_SECT_BUCKET, FQ_SECT_STALL, FQ_SECT_STALL, FQ_SECT_KIND,
	    FQ_SECT_STALL, FQ_SECT_STALL, REPORT_TOP, FQ_SECT_TASK,
	    FQ_SECT_CORO, FQ_SECT_STALL);
}

/* The signatures seen before since on the hosts asked (--host, else
 * all): in each host's days before it, as its last ship of that day left them (the
 * rows of the day's greatest ver; kind '' marks a day left with none).
 * Findings withdrawn since (a rule turned off, rescan) are not there. */
static void
fq_report_old_sigs(struct buf *b, struct fquery *q, int64_t since_us)
{
	buf_printf(b, "SELECT tupleElement(s, 2) AS o_kind, tupleElement(s, "
	    "3) AS o_coro, tupleElement(s, 4) AS o_exception FROM (SELECT "
	    "max(ver) AS v, groupArray(tuple(ver, kind, coro, exception, "
	    "first_us)) AS r FROM %s.signature_days WHERE day < toDateTime(%"
	    PRId64 ")", q->db, since_us >= 0 ? since_us / 1000000 : 0);
	if (q->host != NULL)
		fq_match(b, "host", q->host);
	buf_printf(b, " GROUP BY host, day) ARRAY JOIN r AS s WHERE "
	    "tupleElement(s, 1) = v AND tupleElement(s, 2) != '' AND "
	    "tupleElement(s, 5) < %" PRId64 " GROUP BY o_kind, o_coro, "
	    "o_exception", since_us);
}

/* The rows of one section of the pass, in its order. */
static sqlite3_stmt *
fq_section(sqlite3 *db, int sect, const char *order, struct err *e)
{
	sqlite3_stmt	*st = NULL;
	char		 sql[256];

	snprintf(sql, sizeof(sql), "SELECT c1, c2, c3, c4, c5, c6, c7, c8, "
	    "c9 FROM pass WHERE c0 = %d ORDER BY %s", sect, order);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		err_set(e, STATUS_DB, "fleet answer: %s", sqlite3_errmsg(db));
		return NULL;
	}
	return st;
}

static int
fq_report_kinds(sqlite3 *db, struct report *r, struct err *e)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;

	if ((st = fq_section(db, FQ_SECT_KIND, "rowid", e)) == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct report_kind	*k;

		r->kinds = xgrow(r->kinds, &cap, r->nkinds + 1,
		    sizeof(*r->kinds));
		k = &r->kinds[r->nkinds++];
		k->kind = fq_dup(st, 0);
		k->n = fq_int(st, 3, 0);
		k->prev = fq_int(st, 4, 0);
		k->sev = k->n > 0 ? (int)fq_int(st, 7, 0) : 0;
		r->total += k->n;
		r->prev_total += k->prev;
		if (k->sev > r->worst)
			r->worst = k->sev;
	}
	sqlite3_finalize(st);
	return 0;
}

/* The period's signatures, less those seen before it ("old"). */
static int
fq_report_sigs(sqlite3 *db, struct report *r, struct err *e)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;

	if (sqlite3_prepare_v2(db, "SELECT c1, c2, c3, c4, c6, c8 FROM pass s "
	    "WHERE c0 = 2 AND NOT EXISTS (SELECT 1 FROM old o WHERE o.c0 = "
	    "s.c1 AND o.c1 = coalesce(s.c2, '') AND o.c2 = coalesce(s.c3, "
	    "'')) ORDER BY c6, c1, c2, c3", -1, &st, NULL) != SQLITE_OK)
		return err_set(e, STATUS_DB, "fleet answer: %s",
		    sqlite3_errmsg(db));
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct report_sig	*g;

		r->sigs = xgrow(r->sigs, &cap, r->nsigs + 1,
		    sizeof(*r->sigs));
		g = &r->sigs[r->nsigs++];
		g->kind = fq_dup(st, 0);
		g->coro = fq_dup(st, 1);
		g->exception = fq_dup(st, 2);
		g->n = fq_int(st, 3, 0);
		g->first_us = fq_int(st, 4, TS_NONE);
		g->sev = (int)fq_int(st, 5, 0);
	}
	sqlite3_finalize(st);
	return 0;
}

static int
fq_report_top(sqlite3 *db, int sect, struct report_top **out, size_t *n,
    struct err *e)
{
	sqlite3_stmt	*st;

	if ((st = fq_section(db, sect, "rowid", e)) == NULL)
		return -1;
	*out = xcalloc(REPORT_TOP, sizeof(**out));
	while (sqlite3_step(st) == SQLITE_ROW && *n < REPORT_TOP) {
		(*out)[*n].name = fq_dup(st, 0);
		(*out)[*n].n = fq_int(st, 3, 0);
		(*out)[*n].sev = (int)fq_int(st, 7, 0);
		(*n)++;
	}
	sqlite3_finalize(st);
	return 0;
}

/* The timeline's buckets from the pass's; or, when the timeline spans
 * the findings (a period of more than a week), laid out over their
 * first and last and counted by a statement of the second round. */
static int
fq_report_timeline(sqlite3 *db, struct report *r, struct fq_stmt *later,
    struct fquery *q, struct err *e)
{
	sqlite3_stmt	*st;
	int64_t		 lo = TS_NONE, hi = TS_NONE;

	if (r->total == 0)
		return 0;
	if (!report_timeline_spans_findings(r)) {
		report_timeline_layout(r, r->since_us, r->until_us);
		if ((st = fq_section(db, FQ_SECT_BUCKET, "rowid", e)) == NULL)
			return -1;
		while (sqlite3_step(st) == SQLITE_ROW)
			report_timeline_add(r, fq_int(st, 0, -1),
			    fq_int(st, 1, 0) != 0, fq_int(st, 3, 0));
		sqlite3_finalize(st);
		return 0;
	}
	if ((st = fq_section(db, FQ_SECT_SIG, "rowid", e)) == NULL)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (lo == TS_NONE || fq_int(st, 5, lo) < lo)
			lo = fq_int(st, 5, lo);
		if (hi == TS_NONE || fq_int(st, 6, hi) + 1 > hi)
			hi = fq_int(st, 6, hi) + 1;
	}
	sqlite3_finalize(st);
	report_timeline_layout(r, lo != TS_NONE ? lo : r->since_us,
	    hi != TS_NONE ? hi : r->until_us);
	fq_stmt_init(later, "buckets", "iii");
	buf_printf(&later->sql, "SELECT intDiv(ts_us - %" PRId64 ", %" PRId64
	    ") AS bucket, kind = '" KIND_STALL "' AS is_stall, count()",
	    r->start_us, r->bucket_us);
	fq_period(&later->sql, q, r->since_us, r->until_us);
	buf_adds(&later->sql, " GROUP BY bucket, is_stall");
	return 1;
}

/* The buckets counted in the second round, if they were. */
static void
fq_report_buckets(sqlite3 *db, struct report *r)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(db, "SELECT * FROM buckets", -1, &st, NULL) !=
	    SQLITE_OK)
		return;		/* not asked: no table */
	while (sqlite3_step(st) == SQLITE_ROW)
		report_timeline_add(r, fq_int(st, 0, -1), fq_int(st, 1, 0) != 0,
		    fq_int(st, 2, 0));
	sqlite3_finalize(st);
}

/* " AND toStartOfDay(ts) IN (...) AND (host, COL) IN (...)" for the rows
 * (host, id, day) that sql selects from db: the few rows a top-N
 * picked, found again through the sort key, their text read for them
 * alone. false when there is none. */
static bool
fq_keys(sqlite3 *db, const char *sql, const char *col, struct buf *b)
{
	sqlite3_stmt	*st = NULL;
	bool		 any = false;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	buf_adds(b, " AND toStartOfDay(ts) IN (");
	while (sqlite3_step(st) == SQLITE_ROW) {
		buf_printf(b, "%stoDateTime(%lld)", any ? ", " : "",
		    (long long)sqlite3_column_int64(st, 2));
		any = true;
	}
	buf_printf(b, ") AND (host, %s) IN (", col);
	sqlite3_reset(st);
	any = false;
	while (sqlite3_step(st) == SQLITE_ROW) {
		buf_adds(b, any ? ", (" : "(");
		clickhouse_quote(b, (const char *)sqlite3_column_text(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0));
		/* the id as ClickHouse wrote it: digits only */
		buf_printf(b, ", %s)", sqlite3_column_text(st, 1));
		any = true;
	}
	buf_addc(b, ')');
	sqlite3_finalize(st);
	return any;
}

/* The text of the longest stalls; their source names the host: "HOST:
 * PATH". false when there is none. */
static bool
fq_report_stalls_ask(struct fquery *q, sqlite3 *db, struct fq_stmt *s)
{
	fq_stmt_init(s, "stalls", "iiitttt");
	buf_printf(&s->sql, "SELECT ts_us, duration_us, line, task, coro, "
	    "concat(host, ': ', source), message FROM %s.findings FINAL "
	    "WHERE deleted = 0 AND kind = '" KIND_STALL "'", q->db);
	if (!fq_keys(db, "SELECT c1, c2, c3 FROM pass WHERE c0 = 5 ORDER BY "
	    "rowid", "fid", &s->sql)) {
		buf_release(&s->sql);
		return false;
	}
	buf_adds(&s->sql, " ORDER BY duration_us DESC, ts_us, host, fid "
	    "LIMIT 10");
	return true;
}

static void
fq_report_stalls(sqlite3 *db, struct report *r)
{
	sqlite3_stmt	*st;

	if (sqlite3_prepare_v2(db, "SELECT * FROM stalls ORDER BY rowid", -1,
	    &st, NULL) != SQLITE_OK)
		return;		/* none: no table */
	while (sqlite3_step(st) == SQLITE_ROW && r->nstalls < 10) {
		struct report_stall	*x;

		if (r->stalls == NULL)
			r->stalls = xcalloc(10, sizeof(*r->stalls));
		x = &r->stalls[r->nstalls++];

		x->ts_us = fq_int(st, 0, TS_NONE);
		x->duration_us = fq_int(st, 1, -1);
		x->line = fq_int(st, 2, 0);
		x->task = fq_dup(st, 3);
		x->coro = fq_dup(st, 4);
		x->source = fq_dup(st, 5);
		x->message = fq_dup(st, 6);
	}
	sqlite3_finalize(st);
}

#define FQ_INC_ORDER	"severity DESC, first_us, host, uid"

/* The incidents of the period: how many, and the keys of those listed. */
static void
fq_report_incidents_ask(struct fquery *q, const struct report *r,
    struct fq_stmt *count, struct fq_stmt *keys)
{
	struct buf	w;

	buf_init(&w, (size_t)-1);
	buf_printf(&w, " FROM %s.incidents FINAL WHERE deleted = 0 AND "
	    "last_us >= %" PRId64 " AND first_us < %" PRId64 " AND ts <= "
	    "toDateTime(%" PRId64 ")", q->db, r->since_us, r->until_us,
	    r->until_us > 0 ? r->until_us / 1000000 : 0);
	if (q->host != NULL)
		fq_match(&w, "host", q->host);
	fq_stmt_init(count, "ninc", "i");
	buf_printf(&count->sql, "SELECT count()%s", w.data);
	fq_stmt_init(keys, "inc_keys", "tti");
	buf_printf(&keys->sql, "SELECT host, toString(uid), toUInt32("
	    "toStartOfDay(ts))%s ORDER BY " FQ_INC_ORDER " LIMIT %d", w.data,
	    REPORT_MAX_INCIDENTS);
	buf_release(&w);
}

/* The text of the incidents listed; the summary names the host: "HOST:
 * SUMMARY". false when there is none. */
static bool
fq_report_incidents_text(struct fquery *q, sqlite3 *db, struct fq_stmt *s)
{
	fq_stmt_init(s, "inc", "iiiiitttt");
	buf_printf(&s->sql, "SELECT bitAnd(uid, " FQ_INC_MASK "), first_us, "
	    "last_us, n, severity, kinds, task, coro, concat(host, ': ', "
	    "summary) FROM %s.incidents FINAL WHERE deleted = 0", q->db);
	if (!fq_keys(db, "SELECT c0, c1, c2 FROM inc_keys", "uid", &s->sql)) {
		buf_release(&s->sql);
		return false;
	}
	buf_printf(&s->sql, " ORDER BY " FQ_INC_ORDER " LIMIT %d",
	    REPORT_MAX_INCIDENTS);
	return true;
}

static int
fq_report_incidents(sqlite3 *db, struct report *r, struct err *e)
{
	sqlite3_stmt	*st;
	size_t		 cap = 0;

	if (sqlite3_prepare_v2(db, "SELECT (SELECT c0 FROM ninc)", -1, &st,
	    NULL) != SQLITE_OK)
		return err_set(e, STATUS_DB, "fleet answer: %s",
		    sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		r->nincidents = fq_int(st, 0, 0);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT * FROM inc ORDER BY rowid", -1,
	    &st, NULL) != SQLITE_OK)
		return 0;	/* none listed: no table */
	while (sqlite3_step(st) == SQLITE_ROW) {
		r->incidents = xgrow(r->incidents, &cap, r->nshown + 1,
		    sizeof(*r->incidents));
		report_incident_read(&r->incidents[r->nshown++], st);
	}
	sqlite3_finalize(st);
	return 0;
}

int
fquery_report(struct fquery *q, struct report *r, int64_t since_us,
    int64_t until_us, struct err *e)
{
	struct fq_stmt	 first[4], second[3];
	struct report	 lay;
	struct buf	 name;
	sqlite3		*db;
	size_t		 n = 0;
	int		 rc = -1, t;

	memset(r, 0, sizeof(*r));
	buf_init(&name, (size_t)-1);
	buf_printf(&name, "fleet %s", q->shown);
	if (q->host != NULL)
		buf_printf(&name, " hosts %s", q->host);
	r->db = xstrdup(name.data);
	buf_release(&name);
	r->since_us = since_us;
	r->until_us = until_us;
	r->prev_us = since_us - (until_us - since_us);
	if ((db = fq_mem("SELECT 1", e)) == NULL)
		return -1;
	/* the timeline's layout, when the period alone makes it */
	memset(&lay, 0, sizeof(lay));
	if (!report_timeline_spans_findings(r)) {
		report_timeline_layout(&lay, since_us, until_us);
		free(lay.buckets);
	}
	fq_stmt_init(&first[0], "pass", "itttiiiiii");
	fq_report_pass(&first[0].sql, q, r, lay.start_us, lay.bucket_us);
	fq_stmt_init(&first[1], "old", "ttt");
	fq_report_old_sigs(&first[1].sql, q, since_us);
	fq_report_incidents_ask(q, r, &first[2], &first[3]);
	if (fq_fetch(q, db, first, 4, e) == -1)
		goto out;
	if (fq_report_kinds(db, r, e) == -1 ||
	    fq_report_sigs(db, r, e) == -1 ||
	    fq_report_top(db, FQ_SECT_TASK, &r->tasks, &r->ntasks, e) == -1 ||
	    fq_report_top(db, FQ_SECT_CORO, &r->coros, &r->ncoros, e) == -1)
		goto out;
	if ((t = fq_report_timeline(db, r, &second[n], q, e)) == -1)
		goto out;
	n += (size_t)t;
	n += fq_report_stalls_ask(q, db, &second[n]);
	n += fq_report_incidents_text(q, db, &second[n]);
	if (n > 0 && fq_fetch(q, db, second, n, e) == -1)
		goto out;
	fq_report_buckets(db, r);
	fq_report_stalls(db, r);
	if (fq_report_incidents(db, r, e) == -1)
		goto out;
	rc = 0;
out:
	sqlite3_close(db);
	return rc;
}
