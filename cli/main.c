/*
 * main: the command table, global options (--help, --version) and the
 * exit status. Each command lives in its own cmd_NAME.c in its area's
 * folder and owns its argv.
 */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "common/err.h"
#include "common/escape.h"

#ifndef AIOSIFT_VERSION
#define AIOSIFT_VERSION "0.1.0"
#endif

struct command {
	const char	*name;
	int		(*run)(int, char *[]);
	const char	*summary;
};

static const struct command commands[] = {	/* alphabetical */
	{ "fleet",	cmd_fleet,	"make the fleet's tables on ClickHouse: "
					"fleet init" },
	{ "ingest",	cmd_ingest,	"read log files into the database" },
	{ "postmortem",	cmd_postmortem,	"walk one incident or moment, "
					"tracebacks whole" },
	{ "query",	cmd_query,	"answer questions from the database" },
	{ "report",	cmd_report,	"summarise a period, for cron or a "
					"person" },
	{ "rescan",	cmd_rescan,	"re-run the rules over stored records" },
	{ "rules",	cmd_rules,	"list, check or try the signature rules" },
	{ "ship",	cmd_ship,	"send new findings to the fleet "
					"(ClickHouse)" },
	{ "watch",	cmd_watch,	"follow log files as tail -F does, "
					"ingesting as lines arrive" },
};

#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t	i;

	fputs("usage: aiosift COMMAND [OPTION]... [ARG]...\n"
	    "\n"
	    "Find the failures Python's asyncio leaves in application logs:\n"
	    "ingest rotated and gzip logs into SQLite, match asyncio failure\n"
	    "signatures, correlate them into incidents, and answer questions.\n"
	    "\n"
	    "Commands:\n", f);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-11s %s\n", commands[i].name,
		    commands[i].summary);
	fputs("  help        show this, or a command's help: help COMMAND\n"
	    "\n"
	    "Every command takes --help. The database is --db FILE, else\n"
	    "$AIOSIFT_DB, else ./aiosift.db.\n"
	    "\n"
	    "Examples:\n"
	    "  aiosift ingest /var/log/myapp/\n"
	    "  aiosift query findings --since 2h\n"
	    "  aiosift report --since 24h --fail-on error\n"
	    "\n"
	    "Exit status: 0 ok, 1 findings at or above --fail-on, 2 usage\n"
	    "error, 3 some input could not be read, 4 database error, 5 a\n"
	    "fleet server failed.\n", f);
}

int
main(int argc, char *argv[])
{
	const char	*name;
	char		*help[] = { NULL, "--help", NULL };
	size_t		 i;

	if (argc < 2) {
		usage(stderr);
		return STATUS_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "--version") == 0 || strcmp(name, "version") == 0) {
		printf("aiosift %s\n", AIOSIFT_VERSION);
		return STATUS_OK;
	}
	if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 ||
	    strcmp(name, "help") == 0) {
		if (strcmp(name, "help") == 0 && argc > 2) {
			for (i = 0; i < NCOMMANDS; i++)
				if (strcmp(argv[2], commands[i].name) == 0) {
					help[0] = argv[2];
					return commands[i].run(2, help);
				}
			fputs("aiosift: unknown command '", stderr);
			escape_terminal(stderr, argv[2], strlen(argv[2]));
			fputs("'\n", stderr);
			return STATUS_USAGE;
		}
		usage(stdout);
		return STATUS_OK;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fputs("aiosift: unknown command '", stderr);
	escape_terminal(stderr, name, strlen(name));
	fputs("' (see aiosift help)\n", stderr);
	return STATUS_USAGE;
}
