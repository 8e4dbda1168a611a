/*
 * cmd_report: `aiosift report`, a period's summary for cron or a person.
 * The period runs from --since (default: the end of the previous report
 * of this database, kept in meta 'last_report_us'; the first time, 24 h
 * back) to --until (default now). The exit status says whether anything
 * at or above --fail-on appeared; --out replaces a file atomically.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cliopt.h"
#include "cli/cmd_fquery.h"
#include "cli/report_out.h"
#include "cli/commands.h"
#include "common/err.h"
#include "common/escape.h"
#include "common/record.h"
#include "common/severity.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "query/filter.h"
#include "query/prometheus.h"
#include "query/qdb.h"
#include "query/report.h"

#define DAY_US		(INT64_C(86400) * 1000000)
#define META_LAST	"last_report_us"	/* the one bookmark of old */
#define META_BOOKMARK	"bookmark:"		/* + its name */

static const char *const formats[] = { "text", "markdown", "json", "html",
    "prometheus" };

static const char usage_line[] = "usage: aiosift report [--since TIME] "
    "[--until TIME] [--bookmark NAME] [--local]\n"
    "       [--format text|markdown|json|html|prometheus]\n"
    "       [--fail-on SEVERITY] [--quiet] [--out FILE] [--db FILE]\n";

static const char help_text[] =
    "Summarise a period: findings per kind against the period before,\n"
    "signatures never seen before, top tasks and coroutines, the longest\n"
    "stalls, and the incidents. Made for cron.\n"
    "\n"
    "Options:\n"
    "  --since TIME      start: 2026-11-24 18:00 (UTC, or local with\n"
    "                    --local), 2026-11-24T18:00:00Z, or now minus 90s,\n"
    "                    30m, 24h, 7d (default: the bookmark)\n"
    "  --until TIME      end (default: now)\n"
    "  --bookmark NAME   without --since/--until, the period runs from\n"
    "                    where the last report of this NAME ended (the\n"
    "                    first time, 24h back) to now, and the bookmark\n"
    "                    moves to now; findings stored since, though\n"
    "                    logged earlier, count too. Default NAME: the\n"
    "                    format (\"text\"), or format:FILE with --out, so\n"
    "                    a mail job and a page job keep their own\n"
    "  --local           times in the local zone (default UTC)\n"
    "  --format F        text (default), markdown, json, html (one\n"
    "                    self-contained page with an SVG timeline),\n"
    "                    prometheus (metrics for node_exporter's textfile\n"
    "                    collector: findings per kind and severity, open\n"
    "                    incidents, the longest stall, the last ingest)\n"
    "  --fail-on SEV     exit 1 when a finding at or above SEV (info,\n"
    "                    warning, error, critical) appeared in the period\n"
    "  --quiet           print nothing unless --fail-on is triggered\n"
    "  --out FILE        write the report to FILE (replaced atomically)\n"
    "  --db FILE         the database (default $AIOSIFT_DB, ./aiosift.db)\n"
    "\n"
    "A report with --since or --until moves no bookmark. Findings with no\n"
    "time in the log are listed by file and counted by when they were\n"
    "stored.\n"
    "\n"
    "Examples:\n"
    "  aiosift report --since 24h --fail-on error\n"
    "  aiosift report --format html --out /var/www/aiosift.html --quiet\n"
    "  aiosift report --since '2026-11-24 00:00' --until '2026-11-25 00:00'\n"
    "  aiosift report --since 1h --format prometheus \\\n"
    "      --out /var/lib/prometheus/node-exporter/aiosift.prom\n"
    "  # crontab: mail only when something bad appeared; keep a page\n"
    "  0 * * * *  aiosift ingest -q /var/log/app/ && aiosift report --quiet "
    "--fail-on error\n"
    "  5 * * * *  aiosift report --format html --out /var/www/aiosift.html\n"
    "\n"
    "Exit status: 0 ok, 1 findings at or above --fail-on, 2 usage error,\n"
    "3 the output could not be written, 4 database error.\n";

struct ropts {
	const char		*db;
	const char		*out;
	const char		*since, *until;	/* as typed */
	const char		*bookmark;
	int64_t			 since_us, until_us;
	bool			 local;
	enum report_format	 fmt;
	int			 fail_on;
	bool			 quiet;
};

static const struct cliopt_cmd report_cmd = { "report", usage_line,
    help_text };

static int
report_usage(const char *why)
{
	return cliopt_usage(report_cmd.name, report_cmd.usage, why);
}

/* 0, an exit status, or -1 when --help was printed. */
static int
report_parse(int argc, char *argv[], struct ropts *o, int64_t now)
{
	enum { O_SINCE = 256, O_UNTIL, O_FORMAT, O_FAIL, O_QUIET, O_OUT,
	    O_BOOKMARK };
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "fail-on", required_argument, NULL, O_FAIL },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "out", required_argument, NULL, O_OUT },
		{ "bookmark", required_argument, NULL, O_BOOKMARK },
		CLIOPT_LONG_DB, CLIOPT_LONG_LOCAL, CLIOPT_LONG_HELP,
		{ NULL, 0, NULL, 0 },
	};
	const struct cliopt_shared sh = { &o->db, NULL, &o->local };
	int		 c, i, rc;

	o->since_us = o->until_us = TS_NONE;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
		switch (c) {
		case O_SINCE:
			o->since = optarg;
			break;
		case O_UNTIL:
			o->until = optarg;
			break;
		case O_BOOKMARK:
			o->bookmark = optarg;
			break;
		case O_FORMAT:
			if ((i = cliopt_choice(optarg, formats,
			    sizeof(formats) / sizeof(formats[0]))) < 0)
				return report_usage("--format: use text, "
				    "markdown, json, html or prometheus");
			o->fmt = (enum report_format)i;
			break;
		case O_FAIL:
			if (!severity_parse(optarg, &o->fail_on))
				return report_usage("--fail-on: use info, "
				    "warning, error or critical");
			break;
		case 'q':
		case O_QUIET:
			o->quiet = true;
			break;
		case O_OUT:
			o->out = optarg;
			break;
		default:
			if ((rc = cliopt_take(&report_cmd, c, argv, &sh)) != 0)
				return rc;
			break;
		}
	}
	if (optind < argc)
		return report_usage("no arguments, only options");
	/* read in the zone the report shows */
	if (o->since != NULL && (rc = cliopt_time(&report_cmd, "since",
	    o->since, now, o->local, &o->since_us)) != 0)
		return rc;
	if (o->until != NULL && (rc = cliopt_time(&report_cmd, "until",
	    o->until, now, o->local, &o->until_us)) != 0)
		return rc;
	if (o->bookmark != NULL && (o->since != NULL || o->until != NULL))
		return report_usage("--bookmark is for a report without "
		    "--since and --until");
	if (o->bookmark != NULL && *o->bookmark == '\0')
		return report_usage("--bookmark: an empty name");
	if (o->since_us != TS_NONE && o->until_us != TS_NONE &&
	    o->until_us <= o->since_us)
		return report_usage("--until must be after --since");
	if (o->out != NULL && *o->out == '\0')
		return report_usage("--out: an empty file name");
	return 0;
}

/* The meta key of the report's bookmark: --bookmark NAME, else the
 * format, with the absolute path of --out when there is one ("html:
 * /var/www/aiosift.html"): a mail job and a page job each keep their
 * own. The caller frees it. */
static char *
report_bookmark_key(const struct ropts *o, const char *fmtname)
{
	char	 cwd[4096], *key;
	size_t	 n;

	if (o->bookmark != NULL) {
		n = strlen(META_BOOKMARK) + strlen(o->bookmark) + 1;
		key = xmalloc(n);
		snprintf(key, n, "%s%s", META_BOOKMARK, o->bookmark);
		return key;
	}
	if (o->out == NULL || o->out[0] == '/' ||
	    getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	n = strlen(META_BOOKMARK) + strlen(fmtname) + strlen(cwd) +
	    (o->out ? strlen(o->out) : 0) + 4;
	key = xmalloc(n);
	snprintf(key, n, "%s%s%s%s%s%s", META_BOOKMARK, fmtname,
	    o->out ? ":" : "", cwd, cwd[0] ? "/" : "", o->out ? o->out : "");
	return key;
}

/* Microseconds stored under key in *us, or TS_NONE when absent or not
 * sane. 0 or -1 with *e. */
static int
report_meta_time(struct store *s, const char *key, int64_t until,
    int64_t *us, struct err *e)
{
	char		*v, *end;
	long long	 t;

	*us = TS_NONE;
	if (store_meta_get(s, key, &v, e) == -1)
		return -1;
	if (v != NULL) {
		errno = 0;
		t = strtoll(v, &end, 10);
		if (errno == 0 && *end == '\0' && end != v && t < until &&
		    t > 0)
			*us = t;
	}
	free(v);
	return 0;
}

int
cmd_report(int argc, char *argv[])
{
	struct ropts	 o;
	struct report	 r;
	struct prometheus p;
	struct store	*s = NULL;
	struct err	 e;
	int64_t		 now = timefmt_now_us(), since, until;
	bool		 writable = false, built = false, late = false;
	char		*key = NULL;
	int		 st;
	char		 buf[32];

	if (fleet_wanted(argc, argv))	/* the fleet's, on ClickHouse */
		return fleet_report_cmd(argc, argv);
	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	memset(&p, 0, sizeof(p));
	err_clear(&e);
	if ((st = report_parse(argc, argv, &o, now)) != 0)
		return st < 0 ? STATUS_OK : st;
	if ((s = qdb_open(store_path(o.db), true, &writable, &e)) == NULL)
		goto fail;
	until = o.until_us != TS_NONE ? o.until_us : now;
	since = o.since_us;
	if (o.since == NULL && o.until == NULL) {
		key = report_bookmark_key(&o, formats[o.fmt]);
		if (report_meta_time(s, key, until, &since, &e) == -1)
			goto fail;
		/* the one bookmark of old was most likely the mail job's */
		if (since == TS_NONE && o.bookmark == NULL && o.out == NULL &&
		    report_meta_time(s, META_LAST, until, &since, &e) == -1)
			goto fail;
		late = since != TS_NONE;
	}
	if (since == TS_NONE)
		since = until - DAY_US;
	if (since >= until) {
		free(key);
		store_close(s);
		return report_usage("--until must be after the start of the "
		    "period");
	}
	if (report_build(&r, s, since, until, late, o.local, &e) == -1)
		goto fail;
	built = true;
	if (o.fmt == RF_PROMETHEUS && prometheus_build(&p, s, &r, &e) == -1)
		goto fail;
	st = o.fail_on > 0 && r.worst >= o.fail_on ? STATUS_FINDINGS :
	    STATUS_OK;
	if (o.out != NULL) {
		if (report_out(o.out, &r, &p, o.fmt, &e) == -1)
			goto fail;
	} else if (!o.quiet || st != STATUS_OK) {
		report_write(stdout, &r, &p, o.fmt);
		if (fflush(stdout) == EOF || ferror(stdout)) {
			err_set(&e, STATUS_INPUT, "output: %s",
			    strerror(errno ? errno : EIO));
			goto fail;
		}
	}
	if (writable && key != NULL) {
		snprintf(buf, sizeof(buf), "%" PRId64, until);
		if (store_meta_set(s, key, buf, &e) == -1)
			goto fail;
	}
	prometheus_release(&p);
	report_release(&r);
	store_close(s);
	free(key);
	return st;
fail:
	free(key);
	cliopt_fail(&e);
	prometheus_release(&p);
	if (built)
		report_release(&r);
	store_close(s);
	return e.status;
}
