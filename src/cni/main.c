/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * brnet-cni: reads the request (CNI_* environment, config on stdin), runs one verb, and writes
 * the result or the error object on stdout. One line on stderr says why a request failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cni/cni.h"
#include "shared/fileio.h"
#include "shared/jsonseed.h"

#define CNI_STDIN_MAX (1u << 20)

extern char **environ;

static void print_json(json_t *j)
{
	if (j)
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	fflush(stdout);
}

static int version(const struct cni_conf *conf)
{
	_cleanup_(json_decrefp) json_t *out = NULL, *list = json_array();

	for (size_t i = 0; i < cni_n_versions; i++)
		json_array_append_new(list, json_string(cni_versions[i]));
	out = json_pack("{s:s, s:O}", "cniVersion", conf->version, "supportedVersions", list);
	print_json(out);
	return 0;
}

static int run(struct cni_request *req, struct cni_error *e)
{
	struct brnet_error err = { 0 };
	int r;

	r = brnet_ctx_new(req->conf.state_dir, &req->ctx, &err);
	if (r < 0)
		return cni_fail(e,
				req->env.command == CNI_STATUS ? CNI_ERR_NOT_AVAILABLE : CNI_ERR_IO,
				strerror(-r), "%s", err.msg);
	switch (req->env.command) {
	case CNI_ADD:
		return cni_add(req, e);
	case CNI_DEL:
		return cni_del(req, e);
	case CNI_CHECK:
		return cni_check(req, e);
	case CNI_STATUS:
		return cni_status(req, e);
	case CNI_GC:
		return cni_gc(req, e);
	case CNI_VERSION:
		break;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "ADD", "DEL", "CHECK", "STATUS", "GC", "VERSION" };
	struct cni_request req = { .result = NULL };
	struct cni_error e = { 0 };
	_cleanup_(freep) char *in = NULL;
	_cleanup_(json_decrefp) json_t *ej = NULL;
	size_t len = 0;
	int r;

	if (argc > 1 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0)) {
		printf("brnet-cni %s, CNI spec 0.3.0 to 1.1.0\n", brnet_version());
		return 0;
	}
	if (argc > 1 || isatty(STDIN_FILENO)) {
		fprintf(stderr,
			"brnet-cni is a CNI plugin: a container runtime runs it with CNI_COMMAND\n"
			"and the network config on stdin. See brnet-cni(8).\n");
		return 2;
	}
	json_seed_random();
	r = read_fd_bounded(STDIN_FILENO, CNI_STDIN_MAX, &in, &len);
	if (r < 0) {
		cni_fail(&e, r == -EFBIG ? CNI_ERR_DECODE : CNI_ERR_IO, strerror(-r),
			 "cannot read the network config from stdin: %s", strerror(-r));
		goto fail;
	}
	if (cni_env_parse(environ, &req.env, &e) < 0)
		goto fail;
	if (req.env.command == CNI_VERSION && len == 0) {
		free(in);
		in = strdup("{\"cniVersion\": \"1.1.0\"}");
		len = in ? strlen(in) : 0;
	}
	req.stdin_text = in;
	req.stdin_len = len;
	if (cni_conf_parse(in, len, req.env.command, req.env.args, &req.conf, &e) < 0)
		goto fail;
	if (req.env.command == CNI_VERSION) {
		r = version(&req.conf);
		cni_conf_done(&req.conf);
		return r;
	}
	if (run(&req, &e) < 0)
		goto fail;
	if (req.result)
		print_json(req.result);
	json_decref(req.result);
	cni_conf_done(&req.conf);
	brnet_ctx_free(req.ctx);
	return 0;
fail:
	ej = cni_error_json(&e, cni_version_supported(req.conf.version) ? req.conf.version : NULL);
	print_json(ej);
	fprintf(stderr, "brnet-cni: %s %s/%s: %s\n",
		req.env.command <= CNI_VERSION && getenv("CNI_COMMAND") ? names[req.env.command]
									: "",
		req.env.containerid ? req.env.containerid : "-",
		req.env.ifname ? req.env.ifname : "-", e.msg);
	cni_conf_done(&req.conf);
	brnet_ctx_free(req.ctx);
	return 1;
}
