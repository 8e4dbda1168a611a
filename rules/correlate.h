#ifndef RULES_CORRELATE_H
#define RULES_CORRELATE_H

#include <stdint.h>

#include "common/err.h"
#include "store/store.h"

/* Correlation: findings into incidents, by task name (else coroutine)
 * within a window, plus the known chains (a failed asyncio.run and the
 * never-awaited coroutine it leaves; a stall and the timeouts it causes;
 * repeats of one signature). Rebuilds the incidents of findings at or
 * after since_us (INT64_MIN: all) inside the caller's transaction. */
int	correlate_run(struct store *s, int64_t since_us, int64_t window_us,
	    struct err *e);

#endif
