#ifndef INGEST_CONFIG_H
#define INGEST_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* The configuration file: the database, extra rules files, and per path
 * glob the settings of the logs it matches (layout, header regex, zone,
 * shortest stall). INI-like, one setting a line:
 *
 *	# a comment (a whole line; ';' too)
 *	db = /var/lib/aiosift/aiosift.db
 *	rules = site.rules		(repeatable; relative to the file)
 *
 *	[source /var/log/app/app*.log]
 *	format = python
 *	header-regex = ^(?<ts>\S+ \S+) (?<level>[A-Z]+) (?<msg>.*)$
 *	tz = Europe/Berlin
 *	stall-min = 0.8
 *
 * A glob is matched with fnmatch(3) (FNM_PATHNAME) against the absolute
 * path of a log's rotation set (its live file: the settings hold for the
 * rotated files too); a glob without a slash against its file name.
 * Each setting comes from the first section that matches and sets it.
 * Values are taken as written, to the end of the line, blanks around
 * them trimmed. Errors are "FILE:LINE: message", STATUS_USAGE. */

#define CONFIG_DEFAULT	"/etc/aiosift/aiosift.conf"

/* A [source GLOB] section; NULL / -1 for what it leaves unset. */
struct config_source {
	char	*glob;
	int	 line;
	char	*format;
	char	*header_regex;
	char	*tz;
	int64_t	 stall_min_us;
};

struct config {
	char			 *path;
	char			 *db;		/* absolute, or NULL */
	char			**rules;	/* absolute */
	size_t			  nrules;
	struct config_source	 *sources;
	size_t			  nsources;
};

/* The file to read: opt, else the --config main took off the command
 * line (config_set_path()), else $AIOSIFT_CONFIG, else CONFIG_DEFAULT
 * when it exists, else NULL (no configuration). */
const char	*config_path(const char *opt);
void		 config_set_path(const char *path);

/* Read and check path (every value too: layouts, regexes, zones,
 * durations). NULL with *e. */
struct config	*config_load(const char *path, struct err *e);
void		 config_free(struct config *c);

/* The settings for the rotation set set_path: each from the first
 * section that matches and sets it (loans from c; c may be NULL). */
void	config_match(const struct config *c, const char *set_path,
	    struct config_source *out);

/* The rules files c names (none when c is NULL), at most cap, into out;
 * returns how many: the first of a command's --rules list, so that its
 * own --rules override them. */
size_t	config_rules(const struct config *c, const char **out, size_t cap);

/* The configuration of this run, set once by main (NULL: none). */
void			 config_use(struct config *c);
const struct config	*config_current(void);

#endif
