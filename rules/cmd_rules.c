/*
 * cmd_rules: `aiosift rules list|check|test`: show the loaded rules, check
 * rules files (every problem, not just the first), and try the rules on a
 * sample log, showing what each finds and the fields it captures. The
 * parsing is ruleset's, the matching engine's; records are cut by the
 * plain splitter below (header lines start records, the rest continue
 * them), which needs no layout and is enough to try rules.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "common/err.h"
#include "common/escape.h"
#include "common/finding.h"
#include "common/record.h"
#include "common/severity.h"
#include "common/xmalloc.h"
#include "rules/engine.h"
#include "rules/ruleset.h"

#define RULES_TEST_MAX	(256 * 1024 * 1024)	/* bytes of a sample log */

static const char rules_usage[] =
    "usage: aiosift rules list [--rules FILE]... [--tabs]\n"
    "       aiosift rules check FILE...\n"
    "       aiosift rules test [--rules FILE]... [--no-builtin] "
    "[--stall-min SECONDS] FILE|-\n";

static const char rules_help[] =
    "\n"
    "List, check or try the signature rules: the built-in asyncio pack\n"
    "plus the files given with --rules, which add rules or replace built-in\n"
    "ones by id (the format is described in README.md, \"Rules files\").\n"
    "\n"
    "  list     the rules in the order they are tried: id, kind, severity,\n"
    "           enabled, title (--tabs: tab-separated, with origin)\n"
    "  check    parse FILE and compile its patterns; print every problem\n"
    "           as FILE:LINE[:COL]: what; exit 0 when all is well, else 2\n"
    "  test     split a sample log (FILE, or - for stdin) into records and\n"
    "           print each finding with its captured fields\n"
    "\n"
    "Options:\n"
    "  --rules FILE         add or override rules (repeatable)\n"
    "  --no-builtin         test only the --rules files\n"
    "  --stall-min SECONDS  a \"took N seconds\" under this is slow_callback\n"
    "                       (default 0.5)\n"
    "  --tabs               list: tab-separated columns\n"
    "  -h, --help           show this help\n"
    "\n"
    "Examples:\n"
    "  aiosift rules list\n"
    "  aiosift rules check my.rules\n"
    "  aiosift rules test --rules my.rules app.log\n"
    "  grep -A3 'never retrieved' app.log | aiosift rules test -\n";

enum { O_RULES = 256, O_NO_BUILTIN, O_STALL_MIN, O_TABS };

static const struct option rules_options[] = {
	{ "rules", required_argument, NULL, O_RULES },
	{ "no-builtin", no_argument, NULL, O_NO_BUILTIN },
	{ "stall-min", required_argument, NULL, O_STALL_MIN },
	{ "tabs", no_argument, NULL, O_TABS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static int
rules_bad_usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "aiosift: rules: %s\n", why);
	fputs(rules_usage, stderr);
	return STATUS_USAGE;
}

static int
rules_check(int argc, char *argv[])
{
	struct ruleset		rs;
	struct rule_diag	d;
	size_t			i, j, bad = 0;

	if (argc < 1)
		return rules_bad_usage("check: name a rules file");
	for (i = 0; i < (size_t)argc; i++) {
		ruleset_init(&rs);
		memset(&d, 0, sizeof(d));
		if (ruleset_load(&rs, argv[i], &d) == 0)
			printf("%s: %zu rule%s ok\n", argv[i], rs.n,
			    rs.n == 1 ? "" : "s");
		for (j = 0; j < d.n; j++) {
			fputs("aiosift: ", stderr);
			escape_terminal(stderr, d.msg[j], strlen(d.msg[j]));
			fputc('\n', stderr);
		}
		bad += d.n;
		rule_diag_release(&d);
		ruleset_release(&rs);
	}
	return bad > 0 ? STATUS_USAGE : STATUS_OK;
}

/* Whether line[0..n) starts a record: it has a log header (a timestamp,
 * LEVEL:logger:, a JSON object) or, in a log without headers, is not
 * indented and is none of the lines that continue a record. */
static bool
rules_is_header(const char *p, size_t n, bool headers)
{
	static const char *const cont[] = {
		"Traceback (most recent call last)", "future: ", "task: ",
		"handle: ", "source_traceback: ", "context: ", "protocol: ",
		"transport: ", "During handling of the above exception",
		"The above exception was the direct cause",
		"Coroutine created at", "Object allocated at",
		"RuntimeWarning: Enable tracemalloc",
		"ResourceWarning: Enable tracemalloc", "client_session: ",
		"connector: ", "connections: ", "asyncgen: ", NULL
	};
	size_t	i, k;

	if (n == 0)
		return false;
	if (headers) {
		if (p[0] == '{' || (p[0] >= '0' && p[0] <= '9'))
			return true;
		for (i = 0; i < n && p[i] >= 'A' && p[i] <= 'Z'; i++)
			;
		return i >= 4 && i < n && p[i] == ':';
	}
	if (p[0] == ' ' || p[0] == '\t' || p[0] == '|' || p[0] == '+')
		return false;
	for (k = 0; cont[k] != NULL; k++)
		if (n >= strlen(cont[k]) && memcmp(p, cont[k],
		    strlen(cont[k])) == 0)
			return false;
	/* an exception line "Name: text" or "mod.Name" ends a traceback */
	for (i = 0; i < n && (p[i] == '_' || p[i] == '.' ||
	    (p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
	    (p[i] >= '0' && p[i] <= '9')); i++)
		;
	if (i > 0 && (i == n || p[i] == ':') && (i >= 5 &&
	    (memcmp(p + i - 5, "Error", 5) == 0 ||
	    (i >= 9 && memcmp(p + i - 9, "Exception", 9) == 0))))
		return false;
	return true;
}

/* The message of a record whose first line is p[0..n): after a
 * "LEVEL:logger:" prefix; otherwise the whole text. */
static size_t
rules_msg_off(const char *p, size_t n)
{
	size_t	i, colons = 0;

	for (i = 0; i < n && p[i] >= 'A' && p[i] <= 'Z'; i++)
		;
	if (i < 4 || i >= n || p[i] != ':')
		return 0;
	for (; i < n && p[i] != ' '; i++)
		if (p[i] == ':' && ++colons == 2)
			return i + 1;
	return 0;
}

static void
rules_print_field(const char *name, const char *v)
{
	printf(" %s=", name);
	if (v == NULL)
		fputs("-", stdout);
	else
		escape_terminal(stdout, v, strlen(v));
}

static void
rules_print(const char *name, const struct record *r,
    const struct finding_list *fl)
{
	const struct finding	*f;
	size_t			 i;

	for (i = 0; i < fl->n; i++) {
		f = &fl->v[i];
		printf("%s:%lld: %s %s %s", name, (long long)r->line, f->kind,
		    f->rule, severity_name(f->severity));
		rules_print_field("task", f->task);
		rules_print_field("coro", f->coro);
		rules_print_field("exc", f->exception);
		rules_print_field("loc", f->location);
		if (f->duration_us >= 0)
			printf(" duration=%.3f", (double)f->duration_us / 1e6);
		fputc('\n', stdout);
	}
}

/* Read all of path (or stdin for "-"); NULL with *e on failure. */
static char *
rules_slurp(const char *path, size_t *n, struct err *e)
{
	FILE	*f;
	char	*p = NULL;
	size_t	 cap = 0, got;

	*n = 0;
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		err_set(e, STATUS_INPUT, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		p = xgrow(p, &cap, *n + 65536, 1);
		if ((got = fread(p + *n, 1, cap - *n, f)) == 0)
			break;
		*n += got;
		if (*n > RULES_TEST_MAX) {
			err_set(e, STATUS_INPUT, "%s: larger than %d MB: "
			    "ingest it instead", path, RULES_TEST_MAX >> 20);
			goto fail;
		}
	}
	if (ferror(f)) {
		err_set(e, STATUS_INPUT, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	return p;
fail:
	if (f != stdin)
		fclose(f);
	free(p);
	return NULL;
}

static int
rules_test(struct engine *en, const char *path)
{
	struct finding_list	 fl = { NULL, 0, 0 };
	struct record		 r;
	struct err		 e;
	const char		*name = strcmp(path, "-") == 0 ? "<stdin>" :
				    path;
	char			*text;
	size_t			 n, pos, start, nl, end, nrec = 0, nfind = 0;
	long long		 line = 0, first = 1;
	bool			 headers = false;

	err_clear(&e);
	if ((text = rules_slurp(path, &n, &e)) == NULL) {
		err_print(&e);
		return e.status;
	}
	/* a log with headers: does any line look like one? */
	for (pos = 0; pos < n && !headers; pos = nl + 1) {
		const char *q = memchr(text + pos, '\n', n - pos);

		nl = q ? (size_t)(q - text) : n;
		headers = rules_is_header(text + pos, nl - pos, true);
	}
	start = 0;
	for (pos = 0; pos <= n; pos = nl + 1) {
		const char	*q = pos < n ? memchr(text + pos, '\n', n - pos)
				    : NULL;

		nl = q ? (size_t)(q - text) : n;
		if (pos < n)
			line++;
		if (pos < n && (pos == start || !rules_is_header(text + pos,
		    nl - pos, headers)))
			continue;
		/* the record is text[start..pos) */
		end = pos;
		while (end > start && (text[end - 1] == '\n' ||
		    text[end - 1] == '\r'))
			end--;
		if (end > start) {
			memset(&r, 0, sizeof(r));
			r.line = first;
			r.ts_us = TS_NONE;
			r.pid = -1;
			r.text.p = text + start;
			r.text.n = end - start;
			r.message.p = r.text.p + rules_msg_off(r.text.p,
			    r.text.n);
			r.message.n = (size_t)(r.text.p + r.text.n -
			    r.message.p);
			finding_list_clear(&fl);
			engine_scan(en, &r, &fl);
			rules_print(name, &r, &fl);
			nrec++;
			nfind += fl.n;
		}
		start = pos;
		first = line;
		if (pos >= n)
			break;
	}
	printf("%zu record%s, %zu finding%s\n", nrec, nrec == 1 ? "" : "s",
	    nfind, nfind == 1 ? "" : "s");
	finding_list_release(&fl);
	free(text);
	return STATUS_OK;
}

int
cmd_rules(int argc, char *argv[])
{
	struct engine_opts	 o;
	struct engine		*en = NULL;
	struct err		 e;
	const char		**files = NULL, *sub, *first;
	char			*end;
	size_t			 nfiles = 0, hits;
	bool			 tabs = false;
	int			 c, rc = STATUS_OK;

	memset(&o, 0, sizeof(o));
	err_clear(&e);
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		fputs(rules_usage, stdout);
		fputs(rules_help, stdout);
		return STATUS_OK;
	}
	if (argc < 2)
		return rules_bad_usage(NULL);
	sub = argv[1];
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", rules_options, NULL)) != -1) {
		switch (c) {
		case O_RULES:
			files = xrealloc(files, (nfiles + 1) * sizeof(*files));
			files[nfiles++] = optarg;
			break;
		case O_NO_BUILTIN:
			o.no_builtin = true;
			break;
		case O_STALL_MIN:
			o.stall_min_s = strtod(optarg, &end);
			if (end == optarg || *end != '\0' ||
			    o.stall_min_s <= 0) {
				free(files);
				return rules_bad_usage("--stall-min: give "
				    "seconds, like 0.5");
			}
			break;
		case O_TABS:
			tabs = true;
			break;
		case 'h':
			fputs(rules_usage, stdout);
			fputs(rules_help, stdout);
			free(files);
			return STATUS_OK;
		default:
			free(files);
			return rules_bad_usage(NULL);
		}
	}
	argc -= optind;
	argv += optind;
	o.rule_files = files;
	o.nrule_files = nfiles;
	if (strcmp(sub, "check") == 0) {
		if (nfiles > 0)
			rc = rules_bad_usage("check takes the files to check "
			    "as arguments, not --rules");
		else
			rc = rules_check(argc, argv);
		goto out;
	}
	if (strcmp(sub, "list") != 0 && strcmp(sub, "test") != 0) {
		rc = rules_bad_usage("unknown subcommand: list, check or "
		    "test");
		goto out;
	}
	if (strcmp(sub, "list") == 0 ? argc != 0 : argc != 1) {
		rc = rules_bad_usage(strcmp(sub, "list") == 0 ? "list takes "
		    "no arguments" : "test: name one sample log, or -");
		goto out;
	}
	if ((en = engine_new(&o, &e)) == NULL) {
		err_print(&e);
		rc = e.status;
		goto out;
	}
	if (strcmp(sub, "list") == 0)
		engine_list(en, stdout, tabs);
	else {
		rc = rules_test(en, argv[0]);
		if ((hits = engine_limit_hits(en, &first)) > 0)
			fprintf(stderr, "aiosift: %zu match%s hit the PCRE2 "
			    "limits; first: %s\n", hits, hits == 1 ? "" :
			    "es", first);
	}
out:
	engine_free(en);
	free(files);
	return rc;
}
