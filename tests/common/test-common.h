/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared helpers for the cmocka unit tests: errno-aware asserts and a temporary directory. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

/* Asserts r == -e, printing both as errno names on failure. */
#define assert_errno(r, e)                                                                         \
	do {                                                                                       \
		int _r = (r), _e = (e);                                                            \
		if (_r != -_e) {                                                                   \
			print_error("expected -%s, got %d (%s)\n", strerror(_e), _r,               \
				    _r < 0 ? strerror(-_r) : "success");                           \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

#define assert_ok(r)                                                                               \
	do {                                                                                       \
		int _r = (r);                                                                      \
		if (_r < 0) {                                                                      \
			print_error("expected success, got %d (%s)\n", _r, strerror(-_r));         \
			fail();                                                                    \
		}                                                                                  \
	} while (0)

/* Creates a fresh directory under $TMPDIR and returns an fd for it; path in ret_path. */
int test_tmpdir(char ret_path[static 256]);
/* Removes the directory tree made by test_tmpdir. */
void test_rmtree(const char *path);
/* The fuzz corpus's file target/name ($BRNET_FUZZ_CORPUS, which meson test sets): its bytes
 * in a new buffer (malloc's alignment, as the kernel's answers have), at most max of them;
 * fails the test when it cannot be read. */
void test_read_corpus(const char *target, const char *name, size_t max, char **ret,
		      size_t *ret_len);
