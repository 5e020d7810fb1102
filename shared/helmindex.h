#ifndef SG_HELMINDEX_H
#define SG_HELMINDEX_H
/*
 * A Helm chart repository's index.yaml: which versions of which charts are published. Read
 * from a local file or from a file at a ref of a local git repository ("<repo>:<ref>:<path>",
 * e.g. a clone of the gh-pages branch), and compared the way helm compares versions.
 */
#include <stddef.h>

struct sg_yaml_doc;
struct sg_yaml_node;

struct sg_helmindex {
	char *where;			/* for messages */
	char *text;
	struct sg_yaml_doc *doc;
	const struct sg_yaml_node *entries;	/* the entries mapping, or NULL */
};

/*
 * Load spec: a file path, or "<repo>:<ref>:<path>" read with libgit2 (repo may not contain a
 * ':'). Relative paths are taken as given (the caller resolves them). *out is freed with
 * sg_helmindex_free. Returns 0 or -1 after reporting.
 */
int sg_helmindex_load(struct sg_helmindex **out, const char *spec);
/* Parse index text already in memory. */
int sg_helmindex_parse(struct sg_helmindex **out, const char *where, const char *text,
		       size_t len);
void sg_helmindex_free(struct sg_helmindex *idx);

/* 1 when chart is published at version (helm's semantic equality: "v0.7.0-2cdcb44" matches
 * "v0.7-2cdcb44"), else 0. */
int sg_helmindex_has(const struct sg_helmindex *idx, const char *chart, const char *version);

/* The i-th published version string of chart, or NULL past the end. Borrowed from idx. */
const char *sg_helmindex_version(const struct sg_helmindex *idx, const char *chart, size_t i);

#endif
