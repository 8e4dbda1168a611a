#ifndef FLEET_DDL_H
#define FLEET_DDL_H

#include <stddef.h>

#include "common/buf.h"

/*
 * ddl: the fleet's ClickHouse tables (FLEET.md). findings, incidents
 * and counts are ReplacingMergeTree(ver), partitioned by month, sorted
 * by (day, host, id): a resend replaces, a deletion is a row with
 * deleted = 1, read with FINAL. hosts has a row per ship. Two rollups a
 * resend cannot inflate: findings_hourly (uniqExact of the ids per hour,
 * host and kind) and signatures (first and last seen per kind, coroutine
 * and exception). With a cluster, each of these is NAME_local on every
 * server and NAME a Distributed table over them, sharded by
 * sipHash64(host), so that every version of a host's row meets on one
 * shard.
 */

/* The statements for database db (an identifier) and cluster (NULL:
 * one server), each ended by ";\n", appended to *out. */
void	ddl_fleet(struct buf *out, const char *db, const char *cluster);

/* The next statement of sql from *pos on, without its ";\n"; NULL at
 * the end. The caller frees it. */
char	*ddl_next(const char *sql, size_t *pos);

#endif
