/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet_status(): can a setup work right now? Asked by CNI STATUS and by `brnet check`-style
 * probes before a runtime commits to a container. */
#include <errno.h>
#include <fcntl.h>
#include <libnftnl/common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

#include "lib/ctx.h"
#include "lib/netlink/nlsock.h"
#include "shared/error.h"
#include "shared/macro.h"

static int state_dir_writable(brnet_ctx *ctx, struct brnet_error *err)
{
	int fd;

	/* An unnamed file: proves we can write without leaving anything behind. */
	fd = openat(ctx->attachments_dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	if (errno == EOPNOTSUPP || errno == EISDIR) {
		if (faccessat(ctx->attachments_dirfd, ".", W_OK, AT_EACCESS) == 0)
			return 0;
	}
	return brnet_err(err, errno, "state directory %s is not writable: %s", ctx->state_dir,
			 strerror(errno));
}

static int ignore_reply(const struct nlmsghdr *nlh, void *userdata)
{
	return 0;
}

int brnet_status(brnet_ctx *ctx, struct brnet_error *err)
{
	_cleanup_(nl_sock_freep) struct nl_sock *rtnl = NULL, *nft = NULL;
	char buf[256];
	struct nlmsghdr *nlh;
	int r;

	if (!ctx)
		return -EINVAL;
	r = state_dir_writable(ctx, err);
	if (r < 0)
		return r;
	r = nl_sock_open(NETLINK_ROUTE, -1, &rtnl);
	if (r < 0)
		return brnet_err(err, r, "rtnetlink is not usable: %s", strerror(-r));
	r = nl_sock_open(NETLINK_NETFILTER, -1, &nft);
	if (r < 0)
		return brnet_err(err, r, "nf_tables is not usable: %s", strerror(-r));
	/* The ruleset generation: answered only when nf_tables is there and we may use it. */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, 0);
	r = nl_sock_transact(nft, buf, nlh->nlmsg_len, ignore_reply, NULL, err);
	if (r < 0)
		return brnet_err_prefix(err, r, "nf_tables is not usable");
	return 0;
}
