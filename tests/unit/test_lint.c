/*
 * Unit tests for shared/lint.c: every rule fires where it should (exact line:col) and stays
 * quiet on the near miss; encodings, suppression comments and severities.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "diag.h"
#include "lint.h"
#include "schema.h"

/* "line:col:severity:rule" for each diagnostic, ';'-separated; the caller frees. */
static char *lint_opts(const char *path, const char *text, size_t len,
		       const struct sg_lint_opts *opts)
{
	struct sg_diags d;
	struct sg_buf out = SG_BUF_INIT;
	size_t i;

	sg_diags_init(&d, "helm-lint");
	assert_int_equal(sg_lint_buffer(&d, opts, path, text, len, NULL, 0), 0);
	for (i = 0; i < d.n; i++)
		sg_buf_addf(&out, "%s%lu:%lu:%s:%s", i ? ";" : "", d.v[i].line, d.v[i].col,
			    sg_severity_name(d.v[i].severity), d.v[i].rule);
	sg_diags_release(&d);
	return sg_buf_detach(&out);
}

static char *lint(const char *path, const char *text)
{
	return lint_opts(path, text, strlen(text), NULL);
}

/* The message of the only diagnostic; the caller frees. */
static char *message(const char *path, const char *text, size_t len)
{
	struct sg_diags d;
	char *m;

	sg_diags_init(&d, "helm-lint");
	assert_int_equal(sg_lint_buffer(&d, NULL, path, text, len, NULL, 0), 0);
	assert_int_equal(d.n, 1);
	m = strdup(d.v[0].message);
	sg_diags_release(&d);
	return m;
}

#define EXPECT(path, text, want) do { \
	char *got_ = lint(path, text); \
	assert_string_equal(got_, want); \
	free(got_); \
} while (0)

static void clean_file_is_quiet(void **state)
{
	(void)state;
	EXPECT("values.yaml", "hub:\n  db:\n    type: sqlite-pvc\nlist: [a, b]\n", "");
}

static void empty_file_is_quiet(void **state)
{
	(void)state;
	EXPECT("values.yaml", "", "");
	EXPECT("values.yaml", "# only a comment\n", "");
}

static void bom_crlf_and_markers_are_fine(void **state)
{
	(void)state;
	EXPECT("v.yaml", "\xEF\xBB\xBF" "a: 1\r\nb: 2\r\n---\nc: 3\n...\n", "");
}

static void duplicate_key_fires_with_both_positions(void **state)
{
	char *m;

	(void)state;
	EXPECT("v.yaml", "a: 1\nb:\n  c: 2\n  c: 3\n", "4:3:error:duplicate-key");
	m = message("v.yaml", "a: 1\nb:\n  c: 2\n  c: 3\n", 22);
	assert_non_null(strstr(m, "duplicate key `c` (first defined at 3:3)"));
	free(m);
}

static void duplicate_key_in_a_large_mapping(void **state)
{
	struct sg_buf b = SG_BUF_INIT;
	char *got;
	int i;

	(void)state;
	for (i = 0; i < 100; i++)
		sg_buf_addf(&b, "k%d: %d\n", i, i);
	sg_buf_addstr(&b, "k42: again\n");
	got = lint("v.yaml", sg_buf_str(&b));
	assert_string_equal(got, "101:1:error:duplicate-key");
	free(got);
	sg_buf_release(&b);
}

static void same_key_in_different_mappings_is_fine(void **state)
{
	(void)state;
	EXPECT("v.yaml", "a:\n  name: x\nb:\n  name: x\nc: [{name: 1}, {name: 2}]\n", "");
}

static void tab_indent_fires_where_the_tab_is(void **state)
{
	(void)state;
	EXPECT("v.yaml", "a:\n\tb: 1\n", "2:1:error:tab-indent");
	EXPECT("v.yaml", "a:\n  b: 1\n  \tc: 2\n", "3:3:error:tab-indent");
}

static void tabs_in_strings_and_comments_are_fine(void **state)
{
	(void)state;
	EXPECT("v.yaml", "a: \"x\ty\"\nb: |\n  code\n  \tmore\n# \tcomment\nc: 1\t# tab before\n", "");
}

static void truthy_fires_on_plain_yes_no_on_off(void **state)
{
	(void)state;
	EXPECT("v.yaml", "a: yes\nb: Off\nc: n\n", "1:4:warning:truthy;2:4:warning:truthy;"
	       "3:4:warning:truthy");
	EXPECT("v.yaml", "on: 1\n", "1:1:warning:truthy");
}

static void truthy_is_quiet_on_true_and_quoted(void **state)
{
	(void)state;
	EXPECT("v.yaml", "a: true\nb: \"yes\"\nc: 'no'\nd: !!str on\ne: yesterday\n", "");
}

static void undefined_alias_fires(void **state)
{
	(void)state;
	EXPECT("v.yaml", "a: 1\nb: *nope\n", "2:4:error:undefined-alias");
	EXPECT("v.yaml", "a: &x 1\nb: *x\n", "");
}

static void alias_bomb_is_refused_without_expanding(void **state)
{
	const char *bomb =
		"a: &a [x,x,x,x,x,x,x,x,x,x]\n"
		"b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
		"d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		"e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
		"f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		"g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
		"h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
		"i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";

	(void)state;
	EXPECT("v.yaml", bomb, "6:29:error:alias-bomb");
	/* A few reuses are what anchors are for. */
	EXPECT("v.yaml", "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: [*a,*a,*a]\n", "");
}

static void recursive_alias_is_a_bomb(void **state)
{
	(void)state;
	EXPECT("v.yaml", "a: &a\n  b: *a\n", "2:6:error:alias-bomb");
}

static void unclosed_quote_is_blamed_where_it_opens(void **state)
{
	(void)state;
	EXPECT("v.yaml", "a: 1\nb: \"abc\nc: 2\nd: 3\n", "2:4:error:syntax");
	EXPECT("v.yaml", "a: 1\nb: 'abc\n", "2:4:error:syntax");
}

static void unclosed_bracket_is_blamed_where_it_opens(void **state)
{
	(void)state;
	EXPECT("v.yaml", "x: 0\na: [1, 2\nb: 3\n", "2:4:error:syntax");
	EXPECT("v.yaml", "a: {b: 1\nc: 2\n", "1:4:error:syntax");
}

static void closed_bracket_error_is_blamed_at_the_problem(void **state)
{
	(void)state;
	EXPECT("v.yaml", "a: [1, 2 3: 4: 5]\n", "1:14:error:syntax");
}

static void syntax_error_names_problem_and_context(void **state)
{
	char *m;
	const char *t = "a: 1\nb: x: y\n";

	(void)state;
	EXPECT("v.yaml", t, "2:5:error:syntax");
	m = message("v.yaml", "a:\n  - b\n  c: d\n", 16);
	assert_non_null(strstr(m, "while parsing a block"));
	free(m);
}

static void latin1_byte_is_a_clear_error(void **state)
{
	char *m;

	(void)state;
	EXPECT("v.yaml", "a: 1\nb: caf\xE9\n", "2:7:error:syntax");
	m = message("v.yaml", "a: caf\xE9\n", 8);
	assert_non_null(strstr(m, "invalid UTF-8: byte 0xE9"));
	free(m);
}

static void nul_byte_is_a_binary_file(void **state)
{
	char *got, *m;

	(void)state;
	got = lint_opts("v.yaml", "a: 1\nb\0c", 8, NULL);
	assert_string_equal(got, "2:2:error:syntax");
	free(got);
	m = message("v.yaml", "\x7F" "ELF\0\0\0", 7);
	assert_non_null(strstr(m, "control character U+007F"));
	free(m);
}

static void utf8_text_is_fine(void **state)
{
	(void)state;
	EXPECT("v.yaml", "name: caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x98\x80\n", "");
}

static void columns_count_characters(void **state)
{
	(void)state;
	EXPECT("v.yaml", "\xC3\xA9\xC3\xA9: 1\n\xC3\xA9\xC3\xA9: 2\n", "2:1:error:duplicate-key");
	EXPECT("v.yaml", "a: \xC3\xA9\xC3\xA9\xFF\n", "1:6:error:syntax");
}

static void deep_nesting_parses_and_deeper_is_refused(void **state)
{
	struct sg_buf b = SG_BUF_INIT;
	char *got;
	int i;

	(void)state;
	for (i = 0; i < 10000; i++)
		sg_buf_addch(&b, '[');
	for (i = 0; i < 10000; i++)
		sg_buf_addch(&b, ']');
	got = lint("v.yaml", sg_buf_str(&b));
	assert_string_equal(got, "");
	free(got);
	sg_buf_reset(&b);
	for (i = 0; i < 10001; i++)
		sg_buf_addch(&b, '[');
	got = lint("v.yaml", sg_buf_str(&b));
	assert_string_equal(got, "1:10001:error:syntax");
	free(got);
	sg_buf_release(&b);
}

static void disable_comment_on_the_line_or_above(void **state)
{
	(void)state;
	EXPECT("v.yaml", "a: 1\na: 2 # stagegate: disable=duplicate-key\n", "");
	EXPECT("v.yaml", "a: 1\n# stagegate: disable=duplicate-key\na: 2\n", "");
	EXPECT("v.yaml", "a: 1\n# stagegate: disable=truthy\na: 2\n", "3:1:error:duplicate-key");
	EXPECT("v.yaml", "# stagegate: disable=duplicate-key\na: 1\n\na: 2\n",
	       "4:1:error:duplicate-key");
}

static void disable_file_anywhere(void **state)
{
	(void)state;
	EXPECT("v.yaml", "a: yes\nb: no\n# stagegate: disable-file=truthy,duplicate-key\n", "");
	/* Not a comment: the text of a value disables nothing. */
	EXPECT("v.yaml", "a: yes\nb: 'x#stagegate: disable-file=truthy'\n", "1:4:warning:truthy");
}

static void markers_inside_quoted_strings_disable_nothing(void **state)
{
	(void)state;
	/* The '#' is preceded by a blank, as in a comment, but it is inside the string. */
	EXPECT("v.yaml", "a: yes\nb: 'see # stagegate: disable-file=all'\n", "1:4:warning:truthy");
	EXPECT("v.yaml", "a: 1\na: \"x # stagegate: disable=duplicate-key\"\n",
	       "2:1:error:duplicate-key");
	EXPECT("v.yaml", "a: |\n  # stagegate: disable-file=all\nb: yes\n", "3:4:warning:truthy");
	/* A comment on a block scalar's header line is a comment. */
	EXPECT("v.yaml", "a: |  # stagegate: disable-file=truthy\n  text\nb: yes\n", "");
	/* A comment after a quoted string on the same line is one too. */
	EXPECT("v.yaml", "a: 'q' # stagegate: disable-file=truthy\nb: yes\n", "");
}

static void a_marker_on_every_line_of_a_large_file(void **state)
{
	struct sg_buf b = SG_BUF_INIT;
	char *got;
	int i;

	(void)state;
	/* Markers and findings on every line: each finding needs the marker of its own line
	 * (this took 35 s when every marker counted lines from the start of the file). */
	for (i = 0; i < 40000; i++)
		sg_buf_addf(&b, "k%d: yes  # stagegate: disable=truthy\n", i);
	sg_buf_addstr(&b, "\nlast: yes\n");
	got = lint("v.yaml", sg_buf_str(&b));
	assert_string_equal(got, "40002:7:warning:truthy");
	free(got);
	sg_buf_release(&b);
}

static void utf16_is_refused_with_the_fix(void **state)
{
	char *m;

	(void)state;
	m = message("v.yaml", "\xFF\xFE" "a\0:\0 \0" "1\0", 10);
	assert_string_equal(m, "file is UTF-16 encoded; helm values and charts must be UTF-8");
	free(m);
	EXPECT("v.yaml", "\xFE\xFF", "1:1:error:syntax");
}

static void severities_are_configurable(void **state)
{
	struct sg_lint_opts o;
	char *got;
	const char *t = "a: yes\na: 1\n";

	(void)state;
	sg_lint_opts_init(&o);
	o.severity[SG_LINT_TRUTHY] = SG_ERROR;
	o.severity[SG_LINT_DUPLICATE_KEY] = SG_LINT_OFF;
	got = lint_opts("v.yaml", t, strlen(t), &o);
	assert_string_equal(got, "1:4:error:truthy");
	free(got);
	assert_int_equal(sg_lint_rule_parse("chart-version"), SG_LINT_CHART_VERSION);
	assert_int_equal(sg_lint_rule_parse("nope"), -1);
}

static void chart_good_v2_is_quiet(void **state)
{
	(void)state;
	EXPECT("jupyterhub/Chart.yaml",
	       "apiVersion: v2\nname: jupyterhub\nversion: 4.0.0-0.dev.git.6632.h3b8d8d5f\n"
	       "appVersion: \"5.0.0\"\ntype: application\n"
	       "dependencies:\n  - name: x\n    version: \">=1.0.0, <2\"\n"
	       "    repository: https://example.org\n", "");
	EXPECT("hub/Chart.yaml", "apiVersion: v2\nname: hub\n"
	       "version: 20240731-224556.git.8607.hf7abb041\n", "");
	EXPECT("hub/Chart.yaml", "apiVersion: v1\nname: hub\nversion: 0.0.1-set.by.chartpress\n",
	       "");
}

static void chart_api_version(void **state)
{
	(void)state;
	EXPECT("c/Chart.yaml", "apiVersion: v3\nname: c\nversion: 1.0.0\n",
	       "1:13:error:chart-api-version");
	EXPECT("c/Chart.yaml", "name: c\nversion: 1.0.0\n", "1:1:error:chart-api-version");
}

static void chart_name(void **state)
{
	(void)state;
	EXPECT("c/Chart.yaml", "apiVersion: v2\nname: My_c\nversion: 1.0.0\n",
	       "2:7:error:chart-name");
	EXPECT("c/Chart.yaml", "apiVersion: v2\nversion: 1.0.0\n", "1:1:error:chart-name");
	EXPECT("c/Chart.yaml", "apiVersion: v2\nname: d\nversion: 1.0.0\n",
	       "2:7:warning:chart-folder");
	EXPECT("Chart.yaml", "apiVersion: v2\nname: d\nversion: 1.0.0\n", "");
}

static void chart_version(void **state)
{
	(void)state;
	EXPECT("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0\n",
	       "3:10:error:chart-version");
	EXPECT("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: \"1.0\"\n", "");
	EXPECT("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: one\n",
	       "3:10:error:chart-version");
	EXPECT("c/Chart.yaml", "apiVersion: v2\nname: c\n", "1:1:error:chart-version");
}

static void chart_app_version_and_type(void **state)
{
	(void)state;
	EXPECT("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: 1.10\n",
	       "4:13:error:chart-app-version");
	EXPECT("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\nappVersion: 1.10.1\n",
	       "");
	EXPECT("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\ntype: app\n",
	       "4:7:error:chart-type");
	EXPECT("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\ntype: library\n", "");
}

static void chart_dependencies(void **state)
{
	(void)state;
	EXPECT("c/Chart.yaml", "apiVersion: v1\nname: c\nversion: 1.0.0\ndependencies: []\n",
	       "4:1:error:chart-dependencies");
	EXPECT("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n"
	       "  - name: x\n    version: \">= 1 <\"\n", "5:5:error:chart-dependencies;"
	       "6:14:error:chart-dependencies");
	EXPECT("c/requirements.yaml", "dependencies:\n  - name: x\n    version: 0.1.0-abc\n"
	       "    repository: https://x\n", "");
	EXPECT("c/requirements.yaml", "dependencies:\n  - version: 1.0.0\n    repository: r\n",
	       "2:5:error:chart-dependencies");
}

static void chart_unknown_key_suggests(void **state)
{
	char *m;
	const char *t = "apiVersion: v2\nname: c\nversion: 1.0.0\nverison: 2\n";

	(void)state;
	EXPECT("c/Chart.yaml", t, "4:1:warning:chart-unknown-key");
	m = message("c/Chart.yaml", t, strlen(t));
	assert_non_null(strstr(m, "did you mean `version`?"));
	free(m);
}

static void chart_rules_only_apply_to_chart_files(void **state)
{
	(void)state;
	EXPECT("c/values.yaml", "apiVersion: v9\nversion: 1.0\n", "");
}

static void schema_findings_are_reported_at_their_line(void **state)
{
	const char *schema = "type: object\nproperties:\n  hub:\n    type: object\n"
		"    additionalProperties: false\n    properties:\n      memory: {type: string}\n";
	const char *values = "jupyterhub:\n  hub:\n    memmory: 1G\n";
	struct sg_schema *s = NULL;
	struct sg_lint_schema_use use;
	struct sg_diags d;
	char *err = NULL;

	(void)state;
	assert_int_equal(sg_schema_load(&s, "s.yaml", schema, strlen(schema), &err), 0);
	use.schema = s;
	use.at = "jupyterhub";
	use.flags = SG_SCHEMA_PARTIAL;
	sg_diags_init(&d, "helm-lint");
	assert_int_equal(sg_lint_buffer(&d, NULL, "v.yaml", values, strlen(values), &use, 1), 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].line, 3);
	assert_int_equal(d.v[0].col, 5);
	assert_string_equal(d.v[0].rule, "schema");
	assert_non_null(strstr(d.v[0].message, "did you mean `memory`?"));
	sg_diags_release(&d);
	sg_schema_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_file_is_quiet),
		cmocka_unit_test(empty_file_is_quiet),
		cmocka_unit_test(bom_crlf_and_markers_are_fine),
		cmocka_unit_test(duplicate_key_fires_with_both_positions),
		cmocka_unit_test(duplicate_key_in_a_large_mapping),
		cmocka_unit_test(same_key_in_different_mappings_is_fine),
		cmocka_unit_test(tab_indent_fires_where_the_tab_is),
		cmocka_unit_test(tabs_in_strings_and_comments_are_fine),
		cmocka_unit_test(truthy_fires_on_plain_yes_no_on_off),
		cmocka_unit_test(truthy_is_quiet_on_true_and_quoted),
		cmocka_unit_test(undefined_alias_fires),
		cmocka_unit_test(alias_bomb_is_refused_without_expanding),
		cmocka_unit_test(recursive_alias_is_a_bomb),
		cmocka_unit_test(unclosed_quote_is_blamed_where_it_opens),
		cmocka_unit_test(unclosed_bracket_is_blamed_where_it_opens),
		cmocka_unit_test(closed_bracket_error_is_blamed_at_the_problem),
		cmocka_unit_test(syntax_error_names_problem_and_context),
		cmocka_unit_test(latin1_byte_is_a_clear_error),
		cmocka_unit_test(nul_byte_is_a_binary_file),
		cmocka_unit_test(utf8_text_is_fine),
		cmocka_unit_test(columns_count_characters),
		cmocka_unit_test(deep_nesting_parses_and_deeper_is_refused),
		cmocka_unit_test(disable_comment_on_the_line_or_above),
		cmocka_unit_test(disable_file_anywhere),
		cmocka_unit_test(markers_inside_quoted_strings_disable_nothing),
		cmocka_unit_test(a_marker_on_every_line_of_a_large_file),
		cmocka_unit_test(utf16_is_refused_with_the_fix),
		cmocka_unit_test(severities_are_configurable),
		cmocka_unit_test(chart_good_v2_is_quiet),
		cmocka_unit_test(chart_api_version),
		cmocka_unit_test(chart_name),
		cmocka_unit_test(chart_version),
		cmocka_unit_test(chart_app_version_and_type),
		cmocka_unit_test(chart_dependencies),
		cmocka_unit_test(chart_unknown_key_suggests),
		cmocka_unit_test(chart_rules_only_apply_to_chart_files),
		cmocka_unit_test(schema_findings_are_reported_at_their_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
