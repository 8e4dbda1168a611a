/*
 * fleeturl: what the fleet commands share about their destination: the
 * URL's database, and the --timeout and --password-file options.
 */
#include "fleet/fleeturl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "common/duration.h"
#include "common/xmalloc.h"

bool
fleeturl_ident(const char *s)
{
	const char	*p;

	if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
		return false;
	for (p = s; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return p - s < 128;
}

int
fleeturl_parse(const char *url, struct fleeturl *u, struct err *e)
{
	const char	*q, *p, *end;

	memset(u, 0, sizeof(*u));
	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) !=
	    0)
		return err_set(e, STATUS_USAGE, "%s: not an http:// URL", url);
	q = strchr(url, '?');
	u->base = q ? xstrndup(url, (size_t)(q - url)) : xstrdup(url);
	for (p = q; p != NULL; p = strchr(p + 1, '&')) {
		if (strncmp(p + 1, "database=", 9) != 0)
			continue;
		end = strchr(p + 10, '&');
		u->database = end ? xstrndup(p + 10, (size_t)(end - p - 10)) :
		    xstrdup(p + 10);
	}
	if (u->database == NULL || !fleeturl_ident(u->database)) {
		fleeturl_release(u);
		return err_set(e, STATUS_USAGE, "%s: needs ?database=NAME, a "
		    "name of letters, digits and _", url);
	}
	return 0;
}

void
fleeturl_release(struct fleeturl *u)
{
	free(u->base);
	free(u->database);
	memset(u, 0, sizeof(*u));
}

bool
fleeturl_seconds(const char *s, double *out)
{
	int64_t	us;

	if (!duration_read(s, DURATION_US_PER_S, &us) ||
	    us > 86400 * DURATION_US_PER_S)
		return false;
	*out = (double)us / (double)DURATION_US_PER_S;
	return true;
}

char *
fleeturl_password(const char *path, struct err *e)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0;
	ssize_t	 n;

	if ((f = fopen(path, "r")) == NULL) {
		err_set(e, STATUS_USAGE, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if ((n = getline(&line, &cap, f)) == -1) {
		free(line);
		line = xstrdup("");
		n = 0;
	}
	fclose(f);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}
