/*
 * chartpress version strings: which commit a chart version names, in each of the layouts
 * chartpress has written over the years, and the same layout rebuilt around another commit.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "chartver.h"
#include "semver.h"
#include "banned.h"

#define SHA_MIN 7
#define SHA_MAX 40
/* A prerelease fits 127 characters, so it holds at most 64 identifiers. */
#define MAX_IDS 64

struct ident {
	const char *s;
	size_t n;
};

static int is_digits(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Lowercase only: git abbreviates in lowercase, and chartpress copies what git prints. */
static int is_sha(const char *s, size_t n)
{
	size_t i;

	if (n < SHA_MIN || n > SHA_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* "h441f5ea": chartpress 0.5+ prefixes the SHA so that an all-digit one is not a number. */
static int is_hsha(const struct ident *id)
{
	return id->n > 1 && id->s[0] == 'h' && is_sha(id->s + 1, id->n - 1);
}

static int is_word(const struct ident *id, const char *w)
{
	return id->n == strlen(w) && !memcmp(id->s, w, id->n);
}

/* A count too large for a long is no count of commits: the caller treats it as no match. */
static int read_count(const char *s, size_t n, long *out)
{
	long v = 0;
	size_t i;

	if (!is_digits(s, n))
		return -1;
	for (i = 0; i < n; i++) {
		int d = s[i] - '0';

		if (v > (LONG_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static size_t split_ids(const char *pre, struct ident *ids)
{
	size_t k = 0;

	while (*pre && k < MAX_IDS) {
		ids[k].s = pre;
		ids[k].n = strcspn(pre, ".");
		pre += ids[k].n;
		k++;
		if (*pre == '.')
			pre++;
	}
	return k;
}

/*
 * Match the suffix layouts, most specific first; they cannot overlap, since 'h' and 'n' are not
 * hex digits. On a match, fill format, sha, count and count_width, and say how many
 * identifiers come before the count (or the SHA, for PLAIN): they are the prerelease.
 */
static void match_layout(struct sg_chartver *cv, const struct ident *ids, size_t k, size_t *lead)
{
	const struct ident *last = k ? &ids[k - 1] : NULL;
	const struct ident *cnt = k >= 2 ? &ids[k - 2] : NULL;
	const char *sha = NULL;
	size_t sha_len = 0;
	long count = -1;

	if (k >= 3 && is_word(&ids[k - 3], "git") && is_hsha(last) &&
	    read_count(cnt->s, cnt->n, &count) == 0) {
		cv->format = SG_CHARTVER_GIT;
		cv->count_width = (int)cnt->n;
		*lead = k - 3;
		sha = last->s + 1;
	} else if (k >= 2 && cnt->n > 1 && cnt->s[0] == 'n' && is_hsha(last) &&
		   read_count(cnt->s + 1, cnt->n - 1, &count) == 0) {
		cv->format = SG_CHARTVER_N;
		cv->count_width = (int)cnt->n - 1;
		*lead = k - 2;
		sha = last->s + 1;
	} else if (k >= 2 && cnt->n >= 3 && is_sha(last->s, last->n) &&
		   read_count(cnt->s, cnt->n, &count) == 0) {
		/* chartpress always padded to three; a shorter number is something else. */
		cv->format = SG_CHARTVER_COUNT;
		cv->count_width = (int)cnt->n;
		*lead = k - 2;
		sha = last->s;
	} else if (k == 1 && is_sha(last->s, last->n)) {
		cv->format = SG_CHARTVER_PLAIN;
		*lead = 0;
		sha = last->s;
	} else {
		return;
	}
	sha_len = (size_t)(last->s + last->n - sha);
	memcpy(cv->sha, sha, sha_len);
	cv->sha[sha_len] = '\0';
	cv->count = count;
}

int sg_chartver_parse(struct sg_chartver *out, const char *s)
{
	struct sg_semver sv;
	struct sg_chartver cv;
	struct ident ids[MAX_IDS];
	size_t k, lead = 0, base_len, pre_len;

	if (!out || !s)
		return -1;
	/* Loose: chartpress before 0.5 wrote counts like "002", which helm 2 took. */
	if (sg_semver_parse_loose(&sv, s) < 0)
		return -1;
	memset(&cv, 0, sizeof(cv));
	cv.format = SG_CHARTVER_NONE;
	cv.count = -1;
	base_len = strcspn(s, "-+");
	if (base_len >= sizeof(cv.base))
		return -1;
	memcpy(cv.base, s, base_len);
	cv.base[base_len] = '\0';

	k = split_ids(sv.pre, ids);
	match_layout(&cv, ids, k, &lead);
	if (cv.format == SG_CHARTVER_NONE)
		pre_len = strlen(sv.pre);
	else
		pre_len = lead ? (size_t)(ids[lead - 1].s + ids[lead - 1].n - sv.pre) : 0;
	/* pre_len is within sv.pre, which is the same size as cv.pre. */
	memcpy(cv.pre, sv.pre, pre_len);
	cv.pre[pre_len] = '\0';
	*out = cv;
	return 0;
}

static int terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static int digits_of(long n)
{
	int d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/*
 * chartpress pads the COUNT and N counts to three digits but writes git.<count> as a plain
 * number, where a leading zero would make helm 3 refuse the version: pad a GIT count only if
 * the parsed one was padded.
 */
static int pad_width(const struct sg_chartver *v)
{
	if (v->format != SG_CHARTVER_GIT)
		return v->count_width > 0 ? v->count_width : 3;
	if (v->count >= 0 && v->count_width > digits_of(v->count))
		return v->count_width;
	return 1;
}

int sg_chartver_format(char *out, size_t n, const struct sg_chartver *v, const char *sha,
		       long count)
{
	struct sg_chartver check;
	const char *sep;
	int width, r = -1;

	if (!out || !n)
		return -1;
	out[0] = '\0';
	if (!v || !sha || !is_sha(sha, strlen(sha)))
		return -1;
	if (!terminated(v->base, sizeof(v->base)) || !terminated(v->pre, sizeof(v->pre)))
		return -1;
	if (v->format != SG_CHARTVER_PLAIN && count < 0)
		return -1;
	sep = v->pre[0] ? "." : "";
	width = pad_width(v);

	switch (v->format) {
	case SG_CHARTVER_PLAIN:
		if (v->pre[0])
			return -1;
		r = snprintf(out, n, "%s-%s", v->base, sha);
		break;
	case SG_CHARTVER_COUNT:
		r = snprintf(out, n, "%s-%s%s%0*ld.%s", v->base, v->pre, sep, width, count, sha);
		break;
	case SG_CHARTVER_N:
		r = snprintf(out, n, "%s-%s%sn%0*ld.h%s", v->base, v->pre, sep, width, count, sha);
		break;
	case SG_CHARTVER_GIT:
		r = snprintf(out, n, "%s-%s%sgit.%0*ld.h%s", v->base, v->pre, sep, width, count,
			     sha);
		break;
	case SG_CHARTVER_NONE:
		break;
	}
	if (r < 0 || (size_t)r >= n)
		goto fail;
	/* A hand-built struct could yield text that is no version, or reads as another layout. */
	if (sg_chartver_parse(&check, out) < 0 || check.format != v->format)
		goto fail;
	return 0;

fail:
	out[0] = '\0';
	return -1;
}
