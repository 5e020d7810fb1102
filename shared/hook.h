#ifndef SG_HOOK_H
#define SG_HOOK_H
/*
 * The common body of every hook executable: translate git's hook protocol for this stage into
 * the check protocol, run the stage's checks, print the report, then run the hook that was
 * there before stagegate (install.sh keeps it and names it in STAGEGATE_CHAINED).
 */
#include "config.h"

int sg_hook_main(int argc, char **argv, enum sg_stage stage);

#endif
