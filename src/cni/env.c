/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CNI_* environment: which variables each command needs, and what they may hold. */
#include <string.h>

#include "cni/cni.h"
#include "lib/config/config.h"

static const char *env_get(char *const *envp, const char *name)
{
	size_t len = strlen(name);

	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, len) == 0 && (*envp)[len] == '=')
			return *envp + len + 1;
	return NULL;
}

static const struct {
	const char *name;
	enum cni_command command;
} commands[] = {
	{ "ADD", CNI_ADD },	  { "DEL", CNI_DEL }, { "CHECK", CNI_CHECK },
	{ "STATUS", CNI_STATUS }, { "GC", CNI_GC },   { "VERSION", CNI_VERSION },
};

int cni_env_parse(char *const *envp, struct cni_env *ret, struct cni_error *e)
{
	const char *cmd = env_get(envp, "CNI_COMMAND");
	struct brnet_error err = { 0 };
	struct cni_env env = { 0 };
	bool found = false, per_container;

	if (!cmd || !*cmd)
		return cni_fail(e, CNI_ERR_ENV, "CNI_COMMAND",
				"CNI_COMMAND is not set: expected ADD, DEL, CHECK, STATUS, GC or "
				"VERSION");
	for (size_t i = 0; i < ELEMENTSOF(commands); i++)
		if (strcmp(cmd, commands[i].name) == 0) {
			env.command = commands[i].command;
			found = true;
		}
	if (!found)
		return cni_fail(
			e, CNI_ERR_ENV, "CNI_COMMAND",
			"invalid CNI_COMMAND \"%.64s\": expected ADD, DEL, CHECK, STATUS, GC "
			"or VERSION",
			cmd);
	env.containerid = env_get(envp, "CNI_CONTAINERID");
	env.netns = env_get(envp, "CNI_NETNS");
	env.ifname = env_get(envp, "CNI_IFNAME");
	env.args = env_get(envp, "CNI_ARGS");
	env.path = env_get(envp, "CNI_PATH");
	if (env.netns && !*env.netns)
		env.netns = NULL;

	per_container = env.command == CNI_ADD || env.command == CNI_DEL ||
			env.command == CNI_CHECK;
	if (per_container) {
		if (!env.containerid || !*env.containerid)
			return cni_fail(e, CNI_ERR_ENV, "CNI_CONTAINERID",
					"CNI_CONTAINERID is not set: %s needs it", cmd);
		if (config_check_id(env.containerid, &err) < 0)
			return cni_fail(e, CNI_ERR_ENV, "CNI_CONTAINERID", "CNI_CONTAINERID: %s",
					err.msg);
		if (!env.ifname || !*env.ifname)
			return cni_fail(e, CNI_ERR_ENV, "CNI_IFNAME",
					"CNI_IFNAME is not set: %s needs it", cmd);
		if (config_check_ifname(env.ifname, "interface name", &err) < 0)
			return cni_fail(e, CNI_ERR_ENV, "CNI_IFNAME", "CNI_IFNAME: %s", err.msg);
	}
	if ((env.command == CNI_ADD || env.command == CNI_CHECK) && !env.netns)
		return cni_fail(e, CNI_ERR_ENV, "CNI_NETNS", "CNI_NETNS is not set: %s needs it",
				cmd);
	if (per_container && env.netns && env.netns[0] != '/')
		return cni_fail(e, CNI_ERR_ENV, "CNI_NETNS",
				"invalid CNI_NETNS \"%.200s\": must be an absolute path",
				env.netns);
	*ret = env;
	return 0;
}
