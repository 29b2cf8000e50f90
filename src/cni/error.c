/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CNI error results, and the mapping from the library's errno values to CNI codes. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cni/cni.h"

int cni_fail(struct cni_error *e, int code, const char *details, const char *fmt, ...)
{
	va_list ap;

	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	snprintf(e->details, sizeof(e->details), "%s", details ? details : "");
	return -1;
}

static int code_of_errno(int r)
{
	switch (-r) {
	case EINVAL:
		return CNI_ERR_CONFIG;
	case EADDRINUSE:
	case ENOSPC: /* the subnet is full, as far as the library says so */
		return CNI_ERR_IN_USE;
	case EEXIST:
		return CNI_ERR_EXISTS;
	case EBUSY:
	case EAGAIN:
	case EINTR:
		return CNI_ERR_TRY_AGAIN;
	case EIO:
	case EROFS:
	case EDQUOT:
	case EACCES:
	case EPERM:
		return CNI_ERR_IO;
	default:
		return CNI_ERR_FAILED;
	}
}

int cni_fail_brnet(struct cni_error *e, int r, const struct brnet_error *err)
{
	const char *msg = err && err->code ? err->msg : strerror(-r);

	/* A full state filesystem is I/O, not a full subnet: the library says which. */
	if (r == -ENOSPC && !strstr(msg, " is full: "))
		return cni_fail(e, CNI_ERR_IO, strerror(-r), "%s", msg);
	return cni_fail(e, code_of_errno(r), strerror(-r), "%s", msg);
}

json_t *cni_error_json(const struct cni_error *e, const char *version)
{
	return json_pack("{s:s, s:i, s:s, s:s}", "cniVersion", version ? version : "1.1.0", "code",
			 e->code, "msg", e->msg, "details", e->details);
}
