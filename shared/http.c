/*
 * libcurl behind one function. Redirects stay off (a health endpoint that redirects is
 * answering something else), only http and https are allowed, and the proxy variables that
 * libcurl reads from the environment apply as they would for curl(1).
 */
#include <string.h>

#include <curl/curl.h>

#include "http.h"
#include "msg.h"
#include "banned.h"

#define DEFAULT_TIMEOUT_MS 3000
#define MAX_BODY (64 * 1024)

void sg_http_result_init(struct sg_http_result *r)
{
	memset(r, 0, sizeof(*r));
	sg_buf_init(&r->body);
	sg_buf_init(&r->error);
}

void sg_http_result_release(struct sg_http_result *r)
{
	sg_buf_release(&r->body);
	sg_buf_release(&r->error);
}

void sg_http_join(struct sg_buf *out, const char *base, const char *path)
{
	size_t n = strlen(base);

	while (n && base[n - 1] == '/')
		n--;
	sg_buf_add(out, base, n);
	if (!path || !*path)
		return;
	while (*path == '/')
		path++;
	sg_buf_addch(out, '/');
	sg_buf_addstr(out, path);
}

void sg_http_describe(struct sg_buf *out, const struct sg_http_result *r)
{
	if (r->timed_out)
		sg_buf_addf(out, "no answer within %.0f ms (timed out)", r->elapsed_ms);
	else if (r->status)
		sg_buf_addf(out, "%ld in %.0f ms", r->status, r->elapsed_ms);
	else
		sg_buf_addf(out, "%s (after %.0f ms)", sg_buf_str(&r->error), r->elapsed_ms);
}

struct sink {
	struct sg_buf *body;
	size_t max;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *payload)
{
	struct sink *s = payload;
	size_t n = size * nmemb;

	/* Keep what fits and pretend to take the rest: a long body is not an error. */
	if (s->body->len < s->max)
		sg_buf_add(s->body, data, n < s->max - s->body->len ? n : s->max - s->body->len);
	return n;
}

/* The system's word for a failed connect ("Connection refused") says more than libcurl's
 * "Couldn't connect to server"; otherwise libcurl's detailed message. */
static void describe_error(struct sg_buf *out, CURL *c, CURLcode rc, const char *errbuf)
{
	long os_errno = 0;

	curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &os_errno);
	if (rc == CURLE_COULDNT_CONNECT && os_errno)
		sg_buf_addf(out, "cannot connect: %s", strerror((int)os_errno));
	else if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY)
		sg_buf_addf(out, "cannot resolve the host: %s", errbuf[0] ? errbuf :
			    curl_easy_strerror(rc));
	else
		sg_buf_addstr(out, errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

int sg_http_get(struct sg_http_result *out, const char *url, const struct sg_http_opts *opts)
{
	char errbuf[CURL_ERROR_SIZE];
	struct sink sink;
	unsigned long timeout = opts && opts->timeout_ms ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
	curl_off_t us = 0;
	CURL *c;
	CURLcode rc;

	sink.body = &out->body;
	sink.max = MAX_BODY;
	/* Idempotent and cheap after the first call; it is libcurl's state, not ours. */
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return sg_error("cannot initialize libcurl");
	if (!(c = curl_easy_init()))
		return sg_error("cannot initialize libcurl");
	errbuf[0] = '\0';
	/* An option this libcurl refuses (no https, no PROTOCOLS_STR) must not quietly become
	 * a request with redirects on or to another protocol. */
	if ((rc = curl_easy_setopt(c, CURLOPT_URL, url)) != CURLE_OK ||
	    (rc = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf)) != CURLE_OK ||
	    (rc = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L)) != CURLE_OK ||
	    (rc = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https")) != CURLE_OK ||
	    (rc = curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout)) != CURLE_OK ||
	    (rc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout)) != CURLE_OK ||
	    (rc = curl_easy_setopt(c, CURLOPT_USERAGENT, "stagegate/" SG_VERSION)) != CURLE_OK ||
	    (rc = curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data)) != CURLE_OK ||
	    (rc = curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink)) != CURLE_OK ||
	    (opts && opts->ca_file &&
	     (rc = curl_easy_setopt(c, CURLOPT_CAINFO, opts->ca_file)) != CURLE_OK)) {
		curl_easy_cleanup(c);
		return sg_error("cannot set up the request for '%s': %s", url,
				curl_easy_strerror(rc));
	}

	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	} else {
		out->status = 0;
		out->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
		describe_error(&out->error, c, rc, errbuf);
	}
	curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &us);
	out->elapsed_ms = us / 1000.0;
	curl_easy_cleanup(c);
	return 0;
}
