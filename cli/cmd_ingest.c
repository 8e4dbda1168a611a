/*
 * cmd_ingest: `aiosift ingest`, reading log files into the database. It
 * parses the options, expands the paths into rotation sets, runs the
 * pipeline and reports: per-file problems on stderr as they come, one
 * summary line at the end, and the exit status (3 when some input could
 * not be read, 4 for the database).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cliopt.h"
#include "cli/commands.h"
#include "cli/ingestopt.h"
#include "common/err.h"
#include "common/escape.h"
#include "common/timefmt.h"
#include "ingest/config.h"
#include "ingest/ingest.h"
#include "ingest/rotation.h"
#include "ingest/timestamp.h"
#include "store/lastrun.h"
#include "store/store.h"

static const char ingest_usage[] =
    "usage: aiosift ingest [--db FILE] [--format NAME | --header-regex RE]\n"
    "                      [--tz ZONE] [--keep context|all|findings]\n"
    "                      [--context N] [--context-time DUR] [--rules FILE]\n"
    "                      [--stall-min DUR] [--window DUR] [--reread]\n"
    "                      [-q | -v] [--progress | --no-progress] PATH...\n";

static const char ingest_help[] =
    "\n"
    "Read log files into the database, run the asyncio rules over every\n"
    "record, and correlate findings into incidents. PATH is a file, a\n"
    "directory (its log files, recursively) or - for standard input.\n"
    "Files of one rotation set (app.log, app.log.1, app.log.2.gz,\n"
    "app.log.2026-02-21.gz, ...) are read oldest first. Only what is new\n"
    "since the last run is read: rotated, renamed and gzipped files are\n"
    "recognised by their first bytes; a truncated file is read again.\n"
    "\n"
    "Options:\n"
    "  --db FILE          database (default: $AIOSIFT_DB, else the\n"
    "                     configuration's db, else ./aiosift.db)\n"
    "  --format NAME      log layout instead of detecting it per file:\n"
    "                     auto python iso syslog journald container json\n"
    "                     basic stderr\n"
    "  --header-regex RE  PCRE2 regex for a header line, with named groups\n"
    "                     ts level logger pid thread task msg\n"
    "  --tz ZONE          zone of times without one: UTC, +05:30,\n"
    "                     Europe/Berlin (default: the one stored for the\n"
    "                     log by its first run, else the local zone);\n"
    "                     another than the stored one needs --reread\n"
    "  --keep WHAT        records to store: context (default: findings and\n"
    "                     the records around them), all, findings\n"
    "  --context N        records kept before and after a finding (20)\n"
    "  --context-time DUR and only within this time of it (30s)\n"
    "  --rules FILE       add or override rules (repeatable)\n"
    "  --stall-min DUR    shortest stall reported (0.5s)\n"
    "  --window DUR       correlation window for incidents (60s)\n"
    "  --reread           read every file again from its start\n"
    "  -q, --quiet        no summary, no notes; errors only\n"
    "  -v, --verbose      name every file a directory walk left out, and why\n"
    "  --progress         progress on stderr (default: on a terminal)\n"
    "DUR is a duration: 500ms, 0.5s (or 0.5), 2m, 1h, 7d.\n"
    "\n"
    "Examples:\n"
    "  aiosift ingest /var/log/myapp/\n"
    "  aiosift ingest --db /var/lib/aiosift/web.db /var/log/web/app.log*\n"
    "  journalctl -u myapp -o short-iso | aiosift ingest -\n"
    "  aiosift ingest --keep all --tz Europe/Berlin crash/\n"
    "\n"
    "Exit status: 0 ok, 2 usage error, 3 some input could not be read (the\n"
    "rest was ingested), 4 database error.\n";

struct ingest_ui {
	bool	quiet;
	bool	verbose;
	size_t	problems;
};

static void
ingest_print_warn(void *ctx, const struct err *fe)
{
	struct ingest_ui	*ui = ctx;

	if (fe->status == STATUS_OK && ui->quiet)
		return;
	if (fe->status != STATUS_OK)
		ui->problems++;
	fputs(fe->status == STATUS_OK ? "aiosift: note: " : "aiosift: ",
	    stderr);
	escape_terminal(stderr, fe->msg, strlen(fe->msg));
	fputc('\n', stderr);
}

/* The progress line on stderr, cleared when the file is done. */
static void
ingest_print_progress(void *ctx, const char *file, int64_t done,
    int64_t records)
{
	(void)ctx;
	if (file == NULL) {
		fputs("\r\033[K", stderr);
		return;
	}
	fprintf(stderr, "\r\033[K%s: %.1f MB, %lld records",
	    strrchr(file, '/') ? strrchr(file, '/') + 1 : file,
	    (double)done / 1e6, (long long)records);
	fflush(stderr);
}

/* What a directory walk left out: each file and why with --verbose,
 * else one note naming the first few. */
static void
ingest_print_skipped(const struct ingest_ui *ui,
    const struct rotation_list *sets)
{
	size_t	i, shown = 0;

	if (ui->quiet || sets->nskipped == 0)
		return;
	if (ui->verbose) {
		for (i = 0; i < sets->nskipped; i++) {
			fputs("aiosift: note: ", stderr);
			escape_terminal(stderr, sets->skipped[i].path,
			    strlen(sets->skipped[i].path));
			fprintf(stderr, ": %s, skipped\n",
			    sets->skipped[i].why);
		}
		return;
	}
	fprintf(stderr, "aiosift: note: %zu file%s in the directories given "
	    "%s not read as logs (", sets->nskipped,
	    sets->nskipped == 1 ? "" : "s", sets->nskipped == 1 ? "was" :
	    "were");
	for (i = 0; i < sets->nskipped && shown < 3; i++, shown++) {
		if (shown > 0)
			fputs(", ", stderr);
		escape_terminal(stderr, sets->skipped[i].path,
		    strlen(sets->skipped[i].path));
		fprintf(stderr, ": %s", sets->skipped[i].why);
	}
	fprintf(stderr, "%s); --verbose names each\n",
	    sets->nskipped > shown ? ", ..." : "");
}

/* Keep this run's figures for `report --format prometheus`; 0, or -1
 * after printing why not. */
static int
ingest_remember(struct store *s, const struct ingest_stats *st,
    size_t errors, enum status status)
{
	struct lastrun	l;
	struct err	e;

	l.end_us = timefmt_now_us();
	l.files = (int64_t)st->files;
	l.bytes = st->bytes;
	l.records = st->records;
	l.findings = st->findings;
	l.errors = (int64_t)errors;
	l.status = (int)status;
	err_clear(&e);
	if (lastrun_save(s, &l, &e) == 0)
		return 0;
	cliopt_fail(&e);
	return -1;
}

int
cmd_ingest(int argc, char *argv[])
{
	enum { O_DB = 256, O_FORMAT, O_REREAD, O_PROGRESS, O_NOPROGRESS };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "format", required_argument, NULL, O_FORMAT },
		INGESTOPT_LONG,
		{ "reread", no_argument, NULL, O_REREAD },
		{ "progress", no_argument, NULL, O_PROGRESS },
		{ "no-progress", no_argument, NULL, O_NOPROGRESS },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct ingest_opts	 o;
	struct ingestopt	 io;
	struct ingest_stats	 st;
	struct ingest_ui	 ui = { false, false, 0 };
	struct rotation_list	 sets = { NULL, 0, NULL, 0 };
	struct store		*s = NULL;
	struct err		 e;
	const char		*db = NULL;
	int			 c, progress = -1, rc;
	enum status		 status;

	ingestopt_init(&io, "ingest", ingest_usage, &o);
	err_clear(&e);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hqv", longopts, NULL)) != -1) {
		switch (c) {
		case O_DB:
			db = optarg;
			break;
		case O_FORMAT:
			/* "auto", as --help says, is detection per file */
			if ((rc = ingestopt_layout(&io, "--format", optarg)))
				return rc;
			break;
		case O_REREAD:
			o.reread = true;
			break;
		case O_PROGRESS:
			progress = 1;
			break;
		case O_NOPROGRESS:
			progress = 0;
			break;
		case 'q':
			ui.quiet = true;
			break;
		case 'v':
			ui.verbose = true;
			break;
		case 'h':
			printf("%s%s", ingest_usage, ingest_help);
			return STATUS_OK;
		default:
			if ((rc = ingestopt_take(&io, c, argv)) != 0)
				return rc;
			break;
		}
	}
	ingestopt_finish(&io);
	if (optind >= argc) {
		fputs("aiosift: ingest: no PATH given\n", stderr);
		fputs(ingest_usage, stderr);
		return STATUS_USAGE;
	}
	o.tz = io.tz;
	if (timestamp_set_zone(io.tz, &e) == -1) {
		cliopt_fail(&e);
		return STATUS_USAGE;
	}
	if (progress == 1 || (progress == -1 && !ui.quiet &&
	    isatty(STDERR_FILENO)))
		o.progress = ingest_print_progress;
	if (rotation_expand(argv + optind, (size_t)(argc - optind), &sets,
	    ingest_print_warn, &ui, &e) == -1) {
		cliopt_fail(&e);
		return e.status == STATUS_OK ? STATUS_INPUT : e.status;
	}
	ingest_print_skipped(&ui, &sets);
	if ((s = store_open(store_path(db), STORE_CHECKPOINT_THREAD, &e))
	    == NULL) {
		cliopt_fail(&e);
		rotation_list_release(&sets);
		return e.status;
	}
	rc = ingest_run(s, &o, &sets, &st, ingest_print_warn, &ui, &e);
	status = st.status;
	if (rc == -1) {
		cliopt_fail(&e);
		status = err_worse(status, e.status);
	}
	if (ui.problems > 0)
		status = err_worse(status, STATUS_INPUT);
	if (ingest_remember(s, &st, ui.problems + (rc == -1), status) == -1)
		status = err_worse(status, STATUS_DB);
	if (!ui.quiet && rc == 0)
		printf("ingested %zu file%s (%.1f MB, %lld records, %lld "
		    "stored), %lld finding%s; %zu file%s unchanged\n",
		    st.files, st.files == 1 ? "" : "s", (double)st.bytes / 1e6,
		    (long long)st.records, (long long)st.kept,
		    (long long)st.findings, st.findings == 1 ? "" : "s",
		    st.skipped, st.skipped == 1 ? "" : "s");
	store_close(s);
	rotation_list_release(&sets);
	return status;
}
