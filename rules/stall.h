#ifndef RULES_STALL_H
#define RULES_STALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/finding.h"
#include "common/record.h"

/* The gap detector: in one rotation set's record stream, a gap far longer
 * than the stream's usual cadence (a robust statistic over a sliding
 * window, judged once enough history exists) and longer than an absolute
 * floor is judged by the records around it: a restart (kind "restart",
 * info), a blocked loop (kind "stall", with its evidence in the message
 * and a confidence) or an idle stream (kind "idle", info); attributed to
 * the task and coroutine of the record before the gap. All three have the
 * rule "stall.gap". */
struct stall;

struct stall_opts {
	int64_t	min_us;		/* --stall-min, default 500000 */
};

struct stall	*stall_new(const struct stall_opts *o);
void		 stall_free(struct stall *sd);

/* The shortest stall it reports (stall_opts.min_us). */
int64_t	stall_min(const struct stall *sd);

/* Forget the history: a new set, a process restart seen by the caller. */
void	stall_reset(struct stall *sd);

/* A new file of the set begins (read from its start): a gap before its
 * first record may be a restart. */
void	stall_new_file(struct stall *sd);

/* Feed each record with a time, in order, with the findings the engine
 * made of it (found may point into out). A gap is judged once the records
 * logged as the loop resumes are in (up to 0.1 s after it, at most 16
 * records): a debug-mode "took N seconds" finding among them that
 * explains the gap makes it no second stall. So a gap's finding is
 * appended to out with a later record; its ts_us is the time of the
 * record before the gap, its duration the gap. Returns whether a finding
 * was appended. */
bool	stall_feed(struct stall *sd, const struct record *rec,
	    const struct finding *found, size_t nfound,
	    struct finding_list *out);

/* Whether a gap waits for its decision (and stall_flush() has not
 * decided it for now). */
bool	stall_pending(const struct stall *sd);

/* Append a gap still waiting for its decision, decided with the records
 * seen so far (the end of the input for now); returns whether one was
 * appended. The gap stays open: if more records come within its window,
 * stall_feed() decides it again and appends it again, and the caller
 * replaces the first finding (same rule, start and duration). */
bool	stall_flush(struct stall *sd, struct finding_list *out);

/* The rule that makes a debug-mode "took N seconds" stall and the gap it
 * explains one stall, across runs too: when f (a finding of the rules,
 * not of the detector) is such a stall, the gap stalls of its set that
 * start within [*from_us, *to_us] are the same stall (the gap found a
 * record or two before the warning) and go. False: f absorbs no gap. */
bool	stall_absorbs_gaps(const struct finding *f, int64_t *from_us,
	    int64_t *to_us);

/* Where the stream stands: the time of its last record, the gap the
 * next record must exceed to be a stall (the limit stall_feed() would
 * apply), and the task and coroutine such a stall is attributed to
 * (loans until the next feed, reset or load). False when too few gaps
 * are known to judge one, or a stall already waits for its decision. */
struct stall_status {
	int64_t		 last_us;
	int64_t		 limit_us;
	const char	*task, *coro;	/* "" when unknown */
};
bool	stall_status(const struct stall *sd, struct stall_status *ss);

/* The state as bytes to keep between runs (caller frees), and back. */
void	*stall_save(const struct stall *sd, size_t *n);
bool	 stall_load(struct stall *sd, const void *p, size_t n);

#endif
