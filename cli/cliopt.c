/*
 * cliopt: the options query, report and postmortem share (--db, --color,
 * --local, --help) and the messages for getopt_long()'s errors. Every
 * piece of argv that is echoed is escaped: an argument is text the user
 * may have pasted from a log.
 */
#include "cli/cliopt.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "common/duration.h"
#include "common/err.h"
#include "common/escape.h"
#include "ingest/config.h"
#include "query/filter.h"

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

int
cliopt_duration(const char *cmd, const char *usage, const char *opt,
    const char *value, bool positive, int64_t *us)
{
	struct err	e;

	if (duration_parse(value, positive, us, &e) == 0)
		return 0;
	fprintf(stderr, "aiosift: %s: %s: ", cmd, opt);
	escape_terminal(stderr, e.msg, strlen(e.msg));
	fprintf(stderr, "\n%s", usage);
	return STATUS_USAGE;
}

int
cliopt_time(const struct cliopt_cmd *cmd, const char *name,
    const char *value, int64_t now_us, bool local, int64_t *us)
{
	struct err	e;

	if (filter_time_parse_zone(value, now_us, local, us, &e) == 0)
		return 0;
	return cliopt_bad_value(cmd, name, e.msg);
}

void
cliopt_rules_init(struct cliopt_rules *r, const struct config *cfg)
{
	r->n = config_rules(cfg, r->files, CLIOPT_MAX_RULE_FILES);
}

int
cliopt_rules_add(struct cliopt_rules *r, const char *cmd, const char *usage,
    const char *file)
{
	if (r->n == CLIOPT_MAX_RULE_FILES) {
		fprintf(stderr, "aiosift: %s: too many --rules (at most %d)"
		    "\n%s", cmd, CLIOPT_MAX_RULE_FILES, usage);
		return STATUS_USAGE;
	}
	r->files[r->n++] = file;
	return 0;
}

int
cliopt_choice(const char *s, const char *const names[], size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

int
cliopt_fail(const struct err *e)
{
	assert(e->msg[0] != '\0');
	err_print(e);
	return e->status;
}
