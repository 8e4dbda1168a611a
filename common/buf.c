/*
 * buf: a capped growable buffer. Every buffer fed by untrusted input has a
 * cap so a 10 MB line or a gzip bomb cannot take the machine's memory.
 */
#include "common/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

void
buf_init(struct buf *b, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->cap = cap;
}

void
buf_release(struct buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->capped = false;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static void
buf_reserve(struct buf *b, size_t need)
{
	size_t	sz = b->size ? b->size : 256;

	if (need + 1 <= b->size)
		return;
	while (sz < need + 1)
		sz *= 2;
	b->data = xrealloc(b->data, sz);
	b->size = sz;
}

bool
buf_add(struct buf *b, const void *p, size_t n)
{
	bool	whole = true;

	if (b->len + n > b->cap) {
		n = b->cap > b->len ? b->cap - b->len : 0;
		b->capped = true;
		whole = false;
	}
	buf_reserve(b, b->len + n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return whole;
}

bool
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

bool
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

bool
buf_printf(struct buf *b, const char *fmt, ...)
{
	char	 small[256];
	char	*big = NULL;
	va_list	 ap;
	int	 n;
	bool	 ok;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return false;
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);
	big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	ok = buf_add(b, big, (size_t)n);
	free(big);
	return ok;
}

bool
span_eq(struct span s, const char *lit)
{
	size_t	n = strlen(lit);

	return s.n == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

char *
span_dup(struct span s)
{
	return xstrndup(s.p ? s.p : "", s.p ? s.n : 0);
}
