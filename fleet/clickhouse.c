/*
 * clickhouse: HTTP requests to a ClickHouse server with libcurl, one
 * easy handle reused (one connection kept alive). Bodies are built in
 * memory: a ship sends at most a few megabytes at a time.
 */
#include "fleet/clickhouse.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <zlib.h>

#include "common/xmalloc.h"

#define CLICKHOUSE_MSG_MAX	300	/* bytes of a server message shown */

struct clickhouse {
	CURL	*curl;
	char	*url;		/* as given */
	char	*shown;		/* for messages */
	char	*user, *password;
	long	 timeout_ms;
	char	 errbuf[CURL_ERROR_SIZE];
};

static bool	clickhouse_inited;

/* The URL with the value of a password= parameter replaced by ***. */
static char *
clickhouse_hide(const char *url)
{
	struct buf	 b;
	const char	*p = strstr(url, "password="), *end;
	char		*out;

	if (p == NULL || (p != url && p[-1] != '?' && p[-1] != '&'))
		return xstrdup(url);
	buf_init(&b, (size_t)-1);
	buf_add(&b, url, (size_t)(p - url) + 9);
	buf_adds(&b, "***");
	if ((end = strchr(p, '&')) != NULL)
		buf_adds(&b, end);
	out = xstrdup(b.data);
	buf_release(&b);
	return out;
}

struct clickhouse *
clickhouse_new(const char *url, const char *user, const char *password,
    long timeout_ms, struct err *e)
{
	struct clickhouse	*c;

	if (strncmp(url, "http://", 7) != 0 &&
	    strncmp(url, "https://", 8) != 0) {
		err_set(e, STATUS_USAGE, "%s: not an http:// URL", url);
		return NULL;
	}
	if (!clickhouse_inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			err_set(e, STATUS_REMOTE, "libcurl: cannot initialize");
			return NULL;
		}
		clickhouse_inited = true;
	}
	c = xcalloc(1, sizeof(*c));
	c->url = xstrdup(url);
	c->shown = clickhouse_hide(url);
	c->user = user ? xstrdup(user) : NULL;
	c->password = password ? xstrdup(password) : NULL;
	c->timeout_ms = timeout_ms;
	if ((c->curl = curl_easy_init()) == NULL) {
		err_set(e, STATUS_REMOTE, "libcurl: cannot initialize");
		clickhouse_free(c);
		return NULL;
	}
	return c;
}

void
clickhouse_free(struct clickhouse *c)
{
	if (c == NULL)
		return;
	if (c->curl != NULL)
		curl_easy_cleanup(c->curl);
	free(c->url);
	free(c->shown);
	free(c->user);
	if (c->password != NULL) {
		memset(c->password, 0, strlen(c->password));
		free(c->password);
	}
	free(c);
}

const char *
clickhouse_url(const struct clickhouse *c)
{
	return c->shown;
}

static size_t
clickhouse_write(char *p, size_t size, size_t n, void *arg)
{
	buf_add(arg, p, size * n);
	return size * n;
}

/* The first line of a server's message, cut to a readable length. */
static void
clickhouse_message(const struct buf *body, char *out, size_t outsz)
{
	size_t	n = body->len;
	const char *nl = body->len ? memchr(body->data, '\n', body->len) :
	    NULL;

	if (nl != NULL)
		n = (size_t)(nl - body->data);
	if (n > CLICKHOUSE_MSG_MAX)
		n = CLICKHOUSE_MSG_MAX;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, body->data ? body->data : "", n);
	out[n] = '\0';
	while (n > 0 && (out[n - 1] == '\r' || out[n - 1] == ' '))
		out[--n] = '\0';
}

/* POST body (n bytes, gzip-encoded when gz) to the URL plus the extra
 * query string; the response into *resp. what names the request in a
 * message. */
static int
clickhouse_post(struct clickhouse *c, const char *what, const char *extra,
    const char *body, size_t n, bool gz, struct buf *resp, struct err *e)
{
	struct curl_slist	*hdr = NULL;
	struct buf		 url;
	CURLcode		 cc;
	long			 code = 0;
	char			 msg[CLICKHOUSE_MSG_MAX + 1];
	int			 rc = -1;

	buf_init(&url, (size_t)-1);
	buf_adds(&url, c->url);
	if (extra != NULL && *extra != '\0') {
		buf_adds(&url, strchr(c->url, '?') != NULL ? "&" : "?");
		buf_adds(&url, extra);
	}
	curl_easy_reset(c->curl);
	c->errbuf[0] = '\0';
	curl_easy_setopt(c->curl, CURLOPT_URL, url.data);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->errbuf);
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(c->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)n);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, clickhouse_write);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, resp);
	if (c->user != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c->curl, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(c->curl, CURLOPT_PASSWORD,
		    c->password ? c->password : "");
	}
	hdr = curl_slist_append(hdr, "Content-Type: text/plain");
	hdr = curl_slist_append(hdr, "Expect:");
	if (gz)
		hdr = curl_slist_append(hdr, "Content-Encoding: gzip");
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, hdr);
	cc = curl_easy_perform(c->curl);
	if (cc != CURLE_OK) {
		err_set(e, STATUS_REMOTE, "%s: %s: %s", c->shown, what,
		    c->errbuf[0] ? c->errbuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		clickhouse_message(resp, msg, sizeof(msg));
		err_set(e, STATUS_REMOTE, "%s: %s: HTTP %ld%s%s", c->shown,
		    what, code, msg[0] ? ": " : "", msg);
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(hdr);
	buf_release(&url);
	return rc;
}

/* Percent-encode s for a query string. */
static void
clickhouse_urlenc(struct buf *b, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL) {
			buf_addc(b, (char)*p);
		} else {
			buf_addc(b, '%');
			buf_addc(b, hex[*p >> 4]);
			buf_addc(b, hex[*p & 15]);
		}
	}
}

/* gzip n bytes of p into *out. */
static int
clickhouse_gzip(const char *p, size_t n, struct buf *out, struct err *e)
{
	z_stream	z;
	size_t		bound;
	int		zrc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return err_set(e, STATUS_REMOTE, "zlib: cannot compress");
	bound = deflateBound(&z, (uLong)n) + 64;
	buf_reset(out);
	if (out->size < bound + 1) {
		out->data = xrealloc(out->data, bound + 1);
		out->size = bound + 1;
	}
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out->data;
	z.avail_out = (uInt)bound;
	zrc = deflate(&z, Z_FINISH);
	out->len = bound - z.avail_out;
	deflateEnd(&z);
	if (zrc != Z_STREAM_END)
		return err_set(e, STATUS_REMOTE, "zlib: cannot compress");
	return 0;
}

int
clickhouse_insert(struct clickhouse *c, const char *table, const char *rows,
    size_t n, struct err *e)
{
	struct buf	extra, gz, resp;
	char		sql[128];
	int		rc = -1;

	buf_init(&extra, (size_t)-1);
	buf_init(&gz, (size_t)-1);
	buf_init(&resp, 1 << 16);
	snprintf(sql, sizeof(sql), "INSERT INTO %s FORMAT JSONEachRow",
	    table);
	buf_adds(&extra, "insert_distributed_sync=1&query=");
	clickhouse_urlenc(&extra, sql);
	if (clickhouse_gzip(rows, n, &gz, e) == -1)
		goto out;
	snprintf(sql, sizeof(sql), "insert into %s", table);
	if (clickhouse_post(c, sql, extra.data, gz.data, gz.len, true, &resp,
	    e) == -1)
		goto out;
	rc = 0;
out:
	buf_release(&extra);
	buf_release(&gz);
	buf_release(&resp);
	return rc;
}

int
clickhouse_query(struct clickhouse *c, const char *sql, struct buf *out,
    struct err *e)
{
	struct buf	resp;
	int		rc;

	buf_init(&resp, (size_t)-1);
	rc = clickhouse_post(c, "query", NULL, sql, strlen(sql), false,
	    &resp, e);
	if (rc == 0 && out != NULL)
		buf_add(out, resp.data, resp.len);
	buf_release(&resp);
	return rc;
}

void
clickhouse_quote(struct buf *sql, const char *s, size_t n)
{
	static const char	hex[] = "0123456789abcdef";
	size_t			i;

	buf_addc(sql, '\'');
	for (i = 0; i < n; i++) {
		unsigned char	ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\'' && ch != '\\') {
			buf_addc(sql, (char)ch);
			continue;
		}
		buf_adds(sql, "\\x");
		buf_addc(sql, hex[ch >> 4]);
		buf_addc(sql, hex[ch & 15]);
	}
	buf_addc(sql, '\'');
}
