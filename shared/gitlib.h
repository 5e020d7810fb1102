#ifndef SG_GITLIB_H
#define SG_GITLIB_H
/*
 * libgit2's global state, set up and torn down in one place. Every executable calls these
 * instead of git_libgit2_init/shutdown (see gitlib.c for why).
 */

int sg_git_init(void);
void sg_git_shutdown(void);

#endif
