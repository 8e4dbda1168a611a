/*
 * severity: names and numbers of finding severities, shared by the rules
 * that assign them and the queries that filter on them.
 */
#include "common/severity.h"

#include <strings.h>

const char *
severity_name(int sev)
{
	switch (sev) {
	case SEV_INFO:		return "info";
	case SEV_WARNING:	return "warning";
	case SEV_ERROR:		return "error";
	case SEV_CRITICAL:	return "critical";
	default:		return "unknown";
	}
}

bool
severity_parse(const char *s, int *sev)
{
	static const struct {
		const char	*name;
		int		 sev;
	} names[] = {
		{ "info", SEV_INFO }, { "warning", SEV_WARNING },
		{ "warn", SEV_WARNING }, { "error", SEV_ERROR },
		{ "critical", SEV_CRITICAL }, { "crit", SEV_CRITICAL },
	};
	size_t	i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(s, names[i].name) == 0) {
			*sev = names[i].sev;
			return true;
		}
	return false;
}
