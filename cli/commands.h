#ifndef CLI_COMMANDS_H
#define CLI_COMMANDS_H

#include <stddef.h>

/* A row of the command table (cli/main.c). */
struct command {
	const char	*name;
	int		(*run)(int, char *[]);
	const char	*summary;
};

/* Each command owns its argv (argv[0] is the command name), parses it with
 * getopt_long(), prints its results and errors, and returns an exit
 * status (enum status). */
int	cmd_completion(int argc, char *argv[]);
int	cmd_fleet(int argc, char *argv[]);
int	cmd_config(int argc, char *argv[]);
int	cmd_ingest(int argc, char *argv[]);
int	cmd_postmortem(int argc, char *argv[]);
int	cmd_query(int argc, char *argv[]);
int	cmd_report(int argc, char *argv[]);
int	cmd_rescan(int argc, char *argv[]);
int	cmd_rules(int argc, char *argv[]);
int	cmd_ship(int argc, char *argv[]);
int	cmd_watch(int argc, char *argv[]);

/* `aiosift __complete CWORD WORD...`, what the completion scripts call:
 * the candidates for word CWORD of the command line WORD..., one a line,
 * read from the command table and each command's --help (cli/complete.c). */
int	complete_words(int argc, char *argv[], const struct command *cmds,
	    size_t ncmds);

#endif
