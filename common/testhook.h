#ifndef COMMON_TESTHOOK_H
#define COMMON_TESTHOOK_H

#include <stdbool.h>

/*
 * Test hooks: points in a run where a test may stop or kill the process
 * by the run's own progress rather than by the clock. With
 * AIOSIFT_TEST_KILL=EVENT:N in the environment, the N-th time EVENT is
 * reached the process sends itself SIGKILL; with AIOSIFT_TEST_STOP=EVENT:N
 * it sends itself SIGSTOP (a test waits for the stopped state, looks, and
 * sends SIGCONT). Events: "record" (a new record entered the pipeline),
 * "commit" (a transaction committed), "correlate" (incidents computed,
 * not yet committed). Without the variables this costs one comparison.
 */

/* Count one EVENT; kill or stop here when a variable names it. A macro:
 * once the variables are known to be unset, the "record" event of every
 * record costs a load and a branch, not a call. */
#define testhook(event) \
	((void)(testhook_off || (testhook_count(event), 0)))

extern bool	testhook_off;	/* read the variables: none is set */
void		testhook_count(const char *event);

#endif
