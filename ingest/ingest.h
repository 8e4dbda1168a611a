#ifndef INGEST_INGEST_H
#define INGEST_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "ingest/rotation.h"

/* The ingest pipeline: rotation sets -> readers -> splitter -> rules and
 * gap detector -> SQLite, incrementally. Per file the database keeps a
 * fingerprint of the first decompressed bytes and how far it was read, in
 * the same transaction as the records, so a killed run loses and
 * duplicates nothing; a renamed or gzipped file is recognised and not read
 * twice; a truncated one is read again from the start. */

enum keep {
	KEEP_CONTEXT,	/* findings and the records around them (default) */
	KEEP_ALL,	/* every record */
	KEEP_FINDINGS	/* only the records that carry a finding */
};

struct ingest_opts {
	const char		*format;	/* --format, NULL: detect */
	const char		*header_regex;	/* --header-regex */
	enum keep		 keep;
	int			 context_n;	/* records kept before/after */
	int64_t			 context_us;	/* and within this time */
	const char *const	*rule_files;
	size_t			 nrule_files;
	int64_t			 stall_min_us;
	int64_t			 window_us;	/* correlation window */
	bool			 reread;	/* read every file again */
	bool			 progress;	/* progress line on stderr */
};

struct ingest_stats {
	size_t		files;		/* files read (new bytes) */
	size_t		skipped;	/* files with nothing new */
	int64_t		bytes;		/* decompressed bytes read */
	int64_t		records;
	int64_t		kept;		/* records stored */
	int64_t		findings;
	enum status	status;		/* worst per-file problem */
};

struct store;

/* Called for every per-file problem (the run goes on) and note. */
typedef void	ingest_warn_fn(void *ctx, const struct err *e);

/* Ingest the rotation sets into s. Per-file problems go to warn and
 * raise st->status; -1 with *e only when the run cannot go on (database
 * error, bad rules). */
int	ingest_run(struct store *s, const struct ingest_opts *o,
	    const struct rotation_list *sets, struct ingest_stats *st,
	    ingest_warn_fn *warn, void *ctx, struct err *e);

#endif
