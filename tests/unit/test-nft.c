/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nf_tables builders without a kernel: the masquerade rule and the network batch. */
#include <errno.h>
#include <netinet/in.h> /* before linux/netfilter.h */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <endian.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>

#include "lib/config/config.h"
#include "lib/config/egress.h"
#include "lib/nft/batch.h"
#include "lib/nft/egress.h"
#include "lib/nft/elems.h"
#include "lib/nft/fingerprint.h"
#include "shared/memory.h"
#include "lib/nft/hostfw.h"
#include "lib/nft/nft.h"
#include "lib/nft/publish.h"
#include "shared/macro.h"
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
	{
		/* The light reading of a dump reply gives the same names. */
		char chain[NFT_CHAIN_NAME_MAX], name[NFT_COMMENT_MAX];

		assert_int_equal(nft_rule_msg_name(nlh, chain, name), 1);
		assert_string_equal(chain, "postrouting");
		assert_string_equal(name, "brnet network brnet0");
		nlh->nlmsg_len = NLMSG_HDRLEN + 2;
		assert_int_equal(nft_rule_msg_name(nlh, chain, name), -EBADMSG);
	}
	nftnl_rule_free(r);
	nftnl_rule_free(back);
}

/* r (freed) as the kernel would get it and libnftnl renders it back: the expressions' text. */
static void render_rule(struct nftnl_rule *r, char *text, size_t size)
{
	struct nftnl_rule *back = nftnl_rule_alloc();
	char buf[8192];
	struct nlmsghdr *nlh;

	assert_non_null(r);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_INET, NLM_F_CREATE, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	assert_int_equal(nftnl_rule_nlmsg_parse(nlh, back), 0);
	nftnl_rule_snprintf(text, size, back, NFTNL_OUTPUT_DEFAULT, 0);
	nftnl_rule_free(r);
	nftnl_rule_free(back);
}

/* Each of want in text, in that order. */
static void assert_in_order(const char *text, const char *const *want, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		text = strstr(text, want[i]);
		assert_non_null(text);
	}
}

static void test_masquerade_prefix_mask(void **state)
{
	struct inprefix subnet;
	char text[2048];

	assert_ok(inprefix_parse_v4("172.16.0.0/12", &subnet));
	render_rule(nft_rule_masquerade("br1", &subnet), text, sizeof(text));
	assert_non_null(strstr(text, "& 0x0000f0ff )"));
	assert_non_null(strstr(text, "[ cmp eq reg 1 0x000010ac ]"));
	/* a bridge name that cannot be an interface name builds nothing */
	assert_null(nft_rule_masquerade("0123456789abcdef", &subnet));
}

/* With exceptions, the masquerade rule leaves each destination alone: an ip daddr != prefix
 * for each, after the source and interface matches; the most a network may have still fits a
 * batch's command slot (a rule that did not would be written past it). */
static void test_masquerade_exceptions(void **state)
{
	static const char *const masq_in_order[] = {
		"[ meta load oifname => reg 1 ]",
		"[ payload load 4b @ network header + 16 => reg 1 ]",
		"[ bitwise reg 1 = ( reg 1 & 0x0000ffff ) ^ 0x00000000 ]",
		"[ cmp neq reg 1 0x0000f40a ]",
		"[ bitwise reg 1 = ( reg 1 & 0xffffffff ) ^ 0x00000000 ]",
		"[ cmp neq reg 1 0x0707a8c0 ]",
		"[ masq ]",
	};
	struct inprefix subnet, except[CONFIG_NO_MASQ_MAX];
	struct nft_network net = { .bridge = "brm", .subnet = &subnet, .no_masq = except };
	struct nftnl_rule *r;
	char buf[8192], text[8192], cidr[32];
	struct nlmsghdr *nlh;

	assert_ok(inprefix_parse_v4("10.244.1.0/24", &subnet));
	assert_ok(inprefix_parse_v4("10.244.0.0/16", &except[0]));
	assert_ok(inprefix_parse_v4("192.168.7.7/32", &except[1]));
	net.n_no_masq = 2;
	render_rule(nft_network_rule(NFT_RULE_MASQUERADE, &net), text, sizeof(text));
	/* After the interface test, an ip daddr != for each exception, in order, then masq. */
	assert_in_order(text, masq_in_order, ELEMENTSOF(masq_in_order));
	/* the other rules do not take them */
	render_rule(nft_network_rule(NFT_RULE_HAIRPIN, &net), text, sizeof(text));
	assert_null(strstr(text, "network header + 16"));

	/* The most there may be, each with a full name: the message fits the slot. */
	for (unsigned i = 0; i < CONFIG_NO_MASQ_MAX; i++) {
		snprintf(cidr, sizeof(cidr), "10.%u.0.0/16", 100 + i);
		assert_ok(inprefix_parse_v4(cidr, &except[i]));
	}
	net.n_no_masq = CONFIG_NO_MASQ_MAX;
	net.bridge = "abcdefghijklmno";
	r = nft_network_rule(NFT_RULE_MASQUERADE, &net);
	assert_non_null(r);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_INET,
				    NLM_F_CREATE | NLM_F_APPEND | NLM_F_ACK, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	assert_true(nlh->nlmsg_len <= NFT_MSG_ROOM);
	nftnl_rule_free(r);
	net.n_no_masq = CONFIG_NO_MASQ_MAX + 1;
	assert_null(nft_network_rule(NFT_RULE_MASQUERADE, &net));
}

struct seen {
	uint16_t types[64];
	uint16_t flags[64];
	size_t n;
};

static void walk(const char *buf, size_t len, struct seen *s)
{
	const struct nlmsghdr *nlh;

	s->n = 0;
	for (nlh = (const struct nlmsghdr *)buf; NLMSG_OK(nlh, len) && s->n < 64;
	     nlh = NLMSG_NEXT(nlh, len)) {
		s->types[s->n] = nlh->nlmsg_type;
		s->flags[s->n++] = nlh->nlmsg_flags;
	}
}

static void test_network_batch(void **state)
{
	static char buf[NFT_BATCH_SMALL * 2];
	struct inprefix subnet;
	struct nft_network net = { .bridge = "brnet0", .subnet = &subnet };
	struct seen s;
	int len;

	assert_ok(inprefix_parse_v4("10.0.42.0/24", &subnet));
	len = nft_build_network_batch(buf, sizeof(buf), &net, NFT_RULES_ALL);
	assert_true(len > 0);
	walk(buf, (size_t)len, &s);
	/* begin, table, 7 chains, 2 maps, 8 egress sets, the egress chain's flush, rules, end */
	assert_int_equal(s.n, 1 + 1 + 7 + 10 + 1 + _NFT_RULE_MAX + 1);
	assert_int_equal(s.types[0], NFNL_MSG_BATCH_BEGIN);
	assert_int_equal(s.types[1], NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWTABLE);
	for (int i = 2; i < 9; i++)
		assert_int_equal(s.types[i], NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWCHAIN);
	for (int i = 9; i < 19; i++)
		assert_int_equal(s.types[i], NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSET);
	/* the egress chain's rules act in order: it is flushed before they are written */
	assert_int_equal(s.types[19], NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_DELRULE);
	for (int i = 20; i < 20 + _NFT_RULE_MAX; i++)
		assert_int_equal(s.types[i], NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE);
	assert_int_equal(s.types[s.n - 1], NFNL_MSG_BATCH_END);
	/* "add", not "create": idempotent for table, chains and sets */
	for (int i = 1; i < 19; i++)
		assert_int_equal(s.flags[i] & NLM_F_EXCL, 0);
	/* Only the last command asks for an ack: the kernel answers failures unasked, and the
	 * last ack says the batch is done. The delimiters ask for none. */
	for (size_t i = 0; i < s.n; i++)
		assert_int_equal(s.flags[i] & NLM_F_ACK, i == s.n - 2 ? NLM_F_ACK : 0);

	/* only the missing rules are added */
	len = nft_build_network_batch(buf, sizeof(buf), &net,
				      1u << NFT_RULE_MASQUERADE | 1u << NFT_RULE_HAIRPIN);
	walk(buf, (size_t)len, &s);
	assert_int_equal(s.n, 1 + 1 + 7 + 10 + 2 + 1);

	/* one missing rule of the egress chain rewrites the chain, in order */
	len = nft_build_network_batch(buf, sizeof(buf), &net, 1u << NFT_RULE_EGRESS_DROP);
	walk(buf, (size_t)len, &s);
	/* the chain: 2 DNS rules, the jump to the container's allowlist, log, reject, drop */
	assert_int_equal(s.n, 1 + 1 + 7 + 10 + 1 + 6 + 1);

	/* too small a buffer is refused, never overrun */
	assert_errno(nft_build_network_batch(buf, NFT_MSG_ROOM, &net, NFT_RULES_ALL), EMSGSIZE);
}

static void rule_text(enum nft_rule_id id, const char *bridge, const char *cidr, char *text,
		      size_t size)
{
	struct inprefix subnet;

	assert_ok(inprefix_parse_v4(cidr, &subnet));
	render_rule(nft_rule_build(id, bridge, &subnet), text, size);
}

static void test_publish_rules(void **state)
{
	static const char *const localnet_drop[] = {
		"inet brnet raw",
		"[ payload load 4b @ network header + 16 => reg 1 ]",
		"[ bitwise reg 1 = ( reg 1 & 0x000000ff ) ^ 0x00000000 ]",
		"[ cmp eq reg 1 0x0000007f ]",
		"[ meta load iifname => reg 1 ]",
		"[ cmp neq reg 1 0x00006f6c 0x00000000 0x00000000 0x00000000 ]",
		"[ immediate reg 0 drop ]",
	};
	char text[4096], name[NFT_COMMENT_MAX];

	rule_text(NFT_RULE_PUBLISH_PREROUTING, NULL, "10.0.42.0/24", text, sizeof(text));
	assert_non_null(strstr(text, "inet brnet prerouting"));
	assert_non_null(strstr(text, "[ fib daddr type => reg 1 ]"));
	assert_non_null(strstr(text, "[ cmp eq reg 1 0x00000002 ]")); /* RTN_LOCAL */
	/* key meta l4proto . th dport in 32-bit registers 8 and 9 (= reg 1), value to reg 1 */
	assert_non_null(strstr(text, "[ meta load l4proto => reg 8 ]"));
	assert_non_null(strstr(text, "[ payload load 2b @ transport header + 2 => reg 9 ]"));
	assert_non_null(strstr(text, "[ lookup reg 1 set publish dreg 1 ]"));
	assert_non_null(strstr(text, "[ nat dnat ip addr_min reg 1 proto_min reg 9"));

	rule_text(NFT_RULE_PUBLISH_ADDR_OUTPUT, NULL, "10.0.42.0/24", text, sizeof(text));
	assert_non_null(strstr(text, "inet brnet output"));
	assert_non_null(strstr(text, "[ payload load 4b @ network header + 16 => reg 8 ]"));
	assert_non_null(strstr(text, "[ meta load l4proto => reg 9 ]"));
	assert_non_null(strstr(text, "[ payload load 2b @ transport header + 2 => reg 10 ]"));
	assert_non_null(strstr(text, "[ lookup reg 1 set publish_addr dreg 1 ]"));

	rule_text(NFT_RULE_HAIRPIN, "brnet0", "10.0.42.0/24", text, sizeof(text));
	assert_non_null(strstr(text, "[ ct load status => reg 1 ]"));
	assert_non_null(strstr(text, "[ cmp neq reg 1 0x00000000 ]"));
	assert_non_null(
		strstr(text, "[ cmp eq reg 1 0x656e7262 0x00003074 0x00000000 0x00000000 ]"));

	rule_text(NFT_RULE_LOCALNET_GUARD, NULL, "10.0.42.0/24", text, sizeof(text));
	assert_non_null(strstr(text, "inet brnet input"));
	assert_non_null(strstr(text, "[ ct load state => reg 1 ]"));
	assert_non_null(strstr(text, "[ immediate reg 0 drop ]"));

	/* 127/8 from any interface but lo, in the raw chain: the destination masked to /8, the
	 * input interface, drop. */
	rule_text(NFT_RULE_LOCALNET_DROP, NULL, "10.0.42.0/24", text, sizeof(text));
	assert_in_order(text, localnet_drop, ELEMENTSOF(localnet_drop));
	assert_ok(nft_rule_name(NFT_RULE_LOCALNET_DROP, NULL, name));
	assert_string_equal(name, "brnet localnet drop");

	assert_ok(nft_rule_name(NFT_RULE_LOCALNET_MASQUERADE, "br1", name));
	assert_string_equal(name, "brnet localnet br1");
	assert_errno(nft_rule_name(_NFT_RULE_MAX, "br1", name), EINVAL);
}

/* Connections routed in to a container are dropped unless published (DNAT) or made by it; a
 * network that lets them in does not want the rule. */
static void test_routed_in_rule(void **state)
{
	char text[4096], name[NFT_COMMENT_MAX];
	const char *out, *in, *status, *state_, *drop;

	rule_text(NFT_RULE_ROUTED_IN, "brnet0", "10.0.42.0/24", text, sizeof(text));
	assert_non_null(strstr(text, "inet brnet forward"));
	out = strstr(text, "[ meta load oifname => reg 1 ]");
	in = strstr(text, "[ meta load iifname => reg 1 ]");
	assert_non_null(out);
	assert_non_null(in);
	/* out the bridge, not in by it */
	assert_non_null(
		strstr(out, "[ cmp eq reg 1 0x656e7262 0x00003074 0x00000000 0x00000000 ]"));
	assert_non_null(
		strstr(in, "[ cmp neq reg 1 0x656e7262 0x00003074 0x00000000 0x00000000 ]"));
	status = strstr(text, "[ ct load status => reg 1 ]");
	state_ = strstr(text, "[ ct load state => reg 1 ]");
	drop = strstr(text, "[ immediate reg 0 drop ]");
	assert_non_null(status);
	assert_non_null(state_);
	assert_non_null(drop);
	assert_non_null(strstr(status, "[ bitwise reg 1 = ( reg 1 & 0x00000020 ) ^ 0x00000000 ]"));
	assert_non_null(strstr(status, "[ cmp eq reg 1 0x00000000 ]"));
	assert_null(strstr(text, "nfproto")); /* both families */
	assert_ok(nft_rule_name(NFT_RULE_ROUTED_IN, "brnet0", name));
	assert_string_equal(name, "brnet routed in brnet0");

	assert_true(NFT_NETWORK_RULES(false, true) & (1u << NFT_RULE_ROUTED_IN));
	assert_false(NFT_NETWORK_RULES(true, true) & (1u << NFT_RULE_ROUTED_IN));
	assert_int_equal(NFT_NETWORK_RULES(true, true) | (1u << NFT_RULE_ROUTED_IN), NFT_RULES_ALL);
}

/* A network that does not masquerade wants every rule but the one to the outside: the hairpin
 * and 127.0.0.1 publishing still need theirs. */
static void test_network_rules_masquerade(void **state)
{
	unsigned plain = NFT_NETWORK_RULES(false, true), bare = NFT_NETWORK_RULES(false, false);

	(void)state;
	assert_int_equal(plain, NFT_RULES_ALL);
	assert_int_equal(plain & ~bare, 1u << NFT_RULE_MASQUERADE);
	assert_true(bare & (1u << NFT_RULE_HAIRPIN));
	assert_true(bare & (1u << NFT_RULE_LOCALNET_MASQUERADE));
	assert_int_equal(NFT_NETWORK_RULES(true, false),
			 NFT_RULES_ALL & ~(1u << NFT_RULE_MASQUERADE | 1u << NFT_RULE_ROUTED_IN));
}

/* The egress chain hands a container to its allowlist with one verdict map lookup. */
static void test_egress_list_rule(void **state)
{
	char text[4096], name[NFT_COMMENT_MAX];

	rule_text(NFT_RULE_EGRESS_LIST, NULL, "10.0.42.0/24", text, sizeof(text));
	assert_non_null(strstr(text, "inet brnet egress"));
	assert_non_null(strstr(text, "[ payload load 4b @ network header + 12 => reg 8 ]"));
	assert_non_null(strstr(text, "[ lookup reg 8 set egress_list dreg 0 ]"));
	assert_ok(nft_rule_name(NFT_RULE_EGRESS_LIST, NULL, name));
	assert_string_equal(name, "brnet egress allowlist");
}

/* Containers that asked are refused with an ICMP error, after the log and before the drop. */
static void test_egress_reject_rule(void **state)
{
	char text[4096], name[NFT_COMMENT_MAX];

	(void)state;
	rule_text(NFT_RULE_EGRESS_REJECT, NULL, "10.0.42.0/24", text, sizeof(text));
	assert_non_null(strstr(text, "inet brnet egress"));
	assert_non_null(strstr(text, "[ payload load 4b @ network header + 12 => reg 8 ]"));
	assert_non_null(strstr(text, "[ lookup reg 8 set egress_rejected ]"));
	/* type 2 (icmpx unreach), code 3 (admin-prohibited) */
	assert_non_null(strstr(text, "[ reject type 2 code 3 ]"));
	assert_ok(nft_rule_name(NFT_RULE_EGRESS_REJECT, NULL, name));
	assert_string_equal(name, "brnet egress reject");
	assert_true(NFT_RULE_EGRESS_LOG < NFT_RULE_EGRESS_REJECT &&
		    NFT_RULE_EGRESS_REJECT < NFT_RULE_EGRESS_DROP);
}

/* A list is named by its content, normalized: the same destinations in another order or with
 * one inside another name the same list; one more destination names another. */
static void test_egress_list_name(void **state)
{
	static const char *const a[] = { "10.1.0.0/16", "192.0.2.7", "198.51.100.0/24" };
	static const char *const b[] = { "198.51.100.0/24", "10.1.2.0/24", "192.0.2.7",
					 "10.1.0.0/16" };
	struct egress_policy p = { .on = true }, q = { .on = true }, none = { .on = true };
	struct nft_egress_list lp, lq, ln;
	struct brnet_error err = { 0 };

	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++)
		assert_ok(egress_add_allow(&p, a[i], &err));
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		assert_ok(egress_add_allow(&q, b[i], &err));
	egress_policy_normalize(&p);
	egress_policy_normalize(&q);
	nft_egress_list_init(&lp, &p);
	nft_egress_list_init(&lq, &q);
	assert_string_equal(lp.chain, lq.chain);
	assert_int_equal(strlen(lp.chain), strlen(NFT_EGRESS_LIST_PREFIX) + 32);
	assert_true(strncmp(lp.chain, NFT_EGRESS_LIST_PREFIX, strlen(NFT_EGRESS_LIST_PREFIX)) == 0);
	assert_false(lp.exists);

	assert_ok(egress_add_allow(&q, "203.0.113.0/24", &err));
	egress_policy_normalize(&q);
	nft_egress_list_init(&lq, &q);
	assert_string_not_equal(lp.chain, lq.chain);

	/* No destination allowed (only DNS, or nothing): no list at all. */
	nft_egress_list_init(&ln, &none);
	assert_string_equal(ln.chain, "");
	egress_policy_done(&p);
	egress_policy_done(&q);
}

static void test_publish_keys(void **state)
{
	static const uint8_t plain[8] = { IPPROTO_UDP, 0, 0, 0, 0x1f, 0x90, 0, 0 };
	static const uint8_t by_addr[12] = { 127, 0, 0, 1, IPPROTO_TCP, 0, 0, 0, 0x00, 0x50, 0, 0 };
	static const uint8_t value[8] = { 10, 0, 42, 2, 0x00, 0x50, 0, 0 };
	uint8_t key[12], v[8];
	struct inaddr a;

	assert_int_equal(nft_publish_key(NULL, IPPROTO_UDP, 8080, key), 8);
	assert_memory_equal(key, plain, 8);
	assert_ok(inaddr_parse_v4("127.0.0.1", &a));
	assert_int_equal(nft_publish_key(&a, IPPROTO_TCP, 80, key), 12);
	assert_memory_equal(key, by_addr, 12);
	assert_ok(inaddr_parse_v4("10.0.42.2", &a));
	nft_publish_value(&a, 80, v);
	assert_memory_equal(v, value, 8);
}

static void test_publish_batch(void **state)
{
	struct publish p[2];
	struct inaddr a;
	struct nft_batch b;
	char *buf;
	size_t room;
	struct seen s;
	struct brnet_error err = { 0 };

	assert_ok(publish_parse("8000-8599:9000-9599", &p[0], &err)); /* 600 ports */
	assert_ok(publish_parse("127.0.0.1:53:53/udp", &p[1], &err));
	assert_ok(inaddr_parse_v4("10.0.42.2", &a));
	/* in the room the builder asks for */
	room = 2 * (size_t)NFT_MSG_ROOM + nft_publish_batch_room(p, 2);
	buf = malloc(room);
	assert_non_null(buf);
	nft_batch_init(&b, buf, room);
	nft_batch_begin(&b);
	assert_ok(nft_batch_add_publish(&b, p, 2, &a, "web/eth0", true));
	assert_ok(nft_batch_end(&b));
	walk(buf, b.len, &s);
	/* begin, 3 messages of at most 256 elements for the plain map, 1 for publish_addr, end */
	assert_int_equal(s.n, 1 + 3 + 1 + 1);
	for (int i = 1; i <= 4; i++) {
		assert_int_equal(s.types[i], NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSETELEM);
		assert_int_equal(s.flags[i] & NLM_F_EXCL, NLM_F_EXCL); /* taken ports fail */
	}
	free(buf);
}

/* The text of the batch's n-th message, a rule. */
static void nth_rule_text(const char *buf, size_t len, size_t n, char *text, size_t size)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	struct nftnl_rule *r = nftnl_rule_alloc();

	for (size_t i = 0; i < n; i++)
		nlh = NLMSG_NEXT(nlh, len);
	assert_int_equal(nlh->nlmsg_type, NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWRULE);
	assert_int_equal(nftnl_rule_nlmsg_parse(nlh, r), 0);
	nftnl_rule_snprintf(text, size, r, NFTNL_OUTPUT_DEFAULT, 0);
	nftnl_rule_free(r);
}

/* The set and the keys of the nth message of a batch, a NEWSETELEM command. */
struct keys_seen {
	char table[32], set[64];
	uint8_t key[16][8];
	uint32_t len[16];
	size_t n;
	uint32_t *v4; /* when not NULL, every key of 4 bytes goes here too, up to v4_max */
	size_t n_v4, v4_max;
};

static int key_cb(struct nftnl_set_elem *e, void *data)
{
	struct keys_seen *k = data;
	uint32_t len;
	const void *key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &len);

	assert_non_null(key);
	if (k->v4 && len == 4 && k->n_v4 < k->v4_max)
		memcpy(&k->v4[k->n_v4++], key, 4);
	if (k->n < 16 && len <= sizeof(k->key[0])) {
		memcpy(k->key[k->n], key, len);
		k->len[k->n++] = len;
	}
	return 0;
}

static void nth_keys(const char *buf, size_t len, size_t n, struct keys_seen *k)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	struct nftnl_set *s = nftnl_set_alloc();

	for (size_t i = 0; i < n; i++)
		nlh = NLMSG_NEXT(nlh, len);
	assert_int_equal(nlh->nlmsg_type, NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSETELEM);
	assert_non_null(s);
	assert_int_equal(nftnl_set_elems_nlmsg_parse(nlh, s), 0);
	snprintf(k->table, sizeof(k->table), "%s", nftnl_set_get_str(s, NFTNL_SET_TABLE));
	snprintf(k->set, sizeof(k->set), "%s", nftnl_set_get_str(s, NFTNL_SET_NAME));
	k->n = 0;
	assert_int_equal(nftnl_set_elem_foreach(s, key_cb, k), 0);
	nftnl_set_free(s);
}

/* Keys written straight into a batch read back as libnftnl reads them; a value that is not a
 * multiple of 4 bytes is padded with zeros; more keys than the command was opened for, or too
 * little room, fail the batch. */
static void test_batch_keys(void **state)
{
	static char buf[4 * NFT_MSG_ROOM];
	const uint8_t a[6] = { 1, 2, 3, 4, 5, 6 }, b[6] = { 7, 8, 9, 10, 11, 12 };
	struct keys_seen k = { 0 };
	struct nft_batch batch;
	struct nft_keys keys;
	const struct nlmsghdr *nlh;
	unsigned padded = 0;

	nft_batch_init(&batch, buf, sizeof(buf));
	nft_batch_begin(&batch);
	nft_batch_keys_begin(&batch, &keys, NLM_F_CREATE, "allow_x_24", 2, sizeof(a));
	nft_batch_key(&keys, a);
	nft_batch_key(&keys, b);
	nft_batch_keys_end(&keys);
	assert_ok(nft_batch_end(&batch));
	nth_keys(buf, batch.len, 1, &k);
	assert_string_equal(k.table, NFT_TABLE);
	assert_string_equal(k.set, "allow_x_24");
	assert_int_equal(k.n, 2);
	assert_int_equal(k.len[0], 6);
	assert_memory_equal(k.key[0], a, 6);
	assert_memory_equal(k.key[1], b, 6);
	nlh = (const struct nlmsghdr *)(buf +
					NLMSG_ALIGN(((const struct nlmsghdr *)buf)->nlmsg_len));
	assert_true(nlh->nlmsg_flags & NLM_F_CREATE);
	assert_true(nlh->nlmsg_flags & NLM_F_ACK); /* the last command */
	/* a 6-byte value is padded to 8 with zeros (the first key is found once) */
	for (const char *p = (const char *)nlh; p + 8 <= (const char *)nlh + nlh->nlmsg_len; p++)
		if (memcmp(p, a, 6) == 0) {
			assert_int_equal(p[6] | p[7], 0);
			padded++;
		}
	assert_int_equal(padded, 1);

	/* one key more than announced */
	nft_batch_init(&batch, buf, sizeof(buf));
	nft_batch_begin(&batch);
	nft_batch_keys_begin(&batch, &keys, NLM_F_CREATE, "allow_x_24", 1, sizeof(a));
	nft_batch_key(&keys, a);
	nft_batch_key(&keys, b);
	nft_batch_keys_end(&keys);
	assert_int_equal(nft_batch_end(&batch), -EMSGSIZE);

	/* more keys than the buffer holds */
	nft_batch_init(&batch, buf, sizeof(buf));
	nft_batch_begin(&batch);
	nft_batch_keys_begin(&batch, &keys, NLM_F_CREATE, "allow_x_24", 1000, sizeof(a));
	assert_int_equal(nft_batch_end(&batch), -EMSGSIZE);
}

/* nft_batch_prefault() maps the pages after what the batch holds, within its room, and only
 * those; an overflowed batch is left alone. */
static void test_batch_prefault(void **state)
{
	size_t page = (size_t)getpagesize(), room = 24 * page;
	char *buf = mmap(NULL, 32 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			 0);
	unsigned char v[32];
	struct nft_batch b;
	unsigned mapped = 0;

	(void)state;
	assert_true(buf != MAP_FAILED);
	nft_batch_init(&b, buf, room);
	nft_batch_begin(&b); /* page 0 */
	nft_batch_prefault(&b, 100 * page); /* more than the room: up to it */
	assert_int_equal(mincore(buf, 32 * page, v), 0);
	for (unsigned i = 0; i < 32; i++)
		mapped += v[i] & 1;
	assert_int_equal(mapped, 24);
	assert_int_equal(v[23] & 1, 1);
	assert_int_equal(v[24] & 1, 0);
	/* too little to be worth a call, and an overflowed batch: nothing */
	assert_int_equal(munmap(buf, 32 * page), 0);
	buf = mmap(NULL, 32 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(buf != MAP_FAILED);
	nft_batch_init(&b, buf, room);
	nft_batch_prefault(&b, PREFAULT_MIN - 1);
	b.overflow = true;
	nft_batch_prefault(&b, room);
	assert_int_equal(mincore(buf, 32 * page, v), 0);
	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(v[i] & 1, 0);
	assert_int_equal(munmap(buf, 32 * page), 0);
}

/* A policy of 10,000 destinations: created, its list is a chain, a set, a few messages of many
 * elements and two rules, within the room the builder asks for; found, it is one map element. */
static void test_egress_batch_many(void **state)
{
	struct egress_policy p = { .on = true };
	struct brnet_error err = { 0 };
	struct nft_egress_list l;
	struct nft_batch b;
	struct inaddr a;
	char cidr[32], *buf, text[4096];
	size_t room, allow_msgs = 0;
	struct keys_seen k = { 0 };
	struct seen s;

	for (unsigned j = 1; j <= 10000; j++) {
		snprintf(cidr, sizeof(cidr), "100.%u.%u.%u/32", 64 + (j >> 16), (j >> 8) & 255,
			 j & 255);
		assert_ok(egress_add_allow(&p, cidr, &err));
	}
	egress_policy_normalize(&p);
	nft_egress_list_init(&l, &p);
	assert_ok(inaddr_parse_v4("10.0.42.2", &a));
	room = 4 * (size_t)NFT_MSG_ROOM + nft_egress_batch_room(&p);
	assert_true(room < 4 * 1024 * 1024);
	buf = malloc(room);
	assert_non_null(buf);
	nft_batch_init(&b, buf, room);
	nft_batch_begin(&b);
	assert_ok(nft_batch_add_egress(&b, &p, &l, &a, "web/eth0"));
	assert_ok(nft_batch_end(&b));
	walk(buf, b.len, &s);
	/* begin, policed, chain, set, 40 messages of at most 256 destinations, two rules, the
	 * container's map element, end */
	assert_int_equal(s.n, 1 + 1 + 1 + 1 + 40 + 2 + 1 + 1);
	assert_int_equal(s.types[2], NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWCHAIN);
	assert_true(s.flags[2] & NLM_F_EXCL); /* a racing creator must fail, not add rules twice */
	assert_int_equal(s.types[3], NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSET);
	for (size_t i = 4; i < 44; i++, allow_msgs++)
		assert_int_equal(s.types[i], NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSETELEM);
	assert_int_equal(allow_msgs, 40);
	/* every destination once, in order, in the list's /32 set */
	k.v4 = calloc(10001, sizeof(uint32_t));
	k.v4_max = 10001;
	assert_non_null(k.v4);
	for (size_t i = 4; i < 44; i++) {
		nth_keys(buf, b.len, i, &k);
		assert_non_null(strstr(k.set, l.chain + strlen("allow")));
		assert_non_null(strstr(k.set, "_32"));
	}
	assert_int_equal(k.n_v4, 10000);
	for (uint32_t j = 1; j <= 10000; j++)
		assert_int_equal(ntohl(k.v4[j - 1]), (100u << 24 | 64u << 16) + j);
	free(k.v4);
	/* A /32 list: the destination unmasked, then any port or the container's ports. */
	nth_rule_text(buf, b.len, 44, text, sizeof(text));
	assert_non_null(strstr(text, l.chain));
	assert_non_null(strstr(text, "[ payload load 4b @ network header + 16 => reg 9 ]"));
	assert_null(strstr(text, "bitwise"));
	assert_non_null(strstr(text, "_32 ]"));
	assert_non_null(strstr(text, "[ lookup reg 8 set egress_portlimited 0x1 ]"));
	nth_rule_text(buf, b.len, 45, text, sizeof(text));
	assert_non_null(strstr(text, "[ lookup reg 8 set egress_ports ]"));
	assert_int_equal(s.types[46], NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWSETELEM);

	l.exists = true;
	nft_batch_init(&b, buf, room);
	nft_batch_begin(&b);
	assert_ok(nft_batch_add_egress(&b, &p, &l, &a, "web/eth0"));
	assert_ok(nft_batch_end(&b));
	walk(buf, b.len, &s);
	assert_int_equal(s.n, 1 + 1 + 1 + 1); /* begin, policed, map element, end */
	free(buf);
	egress_policy_done(&p);
}

/* A /18 is matched at /20: four elements, the destination masked to 20 bits. */
static void test_egress_list_masked(void **state)
{
	static char buf[64 * NFT_MSG_ROOM];
	struct egress_policy p = { .on = true };
	struct brnet_error err = { 0 };
	struct nft_egress_list l;
	struct nft_batch b;
	struct keys_seen k = { 0 };
	struct inaddr a;
	char text[4096];
	struct seen s;

	assert_ok(egress_add_allow(&p, "11.0.64.0/18", &err));
	egress_policy_normalize(&p);
	nft_egress_list_init(&l, &p);
	assert_ok(inaddr_parse_v4("10.0.42.2", &a));
	assert_true(sizeof(buf) >= 4 * (size_t)NFT_MSG_ROOM + nft_egress_batch_room(&p));
	nft_batch_init(&b, buf, sizeof(buf));
	nft_batch_begin(&b);
	assert_ok(nft_batch_add_egress(&b, &p, &l, &a, "web/eth0"));
	assert_ok(nft_batch_end(&b));
	walk(buf, b.len, &s);
	/* begin, policed, chain, set, one message of 4, two rules, map element, end */
	assert_int_equal(s.n, 9);
	nth_keys(buf, b.len, 4, &k);
	assert_int_equal(k.n, 4);
	for (unsigned i = 0; i < 4; i++) {
		uint32_t want = htonl(11u << 24 | (64u + 16 * i) << 8);

		assert_int_equal(k.len[i], 4);
		assert_memory_equal(k.key[i], &want, 4);
	}
	nth_rule_text(buf, b.len, 5, text, sizeof(text));
	assert_non_null(strstr(text, "[ bitwise reg 9 = ( reg 9 & 0x00f0ffff ) ^ 0x00000000 ]"));
	assert_non_null(strstr(text, "_20 ]"));
	egress_policy_done(&p);
}

/* A chain as a dump of every family shows it; hook < 0: a regular chain, without hook and
 * policy; table NULL: a malformed one. */
static int chain_msg(uint8_t family, const char *table, const char *chain, int hook,
		     uint32_t policy, struct nft_chain_ref *c)
{
	char buf[1024];
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, family, NLM_F_MULTI, 1);

	if (table)
		mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, chain);
	if (hook >= 0) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);

		mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl((uint32_t)hook));
		mnl_attr_put_u32(nlh, NFTA_HOOK_PRIORITY, htonl(0));
		mnl_attr_nest_end(nlh, nest);
		mnl_attr_put_u32(nlh, NFTA_CHAIN_POLICY, htonl(policy));
	}
	return nft_forward_drop_msg(nlh, c);
}

/* Another table's base chain at the forward hook, family ip or inet, policy drop: Docker's
 * FORWARD through iptables-nft is one; ours, other hooks and families, an accepting policy
 * and regular chains are not. */
static void test_forward_drop(void **state)
{
	struct nft_chain_ref c;
	char buf[512];
	struct nlattr *nest;
	struct nlmsghdr *nlh;

	assert_int_equal(chain_msg(NFPROTO_IPV4, "filter", "FORWARD", NF_INET_FORWARD, NF_DROP, &c),
			 1);
	assert_int_equal(c.family, NFPROTO_IPV4);
	assert_string_equal(c.table, "filter");
	assert_string_equal(c.chain, "FORWARD");
	assert_int_equal(chain_msg(NFPROTO_INET, "fw", "fwd", NF_INET_FORWARD, NF_DROP, &c), 1);
	assert_string_equal(c.table, "fw");
	assert_false(c.by_rule);
	/* an accepting policy: the chain's rules tell (2) */
	assert_int_equal(
		chain_msg(NFPROTO_IPV4, "filter", "FORWARD", NF_INET_FORWARD, NF_ACCEPT, &c), 2);
	assert_string_equal(c.chain, "FORWARD");
	assert_int_equal(
		chain_msg(NFPROTO_INET, NFT_TABLE, "forward", NF_INET_FORWARD, NF_ACCEPT, &c), 0);
	assert_int_equal(
		chain_msg(NFPROTO_INET, NFT_TABLE, "forward", NF_INET_FORWARD, NF_DROP, &c), 0);
	assert_int_equal(
		chain_msg(NFPROTO_IPV4, NFT_TABLE, "FORWARD", NF_INET_FORWARD, NF_DROP, &c),
		1); /* "ip brnet" is not our table */
	assert_int_equal(chain_msg(NFPROTO_IPV6, "filter", "FORWARD", NF_INET_FORWARD, NF_DROP, &c),
			 0);
	assert_int_equal(
		chain_msg(NFPROTO_BRIDGE, "filter", "FORWARD", NF_INET_FORWARD, NF_DROP, &c), 0);
	assert_int_equal(chain_msg(NFPROTO_IPV4, "filter", "INPUT", NF_INET_LOCAL_IN, NF_DROP, &c),
			 0);
	assert_int_equal(chain_msg(NFPROTO_IPV4, "filter", "DOCKER-USER", -1, 0, &c), 0);
	assert_int_equal(chain_msg(NFPROTO_IPV4, NULL, "FORWARD", NF_INET_FORWARD, NF_DROP, &c),
			 -EBADMSG);
	/* names: longer than nf_tables allows, or not terminated */
	memset(buf, 'a', 300);
	buf[300] = '\0';
	assert_int_equal(chain_msg(NFPROTO_IPV4, "filter", buf, NF_INET_FORWARD, NF_DROP, &c),
			 -EBADMSG);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, NFPROTO_IPV4, NLM_F_MULTI, 1);
	mnl_attr_put(nlh, NFTA_CHAIN_TABLE, strlen("filter"), "filter");
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "FORWARD");
	nest = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);
	mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl(NF_INET_FORWARD));
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, NFTA_CHAIN_POLICY, htonl(NF_DROP));
	assert_int_equal(nft_forward_drop_msg(nlh, &c), -EBADMSG);
	/* a table, not a chain */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWTABLE, NFPROTO_IPV4, NLM_F_MULTI, 1);
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, "filter");
	assert_int_equal(nft_forward_drop_msg(nlh, &c), 0);
}

DEFINE_POINTER_CLEANUP(struct nftnl_rule, nftnl_rule_free)

/* A rule of the expressions named in exprs, as the kernel dumps it: "drop", "accept" and
 * "jump" are immediate verdicts, "REJECT" iptables' target, "match" a meta compare, the rest
 * expressions of that name with no data. */
static int rule_ends(const char *const *exprs)
{
	_cleanup_(nftnl_rule_freep) struct nftnl_rule *r = nftnl_rule_alloc();
	static char buf[4096];
	struct nlmsghdr *nlh;

	assert_non_null(r);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, "firewalld");
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, "filter_FORWARD");
	for (; *exprs; exprs++) {
		const char *name = *exprs;
		struct nftnl_expr *e;

		if (strcmp(name, "drop") == 0 || strcmp(name, "accept") == 0 ||
		    strcmp(name, "jump") == 0) {
			e = nftnl_expr_alloc("immediate");
			nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
			nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT,
					   name[0] == 'd'   ? (uint32_t)NF_DROP
					   : name[0] == 'a' ? (uint32_t)NF_ACCEPT
							    : (uint32_t)NFT_JUMP);
			if (name[0] == 'j')
				nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, "filter_FORWARD_ZONES");
		} else if (strcmp(name, "REJECT") == 0) {
			e = nftnl_expr_alloc("target");
			nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "REJECT");
			nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 0);
		} else if (strcmp(name, "match") == 0) {
			e = nftnl_expr_alloc("meta");
			nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_IIFNAME);
			nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
		} else {
			e = nftnl_expr_alloc(name);
		}
		assert_non_null(e);
		nftnl_rule_add_expr(r, e);
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_INET, NLM_F_MULTI, 1);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	return nft_rule_ends_all_msg(nlh);
}

/* The last rule of a base chain whose policy accepts: one that drops or rejects whatever
 * reaches it (firewalld's "reject with icmpx", iptables-nft's "-j DROP" and "-j REJECT", each
 * with its counter) ends forwarding there as a drop policy does; one that matches first, or
 * accepts, or jumps, does not. */
static void test_rule_ends_all(void **state)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct nlattr *list, *elem;

	assert_int_equal(rule_ends((const char *[]){ "reject", NULL }), 1);
	assert_int_equal(rule_ends((const char *[]){ "counter", "drop", NULL }), 1);
	assert_int_equal(rule_ends((const char *[]){ "counter", "REJECT", NULL }), 1);
	assert_int_equal(rule_ends((const char *[]){ "counter", "log", "drop", NULL }), 1);
	assert_int_equal(rule_ends((const char *[]){ "match", "reject", NULL }), 0);
	assert_int_equal(rule_ends((const char *[]){ "counter", "match", "drop", NULL }), 0);
	assert_int_equal(rule_ends((const char *[]){ "accept", NULL }), 0);
	assert_int_equal(rule_ends((const char *[]){ "jump", NULL }), 0);
	assert_int_equal(rule_ends((const char *[]){ "counter", NULL }), 0);
	assert_int_equal(rule_ends((const char *[]){ NULL }), 0);
	/* malformed: an expression without a name; an immediate without its data */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_INET, NLM_F_MULTI, 1);
	list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_u32(nlh, NFTA_EXPR_DATA, 0);
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, list);
	assert_int_equal(nft_rule_ends_all_msg(nlh), -EBADMSG);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_INET, NLM_F_MULTI, 1);
	list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "immediate");
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, list);
	assert_int_equal(nft_rule_ends_all_msg(nlh), -EBADMSG);
	/* another message */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, NFPROTO_INET, NLM_F_MULTI, 1);
	assert_int_equal(nft_rule_ends_all_msg(nlh), 0);
}

/* A kernel's answer to GETTABLE (chain NULL) or GETCHAIN, taken into fp; use UINT32_MAX
 * leaves the use count out. */
static int fp_take(struct nft_fingerprint *fp, uint8_t family, const char *table, const char *chain,
		   uint64_t handle, uint32_t use)
{
	char buf[512];
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(
		buf, chain ? NFT_MSG_NEWCHAIN : NFT_MSG_NEWTABLE, family, 0, 1);

	mnl_attr_put_strz(nlh, chain ? NFTA_CHAIN_TABLE : NFTA_TABLE_NAME, table);
	if (chain)
		mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, chain);
	mnl_attr_put_u64(nlh, chain ? NFTA_CHAIN_HANDLE : NFTA_TABLE_HANDLE, htobe64(handle));
	if (use != UINT32_MAX)
		mnl_attr_put_u32(nlh, chain ? NFTA_CHAIN_USE : NFTA_TABLE_USE, htonl(use));
	return nft_fingerprint_msg(nlh, fp);
}

static void fp_fill(struct nft_fingerprint *fp, uint32_t postrouting_use)
{
	static const char *const inet[] = { "prerouting", "output", "postrouting", "input",
					    "forward",	  "egress", "raw" };

	*fp = (struct nft_fingerprint){ .netns_cookie = 4 };
	assert_int_equal(fp_take(fp, NFPROTO_INET, "brnet", NULL, 1, 18), 1);
	for (unsigned i = 0; i < 7; i++)
		assert_int_equal(fp_take(fp, NFPROTO_INET, "brnet", inet[i], i + 1,
					 i == 2 ? postrouting_use : 2),
				 1);
	assert_int_equal(fp_take(fp, NFPROTO_BRIDGE, "brnet", NULL, 2, 4), 1);
	assert_int_equal(fp_take(fp, NFPROTO_BRIDGE, "brnet", "guard", 4, 5), 1);
}

/* User data as the kernel hands it back: TLVs written by whoever made the rule or element. Each
 * case passes a length shorter than the array, with a terminated string after the end, so a
 * read past the length finds one (ASan builds see the read itself). */
static void test_udata_string(void **state)
{
	char out[8];
	struct {
		uint8_t data[16];
		size_t len;
		bool ok;
		const char *want;
	} cases[] = {
		/* a comment */
		{ { 0, 4, 'a', 'b', 'c', 0 }, 6, true, "abc" },
		/* after a TLV of another type */
		{ { 5, 2, 'x', 'y', 0, 4, 'a', 'b', 'c', 0 }, 10, true, "abc" },
		/* none of that type */
		{ { 5, 2, 'x', 'y' }, 4, false, NULL },
		/* its value runs past the end, into a terminated string */
		{ { 0, 8, 'a', 'b', 'c', 0, 'd', 'e', 'f', 0 }, 6, false, NULL },
		/* the TLV before it runs past the end */
		{ { 5, 9, 'x', 'y', 0, 4, 'a', 'b', 'c', 0, 0 }, 10, false, NULL },
		/* a header cut after its type byte */
		{ { 5, 1, 'x', 0, 4, 'a', 'b', 'c', 0 }, 4, false, NULL },
		/* unterminated, empty, longer than out */
		{ { 0, 3, 'a', 'b', 'c', 0 }, 5, false, NULL },
		{ { 0, 0, 0 }, 2, false, NULL },
		{ { 0, 9, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 0 }, 11, false, NULL },
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		uint8_t *copy = malloc(cases[i].len);

		assert_non_null(copy);
		memcpy(copy, cases[i].data, cases[i].len);
		memset(out, 0, sizeof(out));
		/* The exact length where the fixed array is not needed: the ASan build's check. */
		assert_int_equal(nft_udata_string(copy, cases[i].len, 0, out, sizeof(out)),
				 cases[i].ok);
		assert_int_equal(nft_udata_string(cases[i].data, cases[i].len, 0, out, sizeof(out)),
				 cases[i].ok);
		if (cases[i].ok)
			assert_string_equal(out, cases[i].want);
		free(copy);
	}
}

struct elems_seen {
	unsigned n;
	char owner[4][NFT_OWNER_MAX], jump[4][NFT_CHAIN_NAME_MAX];
	uint8_t key[4][8], end[4][8], data[4][8];
	uint32_t len[4], end_len[4], data_len[4];
	int64_t verdict[4]; /* -1: none */
};

static int elems_seen_fn(const struct nft_elem_view *v, void *userdata)
{
	struct elems_seen *s = userdata;
	unsigned i = s->n++;

	assert_true(i < 4 && v->which == 7 && v->e.len <= 8 && v->e.end_len <= 8 &&
		    v->e.data_len <= 8);
	snprintf(s->owner[i], sizeof(s->owner[i]), "%s", v->e.owner);
	snprintf(s->jump[i], sizeof(s->jump[i]), "%s", v->e.jump ? v->e.jump : "-");
	s->verdict[i] = v->e.has_verdict ? v->e.verdict : -1;
	memcpy(s->key[i], v->e.key, s->len[i] = v->e.len);
	if (v->e.key_end)
		memcpy(s->end[i], v->e.key_end, s->end_len[i] = v->e.end_len);
	if (v->e.data)
		memcpy(s->data[i], v->e.data, s->data_len[i] = v->e.data_len);
	return 0;
}

/* An element message holding one element whose data is a verdict: code, and chain if given. */
static struct nlmsghdr *verdict_elem_msg(char *buf, uint32_t code, const char *chain)
{
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSETELEM, NFPROTO_INET, 0, 1);
	struct nlattr *list, *elem, *key, *data, *verdict;

	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, "brnet");
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, "m");
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	key = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
	mnl_attr_put_u32(nlh, NFTA_DATA_VALUE, 1);
	mnl_attr_nest_end(nlh, key);
	data = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_DATA);
	verdict = mnl_attr_nest_start(nlh, NFTA_DATA_VERDICT);
	mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE, htonl(code));
	if (chain)
		mnl_attr_put_strz(nlh, NFTA_VERDICT_CHAIN, chain);
	mnl_attr_nest_end(nlh, verdict);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, elem);
	mnl_attr_nest_end(nlh, list);
	return nlh;
}

/* Elements as nft_elem_add() writes them, read back from the message by nft_elems_msg(); and
 * what it refuses instead of trusting. */
static void test_elems_msg(void **state)
{
	const uint8_t k1[4] = { 10, 0, 42, 2 }, k2[6] = { 1, 2, 3, 4, 5, 6 },
		      end2[6] = { 1, 2, 3, 4, 5, 9 }, val3[6] = { 10, 0, 42, 3, 0, 80 };
	struct nftnl_set *set = nft_setref_alloc(
		&(struct nft_setref){ .family = NFPROTO_INET, .name = "s" });
	struct elems_seen seen = { 0 };
	struct nlmsghdr *nlh;
	char buf[4096];

	(void)state;
	assert_non_null(set);
	assert_ok(nft_elem_add(set, &(struct nft_elem){ .key = k1, .len = 4, .owner = "c1/eth0" }));
	assert_ok(nft_elem_add(
		set, &(struct nft_elem){ .key = k2, .len = 6, .key_end = end2, .end_len = 6 }));
	assert_ok(nft_elem_add(
		set,
		&(struct nft_elem){
			.key = k1, .len = 4, .data = val3, .data_len = 6, .owner = "c2/eth1" }));
	assert_ok(nft_elem_add(set, &(struct nft_elem){ .key = k1, .len = 4, .jump = "allow_x" }));
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSETELEM, NFPROTO_INET, 0, 1);
	nftnl_set_elems_nlmsg_build_payload(nlh, set);
	nftnl_set_free(set);
	assert_int_equal(nft_elems_msg(nlh, 7, elems_seen_fn, &seen), 0);
	assert_int_equal(seen.n, 4);
	assert_string_equal(seen.owner[0], "c1/eth0");
	assert_memory_equal(seen.key[0], k1, 4);
	assert_int_equal(seen.len[0], 4);
	assert_string_equal(seen.owner[1], "");
	assert_memory_equal(seen.key[1], k2, 6);
	assert_memory_equal(seen.end[1], end2, 6);
	assert_int_equal(seen.end_len[1], 6);
	assert_memory_equal(seen.data[2], val3, 6);
	assert_int_equal(seen.data_len[2], 6);
	assert_string_equal(seen.owner[2], "c2/eth1");
	assert_string_equal(seen.jump[2], "-");
	assert_string_equal(seen.jump[3], "allow_x");
	assert_int_equal(seen.data_len[3], 0);
	assert_int_equal(seen.verdict[0], -1);
	assert_int_equal(seen.verdict[2], -1); /* data, not a verdict */
	assert_int_equal(seen.verdict[3], NFT_JUMP);

	/* Another message is none of its business. */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSET, NFPROTO_INET, 0, 1);
	seen.n = 0;
	assert_int_equal(nft_elems_msg(nlh, 7, elems_seen_fn, &seen), 0);
	assert_int_equal(seen.n, 0);
	/* A verdict without a chain to jump to, or with an unterminated one, is malformed; an
	 * accept has no chain. */
	assert_int_equal(nft_elems_msg(verdict_elem_msg(buf, (uint32_t)NFT_JUMP, NULL), 7,
				       elems_seen_fn, &seen),
			 -EBADMSG);
	nlh = verdict_elem_msg(buf, (uint32_t)NFT_GOTO, "x");
	buf[nlh->nlmsg_len - 4] = 'y'; /* the chain's "x\0" becomes "xy", its padding */
	buf[nlh->nlmsg_len - 3] = 'z';
	assert_int_equal(nft_elems_msg(nlh, 7, elems_seen_fn, &seen), -EBADMSG);
	assert_int_equal(
		nft_elems_msg(verdict_elem_msg(buf, NF_ACCEPT, NULL), 7, elems_seen_fn, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_string_equal(seen.jump[0], "-");
	assert_int_equal(seen.verdict[0], NF_ACCEPT);
	{
		/* A key longer than a register. */
		uint8_t big[NFT_DATA_VALUE_MAXLEN + 1] = { 0 };
		struct nlattr *list, *elem, *key;

		nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWSETELEM, NFPROTO_INET, 0, 1);
		list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
		elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
		key = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
		mnl_attr_put(nlh, NFTA_DATA_VALUE, sizeof(big), big);
		mnl_attr_nest_end(nlh, key);
		mnl_attr_nest_end(nlh, elem);
		mnl_attr_nest_end(nlh, list);
		assert_int_equal(nft_elems_msg(nlh, 7, elems_seen_fn, &seen), -EBADMSG);
	}
}

struct kernel_elem {
	unsigned n;
	char owner[NFT_OWNER_MAX], jump[NFT_CHAIN_NAME_MAX];
	uint8_t key[NFT_DATA_VALUE_MAXLEN], data[NFT_DATA_VALUE_MAXLEN];
	uint32_t len, data_len;
};

static int kernel_elem_fn(const struct nft_elem_view *v, void *userdata)
{
	struct kernel_elem *k = userdata;

	if (k->n++ > 0)
		return 0;
	snprintf(k->owner, sizeof(k->owner), "%s", v->e.owner);
	snprintf(k->jump, sizeof(k->jump), "%s", v->e.jump ? v->e.jump : "");
	memcpy(k->key, v->e.key, k->len = v->e.len);
	if (v->e.data)
		memcpy(k->data, v->e.data, k->data_len = v->e.data_len);
	return 0;
}

/* A GETSETELEM dump as the kernel sent it (kept in the netlink corpus), every message of it. */
static void read_kernel_dump(const char *name, struct kernel_elem *k)
{
	_cleanup_(freep) char *buf = NULL;
	size_t len;
	const struct nlmsghdr *nlh;

	test_read_corpus("netlink", name, 65536, &buf, &len);
	*k = (struct kernel_elem){ 0 };
	for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, (int)len);
	     nlh = mnl_nlmsg_next(nlh, (int *)&len))
		assert_int_equal(nft_elems_msg(nlh, 0, kernel_elem_fn, k), 0);
}

/* Dumps the kernel sent for a container with a published port and an allowlist (c1/eth0 at
 * 10.0.42.2, -p 8080:80), read as teardown, check and gc read them. */
static void test_elems_kernel(void **state)
{
	const uint8_t addr[4] = { 10, 0, 42, 2 }, target[6] = { 10, 0, 42, 2, 0, 80 };
	struct kernel_elem k;

	(void)state;
	read_kernel_dump("setelem-guard-mac", &k); /* host veth and MAC */
	assert_int_equal(k.n, 1);
	assert_string_equal(k.owner, "c1/eth0");
	assert_int_equal(k.len, 24);
	assert_string_equal((const char *)k.key, "vbba3da249");
	read_kernel_dump("setelem-publish", &k); /* tcp 8080 -> 10.0.42.2:80 */
	assert_int_equal(k.n, 1);
	assert_string_equal(k.owner, "c1/eth0");
	assert_int_equal(k.len, 8);
	assert_int_equal(k.key[0], IPPROTO_TCP);
	assert_int_equal(k.key[4] << 8 | k.key[5], 8080);
	assert_true(k.data_len >= sizeof(target));
	assert_memory_equal(k.data, target, sizeof(target));
	read_kernel_dump("setelem-egress-list", &k); /* the container's address -> its list */
	assert_int_equal(k.n, 1);
	assert_string_equal(k.owner, "c1/eth0");
	assert_int_equal(k.len, 4);
	assert_memory_equal(k.key, addr, 4);
	assert_int_equal(strncmp(k.jump, "allow_", 6), 0);
	assert_int_equal(k.data_len, 0);
}

/* The use count of a chain as GETCHAIN answers it, read without libnftnl. */
static void test_chain_msg_use(void **state)
{
	struct nlmsghdr *nlh;
	char buf[512];
	uint32_t use = 0;

	(void)state;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, NFPROTO_INET, 0, 1);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "brnet");
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "allow_x");
	mnl_attr_put_u32(nlh, NFTA_CHAIN_USE, htonl(3));
	assert_int_equal(nft_chain_msg_use(nlh, &use), 1);
	assert_int_equal(use, 3);
	/* A count of the wrong size is malformed; a chain without one tells nothing. */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, NFPROTO_INET, 0, 1);
	mnl_attr_put_u16(nlh, NFTA_CHAIN_USE, 3);
	assert_int_equal(nft_chain_msg_use(nlh, &use), -EBADMSG);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWCHAIN, NFPROTO_INET, 0, 1);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "allow_x");
	use = 7;
	assert_int_equal(nft_chain_msg_use(nlh, &use), 0);
	assert_int_equal(use, 7);
	/* Another message is not read. */
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWTABLE, NFPROTO_INET, 0, 1);
	mnl_attr_put_u32(nlh, NFTA_CHAIN_USE, htonl(3));
	assert_int_equal(nft_chain_msg_use(nlh, &use), 0);
	assert_int_equal(use, 7);
}

static void test_fingerprint(void **state)
{
	char buf[4096], a[NFT_FINGERPRINT_MAX], b[NFT_FINGERPRINT_MAX];
	struct nft_fingerprint fp;
	struct nlmsghdr *nlh;
	size_t rest;
	int len, n = 0, acked = 0;

	(void)state;
	/* Ten requests, none a dump, only the last acked. */
	len = nft_fingerprint_request(buf, sizeof(buf));
	assert_true(len > 0);
	rest = (size_t)len;
	for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, rest); nlh = nlmsg_next(nlh, &rest)) {
		uint16_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);

		assert_true(type == NFT_MSG_GETTABLE || type == NFT_MSG_GETCHAIN);
		assert_false(nlh->nlmsg_flags & NLM_F_DUMP);
		acked += !!(nlh->nlmsg_flags & NLM_F_ACK);
		n++;
	}
	assert_int_equal(rest, 0);
	assert_int_equal(n, NFT_FP_OBJECTS);
	assert_int_equal(acked, 1);
	assert_true(nlh == (void *)(buf + len));
	assert_int_equal(nft_fingerprint_request(buf, 200), -EMSGSIZE);

	fp_fill(&fp, 3);
	assert_ok(nft_fingerprint_format(&fp, a, sizeof(a)));
	assert_string_equal(a, "netns 4 inet:brnet:1:18 inet:prerouting:1:2 inet:output:2:2 "
			       "inet:postrouting:3:3 inet:input:4:2 inet:forward:5:2 "
			       "inet:egress:6:2 inet:raw:7:2 bridge:brnet:2:4 bridge:guard:4:5");
	/* A rule more or less in one chain is another fingerprint. */
	fp_fill(&fp, 4);
	assert_ok(nft_fingerprint_format(&fp, b, sizeof(b)));
	assert_string_not_equal(a, b);
	assert_int_equal(nft_fingerprint_format(&fp, b, 40), -ENOBUFS);

	/* Another table's objects, a chain we do not know, a rule: none of ours. */
	assert_int_equal(fp_take(&fp, NFPROTO_INET, "filter", "input", 9, 9), 0);
	assert_int_equal(fp_take(&fp, NFPROTO_INET, "brnet", "guard", 9, 9), 0);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_INET, 0, 1);
	assert_int_equal(nft_fingerprint_msg(nlh, &fp), 0);
	/* Without a use count, or with a short handle: malformed. */
	assert_int_equal(fp_take(&fp, NFPROTO_INET, "brnet", "input", 9, UINT32_MAX), -EBADMSG);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWTABLE, NFPROTO_INET, 0, 1);
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, "brnet");
	mnl_attr_put_u32(nlh, NFTA_TABLE_HANDLE, 1);
	mnl_attr_put_u32(nlh, NFTA_TABLE_USE, 1);
	assert_int_equal(nft_fingerprint_msg(nlh, &fp), -EBADMSG);

	/* A chain the kernel did not answer for (deleted): no fingerprint. */
	fp.obj[9].seen = false;
	assert_int_equal(nft_fingerprint_format(&fp, b, sizeof(b)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_masquerade_rule_round_trip),
		cmocka_unit_test(test_masquerade_prefix_mask),
		cmocka_unit_test(test_masquerade_exceptions),
		cmocka_unit_test(test_network_batch),
		cmocka_unit_test(test_publish_rules),
		cmocka_unit_test(test_routed_in_rule),
		cmocka_unit_test(test_network_rules_masquerade),
		cmocka_unit_test(test_publish_keys),
		cmocka_unit_test(test_egress_list_rule),
		cmocka_unit_test(test_egress_reject_rule),
		cmocka_unit_test(test_egress_list_name),
		cmocka_unit_test(test_egress_list_masked),
		cmocka_unit_test(test_publish_batch),
		cmocka_unit_test(test_batch_keys),
		cmocka_unit_test(test_batch_prefault),
		cmocka_unit_test(test_egress_batch_many),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_udata_string),
		cmocka_unit_test(test_elems_msg),
		cmocka_unit_test(test_elems_kernel),
		cmocka_unit_test(test_chain_msg_use),
		cmocka_unit_test(test_forward_drop),
		cmocka_unit_test(test_rule_ends_all),
	};

	return cmocka_run_group_tests_name("nft", tests, NULL, NULL);
}
