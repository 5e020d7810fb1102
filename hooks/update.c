/*
 * The update hook: git's update protocol in, stagegate's checks for the update stage out.
 */
#include "hook.h"
#include "banned.h"

int main(int argc, char **argv)
{
	return sg_hook_main(argc, argv, SG_STAGE_UPDATE);
}
