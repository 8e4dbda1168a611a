/*
 * testhook: the AIOSIFT_TEST_KILL / AIOSIFT_TEST_STOP hooks of
 * testhook.h. The variables are read once; each names one event and
 * the count at which it fires. Only the main thread calls testhook().
 */
#include "common/testhook.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct hook {
	const char	*var;
	int		 sig;
	char		 event[16];
	long long	 at, seen;
};

static struct hook hooks[] = {
	{ "AIOSIFT_TEST_KILL", SIGKILL, "", 0, 0 },
	{ "AIOSIFT_TEST_STOP", SIGSTOP, "", 0, 0 },
};
static bool loaded, armed;
bool testhook_off;

/* Parse "EVENT:N" (N >= 1); anything else leaves the hook off. */
static void
testhook_load(void)
{
	const char	*v, *colon;
	char		*end;
	size_t		 i, n;

	loaded = true;
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		if ((v = getenv(hooks[i].var)) == NULL ||
		    (colon = strchr(v, ':')) == NULL)
			continue;
		n = (size_t)(colon - v);
		if (n == 0 || n >= sizeof(hooks[i].event))
			continue;
		hooks[i].at = strtoll(colon + 1, &end, 10);
		if (*end != '\0' || hooks[i].at < 1)
			continue;
		memcpy(hooks[i].event, v, n);
		hooks[i].event[n] = '\0';
		armed = true;
	}
	testhook_off = !armed;
}

void
testhook_count(const char *event)
{
	size_t	i;

	if (!loaded)
		testhook_load();
	if (!armed)
		return;
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++)
		if (hooks[i].event[0] != '\0' &&
		    strcmp(hooks[i].event, event) == 0 &&
		    ++hooks[i].seen == hooks[i].at)
			raise(hooks[i].sig);
}
