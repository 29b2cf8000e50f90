/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What restore --follow makes of the kernel's notices: nf_tables' and rtnetlink's links. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>

#include <libnftnl/common.h>
#include <libnftnl/set.h>

#include "lib/netlink/nlmsg.h"
#include "lib/nft/elems.h"
#include "lib/watch.h"
#include "shared/macro.h"
#include "test-common.h"

/* A notice as the kernel writes it: nfgenmsg, the table, and the object's name (0: none). */
static struct nlmsghdr *nft_notice(char *buf, size_t size, uint8_t family, uint16_t msg,
				   const char *table, uint16_t name_attr, const char *name)
{
	struct nfgenmsg g = { .nfgen_family = family, .version = NFNETLINK_V0 };
	struct nlbuf b;
	struct nlmsghdr *nlh;

	nlbuf_init(&b, buf, size);
	nlh = nlbuf_begin(&b, (uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | msg), 0, &g, sizeof(g));
	if (table)
		nlbuf_put_strz(&b, 1, table);
	if (name_attr)
		nlbuf_put_strz(&b, name_attr, name);
	nlbuf_end(&b);
	assert_ok(nlbuf_finish(&b));
	return nlh;
}

static void test_nft(void **state)
{
	static const struct {
		uint8_t family;
		uint16_t msg;
		const char *table;
		uint16_t name_attr;
		const char *name;
		enum watch_cause want;
		const char *what;
	} cases[] = {
		{ NFPROTO_INET, NFT_MSG_DELTABLE, "brnet", 0, NULL, WATCH_TABLE,
		  "table inet brnet deleted" },
		{ NFPROTO_BRIDGE, NFT_MSG_DELTABLE, "brnet", 0, NULL, WATCH_TABLE,
		  "table bridge brnet deleted" },
		{ NFPROTO_INET, NFT_MSG_DELCHAIN, "brnet", NFTA_CHAIN_NAME, "forward", WATCH_CHAIN,
		  "chain inet brnet forward deleted" },
		{ NFPROTO_INET, NFT_MSG_DELRULE, "brnet", NFTA_RULE_CHAIN, "postrouting",
		  WATCH_RULE, "rule of chain inet brnet postrouting deleted" },
		{ NFPROTO_BRIDGE, NFT_MSG_DELRULE, "brnet", NFTA_RULE_CHAIN, "guard", WATCH_RULE,
		  "rule of chain bridge brnet guard deleted" },
		{ NFPROTO_INET, NFT_MSG_DELSET, "brnet", NFTA_SET_NAME, "publish_tcp", WATCH_SET,
		  "set inet brnet publish_tcp deleted" },
		/* what brnet itself deletes: a list with its last container, elements */
		{ NFPROTO_INET, NFT_MSG_DELCHAIN, "brnet", NFTA_CHAIN_NAME, "allow_0123abcd",
		  WATCH_NONE, "" },
		{ NFPROTO_INET, NFT_MSG_DELRULE, "brnet", NFTA_RULE_CHAIN, "allow_0123abcd",
		  WATCH_NONE, "" },
		{ NFPROTO_INET, NFT_MSG_DELSET, "brnet", NFTA_SET_NAME, "allow_0123abcd_24",
		  WATCH_NONE, "" },
		{ NFPROTO_INET, NFT_MSG_DELSETELEM, "brnet", NFTA_SET_ELEM_LIST_SET, "publish_tcp",
		  WATCH_NONE, "" },
		/* additions, and other tables */
		{ NFPROTO_INET, NFT_MSG_NEWTABLE, "brnet", 0, NULL, WATCH_NONE, "" },
		{ NFPROTO_INET, NFT_MSG_NEWRULE, "brnet", NFTA_RULE_CHAIN, "forward", WATCH_NONE,
		  "" },
		{ NFPROTO_INET, NFT_MSG_DELTABLE, "firewalld", 0, NULL, WATCH_NONE, "" },
		{ NFPROTO_IPV4, NFT_MSG_DELTABLE, "brnet", 0, NULL, WATCH_NONE, "" },
		{ NFPROTO_INET, NFT_MSG_DELRULE, "brnetx", NFTA_RULE_CHAIN, "forward", WATCH_NONE,
		  "" },
		/* unreadable: no table, no chain */
		{ NFPROTO_INET, NFT_MSG_DELTABLE, NULL, 0, NULL, WATCH_NONE, "" },
		{ NFPROTO_INET, NFT_MSG_DELCHAIN, "brnet", 0, NULL, WATCH_NONE, "" },
	};
	char buf[512], what[WATCH_WHAT_MAX];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct nlmsghdr *nlh = nft_notice(buf, sizeof(buf), cases[i].family,
							cases[i].msg, cases[i].table,
							cases[i].name_attr, cases[i].name);

		if (watch_nft_notice(nlh, what) != cases[i].want || strcmp(what, cases[i].what))
			fail_msg("case %zu: got %d \"%s\"", i, watch_nft_notice(nlh, what), what);
	}
}

/* A DELSETELEM notice of set in table (NULL: ours), an element per owner (NULL: none). */
static struct nlmsghdr *elem_notice(char *buf, uint8_t family, const char *table, const char *set,
				    const char *const *owners, size_t n)
{
	static const uint8_t key[4] = { 10, 0, 42, 2 };
	struct nftnl_set *s = nft_setref_alloc(
		&(struct nft_setref){ .family = family, .name = set, .table = table });
	struct nlmsghdr *nlh;

	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		assert_ok(nft_elem_add(
			s,
			&(struct nft_elem){ .key = key, .len = sizeof(key), .owner = owners[i] }));
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_DELSETELEM, family, 0, 1);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	return nlh;
}

static void test_elem(void **state)
{
	static const char *const c1[] = { "c1/eth0" }, *const later[] = { NULL, "c2/eth1" },
				 *const none[] = { NULL };
	static const struct {
		uint8_t family;
		const char *table, *set;
		const char *const *owners;
		size_t n;
		const char *owner, *what; /* NULL: WATCH_NONE */
	} cases[] = {
		{ NFPROTO_INET, NULL, "publish", c1, 1, "c1/eth0",
		  "element of c1/eth0 deleted from set inet brnet publish" },
		/* the first element with an owner names it */
		{ NFPROTO_BRIDGE, NULL, "guard_addr", later, 2, "c2/eth1",
		  "element of c2/eth1 deleted from set bridge brnet guard_addr" },
		/* an element of nobody's (the packet path's), an allowlist's, another table's,
		 * another family's */
		{ NFPROTO_INET, NULL, "egress_lograte", none, 1, NULL, NULL },
		{ NFPROTO_INET, NULL, "allow_0123abcd_24", c1, 1, NULL, NULL },
		{ NFPROTO_INET, "firewalld", "publish", c1, 1, NULL, NULL },
		{ NFPROTO_IPV4, NULL, "publish", c1, 1, NULL, NULL },
	};
	char buf[4096], what[WATCH_WHAT_MAX], owner[NFT_OWNER_MAX];
	struct nlmsghdr *nlh;

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		enum watch_cause c;

		nlh = elem_notice(buf, cases[i].family, cases[i].table, cases[i].set,
				  cases[i].owners, cases[i].n);
		c = watch_elem_notice(nlh, owner, what);
		if (c != (cases[i].owner ? WATCH_ELEMENT : WATCH_NONE) ||
		    strcmp(owner, cases[i].owner ? cases[i].owner : "") ||
		    strcmp(what, cases[i].what ? cases[i].what : ""))
			fail_msg("case %zu: got %d \"%s\" \"%s\"", i, c, owner, what);
		/* the object reader passes over every element notice */
		assert_int_equal(watch_nft_notice(nlh, what), WATCH_NONE);
	}
	/* an addition */
	nlh = elem_notice(buf, NFPROTO_INET, NULL, "publish", c1, 1);
	nlh->nlmsg_type = (uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSETELEM);
	assert_int_equal(watch_elem_notice(nlh, owner, what), WATCH_NONE);
	assert_string_equal(owner, "");
}

static void test_nft_malformed(void **state)
{
	char buf[512], what[WATCH_WHAT_MAX];
	struct nlmsghdr *nlh = nft_notice(buf, sizeof(buf), NFPROTO_INET, NFT_MSG_DELTABLE, "brnet",
					  0, NULL);
	struct nlattr *a = (struct nlattr *)((char *)mnl_nlmsg_get_payload(nlh) +
					     sizeof(struct nfgenmsg));

	assert_int_equal(watch_nft_notice(nlh, what), WATCH_TABLE);
	/* a table name without its NUL */
	((char *)mnl_attr_get_payload(a))[5] = 'x';
	assert_int_equal(watch_nft_notice(nlh, what), WATCH_NONE);
	/* another subsystem's message */
	nlh = nft_notice(buf, sizeof(buf), NFPROTO_INET, NFT_MSG_DELTABLE, "brnet", 0, NULL);
	nlh->nlmsg_type = (uint16_t)(NFNL_SUBSYS_ULOG << 8 | NFT_MSG_DELTABLE);
	assert_int_equal(watch_nft_notice(nlh, what), WATCH_NONE);
	/* too short for its family header */
	nlh->nlmsg_type = (uint16_t)(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_DELTABLE);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
	assert_int_equal(watch_nft_notice(nlh, what), WATCH_NONE);
	/* an attribute running past the message */
	nlh = nft_notice(buf, sizeof(buf), NFPROTO_INET, NFT_MSG_DELTABLE, "brnet", 0, NULL);
	a->nla_len = 200;
	assert_int_equal(watch_nft_notice(nlh, what), WATCH_NONE);
}

static struct nlmsghdr *link_notice_alias(char *buf, size_t size, uint16_t type, const char *name,
					  const char *kind, const char *alias)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = 7 };
	struct nlattr *info;
	struct nlbuf b;
	struct nlmsghdr *nlh;

	nlbuf_init(&b, buf, size);
	nlh = nlbuf_begin(&b, type, 0, &ifi, sizeof(ifi));
	nlbuf_put_strz(&b, IFLA_IFNAME, name);
	if (alias)
		nlbuf_put_strz(&b, IFLA_IFALIAS, alias);
	info = nlbuf_nest_start(&b, IFLA_LINKINFO);
	nlbuf_put_strz(&b, IFLA_INFO_KIND, kind);
	nlbuf_nest_end(&b, info);
	nlbuf_end(&b);
	assert_ok(nlbuf_finish(&b));
	return nlh;
}

static struct nlmsghdr *link_notice(char *buf, size_t size, uint16_t type, const char *name,
				    const char *kind)
{
	return link_notice_alias(buf, size, type, name, kind, NULL);
}

static void test_link(void **state)
{
	char buf[512], what[WATCH_WHAT_MAX], bridge[IFNAMSIZ];

	assert_int_equal(
		watch_link_notice(link_notice(buf, sizeof(buf), RTM_DELLINK, "brnet0", "bridge"),
				  bridge, what),
		WATCH_BRIDGE);
	assert_string_equal(bridge, "brnet0");
	assert_string_equal(what, "bridge brnet0 deleted");
	/* a container's veth going is gc's business; a bridge made is nobody's */
	assert_int_equal(
		watch_link_notice(link_notice(buf, sizeof(buf), RTM_DELLINK, "vb0a", "veth"),
				  bridge, what),
		WATCH_NONE);
	assert_string_equal(bridge, "");
	assert_int_equal(
		watch_link_notice(link_notice(buf, sizeof(buf), RTM_NEWLINK, "brnet0", "bridge"),
				  bridge, what),
		WATCH_NONE);
}

static struct nlmsghdr *netconf_notice(char *buf, size_t size, uint16_t type, uint8_t family,
				       int32_t ifindex, int32_t forwarding)
{
	struct netconfmsg ncm = { .ncm_family = family };
	struct nlbuf b;
	struct nlmsghdr *nlh;

	nlbuf_init(&b, buf, size);
	nlh = nlbuf_begin(&b, type, 0, &ncm, sizeof(ncm));
	nlbuf_put_u32(&b, NETCONFA_IFINDEX, (uint32_t)ifindex);
	if (forwarding >= 0)
		nlbuf_put_u32(&b, NETCONFA_FORWARDING, (uint32_t)forwarding);
	nlbuf_end(&b);
	assert_ok(nlbuf_finish(&b));
	return nlh;
}

static void test_netconf(void **state)
{
	char buf[256], what[WATCH_WHAT_MAX];

	assert_int_equal(watch_netconf_notice(netconf_notice(buf, sizeof(buf), RTM_NEWNETCONF,
							     AF_INET, NETCONFA_IFINDEX_ALL, 0),
					      what),
			 WATCH_FORWARDING);
	assert_string_equal(what, "net.ipv4.ip_forward turned off");
	/* turned on; one interface's; the default for new ones; IPv6's; a notice without the
	 * forwarding attribute (rp_filter's); a deletion */
	assert_int_equal(watch_netconf_notice(netconf_notice(buf, sizeof(buf), RTM_NEWNETCONF,
							     AF_INET, NETCONFA_IFINDEX_ALL, 1),
					      what),
			 WATCH_NONE);
	assert_int_equal(
		watch_netconf_notice(
			netconf_notice(buf, sizeof(buf), RTM_NEWNETCONF, AF_INET, 5, 0), what),
		WATCH_NONE);
	assert_int_equal(watch_netconf_notice(netconf_notice(buf, sizeof(buf), RTM_NEWNETCONF,
							     AF_INET, NETCONFA_IFINDEX_DEFAULT, 0),
					      what),
			 WATCH_NONE);
	assert_int_equal(watch_netconf_notice(netconf_notice(buf, sizeof(buf), RTM_NEWNETCONF,
							     AF_INET6, NETCONFA_IFINDEX_ALL, 0),
					      what),
			 WATCH_NONE);
	assert_int_equal(watch_netconf_notice(netconf_notice(buf, sizeof(buf), RTM_NEWNETCONF,
							     AF_INET, NETCONFA_IFINDEX_ALL, -1),
					      what),
			 WATCH_NONE);
	assert_int_equal(watch_netconf_notice(netconf_notice(buf, sizeof(buf), RTM_DELNETCONF,
							     AF_INET, NETCONFA_IFINDEX_ALL, 0),
					      what),
			 WATCH_NONE);
	assert_string_equal(what, "");
}

static void test_veth(void **state)
{
	static const struct {
		uint16_t type;
		const char *kind, *alias;
		const char *id, *ifname; /* NULL: not brnet's */
	} cases[] = {
		{ RTM_DELLINK, "veth", "brnet web/eth0", "web", "eth0" },
		{ RTM_DELLINK, "veth", "brnet a.b-c_d/eth1.5", "a.b-c_d", "eth1.5" },
		{ RTM_DELLINK, "veth",
		  "brnet 0123456789012345678901234567890123456789012345678901234567890123/eth0",
		  "0123456789012345678901234567890123456789012345678901234567890123", "eth0" },
		/* 65 bytes of id; an interface name of 16; none at all */
		{ RTM_DELLINK, "veth",
		  "brnet 01234567890123456789012345678901234567890123456789012345678901234/eth0",
		  NULL, NULL },
		{ RTM_DELLINK, "veth", "brnet web/0123456789abcdef", NULL, NULL },
		{ RTM_DELLINK, "veth", "brnet /eth0", NULL, NULL },
		{ RTM_DELLINK, "veth", "brnet web/", NULL, NULL },
		{ RTM_DELLINK, "veth", "brnet web", NULL, NULL },
		/* someone else's veth, a link made, a bridge with our mark */
		{ RTM_DELLINK, "veth", "docker0 peer", NULL, NULL },
		{ RTM_DELLINK, "veth", NULL, NULL, NULL },
		{ RTM_NEWLINK, "veth", "brnet web/eth0", NULL, NULL },
		{ RTM_DELLINK, "bridge", "brnet web/eth0", NULL, NULL },
	};
	char buf[512], what[WATCH_WHAT_MAX], id[BRNET_ID_MAX + 1], ifname[IFNAMSIZ];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		const struct nlmsghdr *nlh = link_notice_alias(buf, sizeof(buf), cases[i].type,
							       "vb0123456789", cases[i].kind,
							       cases[i].alias);
		enum watch_cause c = watch_veth_notice(nlh, id, ifname, what);

		if (!cases[i].id) {
			if (c != WATCH_NONE || what[0] || id[0] || ifname[0])
				fail_msg("case %zu: got %d \"%s\"", i, c, what);
			continue;
		}
		assert_int_equal(c, WATCH_VETH);
		assert_string_equal(id, cases[i].id);
		assert_string_equal(ifname, cases[i].ifname);
	}
	/* The same marks made or changed: what gc --follow watches the process of. */
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		uint16_t type = cases[i].type == RTM_DELLINK ? RTM_NEWLINK : RTM_DELLINK;
		const struct nlmsghdr *nlh = link_notice_alias(
			buf, sizeof(buf), type, "vb0123456789", cases[i].kind, cases[i].alias);
		bool added = watch_veth_added(nlh, id, ifname);

		/* a deleted link's mark, now the case's NEWLINK, is not one added */
		if (!cases[i].id || type != RTM_NEWLINK) {
			if (added || id[0] || ifname[0])
				fail_msg("case %zu as added: got %s/%s", i, id, ifname);
			continue;
		}
		assert_true(added);
		assert_string_equal(id, cases[i].id);
		assert_string_equal(ifname, cases[i].ifname);
	}
	watch_veth_notice(link_notice_alias(buf, sizeof(buf), RTM_DELLINK, "vb0123456789", "veth",
					    "brnet web/eth0"),
			  id, ifname, what);
	assert_string_equal(what, "host veth vb0123456789 of web/eth0 deleted");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nft),	cmocka_unit_test(test_nft_malformed),
		cmocka_unit_test(test_link),	cmocka_unit_test(test_veth),
		cmocka_unit_test(test_netconf), cmocka_unit_test(test_elem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
