/*
 * config: the configuration file (format in config.h). Reads it line by
 * line into a struct config, checking every value as the commands would
 * (a layout name, a header regex that compiles, a zone, a duration), so a
 * mistake is one "FILE:LINE: message" before anything runs; and answers
 * which settings hold for a log. Using them is the commands' and the
 * pipeline's: the database and rules files for every command, the
 * per-source settings where ingest and watch read a rotation set.
 */
#include "ingest/config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/duration.h"
#include "common/xmalloc.h"
#include "ingest/layout.h"
#include "ingest/timestamp.h"

#define CONFIG_LINE_CAP	8192

static struct config	*config_this;
static const char	*config_given;

void
config_set_path(const char *path)
{
	config_given = path;
}

const char *
config_path(const char *opt)
{
	const char	*env;
	struct stat	 sb;

	if (opt != NULL && *opt != '\0')
		return opt;
	if (config_given != NULL)
		return config_given;
	env = getenv("AIOSIFT_CONFIG");
	if (env != NULL && *env != '\0')
		return env;
	if (stat(CONFIG_DEFAULT, &sb) == 0)
		return CONFIG_DEFAULT;
	return NULL;
}

size_t
config_rules(const struct config *c, const char **out, size_t cap)
{
	size_t	i;

	for (i = 0; c != NULL && i < c->nrules && i < cap; i++)
		out[i] = c->rules[i];
	return i;
}

void
config_use(struct config *c)
{
	config_this = c;
}

const struct config *
config_current(void)
{
	return config_this;
}

void
config_free(struct config *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nrules; i++)
		free(c->rules[i]);
	free(c->rules);
	for (i = 0; i < c->nsources; i++) {
		free(c->sources[i].glob);
		free(c->sources[i].format);
		free(c->sources[i].header_regex);
		free(c->sources[i].tz);
	}
	free(c->sources);
	free(c->db);
	free(c->path);
	free(c);
}

static char *
config_trim(char *s)
{
	char	*end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* A path in the file, relative to the file's directory. */
static char *
config_relative(const struct config *c, const char *v)
{
	const char	*slash = strrchr(c->path, '/');
	char		*p;
	size_t		 dn;

	if (v[0] == '/' || slash == NULL)
		return xstrdup(v);
	dn = (size_t)(slash - c->path) + 1;
	p = xmalloc(dn + strlen(v) + 1);
	memcpy(p, c->path, dn);
	strcpy(p + dn, v);
	return p;
}

/* One "key = value" line of a [source] section (src) or of the top. */
static int
config_set(struct config *c, struct config_source *src, const char *key,
    const char *val, const char *where, struct err *e)
{
	struct layout	*probe;
	struct err	 le;

	if (*val == '\0')
		return err_set(e, STATUS_USAGE, "%s: %s: no value", where, key);
	if (strcmp(key, "db") == 0 || strcmp(key, "rules") == 0) {
		if (src != NULL)
			return err_set(e, STATUS_USAGE, "%s: %s: only before the "
			    "first [source] section", where, key);
		if (key[0] == 'd') {
			free(c->db);
			c->db = config_relative(c, val);
		} else {
			c->rules = xrealloc(c->rules, (c->nrules + 1) *
			    sizeof(*c->rules));
			c->rules[c->nrules++] = config_relative(c, val);
		}
		return 0;
	}
	if (strcmp(key, "format") != 0 && strcmp(key, "header-regex") != 0 &&
	    strcmp(key, "tz") != 0 && strcmp(key, "stall-min") != 0)
		return err_set(e, STATUS_USAGE, "%s: unknown setting '%s' (db, "
		    "rules; in [source GLOB]: format, header-regex, tz, "
		    "stall-min)", where, key);
	if (src == NULL)
		return err_set(e, STATUS_USAGE, "%s: %s: only in a [source GLOB] "
		    "section", where, key);
	err_clear(&le);
	if (strcmp(key, "format") == 0) {
		if (strcmp(val, "auto") != 0) {
			if ((probe = layout_by_name(val, &le)) == NULL)
				return err_set(e, STATUS_USAGE, "%s: format: "
				    "unknown layout '%s'", where, val);
			layout_free(probe);
		}
		free(src->format);
		src->format = xstrdup(val);
	} else if (strcmp(key, "header-regex") == 0) {
		if ((probe = layout_from_regex(val, &le)) == NULL)
			return err_set(e, STATUS_USAGE, "%s: header-regex: %s",
			    where, le.msg);
		layout_free(probe);
		free(src->header_regex);
		src->header_regex = xstrdup(val);
	} else if (strcmp(key, "tz") == 0) {
		if (timestamp_set_zone(val, &le) == -1) {
			(void)timestamp_set_zone(NULL, NULL);
			return err_set(e, STATUS_USAGE, "%s: tz: %s", where,
			    le.msg);
		}
		(void)timestamp_set_zone(NULL, NULL);
		free(src->tz);
		src->tz = xstrdup(val);
	} else if (duration_parse(val, true, &src->stall_min_us, &le) == -1)
		return err_set(e, STATUS_USAGE, "%s: stall-min: %s", where,
		    le.msg);
	return 0;
}

/* A "[source GLOB]" line: a new section. */
static int
config_section(struct config *c, char *line, int lineno, const char *where,
    struct err *e)
{
	struct config_source	*src;
	char			*end = strrchr(line, ']'), *glob;

	if (end == NULL || config_trim(end + 1)[0] != '\0')
		return err_set(e, STATUS_USAGE, "%s: a section is [source GLOB] "
		    "on a line of its own", where);
	*end = '\0';
	glob = config_trim(line + 1);
	if (strncmp(glob, "source", 6) != 0 || (glob[6] != ' ' &&
	    glob[6] != '\t' && glob[6] != '\0'))
		return err_set(e, STATUS_USAGE, "%s: unknown section '[%s]' "
		    "(only [source GLOB])", where, glob);
	glob = config_trim(glob + 6);
	if (*glob == '\0')
		return err_set(e, STATUS_USAGE, "%s: [source] without a glob",
		    where);
	c->sources = xrealloc(c->sources, (c->nsources + 1) *
	    sizeof(*c->sources));
	src = &c->sources[c->nsources++];
	memset(src, 0, sizeof(*src));
	src->glob = xstrdup(glob);
	src->line = lineno;
	src->stall_min_us = -1;
	return 0;
}

struct config *
config_load(const char *path, struct err *e)
{
	struct config	*c = xcalloc(1, sizeof(*c));
	FILE		*f;
	char		 line[CONFIG_LINE_CAP], where[600], *p, *eq;
	int		 lineno = 0;
	size_t		 n;

	c->path = xstrdup(path);
	if ((f = fopen(path, "r")) == NULL) {
		err_set(e, STATUS_USAGE, "%s: %s", path, strerror(errno));
		goto fail;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%d", path, lineno);
		n = strlen(line);
		if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
			err_set(e, STATUS_USAGE, "%s: line longer than %d bytes",
			    where, CONFIG_LINE_CAP - 2);
			goto fail_close;
		}
		if (memchr(line, '\0', n) != NULL) {
			err_set(e, STATUS_USAGE, "%s: a NUL byte", where);
			goto fail_close;
		}
		p = config_trim(line);
		if (*p == '\0' || *p == '#' || *p == ';')
			continue;
		if (*p == '[') {
			if (config_section(c, p, lineno, where, e) == -1)
				goto fail_close;
			continue;
		}
		if ((eq = strchr(p, '=')) == NULL) {
			err_set(e, STATUS_USAGE, "%s: expected 'key = value' or "
			    "'[source GLOB]'", where);
			goto fail_close;
		}
		*eq = '\0';
		if (config_set(c, c->nsources > 0 ? &c->sources[c->nsources -
		    1] : NULL, config_trim(p), config_trim(eq + 1), where, e) ==
		    -1)
			goto fail_close;
	}
	if (ferror(f)) {
		err_set(e, STATUS_USAGE, "%s: %s", path, strerror(errno));
		goto fail_close;
	}
	fclose(f);
	return c;
fail_close:
	fclose(f);
fail:
	config_free(c);
	return NULL;
}

static bool
config_matches(const char *glob, const char *set_path)
{
	const char	*base = strrchr(set_path, '/');

	if (strchr(glob, '/') == NULL)
		return fnmatch(glob, base != NULL ? base + 1 : set_path, 0) ==
		    0;
	return fnmatch(glob, set_path, FNM_PATHNAME) == 0;
}

void
config_match(const struct config *c, const char *set_path,
    struct config_source *out)
{
	size_t	i;

	memset(out, 0, sizeof(*out));
	out->stall_min_us = -1;
	for (i = 0; c != NULL && i < c->nsources; i++) {
		const struct config_source *s = &c->sources[i];

		if (!config_matches(s->glob, set_path))
			continue;
		if (out->glob == NULL)
			out->glob = s->glob;
		if (out->format == NULL && out->header_regex == NULL &&
		    (s->format != NULL || s->header_regex != NULL)) {
			/* a layout is one setting: a format or a regex */
			out->format = s->format;
			out->header_regex = s->header_regex;
		}
		if (out->tz == NULL)
			out->tz = s->tz;
		if (out->stall_min_us < 0)
			out->stall_min_us = s->stall_min_us;
	}
}
