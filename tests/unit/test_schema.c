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

static void collect(const struct sg_yaml_node *node, const char *where, const char *msg,
		    void *payload)
{
	struct sg_buf *out = payload;

	(void)where;
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
	EXPECT(s, "p: a\n", "1:4 `p`: `a` is shorter than minLength 2");
	EXPECT(s, "p: abcde\n", "1:4 `p`: is 5 characters long, more than maxLength 4");
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
