#ifndef COMMON_XMALLOC_H
#define COMMON_XMALLOC_H

#include <stddef.h>

/* Allocation that cannot fail: out of memory prints "aiosift: out of
 * memory" and aborts, the one fatal path. Results are the caller's. */
void	*xmalloc(size_t n);
void	*xcalloc(size_t count, size_t n);
void	*xrealloc(void *p, size_t n);
/* Grow an array of *cap elements of size n to hold at least need. */
void	*xgrow(void *p, size_t *cap, size_t need, size_t n);
char	*xstrdup(const char *s);
char	*xstrndup(const char *s, size_t n);

#endif
