/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The network options that setup and run share, parsed into a brnet_config. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "shared/fileio.h"
#include "shared/macro.h"

const char cli_network_options_help[] =
	"  --id ID            attachment id: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 64 bytes\n"
	"  --ifname NAME      interface name inside the namespace (default eth0)\n"
	"  --bridge NAME      bridge (default brnet0)\n"
	"  --subnet CIDR      IPv4 subnet, /8 to /30 (default 10.0.42.0/24, or the\n"
	"                     recorded subnet of an existing network)\n"
	"  --ip ADDR          a fixed address in the subnet instead of the next free one\n"
	"  --mtu N            MTU of both veth ends, 68-65535\n"
	"  -p, --publish [HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp]\n"
	"                     publish a port (or a range) of the container on the host;\n"
	"                     repeatable; HOST_IP limits it to one host address\n"
	"  --ignore-host-sockets\n"
	"                     publish even where a socket on the host holds the port (for a\n"
	"                     runtime that reserves its containers' ports with such sockets)\n"
	"  --dns ADDR         a resolver for the container's resolv.conf; repeatable, at most 3\n"
	"                     (without --dns no resolv.conf is written)\n"
	"  --dns-search DOMAIN, --dns-option OPT\n"
	"                     search domains and resolver options (ndots:2); repeatable\n"
	"  --egress-allow CIDR\n"
	"                     egress policy: the container reaches only these destinations\n"
	"                     (and its --dns resolvers on port 53); repeatable\n"
	"  --egress-allow-file FILE\n"
	"                     the same, one CIDR a line (# starts a comment); for long lists;\n"
	"                     - reads standard input\n"
	"  --egress-deny-all  egress policy that allows nothing (but DNS to --dns)\n"
	"  --egress-tcp-port N, --egress-udp-port N\n"
	"                     allowed destinations only on these ports; repeatable\n"
	"  --no-egress-dns    under a policy, do not allow DNS to the --dns resolvers\n"
	"  --egress-log       report denied packets (brnet events), at most 5 a minute\n"
	"  --egress-reject    answer denied packets with an ICMP error (administratively\n"
	"                     prohibited), so that connections fail at once; by default\n"
	"                     they are dropped and time out\n"
	"  --allow-routed     a new network lets other machines with a route to its subnet\n"
	"                     (via this host) reach containers by their address; by default\n"
	"                     only published ports and connections containers made get in\n"
	"  --no-masquerade    a new network does not masquerade traffic that leaves the host:\n"
	"                     containers are seen by their own address (other machines need\n"
	"                     a route to the subnet via this host)\n"
	"  --no-masquerade-to CIDR\n"
	"                     a new network masquerades, but not to CIDR (another node's pod\n"
	"                     subnet, say); repeatable, at most 8\n"
	"  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n";

/* The longest line --egress-allow-file takes, with its comment. */
#define ALLOW_LINE_MAX 4095

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

struct allow_file {
	brnet_config *cfg;
	struct brnet_error *err;
	bool bad_line; /* the error is the line's, in err */
};

/* One line of --egress-allow-file: a CIDR, blank, or a # comment; a '\r' ends it too. */
static int allow_file_line(char *line, size_t len, unsigned lineno, void *userdata)
{
	struct allow_file *f = userdata;
	char *end;
	int r;

	(void)len;
	(void)lineno;
	f->bad_line = true;
	for (end = line; *end && *end != '#' && *end != '\r'; end++)
		;
	while (line < end && blank(*line))
		line++;
	while (end > line && blank(end[-1]))
		end--;
	if (line == end)
		return 0;
	*end = '\0';
	r = brnet_config_egress_allow(f->cfg, line, f->err);
	if (r >= 0)
		f->bad_line = false;
	return r;
}

/* --egress-allow-file: one CIDR a line; blank lines and # comments are skipped; an error names
 * the file and line. Read through a buffer of one line's length, not whole (see read_lines()):
 * a file can be a pipe ("-" is standard input), and a list of 10,000 needs no 170 KB copy. */
static int egress_allow_file(brnet_config *cfg, const char *path, struct brnet_error *err)
{
	bool std = strcmp(path, "-") == 0;
	_cleanup_(closep) int fd = std ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)
				       : open(path, O_RDONLY | O_CLOEXEC);
	const char *name = std ? "standard input" : path;
	struct allow_file f = { cfg, err, false };
	char buf[ALLOW_LINE_MAX + 1];
	char msg[sizeof(err->msg)];
	unsigned lineno;
	int r;

	/* A file that cannot be read is a bad argument, like a bad CIDR: exit 2. */
	if (fd < 0) {
		snprintf(err->msg, sizeof(err->msg), "cannot read --egress-allow-file %s: %s", name,
			 strerror(errno));
		err->code = EINVAL;
		return -EINVAL;
	}
	r = read_lines(fd, buf, sizeof(buf), allow_file_line, &f, &lineno);
	if (r >= 0)
		return 0;
	if (f.bad_line) {
		snprintf(msg, sizeof(msg), "%s", err->msg);
		snprintf(err->msg, sizeof(err->msg), "%.200s:%u: %.280s", name, lineno, msg);
		return r;
	}
	if (r == -ENOBUFS)
		snprintf(err->msg, sizeof(err->msg), "%.200s:%u: line longer than %d bytes", name,
			 lineno, ALLOW_LINE_MAX);
	else if (r == -EILSEQ)
		snprintf(err->msg, sizeof(err->msg), "%.200s:%u: a NUL byte in the line", name,
			 lineno);
	else
		snprintf(err->msg, sizeof(err->msg), "cannot read --egress-allow-file %s: %s", name,
			 strerror(-r));
	err->code = EINVAL;
	return -EINVAL;
}

int cli_network_option(int opt, const char *arg, brnet_config *cfg, struct cli_global *g,
		       const char *verb, struct brnet_error *err)
{
	unsigned v;

	switch (opt) {
	case OPT_ID:
		return brnet_config_set_id(cfg, arg, err);
	case OPT_IFNAME:
		return brnet_config_set_ifname(cfg, arg, err);
	case OPT_BRIDGE:
		return brnet_config_set_bridge(cfg, arg, err);
	case OPT_SUBNET:
		return brnet_config_set_subnet(cfg, arg, err);
	case OPT_IP:
		return brnet_config_set_address(cfg, arg, err);
	case OPT_MTU:
		if (cli_parse_uint(arg, 0, 0xffffffffu, &v) < 0) {
			snprintf(err->msg, sizeof(err->msg),
				 "invalid MTU \"%s\": must be a number from 68 to 65535", arg);
			err->code = EINVAL;
			return -EINVAL;
		}
		return brnet_config_set_mtu(cfg, v, err);
	case 'p':
		return brnet_config_add_publish(cfg, arg, err);
	case OPT_DNS:
		return brnet_config_add_dns(cfg, arg, err);
	case OPT_DNS_SEARCH:
		return brnet_config_add_dns_search(cfg, arg, err);
	case OPT_DNS_OPTION:
		return brnet_config_add_dns_option(cfg, arg, err);
	case OPT_EGRESS_ALLOW:
		return brnet_config_egress_allow(cfg, arg, err);
	case OPT_EGRESS_ALLOW_FILE:
		return egress_allow_file(cfg, arg, err);
	case OPT_EGRESS_DENY_ALL:
		return brnet_config_egress_deny_all(cfg);
	case OPT_NO_EGRESS_DNS:
		return brnet_config_egress_dns(cfg, false);
	case OPT_EGRESS_LOG:
		return brnet_config_egress_log(cfg, true);
	case OPT_EGRESS_REJECT:
		return brnet_config_egress_reject(cfg, true);
	case OPT_ALLOW_ROUTED:
		return brnet_config_set_routed(cfg, true);
	case OPT_NO_MASQUERADE:
		return brnet_config_set_masquerade(cfg, false);
	case OPT_NO_MASQUERADE_TO:
		return brnet_config_add_masquerade_exception(cfg, arg, err);
	case OPT_IGNORE_HOST_SOCKETS:
		return brnet_config_set_host_socket_check(cfg, false);
	case OPT_EGRESS_TCP:
	case OPT_EGRESS_UDP:
		if (cli_parse_uint(arg, 0, 0xffffffffu, &v) < 0) {
			snprintf(err->msg, sizeof(err->msg),
				 "invalid %s port \"%s\": must be a number from 1 to 65535",
				 opt == OPT_EGRESS_TCP ? "tcp" : "udp", arg);
			err->code = EINVAL;
			return -EINVAL;
		}
		return opt == OPT_EGRESS_TCP ? brnet_config_egress_tcp_port(cfg, v, err)
					     : brnet_config_egress_udp_port(cfg, v, err);
	case OPT_STATE_DIR:
		g->state_dir = arg;
		return 0;
	}
	return -ENOENT; /* not a network option */
}
