/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* STATUS and GC: the verbs about the network as a whole rather than one container. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cni/cni.h"

/* STATUS and GC are 1.1.0 verbs: a delegate is asked only under a 1.1.0 config, the only one
 * in which it can be expected to know them (host-local 1.1.x speaks up to 1.0.0). */
static bool delegate_knows_1_1(const struct cni_request *req)
{
	return req->conf.ipam_type && cni_version_cmp(req->conf.version, "1.1.0") >= 0;
}

int cni_status(struct cni_request *req, struct cni_error *e)
{
	struct brnet_error err = { 0 };
	int r;

	r = brnet_status(req->ctx, &err);
	if (r < 0)
		return cni_fail(e, CNI_ERR_NOT_AVAILABLE, err.msg,
				"brnet-cni cannot add containers: %s", err.msg);
	if (delegate_knows_1_1(req))
		return cni_delegate(req->conf.ipam_type, req->env.path, "STATUS", req->stdin_text,
				    req->stdin_len, NULL, e);
	return 0;
}

struct gc_errors {
	char text[900];
	unsigned n;
};

static _printf_(2, 3) void gc_error(struct gc_errors *g, const char *fmt, ...)
{
	size_t len = strlen(g->text);
	va_list ap;

	snprintf(g->text + len, sizeof(g->text) - len, "%s", g->n ? "; " : "");
	len = strlen(g->text);
	va_start(ap, fmt);
	vsnprintf(g->text + len, sizeof(g->text) - len, fmt, ap);
	va_end(ap);
	g->n++;
}

static bool is_valid(json_t *valid, const char *id, const char *ifname)
{
	json_t *v;
	size_t i;

	json_array_foreach (valid, i, v) {
		const char *vid = json_string_value(json_object_get(v, "containerID"));
		const char *vif = json_string_value(json_object_get(v, "ifname"));

		if (vid && vif && strcmp(vid, id) == 0 && strcmp(vif, ifname) == 0)
			return true;
	}
	return false;
}

static void ignore_action(const char *action, void *userdata)
{
}

/* Every attachment of this network (by origin) that the runtime no longer lists goes; then
 * brnet's own gc repairs what killed operations left. Errors do not stop the sweep. */
int cni_gc(struct cni_request *req, struct cni_error *e)
{
	struct gc_errors errors = { .n = 0 };
	struct brnet_error err = { 0 };
	brnet_attachment **list = NULL;
	struct cni_error ipam_err;
	size_t n = 0;
	int r;

	r = brnet_list(req->ctx, &list, &n, &err);
	if (r < 0)
		gc_error(&errors, "%s", err.msg);
	for (size_t i = 0; i < n; i++) {
		const char *id = brnet_attachment_id(list[i]);
		const char *ifname = brnet_attachment_ifname(list[i]);

		if (strcmp(brnet_attachment_origin(list[i]), req->conf.origin) != 0 ||
		    is_valid(req->conf.valid_attachments, id, ifname))
			continue;
		err = (struct brnet_error){ 0 };
		if (brnet_teardown(req->ctx, id, ifname, &err) < 0)
			gc_error(&errors, "%s/%s: %s", id, ifname, err.msg);
	}
	brnet_attachment_list_free(list, n);
	err = (struct brnet_error){ 0 };
	if (brnet_gc(req->ctx, false, ignore_action, NULL, &err) < 0)
		gc_error(&errors, "gc: %s", err.msg);
	if (delegate_knows_1_1(req) &&
	    cni_delegate(req->conf.ipam_type, req->env.path, "GC", req->stdin_text, req->stdin_len,
			 NULL, &ipam_err) < 0)
		gc_error(&errors, "ipam: %s", ipam_err.msg);
	if (errors.n > 0)
		return cni_fail(e, CNI_ERR_FAILED, errors.text, "GC failed %u time%s: %s", errors.n,
				errors.n == 1 ? "" : "s", errors.text);
	return 0;
}
