/* Unit tests for ingest/reader: plain and gzip files made by the real
 * gzip tool (tests/gen/make_broken.sh, and some made here), byte-exact
 * content, errors that name the file and the byte, and every good byte
 * handed out before the error. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "ingest/reader.h"

struct bytes {
	char	*p;
	size_t	 n;
};

static char	tmpdir[] = "/tmp/test_reader.XXXXXX";

/* A fixture's path in a static buffer. */
static const char *
fixture(const char *name)
{
	static char	 path[4096];
	const char	*dir = getenv("FIXTURES");

	snprintf(path, sizeof(path), "%s/broken/%s",
	    dir != NULL ? dir : "tests/fixtures", name);
	return path;
}

static const char *
tmppath(const char *name)
{
	static char	path[4096];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

/* The whole content of a file, read with stdio (the oracle). */
static struct bytes
slurp(const char *path)
{
	struct bytes	 b = { NULL, 0 };
	FILE		*f = fopen(path, "rb");
	char		 buf[65536];
	size_t		 k;

	assert_non_null(f);
	while ((k = fread(buf, 1, sizeof(buf), f)) > 0) {
		b.p = realloc(b.p, b.n + k + 1);
		assert_non_null(b.p);
		memcpy(b.p + b.n, buf, k);
		b.n += k;
	}
	fclose(f);
	if (b.p == NULL)
		b.p = calloc(1, 1);
	return b;
}

static struct bytes
concat(struct bytes a, struct bytes b)
{
	struct bytes	c;

	c.n = a.n + b.n;
	c.p = malloc(c.n + 1);
	assert_non_null(c.p);
	memcpy(c.p, a.p, a.n);
	memcpy(c.p + a.n, b.p, b.n);
	return c;
}

static int64_t
file_size(const char *path)
{
	struct stat	st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* Run a shell command; it must succeed. */
static void
sh(const char *fmt, ...)
{
	char	cmd[8192];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	assert_int_equal(system(cmd), 0);
}

/* Read the reader to its end or error in chunks of `chunk` bytes; the
 * last reader_read() result is returned, the bytes in *out. */
static ssize_t
drain(struct reader *r, size_t chunk, struct bytes *out, struct err *e)
{
	char	*buf = malloc(chunk);
	ssize_t	 k;

	assert_non_null(buf);
	out->p = NULL;
	out->n = 0;
	while ((k = reader_read(r, buf, chunk, e)) > 0) {
		assert_true((size_t)k <= chunk);
		out->p = realloc(out->p, out->n + (size_t)k + 1);
		assert_non_null(out->p);
		memcpy(out->p + out->n, buf, (size_t)k);
		out->n += (size_t)k;
		assert_int_equal(reader_tell(r), (int64_t)out->n);
	}
	free(buf);
	return k;
}

enum { BYTE_ANY = -2, BYTE_SIZE = -1 };

static const struct {
	const char	*name, *file;
	bool		 gzip;
	const char	*texts[2];	/* what it decodes to, in order */
	bool		 whole;		/* all of texts comes out, else a
					 * prefix of it */
	size_t		 least;		/* at least this much comes out */
	const char	*err;		/* "" for none */
	int64_t		 byte;		/* the byte in the error */
	bool		 garbled;	/* only `least` bytes are right:
					 * inflate emits some bad bytes
					 * before it sees the damage */
} cases[] = {
	{ "single member", "single.gz", true, { "a.txt" }, true, 0, "", 0,
	    false },
	{ "two members (cat a.gz b.gz)", "multi.gz", true,
	    { "a.txt", "b.txt" }, true, 0, "", 0, false },
	{ "gzip named .log", "gzip-named.log", true, { "a.txt" }, true, 0,
	    "", 0, false },
	{ "plain text named .gz", "plain-named.gz", false, { "b.txt" }, true,
	    0, "", 0, false },
	{ "plain text", "a.txt", false, { "a.txt" }, true, 0, "", 0, false },
	{ "empty file", "empty.log", false, { "empty.log" }, true, 0, "", 0,
	    false },
	{ "truncated in the data", "truncated.gz", true, { "a.txt" }, false,
	    20000, "truncated gzip member", BYTE_SIZE, false },
	{ "header only", "header-only.gz", true, { "a.txt" }, false, 0,
	    "truncated gzip member", 10, false },
	{ "magic bytes only", "magic-only.gz", true, { "a.txt" }, false, 0,
	    "truncated gzip member", 2, false },
	{ "second member truncated", "multi-truncated.gz", true,
	    { "a.txt", "b.txt" }, false, 51017, "truncated gzip member",
	    BYTE_SIZE, false },
	{ "trailing garbage", "trailing.gz", true, { "a.txt" }, true, 0,
	    "trailing garbage after gzip member", 9605, false },
	{ "bit flipped", "bitflip.gz", true, { "a.txt" }, false, 9000,
	    "corrupt gzip data: invalid distance too far back", BYTE_ANY,
	    true },
	{ "bad crc", "badcrc.gz", true, { "b.txt" }, true, 0,
	    "corrupt gzip data: incorrect data check", 141 - 4, false },
};

static void
check_case(size_t i, size_t chunk)
{
	struct reader	*r;
	struct err	 e;
	struct bytes	 out, want = { NULL, 0 }, t;
	char		 path[4096], msg[8192];
	ssize_t		 k;
	size_t		 j;

	print_message("case %s, chunk %zu\n", cases[i].name, chunk);
	snprintf(path, sizeof(path), "%s", fixture(cases[i].file));
	for (j = 0; j < 2 && cases[i].texts[j] != NULL; j++) {
		t = slurp(fixture(cases[i].texts[j]));
		if (want.p == NULL) {
			want = t;
		} else {
			struct bytes	c = concat(want, t);

			free(want.p);
			free(t.p);
			want = c;
		}
	}
	err_clear(&e);
	r = reader_open(path, &e);
	assert_non_null(r);
	assert_int_equal(reader_info(r)->gzip, cases[i].gzip);
	assert_int_equal(reader_info(r)->size, file_size(path));
	k = drain(r, chunk, &out, &e);
	if (cases[i].err[0] == '\0') {
		assert_int_equal(k, 0);
	} else {
		assert_int_equal(k, -1);
		assert_int_equal(e.status, STATUS_INPUT);
		if (cases[i].byte == BYTE_ANY) {
			snprintf(msg, sizeof(msg), "%s: byte ", path);
			assert_memory_equal(e.msg, msg, strlen(msg));
			assert_non_null(strstr(e.msg, cases[i].err));
		} else {
			snprintf(msg, sizeof(msg), "%s: byte %lld: %s", path,
			    (long long)(cases[i].byte == BYTE_SIZE ?
			    file_size(path) : cases[i].byte), cases[i].err);
			assert_string_equal(e.msg, msg);
		}
		/* The error sticks. */
		snprintf(msg, sizeof(msg), "%s", e.msg);
		err_clear(&e);
		assert_int_equal(reader_read(r, path, 10, &e), -1);
		assert_string_equal(e.msg, msg);
		assert_int_equal(e.status, STATUS_INPUT);
	}
	if (cases[i].whole)
		assert_int_equal(out.n, want.n);
	assert_true(out.n <= want.n);
	assert_true(out.n >= cases[i].least);
	if (cases[i].garbled)
		assert_memory_equal(out.p, want.p, cases[i].least);
	else if (out.n > 0)
		assert_memory_equal(out.p, want.p, out.n);
	reader_close(r);
	free(out.p);
	free(want.p);
}

/* Gzip is inflated in a second thread unless AIOSIFT_INFLATE_THREAD=0:
 * run a test body both ways. */
static void
both_ways(void (*body)(void))
{
	print_message("inflate thread\n");
	assert_int_equal(unsetenv("AIOSIFT_INFLATE_THREAD"), 0);
	body();
	print_message("no inflate thread\n");
	assert_int_equal(setenv("AIOSIFT_INFLATE_THREAD", "0", 1), 0);
	body();
	assert_int_equal(unsetenv("AIOSIFT_INFLATE_THREAD"), 0);
}

static void
cases_body(void)
{
	static const size_t	chunks[] = { 1, 7, 4096, 1 << 20, 3 << 20 };
	size_t			i, c;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++)
			check_case(i, chunks[c]);
}

static void
test_cases(void **state)
{
	(void)state;
	both_ways(cases_body);
}

/* Bytes decoded before an error all come out, whatever the chunking:
 * the truncated file gives what zcat gives. */
static void
test_truncated_matches_zcat(void **state)
{
	struct reader	*r;
	struct err	 e;
	struct bytes	 out, want;

	(void)state;
	sh("zcat < '%s' > '%s' 2>/dev/null; true", fixture("truncated.gz"),
	    tmppath("zcat.out"));
	want = slurp(tmppath("zcat.out"));
	assert_true(want.n > 20000);
	r = reader_open(fixture("truncated.gz"), &e);
	assert_non_null(r);
	assert_int_equal(drain(r, 65536, &out, &e), -1);
	/* zcat flushes what it decoded; so do we, or more. */
	assert_true(out.n >= want.n);
	assert_memory_equal(out.p, want.p, want.n);
	reader_close(r);
	free(out.p);
	free(want.p);
}

static const struct {
	const char	*name;
	const char	*path;	/* NULL: a FIFO made here */
	const char	*err;	/* after "PATH: " */
} refused[] = {
	{ "directory", "", "not a regular file" },
	{ "fifo", NULL, "not a regular file" },
	{ "device", "/dev/null", "not a regular file" },
	{ "missing", "/nonexistent/app.log", "No such file or directory" },
	{ "read error", "/proc/self/mem", "read error: Input/output error" },
};

static void
test_refused(void **state)
{
	struct reader	*r;
	struct err	 e;
	char		 path[4096], msg[8192];
	size_t		 i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		print_message("case %s\n", refused[i].name);
		if (refused[i].path == NULL) {
			snprintf(path, sizeof(path), "%s", tmppath("fifo.log"));
			unlink(path);
			assert_int_equal(mkfifo(path, 0600), 0);
		} else if (refused[i].path[0] == '\0') {
			snprintf(path, sizeof(path), "%s", tmpdir);
		} else {
			snprintf(path, sizeof(path), "%s", refused[i].path);
		}
		err_clear(&e);
		r = reader_open(path, &e);
		assert_null(r);
		assert_int_equal(e.status, STATUS_INPUT);
		snprintf(msg, sizeof(msg), "%s: %s", path, refused[i].err);
		assert_string_equal(e.msg, msg);
	}
}

/* A deterministic, poorly compressible text of n bytes. */
static void
write_text(const char *path, size_t n)
{
	FILE		*f = fopen(path, "w");
	uint64_t	 x = 88172645463325252ULL;
	size_t		 w = 0;

	assert_non_null(f);
	while (w < n) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w += (size_t)fprintf(f, "2026-02-21 12:00:00,%03u INFO t: "
		    "%016llx %llu\n", (unsigned)(x % 1000),
		    (unsigned long long)x, (unsigned long long)(x >> 20));
	}
	fclose(f);
}

/* Big members crossing input blocks, with an empty member between. */
static void
big_body(void)
{
	struct reader	*r;
	struct err	 e;
	struct bytes	 out, text, want;

	text = slurp(tmppath("big.txt"));
	want = concat(text, text);
	r = reader_open(tmppath("big.gz"), &e);
	assert_non_null(r);
	assert_true(reader_info(r)->gzip);
	assert_int_equal(drain(r, 100000, &out, &e), 0);
	assert_int_equal(out.n, want.n);
	assert_memory_equal(out.p, want.p, want.n);
	reader_close(r);
	free(out.p);

	/* The same text plain, in odd chunks. */
	r = reader_open(tmppath("big.txt"), &e);
	assert_non_null(r);
	assert_false(reader_info(r)->gzip);
	assert_int_equal(drain(r, 65537, &out, &e), 0);
	assert_int_equal(out.n, text.n);
	assert_memory_equal(out.p, text.p, text.n);
	reader_close(r);
	free(out.p);
	free(text.p);
	free(want.p);
}

static void
test_big_multimember(void **state)
{
	(void)state;
	write_text(tmppath("big.txt"), 3 << 20);
	sh("cd '%s' && gzip -c big.txt > big1.gz && : | gzip -c > empty.gz"
	    " && cat big1.gz empty.gz big1.gz > big.gz", tmpdir);
	both_ways(big_body);
}

/* The thread reads ahead: closing early, seeking back after it met an
 * error further on, and seeking forward past buffers all behave. */
static void
ahead_body(void)
{
	struct reader	*r;
	struct err	 e;
	struct bytes	 text = slurp(tmppath("big.txt")), out;
	char		 buf[64];
	int		 i;

	/* Closed with both buffers full. */
	r = reader_open(tmppath("big.gz"), &e);
	assert_non_null(r);
	assert_int_equal(reader_read(r, buf, 10, &e), 10);
	assert_memory_equal(buf, text.p, 10);
	usleep(20000);
	reader_close(r);

	/* Back to the start, again and again, then far forward. */
	r = reader_open(tmppath("big.gz"), &e);
	assert_non_null(r);
	for (i = 0; i < 3; i++) {
		assert_int_equal(reader_read(r, buf, sizeof(buf), &e),
		    (ssize_t)sizeof(buf));
		assert_memory_equal(buf, text.p, sizeof(buf));
		assert_int_equal(reader_seek(r, 0, &e), 0);
	}
	assert_int_equal(reader_seek(r, (int64_t)text.n + 5, &e), 0);
	assert_int_equal(reader_read(r, buf, sizeof(buf), &e),
	    (ssize_t)sizeof(buf));
	assert_memory_equal(buf, text.p + 5, sizeof(buf));
	reader_close(r);

	/* The error the thread met ahead is not seen before its bytes,
	 * and not at all after seeking back before it. */
	r = reader_open(fixture("truncated.gz"), &e);
	assert_non_null(r);
	assert_int_equal(reader_read(r, buf, sizeof(buf), &e),
	    (ssize_t)sizeof(buf));
	usleep(20000);
	assert_int_equal(reader_seek(r, 3, &e), 0);
	assert_int_equal(reader_read(r, buf, 5, &e), 5);
	assert_int_equal(reader_seek(r, 0, &e), 0);
	assert_int_equal(drain(r, 1000, &out, &e), -1);
	assert_non_null(strstr(e.msg, "truncated gzip member"));
	assert_true(out.n > 20000);
	assert_int_equal(reader_read(r, buf, 0, &e), -1);
	assert_int_equal(reader_seek(r, 0, &e), -1);
	reader_close(r);
	free(out.p);
	free(text.p);
}

static void
test_read_ahead(void **state)
{
	(void)state;
	both_ways(ahead_body);
}

/* The resident set size now, in KiB. */
static long
rss_kib(void)
{
	FILE	*f = fopen("/proc/self/statm", "r");
	long	 size = 0, rss = 0;

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld %ld", &size, &rss), 2);
	fclose(f);
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* 256 MiB of zeros from a 250 KiB file streams in bounded memory. */
static void
test_bomb(void **state)
{
	struct reader	*r;
	struct err	 e;
	long		 before, most = 0;
	static char	 buf[1 << 20];
	int64_t		 total = 0;
	ssize_t		 k, i;

	(void)state;
	sh("head -c 268435456 /dev/zero | gzip -1 > '%s'",
	    tmppath("bomb.gz"));
	before = rss_kib();
	r = reader_open(tmppath("bomb.gz"), &e);
	assert_non_null(r);
	while ((k = reader_read(r, buf, sizeof(buf), &e)) > 0) {
		for (i = 0; i < k; i += 4093)
			assert_int_equal(buf[i], 0);
		total += k;
		if (total % (16 << 20) == 0 && rss_kib() - before > most)
			most = rss_kib() - before;
	}
	assert_int_equal(k, 0);
	assert_int_equal(total, 268435456);
	reader_close(r);
	print_message("rss grew by at most %ld KiB\n", most);
	assert_true(most < 16 * 1024);
}

static void
seek_body(void)
{
	static const char	*files[] = { "a.txt", "single.gz" };
	struct reader		*r;
	struct err		 e;
	struct bytes		 text = slurp(fixture("a.txt"));
	char			 buf[100], msg[8192];
	size_t			 i;

	for (i = 0; i < 2; i++) {
		print_message("file %s\n", files[i]);
		r = reader_open(fixture(files[i]), &e);
		assert_non_null(r);
		/* forward */
		assert_int_equal(reader_seek(r, 30000, &e), 0);
		assert_int_equal(reader_tell(r), 30000);
		assert_int_equal(reader_read(r, buf, sizeof(buf), &e), 100);
		assert_memory_equal(buf, text.p + 30000, 100);
		assert_int_equal(reader_tell(r), 30100);
		/* backward */
		assert_int_equal(reader_seek(r, 5, &e), 0);
		assert_int_equal(reader_read(r, buf, 10, &e), 10);
		assert_memory_equal(buf, text.p + 5, 10);
		/* to the very end */
		assert_int_equal(reader_seek(r, (int64_t)text.n, &e), 0);
		assert_int_equal(reader_read(r, buf, 10, &e), 0);
		/* past the end */
		err_clear(&e);
		assert_int_equal(reader_seek(r, (int64_t)text.n + 1, &e),
		    -1);
		assert_int_equal(e.status, STATUS_INPUT);
		snprintf(msg, sizeof(msg),
		    "%s: shorter than the %zu bytes read before",
		    fixture(files[i]), text.n + 1);
		assert_string_equal(e.msg, msg);
		reader_close(r);
	}
	/* Broken before the offset: the gzip error. */
	r = reader_open(fixture("truncated.gz"), &e);
	assert_non_null(r);
	assert_int_equal(reader_seek(r, 50000, &e), -1);
	assert_non_null(strstr(e.msg, "truncated gzip member"));
	reader_close(r);
	free(text.p);
}

static void
test_seek(void **state)
{
	(void)state;
	both_ways(seek_body);
}

static void
test_info(void **state)
{
	struct reader	*r;
	struct err	 e;
	struct stat	 st;

	(void)state;
	assert_int_equal(stat(fixture("single.gz"), &st), 0);
	r = reader_open(fixture("single.gz"), &e);
	assert_non_null(r);
	assert_true(reader_info(r)->gzip);
	assert_int_equal(reader_info(r)->size, st.st_size);
	assert_int_equal(reader_info(r)->dev, st.st_dev);
	assert_int_equal(reader_info(r)->ino, st.st_ino);
	assert_int_equal(reader_info(r)->mtime_us,
	    (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000);
	assert_int_equal(reader_tell(r), 0);
	reader_close(r);
	reader_close(NULL);
}

/* "-" reads stdin, here a pipe carrying gzip. */
static void
test_stdin(void **state)
{
	struct reader	*r;
	struct err	 e;
	struct bytes	 gz = slurp(fixture("badcrc.gz"));
	struct bytes	 want = slurp(fixture("b.txt")), out;
	int		 p[2], saved;

	(void)state;
	saved = dup(STDIN_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(pipe(p), 0);
	/* A good member: b.txt, written through gzip by the shell. */
	sh("gzip -c < '%s' > '%s'", fixture("b.txt"), tmppath("b.gz"));
	free(gz.p);
	gz = slurp(tmppath("b.gz"));
	assert_int_equal(write(p[1], gz.p, gz.n), (ssize_t)gz.n);
	close(p[1]);
	assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	close(p[0]);
	r = reader_open("-", &e);
	assert_non_null(r);
	assert_true(reader_info(r)->gzip);
	assert_int_equal(reader_info(r)->size, -1);
	assert_int_equal(drain(r, 17, &out, &e), 0);
	assert_int_equal(out.n, want.n);
	assert_memory_equal(out.p, want.p, want.n);
	/* No way back on a pipe. */
	assert_int_equal(reader_seek(r, 0, &e), -1);
	assert_string_equal(e.msg, "<stdin>: cannot seek backwards");
	reader_close(r);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	free(out.p);
	free(gz.p);
	free(want.p);
}

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	char	cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_truncated_matches_zcat),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_big_multimember),
		cmocka_unit_test(test_read_ahead),
		cmocka_unit_test(test_bomb),
		cmocka_unit_test(test_seek),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_stdin),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
