/*
 * fuzz_rules: libFuzzer harness for the rules-file parser: any text is
 * parsed (its patterns compiled), and every problem must come back as a
 * "NAME:LINE..." message, never a crash; a rule that parsed is whole.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rules/ruleset.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset		rs;
	struct rule_diag	d;
	size_t			i, n;

	ruleset_init(&rs);
	memset(&d, 0, sizeof(d));
	n = ruleset_parse(&rs, "fuzz.rules", (const char *)data, size, &d);
	assert(n == d.n);
	for (i = 0; i < d.n; i++)
		assert(strncmp(d.msg[i], "fuzz.rules", 10) == 0);
	for (i = 0; i < rs.n; i++) {
		/* an override block ("rule X" / "severity error") has no
		 * kind and no pattern of its own */
		assert(rs.v[i].id != NULL);
		assert(rs.v[i].kind != NULL || rs.v[i].pattern.src == NULL);
		assert(rs.v[i].pattern.code != NULL || !rs.v[i].enabled ||
		    rs.v[i].pattern.src == NULL);
		(void)ruleset_find(&rs, rs.v[i].id);
	}
	rule_diag_release(&d);
	ruleset_release(&rs);
	return 0;
}
