/* Unit tests for store/: open, migrate, refuse what is not ours. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "store/schema.h"
#include "store/store.h"

static char	dir[64];

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/aiosift-store-XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char	cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
path_in(const char *name)
{
	static char	p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void
write_file(const char *path, const void *p, size_t n)
{
	FILE	*f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
}

static int
pragma(struct store *s, const char *sql)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	assert_int_equal(sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL),
	    SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
test_create_and_reopen(void **state)
{
	struct err	 e;
	struct store	*s;
	char		*v;

	(void)state;
	s = store_open(path_in("a.db"), 0, &e);
	assert_non_null(s);
	assert_int_equal(pragma(s, "PRAGMA user_version"), schema_latest());
	assert_int_equal(pragma(s, "PRAGMA application_id"),
	    SCHEMA_APPLICATION_ID);
	assert_int_equal(pragma(s, "SELECT count(*) FROM sqlite_master WHERE "
	    "name IN ('sources','records','findings','incidents','counts',"
	    "'findings_v','records_v','incidents_v')"), 8);
	assert_int_equal(store_meta_set(s, "k", "v1", &e), 0);
	store_close(s);
	/* a second open migrates nothing and keeps the data */
	s = store_open(path_in("a.db"), 0, &e);
	assert_non_null(s);
	assert_int_equal(store_meta_get(s, "k", &v, &e), 0);
	assert_string_equal(v, "v1");
	free(v);
	assert_int_equal(store_meta_get(s, "absent", &v, &e), 0);
	assert_null(v);
	/* the fleet id of a writing connection, read at open */
	assert_int_equal(strlen(store_fleet_id(s)), 16);
	store_close(s);
	s = store_open(path_in("a.db"), STORE_READONLY, &e);
	assert_non_null(s);
	assert_int_equal(store_meta_set(s, "k", "v2", &e), -1);
	assert_int_equal(e.status, STATUS_DB);
	store_close(s);
}

static void
test_refusals(void **state)
{
	static const char	text[] = "2026-11-24 18:01:22,454 INFO app: hi\n";
	struct err		 e;
	struct store		*s;
	sqlite3			*db;

	(void)state;
	/* a text file given as the database */
	write_file(path_in("log.db"), text, sizeof(text) - 1);
	assert_null(store_open(path_in("log.db"), 0, &e));
	assert_int_equal(e.status, STATUS_DB);
	assert_non_null(strstr(e.msg, "log.db"));
	assert_non_null(strstr(e.msg, "not a database"));
	/* the file is left as it was */
	{
		struct stat sb;

		assert_int_equal(stat(path_in("log.db"), &sb), 0);
		assert_int_equal(sb.st_size, sizeof(text) - 1);
	}
	/* another application's database */
	assert_int_equal(sqlite3_open(path_in("other.db"), &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(path_in("other.db"), 0, &e));
	assert_non_null(strstr(e.msg, "not an aiosift database"));
	/* a newer schema */
	s = store_open(path_in("new.db"), 0, &e);
	assert_non_null(s);
	store_close(s);
	assert_int_equal(sqlite3_open(path_in("new.db"), &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 999", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(path_in("new.db"), 0, &e));
	assert_non_null(strstr(e.msg, "newer"));
	/* a directory, and a missing file read-only */
	assert_null(store_open(dir, 0, &e));
	assert_int_equal(e.status, STATUS_DB);
	assert_null(store_open(path_in("missing.db"), STORE_READONLY, &e));
	assert_int_equal(e.status, STATUS_DB);
}

static void
test_path(void **state)
{
	(void)state;
	assert_string_equal(store_path("x.db"), "x.db");
	setenv("AIOSIFT_DB", "/tmp/env.db", 1);
	assert_string_equal(store_path(NULL), "/tmp/env.db");
	unsetenv("AIOSIFT_DB");
	assert_string_equal(store_path(NULL), "aiosift.db");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_reopen),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_path),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
