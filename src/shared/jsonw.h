/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A JSON text written straight into a growing buffer, for the files written on every container
 * operation (the attachment record, twice a setup). jansson builds a tree of allocated values
 * and then walks it to print them: that was a fifth of brnet's own time in a setup. The layout
 * is jansson's with JSON_INDENT(1), so a record reads the same whoever wrote it; texts are read
 * back with jansson.
 *
 * Errors stick: the first one (-ENOMEM, -EILSEQ for a string that is not UTF-8, -E2BIG past
 * the nesting limit, -EINVAL for a misplaced call) makes every later call a no-op, and
 * jsonw_finish() reports it. The calls can then be made without checking each one.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONW_DEPTH_MAX 8

struct jsonw {
	char *buf;
	size_t len, size;
	unsigned depth;
	/* Per open container: '{' or '[', and whether it has a member yet. */
	char kind[JSONW_DEPTH_MAX];
	bool members[JSONW_DEPTH_MAX];
	bool key_pending; /* a key written, its value not yet */
	int error;
};

#define JSONW_INIT                                                                                 \
	{                                                                                          \
		.error = 0                                                                         \
	}

void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
/* In an object, before each value. */
void jsonw_key(struct jsonw *w, const char *key);
void jsonw_string(struct jsonw *w, const char *s);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_bool(struct jsonw *w, bool v);

/* The text (NUL-terminated, the caller's to free) once every container is closed; otherwise
 * NULL, with the first error in *ret_error. Either way w is left empty, for another text. */
char *jsonw_finish(struct jsonw *w, int *ret_error);

/* Whether s holds len bytes of well-formed UTF-8 (no overlong forms, no surrogates, nothing
 * past U+10FFFF): what a JSON string may carry, and what jansson reads. */
bool utf8_valid(const char *s, size_t len);
