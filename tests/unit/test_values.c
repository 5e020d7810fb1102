/*
 * Unit tests for shared/values.c: helm's `-f a -f b` merge (maps merge, later files win,
 * scalars and lists replace, null deletes) with the position of every winning node.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "values.h"

static void add(struct sg_values *v, const char *path, const char *text)
{
	struct sg_yaml_error err;

	if (sg_values_add(v, path, text, strlen(text), &err) != 0)
		fail_msg("%s: %lu:%lu: %s", path, err.problem_pos.line, err.problem_pos.col,
			 err.problem);
}

static const char *str_at(const struct sg_values *v, const char *dotted)
{
	const struct sg_values_node *n = sg_values_get(v, NULL, dotted);

	return n && !n->is_map ? sg_yaml_str(n->value) : NULL;
}

static void later_file_wins_with_its_position(void **state)
{
	struct sg_values v;
	const struct sg_values_node *n;

	(void)state;
	sg_values_init(&v);
	add(&v, "common.yaml", "hub:\n  db:\n    type: sqlite-pvc\n");
	add(&v, "prod.yaml", "# prod\nhub:\n  db:\n      type: postgres\n");
	n = sg_values_get(&v, NULL, "hub.db.type");
	assert_non_null(n);
	assert_string_equal(sg_yaml_str(n->value), "postgres");
	assert_string_equal(sg_values_path(&v, n), "prod.yaml");
	assert_int_equal(n->value->start.line, 4);
	assert_int_equal(n->value->start.col, 13);
	assert_int_equal(n->key_node->start.col, 7);
	sg_values_release(&v);
}

static void maps_merge_recursively(void **state)
{
	struct sg_values v;
	const struct sg_values_node *n;

	(void)state;
	sg_values_init(&v);
	add(&v, "a.yaml", "jupyterhub:\n  hub:\n    db:\n      type: mysql\n      url: x\n");
	add(&v, "b.yaml", "jupyterhub:\n  hub:\n    db:\n      upgrade: true\n");
	assert_string_equal(str_at(&v, "jupyterhub.hub.db.type"), "mysql");
	assert_string_equal(str_at(&v, "jupyterhub.hub.db.url"), "x");
	n = sg_values_get(&v, NULL, "jupyterhub.hub.db.type");
	assert_string_equal(sg_values_path(&v, n), "a.yaml");
	n = sg_values_get(&v, NULL, "jupyterhub.hub.db.upgrade");
	assert_string_equal(sg_values_path(&v, n), "b.yaml");
	assert_int_equal(sg_yaml_bool(n->value), 1);
	sg_values_release(&v);
}

static void lists_replace_whole(void **state)
{
	struct sg_values v;
	const struct sg_values_node *n;

	(void)state;
	sg_values_init(&v);
	add(&v, "a.yaml", "hosts: [a, b, c]\n");
	add(&v, "b.yaml", "hosts: [d]\n");
	n = sg_values_get(&v, NULL, "hosts");
	assert_int_equal(n->value->kind, SG_YAML_SEQ);
	assert_int_equal(n->value->n, 1);
	assert_string_equal(sg_values_path(&v, n), "b.yaml");
	sg_values_release(&v);
}

static void explicit_null_deletes(void **state)
{
	struct sg_values v;
	const struct sg_values_node *n;

	(void)state;
	sg_values_init(&v);
	add(&v, "a.yaml", "hub:\n  db:\n    upgrade: true\n    type: mysql\n");
	add(&v, "b.yaml", "hub:\n  db:\n    upgrade: null\n");
	n = sg_values_get(&v, NULL, "hub.db.upgrade");
	assert_true(sg_values_is_null(n));
	assert_string_equal(sg_values_path(&v, n), "b.yaml");
	assert_string_equal(str_at(&v, "hub.db.type"), "mysql");
	/* A null mapping replaced by a mapping later is that mapping. */
	add(&v, "c.yaml", "hub:\n  db: ~\n");
	assert_true(sg_values_is_null(sg_values_get(&v, NULL, "hub.db")));
	assert_null(sg_values_get(&v, NULL, "hub.db.type"));
	add(&v, "d.yaml", "hub:\n  db:\n    type: postgres\n");
	assert_string_equal(str_at(&v, "hub.db.type"), "postgres");
	assert_null(sg_values_get(&v, NULL, "hub.db.upgrade"));
	sg_values_release(&v);
}

static void scalar_and_map_replace_each_other(void **state)
{
	struct sg_values v;

	(void)state;
	sg_values_init(&v);
	add(&v, "a.yaml", "hub: {db: {type: mysql}}\n");
	add(&v, "b.yaml", "hub: {db: plain}\n");
	assert_string_equal(str_at(&v, "hub.db"), "plain");
	assert_null(sg_values_get(&v, NULL, "hub.db.type"));
	add(&v, "c.yaml", "hub: {db: {upgrade: false}}\n");
	assert_null(sg_values_get(&v, NULL, "hub.db.type"));
	assert_string_equal(str_at(&v, "hub.db.upgrade"), "false");
	sg_values_release(&v);
}

static void repeated_key_in_one_file_replaces_whole(void **state)
{
	struct sg_values v;

	(void)state;
	sg_values_init(&v);
	add(&v, "a.yaml", "hub:\n  db: {type: mysql}\nhub:\n  cookieSecret: x\n");
	assert_null(sg_values_get(&v, NULL, "hub.db"));
	assert_string_equal(str_at(&v, "hub.cookieSecret"), "x");
	sg_values_release(&v);
}

static void merge_keys_apply_like_go_yaml_v2(void **state)
{
	struct sg_values v;
	const struct sg_values_node *n;

	(void)state;
	sg_values_init(&v);
	add(&v, "a.yaml",
	    "base: &base {type: mysql, url: u}\n"
	    "other: &other {type: other, upgrade: true}\n"
	    "hub:\n"
	    "  db:\n"
	    "    <<: [*base, *other]\n"
	    "    url: mine\n");
	assert_string_equal(str_at(&v, "hub.db.type"), "mysql");
	assert_string_equal(str_at(&v, "hub.db.url"), "mine");
	assert_string_equal(str_at(&v, "hub.db.upgrade"), "true");
	n = sg_values_get(&v, NULL, "hub.db.type");
	assert_int_equal(n->value->start.line, 1);
	sg_values_release(&v);
}

static void empty_and_null_files_add_nothing(void **state)
{
	struct sg_values v;

	(void)state;
	sg_values_init(&v);
	add(&v, "a.yaml", "hub: {db: {type: mysql}}\n");
	add(&v, "empty.yaml", "");
	add(&v, "comments.yaml", "# nothing here\n");
	add(&v, "null.yaml", "~\n");
	assert_string_equal(str_at(&v, "hub.db.type"), "mysql");
	assert_int_equal(v.nfiles, 4);
	sg_values_release(&v);
}

static void syntax_error_has_position(void **state)
{
	struct sg_values v;
	struct sg_yaml_error err;
	const char *bad = "hub:\n  db:\n    type: mysql\n   bad: [\n";

	(void)state;
	sg_values_init(&v);
	assert_int_equal(sg_values_add(&v, "bad.yaml", bad, strlen(bad), &err), -1);
	assert_true(err.problem[0] != '\0');
	assert_true(err.problem_pos.line >= 4);
	sg_values_release(&v);
}

static void root_must_be_a_mapping(void **state)
{
	struct sg_values v;
	struct sg_yaml_error err;
	const char *list = "\n- a\n- b\n";

	(void)state;
	sg_values_init(&v);
	assert_int_equal(sg_values_add(&v, "list.yaml", list, strlen(list), &err), -1);
	assert_string_equal(err.problem, "a values file must be a mapping, not a sequence");
	assert_int_equal(err.problem_pos.line, 2);
	assert_int_equal(err.problem_pos.col, 1);
	sg_values_release(&v);
}

static void undefined_alias_is_an_error(void **state)
{
	struct sg_values v;
	struct sg_yaml_error err;
	const char *text = "hub:\n  db: *nowhere\n";

	(void)state;
	sg_values_init(&v);
	assert_int_equal(sg_values_add(&v, "a.yaml", text, strlen(text), &err), -1);
	assert_string_equal(err.problem, "unknown anchor 'nowhere' referenced");
	assert_int_equal(err.problem_pos.line, 2);
	sg_values_release(&v);
}

static void alias_bomb_is_refused(void **state)
{
	struct sg_values v;
	struct sg_yaml_error err;
	struct sg_buf b = SG_BUF_INIT;
	int level, i;

	(void)state;
	/* Ten keys per level, each an alias of the level below: 10^8 keys if expanded. */
	sg_buf_addstr(&b, "l0: &l0 {x: 1}\n");
	for (level = 1; level <= 8; level++) {
		sg_buf_addf(&b, "l%d: &l%d {", level, level);
		for (i = 0; i < 10; i++)
			sg_buf_addf(&b, "%sk%d: *l%d", i ? ", " : "", i, level - 1);
		sg_buf_addstr(&b, "}\n");
	}
	sg_values_init(&v);
	assert_int_equal(sg_values_add(&v, "bomb.yaml", b.buf, b.len, &err), -1);
	assert_string_equal(err.problem, "aliases expand to more than 1000000 keys");
	sg_values_release(&v);
	sg_buf_release(&b);
}

static void merge_key_bomb_is_refused(void **state)
{
	struct sg_values v;
	struct sg_yaml_error err;
	struct sg_buf b = SG_BUF_INIT;
	int level, i;

	(void)state;
	/* Each level merges the one below ten times: one key, but 10^9 merges if expanded. */
	sg_buf_addstr(&b, "l0: &l0 {x: 1}\n");
	for (level = 1; level <= 9; level++) {
		sg_buf_addf(&b, "l%d: &l%d {<<: [", level, level);
		for (i = 0; i < 10; i++)
			sg_buf_addf(&b, "%s*l%d", i ? ", " : "", level - 1);
		sg_buf_addstr(&b, "]}\n");
	}
	sg_values_init(&v);
	assert_int_equal(sg_values_add(&v, "bomb.yaml", b.buf, b.len, &err), -1);
	assert_string_equal(err.problem, "aliases expand to more than 1000000 keys");
	sg_values_release(&v);
	sg_buf_release(&b);
}

static void large_mappings_merge_key_by_key(void **state)
{
	struct sg_values v;
	struct sg_buf a = SG_BUF_INIT, b = SG_BUF_INIT;
	const struct sg_values_node *n;
	struct sg_yaml_error err;
	char key[32];
	int i;

	(void)state;
	/* Past the size where mappings are indexed: every key still found, repeats replace. */
	for (i = 0; i < 2000; i++)
		sg_buf_addf(&a, "k%d: a%d\n", i, i);
	sg_buf_addstr(&a, "k7: again\n");
	for (i = 1000; i < 3000; i++)
		sg_buf_addf(&b, "k%d: b%d\n", i, i);
	sg_values_init(&v);
	assert_int_equal(sg_values_add(&v, "a.yaml", a.buf, a.len, &err), 0);
	assert_int_equal(sg_values_add(&v, "b.yaml", b.buf, b.len, &err), 0);
	assert_int_equal(v.root.n, 3000);
	assert_string_equal(str_at(&v, "k7"), "again");
	assert_string_equal(str_at(&v, "k999"), "a999");
	assert_string_equal(str_at(&v, "k1000"), "b1000");
	assert_string_equal(str_at(&v, "k2999"), "b2999");
	assert_null(sg_values_get(&v, NULL, "k3000"));
	for (i = 0; i < 3000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		n = sg_values_get(&v, NULL, key);
		assert_non_null(n);
		assert_string_equal(n->key, key);
	}
	/* First-written order is kept. */
	assert_string_equal(v.root.children[0].key, "k0");
	assert_string_equal(v.root.children[2999].key, "k2999");
	sg_values_release(&v);
	sg_buf_release(&a);
	sg_buf_release(&b);
}

static void get_stops_at_non_mappings(void **state)
{
	struct sg_values v;

	(void)state;
	sg_values_init(&v);
	add(&v, "a.yaml", "hub: [1, 2]\nname: x\n");
	assert_null(sg_values_get(&v, NULL, "hub.db"));
	assert_null(sg_values_get(&v, NULL, "name.x"));
	assert_null(sg_values_get(&v, NULL, "missing"));
	assert_true(sg_values_get(&v, NULL, "")->is_map);
	sg_values_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(later_file_wins_with_its_position),
		cmocka_unit_test(maps_merge_recursively),
		cmocka_unit_test(lists_replace_whole),
		cmocka_unit_test(explicit_null_deletes),
		cmocka_unit_test(scalar_and_map_replace_each_other),
		cmocka_unit_test(repeated_key_in_one_file_replaces_whole),
		cmocka_unit_test(merge_keys_apply_like_go_yaml_v2),
		cmocka_unit_test(empty_and_null_files_add_nothing),
		cmocka_unit_test(syntax_error_has_position),
		cmocka_unit_test(root_must_be_a_mapping),
		cmocka_unit_test(undefined_alias_is_an_error),
		cmocka_unit_test(alias_bomb_is_refused),
		cmocka_unit_test(merge_key_bomb_is_refused),
		cmocka_unit_test(large_mappings_merge_key_by_key),
		cmocka_unit_test(get_stops_at_non_mappings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
