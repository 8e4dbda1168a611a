/* Unit tests for ingest/counts and ingest/ring: the caps they hold to
 * are counted when hit, never silent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ingest/counts.h"
#include "ingest/ring.h"

static struct record
record_of(const char *text, const char *level, const char *logger,
    int64_t ts_us)
{
	struct record	r;

	memset(&r, 0, sizeof(r));
	r.text.p = text;
	r.text.n = strlen(text);
	r.message = r.text;
	r.level.p = level;
	r.level.n = strlen(level);
	r.logger.p = logger;
	r.logger.n = strlen(logger);
	r.ts_us = ts_us;
	r.line = 1;
	r.nlines = 1;
	return r;
}

/* A logger name longer than its cap is cut to it and counted; the same
 * cut name counts in the same slot. */
static void
test_name_cut(void **state)
{
	struct counts	*c = calloc(1, sizeof(*c));
	char		 logger[300];
	struct record	 r;

	(void)state;
	memset(logger, 'x', sizeof(logger) - 1);
	logger[sizeof(logger) - 1] = '\0';
	r = record_of("text", "INFO", logger, 0);
	assert_true(counts_add(c, &r));
	assert_true(counts_add(c, &r));
	assert_int_equal(c->n, 1);
	assert_int_equal(c->slots[0].n, 2);
	assert_int_equal(strlen(c->slots[0].logger), COUNT_LOGGER_MAX - 1);
	assert_int_equal(c->cut, 2);
	r = record_of("text", "INFO", "app", 0);
	assert_true(counts_add(c, &r));
	assert_int_equal(c->cut, 2);
	free(c);
}

/* The cache holds COUNT_SLOTS keys, then says it is full. */
static void
test_full(void **state)
{
	struct counts	*c = calloc(1, sizeof(*c));
	struct record	 r;
	int		 i;

	(void)state;
	for (i = 0; i < COUNT_SLOTS; i++) {
		r = record_of("text", "INFO", "app", (int64_t)i * 60000000);
		assert_true(counts_add(c, &r));
	}
	r = record_of("text", "INFO", "app", (int64_t)COUNT_SLOTS * 60000000);
	assert_false(counts_add(c, &r));
	assert_int_equal(c->n, COUNT_SLOTS);
	free(c);
}

/* Records over the ring's memory drop the oldest before their turn, and
 * each is counted. */
static void
test_ring_bytes(void **state)
{
	struct ring	 rg;
	struct record	 r;
	size_t		 n = RING_BYTES / 3 + 1;
	char		*big = malloc(n + 1);
	int		 i;

	(void)state;
	memset(&rg, 0, sizeof(rg));
	memset(big, 'y', n);
	big[n] = '\0';
	r = record_of(big, "", "", 0);
	r.message.n = 0;		/* text only */
	ring_push(&rg, &r, 0, 8);
	ring_push(&rg, &r, 0, 8);
	assert_int_equal(rg.len, 2);
	assert_int_equal(rg.capped, 0);
	ring_push(&rg, &r, 0, 8);
	assert_int_equal(rg.len, 2);
	assert_int_equal(rg.capped, 1);
	/* a ring of cap records drops its oldest in turn: not a cap hit */
	r = record_of("small", "", "", 0);
	for (i = 0; i < 10; i++)
		ring_push(&rg, &r, 0, 8);
	assert_int_equal(rg.len, 8);
	assert_int_equal(rg.capped, 1);
	ring_release(&rg);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_cut),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_ring_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
