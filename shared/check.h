#ifndef SG_CHECK_H
#define SG_CHECK_H
/*
 * The plugin side of the check protocol (docs/checks.md): every check executable is a
 * struct sg_check_def and a one-line main that calls sg_check_main. The scaffolding parses
 * the options, reads and validates the ref updates on stdin, opens the repository, loads the
 * config, runs the check and turns its diagnostics into output and an exit status.
 */
#include <git2.h>

#include "config.h"
#include "diag.h"
#include "run.h"
#include "update.h"

/* Exit statuses, stable and documented. */
#define SG_EXIT_OK 0
#define SG_EXIT_POLICY 1
#define SG_EXIT_TROUBLE 2

struct sg_check_ctx {
	const char *id;			/* "promotion" */
	enum sg_stage stage;
	enum sg_format format;
	struct sg_config *cfg;
	git_repository *repo;		/* NULL only for checks flagged SG_CHECK_REPO_OPTIONAL */
	struct sg_updates updates;
	struct sg_diags diags;
	const char *user;		/* STAGEGATE_USER, normalized */
	char **push_options;		/* NULL-terminated */
	size_t npush_options;
	const char *remote;		/* pre-push: STAGEGATE_REMOTE, else NULL */
	int argc;			/* arguments after the options */
	char **argv;
	void *payload;			/* the check's own state */
};

enum sg_check_flags {
	SG_CHECK_REPO_OPTIONAL = (1 << 0)	/* runs outside a repository (lint PATH...) */
};

struct sg_check_def {
	const char *id;
	const char *summary;
	const char *usage;		/* extra synopsis for arguments, or NULL */
	unsigned flags;
	/* Append diagnostics to ctx->diags and return 0; return -1 (after reporting) when the
	 * check could not do its job, which makes the exit status 2. */
	int (*run)(struct sg_check_ctx *ctx);
};

int sg_check_main(int argc, char **argv, const struct sg_check_def *def);

/* The paths an update brings, as this stage sees "new": on a server the commits no branch or
 * tag has yet; in pre-push the commits the remote's tracking refs do not have (the local
 * branch being pushed is itself under refs/heads/). */
int sg_check_changed_paths(char ***out, const struct sg_check_ctx *ctx,
			   const struct sg_update *u);

/*
 * The upstream's tip as this stage must judge against it: on a server refs/heads/<upstream>
 * (refs move only after every hook said yes, so this is the upstream before the push even
 * when the same push updates it); in pre-push refs/remotes/<remote>/<upstream>; elsewhere the
 * local branch, else origin's tracking ref. Returns 0 with *tip and *ref (caller frees), or
 * SG_CHECK_NO_UPSTREAM when none of those exists.
 */
#define SG_CHECK_NO_UPSTREAM 1
int sg_check_upstream_tip(git_oid *tip, char **ref, const struct sg_check_ctx *ctx,
			  const char *upstream);

/* Shared by hooks, the front end and checks. */

/* The pusher's identity: STAGEGATE_USER, GL_USERNAME, GITHUB_USER_LOGIN, GITEA_PUSHER_NAME,
 * REMOTE_USER, else the OS user. Into out. With platform_only, STAGEGATE_USER is not read: a
 * server hook takes the identity from what the git platform set, never from a variable a
 * pusher might manage to pass through (an ssh AcceptEnv), and hands it to its checks. */
void sg_identity(struct sg_buf *out, int platform_only);
/* Push options from GIT_PUSH_OPTION_COUNT/GIT_PUSH_OPTION_<n>; NULL-terminated, caller frees
 * with sg_strv_free. Returns the count. */
size_t sg_push_options(char ***out);
/* Value of push option `name` (the part after "name="), or NULL; 1 in *present when the
 * option was given at all (with or without a value). Borrowed. */
const char *sg_push_option(char *const *opts, const char *name, int *present);

/* Find the config for a stage (docs/config.md: --config, $STAGEGATE_CONFIG (client only),
 * git config stagegate.config, then $GIT_DIR/stagegate.yml on a server or the work tree's
 * .stagegate.yml on a client). *out is NULL when a client has none (defaults apply); a server
 * without one is an error: it fails closed. */
int sg_config_locate(char **out, enum sg_stage stage, const char *explicit_path,
		     git_repository *repo);
/* sg_config_locate, then load (or defaults). */
int sg_config_for(struct sg_config **out, enum sg_stage stage, const char *explicit_path,
		  git_repository *repo);

#endif
