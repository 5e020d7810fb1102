#ifndef SG_BANNED_H
#define SG_BANNED_H
/*
 * Functions that overflow or truncate silently. Using one is a compile error, as in git.
 * Include last, after the system headers.
 */
#define SG_BANNED(func) sorry_##func##_is_banned_in_stagegate

#undef strcpy
#define strcpy(x, y) SG_BANNED(strcpy)
#undef strcat
#define strcat(x, y) SG_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) SG_BANNED(strncpy)
#undef sprintf
#define sprintf(...) SG_BANNED(sprintf)
#undef strtok
#define strtok(x, y) SG_BANNED(strtok)
#endif
