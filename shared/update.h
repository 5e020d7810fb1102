#ifndef SG_UPDATE_H
#define SG_UPDATE_H
/*
 * Ref updates as git hands them to hooks: pre-receive's "<old> <new> <ref>" lines, the update
 * hook's three arguments and pre-push's "<local-ref> <local-oid> <remote-ref> <remote-oid>"
 * lines, all turned into one list. Garbage is refused with the line it was on.
 */
#include <stddef.h>
#include <git2.h>

struct sg_buf;

struct sg_update {
	git_oid old_oid;	/* zero when the ref is created */
	git_oid new_oid;	/* zero when the ref is deleted */
	char *ref;		/* full name of the ref being updated (the remote ref for pre-push) */
};

struct sg_updates {
	struct sg_update *v;
	size_t n;
	size_t alloc;
};

void sg_updates_init(struct sg_updates *u);
void sg_updates_release(struct sg_updates *u);
void sg_updates_add(struct sg_updates *u, const git_oid *old_oid, const git_oid *new_oid,
		    const char *ref);
/* Parse pre-receive (and check protocol) input. Returns 0 or -1 after reporting which line
 * was wrong and what was expected. `what` names the source in messages ("standard input"). */
int sg_updates_parse_receive(struct sg_updates *u, const char *text, size_t len,
			     const char *what);
/* Parse pre-push input into the same form (ref = remote ref). */
int sg_updates_parse_push(struct sg_updates *u, const char *text, size_t len, const char *what);
/* The update hook's arguments: refname, old, new. */
int sg_updates_parse_args(struct sg_updates *u, const char *ref, const char *old_hex,
			  const char *new_hex);
/* Write the list in the check protocol's form (pre-receive lines). */
void sg_updates_write(const struct sg_updates *u, struct sg_buf *out);

int sg_oid_is_zero(const git_oid *oid);
/* Abbreviated hex (7 digits) of oid into a caller buffer of at least 8 bytes. */
const char *sg_oid_short(char *buf, const git_oid *oid);
/* "refs/heads/prod" -> "prod"; other refs unchanged. Borrowed from ref. */
const char *sg_ref_branch(const char *ref);

#endif
