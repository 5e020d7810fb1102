/*
 * The pre-commit hook: git's pre-commit protocol in, stagegate's checks for the pre-commit stage out.
 */
#include "hook.h"
#include "banned.h"

int main(int argc, char **argv)
{
	return sg_hook_main(argc, argv, SG_STAGE_PRE_COMMIT);
}
