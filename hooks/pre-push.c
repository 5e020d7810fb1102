/*
 * The pre-push hook: git's pre-push protocol in, stagegate's checks for the pre-push stage out.
 */
#include "hook.h"
#include "banned.h"

int main(int argc, char **argv)
{
	return sg_hook_main(argc, argv, SG_STAGE_PRE_PUSH);
}
