/*
 * Merging helm values files (`helm -f a -f b`): helm's mergeMaps over go-yaml v2 documents,
 * with every winning node remembering its file so diagnostics land on the deciding line.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "values.h"
#include "banned.h"

/* Aliases and merge keys make a small file stand for a huge tree; a pusher must not be able to
 * stall a hook with one, so merging stops past this many keys read (repeats included) or this
 * deep. */
#define KEY_LIMIT 1000000
#define DEPTH_LIMIT 512
/* Mappings with fewer keys are searched linearly; larger ones get a hash index, so merging a
 * mapping of n keys costs O(n), not O(n^2). */
#define INDEX_MIN 8

struct pair {
	const char *key;
	const struct sg_yaml_node *k;
	const struct sg_yaml_node *v;	/* aliases followed */
};

struct pairs {
	struct pair *v;
	size_t n, alloc;
	size_t *slots;		/* hash index of v by key */
	size_t nslots;
};

struct merger {
	size_t file;
	size_t keys;
	struct sg_yaml_error *err;
};

static int fail(struct merger *m, const struct sg_yaml_node *at, const char *fmt, ...)
	SG_PRINTF(3, 4);

static int fail(struct merger *m, const struct sg_yaml_node *at, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->err->problem, sizeof(m->err->problem), fmt, ap);
	va_end(ap);
	if (at)
		m->err->problem_pos = at->start;
	return -1;
}

/*
 * A hash index over an array of records whose first member is their key (struct pair and
 * struct sg_values_node both are): open addressing, a slot holds an array index + 1, 0 is
 * empty, at most half the slots full. Keys in the array are unique.
 */
#define KEY_AT(base, stride, i) (*(const char *const *)((const char *)(base) + (i) * (stride)))

static size_t hash(const char *s, const size_t *slots)
{
	/* FNV-1a seeded with the table's address and mixed (murmur3's finalizer), so which keys
	 * collide changes from run to run and a file of colliding keys cannot be prepared. */
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)(uintptr_t)slots;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (size_t)h;
}

static void index_put(size_t *slots, size_t nslots, const void *base, size_t stride, size_t i)
{
	size_t pos = hash(KEY_AT(base, stride, i), slots) & (nslots - 1);

	while (slots[pos])
		pos = (pos + 1) & (nslots - 1);
	slots[pos] = i + 1;
}

/* The index of key among the n records at base, or n when absent. */
static size_t index_find(const size_t *slots, size_t nslots, const void *base, size_t stride,
			 size_t n, const char *key)
{
	size_t i, pos;

	if (!nslots) {
		for (i = 0; i < n; i++)
			if (!strcmp(KEY_AT(base, stride, i), key))
				return i;
		return n;
	}
	for (pos = hash(key, slots) & (nslots - 1); slots[pos]; pos = (pos + 1) & (nslots - 1))
		if (!strcmp(KEY_AT(base, stride, slots[pos] - 1), key))
			return slots[pos] - 1;
	return n;
}

/* Record n - 1 was just appended (base may have moved). */
static void index_added(size_t **slots, size_t *nslots, const void *base, size_t stride, size_t n)
{
	size_t i;

	if (n < INDEX_MIN)
		return;
	if (2 * n <= *nslots) {
		index_put(*slots, *nslots, base, stride, n - 1);
		return;
	}
	free(*slots);
	for (*nslots = 4 * INDEX_MIN; *nslots < 4 * n; *nslots *= 2)
		;
	*slots = sg_calloc(*nslots, sizeof(**slots));
	for (i = 0; i < n; i++)
		index_put(*slots, *nslots, base, stride, i);
}

static void node_release(struct sg_values_node *n)
{
	size_t i;

	for (i = 0; i < n->n; i++)
		node_release(&n->children[i]);
	free(n->children);
	free(n->slots);
	n->children = NULL;
	n->slots = NULL;
	n->n = n->alloc = n->nslots = 0;
}

void sg_values_init(struct sg_values *v)
{
	memset(v, 0, sizeof(*v));
	v->root.is_map = 1;
}

void sg_values_release(struct sg_values *v)
{
	size_t i;

	node_release(&v->root);
	for (i = 0; i < v->nfiles; i++) {
		free(v->files[i].path);
		sg_yaml_free(v->files[i].doc);
	}
	free(v->files);
	sg_values_init(v);
}

/* Every key read and every merge-list item costs one: repeats are work even when they add
 * nothing (`<<: [*a, *a, ...]` nine levels deep is 10^9 steps for one key). */
static int spend(struct merger *m, const struct sg_yaml_node *at)
{
	if (++m->keys > KEY_LIMIT)
		return fail(m, at, "aliases expand to more than %d keys", KEY_LIMIT);
	return 0;
}

static void pairs_set(struct pairs *p, const struct sg_yaml_node *k, const struct sg_yaml_node *v)
{
	size_t i = index_find(p->slots, p->nslots, p->v, sizeof(*p->v), p->n, k->value);

	/* Within one document a repeated key replaces the earlier one whole (go-yaml v2
	 * decodes into a map); only separate files merge deeply. */
	if (i < p->n) {
		p->v[i].k = k;
		p->v[i].v = v;
		return;
	}
	SG_GROW(p->v, p->alloc, p->n + 1);
	p->v[p->n].key = k->value;
	p->v[p->n].k = k;
	p->v[p->n].v = v;
	p->n++;
	index_added(&p->slots, &p->nslots, p->v, sizeof(*p->v), p->n);
}

static int is_merge_key(const struct sg_yaml_node *k)
{
	if (k->tag)
		return !strcmp(k->tag, "tag:yaml.org,2002:merge");
	return k->style == SG_YAML_PLAIN && !strcmp(k->value, "<<");
}

/* The keys one mapping defines, as go-yaml v2 decodes it: in order, later keys replacing
 * earlier ones, a merge key applying its mapping(s) where it stands (the first of a list
 * winning). */
static int collect(struct merger *m, struct pairs *out, const struct sg_yaml_node *map, int depth)
{
	size_t i;

	if (depth > DEPTH_LIMIT)
		return fail(m, map, "merge keys nest deeper than %d levels (a recursive alias?)",
			    DEPTH_LIMIT);
	for (i = 0; i < map->n; i++) {
		const struct sg_yaml_node *k = sg_yaml_deref(map->items[2 * i]);
		const struct sg_yaml_node *v = sg_yaml_deref(map->items[2 * i + 1]);
		size_t j;

		if (!k)
			return fail(m, map->items[2 * i], "unknown anchor '%s' referenced",
				    map->items[2 * i]->value);
		if (!v)
			return fail(m, map->items[2 * i + 1], "unknown anchor '%s' referenced",
				    map->items[2 * i + 1]->value);
		if (k->kind != SG_YAML_SCALAR)
			continue;	/* a complex key cannot be a values key */
		if (spend(m, k) < 0)
			return -1;
		if (!is_merge_key(k)) {
			pairs_set(out, k, v);
			continue;
		}
		if (v->kind == SG_YAML_MAP) {
			if (collect(m, out, v, depth + 1) < 0)
				return -1;
			continue;
		}
		if (v->kind != SG_YAML_SEQ)
			return fail(m, map->items[2 * i + 1], "map merge requires a mapping or a "
				    "list of mappings as the value");
		for (j = v->n; j > 0; j--) {
			const struct sg_yaml_node *it = sg_yaml_deref(v->items[j - 1]);

			if (!it || it->kind != SG_YAML_MAP)
				return fail(m, v->items[j - 1], "map merge requires a mapping "
					    "or a list of mappings as the value");
			if (spend(m, v->items[j - 1]) < 0)
				return -1;
			if (collect(m, out, it, depth + 1) < 0)
				return -1;
		}
	}
	return 0;
}

static struct sg_values_node *find_child(const struct sg_values_node *map, const char *key)
{
	size_t i = index_find(map->slots, map->nslots, map->children, sizeof(*map->children),
			      map->n, key);

	return i < map->n ? &map->children[i] : NULL;
}

/* helm's mergeMaps: a mapping over a mapping merges, anything else replaces. */
static int merge(struct merger *m, struct sg_values_node *dst, const struct sg_yaml_node *map,
		 int depth)
{
	struct pairs p = { NULL, 0, 0, NULL, 0 };
	size_t i;
	int ret = -1;

	if (depth > DEPTH_LIMIT) {
		fail(m, map, "values nest deeper than %d levels (a recursive alias?)",
		     DEPTH_LIMIT);
		goto out;
	}
	if (collect(m, &p, map, 0) < 0)
		goto out;
	for (i = 0; i < p.n; i++) {
		const struct sg_yaml_node *v = p.v[i].v;
		struct sg_values_node *c = find_child(dst, p.v[i].key);

		if (c && c->is_map && v->kind == SG_YAML_MAP) {
			c->key = p.v[i].key;
			c->key_node = p.v[i].k;
			c->value = v;
			c->file = m->file;
			if (merge(m, c, v, depth + 1) < 0)
				goto out;
			continue;
		}
		if (c) {
			node_release(c);
			memset(c, 0, sizeof(*c));
			c->key = p.v[i].key;
		} else {
			/* Every key was paid for when collect() read it. */
			SG_GROW(dst->children, dst->alloc, dst->n + 1);
			c = &dst->children[dst->n++];
			memset(c, 0, sizeof(*c));
			c->key = p.v[i].key;
			index_added(&dst->slots, &dst->nslots, dst->children,
				    sizeof(*dst->children), dst->n);
		}
		c->key_node = p.v[i].k;
		c->value = v;
		c->file = m->file;
		if (v->kind == SG_YAML_MAP) {
			c->is_map = 1;
			if (merge(m, c, v, depth + 1) < 0)
				goto out;
		}
	}
	ret = 0;
out:
	free(p.v);
	free(p.slots);
	return ret;
}

int sg_values_add(struct sg_values *v, const char *path, const char *data, size_t len,
		  struct sg_yaml_error *err)
{
	struct sg_yaml_doc *doc = NULL;
	const struct sg_yaml_node *root;
	struct merger m;

	memset(err, 0, sizeof(*err));
	if (sg_yaml_parse(&doc, data, len, 0, err) < 0)
		return -1;
	m.keys = 0;
	m.err = err;
	root = sg_yaml_root(doc);
	if (root && !sg_yaml_is_null(root) && root->kind != SG_YAML_MAP) {
		fail(&m, root, "a values file must be a mapping, not a %s",
		     sg_yaml_kind_name(root));
		sg_yaml_free(doc);
		return -1;
	}
	SG_GROW(v->files, v->alloc, v->nfiles + 1);
	v->files[v->nfiles].path = sg_strdup(path);
	v->files[v->nfiles].doc = doc;
	m.file = v->nfiles++;
	if (!root || sg_yaml_is_null(root))
		return 0;
	return merge(&m, &v->root, root, 0);
}

const struct sg_values_node *sg_values_child(const struct sg_values_node *map, const char *key)
{
	if (!map || !map->is_map)
		return NULL;
	return find_child(map, key);
}

const struct sg_values_node *sg_values_get(const struct sg_values *v,
					   const struct sg_values_node *from, const char *dotted)
{
	const struct sg_values_node *n = from ? from : &v->root;
	const char *p = dotted;
	char key[256];

	while (n && *p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		if (len >= sizeof(key))
			return NULL;
		memcpy(key, p, len);
		key[len] = '\0';
		n = sg_values_child(n, key);
		p += len;
		if (*p == '.')
			p++;
	}
	return n;
}

int sg_values_is_null(const struct sg_values_node *n)
{
	return n && !n->is_map && sg_yaml_is_null(n->value);
}

const char *sg_values_path(const struct sg_values *v, const struct sg_values_node *n)
{
	return n && n->file < v->nfiles ? v->files[n->file].path : NULL;
}
