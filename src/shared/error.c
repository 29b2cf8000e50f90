/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Filling struct brnet_error: the message always ends up NUL-terminated and bounded. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shared/error.h"

int brnet_err(struct brnet_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (code < 0)
		code = -code;
	if (err) {
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -code;
}

int brnet_err_prefix(struct brnet_error *err, int code, const char *fmt, ...)
{
	char prefix[sizeof(((struct brnet_error){ 0 }).msg)], old[sizeof(prefix)];
	va_list ap;

	if (code < 0)
		code = -code;
	if (!err)
		return -code;
	if (err->code == 0 || err->msg[0] == '\0') {
		err->code = code;
		snprintf(old, sizeof(old), "%s", strerror(code));
	} else {
		memcpy(old, err->msg, sizeof(old));
	}
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	/* Keep the end of the chain (the kernel's reason) when the whole does not fit. */
	{
		size_t plen = strnlen(prefix, sizeof(err->msg) - 3);

		memcpy(err->msg, prefix, plen);
		memcpy(err->msg + plen, ": ", 2);
		snprintf(err->msg + plen + 2, sizeof(err->msg) - plen - 2, "%s", old);
	}
	return -err->code;
}

void brnet_err_append(struct brnet_error *err, const char *fmt, ...)
{
	size_t len;
	va_list ap;

	if (!err)
		return;
	len = strnlen(err->msg, sizeof(err->msg));
	if (len + 1 >= sizeof(err->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg + len, sizeof(err->msg) - len, fmt, ap);
	va_end(ap);
}
