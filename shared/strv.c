/*
 * String vectors. Appending reallocates by one each time: the lists here are short (config
 * entries, paths of one push), and callers that build long ones sort-unique once at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "strv.h"
#include "banned.h"

size_t sg_strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

size_t sg_strv_push(char ***v, const char *s)
{
	size_t n = sg_strv_len(*v);

	*v = sg_realloc(*v, (n + 2) * sizeof(**v));
	(*v)[n] = sg_strdup(s);
	(*v)[n + 1] = NULL;
	return n + 1;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void sg_strv_sort_unique(char **v)
{
	size_t n = sg_strv_len(v), i, k = 0;

	if (n < 2)
		return;
	qsort(v, n, sizeof(*v), cmp);
	for (i = 0; i < n; i++) {
		if (k && !strcmp(v[k - 1], v[i])) {
			free(v[i]);
			continue;
		}
		v[k++] = v[i];
	}
	v[k] = NULL;
}

void sg_strv_free(char **v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}
