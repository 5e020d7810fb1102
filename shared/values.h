#ifndef SG_VALUES_H
#define SG_VALUES_H
/*
 * Helm values files merged the way `helm -f a.yaml -f b.yaml` merges them, so that a check
 * sees the value helm will render and can point at the file:line:col that decided it.
 */
#include <stddef.h>
#include "yamldoc.h"

/*
 * One key of the merged tree. Mappings merge key by key across files; a scalar, a list or an
 * explicit null replaces whatever earlier files had (a null then deletes the chart's default
 * when helm coalesces). Strings and YAML nodes are borrowed from the documents held by the
 * struct sg_values the node belongs to.
 */
struct sg_values_node {
	const char *key;			/* NULL for the root */
	const struct sg_yaml_node *key_node;	/* the key as written in the winning file */
	const struct sg_yaml_node *value;	/* winning value, aliases followed; for a merged
						   mapping the last mapping written */
	size_t file;				/* index of the file the winner came from */
	int is_map;
	struct sg_values_node *children;	/* mapping: its keys, in first-written order */
	size_t n, alloc;
	size_t *slots;				/* private: hash index of children by key */
	size_t nslots;
};

struct sg_values_file {
	char *path;
	struct sg_yaml_doc *doc;
};

struct sg_values {
	struct sg_values_node root;		/* always a mapping */
	struct sg_values_file *files;
	size_t nfiles, alloc;
};

void sg_values_init(struct sg_values *v);
void sg_values_release(struct sg_values *v);

/*
 * Parse data as the next `-f` file and merge it over what is there. Only the first YAML
 * document counts (as in helm); an empty file or a null document adds nothing; merge keys
 * (`<<: *anchor`) are applied as go-yaml v2 applies them. Returns 0, or -1 with err filled and
 * nothing reported when the file is not YAML, its root is not a mapping, an alias is undefined,
 * or aliases and merge keys expand to more than a million keys (every key and every merge-list
 * item read, repeats included, counts: the work is bounded, not only the result). A file that is not YAML or not a mapping
 * leaves v as it was (v->nfiles unchanged); after any other -1, v may only be released.
 * Node pointers obtained earlier are invalid after this call.
 */
int sg_values_add(struct sg_values *v, const char *path, const char *data, size_t len,
		  struct sg_yaml_error *err);

/* The child key of a merged mapping, or NULL. */
const struct sg_values_node *sg_values_child(const struct sg_values_node *map, const char *key);
/* Follow a dotted path of keys from `from` (the root when NULL): "hub.db.type". NULL when a
 * key is absent or a step is not a mapping. Borrowed from v. */
const struct sg_values_node *sg_values_get(const struct sg_values *v,
					   const struct sg_values_node *from, const char *dotted);
/* 1 when the winning value is an explicit null (the key is deleted for helm). */
int sg_values_is_null(const struct sg_values_node *n);
/* The path of the file the node's value came from. Borrowed from v. */
const char *sg_values_path(const struct sg_values *v, const struct sg_values_node *n);

#endif
