/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The brnet command: shared helpers for the verbs, one file per verb. */
#pragma once

#include <stdbool.h>

#include "brnet.h"

#define EXIT_USAGE 2

struct cli_global {
	const char *state_dir;
};

struct verb {
	const char *name;
	int (*run)(const struct cli_global *g, int argc, char **argv);
	const char *summary;
};

int verb_setup(const struct cli_global *g, int argc, char **argv);
int verb_teardown(const struct cli_global *g, int argc, char **argv);
int verb_version(const struct cli_global *g, int argc, char **argv);

/* Prints "brnet: failed to <what>: <reason>" and returns the exit code for the error:
 * 2 for invalid input, 1 for an operation that failed. */
int cli_fail(const char *what, int r, const struct brnet_error *err);
/* Prints "brnet <verb>: <message>" plus a hint to --help, returns 2. */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Strict decimal parse of an unsigned value in [min, max]. */
int cli_parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret);
int cli_ctx(const struct cli_global *g, brnet_ctx **ret);
