/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NFLOG group binding and packet parsing. */
#include <errno.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

#include "lib/netlink/nflog.h"

static void config(struct nlbuf *b, uint16_t group, const struct nfulnl_msg_config_cmd *cmd,
		   const struct nfulnl_msg_config_mode *mode, uint32_t qthresh)
{
	uint32_t q = htonl(qthresh);

	struct nfgenmsg g = { .nfgen_family = AF_INET,
			      .version = NFNETLINK_V0,
			      .res_id = htons(group) };

	nlbuf_begin(b, NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_CONFIG, NLM_F_ACK, &g, sizeof(g));
	if (cmd)
		nlbuf_put(b, NFULA_CFG_CMD, sizeof(*cmd), cmd);
	if (mode)
		nlbuf_put(b, NFULA_CFG_MODE, sizeof(*mode), mode);
	if (qthresh)
		nlbuf_put(b, NFULA_CFG_QTHRESH, sizeof(q), &q);
	nlbuf_end(b);
}

void nflog_build_bind(struct nlbuf *b, uint16_t group, uint32_t copy_range)
{
	struct nfulnl_msg_config_cmd bind = { .command = NFULNL_CFG_CMD_BIND };
	struct nfulnl_msg_config_mode mode = { .copy_range = htonl(copy_range),
					       .copy_mode = NFULNL_COPY_PACKET };

	config(b, group, &bind, NULL, 0);
	/* Each packet sent as it comes: the kernel otherwise holds up to 100 for up to a second,
	 * and a reader that names the policy in force would name a later one. */
	config(b, group, NULL, &mode, 1);
}

struct attrs {
	const struct nlattr *prefix, *payload;
};

static int attr_cb(const struct nlattr *a, void *data)
{
	struct attrs *at = data;

	if (mnl_attr_get_type(a) == NFULA_PREFIX)
		at->prefix = a;
	else if (mnl_attr_get_type(a) == NFULA_PAYLOAD)
		at->payload = a;
	return MNL_CB_OK;
}

int nflog_parse(const struct nlmsghdr *nlh, struct nflog_packet *ret)
{
	struct attrs at = { 0 };
	const uint8_t *ip;
	uint16_t plen, ihl;

	if (nlh->nlmsg_type != (NFNL_SUBSYS_ULOG << 8 | NFULNL_MSG_PACKET))
		return 0;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg) ||
	    mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, &at) < 0)
		return -EBADMSG;
	*ret = (struct nflog_packet){ 0 };
	if (at.prefix) {
		uint16_t len = mnl_attr_get_payload_len(at.prefix);

		if (len >= sizeof(ret->prefix))
			len = sizeof(ret->prefix) - 1;
		memcpy(ret->prefix, mnl_attr_get_payload(at.prefix), len);
		ret->prefix[len] = '\0';
	}
	if (!at.payload)
		return 0;
	ip = mnl_attr_get_payload(at.payload);
	plen = mnl_attr_get_payload_len(at.payload);
	if (plen < 20 || (ip[0] >> 4) != 4)
		return 0;
	ihl = (uint16_t)((ip[0] & 0x0f) * 4);
	if (ihl < 20 || ihl > plen)
		return -EBADMSG;
	ret->protocol = ip[9];
	ret->source.family = ret->destination.family = AF_INET;
	memcpy(&ret->source.v4, ip + 12, 4);
	memcpy(&ret->destination.v4, ip + 16, 4);
	if ((ret->protocol == IPPROTO_TCP || ret->protocol == IPPROTO_UDP) && plen >= ihl + 4)
		ret->port = (uint16_t)(ip[ihl + 2] << 8 | ip[ihl + 3]);
	return 1;
}

int nflog_group_port(const char *text, uint16_t group, uint32_t *port)
{
	for (const char *line = text; line && *line;) {
		const char *next = strchr(line, '\n');
		unsigned long g, p;
		char *end;

		errno = 0;
		g = strtoul(line, &end, 10);
		if (end == line || errno || g > UINT16_MAX)
			return -EBADMSG;
		line = end;
		p = strtoul(line, &end, 10);
		if (end == line || errno || p > UINT32_MAX)
			return -EBADMSG;
		if (g == group) {
			*port = (uint32_t)p;
			return 1;
		}
		line = next ? next + 1 : NULL;
	}
	return 0;
}
