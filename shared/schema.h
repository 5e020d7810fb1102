#ifndef SG_SCHEMA_H
#define SG_SCHEMA_H
/*
 * JSON Schema (the draft-07 keywords helm charts use) over YAML trees: the schema may be
 * written in JSON or YAML, and values are typed as helm reads them (YAML 1.1 booleans, plain
 * numbers), so a values file is judged the way `helm install` would judge it.
 */
#include <stddef.h>

#include "yamldoc.h"

struct sg_schema;

/* Parse a schema from text (JSON or YAML) and check it: every pattern compiles, every $ref is
 * local and resolves, every limit is a number. On error returns -1 with a message in *err_out
 * (caller frees) naming name:line:col. */
int sg_schema_load(struct sg_schema **out, const char *name, const char *data, size_t len,
		   char **err_out);
void sg_schema_free(struct sg_schema *s);

/*
 * Called once per violation: node is where it is in the instance (a key for an unknown key),
 * msg the complete message, which starts with the dotted key path ("`singleuser.memory`: ").
 */
typedef void (*sg_schema_report_fn)(const struct sg_yaml_node *node, const char *msg,
				    void *payload);

enum sg_schema_flags {
	/*
	 * instance is an override file that helm merges over the chart's values.yaml before it
	 * validates: `required` and minProperties are not checked (the defaults supply the
	 * keys), and a null value is accepted (it deletes the default).
	 */
	SG_SCHEMA_PARTIAL = (1 << 0)
};

/*
 * Validate instance against s. prefix is the dotted path of instance in its document ("" or
 * NULL for the root), used in messages. Returns the number of violations reported (capped
 * internally at a few hundred per call), or -1 on trouble (a $ref cycle: reported).
 */
int sg_schema_validate(struct sg_schema *s, const struct sg_yaml_node *instance,
		       const char *prefix, unsigned flags, sg_schema_report_fn report,
		       void *payload);

#endif
