#ifndef STORE_FINDINGS_H
#define STORE_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/finding.h"
#include "common/record.h"
#include "store/store.h"

/*
 * The ingest's findings and the records they change: storing a finding,
 * forgetting the ones a later decision replaces (their incidents taken
 * apart: the run's correlation makes them again), and joining a record
 * a rotation cut. The SQL is here; when to do it is the ingest's.
 */

/* Where a finding is: its source, its record and the record's id. */
struct store_place {
	int64_t			 source_id;
	int64_t			 record_id;	/* 0: the record not stored */
	const struct record	*r;
};

/* Store finding f at *at; ordinal as for store_finding_bind(). 0 or -1
 * with *e. */
int	store_finding_add(struct store *s, const struct store_place *at,
	    const struct finding *f, int64_t ordinal, struct err *e);

/* Forget the gap stalls (rule stall.gap) of set_path that start within
 * [from_us, to_us]; *gone: how many. 0 or -1 with *e. */
int	store_gaps_forget(struct store *s, const char *set_path,
	    int64_t from_us, int64_t to_us, int *gone, struct err *e);

/* Forget the gap stall of set_path that starts at ts_us and lasts
 * duration_us, when one is stored; *gone: whether. 0 or -1 with *e. */
int	store_gap_forget(struct store *s, const char *set_path, int64_t ts_us,
	    int64_t duration_us, bool *gone, struct err *e);

/* A stored record, copied: r's spans point into text and msg. */
struct store_record {
	int64_t		id, source_id;
	struct record	r;
	bool		own_message;	/* stored apart from its text */
	int64_t		tail;		/* bytes read after it in its file */
	struct buf	text, msg;	/* capped at the cap given */
};

/* The last record of the set's file path as far as it was read, when
 * it is stored (else out->id is 0): the one of greatest offset among
 * those its source remembers (replay_ids: the context ring at its last
 * commit, which ends with the file's last record). Text and message are
 * cut at cap (the record is then flagged RECORD_TRUNCATED). 0 or -1 with
 * *e. Release *out with store_record_release() in any case. */
int	store_record_last(struct store *s, const char *path,
	    const char *set_path, size_t cap, struct store_record *out,
	    struct err *e);
void	store_record_release(struct store_record *out);

/* Write r as record id's lines, flags and text (its message too when
 * own_message, else the message is the text's tail as stored), and
 * forget the record's findings but its gap stalls (*gone: how many), to
 * be made again from the whole record. 0 or -1 with *e. */
int	store_record_rewrite(struct store *s, int64_t id,
	    const struct record *r, bool own_message, int *gone,
	    struct err *e);

/* The findings not in an incident yet: *n, and *since the time of the
 * earliest (INT64_MIN when none has one). 0 or -1 with *e. */
int	store_findings_loose(struct store *s, int64_t *n, int64_t *since,
	    struct err *e);

/* For store/'s own files: take apart the incidents of the findings of
 * source id (STORE_OF_SOURCE), of record id but its gap stalls
 * (STORE_OF_RECORD), or of finding id (STORE_OF_FINDING). */
enum store_of { STORE_OF_SOURCE, STORE_OF_RECORD, STORE_OF_FINDING };
int	store_incidents_apart(struct store *s, enum store_of which,
	    int64_t id, struct err *e);

#endif
