#ifndef CLI_COMMANDS_H
#define CLI_COMMANDS_H

/* Each command owns its argv (argv[0] is the command name), parses it with
 * getopt_long(), prints its results and errors, and returns an exit
 * status (enum status). */
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

#endif
