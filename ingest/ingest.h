#ifndef INGEST_INGEST_H
#define INGEST_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "ingest/rotation.h"
#include "rules/stall.h"

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

struct config;

/* Progress: file read done bytes so far, records the run's count; NULL
 * file: the file is done (a progress line is to be cleared). Called with
 * the ingest's ctx at most every half second per file. */
typedef void	ingest_progress_fn(void *ctx, const char *file, int64_t done,
		    int64_t records);

struct ingest_opts {
	const char		*format;	/* --format, NULL: detect */
	const char		*header_regex;	/* --header-regex */
	const char		*tz;		/* --tz, NULL: not given */
	enum keep		 keep;
	int			 context_n;	/* records kept before/after */
	int64_t			 context_us;	/* and within this time */
	const char *const	*rule_files;
	size_t			 nrule_files;
	int64_t			 stall_min_us;
	bool			 stall_min_set;	/* given: over the config's */
	int64_t			 window_us;	/* correlation window */
	/* per rotation set, what the options above leave unsaid: format
	 * or header regex, tz, stall-min (NULL: no configuration) */
	const struct config	*config;
	bool			 reread;	/* read every file again */
	ingest_progress_fn	*progress;	/* NULL: none */
};

struct ingest_stats {
	size_t		files;		/* files read (new bytes) */
	size_t		skipped;	/* files with nothing new */
	int64_t		bytes;		/* decompressed bytes read */
	int64_t		records;
	int64_t		kept;		/* records stored */
	int64_t		findings;
	enum status	status;		/* worst per-file problem */
	/* caps hit (counted, the run goes on): level and logger names cut
	 * in the per-minute counts (COUNT_LEVEL_MAX, COUNT_LOGGER_MAX), and
	 * context records dropped for the ring's memory (RING_BYTES) */
	int64_t		names_cut;
	int64_t		context_dropped;
};

struct store;

/* Called for every per-file problem (the run goes on) and note. */
typedef void	ingest_warn_fn(void *ctx, const struct err *e);

/* The pipeline kept open between calls, for a caller that ingests the
 * same sets again and again as they grow (watch): the rules are compiled
 * once. *st is zeroed, then adds up over the calls. NULL with *e. */
struct ingest;
struct ingest	*ingest_open(struct store *s, const struct ingest_opts *o,
		    struct ingest_stats *st, ingest_warn_fn *warn, void *ctx,
		    struct err *e);
void		 ingest_close(struct ingest *in);

/* ingest_set() flags */
#define INGEST_END	0x1	/* the stream ends here for now: a gap stall
				 * waiting for the records after it is
				 * decided (a batch run) */
#define INGEST_HOLD	0x2	/* the live file is being written: its last
				 * record waits for the next header line */
#define INGEST_CLOSED	0x4	/* the live file is written no more (it was
				 * renamed away or deleted): its last line is
				 * taken even without a newline */
#define INGEST_FOLLOW	0x8	/* files come and go: one gone since it was
				 * listed, or a gzip member still being
				 * written, is left for a later call, no
				 * warning */

/* What is new in one rotation set, committed as for ingest_run(); the
 * live file (the set's path, last of its files) is read through live_fd
 * when that is not -1: the file the caller follows, whatever its name
 * now. The incidents wait for ingest_finish(). Per-file problems as for
 * ingest_run(); -1 with *e when the run cannot go on. */
int	ingest_set(struct ingest *in, const struct rotation_set *rs,
	    int live_fd, int flags, struct err *e);
/* Correlate the findings not in an incident yet. 0 or -1 with *e. */
int	ingest_finish(struct ingest *in, struct err *e);
/* The gap detector's view of the set ingest_set() last read: false
 * while it knows too few gaps to judge one. */
bool	ingest_stall_status(const struct ingest *in, struct stall_status *ss);

/* Ingest the rotation sets into s (open, each set with INGEST_END,
 * finish, close). Per-file problems go to warn and
 * raise st->status; -1 with *e only when the run cannot go on (database
 * error, bad rules). Seven parameters: ingest_open()'s and the sets. */
int	ingest_run(struct store *s, const struct ingest_opts *o,
	    const struct rotation_list *sets, struct ingest_stats *st,
	    ingest_warn_fn *warn, void *ctx, struct err *e);

#endif
