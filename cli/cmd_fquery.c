/*
 * cmd_fquery: the options of `query` and `report` when they ask the
 * fleet (--fleet URL): the local filters and formats, plus --host GLOB,
 * --user, --password-file and --timeout; `query hosts` is the fleet's
 * own question. The answers are fleet/fquery.c's.
 */
#include "cli/cmd_fquery.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliopt.h"
#include "cli/report_out.h"
#include "common/err.h"
#include "common/escape.h"
#include "common/record.h"
#include "common/severity.h"
#include "common/timefmt.h"
#include "fleet/fleeturl.h"
#include "fleet/fquery.h"
#include "query/filter.h"
#include "query/output.h"
#include "query/report.h"

#define FQ_DAY_US	(INT64_C(86400) * 1000000)

/* The options both take, after the command's own. */
enum { O_FLEET = 512, O_HOST, O_USER, O_PWFILE, O_TIMEOUT };
#define FQ_LONG_FLEET \
	{ "fleet", required_argument, NULL, O_FLEET }, \
	{ "host", required_argument, NULL, O_HOST }, \
	{ "user", required_argument, NULL, O_USER }, \
	{ "password-file", required_argument, NULL, O_PWFILE }, \
	{ "timeout", required_argument, NULL, O_TIMEOUT }

struct fleet_opts {
	const char	*url, *host, *user, *pwfile;
	double		 timeout_s;
};

/* Take option c into *fo when it is one of FQ_LONG_FLEET's: 1, or 0
 * when it is not, or the exit status after a message (a bad value). */
static int
fq_fleet_opt(const struct cliopt_cmd *cmd, int c, struct fleet_opts *fo)
{
	switch (c) {
	case O_FLEET:
		fo->url = optarg;
		return 1;
	case O_HOST:
		fo->host = optarg;
		return 1;
	case O_USER:
		fo->user = optarg;
		return 1;
	case O_PWFILE:
		fo->pwfile = optarg;
		return 1;
	case O_TIMEOUT:
		if (!fleeturl_seconds(optarg, &fo->timeout_s) ||
		    fo->timeout_s <= 0)
			return cliopt_bad_value(cmd, "timeout",
			    "a number of seconds");
		return 1;
	default:
		return 0;
	}
}

static const char fq_query_usage[] = "usage: aiosift query "
    "findings|incidents|stalls|tasks|top|hosts --fleet URL [--host GLOB]\n"
    "       [--user NAME] [--password-file FILE] [--timeout SECS] "
    "[OPTION]...\n";

static const char fq_query_help[] =
    "Ask the fleet (ClickHouse, filled by `aiosift ship`) what `aiosift\n"
    "query` asks one database: the same filters and formats (see `aiosift\n"
    "query --help`), with a host column; `hosts` lists each host's last\n"
    "ship and its usual interval, status silent when it has been quiet\n"
    "for more than twice that.\n"
    "\n"
    "Fleet options:\n"
    "  --fleet URL          http://HOST:8123/?database=NAME\n"
    "  --host GLOB          only these hosts (a name, or a glob: web-*)\n"
    "  --user NAME          a read-only ClickHouse user\n"
    "  --password-file FILE its password, the file's first line\n"
    "  --timeout SECS       give up after SECS (30)\n"
    "\n"
    "Incident numbers are the fleet's (the incident's stable id).\n"
    "\n"
    "Examples:\n"
    "  aiosift query findings --fleet http://ch:8123/?database=aiosift \\\n"
    "      --kind never_retrieved --since 7d --host 'web-*'\n"
    "  aiosift query hosts --fleet http://ch:8123/?database=aiosift\n"
    "\n"
    "Exit status: 0 ok, 2 usage error, 5 the fleet's server failed.\n";

static const char fq_report_usage[] = "usage: aiosift report --fleet URL "
    "[--host GLOB] [--since TIME] [--until TIME]\n"
    "       [--format text|markdown|json|html] [--fail-on SEVERITY] "
    "[--quiet]\n"
    "       [--out FILE] [--user NAME] [--password-file FILE]\n";

static const char fq_report_help[] =
    "The report of `aiosift report` over the fleet's hosts (ClickHouse,\n"
    "filled by `aiosift ship`): findings per kind against the period\n"
    "before, signatures these hosts (--host, else all) never showed\n"
    "before, top tasks and coroutines, the longest stalls and the\n"
    "incidents, each naming its host. The period is --since (default\n"
    "24h) to --until (now).\n"
    "Options as `aiosift report --help`, and --fleet, --host, --user,\n"
    "--password-file, --timeout as `aiosift query --fleet --help`.\n"
    "\n"
    "Example:\n"
    "  aiosift report --fleet http://ch:8123/?database=aiosift --since 24h\n";

bool
fleet_wanted(int argc, char *argv[])
{
	int	i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--fleet") == 0 ||
		    strncmp(argv[i], "--fleet=", 8) == 0)
			return true;
	}
	return false;
}

static int
fq_connect(struct fquery *q, const struct fleet_opts *fo)
{
	struct err	e;

	if (fquery_open(q, fo->url, fo->host, fo->user, fo->pwfile,
	    (long)(fo->timeout_s * 1000), &e) == -1) {
		return cliopt_fail(&e);
	}
	return 0;
}

/* A number of at least min; false after a message. */
static bool
fq_number(const struct cliopt_cmd *cmd, const char *name, const char *s,
    int64_t min, int64_t *v)
{
	char		*end;
	long long	 n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || n < min) {
		cliopt_bad_value(cmd, name, "not a number in range");
		return false;
	}
	*v = n;
	return true;
}

int
fleet_query_cmd(int argc, char *argv[])
{
	enum { O_SINCE = 256, O_UNTIL, O_KIND, O_SEV, O_TASK, O_CORO, O_EXC,
	    O_SOURCE, O_INCIDENT, O_LIMIT, O_FORMAT, O_BY };
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "kind", required_argument, NULL, O_KIND },
		{ "severity", required_argument, NULL, O_SEV },
		{ "task", required_argument, NULL, O_TASK },
		{ "coro", required_argument, NULL, O_CORO },
		{ "exception", required_argument, NULL, O_EXC },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "incident", required_argument, NULL, O_INCIDENT },
		{ "limit", required_argument, NULL, O_LIMIT },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "by", required_argument, NULL, O_BY },
		FQ_LONG_FLEET,
		CLIOPT_LONG_DB, CLIOPT_LONG_COLOR, CLIOPT_LONG_LOCAL,
		CLIOPT_LONG_HELP,
		{ NULL, 0, NULL, 0 },
	};
	static const char *const whats[] = { "findings", "stalls",
	    "incidents", "tasks", "top", "hosts" };
	static const struct cliopt_cmd cmd = { "query", fq_query_usage,
	    fq_query_help };
	struct fleet_opts	 fo = { NULL, NULL, NULL, NULL, 30 };
	struct fquery_out	 o;
	struct filter		 f;
	struct fquery		 q;
	struct err		 e;
	const char		*db = NULL, *color = NULL;
	bool			 local = false;
	const struct cliopt_shared shl = { &db, &color, &local };
	int64_t			 now = timefmt_now_us();
	int			 c, rc, what = -1;
	size_t			 i;

	memset(&o, 0, sizeof(o));
	filter_init(&f);
	o.fmt = OUTPUT_TABLE;
	o.now_us = now;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case O_SINCE:
		case O_UNTIL:
			if ((rc = cliopt_time(&cmd, c == O_SINCE ? "since" :
			    "until", optarg, now, true, c == O_SINCE ?
			    &f.since_us : &f.until_us)) != 0)
				return rc;
			break;
		case O_KIND:
			f.kind = optarg;
			break;
		case O_SEV:
			if (!severity_parse(optarg, &f.severity))
				return cliopt_bad_value(&cmd, "severity",
				    "use info, warning, error or critical");
			break;
		case O_TASK:
			f.task = optarg;
			break;
		case O_CORO:
			f.coro = optarg;
			break;
		case O_EXC:
			f.exception = optarg;
			break;
		case O_SOURCE:
			f.source = optarg;
			break;
		case O_INCIDENT:
			if (!fq_number(&cmd, "incident", optarg, 0,
			    &f.incident))
				return STATUS_USAGE;
			break;
		case O_LIMIT:
			if (!fq_number(&cmd, "limit", optarg, 1, &f.limit))
				return STATUS_USAGE;
			break;
		case O_FORMAT:
			if (!output_format_parse(optarg, &o.fmt))
				return cliopt_bad_value(&cmd, "format",
				    "use table, json, ndjson or csv");
			break;
		case O_BY:
			o.by = optarg;
			break;
		default:
			if ((rc = fq_fleet_opt(&cmd, c, &fo)) == 1)
				break;
			if (rc != 0)
				return rc;
			if ((rc = cliopt_take(&cmd, c, argv, &shl)) != 0)
				return rc < 0 ? STATUS_OK : rc;
			break;
		}
	}
	if (optind < argc)
		for (i = 0; i < sizeof(whats) / sizeof(whats[0]); i++)
			if (strcmp(argv[optind], whats[i]) == 0)
				what = (int)i;
	if (what < 0)
		return cliopt_usage("query", fq_query_usage, optind < argc ?
		    "with --fleet: findings, incidents, stalls, tasks, top or "
		    "hosts" : "what to query is missing");
	if (optind + 1 < argc)
		return cliopt_usage("query", fq_query_usage,
		    "too many arguments");
	if (o.by != NULL && what != FQ_TOP)
		return cliopt_usage("query", fq_query_usage,
		    "--by is for query top");
	if (f.since_us != TS_NONE && f.until_us != TS_NONE &&
	    f.until_us <= f.since_us)
		return cliopt_usage("query", fq_query_usage,
		    "--until must be after --since");
	if (output_color(stdout, color))
		o.flags |= OUTPUT_COLOR;
	if (local)
		o.flags |= OUTPUT_LOCAL;
	if ((rc = fq_connect(&q, &fo)) != 0)
		return rc;
	rc = fquery_ask(&q, (enum fquery_what)what, &f, &o, &e);
	fquery_close(&q);
	if (rc == -1) {
		return cliopt_fail(&e);
	}
	return STATUS_OK;
}

int
fleet_report_cmd(int argc, char *argv[])
{
	enum { O_SINCE = 256, O_UNTIL, O_FORMAT, O_FAIL, O_QUIET, O_OUT };
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "fail-on", required_argument, NULL, O_FAIL },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "out", required_argument, NULL, O_OUT },
		FQ_LONG_FLEET,
		CLIOPT_LONG_DB, CLIOPT_LONG_HELP,
		{ NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "text", "markdown", "json",
	    "html" };
	static const struct cliopt_cmd cmd = { "report", fq_report_usage,
	    fq_report_help };
	struct fleet_opts	 fo = { NULL, NULL, NULL, NULL, 30 };
	struct report		 r;
	struct fquery		 q;
	struct err		 e;
	const char		*db = NULL, *out = NULL;
	const struct cliopt_shared sh = { &db, NULL, NULL };
	int64_t			 now = timefmt_now_us(), since = TS_NONE,
				 until = TS_NONE;
	enum report_format	 fmt = RF_TEXT;
	int			 c, i, rc, fail_on = 0, st;
	bool			 quiet = false;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
		switch (c) {
		case O_SINCE:
		case O_UNTIL:
			if ((rc = cliopt_time(&cmd, c == O_SINCE ? "since" :
			    "until", optarg, now, true, c == O_SINCE ?
			    &since : &until)) != 0)
				return rc;
			break;
		case O_FORMAT:
			if ((i = cliopt_choice(optarg, formats,
			    sizeof(formats) / sizeof(formats[0]))) < 0)
				return cliopt_bad_value(&cmd, "format", "with "
				    "--fleet: text, markdown, json or html");
			fmt = (enum report_format)i;
			break;
		case O_FAIL:
			if (!severity_parse(optarg, &fail_on))
				return cliopt_bad_value(&cmd, "fail-on",
				    "use info, warning, error or critical");
			break;
		case 'q':
		case O_QUIET:
			quiet = true;
			break;
		case O_OUT:
			out = optarg;
			break;
		default:
			if ((rc = fq_fleet_opt(&cmd, c, &fo)) == 1)
				break;
			if (rc != 0)
				return rc;
			if ((rc = cliopt_take(&cmd, c, argv, &sh)) != 0)
				return rc < 0 ? STATUS_OK : rc;
			break;
		}
	}
	if (optind < argc)
		return cliopt_usage("report", fq_report_usage,
		    "no arguments, only options");
	if (until == TS_NONE)
		until = now;
	if (since == TS_NONE)
		since = until - FQ_DAY_US;
	if (since >= until)
		return cliopt_usage("report", fq_report_usage,
		    "--until must be after --since");
	if ((rc = fq_connect(&q, &fo)) != 0)
		return rc;
	rc = fquery_report(&q, &r, since, until, &e);
	fquery_close(&q);
	if (rc == -1) {
		report_release(&r);
		return cliopt_fail(&e);
	}
	st = fail_on > 0 && r.worst >= fail_on ? STATUS_FINDINGS : STATUS_OK;
	if (out != NULL) {
		if (report_out(out, &r, NULL, fmt, &e) == -1) {
			report_release(&r);
			return cliopt_fail(&e);
		}
	} else if (!quiet || st != STATUS_OK)
		report_write(stdout, &r, NULL, fmt);
	report_release(&r);
	return st;
}
