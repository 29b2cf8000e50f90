/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * brnet_restore(): after `nft flush ruleset`, a firewall reload or a deleted bridge, put the
 * shared objects back as the records describe them: each network's bridge (with its gateway)
 * and the host ends of its live attachments on it; then, in one transaction, every network's
 * missing rules and every active attachment's published ports, anti-spoofing elements and
 * egress policy. Rules are added only when missing and elements without NLM_F_EXCL, so running
 * it on an intact system changes nothing. A policy whose `brnet policy` a kill interrupted is
 * left out of that transaction, and then put in place of the old one's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/attach.h"
#include "lib/config/config.h"
#include "lib/ctx.h"
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
	struct network *v; /* closed: kept for what the rules are made of */
	size_t n, cap;
	struct brnet_error *err;
};

/* Each recorded network's links made again (bridge, gateway); the rules come after, in the
 * one batch. */
static int collect_network(const char *bridge, void *userdata)
{
	struct net_list *l = userdata;
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
	l->v[l->n].dirfd = l->v[l->n].lockfd = -EBADF;
	l->n++;
	return 0;
}

/* The recorded networks (network.json under networks/). */
static int list_networks(brnet_ctx *ctx, struct nl_sock *rtnl, struct network **ret, size_t *ret_n,
			 struct brnet_error *err)
{
	struct net_list l = { .ctx = ctx, .rtnl = rtnl, .err = err };
	int r = network_foreach(ctx, collect_network, &l, err);

	if (r < 0) {
		free(l.v);
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

int brnet_restore(brnet_ctx *ctx, struct brnet_error *err)
{
	_cleanup_(nl_sock_freep) struct nl_sock *nft = NULL, *rtnl = NULL;
	_cleanup_(freep) struct network *nets = NULL;
	_cleanup_(freep) char *buf = NULL;
	brnet_attachment **list = NULL;
	struct nft_egress_list *lists = NULL;
	size_t n_nets = 0, n = 0, size;
	unsigned globals_missing = 0;
	struct nft_batch b;
	int r;

	if (!ctx)
		return -EINVAL;
	r = nl_sock_open(NETLINK_ROUTE, -1, &rtnl);
	if (r < 0)
		return brnet_err(err, r, "cannot open rtnetlink socket: %s", strerror(-r));
	r = list_networks(ctx, rtnl, &nets, &n_nets, err);
	if (r >= 0)
		r = brnet_list(ctx, &list, &n, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r >= 0; i++)
		if (list[i]->state == ATTACH_ACTIVE)
			r = reattach(rtnl, list[i], nets, n_nets, err);
	if (r < 0) {
		brnet_attachment_list_free(list, n);
		return brnet_err_prefix(err, r, "cannot put host veths back on their bridge");
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
		brnet_attachment_list_free(list, n);
		return brnet_err_prefix(err, r, "cannot restore the egress policies");
	}
	r = nl_sock_open(NETLINK_NETFILTER, -1, &nft);
	if (r < 0) {
		brnet_attachment_list_free(list, n);
		return brnet_err(err, r, "cannot open nf_tables netlink socket: %s", strerror(-r));
	}
	size = 4 * (size_t)NFT_MSG_ROOM + n_nets * (_NFT_RULE_MAX + 8) * (size_t)NFT_MSG_ROOM;
	size += (_NFT_GUARD_RULE_MAX + 8) * (size_t)NFT_MSG_ROOM;
	for (size_t i = 0; i < n; i++)
		size += attach_elements_room(list[i]);
	buf = malloc(size);
	if (!buf) {
		brnet_attachment_list_free(list, n);
		return -ENOMEM;
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
	if (r >= 0) {
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
		brnet_attachment_list_free(list, n);
		return brnet_err(err, -r, "cannot build the restore transaction: %s", strerror(-r));
	}
	r = nl_sock_transact(nft, buf, b.len, NULL, NULL, err);
	if (r >= 0)
		r = policies_finish(ctx, list, n, err);
	brnet_attachment_list_free(list, n);
	if (r < 0)
		return brnet_err_prefix(err, r, "nf_tables: cannot restore table inet " NFT_TABLE);
	return (int)n_nets;
}
