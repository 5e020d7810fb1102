/*
 * Unit tests for shared/soak.c on a real (temporary, bare) repository whose reflog is
 * written by hand, as a server's would be after pushes and a force-push.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <git2.h>

#include "buf.h"
#include "gitlib.h"
#include "soak.h"

struct fixture {
	char dir[64];
	git_repository *repo;
	git_oid a, b, c;	/* a <- b on one line; c unrelated */
};

static void commit(git_oid *out, git_repository *repo, const git_oid *parent, const char *msg)
{
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	git_commit *p = NULL;
	git_signature *sig = NULL;
	git_oid tree_id;

	assert_int_equal(git_treebuilder_new(&tb, repo, NULL), 0);
	assert_int_equal(git_treebuilder_write(&tree_id, tb), 0);
	assert_int_equal(git_tree_lookup(&tree, repo, &tree_id), 0);
	assert_int_equal(git_signature_new(&sig, "t", "t@example.org", 1700000000, 0), 0);
	if (parent)
		assert_int_equal(git_commit_lookup(&p, repo, parent), 0);
	assert_int_equal(git_commit_create_v(out, repo, NULL, sig, sig, NULL, msg, tree,
					     parent ? 1 : 0, p), 0);
	git_commit_free(p);
	git_signature_free(sig);
	git_tree_free(tree);
	git_treebuilder_free(tb);
}

static void mkdirs(const char *path)
{
	struct sg_buf cmd = SG_BUF_INIT;

	sg_buf_addf(&cmd, "mkdir -p '%s'", path);
	assert_int_equal(system(cmd.buf), 0);
	sg_buf_release(&cmd);
}

static void write_reflog(struct fixture *f, const char *lines)
{
	struct sg_buf path = SG_BUF_INIT;
	FILE *fp;

	sg_buf_addf(&path, "%s/logs/refs/heads", f->dir);
	mkdirs(path.buf);
	sg_buf_addstr(&path, "/staging");
	fp = fopen(path.buf, "w");
	assert_non_null(fp);
	fputs(lines, fp);
	fclose(fp);
	sg_buf_release(&path);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/sg-soak-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	sg_git_init();
	if (git_repository_init(&f->repo, f->dir, 1) < 0)
		return -1;
	commit(&f->a, f->repo, NULL, "a");
	commit(&f->b, f->repo, &f->a, "b");
	commit(&f->c, f->repo, NULL, "c");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct sg_buf cmd = SG_BUF_INIT;

	git_repository_free(f->repo);
	git_libgit2_shutdown();
	sg_buf_addf(&cmd, "rm -rf '%s'", f->dir);
	if (system(cmd.buf) != 0)
		return -1;
	sg_buf_release(&cmd);
	free(f);
	return 0;
}

/* "<old> <new> who <when> +0000\tmsg\n" */
static void entry(struct sg_buf *b, const git_oid *old, const git_oid *new_oid, long when)
{
	char o[GIT_OID_HEXSZ + 1], n[GIT_OID_HEXSZ + 1];

	if (old)
		git_oid_tostr(o, sizeof(o), old);
	else
		snprintf(o, sizeof(o), "%040d", 0);
	git_oid_tostr(n, sizeof(n), new_oid);
	sg_buf_addf(b, "%s %s Pusher <p@example.org> %ld +0000\tpush\n", o, n, when);
}

/* sg_soak_since for n commits, the reflog read once. */
static int since_of(long long *since, struct fixture *f, const char *ref, const git_oid *c,
		    size_t n)
{
	git_reflog *log = NULL;
	int r;

	assert_int_equal(sg_soak_read(&log, f->repo, ref), 0);
	r = sg_soak_since(since, f->repo, log, c, n);
	git_reflog_free(log);
	return r;
}

static void soak_starts_when_the_commit_landed(void **state)
{
	struct fixture *f = *state;
	struct sg_buf log = SG_BUF_INIT;
	long long since = 0;

	entry(&log, NULL, &f->a, 1000);
	entry(&log, &f->a, &f->b, 2000);
	write_reflog(f, log.buf);
	assert_int_equal(since_of(&since, f, "refs/heads/staging", &f->a, 1), 1);
	assert_int_equal(since, 1000);
	assert_int_equal(since_of(&since, f, "refs/heads/staging", &f->b, 1), 1);
	assert_int_equal(since, 2000);
	assert_int_equal(since_of(&since, f, "refs/heads/staging", &f->c, 1), 0);
	sg_buf_release(&log);
}

static void a_force_push_away_restarts_the_soak(void **state)
{
	struct fixture *f = *state;
	struct sg_buf log = SG_BUF_INIT;
	long long since = 0;

	entry(&log, NULL, &f->a, 1000);
	entry(&log, &f->a, &f->c, 2000);	/* a is gone from staging ... */
	entry(&log, &f->c, &f->b, 3000);	/* ... and back with b */
	write_reflog(f, log.buf);
	assert_int_equal(since_of(&since, f, "refs/heads/staging", &f->a, 1), 1);
	assert_int_equal(since, 3000);
	sg_buf_release(&log);
}

static void one_reading_answers_for_every_candidate(void **state)
{
	struct fixture *f = *state;
	struct sg_buf log = SG_BUF_INIT;
	git_oid both[2], c_first[2];
	long long since = 0;

	entry(&log, NULL, &f->a, 1000);
	entry(&log, &f->a, &f->b, 2000);
	write_reflog(f, log.buf);
	/* The earliest of the candidates still on the branch decides. */
	git_oid_cpy(&both[0], &f->b);
	git_oid_cpy(&both[1], &f->a);
	assert_int_equal(since_of(&since, f, "refs/heads/staging", both, 2), 1);
	assert_int_equal(since, 1000);
	/* A candidate the branch never had does not stop the others being dated. */
	git_oid_cpy(&c_first[0], &f->c);
	git_oid_cpy(&c_first[1], &f->b);
	assert_int_equal(since_of(&since, f, "refs/heads/staging", c_first, 2), 1);
	assert_int_equal(since, 2000);
	assert_int_equal(since_of(&since, f, "refs/heads/staging", &f->c, 1), 0);
	sg_buf_release(&log);
}

static void no_reflog_is_no_answer(void **state)
{
	struct fixture *f = *state;
	long long since = 0;

	assert_int_equal(since_of(&since, f, "refs/heads/nothing", &f->a, 1), 0);
}

static void durations_read_naturally(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(sg_soak_duration(buf, sizeof(buf), 59), "0 min");
	assert_string_equal(sg_soak_duration(buf, sizeof(buf), 42 * 60 + 5), "42 min");
	assert_string_equal(sg_soak_duration(buf, sizeof(buf), 125 * 60), "2 h 5 min");
	assert_string_equal(sg_soak_duration(buf, sizeof(buf), 76 * 3600), "3 d 4 h");
	assert_string_equal(sg_soak_duration(buf, sizeof(buf), -5), "0 min");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(soak_starts_when_the_commit_landed, setup, teardown),
		cmocka_unit_test_setup_teardown(a_force_push_away_restarts_the_soak, setup, teardown),
		cmocka_unit_test_setup_teardown(one_reading_answers_for_every_candidate, setup,
						teardown),
		cmocka_unit_test_setup_teardown(no_reflog_is_no_answer, setup, teardown),
		cmocka_unit_test(durations_read_naturally),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
