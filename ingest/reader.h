#ifndef INGEST_READER_H
#define INGEST_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/err.h"

/* One file as a stream of decompressed bytes: plain, or gzip (multi-member
 * too) decided by the magic bytes, never by the name. "-" is stdin. */
struct reader;

struct reader_info {
	bool	 gzip;		/* the content is gzip */
	int64_t	 size;		/* on-disk bytes at open (-1: a pipe) */
	dev_t	 dev;
	ino_t	 ino;
	int64_t	 mtime_us;
};

/* Open path for reading without blocking on FIFOs or devices (those are
 * refused: "path: not a regular file"). NULL with *e (STATUS_INPUT). */
struct reader	*reader_open(const char *path, struct err *e);
void		 reader_close(struct reader *r);
const struct reader_info *reader_info(const struct reader *r);

/* Read up to n decompressed bytes into p: > 0 bytes, 0 at the end, -1 on
 * error with *e, e.g. "app.log.2.gz: byte 18231: truncated gzip member"
 * (the byte is the compressed offset). Everything decoded before an error
 * has been returned by earlier calls; after an error the reader only
 * returns -1 again. */
ssize_t	reader_read(struct reader *r, void *p, size_t n, struct err *e);

/* Position the stream at decompressed byte off from the start (lseek for
 * plain files, inflate and discard for gzip). 0, or -1 with *e (the
 * stream is shorter, or broken before off). */
int	reader_seek(struct reader *r, int64_t off, struct err *e);

/* Decompressed bytes returned or skipped so far. */
int64_t	reader_tell(const struct reader *r);

#endif
