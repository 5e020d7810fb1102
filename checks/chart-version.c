/*
 * `stagegate chart-version verify|latest`: the chart-sha verdicts by hand, against any local
 * source repository, and the version chartpress would give a branch tip. A command, not a
 * check: it reads no ref updates and needs no config.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "buf.h"
#include "gitlib.h"
#include "chartsrc.h"
#include "check.h"
#include "helmindex.h"
#include "regex.h"
#include "repo.h"
#include "banned.h"

static const char usage_text[] =
	"usage: stagegate chart-version verify --source DIR [--chart NAME] [--path P]...\n"
	"                 [--chartpress FILE] [--index FILE|REPO:REF:PATH] [--format text|json]\n"
	"                 VERSION...\n"
	"   or: stagegate chart-version latest --source DIR [--chart NAME] [--ref REF]\n"
	"                 [--path P]... [--chartpress FILE] [--index ...] [--like VERSION]\n"
	"                 [--published]\n"
	"Exit status: 0 all good, 1 a version is refused, 2 could not run.\n";

struct opts {
	const char *source;
	const char *chart;
	const char *ref;
	const char *chartpress;
	const char *index;
	const char *like;
	int json;
	int published;
	char **paths;
	size_t npaths;
};

/* why: the reason (printed first), "" when it is already reported, NULL for --help. */
static int usage(const char *why)
{
	if (why && *why)
		sg_error("%s", why);
	fputs(usage_text, why ? stderr : stdout);
	return why ? SG_EXIT_TROUBLE : SG_EXIT_OK;
}

static void short_hex(char *out, const git_oid *oid)
{
	git_oid_tostr(out, 8, oid);
}

static void print_json(const char *version, const struct sg_chartsrc_result *r)
{
	struct sg_buf b = SG_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];

	sg_buf_addstr(&b, "{\"version\":\"");
	sg_buf_add_json(&b, version);
	sg_buf_addstr(&b, "\",\"sha\":");
	if (r->ver.format != SG_CHARTVER_NONE && r->ver.sha[0])
		sg_buf_addf(&b, "\"%s\"", r->ver.sha);
	else
		sg_buf_addstr(&b, "null");
	sg_buf_addf(&b, ",\"verdict\":\"%s\",\"commit\":", sg_chartsrc_verdict_name(r->verdict));
	if (r->has_commit)
		sg_buf_addf(&b, "\"%s\"", git_oid_tostr(hex, sizeof(hex), &r->commit));
	else
		sg_buf_addstr(&b, "null");
	sg_buf_addstr(&b, ",\"last_change\":");
	if (r->has_last_change)
		sg_buf_addf(&b, "\"%s\"", git_oid_tostr(hex, sizeof(hex), &r->last_change));
	else
		sg_buf_addstr(&b, "null");
	sg_buf_addstr(&b, ",\"suggested\":");
	if (r->suggested) {
		sg_buf_addch(&b, '"');
		sg_buf_add_json(&b, r->suggested);
		sg_buf_addch(&b, '"');
	} else {
		sg_buf_addstr(&b, "null");
	}
	sg_buf_addf(&b, ",\"published\":%s",
		    r->published < 0 ? "null" : r->published ? "true" : "false");
	if (r->count_mismatch)
		sg_buf_addf(&b, ",\"count\":%lu", (unsigned long)r->count);
	sg_buf_addstr(&b, "}\n");
	fputs(sg_buf_str(&b), stdout);
	sg_buf_release(&b);
}

static void print_text(const char *version, const struct sg_chartsrc_result *r)
{
	struct sg_buf b = SG_BUF_INIT;
	char c7[8], l7[8];

	if (r->has_commit)
		short_hex(c7, &r->commit);
	if (r->has_last_change)
		short_hex(l7, &r->last_change);
	sg_buf_addf(&b, "%s: %s", version, sg_chartsrc_verdict_name(r->verdict));
	switch (r->verdict) {
	case SG_VERDICT_NOT_A_CHANGE:
		sg_buf_addf(&b, ": commit %s did not change ", c7);
		sg_chartsrc_paths_text(&b, r->paths);
		if (r->has_last_change)
			sg_buf_addf(&b, "; last change %s, use %s", l7, r->suggested);
		break;
	case SG_VERDICT_UNPUBLISHED:
		sg_buf_addstr(&b, ": not in the chart index");
		break;
	case SG_VERDICT_COUNT_MISMATCH:
		sg_buf_addf(&b, ": commit %s has %lu commits of history, the version says %ld",
			    c7, (unsigned long)r->count, r->ver.count);
		break;
	case SG_VERDICT_UNKNOWN_COMMIT:
		sg_buf_addf(&b, ": no commit %s in the source", r->ver.sha);
		break;
	case SG_VERDICT_AMBIGUOUS:
		sg_buf_addf(&b, ": %s names more than one object", r->ver.sha);
		break;
	case SG_VERDICT_OK:
		sg_buf_addf(&b, ": commit %s", c7);
		break;
	default:
		break;
	}
	if (r->detail)
		sg_buf_addf(&b, " (%s)", r->detail);
	if (r->verdict != SG_VERDICT_OK && r->verdict != SG_VERDICT_UNPUBLISHED &&
	    r->published == 0)
		sg_buf_addstr(&b, "; also not in the chart index");
	if (r->verdict != SG_VERDICT_COUNT_MISMATCH && r->count_mismatch)
		sg_buf_addf(&b, "; count %ld should be %lu", r->ver.count, (unsigned long)r->count);
	puts(sg_buf_str(&b));
	sg_buf_release(&b);
}

static int verify(struct sg_chartsrc *src, const struct opts *o, int argc, char **argv)
{
	int i, worst = SG_EXIT_OK;

	if (!argc)
		return usage("verify needs at least one VERSION");
	for (i = 0; i < argc; i++) {
		struct sg_chartsrc_result r;

		if (sg_chartsrc_verify(&r, src, argv[i]) < 0)
			return SG_EXIT_TROUBLE;
		if (o->json)
			print_json(argv[i], &r);
		else
			print_text(argv[i], &r);
		if (sg_chartsrc_verdict_is_error(r.verdict))
			worst = SG_EXIT_POLICY;
		sg_chartsrc_result_release(&r);
	}
	return worst;
}

/* The layout to copy: --like, else the first published version that carries a SHA. */
static const char *pick_like(const struct sg_chartsrc *src, const struct opts *o)
{
	const char *v;
	size_t i;

	if (o->like)
		return o->like;
	for (i = 0; src->index && src->chart &&
		    (v = sg_helmindex_version(src->index, src->chart, i)); i++) {
		struct sg_chartver cv;

		if (sg_chartver_parse(&cv, v) == 0 && cv.format != SG_CHARTVER_NONE)
			return v;
	}
	return NULL;
}

static int latest(struct sg_chartsrc *src, const struct opts *o, int argc)
{
	struct sg_buf out = SG_BUF_INIT, why = SG_BUF_INIT;
	const char *like = pick_like(src, o);
	int r;

	if (argc)
		return usage("latest takes no VERSION");
	if (!o->published && !like)
		return usage("latest needs --like VERSION (or an --index with a version of the "
			     "chart) to know the version layout");
	if (o->published && (!o->index || !o->chart))
		return usage("--published needs --chart and --index");
	r = sg_chartsrc_latest(&out, NULL, src, like, o->published, &why);
	if (r == SG_CHARTSRC_NONE)
		sg_error("%s%s", sg_buf_str(&why),
			 !o->published && !o->paths ? " (give the chart's paths with --path)" : "");
	else if (r == 0)
		puts(sg_buf_str(&out));
	sg_buf_release(&out);
	sg_buf_release(&why);
	return r < 0 ? SG_EXIT_TROUBLE : r ? SG_EXIT_POLICY : SG_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "chart", required_argument, NULL, 'c' },
		{ "path", required_argument, NULL, 'p' },
		{ "ref", required_argument, NULL, 'r' },
		{ "chartpress", required_argument, NULL, 'C' },
		{ "index", required_argument, NULL, 'i' },
		{ "like", required_argument, NULL, 'l' },
		{ "format", required_argument, NULL, 'f' },
		{ "published", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	struct sg_chartsrc src;
	struct sg_helmindex *idx = NULL;
	git_repository *repo = NULL;
	const char *cmd;
	int c, git_started = 0, ret = SG_EXIT_TROUBLE;

	sg_sanitize_fds();
	signal(SIGPIPE, SIG_IGN);
	memset(&o, 0, sizeof(o));
	memset(&src, 0, sizeof(src));
	if (argc < 2)
		return usage("missing subcommand (verify or latest)");
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
		return usage(NULL);
	if (strcmp(cmd, "verify") && strcmp(cmd, "latest")) {
		sg_error("unknown subcommand '%s'", cmd);
		return usage("");
	}
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "s:c:p:r:C:i:l:f:Ph", lopts, NULL)) != -1) {
		switch (c) {
		case 's': o.source = optarg; break;
		case 'c': o.chart = optarg; break;
		case 'p': {
			char *p = sg_chartsrc_norm_path("", optarg);

			if (!p) {
				sg_error("--path '%s' is not inside the source repository (paths are "
					 "relative to its top)", optarg);
				ret = usage("");
				goto out;
			}
			o.paths = sg_realloc(o.paths, (o.npaths + 2) * sizeof(*o.paths));
			o.paths[o.npaths++] = p;
			o.paths[o.npaths] = NULL;
			break;
		}
		case 'r': o.ref = optarg; break;
		case 'C': o.chartpress = optarg; break;
		case 'i': o.index = optarg; break;
		case 'l': o.like = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				ret = usage("--format is text or json");
				goto out;
			}
			o.json = !strcmp(optarg, "json");
			break;
		case 'P': o.published = 1; break;
		case 'h':
			ret = usage(NULL);
			goto out;
		default:
			ret = usage("");
			goto out;
		}
	}
	argc -= optind;
	argv += optind;
	if (!o.source) {
		ret = usage("--source DIR is required");
		goto out;
	}
	sg_git_init();
	git_started = 1;
	/* This process only reads the source it was pointed at: see sg_chartsrc_fast_reads. */
	sg_chartsrc_fast_reads();
	if (sg_repo_open_path(&repo, o.source) < 0)
		goto out;
	if (o.index && sg_helmindex_load(&idx, o.index) < 0)
		goto out;
	src.repo = repo;
	src.dir = o.source;
	src.chart = o.chart;
	src.paths = o.paths;
	src.chartpress = o.chartpress;
	src.ref = o.ref;
	src.index = idx;
	if (!strcmp(cmd, "verify"))
		ret = verify(&src, &o, argc, argv);
	else
		ret = latest(&src, &o, argc);
out:
	fflush(stdout);
	sg_helmindex_free(idx);
	git_repository_free(repo);
	sg_strv_free(o.paths);
	if (git_started)
		sg_git_shutdown();
	return ret;
}
