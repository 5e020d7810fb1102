/*
 * Reading and writing attestation notes. JSON lines are parsed with the YAML reader (JSON is
 * YAML's flow style), so there is one parser for everything this project reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attest.h"
#include "yamldoc.h"
#include "banned.h"

void sg_attestation_release(struct sg_attestation *a)
{
	free(a->env);
	free(a->result);
	free(a->user);
	free(a->message);
	memset(a, 0, sizeof(*a));
}

void sg_attestations_release(struct sg_attestations *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		sg_attestation_release(&list->v[i]);
	free(list->v);
	memset(list, 0, sizeof(*list));
}

void sg_attest_time_format(struct sg_buf *out, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char s[32];

	gmtime_r(&tt, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sg_buf_addstr(out, s);
}

static int digits(const char *s, size_t n)
{
	int v = 0;

	while (n--) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s++ - '0');
	}
	return v;
}

int sg_attest_time_parse(long long *out, const char *s)
{
	/* Exactly what sg_attest_time_format writes: sscanf would take signs, spaces and
	 * February 31st (timegm then moves it to March), and the soak clock may hang on it. */
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	struct sg_buf back = SG_BUF_INIT;
	struct tm tm;
	long long t;
	size_t i;
	int ok;

	if (strlen(s) != sizeof(shape) - 1)
		return -1;
	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = digits(s, 4) - 1900;
	tm.tm_mon = digits(s + 5, 2) - 1;
	tm.tm_mday = digits(s + 8, 2);
	tm.tm_hour = digits(s + 11, 2);
	tm.tm_min = digits(s + 14, 2);
	tm.tm_sec = digits(s + 17, 2);
	t = (long long)timegm(&tm);
	/* Out-of-range fields come back normalized to another time: refuse rather than guess. */
	sg_attest_time_format(&back, t);
	ok = !strcmp(sg_buf_str(&back), s);
	sg_buf_release(&back);
	if (!ok)
		return -1;
	*out = t;
	return 0;
}

static void add_field(struct sg_buf *out, const char *name, const char *value, int first)
{
	sg_buf_addf(out, "%s\"%s\":\"", first ? "" : ",", name);
	sg_buf_add_json(out, value);
	sg_buf_addch(out, '"');
}

void sg_attest_format(struct sg_buf *out, const struct sg_attestation *a)
{
	struct sg_buf t = SG_BUF_INIT;

	sg_attest_time_format(&t, a->time);
	sg_buf_addch(out, '{');
	add_field(out, "env", a->env, 1);
	add_field(out, "result", a->result, 0);
	add_field(out, "user", a->user, 0);
	add_field(out, "time", sg_buf_str(&t), 0);
	if (a->message)
		add_field(out, "message", a->message, 0);
	sg_buf_addstr(out, "}\n");
	sg_buf_release(&t);
}

static char *field(const struct sg_yaml_node *map, const char *key)
{
	const struct sg_yaml_node *v = sg_yaml_get(map, key);

	return v && v->kind == SG_YAML_SCALAR ? sg_strndup(v->value, v->len) : NULL;
}

int sg_attest_parse_line(struct sg_attestation *out, const char *line, size_t len)
{
	struct sg_yaml_doc *doc = NULL;
	struct sg_yaml_error err;
	const struct sg_yaml_node *root;
	char *t = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	/* Only a JSON object is ours; anything else someone wrote in the note is left be. */
	while (len && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	if (!len || *line != '{')
		return -1;
	if (sg_yaml_parse(&doc, line, len, 8, &err) < 0)
		return -1;
	root = sg_yaml_deref(sg_yaml_root(doc));
	if (!root || root->kind != SG_YAML_MAP)
		goto out;
	out->env = field(root, "env");
	out->result = field(root, "result");
	out->user = field(root, "user");
	out->message = field(root, "message");
	t = field(root, "time");
	if (!out->env || !out->result || !out->user || !t ||
	    sg_attest_time_parse(&out->time, t) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		sg_attestation_release(out);
	free(t);
	sg_yaml_free(doc);
	return ret;
}

void sg_attest_parse_note(struct sg_attestations *list, const char *text)
{
	const char *s = text, *nl;

	for (; s && *s; s = nl ? nl + 1 : NULL) {
		struct sg_attestation a;
		size_t n;

		nl = strchr(s, '\n');
		n = nl ? (size_t)(nl - s) : strlen(s);
		if (sg_attest_parse_line(&a, s, n) < 0)
			continue;
		SG_GROW(list->v, list->alloc, list->n + 1);
		list->v[list->n++] = a;
	}
}

int sg_attest_notes_commit(git_commit **out, git_repository *repo,
			   const struct sg_updates *updates)
{
	git_oid oid;
	size_t i;
	int err, found = 0;

	*out = NULL;
	for (i = 0; updates && i < updates->n; i++) {
		if (strcmp(updates->v[i].ref, SG_ATTEST_REF))
			continue;
		if (sg_oid_is_zero(&updates->v[i].new_oid))
			return 0;	/* deleted by this push */
		git_oid_cpy(&oid, &updates->v[i].new_oid);
		found = 1;
	}
	if (!found) {
		err = git_reference_name_to_id(&oid, repo, SG_ATTEST_REF);
		if (err == GIT_ENOTFOUND) {
			git_error_clear();
			return 0;
		}
		if (err < 0)
			return sg_error_git(err, "cannot read '%s'", SG_ATTEST_REF);
	}
	err = git_commit_lookup(out, repo, &oid);
	if (err < 0)
		return sg_error_git(err, "cannot read the notes commit of '%s'", SG_ATTEST_REF);
	return 1;
}

int sg_attest_read(struct sg_attestations *list, git_repository *repo, git_commit *notes,
		   const git_oid *commit)
{
	git_note *note = NULL;
	int err;

	if (!notes)
		return 0;
	err = git_note_commit_read(&note, repo, notes, commit);
	if (err == GIT_ENOTFOUND) {
		git_error_clear();
		return 0;
	}
	if (err < 0)
		return sg_error_git(err, "cannot read the note of a commit in '%s'",
				    SG_ATTEST_REF);
	sg_attest_parse_note(list, git_note_message(note));
	git_note_free(note);
	return 0;
}

int sg_attest_write(git_oid *out, git_repository *repo, git_commit *parent,
		    const git_oid *target, const struct sg_attestation *a,
		    const git_signature *sig)
{
	struct sg_buf text = SG_BUF_INIT;
	git_note *old = NULL;
	git_oid blob;
	int err, ret = -1;

	if (parent) {
		err = git_note_commit_read(&old, repo, parent, target);
		if (err < 0 && err != GIT_ENOTFOUND) {
			sg_error_git(err, "cannot read the existing note");
			goto out;
		}
		git_error_clear();
	}
	if (old) {
		sg_buf_addstr(&text, git_note_message(old));
		if (text.len && text.buf[text.len - 1] != '\n')
			sg_buf_addch(&text, '\n');
	}
	sg_attest_format(&text, a);
	err = git_note_commit_create(out, &blob, repo, parent, sig, sig, target,
				     sg_buf_str(&text), 1);
	if (err < 0) {
		sg_error_git(err, "cannot write the note");
		goto out;
	}
	ret = 0;
out:
	git_note_free(old);
	sg_buf_release(&text);
	return ret;
}
