#ifndef CLI_CLIOPT_H
#define CLI_CLIOPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

struct config;

/* The options query, report and postmortem share, and how each of them
 * answers getopt_long()'s errors: one place, so the three say the same. */

/* getopt_long() values of the shared options, above any command's own */
#define CLIOPT_DB	0x1000
#define CLIOPT_COLOR	0x1001
#define CLIOPT_LOCAL	0x1002

#define CLIOPT_LONG_DB	{ "db", required_argument, NULL, CLIOPT_DB }
#define CLIOPT_LONG_COLOR \
	{ "color", required_argument, NULL, CLIOPT_COLOR }, \
	{ "colour", required_argument, NULL, CLIOPT_COLOR }
#define CLIOPT_LONG_LOCAL { "local", no_argument, NULL, CLIOPT_LOCAL }
#define CLIOPT_LONG_HELP { "help", no_argument, NULL, 'h' }

struct cliopt_cmd {
	const char	*name;		/* "query" */
	const char	*usage;		/* "usage: aiosift query ...\n" */
	const char	*help;		/* what --help prints after it */
};

/* Where the shared options go; color and local NULL for a command that
 * takes neither. */
struct cliopt_shared {
	const char	**db;
	const char	**color;	/* auto, always or never */
	bool		 *local;
};

/* Take c, getopt_long()'s answer that is not one of the command's own
 * options: a shared option, --help, a missing value (':') or an unknown
 * option. 0 when taken, -1 after --help, STATUS_USAGE after a message.
 * argv is getopt_long()'s. */
int	cliopt_take(const struct cliopt_cmd *cmd, int c, char *const argv[],
	    const struct cliopt_shared *sh);

/* "aiosift CMD: --NAME: why" (escaped) on stderr; STATUS_USAGE. */
int	cliopt_bad_value(const struct cliopt_cmd *cmd, const char *name,
	    const char *why);

/* A usage error of command cmd: "aiosift CMD: why" (escaped; left out
 * when why is NULL), the usage line, a pointer to --help, all on stderr.
 * Returns STATUS_USAGE. */
int	cliopt_usage(const char *cmd, const char *usage, const char *why);

/* The error of a library call that failed (returned -1 or NULL): print
 * it and return its status. A build without NDEBUG asserts that the call
 * filled *e, as every function returning -1 must (common/err.h). */
int	cliopt_fail(const struct err *e);

/* One parser per kind of option, for every command. */

/* A duration option's value (common/duration: 500ms, 0.5s, 2m; seconds
 * when bare; positive: 0 refused) into *us: 0, or STATUS_USAGE after
 * "aiosift: CMD: --NAME: why" and the usage text on stderr. */
int	cliopt_duration(const char *cmd, const char *usage, const char *opt,
	    const char *value, bool positive, int64_t *us);

/* A time option's value (--since, --until, --at: query/filter's user
 * time; without a zone read in UTC unless local) into *us: 0, or
 * STATUS_USAGE after cliopt_bad_value(). */
int	cliopt_time(const struct cliopt_cmd *cmd, const char *name,
	    const char *value, int64_t now_us, bool local, int64_t *us);

/* The index of s among the n names (an option's fixed values: report's
 * --format), or -1. */
int	cliopt_choice(const char *s, const char *const names[], size_t n);

/* The rules files of a run, collected the same way by every command that
 * takes --rules: the configuration's first (when cfg is not NULL), then
 * each --rules in the order given. */
#define CLIOPT_MAX_RULE_FILES	32

struct cliopt_rules {
	const char	*files[CLIOPT_MAX_RULE_FILES];
	size_t		 n;
};

void	cliopt_rules_init(struct cliopt_rules *r, const struct config *cfg);
/* Add one --rules FILE: 0, or STATUS_USAGE after "aiosift: CMD: too many
 * --rules (at most 32)" and the usage text. */
int	cliopt_rules_add(struct cliopt_rules *r, const char *cmd,
	    const char *usage, const char *file);

#endif
