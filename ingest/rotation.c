/*
 * rotation: command-line paths into rotation sets. Named files are taken
 * as they are; directories are walked (following symlinks, never around
 * a loop) for the files whose names look like logs; FIFOs, devices and
 * sockets met on the way are noted and never opened. Files are grouped by
 * the name they had before rotation (app.log.2.gz -> app.log) and ordered
 * oldest first. Named paths are made canonical and absolute first, so
 * the files found have one name however they were named. Reading the
 * files is left to the reader; remembering what was read, to the ingest
 * pipeline.
 */
#include "ingest/rotation.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"

/* What follows the set's name in a file name. */
enum rotation_kind {
	KIND_LIVE,		/* app.log */
	KIND_NUM,		/* app.log.3, app.log.3.gz */
	KIND_DATE,		/* app.log.2026-02-21, app.log-20260221.gz */
	KIND_OTHER		/* app.log.gz: compressed, nothing else */
};

struct rotation_name {
	size_t			 stem;	/* bytes of the path naming the set */
	enum rotation_kind	 kind;
	uint64_t		 num;	/* KIND_NUM */
	char			 date[32]; /* KIND_DATE: its digits only */
};

struct rotation_file {
	char			*path;
	char			*set;
	struct rotation_name	 name;
	int64_t			 mtime_us;
	dev_t			 dev;
	ino_t			 ino;
	bool			 has_id;	/* dev and ino are known */
	size_t			 seq;		/* order of discovery */
};

struct rotation_walk {
	struct rotation_file	*files;
	size_t			 nfiles, cap;
	struct {
		dev_t	dev;
		ino_t	ino;
	}			*dirs;		/* directories walked */
	size_t			 ndirs, dcap;
	rotation_warn_fn	*warn;
	void			*ctx;
	struct rotation_skip	*skipped;	/* files passed over */
	size_t			 nskipped, scap;
};

static void
rotation_note(struct rotation_walk *w, enum status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
rotation_note(struct rotation_walk *w, enum status st, const char *fmt, ...)
{
	struct err	e;
	va_list		ap;

	if (w->warn == NULL)
		return;
	e.status = st;
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	w->warn(w->ctx, &e);
}

static bool
rotation_digits(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return n > 0;
}

static int
rotation_num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* Whether s[0..n) is a date suffix: YYYY-MM-DD or YYYYMMDD, then perhaps
 * a time (_HH-MM-SS, -HH, THH:MM, HHMMSS, -EPOCH...); its digits go to
 * out. */
static bool
rotation_date(const char *s, size_t n, char out[32])
{
	size_t	i, j, k, dash;
	int	mon, day;

	if (n < 8 || !rotation_digits(s, 4) ||
	    !(strncmp(s, "19", 2) == 0 || strncmp(s, "20", 2) == 0))
		return false;
	dash = s[4] == '-';
	if (n < 8 + 2 * dash || !rotation_digits(s + 4 + dash, 2) ||
	    (dash && s[7] != '-') || !rotation_digits(s + 6 + 2 * dash, 2))
		return false;
	mon = rotation_num2(s + 4 + dash);
	day = rotation_num2(s + 6 + 2 * dash);
	if (mon < 1 || mon > 12 || day < 1 || day > 31)
		return false;
	for (i = 8 + 2 * dash; i < n; i++)
		if (!isdigit((unsigned char)s[i]) &&
		    strchr("-_T:", s[i]) == NULL)
			return false;
	for (j = k = 0; j < n && k < 31; j++)
		if (isdigit((unsigned char)s[j]))
			out[k++] = s[j];
	out[k] = '\0';
	return true;
}

/* Split a path into its set's name and the rotation suffix. */
static void
rotation_parse(const char *path, struct rotation_name *rn)
{
	const char	*slash = strrchr(path, '/');
	const char	*b = slash != NULL ? slash + 1 : path;
	size_t		 dir = (size_t)(b - path), end = strlen(b), j, k;
	bool		 gz = false;

	memset(rn, 0, sizeof(*rn));
	rn->kind = KIND_LIVE;
	rn->stem = dir + end;
	if (end > 3 && strcmp(b + end - 3, ".gz") == 0) {
		gz = true;
		end -= 3;
	}
	/* The leftmost separator that starts a date takes the most. */
	for (k = 1; k + 1 < end; k++)
		if (strchr(".-_", b[k]) != NULL &&
		    rotation_date(b + k + 1, end - k - 1, rn->date)) {
			rn->kind = KIND_DATE;
			rn->stem = dir + k;
			return;
		}
	for (j = end; j > 0 && isdigit((unsigned char)b[j - 1]); j--)
		;
	if (j >= 2 && j < end && end - j <= 9 && b[j - 1] == '.') {
		rn->kind = KIND_NUM;
		rn->num = strtoull(b + j, NULL, 10);
		rn->stem = dir + j - 1;
		return;
	}
	if (gz) {
		rn->kind = KIND_OTHER;
		rn->stem = dir + end;
	}
}

char *
rotation_set_path(const char *path)
{
	struct rotation_name	rn;

	if (strcmp(path, "-") == 0)
		return xstrdup(path);
	rotation_parse(path, &rn);
	return xstrndup(path, rn.stem);
}

static bool
rotation_ends(const char *s, size_t n, const char *suffix)
{
	size_t	k = strlen(suffix);

	return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

int
rotation_is_log_name(const char *name)
{
	/* Databases, JSON documents, archives we cannot read, binaries. */
	static const char *const deny[] = { ".json", ".db", ".db-wal",
	    ".db-shm", ".db-journal", ".sqlite", ".sqlite3", ".sqlite-wal",
	    ".sqlite-shm", ".bz2", ".xz", ".zst", ".lz4", ".zip", ".pid",
	    ".lock", ".sock", ".swp", ".journal", ".journal~", "-journal",
	    "-wal", "-shm" };
	static const char *const logext[] = { ".log", ".out", ".err",
	    ".stderr", ".stdout", ".txt", ".jsonl", ".ndjson" };
	static const char *const bare[] = { "messages", "stderr", "stdout",
	    "current", "console", "dmesg" };
	static const char *const binary[] = { "lastlog", "faillog", "wtmp",
	    "btmp", "utmp" };
	struct rotation_name	 rn;
	size_t			 n = strlen(name), i, k;
	const char		*dot;
	char			 stem[NAME_MAX + 1];

	if (n == 0 || name[0] == '.' || strchr(name, '/') != NULL ||
	    n > NAME_MAX)
		return 0;
	rotation_parse(name, &rn);
	memcpy(stem, name, rn.stem);
	stem[rn.stem] = '\0';
	for (i = 0; i < sizeof(deny) / sizeof(deny[0]); i++)
		if (rotation_ends(name, n, deny[i]) ||
		    rotation_ends(stem, rn.stem, deny[i]))
			return 0;
	for (i = 0; i < sizeof(binary) / sizeof(binary[0]); i++)
		if (strcmp(stem, binary[i]) == 0)
			return 0;
	for (i = 0; i < sizeof(logext) / sizeof(logext[0]); i++)
		if (rotation_ends(stem, rn.stem, logext[i]))
			return 1;
	if (strstr(name, ".log") != NULL)
		return 1;
	dot = strrchr(stem, '.');
	if (dot != NULL && dot != stem)
		return 0;	/* some other extension: .py, .conf... */
	for (i = 0; i < sizeof(bare) / sizeof(bare[0]); i++)
		if (strcmp(stem, bare[i]) == 0)
			return 1;
	/* "log" ending a word: syslog, app-log, error_logs, LOG; not
	 * Login Data or logo. */
	for (i = 0; stem[i] != '\0'; i++) {
		if (strncasecmp(stem + i, "log", 3) != 0)
			continue;
		k = i + 3;
		if (stem[k] == 's' || stem[k] == 'S')
			k++;
		if (!isalpha((unsigned char)stem[k]))
			return 1;
	}
	return 0;
}

static void
rotation_skip(struct rotation_walk *w, const char *path, const char *why)
{
	w->skipped = xgrow(w->skipped, &w->scap, w->nskipped + 1,
	    sizeof(*w->skipped));
	w->skipped[w->nskipped].path = xstrdup(path);
	w->skipped[w->nskipped].why = why;
	w->nskipped++;
}

/* Whether s[0..n) holds lit (memmem() needs _GNU_SOURCE on glibc). */
static bool
rotation_has(const char *s, size_t n, const char *lit)
{
	size_t		 k = strlen(lit);
	const char	*p = s, *end = s + n;

	while ((size_t)(end - p) >= k &&
	    (p = memchr(p, lit[0], (size_t)(end - p) - k + 1)) != NULL) {
		if (memcmp(p, lit, k) == 0)
			return true;
		p++;
	}
	return false;
}

/* Whether line s[0..n) looks like a log line: a time at its start (or
 * after "["), a level prefix, a traceback or a warning. */
static bool
rotation_log_line(const char *s, size_t n)
{
	static const char *const levels[] = { "DEBUG", "INFO", "WARNING",
	    "WARN", "ERROR", "CRITICAL", "FATAL" };
	size_t	i, k;

	if (n > 0 && s[0] == '[') {
		s++;
		n--;
	}
	/* 2026-11-24 18:01:22, 2026-11-24T..., Nov 24 18:01:22 */
	if (n >= 19 && isdigit((unsigned char)s[0]) && s[4] == '-' &&
	    s[7] == '-' && (s[10] == ' ' || s[10] == 'T') && s[13] == ':')
		return true;
	if (n >= 15 && isupper((unsigned char)s[0]) && s[3] == ' ' &&
	    s[9] == ':' && s[12] == ':')
		return true;
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		k = strlen(levels[i]);
		if (n > k && memcmp(s, levels[i], k) == 0 &&
		    (s[k] == ':' || s[k] == ' '))
			return true;
	}
	return rotation_has(s, n, "Traceback (most recent call last):") ||
	    rotation_has(s, n, "Warning: ");
}

/* Why a regular file whose name does not look like a log's is left out,
 * or NULL when its first 4 KiB are text with log lines in it (a log of
 * an unusual name: "worker-3", "app.trace"). Source, config, data and
 * archive files are left out by their extension, unread. */
static const char *
rotation_why_not(const char *path, const char *name)
{
	static const char *const data[] = { ".json", ".db", ".db-wal",
	    ".db-shm", ".db-journal", ".sqlite", ".sqlite3", ".sqlite-wal",
	    ".sqlite-shm", "-journal", "-wal", "-shm", ".journal",
	    ".journal~" };
	static const char *const packed[] = { ".bz2", ".xz", ".zst", ".lz4",
	    ".zip", ".7z", ".tar", ".tgz", ".whl", ".jar" };
	static const char *const source[] = { ".py", ".pyc", ".pyi", ".c",
	    ".h", ".cc", ".cpp", ".js", ".ts", ".go", ".rs", ".java", ".rb",
	    ".sh", ".md", ".rst", ".html", ".css", ".yaml", ".yml", ".toml",
	    ".ini", ".cfg", ".conf", ".xml", ".csv", ".tsv", ".sql", ".svg",
	    ".png", ".jpg", ".gif", ".pdf", ".so", ".o", ".a", ".exe",
	    ".dll", ".pid", ".lock", ".sock", ".swp", ".mk", ".in",
	    ".service", ".timer", ".env" };
	static const char *const binary[] = { "lastlog", "faillog", "wtmp",
	    "btmp", "utmp" };
	char		 buf[4096];
	const char	*p, *nl, *end;
	size_t		 n = strlen(name), i;
	ssize_t		 got;
	int		 fd;
	bool		 found = false;

	for (i = 0; i < sizeof(data) / sizeof(data[0]); i++)
		if (rotation_ends(name, n, data[i]))
			return "a database or JSON document, not a log";
	for (i = 0; i < sizeof(packed) / sizeof(packed[0]); i++)
		if (rotation_ends(name, n, packed[i]))
			return "compressed in a form zlib cannot read";
	for (i = 0; i < sizeof(source) / sizeof(source[0]); i++)
		if (rotation_ends(name, n, source[i]))
			return "a source, config or data file (by its name)";
	for (i = 0; i < sizeof(binary) / sizeof(binary[0]); i++)
		if (strcmp(name, binary[i]) == 0)
			return "binary login records";
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1)
		return "unreadable";
	got = read(fd, buf, sizeof(buf));
	close(fd);
	if (got <= 0)
		return got == 0 ? "empty, and its name is not a log's" :
		    "unreadable";
	if (got >= 2 && (unsigned char)buf[0] == 0x1f &&
	    (unsigned char)buf[1] == 0x8b)
		return "gzip of a name that is not a log's";
	if (memchr(buf, '\0', (size_t)got) != NULL)
		return "binary (NUL bytes in its first 4 KiB)";
	for (p = buf, end = buf + got; p < end && !found; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		found = rotation_log_line(p, (size_t)(nl - p));
	}
	return found ? NULL : "no log lines in its first 4 KiB";
}

static void
rotation_add(struct rotation_walk *w, const char *path, const struct stat *st)
{
	struct rotation_file	*f;

	w->files = xgrow(w->files, &w->cap, w->nfiles + 1, sizeof(*w->files));
	f = &w->files[w->nfiles];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->seq = w->nfiles++;
	if (st != NULL) {
		f->has_id = true;
		f->dev = st->st_dev;
		f->ino = st->st_ino;
		f->mtime_us = (int64_t)st->st_mtim.tv_sec * 1000000 +
		    st->st_mtim.tv_nsec / 1000;
	}
}

/* Remember a directory; false when it was walked already. */
static bool
rotation_visit(struct rotation_walk *w, const struct stat *st)
{
	size_t	i;

	for (i = 0; i < w->ndirs; i++)
		if (w->dirs[i].dev == st->st_dev &&
		    w->dirs[i].ino == st->st_ino)
			return false;
	w->dirs = xgrow(w->dirs, &w->dcap, w->ndirs + 1, sizeof(*w->dirs));
	w->dirs[w->ndirs].dev = st->st_dev;
	w->dirs[w->ndirs].ino = st->st_ino;
	w->ndirs++;
	return true;
}

static char *
rotation_join(const char *dir, const char *name)
{
	size_t	dn = strlen(dir), nn = strlen(name);
	bool	slash = dn > 0 && dir[dn - 1] != '/';
	char	*p = xmalloc(dn + slash + nn + 1);

	memcpy(p, dir, dn);
	if (slash)
		p[dn] = '/';
	memcpy(p + dn + slash, name, nn + 1);
	return p;
}

static int
rotation_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void	rotation_walk_dir(struct rotation_walk *w, const char *dir);

/* One entry of a directory: descend, take, or skip with a note. */
static void
rotation_walk_entry(struct rotation_walk *w, const char *path,
    const char *name)
{
	struct stat	 st;
	const char	*why;
	bool		 link, log;

	if (lstat(path, &st) == -1) {
		/* Gone since readdir(): rotation at work. */
		rotation_note(w, STATUS_OK, "%s: %s, skipped", path,
		    strerror(errno));
		return;
	}
	/* Notes are for what the user may miss: files that look like logs
	 * (and directories); the rest is passed over in silence. */
	log = rotation_is_log_name(name);
	link = S_ISLNK(st.st_mode);
	if (link && stat(path, &st) == -1) {
		if (!log)
			return;
		if (errno == ENOENT)
			rotation_note(w, STATUS_OK,
			    "%s: dangling symlink, skipped", path);
		else if (errno == ELOOP)
			rotation_note(w, STATUS_OK,
			    "%s: symlink loop, skipped", path);
		else
			rotation_note(w, STATUS_OK, "%s: %s, skipped", path,
			    strerror(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		if (rotation_visit(w, &st))
			rotation_walk_dir(w, path);
		else
			rotation_note(w, STATUS_OK,
			    "%s: directory already walked (symlink loop), "
			    "skipped", path);
	} else if (!S_ISREG(st.st_mode)) {
		if (log)
			rotation_note(w, STATUS_OK,
			    "%s: not a regular file, skipped", path);
	} else if (log) {
		rotation_add(w, path, &st);
	} else if ((why = rotation_why_not(path, name)) == NULL) {
		rotation_add(w, path, &st);
	} else {
		rotation_skip(w, path, why);
	}
}

/* The log files under dir, recursively. Names are read first and the
 * directory closed before descending, so depth costs no descriptors. */
static void
rotation_walk_dir(struct rotation_walk *w, const char *dir)
{
	DIR		 *d;
	struct dirent	 *de;
	char		**names = NULL, *path;
	size_t		  n = 0, cap = 0, i;

	d = opendir(dir);
	if (d == NULL) {
		rotation_note(w, STATUS_INPUT, "%s: %s", dir, strerror(errno));
		return;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_name[0] == '.') {
			path = rotation_join(dir, de->d_name);
			rotation_skip(w, path, "hidden");
			free(path);
			continue;
		}
		names = xgrow(names, &cap, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	if (errno != 0)
		rotation_note(w, STATUS_INPUT, "%s: %s", dir, strerror(errno));
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), rotation_strcmp);
	for (i = 0; i < n; i++) {
		path = rotation_join(dir, names[i]);
		rotation_walk_entry(w, path, names[i]);
		free(path);
		free(names[i]);
	}
	free(names);
}

/* One command-line path, made canonical and absolute first (realpath:
 * no ".", "..", symlinks or relative parts), so that a file has one name
 * however it was named; a message about the path itself keeps the
 * spelling it was given. */
static void
rotation_walk_path(struct rotation_walk *w, const char *path)
{
	struct stat	 st;
	char		*canon;

	if (strcmp(path, "-") == 0) {
		rotation_add(w, path, NULL);
		return;
	}
	if (stat(path, &st) == -1) {
		rotation_note(w, STATUS_INPUT, "%s: %s", path, strerror(errno));
		return;
	}
	if ((canon = realpath(path, NULL)) == NULL)
		canon = xstrdup(path);
	if (S_ISDIR(st.st_mode)) {
		if (rotation_visit(w, &st))
			rotation_walk_dir(w, canon);
	} else {
		/* Named directly: taken whatever its name; a FIFO or device
		 * is refused by the reader, with its own message. */
		rotation_add(w, canon, &st);
	}
	free(canon);
}

static int
rotation_by_id(const void *a, const void *b)
{
	const struct rotation_file	*x = a, *y = b;

	if (x->has_id != y->has_id)
		return x->has_id ? 1 : -1;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (!x->has_id) {
		int	c = strcmp(x->path, y->path);

		if (c != 0)
			return c;
	}
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
rotation_by_set(const void *a, const void *b)
{
	const struct rotation_file	*x = a, *y = b;
	int				 c = strcmp(x->set, y->set);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
rotation_by_mtime(const struct rotation_file *x, const struct rotation_file *y)
{
	if (x->mtime_us != y->mtime_us)
		return x->mtime_us < y->mtime_us ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Oldest first within a set whose rotated files are all numbered or all
 * dated; the live file last. */
static int
rotation_by_age(const void *a, const void *b)
{
	const struct rotation_file	*x = a, *y = b;
	int				 c;

	if (x->name.kind == KIND_LIVE || y->name.kind == KIND_LIVE) {
		if (x->name.kind == y->name.kind)
			return rotation_by_mtime(x, y);
		return x->name.kind == KIND_LIVE ? 1 : -1;
	}
	if (x->name.kind == KIND_NUM && y->name.kind == KIND_NUM &&
	    x->name.num != y->name.num)
		return x->name.num > y->name.num ? -1 : 1;
	if (x->name.kind == KIND_DATE && y->name.kind == KIND_DATE) {
		c = strcmp(x->name.date, y->name.date);
		if (c != 0)
			return c;
	}
	return rotation_by_mtime(x, y);
}

/* Mixed suffixes say nothing about age: the modification time does. */
static int
rotation_by_mtime_live_last(const void *a, const void *b)
{
	const struct rotation_file	*x = a, *y = b;

	if ((x->name.kind == KIND_LIVE) != (y->name.kind == KIND_LIVE))
		return x->name.kind == KIND_LIVE ? 1 : -1;
	return rotation_by_mtime(x, y);
}

/* Sort one set's run of files and hand them to the list. */
static void
rotation_emit(struct rotation_list *out, struct rotation_file *f, size_t n)
{
	struct rotation_set	*s = &out->sets[out->nsets++];
	bool			 num = false, date = false, other = false;
	size_t			 i;

	for (i = 0; i < n; i++) {
		num |= f[i].name.kind == KIND_NUM;
		date |= f[i].name.kind == KIND_DATE;
		other |= f[i].name.kind == KIND_OTHER;
	}
	qsort(f, n, sizeof(*f), (num && date) || other ?
	    rotation_by_mtime_live_last : rotation_by_age);
	s->set_path = f[0].set;
	f[0].set = NULL;
	s->files = xcalloc(n, sizeof(*s->files));
	s->nfiles = n;
	for (i = 0; i < n; i++) {
		s->files[i] = f[i].path;
		f[i].path = NULL;
	}
}

int
rotation_expand(char *const paths[], size_t npaths,
    struct rotation_list *out, rotation_warn_fn *warn, void *ctx,
    struct err *e)
{
	struct rotation_walk	 w;
	size_t			 i, j, n;
	int			 rc = -1;

	memset(&w, 0, sizeof(w));
	w.warn = warn;
	w.ctx = ctx;
	out->sets = NULL;
	out->nsets = 0;
	for (i = 0; i < npaths; i++)
		rotation_walk_path(&w, paths[i]);
	out->skipped = w.skipped;
	out->nskipped = w.nskipped;
	if (w.nfiles == 0) {
		err_set(e, STATUS_INPUT, "no log files found");
		goto out;
	}

	/* The same file named twice, or named and found in a directory:
	 * keep the first. */
	qsort(w.files, w.nfiles, sizeof(*w.files), rotation_by_id);
	for (i = 1, n = 1; i < w.nfiles; i++) {
		struct rotation_file	*p = &w.files[n - 1], *f = &w.files[i];

		if (p->has_id == f->has_id && (f->has_id ? p->dev == f->dev &&
		    p->ino == f->ino : strcmp(p->path, f->path) == 0)) {
			free(f->path);
			continue;
		}
		w.files[n++] = *f;
	}
	w.nfiles = n;

	for (i = 0; i < w.nfiles; i++) {
		struct rotation_file	*f = &w.files[i];

		rotation_parse(f->path, &f->name);
		f->set = rotation_set_path(f->path);
		if (strcmp(f->path, "-") == 0)
			f->name.kind = KIND_LIVE;
	}
	qsort(w.files, w.nfiles, sizeof(*w.files), rotation_by_set);
	out->sets = xcalloc(w.nfiles, sizeof(*out->sets));
	for (i = 0; i < w.nfiles; i = j) {
		for (j = i + 1; j < w.nfiles &&
		    strcmp(w.files[i].set, w.files[j].set) == 0; j++)
			;
		rotation_emit(out, &w.files[i], j - i);
	}
	rc = 0;
out:
	for (i = 0; i < w.nfiles; i++) {
		free(w.files[i].path);
		free(w.files[i].set);
	}
	free(w.files);
	free(w.dirs);
	return rc;
}

void
rotation_list_release(struct rotation_list *l)
{
	size_t	i, j;

	if (l == NULL)
		return;
	for (i = 0; i < l->nsets; i++) {
		for (j = 0; j < l->sets[i].nfiles; j++)
			free(l->sets[i].files[j]);
		free(l->sets[i].files);
		free(l->sets[i].set_path);
	}
	free(l->sets);
	l->sets = NULL;
	l->nsets = 0;
	for (i = 0; i < l->nskipped; i++)
		free(l->skipped[i].path);
	free(l->skipped);
	l->skipped = NULL;
	l->nskipped = 0;
}
