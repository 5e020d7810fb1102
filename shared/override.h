#ifndef SG_OVERRIDE_H
#define SG_OVERRIDE_H
/*
 * The break-glass override: `git push -o stagegate.override="reason"` from a user listed in
 * promotion.override.users turns a check's refusals into warnings for that push, and the
 * server appends one JSON line per overridden check to the audit log. Server stages only:
 * push options exist nowhere else, and a client can skip its own hooks anyway.
 */
#include "buf.h"
#include "check.h"

/* 0 when user may override with reason, else -1 with why in *why. */
int sg_override_allowed(struct sg_buf *why, const struct sg_override *o, const char *user,
			const char *reason);

/* The audit record: one JSON line (newline included) naming the time, the push (an id made of
 * git-receive-pack's pid and start time, "receive-pack-<pid>-<start>", or NULL when it cannot
 * be told), user, check, reason, every ref update of the push and the refusals that were
 * overridden. */
void sg_override_audit_line(struct sg_buf *out, long long now, const char *push_id,
			    const char *check, const char *user, const char *reason,
			    const struct sg_updates *updates, const struct sg_diags *diags);

/* Append line to the audit log at path, whole and synced to disk. 0, or -1 (reported). */
int sg_override_append(const char *path, const struct sg_buf *line);

/* Where the audit log is: audit_log, relative to the repository's common directory (the
 * bare repository itself on a server, never a worktree's or quarantine's GIT_DIR). */
void sg_override_audit_path(struct sg_buf *out, const struct sg_override *o,
			    git_repository *repo);

/*
 * Call at the end of a check's run(). When ctx->diags holds errors and the push carries the
 * override option: a listed user with a non-empty reason has the errors turned into warnings
 * (and the audit line written); otherwise an error says why the override was refused.
 * Returns 0, or -1 when the audit log cannot be written: an override nobody can see
 * afterwards is no override, and the check then fails to run (the push is refused).
 * In the update hook (which git gives no push options) the errors become warnings only when
 * pre-receive audited an override of this check for this same push and ref update.
 */
int sg_override_apply(struct sg_check_ctx *ctx);

#endif
