# stagegate: plain Makefile. Users add flags through CFLAGS; the warnings stay.
# Every artifact lands under $(BUILD), laid out as it is installed, so that a hook finds its
# checks next to it whether it runs from the build tree or from PREFIX.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/stagegate
DESTDIR ?=
BUILD ?= build
VERSION ?= 0.1.0

CC ?= cc
CFLAGS ?= -g -O2
PKGS = libgit2 yaml-0.1 libpcre2-8 libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)

# libgit2 and the libraries under it are linked statically when Debian's archives are there
# (libgit2-dev ships them; libssh2's needs libssl-dev, libgit2's GSSAPI code libkrb5-dev):
# every hook and check is a short-lived process, and resolving libgit2's shared dependency
# tree cost 7 of a check's 10 million start-up instructions (docs/performance.md).
# STATIC_GIT=0 links everything dynamically.
LIBDIR := $(shell pkg-config --variable=libdir libgit2 2>/dev/null)
STATIC_GIT ?= $(shell for l in git2 mbedtls mbedx509 mbedcrypto http_parser ssh2 crypto pcre2-8 z yaml; do \
	test -f $(LIBDIR)/lib$$l.a || { echo 0; exit; }; done; \
	pkg-config --exists krb5-gssapi && echo 1 || echo 0)
ifeq ($(STATIC_GIT),1)
PKG_LIBS := -Wl,-Bstatic -lgit2 -lmbedtls -lmbedx509 -lmbedcrypto -lhttp_parser -lssh2 \
	-lcrypto -lpcre2-8 -lz -lyaml -Wl,-Bdynamic \
	$(shell pkg-config --libs krb5-gssapi libcurl) -lrt -lpthread -ldl -lm
GIT_LDFLAGS := -Wl,--wrap=mbedtls_x509_crt_parse_file
GIT_CFLAGS := -DSG_STATIC_GIT
else
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
GIT_LDFLAGS := -Wl,--export-dynamic-symbol=mbedtls_x509_crt_parse_file
GIT_CFLAGS :=
endif

override CFLAGS := -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-unused-parameter -Wvla -Ishared $(PKG_CFLAGS) \
	-DSG_VERSION='"$(VERSION)"' $(GIT_CFLAGS) $(CFLAGS)

# See shared/gitlib.c: the executables replace mbedTLS's CA-file loader for libgit2.
override LDFLAGS += -Wl,--as-needed $(GIT_LDFLAGS)

SHARED_SRC := $(wildcard shared/*.c)
SHARED_OBJ := $(SHARED_SRC:%.c=$(BUILD)/%.o)
CHECK_SRC := $(wildcard checks/*.c)
CHECKS := $(CHECK_SRC:checks/%.c=$(BUILD)/libexec/stagegate/stagegate-%)
HOOK_NAMES := pre-receive update pre-push pre-merge-commit pre-commit
HOOKS := $(HOOK_NAMES:%=$(BUILD)/libexec/stagegate/hooks/%)
FRONT := $(BUILD)/bin/stagegate
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNITS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIB := $(BUILD)/libstagegate.a
# gitlib.o is named on every link line: it replaces a function libgit2 calls (see above), which
# the linker would not fetch from the archive for a program that calls nothing else in it.
GITLIB := $(BUILD)/shared/gitlib.o

SCRIPTS := $(BUILD)/libexec/stagegate/install.sh $(BUILD)/libexec/stagegate/demo.sh

all: $(FRONT) $(CHECKS) $(HOOKS) $(SCRIPTS)

$(BUILD)/libexec/stagegate/install.sh: install.sh
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/libexec/stagegate/demo.sh: tests/demo.sh
	@mkdir -p $(dir $@)
	cp $< $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(SHARED_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/libexec/stagegate/stagegate-%: $(BUILD)/checks/%.o $(GITLIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(GITLIB) $(LIB) $(PKG_LIBS)

$(BUILD)/libexec/stagegate/hooks/%: $(BUILD)/hooks/%.o $(GITLIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(GITLIB) $(LIB) $(PKG_LIBS)

$(FRONT): $(BUILD)/stagegate.o $(GITLIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(GITLIB) $(LIB) $(PKG_LIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(GITLIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(GITLIB) $(LIB) $(PKG_LIBS) $(CMOCKA_LIBS)

units: $(UNITS)

# The whole suite: cmocka unit tests, then bats through real git. tests/run.sh prints the
# closing "N passed, N failed" line.
check: all units
	@BUILD=$(BUILD) sh tests/run.sh

test: check

# ASan+UBSan build of everything, running the whole suite. A sanitizer finding exits 86, so a
# hook reports the check as crashed (with the report's first line) rather than as a refusal.
sanitize:
	ASAN_OPTIONS=exitcode=86:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:exitcode=86 \
	$(MAKE) BUILD=build-asan CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" check

demo: all
	@$(FRONT) demo

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/hooks
	install -m 755 $(FRONT) $(DESTDIR)$(BINDIR)/stagegate
	install -m 755 $(CHECKS) $(DESTDIR)$(LIBEXECDIR)/
	install -m 755 $(HOOKS) $(DESTDIR)$(LIBEXECDIR)/hooks/
	install -m 755 $(SCRIPTS) $(DESTDIR)$(LIBEXECDIR)/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/stagegate
	rm -rf $(DESTDIR)$(LIBEXECDIR)

clean:
	rm -rf build build-asan

.PHONY: all units check test sanitize demo install uninstall clean
.SECONDARY:
-include $(SHARED_OBJ:.o=.d) $(BUILD)/checks/*.d $(BUILD)/hooks/*.d $(BUILD)/stagegate.d $(BUILD)/tests/unit/*.d
