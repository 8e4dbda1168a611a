#ifndef RULES_ENGINE_H
#define RULES_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/err.h"
#include "common/finding.h"
#include "common/record.h"

/* The rules engine: the built-in pack (rules/asyncio.rules, compiled into
 * the binary) plus rule files that add or override rules by id, compiled
 * once with the PCRE2 JIT, matched against each record's message (the
 * whole multi-line record without its header prefix) after a literal
 * prefilter. */
struct engine;

struct engine_opts {
	const char *const	*rule_files;	/* --rules FILE..., may be 0 */
	size_t			 nrule_files;
	double			 stall_min_s;	/* "took N seconds" >= this is
						 * a stall (default 0.5); less
						 * is kind slow_callback, info.
						 * 0 means the default */
	const char		*rules_text;	/* rules given as text (tests),
						 * read after the files; named
						 * "<text>" in messages */
	bool			 no_builtin;	/* leave the shipped pack out */
};

/* Rule order and overrides: a rule of a --rules file whose id is already
 * loaded replaces that rule where it stands; a new id comes before the
 * shipped pack, in file order. For each record the first matching rule of
 * each kind makes that kind's finding (all of its matches with
 * "matches all"); later rules of the same kind are not tried. */

/* NULL with *e (STATUS_USAGE, "my.rules:42:17: pattern: missing )") on a
 * bad rule file. */
struct engine	*engine_new(const struct engine_opts *o, struct err *e);
void		 engine_free(struct engine *en);

/* Match rec against every rule; append its findings to out (ts_us taken
 * from the record). Returns how many were appended. A rule that hits
 * PCRE2's match limit on this record is skipped for it and counted. */
size_t	engine_scan(struct engine *en, const struct record *rec,
	    struct finding_list *out);

/* How many matches hit PCRE2's match or depth limit so far; *first (if
 * not NULL) gets a loan of the first such problem described in one line
 * ("rule X: match limit exceeded at app.log line 7"), valid while en is. */
size_t	engine_limit_hits(const struct engine *en, const char **first);

/* How many messages were longer than the engine copies to rewrite them
 * (lone CRs, hard wraps) and were rewritten in their first part only; *first
 * as for engine_limit_hits ("record line 7: a message of ... bytes ..."). */
size_t	engine_cap_hits(const struct engine *en, const char **first);

/* List the rules (id, kind, severity, origin, title) on f, one a line,
 * columns separated by tabs when tabs is true, else aligned. */
void	engine_list(const struct engine *en, FILE *f, bool tabs);

/* How many rules are loaded (enabled or not). */
size_t	engine_rule_count(const struct engine *en);

#endif
