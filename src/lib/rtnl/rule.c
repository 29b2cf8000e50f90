/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Routing policy rules: one address's source route (srcroute.h), made, removed and found. */
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/rtnl/rtnl.h"
#include "shared/error.h"

void rtnl_build_rule(struct nlbuf *b, uint16_t type, const struct rule_info *rule)
{
	struct fib_rule_hdr frh = {
		.family = AF_INET,
		.src_len = 32,
		.table = RT_TABLE_UNSPEC, /* FRA_TABLE: the number may not fit eight bits */
		.action = FR_ACT_TO_TBL,
	};
	/* A second rule of the same match would only be a duplicate the teardown leaves. */
	uint16_t flags = type == RTM_NEWRULE ? NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK : NLM_F_ACK;

	nlbuf_begin(b, type, flags, &frh, sizeof(frh));
	nlbuf_put(b, FRA_SRC, sizeof(struct in_addr), &rule->src.v4);
	nlbuf_put_u32(b, FRA_PRIORITY, rule->priority);
	nlbuf_put_u32(b, FRA_TABLE, rule->table);
	nlbuf_end(b);
}

void rtnl_build_rule_dump(struct nlbuf *b)
{
	struct fib_rule_hdr frh = { .family = AF_INET };

	nlbuf_begin(b, RTM_GETRULE, NLM_F_DUMP, &frh, sizeof(frh));
	nlbuf_end(b);
}

static int parse_rule_cb(const struct nlattr *attr, void *data)
{
	struct rule_info *info = data;

	switch (mnl_attr_get_type(attr)) {
	case FRA_SRC:
		if (nlattr_get_in_addr(attr, &info->src) < 0)
			return MNL_CB_ERROR;
		break;
	case FRA_TABLE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		info->table = mnl_attr_get_u32(attr);
		break;
	case FRA_PRIORITY:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		info->priority = mnl_attr_get_u32(attr);
		break;
	}
	return MNL_CB_OK;
}

int rtnl_parse_rule(const struct nlmsghdr *nlh, struct rule_info *ret)
{
	const struct fib_rule_hdr *frh;
	struct rule_info info = { 0 };

	if (nlh->nlmsg_type != RTM_NEWRULE || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*frh))
		return -EBADMSG;
	frh = mnl_nlmsg_get_payload(nlh);
	if (frh->family != AF_INET)
		return -EAFNOSUPPORT;
	info.src_len = frh->src_len;
	info.action = frh->action;
	info.table = frh->table;
	if (mnl_attr_parse(nlh, sizeof(*frh), parse_rule_cb, &info) < 0)
		return -EBADMSG;
	*ret = info;
	return 0;
}

struct rule_find {
	struct rule_info *want;
	bool found;
};

static int rule_find_cb(const struct nlmsghdr *nlh, void *userdata)
{
	struct rule_find *f = userdata;
	struct rule_info r;

	if (rtnl_parse_rule(nlh, &r) < 0)
		return 0; /* other families, and rules we cannot read, are not ours */
	if (!f->found && r.action == FR_ACT_TO_TBL && r.src_len == 32 &&
	    inaddr_equal(&r.src, &f->want->src) && r.priority == f->want->priority) {
		f->want->table = r.table;
		f->found = true;
	}
	return 0;
}

int rtnl_rule_find(struct nl_sock *s, struct rule_info *rule, struct brnet_error *err)
{
	struct rule_find f = { .want = rule };
	char buf[64];
	struct nlbuf b;
	int r;

	nlbuf_init(&b, buf, sizeof(buf));
	rtnl_build_rule_dump(&b);
	r = rtnl_run_cb(s, &b, rule_find_cb, &f, err);
	return r < 0 ? r : f.found;
}
