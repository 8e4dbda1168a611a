/*
 * cmd_postmortem: TODO(#4) being written; this placeholder keeps the tree building.
 */
#include <stdio.h>

#include "cli/commands.h"
#include "common/err.h"

int
cmd_postmortem(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	fputs("aiosift: postmortem: not built yet\n", stderr);
	return STATUS_USAGE;
}
