/*
 * clickhouse: HTTP requests to a ClickHouse server with libcurl, one
 * easy handle each, several at once through a multi handle. Bodies are
 * built in memory: a ship sends at most a few megabytes at a time.
 *
 * libcurl is loaded with dlopen() by the first clickhouse_new(): linked,
 * it and the two dozen libraries it needs (TLS, Kerberos, LDAP...) were
 * loaded and relocated by every command, ingest included, for 6 MiB of
 * resident memory and 13 million instructions before main().
 */
#include "fleet/clickhouse.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CURL_DISABLE_TYPECHECK	/* curl_easy_setopt() is a pointer here */
#include <curl/curl.h>
#include <zlib.h>

#include "common/xmalloc.h"

#define CLICKHOUSE_MSG_MAX	300	/* bytes of a server message shown */

struct clickhouse {
	char	*url;		/* as given */
	char	*shown;		/* for messages */
	char	*user, *password;
	long	 timeout_ms;
};

static bool	clickhouse_inited;

/* The libcurl functions used, found in the library loaded. */
static struct {
	CURLcode	 (*global_init)(long);
	CURL		*(*easy_init)(void);
	CURLcode	 (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode	 (*easy_perform)(CURL *);
	CURLcode	 (*easy_getinfo)(CURL *, CURLINFO, ...);
	void		 (*easy_cleanup)(CURL *);
	const char	*(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void		 (*slist_free_all)(struct curl_slist *);
	CURLM		*(*multi_init)(void);
	CURLMcode	 (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode	 (*multi_perform)(CURLM *, int *);
	CURLMsg		*(*multi_info_read)(CURLM *, int *);
	CURLMcode	 (*multi_poll)(CURLM *, struct curl_waitfd *,
			    unsigned int, int, int *);
	CURLMcode	 (*multi_cleanup)(CURLM *);
} curlf;

#undef curl_easy_setopt		/* curl.h's pass-through macros */
#undef curl_easy_getinfo
#define curl_global_init	curlf.global_init
#define curl_easy_init		curlf.easy_init
#define curl_easy_setopt	curlf.easy_setopt
#define curl_easy_perform	curlf.easy_perform
#define curl_easy_getinfo	curlf.easy_getinfo
#define curl_easy_cleanup	curlf.easy_cleanup
#define curl_easy_strerror	curlf.easy_strerror
#define curl_slist_append	curlf.slist_append
#define curl_slist_free_all	curlf.slist_free_all
#define curl_multi_init		curlf.multi_init
#define curl_multi_add_handle	curlf.multi_add_handle
#define curl_multi_remove_handle curlf.multi_remove_handle
#define curl_multi_perform	curlf.multi_perform
#define curl_multi_info_read	curlf.multi_info_read
#define curl_multi_poll		curlf.multi_poll
#define curl_multi_cleanup	curlf.multi_cleanup

/* Load libcurl and find its functions (once; it stays loaded). */
static int
clickhouse_load(struct err *e)
{
	static const struct {
		const char	*name;
		void		**fn;
	} syms[] = {
#define CURLF(f) { "curl_" #f, (void **)&curlf.f }
		CURLF(global_init), CURLF(easy_init), CURLF(easy_setopt),
		CURLF(easy_perform), CURLF(easy_getinfo), CURLF(easy_cleanup),
		CURLF(easy_strerror), CURLF(slist_append),
		CURLF(slist_free_all), CURLF(multi_init),
		CURLF(multi_add_handle), CURLF(multi_remove_handle),
		CURLF(multi_perform), CURLF(multi_info_read),
		CURLF(multi_poll), CURLF(multi_cleanup),
#undef CURLF
	};
	void	*lib;
	size_t	 i;

	if ((lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)) == NULL &&
	    (lib = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL)) == NULL)
		return err_set(e, STATUS_REMOTE, "libcurl: cannot load: %s",
		    dlerror());
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		/* POSIX: a data pointer holds a function's address */
		if ((*syms[i].fn = dlsym(lib, syms[i].name)) == NULL)
			return err_set(e, STATUS_REMOTE,
			    "libcurl: cannot load: no %s", syms[i].name);
	}
	return 0;
}

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
		if (clickhouse_load(e) == -1)
			return NULL;
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
	return c;
}

void
clickhouse_free(struct clickhouse *c)
{
	if (c == NULL)
		return;
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

/* One request: its handle, URL, headers, body and response. */
struct chreq {
	CURL			*curl;
	struct curl_slist	*hdr;
	struct buf		 url, body, resp;
	char			 what[128];
	char			 errbuf[CURL_ERROR_SIZE];
};

static void
chreq_release(struct chreq *r)
{
	if (r->curl != NULL)
		curl_easy_cleanup(r->curl);
	curl_slist_free_all(r->hdr);
	buf_release(&r->url);
	buf_release(&r->body);
	buf_release(&r->resp);
	memset(r, 0, sizeof(*r));
}

/* Set r up to POST its body (gzip-encoded when gz) to the URL plus the
 * extra query string. what names the request in a message. */
static int
chreq_init(struct clickhouse *c, struct chreq *r, const char *what,
    const char *extra, bool gz, struct err *e)
{
	CURL	*h;

	buf_init(&r->url, (size_t)-1);
	buf_init(&r->resp, (size_t)-1);
	snprintf(r->what, sizeof(r->what), "%s", what);
	if ((h = r->curl = curl_easy_init()) == NULL)
		return err_set(e, STATUS_REMOTE, "libcurl: cannot initialize");
	buf_adds(&r->url, c->url);
	if (extra != NULL && *extra != '\0') {
		buf_adds(&r->url, strchr(c->url, '?') != NULL ? "&" : "?");
		buf_adds(&r->url, extra);
	}
	curl_easy_setopt(h, CURLOPT_URL, r->url.data);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body.data ? r->body.data :
	    "");
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)r->body.len);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, clickhouse_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->resp);
	if (c->user != NULL) {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD,
		    c->password ? c->password : "");
	}
	r->hdr = curl_slist_append(r->hdr, "Content-Type: text/plain");
	r->hdr = curl_slist_append(r->hdr, "Expect:");
	if (gz)
		r->hdr = curl_slist_append(r->hdr, "Content-Encoding: gzip");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->hdr);
	return 0;
}

/* The outcome of r's transfer cc: 0 on HTTP 200, else -1 with *e. */
static int
chreq_check(struct clickhouse *c, struct chreq *r, CURLcode cc,
    struct err *e)
{
	long	code = 0;
	char	msg[CLICKHOUSE_MSG_MAX + 1];

	if (cc != CURLE_OK)
		return err_set(e, STATUS_REMOTE, "%s: %s: %s", c->shown,
		    r->what, r->errbuf[0] ? r->errbuf :
		    curl_easy_strerror(cc));
	curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200) {
		clickhouse_message(&r->resp, msg, sizeof(msg));
		return err_set(e, STATUS_REMOTE, "%s: %s: HTTP %ld%s%s",
		    c->shown, r->what, code, msg[0] ? ": " : "", msg);
	}
	return 0;
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

/* Set r up as the INSERT of n bytes of rows into table, gzipped. */
static int
chreq_insert(struct clickhouse *c, struct chreq *r, const char *table,
    const char *rows, size_t n, struct err *e)
{
	struct buf	extra;
	char		sql[128], what[160];
	int		rc;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body, (size_t)-1);
	if (clickhouse_gzip(rows, n, &r->body, e) == -1)
		return -1;
	buf_init(&extra, (size_t)-1);
	snprintf(sql, sizeof(sql), "INSERT INTO %s FORMAT JSONEachRow",
	    table);
	buf_adds(&extra, "insert_distributed_sync=1&query=");
	clickhouse_urlenc(&extra, sql);
	snprintf(what, sizeof(what), "insert into %s", table);
	rc = chreq_init(c, r, what, extra.data, true, e);
	buf_release(&extra);
	return rc;
}

/* Release the n requests of r, none run (one could not be set up): -1. */
static int
chreq_drop(struct chreq *r, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		chreq_release(&r[i]);
	return -1;
}

/* Run the n requests of r at once, in parallel through a multi handle;
 * 0 when every one answered 200, else -1 with *e naming the first that
 * failed. The requests are released either way; the responses of a
 * success are appended to *outs[i] when outs and outs[i] are not NULL. */
static int
chreq_run(struct clickhouse *c, struct chreq *r, size_t n,
    struct buf *const outs[], struct err *e)
{
	CURLM		*m;
	CURLMsg		*msg;
	size_t		 i, done = 0;
	int		 running = 0, left, rc = -1;

	if ((m = curl_multi_init()) == NULL) {
		err_set(e, STATUS_REMOTE, "libcurl: cannot initialize");
		goto out;
	}
	for (i = 0; i < n; i++)
		curl_multi_add_handle(m, r[i].curl);
	rc = 0;
	do {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			for (i = 0; i < n; i++)
				if (r[i].curl == msg->easy_handle && rc == 0 &&
				    chreq_check(c, &r[i], msg->data.result,
				    e) == -1)
					rc = -1;
			done++;
		}
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	} while (running > 0);
	if (rc == 0 && done < n)
		rc = err_set(e, STATUS_REMOTE, "%s: a request did not finish",
		    c->shown);
	for (i = 0; rc == 0 && outs != NULL && i < n; i++)
		if (outs[i] != NULL)
			buf_add(outs[i], r[i].resp.data, r[i].resp.len);
out:
	for (i = 0; i < n; i++) {
		if (m != NULL && r[i].curl != NULL)
			curl_multi_remove_handle(m, r[i].curl);
		chreq_release(&r[i]);
	}
	if (m != NULL)
		curl_multi_cleanup(m);
	return rc;
}

int
clickhouse_insert(struct clickhouse *c, const char *table, const char *rows,
    size_t n, struct err *e)
{
	struct buf	 b = { .data = (char *)(uintptr_t)rows, .len = n };
	const struct buf *bp = &b;

	return clickhouse_insert_all(c, 1, &table, &bp, e);
}

int
clickhouse_insert_all(struct clickhouse *c, size_t n, const char *const
    tables[], const struct buf *const rows[], struct err *e)
{
	struct chreq	*r = xcalloc(n ? n : 1, sizeof(*r));
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++)
		if (chreq_insert(c, &r[i], tables[i], rows[i]->data ?
		    rows[i]->data : "", rows[i]->len, e) == -1)
			break;
	rc = i < n ? chreq_drop(r, n) : chreq_run(c, r, n, NULL, e);
	free(r);
	return rc;
}

int
clickhouse_query(struct clickhouse *c, const char *sql, struct buf *out,
    struct err *e)
{
	return clickhouse_query_all(c, 1, &sql, &out, e);
}

int
clickhouse_query_all(struct clickhouse *c, size_t n, const char *const sqls[],
    struct buf *outs[], struct err *e)
{
	struct chreq	*r = xcalloc(n ? n : 1, sizeof(*r));
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		buf_init(&r[i].body, (size_t)-1);
		buf_adds(&r[i].body, sqls[i]);
		if (chreq_init(c, &r[i], "query", NULL, false, e) == -1)
			break;
	}
	rc = i < n ? chreq_drop(r, n) : chreq_run(c, r, n, outs, e);
	free(r);
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
