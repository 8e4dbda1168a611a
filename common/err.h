#ifndef COMMON_ERR_H
#define COMMON_ERR_H

/* Exit statuses and the one-line error every action fills on failure. */

enum status {
	STATUS_OK,		/* 0: success */
	STATUS_FINDINGS,	/* 1: findings at or above --fail-on */
	STATUS_USAGE,		/* 2: usage error */
	STATUS_INPUT,		/* 3: some input could not be read */
	STATUS_DB,		/* 4: database error */
	STATUS_REMOTE		/* 5: a fleet server refused or failed */
};

struct err {
	enum status	status;		/* the exit status this error leads to */
	char		msg[512];	/* one line, no newline, no final period */
};

/* Fill *e (which may be NULL) and return -1, so a failure is one line:
 * return err_set(e, STATUS_INPUT, "%s: %s", path, strerror(errno)); */
int	err_set(struct err *e, enum status st, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

/* Reset *e to STATUS_OK with an empty message. */
void	err_clear(struct err *e);

/* Print "aiosift: MSG" on stderr, with control characters escaped. */
void	err_print(const struct err *e);

/* The worse of two statuses for a run that goes on after errors:
 * usage and database errors outrank input errors, which outrank 0. */
enum status	err_worse(enum status a, enum status b);

#endif
