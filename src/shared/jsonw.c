/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shared/jsonw.h"

static void fail(struct jsonw *w, int error)
{
	if (!w->error)
		w->error = error;
}

static bool reserve(struct jsonw *w, size_t n)
{
	size_t size;
	char *p;

	if (w->error)
		return false;
	if (w->len + n < w->size)
		return true;
	size = w->size ? w->size : 512;
	while (size <= w->len + n)
		size *= 2;
	p = realloc(w->buf, size);
	if (!p) {
		fail(w, -ENOMEM);
		return false;
	}
	w->buf = p;
	w->size = size;
	return true;
}

static void put(struct jsonw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void put_char(struct jsonw *w, char c)
{
	put(w, &c, 1);
}

/* A newline, and one space per open container. */
static void indent(struct jsonw *w, unsigned depth)
{
	if (!reserve(w, depth + 1))
		return;
	w->buf[w->len++] = '\n';
	memset(w->buf + w->len, ' ', depth);
	w->len += depth;
}

/* Before a member of the innermost container: the comma after the one before, and the line. */
static void member(struct jsonw *w)
{
	if (w->members[w->depth - 1])
		put_char(w, ',');
	w->members[w->depth - 1] = true;
	indent(w, w->depth);
}

/* Before any value: in an array it is a member; in an object its key came first; at the top
 * there is one value. */
static bool value(struct jsonw *w)
{
	if (w->error)
		return false;
	if (w->depth == 0) {
		if (w->len > 0)
			fail(w, -EINVAL);
	} else if (w->kind[w->depth - 1] == '[') {
		member(w);
	} else if (!w->key_pending) {
		fail(w, -EINVAL);
	}
	w->key_pending = false;
	return !w->error;
}

static void begin(struct jsonw *w, char kind)
{
	if (!value(w))
		return;
	if (w->depth == JSONW_DEPTH_MAX) {
		fail(w, -E2BIG);
		return;
	}
	put_char(w, kind);
	w->kind[w->depth] = kind;
	w->members[w->depth] = false;
	w->depth++;
}

static void end(struct jsonw *w, char kind)
{
	if (w->error)
		return;
	if (w->depth == 0 || w->kind[w->depth - 1] != kind || w->key_pending) {
		fail(w, -EINVAL);
		return;
	}
	w->depth--;
	if (w->members[w->depth])
		indent(w, w->depth);
	put_char(w, kind == '{' ? '}' : ']');
}

void jsonw_object_begin(struct jsonw *w)
{
	begin(w, '{');
}

void jsonw_object_end(struct jsonw *w)
{
	end(w, '{');
}

void jsonw_array_begin(struct jsonw *w)
{
	begin(w, '[');
}

void jsonw_array_end(struct jsonw *w)
{
	end(w, '[');
}

static void put_string(struct jsonw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = strlen(s);

	if (!utf8_valid(s, n)) {
		fail(w, -EILSEQ);
		return;
	}
	put_char(w, '"');
	while (*s && !w->error) {
		size_t plain = 0;

		/* Runs of bytes that stand for themselves go in one copy. */
		while (s[plain] && s[plain] != '"' && s[plain] != '\\' &&
		       (unsigned char)s[plain] >= 0x20)
			plain++;
		put(w, s, plain);
		s += plain;
		if (!*s)
			break;
		switch (*s) {
		case '"':
			put(w, "\\\"", 2);
			break;
		case '\\':
			put(w, "\\\\", 2);
			break;
		case '\b':
			put(w, "\\b", 2);
			break;
		case '\f':
			put(w, "\\f", 2);
			break;
		case '\n':
			put(w, "\\n", 2);
			break;
		case '\r':
			put(w, "\\r", 2);
			break;
		case '\t':
			put(w, "\\t", 2);
			break;
		default: {
			char u[6] = {
				'\\', 'u', '0', '0', hex[(unsigned char)*s >> 4], hex[*s & 15]
			};

			put(w, u, sizeof(u));
		}
		}
		s++;
	}
	put_char(w, '"');
}

void jsonw_key(struct jsonw *w, const char *key)
{
	if (w->error)
		return;
	if (w->depth == 0 || w->kind[w->depth - 1] != '{' || w->key_pending) {
		fail(w, -EINVAL);
		return;
	}
	member(w);
	put_string(w, key);
	put(w, ": ", 2);
	w->key_pending = true;
}

void jsonw_string(struct jsonw *w, const char *s)
{
	if (value(w))
		put_string(w, s);
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	char digits[24], *p = digits + sizeof(digits);
	/* The magnitude as unsigned: -INT64_MIN does not fit an int64_t. */
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	if (!value(w))
		return;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(digits + sizeof(digits) - p));
}

void jsonw_bool(struct jsonw *w, bool v)
{
	if (value(w))
		put(w, v ? "true" : "false", v ? 4 : 5);
}

char *jsonw_finish(struct jsonw *w, int *ret_error)
{
	char *text;

	if (!w->error && (w->depth > 0 || w->len == 0))
		fail(w, -EINVAL);
	if (!w->error)
		put_char(w, '\0');
	*ret_error = w->error;
	text = w->error ? NULL : w->buf;
	if (w->error)
		free(w->buf);
	*w = (struct jsonw)JSONW_INIT; /* ready for another text */
	return text;
}

bool utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;

	while (p < e) {
		unsigned c = *p, n;
		uint32_t cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false; /* a continuation byte, an overlong 0xc0/0xc1, or past 0xf4 */
		}
		if ((size_t)(e - p) <= n)
			return false;
		for (unsigned i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		p += n + 1;
	}
	return true;
}
