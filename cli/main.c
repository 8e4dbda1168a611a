/*
 * main: the command table, global options (--help, --version) and the
 * exit status. Each command lives in its own cli/cmd_NAME.c and owns
 * its argv.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cliopt.h"
#include "cli/commands.h"
#include "common/err.h"
#include "common/escape.h"
#include "ingest/config.h"
#include "store/store.h"

#ifndef AIOSIFT_VERSION
#define AIOSIFT_VERSION "0.1.0"
#endif

static const struct command commands[] = {	/* alphabetical */
	{ "completion",	cmd_completion,	"print the shell completion script: "
					"bash, zsh or fish" },
	{ "config",	cmd_config,	"check the configuration file, or "
					"what it sets for a log" },
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
	    "$AIOSIFT_DB, else the configuration's db, else ./aiosift.db.\n"
	    "The configuration file (database, rules files, per-source layout,\n"
	    "zone and stall-min) is --config FILE (before any command or\n"
	    "among its options), else $AIOSIFT_CONFIG, else\n"
	    "/etc/aiosift/aiosift.conf if present; aiosift config --help.\n"
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

/* Take every --config FILE (--config=FILE) before a "--" off argv, for
 * config_path(); 0, or -1 when one has no FILE. */
static int
main_config_option(int *argc, char *argv[])
{
	int	i, j;

	for (i = 1; i < *argc && strcmp(argv[i], "--") != 0;) {
		if (strncmp(argv[i], "--config=", 9) == 0) {
			config_set_path(argv[i] + 9);
			j = 1;
		} else if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= *argc)
				return -1;
			config_set_path(argv[i + 1]);
			j = 2;
		} else {
			i++;
			continue;
		}
		memmove(&argv[i], &argv[i + j], (size_t)(*argc - i - j + 1) *
		    sizeof(*argv));
		*argc -= j;
	}
	return 0;
}

/* Run command i under the configuration (--config, $AIOSIFT_CONFIG or
 * the default file), if there is one: its database and rules. */
static int
main_run(size_t i, int argc, char *argv[])
{
	struct config	*c = NULL;
	struct err	 e;
	const char	*path = config_path(NULL);
	int		 rc;

	if (path != NULL && strcmp(commands[i].name, "config") != 0) {
		if ((c = config_load(path, &e)) == NULL) {
			cliopt_fail(&e);
			return STATUS_USAGE;
		}
		config_use(c);
		store_set_default_path(c->db);
	}
	rc = commands[i].run(argc, argv);
	config_use(NULL);
	store_set_default_path(NULL);
	config_free(c);
	return rc;
}

int
main(int argc, char *argv[])
{
	const char	*name;
	char		*help[] = { NULL, "--help", NULL };
	size_t		 i;

	if (main_config_option(&argc, argv) == -1) {
		fputs("aiosift: --config needs a FILE\n", stderr);
		return STATUS_USAGE;
	}
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
	if (strcmp(name, "__complete") == 0)	/* the scripts' helper */
		return complete_words(argc - 2, argv + 2, commands, NCOMMANDS);
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return main_run(i, argc - 1, argv + 1);
	fputs("aiosift: unknown command '", stderr);
	escape_terminal(stderr, name, strlen(name));
	fputs("' (see aiosift help)\n", stderr);
	return STATUS_USAGE;
}
