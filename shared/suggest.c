/*
 * Typo suggestions for config keys and schema properties.
 */
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "suggest.h"
#include "banned.h"

size_t sg_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d;
	size_t *prev2, *prev, *cur, *t;

	if (la > 256 || lb > 256)
		return la > lb ? la : lb;
	prev2 = sg_calloc(lb + 1, sizeof(size_t));
	prev = sg_calloc(lb + 1, sizeof(size_t));
	cur = sg_calloc(lb + 1, sizeof(size_t));
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = prev[j] + 1;

			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (prev[j - 1] + cost < best)
				best = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	d = prev[lb];
	free(prev2);
	free(prev);
	free(cur);
	return d;
}

const char *sg_suggest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, i, limit = strlen(word) / 2;

	if (limit > 2)
		limit = 2;
	for (i = 0; i < n; i++) {
		size_t d = sg_edit_distance(word, cands[i]);

		if (d && d <= limit && d < best_d) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
}
