/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * brnet run: CMD in a fresh network namespace attached to a network. The child unshares its
 * network namespace and waits; brnet attaches it (by pid) and only then lets it exec CMD, so
 * CMD never starts without its network. brnet stays as the parent: it forwards signals, tears
 * the network down when CMD exits, and exits with CMD's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "shared/capability.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)
DEFINE_POINTER_CLEANUP(brnet_config, brnet_config_free)
DEFINE_POINTER_CLEANUP(brnet_attachment, brnet_attachment_free)

static void help(void)
{
	printf("Usage: brnet run [OPTIONS] [--] CMD [ARG...]\n\n"
	       "Run CMD in a new network namespace attached to a bridge network (as brnet setup\n"
	       "does), with the caller's stdio, environment and user (or --user's). SIGINT,\n"
	       "SIGTERM and SIGHUP sent to brnet are forwarded to CMD. When CMD exits the\n"
	       "network is torn down and brnet exits with CMD's status (128+N if CMD was killed\n"
	       "by signal N). If the network cannot be set up, CMD is not started. With --dns,\n"
	       "CMD also gets its own mount namespace in which /etc/resolv.conf is a read-only\n"
	       "copy of the --dns settings; the host's file is never touched. Without --dns, CMD\n"
	       "reads the host's, unless it names only resolvers on the host's loopback (as with\n"
	       "systemd-resolved): then CMD gets systemd-resolved's upstream resolvers as if\n"
	       "given with --dns, or a warning where there are none. A host firewall that drops\n"
	       "the network's forwarded traffic (as brnet check reports it) is warned of before\n"
	       "CMD starts.\n\n"
	       "%s"
	       "  -u, --user USER[:GROUP]\n"
	       "                     run CMD as USER (a name or uid) with its groups, or with\n"
	       "                     GROUP alone, and no_new_privs; the environment is kept.\n"
	       "                     As root without it, CMD can leave its namespace and so an\n"
	       "                     egress policy: give it for a workload that must not\n"
	       "                     get out\n"
	       "  -v, --verbose      print the attachment on stderr before starting CMD\n"
	       "  -h, --help         show this help\n\n"
	       "Without --id, a unique id run-<16 hex digits> is generated.\n",
	       cli_network_options_help);
}

/* The child: new network namespace (and, for DNS, a mount namespace of its own, its propagation
 * cut so that nothing mounted in it reaches the host), tell the parent (0 or an errno), wait
 * for the go, exec. */
static _Noreturn void child(int ready_fd, int go_fd, bool dns, const struct run_user *user,
			    char **cmd, const sigset_t *saved)
{
	int error = 0;
	char c;

	if (unshare(CLONE_NEWNET | (dns ? CLONE_NEWNS : 0)) < 0 ||
	    (dns && mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0))
		error = errno;
	if (write(ready_fd, &error, sizeof(error)) != sizeof(error) || error)
		_exit(127);
	close(ready_fd);
	/* EOF without a byte means setup failed (or brnet died): never run CMD then. */
	if (read(go_fd, &c, 1) != 1)
		_exit(127);
	close(go_fd);
	sigprocmask(SIG_SETMASK, saved, NULL);
	/* Last, so that the namespaces above and the parent's work in them needed no less. */
	error = -run_user_become(user);
	if (error) {
		fprintf(stderr, "brnet: failed to run %s as user %u: %s\n", cmd[0],
			(unsigned)user->uid, strerror(error));
		_exit(126);
	}
	execvp(cmd[0], cmd);
	fprintf(stderr, "brnet: failed to run %s: %s\n", cmd[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

#define HOST_RESOLV "/etc/resolv.conf"
/* systemd-resolved's list of the resolvers it forwards to, beside the stub it listens on. */
#define RESOLVED_UPSTREAMS "/run/systemd/resolve/resolv.conf"

/* Without --dns, CMD reads the host's resolv.conf. One that names only resolvers on the host's
 * loopback (systemd-resolved's 127.0.0.53, a local dnsmasq), or none (a resolver then asks
 * 127.0.0.1), names none that CMD's namespace can reach: CMD gets systemd-resolved's upstream
 * resolvers instead, as --dns would give them, or, where there are none, a warning. */
static void default_dns(brnet_config *cfg)
{
	_cleanup_(brnet_config_freep) brnet_config *host = NULL;
	int r;

	if (brnet_config_new(&host) < 0)
		return;
	r = brnet_config_add_dns_from_file(host, HOST_RESOLV, NULL);
	if (r > 0 || (r < 0 && r != -ENOENT))
		return; /* usable, or not ours to judge */
	if (brnet_config_add_dns_from_file(cfg, RESOLVED_UPSTREAMS, NULL) > 0)
		return;
	fprintf(stderr,
		"brnet: warning: " HOST_RESOLV " names no resolver that CMD's network namespace "
		"can reach (the host's loopback is not CMD's): name lookups will fail; give "
		"--dns ADDR\n");
}

static int make_id(char ret[static BRNET_ID_MAX + 1])
{
	uint8_t rnd[8];

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		return -errno;
	snprintf(ret, BRNET_ID_MAX + 1, "run-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
		 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	return 0;
}

/* A workload under an egress policy that keeps CAP_SYS_ADMIN (root, without --user) can enter
 * the host's network namespace (setns() on brnet's /proc/PID/ns/net) and send from there, where no
 * policy holds: said before it starts, as the user who asked for a policy would want to know. */
static void warn_escapable(const brnet_attachment *a, const struct run_user *user)
{
	if (!brnet_attachment_egress(a) || (user->set && user->uid != 0) ||
	    !capability_effective(CAP_SYS_ADMIN))
		return;
	fprintf(stderr, "brnet: warning: CMD runs as root with CAP_SYS_ADMIN, with which it can "
			"enter the host's network namespace, where its egress policy does not "
			"hold: give --user USER for a workload that must not leave it\n");
}

/* Waits for the child, forwarding signals that another process sent us. Signals the terminal
 * generated (si_code SI_KERNEL) already reached CMD, which shares our process group. */
static int supervise(pid_t pid, const sigset_t *set)
{
	for (;;) {
		siginfo_t si;
		int status, sig = sigwaitinfo(set, &si);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (sig != SIGCHLD) {
			if (si.si_code != SI_KERNEL)
				(void)kill(pid, sig);
			continue;
		}
		if (waitpid(pid, &status, WNOHANG) == pid) {
			if (WIFEXITED(status))
				return WEXITSTATUS(status);
			if (WIFSIGNALED(status))
				return 128 + WTERMSIG(status);
		}
	}
}

int verb_run(const struct cli_global *g0, int argc, char **argv)
{
	static const struct option options[] = { CLI_NETWORK_OPTIONS,
						 { "user", required_argument, NULL, 'u' },
						 { "verbose", no_argument, NULL, 'v' },
						 { "help", no_argument, NULL, 'h' },
						 {} };
	_cleanup_(brnet_config_freep) brnet_config *cfg = NULL;
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	_cleanup_(brnet_attachment_freep) brnet_attachment *a = NULL;
	_cleanup_(run_user_done) struct run_user user = { 0 };
	_cleanup_(closep) int ready_r = -EBADF, ready_w = -EBADF, go_r = -EBADF, go_w = -EBADF;
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	char id[BRNET_ID_MAX + 1] = "";
	bool verbose = false, have_id = false;
	_cleanup_(freep) char *resolv = NULL;
	int error = EPERM;
	sigset_t set, saved;
	int fds[2], c, r = 0, status;
	char **cmd;
	pid_t pid;

	if (brnet_config_new(&cfg) < 0)
		return cli_fail("run", -ENOMEM, NULL);
	optind = 1;
	opterr = 0;
	/* '+': options end at CMD, whose own options are its business. */
	while ((c = getopt_long(argc, argv, "+hvp:u:", options, NULL)) != -1) {
		r = cli_network_option(c, optarg, cfg, &g, "run", &err);
		if (r == -ENOENT) {
			r = 0;
			switch (c) {
			case 'u':
				run_user_done(&user);
				r = run_user_parse(optarg, &user, &err);
				break;
			case 'v':
				verbose = true;
				break;
			case 'h':
				help();
				return 0;
			default:
				return cli_usage_error("run",
						       "unknown option or missing argument: %s",
						       argv[optind - 1]);
			}
		} else if (c == OPT_ID) {
			have_id = true;
		}
		if (r < 0)
			return cli_fail("run", r, &err);
	}
	if (optind >= argc)
		return cli_usage_error("run", "missing CMD");
	cmd = argv + optind;
	if (!have_id) {
		r = make_id(id);
		if (r >= 0)
			r = brnet_config_set_id(cfg, id, &err);
		if (r < 0)
			return cli_fail("run", r, &err);
	}
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	r = brnet_resolv_conf(cfg, &resolv, &err);
	if (r == 0) {
		default_dns(cfg);
		r = brnet_resolv_conf(cfg, &resolv, &err);
	}
	if (r < 0)
		return cli_fail("run", r, &err);

	/* Signals wait in a queue until we are ready to forward them; the child restores the
	 * mask before exec. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &saved);

	if (pipe2(fds, O_CLOEXEC) < 0)
		return cli_fail("run", -errno, NULL);
	ready_r = fds[0], ready_w = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return cli_fail("run", -errno, NULL);
	go_r = fds[0], go_w = fds[1];

	pid = fork();
	if (pid < 0)
		return cli_fail("run", -errno, NULL);
	if (pid == 0) {
		close(ready_r);
		close(go_w);
		child(ready_w, go_r, resolv != NULL, &user, cmd, &saved);
	}
	closep(&ready_w);
	closep(&go_r);
	if (read(ready_r, &error, sizeof(error)) != sizeof(error) || error) {
		struct brnet_error e = { .code = error ? error : EPERM };

		closep(&go_w);
		waitpid(pid, NULL, 0);
		snprintf(e.msg, sizeof(e.msg), "cannot create the namespaces: %s",
			 strerror(e.code));
		return cli_fail("run", -e.code, &e);
	}

	r = brnet_config_set_pid(cfg, pid, &err);
	if (r >= 0)
		r = brnet_setup(ctx, cfg, &a, &err);
	if (r < 0) {
		closep(&go_w); /* the child exits without running CMD */
		waitpid(pid, NULL, 0);
		return cli_fail("set up attachment", r, &err);
	}
	/* DNS as for setup --resolv-bind, into CMD's own mount namespace, before CMD exists. */
	r = brnet_resolv_bind(cfg, pid, &err);
	if (r < 0) {
		struct brnet_error e2 = { 0 };

		closep(&go_w);
		waitpid(pid, NULL, 0);
		(void)brnet_teardown(ctx, brnet_attachment_id(a), brnet_attachment_ifname(a), &e2);
		return cli_fail("bind the resolv.conf", r, &err);
	}
	cli_warn_publish(a);
	/* A host firewall that drops the network's traffic: said before CMD finds it out. */
	cli_warn_firewall(ctx, a);
	warn_escapable(a, &user);
	if (verbose)
		cli_print_attachment(stderr, a, false);
	if (write(go_w, "G", 1) != 1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		status = 1;
	} else {
		status = supervise(pid, &set);
	}
	closep(&go_w);

	r = brnet_teardown(ctx, brnet_attachment_id(a), brnet_attachment_ifname(a), &err);
	if (r < 0)
		cli_fail("tear down attachment", r, &err);
	return status < 0 ? 1 : status;
}
