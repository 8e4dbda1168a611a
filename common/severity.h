#ifndef COMMON_SEVERITY_H
#define COMMON_SEVERITY_H

#include <stdbool.h>

/* Finding severities, stored as these numbers (findings.severity). */
enum severity {
	SEV_INFO = 1,
	SEV_WARNING = 2,
	SEV_ERROR = 3,
	SEV_CRITICAL = 4
};

/* "info", "warning", "error", "critical". */
const char	*severity_name(int sev);
/* Parse a name (any case; "warn" and "crit" too); false if unknown. */
bool		 severity_parse(const char *s, int *sev);

#endif
