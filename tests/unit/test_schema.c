/*
 * Unit tests for shared/schema.c: each draft-07 keyword fires and stays quiet on the near
 * miss, values typed as helm reads YAML, positions and did-you-mean on unknown keys.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "schema.h"

static void collect(const struct sg_yaml_node *node, const char *msg, void *payload)
{
	struct sg_buf *out = payload;

	sg_buf_addf(out, "%s%lu:%lu %s", out->len ? "\n" : "", node->start.line, node->start.col,
		    msg);
}

/* Validate values against schema; "line:col message" lines, caller frees. */
static char *check(const char *schema, const char *values, unsigned flags)
{
	struct sg_schema *s = NULL;
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error e;
	struct sg_buf out = SG_BUF_INIT;
	char *err = NULL;
	int n;

	if (sg_schema_load(&s, "s.json", schema, strlen(schema), &err) < 0)
		fail_msg("schema: %s", err);
	assert_int_equal(sg_yaml_parse(&doc, values, strlen(values), 0, &e), 0);
	n = sg_schema_validate(s, sg_yaml_root(doc), NULL, flags, collect, &out);
	assert_true(n >= 0);
	sg_yaml_free(doc);
	sg_schema_free(s);
	return sg_buf_detach(&out);
}

#define EXPECT(schema, values, want) do { \
	char *got_ = check(schema, values, 0); \
	assert_string_equal(got_, want); \
	free(got_); \
} while (0)

#define EXPECT_PARTIAL(schema, values, want) do { \
	char *got_ = check(schema, values, SG_SCHEMA_PARTIAL); \
	assert_string_equal(got_, want); \
	free(got_); \
} while (0)

static void type_as_helm_reads_yaml(void **state)
{
	const char *s = "{\"properties\": {\"n\": {\"type\": \"integer\"}, \"b\": {\"type\": \"boolean\"},"
		" \"s\": {\"type\": \"string\"}, \"x\": {\"type\": [\"number\", \"null\"]}}}";

	(void)state;
	EXPECT(s, "n: 3\nb: yes\ns: \"3\"\nx: ~\n", "");
	EXPECT(s, "n: 2.0\nx: 1e3\n", "");
	EXPECT(s, "n: \"3\"\n", "1:4 `n`: expected integer, got string `3`");
	EXPECT(s, "b: maybe\n", "1:4 `b`: expected boolean, got string `maybe`");
	EXPECT(s, "s: 12\n", "1:4 `s`: expected string, got integer `12`");
	EXPECT(s, "x: [1]\n", "1:4 `x`: expected number or null, got array a list");
}

static void additional_properties_suggests(void **state)
{
	const char *s = "type: object\nadditionalProperties: false\nproperties:\n"
		"  memory: {type: string}\n  cpu: {type: number}\n";

	(void)state;
	EXPECT(s, "memory: 1G\ncpu: 2\n", "");
	EXPECT(s, "memmory: 1G\n", "1:1 `(top level)`: unknown key `memmory`; did you mean `memory`?");
	EXPECT(s, "zzz: 1\n", "1:1 `(top level)`: unknown key `zzz` (the schema allows no other keys here)");
}

static void pattern_properties_and_additional_schema(void **state)
{
	const char *s = "type: object\npatternProperties:\n  '^x-': {type: string}\n"
		"additionalProperties: {type: integer}\n";

	(void)state;
	EXPECT(s, "x-a: s\nb: 1\n", "");
	EXPECT(s, "x-a: 1\nb: s\n", "1:6 `x-a`: expected string, got integer `1`\n"
	       "2:4 `b`: expected integer, got string `s`");
}

static void required_is_skipped_for_partial_files(void **state)
{
	const char *s = "type: object\nrequired: [name]\nproperties:\n  name: {type: string}\n";

	(void)state;
	EXPECT(s, "other: 1\n", "1:1 `(top level)`: required key `name` is missing");
	EXPECT(s, "name: x\n", "");
	EXPECT_PARTIAL(s, "other: 1\n", "");
}

static void enum_and_const(void **state)
{
	const char *s = "properties:\n  t: {enum: [mysql, postgres]}\n  c: {const: 3}\n";

	(void)state;
	EXPECT(s, "t: mysql\nc: 3.0\n", "");
	EXPECT(s, "t: mysqll\n", "1:4 `t`: `mysqll` is not one of: mysql, postgres");
	EXPECT(s, "c: \"3\"\n", "1:4 `c`: `3` must be `3`");
}

static void pattern_and_lengths(void **state)
{
	const char *s = "properties:\n  p: {type: string, pattern: '^[a-z]+$', minLength: 2, "
		"maxLength: 4}\n";

	(void)state;
	EXPECT(s, "p: abc\n", "");
	EXPECT(s, "p: aB\n", "1:4 `p`: `aB` does not match the pattern `^[a-z]+$`");
	EXPECT(s, "p: a\n", "1:4 `p`: has 1 characters, fewer than minLength 2");
	EXPECT(s, "p: abcde\n", "1:4 `p`: has 5 characters, more than maxLength 4");
}

static void numbers_and_items(void **state)
{
	const char *s = "properties:\n  n: {minimum: 1, maximum: 10, exclusiveMaximum: 10}\n"
		"  l: {type: array, items: {type: integer}, minItems: 1, maxItems: 2}\n";

	(void)state;
	EXPECT(s, "n: 5\nl: [1, 2]\n", "");
	EXPECT(s, "n: 0\n", "1:4 `n`: 0 is below 1");
	EXPECT(s, "n: 10\n", "1:4 `n`: 10 is not below 10");
	EXPECT(s, "l: [1, x]\n", "1:8 `l[1]`: expected integer, got string `x`");
	EXPECT(s, "l: []\n", "1:4 `l`: has 0 items, fewer than minItems 1");
	EXPECT(s, "l: [1, 2, 3]\n", "1:4 `l`: has 3 items, more than maxItems 2");
}

static void combinators(void **state)
{
	const char *s = "properties:\n"
		"  a: {anyOf: [{type: string}, {type: integer}]}\n"
		"  o: {oneOf: [{type: integer}, {minimum: 0}]}\n"
		"  al: {allOf: [{type: integer}, {minimum: 3}]}\n"
		"  n: {not: {type: string}}\n"
		"  b: {anyOf: [{type: object, properties: {x: {type: integer}}}, {type: string}]}\n";

	(void)state;
	EXPECT(s, "a: x\no: -1\nal: 4\nn: 1\nb: {x: 1}\n", "");
	EXPECT(s, "a: [1]\n", "1:4 `a`: a list matches none of the 2 forms allowed here (anyOf)");
	EXPECT(s, "o: 1\n", "1:4 `o`: `1` matches more than one of the forms allowed here "
	       "(oneOf wants exactly one)");
	EXPECT(s, "al: 2\n", "1:5 `al`: 2 is below 3");
	EXPECT(s, "n: x\n", "1:4 `n`: `x` matches a form that is not allowed here (not)");
	/* Only one alternative is an object: its own finding is the helpful one. */
	EXPECT(s, "b: {x: z}\n", "1:8 `b.x`: expected integer, got string `z`");
}

static void refs_to_local_definitions(void **state)
{
	const char *s = "{\"definitions\": {\"res\": {\"type\": \"object\", "
		"\"additionalProperties\": false, \"properties\": {\"limit\": {}}}},"
		" \"properties\": {\"r\": {\"$ref\": \"#/definitions/res\"}}}";

	(void)state;
	EXPECT(s, "r: {limit: 1}\n", "");
	EXPECT(s, "r:\n  limt: 1\n", "2:3 `r`: unknown key `limt`; did you mean `limit`?");
}

static void null_deletes_a_default_in_partial_files(void **state)
{
	const char *s = "properties:\n  c: {type: object}\n";

	(void)state;
	EXPECT(s, "c:\n", "1:3 `c`: expected object, got null ``");
	EXPECT_PARTIAL(s, "c:\n", "");
}

static void bad_schema_is_an_error(void **state)
{
	struct sg_schema *s = NULL;
	char *err = NULL;

	(void)state;
	assert_int_equal(sg_schema_load(&s, "s.yaml", "a: [", 4, &err), -1);
	assert_non_null(strstr(err, "s.yaml:"));
	free(err);
	assert_int_equal(sg_schema_load(&s, "s.yaml", "- 1\n", 4, &err), -1);
	free(err);
}

/* Load must fail with exactly this message. */
#define LOAD_FAILS(schema, want) do { \
	struct sg_schema *s_ = NULL; \
	char *err_ = NULL; \
	assert_int_equal(sg_schema_load(&s_, "s.yaml", schema, strlen(schema), &err_), -1); \
	assert_null(s_); \
	assert_string_equal(err_, want); \
	free(err_); \
} while (0)

static void root_that_is_an_undefined_alias_is_refused(void **state)
{
	(void)state;
	/* Used to dereference NULL: a pusher controls schema files on hook stages. */
	LOAD_FAILS("*x\n", "s.yaml: a schema must be a mapping (or true/false)");
}

static void bad_pattern_is_refused_at_load_with_its_position(void **state)
{
	(void)state;
	LOAD_FAILS("properties:\n  p: {pattern: '(a'}\n",
		   "s.yaml:2:16: pattern '(a' is not a valid regular expression: missing closing "
		   "parenthesis at offset 2");
	LOAD_FAILS("patternProperties:\n  '[x': {}\n",
		   "s.yaml:2:3: pattern '[x' is not a valid regular expression: missing terminating "
		   "] for character class at offset 2");
}

static void bad_pattern_does_not_pass_a_second_validation(void **state)
{
	/* A pattern reachable only through an odd $ref is compiled on first use; its failure
	 * used to be cached as "no pattern", and the next validation let anything through. */
	const char *schema = "x:\n  pattern: '(a'\nproperties:\n  p: {$ref: '#/x'}\n";
	struct sg_schema *s = NULL;
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error e;
	struct sg_buf out = SG_BUF_INIT;
	char *err = NULL;

	(void)state;
	assert_int_equal(sg_schema_load(&s, "s.yaml", schema, strlen(schema), &err), 0);
	assert_int_equal(sg_yaml_parse(&doc, "p: b\n", 5, 0, &e), 0);
	assert_int_equal(sg_schema_validate(s, sg_yaml_root(doc), NULL, 0, collect, &out), -1);
	assert_int_equal(sg_schema_validate(s, sg_yaml_root(doc), NULL, 0, collect, &out), -1);
	sg_buf_release(&out);
	sg_yaml_free(doc);
	sg_schema_free(s);
}

static void non_local_and_dangling_refs_are_refused_at_load(void **state)
{
	(void)state;
	LOAD_FAILS("properties:\n  r: {$ref: 'other.json#/a'}\n",
		   "s.yaml:2:13: $ref 'other.json#/a' leaves this file: only refs into the same "
		   "schema ('#/...') are supported; copy the definition in");
	LOAD_FAILS("properties:\n  r: {$ref: '#/definitions/nope'}\n",
		   "s.yaml:2:13: $ref '#/definitions/nope' points nowhere in the schema");
}

static void non_numeric_limits_are_refused_at_load(void **state)
{
	(void)state;
	LOAD_FAILS("items: {minItems: abc}\n",
		   "s.yaml:1:19: minItems must be a whole number such as 3, not abc");
	LOAD_FAILS("properties:\n  n: {maximum: ten}\n",
		   "s.yaml:2:16: maximum must be a number, not ten");
	LOAD_FAILS("multipleOf: 0\n", "s.yaml:1:13: multipleOf must be above 0, not 0");
	LOAD_FAILS("maxLength: -1\n",
		   "s.yaml:1:12: maxLength must be a whole number such as 3, not -1");
}

static void multiple_of_tolerates_binary_fractions(void **state)
{
	const char *s = "properties:\n  n: {multipleOf: 0.1}\n  i: {multipleOf: 3}\n";

	(void)state;
	/* 0.3 / 0.1 is 2.9999999999999996 in doubles. */
	EXPECT(s, "n: 0.3\ni: 9\n", "");
	EXPECT(s, "n: 0.35\n", "1:4 `n`: 0.35 is not a multiple of 0.1");
	EXPECT(s, "i: 10\n", "1:4 `i`: 10 is not a multiple of 3");
}

static void scalars_typed_as_go_yaml_v2_types_them(void **state)
{
	const char *s = "properties:\n  n: {type: number}\n  s: {type: string}\n"
		"  i: {type: integer}\n";

	(void)state;
	/* nan and infinity are strings to go-yaml; .nan and .inf are floats. */
	EXPECT(s, "s: nan\n", "");
	EXPECT(s, "s: infinity\n", "");
	EXPECT(s, "n: .nan\n", "");
	EXPECT(s, "n: -.inf\n", "");
	EXPECT(s, "n: nan\n", "1:4 `n`: expected number, got string `nan`");
	/* Underscores are dropped, a leading 0 is octal, 0x/0o/0b prefixes count. */
	EXPECT(s, "i: 1_0\n", "");
	EXPECT(s, "i: 0x1F\n", "");
	EXPECT(s, "i: 0o17\n", "");
	EXPECT(s, "s: 1_0\n", "1:4 `s`: expected string, got integer `1_0`");
	/* 08 is no octal number, so go-yaml reads it as the float 8. */
	EXPECT(s, "i: 08\n", "");
	EXPECT(s, "s: 1e400\n", "");
	EXPECT(s, "s: 2001-12-14\n", "");
	EXPECT(s, "s: !!str 12\ni: !!int '12'\n", "");
}

static void recursion_counts_ref_hops_not_value_depth(void **state)
{
	const char *s = "definitions:\n  node:\n    type: object\n"
		"    properties: {child: {$ref: '#/definitions/node'}, v: {type: integer}}\n"
		"$ref: '#/definitions/node'\n";
	struct sg_buf values = SG_BUF_INIT;
	int i;

	(void)state;
	/* 300 levels of values under a recursive schema are not a cycle. */
	for (i = 0; i < 300; i++)
		sg_buf_addstr(&values, "{child: ");
	sg_buf_addstr(&values, "{v: x}");
	for (i = 0; i < 300; i++)
		sg_buf_addch(&values, '}');
	{
		char *got = check(s, sg_buf_str(&values), 0);

		assert_non_null(strstr(got, "expected integer, got string `x`"));
		free(got);
	}
	sg_buf_release(&values);
}

static void ref_cycle_without_descending_is_trouble(void **state)
{
	const char *schema = "allOf: [{$ref: '#'}]\n";
	struct sg_schema *s = NULL;
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error e;
	struct sg_buf out = SG_BUF_INIT;
	char *err = NULL;

	(void)state;
	assert_int_equal(sg_schema_load(&s, "s.yaml", schema, strlen(schema), &err), 0);
	assert_int_equal(sg_yaml_parse(&doc, "a: 1\n", 5, 0, &e), 0);
	assert_int_equal(sg_schema_validate(s, sg_yaml_root(doc), NULL, 0, collect, &out), -1);
	sg_buf_release(&out);
	sg_yaml_free(doc);
	sg_schema_free(s);
}

static void long_messages_are_not_truncated(void **state)
{
	const char *s = "properties:\n  e: {enum: [a]}\n";
	struct sg_buf values = SG_BUF_INIT, want = SG_BUF_INIT;
	char *got;
	int i;

	(void)state;
	/* The enum message names the value: a long key path used to be cut at 1024 bytes. */
	sg_buf_addstr(&values, "e: ");
	for (i = 0; i < 2000; i++)
		sg_buf_addch(&values, 'x');
	sg_buf_addch(&values, '\n');
	got = check(s, sg_buf_str(&values), 0);
	sg_buf_addstr(&want, "1:4 `e`: `");
	for (i = 0; i < 37; i++)
		sg_buf_addch(&want, 'x');
	sg_buf_addstr(&want, "...` is not one of: a");
	assert_string_equal(got, sg_buf_str(&want));
	free(got);
	sg_buf_release(&values);
	sg_buf_release(&want);
}

static void unique_items(void **state)
{
	const char *s = "properties:\n  l: {uniqueItems: true}\n";

	(void)state;
	EXPECT(s, "l: [1, 2, '1']\n", "");
	EXPECT(s, "l: [a, b, a]\n", "1:11 `l`: item 2 repeats item 0 (uniqueItems)");
	EXPECT(s, "l: [{a: 1}, {a: 1.0}]\n", "1:13 `l`: item 1 repeats item 0 (uniqueItems)");
}

static void min_and_max_properties(void **state)
{
	const char *s = "properties:\n  m: {minProperties: 1, maxProperties: 2}\n";

	(void)state;
	EXPECT(s, "m: {a: 1}\n", "");
	EXPECT(s, "m: {}\n", "1:4 `m`: has 0 keys, fewer than minProperties 1");
	EXPECT(s, "m: {a: 1, b: 2, c: 3}\n", "1:4 `m`: has 3 keys, more than maxProperties 2");
	/* A partial file gets the other keys from the chart's defaults. */
	EXPECT_PARTIAL(s, "m: {}\n", "");
}

static void additional_items(void **state)
{
	const char *s = "properties:\n  t: {items: [{type: string}], additionalItems: false}\n"
		"  u: {items: [{type: string}], additionalItems: {type: integer}}\n";

	(void)state;
	EXPECT(s, "t: [a]\nu: [a, 1, 2]\n", "");
	EXPECT(s, "t: [a, b]\n", "1:8 `t[1]`: no value is allowed here");
	EXPECT(s, "u: [a, b]\n", "1:8 `u[1]`: expected integer, got string `b`");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(type_as_helm_reads_yaml),
		cmocka_unit_test(additional_properties_suggests),
		cmocka_unit_test(pattern_properties_and_additional_schema),
		cmocka_unit_test(required_is_skipped_for_partial_files),
		cmocka_unit_test(enum_and_const),
		cmocka_unit_test(pattern_and_lengths),
		cmocka_unit_test(numbers_and_items),
		cmocka_unit_test(combinators),
		cmocka_unit_test(refs_to_local_definitions),
		cmocka_unit_test(null_deletes_a_default_in_partial_files),
		cmocka_unit_test(bad_schema_is_an_error),
		cmocka_unit_test(root_that_is_an_undefined_alias_is_refused),
		cmocka_unit_test(bad_pattern_is_refused_at_load_with_its_position),
		cmocka_unit_test(bad_pattern_does_not_pass_a_second_validation),
		cmocka_unit_test(non_local_and_dangling_refs_are_refused_at_load),
		cmocka_unit_test(non_numeric_limits_are_refused_at_load),
		cmocka_unit_test(multiple_of_tolerates_binary_fractions),
		cmocka_unit_test(scalars_typed_as_go_yaml_v2_types_them),
		cmocka_unit_test(recursion_counts_ref_hops_not_value_depth),
		cmocka_unit_test(ref_cycle_without_descending_is_trouble),
		cmocka_unit_test(long_messages_are_not_truncated),
		cmocka_unit_test(unique_items),
		cmocka_unit_test(min_and_max_properties),
		cmocka_unit_test(additional_items),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
