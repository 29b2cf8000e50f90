/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The brnet command: shared helpers for the verbs, one file per verb. */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "brnet.h"

#define EXIT_USAGE 2

struct cli_global {
	const char *state_dir;
};

struct verb {
	const char *name;
	int (*run)(const struct cli_global *g, int argc, char **argv);
	const char *summary;
};

/* Long-option values shared by the verbs; the network options are common to setup and run. */
enum {
	OPT_ID = 256,
	OPT_IFNAME,
	OPT_BRIDGE,
	OPT_SUBNET,
	OPT_IP,
	OPT_MTU,
	OPT_STATE_DIR,
	OPT_JSON,
	OPT_PID,
	OPT_NETNS,
	OPT_VERBOSE,
	OPT_DNS,
	OPT_DNS_SEARCH,
	OPT_DNS_OPTION,
	OPT_ROOTFS,
	OPT_RESOLV_BIND,
	OPT_EGRESS_ALLOW,
	OPT_EGRESS_ALLOW_FILE,
	OPT_EGRESS_TCP,
	OPT_EGRESS_UDP,
	OPT_EGRESS_DENY_ALL,
	OPT_NO_EGRESS_DNS,
	OPT_EGRESS_LOG,
	OPT_EGRESS_REJECT,
	OPT_ALLOW_ROUTED,
	OPT_NO_MASQUERADE,
	OPT_NO_MASQUERADE_TO,
	OPT_IGNORE_HOST_SOCKETS,
};

#define CLI_NETWORK_OPTIONS                                                                        \
	{ "id", required_argument, NULL, OPT_ID },                                                 \
		{ "ifname", required_argument, NULL, OPT_IFNAME },                                 \
		{ "bridge", required_argument, NULL, OPT_BRIDGE },                                 \
		{ "subnet", required_argument, NULL, OPT_SUBNET },                                 \
		{ "ip", required_argument, NULL, OPT_IP },                                         \
		{ "mtu", required_argument, NULL, OPT_MTU },                                       \
		{ "publish", required_argument, NULL, 'p' },                                       \
		{ "dns", required_argument, NULL, OPT_DNS },                                       \
		{ "dns-search", required_argument, NULL, OPT_DNS_SEARCH },                         \
		{ "dns-option", required_argument, NULL, OPT_DNS_OPTION },                         \
		{ "egress-allow", required_argument, NULL, OPT_EGRESS_ALLOW },                     \
		{ "egress-allow-file", required_argument, NULL, OPT_EGRESS_ALLOW_FILE },           \
		{ "egress-tcp-port", required_argument, NULL, OPT_EGRESS_TCP },                    \
		{ "egress-udp-port", required_argument, NULL, OPT_EGRESS_UDP },                    \
		{ "egress-deny-all", no_argument, NULL, OPT_EGRESS_DENY_ALL },                     \
		{ "no-egress-dns", no_argument, NULL, OPT_NO_EGRESS_DNS },                         \
		{ "egress-log", no_argument, NULL, OPT_EGRESS_LOG },                               \
		{ "egress-reject", no_argument, NULL, OPT_EGRESS_REJECT },                         \
		{ "allow-routed", no_argument, NULL, OPT_ALLOW_ROUTED },                           \
		{ "no-masquerade", no_argument, NULL, OPT_NO_MASQUERADE },                         \
		{ "no-masquerade-to", required_argument, NULL, OPT_NO_MASQUERADE_TO },             \
		{ "ignore-host-sockets", no_argument, NULL, OPT_IGNORE_HOST_SOCKETS },             \
	{                                                                                          \
		"state-dir", required_argument, NULL, OPT_STATE_DIR                                \
	}

extern const char cli_network_options_help[];
/* Applies one network option; -ENOENT if opt is not one, else 0 or -errno with err set. */
int cli_network_option(int opt, const char *arg, brnet_config *cfg, struct cli_global *g,
		       const char *verb, struct brnet_error *err);
/* Prints one attachment as a line of text or as a JSON object. */
void cli_print_attachment(FILE *f, const brnet_attachment *a, bool json);
/* The attachment's egress policy as JSON: null without one, else {"allow": [CIDR...],
 * "tcp_ports": [N...], "udp_ports": [N...], "dns": [ADDR...], "dns_allowed": bool,
 * "log": bool, "reject": bool}.
 * NULL only without memory. */
struct json_t *cli_egress_json(const brnet_attachment *a);
/* The same in a word for a table: "" without a policy, else "allow:N" or "deny-all", then
 * ",tcp:P" and ",udp:P" for each port, ",no-dns", ",log", ",reject" (cut to size). */
const char *cli_egress_summary(const brnet_attachment *a, char *buf, size_t size);
/* brnet_attachment_warnings() on stderr, as "brnet: warning: ...". */
void cli_warn_publish(const brnet_attachment *a);
/* brnet_check_network_firewall() for a's network, the same way; a failure to ask is not
 * reported (check reports it). */
void cli_warn_firewall(brnet_ctx *ctx, const brnet_attachment *a);
/* When a has an egress policy and process pid could leave it (it can enter the host's network
 * namespace, where no policy holds), says so on stderr: after setup --pid, and after policy
 * on an attachment set up that way. */
void cli_warn_escapable(const brnet_attachment *a, pid_t pid);

/* Parses setup's command line into cfg: CLI_PROCEED, or the exit code (help, usage error,
 * invalid value; the message is printed). Separate from verb_setup() so it can be fuzzed. */
#define CLI_PROCEED (-1)
struct cli_setup_opts {
	bool json;
	const char *rootfs; /* where to write etc/resolv.conf, or NULL */
	bool resolv_bind; /* bind it over /etc/resolv.conf in the --pid's mount namespace */
	unsigned pid; /* --pid, 0 when not given */
};
int cli_setup_parse(int argc, char **argv, brnet_config *cfg, struct cli_global *g,
		    struct cli_setup_opts *o);

/* The verbs that act on recorded state share one small command line: --state-dir and
 * --help always, and what takes says. */
enum {
	CLI_TAKES_ID = 1,
	CLI_TAKES_JSON = 2,
	CLI_TAKES_DRY_RUN = 4,
	CLI_TAKES_NETWORKS = 8,
	CLI_TAKES_NETWORK = 16, /* --network BRIDGE, instead of --id */
	CLI_TAKES_ALL = 32, /* --all, instead of --id */
	CLI_TAKES_FOLLOW = 64, /* --follow */
};
struct cli_opts {
	const char *id, *ifname; /* --id (required with CLI_TAKES_ID), --ifname (eth0) */
	bool ifname_given; /* --ifname was given, not left to its default */
	const char *network; /* --network */
	bool json, dry_run, networks, all, follow;
};
/* CLI_PROCEED, or the exit code (0 after --help). */
int cli_parse_simple(const char *verb, unsigned takes, void (*help)(void), int argc, char **argv,
		     struct cli_global *g, struct cli_opts *ret);

/* brnet run --user USER[:GROUP]: who CMD runs as. */
struct run_user {
	bool set;
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* supplementary */
	size_t n_groups;
};
/* USER is a name or a uid; without GROUP (a name or a gid) the user's own group and
 * supplementary groups, as a login gives them (a uid without a passwd entry then has none
 * known: refused); with GROUP that group alone. Looked up now, before anything changes: 0, or
 * -errno with err naming the bad value. */
int run_user_parse(const char *spec, struct run_user *ret, struct brnet_error *err);
/* In the child, just before exec: the groups, the gid and the uid (real, effective and
 * saved, so that nothing of the caller's stays), then no_new_privs. 0 or -errno. */
int run_user_become(const struct run_user *u);
void run_user_done(struct run_user *u);

int verb_setup(const struct cli_global *g, int argc, char **argv);
int verb_run(const struct cli_global *g, int argc, char **argv);
int verb_ls(const struct cli_global *g, int argc, char **argv);
int verb_check(const struct cli_global *g, int argc, char **argv);
int verb_gc(const struct cli_global *g, int argc, char **argv);
int verb_restore(const struct cli_global *g, int argc, char **argv);
int verb_policy(const struct cli_global *g, int argc, char **argv);
int verb_events(const struct cli_global *g, int argc, char **argv);
int verb_teardown(const struct cli_global *g, int argc, char **argv);
int verb_version(const struct cli_global *g, int argc, char **argv);
int verb_help(const struct cli_global *g, int argc, char **argv);

/* When id has no attachment under the --ifname left to its default, where it has one: " (ID is
 * attached as ID/eth1: give --ifname eth1)", for the message saying there is none; "" when
 * it has none at all. Reads every record: only for that message. */
const char *cli_ifname_hint(brnet_ctx *ctx, const char *id, char *buf, size_t size);
/* The same, appended to err's message. */
void cli_append_ifname_hint(brnet_ctx *ctx, const char *id, struct brnet_error *err);
/* Prints "brnet: failed to <what>: <reason>" and returns the exit code for the error:
 * 2 for invalid input, 1 for an operation that failed. */
int cli_fail(const char *what, int r, const struct brnet_error *err);
/* For a --follow run that failed: "brnet: failed to <what> (<cause>): <reason>; trying again
 * at the next notice", on stderr. Following goes on. */
void cli_follow_failed(const char *what, const char *cause, int r, const struct brnet_error *err);
/* Prints "brnet <verb>: <message>" plus a hint to --help, returns 2. */
int cli_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Strict decimal parse of an unsigned value in [min, max]. */
int cli_parse_uint(const char *s, unsigned min, unsigned max, unsigned *ret);
int cli_ctx(const struct cli_global *g, brnet_ctx **ret);
