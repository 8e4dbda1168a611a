/*
 * xmalloc: allocation wrappers whose only failure is to stop the program,
 * so callers never carry out-of-memory paths of their own.
 */
#include "common/xmalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
xmalloc_die(void)
{
	fputs("aiosift: out of memory\n", stderr);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		xmalloc_die();
	return p;
}

void *
xcalloc(size_t count, size_t n)
{
	void	*p = calloc(count ? count : 1, n ? n : 1);

	if (p == NULL)
		xmalloc_die();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void	*q = realloc(p, n ? n : 1);

	if (q == NULL)
		xmalloc_die();
	return q;
}

void *
xgrow(void *p, size_t *cap, size_t need, size_t n)
{
	size_t	c = *cap ? *cap : 8;

	if (need <= *cap)
		return p;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			xmalloc_die();
		c *= 2;
	}
	if (n && c > SIZE_MAX / n)
		xmalloc_die();
	*cap = c;
	return xrealloc(p, c * n);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*d = xmalloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}
