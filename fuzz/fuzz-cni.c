/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A CNI request: the input is an environment block (KEY=VALUE lines) and, after the first NUL,
 * the config on stdin. It goes through what the plugin does before touching anything: the
 * environment, the config for the command, the prevResult reads and the result build.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cni/cni.h"

#define ENV_MAX 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise_result(const struct cni_conf *c, const struct cni_env *env)
{
	struct cni_add_result r = {
		.ifaces = { { .name = "cni0" },
			    { .name = "vb00000000" },
			    { .name = "eth0", .sandbox = "/run/netns/x" } },
		.address = "10.0.0.2/24",
		.gateway = "10.0.0.1",
		.dns = c->dns,
	};
	struct cni_ipam_result ipam;
	struct cni_error e;
	json_t *res;

	if (!c->prev_result)
		return;
	(void)cni_result_parse_ipam(c->prev_result, &ipam, &e);
	(void)cni_result_find(c->prev_result, env->ifname ? env->ifname : "eth0",
			      env->netns ? env->netns : "/n", "02:00:00:00:00:01", "10.0.0.2/24",
			      &e);
	res = cni_result_build(c->version, &r, c->prev_result);
	json_decref(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t env_len = nul ? (size_t)(nul - data) : size;
	char *env_text = strndup((const char *)data, env_len), *envp[ENV_MAX + 1], *save = NULL;
	const char *config = nul ? (const char *)nul + 1 : "";
	size_t config_len = nul ? size - env_len - 1 : 0;
	struct cni_error e = { 0 };
	struct cni_conf c;
	struct cni_env env;
	int n = 0;

	if (!env_text)
		return 0;
	for (char *line = strtok_r(env_text, "\n", &save); line && n < ENV_MAX;
	     line = strtok_r(NULL, "\n", &save))
		envp[n++] = line;
	envp[n] = NULL;
	if (cni_env_parse(envp, &env, &e) == 0 &&
	    cni_conf_parse(config, config_len, env.command, env.args, &c, &e) == 0) {
		exercise_result(&c, &env);
		cni_conf_done(&c);
	}
	free(env_text);
	return 0;
}
