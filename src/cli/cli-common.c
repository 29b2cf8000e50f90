/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The error and parsing conventions every verb shares. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int cli_fail(const char *what, int r, const struct brnet_error *err)
{
	const char *reason = err && err->code && err->msg[0] ? err->msg : strerror(-r);

	fprintf(stderr, "brnet: failed to %s: %s\n", what, reason);
	return (r == -EINVAL || r == -EADDRINUSE) ? EXIT_USAGE : EXIT_FAILURE;
}

int cli_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "brnet %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'brnet %s --help'.\n", verb);
	return EXIT_USAGE;
}

int cli_parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret)
{
	unsigned long v = 0;

	if (!s || !*s)
		return -EINVAL;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return -ERANGE;
	}
	if (v < min)
		return -ERANGE;
	*ret = (unsigned)v;
	return 0;
}

int cli_ctx(const struct cli_global *g, brnet_ctx **ret)
{
	struct brnet_error err = { 0 };
	int r;

	r = brnet_ctx_new(g->state_dir, ret, &err);
	if (r < 0)
		return cli_fail("open state directory", r, &err);
	return 0;
}
