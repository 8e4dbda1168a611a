/*
 * report: a period's summary as a data structure, whoever gathered it
 * (report_gather.c from this host's database, fleet/fquery.c from the
 * fleet), and its writers: plain text, markdown and JSON here, HTML in
 * html.c. The writers only format; every log-borne string is escaped
 * for its format.
 */
#include "query/report.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/escape.h"
#include "common/record.h"
#include "common/severity.h"
#include "common/timefmt.h"
#include "common/xmalloc.h"
#include "query/output.h"

#define HOUR_US		(INT64_C(3600) * 1000000)
#define MAX_BUCKETS	168		/* a week of hours */
#define MAX_MINUTE_BUCKETS 60		/* below, minutes are too fine */

/* --- the structure */

void
report_release(struct report *r)
{
	size_t	i;

	free(r->db);
	for (i = 0; i < r->nkinds; i++)
		free(r->kinds[i].kind);
	free(r->kinds);
	for (i = 0; i < r->nsigs; i++) {
		free(r->sigs[i].kind);
		free(r->sigs[i].coro);
		free(r->sigs[i].exception);
	}
	free(r->sigs);
	for (i = 0; i < r->ntasks; i++)
		free(r->tasks[i].name);
	free(r->tasks);
	for (i = 0; i < r->ncoros; i++)
		free(r->coros[i].name);
	free(r->coros);
	for (i = 0; i < r->nstalls; i++) {
		free(r->stalls[i].task);
		free(r->stalls[i].coro);
		free(r->stalls[i].source);
		free(r->stalls[i].message);
	}
	free(r->stalls);
	for (i = 0; i < r->nshown; i++) {
		free(r->incidents[i].kinds);
		free(r->incidents[i].task);
		free(r->incidents[i].coro);
		free(r->incidents[i].summary);
	}
	free(r->incidents);
	for (i = 0; i < r->nundated_shown; i++) {
		free(r->undated[i].source);
		free(r->undated[i].kind);
		free(r->undated[i].task);
		free(r->undated[i].coro);
		free(r->undated[i].exception);
		free(r->undated[i].message);
	}
	free(r->undated);
	free(r->buckets);
	memset(r, 0, sizeof(*r));
}


bool
report_timeline_spans_findings(const struct report *r)
{
	return r->until_us - r->since_us > MAX_BUCKETS * HOUR_US;
}

/* A short span in minutes (1, 5 or 15) when that makes at most
 * MAX_MINUTE_BUCKETS, else hours, or several hours a bucket past a
 * week; the first bucket starts on a multiple of its length. */
void
report_timeline_layout(struct report *r, int64_t lo, int64_t hi)
{
	static const int64_t	 minutes[] = { 1, 5, 15 };
	int64_t			 b;
	uint64_t		 hours;
	size_t			 i;

	r->bucket_us = 0;
	for (i = 0; i < sizeof(minutes) / sizeof(minutes[0]); i++) {
		b = minutes[i] * 60 * INT64_C(1000000);
		if ((hi - (lo - (lo % b + b) % b) + b - 1) / b <=
		    MAX_MINUTE_BUCKETS) {
			r->bucket_us = b;
			break;
		}
	}
	if (r->bucket_us == 0) {
		lo -= ((lo % HOUR_US) + HOUR_US) % HOUR_US;
		hours = (uint64_t)((hi - lo + HOUR_US - 1) / HOUR_US);
		r->bucket_us = HOUR_US * (int64_t)((hours + MAX_BUCKETS - 1) /
		    MAX_BUCKETS);
	} else
		lo -= ((lo % r->bucket_us) + r->bucket_us) % r->bucket_us;
	r->start_us = lo;
	r->nbuckets = (size_t)((hi - lo + r->bucket_us - 1) / r->bucket_us);
	if (r->nbuckets == 0)
		r->nbuckets = 1;
	r->buckets = xcalloc(r->nbuckets, sizeof(*r->buckets));
}

void
report_timeline_add(struct report *r, int64_t bucket, bool stall, int64_t n)
{
	if (bucket < 0 || (uint64_t)bucket >= r->nbuckets)
		return;
	if (stall)
		r->buckets[bucket].stalls += n;
	else
		r->buckets[bucket].findings += n;
}

const char *
report_time(char buf[REPORT_TIME_LEN], int64_t us, bool local)
{
	if (us == TS_NONE)
		return NULL;
	output_time(us, local, buf);
	if (us % 1000000 == 0)
		buf[19] = '\0';
	return buf;
}

const char *
report_sevname(int sev)
{
	return sev == 0 ? "none" : severity_name(sev);
}

/* --- text and markdown */

/* Untrusted text for a terminal, "-" for none. */
static void
report_put(FILE *f, const char *s)
{
	if (s == NULL)
		fputc('-', f);
	else
		escape_terminal(f, s, strlen(s));
}

/* Untrusted text inside markdown: escaped for a terminal first, then
 * every character markdown or its inline HTML would act on. */
static void
report_put_md(FILE *f, const char *s)
{
	char	*buf = NULL, *p;
	size_t	 len = 0;
	FILE	*m;

	if (s == NULL) {
		fputc('-', f);
		return;
	}
	if ((m = open_memstream(&buf, &len)) == NULL) {
		fputs("aiosift: out of memory\n", stderr);
		abort();
	}
	escape_terminal(m, s, strlen(s));
	fclose(m);
	for (p = buf; *p != '\0'; p++) {
		switch (*p) {
		case '<':	fputs("&lt;", f); break;
		case '>':	fputs("&gt;", f); break;
		case '&':	fputs("&amp;", f); break;
		case '\\': case '`': case '*': case '_': case '[': case ']':
		case '|': case '#': case '!': case '~': case '(': case ')':
			fputc('\\', f);
			fputc(*p, f);
			break;
		default:
			fputc(*p, f);
		}
	}
	free(buf);
}

/* report_put() then spaces up to width columns. */
static void
report_pad(FILE *f, const char *s, size_t width)
{
	size_t	w = s == NULL ? 1 : escape_width(s, strlen(s));

	report_put(f, s);
	if (w < width)
		fprintf(f, "%*s", (int)(width - w), "");
}

/* A time to the second, or to the millisecond when it has them; "-"
 * for none. */
static void
report_when(FILE *f, bool local, int64_t us)
{
	char		 buf[REPORT_TIME_LEN];
	const char	*s = report_time(buf, us, local);

	fputs(s == NULL ? "-" : s, f);
}

/* "24 h", "7 d", "90 min": the length of the period. */
static void
report_span(FILE *f, int64_t us)
{
	int64_t	s = us / 1000000;

	if (s % 86400 == 0 && s >= 86400 * 2)
		fprintf(f, "%lld d", (long long)(s / 86400));
	else if (s % 3600 == 0 && s >= 3600)
		fprintf(f, "%lld h", (long long)(s / 3600));
	else if (s % 60 == 0 && s >= 60)
		fprintf(f, "%lld min", (long long)(s / 60));
	else
		fprintf(f, "%lld s", (long long)s);
}

/* "(6 with no time in the log, 2 logged before the period)": why the
 * total may be more than the findings the period's times hold. */
static void
report_why(FILE *f, const struct report *r)
{
	if (r->nundated == 0 && r->nlate == 0)
		return;
	fputs(", of which ", f);
	if (r->nundated > 0)
		fprintf(f, "%lld with no time in the log", (long long)
		    r->nundated);
	if (r->nundated > 0 && r->nlate > 0)
		fputs(" and ", f);
	if (r->nlate > 0)
		fprintf(f, "%lld logged before the period but stored since "
		    "the last report", (long long)r->nlate);
}

/* "12.345" seconds, or "?" when the log did not say. */
static const char *
report_secs(int64_t duration_us, char buf[40])
{
	return duration_us < 0 ? "?" : output_seconds_ms(duration_us, buf);
}

/* The period, its zone and the totals. */
static void
report_text_head(FILE *f, const struct report *r)
{
	char	zone[16];

	output_zone(r->until_us, r->local, zone);
	fputs("aiosift report: ", f);
	report_when(f, r->local, r->since_us);
	fputs(" to ", f);
	report_when(f, r->local, r->until_us);
	fprintf(f, " %s (", zone);
	report_span(f, r->until_us - r->since_us);
	fprintf(f, "); times are %s\ndatabase: ", zone);
	report_put(f, r->db);
	fprintf(f, "\n\n%lld finding%s", (long long)r->total,
	    r->total == 1 ? "" : "s");
	report_why(f, r);
	fprintf(f, " (previous period: %lld), worst: %s; %lld incident%s\n",
	    (long long)r->prev_total, report_sevname(r->worst),
	    (long long)r->nincidents, r->nincidents == 1 ? "" : "s");
}

static void
report_text_kinds(FILE *f, const struct report *r)
{
	size_t	i;

	if (r->nkinds == 0)
		return;
	fprintf(f, "\nFindings by kind\n  %-24s %8s %8s %8s\n", "KIND", "NOW",
	    "BEFORE", "CHANGE");
	for (i = 0; i < r->nkinds; i++) {
		fputs("  ", f);
		report_pad(f, r->kinds[i].kind, 24);
		fprintf(f, " %8lld %8lld %+8lld\n", (long long)r->kinds[i].n,
		    (long long)r->kinds[i].prev,
		    (long long)(r->kinds[i].n - r->kinds[i].prev));
	}
}

static void
report_text_sigs(FILE *f, const struct report *r)
{
	size_t	i;

	if (r->nsigs == 0)
		return;
	fputs("\nNew signatures (never seen before this period)\n", f);
	for (i = 0; i < r->nsigs; i++) {
		fprintf(f, "  %-8s ", report_sevname(r->sigs[i].sev));
		report_put(f, r->sigs[i].kind);
		fputs("  coro ", f);
		report_put(f, r->sigs[i].coro);
		fputs("  exception ", f);
		report_put(f, r->sigs[i].exception);
		fprintf(f, "  x%lld, first ", (long long)r->sigs[i].n);
		report_when(f, r->local, r->sigs[i].first_us);
		fputc('\n', f);
	}
}

/* "Top tasks" or "Top coroutines". */
static void
report_text_tops(FILE *f, const char *title, const struct report_top *t,
    size_t n)
{
	size_t	i;

	if (n == 0)
		return;
	fprintf(f, "\n%s\n", title);
	for (i = 0; i < n; i++) {
		fprintf(f, "  %6lld  ", (long long)t[i].n);
		report_put(f, t[i].name);
		fputc('\n', f);
	}
}

static void
report_text_stalls(FILE *f, const struct report *r)
{
	size_t	i;
	char	buf[40];

	if (r->nstalls == 0)
		return;
	fputs("\nLongest stalls\n", f);
	for (i = 0; i < r->nstalls; i++) {
		fprintf(f, "  %10s s  ", report_secs(r->stalls[i].duration_us,
		    buf));
		report_when(f, r->local, r->stalls[i].ts_us);
		fputs("  ", f);
		report_put(f, r->stalls[i].task);
		fputs("  ", f);
		report_put(f, r->stalls[i].coro);
		fputs("  ", f);
		report_put(f, r->stalls[i].source);
		fprintf(f, ":%lld\n", (long long)r->stalls[i].line);
	}
}

/* The findings with no time, under their file and when it was read. */
static void
report_text_undated(FILE *f, const struct report *r)
{
	const struct report_undated	*u, *prev = NULL;
	size_t				 i;
	char				 zone[16];

	if (r->nundated == 0)
		return;
	fprintf(f, "\nFindings with no time in the log (%lld), by file and "
	    "when it was read\n", (long long)r->nundated);
	for (i = 0; i < r->nundated_shown; i++) {
		u = &r->undated[i];
		if (prev == NULL || strcmp(u->source, prev->source) != 0 ||
		    u->found_us / 1000000 != prev->found_us / 1000000) {
			fputs("  ", f);
			report_put(f, u->source);
			fputs(", read ", f);
			report_when(f, r->local, u->found_us / 1000000 *
			    1000000);
			fprintf(f, " %s\n", output_zone(u->found_us, r->local,
			    zone));
		}
		prev = u;
		fprintf(f, "    line %-6lld %-8s ", (long long)u->line,
		    report_sevname(u->sev));
		report_put(f, u->kind);
		fputs("  ", f);
		report_put(f, u->message);
		fputc('\n', f);
	}
	if ((int64_t)r->nundated_shown < r->nundated)
		fprintf(f, "  ... and %lld more\n", (long long)(r->nundated -
		    (int64_t)r->nundated_shown));
}

static void
report_text_incidents(FILE *f, const struct report *r)
{
	size_t	i;

	if (r->nincidents == 0)
		return;
	fprintf(f, "\nIncidents (%lld, worst first)\n",
	    (long long)r->nincidents);
	for (i = 0; i < r->nshown; i++) {
		const struct report_incident *x = &r->incidents[i];

		fprintf(f, "  #%-5lld %-8s ", (long long)x->id,
		    report_sevname(x->sev));
		report_when(f, r->local, x->first_us);
		fprintf(f, "  x%lld  ", (long long)x->count);
		report_put(f, x->kinds);
		fputs("\n         ", f);
		report_put(f, x->summary);
		fputc('\n', f);
	}
	if ((int64_t)r->nshown < r->nincidents)
		fprintf(f, "  ... and %lld more\n",
		    (long long)(r->nincidents - (int64_t)r->nshown));
}

void
report_text(FILE *f, const struct report *r)
{
	report_text_head(f, r);
	report_text_kinds(f, r);
	report_text_sigs(f, r);
	report_text_tops(f, "Top tasks", r->tasks, r->ntasks);
	report_text_tops(f, "Top coroutines", r->coros, r->ncoros);
	report_text_stalls(f, r);
	report_text_undated(f, r);
	report_text_incidents(f, r);
}

/* The title, the period, its zone and the totals. */
static void
report_md_head(FILE *f, const struct report *r)
{
	char	zone[16];

	output_zone(r->until_us, r->local, zone);
	fputs("# aiosift report\n\n", f);
	fputs("Period: ", f);
	report_when(f, r->local, r->since_us);
	fputs(" to ", f);
	report_when(f, r->local, r->until_us);
	fprintf(f, " %s (", zone);
	report_span(f, r->until_us - r->since_us);
	fprintf(f, "), times are %s, database ", zone);
	report_put_md(f, r->db);
	fprintf(f, "\n\n**%lld finding%s**", (long long)r->total,
	    r->total == 1 ? "" : "s");
	report_why(f, r);
	fprintf(f, " (previous period: %lld), worst: **%s**; %lld "
	    "incident%s.\n", (long long)r->prev_total,
	    report_sevname(r->worst), (long long)r->nincidents,
	    r->nincidents == 1 ? "" : "s");
}

static void
report_md_kinds(FILE *f, const struct report *r)
{
	size_t	i;

	if (r->nkinds == 0)
		return;
	fputs("\n## Findings by kind\n\n| kind | now | before | change |\n"
	    "| --- | ---: | ---: | ---: |\n", f);
	for (i = 0; i < r->nkinds; i++) {
		fputs("| ", f);
		report_put_md(f, r->kinds[i].kind);
		fprintf(f, " | %lld | %lld | %+lld |\n",
		    (long long)r->kinds[i].n, (long long)r->kinds[i].prev,
		    (long long)(r->kinds[i].n - r->kinds[i].prev));
	}
}

static void
report_md_sigs(FILE *f, const struct report *r)
{
	size_t	i;

	if (r->nsigs == 0)
		return;
	fputs("\n## New signatures\n\n| severity | kind | coroutine | "
	    "exception | count | first |\n| --- | --- | --- | --- | "
	    "---: | --- |\n", f);
	for (i = 0; i < r->nsigs; i++) {
		fprintf(f, "| %s | ", report_sevname(r->sigs[i].sev));
		report_put_md(f, r->sigs[i].kind);
		fputs(" | ", f);
		report_put_md(f, r->sigs[i].coro);
		fputs(" | ", f);
		report_put_md(f, r->sigs[i].exception);
		fprintf(f, " | %lld | ", (long long)r->sigs[i].n);
		report_when(f, r->local, r->sigs[i].first_us);
		fputs(" |\n", f);
	}
}

/* "Top tasks" or "Top coroutines". */
static void
report_md_tops(FILE *f, const char *title, const struct report_top *t,
    size_t n)
{
	size_t	i;

	if (n == 0)
		return;
	fprintf(f, "\n## %s\n\n", title);
	for (i = 0; i < n; i++) {
		fprintf(f, "- %lld: ", (long long)t[i].n);
		report_put_md(f, t[i].name);
		fputc('\n', f);
	}
}

static void
report_md_stalls(FILE *f, const struct report *r)
{
	size_t	i;
	char	buf[40];

	if (r->nstalls == 0)
		return;
	fputs("\n## Longest stalls\n\n| seconds | when | task | coroutine | "
	    "where |\n| ---: | --- | --- | --- | --- |\n", f);
	for (i = 0; i < r->nstalls; i++) {
		fprintf(f, "| %s | ", report_secs(r->stalls[i].duration_us,
		    buf));
		report_when(f, r->local, r->stalls[i].ts_us);
		fputs(" | ", f);
		report_put_md(f, r->stalls[i].task);
		fputs(" | ", f);
		report_put_md(f, r->stalls[i].coro);
		fputs(" | ", f);
		report_put_md(f, r->stalls[i].source);
		fprintf(f, ":%lld |\n", (long long)r->stalls[i].line);
	}
}

static void
report_md_undated(FILE *f, const struct report *r)
{
	const struct report_undated	*u;
	size_t				 i;

	if (r->nundated == 0)
		return;
	fprintf(f, "\n## Findings with no time in the log (%lld)\n\n"
	    "| file | read | line | severity | kind | message |\n"
	    "| --- | --- | ---: | --- | --- | --- |\n",
	    (long long)r->nundated);
	for (i = 0; i < r->nundated_shown; i++) {
		u = &r->undated[i];
		fputs("| ", f);
		report_put_md(f, u->source);
		fputs(" | ", f);
		report_when(f, r->local, u->found_us / 1000000 * 1000000);
		fprintf(f, " | %lld | %s | ", (long long)u->line,
		    report_sevname(u->sev));
		report_put_md(f, u->kind);
		fputs(" | ", f);
		report_put_md(f, u->message);
		fputs(" |\n", f);
	}
}

static void
report_md_incidents(FILE *f, const struct report *r)
{
	size_t	i;

	if (r->nincidents == 0)
		return;
	fprintf(f, "\n## Incidents (%lld)\n\n", (long long)r->nincidents);
	for (i = 0; i < r->nshown; i++) {
		const struct report_incident *x = &r->incidents[i];

		fprintf(f, "- **#%lld** %s, ", (long long)x->id,
		    report_sevname(x->sev));
		report_when(f, r->local, x->first_us);
		fprintf(f, ", %lld finding%s (", (long long)x->count,
		    x->count == 1 ? "" : "s");
		report_put_md(f, x->kinds);
		fputs("): ", f);
		report_put_md(f, x->summary);
		fputc('\n', f);
	}
}

void
report_markdown(FILE *f, const struct report *r)
{
	report_md_head(f, r);
	report_md_kinds(f, r);
	report_md_sigs(f, r);
	report_md_tops(f, "Top tasks", r->tasks, r->ntasks);
	report_md_tops(f, "Top coroutines", r->coros, r->ncoros);
	report_md_stalls(f, r);
	report_md_undated(f, r);
	report_md_incidents(f, r);
}

/* --- JSON */

static void
report_json_time(FILE *f, int64_t us)
{
	char	buf[TIMEFMT_ISO_LEN];

	if (us == TS_NONE)
		fputs("null", f);
	else
		fprintf(f, "\"%s\"", timefmt_iso(us, buf));
}

/* The separator before element i of an array written one a line. */
static const char *
report_json_sep(size_t i)
{
	return i ? ",\n  " : "\n  ";
}

/* The period and the totals. */
static void
report_json_head(FILE *f, const struct report *r)
{
	fputs("{\"database\": ", f);
	escape_json_str(f, r->db);
	fputs(", \"since\": ", f);
	report_json_time(f, r->since_us);
	fputs(", \"until\": ", f);
	report_json_time(f, r->until_us);
	fputs(", \"previous_since\": ", f);
	report_json_time(f, r->prev_us);
	fprintf(f, ", \"findings\": %lld, \"previous_findings\": %lld, "
	    "\"worst\": ", (long long)r->total, (long long)r->prev_total);
	escape_json_str(f, r->worst ? severity_name(r->worst) : NULL);
	fprintf(f, ", \"undated_findings\": %lld, \"late_findings\": %lld",
	    (long long)r->nundated, (long long)r->nlate);
	fprintf(f, ", \"incident_count\": %lld", (long long)r->nincidents);
}

static void
report_json_kinds(FILE *f, const struct report *r)
{
	size_t	i;

	fputs(",\n \"kinds\": [", f);
	for (i = 0; i < r->nkinds; i++) {
		fprintf(f, "%s{\"kind\": ", report_json_sep(i));
		escape_json_str(f, r->kinds[i].kind);
		fprintf(f, ", \"count\": %lld, \"previous\": %lld, "
		    "\"severity\": ", (long long)r->kinds[i].n,
		    (long long)r->kinds[i].prev);
		escape_json_str(f, r->kinds[i].sev ?
		    severity_name(r->kinds[i].sev) : NULL);
		fputc('}', f);
	}
	fputc(']', f);
}

static void
report_json_sigs(FILE *f, const struct report *r)
{
	size_t	i;

	fputs(",\n \"new_signatures\": [", f);
	for (i = 0; i < r->nsigs; i++) {
		fprintf(f, "%s{\"kind\": ", report_json_sep(i));
		escape_json_str(f, r->sigs[i].kind);
		fputs(", \"coro\": ", f);
		escape_json_str(f, r->sigs[i].coro);
		fputs(", \"exception\": ", f);
		escape_json_str(f, r->sigs[i].exception);
		fprintf(f, ", \"count\": %lld, \"first\": ",
		    (long long)r->sigs[i].n);
		report_json_time(f, r->sigs[i].first_us);
		fprintf(f, ", \"severity\": \"%s\"}",
		    severity_name(r->sigs[i].sev));
	}
	fputc(']', f);
}

/* "top_tasks" of {"task": ...}, or "top_coros" of {"coro": ...}. */
static void
report_json_tops(FILE *f, const char *list, const char *key,
    const struct report_top *t, size_t n)
{
	size_t	i;

	fprintf(f, ",\n \"%s\": [", list);
	for (i = 0; i < n; i++) {
		fprintf(f, "%s{\"%s\": ", i ? ", " : "", key);
		escape_json_str(f, t[i].name);
		fprintf(f, ", \"count\": %lld}", (long long)t[i].n);
	}
	fputc(']', f);
}

static void
report_json_stalls(FILE *f, const struct report *r)
{
	size_t	i;
	char	buf[40];

	fputs(",\n \"longest_stalls\": [", f);
	for (i = 0; i < r->nstalls; i++) {
		fprintf(f, "%s{\"ts\": ", report_json_sep(i));
		report_json_time(f, r->stalls[i].ts_us);
		fputs(", \"duration_s\": ", f);
		fputs(r->stalls[i].duration_us < 0 ? "null" :
		    output_seconds_ms(r->stalls[i].duration_us, buf), f);
		fputs(", \"task\": ", f);
		escape_json_str(f, r->stalls[i].task);
		fputs(", \"coro\": ", f);
		escape_json_str(f, r->stalls[i].coro);
		fputs(", \"source\": ", f);
		escape_json_str(f, r->stalls[i].source);
		fprintf(f, ", \"line\": %lld, \"message\": ",
		    (long long)r->stalls[i].line);
		escape_json_str(f, r->stalls[i].message);
		fputc('}', f);
	}
	fputc(']', f);
}

static void
report_json_undated(FILE *f, const struct report *r)
{
	size_t	i;

	fputs(",\n \"undated\": [", f);
	for (i = 0; i < r->nundated_shown; i++) {
		const struct report_undated *u = &r->undated[i];

		fprintf(f, "%s{\"source\": ", report_json_sep(i));
		escape_json_str(f, u->source);
		fputs(", \"stored\": ", f);
		report_json_time(f, u->found_us);
		fprintf(f, ", \"line\": %lld, \"severity\": \"%s\", "
		    "\"kind\": ", (long long)u->line, severity_name(u->sev));
		escape_json_str(f, u->kind);
		fputs(", \"task\": ", f);
		escape_json_str(f, u->task);
		fputs(", \"coro\": ", f);
		escape_json_str(f, u->coro);
		fputs(", \"exception\": ", f);
		escape_json_str(f, u->exception);
		fputs(", \"message\": ", f);
		escape_json_str(f, u->message);
		fputc('}', f);
	}
	fputc(']', f);
}

static void
report_json_incidents(FILE *f, const struct report *r)
{
	size_t	i;

	fputs(",\n \"incidents\": [", f);
	for (i = 0; i < r->nshown; i++) {
		const struct report_incident *x = &r->incidents[i];

		fprintf(f, "%s{\"id\": %lld, \"first\": ", report_json_sep(i),
		    (long long)x->id);
		report_json_time(f, x->first_us);
		fputs(", \"last\": ", f);
		report_json_time(f, x->last_us);
		fprintf(f, ", \"severity\": \"%s\", \"count\": %lld, "
		    "\"kinds\": ", severity_name(x->sev), (long long)x->count);
		escape_json_str(f, x->kinds);
		fputs(", \"task\": ", f);
		escape_json_str(f, x->task);
		fputs(", \"coro\": ", f);
		escape_json_str(f, x->coro);
		fputs(", \"summary\": ", f);
		escape_json_str(f, x->summary);
		fputc('}', f);
	}
	fputc(']', f);
}

static void
report_json_timeline(FILE *f, const struct report *r)
{
	size_t	i;

	fputs(",\n \"timeline\": {\"start\": ", f);
	report_json_time(f, r->nbuckets ? r->start_us : TS_NONE);
	fprintf(f, ", \"bucket_s\": %lld, \"findings\": [",
	    (long long)(r->bucket_us / 1000000));
	for (i = 0; i < r->nbuckets; i++)
		fprintf(f, "%s%lld", i ? ", " : "",
		    (long long)r->buckets[i].findings);
	fputs("], \"stalls\": [", f);
	for (i = 0; i < r->nbuckets; i++)
		fprintf(f, "%s%lld", i ? ", " : "",
		    (long long)r->buckets[i].stalls);
	fputs("]}", f);
}

void
report_json(FILE *f, const struct report *r)
{
	report_json_head(f, r);
	report_json_kinds(f, r);
	report_json_sigs(f, r);
	report_json_tops(f, "top_tasks", "task", r->tasks, r->ntasks);
	report_json_tops(f, "top_coros", "coro", r->coros, r->ncoros);
	report_json_stalls(f, r);
	report_json_undated(f, r);
	report_json_incidents(f, r);
	report_json_timeline(f, r);
	fputs("}\n", f);
}
