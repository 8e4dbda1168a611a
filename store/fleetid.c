/*
 * fleetid: 64-bit ids for shipping. FNV-1a over the fields, each ended
 * by a separator byte that no decimal number holds, then a 64-bit
 * finalizer (splitmix64's) so near keys spread over the whole range.
 */
#include "store/fleetid.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

static uint64_t
fnv_add(uint64_t h, const void *p, size_t n)
{
	const unsigned char	*s = p;
	size_t			 i;

	for (i = 0; i < n; i++) {
		h ^= s[i];
		h *= FNV_PRIME;
	}
	h ^= 0x1f;		/* the field's end */
	return h * FNV_PRIME;
}

static uint64_t
fnv_int(uint64_t h, int64_t v)
{
	char	num[32];
	int	n = snprintf(num, sizeof(num), "%" PRId64, v);

	return fnv_add(h, num, (size_t)n);
}

static int64_t
fleetid_final(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (int64_t)h;
}

int64_t
fleetid_finding(const char *db_id, int64_t source_id, int64_t offset,
    const char *rule, int64_t ordinal)
{
	uint64_t	h = FNV_OFFSET;

	h = fnv_add(h, "f", 1);
	h = fnv_add(h, db_id, strlen(db_id));
	h = fnv_int(h, source_id);
	h = fnv_int(h, offset);
	h = fnv_add(h, rule, strlen(rule));
	h = fnv_int(h, ordinal);
	return fleetid_final(h);
}

int64_t
fleetid_count(const char *db_id, int64_t source_id, int64_t minute,
    const char *level, size_t level_n, const char *logger, size_t logger_n)
{
	uint64_t	h = FNV_OFFSET;

	h = fnv_add(h, "c", 1);
	h = fnv_add(h, db_id, strlen(db_id));
	h = fnv_int(h, source_id);
	h = fnv_int(h, minute);
	h = fnv_add(h, level, level_n);
	h = fnv_add(h, logger, logger_n);
	return fleetid_final(h);
}

static void
fleetid_sql(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char	*db_id = (const char *)sqlite3_value_text(argv[0]);
	const char	*rule = (const char *)sqlite3_value_text(argv[3]);

	(void)argc;
	sqlite3_result_int64(ctx, fleetid_finding(db_id ? db_id : "",
	    sqlite3_value_int64(argv[1]), sqlite3_value_int64(argv[2]),
	    rule ? rule : "", sqlite3_value_int64(argv[4])));
}

static void
fleetid_count_sql(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char	*db_id = (const char *)sqlite3_value_text(argv[0]);
	const char	*level = (const char *)sqlite3_value_text(argv[3]);
	const char	*logger = (const char *)sqlite3_value_text(argv[4]);

	(void)argc;
	sqlite3_result_int64(ctx, fleetid_count(db_id ? db_id : "",
	    sqlite3_value_int64(argv[1]), sqlite3_value_int64(argv[2]),
	    level ? level : "", (size_t)sqlite3_value_bytes(argv[3]),
	    logger ? logger : "", (size_t)sqlite3_value_bytes(argv[4])));
}

int
fleetid_register(sqlite3 *db)
{
	int	rc;

	rc = sqlite3_create_function(db, "aiosift_fid", 5, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, NULL, fleetid_sql, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db, "aiosift_cid", 5,
		    SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
		    fleetid_count_sql, NULL, NULL);
	return rc;
}
