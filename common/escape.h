#ifndef COMMON_ESCAPE_H
#define COMMON_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Safe output of untrusted log text. Every function writes n bytes of s,
 * which may hold any bytes (NUL, invalid UTF-8), to f. */

/* For a terminal or plain text: control characters (C0, DEL, C1) and
 * escape sequences are shown as \e, \r, \xNN, \u{NN}; invalid UTF-8 bytes
 * as \xNN. With ESCAPE_NEWLINES a newline (and tab) passes through, for
 * tracebacks printed whole; otherwise it shows as \n. */
#define ESCAPE_NEWLINES	0x1
void	escape_terminal(FILE *f, const char *s, size_t n);
void	escape_terminal_flags(FILE *f, const char *s, size_t n, int flags);

/* The inside of a JSON string (no quotes): RFC 8259 escapes; invalid
 * UTF-8 becomes U+FFFD so the output is always valid JSON. */
void	escape_json(FILE *f, const char *s, size_t n);
/* A JSON string with its quotes, or null when s is NULL. */
void	escape_json_str(FILE *f, const char *s);

/* HTML text or attribute: & < > " ' escaped, control characters dropped
 * to visible \xNN, invalid UTF-8 to U+FFFD. */
void	escape_html(FILE *f, const char *s, size_t n);

/* One RFC 4180 CSV field, always quoted; a cell starting with = + - @
 * (or tab, CR) is guarded with a leading apostrophe against formula
 * injection; control characters and escape sequences are shown as
 * escape_terminal() shows them (\e, \r, \x00, \u{9b}) except newline and
 * tab, which a quoted field may hold; invalid UTF-8 becomes U+FFFD. */
void	escape_csv(FILE *f, const char *s, size_t n);

/* Bytes of the valid UTF-8 sequence at s (1-4), or 0 when s[0..n) does
 * not start with one. */
size_t	escape_utf8_len(const unsigned char *s, size_t n);

/* Display columns of s on a terminal after escape_terminal(), counting a
 * UTF-8 sequence as one column. */
size_t	escape_width(const char *s, size_t n);

#endif
