#ifndef CLI_CMD_FQUERY_H
#define CLI_CMD_FQUERY_H

#include <stdbool.h>

/* `aiosift query ... --fleet URL` and `aiosift report ... --fleet URL`:
 * the commands hand their argv over when fleet_wanted() says so. */
bool	fleet_wanted(int argc, char *argv[]);
int	fleet_query_cmd(int argc, char *argv[]);
int	fleet_report_cmd(int argc, char *argv[]);

#endif
