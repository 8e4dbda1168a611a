#ifndef COMMON_BUF_H
#define COMMON_BUF_H

#include <stdbool.h>
#include <stddef.h>

/* A growable byte buffer with a cap. Appends past the cap are cut and
 * remembered in `capped`, never silent: the caller reports it. The data
 * is always NUL-terminated (the NUL is not counted in len). */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 size;		/* allocated bytes */
	size_t	 cap;		/* most bytes it will ever hold */
	bool	 capped;	/* an append was cut at cap */
};

/* A borrowed run of bytes; its lifetime is stated where it is returned. */
struct span {
	const char	*p;
	size_t		 n;
};

void	buf_init(struct buf *b, size_t cap);
void	buf_release(struct buf *b);
/* Empty the buffer (keeping its memory) and clear `capped`. */
void	buf_reset(struct buf *b);
/* Append n bytes; returns false when they were cut at the cap. */
bool	buf_add(struct buf *b, const void *p, size_t n);
bool	buf_addc(struct buf *b, char c);
bool	buf_adds(struct buf *b, const char *s);
bool	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* A span's text compared with a C string. */
bool	span_eq(struct span s, const char *lit);
/* A NUL-terminated copy of the span, the caller's to free. */
char	*span_dup(struct span s);

#endif
