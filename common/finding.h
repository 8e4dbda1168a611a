#ifndef COMMON_FINDING_H
#define COMMON_FINDING_H

#include <stddef.h>
#include <stdint.h>

/* What a rule or the gap detector found in one record. Strings are owned
 * by the finding (finding_release frees them), except kind and rule,
 * which are loans from the engine valid while it lives. */
struct finding {
	const char	*kind;		/* "never_awaited", "stall", ... */
	const char	*rule;		/* rule id */
	int		 severity;	/* enum severity */
	int64_t		 ts_us;		/* when (a stall: when it began) */
	int64_t		 duration_us;	/* stall length, or -1 */
	char		*task;		/* NULL when the log does not say */
	char		*coro;
	char		*exception;	/* type name, "RuntimeError" */
	char		*location;	/* "file.py:42" */
	char		*message;	/* one line summing it up */
	double		 confidence;	/* a gap stall's, 0-1; 0: not given */
};

/* A growable list of findings, the caller's. */
struct finding_list {
	struct finding	*v;
	size_t		 n;
	size_t		 cap;
};

/* Append a zeroed finding (duration_us -1) and return it. */
struct finding	*finding_add(struct finding_list *l);
void		 finding_release(struct finding *f);
/* Release every finding and empty the list (keeping its memory). */
void		 finding_list_clear(struct finding_list *l);
void		 finding_list_release(struct finding_list *l);

#endif
