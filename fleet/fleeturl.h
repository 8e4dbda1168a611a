#ifndef FLEET_FLEETURL_H
#define FLEET_FLEETURL_H

#include <stdbool.h>

#include "common/err.h"

/* The parts of a fleet URL and the options the fleet commands share. */
struct fleeturl {
	char	*base;		/* scheme://host:port/ , no query string */
	char	*database;	/* the database= parameter, an identifier */
};

/* Parse http://HOST:PORT/?database=NAME; a missing or odd database name
 * is a usage error. */
int	fleeturl_parse(const char *url, struct fleeturl *u, struct err *e);
void	fleeturl_release(struct fleeturl *u);

/* Whether s is a ClickHouse identifier we accept: [A-Za-z_][A-Za-z0-9_]*. */
bool	fleeturl_ident(const char *s);

/* Seconds, 0 to a day, read as every duration is (common/duration:
 * "30", "30s", "500ms", "2m"). */
bool	fleeturl_seconds(const char *s, double *out);

/* The first line of a password file, the caller's; NULL with *e. */
char	*fleeturl_password(const char *path, struct err *e);

#endif
