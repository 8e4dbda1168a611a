#ifndef STORE_FLEETID_H
#define STORE_FLEETID_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/*
 * fleetid: the stable identities of what a host ships to a fleet. A
 * database gets a random id (meta key "fleet_id") when it is made or
 * upgraded; a finding's id hashes it with the finding's source, record
 * offset, rule and ordinal among that rule's findings of the record, so
 * a rescan or a joined record that renumbers findings.id keeps it. An
 * incident's uid is the id of its first finding; a count's id hashes the
 * source, minute, level and logger. Ids are 64 bits, stored in SQLite as
 * the signed integer of the same bits.
 */

#define FLEETID_META	"fleet_id"

int64_t	fleetid_finding(const char *db_id, int64_t source_id, int64_t offset,
	    const char *rule, int64_t ordinal);
int64_t	fleetid_count(const char *db_id, int64_t source_id, int64_t minute,
	    const char *level, size_t level_n, const char *logger,
	    size_t logger_n);

/* Register aiosift_fid(db_id, source_id, offset, rule, ordinal) and
 * aiosift_cid(db_id, source_id, minute, level, logger), the SQL forms of
 * fleetid_finding() and fleetid_count(), on db (for the migration that
 * adds ids to an older database's findings, and for shipping). SQLITE_OK
 * or an SQLite error code. */
int	fleetid_register(sqlite3 *db);

#endif
