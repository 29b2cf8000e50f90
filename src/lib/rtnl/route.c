/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Routes: the container's default route via the gateway. */
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "lib/rtnl/rtnl.h"

void rtnl_build_route_default(struct nlbuf *b, const struct inaddr *gateway, int ifindex)
{
	struct rtmsg rtm = {
		.rtm_family = AF_INET,
		.rtm_dst_len = 0,
		.rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_STATIC,
		.rtm_scope = RT_SCOPE_UNIVERSE,
		.rtm_type = RTN_UNICAST,
	};

	nlbuf_begin(b, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK, &rtm, sizeof(rtm));
	nlbuf_put(b, RTA_GATEWAY, sizeof(struct in_addr), &gateway->v4);
	nlbuf_put_u32(b, RTA_OIF, (uint32_t)ifindex);
	nlbuf_end(b);
}

void rtnl_build_route_dump(struct nlbuf *b, int family)
{
	struct rtmsg rtm = { .rtm_family = (unsigned char)family };

	nlbuf_begin(b, RTM_GETROUTE, NLM_F_DUMP, &rtm, sizeof(rtm));
	nlbuf_end(b);
}
