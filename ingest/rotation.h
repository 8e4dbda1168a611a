#ifndef INGEST_ROTATION_H
#define INGEST_ROTATION_H

#include <stddef.h>

#include "common/err.h"

/* Command-line paths into rotation sets: app.log, app.log.1, app.log.2.gz,
 * app.log.2026-02-21.gz, app.log-20260221.gz, app.log.2026-11-24_18-01-46.gz
 * are one set, its files ordered oldest first so records come in time
 * order: numbered suffixes from the highest number down, dated suffixes
 * by their date, both mixed in one set (or a bare app.log.gz) by
 * modification time; the live file (no suffix) last. File names are
 * bytes: spaces, newlines and non-ASCII are kept as they are. */

struct rotation_set {
	char	 *set_path;	/* dir/app.log: the live file's path, whether
				 * or not it exists; "-" for stdin */
	char	**files;	/* oldest first; the live file last */
	size_t	  nfiles;
};

/* A file a directory walk passed over, and why ("a database", "a .py
 * file with no log lines in its first 4 KiB"). */
struct rotation_skip {
	char		*path;
	const char	*why;	/* static text */
};

struct rotation_list {
	struct rotation_set	*sets;	/* in a stable order (by set_path) */
	size_t			 nsets;
	struct rotation_skip	*skipped; /* in the order met */
	size_t			 nskipped;
};

/* Called for each path skipped or unreadable, with a filled err (its
 * status says whether it is an input error, STATUS_INPUT: "PATH: No such
 * file or directory", an unreadable directory; or a note, STATUS_OK, for
 * what a directory walk passes over among the names that look like logs:
 * "PATH: not a regular file, skipped", "PATH: dangling symlink, skipped",
 * "PATH: symlink loop, skipped"; and for any directory link met again:
 * "PATH: directory already walked (symlink loop), skipped"). Regular
 * files that are not logs are not noted here: they are listed, with the
 * reason, in the list's skipped array. */
typedef void	rotation_warn_fn(void *ctx, const struct err *e);

/* Expand files, directories (recursively: the files in them for which
 * rotation_is_log_name() holds, and those of other names, source and
 * config files aside, whose first 4 KiB are text with log lines in it:
 * a time at a line start, a level prefix, a traceback; hidden ones left
 * out, and every file left out listed in out->skipped; symlinks followed,
 * never around a loop; FIFOs and devices skipped, never opened) and "-"
 * into rotation sets, under canonical absolute paths (realpath() of
 * each named path: "logs/", "/srv/logs" and a symlink to it give the same
 * names). A file named directly is taken whatever its name
 * and type (the reader refuses what it cannot read). The same file met
 * twice (named twice, named and found, a hard link) is taken once. A
 * named path that does not exist is reported through warn (which may be
 * NULL) with STATUS_INPUT and skipped. Returns 0, or -1 when no file at
 * all was found: "no log files found" (STATUS_INPUT), *out then empty.
 * Release *out with rotation_list_release() either way. */
int	rotation_expand(char *const paths[], size_t npaths,
	    struct rotation_list *out, rotation_warn_fn *warn, void *ctx,
	    struct err *e);
void	rotation_list_release(struct rotation_list *l);

/* The rotation set a file name belongs to ("dir/app.log.2.gz" ->
 * "dir/app.log"), newly allocated, the caller's to free. */
char	*rotation_set_path(const char *path);

/* Whether a file name inside a directory looks like a log file, its
 * rotation suffix aside: names ending .log .out .err .stderr .stdout .txt
 * .jsonl .ndjson
 * or holding ".log"; names without extension with "log" ending a word
 * (syslog, app-log, error_logs; not "Login Data") or called messages,
 * stderr, stdout, current, console, dmesg. Never: hidden names,
 * databases (.db, .db-wal, .sqlite..., *-journal), .json,
 * archives zlib cannot read (.bz2, .xz, .zst...), lastlog and wtmp. 1 or
 * 0. */
int	rotation_is_log_name(const char *name);

#endif
