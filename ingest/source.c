/*
 * source: fingerprints, file identity and set names (see source.h).
 */
#include "ingest/source.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/xmalloc.h"

/* Whether the fingerprint stored for a source matches the file's first
 * bytes: the shorter is a prefix of the longer, and long enough to mean
 * something (else only a source of the same path matches). */
static bool
source_fp_match(const void *stored, size_t slen, bool same_path,
    const struct store_file *f)
{
	size_t	n = slen < f->fplen ? slen : f->fplen;

	if (n < SOURCE_FP_MIN && !(same_path && n == slen))
		return false;
	return n == 0 || memcmp(stored, f->fp, n) == 0;
}

/* In the caller's transaction: see source_find(). */
static int
source_find_locked(struct store *s, const struct store_file *f, bool reread,
    struct store_source *src, bool *skip, struct err *e)
{
	int64_t	id;
	bool	found;

	if (store_source_find(s, f, source_fp_match, src, &found, e) == -1)
		return -1;
	/* A file shorter than what was read of it was truncated in place
	 * (copytruncate): it is new content. */
	if (found && !f->gzip && f->size >= 0 && f->size < src->read_bytes)
		found = false;
	if (found && reread) {
		id = src->id;
		if (store_source_forget(s, id, e) == -1)
			return -1;
		store_source_reset(src);
		src->id = id;
	} else if (found) {
		*skip = src->complete || (!f->gzip && f->size ==
		    src->read_bytes);
	} else {
		store_source_reset(src);
		if (store_source_add(s, f, &src->id, e) == -1)
			return -1;
	}
	return 0;
}

int
source_find(struct store *s, const struct store_file *f, bool reread,
    struct store_source *src, bool *skip, struct err *e)
{
	*skip = false;
	if (store_begin(s, e) == -1)
		return -1;
	if (source_find_locked(s, f, reread, src, skip, e) == -1) {
		store_rollback(s);
		return -1;
	}
	return store_commit(s, e);
}

int
source_unchanged(struct store *s, const char *path, int fd, bool *same,
    struct err *e)
{
	struct store_file	f;
	struct stat		sb;

	*same = false;
	if ((fd == -1 && strcmp(path, "-") == 0) ||
	    (fd == -1 ? stat(path, &sb) : fstat(fd, &sb)) == -1 ||
	    !S_ISREG(sb.st_mode))
		return 0;
	memset(&f, 0, sizeof(f));
	f.path = path;
	f.dev = (int64_t)sb.st_dev;
	f.ino = (int64_t)sb.st_ino;
	f.size = (int64_t)sb.st_size;
	f.mtime_us = (int64_t)sb.st_mtim.tv_sec * 1000000 +
	    sb.st_mtim.tv_nsec / 1000;
	return store_source_unchanged(s, &f, same, e);
}

int64_t
source_stored_id(const struct store_source *src, const struct record *r)
{
	size_t	i;

	for (i = 0; i < src->nkept_ids; i++)
		if (src->kept_ids[2 * i] == r->offset)
			return src->kept_ids[2 * i + 1];
	return 0;
}

/* ---- the set's name ------------------------------------------------- */

/* The length of path's directory part with its final slash (0 for a
 * bare name). */
static size_t
path_dir_len(const char *path)
{
	const char	*slash = strrchr(path, '/');

	return slash == NULL ? 0 : (size_t)(slash - path) + 1;
}

/* Whether a and b are names in one directory, by its device and inode:
 * under a bind mount the same directory has two canonical names. */
static bool
path_same_dir(const char *a, const char *b)
{
	struct stat	 sa, sb;
	char		*da, *db;
	bool		 same;

	da = xstrndup(a, path_dir_len(a));
	db = xstrndup(b, path_dir_len(b));
	same = stat(*da ? da : ".", &sa) == 0 && stat(*db ? db : ".", &sb) ==
	    0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	free(da);
	free(db);
	return same;
}

char *
source_rebase(const char *set_path, const char *path)
{
	size_t		 dn = path_dir_len(set_path);
	const char	*base = path + path_dir_len(path);
	char		*p = xmalloc(dn + strlen(base) + 1);

	memcpy(p, set_path, dn);
	strcpy(p + dn, base);
	return p;
}

/* Rename the stored set old to set_path, in a transaction of its own. */
static int
source_set_rename(struct store *s, const char *old, const char *set_path,
    struct err *e)
{
	if (store_begin(s, e) == -1 ||
	    store_set_rename(s, old, set_path, e) == -1 ||
	    store_commit(s, e) == -1) {
		store_rollback(s);
		return -1;
	}
	return 0;
}

/* Among the sets v[0..n) the file was stored under, the one that names
 * the set rs (*known) or an old relative name of it (*old); each newly
 * allocated, or NULL. */
static void
source_pick_set(char **v, size_t n, const struct rotation_set *rs,
    char **known, char **old)
{
	const char	*base = rs->set_path + path_dir_len(rs->set_path);
	size_t		 i;

	for (i = 0; i < n && *old == NULL && *known == NULL; i++) {
		if (strcmp(v[i] + path_dir_len(v[i]), base) != 0)
			continue;
		if (v[i][0] != '/')
			*old = xstrdup(v[i]);
		else if (path_same_dir(v[i], rs->set_path))
			*known = xstrdup(v[i]);
	}
}

int
source_known_set(struct store *s, const struct rotation_set *rs,
    char **known, struct err *e)
{
	struct store_file	 f;
	struct stat		 sb;
	char			**v, *old;
	size_t			 i, j, n, renamed = 0;
	int			 rc;

	*known = NULL;
	if (strcmp(rs->set_path, "-") == 0)
		return 0;
	memset(&f, 0, sizeof(f));
	f.set_path = rs->set_path;
	for (i = 0; i < rs->nfiles && *known == NULL; i++) {
		if (stat(rs->files[i], &sb) == -1 || !S_ISREG(sb.st_mode))
			continue;
		f.path = rs->files[i];
		f.dev = (int64_t)sb.st_dev;
		f.ino = (int64_t)sb.st_ino;
		if (store_file_sets(s, &f, &v, &n, e) == -1)
			return -1;
		old = NULL;
		source_pick_set(v, n, rs, known, &old);
		for (j = 0; j < n; j++)
			free(v[j]);
		free(v);
		if (old == NULL)
			continue;
		rc = source_set_rename(s, old, rs->set_path, e);
		free(old);
		if (rc == -1)
			return -1;
		if (renamed++ < 8)
			i--;	/* the same file: another old name */
	}
	return 0;
}
