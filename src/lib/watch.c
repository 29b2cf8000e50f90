/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * brnet_restore_follow(): a restore, then another whenever the kernel says that something a
 * restore puts back was taken away. It listens to nf_tables' notices (NFNLGRP_NFTABLES: a
 * table, chain, set or rule of brnet's tables deleted, as by `nft flush ruleset`, a reload of
 * nftables.service or `nft delete table`; an element of a live attachment deleted by another
 * hand), to rtnetlink's links (a recorded network's bridge deleted) and to IPv4's netconf
 * (net.ipv4.ip_forward turned off). brnet_gc_follow(): the same for gc, whenever the host end
 * of a live attachment's veth is deleted (its container's namespace went away) or the process
 * of a --pid attachment ends. The sockets join their groups before the first run, so nothing that
 * happens after it goes unheard. A flush is a notice per object: a run waits until the notices
 * have stopped for a moment, and the highest-ranked one names the cause.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h> /* before the kernel's headers, which would define it too */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "lib/attach.h"
#include "lib/check.h"
#include "lib/ctx.h"
#include "lib/netns/netns.h"
#include "lib/network.h"
#include "lib/nft/egress.h"
#include "lib/nft/nft.h"
#include "lib/record.h"
#include "lib/rtnl/rtnl.h"
#include "lib/watch.h"
#include "shared/error.h"
#include "shared/fileio.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_attachment, brnet_attachment_free)

/* A run starts once no notice has come for SETTLE_MS, or SETTLE_MAX_MS after the first. */
#define SETTLE_MS 100
#define SETTLE_MAX_MS 1000
#define RECV_BUF ((size_t)64 * 1024)
/* Room for a burst: a flush of a large ruleset is thousands of notices. */
#define SOCK_BUF (4 << 20)

/* Every nf_tables object message has its table at attribute 1 (NFTA_TABLE_NAME,
 * NFTA_CHAIN_TABLE, NFTA_RULE_TABLE, NFTA_SET_TABLE). */
#define ATTR_TABLE 1
#define ATTRS_MAX 8

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type < ATTRS_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static const char *attr_str(const struct nlattr *a)
{
	return a && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0 ? mnl_attr_get_str(a) : NULL;
}

/* An nf_tables notice about one of brnet's tables (inet or bridge): its family's name, its
 * attributes in tb; NULL for any other message. */
static const char *brnet_table_notice(const struct nlmsghdr *nlh,
				      const struct nlattr *tb[static ATTRS_MAX])
{
	const struct nfgenmsg *g;
	const char *table, *family;

	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*g))
		return NULL;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->nfgen_family == NFPROTO_INET)
		family = "inet";
	else if (g->nfgen_family == NFPROTO_BRIDGE)
		family = "bridge";
	else
		return NULL;
	if (mnl_attr_parse(nlh, sizeof(*g), attr_cb, tb) < 0)
		return NULL;
	table = attr_str(tb[ATTR_TABLE]);
	return table && strcmp(table, NFT_TABLE) == 0 ? family : NULL;
}

enum watch_cause watch_nft_notice(const struct nlmsghdr *nlh, char what[static WATCH_WHAT_MAX])
{
	const struct nlattr *tb[ATTRS_MAX] = { 0 };
	const char *table = NFT_TABLE, *name = NULL, *family;
	enum watch_cause c;

	what[0] = '\0';
	family = brnet_table_notice(nlh, tb);
	if (!family)
		return WATCH_NONE;
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_DELTABLE:
		snprintf(what, WATCH_WHAT_MAX, "table %s %s deleted", family, table);
		return WATCH_TABLE;
	case NFT_MSG_DELCHAIN:
		name = attr_str(tb[NFTA_CHAIN_NAME]);
		c = WATCH_CHAIN;
		break;
	case NFT_MSG_DELRULE:
		name = attr_str(tb[NFTA_RULE_CHAIN]);
		c = WATCH_RULE;
		break;
	case NFT_MSG_DELSET:
		name = attr_str(tb[NFTA_SET_NAME]);
		c = WATCH_SET;
		break;
	default:
		return WATCH_NONE;
	}
	if (!name || strncmp(name, NFT_EGRESS_LIST_PREFIX, strlen(NFT_EGRESS_LIST_PREFIX)) == 0)
		return WATCH_NONE;
	snprintf(what, WATCH_WHAT_MAX, "%s %s %s %.32s deleted",
		 c == WATCH_RULE  ? "rule of chain"
		 : c == WATCH_SET ? "set"
				  : "chain",
		 family, table, name);
	return c;
}

static int first_owner(const struct nft_elem_view *e, void *userdata)
{
	char *owner = userdata;

	if (!owner[0] && e->e.owner && e->e.owner[0])
		snprintf(owner, NFT_OWNER_MAX, "%s", e->e.owner);
	return 0;
}

enum watch_cause watch_elem_notice(const struct nlmsghdr *nlh, char owner[static NFT_OWNER_MAX],
				   char what[static WATCH_WHAT_MAX])
{
	const struct nlattr *tb[ATTRS_MAX] = { 0 };
	const char *family, *set;

	what[0] = owner[0] = '\0';
	if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_DELSETELEM)
		return WATCH_NONE;
	family = brnet_table_notice(nlh, tb);
	set = attr_str(tb[NFTA_SET_ELEM_LIST_SET]);
	if (!family || !set ||
	    strncmp(set, NFT_EGRESS_LIST_PREFIX, strlen(NFT_EGRESS_LIST_PREFIX)) == 0 ||
	    nft_elems_msg(nlh, 0, first_owner, owner) < 0 || !owner[0]) {
		owner[0] = '\0';
		return WATCH_NONE;
	}
	snprintf(what, WATCH_WHAT_MAX, "element of %.80s deleted from set %s " NFT_TABLE " %.32s",
		 owner, family, set);
	return WATCH_ELEMENT;
}

enum watch_cause watch_link_notice(const struct nlmsghdr *nlh, char bridge[static IFNAMSIZ],
				   char what[static WATCH_WHAT_MAX])
{
	struct link_info link;

	what[0] = bridge[0] = '\0';
	if (nlh->nlmsg_type != RTM_DELLINK || rtnl_parse_link(nlh, &link) < 0 ||
	    strcmp(link.kind, "bridge") != 0)
		return WATCH_NONE;
	memcpy(bridge, link.name, IFNAMSIZ);
	snprintf(what, WATCH_WHAT_MAX, "bridge %s deleted", link.name);
	return WATCH_BRIDGE;
}

static int netconf_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if ((type == NETCONFA_IFINDEX || type == NETCONFA_FORWARDING) &&
	    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
		tb[type] = a;
	return MNL_CB_OK;
}

enum watch_cause watch_netconf_notice(const struct nlmsghdr *nlh, char what[static WATCH_WHAT_MAX])
{
	const struct nlattr *tb[NETCONFA_MAX + 1] = { 0 };
	const struct netconfmsg *ncm;

	what[0] = '\0';
	if (nlh->nlmsg_type != RTM_NEWNETCONF || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ncm))
		return WATCH_NONE;
	ncm = mnl_nlmsg_get_payload(nlh);
	/* The kernel pads the family header to 4 bytes. */
	if (ncm->ncm_family != AF_INET ||
	    mnl_attr_parse(nlh, NLMSG_ALIGN(sizeof(*ncm)), netconf_attr_cb, tb) < 0 ||
	    !tb[NETCONFA_IFINDEX] || !tb[NETCONFA_FORWARDING] ||
	    (int32_t)mnl_attr_get_u32(tb[NETCONFA_IFINDEX]) != NETCONFA_IFINDEX_ALL ||
	    mnl_attr_get_u32(tb[NETCONFA_FORWARDING]) != 0)
		return WATCH_NONE;
	snprintf(what, WATCH_WHAT_MAX, "net.ipv4.ip_forward turned off");
	return WATCH_FORWARDING;
}

/* A notice of type about a veth with brnet's mark: its link, and the mark's id and ifname. */
static bool veth_marked(const struct nlmsghdr *nlh, uint16_t type, struct link_info *link,
			char id[static BRNET_ID_MAX + 1], char ifname[static IFNAMSIZ])
{
	if (nlh->nlmsg_type == type && rtnl_parse_link(nlh, link) >= 0 &&
	    strcmp(link->kind, "veth") == 0 &&
	    record_host_alias_split(link->alias, id, ifname) >= 0)
		return true;
	id[0] = ifname[0] = '\0';
	return false;
}

enum watch_cause watch_veth_notice(const struct nlmsghdr *nlh, char id[static BRNET_ID_MAX + 1],
				   char ifname[static IFNAMSIZ], char what[static WATCH_WHAT_MAX])
{
	struct link_info link;

	what[0] = '\0';
	if (!veth_marked(nlh, RTM_DELLINK, &link, id, ifname))
		return WATCH_NONE;
	snprintf(what, WATCH_WHAT_MAX, "host veth %s of %s/%s deleted", link.name, id, ifname);
	return WATCH_VETH;
}

bool watch_veth_added(const struct nlmsghdr *nlh, char id[static BRNET_ID_MAX + 1],
		      char ifname[static IFNAMSIZ])
{
	struct link_info link;

	return veth_marked(nlh, RTM_NEWLINK, &link, id, ifname);
}

/* A socket of protocol in each of groups (0 ends the list). */
static int listen_groups(int protocol, const unsigned *groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int size = SOCK_BUF;
	_cleanup_(closep) int fd = -EBADF;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (; *groups; groups++)
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, groups, sizeof(*groups)) <
		    0)
			return -errno;
	/* Past net.core.rmem_max with CAP_NET_ADMIN, which a restore needs anyway. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return TAKE_FD(fd);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct pending {
	bool due;
	uint64_t first, deadline;
	enum watch_cause rank;
	char what[WATCH_WHAT_MAX];
};

static void pending_add(struct pending *p, enum watch_cause c, const char *what)
{
	uint64_t now = now_ms();

	if (!p->due) {
		p->due = true;
		p->first = now;
		p->rank = WATCH_NONE;
	}
	p->deadline = now + SETTLE_MS;
	if (p->deadline > p->first + SETTLE_MAX_MS)
		p->deadline = p->first + SETTLE_MAX_MS;
	if (c > p->rank) {
		p->rank = c;
		snprintf(p->what, sizeof(p->what), "%s", what);
	}
}

/*
 * The processes of --pid attachments, each through a pidfd that polls readable when it ends.
 * A namespace that something else holds (a mount of it, another process) outlives the process
 * and keeps its veth, so no link notice says that the container is gone; gc's judgement of a
 * --pid attachment is its process. Watched: every one recorded when following starts, and each
 * whose host veth a notice shows made or changed; a veth deleted ends its watch.
 */
struct pid_watch {
	int fd;
	pid_t pid;
	char id[BRNET_ID_MAX + 1];
	char ifname[IFNAMSIZ];
};

struct pid_watches {
	struct pid_watch *v;
	size_t n, cap;
	bool scanned; /* the records were read once, after the first run */
};

static void pid_watches_done(struct pid_watches *w)
{
	for (size_t i = 0; i < w->n; i++)
		close(w->v[i].fd);
	free(w->v);
}

static struct pid_watch *pid_watch_find(struct pid_watches *w, const char *id, const char *ifname)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->v[i].id, id) == 0 && strcmp(w->v[i].ifname, ifname) == 0)
			return &w->v[i];
	return NULL;
}

static void process_ended(char what[static WATCH_WHAT_MAX], pid_t pid, const char *id,
			  const char *ifname)
{
	snprintf(what, WATCH_WHAT_MAX, "process %d of %s/%s ended", (int)pid, id, ifname);
}

static void pid_watch_drop(struct pid_watches *w, struct pid_watch *pw)
{
	close(pw->fd);
	*pw = w->v[--w->n];
}

/* Watches a's process. WATCH_PROCESS, with what[] saying so, when it has ended already. Where
 * no pidfd can be had (a kernel before 5.3, no descriptor left), the next run finds it. */
static enum watch_cause pid_watch_add(struct pid_watches *w, const struct brnet_attachment *a,
				      char what[static WATCH_WHAT_MAX])
{
	_cleanup_(closep) int fd = -EBADF;

	if (a->pid <= 0 || (a->state != ATTACH_ACTIVE && a->state != ATTACH_CONFIGURING) ||
	    pid_watch_find(w, a->id, a->ifname))
		return WATCH_NONE;
	fd = (int)syscall(SYS_pidfd_open, a->pid, 0);
	if (fd < 0 && errno != ESRCH)
		return WATCH_NONE;
	/* The pidfd is of the recorded process only if that one still has the pid. */
	if (fd < 0 || !proc_alive(a->pid, a->pid_start)) {
		process_ended(what, a->pid, a->id, a->ifname);
		return WATCH_PROCESS;
	}
	if (ARRAY_RESERVE(w->v, w->cap, w->n) < 0)
		return WATCH_NONE;
	w->v[w->n] = (struct pid_watch){ .fd = TAKE_FD(fd), .pid = a->pid };
	memcpy(w->v[w->n].id, a->id, sizeof(a->id));
	memcpy(w->v[w->n].ifname, a->ifname, sizeof(a->ifname));
	w->n++;
	return WATCH_NONE;
}

/* What a follower listens for and what it runs. */
struct follow {
	unsigned rtnl_groups[3]; /* rtnetlink's groups, 0-terminated */
	bool nft; /* nf_tables' notices too */
	bool pids; /* every recorded --pid attachment's process watched from the start (gc's
		    * judge adds those whose veths come later) */
	/* Judges a notice (nft: from nf_tables): its cause, what[] saying so, or WATCH_NONE.
	 * due: a run is due already; w holds the processes watched (with pids). */
	enum watch_cause (*judge)(brnet_ctx *ctx, const struct nlmsghdr *nlh, bool nft, bool due,
				  struct pid_watches *w, char what[static WATCH_WHAT_MAX]);
	int (*run)(brnet_ctx *ctx, void *userdata, struct brnet_error *err);
};

/* Watches the process of every recorded --pid attachment, once: those gone already are due. */
static void pid_watches_scan(brnet_ctx *ctx, struct pid_watches *w, struct pending *p)
{
	brnet_attachment **list = NULL;
	size_t n = 0;

	if (brnet_list(ctx, &list, &n, NULL) < 0)
		return; /* again after the next run */
	w->scanned = true;
	for (size_t i = 0; i < n; i++) {
		char what[WATCH_WHAT_MAX];

		if (pid_watch_add(w, list[i], what) != WATCH_NONE)
			pending_add(p, WATCH_PROCESS, what);
	}
	brnet_attachment_list_free(list, n);
}

/* Reads what the socket holds; 0 when it is drained, or -errno. */
static int drain(brnet_ctx *ctx, const struct follow *f, int fd, bool nft, char *buf,
		 struct pid_watches *w, struct pending *p)
{
	for (;;) {
		struct sockaddr_nl from;
		socklen_t from_len = sizeof(from);
		ssize_t len = recvfrom(fd, buf, RECV_BUF, 0, (struct sockaddr *)&from, &from_len);
		size_t rest;

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && errno == EAGAIN)
			return 0;
		if (len < 0 && errno == ENOBUFS) {
			pending_add(p, WATCH_LOST, "notices lost to a full socket");
			continue;
		}
		if (len < 0)
			return -errno;
		/* The kernel's notices only (port 0), as for every answer brnet reads. */
		if (from_len != sizeof(from) || from.nl_pid != 0)
			continue;
		rest = (size_t)len;
		for (const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf; nlmsg_ok(nlh, rest);
		     nlh = nlmsg_next(nlh, &rest)) {
			char what[WATCH_WHAT_MAX];
			enum watch_cause c = f->judge(ctx, nlh, nft, p->due, w, what);

			if (c != WATCH_NONE)
				pending_add(p, c, what);
		}
	}
}

/* f->run at once, then after each burst of notices f->judge names, until fn says stop. The
 * sockets join their groups before the first run: nothing after it goes unheard. */
static int follow(brnet_ctx *ctx, const struct follow *f, brnet_follow_fn fn, void *userdata,
		  struct brnet_error *err)
{
	_cleanup_(closep) int nft = -EBADF, rtnl = -EBADF;
	_cleanup_(freep) char *buf = NULL;
	_cleanup_(freep) struct pollfd *pfd = NULL;
	_cleanup_(pid_watches_done) struct pid_watches w = { 0 };
	struct pending p = { .due = true, .rank = WATCH_NONE };
	size_t pfd_cap = 0;
	nfds_t base = 0;

	buf = malloc(RECV_BUF);
	if (!buf)
		return -ENOMEM;
	rtnl = listen_groups(NETLINK_ROUTE, f->rtnl_groups);
	if (rtnl < 0)
		return brnet_err(err, rtnl, "cannot listen to rtnetlink's notices: %s",
				 strerror(-rtnl));
	if (f->nft) {
		nft = listen_groups(NETLINK_NETFILTER, (const unsigned[]){ NFNLGRP_NFTABLES, 0 });
		if (nft < 0)
			return brnet_err(err, nft, "cannot listen to nf_tables' notices: %s",
					 strerror(-nft));
	}
	snprintf(p.what, sizeof(p.what), "start");
	for (;;) {
		uint64_t now = now_ms();
		int r, timeout = -1;

		if (p.due && now >= p.deadline) {
			struct brnet_error e = { 0 };

			p.due = false;
			r = f->run(ctx, userdata, &e);
			if (fn(r, p.what, r < 0 ? &e : NULL, userdata) != 0)
				return 0;
			if (f->pids && !w.scanned)
				pid_watches_scan(ctx, &w, &p);
			continue; /* what came meanwhile is read next */
		}
		if (p.due)
			timeout = (int)(p.deadline - now);
		/* The sockets, then a pidfd per watched process: rebuilt, as the watches change. */
		if (ARRAY_RESERVE(pfd, pfd_cap, 2 + w.n) < 0)
			return -ENOMEM;
		base = 0;
		pfd[base++] = (struct pollfd){ .fd = rtnl, .events = POLLIN };
		if (nft >= 0)
			pfd[base++] = (struct pollfd){ .fd = nft, .events = POLLIN };
		for (size_t i = 0; i < w.n; i++)
			pfd[base + i] = (struct pollfd){ .fd = w.v[i].fd, .events = POLLIN };
		r = poll(pfd, base + w.n, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return brnet_err(err, errno, "cannot wait for notices: %s",
					 strerror(errno));
		/* Backwards: a watch dropped takes the last one's place, whose turn is past. */
		for (size_t i = w.n; i-- > 0;) {
			char what[WATCH_WHAT_MAX];

			if (!pfd[base + i].revents)
				continue;
			process_ended(what, w.v[i].pid, w.v[i].id, w.v[i].ifname);
			pending_add(&p, WATCH_PROCESS, what);
			pid_watch_drop(&w, &w.v[i]);
		}
		r = 0;
		for (nfds_t i = 0; i < base && r >= 0; i++)
			if (pfd[i].revents)
				r = drain(ctx, f, pfd[i].fd, pfd[i].fd == nft, buf, &w, &p);
		if (r < 0)
			return brnet_err(err, r, "cannot read notices: %s", strerror(-r));
	}
}

static enum watch_cause restore_judge(brnet_ctx *ctx, const struct nlmsghdr *nlh, bool nft,
				      bool due, struct pid_watches *w,
				      char what[static WATCH_WHAT_MAX])
{
	struct network_file net;
	char bridge[IFNAMSIZ];
	enum watch_cause c;

	if (nft) {
		_cleanup_(brnet_attachment_freep) brnet_attachment *a = NULL;
		char owner[NFT_OWNER_MAX], id[BRNET_ID_MAX + 1], ifname[IFNAMSIZ];

		c = watch_nft_notice(nlh, what);
		/* Once a restore is due, another element changes nothing: not read further. */
		if (c != WATCH_NONE || due || watch_elem_notice(nlh, owner, what) == WATCH_NONE)
			return c;
		/* A teardown records "cleaned" before it takes its elements out, a failed setup's
		 * record says "configuring", gc takes only what no record owns, and a `brnet
		 * policy` journals its replacement first and has it in the kernel (the notice
		 * comes after the commit) before it clears the journal: an element of an active
		 * attachment whose elements are not all there is gone by someone else's hand. */
		if (record_owner_split(owner, id, ifname) < 0 ||
		    brnet_attachment_load(ctx, id, ifname, &a, NULL) < 0 ||
		    a->state != ATTACH_ACTIVE || (a->journal & (1u << STEP_POLICY)) ||
		    check_elements_problems(a) == 0)
			return WATCH_NONE;
		return WATCH_ELEMENT;
	}
	if (nlh->nlmsg_type == RTM_NEWNETCONF)
		return watch_netconf_notice(nlh, what);
	c = watch_link_notice(nlh, bridge, what);
	/* Only a recorded network's bridge is restore's to make again. */
	if (c != WATCH_NONE && network_read(ctx, bridge, &net, NULL) < 0)
		c = WATCH_NONE;
	return c;
}

static int restore_run(brnet_ctx *ctx, void *userdata, struct brnet_error *err)
{
	return brnet_restore(ctx, err);
}

int brnet_restore_follow(brnet_ctx *ctx, brnet_follow_fn fn, void *userdata,
			 struct brnet_error *err)
{
	static const struct follow f = {
		.rtnl_groups = { RTNLGRP_LINK, RTNLGRP_IPV4_NETCONF },
		.nft = true,
		.judge = restore_judge,
		.run = restore_run,
	};

	if (!ctx || !fn)
		return -EINVAL;
	return follow(ctx, &f, fn, userdata, err);
}

/* A veth whose record is active: its container's namespace went, or someone deleted the link.
 * A teardown deletes its own after recording "cleaned", and removes the record: not gc's. A
 * veth made or changed: its attachment's process is watched, if it has one (and has ended
 * already: due). */
static enum watch_cause gc_judge(brnet_ctx *ctx, const struct nlmsghdr *nlh, bool nft, bool due,
				 struct pid_watches *w, char what[static WATCH_WHAT_MAX])
{
	_cleanup_(brnet_attachment_freep) brnet_attachment *a = NULL;
	char id[BRNET_ID_MAX + 1], ifname[IFNAMSIZ];
	struct pid_watch *pw;

	if (watch_veth_added(nlh, id, ifname)) {
		if (pid_watch_find(w, id, ifname) ||
		    brnet_attachment_load(ctx, id, ifname, &a, NULL) < 0)
			return WATCH_NONE;
		return pid_watch_add(w, a, what);
	}
	if (watch_veth_notice(nlh, id, ifname, what) == WATCH_NONE)
		return WATCH_NONE;
	pw = pid_watch_find(w, id, ifname);
	if (pw)
		pid_watch_drop(w, pw);
	if (brnet_attachment_load(ctx, id, ifname, &a, NULL) < 0 || a->state != ATTACH_ACTIVE)
		return WATCH_NONE;
	return WATCH_VETH;
}

struct gc_follow {
	brnet_action_fn action;
	brnet_follow_fn fn;
	void *userdata;
};

static int gc_run(brnet_ctx *ctx, void *userdata, struct brnet_error *err)
{
	struct gc_follow *g = userdata;

	return brnet_gc(ctx, false, g->action, g->userdata, err);
}

static int gc_report(int result, const char *cause, const struct brnet_error *failed,
		     void *userdata)
{
	struct gc_follow *g = userdata;

	return g->fn(result, cause, failed, g->userdata);
}

int brnet_gc_follow(brnet_ctx *ctx, brnet_action_fn action, brnet_follow_fn fn, void *userdata,
		    struct brnet_error *err)
{
	static const struct follow f = {
		.rtnl_groups = { RTNLGRP_LINK }, .pids = true, .judge = gc_judge, .run = gc_run
	};
	struct gc_follow g = { action, fn, userdata };

	if (!ctx || !action || !fn)
		return -EINVAL;
	return follow(ctx, &f, gc_report, &g, err);
}
