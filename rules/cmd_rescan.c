/*
 * cmd_rescan: TODO(#3) being written; this placeholder keeps the tree building.
 */
#include <stdio.h>

#include "cli/commands.h"
#include "common/err.h"

int
cmd_rescan(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	fputs("aiosift: rescan: not built yet\n", stderr);
	return STATUS_USAGE;
}
