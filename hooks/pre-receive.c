/*
 * The pre-receive hook: git's pre-receive protocol in, stagegate's checks for the pre-receive stage out.
 */
#include "hook.h"
#include "banned.h"

int main(int argc, char **argv)
{
	return sg_hook_main(argc, argv, SG_STAGE_PRE_RECEIVE);
}
