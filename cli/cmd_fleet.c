/*
 * cmd_fleet: `aiosift fleet init`, making the fleet's database and tables
 * on each ClickHouse server (fleet/ddl.h), or printing the statements.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/buf.h"
#include "common/err.h"
#include "common/escape.h"
#include "common/xmalloc.h"
#include "fleet/clickhouse.h"
#include "fleet/ddl.h"
#include "fleet/fleeturl.h"

#define FLEET_MAX_SERVERS	64

static const char fleet_usage[] =
    "usage: aiosift fleet init --to URL [--to URL]... [--cluster NAME] "
    "[--print]\n"
    "                          [--user NAME] [--password-file FILE] "
    "[--timeout SECS]\n";

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

static int
fleet_init(int argc, char *argv[])
{
	enum { O_TO = 256, O_CLUSTER, O_PRINT, O_USER, O_PWFILE, O_TIMEOUT };
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, O_TO },
		{ "cluster", required_argument, NULL, O_CLUSTER },
		{ "print", no_argument, NULL, O_PRINT },
		{ "user", required_argument, NULL, O_USER },
		{ "password-file", required_argument, NULL, O_PWFILE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*to[FLEET_MAX_SERVERS];
	struct fleeturl		 u;
	struct clickhouse	*ch = NULL;
	struct buf		 ddl;
	struct err		 e;
	const char		*cluster = NULL, *user = NULL, *pwfile = NULL;
	char			*password = NULL, *stmt, *base = NULL;
	double			 timeout_s = 30;
	size_t			 nto = 0, i, pos;
	bool			 print = false;
	int			 c, status = STATUS_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case O_TO:
			if (nto == FLEET_MAX_SERVERS)
				return fleet_bad("too many --to");
			to[nto++] = optarg;
			break;
		case O_CLUSTER:
			cluster = optarg;
			if (!fleeturl_ident(cluster))
				return fleet_bad("--cluster: not a name");
			break;
		case O_PRINT:
			print = true;
			break;
		case O_USER:
			user = optarg;
			break;
		case O_PWFILE:
			pwfile = optarg;
			break;
		case O_TIMEOUT:
			if (!fleeturl_seconds(optarg, &timeout_s) ||
			    timeout_s <= 0)
				return fleet_bad("bad --timeout");
			break;
		case 'h':
			printf("%s%s", fleet_usage, fleet_help);
			return STATUS_OK;
		default:
			return fleet_bad("unknown or incomplete option");
		}
	}
	if (optind < argc)
		return fleet_bad("init takes no arguments");
	if (nto == 0)
		return fleet_bad("init needs --to URL");
	buf_init(&ddl, (size_t)-1);
	if (pwfile != NULL && (password = fleeturl_password(pwfile, &e)) ==
	    NULL) {
		err_print(&e);
		status = e.status;
		goto out;
	}
	for (i = 0; i < nto; i++) {
		if (fleeturl_parse(to[i], &u, &e) == -1) {
			err_print(&e);
			status = e.status;
			goto out;
		}
		buf_reset(&ddl);
		ddl_fleet(&ddl, u.database, cluster);
		if (print) {
			fwrite(ddl.data, 1, ddl.len, stdout);
			fleeturl_release(&u);
			break;		/* the same for every server */
		}
		free(base);
		base = xstrdup(u.base);
		fleeturl_release(&u);
		if ((ch = clickhouse_new(base, user, password,
		    (long)(timeout_s * 1000), &e)) == NULL) {
			err_print(&e);
			status = e.status;
			goto out;
		}
		pos = 0;
		while ((stmt = ddl_next(ddl.data, &pos)) != NULL) {
			int rc = clickhouse_query(ch, stmt, NULL, &e);

			free(stmt);
			if (rc == -1) {
				err_print(&e);
				status = e.status;
				goto out;
			}
		}
		clickhouse_free(ch);
		ch = NULL;
		printf("initialized %s%s%s\n", base, cluster ? " for cluster " :
		    "", cluster ? cluster : "");
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

int
cmd_fleet(int argc, char *argv[])
{
	if (argc >= 2 && strcmp(argv[1], "init") == 0)
		return fleet_init(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("%s%s", fleet_usage, fleet_help);
		return STATUS_OK;
	}
	return fleet_bad(argc < 2 ? "a subcommand: init" :
	    "unknown subcommand (init)");
}
