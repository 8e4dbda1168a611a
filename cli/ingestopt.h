#ifndef CLI_INGESTOPT_H
#define CLI_INGESTOPT_H

#include <getopt.h>
#include <stdbool.h>

#include "cli/cliopt.h"
#include "ingest/ingest.h"

/* The pipeline's options, which ingest and watch share, read in one
 * place: --header-regex, --tz, --keep, --context, --context-time,
 * --rules, --stall-min, --window, and the layout by name (ingest's
 * --format, watch's --layout). */

/* getopt_long() values, above any command's own and cliopt's */
#define INGESTOPT_REGEX		0x1100
#define INGESTOPT_TZ		0x1101
#define INGESTOPT_KEEP		0x1102
#define INGESTOPT_CONTEXT	0x1103
#define INGESTOPT_CTIME		0x1104
#define INGESTOPT_RULES		0x1105
#define INGESTOPT_STALL		0x1106
#define INGESTOPT_WINDOW	0x1107

#define INGESTOPT_LONG \
	{ "header-regex", required_argument, NULL, INGESTOPT_REGEX }, \
	{ "tz", required_argument, NULL, INGESTOPT_TZ }, \
	{ "keep", required_argument, NULL, INGESTOPT_KEEP }, \
	{ "context", required_argument, NULL, INGESTOPT_CONTEXT }, \
	{ "context-time", required_argument, NULL, INGESTOPT_CTIME }, \
	{ "rules", required_argument, NULL, INGESTOPT_RULES }, \
	{ "stall-min", required_argument, NULL, INGESTOPT_STALL }, \
	{ "window", required_argument, NULL, INGESTOPT_WINDOW }

struct ingestopt {
	const char		*cmd;		/* "ingest" */
	const char		*usage;		/* printed after an error */
	bool			 window_positive; /* --window 0 refused */
	struct ingest_opts	*o;
	struct cliopt_rules	 rules;
	const char		*tz;		/* --tz, or NULL */
};

/* o's defaults (context: 20 records or 30 s, stall-min 0.5 s, window
 * 60 s), the configuration of the run and its rules files. */
void	ingestopt_init(struct ingestopt *io, const char *cmd,
	    const char *usage, struct ingest_opts *o);

/* Take getopt_long()'s c, which is none of the command's own options: 0
 * when it is a pipeline option, read into *io->o; STATUS_USAGE after
 * the message when its value is bad, or when c is an unknown option
 * (argv is getopt_long()'s). */
int	ingestopt_take(struct ingestopt *io, int c, char *const argv[]);

/* The layout named by option opt (ingest --format, watch --layout;
 * "auto": detected per file) into io->o: 0, or STATUS_USAGE after the
 * message. */
int	ingestopt_layout(struct ingestopt *io, const char *opt,
	    const char *name);

/* After the options: the rules files into io->o. */
void	ingestopt_finish(struct ingestopt *io);

/* "aiosift: CMD: bad WHAT 'VALUE'" (escaped) and the usage on stderr;
 * STATUS_USAGE. */
int	ingestopt_bad(const struct ingestopt *io, const char *what,
	    const char *value);

#endif
