#ifndef INGEST_SOURCE_H
#define INGEST_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/record.h"
#include "ingest/rotation.h"
#include "store/sources.h"

/*
 * source: how a file is known again. A file is its source row when the
 * fingerprint of its first decompressed bytes matches (so a renamed or
 * gzipped file is not read twice, a truncated one is read again), and a
 * file unchanged since it was read to its end is not opened at all. A
 * set keeps the name it was first read by, found by device and inode.
 */

#define SOURCE_FP_LEN	1024	/* fingerprint bytes */
#define SOURCE_FP_MIN	64	/* shorter prefixes match by path only */

/* Find the source file f continues, or add one, in a transaction of its
 * own so two runs never add two sources for one file; with reread what
 * was read of it is forgotten. *skip: nothing to read (a fully read
 * rotated member, a file read to its end). 0 or -1 with *e. */
int	source_find(struct store *s, const struct store_file *f, bool reread,
	    struct store_source *src, bool *skip, struct err *e);

/* *same: whether path (through fd when not -1) is a file read to its
 * end whose identity, size and time have not changed since. 0 or -1
 * with *e. */
int	source_unchanged(struct store *s, const char *path, int fd,
	    bool *same, struct err *e);

/* The records.id of the record at r's offset an earlier run stored, or
 * 0. */
int64_t	source_stored_id(const struct store_source *src,
	    const struct record *r);

/* The name the database knows the set rs by, when it is not rs's own
 * (*known, the caller's to free; else NULL): paths come canonical, yet a
 * directory has two canonical names under a bind mount, and an older
 * aiosift stored paths as given (relative ones too). A file of the set
 * stored in a set of the same file name but another path decides: when
 * that path's directory is this one, the set keeps its first name; when
 * it is relative, the stored set takes this canonical name, with its
 * read positions, detector state and incidents. 0 or -1 with *e. */
int	source_known_set(struct store *s, const struct rotation_set *rs,
	    char **known, struct err *e);

/* path's file name in the directory of set_path, newly allocated. */
char	*source_rebase(const char *set_path, const char *path);

#endif
