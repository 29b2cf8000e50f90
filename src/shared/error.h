/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The error carrier: an errno plus a one-line message that names the bad value and the rule.
 * Library code fills it and returns -errno; only the programs print it.
 */
#pragma once

#include "brnet.h"
#include "shared/macro.h"

/* Sets err (if not NULL) and returns -code, so callers can write `return brnet_err(...)`. */
int brnet_err(struct brnet_error *err, int code, const char *fmt, ...) _printf_(3, 4);

/* Prefixes the message already in err with context, keeping the code. Returns -err->code. */
int brnet_err_prefix(struct brnet_error *err, int code, const char *fmt, ...) _printf_(3, 4);

/* Appends to the message already in err (a second failure while handling the first), as far
 * as it fits; nothing when err is NULL. */
void brnet_err_append(struct brnet_error *err, const char *fmt, ...) _printf_(2, 3);
