#ifndef QUERY_OUTPUT_H
#define QUERY_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "common/err.h"

/* Rows of a statement written as an aligned table, a JSON array, NDJSON
 * (one object a line) or RFC 4180 CSV with a header row. Every text value
 * goes through common/escape for its format. */

enum output_format {
	OUTPUT_TABLE,
	OUTPUT_JSON,
	OUTPUT_NDJSON,
	OUTPUT_CSV
};

/* "table", "json", "ndjson", "csv"; false if unknown. */
bool	output_format_parse(const char *s, enum output_format *fmt);

enum output_type {
	OUTPUT_AUTO,		/* as SQLite typed the value */
	OUTPUT_TEXT,
	OUTPUT_INT,
	OUTPUT_TIME,		/* UTC microseconds: ISO-8601, "...Z" */
	OUTPUT_SECONDS,		/* microseconds shown as a number of s */
	OUTPUT_SEVERITY,	/* enum severity shown as its name */
	OUTPUT_PATH		/* a file's path; a table shows its tail,
				 * the last two names ("web/app.log") */
};

struct output_col {
	const char		*expr;	/* the SQL the command selects for it
					 * (output itself does not use it) */
	const char		*name;	/* JSON key and CSV header */
	const char		*title;	/* table header; NULL: not in tables */
	enum output_type	 type;
	int			 drop;	/* table: 0 always shown; else left
					 * out, highest first, when the
					 * terminal is too narrow */
};

#define OUTPUT_COLOR	0x1	/* colour severities in a table */
#define OUTPUT_LOCAL	0x2	/* table times in the local zone, not UTC */
#define OUTPUT_STREAM	0x4	/* rows as they come: a table starts at its
				 * first row, every row is flushed */

/* A writer to f of rows with the columns cols (a loan that must outlive
 * the writer). width is the table's width in columns, 0 for no limit. */
struct output	*output_new(FILE *f, enum output_format fmt,
		    const struct output_col *cols, size_t ncols, int flags,
		    int width);
/* Write the current row of st, whose column i is cols[i]. */
void		 output_row(struct output *o, sqlite3_stmt *st);
/* Finish (a table is written here, or as its first rows are known) and
 * flush: 0, or -1 with *e (STATUS_INPUT) when the output failed. */
int		 output_end(struct output *o, struct err *e);
void		 output_free(struct output *o);

/* The width of the terminal f is, else $COLUMNS, else 0 (no limit). */
int	output_term_width(FILE *f);
/* Whether to colour output to f: when is "always", "never" or "auto"
 * (f is a terminal, NO_COLOR is unset and TERM is not "dumb"). */
bool	output_color(FILE *f, const char *when);

/* Microseconds as seconds, "4.2", "0.000001", into out; returns out. */
char	*output_seconds(int64_t us, char out[32]);
/* The same with milliseconds, "0.851", for people. */
char	*output_seconds_ms(int64_t us, char out[32]);
/* A table time: "2026-11-24 18:01:22.770", UTC or local; returns out. */
char	*output_time(int64_t us, bool local, char out[40]);
/* The name of the zone times are shown in: "UTC", or the local zone's
 * abbreviation at us ("CET", "EDT"; "local" when it has none); returns
 * out. */
char	*output_zone(int64_t us, bool local, char out[16]);
/* The display cell of n bytes of s cut to at most w columns, "…" marking
 * a cut; a NUL-terminated copy the caller frees. s is already escaped. */
char	*output_fit(const char *s, size_t n, size_t w);
/* Display columns of escaped text (one per UTF-8 sequence). */
size_t	output_width(const char *s, size_t n);

#endif
