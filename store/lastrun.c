/*
 * lastrun: the figures of a database's last ingest (when it ended, bytes,
 * files, records, findings, errors, exit status) as meta rows, written
 * together so a reader sees one run's figures, never a mix of two. What
 * the figures mean is the ingest's business; this only keeps them.
 */
#include "store/lastrun.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LASTRUN_NKEYS	7

static const char *const lastrun_keys[LASTRUN_NKEYS] = {
	"last_ingest_end_us", "last_ingest_files", "last_ingest_bytes",
	"last_ingest_records", "last_ingest_findings", "last_ingest_errors",
	"last_ingest_status",
};

static void
lastrun_values(const struct lastrun *l, int64_t v[LASTRUN_NKEYS])
{
	v[0] = l->end_us;
	v[1] = l->files;
	v[2] = l->bytes;
	v[3] = l->records;
	v[4] = l->findings;
	v[5] = l->errors;
	v[6] = l->status;
}

int
lastrun_save(struct store *s, const struct lastrun *l, struct err *e)
{
	int64_t	v[LASTRUN_NKEYS];
	char	buf[32];
	size_t	i;

	lastrun_values(l, v);
	if (store_begin(s, e) == -1)
		return -1;
	for (i = 0; i < LASTRUN_NKEYS; i++) {
		snprintf(buf, sizeof(buf), "%" PRId64, v[i]);
		if (store_meta_set(s, lastrun_keys[i], buf, e) == -1) {
			store_rollback(s);
			return -1;
		}
	}
	if (store_commit(s, e) == -1) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

int
lastrun_load(struct store *s, struct lastrun *l, struct err *e)
{
	int64_t		 v[LASTRUN_NKEYS];
	char		*text, *end;
	long long	 n;
	size_t		 i;
	bool		 ok = true;

	for (i = 0; i < LASTRUN_NKEYS && ok; i++) {
		if (store_meta_get(s, lastrun_keys[i], &text, e) == -1)
			return -1;
		if (text == NULL)
			return 0;
		errno = 0;
		n = strtoll(text, &end, 10);
		ok = errno == 0 && end != text && *end == '\0';
		v[i] = n;
		free(text);
	}
	if (!ok)
		return 0;
	l->end_us = v[0];
	l->files = v[1];
	l->bytes = v[2];
	l->records = v[3];
	l->findings = v[4];
	l->errors = v[5];
	l->status = (int)v[6];
	return true;
}
