#ifndef STORE_SOURCES_H
#define STORE_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "store/store.h"

/*
 * The ingest's side of the store: the files it read (sources: where,
 * fingerprint, identity, how far), per rotation set the zone of its
 * zone-less times and the gap detector's state, and per-minute counts.
 * One function per question or change; the SQL is here, the policy
 * (which fingerprint matches, when a file is new) is the ingest's.
 */

/* A source row. */
struct store_source {
	int64_t	 id;
	int64_t	 read_bytes, read_lines;	/* decompressed, done */
	/* where a resumed run re-reads from, and the records it kept there:
	 * (offset, records.id) pairs */
	int64_t	 replay_bytes, replay_lines;
	int64_t	*kept_ids;
	size_t	 nkept_ids;
	int64_t	 keep_n, keep_until_us;	/* --keep context after a finding */
	int64_t	 records;
	int64_t	 first_us, last_us;	/* TS_NONE: none */
	bool	 complete;		/* rotated and read whole */
	char	*layout;		/* its layout spec; NULL: none yet */
};

/* A file as it is now. */
struct store_file {
	const char	*path, *set_path;
	const void	*fp;		/* its first decompressed bytes */
	size_t		 fplen;
	bool		 gzip;
	int64_t		 size;		/* on-disk bytes; -1: a pipe */
	int64_t		 dev, ino, mtime_us;	/* when size >= 0 */
};

/* Empty *src, freeing what it holds: a source not read yet. */
void	store_source_reset(struct store_source *src);

/* Whether a source's stored fingerprint (n bytes) is file f's;
 * same_file: the source has f's path, or its device and inode. */
typedef bool	store_fp_match_fn(const void *fp, size_t n, bool same_file,
		    const struct store_file *f);

/* The newest source of the file's path, its set, or its device and inode
 * whose fingerprint match() accepts, into *src (reset first); *found.
 * 0 or -1 with *e. */
int	store_source_find(struct store *s, const struct store_file *f,
	    store_fp_match_fn *match, struct store_source *src, bool *found,
	    struct err *e);

/* A new source for the file; *id. 0 or -1 with *e. */
int	store_source_add(struct store *s, const struct store_file *f,
	    int64_t *id, struct err *e);

/* Save src, read from the file f: position, counts, layout, identity;
 * zone (NULL: none) is kept unless one is stored. 0 or -1 with *e. */
int	store_source_save(struct store *s, const struct store_file *f,
	    const struct store_source *src, const char *zone, struct err *e);

/* Forget what was read of source id: its findings (their incidents
 * taken apart), records and counts go, its read position goes back to
 * the start. 0 or -1 with *e. */
int	store_source_forget(struct store *s, int64_t id, struct err *e);

/* *same: whether f (its path, identity, size and modification time) is
 * a source read to its end, unchanged since: a file not worth opening.
 * 0 or -1 with *e. */
int	store_source_unchanged(struct store *s, const struct store_file *f,
	    bool *same, struct err *e);

/* How far source id was read as the database has it now (another run
 * may have moved it): *at, -1 when it is gone. 0 or -1 with *e. */
int	store_source_read_bytes(struct store *s, int64_t id, int64_t *at,
	    struct err *e);

/* The set names file f (its device and inode) was stored under, other
 * than f's set: *v (caller frees each and v), *n. 0 or -1 with *e. */
int	store_file_sets(struct store *s, const struct store_file *f,
	    char ***v, size_t *n, struct err *e);

/* The zone the set's zone-less times were read in: *zone (caller
 * frees), NULL when none is stored. 0 or -1 with *e. */
int	store_set_zone(struct store *s, const char *set_path, char **zone,
	    struct err *e);

/* The gap detector's state of a set, as stall_save() made it: *p
 * (caller frees; NULL when none), *n. 0 or -1 with *e. */
int	store_stall_get(struct store *s, const char *set_path, void **p,
	    size_t *n, struct err *e);
int	store_stall_put(struct store *s, const char *set_path, const void *p,
	    size_t n, struct err *e);

/* Records of a source in one minute with one level and logger. */
struct store_count {
	int64_t		 minute;	/* since the epoch; -1: no time */
	const char	*level, *logger;
	int64_t		 n;
};

/* Add c->n to source_id's count of c. 0 or -1 with *e. */
int	store_count_add(struct store *s, int64_t source_id,
	    const struct store_count *c, struct err *e);

#endif
