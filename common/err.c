/*
 * err: the one-line error a failing action leaves for its caller. Modules
 * fill it; only commands print it (err_print), so every message reaches the
 * user once, escaped, with "aiosift: " in front.
 */
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/escape.h"

int
err_set(struct err *e, enum status st, const char *fmt, ...)
{
	va_list	ap;

	if (e == NULL)
		return -1;
	e->status = st;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void
err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->status = STATUS_OK;
	e->msg[0] = '\0';
}

void
err_print(const struct err *e)
{
	fputs("aiosift: ", stderr);
	escape_terminal(stderr, e->msg, strlen(e->msg));
	fputc('\n', stderr);
}

enum status
err_worse(enum status a, enum status b)
{
	static const int rank[] = { 0, 1, 3, 2, 4, 5 }; /* by enum status */

	return rank[a] >= rank[b] ? a : b;
}
