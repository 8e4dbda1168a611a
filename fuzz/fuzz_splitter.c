/*
 * fuzz_splitter: libFuzzer harness for layout detection and the record
 * splitter. The input is a log file's bytes; its first byte picks where
 * the bytes are cut into feeds (as reads and a resumed run cut them), so
 * that records spanning feeds are split the same way. Every record's
 * spans must lie in what the splitter holds, offsets must grow, and the
 * memory bound must hold.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/buf.h"
#include "common/record.h"
#include "ingest/jsonline.h"
#include "ingest/layout.h"
#include "ingest/splitter.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_span(struct span s)
{
	/* touch every byte: ASan finds a span that runs past its buffer */
	volatile unsigned	sum = 0;
	size_t			i;

	assert(s.n == 0 || s.p != NULL);
	for (i = 0; i < s.n; i++)
		sum += (unsigned char)s.p[i];
	(void)sum;
}

static void
drain(struct splitter *sp, int at_end, int64_t *last_end)
{
	const struct record	*r;
	struct buf		 json;

	buf_init(&json, SPLITTER_RECORD_CAP);
	while ((r = splitter_next(sp, at_end)) != NULL) {
		assert(r->offset >= *last_end);
		assert(r->end >= r->offset);
		assert(r->nlines >= 1);
		assert(r->text.n <= SPLITTER_RECORD_CAP + SPLITTER_LINE_CAP);
		check_span(r->text);
		check_span(r->message);
		check_span(r->level);
		check_span(r->logger);
		check_span(r->thread);
		check_span(r->task);
		*last_end = r->end;
		if (splitter_layout(sp) != NULL &&
		    layout_is_json(splitter_layout(sp))) {
			buf_reset(&json);
			jsonline_message(r->text.p, r->text.n, &json);
		}
	}
	buf_release(&json);
	/* the pending record, the open line and the last block fed */
	assert(splitter_held(sp) <= 2 * (SPLITTER_RECORD_CAP +
	    SPLITTER_LINE_CAP) + 65536 + 4096);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct splitter	*sp;
	size_t		 step, off, n;
	int64_t		 last_end = 0;

	if (size == 0)
		return 0;
	step = (size_t)(data[0] % 64) + 1;
	data++;
	size--;
	sp = splitter_new(NULL);
	for (off = 0; off < size; off += n) {
		n = size - off < step ? size - off : step;
		splitter_feed(sp, (const char *)data + off, n);
		drain(sp, SPLITTER_MORE, &last_end);
		step = step * 3 + 1;
	}
	drain(sp, (data[-1] & 0x80) ? SPLITTER_AT_END : SPLITTER_FLUSH_ALL,
	    &last_end);
	assert(last_end <= (int64_t)size);
	splitter_free(sp);
	return 0;
}
