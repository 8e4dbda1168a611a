/*
 * follow: the files watch follows, as `tail -F` does. It lists the paths
 * into rotation sets (rotation_expand; a file named directly brings the
 * other files of its set from its directory), learns which sets changed
 * from inotify events on their directories, or, when there is no
 * inotify and as a backstop, from the live file's identity, size and
 * time at each tick, and holds each set's live file open so that a
 * rotation never makes the new file be read before the end of the old
 * one. Reading is the caller's (ingest_set); a set is handed out once it
 * has been quiet for a settle time, or, while it keeps changing, every
 * few settle times with its last record held back.
 */
#include "ingest/follow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/inotify.h>
#define FOLLOW_INOTIFY	1
#else
#define FOLLOW_INOTIFY	0
#endif

#include "common/xmalloc.h"

#define FOLLOW_HOLD_SETTLES	5	/* a busy set is read this often */

/* One set as followed. */
struct fset {
	char			*set_path;
	const struct rotation_set *rs;	/* in the current listing, or NULL */
	int			 fd;		/* its live file held, or -1 */
	dev_t			 dev;
	ino_t			 ino;
	int			 gone_fd;	/* handed out, closed at done */
	/* what the tick compares */
	bool			 exists;
	dev_t			 s_dev;
	ino_t			 s_ino;
	int64_t			 s_size, s_mtime_ns, s_fdsize;
	/* changes not read yet */
	bool			 pending;
	int64_t			 first_ms, last_ms;
};

struct fdir {
	int	 wd;
	char	*path;
};

struct follow {
	char			**paths;
	size_t			  npaths;
	struct rotation_list	  list;
	struct fset		 *sets;
	size_t			  nsets;
	int			  ifd;		/* inotify, or -1 */
	struct fdir		 *dirs;
	size_t			  ndirs;
	bool			  relist;	/* a name came or went */
	bool			  relist_tick;	/* an unknown name grew: list
						 * again at the next tick */
	bool			  missing;	/* a path's folder is not there
						 * (yet): no event will tell */
	int64_t			  now_ms;
};

static char *
follow_dirname(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static char *
follow_join(const char *dir, const char *name)
{
	size_t	dn = strlen(dir), nn = strlen(name);
	char	*p = xmalloc(dn + nn + 2);

	memcpy(p, dir, dn);
	p[dn] = '/';
	memcpy(p + dn + 1, name, nn + 1);
	return p;
}

/* Watch dir for names coming, going and growing (once). */
static void
follow_watch_dir(struct follow *f, const char *dir)
{
#if FOLLOW_INOTIFY
	size_t	 i;
	int	 wd;
	char	*canon;

	if (f->ifd == -1)
		return;
	for (i = 0; i < f->ndirs; i++)
		if (strcmp(f->dirs[i].path, dir) == 0)
			return;
	/* events name files under the directory's canonical path, as the
	 * listing does */
	if ((canon = realpath(dir, NULL)) == NULL)
		return;
	for (i = 0; i < f->ndirs; i++)
		if (strcmp(f->dirs[i].path, canon) == 0) {
			free(canon);
			return;
		}
	wd = inotify_add_watch(f->ifd, canon, IN_MODIFY | IN_CLOSE_WRITE |
	    IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB |
	    IN_DELETE_SELF | IN_MOVE_SELF);
	for (i = 0; wd != -1 && i < f->ndirs; i++)
		if (f->dirs[i].wd == wd)
			wd = -1;	/* the same directory by another name */
	if (wd == -1) {
		free(canon);	/* gone, or unreadable: the tick still sees */
		return;
	}
	f->dirs = xrealloc(f->dirs, (f->ndirs + 1) * sizeof(*f->dirs));
	f->dirs[f->ndirs].wd = wd;
	f->dirs[f->ndirs].path = canon;
	f->ndirs++;
#else
	(void)f;
	(void)dir;
#endif
}

static struct fset *
follow_find(struct follow *f, const char *set_path)
{
	size_t	i;

	for (i = 0; i < f->nsets; i++)
		if (strcmp(f->sets[i].set_path, set_path) == 0)
			return &f->sets[i];
	return NULL;
}

static void
follow_pend(struct follow *f, struct fset *fs)
{
	if (!fs->pending) {
		fs->pending = true;
		fs->first_ms = f->now_ms;
	}
	fs->last_ms = f->now_ms;
}

static bool
follow_same_files(const struct rotation_set *a, const struct rotation_set *b)
{
	size_t	i;

	if (a == NULL || b == NULL || a->nfiles != b->nfiles)
		return false;
	for (i = 0; i < a->nfiles; i++)
		if (strcmp(a->files[i], b->files[i]) != 0)
			return false;
	return true;
}

/* The paths to list: each path, and for a file named directly (or not
 * there yet) the names of its set beside it. */
static void
follow_paths(struct follow *f, char ***out, size_t *nout)
{
	struct stat	 sb;
	struct dirent	*de;
	DIR		*d;
	char		*dir, *set, *p, *q;
	size_t		 i, n = 0, cap = f->npaths + 8;
	char		**v = xmalloc(cap * sizeof(*v));

	f->missing = false;
	for (i = 0; i < f->npaths; i++) {
		if (stat(f->paths[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			v[n++] = xstrdup(f->paths[i]);
			follow_watch_dir(f, f->paths[i]);
			continue;
		}
		dir = follow_dirname(f->paths[i]);
		follow_watch_dir(f, dir);
		set = rotation_set_path(f->paths[i]);
		if ((d = opendir(dir)) != NULL) {
			while ((de = readdir(d)) != NULL) {
				if (de->d_name[0] == '.')
					continue;
				p = follow_join(dir, de->d_name);
				q = rotation_set_path(p);
				if (strcmp(q, set) == 0 && (strcmp(p,
				    f->paths[i]) == 0 || rotation_is_log_name(
				    de->d_name) || stat(p, &sb) == 0)) {
					if (n == cap)
						v = xrealloc(v, (cap *= 2) *
						    sizeof(*v));
					v[n++] = p;
				} else
					free(p);
				free(q);
			}
			closedir(d);
		} else
			f->missing = true;
		free(set);
		free(dir);
	}
	*out = v;
	*nout = n;
}

/* List the paths again; sets whose files changed become pending. */
static void
follow_relist(struct follow *f)
{
	struct rotation_list	 list;
	struct err		 e;
	struct fset		*fs;
	char			**paths;
	char			*dir;
	size_t			 npaths, i, j;

	f->relist = f->relist_tick = false;
	memset(&list, 0, sizeof(list));
	follow_paths(f, &paths, &npaths);
	if (npaths == 0 || rotation_expand(paths, npaths, &list, NULL, NULL,
	    &e) == -1) {
		rotation_list_release(&list);
		memset(&list, 0, sizeof(list));
	}
	for (i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	for (i = 0; i < f->nsets; i++)
		f->sets[i].rs = NULL;
	for (i = 0; i < list.nsets; i++) {
		const struct rotation_set *rs = &list.sets[i];
		bool	same;

		if (strcmp(rs->set_path, "-") == 0)
			continue;
		if ((fs = follow_find(f, rs->set_path)) == NULL) {
			f->sets = xrealloc(f->sets, (f->nsets + 1) *
			    sizeof(*f->sets));
			fs = &f->sets[f->nsets++];
			memset(fs, 0, sizeof(*fs));
			fs->set_path = xstrdup(rs->set_path);
			fs->fd = fs->gone_fd = -1;
			same = false;
		} else {
			const struct rotation_set *old = NULL;

			for (j = 0; j < f->list.nsets; j++)
				if (strcmp(f->list.sets[j].set_path,
				    rs->set_path) == 0)
					old = &f->list.sets[j];
			same = follow_same_files(old, rs);
		}
		fs->rs = rs;
		if (!same)
			follow_pend(f, fs);
		for (j = 0; j < rs->nfiles; j++) {
			dir = follow_dirname(rs->files[j]);
			follow_watch_dir(f, dir);
			free(dir);
		}
	}
	rotation_list_release(&f->list);
	f->list = list;
}

struct follow *
follow_new(char *const paths[], size_t npaths, bool use_inotify,
    struct err *e)
{
	struct follow	*f = xcalloc(1, sizeof(*f));
	size_t		 i;

	f->ifd = -1;
#if FOLLOW_INOTIFY
	if (use_inotify && (f->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC))
	    == -1 && errno != ENOSYS) {
		err_set(e, STATUS_INPUT, "inotify: %s", strerror(errno));
		free(f);
		return NULL;
	}
#else
	(void)use_inotify;
	(void)e;
#endif
	f->paths = xcalloc(npaths, sizeof(*f->paths));
	for (i = 0; i < npaths; i++)
		f->paths[i] = xstrdup(paths[i]);
	f->npaths = npaths;
	follow_relist(f);
	return f;
}

void
follow_free(struct follow *f)
{
	size_t	i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nsets; i++) {
		if (f->sets[i].fd != -1)
			close(f->sets[i].fd);
		if (f->sets[i].gone_fd != -1)
			close(f->sets[i].gone_fd);
		free(f->sets[i].set_path);
	}
	free(f->sets);
	for (i = 0; i < f->ndirs; i++)
		free(f->dirs[i].path);
	free(f->dirs);
	if (f->ifd != -1)
		close(f->ifd);
	for (i = 0; i < f->npaths; i++)
		free(f->paths[i]);
	free(f->paths);
	rotation_list_release(&f->list);
	free(f);
}

bool
follow_evented(const struct follow *f)
{
	return f->ifd != -1;
}

int
follow_fd(const struct follow *f)
{
	return f->ifd;
}

#if FOLLOW_INOTIFY
/* One event: the set the name belongs to changed; a name that came or
 * went among the followed ones means listing again. */
static void
follow_event(struct follow *f, const struct inotify_event *ev)
{
	struct fset	*fs;
	const char	*dir = NULL;
	char		*path, *set;
	size_t		 i;

	if (ev->mask & IN_Q_OVERFLOW) {
		f->relist = true;
		for (i = 0; i < f->nsets; i++)
			follow_pend(f, &f->sets[i]);
		return;
	}
	for (i = 0; i < f->ndirs; i++)
		if (f->dirs[i].wd == ev->wd)
			dir = f->dirs[i].path;
	if (dir == NULL)
		return;
	if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
		f->relist = true;
		return;
	}
	if (ev->len == 0)
		return;
	path = follow_join(dir, ev->name);
	if (ev->mask & IN_ISDIR) {
		if (ev->mask & (IN_CREATE | IN_MOVED_TO))
			follow_watch_dir(f, path);
		f->relist = true;
		free(path);
		return;
	}
	set = rotation_set_path(path);
	if ((fs = follow_find(f, set)) != NULL)
		follow_pend(f, fs);
	if (ev->name[0] == '.')
		;	/* hidden: never listed */
	else if (ev->mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM |
	    IN_MOVED_TO))
		f->relist = true;
	else if (fs == NULL)
		f->relist_tick = true;	/* a file the listing passed over
					 * (empty then) may be a log now */
	free(set);
	free(path);
}
#endif

/* Whether the set's live file looks other than at the last tick. */
static bool
follow_changed(struct fset *fs)
{
	struct stat	sb;
	bool		exists, changed;
	int64_t		fdsize = -1, mtime_ns = 0, size = 0;

	exists = stat(fs->set_path, &sb) == 0;
	if (exists) {
		size = (int64_t)sb.st_size;
		mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 +
		    sb.st_mtim.tv_nsec;
	}
	if (fs->fd != -1) {
		struct stat	fb;

		if (fstat(fs->fd, &fb) == 0)
			fdsize = (int64_t)fb.st_size;
	}
	changed = exists != fs->exists || fdsize != fs->s_fdsize ||
	    (exists && (sb.st_dev != fs->s_dev || sb.st_ino != fs->s_ino ||
	    size != fs->s_size || mtime_ns != fs->s_mtime_ns));
	fs->exists = exists;
	if (exists) {
		fs->s_dev = sb.st_dev;
		fs->s_ino = sb.st_ino;
	}
	fs->s_size = size;
	fs->s_mtime_ns = mtime_ns;
	fs->s_fdsize = fdsize;
	return changed;
}

void
follow_update(struct follow *f, int64_t now_ms, bool tick)
{
	size_t	i;

	f->now_ms = now_ms;
#if FOLLOW_INOTIFY
	if (f->ifd != -1) {
		char		 buf[4096]
		    __attribute__((aligned(__alignof__(struct inotify_event))));
		const char	*p;
		ssize_t		 n;

		while ((n = read(f->ifd, buf, sizeof(buf))) > 0)
			for (p = buf; p < buf + n; p += sizeof(struct
			    inotify_event) + ((const struct inotify_event *)
			    (const void *)p)->len)
				follow_event(f, (const struct inotify_event *)
				    (const void *)p);
	}
#endif
	if (tick && (f->ifd == -1 || f->relist_tick || f->missing))
		f->relist = true;	/* polling: names come and go unseen */
	if (f->relist)
		follow_relist(f);
	if (tick)
		for (i = 0; i < f->nsets; i++)
			if (follow_changed(&f->sets[i]))
				follow_pend(f, &f->sets[i]);
}

/* Whether one of the set's listed files other than its live one is the
 * file dev/ino. */
static bool
follow_listed(const struct fset *fs, dev_t dev, ino_t ino)
{
	struct stat	sb;
	size_t		i;

	for (i = 0; fs->rs != NULL && i < fs->rs->nfiles; i++)
		if (strcmp(fs->rs->files[i], fs->set_path) != 0 &&
		    stat(fs->rs->files[i], &sb) == 0 && sb.st_dev == dev &&
		    sb.st_ino == ino)
			return true;
	return false;
}

/* Make the job for fs: the held file rotated away is handed out (or
 * closed, when listed under its new name), the live file opened. */
static void
follow_prepare(struct follow *f, size_t i, struct follow_job *job)
{
	struct fset	*fs = &f->sets[i];
	struct stat	 sb, fb;
	bool		 cur, relisted = false;
	int		 fd;

	memset(job, 0, sizeof(*job));
	job->live_fd = job->gone_fd = -1;
	cur = stat(fs->set_path, &sb) == 0 && S_ISREG(sb.st_mode);
	if (fs->fd != -1 && (!cur || sb.st_dev != fs->dev ||
	    sb.st_ino != fs->ino)) {
		follow_relist(f);	/* may move f->sets */
		fs = &f->sets[i];
		relisted = true;
		if (follow_listed(fs, fs->dev, fs->ino))
			close(fs->fd);
		else
			fs->gone_fd = fs->fd;
		fs->fd = -1;
	}
	if (fs->fd == -1 && cur) {
		fd = open(fs->set_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd != -1 && fstat(fd, &fb) == 0 && S_ISREG(fb.st_mode)) {
			fs->fd = fd;
			fs->dev = fb.st_dev;
			fs->ino = fb.st_ino;
			/* what was rotated before it was opened is listed
			 * now, and read before it */
			if (!relisted)
				follow_relist(f);
			fs = &f->sets[i];
		} else if (fd != -1)
			close(fd);
	}
	job->set = fs->rs;
	job->set_path = fs->set_path;
	job->gone_fd = fs->gone_fd;
	if (fs->rs != NULL && fs->rs->nfiles > 0 && strcmp(fs->rs->files[
	    fs->rs->nfiles - 1], fs->set_path) == 0)
		job->live_fd = fs->fd;
	job->cookie = i;
}

bool
follow_due(struct follow *f, int64_t now_ms, int64_t settle_ms,
    struct follow_job *job)
{
	size_t	i;

	f->now_ms = now_ms;
	for (i = 0; i < f->nsets; i++) {
		struct fset *fs = &f->sets[i];

		if (!fs->pending)
			continue;
		if (now_ms - fs->last_ms >= settle_ms) {
			follow_prepare(f, i, job);
			return true;
		}
		if (now_ms - fs->first_ms >= settle_ms * FOLLOW_HOLD_SETTLES) {
			follow_prepare(f, i, job);
			job->hold = true;
			return true;
		}
	}
	return false;
}

void
follow_done(struct follow *f, struct follow_job *job)
{
	struct fset	*fs;

	if (job->cookie >= f->nsets)
		return;
	fs = &f->sets[job->cookie];
	if (fs->gone_fd != -1) {
		close(fs->gone_fd);
		fs->gone_fd = -1;
	}
	if (job->hold)
		fs->first_ms = f->now_ms;	/* read again soon */
	else if (fs->last_ms <= f->now_ms)
		fs->pending = false;
}

bool
follow_nth(struct follow *f, size_t i, struct follow_job *job)
{
	if (i >= f->nsets)
		return false;
	follow_prepare(f, i, job);
	return true;
}

int64_t
follow_wait_ms(const struct follow *f, int64_t now_ms, int64_t settle_ms)
{
	int64_t	best = -1, t;
	size_t	i;

	for (i = 0; i < f->nsets; i++) {
		const struct fset *fs = &f->sets[i];

		if (!fs->pending)
			continue;
		t = fs->last_ms + settle_ms - now_ms;
		if (fs->first_ms + settle_ms * FOLLOW_HOLD_SETTLES - now_ms < t)
			t = fs->first_ms + settle_ms * FOLLOW_HOLD_SETTLES -
			    now_ms;
		if (t < 0)
			t = 0;
		if (best == -1 || t < best)
			best = t;
	}
	return best;
}

size_t
follow_nsets(const struct follow *f)
{
	return f->nsets;
}

size_t
follow_nfiles(const struct follow *f)
{
	size_t	i, n = 0;

	for (i = 0; i < f->list.nsets; i++)
		n += f->list.sets[i].nfiles;
	return n;
}
