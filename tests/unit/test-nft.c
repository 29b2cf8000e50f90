/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nf_tables builders without a kernel: the masquerade rule and the network batch. */
#include <errno.h>
#include <netinet/in.h> /* before linux/netfilter.h */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libnftnl/rule.h>

#include "lib/nft/batch.h"
#include "lib/nft/nft.h"
#include "test-common.h"

static void test_masquerade_rule_round_trip(void **state)
{
	struct inprefix subnet;
	struct nftnl_rule *r, *back;
	char buf[4096], text[2048], comment[NFT_COMMENT_MAX];
	struct nlmsghdr *nlh;

	assert_ok(inprefix_parse_v4("10.0.42.0/24", &subnet));
	r = nft_rule_masquerade("brnet0", &subnet);
	assert_non_null(r);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_INET, NLM_F_CREATE, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);

	back = nftnl_rule_alloc();
	assert_int_equal(nftnl_rule_nlmsg_parse(nlh, back), 0);
	nftnl_rule_snprintf(text, sizeof(text), back, NFTNL_OUTPUT_DEFAULT, 0);
	/* libnftnl's own rendering of the expressions: the golden form of our rule. */
	assert_non_null(strstr(text, "inet brnet postrouting"));
	assert_non_null(strstr(text, "[ meta load nfproto => reg 1 ]"));
	assert_non_null(strstr(text, "[ cmp eq reg 1 0x00000002 ]"));
	assert_non_null(strstr(text, "[ payload load 4b @ network header + 12 => reg 1 ]"));
	assert_non_null(strstr(text, "[ bitwise reg 1 = ( reg 1 & 0x00ffffff ) ^ 0x00000000 ]"));
	assert_non_null(strstr(text, "[ cmp eq reg 1 0x002a000a ]"));
	assert_non_null(strstr(text, "[ meta load oifname => reg 1 ]"));
	assert_non_null(
		strstr(text, "[ cmp neq reg 1 0x656e7262 0x00003074 0x00000000 0x00000000 ]"));
	assert_non_null(strstr(text, "[ masq ]"));
	assert_string_equal(nft_rule_comment(back, comment), "brnet network brnet0");
	nftnl_rule_free(r);
	nftnl_rule_free(back);
}

static void test_masquerade_prefix_mask(void **state)
{
	struct inprefix subnet;
	struct nftnl_rule *r;
	char buf[4096], text[2048];
	struct nlmsghdr *nlh;
	struct nftnl_rule *back = nftnl_rule_alloc();

	assert_ok(inprefix_parse_v4("172.16.0.0/12", &subnet));
	r = nft_rule_masquerade("br1", &subnet);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_INET, NLM_F_CREATE, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	assert_int_equal(nftnl_rule_nlmsg_parse(nlh, back), 0);
	nftnl_rule_snprintf(text, sizeof(text), back, NFTNL_OUTPUT_DEFAULT, 0);
	assert_non_null(strstr(text, "& 0x0000f0ff )"));
	assert_non_null(strstr(text, "[ cmp eq reg 1 0x000010ac ]"));
	nftnl_rule_free(r);
	nftnl_rule_free(back);
	/* a bridge name that cannot be an interface name builds nothing */
	assert_null(nft_rule_masquerade("0123456789abcdef", &subnet));
}

struct seen {
	uint16_t types[16];
	uint16_t flags[16];
	size_t n;
};

static void walk(const char *buf, size_t len, struct seen *s)
{
	const struct nlmsghdr *nlh;

	s->n = 0;
	for (nlh = (const struct nlmsghdr *)buf; NLMSG_OK(nlh, len) && s->n < 16;
	     nlh = NLMSG_NEXT(nlh, len)) {
		s->types[s->n] = nlh->nlmsg_type;
		s->flags[s->n++] = nlh->nlmsg_flags;
	}
}

static void test_network_batch(void **state)
{
	static char buf[NFT_BATCH_SMALL];
	struct inprefix subnet;
	struct seen s;
	int len;

	assert_ok(inprefix_parse_v4("10.0.42.0/24", &subnet));
	len = nft_build_network_batch(buf, sizeof(buf), "brnet0", &subnet, true);
	assert_true(len > 0);
	walk(buf, (size_t)len, &s);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.types[0], NFNL_MSG_BATCH_BEGIN);
	assert_int_equal(s.types[1], NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWTABLE);
	assert_int_equal(s.types[2], NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWCHAIN);
	assert_int_equal(s.types[3], NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE);
	assert_int_equal(s.types[4], NFNL_MSG_BATCH_END);
	/* "add", not "create": idempotent for table and chain; every command acked */
	assert_int_equal(s.flags[1] & (NLM_F_EXCL | NLM_F_ACK), NLM_F_ACK);
	assert_int_equal(s.flags[2] & (NLM_F_EXCL | NLM_F_ACK), NLM_F_ACK);
	assert_int_equal(s.flags[3] & NLM_F_ACK, NLM_F_ACK);

	len = nft_build_network_batch(buf, sizeof(buf), "brnet0", &subnet, false);
	walk(buf, (size_t)len, &s);
	assert_int_equal(s.n, 4);

	/* too small a buffer is refused, never overrun */
	assert_errno(nft_build_network_batch(buf, NFT_MSG_ROOM, "brnet0", &subnet, true), EMSGSIZE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masquerade_rule_round_trip),
		cmocka_unit_test(test_masquerade_prefix_mask),
		cmocka_unit_test(test_network_batch),
	};

	return cmocka_run_group_tests_name("nft", tests, NULL, NULL);
}
