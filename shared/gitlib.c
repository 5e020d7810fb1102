/*
 * libgit2 initialisation without the CA bundle.
 *
 * Debian's libgit2 1.5 is built against mbedTLS, whose global init parses the whole system CA
 * bundle (/etc/ssl/certs/ca-certificates.crt): about 53 million instructions, ~10 ms, in every
 * process. A push runs a hook plus one process per check, so that was most of stagegate's
 * overhead. stagegate never uses libgit2's network transports (HTTP goes through libcurl,
 * pushes of notes through the git client), so the executables interpose the one mbedTLS
 * function that loads the file and make it fail: libgit2 then starts with no CA certificates,
 * which makes any TLS connection it might attempt fail closed rather than go unverified.
 * Linked statically, the linker redirects libgit2's call here (--wrap); linked dynamically,
 * each executable exports the function (--export-dynamic-symbol) so the dynamic linker binds
 * libgit2's call to it. With an OpenSSL-built libgit2 it is never called.
 */
#include <git2.h>

#include "gitlib.h"
#include "banned.h"

/* mbedTLS's MBEDTLS_ERR_X509_FILE_IO_ERROR. */
#define NO_CA_FILE (-0x2900)

#ifdef SG_STATIC_GIT
#define CA_LOADER __wrap_mbedtls_x509_crt_parse_file
#else
#define CA_LOADER mbedtls_x509_crt_parse_file
#endif

struct mbedtls_x509_crt;
int CA_LOADER(struct mbedtls_x509_crt *chain, const char *path);

int CA_LOADER(struct mbedtls_x509_crt *chain, const char *path)
{
	(void)chain;
	(void)path;
	return NO_CA_FILE;
}

int sg_git_init(void)
{
	int r = git_libgit2_init();

	/* The refused CA load leaves an error message behind; it is not ours to report. */
	git_error_clear();
	return r;
}

void sg_git_shutdown(void)
{
	git_libgit2_shutdown();
}
