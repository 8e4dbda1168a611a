/* Unit tests for common/escape: hostile bytes never reach an output. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"

typedef void	escape_fn(FILE *, const char *, size_t);

/* The output of fn on n bytes of s, in a static buffer. */
static const char *
render(escape_fn *fn, const char *s, size_t n)
{
	static char	 out[1024];
	FILE		*f = fmemopen(out, sizeof(out), "w");

	assert_non_null(f);
	fn(f, s, n);
	fclose(f);
	return out;
}

static const struct {
	const char	*name, *in, *term, *json, *html, *csv;
	size_t		 n;
} cases[] = {
	{ "plain", "hello", "hello", "hello", "hello", "\"hello\"", 5 },
	{ "ansi colour", "\x1b[31mred", "\\e[31mred", "\\u001b[31mred",
	    "\\e[31mred", "\"\\e[31mred\"", 8 },
	{ "newline and cr", "a\nb\rc", "a\\nb\\rc", "a\\nb\\rc",
	    "a\nb\\x0dc", "\"a\nb\\rc\"", 5 },
	{ "html", "<b>&'\"", "<b>&'\"", "<b>&'\\\"",
	    "&lt;b&gt;&amp;&#39;&quot;", "\"<b>&'\"\"\"", 6 },
	{ "formula", "=cmd()", "=cmd()", "=cmd()", "=cmd()", "\"'=cmd()\"", 6 },
	{ "minus formula", "-2+3", "-2+3", "-2+3", "-2+3", "\"'-2+3\"", 4 },
	{ "invalid utf-8", "a\xff" "b", "a\\xffb", "a\\ufffdb", "a&#xfffd;b",
	    "\"a\xef\xbf\xbd" "b\"", 3 },
	{ "c1 csi", "x\xc2\x9b" "2J", "x\\u{9b}2J", "x\xc2\x9b" "2J",
	    "x\\u{9b}2J", "\"x\\u{9b}2J\"", 5 },
	{ "utf-8 name", "\xd0\xb8\xd0\xbc\xd1\x8f", "\xd0\xb8\xd0\xbc\xd1\x8f",
	    "\xd0\xb8\xd0\xbc\xd1\x8f", "\xd0\xb8\xd0\xbc\xd1\x8f",
	    "\"\xd0\xb8\xd0\xbc\xd1\x8f\"", 6 },
	{ "nul byte", "a\0b", "a\\x00b", "a\\u0000b", "a\\x00b", "\"a\\x00b\"", 3 },
	{ "bidi override", "a\xe2\x80\xae" "b", "a\\u{202e}b", "a\xe2\x80\xae" "b",
	    "a\\u{202e}b", "\"a\\u{202e}b\"", 5 },
};

static void
test_cases(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("case %s\n", cases[i].name);
		assert_string_equal(render(escape_terminal, cases[i].in,
		    cases[i].n), cases[i].term);
		assert_string_equal(render(escape_json, cases[i].in,
		    cases[i].n), cases[i].json);
		assert_string_equal(render(escape_html, cases[i].in,
		    cases[i].n), cases[i].html);
		assert_string_equal(render(escape_csv, cases[i].in,
		    cases[i].n), cases[i].csv);
	}
}

static void
test_utf8_len(void **state)
{
	(void)state;
	assert_int_equal(escape_utf8_len((const unsigned char *)"a", 1), 1);
	assert_int_equal(escape_utf8_len((const unsigned char *)"\xc3\xa9",
	    2), 2);
	/* truncated, overlong, surrogate, beyond U+10FFFF */
	assert_int_equal(escape_utf8_len((const unsigned char *)"\xc3", 1), 0);
	assert_int_equal(escape_utf8_len((const unsigned char *)"\xc0\xaf",
	    2), 0);
	assert_int_equal(escape_utf8_len((const unsigned char *)"\xed\xa0\x80",
	    3), 0);
	assert_int_equal(escape_utf8_len(
	    (const unsigned char *)"\xf4\x90\x80\x80", 4), 0);
}

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(escape_width("abc", 3), 3);
	assert_int_equal(escape_width("\xd0\xb8\xd0\xbc", 4), 2);
	assert_int_equal(escape_width("\x1b", 1), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
