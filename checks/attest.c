/*
 * stagegate attest ENV [REV]: the staging deploy job records, after its tests, that ENV ran
 * REV with a result. Written as a note under refs/notes/stagegate (works offline); with
 * --push the note is built on the remote's notes and pushed there, retried on a race.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <git2.h>

#include "attest.h"
#include "buf.h"
#include "gitlib.h"
#include "check.h"
#include "repo.h"
#include "run.h"
#include "banned.h"

#define PUSH_TRIES 3

static const char usage_text[] =
	"usage: stagegate attest ENV [REV] [--result pass|fail] [--message TEXT] "
	"[--push REMOTE]\n"
	"Record that ENV (e.g. staging) ran REV (default HEAD) with a test result, as a note\n"
	"under " SG_ATTEST_REF "; --push sends the notes to REMOTE.\n"
	"Exit status: 0 recorded, 2 could not record.\n";

struct opts {
	const char *env;
	const char *rev;
	const char *result;
	const char *message;
	const char *remote;
};

static int usage(const char *why)
{
	if (why)
		sg_error("%s", why);
	fputs(usage_text, why ? stderr : stdout);
	return why ? SG_EXIT_TROUBLE : SG_EXIT_OK;
}

static int parse(struct opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "result", required_argument, NULL, 'r' },
		{ "message", required_argument, NULL, 'm' },
		{ "push", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->result = "pass";
	o->rev = "HEAD";
	while ((c = getopt_long(argc, argv, "r:m:p:h", lo, NULL)) != -1) {
		switch (c) {
		case 'r': o->result = optarg; break;
		case 'm': o->message = optarg; break;
		case 'p': o->remote = optarg; break;
		case 'h': return 1;
		default: return -1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2)
		return -2;
	o->env = argv[0];
	if (argc == 2)
		o->rev = argv[1];
	return 0;
}

/* git from PATH: run.c executes a path, as git's own run-command does after its lookup. */
static int find_git(struct sg_buf *out)
{
	if (sg_path_find(out, "git") < 0)
		return sg_error("cannot find 'git' on PATH, needed for --push");
	return 0;
}

/* Run git with args; 0 when it exited 0. Its stdout into out (if given). */
static int git(struct sg_buf *out, struct sg_buf *err, const char *gitpath,
	       const char *const *args)
{
	const char *av[16];
	struct sg_child c;
	size_t i;
	int ret;

	av[0] = gitpath;
	for (i = 0; args[i] && i < 14; i++)
		av[i + 1] = args[i];
	av[i + 1] = NULL;
	sg_child_init(&c);
	c.argv = av;
	if (sg_run_all(&c, 1) < 0) {
		sg_child_release(&c);
		return -1;
	}
	ret = c.status == 0 ? 0 : -1;
	if (out)
		sg_buf_addstr(out, sg_buf_str(&c.out));
	if (err) {
		sg_buf_addstr(err, sg_buf_str(&c.err));
		if (ret && !c.err.len)
			sg_child_describe(err, &c);
	}
	sg_child_release(&c);
	return ret;
}

/* The remote's notes commit, fetched: 1 in *out, 0 when the remote has none, -1 error. */
static int fetch_remote_notes(git_oid *out, const char *gitpath, const char *remote)
{
	struct sg_buf o = SG_BUF_INIT, e = SG_BUF_INIT;
	const char *ls[] = { "ls-remote", "--", remote, SG_ATTEST_REF, NULL };
	const char *fetch[] = { "fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote,
				SG_ATTEST_REF, NULL };
	int ret = -1;

	if (git(&o, &e, gitpath, ls) < 0) {
		sg_error("cannot list the notes of '%s': %s", remote, sg_buf_str(&e));
		goto out;
	}
	if (!o.len) {
		ret = 0;
		goto out;
	}
	if (o.len < GIT_OID_HEXSZ || git_oid_fromstrn(out, o.buf, GIT_OID_HEXSZ) < 0) {
		sg_error("unexpected answer from 'git ls-remote %s': '%s'", remote, o.buf);
		goto out;
	}
	sg_buf_reset(&e);
	/* The objects are all we need: no ref of the user's is moved by the fetch. */
	if (git(NULL, &e, gitpath, fetch) < 0) {
		sg_error("cannot fetch %s from '%s': %s", SG_ATTEST_REF, remote, sg_buf_str(&e));
		goto out;
	}
	ret = 1;
out:
	sg_buf_release(&o);
	sg_buf_release(&e);
	return ret;
}

/* Pick the notes commit to build on: the local ref, or the remote's when it has more. */
static int pick_base(git_commit **out, git_repository *repo, const git_oid *remote_tip,
		     const char *remote)
{
	git_oid local, base;
	int have_local, err;

	*out = NULL;
	err = git_reference_name_to_id(&local, repo, SG_ATTEST_REF);
	if (err < 0 && err != GIT_ENOTFOUND)
		return sg_error_git(err, "cannot read '%s'", SG_ATTEST_REF);
	git_error_clear();
	have_local = err == 0;
	if (!have_local && !remote_tip)
		return 0;
	if (!remote_tip || (have_local && git_oid_equal(&local, remote_tip))) {
		git_oid_cpy(&base, &local);
	} else if (!have_local) {
		git_oid_cpy(&base, remote_tip);
	} else {
		int local_behind = sg_repo_is_ancestor(repo, &local, remote_tip);
		int remote_behind = local_behind == 0 ?
			sg_repo_is_ancestor(repo, remote_tip, &local) : 0;

		if (local_behind < 0 || remote_behind < 0)
			return -1;
		if (local_behind) {
			git_oid_cpy(&base, remote_tip);
		} else if (remote_behind) {
			git_oid_cpy(&base, &local);
		} else {
			return sg_error("the local %s and %s's have diverged; merge them first: "
					"git fetch %s %s && git notes --ref=stagegate merge "
					"FETCH_HEAD", SG_ATTEST_REF, remote, remote,
					SG_ATTEST_REF);
		}
	}
	err = git_commit_lookup(out, repo, &base);
	if (err < 0)
		return sg_error_git(err, "cannot read the notes commit");
	return 0;
}

static int signature(git_signature **out, git_repository *repo, const char *user)
{
	struct sg_buf email = SG_BUF_INIT;
	int err;

	if (git_signature_default(out, repo) == 0)
		return 0;
	git_error_clear();
	/* A CI runner often has no user.name: the attestor's identity will do. */
	sg_buf_addf(&email, "%s@stagegate", user);
	err = git_signature_now(out, user, sg_buf_str(&email));
	sg_buf_release(&email);
	if (err < 0)
		return sg_error_git(err, "cannot make a signature for '%s'", user);
	return 0;
}

/* Build the notes commit with a's line for target into *notes; no ref moves yet. */
static int record(git_oid *notes, git_repository *repo, const struct opts *o,
		  const git_oid *target, const struct sg_attestation *a,
		  const git_signature *sig, const char *gitpath)
{
	git_commit *base = NULL;
	git_oid remote_tip;
	int r, ret = -1;

	if (o->remote) {
		r = fetch_remote_notes(&remote_tip, gitpath, o->remote);
		if (r < 0)
			goto out;
		if (pick_base(&base, repo, r ? &remote_tip : NULL, o->remote) < 0)
			goto out;
	} else if (pick_base(&base, repo, NULL, NULL) < 0) {
		goto out;
	}
	if (sg_attest_write(notes, repo, base, target, a, sig) < 0)
		goto out;
	ret = 0;
out:
	git_commit_free(base);
	return ret;
}

static int update_ref(git_repository *repo, const git_oid *notes)
{
	git_reference *ref = NULL;
	int err = git_reference_create(&ref, repo, SG_ATTEST_REF, notes, 1, "stagegate attest");

	git_reference_free(ref);
	if (err < 0)
		return sg_error_git(err, "cannot update '%s'", SG_ATTEST_REF);
	return 0;
}

/* Push the new notes commit itself: the local ref moves only once the remote took it. */
static int push(const char *gitpath, const char *remote, const git_oid *notes,
		struct sg_buf *err)
{
	char hex[GIT_OID_HEXSZ + 1];
	struct sg_buf spec = SG_BUF_INIT;
	const char *args[] = { "push", "--quiet", remote, NULL, NULL };
	int ret;

	git_oid_tostr(hex, sizeof(hex), notes);
	sg_buf_addf(&spec, "%s:%s", hex, SG_ATTEST_REF);
	args[3] = sg_buf_str(&spec);
	sg_buf_reset(err);
	ret = git(NULL, err, gitpath, args);
	sg_buf_release(&spec);
	return ret;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sg_attestation a;
	struct sg_buf user = SG_BUF_INIT, gitpath = SG_BUF_INIT, err = SG_BUF_INIT,
		when = SG_BUF_INIT;
	git_repository *repo = NULL;
	git_signature *sig = NULL;
	git_oid target, notes;
	char h[8];
	int r, tries, ret = SG_EXIT_TROUBLE;

	sg_sanitize_fds();
	signal(SIGPIPE, SIG_IGN);
	sg_git_init();
	memset(&a, 0, sizeof(a));
	r = parse(&o, argc, argv);
	if (r == 1) {
		ret = usage(NULL);
		goto out;
	}
	if (r == -2) {
		ret = usage("attest needs ENV and at most one REV");
		goto out;
	}
	if (r < 0) {
		ret = usage("unknown option");
		goto out;
	}
	if (strcmp(o.result, "pass") && strcmp(o.result, "fail")) {
		ret = usage("--result must be pass or fail");
		goto out;
	}
	if (!*o.env || strpbrk(o.env, " \t\n")) {
		ret = usage("ENV must be an environment name such as 'staging'");
		goto out;
	}
	if (o.remote && find_git(&gitpath) < 0)
		goto out;
	if (sg_repo_open(&repo) < 0 || sg_repo_resolve(&target, repo, o.rev) < 0)
		goto out;
	sg_identity(&user, 0);
	if (signature(&sig, repo, sg_buf_str(&user)) < 0)
		goto out;
	a.env = sg_strdup(o.env);
	a.result = sg_strdup(o.result);
	a.user = sg_strdup(sg_buf_str(&user));
	a.message = o.message ? sg_strdup(o.message) : NULL;
	a.time = (long long)time(NULL);

	for (tries = 1;; tries++) {
		if (record(&notes, repo, &o, &target, &a, sig, sg_buf_str(&gitpath)) < 0)
			goto out;
		if (!o.remote || push(sg_buf_str(&gitpath), o.remote, &notes, &err) == 0)
			break;
		/* Another job pushed notes in between: build on theirs and try again. */
		if (tries == PUSH_TRIES) {
			sg_error("cannot push %s to '%s' after %d tries: %s", SG_ATTEST_REF,
				 o.remote, tries, sg_buf_str(&err));
			goto out;
		}
	}
	if (update_ref(repo, &notes) < 0)
		goto out;
	sg_attest_time_format(&when, a.time);
	printf("attested %s for %s on %s by %s at %s%s%s\n", a.result, a.env,
	       sg_oid_short(h, &target), a.user, sg_buf_str(&when), o.remote ? ", pushed to " : "",
	       o.remote ? o.remote : "");
	ret = SG_EXIT_OK;
out:
	sg_attestation_release(&a);
	git_signature_free(sig);
	git_repository_free(repo);
	sg_buf_release(&user);
	sg_buf_release(&gitpath);
	sg_buf_release(&err);
	sg_buf_release(&when);
	sg_git_shutdown();
	return ret;
}
