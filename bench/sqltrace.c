/*
 * bench/sqltrace.c: an LD_PRELOAD shim that appends every SQL text aiosift
 * prepares to the file named by $BENCH_SQL_LOG, one statement per record
 * ending in a line "-- end", so that the benchmark can print EXPLAIN QUERY
 * PLAN of the queries aiosift really runs. aiosift itself is not changed.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;

typedef int prep2_fn(sqlite3 *, const char *, int, sqlite3_stmt **,
    const char **);
typedef int prep3_fn(sqlite3 *, const char *, int, unsigned int,
    sqlite3_stmt **, const char **);

int	sqlite3_prepare_v2(sqlite3 *, const char *, int, sqlite3_stmt **,
	    const char **);
int	sqlite3_prepare_v3(sqlite3 *, const char *, int, unsigned int,
	    sqlite3_stmt **, const char **);

static void
log_sql(const char *sql, int n)
{
	const char *path = getenv("BENCH_SQL_LOG");
	FILE *f;

	if (path == NULL || sql == NULL)
		return;
	if (n < 0)
		n = (int)strlen(sql);
	f = fopen(path, "a");
	if (f == NULL)
		return;
	fwrite(sql, 1, (size_t)n, f);
	fputs("\n-- end\n", f);
	fclose(f);
}

int
sqlite3_prepare_v2(sqlite3 *db, const char *sql, int n, sqlite3_stmt **st,
    const char **tail)
{
	static prep2_fn *real;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "sqlite3_prepare_v2");
	log_sql(sql, n);
	return real(db, sql, n, st, tail);
}

int
sqlite3_prepare_v3(sqlite3 *db, const char *sql, int n, unsigned int fl,
    sqlite3_stmt **st, const char **tail)
{
	static prep3_fn *real;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "sqlite3_prepare_v3");
	log_sql(sql, n);
	return real(db, sql, n, fl, st, tail);
}
