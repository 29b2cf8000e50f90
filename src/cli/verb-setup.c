/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet setup: attach an existing network namespace (by --pid or --netns) to a network. */
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "shared/capability.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)
DEFINE_POINTER_CLEANUP(brnet_config, brnet_config_free)
DEFINE_POINTER_CLEANUP(brnet_attachment, brnet_attachment_free)

static void help(void)
{
	printf("Usage: brnet setup (--pid PID | --netns PATH) --id ID [OPTIONS]\n\n"
	       "Attach a network namespace to a bridge network: ensure the bridge and its\n"
	       "gateway, lease an address, create a veth pair with its peer in the namespace,\n"
	       "configure address, lo and default route, and masquerade outgoing traffic.\n"
	       "The setup that makes a network warns (on stderr) of a host firewall that drops\n"
	       "its traffic, as `brnet check` does.\n\n"
	       "  --pid PID          the namespace of this process\n"
	       "  --netns PATH       the namespace at PATH (e.g. /run/netns/NAME)\n"
	       "%s"
	       "  --rootfs DIR       write the --dns settings to DIR/etc/resolv.conf (symlinks\n"
	       "                     resolved inside DIR; an existing file is replaced)\n"
	       "  --resolv-bind      bind the --dns settings read-only over /etc/resolv.conf in\n"
	       "                     the mount namespace of --pid (the host's file is untouched)\n"
	       "  --json             print the attachment as JSON\n"
	       "  -h, --help         show this help\n",
	       cli_network_options_help);
}

static void print_warning(const char *warning, void *userdata)
{
	fprintf(stderr, "brnet: warning: %s\n", warning);
}

void cli_warn_publish(const brnet_attachment *a)
{
	(void)brnet_attachment_warnings(a, print_warning, NULL);
}

void cli_warn_firewall(brnet_ctx *ctx, const brnet_attachment *a)
{
	(void)brnet_check_network_firewall(ctx, brnet_attachment_bridge(a), print_warning, NULL,
					   NULL);
}

/* A process under an egress policy that can enter the host's network namespace (see
 * process_can_enter_our_netns()) can send from there, where no policy holds: said, as brnet run
 * says it of its CMD. A runtime's container usually cannot: it has PID and mount namespaces of
 * its own, and no CAP_SYS_ADMIN over the host's user namespace. */
void cli_warn_escapable(const brnet_attachment *a, pid_t pid)
{
	if (!brnet_attachment_egress(a) || process_can_enter_our_netns(pid) <= 0)
		return;
	fprintf(stderr,
		"brnet: warning: process %ld holds CAP_SYS_ADMIN and sees the host's processes "
		"(brnet's PID or mount namespace): it can enter the host's network namespace, "
		"where its egress policy does not hold; give it PID and mount namespaces of its "
		"own, or drop CAP_SYS_ADMIN\n",
		(long)pid);
}

json_t *cli_egress_json(const brnet_attachment *a)
{
	char buf[BRNET_PREFIX_STRLEN];
	json_t *allow, *tcp, *udp, *dns;
	unsigned port;

	if (!brnet_attachment_egress(a))
		return json_null();
	allow = json_array();
	tcp = json_array();
	udp = json_array();
	dns = json_array();
	for (size_t i = 0; allow && i < brnet_attachment_egress_n_allow(a); i++)
		if (brnet_attachment_egress_allow(a, i, buf) >= 0)
			json_array_append_new(allow, json_string(buf));
	for (unsigned i = 0; tcp && (port = brnet_attachment_egress_port(a, IPPROTO_TCP, i)); i++)
		json_array_append_new(tcp, json_integer(port));
	for (unsigned i = 0; udp && (port = brnet_attachment_egress_port(a, IPPROTO_UDP, i)); i++)
		json_array_append_new(udp, json_integer(port));
	for (unsigned i = 0; dns && brnet_attachment_egress_dns(a, i, buf) >= 0; i++)
		json_array_append_new(dns, json_string(buf));
	/* The object takes the arrays, also when it fails. */
	return json_pack(
		"{s:o*, s:o*, s:o*, s:o*, s:b, s:b, s:b}", "allow", allow, "tcp_ports", tcp,
		"udp_ports", udp, "dns", dns, "dns_allowed", brnet_attachment_egress_dns_allowed(a),
		"log", brnet_attachment_egress_log(a), "reject", brnet_attachment_egress_reject(a));
}

const char *cli_egress_summary(const brnet_attachment *a, char *buf, size_t size)
{
	size_t n = brnet_attachment_egress_n_allow(a), len;
	unsigned port;

	buf[0] = '\0';
	if (!brnet_attachment_egress(a))
		return buf;
	if (n)
		len = (size_t)snprintf(buf, size, "allow:%zu", n);
	else
		len = (size_t)snprintf(buf, size, "deny-all");
	for (int t = 0; t < 2; t++)
		for (unsigned i = 0;
		     len < size &&
		     (port = brnet_attachment_egress_port(a, t ? IPPROTO_UDP : IPPROTO_TCP, i));
		     i++)
			len += (size_t)snprintf(buf + len, size - len, ",%s:%u", t ? "udp" : "tcp",
						port);
	if (len < size && !brnet_attachment_egress_dns_allowed(a))
		len += (size_t)snprintf(buf + len, size - len, ",no-dns");
	if (len < size && brnet_attachment_egress_log(a))
		len += (size_t)snprintf(buf + len, size - len, ",log");
	if (len < size && brnet_attachment_egress_reject(a))
		(void)snprintf(buf + len, size - len, ",reject");
	return buf;
}

void cli_print_attachment(FILE *f, const brnet_attachment *a, bool json)
{
	/* The interface's MTU: the one asked for, else what the kernel gave (0 only for an
	 * attachment read back from its record without --mtu: the kernel's default then). */
	unsigned mtu = brnet_attachment_mtu(a) ? brnet_attachment_mtu(a)
					       : brnet_attachment_host_mtu(a);

	if (json) {
		json_t *o = json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "id",
			brnet_attachment_id(a), "ifname", brnet_attachment_ifname(a), "bridge",
			brnet_attachment_bridge(a), "subnet", brnet_attachment_subnet(a), "address",
			brnet_attachment_address(a), "gateway", brnet_attachment_gateway(a),
			"host_veth", brnet_attachment_host_veth(a), "mac", brnet_attachment_mac(a),
			"mtu", (int)mtu, "netns", brnet_attachment_netns(a), "state",
			brnet_attachment_state(a));

		json_t *ports = json_array();

		for (unsigned i = 0; brnet_attachment_publish(a, i); i++)
			json_array_append_new(ports, json_string(brnet_attachment_publish(a, i)));
		if (o && ports)
			json_object_set_new(o, "publish", ports);
		else
			json_decref(ports);
		if (o) {
			json_object_set_new(o, "egress", cli_egress_json(a));
			json_dumpf(o, f, JSON_INDENT(2));
			fputc('\n', f);
			json_decref(o);
		}
		return;
	}
	fprintf(f, "attached %s/%s: %s via %s on %s (host veth %s, mac %s)", brnet_attachment_id(a),
		brnet_attachment_ifname(a), brnet_attachment_address(a),
		brnet_attachment_gateway(a), brnet_attachment_bridge(a),
		brnet_attachment_host_veth(a), brnet_attachment_mac(a));
	for (unsigned i = 0; brnet_attachment_publish(a, i); i++)
		fprintf(f, "%s %s", i == 0 ? ", publishing" : ",", brnet_attachment_publish(a, i));
	if (brnet_attachment_egress(a)) {
		char policy[256];

		fprintf(f, ", egress %s", cli_egress_summary(a, policy, sizeof(policy)));
	}
	fputc('\n', f);
}

int cli_setup_parse(int argc, char **argv, brnet_config *cfg, struct cli_global *g,
		    struct cli_setup_opts *o)
{
	static const struct option options[] = { CLI_NETWORK_OPTIONS,
						 { "pid", required_argument, NULL, OPT_PID },
						 { "netns", required_argument, NULL, OPT_NETNS },
						 { "json", no_argument, NULL, OPT_JSON },
						 { "rootfs", required_argument, NULL, OPT_ROOTFS },
						 { "resolv-bind", no_argument, NULL,
						   OPT_RESOLV_BIND },
						 { "help", no_argument, NULL, 'h' },
						 {} };
	struct brnet_error err = { 0 };
	bool have_target = false;
	unsigned v;
	int c, r = 0;

	optind = 0; /* 0, not 1: a full reset of getopt's state, for repeated parsing */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "hp:", options, NULL)) != -1) {
		r = cli_network_option(c, optarg, cfg, g, "setup", &err);
		if (r == -ENOENT) {
			r = 0;
			switch (c) {
			case OPT_PID:
				if (have_target)
					return cli_usage_error(
						"setup", "give only one of --pid and --netns");
				have_target = true;
				if (cli_parse_uint(optarg, 1, 0x7fffffff, &v) < 0)
					return cli_usage_error(
						"setup",
						"invalid pid \"%s\": must be a positive number",
						optarg);
				r = brnet_config_set_pid(cfg, (pid_t)v, &err);
				o->pid = v;
				break;
			case OPT_NETNS:
				if (have_target)
					return cli_usage_error(
						"setup", "give only one of --pid and --netns");
				have_target = true;
				r = brnet_config_set_netns_path(cfg, optarg, &err);
				break;
			case OPT_JSON:
				o->json = true;
				break;
			case OPT_RESOLV_BIND:
				o->resolv_bind = true;
				break;
			case OPT_ROOTFS:
				if (optarg[0] != '/')
					return cli_usage_error(
						"setup",
						"invalid --rootfs \"%s\": must be absolute",
						optarg);
				o->rootfs = optarg;
				break;
			case 'h':
				help();
				return 0;
			default:
				return cli_usage_error("setup",
						       "unknown option or missing argument: %s",
						       argv[optind - 1]);
			}
		}
		if (r < 0)
			return cli_fail("set up", r, &err);
	}
	if (optind < argc)
		return cli_usage_error("setup", "unexpected argument \"%s\"", argv[optind]);
	if (!have_target)
		return cli_usage_error("setup", "missing --pid or --netns");
	if (o->resolv_bind && !o->pid)
		return cli_usage_error("setup", "--resolv-bind needs --pid: the container's mount "
						"namespace is found through its process");
	return CLI_PROCEED;
}

int verb_setup(const struct cli_global *g0, int argc, char **argv)
{
	_cleanup_(brnet_config_freep) brnet_config *cfg = NULL;
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	_cleanup_(brnet_attachment_freep) brnet_attachment *a = NULL;
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	struct cli_setup_opts o = { .json = false };
	struct stat st;
	int r;

	if (brnet_config_new(&cfg) < 0)
		return cli_fail("set up", -ENOMEM, NULL);
	r = cli_setup_parse(argc, argv, cfg, &g, &o);
	if (r != CLI_PROCEED)
		return r;
	/* A root filesystem that is not there is bad input: refused before anything changes. */
	if (o.rootfs && (stat(o.rootfs, &st) < 0 || !S_ISDIR(st.st_mode)))
		return cli_usage_error("setup", "invalid --rootfs \"%s\": not a directory",
				       o.rootfs);
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	r = brnet_setup(ctx, cfg, &a, &err);
	if (r < 0)
		return cli_fail("set up attachment", r, &err);
	if (o.rootfs || o.resolv_bind) {
		r = o.rootfs ? brnet_resolv_write_rootfs(cfg, o.rootfs, &err) : 0;
		if (r >= 0 && o.resolv_bind)
			r = brnet_resolv_bind(cfg, (pid_t)o.pid, &err);
		if (r < 0) {
			struct brnet_error e2 = { 0 };

			(void)brnet_teardown(ctx, brnet_attachment_id(a),
					     brnet_attachment_ifname(a), &e2);
			return cli_fail("write resolv.conf", r, &err);
		}
	}
	cli_warn_publish(a);
	if (o.pid)
		cli_warn_escapable(a, (pid_t)o.pid);
	/* Once per network, when it is made: what the host's other firewalls do to it. */
	if (brnet_attachment_network_made(a))
		cli_warn_firewall(ctx, a);
	cli_print_attachment(stdout, a, o.json);
	return 0;
}
