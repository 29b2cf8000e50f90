/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DEL: best effort and idempotent. It needs neither the namespace nor prevResult: the record
 * says what was created, and a missing record means there is nothing left to remove. */
#include "cni/cni.h"

int cni_del(struct cni_request *req, struct cni_error *e)
{
	struct brnet_error err = { 0 };
	struct cni_error ipam_err;
	int r, failed = 0;

	r = brnet_teardown(req->ctx, req->env.containerid, req->env.ifname, &err);
	if (r < 0)
		failed = cni_fail_brnet(e, r, &err);
	/* The delegated plugin releases its lease even when our half failed. */
	if (req->conf.ipam_type &&
	    cni_delegate(req->conf.ipam_type, req->env.path, "DEL", req->stdin_text, req->stdin_len,
			 NULL, &ipam_err) < 0 &&
	    !failed)
		failed = cni_fail(e, ipam_err.code, ipam_err.details, "%s", ipam_err.msg);
	return failed;
}
