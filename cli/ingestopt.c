/*
 * ingestopt: the options of the ingest pipeline that ingest and watch
 * both take, read once, with the same messages. The values go into a
 * struct ingest_opts; the commands keep their own options.
 */
#include "cli/ingestopt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/escape.h"
#include "ingest/config.h"
#include "ingest/layout.h"

#define INGESTOPT_CONTEXT_MAX	100000	/* --context, records */

void
ingestopt_init(struct ingestopt *io, const char *cmd, const char *usage,
    struct ingest_opts *o)
{
	memset(io, 0, sizeof(*io));
	io->cmd = cmd;
	io->usage = usage;
	io->o = o;
	memset(o, 0, sizeof(*o));
	o->keep = KEEP_CONTEXT;
	o->context_n = 20;
	o->context_us = 30 * 1000000LL;
	o->stall_min_us = 500000;
	o->window_us = 60 * 1000000LL;
	o->config = config_current();
	cliopt_rules_init(&io->rules, o->config);
}

int
ingestopt_bad(const struct ingestopt *io, const char *what,
    const char *value)
{
	fprintf(stderr, "aiosift: %s: bad %s '", io->cmd, what);
	escape_terminal(stderr, value, strlen(value));
	fprintf(stderr, "'\n%s", io->usage);
	return STATUS_USAGE;
}

int
ingestopt_layout(struct ingestopt *io, const char *opt, const char *name)
{
	struct layout	*probe;
	struct err	 e;

	if (strcmp(name, "auto") != 0) {
		if ((probe = layout_by_name(name, &e)) == NULL)
			return ingestopt_bad(io, opt, name);
		layout_free(probe);
	}
	io->o->format = name;
	return 0;
}

static int
ingestopt_keep(struct ingestopt *io, const char *arg)
{
	static const char *const keeps[] = { "context", "all", "findings" };
	static const enum keep modes[] = { KEEP_CONTEXT, KEEP_ALL,
	    KEEP_FINDINGS };
	int	i;

	if ((i = cliopt_choice(arg, keeps, 3)) < 0)
		return ingestopt_bad(io, "--keep", arg);
	io->o->keep = modes[i];
	return 0;
}

static int
ingestopt_context(struct ingestopt *io, const char *arg)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (*end != '\0' || end == arg || n < 0 ||
	    n > INGESTOPT_CONTEXT_MAX || errno != 0)
		return ingestopt_bad(io, "--context", arg);
	io->o->context_n = (int)n;
	return 0;
}

static int
ingestopt_regex(struct ingestopt *io, const char *arg)
{
	struct layout	*probe;
	struct err	 e;

	if ((probe = layout_from_regex(arg, &e)) == NULL) {
		cliopt_fail(&e);
		return STATUS_USAGE;
	}
	layout_free(probe);
	io->o->header_regex = arg;
	return 0;
}

int
ingestopt_take(struct ingestopt *io, int c, char *const argv[])
{
	struct ingest_opts	*o = io->o;

	switch (c) {
	case INGESTOPT_REGEX:
		return ingestopt_regex(io, optarg);
	case INGESTOPT_TZ:
		io->tz = optarg;
		return 0;
	case INGESTOPT_KEEP:
		return ingestopt_keep(io, optarg);
	case INGESTOPT_CONTEXT:
		return ingestopt_context(io, optarg);
	case INGESTOPT_CTIME:
		return cliopt_duration(io->cmd, io->usage, "--context-time",
		    optarg, false, &o->context_us);
	case INGESTOPT_RULES:
		return cliopt_rules_add(&io->rules, io->cmd, io->usage,
		    optarg);
	case INGESTOPT_STALL:
		o->stall_min_set = true;
		return cliopt_duration(io->cmd, io->usage, "--stall-min",
		    optarg, true, &o->stall_min_us);
	case INGESTOPT_WINDOW:
		return cliopt_duration(io->cmd, io->usage, "--window",
		    optarg, io->window_positive, &o->window_us);
	default:
		break;
	}
	if (optopt != 0 && optopt < 256)
		fprintf(stderr, "aiosift: %s: unknown option -%c\n", io->cmd,
		    optopt);
	else
	{
		fprintf(stderr, "aiosift: %s: unknown or incomplete option '",
		    io->cmd);
		escape_terminal(stderr, argv[optind - 1],
		    strlen(argv[optind - 1]));
		fputs("'\n", stderr);
	}
	fputs(io->usage, stderr);
	return STATUS_USAGE;
}

void
ingestopt_finish(struct ingestopt *io)
{
	io->o->rule_files = io->rules.files;
	io->o->nrule_files = io->rules.n;
}
