/*
 * cmd_rescan: `aiosift rescan`, re-running the current rules over the
 * records already stored, without reading the log files again, then
 * rebuilding the incidents. Gap stalls stay as ingest found them: the gap
 * detector needs every record of a stream, and under --keep context only
 * those around findings are stored (`aiosift ingest --reread` reads the
 * files again for that).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
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
#include "ingest/config.h"
#include "rules/correlate.h"
#include "rules/engine.h"
#include "store/rescan.h"
#include "store/store.h"

static const char rescan_usage[] =
    "usage: aiosift rescan [--db FILE] [--rules FILE]... [--stall-min DUR]\n"
    "                      [--window DUR] [-q]\n";

static const char rescan_help[] =
    "\n"
    "Re-run the rules over the records stored in the database, replacing\n"
    "the findings the rules made and rebuilding the incidents, without\n"
    "reading the log files again: after changing a rules file, or after an\n"
    "upgrade of the shipped pack. Stalls found as gaps in a stream stay as\n"
    "ingest found them. Under --keep context (the default of ingest) only\n"
    "the records around earlier findings are stored, so only those are\n"
    "seen; `aiosift ingest --reread PATH...` reads the files again.\n"
    "\n"
    "Options:\n"
    "  --db FILE         database (default: $AIOSIFT_DB, else the\n"
    "                    configuration's db, else ./aiosift.db)\n"
    "  --rules FILE      add or override rules (repeatable)\n"
    "  --stall-min DUR   shortest debug-mode stall reported (0.5s)\n"
    "  --window DUR      correlation window for incidents (60s)\n"
    "  -q, --quiet       no summary line\n"
    "\n"
    "Examples:\n"
    "  aiosift rescan --rules site.rules\n"
    "  aiosift rescan --db /var/lib/aiosift/web.db --window 120\n";

#define RESCAN_ENGINES	8

/* The rules compiled per shortest stall: --stall-min, else the
 * configuration's for the record's source (ingest/config.h). */
struct rescan_engines {
	struct engine_opts	 eo;
	int64_t			 stall_us;
	bool			 stall_set;	/* --stall-min given */
	const struct config	*cfg;
	struct engine		*en[RESCAN_ENGINES];
	int64_t			 min_us[RESCAN_ENGINES];
	size_t			 n;
	int64_t			 source_id;	/* the last one asked about */
	struct engine		*last;
};

static struct engine *
rescan_engine(struct rescan_engines *re, struct store_rescan *w,
    int64_t source_id, struct err *e)
{
	struct config_source	 cs;
	int64_t			 min_us = re->stall_us;
	char			*set_path;
	size_t			 i;

	if (re->last != NULL && (re->cfg == NULL || re->stall_set ||
	    source_id == re->source_id))
		return re->last;
	if (re->cfg != NULL && !re->stall_set && w != NULL) {
		if (store_rescan_set_of(w, source_id, &set_path, e) == -1)
			return NULL;
		if (set_path != NULL) {
			config_match(re->cfg, set_path, &cs);
			if (cs.stall_min_us > 0)
				min_us = cs.stall_min_us;
			free(set_path);
		}
	}
	re->source_id = source_id;
	for (i = 0; i < re->n; i++)
		if (re->min_us[i] == min_us)
			return re->last = re->en[i];
	if (re->n == RESCAN_ENGINES) {
		err_set(e, STATUS_USAGE, "more than %d different stall-min "
		    "settings", RESCAN_ENGINES);
		return NULL;
	}
	re->eo.stall_min_s = (double)min_us / 1e6;
	if ((re->en[re->n] = engine_new(&re->eo, e)) == NULL)
		return NULL;
	re->min_us[re->n] = min_us;
	return re->last = re->en[re->n++];
}

static void
rescan_engines_release(struct rescan_engines *re)
{
	while (re->n > 0)
		engine_free(re->en[--re->n]);
}

static int
rescan_run(struct store *s, struct rescan_engines *re, int64_t window_us,
    int64_t *nrec, int64_t *nfound, struct err *e)
{
	struct store_rescan	*w = NULL;
	struct finding_list	 fl = { NULL, 0, 0 };
	struct engine		*en;
	struct record		 r;
	int64_t			 id, source_id;
	size_t			 i;
	int			 rc = -1, more;

	if (store_begin(s, e) == -1)
		return -1;
	if ((w = store_rescan_start(s, e)) == NULL)
		goto out;
	while ((more = store_rescan_next(w, &r, &id, &source_id, e)) == 1) {
		finding_list_clear(&fl);
		if ((en = rescan_engine(re, w, source_id, e)) == NULL)
			goto out;
		engine_scan(en, &r, &fl);
		(*nrec)++;
		for (i = 0; i < fl.n; i++) {
			if (store_rescan_add(w, id, source_id, &r, &fl.v[i],
			    store_ordinal(fl.v, i), e) == -1)
				goto out;
			(*nfound)++;
		}
	}
	if (more == -1)
		goto out;
	if (correlate_run(s, INT64_MIN, window_us, e) == -1)
		goto out;
	store_rescan_end(w);
	w = NULL;
	if (store_commit(s, e) == -1)
		goto out;
	rc = 0;
out:
	store_rescan_end(w);
	if (rc == -1)
		store_rollback(s);
	finding_list_release(&fl);
	return rc;
}

int
cmd_rescan(int argc, char *argv[])
{
	enum { O_DB = 256, O_RULES, O_STALL, O_WINDOW };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "rules", required_argument, NULL, O_RULES },
		{ "stall-min", required_argument, NULL, O_STALL },
		{ "window", required_argument, NULL, O_WINDOW },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cliopt_rules	 rules;
	struct engine_opts	 eo;
	struct rescan_engines	 re;
	struct store		*s = NULL;
	struct err		 e;
	const char		*db = NULL;
	int64_t			 stall_us = 500000, window_us = 60000000;
	int64_t			 nrec = 0, nfound = 0;
	bool			 quiet = false, stall_set = false;
	int			 c, status = STATUS_OK;

	memset(&eo, 0, sizeof(eo));
	cliopt_rules_init(&rules, config_current());
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
		switch (c) {
		case O_DB:
			db = optarg;
			break;
		case O_RULES:
			if (cliopt_rules_add(&rules, "rescan", rescan_usage,
			    optarg) != 0)
				return STATUS_USAGE;
			break;
		case O_STALL:
		case O_WINDOW:
			if (cliopt_duration("rescan", rescan_usage, c ==
			    O_STALL ? "--stall-min" : "--window", optarg,
			    c == O_STALL, c == O_STALL ? &stall_us :
			    &window_us) != 0)
				return STATUS_USAGE;
			if (c == O_STALL)
				stall_set = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			printf("%s%s", rescan_usage, rescan_help);
			return STATUS_OK;
		default:
			fprintf(stderr, "aiosift: rescan: unknown or incomplete "
			    "option\n%s", rescan_usage);
			return STATUS_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "aiosift: rescan: takes no arguments\n%s",
		    rescan_usage);
		return STATUS_USAGE;
	}
	eo.rule_files = rules.files;
	eo.nrule_files = rules.n;
	memset(&re, 0, sizeof(re));
	re.eo = eo;
	re.stall_us = stall_us;
	re.stall_set = stall_set;
	re.cfg = config_current();
	/* the rules are checked before the database is opened */
	if (rescan_engine(&re, NULL, 0, &e) == NULL ||
	    (s = store_open(store_path(db), 0, &e)) == NULL ||
	    rescan_run(s, &re, window_us, &nrec, &nfound, &e) == -1) {
		status = cliopt_fail(&e);
	} else if (!quiet)
		printf("rescanned %lld records: %lld findings by the rules\n",
		    (long long)nrec, (long long)nfound);
	rescan_engines_release(&re);
	store_close(s);
	return status;
}
