#ifndef SG_YAML_H
#define SG_YAML_H
/*
 * YAML documents as trees that remember where every node was written, built from libyaml's
 * events. Aliases are kept as links to their anchor, never expanded, so a billion-laughs file
 * costs no more than its size. JSON is parsed with the same code (it is YAML flow style).
 */
#include <stddef.h>

enum sg_yaml_kind {
	SG_YAML_SCALAR,
	SG_YAML_MAP,
	SG_YAML_SEQ,
	SG_YAML_ALIAS
};

enum sg_yaml_style {
	SG_YAML_PLAIN,
	SG_YAML_SINGLE_QUOTED,
	SG_YAML_DOUBLE_QUOTED,
	SG_YAML_LITERAL,
	SG_YAML_FOLDED,
	SG_YAML_BLOCK,		/* block collection */
	SG_YAML_FLOW		/* flow collection: [a, b] or {a: b} */
};

/* 1-based line and column (in characters, as libyaml counts them). */
struct sg_yaml_pos {
	unsigned long line;
	unsigned long col;
};

struct sg_yaml_node {
	enum sg_yaml_kind kind;
	enum sg_yaml_style style;
	struct sg_yaml_pos start;
	struct sg_yaml_pos end;		/* just past the node */
	const char *tag;		/* explicit tag or NULL */
	const char *anchor;		/* anchor defined here or NULL */
	const char *value;		/* scalar text (NUL-terminated); alias: the anchor name */
	size_t len;			/* bytes in value */
	struct sg_yaml_node *target;	/* alias: the anchored node, NULL if undefined */
	size_t n;			/* seq: items; map: pairs */
	struct sg_yaml_node **items;	/* seq: n items; map: 2n nodes, key then value */
};

struct sg_yaml_error {
	char problem[256];
	struct sg_yaml_pos problem_pos;
	char context[256];		/* "" when libyaml gave none */
	struct sg_yaml_pos context_pos;
};

struct sg_yaml_arena;

/* A stream of one or more documents. Owns every node; nodes live until sg_yaml_free. */
struct sg_yaml_doc {
	struct sg_yaml_node **roots;	/* one per document; an empty document has a null scalar */
	size_t ndocs;
	size_t nnodes;
	unsigned long max_depth;	/* deepest nesting seen */
	struct sg_yaml_arena *arena;
};

/*
 * Parse len bytes of data. On success *out is a document the caller frees with sg_yaml_free.
 * On a syntax error returns -1, fills err (positions 1-based) and reports nothing: the caller
 * decides how to present it. Nesting deeper than max_depth (0: 10000) is an error too.
 */
int sg_yaml_parse(struct sg_yaml_doc **out, const char *data, size_t len,
		  unsigned long max_depth, struct sg_yaml_error *err);
void sg_yaml_free(struct sg_yaml_doc *doc);

/* The first document's root, or NULL for an empty stream. Borrowed from doc. */
const struct sg_yaml_node *sg_yaml_root(const struct sg_yaml_doc *doc);
/* Follow aliases to the node they stand for (NULL for an undefined alias). */
const struct sg_yaml_node *sg_yaml_deref(const struct sg_yaml_node *n);
/* Value of key in a mapping (last one wins, as helm does), or NULL. Aliases followed. */
const struct sg_yaml_node *sg_yaml_get(const struct sg_yaml_node *map, const char *key);
/* The key node for key, for positions (last one wins), or NULL. */
const struct sg_yaml_node *sg_yaml_get_key(const struct sg_yaml_node *map, const char *key);
/* Follow a dotted path of mapping keys ("hub.db.type"), or NULL. */
const struct sg_yaml_node *sg_yaml_path(const struct sg_yaml_node *root, const char *dotted);
/* 1 for a scalar that YAML reads as null: "", "~", "null" unquoted. */
int sg_yaml_is_null(const struct sg_yaml_node *n);
/* Scalar text, or NULL when n is not a scalar. */
const char *sg_yaml_str(const struct sg_yaml_node *n);
/* YAML 1.1 boolean as helm (go-yaml v2) reads it: 1 true, 0 false, -1 not a boolean. */
int sg_yaml_bool(const struct sg_yaml_node *n);
/* 1 when a scalar would be read by helm as something else than a string (number, bool, null). */
int sg_yaml_is_nonstring(const struct sg_yaml_node *n);

enum sg_yaml_type {
	SG_YAML_T_NULL,
	SG_YAML_T_BOOL,
	SG_YAML_T_INT,
	SG_YAML_T_FLOAT,
	SG_YAML_T_STR,
	SG_YAML_T_MAP,
	SG_YAML_T_SEQ,
	SG_YAML_T_UNDEF		/* an undefined alias */
};

/*
 * The type helm gives a node: YAML 1.1 as go-yaml v2 resolves plain scalars (yes/on/y are
 * booleans, 0755 is octal, 1_000 is 1000, .inf and .nan are floats; nan, infinity and 1e400
 * stay strings), explicit !!tags honoured, quoted scalars strings. For INT and FLOAT the value
 * goes to *num when num is not NULL. Aliases are followed.
 */
enum sg_yaml_type sg_yaml_type(const struct sg_yaml_node *n, double *num);
const char *sg_yaml_kind_name(const struct sg_yaml_node *n);

#endif
