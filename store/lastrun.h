#ifndef STORE_LASTRUN_H
#define STORE_LASTRUN_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "store/store.h"

/* What the last ingest of a database did, kept in its meta table (keys
 * last_ingest_*) so that a report can tell a monitoring system whether
 * ingesting still runs and reads without errors. */
struct lastrun {
	int64_t	end_us;		/* when it ended, UTC microseconds */
	int64_t	files;		/* files with new bytes read */
	int64_t	bytes;		/* decompressed bytes read */
	int64_t	records;
	int64_t	findings;
	int64_t	errors;		/* files or steps that failed */
	int	status;		/* its exit status */
};

/* Save l in one transaction; 0 or -1 with *e. */
int	lastrun_save(struct store *s, const struct lastrun *l, struct err *e);
/* Read it back: 1 when a whole record of a last ingest is there, 0 when
 * not, -1 with *e when it cannot be read. */
int	lastrun_load(struct store *s, struct lastrun *l, struct err *e);

#endif
