#ifndef INGEST_READER_H
#define INGEST_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/err.h"

/* One file as a stream of decompressed bytes: plain, or gzip (multi-member
 * too) decided by the magic bytes 1f 8b, never by the name. "-" is stdin
 * (a pipe or a file), named "<stdin>" in messages. Memory is bounded
 * (a 128 KiB input block, two 256 KiB output buffers) whatever the file
 * holds. A gzip file (not stdin) is inflated ahead by a second thread
 * while the caller works on what it got; AIOSIFT_INFLATE_THREAD=0 in the
 * environment at reader_open() turns that off. Built with ISA-L, gzip is
 * inflated by igzip with zlib judging damage (reader.c);
 * AIOSIFT_INFLATE=zlib at reader_open() uses zlib alone. One reader is
 * used by one thread at a time. */
struct reader;

struct reader_info {
	bool	 gzip;		/* the content is gzip */
	int64_t	 size;		/* on-disk bytes at open (-1: a pipe) */
	dev_t	 dev;
	ino_t	 ino;
	int64_t	 mtime_us;
};

/* Open path for reading without blocking on FIFOs or devices (those are
 * refused: "path: not a regular file") and read its first block to tell
 * plain from gzip. NULL with *e (STATUS_INPUT): "path: No such file or
 * directory", "path: read error: Input/output error"... */
struct reader	*reader_open(const char *path, struct err *e);
/* The same on a copy of fd, an open regular file read from its start
 * whatever its name now (a followed file that was renamed or deleted);
 * path names it in messages. The caller keeps fd. */
struct reader	*reader_open_fd(const char *path, int fd, struct err *e);
void		 reader_close(struct reader *r);

/* Reading ahead: the next member of a rotation set opened, and a gzip
 * one's first 256 KiB inflated by its thread (no more until it is taken:
 * memory stays bounded), while the caller works on the current member,
 * so that bytes wait for it when it gets there. NULL when the file cannot
 * be opened now (the open when it is needed says why), for "-", or with
 * AIOSIFT_READ_AHEAD=0 in the environment (a serial run). */
struct reader	*reader_open_ahead(const char *path);
/* The reader *ahead when it was opened ahead for path and path still
 * names that file (device, inode, size and modification time as then);
 * otherwise *ahead (which may be NULL) is closed, its thread joined, and
 * path opened now as by reader_open(). *ahead is NULL after. */
struct reader	*reader_take_ahead(struct reader **ahead, const char *path,
		    struct err *e);
const struct reader_info *reader_info(const struct reader *r);

/* Read up to n decompressed bytes into p: > 0 bytes, 0 at the end, -1 on
 * error with *e (STATUS_INPUT), one of
 *	"app.log.2.gz: byte 18231: truncated gzip member"
 *	"app.log.2.gz: byte 2020: corrupt gzip data: <zlib's message>"
 *	"app.log.2.gz: byte 9605: trailing garbage after gzip member"
 *	"app.log: read error: <strerror>"
 * (the byte is the compressed offset). Everything decoded before an error
 * has been returned by earlier calls; after an error the reader only
 * returns -1 again, with the same message. Plain files are read straight
 * into p: give large buffers (64 KiB or more). A plain file that grows
 * while read is read up to its end at the time of each call. */
ssize_t	reader_read(struct reader *r, void *p, size_t n, struct err *e);

/* Position the stream at decompressed byte off from the start (lseek for
 * plain files, inflate and discard for gzip, from the start again when
 * going back). 0, or -1 with *e: "app.log: shorter than the N bytes read
 * before" (N = off: the file was truncated), the gzip error met before
 * off, or "<stdin>: cannot seek backwards". A failed seek past the end
 * leaves the reader usable. */
int	reader_seek(struct reader *r, int64_t off, struct err *e);

/* Whether the error met is the end of the file inside a gzip member: a
 * file cut short, or one gzip is still writing. */
bool	reader_cut(const struct reader *r);

/* Decompressed bytes returned or skipped so far. */
int64_t	reader_tell(const struct reader *r);

#endif
