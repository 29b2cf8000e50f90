/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * brnet_network_remove(): a network without attachments, gone. Its rules first, then its
 * bridge, then its state directory: a kill in between leaves a recorded network that the next
 * setup makes whole again, or the next remove finishes; never a bridge or rules without the
 * record that says they are ours.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/hooks.h"
#include "lib/network.h"
#include "lib/nft/nft.h"
#include "lib/record.h"
#include "lib/rtnl/rtnl.h"
#include "shared/error.h"
#include "shared/macro.h"

/* ", "-joined names into buf, as many as fit. */
static void append_name(char *buf, size_t size, const char *name)
{
	size_t len = strlen(buf);

	if (len < size)
		snprintf(buf + len, size - len, "%s%s", len ? ", " : "", name);
}

static int refuse_attached(brnet_ctx *ctx, const char *bridge, struct brnet_error *err)
{
	brnet_attachment **list = NULL;
	char names[256] = "", name[BRNET_ID_MAX + IFNAMSIZ + 2];
	size_t n = 0, found = 0;
	int r;

	r = brnet_list(ctx, &list, &n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(brnet_attachment_bridge(list[i]), bridge) != 0)
			continue;
		snprintf(name, sizeof(name), "%s/%s", brnet_attachment_id(list[i]),
			 brnet_attachment_ifname(list[i]));
		append_name(names, sizeof(names), name);
		found++;
	}
	brnet_attachment_list_free(list, n);
	if (found)
		return brnet_err(err, EBUSY,
				 "network %s has %zu attachment%s: %s (tear %s down first)", bridge,
				 found, found == 1 ? "" : "s", names, found == 1 ? "it" : "them");
	return 0;
}

struct ports {
	int master;
	char names[256];
	unsigned n;
};

static int port_cb(const struct link_info *link, void *userdata)
{
	struct ports *p = userdata;

	if (link->master == p->master) {
		append_name(p->names, sizeof(p->names), link->name);
		p->n++;
	}
	return 0;
}

/* The bridge's ifindex (0: not there) when it may go: ours (the record says so, and its mark
 * names no other state directory), and without ports. We hold the network's lock, so no setup
 * adds one meanwhile. -EXDEV when it is another state directory's network: a record here that
 * outlived its claim (before bridges were marked, two directories could both record one). */
static int removable_bridge(struct nl_sock *rtnl, const struct network *net,
			    struct brnet_error *err)
{
	const char *bridge = net->bridge;
	struct link_info link;
	struct ports p = { 0 };
	int r;

	r = rtnl_link_get(rtnl, bridge, &link, err);
	if (r == -ENODEV)
		return 0;
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot look up bridge %s", bridge);
	if (strcmp(link.kind, "bridge") != 0)
		return brnet_err(err, EINVAL,
				 "network %s: the link of that name is not a bridge; leaving it",
				 bridge);
	if (network_bridge_of_another(net, link.alias))
		return -EXDEV;
	p.master = link.ifindex;
	r = rtnl_link_dump(rtnl, port_cb, &p, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot list the ports of %s", bridge);
	if (p.n)
		return brnet_err(err, EBUSY,
				 "bridge %s still has %u port%s: %s (brnet gc removes those of "
				 "attachments that died)",
				 bridge, p.n, p.n == 1 ? "" : "s", p.names);
	return link.ifindex;
}

/* Everything in the network's directory, then the directory; the lock last, still held. */
static int remove_state(struct network *net, struct brnet_error *err)
{
	_cleanup_(closep) int fd = openat(net->dirfd, "leases",
					  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd >= 0) {
		d = fdopendir(TAKE_FD(fd));
		if (!d)
			return brnet_err(err, errno, "cannot read %s/leases: %s", net->path,
					 strerror(errno));
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				(void)unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
		(void)unlinkat(net->dirfd, "leases", AT_REMOVEDIR);
	}
	/* network.json first: without it, what is left is no network */
	if (unlinkat(net->dirfd, "network.json", 0) < 0 && errno != ENOENT)
		return brnet_err(err, errno, "cannot remove %s/network.json: %s", net->path,
				 strerror(errno));
	(void)unlinkat(net->dirfd, "nft-checked", 0);
	(void)unlinkat(net->dirfd, "lock", 0);
	if (unlinkat(net->networks_dirfd, net->bridge, AT_REMOVEDIR) < 0)
		return brnet_err(err, errno, "cannot remove %s: %s", net->path, strerror(errno));
	net->recorded = false;
	return 0;
}

int brnet_network_remove(brnet_ctx *ctx, const char *bridge, struct brnet_error *err)
{
	_cleanup_(network_closep) struct network net = { .dirfd = -EBADF, .lockfd = -EBADF };
	_cleanup_(nl_sock_freep) struct nl_sock *rtnl = NULL, *nft = NULL;
	struct network_file file;
	int ifindex, r;

	if (!ctx || !bridge)
		return -EINVAL;
	r = config_check_ifname(bridge, "bridge", err);
	if (r < 0)
		return r;
	/* Asked first, without the lock: opening a network that is not there would make one. */
	r = network_read(ctx, bridge, &file, err);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = network_open_locked(ctx, bridge, &file.subnet, NULL, &net, err);
	if (r < 0)
		return r;
	if (!net.recorded)
		return 0; /* removed meanwhile: closing removes the directory the open made */
	r = refuse_attached(ctx, bridge, err);
	if (r < 0)
		return r;
	r = nl_sock_open(NETLINK_ROUTE, -1, &rtnl);
	if (r < 0)
		return brnet_err(err, r, "cannot open rtnetlink socket: %s", strerror(-r));
	r = nl_sock_open(NETLINK_NETFILTER, -1, &nft);
	if (r < 0)
		return brnet_err(err, r, "cannot open nf_tables netlink socket: %s", strerror(-r));
	/* Refused before anything changes when the bridge has ports. One that is another state
	 * directory's network keeps its rules too (they are that network's): only this
	 * directory's record of it goes. */
	r = ifindex = removable_bridge(rtnl, &net, err);
	if (r == -EXDEV) {
		r = remove_state(&net, err);
		return r < 0 ? r : 2;
	}
	if (r >= 0)
		r = nft_network_remove(nft, bridge, err);
	if (r >= 0)
		r = step_hook("remove-rules", err);
	if (r >= 0 && ifindex > 0) {
		r = rtnl_link_del(rtnl, ifindex, bridge, err);
		if (r == -ENODEV)
			r = 0;
		else if (r < 0)
			r = brnet_err_prefix(err, r, "cannot delete bridge %s", bridge);
	}
	if (r >= 0)
		r = step_hook("remove-bridge", err);
	if (r >= 0)
		r = remove_state(&net, err);
	return r < 0 ? r : 1;
}
