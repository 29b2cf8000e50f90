/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Delegation to an IPAM plugin, as the spec says: the plugin found on CNI_PATH runs with our
 * environment (CNI_COMMAND set to the verb), the complete config on stdin, its result or error
 * on stdout (read here) and its logs on our stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cni/cni.h"
#include "shared/fileio.h"

#define DELEGATE_OUTPUT_MAX (1u << 20)

extern char **environ;

static int find_plugin(const char *type, const char *cni_path, char ret[static PATH_MAX],
		       struct cni_error *e)
{
	if (!cni_path || !*cni_path)
		return cni_fail(e, CNI_ERR_ENV, "CNI_PATH",
				"CNI_PATH is not set: the ipam plugin %s must be found on it",
				type);
	for (const char *s = cni_path; *s;) {
		size_t n = strcspn(s, ":");

		if (n > 0 && snprintf(ret, PATH_MAX, "%.*s/%s", (int)n, s, type) < PATH_MAX &&
		    access(ret, X_OK) == 0)
			return 0;
		s += n;
		if (*s == ':')
			s++;
	}
	return cni_fail(e, CNI_ERR_CONFIG, type, "ipam plugin %s not found in CNI_PATH %s", type,
			cni_path);
}

/* Our environment with CNI_COMMAND replaced. */
static char **make_env(const char *command)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 2, sizeof(*env));
	if (!env)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CNI_COMMAND=", 12) != 0)
			env[k++] = environ[i];
	if (asprintf(&env[k], "CNI_COMMAND=%s", command) < 0) {
		free(env);
		return NULL;
	}
	return env;
}

static void free_env(char **env)
{
	size_t n = 0;

	if (!env)
		return;
	while (env[n])
		n++;
	free(env[n - 1]); /* the one string we allocated is the last */
	free(env);
}

/* Runs the plugin; *out receives its stdout. Returns its exit status, or -1 with e set. */
static int run_plugin(const char *path, const char *command, const char *in, size_t in_len,
		      char **out, size_t *out_len, struct cni_error *e)
{
	_cleanup_(closep) int in_fd = -EBADF, out_r = -EBADF, out_w = -EBADF;
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)path, NULL }, **env;
	int pipefd[2], status, r;
	pid_t pid;

	/* stdin from a memfd: the plugin reads it at its pace, and we never block on it. */
	in_fd = memfd_create("cni-config", MFD_CLOEXEC);
	if (in_fd < 0 || write(in_fd, in, in_len) != (ssize_t)in_len ||
	    lseek(in_fd, 0, SEEK_SET) < 0)
		return cni_fail(e, CNI_ERR_IO, strerror(errno),
				"cannot pass the config to the ipam plugin: %s", strerror(errno));
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return cni_fail(e, CNI_ERR_IO, strerror(errno), "cannot run the ipam plugin: %s",
				strerror(errno));
	out_r = pipefd[0];
	out_w = pipefd[1];
	env = make_env(command);
	if (!env)
		return cni_fail(e, CNI_ERR_IO, NULL, "out of memory");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_w, STDOUT_FILENO);
	r = posix_spawn(&pid, path, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	free_env(env);
	if (r != 0)
		return cni_fail(e, CNI_ERR_IPAM, strerror(r), "cannot run the ipam plugin %s: %s",
				path, strerror(r));
	close(out_w);
	out_w = -EBADF;
	r = read_fd_bounded(out_r, DELEGATE_OUTPUT_MAX, out, out_len);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return cni_fail(e, CNI_ERR_IPAM, strerror(errno), "cannot wait for %s",
					path);
	if (r < 0)
		return cni_fail(e, CNI_ERR_IPAM, strerror(-r), "cannot read the output of %s: %s",
				path, strerror(-r));
	if (!WIFEXITED(status)) {
		free(*out);
		*out = NULL;
		return cni_fail(e, CNI_ERR_IPAM, NULL, "the ipam plugin %s was killed by signal %d",
				path, WTERMSIG(status));
	}
	return WEXITSTATUS(status);
}

int cni_delegate(const char *type, const char *cni_path, const char *command,
		 const char *stdin_text, size_t stdin_len, json_t **ret, struct cni_error *e)
{
	_cleanup_(json_decrefp) json_t *res = NULL;
	_cleanup_(freep) char *out = NULL;
	char path[PATH_MAX];
	json_error_t jerr;
	size_t out_len = 0;
	int status;

	if (ret)
		*ret = NULL;
	if (find_plugin(type, cni_path, path, e) < 0)
		return -1;
	status = run_plugin(path, command, stdin_text, stdin_len, &out, &out_len, e);
	if (status < 0)
		return -1;
	if (out_len > 0)
		res = json_loadb(out, out_len, 0, &jerr);
	if (status != 0) {
		json_t *code = json_object_get(res, "code");
		const char *msg = json_string_value(json_object_get(res, "msg"));
		const char *details = json_string_value(json_object_get(res, "details"));

		if (!json_is_integer(code) || !msg)
			return cni_fail(e, CNI_ERR_IPAM, out, "the ipam plugin %s failed (exit %d)",
					type, status);
		return cni_fail(e, (int)json_integer_value(code), details, "ipam plugin %s: %s",
				type, msg);
	}
	if (ret && out_len > 0) {
		if (!json_is_object(res))
			return cni_fail(e, CNI_ERR_IPAM, jerr.text,
					"the ipam plugin %s printed a result that is not a JSON "
					"object",
					type);
		*ret = steal_pointer(&res);
	}
	return 0;
}
