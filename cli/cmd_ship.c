/*
 * cmd_ship: `aiosift ship`, sending what changed in this host's database
 * to the fleet (fleet/ship.h): to ClickHouse with --to, or to any command
 * with --exec. From cron, with --jitter so that a thousand hosts do not
 * arrive in the same second.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cliopt.h"
#include "cli/commands.h"
#include "common/err.h"
#include "common/escape.h"
#include "fleet/fleeturl.h"
#include "fleet/ship.h"
#include "store/store.h"

static const char ship_usage[] =
    "usage: aiosift ship (--to URL | --exec COMMAND) [--db FILE] "
    "[--host NAME]\n"
    "                    [--user NAME] [--password-file FILE] "
    "[--timeout SECS]\n"
    "                    [--jitter SECS] [-q]\n";

static const char ship_help[] =
    "\n"
    "Send what changed in the database since the last successful ship to\n"
    "this destination: findings, incidents, per-minute counts (deletions\n"
    "too, after a rescan or --reread), and a row for this host. To\n"
    "ClickHouse (`aiosift fleet init` makes its tables) as gzip\n"
    "JSONEachRow over HTTP; with --exec, as JSON lines on the stdin of\n"
    "COMMAND (run by /bin/sh once per table, $AIOSIFT_TABLE naming it:\n"
    "findings, incidents, counts, hosts). Each destination has its own\n"
    "cursor, moved only after the server answered 200 (or COMMAND exited\n"
    "0); a failure leaves it, so the next run sends the same rows again,\n"
    "which the fleet's tables collapse.\n"
    "\n"
    "Options:\n"
    "  --to URL             http://HOST:8123/?database=NAME\n"
    "  --exec COMMAND       pipe the rows to COMMAND instead\n"
    "  --db FILE            database (default: $AIOSIFT_DB, else "
    "./aiosift.db)\n"
    "  --host NAME          this host's name in the fleet (default: the\n"
    "                       hostname)\n"
    "  --user NAME          ClickHouse user (default: the server's "
    "default)\n"
    "  --password-file FILE its password, the file's first line\n"
    "  --timeout SECS       give up on a request after SECS (30)\n"
    "  --jitter SECS        first sleep a random time up to SECS, so "
    "hosts\n"
    "                       run from cron spread out (0)\n"
    "  -q, --quiet          no summary line\n"
    "\n"
    "Exit status: 0 shipped; 2 usage error; 4 database error; 5 the\n"
    "destination failed (refused, timed out, HTTP error: its message is\n"
    "printed; nothing is lost, the next run sends it again).\n"
    "\n"
    "Examples:\n"
    "  aiosift ship --to 'http://fleet:8123/?database=aiosift' "
    "--user shipper \\\n"
    "      --password-file /etc/aiosift/ship.pw --jitter 300\n"
    "  aiosift ship --exec 'clickhouse-client --query \"INSERT INTO "
    "$AIOSIFT_TABLE\n"
    "      FORMAT JSONEachRow\"'\n";

static void
ship_jitter(double max_s)
{
	struct timespec	ts;
	double		s;
	unsigned	seed;

	if (max_s <= 0)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	seed = (unsigned)ts.tv_nsec ^ (unsigned)getpid() << 16;
	s = max_s * ((double)rand_r(&seed) / ((double)RAND_MAX + 1));
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
cmd_ship(int argc, char *argv[])
{
	enum { O_DB = 256, O_TO, O_EXEC, O_HOST, O_USER, O_PWFILE, O_TIMEOUT,
	    O_JITTER };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "to", required_argument, NULL, O_TO },
		{ "exec", required_argument, NULL, O_EXEC },
		{ "host", required_argument, NULL, O_HOST },
		{ "user", required_argument, NULL, O_USER },
		{ "password-file", required_argument, NULL, O_PWFILE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "jitter", required_argument, NULL, O_JITTER },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ship_opts	 o;
	struct ship_stats	 st;
	struct store		*s = NULL;
	struct err		 e;
	const char		*db = NULL, *pwfile = NULL;
	char			*password = NULL, hostname[256];
	double			 timeout_s = 30, jitter_s = 0;
	bool			 quiet = false;
	int			 c, status = STATUS_OK;

	memset(&o, 0, sizeof(o));
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
		switch (c) {
		case O_DB:
			db = optarg;
			break;
		case O_TO:
			o.url = optarg;
			break;
		case O_EXEC:
			o.exec = optarg;
			break;
		case O_HOST:
			o.host = optarg;
			break;
		case O_USER:
			o.user = optarg;
			break;
		case O_PWFILE:
			pwfile = optarg;
			break;
		case O_TIMEOUT:
		case O_JITTER:
			if (!fleeturl_seconds(optarg, c == O_TIMEOUT ? &timeout_s :
			    &jitter_s) || (c == O_TIMEOUT && timeout_s <= 0)) {
				fprintf(stderr, "aiosift: ship: bad %s\n%s",
				    c == O_TIMEOUT ? "--timeout" : "--jitter",
				    ship_usage);
				return STATUS_USAGE;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			printf("%s%s", ship_usage, ship_help);
			return STATUS_OK;
		default:
			fprintf(stderr, "aiosift: ship: unknown or incomplete "
			    "option\n%s", ship_usage);
			return STATUS_USAGE;
		}
	}
	if (optind < argc || (o.url == NULL) == (o.exec == NULL)) {
		fprintf(stderr, "aiosift: ship: %s\n%s", optind < argc ?
		    "takes no arguments" : "give one of --to and --exec",
		    ship_usage);
		return STATUS_USAGE;
	}
	if (o.host == NULL)
		o.host = ship_hostname(hostname, sizeof(hostname));
	if (*o.host == '\0') {
		fprintf(stderr, "aiosift: ship: empty --host\n%s", ship_usage);
		return STATUS_USAGE;
	}
	o.timeout_ms = (long)(timeout_s * 1000);
	if (pwfile != NULL && (password = fleeturl_password(pwfile, &e)) ==
	    NULL) {
		return cliopt_fail(&e);
	}
	o.password = password;
	ship_jitter(jitter_s);
	if ((s = store_open(store_path(db), 0, &e)) == NULL ||
	    ship_run(s, &o, &st, &e) == -1) {
		status = cliopt_fail(&e);
	} else if (!quiet) {
		printf("shipped %lld findings, %lld incidents, %lld counts "
		    "(%lld deletions%s) as host '",
		    (long long)st.rows[OUTBOX_FINDINGS],
		    (long long)st.rows[OUTBOX_INCIDENTS],
		    (long long)st.rows[OUTBOX_COUNTS], (long long)st.deleted,
		    st.full ? ", everything: a new destination" : "");
		escape_terminal(stdout, o.host, strlen(o.host));
		fputs("'\n", stdout);
	}
	store_close(s);
	if (password != NULL) {
		memset(password, 0, strlen(password));
		free(password);
	}
	return status;
}
