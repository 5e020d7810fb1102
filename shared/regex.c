/*
 * The one place that talks to PCRE2.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <string.h>
#include <stdlib.h>

#include <pcre2.h>

#include "buf.h"
#include "regex.h"
#include "banned.h"

/* Backtracking budget for config patterns: ample for branch names, fatal for ReDoS. */
#define MATCH_LIMIT 100000

/*
 * JIT code is opaque to valgrind, which then reports the reads it makes as uninitialised.
 * Under valgrind (its preload library is in LD_PRELOAD) match with the interpreter instead.
 */
static int under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p && strstr(p, "vgpreload") != NULL;
}

struct sg_regex {
	pcre2_code *code;
	pcre2_match_context *mctx;
	char *pattern;
};

int sg_regex_compile(struct sg_regex **out, const char *pattern, struct sg_buf *err)
{
	struct sg_regex *re;
	int errcode;
	PCRE2_SIZE offset;
	pcre2_code *code;

	*out = NULL;
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &errcode,
			     &offset, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(errcode, msg, sizeof(msg));
		sg_buf_addf(err, "%s at offset %zu", (char *)msg, (size_t)offset);
		return -1;
	}
	/* JIT is an optimisation; without it (some hardened kernels) matching still works. */
	if (!under_valgrind())
		(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	re = sg_calloc(1, sizeof(*re));
	re->code = code;
	re->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(re->mctx, MATCH_LIMIT);
	re->pattern = sg_strdup(pattern);
	*out = re;
	return 0;
}

void sg_regex_free(struct sg_regex *re)
{
	if (!re)
		return;
	pcre2_code_free(re->code);
	pcre2_match_context_free(re->mctx);
	free(re->pattern);
	free(re);
}

static int run(const struct sg_regex *re, const char *subject, pcre2_match_data *md)
{
	int rc = pcre2_match(re->code, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, re->mctx);

	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (rc < 0) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(rc, msg, sizeof(msg));
		return sg_error("pattern '%s' on '%s': %s", re->pattern, subject, (char *)msg);
	}
	return 1;
}

int sg_regex_match(const struct sg_regex *re, const char *subject)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
	int rc = run(re, subject, md);

	pcre2_match_data_free(md);
	return rc;
}

int sg_regex_expand(const struct sg_regex *re, const char *subject, const char *tmpl,
		    struct sg_buf *out)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
	const char *p;
	int rc = run(re, subject, md);

	if (rc <= 0)
		goto cleanup;
	for (p = tmpl; *p; p++) {
		const char *close;
		char name[64];
		size_t n;
		PCRE2_UCHAR *val;
		PCRE2_SIZE vlen;
		int grc;

		if (p[0] != '$' || p[1] != '{' || !(close = strchr(p + 2, '}'))) {
			sg_buf_addch(out, *p);
			continue;
		}
		n = (size_t)(close - p - 2);
		if (n >= sizeof(name)) {
			rc = sg_error("template '%s': group name too long", tmpl);
			goto cleanup;
		}
		memcpy(name, p + 2, n);
		name[n] = '\0';
		if (n && strspn(name, "0123456789") == n)
			grc = pcre2_substring_get_bynumber(md, (uint32_t)atoi(name), &val, &vlen);
		else
			grc = pcre2_substring_get_byname(md, (PCRE2_SPTR)name, &val, &vlen);
		if (grc < 0) {
			rc = sg_error("template '%s': pattern '%s' has no group '%s'", tmpl,
				      re->pattern, name);
			goto cleanup;
		}
		sg_buf_add(out, val, vlen);
		pcre2_substring_free(val);
		p = close;
	}

cleanup:
	pcre2_match_data_free(md);
	return rc;
}

void sg_template_expand(struct sg_buf *out, const char *tmpl, const char *const *vars)
{
	const char *p;

	for (p = tmpl; *p; p++) {
		const char *close;
		size_t i, n;

		if (p[0] != '$' || p[1] != '{' || !(close = strchr(p + 2, '}'))) {
			sg_buf_addch(out, *p);
			continue;
		}
		n = (size_t)(close - p - 2);
		for (i = 0; vars && vars[i]; i += 2)
			if (strlen(vars[i]) == n && !memcmp(vars[i], p + 2, n) && vars[i + 1])
				break;
		if (vars && vars[i]) {
			sg_buf_addstr(out, vars[i + 1]);
			p = close;
		} else {
			sg_buf_addch(out, *p);
		}
	}
}

int sg_regex_has_group(const struct sg_regex *re, const char *name)
{
	uint32_t count = 0;

	if (*name && strspn(name, "0123456789") == strlen(name)) {
		pcre2_pattern_info(re->code, PCRE2_INFO_CAPTURECOUNT, &count);
		return strtoul(name, NULL, 10) <= count;
	}
	return pcre2_substring_number_from_name(re->code, (PCRE2_SPTR)name) >= 0;
}

int sg_regex_groups(char ***out, const struct sg_regex *re, const char *subject)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re->code, NULL);
	PCRE2_SPTR table;
	uint32_t count = 0, size = 0, i;
	char **v = NULL;
	int rc;

	*out = NULL;
	rc = run(re, subject, md);
	if (rc <= 0)
		goto cleanup;
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMECOUNT, &count);
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
	pcre2_pattern_info(re->code, PCRE2_INFO_NAMETABLE, &table);
	v = sg_calloc(2 * count + 1, sizeof(*v));
	for (i = 0; i < count; i++) {
		PCRE2_SPTR entry = table + i * size;
		const char *name = (const char *)entry + 2;
		PCRE2_UCHAR *val;
		PCRE2_SIZE vlen;

		v[2 * i] = sg_strdup(name);
		if (pcre2_substring_get_byname(md, (PCRE2_SPTR)name, &val, &vlen) < 0) {
			v[2 * i + 1] = sg_strdup("");
			continue;
		}
		v[2 * i + 1] = sg_strndup((const char *)val, vlen);
		pcre2_substring_free(val);
	}
	*out = v;

cleanup:
	pcre2_match_data_free(md);
	return rc;
}
