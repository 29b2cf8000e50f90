/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * brnet_restore(): after `nft flush ruleset`, a firewall reload or a deleted bridge, put the
 * shared objects back as the records describe them: each network's bridge (with its gateway)
 * and the host ends of its live attachments on it; then, in one transaction, every network's
 * missing rules and every active attachment's published ports, anti-spoofing elements and
 * egress policy. Rules are added only when missing and elements without NLM_F_EXCL, so running
 * it on an intact system changes nothing. A policy whose `brnet policy` a kill interrupted is
 * left out of that transaction, and then put in place of the old one's.
 *
 * It runs beside setups and teardowns (`brnet restore --follow` starts it whenever the tables
 * lose something), so it holds the locks of what it reads until its transaction is in: every
 * network's, and each attachment's it puts back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/attach.h"
#include "lib/config/config.h"
#include "lib/ctx.h"
#include "lib/hooks.h"
#include "lib/list.h"
#include "lib/network.h"
#include "lib/nft/batch.h"
#include "lib/nft/egress.h"
#include "lib/nft/nft.h"
#include "lib/nft/guard.h"
#include "lib/record.h"
#include "lib/rtnl/rtnl.h"
#include "shared/error.h"
#include "shared/macro.h"

struct net_list {
	brnet_ctx *ctx;
	struct nl_sock *rtnl;
	struct network *v; /* each holds its lock (lockfd) until the restore is done */
	size_t n, cap;
	struct brnet_error *err;
};

struct names {
	char (*v)[IFNAMSIZ];
	size_t n, cap;
};

static int add_name(const char *bridge, void *userdata)
{
	struct names *l = userdata;

	if (ARRAY_RESERVE(l->v, l->cap, l->n) < 0)
		return -ENOMEM;
	snprintf(l->v[l->n++], IFNAMSIZ, "%s", bridge);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A recorded network's links made again (bridge, gateway), its lock kept; the rules come
 * after, in the one batch. */
static int collect_network(struct net_list *l, const char *bridge)
{
	_cleanup_(network_closep) struct network net = { .dirfd = -EBADF, .lockfd = -EBADF };
	int r;

	if (network_open_locked(l->ctx, bridge, NULL, NULL, &net, NULL) < 0 || !net.recorded)
		return 0;
	r = network_ensure_links(&net, l->rtnl, l->err);
	if (r < 0)
		return r;
	if (ARRAY_RESERVE(l->v, l->cap, l->n) < 0)
		return -ENOMEM;
	l->v[l->n] = net;
	l->v[l->n].dirfd = -EBADF;
	net.lockfd = -EBADF; /* the list's now, as is its path */
	net.path = NULL;
	l->n++;
	return 0;
}

static void networks_free(struct network *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		network_unlock(&v[i]);
		free(v[i].path);
	}
	free(v);
}

/* The recorded networks (network.json under networks/), each locked: in the order of their
 * names, so that two restores never wait for each other. */
static int list_networks(brnet_ctx *ctx, struct nl_sock *rtnl, struct network **ret, size_t *ret_n,
			 struct brnet_error *err)
{
	struct net_list l = { .ctx = ctx, .rtnl = rtnl, .err = err };
	struct names names = { 0 };
	int r = network_foreach(ctx, add_name, &names, err);

	if (r >= 0 && names.n > 1)
		qsort(names.v, names.n, sizeof(names.v[0]), cmp_name);
	for (size_t i = 0; r >= 0 && i < names.n; i++)
		r = collect_network(&l, names.v[i]);
	free(names.v);
	if (r < 0) {
		networks_free(l.v, l.n);
		return r;
	}
	*ret = l.v;
	*ret_n = l.n;
	return 0;
}

/* A live attachment's host end back on its bridge (a re-created bridge has no ports). */
static int reattach(struct nl_sock *rtnl, const struct brnet_attachment *a,
		    const struct network *nets, size_t n_nets, struct brnet_error *err)
{
	struct link_info veth;
	char buf[512], alias[RECORD_ALIAS_MAX];
	struct nlbuf b;
	int ifindex = 0;

	for (size_t i = 0; i < n_nets; i++)
		if (strcmp(nets[i].bridge, a->bridge) == 0)
			ifindex = nets[i].bridge_ifindex;
	if (ifindex <= 0 || rtnl_link_get(rtnl, a->host_veth, &veth, NULL) < 0 ||
	    veth.master == ifindex || !record_host_alias_ours(a, veth.alias))
		return 0; /* no bridge, no veth (gc's business), already in place, or not a's */
	/* Port flags went with the old bridge: hairpin again for publishers. */
	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_link_set_master(&b, veth.ifindex, ifindex);
	rtnl_build_bridge_port_up(&b, veth.ifindex, a->host_veth, a->hairpin || a->n_publish > 0,
				  record_host_alias(a, alias), veth.has_inet6);
	return rtnl_run(rtnl, &b, err);
}

/* The policies a kill left half replaced: the record's, in place of whatever the kernel has.
 * One whose lock is held is left to the `brnet policy` at work on it. */
static int policies_finish(brnet_ctx *ctx, brnet_attachment *const *list, size_t n,
			   struct brnet_error *err)
{
	for (size_t i = 0; i < n; i++) {
		_cleanup_(attachment_done) struct brnet_attachment a = { 0 };
		_cleanup_(closep) int fd = -EBADF;
		struct brnet_error e = { 0 };
		int r;

		if (list[i]->state != ATTACH_ACTIVE || !(list[i]->journal & (1u << STEP_POLICY)))
			continue;
		fd = record_lock(ctx->attachments_dirfd, list[i]->id, list[i]->ifname, false);
		if (fd == -EBUSY)
			continue;
		if (fd < 0)
			return brnet_err(err, fd, "cannot lock attachment %s/%s: %s", list[i]->id,
					 list[i]->ifname, strerror(-fd));
		r = record_load(ctx->attachments_dirfd, list[i]->id, list[i]->ifname, &a, &e);
		if (r == -ENOENT)
			continue; /* torn down since */
		if (r < 0)
			return brnet_err(err, r, "%s", e.msg);
		r = attach_policy_finish(ctx, &a, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* One pass. Every network's lock is held throughout, so that no setup adds a rule beside
 * this one and no network being removed has its rules put back after it went. */
static int restore_once(brnet_ctx *ctx, unsigned *busy, struct brnet_error *err)
{
	_cleanup_(nl_sock_freep) struct nl_sock *nft = NULL, *rtnl = NULL;
	_cleanup_(closep) int locks = -EBADF;
	_cleanup_(freep) char *buf = NULL;
	struct network *nets = NULL;
	brnet_attachment **list = NULL;
	struct nft_egress_list *lists = NULL;
	size_t n_nets = 0, n = 0, size;
	unsigned globals_missing = 0;
	struct nft_batch b;
	int r;

	*busy = 0;
	r = nl_sock_open(NETLINK_ROUTE, -1, &rtnl);
	if (r < 0)
		return brnet_err(err, r, "cannot open rtnetlink socket: %s", strerror(-r));
	r = list_networks(ctx, rtnl, &nets, &n_nets, err);
	if (r < 0)
		return r;
	/* Each attachment locked before its record is read: one that an operation holds is left
	 * out (the operation puts in or takes out its own elements; a restore running alongside
	 * would put back those of an attachment whose teardown had just taken them out). */
	r = locks = record_locks_open(ctx->attachments_dirfd);
	if (r < 0)
		r = brnet_err(err, r, "cannot open the attachments' lock file: %s", strerror(-r));
	else
		r = list_locked(ctx, locks, busy, &list, &n, err);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < n && r >= 0; i++)
		if (list[i]->state == ATTACH_ACTIVE)
			r = reattach(rtnl, list[i], nets, n_nets, err);
	if (r < 0) {
		r = brnet_err_prefix(err, r, "cannot put host veths back on their bridge");
		goto out;
	}
	/* A bridge made again lost its own br_netfilter switch, which a policy may need: once
	 * per network with a policed container. */
	for (size_t j = 0; j < n_nets && r >= 0; j++) {
		bool policed = false;

		for (size_t i = 0; i < n && !policed; i++)
			policed = list[i]->state == ATTACH_ACTIVE && list[i]->egress.on &&
				  strcmp(list[i]->bridge, nets[j].bridge) == 0;
		if (policed)
			r = network_bridged_filtering(nets[j].bridge, true, err);
	}
	if (r < 0) {
		r = brnet_err_prefix(err, r, "cannot restore the egress policies");
		goto out;
	}
	r = nl_sock_open(NETLINK_NETFILTER, -1, &nft);
	if (r < 0) {
		r = brnet_err(err, r, "cannot open nf_tables netlink socket: %s", strerror(-r));
		goto out;
	}
	size = 4 * (size_t)NFT_MSG_ROOM + n_nets * (_NFT_RULE_MAX + 8) * (size_t)NFT_MSG_ROOM;
	size += (_NFT_GUARD_RULE_MAX + 8) * (size_t)NFT_MSG_ROOM;
	for (size_t i = 0; i < n; i++)
		size += attach_elements_room(list[i]);
	buf = malloc(size);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	nft_batch_init(&b, buf, size);
	nft_batch_begin(&b);
	for (size_t i = 0; i < n_nets && r >= 0; i++) {
		struct nft_network net = network_nft(&nets[i]);
		unsigned missing;

		r = nft_network_missing(nft, nets[i].bridge, &missing, err);
		if (r < 0)
			break;
		missing &= network_rules(&nets[i]);
		/* The global rules once, with the first network; each network its own. */
		if (i == 0)
			globals_missing = missing & ((1u << _NFT_RULE_GLOBAL_MAX) - 1);
		missing &= ~((1u << _NFT_RULE_GLOBAL_MAX) - 1);
		r = nft_batch_add_network(&b, &net, missing | (i == 0 ? globals_missing : 0));
	}
	/* The anti-spoofing table as a setup makes it: with a network, not on a host without. */
	if (r >= 0 && n_nets > 0) {
		unsigned missing;

		r = nft_guard_missing(nft, &missing, err);
		if (r >= 0 && missing)
			r = nft_batch_add_guard_table(&b);
	}
	lists = calloc(n ? n : 1, sizeof(*lists));
	if (!lists)
		r = -ENOMEM;
	for (size_t i = 0; i < n && r >= 0; i++) {
		bool pending = list[i]->journal & (1u << STEP_POLICY);
		uint8_t mac[6];

		if (list[i]->state != ATTACH_ACTIVE)
			continue;
		/* Each allowlist once: the kernel's, or the first container's to use it. A policy
		 * whose replacement was interrupted is left to policies_finish(): the kernel may
		 * hold the old one's elements, which adding would not take away; its list, left
		 * zeroed, is none that this batch makes for the containers after it. */
		if (!pending) {
			nft_egress_list_init(&lists[i], &list[i]->egress);
			for (size_t j = 0; j < i && lists[i].chain[0] && !lists[i].exists; j++)
				lists[i].exists = strcmp(lists[j].chain, lists[i].chain) == 0;
			if (!lists[i].exists)
				r = nft_egress_list_probe(nft, &lists[i], err);
		}
		/* A record whose MAC does not parse gets its other elements back, not these. */
		if (r >= 0)
			r = attach_batch_elements(
				&b, list[i], pending ? NULL : &lists[i],
				config_parse_mac(list[i]->mac, mac, NULL) >= 0 ? mac : NULL, false);
	}
	free(lists);
	if (r >= 0)
		r = nft_batch_end(&b);
	if (r < 0) {
		r = brnet_err(err, -r, "cannot build the restore transaction: %s", strerror(-r));
		goto out;
	}
	r = step_hook("restore-commit", err);
	if (r >= 0)
		r = nl_sock_transact(nft, buf, b.len, NULL, NULL, err);
	if (r < 0) {
		r = brnet_err_prefix(err, r, "nf_tables: cannot restore table inet " NFT_TABLE);
		goto out;
	}
	/* Its own locks for what is left: let go of ours first. */
	closep(&locks);
	locks = -EBADF;
	r = policies_finish(ctx, list, n, err);
	if (r < 0)
		r = brnet_err_prefix(err, r, "nf_tables: cannot restore table inet " NFT_TABLE);
	else
		r = (int)n_nets;
out:
	brnet_attachment_list_free(list, n);
	networks_free(nets, n_nets);
	return r;
}

/* An attachment an operation holds is left to it for a moment, then the whole restore runs
 * again (it changes nothing that is in place): for a second at most. */
#define RESTORE_TRIES 20
#define RESTORE_RETRY_NS (50L * 1000 * 1000)

int brnet_restore(brnet_ctx *ctx, struct brnet_error *err)
{
	unsigned busy;
	int r;

	if (!ctx)
		return -EINVAL;
	for (unsigned tries = 1;; tries++) {
		r = restore_once(ctx, &busy, err);
		if (r < 0 || busy == 0 || tries == RESTORE_TRIES)
			return r;
		(void)nanosleep(&(struct timespec){ .tv_nsec = RESTORE_RETRY_NS }, NULL);
	}
}
