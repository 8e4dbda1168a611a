/*
 * cmd_query: TODO(#4) being written; this placeholder keeps the tree building.
 */
#include <stdio.h>

#include "cli/commands.h"
#include "common/err.h"

int
cmd_query(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	fputs("aiosift: query: not built yet\n", stderr);
	return STATUS_USAGE;
}
