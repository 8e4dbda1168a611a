#ifndef INGEST_STITCH_H
#define INGEST_STITCH_H

#include <stdbool.h>

#include "common/err.h"
#include "common/record.h"
#include "ingest/splitter.h"
#include "store/findings.h"
#include "store/store.h"

/*
 * stitch: a file of a set that starts with lines belonging to no header
 * of its own: a size-based rotation (a container runtime's) ended the
 * set's previous file inside a record, a traceback most often. When that
 * file's last record is stored, the lines are appended to it, and its
 * findings are to be made again from the whole record (the exception at
 * the end of a traceback).
 */

#define STITCH_RECORD_CAP	SPLITTER_RECORD_CAP	/* bytes of a
							 * joined record */

struct stitch {
	enum {
		STITCH_NONE,	/* c is a record of its own */
		STITCH_BEFORE,	/* appended by an earlier run: c is no
				 * record of its own, nothing to do */
		STITCH_JOINED	/* appended now: rec is the whole record,
				 * its findings forgotten but its gap
				 * stalls (gone of them) */
	}			how;
	struct store_record	rec;
	int			gone;
};

/* Join c, the first record of a file of set_path, to the last record of
 * prev_path, the file before it, as *out says; a joined record longer
 * than STITCH_RECORD_CAP is cut and flagged RECORD_TRUNCATED. 0 or -1
 * with *e; release out->rec with store_record_release() in any case. */
int	stitch_join(struct store *s, const char *prev_path,
	    const char *set_path, const struct record *c, struct stitch *out,
	    struct err *e);

#endif
