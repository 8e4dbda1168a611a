#ifndef QUERY_NAMES_H
#define QUERY_NAMES_H

#include <stdbool.h>

#include "common/err.h"
#include "store/store.h"

/* The task names (coro: the coroutine names) of the findings that start
 * with prefix, each once, in order, at most 1000: each(arg, name) for
 * each until it returns nonzero. 0 or -1 with *e. */
int	query_names(struct store *s, bool coro, const char *prefix,
	    int (*each)(void *arg, const char *name), void *arg,
	    struct err *e);

#endif
