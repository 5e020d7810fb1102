/*
 * fnmatch(3) has no '**'; this adds it and nothing else. Recursion depth is bounded by the
 * number of '*' in the pattern, which comes from our own config.
 */
#include <string.h>

#include "glob.h"
#include "banned.h"

static int match_class(const char **pp, char c)
{
	const char *p = *pp + 1;
	int neg = 0, ok = 0;

	if (*p == '!' || *p == '^') {
		neg = 1;
		p++;
	}
	if (!*p)
		return -1;	/* "[" or "[!" at the end: not a class */
	do {
		if (p[1] == '-' && p[2] && p[2] != ']') {
			if (c >= p[0] && c <= p[2])
				ok = 1;
			p += 3;
		} else {
			if (c == *p)
				ok = 1;
			p++;
		}
	} while (*p && *p != ']');
	if (*p != ']')
		return -1;
	*pp = p + 1;
	return ok != neg;
}

int sg_glob_match(const char *pat, const char *s)
{
	while (*pat) {
		if (pat[0] == '*' && pat[1] == '*') {
			pat += 2;
			if (*pat == '/') {
				/* "**" + "/" matches zero or more whole directories. */
				if (sg_glob_match(pat + 1, s))
					return 1;
			}
			for (; *s; s++)
				if (sg_glob_match(pat, s))
					return 1;
			return sg_glob_match(pat, s);
		}
		if (*pat == '*') {
			pat++;
			for (;; s++) {
				if (sg_glob_match(pat, s))
					return 1;
				if (!*s || *s == '/')
					return 0;
			}
		}
		if (!*s)
			return 0;
		if (*pat == '?') {
			if (*s == '/')
				return 0;
		} else if (*pat == '[') {
			const char *p = pat;
			int r = match_class(&p, *s);

			if (r < 0) {
				if (*s != '[')
					return 0;
			} else {
				if (!r || *s == '/')
					return 0;
				pat = p;
				s++;
				continue;
			}
		} else if (*pat != *s) {
			return 0;
		}
		pat++;
		s++;
	}
	return *s == '\0';
}
