/*
 * report_out: a report written in its format, to a stream or to a file
 * replaced atomically; for `aiosift report`, local or --fleet.
 */
#include "cli/report_out.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/xmalloc.h"

void
report_write(FILE *f, const struct report *r, const struct prometheus *p,
    enum report_format fmt)
{
	switch (fmt) {
	case RF_PROMETHEUS:
		prometheus_write(f, r, p);
		break;
	case RF_MARKDOWN:
		report_markdown(f, r);
		break;
	case RF_JSON:
		report_json(f, r);
		break;
	case RF_HTML:
		report_html(f, r);
		break;
	default:
		report_text(f, r);
		break;
	}
}

int
report_out(const char *path, const struct report *r,
    const struct prometheus *p, enum report_format fmt, struct err *e)
{
	char	*copy = xstrdup(path), *tmp = NULL;
	FILE	*f = NULL;
	int	 fd = -1, rc = -1;
	size_t	 n;
	mode_t	 mask;

	n = strlen(path) + 32;
	tmp = xmalloc(n);
	snprintf(tmp, n, "%s/.aiosift-report.XXXXXX", dirname(copy));
	if ((fd = mkstemp(tmp)) == -1) {
		err_set(e, STATUS_INPUT, "%s: %s", path, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) == -1 ||
	    (f = fdopen(fd, "w")) == NULL) {
		err_set(e, STATUS_INPUT, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	report_write(f, r, p, fmt);
	if (fflush(f) == EOF || ferror(f) || fsync(fileno(f)) == -1) {
		err_set(e, STATUS_INPUT, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fclose(f) == EOF) {
		f = NULL;
		err_set(e, STATUS_INPUT, "%s: %s", path, strerror(errno));
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) == -1) {
		err_set(e, STATUS_INPUT, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	if (fd != -1)
		close(fd);
	if (rc == -1 && tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(copy);
	return rc;
}
