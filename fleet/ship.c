/*
 * ship: the rows of store/outbox.c as JSON lines, in requests of at most
 * SHIP_CHUNK_BYTES, to ClickHouse or a command. The last request of each
 * table and the host row go to ClickHouse at once, in parallel: an hourly
 * ship is then about one round trip. The database is read in
 * one read transaction (one snapshot: the rows up to the outbox's last
 * seq then); the cursor moves in a write transaction after the last
 * request succeeded.
 */
#include "fleet/ship.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/buf.h"
#include "common/timefmt.h"
#include "fleet/clickhouse.h"

#define SHIP_CHUNK_BYTES	(8 * 1024 * 1024)

/* Where rows go: ClickHouse, or a command. */
struct sink {
	const struct ship_opts	*o;
	struct clickhouse	*ch;
	struct ship_stats	*st;
};

/* A named point for the tests to kill the run at ($AIOSIFT_TEST_KILL):
 * "before-send", "after-ack". */
static void
ship_test_point(const char *name)
{
	const char	*at = getenv("AIOSIFT_TEST_KILL");

	if (at != NULL && strcmp(at, name) == 0)
		raise(SIGKILL);
}

void
ship_json_str(struct buf *b, const char *s, size_t n)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i, run = 0;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char	c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		buf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			buf_adds(b, "\\\"");
			break;
		case '\\':
			buf_adds(b, "\\\\");
			break;
		case '\n':
			buf_adds(b, "\\n");
			break;
		case '\t':
			buf_adds(b, "\\t");
			break;
		default:
			buf_adds(b, "\\u00");
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
	buf_add(b, s + run, n - run);
	buf_addc(b, '"');
}

/* Columns sent as unsigned 64-bit numbers: ids, the bits of SQLite's
 * signed integers. */
static bool
ship_unsigned(const char *name)
{
	return strcmp(name, "fid") == 0 || strcmp(name, "uid") == 0 ||
	    strcmp(name, "cid") == 0 || strcmp(name, "incident") == 0;
}

/* The current row of st as one JSON line, keys its column names. */
static void
ship_row(struct buf *b, const char *host, sqlite3_stmt *st)
{
	int	i, n = sqlite3_column_count(st);

	buf_adds(b, "{\"host\":");
	ship_json_str(b, host, strlen(host));
	for (i = 0; i < n; i++) {
		const char	*name = sqlite3_column_name(st, i);

		buf_addc(b, ',');
		ship_json_str(b, name, strlen(name));
		buf_addc(b, ':');
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_NULL:
			buf_adds(b, "null");
			break;
		case SQLITE_INTEGER:
			if (ship_unsigned(name))
				buf_printf(b, "%" PRIu64, (uint64_t)
				    sqlite3_column_int64(st, i));
			else
				buf_printf(b, "%" PRId64,
				    (int64_t)sqlite3_column_int64(st, i));
			break;
		case SQLITE_FLOAT:
			buf_printf(b, "%.17g", sqlite3_column_double(st, i));
			break;
		default: {
			const char *p = (const char *)sqlite3_column_text(st,
			    i);

			ship_json_str(b, p ? p : "",
			    (size_t)sqlite3_column_bytes(st, i));
		}
		}
	}
	buf_adds(b, "}\n");
}

/* Run the --exec command with the rows on its stdin. */
static int
ship_exec(const struct ship_opts *o, const char *table, const char *rows,
    size_t n, struct err *e)
{
	void	(*old)(int);
	pid_t	 pid;
	int	 fd[2], status;
	size_t	 off = 0;
	ssize_t	 w;

	if (pipe(fd) == -1)
		return err_set(e, STATUS_REMOTE, "exec: pipe: %s",
		    strerror(errno));
	if ((pid = fork()) == -1) {
		close(fd[0]);
		close(fd[1]);
		return err_set(e, STATUS_REMOTE, "exec: fork: %s",
		    strerror(errno));
	}
	if (pid == 0) {
		dup2(fd[0], 0);
		close(fd[0]);
		close(fd[1]);
		setenv("AIOSIFT_TABLE", table, 1);
		execl("/bin/sh", "sh", "-c", o->exec, (char *)NULL);
		_exit(127);
	}
	close(fd[0]);
	old = signal(SIGPIPE, SIG_IGN);
	while (off < n) {
		w = write(fd[1], rows + off, n - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			break;	/* it stopped reading: its status says */
		off += (size_t)w;
	}
	close(fd[1]);
	signal(SIGPIPE, old);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return err_set(e, STATUS_REMOTE, "exec: wait: %s",
			    strerror(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (off < n)
			return err_set(e, STATUS_REMOTE, "exec '%s': %s: "
			    "exited 0 without reading every row", o->exec,
			    table);
		return 0;
	}
	if (WIFEXITED(status))
		return err_set(e, STATUS_REMOTE, "exec '%s': %s: exit status "
		    "%d", o->exec, table, WEXITSTATUS(status));
	return err_set(e, STATUS_REMOTE, "exec '%s': %s: killed by signal "
	    "%d", o->exec, table, WTERMSIG(status));
}

static int
ship_send(struct sink *k, const char *table, struct buf *rows,
    struct err *e)
{
	int	rc;

	if (rows->len == 0)
		return 0;
	ship_test_point("before-send");
	if (k->ch != NULL)
		rc = clickhouse_insert(k->ch, table, rows->data, rows->len, e);
	else
		rc = ship_exec(k->o, table, rows->data, rows->len, e);
	k->st->requests++;
	buf_reset(rows);
	return rc;
}

/* Put the rows of table t that changed after cursor into *rows, sending
 * every SHIP_CHUNK_BYTES; the rest is left in *rows. */
static int
ship_table(struct store *s, struct sink *k, enum outbox_table t,
    int64_t cursor, int64_t last, struct buf *rows, struct err *e)
{
	sqlite3_stmt	*st;
	int		 step, rc = -1, del = -1, i;

	if ((st = outbox_rows(s, t, cursor, last, e)) == NULL)
		return -1;
	for (i = 0; i < sqlite3_column_count(st); i++)
		if (strcmp(sqlite3_column_name(st, i), "deleted") == 0)
			del = i;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		ship_row(rows, k->o->host, st);
		k->st->rows[t]++;
		if (del >= 0 && sqlite3_column_int(st, del) != 0)
			k->st->deleted++;
		if (rows->len >= SHIP_CHUNK_BYTES && ship_send(k,
		    outbox_table_name(t), rows, e) == -1)
			goto out;
	}
	if (step != SQLITE_DONE) {
		store_err(s, e, outbox_table_name(t));
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* The host row: when it shipped, the ship before (for "silent for more
 * than twice its usual interval"), what it sent. */
static void
ship_host_row(struct buf *b, const struct ship_opts *o, struct store *s,
    int64_t now_us, int64_t prev_us, const struct ship_stats *st)
{
	buf_adds(b, "{\"host\":");
	ship_json_str(b, o->host, strlen(o->host));
	buf_printf(b, ",\"ts\":%" PRId64 ",\"ship_us\":%" PRId64 ","
	    "\"prev_us\":%" PRId64 ",\"fleet_id\":", now_us / 1000000, now_us,
	    prev_us);
	ship_json_str(b, store_fleet_id(s), strlen(store_fleet_id(s)));
	buf_printf(b, ",\"rows\":%" PRId64 "}\n", st->rows[OUTBOX_FINDINGS] +
	    st->rows[OUTBOX_INCIDENTS] + st->rows[OUTBOX_COUNTS]);
}

/* Send what is left of every table, and the host row: to ClickHouse in
 * parallel, to a command one table after another. */
static int
ship_send_last(struct sink *k, struct buf *rows, struct err *e)
{
	const char		*names[OUTBOX_NTABLES + 1];
	const struct buf	*bodies[OUTBOX_NTABLES + 1];
	size_t			 n = 0;
	int			 t;

	for (t = 0; t <= OUTBOX_NTABLES; t++) {
		if (rows[t].len == 0)
			continue;
		names[n] = t < OUTBOX_NTABLES ?
		    outbox_table_name((enum outbox_table)t) : "hosts";
		bodies[n++] = &rows[t];
		if (k->ch == NULL && ship_send(k, names[n - 1], &rows[t], e) ==
		    -1)
			return -1;
	}
	if (k->ch == NULL || n == 0)
		return 0;
	ship_test_point("before-send");
	k->st->requests += (int64_t)n;
	return clickhouse_insert_all(k->ch, n, names, bodies, e);
}

const char *
ship_hostname(char *buf, size_t n)
{
	if (gethostname(buf, n) == -1)
		snprintf(buf, n, "localhost");
	buf[n - 1] = '\0';
	return buf;
}

void
ship_dest(struct buf *b, const struct ship_opts *o)
{
	/* one cursor per destination and host name */
	buf_printf(b, "%s %s%s", o->host, o->url ? "" : "exec:",
	    o->url ? o->url : o->exec);
}

int
ship_run(struct store *s, const struct ship_opts *o, struct ship_stats *st,
    struct err *e)
{
	struct sink	 k;
	struct buf	 rows[OUTBOX_NTABLES + 1], dest;
	int64_t		 cursor, last, prev_us, now_us;
	int		 t, rc = -1;
	bool		 in_read = false;

	memset(st, 0, sizeof(*st));
	memset(&k, 0, sizeof(k));
	k.o = o;
	k.st = st;
	for (t = 0; t <= OUTBOX_NTABLES; t++)
		buf_init(&rows[t], (size_t)-1);
	buf_init(&dest, (size_t)-1);
	ship_dest(&dest, o);
	if (o->url != NULL && (k.ch = clickhouse_new(o->url, o->user,
	    o->password, o->timeout_ms, e)) == NULL)
		goto out;
	if (outbox_register(s, dest.data, e) == -1 ||
	    store_exec(s, "BEGIN", e) == -1)
		goto out;
	in_read = true;
	if (outbox_cursor(s, dest.data, &cursor, &prev_us, &last, e) == -1)
		goto out;
	st->full = cursor < 0;
	if (cursor < last || cursor < 0)
		for (t = 0; t < OUTBOX_NTABLES; t++)
			if (ship_table(s, &k, (enum outbox_table)t, cursor,
			    last, &rows[t], e) == -1)
				goto out;
	store_exec(s, "COMMIT", NULL);
	in_read = false;
	now_us = timefmt_now_us();
	ship_host_row(&rows[OUTBOX_NTABLES], o, s, now_us, prev_us, st);
	if (ship_send_last(&k, rows, e) == -1)
		goto out;
	ship_test_point("after-ack");
	if (outbox_advance(s, dest.data, last, now_us, e) == -1)
		goto out;
	rc = 0;
out:
	if (in_read)
		store_rollback(s);
	if (rc == -1 && st->full)
		outbox_unregister(s, dest.data);
	clickhouse_free(k.ch);
	for (t = 0; t <= OUTBOX_NTABLES; t++)
		buf_release(&rows[t]);
	buf_release(&dest);
	return rc;
}
