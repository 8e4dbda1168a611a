/*
 * fuzz_gzip: libFuzzer harness for the reader: the input is a file's
 * bytes, plain or gzip (single or multi-member, cut, corrupt, trailing
 * garbage), read to the end in odd-sized pieces, then a seek back and
 * forth. The reader must never return more than asked, never crash, and
 * report errors as one message. One input in four (by its size) is
 * inflated by the reader's second thread, the others in the caller's.
 * Each input is read twice, by the default inflater (ISA-L's igzip when
 * the build has it) and by zlib (AIOSIFT_INFLATE=zlib): the bytes, the
 * error and its message must be the same.
 */
#define _GNU_SOURCE
#include <assert.h>
#include <stdbool.h>
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

/* What one read to the end gave: the bytes (as a hash), the error. */
struct outcome {
	int64_t		total;
	uint64_t	hash;
	int64_t		mark;		/* bytes hashed into hash_at_mark */
	uint64_t	hash_at_mark;
	struct err	e;
	bool		failed;
};

/* Read the file to its end in odd-sized pieces with the inflater
 * AIOSIFT_INFLATE names ("" the default: ISA-L when built with it), then
 * seek back and past the end. */
static void
read_all(const char *inflater, size_t size, int64_t mark, struct outcome *o)
{
	struct reader	*r;
	ssize_t		 got;
	size_t		 want = 1, i;

	memset(o, 0, sizeof(*o));
	o->hash = o->hash_at_mark = 14695981039346656037ULL;
	o->mark = mark;
	setenv("AIOSIFT_INFLATE", inflater, 1);
	if ((r = reader_open(path, &o->e)) == NULL) {
		assert(o->e.msg[0] != '\0');
		o->failed = true;
		return;
	}
	for (;;) {
		got = reader_read(r, out, want, &o->e);
		if (got <= 0)
			break;
		assert((size_t)got <= want);
		for (i = 0; i < (size_t)got; i++) {
			if (o->total + (int64_t)i == o->mark)
				o->hash_at_mark = o->hash;
			o->hash = (o->hash ^ (unsigned char)out[i]) *
			    1099511628211ULL;
		}
		o->total += got;
		assert(reader_tell(r) == o->total);
		want = (want * 7 + size) % sizeof(out) + 1;
	}
	if (o->total == o->mark)
		o->hash_at_mark = o->hash;
	if (got < 0) {
		o->failed = true;
		assert(o->e.msg[0] != '\0' && strchr(o->e.msg, '\n') == NULL);
		assert(reader_read(r, out, sizeof(out), &o->e) == -1);
	}
	if (reader_seek(r, o->total / 2, &o->e) == 0)
		assert(reader_tell(r) == o->total / 2);
	if (reader_seek(r, o->total + 1, &o->e) == 0)
		assert(0 && "seek past the end succeeded");
	reader_close(r);
}

/* zlib refusing a deflate block by its header, where igzip may decode
 * the block before it meets a bad code or the member's CRC */
static bool
header_refusal(const char *msg)
{
	static const char *const which[] = { "invalid distances set",
	    "invalid literal/lengths set", "invalid code lengths set",
	    "invalid bit length repeat", "invalid code -- missing end-of-block",
	    "too many length or distance symbols" };
	size_t	i;

	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++)
		if (strstr(msg, which[i]) != NULL)
			return true;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome	accel, z;
	bool		same;

	/* reader_open() reads the switch; by size, so a rerun is the same */
	setenv("AIOSIFT_INFLATE_THREAD", size % 4 == 0 ? "1" : "0", 1);
	if (ftruncate(fd, 0) == -1 || pwrite(fd, data, size, 0) !=
	    (ssize_t)size)
		abort();
	/* ISA-L (when built with it) and zlib give the same bytes and the
	 * same message, byte offset included; but for one kind of damage
	 * (reader.c): a block header zlib refuses, where the bytes igzip
	 * handed out before it noticed come first (zlib's then are a
	 * prefix of them) */
	read_all("zlib", size, -1, &z);
	read_all("", size, z.total, &accel);
	same = accel.total == z.total && accel.hash == z.hash;
	if (!same && z.failed && header_refusal(z.e.msg))
		same = accel.total > z.total && accel.hash_at_mark == z.hash;
	if (!same || accel.failed != z.failed ||
	    (z.failed && strcmp(accel.e.msg, z.e.msg) != 0)) {
		fprintf(stderr, "inflaters differ: %lld bytes '%s' (default), "
		    "%lld bytes '%s' (zlib)\n", (long long)accel.total,
		    accel.failed ? accel.e.msg : "", (long long)z.total,
		    z.failed ? z.e.msg : "");
		abort();
	}
	return 0;
}
