#ifndef INGEST_FIELD_H
#define INGEST_FIELD_H

#include <stdint.h>

#include "common/record.h"

/* Field values as every reader of a header gives them to a record (the
 * field patterns, inferred templates, JSON and key=value lines), so that
 * one value reads the same whatever layout carried it. */

/* The process id written as s (digits only, at most 18), or -1. */
int64_t		field_pid(struct span s);
/* A task name; %(taskName)s's "None" (no task) as empty. */
struct span	field_task(struct span s);

#endif
