/*
 * ddl: CREATE statements for the fleet's tables, IF NOT EXISTS so that
 * fleet init can run again. ClickHouse 18.16 has no DateTime64 (ts is
 * DateTime, the microseconds beside it), no TTL (old months are dropped
 * with ALTER TABLE ... DROP PARTITION) and no ON CLUSTER without
 * ZooKeeper, so every server of a cluster gets the statements itself.
 */
#include "fleet/ddl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

static const struct {
	const char	*name;
	const char	*cols;
	const char	*engine;
} ddl_tables[] = {
	{ "findings",
	  "host String, fid UInt64, ver UInt64, deleted UInt8, ts DateTime, "
	  "ts_us Nullable(Int64), kind String, rule String, severity UInt8, "
	  "task Nullable(String), coro Nullable(String), "
	  "exception Nullable(String), location Nullable(String), "
	  "message String, duration_us Nullable(Int64), source String, "
	  "stream String, line Int64, incident UInt64",
	  "ReplacingMergeTree(ver) PARTITION BY toYYYYMM(ts) "
	  "ORDER BY (toStartOfDay(ts), host, fid)" },
	{ "incidents",
	  "host String, uid UInt64, ver UInt64, deleted UInt8, ts DateTime, "
	  "first_us Nullable(Int64), last_us Nullable(Int64), "
	  "severity UInt8, kinds String, key Nullable(String), "
	  "task Nullable(String), coro Nullable(String), n Int64, "
	  "summary String, stream String",
	  "ReplacingMergeTree(ver) PARTITION BY toYYYYMM(ts) "
	  "ORDER BY (toStartOfDay(ts), host, uid)" },
	{ "counts",
	  "host String, cid UInt64, ver UInt64, deleted UInt8, ts DateTime, "
	  "minute Int64, source String, level String, logger String, n Int64",
	  "ReplacingMergeTree(ver) PARTITION BY toYYYYMM(ts) "
	  "ORDER BY (toStartOfDay(ts), host, cid)" },
	{ "hosts",
	  "host String, ts DateTime, ship_us Int64, prev_us Int64, "
	  "fleet_id String, rows UInt64",
	  "MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (host, ts)" },
	{ "findings_hourly",
	  "hour DateTime, host String, kind String, "
	  "findings AggregateFunction(uniqExact, UInt64)",
	  "AggregatingMergeTree PARTITION BY toYYYYMM(hour) "
	  "ORDER BY (hour, host, kind)" },
	{ "signature_days",
	  "host String, day DateTime, ver UInt64, kind String, coro String, "
	  "exception String, first_us Int64, n UInt64",
	  "ReplacingMergeTree(ver) PARTITION BY toYYYYMM(day) "
	  "ORDER BY (host, day, kind, coro, exception)" },
};

/* The rollups' views: target table, what they select from findings. */
static const struct {
	const char	*name;
	const char	*select;
} ddl_views[] = {
	{ "findings_hourly",
	  "SELECT toStartOfHour(ts) AS hour, host, kind, "
	  "uniqExactState(fid) AS findings FROM %F WHERE deleted = 0 "
	  "GROUP BY hour, host, kind" },
};

#define NELEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Append fmt with %F replaced by the findings storage table. */
static void
ddl_subst(struct buf *out, const char *fmt, const char *findings)
{
	const char	*p;

	for (p = fmt; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'F') {
			buf_adds(out, findings);
			p++;
		} else
			buf_addc(out, *p);
	}
}

void
ddl_fleet(struct buf *out, const char *db, const char *cluster)
{
	const char	*suffix = cluster != NULL ? "_local" : "";
	char		 findings[256];
	size_t		 i;

	snprintf(findings, sizeof(findings), "%s.findings%s", db, suffix);
	buf_printf(out, "CREATE DATABASE IF NOT EXISTS %s;\n", db);
	for (i = 0; i < NELEMS(ddl_tables); i++)
		buf_printf(out, "CREATE TABLE IF NOT EXISTS %s.%s%s (%s) "
		    "ENGINE = %s;\n", db, ddl_tables[i].name, suffix,
		    ddl_tables[i].cols, ddl_tables[i].engine);
	for (i = 0; i < NELEMS(ddl_views); i++) {
		buf_printf(out, "CREATE MATERIALIZED VIEW IF NOT EXISTS "
		    "%s.%s_mv TO %s.%s%s AS ", db, ddl_views[i].name, db,
		    ddl_views[i].name, suffix);
		ddl_subst(out, ddl_views[i].select, findings);
		buf_adds(out, ";\n");
	}
	if (cluster == NULL)
		return;
	for (i = 0; i < NELEMS(ddl_tables); i++)
		buf_printf(out, "CREATE TABLE IF NOT EXISTS %s.%s AS %s.%s_local "
		    "ENGINE = Distributed(%s, %s, %s_local, sipHash64(host));\n",
		    db, ddl_tables[i].name, db, ddl_tables[i].name, cluster,
		    db, ddl_tables[i].name);
}

char *
ddl_next(const char *sql, size_t *pos)
{
	const char	*p = sql + *pos, *end;

	if (*p == '\0')
		return NULL;
	if ((end = strstr(p, ";\n")) == NULL)
		end = p + strlen(p);
	*pos = (size_t)(end - sql) + (*end != '\0' ? 2 : 0);
	return xstrndup(p, (size_t)(end - p));
}
