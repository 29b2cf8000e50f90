/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet_events(): packets the egress policies drop, read from their NFLOG group and named by
 * the attachment whose address sent them. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/ctx.h"
#include "lib/netlink/nflog.h"
#include "lib/netlink/nlsock.h"
#include "lib/nft/egress.h"
#include "lib/record.h"
#include "shared/capability.h"
#include "shared/error.h"
#include "shared/fileio.h"
#include "shared/macro.h"

#define RECV_BUF ((size_t)64 * 1024)

DEFINE_POINTER_CLEANUP(brnet_attachment, brnet_attachment_free)

struct names {
	brnet_attachment **list;
	size_t n;
};

static void names_free(struct names *n)
{
	brnet_attachment_list_free(n->list, n->n);
	*n = (struct names){ 0 };
}

/* The attachment with that address; the records are read again when none has it (a
 * container set up after we started). */
static const struct brnet_attachment *lookup(brnet_ctx *ctx, struct names *names,
					     const struct inaddr *addr)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < names->n; i++)
			if (inaddr_equal(&names->list[i]->address, addr))
				return names->list[i];
		if (pass == 0) {
			names_free(names);
			if (brnet_list(ctx, &names->list, &names->n, NULL) < 0)
				return NULL;
		}
	}
	return NULL;
}

static void fill_event(brnet_ctx *ctx, const struct nflog_packet *p,
		       const struct brnet_attachment *a, struct brnet_event *ev)
{
	static const struct {
		uint8_t proto;
		const char *name;
	} protos[] = { { IPPROTO_TCP, "tcp" }, { IPPROTO_UDP, "udp" }, { IPPROTO_ICMP, "icmp" } };

	*ev = (struct brnet_event){ .port = p->port };
	if (a) {
		_cleanup_(brnet_attachment_freep) brnet_attachment *now = NULL;

		snprintf(ev->id, sizeof(ev->id), "%s", a->id);
		snprintf(ev->ifname, sizeof(ev->ifname), "%s", a->ifname);
		/* The policy as it is now (brnet policy may have replaced it since the list
		 * was read): a file read per event, and they come at most 5 a minute each. */
		if (brnet_attachment_load(ctx, a->id, a->ifname, &now, NULL) >= 0)
			a = now;
		ev->rejected = brnet_attachment_egress_reject(a);
	}
	inaddr_to_string(&p->source, ev->source);
	inaddr_to_string(&p->destination, ev->destination);
	snprintf(ev->protocol, sizeof(ev->protocol), "%u", p->protocol);
	for (size_t i = 0; i < ELEMENTSOF(protos); i++)
		if (protos[i].proto == p->protocol)
			snprintf(ev->protocol, sizeof(ev->protocol), "%s", protos[i].name);
}

#define NFLOG_PROC "/proc/net/netfilter/nfnetlink_log"

/* The kernel refuses a group bound by another socket with EPERM, as it refuses a process
 * without CAP_NET_ADMIN. The other listener, with its process when its port is a pid (that of
 * its first netlink socket), as -EBUSY; 0 when no socket has the group. */
static int explain_bind_refused(struct brnet_error *err)
{
	_cleanup_(freep) char *text = NULL, *comm = NULL;
	char path[64] = "";
	uint32_t port = 0;
	size_t len;

	if (!capability_effective(CAP_NET_ADMIN) ||
	    read_file_bounded(AT_FDCWD, NFLOG_PROC, 1 << 20, &text, &len) < 0 ||
	    nflog_group_port(text, NFT_EGRESS_LOG_GROUP, &port) <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%" PRIu32 "/comm", port);
	if (read_file_bounded(AT_FDCWD, path, 64, &comm, &len) >= 0 && len > 0 &&
	    comm[len - 1] == '\n')
		comm[len - 1] = '\0';
	if (comm)
		return brnet_err(err, EBUSY,
				 "cannot bind NFLOG group %d: another listener has it (process "
				 "%" PRIu32 ", %s), and the kernel gives a group's packets to one "
				 "listener: a second brnet events, or ulogd; stop it, or read the "
				 "events there",
				 NFT_EGRESS_LOG_GROUP, port, comm);
	return brnet_err(err, EBUSY,
			 "cannot bind NFLOG group %d: another listener has it (netlink port "
			 "%" PRIu32 "), and the kernel gives a group's packets to one listener: "
			 "a second brnet events, or ulogd; stop it, or read the events there",
			 NFT_EGRESS_LOG_GROUP, port);
}

int brnet_events(brnet_ctx *ctx, int timeout_ms, brnet_event_fn fn, void *userdata,
		 struct brnet_error *err)
{
	_cleanup_(nl_sock_freep) struct nl_sock *s = NULL;
	_cleanup_(freep) char *buf = NULL;
	struct names names = { 0 };
	char req[256];
	struct nlbuf b;
	int r, count = 0;

	if (!ctx || !fn)
		return -EINVAL;
	buf = malloc(RECV_BUF);
	if (!buf)
		return -ENOMEM;
	r = nl_sock_open(NETLINK_NETFILTER, -1, &s);
	if (r < 0)
		return brnet_err(err, r, "cannot open netfilter netlink socket: %s", strerror(-r));
	nlbuf_init(&b, req, sizeof(req));
	nflog_build_bind(&b, NFT_EGRESS_LOG_GROUP, 128);
	r = nlbuf_finish(&b);
	if (r >= 0)
		r = nl_sock_transact(s, b.data, b.len, NULL, NULL, err);
	if (r == -EPERM) {
		int q = explain_bind_refused(err);

		if (q < 0)
			return q;
	}
	if (r < 0)
		return brnet_err_prefix(err, r, "cannot bind NFLOG group %d", NFT_EGRESS_LOG_GROUP);

	for (bool stop = false; !stop;) {
		struct pollfd pfd = { .fd = nl_sock_fd(s), .events = POLLIN };
		const struct nlmsghdr *nlh;
		ssize_t len;
		size_t rest;

		r = poll(&pfd, 1, timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = brnet_err(err, errno, "cannot wait for NFLOG: %s", strerror(errno));
			break;
		}
		if (r == 0)
			break; /* quiet for timeout_ms */
		len = recv(pfd.fd, buf, RECV_BUF, 0);
		if (len < 0 && (errno == EINTR || errno == ENOBUFS))
			continue; /* ENOBUFS: events were lost to a full socket; go on */
		if (len < 0) {
			r = brnet_err(err, errno, "cannot read NFLOG: %s", strerror(errno));
			break;
		}
		rest = (size_t)len;
		for (nlh = (const struct nlmsghdr *)buf; !stop && nlmsg_ok(nlh, rest);
		     nlh = nlmsg_next(nlh, &rest)) {
			struct nflog_packet p;
			struct brnet_event ev;

			if (nflog_parse(nlh, &p) != 1 ||
			    strcmp(p.prefix, NFT_EGRESS_LOG_PREFIX) != 0)
				continue;
			fill_event(ctx, &p, lookup(ctx, &names, &p.source), &ev);
			count++;
			stop = fn(&ev, userdata) != 0;
		}
		r = 0;
	}
	names_free(&names);
	return r < 0 ? r : count;
}
