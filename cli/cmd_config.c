/*
 * cmd_config: `aiosift config check [FILE]` reads a configuration file
 * (the one the commands would use when FILE is not given), checks every
 * value and the rules files it names, and prints what it sets; `aiosift
 * config match PATH...` prints the settings each log would be read with.
 * The format and its reading are ingest/config.c's.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliopt.h"
#include "cli/commands.h"
#include "common/err.h"
#include "common/escape.h"
#include "ingest/config.h"
#include "ingest/rotation.h"
#include "rules/engine.h"

static const char config_usage[] =
    "usage: aiosift config check [FILE]\n"
    "       aiosift config match PATH...\n";

static const char config_help[] =
    "\n"
    "The configuration file: --config FILE (before the command or among\n"
    "its options), else $AIOSIFT_CONFIG, else /etc/aiosift/aiosift.conf if\n"
    "it exists. Every command reads it: ingest, watch and rescan take its\n"
    "database and rules files, ingest and watch its per-source settings,\n"
    "the query commands its database. A command-line option wins over it;\n"
    "$AIOSIFT_DB wins over its db.\n"
    "\n"
    "  # a comment: a whole line starting with # or ;\n"
    "  db = /var/lib/aiosift/aiosift.db\n"
    "  rules = site.rules          repeatable; relative to the file's folder\n"
    "\n"
    "  [source /var/log/app/*.log]\n"
    "  format = python             a layout, as ingest --format\n"
    "  header-regex = ^(?<ts>\\S+ \\S+) (?<level>\\w+) (?<msg>.*)$\n"
    "  tz = Europe/Berlin          the zone of times without one\n"
    "  stall-min = 0.8             the shortest stall reported\n"
    "\n"
    "A [source GLOB] section holds for the logs whose rotation set (the live\n"
    "file's absolute path; rotated files follow it) matches GLOB, as\n"
    "fnmatch(3) with FNM_PATHNAME; a GLOB without a slash is matched against\n"
    "the file name. Each setting comes from the first matching section that\n"
    "has it (put the narrow sections first). Values run to the end of the\n"
    "line, blanks around them trimmed, no quotes. Errors: FILE:LINE: message.\n"
    "\n"
    "Commands:\n"
    "  check [FILE]    check the file (default: the one in use) and the\n"
    "                  rules files it names; print what it sets\n"
    "  match PATH...   the settings each log would be read with\n"
    "\n"
    "Exit status: 0 ok (or no configuration file), 2 an error in it.\n";

static void
config_print_value(const char *key, const char *v)
{
	printf("  %s = ", key);
	escape_terminal(stdout, v, strlen(v));
	putchar('\n');
}

static void
config_print_source(const struct config_source *s, bool with_glob)
{
	if (with_glob) {
		printf("[source ");
		escape_terminal(stdout, s->glob, strlen(s->glob));
		printf("]  (line %d)\n", s->line);
	}
	if (s->format != NULL)
		config_print_value("format", s->format);
	if (s->header_regex != NULL)
		config_print_value("header-regex", s->header_regex);
	if (s->tz != NULL)
		config_print_value("tz", s->tz);
	if (s->stall_min_us >= 0)
		printf("  stall-min = %.6g\n", (double)s->stall_min_us / 1e6);
}

static int
config_check(const char *path)
{
	struct engine_opts	 eo;
	struct engine		*en;
	struct config		*c;
	struct err		 e;
	size_t			 i;

	if (path == NULL) {
		puts("no configuration file (--config, $AIOSIFT_CONFIG, "
		    CONFIG_DEFAULT ")");
		return STATUS_OK;
	}
	if ((c = config_load(path, &e)) == NULL) {
		cliopt_fail(&e);
		return STATUS_USAGE;
	}
	memset(&eo, 0, sizeof(eo));
	eo.rule_files = (const char *const *)c->rules;
	eo.nrule_files = c->nrules;
	if ((en = engine_new(&eo, &e)) == NULL) {
		cliopt_fail(&e);
		config_free(c);
		return STATUS_USAGE;
	}
	engine_free(en);
	escape_terminal(stdout, path, strlen(path));
	printf(": ok\n");
	if (c->db != NULL)
		config_print_value("db", c->db);
	for (i = 0; i < c->nrules; i++)
		config_print_value("rules", c->rules[i]);
	for (i = 0; i < c->nsources; i++)
		config_print_source(&c->sources[i], true);
	config_free(c);
	return STATUS_OK;
}

static int
config_match_paths(const char *path, char *paths[], int n)
{
	struct config_source	 s;
	struct config		*c = NULL;
	struct err		 e;
	char			*abs, *set;
	int			 i;

	if (path != NULL && (c = config_load(path, &e)) == NULL) {
		cliopt_fail(&e);
		return STATUS_USAGE;
	}
	for (i = 0; i < n; i++) {
		/* as rotation names sets: canonical and absolute */
		abs = realpath(paths[i], NULL);
		set = rotation_set_path(abs != NULL ? abs : paths[i]);
		config_match(c, set, &s);
		escape_terminal(stdout, set, strlen(set));
		if (s.glob == NULL)
			printf(": no section\n");
		else {
			printf(": [source ");
			escape_terminal(stdout, s.glob, strlen(s.glob));
			printf("]%s\n", s.format == NULL && s.header_regex ==
			    NULL && s.tz == NULL && s.stall_min_us < 0 ?
			    " (sets nothing)" : "");
			config_print_source(&s, false);
		}
		free(set);
		free(abs);
	}
	config_free(c);
	return STATUS_OK;
}

int
cmd_config(int argc, char *argv[])
{
	const char	*what = argc > 1 ? argv[1] : NULL;

	if (what != NULL && (strcmp(what, "--help") == 0 ||
	    strcmp(what, "-h") == 0)) {
		printf("%s%s", config_usage, config_help);
		return STATUS_OK;
	}
	if (what != NULL && strcmp(what, "check") == 0 && argc <= 3)
		return config_check(config_path(argc == 3 ? argv[2] : NULL));
	if (what != NULL && strcmp(what, "match") == 0 && argc >= 3)
		return config_match_paths(config_path(NULL), argv + 2,
		    argc - 2);
	fputs(what == NULL ? "aiosift: config: check or match?\n" :
	    "aiosift: config: unknown command or arguments\n", stderr);
	fputs(config_usage, stderr);
	return STATUS_USAGE;
}
