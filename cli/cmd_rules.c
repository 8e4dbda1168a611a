/*
 * cmd_rules: `aiosift rules list|check|test`: show the loaded rules, check
 * rules files (every problem, not just the first), and try the rules on a
 * sample log, showing what each finds and the fields it captures. The
 * parsing is ruleset's, the matching engine's; the records are cut by
 * ingest/sample (layout detected, or --format), as ingest would.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cliopt.h"
#include "cli/commands.h"
#include "common/duration.h"
#include "common/err.h"
#include "common/escape.h"
#include "common/finding.h"
#include "common/record.h"
#include "common/severity.h"
#include "common/xmalloc.h"
#include "ingest/sample.h"
#include "rules/engine.h"
#include "rules/ruleset.h"
#include "rules/stall.h"

static const char rules_usage[] =
    "usage: aiosift rules list [--rules FILE]... [--tabs]\n"
    "       aiosift rules check FILE...\n"
    "       aiosift rules test [--rules FILE]... [--no-builtin] "
    "[--stall-min DUR]\n"
    "                          [--format NAME] FILE|-\n";

static const char rules_help[] =
    "\n"
    "List, check or try the signature rules: the built-in asyncio pack\n"
    "plus the files given with --rules, which add rules or replace built-in\n"
    "ones by id. The format of rules files: man 5 aiosift-rules.\n"
    "\n"
    "  list     the rules in the order they are tried: id, kind, severity,\n"
    "           enabled, title (--tabs: tab-separated, with origin)\n"
    "  check    parse FILE and compile its patterns; print every problem\n"
    "           as FILE:LINE[:COL]: what; exit 0 when all is well, else 2\n"
    "  test     split a sample log (FILE, plain or gzip, or - for stdin)\n"
    "           into records as ingest does and print each finding with\n"
    "           its captured fields: FILE:LINE: kind rule severity task=\n"
    "           coro= exc= loc= [duration=]; a gap stall (stall.gap) is\n"
    "           printed a few records after the gap, when it is decided\n"
    "\n"
    "Options:\n"
    "  --rules FILE         add or override rules (repeatable)\n"
    "  --no-builtin         test only the --rules files\n"
    "  --stall-min DUR      a \"took N seconds\" under this is slow_callback,\n"
    "                       a gap under this is no stall (default 0.5s;\n"
    "                       also 500ms, 0.5, 2m)\n"
    "  --format NAME        test: the log layout (default: detected)\n"
    "  --tabs               list: tab-separated columns\n"
    "  -h, --help           show this help\n"
    "\n"
    "Examples:\n"
    "  aiosift rules list\n"
    "  aiosift rules check my.rules\n"
    "  aiosift rules test --rules my.rules app.log\n"
    "  grep -A3 'never retrieved' app.log | aiosift rules test -\n";

enum { O_RULES = 256, O_NO_BUILTIN, O_STALL_MIN, O_TABS, O_FORMAT };

static const struct option rules_options[] = {
	{ "rules", required_argument, NULL, O_RULES },
	{ "no-builtin", no_argument, NULL, O_NO_BUILTIN },
	{ "stall-min", required_argument, NULL, O_STALL_MIN },
	{ "tabs", no_argument, NULL, O_TABS },
	{ "format", required_argument, NULL, O_FORMAT },
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
rules_print(const char *name, int64_t line, const struct finding_list *fl)
{
	const struct finding	*f;
	size_t			 i;

	for (i = 0; i < fl->n; i++) {
		f = &fl->v[i];
		printf("%s:%lld: %s %s %s", name, (long long)line, f->kind,
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

/* Cut the sample log at path (or stdin) into records as ingest does
 * (ingest/sample) and print what the rules find in each. */
static int
rules_test(struct engine *en, const struct stall_opts *so, const char *path,
    const char *format)
{
	struct finding_list	 fl = { NULL, 0, 0 };
	struct sample		*sm;
	struct stall		*sd;
	const struct record	*r;
	int64_t			 last_line = 0;
	struct err		 e;
	const char		*name = strcmp(path, "-") == 0 ? "<stdin>" :
				    path;
	size_t			 nrec = 0, nfind = 0, nrule;
	int			 rc = STATUS_OK, got;

	err_clear(&e);
	if ((sm = sample_open(path, format, &e)) == NULL) {
		return cliopt_fail(&e);
	}
	sd = stall_new(so);
	while ((got = sample_next(sm, &r, &e)) != 0) {
		if (got == -1) {	/* the records cut so far follow */
			rc = cliopt_fail(&e);
			continue;
		}
		finding_list_clear(&fl);
		nrule = engine_scan(en, r, &fl);
		if (r->ts_us != TS_NONE)
			stall_feed(sd, r, fl.v, nrule, &fl);
		rules_print(name, r->line, &fl);
		nrec++;
		nfind += fl.n;
		last_line = r->line;
	}
	finding_list_clear(&fl);
	if (stall_flush(sd, &fl)) {
		rules_print(name, last_line, &fl);
		nfind += fl.n;
	}
	printf("%zu record%s, %zu finding%s (layout %s)\n", nrec,
	    nrec == 1 ? "" : "s", nfind, nfind == 1 ? "" : "s",
	    sample_layout_name(sm));
	finding_list_release(&fl);
	stall_free(sd);
	sample_close(sm);
	return rc;
}

int
cmd_rules(int argc, char *argv[])
{
	struct engine_opts	 o;
	struct stall_opts	 so;
	struct engine		*en = NULL;
	struct err		 e;
	struct cliopt_rules	 rules;
	const char		*sub, *first, *format = NULL;
	int64_t			 stall_us = 500000;
	size_t			 hits;
	bool			 tabs = false;
	int			 c, rc = STATUS_OK;

	memset(&o, 0, sizeof(o));
	memset(&so, 0, sizeof(so));
	cliopt_rules_init(&rules, NULL);	/* --rules alone */
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
			if (cliopt_rules_add(&rules, "rules", rules_usage,
			    optarg) != 0)
				return STATUS_USAGE;
			break;
		case O_NO_BUILTIN:
			o.no_builtin = true;
			break;
		case O_STALL_MIN:
			if (cliopt_duration("rules", rules_usage,
			    "--stall-min", optarg, true, &stall_us) != 0)
				return STATUS_USAGE;
			break;
		case O_TABS:
			tabs = true;
			break;
		case O_FORMAT:
			format = optarg;
			break;
		case 'h':
			fputs(rules_usage, stdout);
			fputs(rules_help, stdout);
			return STATUS_OK;
		default:
			return rules_bad_usage(NULL);
		}
	}
	argc -= optind;
	argv += optind;
	o.rule_files = rules.files;
	o.nrule_files = rules.n;
	if (strcmp(sub, "check") == 0) {
		if (rules.n > 0)
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
	o.stall_min_s = (double)stall_us / 1e6;
	if ((en = engine_new(&o, &e)) == NULL) {
		rc = cliopt_fail(&e);
		goto out;
	}
	if (strcmp(sub, "list") == 0)
		engine_list(en, stdout, tabs);
	else {
		so.min_us = stall_us;
		rc = rules_test(en, &so, argv[0], format);
		if ((hits = engine_limit_hits(en, &first)) > 0)
			fprintf(stderr, "aiosift: %zu match%s hit the PCRE2 "
			    "limits; first: %s\n", hits, hits == 1 ? "" :
			    "es", first);
		if ((hits = engine_cap_hits(en, &first)) > 0)
			fprintf(stderr, "aiosift: %zu record%s longer than "
			    "the rules rewrite; first: %s\n", hits, hits ==
			    1 ? "" : "s", first);
	}
out:
	engine_free(en);
	return rc;
}
