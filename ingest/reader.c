/*
 * reader: one file as a stream of decompressed bytes. Plain files are read
 * straight into the caller's buffer; gzip (decided by the magic bytes
 * 1f 8b, never by the name) is inflated member after member, the
 * compressed input read in large blocks. Errors name the file and, for
 * gzip, the compressed byte offset; the bytes decoded before an error are
 * always handed out first. Splitting into lines and records is left to
 * the splitter; fingerprints and offsets to the ingest pipeline.
 *
 * Inflating costs about as much as the rest of the pipeline, so a gzip
 * file is inflated by a second thread into two large buffers taking
 * turns (producer/consumer), overlapping it with the caller's work. The
 * producer owns the file, the zlib stream and the error it meets; the
 * caller (consumer) owns `pos` and sees the error only after the thread
 * has ended, when it has taken every buffer decoded before it.
 *
 * Built with ISA-L (HAVE_ISAL, found by pkg-config), a member is inflated
 * by its igzip, about 2.5 times as fast as zlib. zlib stays the judge of
 * damaged input: when igzip meets an error, a bad checksum or the end of
 * the input inside a member, the member is read again from its start by
 * zlib, the bytes igzip handed out before this call skipped, so what
 * follows (bytes, message, byte offset) is zlib's. Members with header
 * flags igzip would let pass (reserved bits, a header CRC) and stdin
 * (which cannot be read again) go by zlib alone. One difference remains,
 * found by fuzzing: igzip takes some deflate block headers zlib refuses
 * ("invalid distances set"...) and decodes the block until a bad code or
 * the member's CRC stops it; bytes of that block it handed out in an
 * earlier call stay given (zlib's message and offset still follow).
 */
#include "ingest/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include "common/xmalloc.h"

#define READER_INBUF	(128 * 1024)	/* compressed input block */
#define READER_SNIFF	4096		/* the first read, for the magic */
#define READER_SKIPBUF	(256 * 1024)	/* scratch for seeking in gzip */
#define READER_OUTBUF	(256 * 1024)	/* each of the two inflated buffers */
#define READER_GZHEAD	10		/* a gzip member's fixed header */

/* One of the inflate thread's two output buffers. While `full` the
 * consumer owns it, else the producer. */
struct reader_buf {
	unsigned char	*p;
	size_t		 len, off;	/* decoded bytes, taken bytes */
	bool		 full;
	bool		 fin;		/* no bytes: the end or the error */
};

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
#ifdef HAVE_ISAL
	struct inflate_state	*isal;		/* NULL: zlib only */
	bool			 isal_member;	/* igzip inflates this member */
	int64_t			 mstart;	/* file offset of the member */
	uint64_t		 mout;		/* its bytes igzip decoded */
	uint64_t		 mgiven;	/* of those, handed out by
						 * earlier calls */
	unsigned char		*mbase;		/* where this call's bytes of
						 * the member start */
#endif

	bool			 failed;	/* ferr is all we return now */
	struct err		 ferr;
	bool			 cut;		/* ferr: the input ends in a
						 * gzip member */
	bool			 done;		/* the thread gave the end */

	bool			 threads;	/* may inflate in a thread */
	bool			 running;	/* the thread is started */
	bool			 stop;		/* asks the thread to end */
	bool			 hold;		/* opened ahead, not taken yet:
						 * one buffer filled at most */
	pthread_t		 thread;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	struct reader_buf	 buf[2];
	int			 take;		/* the consumer's buffer */
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

/* Move the unread input to the front of the block and read at most max
 * more bytes after it. 0, or -1 with the error remembered. */
static int
reader_fill_max(struct reader *r, size_t max)
{
	size_t	keep = r->zs.avail_in;
	ssize_t	k;

	r->in_off = reader_zoff(r);
	if (keep > 0 && r->zs.next_in != r->in)
		memmove(r->in, r->zs.next_in, keep);
	r->zs.next_in = r->in;
	k = reader_sysread(r->fd, r->in + keep, r->in_size - keep < max ?
	    r->in_size - keep : max);
	if (k == -1) {
		reader_fail_errno(r);
		return -1;
	}
	if (k == 0)
		r->eof = true;
	r->zs.avail_in = (uInt)(keep + (size_t)k);
	return 0;
}

static int
reader_fill(struct reader *r)
{
	return reader_fill_max(r, r->in_size);
}

/* Open the file (or take a copy of fd, when not -1, from its start) and
 * refuse what is not a regular file; "-" is stdin. */
static int
reader_attach(struct reader *r, const char *path, int fd, struct err *e)
{
	struct stat	st;
	int		fl;

	if (fd != -1) {
		if ((r->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1 ||
		    fstat(r->fd, &st) == -1 ||
		    lseek(r->fd, 0, SEEK_SET) == -1)
			return err_set(e, STATUS_INPUT, "%s: %s", path,
			    strerror(errno));
		if (!S_ISREG(st.st_mode))
			return err_set(e, STATUS_INPUT,
			    "%s: not a regular file", path);
	} else if (strcmp(path, "-") == 0) {
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

/* AIOSIFT_INFLATE_THREAD=0 inflates in the caller's thread. */
static bool
reader_env_off(void)
{
	const char	*v = getenv("AIOSIFT_INFLATE_THREAD");

	return v != NULL && strcmp(v, "0") == 0;
}

#ifdef HAVE_ISAL
/* AIOSIFT_INFLATE=zlib inflates with zlib only. */
static bool
reader_env_zlib(void)
{
	const char	*v = getenv("AIOSIFT_INFLATE");

	return v != NULL && strcmp(v, "zlib") == 0;
}
#endif

/* Read the first block and decide between plain and gzip. */
static int
reader_sniff(struct reader *r, struct err *e)
{
	r->zs.next_in = r->in;
	r->zs.avail_in = 0;
	/* a small first read: an incremental run that only checks the
	 * fingerprint, then seeks, reads no more than it needs */
	while (r->zs.avail_in < 2 && !r->eof)
		if (reader_fill_max(r, READER_SNIFF) == -1) {
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
#ifdef HAVE_ISAL
	/* stdin cannot be read again for zlib's verdict on damage */
	if (!r->is_stdin && !reader_env_zlib())
		r->isal = xmalloc(sizeof(*r->isal));
#endif
	/* A pipe may stay open and silent: inflate it in the caller's
	 * thread, so closing never waits on it. */
	if (!r->is_stdin && !reader_env_off()) {
		if (pthread_mutex_init(&r->mu, NULL) != 0)
			return 0;
		if (pthread_cond_init(&r->cv, NULL) != 0) {
			pthread_mutex_destroy(&r->mu);
			return 0;
		}
		r->threads = true;
	}
	return 0;
}

static void	reader_halt(struct reader *r);

struct reader *
reader_open_fd(const char *path, int fd, struct err *e)
{
	struct reader	*r = xcalloc(1, sizeof(*r));

	r->fd = -1;
	r->path = xstrdup(strcmp(path, "-") == 0 && fd == -1 ? "<stdin>" :
	    path);
	r->in_size = READER_INBUF;
	r->in = xmalloc(r->in_size);
	if (reader_attach(r, path, fd, e) == -1 || reader_sniff(r, e) == -1) {
		reader_close(r);
		return NULL;
	}
	return r;
}

struct reader *
reader_open(const char *path, struct err *e)
{
	return reader_open_fd(path, -1, e);
}

bool
reader_cut(const struct reader *r)
{
	return r->failed && r->cut;
}

void
reader_close(struct reader *r)
{
	if (r == NULL)
		return;
	reader_halt(r);
	if (r->threads) {
		pthread_cond_destroy(&r->cv);
		pthread_mutex_destroy(&r->mu);
	}
	free(r->buf[0].p);
	free(r->buf[1].p);
	if (r->zinit)
		inflateEnd(&r->zs);
#ifdef HAVE_ISAL
	free(r->isal);
#endif
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

#ifdef HAVE_ISAL
/* At a member's start: igzip inflates it when the reader has igzip and
 * the member's fixed header holds nothing igzip lets pass and zlib does
 * not (reserved flag bits, a header CRC, another method). 0, or -1 on a
 * read error (remembered). */
static int
reader_isal_begin(struct reader *r)
{
	const unsigned char	*h;

	r->isal_member = false;
	if (r->isal == NULL)
		return 0;
	while (r->zs.avail_in < READER_GZHEAD && !r->eof)
		if (reader_fill(r) == -1)
			return -1;
	h = r->zs.next_in;
	if (r->zs.avail_in < READER_GZHEAD || h[2] != 8 || (h[3] & 0xe2) != 0)
		return 0;	/* zlib says what is wrong */
	isal_inflate_init(r->isal);
	r->isal->crc_flag = ISAL_GZIP;
	r->mstart = reader_zoff(r);
	r->mout = r->mgiven = 0;
	r->mbase = r->zs.next_out;
	r->isal_member = true;
	return 0;
}
#endif

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
#ifdef HAVE_ISAL
	if (reader_isal_begin(r) == -1)
		return -1;
#endif
	return 1;
}

/* One zlib step into zs.next_out: 1 to go on, 0 at the member's end,
 * -1 on an error (remembered). */
static int
reader_zlib_step(struct reader *r)
{
	int	rc;

	if (r->zs.avail_in == 0 && !r->eof)
		return reader_fill(r) == -1 ? -1 : 1;
	rc = inflate(&r->zs, Z_NO_FLUSH);
	if (rc == Z_STREAM_END) {
		r->in_member = false;
		return 0;
	}
	if (rc == Z_BUF_ERROR && r->zs.avail_in == 0) {
		/* inflate wants more and the file has no more */
		r->cut = true;
		reader_fail(r, STATUS_INPUT,
		    "%s: byte %lld: truncated gzip member", r->path,
		    (long long)reader_zoff(r));
		return -1;
	}
	if (rc != Z_OK) {
		reader_fail(r, STATUS_INPUT,
		    "%s: byte %lld: corrupt gzip data: %s", r->path,
		    (long long)reader_zoff(r),
		    r->zs.msg != NULL ? r->zs.msg : zError(rc));
		return -1;
	}
	return 1;
}

#ifdef HAVE_ISAL
/* igzip met damage, or the end of the input, in the member: read it
 * again from its start with zlib and skip the bytes igzip handed out, so
 * that what follows (more bytes, the error, its offset) is zlib's. The
 * bytes igzip decoded in this call are dropped: before it sees a
 * distance too far back it has copied the match (from its own memory),
 * bytes zlib never gives. 0 to go on with zlib, -1 on an error met
 * (remembered). */
static int
reader_zlib_again(struct reader *r)
{
	unsigned char	*out = r->mbase, *scratch;
	uInt		 room = r->zs.avail_out +
			    (uInt)(r->zs.next_out - r->mbase);
	uint64_t	 skip = r->mgiven;
	int		 rc = 1;

	r->isal_member = false;
	if (lseek(r->fd, r->mstart, SEEK_SET) == -1) {
		reader_fail_errno(r);
		return -1;
	}
	r->in_off = r->mstart;
	r->zs.next_in = r->in;
	r->zs.avail_in = 0;
	r->eof = false;
	inflateReset(&r->zs);
	scratch = xmalloc(READER_SKIPBUF);
	while (skip > 0 && rc == 1) {
		r->zs.next_out = scratch;
		r->zs.avail_out = skip < READER_SKIPBUF ? (uInt)skip :
		    READER_SKIPBUF;
		rc = reader_zlib_step(r);
		skip -= (uInt)(r->zs.next_out - scratch);
	}
	free(scratch);
	r->zs.next_out = out;
	r->zs.avail_out = room;
	/* zlib ending the member before igzip's bytes (never seen): its
	 * verdict stands, on from the member's end */
	return rc == -1 ? -1 : 0;
}

/* One igzip step into zs.next_out (the input and output cursors stay
 * zs's): 1 to go on, 0 at the member's end, -1 on an error (zlib's,
 * remembered). */
static int
reader_isal_step(struct reader *r)
{
	struct inflate_state	*s = r->isal;
	uInt			 in0 = r->zs.avail_in, out0 = r->zs.avail_out;
	int			 rc;

	if (r->zs.avail_in == 0 && !r->eof)
		return reader_fill(r) == -1 ? -1 : 1;
	s->next_in = r->zs.next_in;
	s->avail_in = r->zs.avail_in;
	s->next_out = r->zs.next_out;
	s->avail_out = r->zs.avail_out;
	rc = isal_inflate(s);
	r->zs.next_in = s->next_in;
	r->zs.avail_in = s->avail_in;
	r->zs.next_out = s->next_out;
	r->zs.avail_out = s->avail_out;
	r->mout += out0 - s->avail_out;
	if (rc == ISAL_DECOMP_OK && s->block_state == ISAL_BLOCK_FINISH) {
		r->in_member = false;
		r->isal_member = false;
		return 0;
	}
	/* damage; the input's end inside the member; no progress */
	if (rc < 0 || (r->zs.avail_in == 0 && r->eof &&
	    r->zs.avail_out > 0) || (r->zs.avail_in == in0 &&
	    r->zs.avail_out == out0))
		return reader_zlib_again(r) == -1 ? -1 : 1;
	return 1;
}
#endif

/* Gzip: inflate into p until it is full, the input ends or an error
 * comes (then remembered); the bytes decoded before it are counted. */
static size_t
reader_inflate(struct reader *r, void *p, size_t n)
{
	size_t	got;
	int	rc;

	if (r->failed)
		return 0;
	if (n > UINT_MAX)
		n = UINT_MAX;
	r->zs.next_out = p;
	r->zs.avail_out = (uInt)n;
#ifdef HAVE_ISAL
	r->mgiven = r->mout;
	r->mbase = p;
#endif
	while (r->zs.avail_out > 0) {
		if (!r->in_member) {
			rc = reader_next_member(r);
			if (rc <= 0)
				break;
		}
#ifdef HAVE_ISAL
		if (r->isal_member)
			rc = reader_isal_step(r);
		else
#endif
			rc = reader_zlib_step(r);
		if (rc == -1)
			break;
	}
	got = n - r->zs.avail_out;
	r->zs.next_out = NULL;
	r->zs.avail_out = 0;
	return got;
}

/* The inflate thread: fill the buffers in turn until the end or an
 * error, which goes out as a last buffer with `fin` set. */
static void *
reader_produce(void *arg)
{
	struct reader		*r = arg;
	struct reader_buf	*b;
	size_t			 got;
	int			 i = 0;
	bool			 stop;

	for (;;) {
		b = &r->buf[i];
		pthread_mutex_lock(&r->mu);
		while ((b->full || (r->hold && i == 1)) && !r->stop)
			pthread_cond_wait(&r->cv, &r->mu);
		stop = r->stop;
		pthread_mutex_unlock(&r->mu);
		if (stop)
			break;
		got = reader_inflate(r, b->p, READER_OUTBUF);
		pthread_mutex_lock(&r->mu);
		b->len = got;
		b->off = 0;
		b->fin = got == 0;
		b->full = true;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (got == 0)
			break;
		i ^= 1;
	}
	return NULL;
}

/* Start the inflate thread, with every signal blocked in it so they
 * reach the main thread. 0, or -1 to inflate in the caller's thread. */
static int
reader_start(struct reader *r)
{
	sigset_t	all, old;
	int		i, rc;

	for (i = 0; i < 2; i++) {
		if (r->buf[i].p == NULL)
			r->buf[i].p = xmalloc(READER_OUTBUF);
		r->buf[i].full = r->buf[i].fin = false;
		r->buf[i].len = r->buf[i].off = 0;
	}
	r->take = 0;
	r->stop = false;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&r->thread, NULL, reader_produce, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return -1;
	r->running = true;
	return 0;
}

/* End the inflate thread wherever it is. */
static void
reader_halt(struct reader *r)
{
	if (!r->running)
		return;
	pthread_mutex_lock(&r->mu);
	r->stop = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	pthread_join(r->thread, NULL);
	r->running = false;
}

/* The consumer: copy out of the buffer the thread filled; at the last
 * one, join it and report the end (0) or its error (-1). */
static ssize_t
reader_take(struct reader *r, void *p, size_t n)
{
	struct reader_buf	*b = &r->buf[r->take];

	pthread_mutex_lock(&r->mu);
	while (!b->full)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
	if (b->fin) {
		pthread_join(r->thread, NULL);
		r->running = false;
		b->full = false;
		if (r->failed)
			return -1;
		r->done = true;
		return 0;
	}
	if (n > b->len - b->off)
		n = b->len - b->off;
	memcpy(p, b->p + b->off, n);
	b->off += n;
	r->pos += (int64_t)n;
	if (b->off == b->len) {
		pthread_mutex_lock(&r->mu);
		b->full = false;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		r->take ^= 1;
	}
	return (ssize_t)n;
}

/* Gzip without a thread (stdin, or no thread to be had). */
static ssize_t
reader_read_gzip(struct reader *r, void *p, size_t n)
{
	size_t	got = reader_inflate(r, p, n);

	r->pos += (int64_t)got;
	return got == 0 && r->failed ? -1 : (ssize_t)got;
}

ssize_t
reader_read(struct reader *r, void *p, size_t n, struct err *e)
{
	ssize_t	k;

	/* While the thread runs, its error is not ours to see yet. */
	if (n == 0)
		k = !r->running && r->failed ? -1 : 0;
	else if (r->running)
		k = reader_take(r, p, n);
	else if (r->failed)
		k = -1;
	else if (r->done)
		k = 0;
	else if (!r->info.gzip)
		k = reader_read_plain(r, p, n);
	else if (r->threads && reader_start(r) == 0)
		k = reader_take(r, p, n);
	else
		k = reader_read_gzip(r, p, n);
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
	r->done = false;
	r->failed = false;	/* met by the thread reading ahead */
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

	if (!r->running && r->failed) {
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
		if (off < r->pos) {
			reader_halt(r);
			if (reader_rewind(r, e) == -1)
				return -1;
		}
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

/* AIOSIFT_READ_AHEAD=0: no reading ahead (a serial run, for comparing). */
static bool
reader_ahead_off(void)
{
	const char	*v = getenv("AIOSIFT_READ_AHEAD");

	return v != NULL && strcmp(v, "0") == 0;
}

struct reader *
reader_open_ahead(const char *path)
{
	struct reader	*r;
	struct err	 e;

	if (reader_ahead_off() || strcmp(path, "-") == 0 ||
	    (r = reader_open(path, &e)) == NULL)
		return NULL;
	if (r->info.gzip && r->threads) {
		r->hold = true;
		if (reader_start(r) == -1)
			r->hold = false;
	}
	return r;
}

struct reader *
reader_take_ahead(struct reader **ahead, const char *path, struct err *e)
{
	struct reader	*r = *ahead;
	struct stat	 st;

	*ahead = NULL;
	if (r != NULL && strcmp(r->path, path) == 0 && stat(path, &st) == 0 &&
	    st.st_dev == r->info.dev && st.st_ino == r->info.ino &&
	    (int64_t)st.st_size == r->info.size &&
	    (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000 ==
	    r->info.mtime_us) {
		if (r->running) {
			pthread_mutex_lock(&r->mu);
			r->hold = false;
			pthread_cond_broadcast(&r->cv);
			pthread_mutex_unlock(&r->mu);
		}
		return r;
	}
	reader_close(r);
	return reader_open(path, e);
}
