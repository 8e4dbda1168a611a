#ifndef COMMON_REGEX_LIMITS_H
#define COMMON_REGEX_LIMITS_H

/* The PCRE2 limits every regex that reads log text runs under: a rule's,
 * a layout's field pattern and a user's --header-regex alike. A pattern
 * that backtracks catastrophically on some line costs a bounded time
 * there; the caller counts the line and says so. */
#define REGEX_MATCH_LIMIT	2000000	/* backtracking steps per match */
#define REGEX_DEPTH_LIMIT	20000	/* nested backtracking frames */
#define REGEX_JIT_STACK_START	(32 * 1024)	/* bytes, grown to: */
#define REGEX_JIT_STACK_MAX	(1024 * 1024)

#endif
