#ifndef RULES_RULESET_H
#define RULES_RULESET_H

#include <stdbool.h>
#include <stddef.h>

#include <pcre2.h>

#include "common/err.h"

/* A rules file parsed and its patterns compiled: the text format is
 * documented at the top of rules/asyncio.rules. Parsing goes on after an
 * error so that one pass reports every bad rule. */

#define RULESET_TITLE_MAX	256	/* bytes of a rule's title */

/* The named groups a pattern may capture. */
enum rule_field {
	RF_TASK,	/* task name */
	RF_CORO,	/* coroutine qualname */
	RF_LOC,		/* "file:line" */
	RF_FILE,	/* a file, joined with RF_LINE into the location */
	RF_LINE,
	RF_EXC,		/* exception type; "mod.Type(args" keeps "Type" */
	RF_MSG,		/* a short detail for the finding's message */
	RF_DURATION,	/* seconds, "0.587" */
	RF_NFIELDS
};

/* Where an extract pattern looks, relative to the main match. */
enum rule_scope {
	SCOPE_BEFORE,	/* the last match ending before the main match */
	SCOPE_AFTER,	/* the first match after the main match */
	SCOPE_RECORD	/* the last match anywhere in the record */
};

struct rule_re {
	char		*src;		/* the pattern text */
	pcre2_code	*code;
	int		 line;		/* where it was written */
	enum rule_scope	 scope;		/* extract patterns only */
	/* group number -> field, or -1; indexes 0..ngroups */
	signed char	*group_field;
	unsigned	 ngroups;
};

struct rule {
	char		*id;
	const char	*kind;		/* a static string, from rule_kinds */
	int		 severity;	/* enum severity */
	char		*title;
	char		**loggers;	/* any of these, when the record has one */
	size_t		 nloggers;
	char		**levels;	/* any of these, when the record has one */
	size_t		 nlevels;
	char		**needles;	/* any of them must occur (none: always) */
	size_t		 nneedles;
	struct rule_re	 pattern;	/* pattern.code NULL: the rule is bad */
	struct rule_re	*extracts;
	size_t		 nextracts;
	bool		 all;		/* every match of the record, not one */
	bool		 enabled;
	/* A rule block with no kind and no pattern changes the loaded rule
	 * of its id: only the keys it gives (enabled, severity, title). */
	bool		 partial;
	bool		 set_enabled, set_severity, set_title;
	char		*file;		/* where it was written */
	int		 line;
};

struct ruleset {
	struct rule	*v;
	size_t		 n;
	size_t		 cap;
};

/* The kinds a rule may have, NULL-terminated. */
extern const char *const rule_kinds[];
/* The field names, indexed by enum rule_field. */
extern const char *const rule_field_names[];

/* The static kind string equal to name, or NULL if unknown. */
const char	*rule_kind(const char *name);

/* One problem found while parsing, "FILE:LINE[:COL]: what". */
struct rule_diag {
	char	**msg;
	size_t	  n;
	size_t	  cap;
};

void	rule_diag_release(struct rule_diag *d);

void	ruleset_init(struct ruleset *rs);
void	ruleset_release(struct ruleset *rs);

/* Parse text[0..n) (named name in messages) and append its rules to rs.
 * Every problem is appended to d; returns how many there were (0: all
 * good). Bad rules are not appended. */
size_t	ruleset_parse(struct ruleset *rs, const char *name, const char *text,
	    size_t n, struct rule_diag *d);

/* Read and parse the file at path. A file that cannot be read is one
 * problem ("PATH: No such file or directory"). Returns the problem count. */
size_t	ruleset_load(struct ruleset *rs, const char *path,
	    struct rule_diag *d);

/* The rule with this id, or NULL. */
struct rule	*ruleset_find(struct ruleset *rs, const char *id);

/* Release one rule's insides. */
void	rule_release(struct rule *r);

#endif
