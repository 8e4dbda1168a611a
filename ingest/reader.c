/*
 * reader: one file as a stream of decompressed bytes. Plain files are read
 * straight into the caller's buffer; gzip (decided by the magic bytes
 * 1f 8b, never by the name) is inflated by zlib member after member, the
 * compressed input read in large blocks. Errors name the file and, for
 * gzip, the compressed byte offset; the bytes decoded before an error are
 * always handed out first. Splitting into lines and records is left to
 * the splitter; fingerprints and offsets to the ingest pipeline.
 */
#include "ingest/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "common/xmalloc.h"

#define READER_INBUF	(512 * 1024)	/* compressed input block */
#define READER_SKIPBUF	(256 * 1024)	/* scratch for seeking in gzip */

struct reader {
	char			*path;		/* as named, for messages */
	int			 fd;
	bool			 is_stdin;
	struct reader_info	 info;
	int64_t			 pos;		/* decompressed bytes so far */

	unsigned char		*in;		/* input block */
	size_t			 in_size;
	int64_t			 in_off;	/* file offset of in[0] */
	bool			 eof;		/* read() returned 0 */

	z_stream		 zs;
	bool			 zinit;
	bool			 in_member;	/* inside a gzip member */

	bool			 failed;	/* ferr is all we return now */
	struct err		 ferr;
};

/* read() that retries on EINTR and waits on a non-blocking stdin. */
static ssize_t
reader_sysread(int fd, void *p, size_t n)
{
	struct pollfd	pfd;
	ssize_t		k;

	if (n > SSIZE_MAX)
		n = SSIZE_MAX;
	for (;;) {
		k = read(fd, p, n);
		if (k >= 0)
			return k;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
			return -1;
	}
}

/* Remember the first error: from now on every call returns it. */
static void
reader_fail(struct reader *r, enum status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
reader_fail(struct reader *r, enum status st, const char *fmt, ...)
{
	va_list	ap;

	r->failed = true;
	r->ferr.status = st;
	va_start(ap, fmt);
	vsnprintf(r->ferr.msg, sizeof(r->ferr.msg), fmt, ap);
	va_end(ap);
}

static void
reader_fail_errno(struct reader *r)
{
	reader_fail(r, STATUS_INPUT, "%s: read error: %s", r->path,
	    strerror(errno));
}

/* File offset of the next compressed byte inflate would take. */
static int64_t
reader_zoff(const struct reader *r)
{
	return r->in_off + (int64_t)(r->zs.next_in - r->in);
}

/* Move the unread input to the front of the block and read more after
 * it. 0, or -1 with the error remembered. */
static int
reader_fill(struct reader *r)
{
	size_t	keep = r->zs.avail_in;
	ssize_t	k;

	r->in_off = reader_zoff(r);
	if (keep > 0 && r->zs.next_in != r->in)
		memmove(r->in, r->zs.next_in, keep);
	r->zs.next_in = r->in;
	k = reader_sysread(r->fd, r->in + keep, r->in_size - keep);
	if (k == -1) {
		reader_fail_errno(r);
		return -1;
	}
	if (k == 0)
		r->eof = true;
	r->zs.avail_in = (uInt)(keep + (size_t)k);
	return 0;
}

/* Open the file and refuse what is not a regular file; "-" is stdin. */
static int
reader_open_fd(struct reader *r, const char *path, struct err *e)
{
	struct stat	st;
	int		fl;

	if (strcmp(path, "-") == 0) {
		r->is_stdin = true;
		r->fd = STDIN_FILENO;
		if (fstat(r->fd, &st) == -1)
			return err_set(e, STATUS_INPUT, "%s: %s", r->path,
			    strerror(errno));
		if (S_ISDIR(st.st_mode))
			return err_set(e, STATUS_INPUT,
			    "%s: not a regular file", r->path);
	} else {
		r->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (r->fd == -1)
			return err_set(e, STATUS_INPUT, "%s: %s", path,
			    strerror(errno));
		if (fstat(r->fd, &st) == -1)
			return err_set(e, STATUS_INPUT, "%s: %s", path,
			    strerror(errno));
		if (!S_ISREG(st.st_mode))
			return err_set(e, STATUS_INPUT,
			    "%s: not a regular file", path);
		/* A regular file now: reads may block as usual. */
		fl = fcntl(r->fd, F_GETFL);
		if (fl == -1 || fcntl(r->fd, F_SETFL, fl & ~O_NONBLOCK) == -1)
			return err_set(e, STATUS_INPUT, "%s: %s", path,
			    strerror(errno));
		(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	r->info.size = S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
	r->info.dev = st.st_dev;
	r->info.ino = st.st_ino;
	r->info.mtime_us = (int64_t)st.st_mtim.tv_sec * 1000000 +
	    st.st_mtim.tv_nsec / 1000;
	return 0;
}

/* Read the first block and decide between plain and gzip. */
static int
reader_sniff(struct reader *r, struct err *e)
{
	r->zs.next_in = r->in;
	r->zs.avail_in = 0;
	while (r->zs.avail_in < 2 && !r->eof)
		if (reader_fill(r) == -1) {
			*e = r->ferr;
			return -1;
		}
	r->info.gzip = r->zs.avail_in >= 2 && r->in[0] == 0x1f &&
	    r->in[1] == 0x8b;
	if (!r->info.gzip)
		return 0;
	if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK)
		return err_set(e, STATUS_INPUT, "%s: zlib: %s", r->path,
		    r->zs.msg != NULL ? r->zs.msg : "cannot initialise");
	r->zinit = true;
	return 0;
}

struct reader *
reader_open(const char *path, struct err *e)
{
	struct reader	*r = xcalloc(1, sizeof(*r));

	r->fd = -1;
	r->path = xstrdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
	r->in_size = READER_INBUF;
	r->in = xmalloc(r->in_size);
	if (reader_open_fd(r, path, e) == -1 || reader_sniff(r, e) == -1) {
		reader_close(r);
		return NULL;
	}
	return r;
}

void
reader_close(struct reader *r)
{
	if (r == NULL)
		return;
	if (r->zinit)
		inflateEnd(&r->zs);
	if (r->fd != -1 && !r->is_stdin)
		close(r->fd);
	free(r->in);
	free(r->path);
	free(r);
}

const struct reader_info *
reader_info(const struct reader *r)
{
	return &r->info;
}

/* Plain: what is left of the first block, then straight reads. */
static ssize_t
reader_read_plain(struct reader *r, void *p, size_t n)
{
	ssize_t	k;

	if (r->zs.avail_in > 0) {
		if (n > r->zs.avail_in)
			n = r->zs.avail_in;
		memcpy(p, r->zs.next_in, n);
		r->zs.next_in += n;
		r->zs.avail_in -= (uInt)n;
		r->pos += (int64_t)n;
		return (ssize_t)n;
	}
	k = reader_sysread(r->fd, p, n);
	if (k == -1) {
		reader_fail_errno(r);
		return -1;
	}
	r->pos += k;
	return k;
}

/* Between members: the end, the next member, or trailing garbage.
 * 1 to inflate on, 0 at the end, -1 on error (remembered). */
static int
reader_next_member(struct reader *r)
{
	while (r->zs.avail_in < 2 && !r->eof)
		if (reader_fill(r) == -1)
			return -1;
	if (r->zs.avail_in == 0)
		return 0;
	if (r->zs.avail_in < 2 || r->zs.next_in[0] != 0x1f ||
	    r->zs.next_in[1] != 0x8b) {
		reader_fail(r, STATUS_INPUT,
		    "%s: byte %lld: trailing garbage after gzip member",
		    r->path, (long long)reader_zoff(r));
		return -1;
	}
	inflateReset(&r->zs);
	r->in_member = true;
	return 1;
}

/* Gzip: inflate into the caller's buffer until it is full, the input
 * ends or an error comes; the error waits for the next call when some
 * bytes were decoded first. */
static ssize_t
reader_read_gzip(struct reader *r, void *p, size_t n)
{
	size_t	got;
	int	rc;

	if (n > UINT_MAX)
		n = UINT_MAX;
	r->zs.next_out = p;
	r->zs.avail_out = (uInt)n;
	while (r->zs.avail_out > 0) {
		if (!r->in_member) {
			rc = reader_next_member(r);
			if (rc <= 0)
				break;
		}
		if (r->zs.avail_in == 0 && !r->eof) {
			if (reader_fill(r) == -1)
				break;
			continue;
		}
		rc = inflate(&r->zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END) {
			r->in_member = false;
		} else if (rc == Z_BUF_ERROR && r->zs.avail_in == 0) {
			/* inflate wants more and the file has no more */
			reader_fail(r, STATUS_INPUT,
			    "%s: byte %lld: truncated gzip member", r->path,
			    (long long)reader_zoff(r));
			break;
		} else if (rc != Z_OK) {
			reader_fail(r, STATUS_INPUT,
			    "%s: byte %lld: corrupt gzip data: %s", r->path,
			    (long long)reader_zoff(r),
			    r->zs.msg != NULL ? r->zs.msg : zError(rc));
			break;
		}
	}
	got = n - r->zs.avail_out;
	r->zs.next_out = NULL;
	r->zs.avail_out = 0;
	r->pos += (int64_t)got;
	return r->failed && got == 0 ? -1 : (ssize_t)got;
}

ssize_t
reader_read(struct reader *r, void *p, size_t n, struct err *e)
{
	ssize_t	k;

	if (!r->failed && n > 0)
		k = r->info.gzip ? reader_read_gzip(r, p, n) :
		    reader_read_plain(r, p, n);
	else
		k = r->failed ? -1 : 0;
	if (k == -1 && e != NULL)
		*e = r->ferr;
	return k;
}

/* Back to the start of the file, for a gzip seek backwards. */
static int
reader_rewind(struct reader *r, struct err *e)
{
	if (r->is_stdin)
		return err_set(e, STATUS_INPUT, "%s: cannot seek backwards",
		    r->path);
	if (lseek(r->fd, 0, SEEK_SET) == -1)
		return err_set(e, STATUS_INPUT, "%s: %s", r->path,
		    strerror(errno));
	r->in_off = 0;
	r->eof = false;
	r->zs.next_in = r->in;
	r->zs.avail_in = 0;
	r->in_member = false;
	r->pos = 0;
	return 0;
}

/* Read and drop decompressed bytes up to off. */
static int
reader_skip(struct reader *r, int64_t off, struct err *e)
{
	char	*scratch = NULL;
	ssize_t	 k;
	size_t	 want;
	int	 rc = -1;

	scratch = xmalloc(READER_SKIPBUF);
	while (r->pos < off) {
		want = READER_SKIPBUF;
		if ((int64_t)want > off - r->pos)
			want = (size_t)(off - r->pos);
		k = reader_read(r, scratch, want, e);
		if (k == -1)
			goto out;
		if (k == 0) {
			err_set(e, STATUS_INPUT,
			    "%s: shorter than the %lld bytes read before",
			    r->path, (long long)off);
			goto out;
		}
	}
	rc = 0;
out:
	free(scratch);
	return rc;
}

int
reader_seek(struct reader *r, int64_t off, struct err *e)
{
	struct stat	st;

	if (r->failed) {
		if (e != NULL)
			*e = r->ferr;
		return -1;
	}
	if (off < 0)
		return err_set(e, STATUS_INPUT, "%s: bad offset %lld",
		    r->path, (long long)off);
	if (off == r->pos)
		return 0;
	if (r->info.gzip || r->is_stdin) {
		if (off < r->pos && reader_rewind(r, e) == -1)
			return -1;
		return reader_skip(r, off, e);
	}
	if (fstat(r->fd, &st) == -1)
		return err_set(e, STATUS_INPUT, "%s: %s", r->path,
		    strerror(errno));
	if (off > st.st_size)
		return err_set(e, STATUS_INPUT,
		    "%s: shorter than the %lld bytes read before", r->path,
		    (long long)off);
	if (lseek(r->fd, off, SEEK_SET) == -1)
		return err_set(e, STATUS_INPUT, "%s: %s", r->path,
		    strerror(errno));
	r->zs.avail_in = 0;
	r->eof = false;
	r->pos = off;
	return 0;
}

int64_t
reader_tell(const struct reader *r)
{
	return r->pos;
}
