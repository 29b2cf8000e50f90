/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CHECK: the attachment must match prevResult, and the kernel must match the attachment. */
#include <stdio.h>
#include <string.h>

#include "cni/cni.h"

DEFINE_POINTER_CLEANUP(brnet_attachment, brnet_attachment_free)

struct problems {
	char text[768];
	unsigned n;
};

static void add_problem(const char *problem, void *userdata)
{
	struct problems *p = userdata;
	size_t len = strlen(p->text);

	snprintf(p->text + len, sizeof(p->text) - len, "%s%s", p->n ? "; " : "", problem);
	p->n++;
}

int cni_check(struct cni_request *req, struct cni_error *e)
{
	_cleanup_(brnet_attachment_freep) brnet_attachment *a = NULL;
	const struct cni_env *env = &req->env;
	struct brnet_error err = { 0 };
	struct problems problems = { .n = 0 };
	int r;

	if (!req->conf.prev_result)
		return cni_fail(e, CNI_ERR_CONFIG, "prevResult",
				"CHECK needs prevResult: the result of the ADD to check against");
	r = brnet_attachment_load(req->ctx, env->containerid, env->ifname, &a, &err);
	if (r < 0)
		return cni_fail(e, CNI_ERR_CHECK, env->containerid, "%s", err.msg);
	if (strcmp(brnet_attachment_netns(a), env->netns) != 0)
		return cni_fail(e, CNI_ERR_CHECK, env->netns,
				"attachment %s/%s is in namespace %s, not in CNI_NETNS %s",
				env->containerid, env->ifname, brnet_attachment_netns(a),
				env->netns);
	if (cni_result_find(req->conf.prev_result, env->ifname, env->netns, brnet_attachment_mac(a),
			    brnet_attachment_address(a), e) < 0)
		return -1;
	r = brnet_check(req->ctx, env->containerid, env->ifname, add_problem, &problems, &err);
	if (r < 0)
		return cni_fail_brnet(e, r, &err);
	if (problems.n > 0)
		return cni_fail(e, CNI_ERR_CHECK, problems.text, "%u problem%s with %s/%s: %s",
				problems.n, problems.n == 1 ? "" : "s", env->containerid,
				env->ifname, problems.text);
	if (req->conf.ipam_type)
		return cni_delegate(req->conf.ipam_type, env->path, "CHECK", req->stdin_text,
				    req->stdin_len, NULL, e);
	return 0;
}
