/*
 * Override decision and audit log. The log is appended with one write(2) on an O_APPEND
 * descriptor, so the lines of checks running in parallel never interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attest.h"
#include "override.h"
#include "banned.h"

static int is_blank(const char *s)
{
	for (; s && *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

int sg_override_allowed(struct sg_buf *why, const struct sg_override *o, const char *user,
			const char *reason)
{
	size_t i;
	int listed = 0;

	for (i = 0; i < o->nusers; i++)
		listed |= user && !strcmp(o->users[i], user);
	if (!o->nusers) {
		sg_buf_addstr(why, "nobody may override: promotion.override.users is empty");
		return -1;
	}
	if (!listed) {
		sg_buf_addf(why, "user '%s' is not in promotion.override.users", user ? user : "");
		return -1;
	}
	if (is_blank(reason)) {
		sg_buf_addf(why, "the reason is empty: say why, as in git push -o %s=\"staging "
			    "is down, hotfix for outage\"", o->push_option);
		return -1;
	}
	return 0;
}

static void json_str(struct sg_buf *out, const char *s)
{
	sg_buf_addch(out, '"');
	sg_buf_add_json(out, s ? s : "");
	sg_buf_addch(out, '"');
}

void sg_override_audit_line(struct sg_buf *out, long long now, const char *check,
			    const char *user, const char *reason,
			    const struct sg_updates *updates, const struct sg_diags *diags)
{
	struct sg_buf t = SG_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;
	int first = 1;

	sg_attest_time_format(&t, now);
	sg_buf_addstr(out, "{\"time\":");
	json_str(out, sg_buf_str(&t));
	sg_buf_addstr(out, ",\"user\":");
	json_str(out, user);
	sg_buf_addstr(out, ",\"check\":");
	json_str(out, check);
	sg_buf_addstr(out, ",\"reason\":");
	json_str(out, reason);
	sg_buf_addstr(out, ",\"refs\":[");
	for (i = 0; i < updates->n; i++) {
		sg_buf_addstr(out, i ? ",{\"ref\":" : "{\"ref\":");
		json_str(out, updates->v[i].ref);
		git_oid_tostr(hex, sizeof(hex), &updates->v[i].old_oid);
		sg_buf_addf(out, ",\"old\":\"%s\"", hex);
		git_oid_tostr(hex, sizeof(hex), &updates->v[i].new_oid);
		sg_buf_addf(out, ",\"new\":\"%s\"}", hex);
	}
	sg_buf_addstr(out, "],\"refused\":[");
	for (i = 0; i < diags->n; i++) {
		const struct sg_diag *d = &diags->v[i];

		if (d->severity != SG_ERROR)
			continue;
		sg_buf_addstr(out, first ? "{\"rule\":" : ",{\"rule\":");
		first = 0;
		json_str(out, d->rule);
		if (d->ref) {
			sg_buf_addstr(out, ",\"ref\":");
			json_str(out, d->ref);
		}
		sg_buf_addstr(out, ",\"message\":");
		json_str(out, d->message);
		sg_buf_addch(out, '}');
	}
	sg_buf_addstr(out, "]}\n");
	sg_buf_release(&t);
}

void sg_override_audit_path(struct sg_buf *out, const struct sg_override *o,
			    git_repository *repo)
{
	const char *log = o->audit_log ? o->audit_log : "stagegate-audit.log";

	if (log[0] != '/' && repo)
		sg_buf_addstr(out, git_repository_commondir(repo));
	sg_buf_addstr(out, log);
}

static int append_line(const char *path, const struct sg_buf *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return sg_error("cannot open the audit log '%s': %s; the override is refused",
				path, strerror(errno));
	n = write(fd, line->buf, line->len);
	if (n < 0 || (size_t)n != line->len) {
		sg_error("cannot write the audit log '%s': %s; the override is refused", path,
			 n < 0 ? strerror(errno) : "short write");
		close(fd);
		return -1;
	}
	if (close(fd) < 0)
		return sg_error("cannot write the audit log '%s': %s; the override is refused",
				path, strerror(errno));
	return 0;
}

int sg_override_apply(struct sg_check_ctx *ctx)
{
	const struct sg_override *o = &ctx->cfg->promotion.override;
	const char *name = o->push_option ? o->push_option : "stagegate.override";
	struct sg_buf why = SG_BUF_INIT, line = SG_BUF_INIT, path = SG_BUF_INIT;
	const char *reason;
	struct sg_diag *d;
	size_t i, errors;
	int present = 0, ret = -1;

	if (!sg_stage_is_server(ctx->stage))
		return 0;
	reason = sg_push_option(ctx->push_options, name, &present);
	if (!present)
		return 0;
	errors = sg_diags_count(&ctx->diags, SG_ERROR);
	if (!errors) {
		/* Nothing was bypassed, so there is nothing to audit. */
		ret = 0;
		goto out;
	}
	if (sg_override_allowed(&why, o, ctx->user, reason) < 0) {
		d = sg_diags_add(&ctx->diags, SG_ERROR, "override-refused",
				 "override refused: %s", sg_buf_str(&why));
		sg_diag_set_hint(d, "the errors above stand; ask someone listed in "
				 "promotion.override.users, or fix the cause");
		ret = 0;
		goto out;
	}
	sg_override_audit_line(&line, (long long)time(NULL), ctx->id, ctx->user, reason,
			       &ctx->updates, &ctx->diags);
	sg_override_audit_path(&path, o, ctx->repo);
	if (append_line(sg_buf_str(&path), &line) < 0)
		goto out;
	for (i = 0; i < ctx->diags.n; i++)
		if (ctx->diags.v[i].severity == SG_ERROR)
			ctx->diags.v[i].severity = SG_WARNING;
	sg_diags_add(&ctx->diags, SG_WARNING, "override",
		     "OVERRIDDEN by %s: %zu refusal%s let through (\"%s\"); recorded in the "
		     "audit log", ctx->user, errors, errors == 1 ? "" : "s", reason);
	ret = 0;
out:
	sg_buf_release(&why);
	sg_buf_release(&line);
	sg_buf_release(&path);
	return ret;
}
