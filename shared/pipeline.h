#ifndef SG_PIPELINE_H
#define SG_PIPELINE_H
/*
 * Running the checks a stage lists, in parallel, through the check protocol, and printing one
 * report. Shared by every hook and by `stagegate check` / `stagegate ci`. A check that cannot
 * be found, cannot start, crashes, times out or exits 2 refuses: fail closed.
 */
#include <git2.h>
#include "config.h"
#include "diag.h"
#include "update.h"

struct sg_pipeline {
	enum sg_stage stage;
	const char *config_path;	/* passed to checks as --config; NULL: defaults */
	const struct sg_config *cfg;
	git_repository *repo;		/* for the report header; may be NULL */
	const struct sg_updates *updates;
	const char *remote;		/* pre-push */
	const char *remote_url;
	enum sg_format format;		/* text: the report on stderr; json/github: records on stdout */
	char *const *only;		/* run just these check ids (NULL: the stage's list) */
	unsigned long timeout_ms;	/* per check; 0: the default */
	const char *user;		/* STAGEGATE_USER for the checks */
	int quiet_ok;			/* print the report only when refusing */
};

/* Run and report. Returns 0 when everything passed (warnings allowed), 1 when a check found a
 * policy error, 2 when a check could not run (both refuse), -1 when no check could be started
 * (reported). */
int sg_pipeline_run(struct sg_pipeline *p);

/* Where check executables live: $STAGEGATE_EXEC_PATH, else next to this program
 * (libexec/stagegate, found from bin/ or libexec/stagegate/hooks/). Into out, no trailing /. */
void sg_exec_dir(struct sg_buf *out);
/* Find stagegate-<id>: the exec dir, then PATH. Returns 0 with the path in out, or -1. */
int sg_find_check(struct sg_buf *out, const char *id);

#endif
