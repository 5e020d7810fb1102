#ifndef SG_GLOB_H
#define SG_GLOB_H
/*
 * Path globs as .gitignore-style configs write them: '*' and '?' stay inside one path
 * component, '**' spans components ('**' + '/' also matches zero of them), [...] classes.
 */

/* 1 when path matches pattern, else 0. */
int sg_glob_match(const char *pattern, const char *path);

#endif
