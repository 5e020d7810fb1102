/*
 * stagegate: the front end. Runs a stage's checks by hand or in CI, and dispatches
 * `stagegate foo` to the executable stagegate-foo, git-style, so plugins are commands too.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <git2.h>
#include <yaml.h>

#include "buf.h"
#include "gitlib.h"
#include "check.h"
#include "pipeline.h"
#include "regex.h"
#include "repo.h"
#include "banned.h"

static const char usage_text[] =
	"usage: stagegate <command> [<args>]\n"
	"\n"
	"  lint [PATH...]          lint helm/YAML files (all tracked files with no PATH)\n"
	"  check [--stage S]       run a stage's checks on ref updates read from stdin\n"
	"  ci --base REV [--head REV] [--ref REF]\n"
	"                          run the ci stage's checks on a range, as CI would\n"
	"  chart-version verify|latest ...\n"
	"                          verdict on chart versions; the version chartpress would make\n"
	"  bump CHART [--to V] [--commit]\n"
	"                          rewrite a chart's version wherever this repository uses it\n"
	"  attest ENV [REV] [--result pass|fail] [--message TEXT] [--push REMOTE]\n"
	"                          record a deploy's test result as a git note\n"
	"  install ...             install hooks into a clone or a server repository\n"
	"  demo                    replay the incidents stagegate prevents, in a temp dir\n"
	"  version                 print the version\n"
	"  help                    this text\n"
	"  <name> ...              run the check or tool stagegate-<name>\n"
	"\n"
	"Common options: --config FILE, --format text|json|github.\n"
	"Exit status: 0 passed, 1 policy failure, 2 usage or operational error.\n";

static int usage(const char *why)
{
	if (why)
		fprintf(stderr, "stagegate: %s\n", why);
	fputs(usage_text, why ? stderr : stdout);
	return why ? SG_EXIT_TROUBLE : SG_EXIT_OK;
}

/* Run stagegate-<name> (or a helper script in the exec dir) with our remaining arguments. */
static int dispatch(const char *name, int argc, char **argv, const char *const *prepend)
{
	struct sg_buf path = SG_BUF_INIT;
	char **av;
	int i, n = 0;

	if (sg_find_check(&path, name) < 0) {
		sg_error("'%s' is not a stagegate command (no stagegate-%s in the libexec "
			 "directory or on PATH); see 'stagegate help'", name, name);
		sg_buf_release(&path);
		return SG_EXIT_TROUBLE;
	}
	av = sg_calloc((size_t)argc + 8, sizeof(*av));
	av[n++] = path.buf;
	for (i = 0; prepend && prepend[i]; i++)
		av[n++] = (char *)prepend[i];
	for (i = 1; i < argc; i++)
		av[n++] = argv[i];
	execv(av[0], av);
	sg_error("cannot run '%s': %s", av[0], strerror(errno));
	free(av);
	sg_buf_release(&path);
	return SG_EXIT_TROUBLE;
}

static int run_script(const char *script, int argc, char **argv)
{
	struct sg_buf path = SG_BUF_INIT;
	char **av;
	int i;

	sg_exec_dir(&path);
	sg_buf_addf(&path, "/%s", script);
	av = sg_calloc((size_t)argc + 3, sizeof(*av));
	av[0] = "sh";
	av[1] = path.buf;
	for (i = 1; i < argc; i++)
		av[i + 1] = argv[i];
	execv("/bin/sh", av);
	sg_error("cannot run '%s': %s", path.buf, strerror(errno));
	free(av);
	sg_buf_release(&path);
	return SG_EXIT_TROUBLE;
}

struct opts {
	const char *config;
	enum sg_format format;
	enum sg_stage stage;
	const char *base, *head, *ref;
	char **only;
	size_t nonly;
};

static int parse(struct opts *o, int argc, char **argv, int ci)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "stage", required_argument, NULL, 's' },
		{ "only", required_argument, NULL, 'o' },
		{ "base", required_argument, NULL, 'b' },
		{ "head", required_argument, NULL, 'H' },
		{ "ref", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:f:s:o:b:H:r:h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': o->config = optarg; break;
		case 'f':
			if (sg_format_parse(&o->format, optarg) < 0)
				return sg_error("unknown format '%s' (text, json, github)", optarg);
			break;
		case 's':
			if (ci)
				return sg_error("ci always runs the ci stage; for another stage use "
						"'stagegate check --stage %s'", optarg);
			if (sg_stage_parse(&o->stage, optarg) < 0)
				return sg_error("unknown stage '%s' (pre-commit, pre-merge-commit, "
						"pre-push, pre-receive, update, ci)", optarg);
			break;
		case 'o':
			o->only = sg_realloc(o->only, (o->nonly + 2) * sizeof(*o->only));
			o->only[o->nonly++] = optarg;
			o->only[o->nonly] = NULL;
			break;
		case 'b': if (!ci) goto bad; o->base = optarg; break;
		case 'H': if (!ci) goto bad; o->head = optarg; break;
		case 'r': if (!ci) goto bad; o->ref = optarg; break;
		case 'h': return 1;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		return sg_error("unexpected argument '%s'", argv[optind]);
	return 0;
bad:
	return sg_error("bad option; see 'stagegate help'");
}

/* The branch a CI range is about: the target of a pull/merge request, else HEAD's branch. */
static void default_ref(struct sg_buf *out, git_repository *repo)
{
	const char *gh = getenv("GITHUB_BASE_REF");
	const char *gl = getenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME");
	git_reference *head = NULL;

	if (gh && *gh) {
		sg_buf_addf(out, "refs/heads/%s", gh);
	} else if (gl && *gl) {
		sg_buf_addf(out, "refs/heads/%s", gl);
	} else if (git_reference_lookup(&head, repo, "HEAD") == 0 &&
		   git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
		sg_buf_addstr(out, git_reference_symbolic_target(head));
	} else {
		sg_buf_addstr(out, "refs/heads/HEAD");
	}
	git_error_clear();
	git_reference_free(head);
}

static int cmd_run(int argc, char **argv, int ci)
{
	struct opts o;
	struct sg_updates updates;
	struct sg_pipeline p;
	struct sg_config *cfg = NULL;
	git_repository *repo = NULL;
	struct sg_buf in = SG_BUF_INIT, user = SG_BUF_INIT, ref = SG_BUF_INIT;
	int ret = SG_EXIT_TROUBLE, r;

	memset(&o, 0, sizeof(o));
	o.stage = ci ? SG_STAGE_CI : SG_STAGE_PRE_RECEIVE;
	sg_updates_init(&updates);
	r = parse(&o, argc, argv, ci);
	if (r) {
		/* A bad option's reason was printed already; stdout stays clean for --format. */
		ret = r > 0 ? usage(NULL) : SG_EXIT_TROUBLE;
		goto cleanup;
	}
	if (sg_repo_open(&repo) < 0)
		goto cleanup;
	if (ci) {
		git_oid base, head;

		if (!o.base) {
			sg_error("ci needs --base REV (the commit the branch had before, e.g. "
				 "origin/prod or ${{ github.event.pull_request.base.sha }})");
			goto cleanup;
		}
		if (sg_repo_resolve(&base, repo, o.base) < 0 ||
		    sg_repo_resolve(&head, repo, o.head ? o.head : "HEAD") < 0)
			goto cleanup;
		if (o.ref && strncmp(o.ref, "refs/", 5))
			sg_buf_addf(&ref, "refs/heads/%s", o.ref);
		else if (o.ref)
			sg_buf_addstr(&ref, o.ref);
		else
			default_ref(&ref, repo);
		sg_updates_add(&updates, &base, &head, sg_buf_str(&ref));
	} else {
		if (!isatty(0) && sg_buf_read_fd(&in, 0) < 0) {
			sg_error("cannot read standard input: %s", strerror(errno));
			goto cleanup;
		}
		if (sg_updates_parse_receive(&updates, sg_buf_str(&in), in.len,
					     "standard input") < 0)
			goto cleanup;
	}
	if (sg_config_for(&cfg, o.stage, o.config, repo) < 0)
		goto cleanup;
	sg_identity(&user, 0);
	memset(&p, 0, sizeof(p));
	p.stage = o.stage;
	p.config_path = sg_config_file(cfg);
	p.cfg = cfg;
	p.repo = repo;
	p.updates = &updates;
	p.format = o.format;
	p.only = o.only;
	p.user = sg_buf_str(&user);
	r = sg_pipeline_run(&p);
	ret = r < 0 || r == 2 ? SG_EXIT_TROUBLE : r ? SG_EXIT_POLICY : SG_EXIT_OK;

cleanup:
	free(o.only);
	sg_updates_release(&updates);
	sg_config_free(cfg);
	git_repository_free(repo);
	sg_buf_release(&in);
	sg_buf_release(&user);
	sg_buf_release(&ref);
	return ret;
}

int main(int argc, char **argv)
{
	const char *cmd;
	int ret;

	sg_sanitize_fds();
	signal(SIGPIPE, SIG_IGN);
	if (argc < 2)
		return usage("no command given");
	cmd = argv[1];
	if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
		return usage(NULL);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("stagegate %s (libgit2 %s, libyaml %s)\n", SG_VERSION, LIBGIT2_VERSION,
		       yaml_get_version_string());
		return SG_EXIT_OK;
	}
	if (!strcmp(cmd, "lint")) {
		static const char *const pre[] = { "--stage", "ci", "--lint", NULL };

		return dispatch("helm-lint", argc - 1, argv + 1, pre);
	}
	if (!strcmp(cmd, "install"))
		return run_script("install.sh", argc - 1, argv + 1);
	if (!strcmp(cmd, "demo"))
		return run_script("demo.sh", argc - 1, argv + 1);
	if (!strcmp(cmd, "check") || !strcmp(cmd, "ci")) {
		sg_git_init();
		optind = 1;
		ret = cmd_run(argc - 1, argv + 1, !strcmp(cmd, "ci"));
		sg_git_shutdown();
		return ret;
	}
	if (cmd[0] == '-')
		return usage("unknown option; commands come first");
	return dispatch(cmd, argc - 1, argv + 1, NULL);
}
