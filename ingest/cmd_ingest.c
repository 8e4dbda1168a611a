/*
 * cmd_ingest: TODO(#2) being written; this placeholder keeps the tree building.
 */
#include <stdio.h>

#include "cli/commands.h"
#include "common/err.h"

int
cmd_ingest(int argc, char *argv[])
{
	(void)argc;
	(void)argv;
	fputs("aiosift: ingest: not built yet\n", stderr);
	return STATUS_USAGE;
}
