/*
 * escape: untrusted log text made safe for terminals, JSON, HTML and CSV.
 * A log line may carry ANSI escape sequences, OSC hyperlinks, HTML, NUL
 * bytes and invalid UTF-8; nothing of that reaches an output verbatim.
 */
#include "common/escape.h"

#include <stdbool.h>
#include <string.h>

size_t
escape_utf8_len(const unsigned char *s, size_t n)
{
	unsigned	c = s[0];
	size_t		len, i;
	unsigned	cp;

	if (n == 0)
		return 0;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* The code point of a valid sequence of len bytes. */
static unsigned
escape_cp(const unsigned char *s, size_t len)
{
	static const unsigned	mask[] = { 0, 0x7f, 0x1f, 0x0f, 0x07 };
	unsigned		cp = s[0] & mask[len];
	size_t			i;

	for (i = 1; i < len; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

void
escape_terminal(FILE *f, const char *s, size_t n)
{
	escape_terminal_flags(f, s, n, 0);
}

void
escape_terminal_flags(FILE *f, const char *s, size_t n, int flags)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, len;
	unsigned		 cp;

	while (i < n) {
		len = escape_utf8_len(u + i, n - i);
		if (len == 0) {
			fprintf(f, "\\x%02x", u[i]);
			i++;
			continue;
		}
		if (len > 1) {
			cp = escape_cp(u + i, len);
			/* C1 controls, bidi overrides and line separators */
			if (cp < 0xa0 || (cp >= 0x202a && cp <= 0x202e) ||
			    (cp >= 0x2066 && cp <= 0x2069) ||
			    cp == 0x2028 || cp == 0x2029)
				fprintf(f, "\\u{%x}", cp);
			else
				fwrite(u + i, 1, len, f);
			i += len;
			continue;
		}
		switch (u[i]) {
		case '\n':
			fputs((flags & ESCAPE_NEWLINES) ? "\n" : "\\n", f);
			break;
		case '\t':
			fputs((flags & ESCAPE_NEWLINES) ? "\t" : "\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case 0x1b:
			fputs("\\e", f);
			break;
		case '\\':
			fputc('\\', f);
			break;
		default:
			if (u[i] < 0x20 || u[i] == 0x7f)
				fprintf(f, "\\x%02x", u[i]);
			else
				fputc(u[i], f);
		}
		i++;
	}
}

void
escape_json(FILE *f, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, len;

	while (i < n) {
		len = escape_utf8_len(u + i, n - i);
		if (len == 0) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		if (len > 1) {
			unsigned cp = escape_cp(u + i, len);

			if (cp == 0x2028 || cp == 0x2029)
				fprintf(f, "\\u%04x", cp);
			else
				fwrite(u + i, 1, len, f);
			i += len;
			continue;
		}
		switch (u[i]) {
		case '"':	fputs("\\\"", f); break;
		case '\\':	fputs("\\\\", f); break;
		case '\n':	fputs("\\n", f); break;
		case '\r':	fputs("\\r", f); break;
		case '\t':	fputs("\\t", f); break;
		case '\b':	fputs("\\b", f); break;
		case '\f':	fputs("\\f", f); break;
		default:
			if (u[i] < 0x20 || u[i] == 0x7f)
				fprintf(f, "\\u%04x", u[i]);
			else
				fputc(u[i], f);
		}
		i++;
	}
}

void
escape_json_str(FILE *f, const char *s)
{
	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	escape_json(f, s, strlen(s));
	fputc('"', f);
}

void
escape_html(FILE *f, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, len;

	while (i < n) {
		len = escape_utf8_len(u + i, n - i);
		if (len == 0) {
			fputs("&#xfffd;", f);
			i++;
			continue;
		}
		if (len > 1) {
			unsigned cp = escape_cp(u + i, len);

			if (cp < 0xa0 || (cp >= 0x202a && cp <= 0x202e) ||
			    (cp >= 0x2066 && cp <= 0x2069))
				fprintf(f, "\\u{%x}", cp);
			else
				fwrite(u + i, 1, len, f);
			i += len;
			continue;
		}
		switch (u[i]) {
		case '&':	fputs("&amp;", f); break;
		case '<':	fputs("&lt;", f); break;
		case '>':	fputs("&gt;", f); break;
		case '"':	fputs("&quot;", f); break;
		case '\'':	fputs("&#39;", f); break;
		case '\n':
		case '\t':	fputc(u[i], f); break;
		case 0x1b:	fputs("\\e", f); break;
		default:
			if (u[i] < 0x20 || u[i] == 0x7f)
				fprintf(f, "\\x%02x", u[i]);
			else
				fputc(u[i], f);
		}
		i++;
	}
}

void
escape_csv(FILE *f, const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, len;
	unsigned		 cp;

	fputc('"', f);
	if (n > 0 && strchr("=+-@\t\r", u[0]) != NULL)
		fputc('\'', f);
	while (i < n) {
		len = escape_utf8_len(u + i, n - i);
		if (len == 0) {
			fputs("\xef\xbf\xbd", f);
			i++;
			continue;
		}
		if (len > 1) {
			/* C1 controls (a CSI), bidi overrides, line
			 * separators: shown as the terminal shows them */
			cp = escape_cp(u + i, len);
			if (cp < 0xa0 || (cp >= 0x202a && cp <= 0x202e) ||
			    (cp >= 0x2066 && cp <= 0x2069) ||
			    cp == 0x2028 || cp == 0x2029)
				fprintf(f, "\\u{%x}", cp);
			else
				fwrite(u + i, 1, len, f);
			i += len;
			continue;
		}
		switch (u[i]) {
		case '"':	fputs("\"\"", f); break;
		case '\n':
		case '\t':	fputc(u[i], f); break;	/* RFC 4180 allows */
		case '\r':	fputs("\\r", f); break;
		case 0x1b:	fputs("\\e", f); break;
		default:
			if (u[i] < 0x20 || u[i] == 0x7f)
				fprintf(f, "\\x%02x", u[i]);
			else
				fputc(u[i], f);
		}
		i++;
	}
	fputc('"', f);
}

size_t
escape_width(const char *s, size_t n)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0, w = 0, len;

	while (i < n) {
		len = escape_utf8_len(u + i, n - i);
		if (len == 0) {
			w += 4;
			i++;
		} else if (len == 1) {
			if (u[i] == 0x1b || u[i] == '\n' || u[i] == '\r' ||
			    u[i] == '\t')
				w += 2;
			else if (u[i] < 0x20 || u[i] == 0x7f)
				w += 4;
			else
				w += 1;
			i++;
		} else {
			w += 1;
			i += len;
		}
	}
	return w;
}
