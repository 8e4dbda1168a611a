#ifndef FLEET_CLICKHOUSE_H
#define FLEET_CLICKHOUSE_H

#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

/*
 * clickhouse: a ClickHouse server over HTTP (libcurl). The URL is the
 * user's --to, http://HOST:8123/?database=NAME; credentials go as HTTP
 * basic auth, never in the URL. Every failure (refused, timeout, a
 * response cut short, any status but 200, with ClickHouse's own "Code: N"
 * message) is STATUS_REMOTE, the message naming the URL.
 */
struct clickhouse;

/* A connection to url as user (NULL: the server's default) with password
 * (NULL: none); timeout_ms bounds each request. */
struct clickhouse	*clickhouse_new(const char *url, const char *user,
			    const char *password, long timeout_ms,
			    struct err *e);
void			 clickhouse_free(struct clickhouse *c);

/* The URL as shown in messages: any password= parameter hidden. */
const char	*clickhouse_url(const struct clickhouse *c);

/* INSERT n bytes of JSONEachRow rows into table, gzip-compressed, as
 * one request; on a Distributed table, synchronously on every shard. */
int	clickhouse_insert(struct clickhouse *c, const char *table,
	    const char *rows, size_t n, struct err *e);

/* The same for n tables at once, in parallel requests; 0 when every one
 * answered 200, else -1 with *e naming the first that failed. */
int	clickhouse_insert_all(struct clickhouse *c, size_t n,
	    const char *const tables[], const struct buf *const rows[],
	    struct err *e);

/* Run one statement; its response (TabSeparated unless the statement
 * says otherwise) is appended to *out when out is not NULL. */
int	clickhouse_query(struct clickhouse *c, const char *sql,
	    struct buf *out, struct err *e);

/* Run n statements at once, in parallel requests; the response of the
 * i-th is appended to *outs[i]. 0 when all answered 200. */
int	clickhouse_query_all(struct clickhouse *c, size_t n,
	    const char *const sqls[], struct buf *outs[], struct err *e);

/* sql with s appended as a ClickHouse string literal: quoted, with \ '
 * and every control and non-ASCII byte escaped as \xNN, byte-exact. */
void	clickhouse_quote(struct buf *sql, const char *s, size_t n);

#endif
