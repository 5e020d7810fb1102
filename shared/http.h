#ifndef SG_HTTP_H
#define SG_HTTP_H
/*
 * One HTTP GET with a hard time limit: the only place that talks to libcurl. A transport
 * failure (refused, timed out, TLS) is an answer the caller reports, not an error: only a
 * failure to set up the request returns -1.
 */
#include <stddef.h>
#include "buf.h"

struct sg_http_opts {
	unsigned long timeout_ms;	/* whole request, connect included; 0: 3000 */
	const char *ca_file;		/* CA bundle for TLS instead of the system's, or NULL */
};

struct sg_http_result {
	long status;			/* HTTP status, 0 when no answer came */
	int timed_out;
	double elapsed_ms;
	struct sg_buf body;		/* the first 64 KiB of the body */
	struct sg_buf error;		/* transport error ("Connection refused ..."), or empty */
};

void sg_http_result_init(struct sg_http_result *r);
void sg_http_result_release(struct sg_http_result *r);

/* GET url without following redirects; fills *out (init it first). Returns 0 when the
 * request was made, whatever came back, -1 when it could not be set up (reported). */
int sg_http_get(struct sg_http_result *out, const char *url, const struct sg_http_opts *opts);

/* base + path with exactly one '/' between them (path may be empty or absolute). */
void sg_http_join(struct sg_buf *out, const char *base, const char *path);

/* "200 in 12 ms", "timed out after 1000 ms", "Connection refused (after 0 ms)". */
void sg_http_describe(struct sg_buf *out, const struct sg_http_result *r);

#endif
