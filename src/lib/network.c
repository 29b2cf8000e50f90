/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ensuring a network exists in the kernel as recorded, creating or validating its bridge. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/network.h"
#include "lib/nft/fingerprint.h"
#include "lib/nft/guard.h"
#include "lib/nft/nft.h"
#include "lib/rtnl/rtnl.h"
#include "shared/error.h"
#include "shared/fileio.h"
#include "shared/hash.h"
#include "shared/macro.h"

#define NETWORK_FILE "network.json"
#define NETWORK_FILE_MAX 4096

static int network_file_load(int dirfd, const char *path, struct network_file *ret,
			     struct brnet_error *err)
{
	_cleanup_(freep) char *text = NULL;
	_cleanup_(json_decrefp) json_t *root = NULL;
	struct network_file f = { .routed = -1, .masquerade = true };
	const char *bridge, *subnet, *why = NULL;
	json_t *except = NULL, *v;
	json_error_t jerr;
	json_int_t mtu = 0;
	int routed = -1, masquerade = 1;
	size_t len, i;
	int r;

	r = read_file_bounded(dirfd, NETWORK_FILE, NETWORK_FILE_MAX, &text, &len);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return brnet_err(err, r, "cannot read %s/" NETWORK_FILE ": %s", path, strerror(-r));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root ||
	    json_unpack_ex(root, &jerr, JSON_STRICT, "{s:s, s:s, s?b, s?b, s?o, s?I}", "bridge",
			   &bridge, "subnet", &subnet, "routed", &routed, "masquerade", &masquerade,
			   "masquerade_except", &except, "mtu", &mtu) < 0)
		why = root ? jerr.text : "not JSON";
	else if (config_parse_subnet(subnet, &f.subnet, NULL) < 0)
		why = "bad subnet";
	else if (mtu != 0 && (mtu < BRNET_MTU_MIN || mtu > BRNET_MTU_MAX))
		why = "bad mtu";
	else if (except && !json_is_array(except))
		why = "masquerade_except is not an array";
	json_array_foreach (why ? NULL : except, i, v) {
		struct inprefix p;

		if (!json_is_string(v) ||
		    config_parse_cidr(json_string_value(v), "CIDR", &p, NULL) < 0 ||
		    config_prefix_set_add(f.no_masq, &f.n_no_masq, CONFIG_NO_MASQ_MAX, &p) < 0) {
			why = "bad masquerade_except";
			break;
		}
	}
	if (why)
		return brnet_err(err, EBADMSG, "corrupt network file %s/" NETWORK_FILE ": %s", path,
				 why);
	f.routed = routed;
	f.masquerade = masquerade > 0;
	f.mtu = (unsigned)mtu;
	*ret = f;
	return 0;
}

static int network_file_save(const struct network *net, struct brnet_error *err)
{
	_cleanup_(json_decrefp) json_t *root = NULL;
	_cleanup_(freep) char *text = NULL;
	char p[PREFIX_STRLEN];
	int r;

	root = json_pack("{s:s, s:s, s:b, s:b}", "bridge", net->bridge, "subnet",
			 inprefix_to_string(&net->subnet, p), "routed", net->routed, "masquerade",
			 net->masquerade);
	if (root && net->n_no_masq > 0) {
		json_t *except = json_array();

		for (unsigned i = 0; except && i < net->n_no_masq; i++)
			json_array_append_new(except,
					      json_string(inprefix_to_string(&net->no_masq[i], p)));
		if (!except || json_object_set_new(root, "masquerade_except", except) < 0)
			return -ENOMEM;
	}
	if (root && net->mtu && json_object_set_new(root, "mtu", json_integer(net->mtu)) < 0)
		return -ENOMEM;
	text = root ? json_dumps(root, JSON_COMPACT) : NULL;
	if (!text)
		return -ENOMEM;
	r = write_file_atomic(net->dirfd, NETWORK_FILE, text, strlen(text));
	if (r < 0)
		return brnet_err(err, r, "cannot write %s/" NETWORK_FILE ": %s", net->path,
				 strerror(-r));
	return 0;
}

static bool prefixes_overlap(const struct inprefix *a, const struct inprefix *b)
{
	unsigned len = a->len < b->len ? a->len : b->len;
	uint32_t mask = prefix_v4_mask(len);

	return (inaddr_v4_host(&a->addr) & mask) == (inaddr_v4_host(&b->addr) & mask);
}

int network_foreach(brnet_ctx *ctx, int (*fn)(const char *bridge, void *userdata), void *userdata,
		    struct brnet_error *err)
{
	_cleanup_(closep) int fd = -EBADF;
	struct dirent *de;
	int r = 0;
	DIR *d;

	fd = openat(ctx->networks_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(TAKE_FD(fd)) : NULL;
	if (!d)
		return brnet_err(err, errno, "cannot read %s/networks: %s", ctx->state_dir,
				 strerror(errno));
	while (r >= 0 && (de = readdir(d)))
		if (de->d_name[0] != '.' && config_check_ifname(de->d_name, "bridge", NULL) >= 0)
			r = fn(de->d_name, userdata);
	closedir(d);
	return r;
}

struct overlap {
	brnet_ctx *ctx;
	const struct network *net;
	struct brnet_error *err;
};

static int overlap_cb(const char *bridge, void *userdata)
{
	struct overlap *o = userdata;
	struct network_file other;
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];

	/* An unreadable neighbour is not this setup's to judge (gc and check report it). */
	if (strcmp(bridge, o->net->bridge) == 0 || network_read(o->ctx, bridge, &other, NULL) < 0 ||
	    !prefixes_overlap(&other.subnet, &o->net->subnet))
		return 0;
	return brnet_err(o->err, EINVAL, "invalid subnet %s: overlaps %s of network %s",
			 inprefix_to_string(&o->net->subnet, a),
			 inprefix_to_string(&other.subnet, b), bridge);
}

/* A new network must not overlap another recorded one: routes and leases would collide. */
static int check_no_overlap(brnet_ctx *ctx, const struct network *net, struct brnet_error *err)
{
	return network_foreach(ctx, overlap_cb, &(struct overlap){ ctx, net, err }, err);
}

/* A property asked for (want) against the recorded one (have): both given and different. */
static bool contradicts(int want, int have)
{
	return want >= 0 && have >= 0 && want != have;
}

/* Two sorted sets of prefixes, the same (by value: the structs' unused bytes are not). */
static bool same_prefixes(const struct inprefix *a, unsigned na, const struct inprefix *b,
			  unsigned nb)
{
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na; i++)
		if (a[i].len != b[i].len || !inaddr_equal(&a[i].addr, &b[i].addr))
			return false;
	return true;
}

/* "10.244.0.0/16, 10.0.0.0/8", or "none". */
static const char *prefixes_to_string(const struct inprefix *v, unsigned n, char *buf, size_t size)
{
	char p[PREFIX_STRLEN];
	size_t len = 0;

	snprintf(buf, size, "none");
	for (unsigned i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "",
					inprefix_to_string(&v[i], p));
	return buf;
}

/* The network's properties, as recorded, against what a setup asks: 0, or -EINVAL naming
 * both. */
static int check_choices(const char *bridge, const struct network_file *rec,
			 const struct network_choice *want, struct brnet_error *err)
{
	char have[CONFIG_NO_MASQ_MAX * PREFIX_STRLEN], asked[CONFIG_NO_MASQ_MAX * PREFIX_STRLEN];

	if (contradicts(want->routed, rec->routed))
		return brnet_err(err, EINVAL,
				 "network %s was set up %s routed connections in; this asks %s "
				 "(it is the network's, chosen by its first setup)",
				 bridge, rec->routed ? "letting" : "without letting",
				 want->routed ? "to let them in" : "not to");
	if (contradicts(want->masquerade, rec->masquerade))
		return brnet_err(err, EINVAL,
				 "network %s was set up %s traffic that leaves the host; this asks "
				 "%s (it is the network's, chosen by its first setup)",
				 bridge, rec->masquerade ? "masquerading" : "not masquerading",
				 want->masquerade ? "to masquerade it" : "not to");
	if (want->n_no_masq > 0 &&
	    !same_prefixes(want->no_masq, want->n_no_masq, rec->no_masq, rec->n_no_masq))
		return brnet_err(
			err, EINVAL,
			"network %s was set up with masquerade exceptions %s; this asks for %s "
			"(they "
			"are the network's, chosen by its first setup)",
			bridge,
			rec->masquerade ? prefixes_to_string(rec->no_masq, rec->n_no_masq, have,
							     sizeof(have))
					: "none (it masquerades nothing)",
			prefixes_to_string(want->no_masq, want->n_no_masq, asked, sizeof(asked)));
	return 0;
}

int network_open_locked(brnet_ctx *ctx, const char *bridge, const struct inprefix *subnet,
			const struct network_choice *want, struct network *ret,
			struct brnet_error *err)
{
	struct network_choice none = { -1, -1, NULL, 0 };
	struct network net = { .dirfd = -EBADF,
			       .lockfd = -EBADF,
			       .networks_dirfd = ctx->networks_dirfd };
	struct network_file rec;
	struct inprefix def;
	char a[PREFIX_STRLEN], b[PREFIX_STRLEN];
	int r;

	if (!want)
		want = &none;
	if (want->masquerade == 0 && want->n_no_masq > 0)
		return brnet_err(err, EINVAL,
				 "masquerade exceptions are for a network that masquerades; this "
				 "one is asked not to masquerade at all");
	snprintf(net.bridge, sizeof(net.bridge), "%s", bridge);
	/* On the heap, not PATH_MAX in the struct: a setup's stack stays pages smaller. */
	if (asprintf(&net.path, "%s/networks/%s", ctx->state_dir, bridge) < 0)
		return -ENOMEM;
	/* The holder before us may have removed the directory (a network removed, or a first
	 * setup refused): nothing can be made in it any more, so open it again. */
	for (unsigned tries = 0;; tries++) {
		net.dirfd = open_dir_made(ctx->networks_dirfd, bridge);
		if (net.dirfd < 0) {
			r = brnet_err(err, -net.dirfd, "cannot open %s: %s", net.path,
				      strerror(-net.dirfd));
			network_close(&net);
			return r;
		}
		r = lock_file_open(net.dirfd, "lock");
		if (r >= 0)
			break;
		closep(&net.dirfd);
		net.dirfd = -EBADF;
		if (r != -ENOENT || tries == 8) {
			r = brnet_err(err, r, "cannot lock %s: %s", net.path, strerror(-r));
			network_close(&net);
			return r;
		}
	}
	net.lockfd = r;

	r = network_file_load(net.dirfd, net.path, &rec, err);
	if (r >= 0) {
		net.recorded = true;
		if (subnet && (rec.subnet.addr.v4.s_addr != subnet->addr.v4.s_addr ||
			       rec.subnet.len != subnet->len))
			r = brnet_err(err, EINVAL, "invalid subnet %s: bridge %s already serves %s",
				      inprefix_to_string(subnet, a), bridge,
				      inprefix_to_string(&rec.subnet, b));
		if (r >= 0)
			r = check_choices(bridge, &rec, want, err);
		if (r < 0) {
			network_close(&net);
			return r;
		}
		net.subnet = rec.subnet;
		net.routed = rec.routed > 0;
		net.routed_recorded = rec.routed >= 0;
		net.masquerade = rec.masquerade;
		memcpy(net.no_masq, rec.no_masq, sizeof(net.no_masq));
		net.n_no_masq = rec.n_no_masq;
		net.mtu = rec.mtu;
	} else if (r == -ENOENT) {
		net.routed = want->routed > 0;
		net.routed_recorded = true; /* by the save that records the network */
		net.masquerade = want->masquerade != 0;
		if (want->n_no_masq > 0)
			memcpy(net.no_masq, want->no_masq,
			       want->n_no_masq * sizeof(*want->no_masq));
		net.n_no_masq = want->n_no_masq;
		if (!subnet) {
			(void)inprefix_parse_v4(BRNET_DEFAULT_SUBNET, &def);
			subnet = &def;
		}
		net.subnet = *subnet;
		r = check_no_overlap(ctx, &net, err);
		if (r < 0) {
			network_close(&net);
			return r;
		}
	} else {
		network_close(&net);
		return r;
	}
	net.gateway = inprefix_v4_first_host(&net.subnet);
	*ret = net;
	return 0;
}

int network_settle_routed(struct network *net, int routed, struct brnet_error *err)
{
	if (net->routed_recorded)
		return 0;
	net->routed = routed > 0;
	net->routed_recorded = true;
	return network_file_save(net, err);
}

int network_read(brnet_ctx *ctx, const char *bridge, struct network_file *ret,
		 struct brnet_error *err)
{
	_cleanup_(closep) int fd = -EBADF;
	char path[PATH_MAX];

	fd = openat(ctx->networks_dirfd, bridge, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return -ENOENT;
	if (fd < 0)
		return brnet_err(err, errno, "cannot open %s/networks/%s: %s", ctx->state_dir,
				 bridge, strerror(errno));
	snprintf(path, sizeof(path), "%s/networks/%s", ctx->state_dir, bridge);
	return network_file_load(fd, path, ret, err);
}

void network_unlock(struct network *net)
{
	closep(&net->lockfd);
	net->lockfd = -EBADF;
}

/* A first setup that made nothing takes back the record it wrote for the network: the
 * network is not, and its subnet and properties must not bind the next setup. */
static void network_unrecord(struct network *net)
{
	if (unlinkat(net->dirfd, NETWORK_FILE, 0) >= 0)
		net->recorded = false;
}

void network_close(struct network *net)
{
	/* A network that was never recorded leaves no directory behind: bad input must not
	 * change the state directory. The lock is still held, so nobody else is inside. */
	if (net->lockfd >= 0 && !net->recorded && net->dirfd >= 0) {
		(void)unlinkat(net->dirfd, "lock", 0);
		(void)unlinkat(net->networks_dirfd, net->bridge, AT_REMOVEDIR);
	}
	network_unlock(net);
	closep(&net->dirfd);
	net->dirfd = -EBADF;
	free(net->path);
	net->path = NULL;
}

/*
 * The bridge's own settings, made once (one request for whichever is missing):
 * - route_localnet=1: 127.0.0.1:PORT publishing sends 127/8-sourced packets out through it
 *   (then masqueraded); the localnet guard rule drops what comes in for 127/8.
 * - multicast snooping off. No querier runs on a container bridge, and without one the
 *   kernel floods multicast to every port anyway; but with snooping on, every port that
 *   comes up has the bridge re-enable multicast on every port (br_port_state_selection()
 *   -> br_multicast_enable_port(), timers each), and each port keeps timers of its own: the
 *   1000th container's setup cost 0.4-0.7 ms more for it (A/B, 999 attached). A bridge of an
 *   older brnet is switched off at its next setup.
 */
static int ensure_bridge_settings(struct network *net, struct nl_sock *rtnl,
				  const struct link_info *link, struct brnet_error *err)
{
	char buf[512];
	struct nlbuf b;
	int r;

	if (link->route_localnet == 1 && link->mcast_snooping != 1)
		return 0;
	nlbuf_init(&b, buf, sizeof(buf));
	if (link->route_localnet != 1)
		rtnl_build_link_route_localnet(&b, link->ifindex);
	if (link->mcast_snooping == 1)
		rtnl_build_bridge_mcast_snooping_off(&b, link->ifindex);
	r = rtnl_run(rtnl, &b, err);
	if (r < 0)
		return brnet_err_prefix(err, r,
					"cannot set route_localnet or multicast snooping on %s",
					net->bridge);
	return 0;
}

/*
 * The bridge's own MAC address, set at birth. One borrowed from the lowest port, the kernel's
 * default, changes when that container goes, and every other container's ARP entry for the
 * gateway then names an address nobody has until it is resolved again. Derived from the
 * machine and the bridge's name, not random, so that a bridge made again (brnet restore after
 * someone deleted it) has the address the containers knew.
 */
static void bridge_mac(const char *name, uint8_t ret[static 6])
{
	char id[64] = "", key[128];
	uint64_t h;

	(void)sysctl_read("/etc/machine-id", id, sizeof(id)); /* none: the name alone */
	snprintf(key, sizeof(key), "%s/brnet bridge/%s", id, name);
	h = fnv1a64(FNV1A64_INIT, key, strlen(key));
	for (int i = 0; i < 6; i++)
		ret[i] = (uint8_t)(h >> (8 * i));
	ret[0] = (uint8_t)((ret[0] & 0xfe) | 0x02); /* unicast, locally administered */
}

/*
 * A bridge's mark (its IFLA_IFALIAS): the state directory whose network it is. Two state
 * directories on one bridge (a conflist's stateDir beside the CLI's /run/brnet) would each
 * take it for theirs and lease from their own stores: the same address twice. The directory
 * as given, or its hash where that does not fit what a link's alias is read into.
 */
#define BRIDGE_MARK_PREFIX "brnet state "
#define BRIDGE_MARK_MAX 128

/* The length of the state directory's path at the start of net->path, which is
 * "<state dir>/networks/<bridge>". */
static size_t state_dir_len(const struct network *net)
{
	return strlen(net->path) - strlen("/networks/") - strlen(net->bridge);
}

static const char *bridge_mark(const struct network *net, char ret[static BRIDGE_MARK_MAX])
{
	size_t len = state_dir_len(net);

	if (sizeof(BRIDGE_MARK_PREFIX) + len <= BRIDGE_MARK_MAX)
		snprintf(ret, BRIDGE_MARK_MAX, BRIDGE_MARK_PREFIX "%.*s", (int)len, net->path);
	else
		snprintf(ret, BRIDGE_MARK_MAX, BRIDGE_MARK_PREFIX "#%016" PRIx64,
			 fnv1a64(FNV1A64_INIT, net->path, len));
	return ret;
}

/* Whether a bridge's mark names this network's state directory: as we would write it, or the
 * same directory spelled otherwise (a trailing slash, /var/run for /run). Resolved only when
 * the two differ. A bridge without a mark of ours (an older brnet's) is not asked about. */
static _noinline_ bool same_directory(const struct network *net, const char *theirs)
{
	char dir[PATH_MAX], a[PATH_MAX], b[PATH_MAX];

	snprintf(dir, sizeof(dir), "%.*s", (int)state_dir_len(net), net->path);
	return realpath(theirs, a) && realpath(dir, b) && strcmp(a, b) == 0;
}

static bool bridge_mark_ours(const struct network *net, const char *alias)
{
	char mine[BRIDGE_MARK_MAX];
	const char *theirs = alias + strlen(BRIDGE_MARK_PREFIX);

	if (strcmp(alias, bridge_mark(net, mine)) == 0)
		return true;
	if (theirs[0] != '/')
		return false; /* a hash (or nothing we wrote): only equal ones match */
	return same_directory(net, theirs);
}

bool network_bridge_of_another(const struct network *net, const char *alias)
{
	return strncmp(alias, BRIDGE_MARK_PREFIX, strlen(BRIDGE_MARK_PREFIX)) == 0 &&
	       !bridge_mark_ours(net, alias);
}

/* Notes what a setup reports of the bridge, and whether it can without asking again (ours:
 * the address bridge_mac() gives it). */
static void note_bridge(struct network *net, const struct link_info *link, const uint8_t ours[6])
{
	net->bridge_ifindex = link->ifindex;
	net->bridge_mac_fixed = link->has_mac && memcmp(link->mac, ours, sizeof(link->mac)) == 0;
	memcpy(net->bridge_mac, link->mac, sizeof(net->bridge_mac));
	net->bridge_mtu = link->mtu;
}

/* The bridge is there: it must be a bridge and carry the gateway with the subnet's prefix. */
static int validate_bridge(struct network *net, struct nl_sock *rtnl, const struct link_info *link,
			   const uint8_t ours[6], struct brnet_error *err)
{
	struct addr_info addrs[16];
	struct inprefix gw = { .addr = net->gateway, .len = net->subnet.len };
	char want[PREFIX_STRLEN], have[PREFIX_STRLEN];
	char buf[512], mark[BRIDGE_MARK_MAX];
	struct nlbuf b;
	int n, r;

	if (strcmp(link->kind, "bridge") != 0)
		return brnet_err(
			err, EINVAL,
			"bridge %s: a link of that name exists but is %s%s%s, not a bridge",
			net->bridge, link->kind[0] ? "of kind \"" : "a device without kind",
			link->kind, link->kind[0] ? "\"" : "");
	/* Another state directory's (an older brnet's bridge has no mark, and stays ours). */
	if (network_bridge_of_another(net, link->alias))
		return brnet_err(err, EINVAL,
				 "bridge %s is the network of another brnet state directory (its "
				 "mark: \"%s\"): use that state directory, or another --bridge",
				 net->bridge, link->alias);
	n = rtnl_addr_list_v4(rtnl, link->ifindex, addrs, ELEMENTSOF(addrs), err);
	if (n < 0)
		return brnet_err_prefix(err, n, "cannot list addresses of %s", net->bridge);
	for (int i = 0; i < n && i < (int)ELEMENTSOF(addrs); i++) {
		if (!inaddr_equal(&addrs[i].prefix.addr, &net->gateway))
			continue;
		if (addrs[i].prefix.len != net->subnet.len)
			return brnet_err(err, EINVAL,
					 "bridge %s carries %s, not the gateway %s of the subnet",
					 net->bridge, inprefix_to_string(&addrs[i].prefix, have),
					 inprefix_to_string(&gw, want));
		goto up;
	}
	if (n > 0)
		return brnet_err(err, EINVAL, "bridge %s carries %s but not the gateway %s",
				 net->bridge, inprefix_to_string(&addrs[0].prefix, have),
				 inprefix_to_string(&gw, want));
	if (!net->recorded)
		return brnet_err(
			err, EINVAL,
			"bridge %s exists without the gateway address %s; refusing to adopt "
			"a bridge brnet did not create",
			net->bridge, inprefix_to_string(&gw, want));
	/* Ours, but a previous setup died between creating it and adding the gateway. */
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_addr_new(&b, link->ifindex, &gw);
	r = rtnl_run(rtnl, &b, err);
	if (r < 0 && r != -EEXIST)
		return brnet_err_prefix(err, r, "cannot add gateway %s to %s", want, net->bridge);
up:
	nlbuf_init(&b, buf, sizeof(buf));
	if (!(link->flags & IFF_UP))
		rtnl_build_link_set_up(&b, link->ifindex);
	/* Ours without its mark (an older brnet's, or a setup killed before it): it gets it. */
	if (!link->alias[0] && net->recorded)
		rtnl_build_link_set_alias(&b, link->ifindex, bridge_mark(net, mark));
	if (b.len > 0) {
		r = rtnl_run(rtnl, &b, err);
		if (r < 0)
			return brnet_err_prefix(err, r, "cannot bring %s up", net->bridge);
	}
	note_bridge(net, link, ours);
	return ensure_bridge_settings(net, rtnl, link, err);
}

/* A new network's subnet must be free on the host: an address of the host in it, or a route to
 * it or to part of it out of some link, is another network's, whose traffic the bridge's route
 * would take, or lose to it (a default network of 10.0.42.0/24 on a host whose LAN it is, a
 * --subnet of Docker's 172.17.0.0/16). A broader route, a default one or a VPN's /8 around it,
 * is rightly overridden by the bridge's more specific one. Asked once, when the network is
 * made. */
static int check_host_routes(const struct network *net, struct nl_sock *rtnl,
			     struct brnet_error *err)
{
	char want[PREFIX_STRLEN], have[PREFIX_STRLEN], dev[IF_NAMESIZE];
	char what[PREFIX_STRLEN + IF_NAMESIZE + 64];
	struct route_info rt;
	struct inprefix p;
	int r;

	r = rtnl_route_within(rtnl, &net->subnet, &rt, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot read the host's routes");
	if (r == 0)
		return 0;
	if (rt.oif <= 0 || !if_indextoname((unsigned)rt.oif, dev))
		snprintf(dev, sizeof(dev), "link %d", rt.oif);
	p = (struct inprefix){ .addr = rt.dst, .len = rt.dst_len };
	if (rt.type == RTN_LOCAL)
		snprintf(what, sizeof(what), "has the address %s on %s",
			 inaddr_to_string(&rt.dst, have), dev);
	else if (rt.type == RTN_UNICAST)
		snprintf(what, sizeof(what), "routes %s through %s", inprefix_to_string(&p, have),
			 dev);
	else
		snprintf(what, sizeof(what), "drops what is sent to %s (a %s route)",
			 inprefix_to_string(&p, have),
			 rt.type == RTN_BLACKHOLE     ? "blackhole"
			 : rt.type == RTN_UNREACHABLE ? "unreachable"
						      : "prohibit");
	return brnet_err(err, EINVAL,
			 "invalid subnet %s: the host %s; choose a subnet the host does not use",
			 inprefix_to_string(&net->subnet, want), what);
}

/* The former 6to4 relay anycast (RFC 7526): an address of the internet that no LAN has, so the
 * host's route to it is its route out. (TEST-NET-1 is no such address: labs and this project's
 * CI machine number their LAN in it.) */
#define NETWORK_UPLINK_PROBE "192.88.99.1"

unsigned network_uplink_mtu(struct nl_sock *rtnl, char ifname[IFNAMSIZ])
{
	struct inaddr probe;
	struct route_info rt;
	struct link_info link;
	unsigned mtu;

	(void)inaddr_parse_v4(NETWORK_UPLINK_PROBE, &probe);
	if (rtnl_route_get(rtnl, &probe, &rt, NULL) < 0 || rt.type != RTN_UNICAST || rt.oif <= 0 ||
	    rtnl_link_get_index(rtnl, rt.oif, &link, NULL) < 0 || (link.flags & IFF_LOOPBACK))
		return 0;
	mtu = rt.mtu && rt.mtu < link.mtu ? rt.mtu : link.mtu;
	if (mtu < BRNET_MTU_MIN || mtu > BRNET_MTU_MAX)
		return 0;
	if (ifname)
		memcpy(ifname, link.name, IFNAMSIZ);
	return mtu;
}

static int ensure_bridge(struct network *net, struct nl_sock *rtnl, struct brnet_error *err)
{
	struct inprefix gw = { .addr = net->gateway, .len = net->subnet.len };
	struct link_info link;
	bool recorded_here = false;
	uint8_t mac[6];
	char buf[1024], want[PREFIX_STRLEN], mark[BRIDGE_MARK_MAX];
	struct nlbuf b;
	int created, r;

	bridge_mac(net->bridge, mac);
	r = rtnl_link_get(rtnl, net->bridge, &link, err);
	if (r >= 0)
		return validate_bridge(net, rtnl, &link, mac, err);
	if (r != -ENODEV)
		return brnet_err_prefix(err, r, "cannot look up bridge %s", net->bridge);

	/* Record the network before creating anything, so that a kill right after the bridge
	 * appears leaves a bridge we know to be ours. */
	if (!net->recorded) {
		r = check_host_routes(net, rtnl, err);
		if (r < 0)
			return r;
		net->mtu = network_uplink_mtu(rtnl, NULL);
		r = network_file_save(net, err);
		if (r < 0)
			return r;
		net->recorded = recorded_here = true;
	}
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_bridge_new(&b, net->bridge, mac);
	created = rtnl_run(rtnl, &b, err);
	if (created < 0 && created != -EEXIST) {
		if (recorded_here)
			network_unrecord(net);
		return brnet_err_prefix(err, created, "cannot create bridge %s", net->bridge);
	}
	r = rtnl_link_get(rtnl, net->bridge, &link, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot look up bridge %s", net->bridge);
	if (created == -EEXIST) {
		/* Another made a link of that name after our look: it is judged as one that was
		 * there, and the network is not recorded for it. */
		if (recorded_here)
			network_unrecord(net);
		return validate_bridge(net, rtnl, &link, mac, err);
	}
	net->made = recorded_here;
	/* The mark, which the kernel takes only from a link that exists, with the gateway. */
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_link_set_alias(&b, link.ifindex, bridge_mark(net, mark));
	rtnl_build_addr_new(&b, link.ifindex, &gw);
	r = rtnl_run(rtnl, &b, err);
	if (r < 0 && r != -EEXIST)
		return brnet_err_prefix(err, r, "cannot add gateway %s to %s",
					inprefix_to_string(&gw, want), net->bridge);
	note_bridge(net, &link, mac);
	return ensure_bridge_settings(net, rtnl, &link, err);
}

int network_ensure_links(struct network *net, struct nl_sock *rtnl, struct brnet_error *err)
{
	int r;

	r = ensure_bridge(net, rtnl, err);
	if (r < 0)
		return r;
	if (!net->recorded) {
		r = network_file_save(net, err);
		if (r < 0)
			return r;
		net->recorded = true;
	}
	/* Set once and never restored: other users of forwarding depend on it (defect 10). */
	r = sysctl_write(NETWORK_IP_FORWARD, "1");
	if (r < 0)
		return brnet_err(err, r, "cannot enable net.ipv4.ip_forward: %s", strerror(-r));
	return 0;
}

/*
 * The fingerprint of our tables (lib/nft/fingerprint.h) as read just before a check of this
 * network's rules that found them all, prefixed with the boot's id (handles start again at
 * every boot) and the digest of the rules' names (a brnet whose rules differ checks again).
 * A cache: without it, or when it differs, the rules are checked with a dump of each table.
 */
#define NFT_CHECKED_FILE "nft-checked"
#define BOOT_ID_FILE "/proc/sys/kernel/random/boot_id"

/* The names of the rules this network wants, ours and the guard's: a brnet whose rules differ
 * (renamed when changed) does not take a check made by another for its own. */
static uint64_t rules_digest(const struct network *net)
{
	char name[NFT_COMMENT_MAX];
	uint64_t h = FNV1A64_INIT;
	const char *g;

	for (unsigned id = 0; id < _NFT_RULE_MAX; id++)
		if ((network_rules(net) & (1u << id)) && nft_rule_name(id, net->bridge, name) >= 0)
			h = fnv1a64(h, name, strlen(name) + 1);
	for (unsigned id = 0; id < _NFT_GUARD_RULE_MAX; id++)
		if ((g = nft_guard_rule_name(id)))
			h = fnv1a64(h, g, strlen(g) + 1);
	return h;
}

static int tables_fingerprint(const struct network *net, struct nl_sock *nft, char *buf,
			      size_t size)
{
	char boot[64], fp[NFT_FINGERPRINT_MAX];
	int r, n;

	r = sysctl_read(BOOT_ID_FILE, boot, sizeof(boot));
	if (r < 0)
		return r;
	r = nft_fingerprint_read(nft, fp, NULL);
	if (r < 0)
		return r;
	n = snprintf(buf, size, "boot %s rules %016" PRIx64 " %s\n", boot, rules_digest(net), fp);
	return n < 0 || (size_t)n >= size ? -ENOBUFS : 0;
}

static bool tables_unchanged(const struct network *net, const char *seen)
{
	_cleanup_(freep) char *known = NULL;
	size_t len;

	return read_file_bounded(net->dirfd, NFT_CHECKED_FILE, NFT_FINGERPRINT_MAX + 128, &known,
				 &len) >= 0 &&
	       strcmp(known, seen) == 0;
}

static int ensure_tables(struct network *net, struct nl_sock *nft, struct brnet_error *err)
{
	char seen[NFT_FINGERPRINT_MAX + 128];
	bool have = tables_fingerprint(net, nft, seen, sizeof(seen)) >= 0;
	int added, r;

	if (have && tables_unchanged(net, seen))
		return 0;
	/* The fingerprint is kept only from a check that found every rule, and read before it:
	 * any change after the check (ours included) then differs from it. So after a repair
	 * (or the tables' creation), it is read again and the rules checked once more. */
	for (unsigned pass = 0; pass < 2; pass++) {
		struct nft_network n = network_nft(net);

		added = nft_network_ensure(nft, &n, network_rules(net), err);
		if (added < 0)
			return added;
		r = nft_guard_ensure(nft, err);
		if (r < 0)
			return r;
		if (!added && !r) {
			/* Failing to keep it costs only a dump next time. */
			if (have)
				(void)write_file_atomic(net->dirfd, NFT_CHECKED_FILE, seen,
							strlen(seen));
			return 0;
		}
		have = tables_fingerprint(net, nft, seen, sizeof(seen)) >= 0;
	}
	return 0; /* changed under us twice: checked fully again next time */
}

#define BRIDGE_NF_CALL_IPTABLES "/proc/sys/net/bridge/bridge-nf-call-iptables"

bool network_br_netfilter_loaded(void)
{
	return access(BRIDGE_NF_CALL_IPTABLES, F_OK) >= 0;
}

int network_bridged_filtering(const char *bridge, bool fix, struct brnet_error *err)
{
	_cleanup_(nl_sock_freep) struct nl_sock *rtnl = NULL;
	struct link_info link;
	char v[16], buf[256];
	struct nlbuf b;
	int r = sysctl_read(BRIDGE_NF_CALL_IPTABLES, v, sizeof(v));

	if (r < 0)
		return brnet_err(err, EOPNOTSUPP,
				 "bridged traffic does not pass the IP hooks: br_netfilter is not "
				 "loaded (load it, as Kubernetes requires)");
	if (strcmp(v, "1") == 0)
		return 0;
	/* The host-wide switch is off (some hosts turn it off for their VMs' bridges): ours
	 * can have its own, which leaves the other bridges as they are. */
	r = nl_sock_open(NETLINK_ROUTE, -1, &rtnl);
	if (r < 0)
		return brnet_err(err, r, "cannot open rtnetlink socket: %s", strerror(-r));
	r = rtnl_link_get(rtnl, bridge, &link, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot look up bridge %s", bridge);
	if (link.nf_call_iptables == 1)
		return 0;
	if (!fix)
		return brnet_err(err, EOPNOTSUPP,
				 "bridged traffic on %s does not pass the IP hooks: "
				 "net.bridge.bridge-nf-call-iptables is 0 and the bridge's own "
				 "nf_call_iptables is off",
				 bridge);
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_bridge_nf_call_iptables(&b, link.ifindex);
	r = rtnl_run(rtnl, &b, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot turn on nf_call_iptables of bridge %s",
					bridge);
	return 1;
}

int network_ensure(brnet_ctx *ctx, struct network *net, struct nl_sock *rtnl, struct nl_sock *nft,
		   struct brnet_error *err)
{
	int r;

	r = network_ensure_links(net, rtnl, err);
	if (r >= 0)
		r = ensure_tables(net, nft, err);
	return r;
}
