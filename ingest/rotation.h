#ifndef INGEST_ROTATION_H
#define INGEST_ROTATION_H

#include <stddef.h>

#include "common/err.h"

/* Command-line paths into rotation sets: app.log, app.log.1, app.log.2.gz,
 * app.log.2026-02-21.gz, app.log-20260221.gz, app.log.2026-11-24_18-01-46.gz
 * are one set, its files ordered oldest first so records come in time
 * order. */

struct rotation_set {
	char	 *set_path;	/* dir/app.log: the live file's path, whether
				 * or not it exists; "-" for stdin */
	char	**files;	/* oldest first; the live file last */
	size_t	  nfiles;
};

struct rotation_list {
	struct rotation_set	*sets;	/* in a stable order (by set_path) */
	size_t			 nsets;
};

/* Called for each path skipped or unreadable, with a filled err (its
 * status says whether it is an input error, STATUS_INPUT, or a note,
 * STATUS_OK: a FIFO, device or dangling link met inside a directory). */
typedef void	rotation_warn_fn(void *ctx, const struct err *e);

/* Expand files, directories (recursively: the log files in them, never
 * following a symlink loop; FIFOs and devices skipped, never opened) and
 * "-" into rotation sets. A named path that does not exist is reported
 * through warn with STATUS_INPUT and skipped. Returns 0, or -1 when
 * nothing usable was named (then *e is filled). */
int	rotation_expand(char *const paths[], size_t npaths,
	    struct rotation_list *out, rotation_warn_fn *warn, void *ctx,
	    struct err *e);
void	rotation_list_release(struct rotation_list *l);

/* The rotation set a file name belongs to ("dir/app.log.2.gz" ->
 * "dir/app.log"), newly allocated, the caller's to free. */
char	*rotation_set_path(const char *path);

/* Whether a file name inside a directory looks like a log file
 * (app.log, app.log.1, x.log.gz, worker.out, app.jsonl, ...). */
int	rotation_is_log_name(const char *name);

#endif
