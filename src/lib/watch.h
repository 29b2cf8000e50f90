/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What `brnet restore --follow` listens for: the kernel's notices that something a restore
 * puts back was taken away. The readers are pure, for tests and fuzzing.
 */
#pragma once

#include <linux/netlink.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "brnet.h"
#include "lib/nft/elems.h"

/* Ranked: of a burst of notices, the highest is the one named. */
enum watch_cause {
	WATCH_NONE,
	WATCH_ELEMENT, /* an element of a live attachment deleted from brnet's sets */
	WATCH_FORWARDING, /* net.ipv4.ip_forward turned off */
	WATCH_RULE, /* a rule of brnet's tables deleted */
	WATCH_SET, /* a set of brnet's tables deleted */
	WATCH_CHAIN, /* a chain of brnet's tables deleted */
	WATCH_TABLE, /* table inet brnet or table bridge brnet deleted */
	WATCH_BRIDGE, /* a bridge deleted (a network's, if one is recorded by its name) */
	WATCH_PROCESS, /* the process of a --pid attachment ended */
	WATCH_VETH, /* the host end of one of brnet's veths deleted */
	WATCH_LOST, /* notices were lost to a full socket: anything may have happened */
};

/* "table inet brnet deleted", "rule of chain inet brnet forward deleted",
 * "host veth vb0123456789 of web/eth0 deleted" */
#define WATCH_WHAT_MAX 160

/* An nf_tables notice (NFNL_SUBSYS_NFTABLES): what it took away from brnet's tables, with
 * what[] saying so, or WATCH_NONE: an addition, an element (teardowns take theirs out), an
 * allowlist's chain, set or rules (brnet deletes a list when its last container goes),
 * another table, or a message it cannot read. */
enum watch_cause watch_nft_notice(const struct nlmsghdr *nlh, char what[static WATCH_WHAT_MAX]);
/* An nf_tables notice: WATCH_ELEMENT for NFT_MSG_DELSETELEM of an element with an owner
 * ("id/ifname", its comment) in a set of brnet's tables other than an allowlist's, the first
 * such element's owner in owner[] and what[] saying so; else WATCH_NONE. Whose the deletion
 * was (a teardown's, gc's, someone else's) the owner's record says. */
enum watch_cause watch_elem_notice(const struct nlmsghdr *nlh, char owner[static NFT_OWNER_MAX],
				   char what[static WATCH_WHAT_MAX]);
/* An rtnetlink notice: WATCH_BRIDGE for RTM_DELLINK of a bridge, its name in bridge[], with
 * what[] saying so; else WATCH_NONE. */
enum watch_cause watch_link_notice(const struct nlmsghdr *nlh, char bridge[static IFNAMSIZ],
				   char what[static WATCH_WHAT_MAX]);
/* An rtnetlink notice: WATCH_FORWARDING for RTM_NEWNETCONF of IPv4's "all" with forwarding
 * off (net.ipv4.ip_forward=0: nothing from the containers leaves the host), with what[]
 * saying so; else WATCH_NONE. */
enum watch_cause watch_netconf_notice(const struct nlmsghdr *nlh, char what[static WATCH_WHAT_MAX]);
/* An rtnetlink notice: WATCH_VETH for RTM_DELLINK of a veth whose alias is brnet's mark
 * ("brnet ID/IFNAME", set on the host end), with the attachment's id and ifname from it and
 * what[] saying so; else WATCH_NONE. */
enum watch_cause watch_veth_notice(const struct nlmsghdr *nlh, char id[static BRNET_ID_MAX + 1],
				   char ifname[static IFNAMSIZ], char what[static WATCH_WHAT_MAX]);
/* An rtnetlink notice: whether it is RTM_NEWLINK of a veth with brnet's mark (a setup made or
 * changed its host end), with the attachment's id and ifname from the mark. */
bool watch_veth_added(const struct nlmsghdr *nlh, char id[static BRNET_ID_MAX + 1],
		      char ifname[static IFNAMSIZ]);
