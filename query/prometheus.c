/*
 * prometheus: a report's period as metrics in Prometheus' text exposition
 * format (version 0.0.4), the input of node_exporter's textfile collector:
 * findings per kind and severity, open incidents, the longest stall and
 * the last ingest's time, bytes and errors. Every series a database has
 * ever had is written, 0 when quiet, so that series do not come and go.
 * Where the file goes, atomically, is cmd_report's business.
 */
#include "query/prometheus.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"
#include "common/severity.h"
#include "common/xmalloc.h"

#define PROM_LABEL_MAX	256	/* bytes of a label value, then "..." */

/* The pairs ever stored, with their count in [?1, ?2). */
#define PROM_SQL_COUNTS "SELECT kind, severity, " \
	"sum(ts_us >= ?1 AND ts_us < ?2) FROM findings " \
	"GROUP BY kind, severity ORDER BY kind, severity"
#define PROM_SQL_INCIDENTS "SELECT severity, count(*) FROM incidents " \
	"WHERE last_us >= ?1 AND first_us < ?2 GROUP BY severity"

static sqlite3_stmt *
prom_prepare(struct store *s, const char *sql, const struct report *r,
    struct err *e)
{
	sqlite3_stmt	*st = NULL;

	if (sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
		store_err(s, e, "prometheus");
		return NULL;
	}
	sqlite3_bind_int64(st, 1, r->since_us);
	sqlite3_bind_int64(st, 2, r->until_us);
	return st;
}

int
prometheus_build(struct prometheus *p, struct store *s,
    const struct report *r, struct err *e)
{
	sqlite3_stmt		*st;
	struct prometheus_count	*c;
	const unsigned char	*kind;
	size_t			 cap = 0;
	int			 rc, sev;

	memset(p, 0, sizeof(*p));
	if ((st = prom_prepare(s, PROM_SQL_COUNTS, r, e)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		kind = sqlite3_column_text(st, 0);
		p->counts = xgrow(p->counts, &cap, p->ncounts + 1,
		    sizeof(*p->counts));
		c = &p->counts[p->ncounts++];
		c->kind = xstrdup(kind != NULL ? (const char *)kind : "");
		c->sev = sqlite3_column_int(st, 1);
		c->n = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_err(s, e, "prometheus");
	if ((st = prom_prepare(s, PROM_SQL_INCIDENTS, r, e)) == NULL)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		sev = sqlite3_column_int(st, 0);
		if (sev >= SEV_INFO && sev <= SEV_CRITICAL)
			p->incidents[sev] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_err(s, e, "prometheus");
	if ((rc = lastrun_load(s, &p->last, e)) == -1)
		return -1;
	p->have_last = rc == 1;
	return 0;
}

void
prometheus_release(struct prometheus *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->ncounts; i++)
		free(p->counts[i].kind);
	free(p->counts);
	memset(p, 0, sizeof(*p));
}

/* A label value: the format's escapes for \, " and newline; invalid
 * UTF-8 and control characters (C0, DEL, C1) as U+FFFD, so the file is
 * valid UTF-8 and safe to cat; cut at PROM_LABEL_MAX bytes. */
static void
prom_label(FILE *f, const char *name, const char *v)
{
	const unsigned char	*s = (const unsigned char *)(v ? v : "");
	size_t			 n = strlen((const char *)s), i = 0, len;
	unsigned		 cp;

	fprintf(f, "%s=\"", name);
	while (i < n) {
		if (i >= PROM_LABEL_MAX) {
			fputs("...", f);
			break;
		}
		len = escape_utf8_len(s + i, n - i);
		cp = len == 2 ? (unsigned)(s[i] & 0x1f) << 6 |
		    (s[i + 1] & 0x3f) : 0x100;
		if (len == 0 || (len == 1 && (s[i] < 0x20 || s[i] == 0x7f) &&
		    s[i] != '\n') || (len == 2 && cp >= 0x80 && cp < 0xa0)) {
			fputs("\xef\xbf\xbd", f);
			i += len == 0 ? 1 : len;
			continue;
		}
		if (s[i] == '\\')
			fputs("\\\\", f);
		else if (s[i] == '"')
			fputs("\\\"", f);
		else if (s[i] == '\n')
			fputs("\\n", f);
		else
			fwrite(s + i, 1, len, f);
		i += len;
	}
	fputc('"', f);
}

/* Microseconds as seconds, exactly: 1764007200.25 */
static void
prom_seconds(FILE *f, int64_t us)
{
	uint64_t	 a = us < 0 ? (uint64_t)0 - (uint64_t)us : (uint64_t)us;
	char		 frac[8];
	size_t		 k;

	snprintf(frac, sizeof(frac), "%06" PRIu64, a % 1000000);
	for (k = 6; k > 0 && frac[k - 1] == '0'; k--)
		frac[k - 1] = '\0';
	fprintf(f, "%s%" PRIu64 "%s%s", us < 0 ? "-" : "", a / 1000000,
	    k > 0 ? "." : "", frac);
}

static void
prom_family(FILE *f, const char *name, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void
prom_gauge(FILE *f, const char *name, const char *help, int64_t v)
{
	prom_family(f, name, help);
	fprintf(f, "%s %" PRId64 "\n", name, v);
}

static void
prom_gauge_s(FILE *f, const char *name, const char *help, int64_t us)
{
	prom_family(f, name, help);
	fprintf(f, "%s ", name);
	prom_seconds(f, us);
	fputc('\n', f);
}

static void
prom_stall(FILE *f, const struct report *r)
{
	const struct report_stall	*x = r->nstalls > 0 ? &r->stalls[0] :
					    NULL;
	char				 line[32];

	prom_gauge_s(f, "aiosift_longest_stall_seconds", "The longest stall "
	    "in the period (0: none).", x != NULL && x->duration_us > 0 ?
	    x->duration_us : 0);
	if (x == NULL)
		return;
	prom_family(f, "aiosift_longest_stall_info", "Where the longest "
	    "stall of the period was: task, coroutine, source file, line.");
	fputs("aiosift_longest_stall_info{", f);
	prom_label(f, "task", x->task);
	fputc(',', f);
	prom_label(f, "coro", x->coro);
	fputc(',', f);
	prom_label(f, "source", x->source);
	snprintf(line, sizeof(line), "%" PRId64, x->line);
	fputc(',', f);
	prom_label(f, "line", line);
	fputs("} 1\n", f);
}

static void
prom_last(FILE *f, const struct lastrun *l)
{
	const struct {
		const char	*name, *help;
		int64_t		 v;
	} gauges[] = {
		{ "aiosift_last_ingest_bytes", "Bytes (decompressed) the "
		    "last ingest read.", l->bytes },
		{ "aiosift_last_ingest_files", "Files with new bytes the "
		    "last ingest read.", l->files },
		{ "aiosift_last_ingest_records", "Records the last ingest "
		    "read.", l->records },
		{ "aiosift_last_ingest_findings", "Findings the last ingest "
		    "stored.", l->findings },
		{ "aiosift_last_ingest_errors", "Files or steps the last "
		    "ingest could not read or do.", l->errors },
		{ "aiosift_last_ingest_exit_status", "The last ingest's exit "
		    "status (0 ok, 3 input error, 4 database error).",
		    l->status },
	};
	size_t	i;

	prom_gauge_s(f, "aiosift_last_ingest_timestamp_seconds", "When the "
	    "last ingest into this database ended (Unix time).", l->end_us);
	for (i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
		prom_gauge(f, gauges[i].name, gauges[i].help, gauges[i].v);
}

void
prometheus_write(FILE *f, const struct report *r, const struct prometheus *p)
{
	size_t	i;
	int	sev;

	prom_gauge_s(f, "aiosift_report_period_start_seconds", "Start of the "
	    "reported period (Unix time).", r->since_us);
	prom_gauge_s(f, "aiosift_report_period_end_seconds", "End of the "
	    "reported period (Unix time).", r->until_us);
	prom_family(f, "aiosift_findings", "Findings in the period, by kind "
	    "and severity (every pair the database has held).");
	for (i = 0; i < p->ncounts; i++) {
		fputs("aiosift_findings{", f);
		prom_label(f, "kind", p->counts[i].kind);
		fputc(',', f);
		prom_label(f, "severity", severity_name(p->counts[i].sev));
		fprintf(f, "} %" PRId64 "\n", p->counts[i].n);
	}
	prom_gauge(f, "aiosift_worst_severity", "The worst severity in the "
	    "period: 0 none, 1 info, 2 warning, 3 error, 4 critical.",
	    r->worst);
	prom_family(f, "aiosift_open_incidents", "Incidents with a finding "
	    "in the period, by severity.");
	for (sev = SEV_INFO; sev <= SEV_CRITICAL; sev++) {
		fputs("aiosift_open_incidents{", f);
		prom_label(f, "severity", severity_name(sev));
		fprintf(f, "} %" PRId64 "\n", p->incidents[sev]);
	}
	prom_stall(f, r);
	if (p->have_last)
		prom_last(f, &p->last);
}
