/*
 * Unit tests for shared/http.c that need no network: URL joining, the report of an answer,
 * and a refused connection on a port nothing listens on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "http.h"

static void join(const char *base, const char *path, const char *want)
{
	struct sg_buf b = SG_BUF_INIT;

	sg_http_join(&b, base, path);
	assert_string_equal(b.buf, want);
	sg_buf_release(&b);
}

static void joining_puts_one_slash_between(void **state)
{
	(void)state;
	join("https://hub.example.org", "/hub/health", "https://hub.example.org/hub/health");
	join("https://hub.example.org/", "/hub/health", "https://hub.example.org/hub/health");
	join("https://hub.example.org//", "hub/health", "https://hub.example.org/hub/health");
	join("https://hub.example.org/base", "", "https://hub.example.org/base");
	join("https://hub.example.org/base/", NULL, "https://hub.example.org/base");
}

static void describing_answers_and_failures(void **state)
{
	struct sg_http_result r;
	struct sg_buf b = SG_BUF_INIT;

	(void)state;
	sg_http_result_init(&r);
	r.status = 204;
	r.elapsed_ms = 12.4;
	sg_http_describe(&b, &r);
	assert_string_equal(b.buf, "204 in 12 ms");
	sg_buf_reset(&b);
	r.status = 0;
	r.timed_out = 1;
	r.elapsed_ms = 1000.6;
	sg_http_describe(&b, &r);
	assert_string_equal(b.buf, "no answer within 1001 ms (timed out)");
	sg_buf_release(&b);
	sg_http_result_release(&r);
}

static void a_closed_port_is_an_answer_not_an_error(void **state)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct sg_http_opts opts = { 2000, NULL };
	struct sg_http_result r;
	struct sg_buf url = SG_BUF_INIT;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);	/* bound, never listened on, now closed: connecting is refused */
	sg_buf_addf(&url, "http://127.0.0.1:%d/hub/health", ntohs(sa.sin_port));
	sg_http_result_init(&r);
	assert_int_equal(sg_http_get(&r, url.buf, &opts), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.timed_out, 0);
	assert_string_equal(r.error.buf, "cannot connect: Connection refused");
	sg_http_result_release(&r);
	sg_buf_release(&url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(joining_puts_one_slash_between),
		cmocka_unit_test(describing_answers_and_failures),
		cmocka_unit_test(a_closed_port_is_an_answer_not_an_error),
	};

	/* A proxy from the environment would answer for the closed port. */
	setenv("no_proxy", "*", 1);
	setenv("NO_PROXY", "*", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
