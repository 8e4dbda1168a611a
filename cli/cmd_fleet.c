/*
 * cmd_fleet: `aiosift fleet init`, making the fleet's database and tables
 * on each ClickHouse server (fleet/ddl.h), or printing the statements;
 * `fleet cursors` and `fleet forget`, this host's destinations.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliopt.h"
#include "cli/commands.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/escape.h"
#include "common/xmalloc.h"
#include "fleet/clickhouse.h"
#include "fleet/ddl.h"
#include "fleet/fleeturl.h"
#include "fleet/ship.h"
#include "query/output.h"
#include "store/outbox.h"
#include "store/store.h"

#define FLEET_MAX_SERVERS	64

static const char fleet_usage[] =
    "usage: aiosift fleet init --to URL [--to URL]... [--cluster NAME] "
    "[--print]\n"
    "                          [--user NAME] [--password-file FILE] "
    "[--timeout SECS]\n"
    "       aiosift fleet cursors [--db FILE]\n"
    "       aiosift fleet forget (--to URL | --exec COMMAND) [--host NAME] "
    "[--db FILE]\n";

static const char fleet_help[] =
    "\n"
    "Create the fleet's database and tables on ClickHouse (18.16 or\n"
    "later): findings, incidents, counts (ReplacingMergeTree, read with\n"
    "FINAL), hosts, signature_days (each host's signatures per day, for\n"
    "\"new signatures\") and the rollup findings_hourly. With\n"
    "--cluster NAME (a cluster of the servers' remote_servers), the\n"
    "tables are NAME_local on each server plus Distributed tables sharded\n"
    "by host; give every server of the cluster with its own --to, since\n"
    "ClickHouse needs ZooKeeper to run DDL on a cluster itself. Running\n"
    "it again changes nothing. --print prints the statements instead.\n"
    "\n"
    "Options:\n"
    "  --to URL             http://HOST:8123/?database=NAME (repeatable)\n"
    "  --cluster NAME       shard over this cluster\n"
    "  --print              print the DDL, connect to nothing\n"
    "  --user NAME          a ClickHouse user allowed DDL\n"
    "  --password-file FILE its password, the file's first line\n"
    "  --timeout SECS       give up on a request after SECS (30)\n"
    "\n"
    "`fleet cursors` lists the destinations this database ships to: each\n"
    "one's last ship and the changes it has not taken yet, which the\n"
    "database keeps for it (its outbox). `fleet forget` drops the cursor\n"
    "of a destination that will not ship again (--to or --exec and --host\n"
    "as `aiosift ship` was given them) and the changes only it still\n"
    "needed: else the outbox grows with every change for as long as the\n"
    "database lives. Shipping there again later sends everything.\n"
    "\n"
    "Old months are dropped, since 18.16 has no TTL, from cron:\n"
    "  ALTER TABLE NAME.findings_local DROP PARTITION 202601 (each table,\n"
    "  each server)\n"
    "\n"
    "Examples:\n"
    "  aiosift fleet init --to 'http://ch1:8123/?database=aiosift'\n"
    "  aiosift fleet init --cluster fleet --to 'http://ch1:8123/?database="
    "aiosift' \\\n"
    "      --to 'http://ch2:8123/?database=aiosift'\n";

static int
fleet_bad(const char *why)
{
	fputs("aiosift: fleet: ", stderr);
	escape_terminal(stderr, why, strlen(why));
	fprintf(stderr, "\n%s", fleet_usage);
	return STATUS_USAGE;
}

/* The options of every fleet subcommand, parsed by one table (each
 * subcommand then refuses those that are another's). */
struct fleet_args {
	const char	*to[FLEET_MAX_SERVERS];
	size_t		 nto;
	const char	*cluster, *user, *pwfile, *db, *exec, *host;
	double		 timeout_s;
	bool		 print, timeout;
};

/* Parse argv into *a: 0, or the exit status (-1: --help printed). */
static int
fleet_parse(int argc, char *argv[], struct fleet_args *a)
{
	enum { O_TO = 256, O_CLUSTER, O_PRINT, O_USER, O_PWFILE, O_TIMEOUT,
	    O_DB, O_EXEC, O_HOST };
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, O_TO },
		{ "cluster", required_argument, NULL, O_CLUSTER },
		{ "print", no_argument, NULL, O_PRINT },
		{ "user", required_argument, NULL, O_USER },
		{ "password-file", required_argument, NULL, O_PWFILE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "db", required_argument, NULL, O_DB },
		{ "exec", required_argument, NULL, O_EXEC },
		{ "host", required_argument, NULL, O_HOST },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	c;

	memset(a, 0, sizeof(*a));
	a->timeout_s = 30;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_TO:
			if (a->nto == FLEET_MAX_SERVERS)
				return fleet_bad("too many --to");
			a->to[a->nto++] = optarg;
			break;
		case O_CLUSTER:
			a->cluster = optarg;
			if (!fleeturl_ident(a->cluster))
				return fleet_bad("--cluster: not a name");
			break;
		case O_PRINT:
			a->print = true;
			break;
		case O_USER:
			a->user = optarg;
			break;
		case O_PWFILE:
			a->pwfile = optarg;
			break;
		case O_TIMEOUT:
			if (!fleeturl_seconds(optarg, &a->timeout_s) ||
			    a->timeout_s <= 0)
				return fleet_bad("bad --timeout");
			a->timeout = true;
			break;
		case O_DB:
			a->db = optarg;
			break;
		case O_EXEC:
			a->exec = optarg;
			break;
		case O_HOST:
			a->host = optarg;
			break;
		case 'h':
			printf("%s%s", fleet_usage, fleet_help);
			return -1;
		default:
			return fleet_bad("unknown or incomplete option");
		}
	}
	if (optind < argc)
		return fleet_bad("takes no arguments");
	return 0;
}

static int
fleet_init(int argc, char *argv[])
{
	struct fleet_args	 a;
	struct fleeturl		 u;
	struct clickhouse	*ch = NULL;
	struct buf		 ddl;
	struct err		 e;
	char			*password = NULL, *stmt, *base = NULL;
	size_t			 i, pos;
	int			 status = STATUS_OK;

	if ((status = fleet_parse(argc, argv, &a)) != 0)
		return status < 0 ? STATUS_OK : status;
	if (a.db != NULL || a.exec != NULL || a.host != NULL)
		return fleet_bad("init: --db, --exec and --host are for "
		    "cursors and forget");
	if (a.nto == 0)
		return fleet_bad("init needs --to URL");
	buf_init(&ddl, (size_t)-1);
	if (a.pwfile != NULL && (password = fleeturl_password(a.pwfile,
	    &e)) == NULL) {
		status = cliopt_fail(&e);
		goto out;
	}
	for (i = 0; i < a.nto; i++) {
		if (fleeturl_parse(a.to[i], &u, &e) == -1) {
			status = cliopt_fail(&e);
			goto out;
		}
		buf_reset(&ddl);
		ddl_fleet(&ddl, u.database, a.cluster);
		if (a.print) {
			fwrite(ddl.data, 1, ddl.len, stdout);
			fleeturl_release(&u);
			break;		/* the same for every server */
		}
		free(base);
		base = xstrdup(u.base);
		fleeturl_release(&u);
		if ((ch = clickhouse_new(base, a.user, password,
		    (long)(a.timeout_s * 1000), &e)) == NULL) {
			status = cliopt_fail(&e);
			goto out;
		}
		pos = 0;
		while ((stmt = ddl_next(ddl.data, &pos)) != NULL) {
			int rc = clickhouse_query(ch, stmt, NULL, &e);

			free(stmt);
			if (rc == -1) {
				status = cliopt_fail(&e);
				goto out;
			}
		}
		clickhouse_free(ch);
		ch = NULL;
		printf("initialized %s%s%s\n", base, a.cluster ?
		    " for cluster " : "", a.cluster ? a.cluster : "");
	}
out:
	clickhouse_free(ch);
	free(base);
	buf_release(&ddl);
	if (password != NULL) {
		memset(password, 0, strlen(password));
		free(password);
	}
	return status;
}

/* fleet cursors | fleet forget: this host's side, its database. */
static int
fleet_cursors(int argc, char *argv[], bool forget)
{
	struct fleet_args	 a;
	struct ship_opts	 o;
	struct store		*s;
	struct buf		 dest;
	struct err		 e;
	sqlite3_stmt		*st;
	char			 hostname[256], when[40];
	bool			 found;
	int			 status;

	if ((status = fleet_parse(argc, argv, &a)) != 0)
		return status < 0 ? STATUS_OK : status;
	if (a.nto > 1 || a.cluster != NULL || a.print || a.user != NULL ||
	    a.pwfile != NULL || a.timeout)
		return fleet_bad("--cluster, --print, --user, --password-file, "
		    "--timeout and more than one --to are for init");
	memset(&o, 0, sizeof(o));
	o.url = a.nto ? a.to[0] : NULL;
	o.exec = a.exec;
	o.host = a.host;
	if (!forget && (o.url != NULL || o.exec != NULL || o.host != NULL))
		return fleet_bad("cursors takes only --db");
	if (forget && (o.url == NULL) == (o.exec == NULL))
		return fleet_bad("forget: give one of --to and --exec");
	if (o.host == NULL)
		o.host = ship_hostname(hostname, sizeof(hostname));
	if ((s = store_open(store_path(a.db), forget ? 0 : STORE_READONLY,
	    &e)) == NULL) {
		return cliopt_fail(&e);
	}
	buf_init(&dest, (size_t)-1);
	if (forget) {
		ship_dest(&dest, &o);
		if (outbox_forget(s, dest.data, &found, &e) == -1) {
			status = cliopt_fail(&e);
		} else if (!found) {
			fputs("aiosift: fleet forget: no cursor for ", stderr);
			escape_terminal(stderr, dest.data, dest.len);
			fputs(" (see aiosift fleet cursors)\n", stderr);
			status = STATUS_USAGE;
		} else {
			fputs("forgot ", stdout);
			escape_terminal(stdout, dest.data, dest.len);
			fputc('\n', stdout);
		}
	} else if ((st = outbox_destinations(s, &e)) == NULL) {
		status = cliopt_fail(&e);
	} else {
		printf("%-24s %10s  %s\n", "LAST SHIP", "NOT TAKEN",
		    "DESTINATION (HOST URL)");
		while (sqlite3_step(st) == SQLITE_ROW) {
			int64_t	us = sqlite3_column_int64(st, 2);

			if (us > 0)
				output_time(us, false, when);
			printf("%-24s %10lld  ", us > 0 ? when : "never",
			    sqlite3_column_int64(st, 1) < 0 ? -1LL :
			    (long long)sqlite3_column_int64(st, 3));
			escape_terminal(stdout, (const char *)
			    sqlite3_column_text(st, 0), (size_t)
			    sqlite3_column_bytes(st, 0));
			fputc('\n', stdout);
		}
		sqlite3_finalize(st);
	}
	buf_release(&dest);
	store_close(s);
	return status;
}

int
cmd_fleet(int argc, char *argv[])
{
	if (argc >= 2 && strcmp(argv[1], "init") == 0)
		return fleet_init(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "cursors") == 0)
		return fleet_cursors(argc - 1, argv + 1, false);
	if (argc >= 2 && strcmp(argv[1], "forget") == 0)
		return fleet_cursors(argc - 1, argv + 1, true);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("%s%s", fleet_usage, fleet_help);
		return STATUS_OK;
	}
	return fleet_bad(argc < 2 ? "a subcommand: init, cursors or forget" :
	    "unknown subcommand (init, cursors, forget)");
}
