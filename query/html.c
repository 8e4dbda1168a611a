/*
 * html: the report as one self-contained page: inline CSS, an inline SVG
 * timeline of findings and stalls per hour, no script and no external
 * asset, readable on a phone (viewport meta, fluid layout, tables that
 * scroll sideways). Every log-borne string goes through escape_html().
 */
#include "query/report.h"

#include <string.h>
#include <time.h>

#include "common/escape.h"
#include "common/record.h"
#include "common/severity.h"
#include "query/output.h"

#define SVG_W		640
#define SVG_H		180
#define SVG_LEFT	44
#define SVG_BOTTOM	26
#define SVG_TOP		10

static const char html_style[] =
    ":root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--mut:#59636e;"
    "--line:#d1d9e0;--card:#f6f8fa;--crit:#82071e;--err:#cf222e;"
    "--warn:#9a6700;--info:#0969da;--stall:#8250df}\n"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;"
    "--mut:#9198a1;--line:#3d444d;--card:#151b23;--err:#f85149;"
    "--crit:#ff7b72;--warn:#d29922;--info:#4493f8;--stall:#ab7df8}}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0 auto;max-width:980px;padding:16px;color:var(--fg);"
    "background:var(--bg);font:15px/1.45 system-ui,-apple-system,"
    "'Segoe UI',Roboto,sans-serif}\n"
    "h1{font-size:1.35em;margin:0 0 4px}\n"
    "h2{font-size:1.08em;margin:1.6em 0 .5em;padding-bottom:4px;"
    "border-bottom:1px solid var(--line)}\n"
    ".mut{color:var(--mut);margin:0 0 12px;overflow-wrap:anywhere}\n"
    ".cards{display:grid;grid-template-columns:repeat(auto-fit,"
    "minmax(130px,1fr));gap:8px}\n"
    ".card{background:var(--card);border:1px solid var(--line);"
    "border-radius:8px;padding:8px 12px}\n"
    ".card b{display:block;font-size:1.6em;line-height:1.2}\n"
    ".card small{color:var(--mut)}\n"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}\n"
    "table{border-collapse:collapse;width:100%;font-size:.9em}\n"
    "th,td{text-align:left;padding:5px 6px;border-bottom:1px solid "
    "var(--line);vertical-align:top}\n"
    "th{color:var(--mut);font-weight:600;white-space:nowrap}\n"
    "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
    "monospace;font-size:.88em;overflow-wrap:anywhere}\n"
    ".sev{display:inline-block;padding:0 7px;border-radius:10px;"
    "color:#fff;font-size:.8em;white-space:nowrap}\n"
    ".critical{background:var(--crit)}.error{background:var(--err)}"
    ".warning{background:var(--warn)}.info{background:var(--info)}"
    ".none{background:var(--mut)}\n"
    "svg{display:block;width:100%;height:auto}\n"
    ".bf{fill:var(--err)}.bs{fill:var(--stall)}"
    ".ax{stroke:var(--line)}.lb{fill:var(--mut);font-size:15px}\n"
    ".legend{font-size:.85em;color:var(--mut)}\n"
    ".sw{display:inline-block;width:10px;height:10px;border-radius:2px;"
    "margin:0 4px 0 10px}\n"
    "ul{padding-left:1.2em}li{margin:.3em 0}\n"
    "@media (max-width:600px){body{padding:12px}"
    "table.sm thead{display:none}"
    "table.sm tr{display:block;padding:6px 0;border-bottom:1px solid "
    "var(--line)}"
    "table.sm td{display:block;border:0;padding:1px 2px;text-align:left}"
    "table.sm td[data-l]::before{content:attr(data-l) \": \";"
    "color:var(--mut);font-family:system-ui,sans-serif}}\n";

static void
html_text(FILE *f, const char *s)
{
	if (s == NULL)
		fputs("&ndash;", f);
	else
		escape_html(f, s, strlen(s));
}

/* The page's times are local (report --local), else UTC. */
static bool	html_local;

/* A time to the second, or to the millisecond when it has them. */
static void
html_time(FILE *f, int64_t us)
{
	char		 buf[REPORT_TIME_LEN];
	const char	*s = report_time(buf, us, html_local);

	fputs(s == NULL ? "&ndash;" : s, f);
}

static void
html_sev(FILE *f, int sev)
{
	const char	*name = report_sevname(sev);

	fprintf(f, "<span class=\"sev %s\">%s</span>", name, name);
}

/* An axis label for the bucket starting at us: its time of day, or the
 * day when the timeline spans more than two days. */
static void
html_tick(FILE *f, int64_t us, bool days)
{
	struct tm	tm;
	time_t		t = (time_t)(us / 1000000);

	if ((html_local ? localtime_r(&t, &tm) : gmtime_r(&t, &tm)) ==
	    NULL)
		return;
	if (days)
		fprintf(f, "%02d-%02d", tm.tm_mon + 1, tm.tm_mday);
	else
		fprintf(f, "%02d:%02d", tm.tm_hour, tm.tm_min);
}

/* "per hour", "per 5 min", "per 2 h". */
static void
html_per(FILE *f, int64_t bucket_us)
{
	int64_t	min = bucket_us / (60 * INT64_C(1000000));

	if (min == 60)
		fputs("per hour", f);
	else if (min < 60)
		fprintf(f, "per %lld min", (long long)min);
	else
		fprintf(f, "per %lld h", (long long)(min / 60));
}

static void
html_timeline(FILE *f, const struct report *r)
{
	double		 pw = SVG_W - SVG_LEFT - 4, ph = SVG_H - SVG_BOTTOM -
			    SVG_TOP, bw, x, h1, h2;
	int64_t		 max = 1, n;
	size_t		 i, step;
	bool		 days;

	if (r->nbuckets == 0) {
		fputs("<p class=\"mut\">No findings in this period.</p>\n", f);
		return;
	}
	for (i = 0; i < r->nbuckets; i++) {
		n = r->buckets[i].findings + r->buckets[i].stalls;
		if (n > max)
			max = n;
	}
	bw = pw / (double)r->nbuckets;
	days = (int64_t)r->nbuckets * r->bucket_us > 48 * INT64_C(3600000000);
	fprintf(f, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\""
	    "findings and stalls ", SVG_W, SVG_H);
	html_per(f, r->bucket_us);
	fputs("\">\n", f);
	fprintf(f, "<line class=\"ax\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%d\"/>\n", SVG_LEFT, SVG_H - SVG_BOTTOM, SVG_W - 4,
	    SVG_H - SVG_BOTTOM);
	fprintf(f, "<line class=\"ax\" x1=\"%d\" y1=\"%d\" x2=\"%d\" "
	    "y2=\"%d\"/>\n", SVG_LEFT, SVG_TOP, SVG_W - 4, SVG_TOP);
	fprintf(f, "<text class=\"lb\" x=\"%d\" y=\"%d\" text-anchor=\"end\">"
	    "%lld</text>\n", SVG_LEFT - 4, SVG_TOP + 12, (long long)max);
	fprintf(f, "<text class=\"lb\" x=\"%d\" y=\"%d\" text-anchor=\"end\">"
	    "0</text>\n", SVG_LEFT - 4, SVG_H - SVG_BOTTOM);
	for (i = 0; i < r->nbuckets; i++) {
		const struct report_bucket *b = &r->buckets[i];

		if (b->findings + b->stalls == 0)
			continue;
		x = SVG_LEFT + bw * (double)i + (bw > 3 ? 0.5 : 0);
		h1 = ph * (double)b->findings / (double)max;
		h2 = ph * (double)b->stalls / (double)max;
		fprintf(f, "<g><title>");
		html_time(f, r->start_us + (int64_t)i * r->bucket_us);
		fprintf(f, ": %lld finding%s, %lld stall%s</title>",
		    (long long)b->findings, b->findings == 1 ? "" : "s",
		    (long long)b->stalls, b->stalls == 1 ? "" : "s");
		if (b->findings > 0)
			fprintf(f, "<rect class=\"bf\" x=\"%.2f\" y=\"%.2f\" "
			    "width=\"%.2f\" height=\"%.2f\"/>", x,
			    SVG_H - SVG_BOTTOM - h1, bw > 3 ? bw - 1 : bw,
			    h1 < 1 ? 1 : h1);
		if (b->stalls > 0)
			fprintf(f, "<rect class=\"bs\" x=\"%.2f\" y=\"%.2f\" "
			    "width=\"%.2f\" height=\"%.2f\"/>", x,
			    SVG_H - SVG_BOTTOM - h1 - h2, bw > 3 ? bw - 1 : bw,
			    h2 < 1 ? 1 : h2);
		fputs("</g>\n", f);
	}
	step = r->nbuckets / 5 + 1;
	for (i = 0; i < r->nbuckets; i += step) {
		fprintf(f, "<text class=\"lb\" x=\"%.2f\" y=\"%d\">",
		    SVG_LEFT + bw * (double)i, SVG_H - 6);
		html_tick(f, r->start_us + (int64_t)i * r->bucket_us, days);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n<p class=\"legend\"><span class=\"sw\" style=\""
	    "background:var(--err)\"></span>findings<span class=\"sw\" "
	    "style=\"background:var(--stall)\"></span>stalls &middot; ", f);
	html_per(f, r->bucket_us);
	fputs(", UTC", f);
	fputs("</p>\n", f);
}

static void
html_tops(FILE *f, const char *title, const char *what,
    const struct report_top *t, size_t n)
{
	size_t	i;

	if (n == 0)
		return;
	fprintf(f, "<h2>%s</h2>\n<div class=\"scroll\"><table><tr><th>%s</th>"
	    "<th>worst</th><th class=\"n\">findings</th></tr>\n", title,
	    what);
	for (i = 0; i < n; i++) {
		fputs("<tr><td class=\"mono\">", f);
		html_text(f, t[i].name);
		fputs("</td><td>", f);
		html_sev(f, t[i].sev);
		fprintf(f, "</td><td class=\"n\">%lld</td></tr>\n",
		    (long long)t[i].n);
	}
	fputs("</table></div>\n", f);
}

/* The page's head, the title, the period and the cards. */
static void
html_head(FILE *f, const struct report *r, const char *zone)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<title>aiosift report ", f);
	html_time(f, r->since_us);
	fputs(" &ndash; ", f);
	html_time(f, r->until_us);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n",
	    html_style);
	fputs("<h1>aiosift report</h1>\n<p class=\"mut\">", f);
	html_time(f, r->since_us);
	fputs(" &rarr; ", f);
	html_time(f, r->until_us);
	fprintf(f, " %s &middot; <code>", zone);
	html_text(f, r->db);
	fputs("</code></p>\n<div class=\"cards\">\n", f);
	fprintf(f, "<div class=\"card\"><b>%lld</b>findings <small>"
	    "(before: %lld)</small>", (long long)r->total,
	    (long long)r->prev_total);
	if (r->nundated > 0)
		fprintf(f, "<br><small>%lld with no time in the log</small>",
		    (long long)r->nundated);
	if (r->nlate > 0)
		fprintf(f, "<br><small>%lld logged before, stored since the "
		    "last report</small>", (long long)r->nlate);
	fputs("</div>\n", f);
	fputs("<div class=\"card\"><b>", f);
	html_sev(f, r->worst);
	fputs("</b>worst</div>\n", f);
	fprintf(f, "<div class=\"card\"><b>%lld</b>incidents</div>\n"
	    "<div class=\"card\"><b>%zu</b>new signatures</div>\n</div>\n",
	    (long long)r->nincidents, r->nsigs);
}

static void
html_kinds(FILE *f, const struct report *r)
{
	size_t	i;

	if (r->nkinds == 0)
		return;
	fputs("<h2>Findings by kind</h2>\n<div class=\"scroll\"><table>"
	    "<tr><th>kind</th><th>worst</th><th class=\"n\">now</th>"
	    "<th class=\"n\">before</th><th class=\"n\">change</th>"
	    "</tr>\n", f);
	for (i = 0; i < r->nkinds; i++) {
		fputs("<tr><td class=\"mono\">", f);
		html_text(f, r->kinds[i].kind);
		fputs("</td><td>", f);
		html_sev(f, r->kinds[i].sev);
		fprintf(f, "</td><td class=\"n\">%lld</td><td "
		    "class=\"n\">%lld</td><td class=\"n\">%+lld</td>"
		    "</tr>\n", (long long)r->kinds[i].n,
		    (long long)r->kinds[i].prev,
		    (long long)(r->kinds[i].n - r->kinds[i].prev));
	}
	fputs("</table></div>\n", f);
}

static void
html_sigs(FILE *f, const struct report *r)
{
	size_t	i;

	if (r->nsigs == 0)
		return;
	fputs("<h2>New signatures</h2>\n<div class=\"scroll\"><table "
	    "class=\"sm\"><thead><tr><th>kind</th><th>coroutine</th>"
	    "<th>exception</th><th class=\"n\">count</th><th>first</th>"
	    "</tr></thead>\n", f);
	for (i = 0; i < r->nsigs; i++) {
		fputs("<tr><td>", f);
		html_sev(f, r->sigs[i].sev);
		fputs(" <span class=\"mono\">", f);
		html_text(f, r->sigs[i].kind);
		fputs("</span></td><td class=\"mono\" data-l=\"coroutine"
		    "\">", f);
		html_text(f, r->sigs[i].coro);
		fputs("</td><td class=\"mono\" data-l=\"exception\">", f);
		html_text(f, r->sigs[i].exception);
		fprintf(f, "</td><td class=\"n\" data-l=\"count\">%lld"
		    "</td><td data-l=\"first\">", (long long)r->sigs[i].n);
		html_time(f, r->sigs[i].first_us);
		fputs("</td></tr>\n", f);
	}
	fputs("</table></div>\n", f);
}

static void
html_stalls(FILE *f, const struct report *r)
{
	size_t	i;
	char	buf[40];

	if (r->nstalls == 0)
		return;
	fputs("<h2>Longest stalls</h2>\n<div class=\"scroll\"><table "
	    "class=\"sm\"><thead><tr><th class=\"n\">seconds</th>"
	    "<th>when</th><th>task</th><th>coroutine</th><th>where</th>"
	    "</tr></thead>\n", f);
	for (i = 0; i < r->nstalls; i++) {
		fprintf(f, "<tr><td class=\"n\"><b>%s s</b></td><td "
		    "data-l=\"when\">", r->stalls[i].duration_us < 0 ?
		    "?" : output_seconds_ms(r->stalls[i].duration_us, buf));
		html_time(f, r->stalls[i].ts_us);
		fputs("</td><td class=\"mono\" data-l=\"task\">", f);
		html_text(f, r->stalls[i].task);
		fputs("</td><td class=\"mono\" data-l=\"coroutine\">", f);
		html_text(f, r->stalls[i].coro);
		fputs("</td><td class=\"mono\" data-l=\"where\">", f);
		html_text(f, r->stalls[i].source);
		fprintf(f, ":%lld</td></tr>\n",
		    (long long)r->stalls[i].line);
	}
	fputs("</table></div>\n", f);
}

static void
html_undated(FILE *f, const struct report *r)
{
	size_t	i;

	if (r->nundated == 0)
		return;
	fprintf(f, "<h2>Findings with no time in the log (%lld)</h2>\n"
	    "<div class=\"scroll\"><table class=\"sm\"><thead><tr>"
	    "<th>file</th><th>read</th><th class=\"n\">line</th>"
	    "<th>kind</th><th>message</th></tr></thead>\n",
	    (long long)r->nundated);
	for (i = 0; i < r->nundated_shown; i++) {
		const struct report_undated *u = &r->undated[i];

		fputs("<tr><td class=\"mono\">", f);
		html_text(f, u->source);
		fputs("</td><td data-l=\"read\">", f);
		html_time(f, u->found_us / 1000000 * 1000000);
		fprintf(f, "</td><td class=\"n\" data-l=\"line\">%lld"
		    "</td><td data-l=\"kind\">", (long long)u->line);
		html_sev(f, u->sev);
		fputs(" <span class=\"mono\">", f);
		html_text(f, u->kind);
		fputs("</span></td><td data-l=\"message\">", f);
		html_text(f, u->message);
		fputs("</td></tr>\n", f);
	}
	if ((int64_t)r->nundated_shown < r->nundated)
		fprintf(f, "<tr><td colspan=\"5\">&hellip; and %lld "
		    "more</td></tr>\n", (long long)(r->nundated -
		    (int64_t)r->nundated_shown));
	fputs("</table></div>\n", f);
}

static void
html_incidents(FILE *f, const struct report *r)
{
	size_t	i;

	if (r->nincidents == 0)
		return;
	fprintf(f, "<h2>Incidents (%lld)</h2>\n<ul>\n",
	    (long long)r->nincidents);
	for (i = 0; i < r->nshown; i++) {
		const struct report_incident *x = &r->incidents[i];

		fprintf(f, "<li>%s<b>#%lld</b> ", "",
		    (long long)x->id);
		html_sev(f, x->sev);
		fputs(" ", f);
		html_time(f, x->first_us);
		fprintf(f, " &middot; %lld &times; <span class=\""
		    "mono\">", (long long)x->count);
		html_text(f, x->kinds);
		fputs("</span><br>", f);
		html_text(f, x->summary);
		fputs("</li>\n", f);
	}
	if ((int64_t)r->nshown < r->nincidents)
		fprintf(f, "<li>&hellip; and %lld more</li>\n",
		    (long long)(r->nincidents - (int64_t)r->nshown));
	fputs("</ul>\n", f);
}

void
report_html(FILE *f, const struct report *r)
{
	char	zone[16];

	html_local = r->local;
	output_zone(r->until_us, r->local, zone);
	html_head(f, r, zone);
	fputs("<h2>Timeline</h2>\n", f);
	html_timeline(f, r);
	html_kinds(f, r);
	html_sigs(f, r);
	html_tops(f, "Top tasks", "task", r->tasks, r->ntasks);
	html_tops(f, "Top coroutines", "coroutine", r->coros, r->ncoros);
	html_stalls(f, r);
	html_undated(f, r);
	html_incidents(f, r);
	fprintf(f, "<p class=\"mut\"><small>aiosift &middot; times in %s"
	    "</small></p>\n</body>\n</html>\n", zone);
}
