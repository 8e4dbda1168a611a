/* Unit tests for rules/ruleset: the rules-file format, and every error
 * path with its FILE:LINE[:COL] message. One cmocka test per case. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/severity.h"
#include "rules/ruleset.h"

struct pcase {
	const char	*name;
	const char	*text;
	size_t		 nrules;	/* good rules kept */
	size_t		 nerr;		/* problems reported */
	const char	*first;		/* the first problem, exactly */
};

static const struct pcase cases[] = {
	{ "good two rules",
	    "# a comment\n\nrule a.one\nkind stall\npattern took\n\n"
	    "rule a.two\nkind never_awaited\nseverity critical\n"
	    "pattern x\n", 2, 0, NULL },
	{ "regex error column",
	    "rule a\nkind stall\npattern (abc\n", 0, 1,
	    "t.rules:3:13: pattern: missing closing parenthesis" },
	{ "regex error on a continuation line",
	    "rule a\nkind stall\npattern ^abc\n  def[x\n", 0, 1,
	    "t.rules:4:8: pattern: missing terminating ] for character class" },
	{ "regex error in extract",
	    "rule a\nkind stall\npattern x\nextract before a{2,1}\n", 0, 1,
	    "t.rules:4:21: extract: numbers out of order in {} quantifier" },
	{ "unknown kind",
	    "rule a\nkind bogus\npattern x\n", 0, 1,
	    "t.rules:2:6: unknown kind 'bogus'" },
	{ "unknown key",
	    "rule a\nkind stall\ncolour red\npattern x\n", 0, 1,
	    "t.rules:3:1: unknown key 'colour' (rule, kind, severity, title, "
	    "logger, level, needle, pattern, extract, matches, enabled)" },
	{ "unknown named group",
	    "rule a\nkind stall\npattern took (?<user>\\w+)\n", 0, 1,
	    "t.rules:3:17: pattern: unknown named group 'user' (known: task, "
	    "coro, loc, file, line, exc, msg, duration)" },
	{ "duplicate id",
	    "rule a\nkind stall\npattern x\nrule a\nkind stall\npattern y\n",
	    1, 1, "t.rules:4: duplicate rule id 'a' (first at line 1)" },
	{ "missing pattern",
	    "rule a\nkind stall\n", 0, 1,
	    "t.rules:1: rule 'a': missing pattern" },
	{ "missing kind",
	    "rule a\npattern x\n", 0, 1, "t.rules:1: rule 'a': missing kind" },
	{ "unknown severity",
	    "rule a\nkind stall\nseverity loud\npattern x\n", 0, 1,
	    "t.rules:3:10: unknown severity 'loud' (info, warning, error, "
	    "critical)" },
	{ "key outside a rule",
	    "kind stall\nrule a\nkind stall\npattern x\n", 1, 1,
	    "t.rules:1: 'kind' outside a rule (start one with: rule ID)" },
	{ "bad id",
	    "rule a b\nkind stall\npattern x\n", 0, 1,
	    "t.rules:1: bad rule id 'a b' (letters, digits, '_', '.', '-', "
	    "':')" },
	{ "second pattern",
	    "rule a\nkind stall\npattern x\npattern y\n", 0, 1,
	    "t.rules:4: second pattern in rule 'a' (continue a long one on "
	    "lines that start with a space)" },
	{ "extract without scope",
	    "rule a\nkind stall\npattern x\nextract (?<coro>y)\n", 0, 1,
	    "t.rules:4:9: extract needs a scope first: before, after or "
	    "record" },
	{ "bad matches",
	    "rule a\nkind stall\npattern x\nmatches some\n", 0, 1,
	    "t.rules:4:9: matches is 'first' or 'all'" },
	{ "bad enabled",
	    "rule a\nkind stall\npattern x\nenabled maybe\n", 0, 1,
	    "t.rules:4:9: enabled is 'yes' or 'no'" },
	{ "key without value",
	    "rule a\nkind\npattern x\n", 0, 2,
	    "t.rules:2: 'kind' needs a value" },
	{ "stray indented line",
	    "rule a\nkind stall\n  oops\npattern x\n", 0, 1,
	    "t.rules:3:3: indented line continues nothing (only pattern and "
	    "extract continue)" },
	{ "every problem reported",
	    "rule a\nkind bogus\npattern (\nrule b\nkind stall\n"
	    "pattern (?<who>x)\nrule c\nkind stall\npattern ok\n", 1, 3,
	    "t.rules:2:6: unknown kind 'bogus'" },
	{ "partial rule changes a loaded one",
	    "rule never_awaited.warning\nenabled no\nseverity info\n", 1, 0,
	    NULL },
	{ "partial rule with a needle is no partial",
	    "rule a\nneedle x\n", 0, 2, "t.rules:1: rule 'a': missing kind" },
	{ "crlf and trailing blanks",
	    "rule a\r\nkind stall \r\npattern x\t\r\n", 1, 0, NULL },
};

#define NCASES	(sizeof(cases) / sizeof(cases[0]))

static void
run_case(void **state)
{
	const struct pcase	*c = *state;
	struct ruleset		 rs;
	struct rule_diag	 d;
	size_t			 n;

	ruleset_init(&rs);
	memset(&d, 0, sizeof(d));
	n = ruleset_parse(&rs, "t.rules", c->text, strlen(c->text), &d);
	if (n != c->nerr) {
		size_t	i;

		for (i = 0; i < d.n; i++)
			print_message("problem: %s\n", d.msg[i]);
	}
	assert_int_equal(n, c->nerr);
	assert_int_equal(d.n, c->nerr);
	assert_int_equal(rs.n, c->nrules);
	if (c->first != NULL)
		assert_string_equal(d.msg[0], c->first);
	rule_diag_release(&d);
	ruleset_release(&rs);
}

static void
test_fields(void **state)
{
	struct ruleset		 rs;
	struct rule_diag	 d;
	struct rule		*r;
	const char		*text =
	    "rule my.stall\nkind stall\nseverity crit\n"
	    "title a long\nlogger asyncio\nlogger app\nlevel WARNING\n"
	    "needle took\nneedle Executing\nmatches all\nenabled no\n"
	    "pattern (?<task>\\w+)\n  \\x20(?<duration>\\d+)\n"
	    "  # not a comment: part of the pattern\n"
	    "extract record (?<coro>c)\nextract before (?<loc>l)\n"
	    "extract after (?<exc>e)\n"
	    "rule other\nkind loop_closed\npattern z\n";

	(void)state;
	ruleset_init(&rs);
	memset(&d, 0, sizeof(d));
	assert_int_equal(ruleset_parse(&rs, "f.rules", text, strlen(text),
	    &d), 0);
	assert_int_equal(rs.n, 2);
	r = ruleset_find(&rs, "my.stall");
	assert_non_null(r);
	assert_string_equal(r->kind, "stall");
	assert_ptr_equal(r->kind, rule_kind("stall"));
	assert_int_equal(r->severity, SEV_CRITICAL);
	assert_string_equal(r->title, "a long");
	assert_int_equal(r->nloggers, 2);
	assert_string_equal(r->loggers[1], "app");
	assert_int_equal(r->nlevels, 1);
	assert_int_equal(r->nneedles, 2);
	assert_string_equal(r->needles[1], "Executing");
	assert_true(r->all);
	assert_false(r->enabled);
	assert_string_equal(r->pattern.src, "(?<task>\\w+)\\x20(?<duration>"
	    "\\d+)# not a comment: part of the pattern");
	assert_int_equal(r->pattern.line, 12);
	assert_int_equal(r->pattern.group_field[1], RF_TASK);
	assert_int_equal(r->pattern.group_field[2], RF_DURATION);
	assert_int_equal(r->nextracts, 3);
	assert_int_equal(r->extracts[0].scope, SCOPE_RECORD);
	assert_int_equal(r->extracts[1].scope, SCOPE_BEFORE);
	assert_int_equal(r->extracts[2].scope, SCOPE_AFTER);
	assert_int_equal(r->extracts[2].group_field[1], RF_EXC);
	assert_string_equal(r->file, "f.rules");
	assert_int_equal(r->line, 1);
	/* defaults: severity by kind, title from the id, enabled */
	r = ruleset_find(&rs, "other");
	assert_int_equal(r->severity, SEV_ERROR);
	assert_string_equal(r->title, "other");
	assert_true(r->enabled);
	assert_false(r->all);
	assert_null(ruleset_find(&rs, "nope"));
	rule_diag_release(&d);
	ruleset_release(&rs);
}

static void
test_nul_byte(void **state)
{
	struct ruleset		rs;
	struct rule_diag	d;
	const char		text[] = "rule a\nkind stall\npattern x\0y\n";

	(void)state;
	ruleset_init(&rs);
	memset(&d, 0, sizeof(d));
	assert_int_equal(ruleset_parse(&rs, "n.rules", text, sizeof(text) - 1,
	    &d), 2);
	assert_string_equal(d.msg[0], "n.rules:3: NUL byte in a rules file");
	assert_string_equal(d.msg[1], "n.rules:1: rule 'a': missing pattern");
	rule_diag_release(&d);
	ruleset_release(&rs);
}

static void
test_load(void **state)
{
	struct ruleset		 rs;
	struct rule_diag	 d;
	char			 path[] = "/tmp/aiosift-rules-XXXXXX";
	int			 fd;
	const char		*text = "rule f.one\nkind stall\npattern x(\n";

	(void)state;
	ruleset_init(&rs);
	memset(&d, 0, sizeof(d));
	assert_int_equal(ruleset_load(&rs, "/nonexistent/x.rules", &d), 1);
	assert_string_equal(d.msg[0], "/nonexistent/x.rules: No such file or "
	    "directory");
	rule_diag_release(&d);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(ruleset_load(&rs, path, &d), 1);
	assert_non_null(strstr(d.msg[0], ":3:11: pattern: missing closing "
	    "parenthesis"));
	assert_int_equal(strncmp(d.msg[0], path, strlen(path)), 0);
	unlink(path);
	rule_diag_release(&d);
	ruleset_release(&rs);
}

int
main(void)
{
	static const struct CMUnitTest more[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_load),
	};
	struct CMUnitTest	*tests;
	size_t			 i, n = NCASES + sizeof(more) / sizeof(more[0]);
	int			 rc;

	tests = calloc(n, sizeof(*tests));
	if (tests == NULL)
		return 1;
	for (i = 0; i < NCASES; i++) {
		tests[i].name = cases[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = (void *)&cases[i];
	}
	for (i = NCASES; i < n; i++)
		tests[i] = more[i - NCASES];
	rc = _cmocka_run_group_tests("ruleset", tests, n, NULL, NULL);
	free(tests);
	return rc;
}
