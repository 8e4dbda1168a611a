#ifndef INGEST_FOLLOW_H
#define INGEST_FOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/err.h"
#include "ingest/rotation.h"

/* Following paths the way `tail -F` does, for watch: the rotation sets
 * the paths hold now (a file named directly brings the rest of its set
 * from its directory), which of them changed (inotify events on their
 * directories where there is inotify, else, and as a backstop, the live
 * file's identity, size and time compared at each tick), and the live
 * file of each set held open: it is read through that descriptor, so a
 * set's new live file is never read before the end of the one it
 * replaced (renamed, gzipped, deleted). Follows no standard input. */

struct follow;

/* A set due for reading, from follow_due(). */
struct follow_job {
	const char		*set_path;
	const struct rotation_set *set;	/* the set as listed now, or NULL */
	int	live_fd;	/* its live file held open, or -1 */
	int	gone_fd;	/* the file it held before, renamed away or
				 * deleted and listed under no name of the
				 * set: read it first (to its end, as closed),
				 * or -1 */
	bool	hold;		/* the live file is still being written */
	size_t	cookie;		/* for follow_done() */
};

/* Follow paths (files or directories, as ingest takes them; nothing need
 * exist yet). use_inotify false: polling only. NULL with *e. */
struct follow	*follow_new(char *const paths[], size_t npaths,
		    bool use_inotify, struct err *e);
void		 follow_free(struct follow *f);

/* Whether changes come as events (inotify), not only from ticks. */
bool	follow_evented(const struct follow *f);

/* The descriptor to wait on for events (readable when some came), or -1
 * when polling. */
int	follow_fd(const struct follow *f);

/* Take the pending events (never blocks), and at a tick compare every
 * set's live file with what it was: sets that changed become pending.
 * now_ms: a monotonic clock. */
void	follow_update(struct follow *f, int64_t now_ms, bool tick);

/* The next set due for reading at now_ms (quiet for a settle time, or
 * changing for longer than a hold time), or false. The job's set and
 * descriptors stay valid until the next follow_due() or follow_done()
 * call; the caller reads gone_fd (if any), then the set, then calls
 * follow_done(). settle_ms: how long a set must be quiet. */
bool	follow_due(struct follow *f, int64_t now_ms, int64_t settle_ms,
	    struct follow_job *job);
void	follow_done(struct follow *f, struct follow_job *job);

/* Every set, whether due or not (the final reading at exit): the i-th
 * set's job, hold false. false past the last set. */
bool	follow_nth(struct follow *f, size_t i, struct follow_job *job);

/* Milliseconds until the next set falls due (settle or hold), or -1 when
 * none is pending. */
int64_t	follow_wait_ms(const struct follow *f, int64_t now_ms,
	    int64_t settle_ms);

/* Sets listed, and files in them. */
size_t	follow_nsets(const struct follow *f);
size_t	follow_nfiles(const struct follow *f);

#endif
