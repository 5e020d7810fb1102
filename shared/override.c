/*
 * Override decision and audit log. The log is appended with one write(2) on an O_APPEND
 * descriptor, so the lines of checks running in parallel never interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
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

void sg_override_audit_line(struct sg_buf *out, long long now, const char *push_id,
			    const char *check, const char *user, const char *reason,
			    const struct sg_updates *updates, const struct sg_diags *diags)
{
	struct sg_buf t = SG_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;
	int first = 1;

	sg_attest_time_format(&t, now);
	sg_buf_addstr(out, "{\"time\":");
	json_str(out, sg_buf_str(&t));
	if (push_id) {
		sg_buf_addstr(out, ",\"push\":");
		json_str(out, push_id);
	}
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

int sg_override_append(const char *path, const struct sg_buf *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	size_t done = 0;

	if (fd < 0)
		return sg_error("cannot open the audit log '%s': %s; the override is refused",
				path, strerror(errno));
	/* A short write leaves part of the line in the log: finish it rather than leave a
	 * torn record (the next write then says why it cannot, e.g. EFBIG or ENOSPC). */
	while (done < line->len) {
		ssize_t n = write(fd, line->buf + done, line->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		done += (size_t)n;
	}
	/* The push goes through once we return: the record must survive a crash first. */
	if (fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0)
		return sg_error("cannot write the audit log '%s': %s; the override is refused",
				path, strerror(errno));
	return 0;
fail:
	sg_error("cannot write the audit log '%s': %s; the override is refused", path,
		 strerror(errno ? errno : EIO));
	close(fd);
	return -1;
}

/* ppid and start time (clock ticks after boot) of pid, from /proc/<pid>/stat. */
static int proc_stat(long pid, long *ppid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	unsigned long long fields[20];
	FILE *f;
	size_t n;
	int i;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The command name is in parentheses and may hold anything: skip to the last ')'. */
	if (!(p = strrchr(buf, ')')) || p[1] != ' ')
		return -1;
	p += 3;	/* past ") " and the state letter */
	for (i = 0; i < 20; i++) {
		char *end;

		fields[i] = strtoull(p, &end, 10);
		if (end == p)
			return -1;
		p = end;
	}
	*ppid = (long)fields[0];		/* field 4 */
	*start = fields[18];			/* field 22 */
	return 0;
}

/* 1 when pid is git-receive-pack: run as "git-receive-pack" (comm is cut to 15 bytes) or as
 * "git receive-pack" (git http-backend starts it so). */
static int is_receive_pack(long pid)
{
	char path[64], buf[256];
	const char *argv0, *base;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	if (!(f = fopen(path, "r")))
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	argv0 = buf;
	base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
	if (!strcmp(base, "git-receive-pack"))
		return 1;
	return !strcmp(base, "git") && strlen(argv0) + 1 < n &&
		!strcmp(argv0 + strlen(argv0) + 1, "receive-pack");
}

/*
 * The push's name: git-receive-pack's pid and start time. Every hook of one push runs below
 * it (through install.sh's wrapper, our hook binary, maybe a shell), and no other push has the
 * same pair. The ancestors are walked up to it; NULL when it is not found, and then nothing
 * is matched: fail closed.
 */
static const char *push_id(struct sg_buf *out)
{
	long pid = (long)getppid(), parent;
	unsigned long long start;
	int depth;

	for (depth = 0; depth < 16 && pid > 1; depth++) {
		if (proc_stat(pid, &parent, &start) < 0)
			return NULL;
		if (is_receive_pack(pid)) {
			sg_buf_addf(out, "receive-pack-%ld-%llu", pid, start);
			return sg_buf_str(out);
		}
		pid = parent;
	}
	return NULL;
}

/* 1 when the audit log's tail has this push's override line for check and update. */
static int audited_in_pre_receive(const char *path, const char *id, const char *check,
				  const struct sg_update *u)
{
	struct sg_buf log = SG_BUF_INIT, want_push = SG_BUF_INIT, want_check = SG_BUF_INIT,
		want_ref = SG_BUF_INIT;
	char o[GIT_OID_HEXSZ + 1], n[GIT_OID_HEXSZ + 1];
	const char *s, *nl;
	int fd, found = 0;
	off_t size;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* The line was written seconds ago, by this push: the tail is enough. */
	size = lseek(fd, 0, SEEK_END);
	if (size > 256 * 1024)
		lseek(fd, size - 256 * 1024, SEEK_SET);
	else
		lseek(fd, 0, SEEK_SET);
	if (sg_buf_read_fd(&log, fd) < 0)
		sg_buf_reset(&log);
	close(fd);
	git_oid_tostr(o, sizeof(o), &u->old_oid);
	git_oid_tostr(n, sizeof(n), &u->new_oid);
	sg_buf_addstr(&want_push, ",\"push\":\"");
	sg_buf_add_json(&want_push, id);
	sg_buf_addstr(&want_push, "\",");
	sg_buf_addstr(&want_check, ",\"check\":\"");
	sg_buf_add_json(&want_check, check);
	sg_buf_addstr(&want_check, "\",");
	sg_buf_addstr(&want_ref, "{\"ref\":\"");
	sg_buf_add_json(&want_ref, u->ref);
	sg_buf_addf(&want_ref, "\",\"old\":\"%s\",\"new\":\"%s\"}", o, n);
	for (s = sg_buf_str(&log); *s && !found; s = nl ? nl + 1 : s + strlen(s)) {
		struct sg_buf line = SG_BUF_INIT;

		nl = strchr(s, '\n');
		sg_buf_add(&line, s, nl ? (size_t)(nl - s) : strlen(s));
		found = strstr(line.buf, want_push.buf) && strstr(line.buf, want_check.buf) &&
			strstr(line.buf, want_ref.buf);
		sg_buf_release(&line);
		if (!nl)
			break;
	}
	sg_buf_release(&log);
	sg_buf_release(&want_push);
	sg_buf_release(&want_check);
	sg_buf_release(&want_ref);
	return found;
}

/*
 * git gives push options to pre-receive only, not to the update hook that runs after it for
 * each ref. The update hook honours the override that pre-receive granted and audited for
 * this very push (same receive-pack process, check, ref, old and new).
 */
static int apply_in_update(struct sg_check_ctx *ctx, const struct sg_override *o)
{
	struct sg_buf path = SG_BUF_INIT, idb = SG_BUF_INIT;
	const char *id;
	size_t i, n = 0;
	int audited;

	/* git runs the update hook once per ref: exactly one update. */
	if (!sg_diags_count(&ctx->diags, SG_ERROR) || ctx->updates.n != 1 ||
	    !(id = push_id(&idb)))
		goto out_unaudited;
	sg_override_audit_path(&path, o, ctx->repo);
	audited = audited_in_pre_receive(sg_buf_str(&path), id, ctx->id, &ctx->updates.v[0]);
	sg_buf_release(&path);
	if (!audited)
		goto out_unaudited;
	sg_buf_release(&idb);
	for (i = 0; i < ctx->diags.n; i++) {
		if (ctx->diags.v[i].severity == SG_ERROR) {
			ctx->diags.v[i].severity = SG_WARNING;
			n++;
		}
	}
	sg_diags_add(&ctx->diags, SG_WARNING, "override", "OVERRIDDEN: %zu refusal%s let "
		     "through, as audited by pre-receive for this push", n, n == 1 ? "" : "s");
	return 0;
out_unaudited:
	sg_buf_release(&idb);
	return 0;
}

int sg_override_apply(struct sg_check_ctx *ctx)
{
	const struct sg_override *o = &ctx->cfg->promotion.override;
	const char *name = o->push_option ? o->push_option : "stagegate.override";
	struct sg_buf why = SG_BUF_INIT, line = SG_BUF_INIT, path = SG_BUF_INIT,
		idb = SG_BUF_INIT;
	const char *reason;
	struct sg_diag *d;
	size_t i, errors;
	int present = 0, ret = -1;

	if (ctx->stage == SG_STAGE_UPDATE)
		return apply_in_update(ctx, o);
	if (ctx->stage != SG_STAGE_PRE_RECEIVE)
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
		if (o->nusers)
			sg_diag_set_hint(d, "the errors above stand; ask someone listed in "
					 "promotion.override.users, or fix the cause");
		else
			sg_diag_set_hint(d, "the errors above stand; list who may override in "
					 "promotion.override.users in %s, or fix the cause",
					 sg_config_file(ctx->cfg) ? sg_config_file(ctx->cfg) :
					 "the server's stagegate config");
		ret = 0;
		goto out;
	}
	sg_override_audit_line(&line, (long long)time(NULL), push_id(&idb), ctx->id, ctx->user,
			       reason,
			       &ctx->updates, &ctx->diags);
	sg_override_audit_path(&path, o, ctx->repo);
	if (sg_override_append(sg_buf_str(&path), &line) < 0)
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
	sg_buf_release(&idb);
	return ret;
}
