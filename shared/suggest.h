#ifndef SG_SUGGEST_H
#define SG_SUGGEST_H
/*
 * "did you mean ...?": the closest candidate by edit distance (adjacent swaps count as one
 * edit, so "memmory" -> "memory" and "reuqests" -> "requests" are both found).
 */
#include <stddef.h>

/* Edit distance (optimal string alignment) between a and b. */
size_t sg_edit_distance(const char *a, const char *b);
/* The candidate closest to word within a distance that still looks like a typo
 * (at most 2, and less than half of word's length), or NULL. Borrowed from cands. */
const char *sg_suggest(const char *word, const char *const *cands, size_t n);

#endif
