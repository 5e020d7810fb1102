/*
 * sg_hook_main: git's hook protocols in, one report out. Exit 0 lets git go on; anything
 * else refuses, and so does every failure to do the job.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2.h>

#include "buf.h"
#include "gitlib.h"
#include "check.h"
#include "hook.h"
#include "pipeline.h"
#include "regex.h"
#include "repo.h"
#include "run.h"
#include "banned.h"

static int read_all_stdin(struct sg_buf *in)
{
	if (sg_buf_read_fd(in, 0) < 0)
		return sg_error("cannot read the hook's standard input: %s", strerror(errno));
	return 0;
}

/* pre-commit and pre-merge-commit have no updates: describe the commit being made as
 * "<HEAD> <HEAD> refs/heads/<branch>" (old == new: a commit pending on that branch). */
static int pending_commit(struct sg_updates *u, git_repository *repo)
{
	git_reference *head = NULL;
	git_oid oid;
	const char *target;
	int err = git_reference_lookup(&head, repo, "HEAD");

	if (err < 0)
		return sg_error_git(err, "cannot read HEAD");
	if (git_reference_type(head) != GIT_REFERENCE_SYMBOLIC) {
		/* Detached HEAD: no branch gets the commit. */
		git_reference_free(head);
		return 0;
	}
	target = git_reference_symbolic_target(head);
	memset(&oid, 0, sizeof(oid));
	if (git_reference_name_to_id(&oid, repo, target) < 0)
		git_error_clear();	/* unborn branch: zero */
	sg_updates_add(u, &oid, &oid, target);
	git_reference_free(head);
	return 0;
}

static int run_chained(const char *path, int argc, char **argv, const struct sg_buf *in)
{
	struct sg_child c;
	const char **av;
	struct stat st;
	struct sg_buf why = SG_BUF_INIT;
	int i, ret = 0;

	if (stat(path, &st) < 0)
		return 0;
	if (access(path, X_OK) < 0) {
		/* git ignores a hook that is not executable, and says so once. */
		sg_warn("the earlier hook '%s' is not executable and was not run", path);
		return 0;
	}
	av = sg_calloc((size_t)argc + 1, sizeof(*av));
	av[0] = path;
	for (i = 1; i < argc; i++)
		av[i] = argv[i];
	sg_child_init(&c);
	c.argv = av;
	c.in = sg_buf_str(in);
	c.inlen = in->len;
	c.inherit_output = 1;
	if (sg_run_all(&c, 1) < 0 || c.status) {
		sg_child_describe(&why, &c);
		sg_error("the earlier hook '%s' refused: %s", path, sg_buf_str(&why));
		ret = 1;
	}
	sg_buf_release(&why);
	sg_child_release(&c);
	free(av);
	return ret;
}

static int hook_usage(enum sg_stage stage)
{
	switch (stage) {
	case SG_STAGE_UPDATE:
		return sg_error("update hook: usage: update <refname> <old-oid> <new-oid>");
	case SG_STAGE_PRE_PUSH:
		return sg_error("pre-push hook: usage: pre-push <remote-name> <remote-url> "
				"(updates on standard input)");
	default:
		return sg_error("%s hook: takes no arguments", sg_stage_name(stage));
	}
}

/* The remote's name when git gave one; a URL pushed to directly has no tracking refs. */
static const char *remote_name(const char *arg)
{
	if (!arg || !*arg || strchr(arg, '/') || strchr(arg, ':'))
		return NULL;
	return arg;
}

int sg_hook_main(int argc, char **argv, enum sg_stage stage)
{
	struct sg_updates updates;
	struct sg_buf in = SG_BUF_INIT, user = SG_BUF_INIT;
	struct sg_pipeline p;
	struct sg_config *cfg = NULL;
	git_repository *repo = NULL;
	const char *chained = getenv("STAGEGATE_CHAINED");
	int ret = 1, rc;

	sg_sanitize_fds();
	signal(SIGPIPE, SIG_IGN);
	sg_git_init();
	sg_updates_init(&updates);
	memset(&p, 0, sizeof(p));

	switch (stage) {
	case SG_STAGE_PRE_RECEIVE:
		if (argc != 1) {
			hook_usage(stage);
			goto cleanup;
		}
		if (read_all_stdin(&in) < 0 ||
		    sg_updates_parse_receive(&updates, sg_buf_str(&in), in.len,
					     "pre-receive input") < 0)
			goto cleanup;
		break;
	case SG_STAGE_UPDATE:
		if (argc != 4) {
			hook_usage(stage);
			goto cleanup;
		}
		if (sg_updates_parse_args(&updates, argv[1], argv[2], argv[3]) < 0)
			goto cleanup;
		break;
	case SG_STAGE_PRE_PUSH:
		if (argc != 3) {
			hook_usage(stage);
			goto cleanup;
		}
		if (read_all_stdin(&in) < 0 ||
		    sg_updates_parse_push(&updates, sg_buf_str(&in), in.len, "pre-push input") < 0)
			goto cleanup;
		p.remote = remote_name(argv[1]);
		p.remote_url = argv[2];
		break;
	default:
		if (argc != 1) {
			hook_usage(stage);
			goto cleanup;
		}
		break;
	}

	if (sg_repo_open(&repo) < 0)
		goto cleanup;
	if ((stage == SG_STAGE_PRE_COMMIT || stage == SG_STAGE_PRE_MERGE_COMMIT) &&
	    pending_commit(&updates, repo) < 0)
		goto cleanup;
	if (sg_config_for(&cfg, stage, NULL, repo) < 0) {
		sg_error("refusing the %s: fix the config first", sg_stage_name(stage));
		goto cleanup;
	}

	/* Nothing to push (git calls pre-push even then), or no checks for this stage. */
	if ((!updates.n && stage != SG_STAGE_PRE_COMMIT && stage != SG_STAGE_PRE_MERGE_COMMIT) ||
	    !cfg->stages[stage].n) {
		ret = 0;
		goto chain;
	}
	sg_identity(&user, sg_stage_is_server(stage));
	p.stage = stage;
	p.config_path = sg_config_file(cfg);
	p.cfg = cfg;
	p.repo = repo;
	p.updates = &updates;
	p.format = SG_FORMAT_TEXT;
	p.user = sg_buf_str(&user);
	/* pre-receive already reported on the whole push; update speaks only to refuse. */
	p.quiet_ok = stage == SG_STAGE_UPDATE;
	rc = sg_pipeline_run(&p);
	if (rc != 0)
		goto cleanup;
	ret = 0;

chain:
	if (chained && *chained)
		ret = run_chained(chained, argc, argv, &in);

cleanup:
	sg_updates_release(&updates);
	sg_config_free(cfg);
	git_repository_free(repo);
	sg_buf_release(&in);
	sg_buf_release(&user);
	sg_git_shutdown();
	return ret;
}
