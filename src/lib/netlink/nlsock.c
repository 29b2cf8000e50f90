/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Netlink request/ack engine shared by rtnetlink and nf_tables. Sockets are opened inside the
 * target namespace (setns() on this thread, socket(), setns() back) so that no later call ever
 * runs with the thread in a foreign namespace.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "lib/netlink/nlsock.h"
#include "shared/error.h"
#include "shared/macro.h"

#define NL_RECV_BUF ((size_t)64 * 1024)
#define NL_MAX_INFLIGHT 256
/* Below the kernel's default send buffer, whatever the sysctl says. */
#define NL_SNDBUF_DEFAULT ((size_t)128 * 1024)
/* A kernel that does not answer within this time is treated as broken, never waited on. */
#define NL_TIMEOUT_SEC 10

struct nl_sock {
	int fd;
	uint32_t seq;
};

int nl_sock_fd(const struct nl_sock *s)
{
	return s->fd;
}

void nl_sock_free(struct nl_sock *s)
{
	if (!s)
		return;
	closep(&s->fd);
	free(s);
}

static int socket_in_netns(int protocol, int netns_fd)
{
	_cleanup_(closep) int self = -EBADF, fd = -EBADF;
	int r = 0;

	if (netns_fd < 0) {
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
		return fd < 0 ? -errno : TAKE_FD(fd);
	}
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return -errno;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		r = -errno;
	if (setns(self, CLONE_NEWNET) < 0)
		return -errno; /* cannot happen with a namespace we held open; never ignore it */
	return r < 0 ? r : TAKE_FD(fd);
}

int nl_sock_open(int protocol, int netns_fd, struct nl_sock **ret)
{
	_cleanup_(nl_sock_freep) struct nl_sock *s = NULL;
	struct timeval tv = { .tv_sec = NL_TIMEOUT_SEC };
	int one = 1, bufsize = 1024 * 1024;
	int r;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = -EBADF;
	r = socket_in_netns(protocol, netns_fd);
	if (r < 0)
		return r;
	s->fd = r;
	/* Extended acks name the offending attribute; strict checking makes dumps honour filters.
	 */
	(void)setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (protocol == NETLINK_ROUTE)
		(void)setsockopt(s->fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	(void)setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Room for the answers to a large nf_tables batch (every command that fails answers);
	 * rtnetlink requests come a few at a time, and a dump's answers come as they are read. */
	if (protocol == NETLINK_NETFILTER)
		(void)setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	/* No bind(): the first send binds the socket to a port id of the kernel's choosing. Only
	 * the kernel can send to it (answers come from port 0, and it joins no group), so the
	 * answers are told apart by sequence number alone. */
	s->seq = (uint32_t)time(NULL);
	*ret = steal_pointer(&s);
	return 0;
}

int nl_parse_ack(const struct nlmsghdr *nlh, size_t len, int *ret_error, const char **ret_msg)
{
	const struct nlmsgerr *e;
	const char *msg = NULL;
	size_t off;

	if (len < sizeof(*nlh) || nlh->nlmsg_len > len)
		return -EBADMSG;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		/* A dump's DONE carries an int error, then possibly the same TLVs as an ack. */
		int v = 0;

		if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
			memcpy(&v, NLMSG_DATA(nlh), sizeof(v));
		off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int));
		*ret_error = v > 0 ? -v : v;
	} else if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*e))
			return -EBADMSG;
		e = NLMSG_DATA(nlh);
		*ret_error = e->error > 0 ? -e->error : e->error;
		/* The echoed request is only its header when capped (NETLINK_CAP_ACK) or an ack. */
		off = NLMSG_HDRLEN + sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->error != 0) {
			if (e->msg.nlmsg_len < sizeof(struct nlmsghdr))
				return -EBADMSG;
			off += NLMSG_ALIGN(e->msg.nlmsg_len) - sizeof(struct nlmsghdr);
		}
	} else {
		return -EINVAL;
	}
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && off < nlh->nlmsg_len) {
		const struct nlattr *attr;

		mnl_attr_for_each_payload ((const void *)((const char *)nlh + off),
					   nlh->nlmsg_len - off) {
			if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG)
				continue;
			if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
				return -EBADMSG;
			msg = mnl_attr_get_str(attr);
		}
	}
	if (ret_msg)
		*ret_msg = msg;
	return 0;
}

struct pending {
	uint32_t seq;
	uint16_t type;
	bool dump;
	bool done;
};

static struct pending *find_pending(struct pending *p, size_t n, uint32_t seq)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].seq == seq)
			return &p[i];
	return NULL;
}

/* The requests owed an answer, and the answers: on the heap, where the pages of one transaction
 * serve the next, rather than 2 KiB more of stack under every caller. */
struct transaction {
	struct pending pending[NL_MAX_INFLIGHT];
	char rbuf[NL_RECV_BUF];
};

int nl_sock_transact(struct nl_sock *s, void *buf, size_t len, nl_data_cb cb, void *userdata,
		     struct brnet_error *err)
{
	_cleanup_(freep) struct transaction *t = malloc(sizeof(*t));
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct pending *pending;
	char *rbuf;
	size_t npending = 0, nopen = 0;
	uint32_t first_seq = s->seq + 1, last_seq;
	int first_error = 0;
	struct nlmsghdr *nlh;
	size_t rest = len;

	if (!t)
		return -ENOMEM;
	pending = t->pending;
	rbuf = t->rbuf;
	/* Number every request; remember which ones owe us an answer. */
	for (nlh = buf; nlmsg_ok(nlh, rest); nlh = nlmsg_next(nlh, &rest)) {
		nlh->nlmsg_seq = ++s->seq;
		nlh->nlmsg_pid = 0;
		/* A dump has both bits of NLM_F_DUMP; one of them alone, on a request that makes
		 * something, is NLM_F_EXCL or NLM_F_REPLACE and asks for no answer. */
		if (!(nlh->nlmsg_flags & NLM_F_ACK) &&
		    (nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
			continue;
		if (npending == NL_MAX_INFLIGHT)
			return brnet_err(err, E2BIG, "too many netlink requests in one batch");
		pending[npending++] = (struct pending){
			.seq = nlh->nlmsg_seq,
			.type = nlh->nlmsg_type,
			.dump = (nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP,
		};
	}
	if (rest > 0)
		return brnet_err(err, EINVAL, "malformed netlink request buffer");
	last_seq = s->seq;
	nopen = npending;

	/* The kernel takes a request of at most the send buffer (212 KiB by default) in one
	 * sendmsg, and an nf_tables transaction must be one: make room for a big one (a policy
	 * of thousands of destinations). FORCE needs CAP_NET_ADMIN; without it, up to wmem_max. */
	if (len > NL_SNDBUF_DEFAULT && len <= INT_MAX / 2) {
		int want = (int)len;

		if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)) < 0)
			(void)setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
	}
	if (sendto(s->fd, buf, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return brnet_err(err, errno, "netlink send: %s", strerror(errno));

	while (nopen > 0) {
		struct sockaddr_nl from;
		struct iovec iov = { rbuf, NL_RECV_BUF };
		struct msghdr mh = { .msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1 };
		ssize_t n = recvmsg(s->fd, &mh, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return brnet_err(err, ETIMEDOUT,
						 "netlink: no answer from the kernel");
			return brnet_err(err, errno, "netlink receive: %s", strerror(errno));
		}
		if (mh.msg_flags & MSG_TRUNC)
			return brnet_err(err, EMSGSIZE, "netlink reply truncated");
		if (from.nl_pid != 0)
			continue; /* not from the kernel */

		rest = (size_t)n;
		for (nlh = (struct nlmsghdr *)rbuf; nlmsg_ok(nlh, rest);
		     nlh = nlmsg_next(nlh, &rest)) {
			struct pending *p;
			const char *msg = NULL;
			int e = 0, r;

			if (nlh->nlmsg_seq < first_seq || nlh->nlmsg_seq > last_seq)
				continue; /* a stale answer to an earlier, abandoned request */
			p = find_pending(pending, npending, nlh->nlmsg_seq);

			if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
				r = nl_parse_ack(nlh, nlh->nlmsg_len, &e, &msg);
				if (r < 0)
					return brnet_err(err, EBADMSG, "malformed netlink ack");
				if (e < 0 && first_error == 0) {
					first_error = e;
					if (msg && *msg)
						brnet_err(err, -e, "%s", msg);
					else
						brnet_err(err, -e, "%s", strerror(-e));
				}
				if (!p) {
					/* An error for a request that asked for no ack (a batch
					 * delimiter): the whole batch was refused. */
					if (e < 0)
						return first_error;
					continue;
				}
				/* nfnetlink refuses a sender without CAP_NET_ADMIN by answering
				 * the first request of a send and dropping the rest: nothing
				 * more comes. (Answers that still would, from rtnetlink, are
				 * stale to the next round trip.) */
				if (e == -EPERM)
					return first_error;
				/* A dump ends with DONE; an error ends anything. */
				if (!p->done &&
				    (!p->dump || nlh->nlmsg_type == NLMSG_DONE || e < 0)) {
					p->done = true;
					nopen--;
				}
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_NOOP || nlh->nlmsg_type == NLMSG_OVERRUN)
				continue;
			if (cb && first_error == 0) {
				r = cb(nlh, userdata);
				if (r < 0) {
					first_error = r;
					if (err && err->code == 0)
						brnet_err(err, -r, "%s", strerror(-r));
				}
			}
		}
	}
	return first_error;
}
