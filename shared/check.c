/*
 * sg_check_main: everything a check executable does besides its policy.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "gitlib.h"
#include "check.h"
#include "regex.h"
#include "repo.h"
#include "banned.h"

void sg_identity(struct sg_buf *out, int platform_only)
{
	static const char *const vars[] = { "STAGEGATE_USER", "GL_USERNAME",
					    "GITHUB_USER_LOGIN", "GITEA_PUSHER_NAME",
					    "REMOTE_USER", NULL };
	struct passwd *pw;
	size_t i;

	for (i = platform_only ? 1 : 0; vars[i]; i++) {
		const char *v = getenv(vars[i]);

		if (v && *v) {
			sg_buf_addstr(out, v);
			return;
		}
	}
	pw = getpwuid(getuid());
	if (pw && pw->pw_name)
		sg_buf_addstr(out, pw->pw_name);
	else
		sg_buf_addf(out, "uid-%lu", (unsigned long)getuid());
}

size_t sg_push_options(char ***out)
{
	const char *cnt = getenv("GIT_PUSH_OPTION_COUNT");
	unsigned long n = cnt ? strtoul(cnt, NULL, 10) : 0, i;
	char **v;

	if (n > 1000)
		n = 1000;
	v = sg_calloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++) {
		char name[64];
		const char *val;

		snprintf(name, sizeof(name), "GIT_PUSH_OPTION_%lu", i);
		val = getenv(name);
		v[i] = sg_strdup(val ? val : "");
	}
	*out = v;
	return n;
}

const char *sg_push_option(char *const *opts, const char *name, int *present)
{
	size_t len = strlen(name), i;
	const char *found = NULL;

	if (present)
		*present = 0;
	for (i = 0; opts && opts[i]; i++) {
		if (strncmp(opts[i], name, len))
			continue;
		if (opts[i][len] == '=') {
			found = opts[i] + len + 1;
		} else if (opts[i][len] == '\0') {
			found = "";
		} else {
			continue;
		}
		if (present)
			*present = 1;
	}
	return found;
}

int sg_check_changed_paths(char ***out, const struct sg_check_ctx *ctx,
			   const struct sg_update *u)
{
	static const char *const server[] = { "refs/heads/*", "refs/tags/*", NULL };
	struct sg_buf glob = SG_BUF_INIT;
	const char *client[3] = { "refs/tags/*", NULL, NULL };
	int ret;

	if (ctx->stage != SG_STAGE_PRE_PUSH)
		return sg_repo_changed_paths(out, ctx->repo, u, server);
	/* Pushing to a URL there are no tracking refs: every commit not tagged is new. */
	if (ctx->remote) {
		sg_buf_addf(&glob, "refs/remotes/%s/*", ctx->remote);
		client[1] = sg_buf_str(&glob);
	}
	ret = sg_repo_changed_paths(out, ctx->repo, u, client);
	sg_buf_release(&glob);
	return ret;
}

int sg_check_upstream_tip(git_oid *tip, char **ref, const struct sg_check_ctx *ctx,
			  const char *upstream)
{
	struct sg_buf tries[2] = { SG_BUF_INIT, SG_BUF_INIT };
	size_t i, n = 0;
	int ret = SG_CHECK_NO_UPSTREAM;

	*ref = NULL;
	if (ctx->stage == SG_STAGE_PRE_PUSH && ctx->remote) {
		sg_buf_addf(&tries[n++], "refs/remotes/%s/%s", ctx->remote, upstream);
	} else {
		sg_buf_addf(&tries[n++], "refs/heads/%s", upstream);
		if (!sg_stage_is_server(ctx->stage))
			sg_buf_addf(&tries[n++], "refs/remotes/origin/%s", upstream);
	}
	for (i = 0; i < n && ret; i++) {
		if (git_reference_name_to_id(tip, ctx->repo, sg_buf_str(&tries[i])) == 0) {
			*ref = sg_buf_detach(&tries[i]);
			ret = 0;
		}
		git_error_clear();
	}
	for (i = 0; i < n; i++)
		sg_buf_release(&tries[i]);
	return ret;
}

static int file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int sg_config_locate(char **out, enum sg_stage stage, const char *explicit_path,
		     git_repository *repo)
{
	int server = sg_stage_is_server(stage);
	git_config *gc = NULL;
	git_buf gb = { NULL, 0, 0 };
	const char *env = getenv("STAGEGATE_CONFIG");
	struct sg_buf p = SG_BUF_INIT;

	*out = NULL;
	if (explicit_path) {
		*out = sg_strdup(explicit_path);
		return 0;
	}
	/* A pusher cannot set the server's environment, but be explicit: the server's policy
	 * comes from the server's files only. */
	if (!server && env && *env) {
		*out = sg_strdup(env);
		return 0;
	}
	if (repo && git_repository_config_snapshot(&gc, repo) == 0 &&
	    git_config_get_path(&gb, gc, "stagegate.config") == 0) {
		*out = sg_strdup(gb.ptr);
		git_buf_dispose(&gb);
		git_config_free(gc);
		return 0;
	}
	git_config_free(gc);
	if (server) {
		if (!repo)
			return sg_error("no repository, so no server config: run in the bare "
					"repository, set GIT_DIR, or give --config FILE");
		sg_buf_addf(&p, "%sstagegate.yml", git_repository_commondir(repo));
		if (!file_exists(sg_buf_str(&p))) {
			sg_error("no server config at '%s': refusing the push (install it with "
				 "'install.sh --server DIR --config FILE' or set git config "
				 "stagegate.config)", sg_buf_str(&p));
			sg_buf_release(&p);
			return -1;
		}
		*out = sg_buf_detach(&p);
		return 0;
	}
	if (repo && !git_repository_is_bare(repo) && git_repository_workdir(repo)) {
		sg_buf_addf(&p, "%s.stagegate.yml", git_repository_workdir(repo));
		if (file_exists(sg_buf_str(&p))) {
			*out = sg_buf_detach(&p);
			return 0;
		}
	} else if (!repo && file_exists(".stagegate.yml")) {
		*out = sg_strdup(".stagegate.yml");
	}
	sg_buf_release(&p);
	return 0;
}

int sg_config_for(struct sg_config **out, enum sg_stage stage, const char *explicit_path,
		  git_repository *repo)
{
	char *path = NULL;
	int ret;

	*out = NULL;
	if (sg_config_locate(&path, stage, explicit_path, repo) < 0)
		return -1;
	if (!path) {
		*out = sg_config_default();
		return 0;
	}
	ret = sg_config_load(out, path);
	free(path);
	return ret;
}

static void usage(FILE *f, const struct sg_check_def *def)
{
	fprintf(f, "usage: stagegate-%s [--stage STAGE] [--config FILE] "
		"[--format text|json|github]%s%s\n"
		"%s\n"
		"Reads ref updates '<old-oid> <new-oid> <refname>' on standard input.\n"
		"Exit status: 0 passed, 1 policy failure, 2 could not run.\n",
		def->id, def->usage ? " " : "", def->usage ? def->usage : "", def->summary);
}

static int read_stdin(struct sg_buf *in)
{
	/* A check run by hand on a terminal has no updates to read. */
	if (isatty(0))
		return 0;
	if (sg_buf_read_fd(in, 0) < 0)
		return sg_error("cannot read standard input: %s", strerror(errno));
	return 0;
}

static int parse_options(struct sg_check_ctx *ctx, const struct sg_check_def *def, int argc,
			 char **argv, const char **config_path, int *no_stdin)
{
	static const struct option opts[] = {
		{ "stage", required_argument, NULL, 's' },
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		/* `stagegate lint`: files from the arguments or the repository, never ref
		 * updates, so standard input (an open pipe in CI) is not read. */
		{ "lint", no_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	ctx->stage = SG_STAGE_CI;
	ctx->format = SG_FORMAT_TEXT;
	while ((c = getopt_long(argc, argv, "+s:c:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (sg_stage_parse(&ctx->stage, optarg) < 0) {
				sg_error("unknown stage '%s' (pre-commit, pre-merge-commit, "
					 "pre-push, pre-receive, update, ci)", optarg);
				return -1;
			}
			break;
		case 'c':
			*config_path = optarg;
			break;
		case 'f':
			if (sg_format_parse(&ctx->format, optarg) < 0) {
				sg_error("unknown format '%s' (text, json, github)", optarg);
				return -1;
			}
			break;
		case 'h':
			usage(stdout, def);
			return 1;
		case 'l':
			*no_stdin = 1;
			break;
		default:
			usage(stderr, def);
			return -1;
		}
	}
	ctx->argc = argc - optind;
	ctx->argv = argv + optind;
	return 0;
}

int sg_check_main(int argc, char **argv, const struct sg_check_def *def)
{
	struct sg_check_ctx ctx;
	struct sg_buf in = SG_BUF_INIT, user = SG_BUF_INIT;
	const char *config_path = NULL;
	int ret = SG_EXIT_TROUBLE, r, no_stdin = 0;
	size_t i;

	sg_sanitize_fds();
	signal(SIGPIPE, SIG_IGN);
	sg_git_init();
	memset(&ctx, 0, sizeof(ctx));
	ctx.id = def->id;
	sg_updates_init(&ctx.updates);
	sg_diags_init(&ctx.diags, def->id);

	r = parse_options(&ctx, def, argc, argv, &config_path, &no_stdin);
	if (r) {
		ret = r > 0 ? SG_EXIT_OK : SG_EXIT_TROUBLE;
		goto cleanup;
	}
	if ((!no_stdin && read_stdin(&in) < 0) ||
	    sg_updates_parse_receive(&ctx.updates, sg_buf_str(&in), in.len, "standard input") < 0)
		goto cleanup;
	/* A check that can run without a repository (lint PATH...) says nothing when there
	 * is none; only a repository that exists but cannot be opened is an error for it. */
	/* Outside a repository a REPO_OPTIONAL check runs without one (stagegate lint PATH). */
	r = (def->flags & SG_CHECK_REPO_OPTIONAL) ? sg_repo_open_optional(&ctx.repo) :
		sg_repo_open(&ctx.repo);
	if (r < 0)
		goto cleanup;
	if (sg_config_for(&ctx.cfg, ctx.stage, config_path, ctx.repo) < 0)
		goto cleanup;
	sg_identity(&user, 0);
	ctx.user = sg_buf_str(&user);
	ctx.npush_options = sg_push_options(&ctx.push_options);
	ctx.remote = getenv("STAGEGATE_REMOTE");

	if (def->run(&ctx) < 0)
		goto cleanup;
	for (i = 0; i < ctx.diags.n; i++)
		sg_diag_write(stdout, &ctx.diags.v[i], ctx.format, sg_want_color(stdout));
	ret = sg_diags_count(&ctx.diags, SG_ERROR) ? SG_EXIT_POLICY : SG_EXIT_OK;

cleanup:
	if (ret == SG_EXIT_TROUBLE) {
		/* Whatever was found before the trouble is still worth showing. */
		for (i = 0; i < ctx.diags.n; i++)
			sg_diag_write(stdout, &ctx.diags.v[i], ctx.format, 0);
	}
	fflush(stdout);
	sg_diags_release(&ctx.diags);
	sg_updates_release(&ctx.updates);
	sg_strv_free(ctx.push_options);
	sg_config_free(ctx.cfg);
	git_repository_free(ctx.repo);
	sg_buf_release(&in);
	sg_buf_release(&user);
	sg_git_shutdown();
	return ret;
}
