/*
 * cliopt: the options query, report and postmortem share (--db, --color,
 * --local, --help) and the messages for getopt_long()'s errors. Every
 * piece of argv that is echoed is escaped: an argument is text the user
 * may have pasted from a log.
 */
#include "cli/cliopt.h"

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/escape.h"

static void
cliopt_echo(const struct cliopt_cmd *cmd, const char *before,
    const char *arg, const char *after)
{
	fprintf(stderr, "aiosift: %s: %s", cmd->name, before);
	escape_terminal(stderr, arg, strlen(arg));
	fputs(after, stderr);
}

int
cliopt_take(const struct cliopt_cmd *cmd, int c, char *const argv[],
    const struct cliopt_shared *sh)
{
	switch (c) {
	case CLIOPT_DB:
		*sh->db = optarg;
		return 0;
	case CLIOPT_COLOR:
		if (sh->color == NULL)
			break;
		if (strcmp(optarg, "auto") != 0 &&
		    strcmp(optarg, "always") != 0 &&
		    strcmp(optarg, "never") != 0)
			return cliopt_usage(cmd->name, cmd->usage,
			    "--color: use auto, always or never");
		*sh->color = optarg;
		return 0;
	case CLIOPT_LOCAL:
		if (sh->local == NULL)
			break;
		*sh->local = true;
		return 0;
	case 'h':
		fputs(cmd->usage, stdout);
		fputc('\n', stdout);
		fputs(cmd->help, stdout);
		return -1;
	case ':':
		cliopt_echo(cmd, "", argv[optind - 1], " needs a value\n");
		return cliopt_usage(cmd->name, cmd->usage, NULL);
	default:
		break;
	}
	/* '?', or a shared option this command does not take */
	cliopt_echo(cmd, "unknown option ", argv[optind - 1], "\n");
	return cliopt_usage(cmd->name, cmd->usage, NULL);
}

int
cliopt_bad_value(const struct cliopt_cmd *cmd, const char *name,
    const char *why)
{
	fprintf(stderr, "aiosift: %s: --%s: ", cmd->name, name);
	escape_terminal(stderr, why, strlen(why));
	fputc('\n', stderr);
	return STATUS_USAGE;
}

int
cliopt_usage(const char *cmd, const char *usage, const char *why)
{
	if (why != NULL) {
		fprintf(stderr, "aiosift: %s: ", cmd);
		escape_terminal(stderr, why, strlen(why));
		fputc('\n', stderr);
	}
	fputs(usage, stderr);
	fprintf(stderr, "Try 'aiosift %s --help'.\n", cmd);
	return STATUS_USAGE;
}
