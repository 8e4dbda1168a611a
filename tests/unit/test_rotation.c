/* Unit tests for ingest/rotation: set names for every suffix style, which
 * names are logs, the oldest-first order, and walking a real directory
 * with FIFOs, dangling links, loops and awkward names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "ingest/reader.h"
#include "ingest/rotation.h"

static char	tmpdir[] = "/tmp/test_rotation.XXXXXX";

static const struct {
	const char	*path, *set;
} set_cases[] = {
	{ "app.log", "app.log" },
	{ "dir/app.log.1", "dir/app.log" },
	{ "app.log.2.gz", "app.log" },
	{ "app.log.1.gz", "app.log" },
	{ "app.log.10", "app.log" },
	{ "app.log.2026-02-21", "app.log" },
	{ "app.log.2026-02-21.gz", "app.log" },
	{ "app.log-20260221.gz", "app.log" },
	{ "app.log-20260221", "app.log" },
	{ "app.log-2026022118.gz", "app.log" },
	{ "app.log.20260221", "app.log" },
	{ "app.log.2026-11-24_18-01-46.gz", "app.log" },
	{ "app.log.2026-11-24_18-01", "app.log" },
	{ "app.log.2026-11-24_18", "app.log" },
	{ "app.log.gz", "app.log" },
	{ "/var/log/syslog.1", "/var/log/syslog" },
	{ "/var/log/messages-20260221", "/var/log/messages" },
	{ "my app.log.3.gz", "my app.log" },
	{ "a.b/c-d/app.log.3", "a.b/c-d/app.log" },
	{ "new\nline.log.1", "new\nline.log" },
	{ "\xe6\x97\xa5\xe5\xbf\x97.log.2.gz", "\xe6\x97\xa5\xe5\xbf\x97.log" },
	{ "app.log.2026-13-01", "app.log.2026-13-01" },	/* no 13th month */
	{ "app-2026-02-21.log", "app-2026-02-21.log" },	/* date in the stem */
	{ "2026-02-21", "2026-02-21" },
	{ ".1", ".1" },
	{ "-", "-" },
};

static void
test_set_path(void **state)
{
	size_t	 i;
	char	*s;

	(void)state;
	for (i = 0; i < sizeof(set_cases) / sizeof(set_cases[0]); i++) {
		print_message("case %s\n", set_cases[i].path);
		s = rotation_set_path(set_cases[i].path);
		assert_string_equal(s, set_cases[i].set);
		free(s);
	}
}

static const struct {
	const char	*name;
	int		 log;
} name_cases[] = {
	{ "app.log", 1 }, { "app.log.1", 1 }, { "app.log.2.gz", 1 },
	{ "x.log.gz", 1 }, { "app.log.2026-02-21.gz", 1 },
	{ "app.log-20260221.gz", 1 }, { "worker.out", 1 },
	{ "worker.err", 1 }, { "app.stderr", 1 }, { "job.stdout", 1 },
	{ "nohup.out", 1 }, { "app.stderr.1", 1 }, { "notes.txt", 1 }, { "app.jsonl", 1 },
	{ "events.ndjson", 1 }, { "events.ndjson.1.gz", 1 },
	{ "syslog", 1 }, { "syslog.1", 1 }, { "messages", 1 },
	{ "messages.2.gz", 1 }, { "app-log", 1 }, { "service_log.3", 1 },
	{ "stderr", 1 }, { "stdout", 1 }, { "current", 1 }, { "APP.LOG", 1 },
	{ "app.log.old", 1 }, { "with space.log", 1 }, { "new\nline.log", 1 },
	{ "\xe6\x97\xa5\xe5\xbf\x97.log", 1 },
	{ "expected.json", 0 }, { "app.log.json", 0 }, { "state.db", 0 },
	{ "state.db-wal", 0 }, { "state.db-shm", 0 }, { "cache.sqlite", 0 },
	{ "aiosift.db", 0 }, { ".hidden.log", 0 }, { "app.py", 0 },
	{ "catalog.py", 0 }, { "README", 0 }, { "Makefile", 0 },
	{ "config.yaml", 0 }, { "lastlog", 0 }, { "wtmp", 0 },
	{ "app.log.bz2", 0 }, { "app.log.1.xz", 0 }, { "data.csv", 0 },
	{ "Login Data", 0 }, { "Login Data-journal", 0 }, { "logo", 0 },
	{ "CURRENT", 0 }, { "error_logs", 1 }, { "LOG", 1 },
	{ "access-log.2.gz", 1 },
	{ "", 0 },
};

static void
test_is_log_name(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(name_cases) / sizeof(name_cases[0]); i++) {
		print_message("case %s\n", name_cases[i].name);
		assert_int_equal(rotation_is_log_name(name_cases[i].name),
		    name_cases[i].log);
	}
}

/* Notes and errors passed to the warn callback. */
struct notes {
	char	msgs[32][600];
	int	status[32];
	size_t	n;
};

static void
collect(void *ctx, const struct err *e)
{
	struct notes	*n = ctx;

	assert_true(n->n < 32);
	snprintf(n->msgs[n->n], sizeof(n->msgs[0]), "%s", e->msg);
	n->status[n->n++] = (int)e->status;
}

/* The note that mentions needle, with its status; -1 when none. */
static int
note_status(const struct notes *n, const char *needle)
{
	size_t	i;

	for (i = 0; i < n->n; i++)
		if (strstr(n->msgs[i], needle) != NULL)
			return n->status[i];
	return -1;
}

static const char *
tmppath(const char *name)
{
	static char	path[4096];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* Create a file (its parent must exist) with a given mtime. */
static void
touch(const char *rel, time_t mtime)
{
	struct timespec	ts[2];
	int		fd = open(tmppath(rel), O_WRONLY | O_CREAT | O_TRUNC,
			    0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x\n", 2), 2);
	ts[0].tv_sec = ts[1].tv_sec = mtime;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	assert_int_equal(futimens(fd, ts), 0);
	close(fd);
}

static void
mkdir_tmp(const char *rel)
{
	assert_int_equal(mkdir(tmppath(rel), 0755), 0);
}

/* A set as expected: its path after the directory, then its files. */
struct want_set {
	const char	*set;
	const char	*files[8];
};

static void
check_sets(const struct rotation_list *l, const char *dir,
    const struct want_set *w, size_t nw)
{
	char	path[4096];
	size_t	i, j;

	for (i = 0; i < l->nsets; i++) {
		print_message("  set %s:", l->sets[i].set_path);
		for (j = 0; j < l->sets[i].nfiles; j++)
			print_message(" %s", l->sets[i].files[j]);
		print_message("\n");
	}
	assert_int_equal(l->nsets, nw);
	for (i = 0; i < nw; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, w[i].set);
		assert_string_equal(l->sets[i].set_path, path);
		for (j = 0; w[i].files[j] != NULL; j++) {
			assert_true(j < l->sets[i].nfiles);
			snprintf(path, sizeof(path), "%s/%s", dir,
			    w[i].files[j]);
			assert_string_equal(l->sets[i].files[j], path);
		}
		assert_int_equal(l->sets[i].nfiles, j);
	}
}

/* Every suffix style in one directory. Rotated files get mtimes in the
 * wrong order unless `mtime` says otherwise, so a numbered or dated set
 * ordered by mtime would fail. */
static const struct {
	const char	*name;
	time_t		 mtime;
} order_files[] = {
	{ "app.log", 1000 },
	{ "app.log.1", 900 },
	{ "app.log.2.gz", 950 },
	{ "app.log.3.gz", 990 },
	{ "app.log.10.gz", 999 },
	{ "py.log.2026-02-19", 990 },
	{ "py.log.2026-02-20.gz", 980 },
	{ "py.log.2026-02-21", 970 },
	{ "py.log", 960 },
	{ "cron.log-20260219.gz", 999 },
	{ "cron.log-20260220", 998 },
	{ "cron.log", 500 },
	{ "svc.log.2026-11-24_18-01-46.gz", 10 },
	{ "svc.log.2026-11-24_09-00-00.gz", 20 },
	{ "svc.log.2026-11-23_23-59-59.gz", 30 },
	/* numbered and dated mixed: the mtime decides */
	{ "mix.log.1", 300 },
	{ "mix.log.2026-02-20.gz", 100 },
	{ "mix.log.2.gz", 200 },
	{ "mix.log", 50 },
	{ "syslog", 10 }, { "syslog.1", 20 }, { "syslog.2.gz", 30 },
	{ "events.jsonl.1", 10 }, { "events.jsonl", 5 },
	{ "expected.json", 1 }, { "state.db", 1 }, { "state.db-wal", 1 },
};

static const struct want_set order_want[] = {
	{ "app.log", { "app.log.10.gz", "app.log.3.gz", "app.log.2.gz",
	    "app.log.1", "app.log" } },
	{ "cron.log", { "cron.log-20260219.gz", "cron.log-20260220",
	    "cron.log" } },
	{ "events.jsonl", { "events.jsonl.1", "events.jsonl" } },
	{ "mix.log", { "mix.log.2026-02-20.gz", "mix.log.2.gz", "mix.log.1",
	    "mix.log" } },
	{ "py.log", { "py.log.2026-02-19", "py.log.2026-02-20.gz",
	    "py.log.2026-02-21", "py.log" } },
	{ "svc.log", { "svc.log.2026-11-23_23-59-59.gz",
	    "svc.log.2026-11-24_09-00-00.gz",
	    "svc.log.2026-11-24_18-01-46.gz" } },
	{ "syslog", { "syslog.2.gz", "syslog.1", "syslog" } },
};

static void
test_order(void **state)
{
	struct rotation_list	 l;
	struct notes		 n = { .n = 0 };
	struct err		 e;
	char			*paths[1];
	size_t			 i;

	(void)state;
	mkdir_tmp("order");
	for (i = 0; i < sizeof(order_files) / sizeof(order_files[0]); i++) {
		char	rel[256];

		snprintf(rel, sizeof(rel), "order/%s", order_files[i].name);
		touch(rel, order_files[i].mtime);
	}
	paths[0] = strdup(tmppath("order"));
	assert_int_equal(rotation_expand(paths, 1, &l, collect, &n, &e), 0);
	check_sets(&l, paths[0], order_want,
	    sizeof(order_want) / sizeof(order_want[0]));
	assert_int_equal(n.n, 0);
	rotation_list_release(&l);
	rotation_list_release(&l);	/* released twice: harmless */
	free(paths[0]);
}

/* Named files: always taken, grouped and ordered like found ones; the
 * same file twice is taken once; "-" is a set of its own; a missing
 * path is an input error that does not stop the others. */
static void
test_named(void **state)
{
	struct rotation_list	 l;
	struct notes		 n = { .n = 0 };
	struct err		 e;
	char			 dir[4096], *paths[6];
	size_t			 i;

	(void)state;
	mkdir_tmp("named");
	touch("named/odd.data", 10);
	touch("named/odd.data.1", 20);
	touch("named/x.log", 10);
	snprintf(dir, sizeof(dir), "%s", tmppath("named"));
	paths[0] = strdup(tmppath("named/odd.data"));
	paths[1] = strdup(tmppath("named/missing.log"));
	paths[2] = strdup("-");
	paths[3] = strdup(tmppath("named/odd.data.1"));
	paths[4] = strdup(tmppath("named/x.log"));
	paths[5] = strdup(tmppath("named"));	/* x.log again */
	assert_int_equal(rotation_expand(paths, 6, &l, collect, &n, &e), 0);
	assert_int_equal(l.nsets, 3);
	assert_string_equal(l.sets[0].set_path, "-");
	assert_int_equal(l.sets[0].nfiles, 1);
	assert_string_equal(l.sets[0].files[0], "-");
	assert_string_equal(l.sets[1].set_path, paths[0]);
	assert_int_equal(l.sets[1].nfiles, 2);
	assert_string_equal(l.sets[1].files[0], paths[3]);
	assert_string_equal(l.sets[1].files[1], paths[0]);
	assert_string_equal(l.sets[2].set_path, paths[4]);
	assert_int_equal(l.sets[2].nfiles, 1);
	assert_int_equal(n.n, 1);
	assert_int_equal(n.status[0], STATUS_INPUT);
	assert_true(strlen(paths[1]) + 30 < sizeof(n.msgs[0]));
	snprintf(dir, sizeof(dir), "%s: No such file or directory", paths[1]);
	assert_string_equal(n.msgs[0], dir);
	rotation_list_release(&l);

	/* Nothing usable at all. */
	n.n = 0;
	err_clear(&e);
	assert_int_equal(rotation_expand(paths + 1, 1, &l, collect, &n, &e),
	    -1);
	assert_int_equal(e.status, STATUS_INPUT);
	assert_string_equal(e.msg, "no log files found");
	assert_int_equal(l.nsets, 0);
	assert_null(l.sets);
	rotation_list_release(&l);
	for (i = 0; i < 6; i++)
		free(paths[i]);
}

/* A real tree: nested directories, a FIFO, a dangling link, a link
 * loop, a link to a directory walked already, a link to a file outside,
 * names with spaces, newlines and non-ASCII bytes, hidden and non-log
 * files. */
static void
test_walk(void **state)
{
	struct rotation_list	 l;
	struct notes		 n = { .n = 0 };
	struct err		 e;
	char			*paths[1], p[4096];
	static const struct want_set want[] = {
		{ "app.log", { "app.log.1", "app.log" } },
		{ "link.log", { "link.log" } },
		{ "nested/deep/x.log", { "nested/deep/x.log" } },
		{ "new\nline.log", { "new\nline.log" } },
		{ "with space.log", { "with space.log.2.gz",
		    "with space.log" } },
		{ "\xe6\x97\xa5\xe5\xbf\x97.log", {
		    "\xe6\x97\xa5\xe5\xbf\x97.log" } },
	};

	(void)state;
	mkdir_tmp("walk");
	mkdir_tmp("walk/nested");
	mkdir_tmp("walk/nested/deep");
	mkdir_tmp("walk/.git");
	mkdir_tmp("outside");
	touch("walk/app.log", 100);
	touch("walk/app.log.1", 50);
	touch("walk/nested/deep/x.log", 1);
	touch("walk/nested/deep/notes.py", 1);
	touch("walk/with space.log", 100);
	touch("walk/with space.log.2.gz", 100);
	touch("walk/new\nline.log", 1);
	touch("walk/\xe6\x97\xa5\xe5\xbf\x97.log", 1);
	touch("walk/expected.json", 1);
	touch("walk/aiosift.db", 1);
	touch("walk/.hidden.log", 1);
	touch("walk/.git/HEAD.log", 1);
	touch("outside/real.log", 1);
	assert_int_equal(mkfifo(tmppath("walk/fifo.log"), 0600), 0);
	assert_int_equal(symlink("nowhere.log", tmppath("walk/dangling.log")),
	    0);
	assert_int_equal(symlink("self.log", tmppath("walk/self.log")), 0);
	assert_int_equal(symlink("..", tmppath("walk/nested/up")), 0);
	assert_int_equal(symlink("../outside/real.log",
	    tmppath("walk/link.log")), 0);
	assert_int_equal(symlink("fifo.log", tmppath("walk/fifolink.log")),
	    0);
	/* Not log names: skipped without a note. */
	assert_int_equal(mkfifo(tmppath("walk/pipe"), 0600), 0);
	assert_int_equal(symlink("gone", tmppath("walk/cookie")), 0);
	assert_int_equal(symlink("loop", tmppath("walk/loop")), 0);

	paths[0] = strdup(tmppath("walk"));
	assert_int_equal(rotation_expand(paths, 1, &l, collect, &n, &e), 0);
	check_sets(&l, paths[0], want, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n.n; i++)
		print_message("  note %d %s\n", n.status[i], n.msgs[i]);
	snprintf(p, sizeof(p), "%s/fifo.log: not a regular file, skipped",
	    paths[0]);
	assert_int_equal(note_status(&n, p), STATUS_OK);
	snprintf(p, sizeof(p), "%s/fifolink.log: not a regular file, skipped",
	    paths[0]);
	assert_int_equal(note_status(&n, p), STATUS_OK);
	snprintf(p, sizeof(p), "%s/dangling.log: dangling symlink, skipped",
	    paths[0]);
	assert_int_equal(note_status(&n, p), STATUS_OK);
	snprintf(p, sizeof(p), "%s/self.log: symlink loop, skipped",
	    paths[0]);
	assert_int_equal(note_status(&n, p), STATUS_OK);
	snprintf(p, sizeof(p), "%s/nested/up: directory already walked",
	    paths[0]);
	assert_int_equal(note_status(&n, p), STATUS_OK);
	assert_int_equal(n.n, 5);
	rotation_list_release(&l);
	free(paths[0]);
}

/* The committed fixture directory (tests/gen/make_broken.sh): each set,
 * read through the reader in the order given, has its records in time
 * order (each file's line names the hour it was written). */
static void
test_fixture_dir(void **state)
{
	static const struct want_set want[] = {
		{ "app.log", { "app.log.3.gz", "app.log.2.gz", "app.log.1",
		    "app.log" } },
		{ "cron.log", { "cron.log-20260219.gz", "cron.log-20260220.gz",
		    "cron.log" } },
		{ "nested/svc.log", { "nested/svc.log.1", "nested/svc.log" } },
		{ "worker.log", { "worker.log.2026-02-19.gz",
		    "worker.log.2026-02-20", "worker.log" } },
	};
	struct rotation_list	 l;
	struct notes		 n = { .n = 0 };
	struct err		 e;
	struct reader		*r;
	const char		*fx = getenv("FIXTURES");
	char			 dir[4096], *paths[1], line[256];
	size_t			 i, j;
	ssize_t			 k;
	int			 hour, last;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/rotation",
	    fx != NULL ? fx : "tests/fixtures");
	paths[0] = dir;
	assert_int_equal(rotation_expand(paths, 1, &l, collect, &n, &e), 0);
	check_sets(&l, dir, want, sizeof(want) / sizeof(want[0]));
	assert_int_equal(n.n, 0);
	for (i = 0; i < l.nsets; i++) {
		last = 0;
		for (j = 0; j < l.sets[i].nfiles; j++) {
			r = reader_open(l.sets[i].files[j], &e);
			assert_non_null(r);
			k = reader_read(r, line, sizeof(line) - 1, &e);
			assert_true(k > 20);
			line[k] = '\0';
			assert_int_equal(sscanf(line, "2026-02-21 %d:", &hour),
			    1);
			assert_true(hour > last);
			last = hour;
			/* The line names the file it came from. */
			assert_non_null(strstr(line, strrchr(
			    l.sets[i].files[j], '/') + 1));
			reader_close(r);
		}
	}
	rotation_list_release(&l);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char	cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_path),
		cmocka_unit_test(test_is_log_name),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_named),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_fixture_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
