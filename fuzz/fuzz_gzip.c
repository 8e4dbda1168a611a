/*
 * fuzz_gzip: libFuzzer harness for the reader: the input is a file's
 * bytes, plain or gzip (single or multi-member, cut, corrupt, trailing
 * garbage), read to the end in odd-sized pieces, then a seek back and
 * forth. The reader must never return more than asked, never crash, and
 * report errors as one message. One input in four (by its size) is
 * inflated by the reader's second thread, the others in the caller's.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "common/err.h"
#include "ingest/reader.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	LLVMFuzzerInitialize(int *argc, char ***argv);

static char	path[64];
static int	fd = -1;
static char	out[256 * 1024];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fd = memfd_create("fuzz_gzip", 0);
	if (fd == -1)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader	*r;
	struct err	 e;
	ssize_t		 got;
	int64_t		 total = 0;
	size_t		 want = 1;

	/* reader_open() reads the switch; by size, so a rerun is the same */
	setenv("AIOSIFT_INFLATE_THREAD", size % 4 == 0 ? "1" : "0", 1);
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();
	if ((r = reader_open(path, &e)) == NULL) {
		assert(e.msg[0] != '\0');
		return 0;
	}
	for (;;) {
		got = reader_read(r, out, want, &e);
		if (got <= 0)
			break;
		assert((size_t)got <= want);
		total += got;
		assert(reader_tell(r) == total);
		want = want * 7 % sizeof(out) + 1;
	}
	if (got < 0) {
		assert(e.msg[0] != '\0' && strchr(e.msg, '\n') == NULL);
		assert(reader_read(r, out, sizeof(out), &e) == -1);
	}
	if (reader_seek(r, total / 2, &e) == 0)
		assert(reader_tell(r) == total / 2);
	if (reader_seek(r, total + 1, &e) == 0)
		assert(0 && "seek past the end succeeded");
	reader_close(r);
	return 0;
}
