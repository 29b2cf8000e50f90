/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctnetlink: the filtered dump request, the parse of an entry, its delete, and the matcher. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "lib/netlink/ct.h"
#include "test-common.h"

/* The nested attribute of that type directly under parent (a message when nlh is set), or
 * NULL. */
static const struct nlattr *find(const struct nlmsghdr *nlh, const struct nlattr *parent,
				 uint16_t type)
{
	const struct nlattr *a;

	if (nlh) {
		mnl_attr_for_each (a, nlh, sizeof(struct nfgenmsg))
			if (mnl_attr_get_type(a) == type)
				return a;
		return NULL;
	}
	mnl_attr_for_each_nested (a, parent)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static struct inaddr v4(const char *s)
{
	struct inaddr a;

	assert_ok(inaddr_parse_v4(s, &a));
	return a;
}

static void test_dump_one_port(void **state)
{
	char buf[512];
	struct nlbuf b;
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct nlattr *orig, *proto, *ip, *filter;
	const struct nfgenmsg *g;

	nlbuf_init(&b, buf, sizeof(buf));
	ct_build_dump(&b, &(struct ct_filter){ .proto = IPPROTO_UDP,
					       .dport = 5353,
					       .dport_end = 5353,
					       .orig_dst = v4("198.51.100.2") });
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(nlh->nlmsg_type, NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	g = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(g->nfgen_family, AF_INET);

	/* The kernel matches protocol, port and destination: flags 1<<3 | 1<<5 | 1<<1. */
	filter = find(nlh, NULL, CTA_FILTER);
	assert_non_null(filter);
	assert_int_equal(mnl_attr_get_u32(find(NULL, filter, CTA_FILTER_ORIG_FLAGS)), 0x2a);
	assert_null(find(NULL, filter, CTA_FILTER_REPLY_FLAGS));
	orig = find(nlh, NULL, CTA_TUPLE_ORIG);
	proto = find(NULL, orig, CTA_TUPLE_PROTO);
	assert_int_equal(mnl_attr_get_u8(find(NULL, proto, CTA_PROTO_NUM)), IPPROTO_UDP);
	assert_int_equal(ntohs(mnl_attr_get_u16(find(NULL, proto, CTA_PROTO_DST_PORT))), 5353);
	assert_null(find(NULL, proto, CTA_PROTO_SRC_PORT));
	ip = find(NULL, orig, CTA_TUPLE_IP);
	assert_int_equal(mnl_attr_get_u32(find(NULL, ip, CTA_IP_V4_DST)), htonl(0xc6336402));
	assert_null(find(NULL, ip, CTA_IP_V4_SRC));
	assert_null(find(nlh, NULL, CTA_TUPLE_REPLY));
}

static void test_dump_range_and_reply(void **state)
{
	char buf[512];
	struct nlbuf b;
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct nlattr *orig, *reply, *filter;

	/* A range is matched here, not by the kernel: only the protocol goes to it. */
	nlbuf_init(&b, buf, sizeof(buf));
	ct_build_dump(
		&b, &(struct ct_filter){ .proto = IPPROTO_UDP, .dport = 5000, .dport_end = 5010 });
	assert_ok(nlbuf_finish(&b));
	filter = find(nlh, NULL, CTA_FILTER);
	assert_int_equal(mnl_attr_get_u32(find(NULL, filter, CTA_FILTER_ORIG_FLAGS)), 1u << 3);
	orig = find(nlh, NULL, CTA_TUPLE_ORIG);
	assert_null(find(NULL, find(NULL, orig, CTA_TUPLE_PROTO), CTA_PROTO_DST_PORT));
	assert_null(find(NULL, orig, CTA_TUPLE_IP));

	/* Who answers: the reply tuple's source, nothing of the original. */
	nlbuf_init(&b, buf, sizeof(buf));
	ct_build_dump(&b, &(struct ct_filter){ .reply_src = v4("10.0.42.2") });
	assert_ok(nlbuf_finish(&b));
	filter = find(nlh, NULL, CTA_FILTER);
	assert_int_equal(mnl_attr_get_u32(find(NULL, filter, CTA_FILTER_REPLY_FLAGS)), 1u << 0);
	assert_null(find(NULL, filter, CTA_FILTER_ORIG_FLAGS));
	assert_null(find(nlh, NULL, CTA_TUPLE_ORIG));
	reply = find(nlh, NULL, CTA_TUPLE_REPLY);
	assert_int_equal(
		mnl_attr_get_u32(find(NULL, find(NULL, reply, CTA_TUPLE_IP), CTA_IP_V4_SRC)),
		htonl(0x0a002a02));
	assert_null(find(NULL, reply, CTA_TUPLE_PROTO));

	/* Nothing to narrow: a plain dump of the family. */
	nlbuf_init(&b, buf, sizeof(buf));
	ct_build_dump(&b, &(struct ct_filter){ 0 });
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(nlh->nlmsg_len, NLMSG_LENGTH(sizeof(struct nfgenmsg)));
}

/* An entry as the kernel sends one: a client's datagrams to a published port, DNAT'ed. */
static void put_tuple(struct nlbuf *b, uint16_t type, const char *src, const char *dst,
		      uint16_t sport, uint16_t dport)
{
	struct nlattr *t = nlbuf_nest_start(b, type), *n;
	struct inaddr s = v4(src), d = v4(dst);
	uint16_t sp = htons(sport), dp = htons(dport);

	n = nlbuf_nest_start(b, CTA_TUPLE_IP);
	nlbuf_put(b, CTA_IP_V4_SRC, 4, &s.v4);
	nlbuf_put(b, CTA_IP_V4_DST, 4, &d.v4);
	nlbuf_nest_end(b, n);
	n = nlbuf_nest_start(b, CTA_TUPLE_PROTO);
	nlbuf_put_u8(b, CTA_PROTO_NUM, IPPROTO_UDP);
	nlbuf_put(b, CTA_PROTO_SRC_PORT, 2, &sp);
	nlbuf_put(b, CTA_PROTO_DST_PORT, 2, &dp);
	nlbuf_nest_end(b, n);
	nlbuf_nest_end(b, t);
}

static size_t build_entry(char *buf, size_t size, int family, bool with_reply)
{
	struct nfgenmsg g = { .nfgen_family = (uint8_t)family };
	struct nlbuf b;

	nlbuf_init(&b, buf, size);
	nlbuf_begin(&b, NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_NEW, NLM_F_MULTI, &g, sizeof(g));
	put_tuple(&b, CTA_TUPLE_ORIG, "198.51.100.1", "198.51.100.2", 40000, 5353);
	if (with_reply)
		put_tuple(&b, CTA_TUPLE_REPLY, "10.0.42.2", "198.51.100.1", 5353, 40000);
	nlbuf_put_u32(&b, CTA_STATUS, htonl(0x188));
	nlbuf_put_u32(&b, CTA_ID, htonl(0xdeadbeef));
	nlbuf_end(&b);
	assert_ok(nlbuf_finish(&b));
	return b.len;
}

/* e's addresses, UDP ports and id as a parse must give them. */
static void expect_entry(const struct ct_entry *e, const char *osrc, const char *odst,
			 const char *rsrc, uint16_t sport, uint16_t dport)
{
	char a[INADDR_STRLEN];

	assert_string_equal(inaddr_to_string(&e->orig.src, a), osrc);
	assert_string_equal(inaddr_to_string(&e->orig.dst, a), odst);
	assert_string_equal(inaddr_to_string(&e->reply.src, a), rsrc);
	assert_int_equal(e->orig.proto, IPPROTO_UDP);
	assert_int_equal(e->orig.sport, sport);
	assert_int_equal(e->orig.dport, dport);
	assert_true(e->has_id);
	assert_false(e->has_zone);
}

static void test_parse(void **state)
{
	char buf[512];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ct_entry e;

	build_entry(buf, sizeof(buf), AF_INET, true);
	assert_int_equal(ct_parse(nlh, &e), 1);
	expect_entry(&e, "198.51.100.1", "198.51.100.2", "10.0.42.2", 40000, 5353);
	assert_int_equal(e.reply.sport, 5353);
	assert_int_equal(e.id, htonl(0xdeadbeef));

	/* Another family, or another message: not ours to read. */
	build_entry(buf, sizeof(buf), AF_INET6, true);
	assert_int_equal(ct_parse(nlh, &e), 0);
	build_entry(buf, sizeof(buf), AF_INET, true);
	nlh->nlmsg_type = NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE;
	assert_int_equal(ct_parse(nlh, &e), 0);

	/* Malformed: without the reply tuple, or an address of three bytes. */
	build_entry(buf, sizeof(buf), AF_INET, false);
	assert_int_equal(ct_parse(nlh, &e), -EBADMSG);
	build_entry(buf, sizeof(buf), AF_INET, true);
	/* nlmsghdr, nfgenmsg, CTA_TUPLE_ORIG, CTA_TUPLE_IP, then CTA_IP_V4_SRC's length */
	buf[NLMSG_HDRLEN + sizeof(struct nfgenmsg) + 2 * NLA_HDRLEN] = NLA_HDRLEN + 3;
	assert_int_equal(ct_parse(nlh, &e), -EBADMSG);
	/* A header that promises more than there is. */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	assert_int_equal(ct_parse(nlh, &e), -EBADMSG);
}

/* An entry the kernel sent (kept in the netlink corpus): the host's datagram from
 * 198.51.100.2:40000 to 198.51.100.1:5353, tracked. */
static void test_parse_kernel(void **state)
{
	_cleanup_(freep) char *buf = NULL;
	char a[INADDR_STRLEN];
	struct ct_entry e;
	size_t len;

	test_read_corpus("netlink", "ct-udp-entry", 4096, &buf, &len);
	assert_true(len >= NLMSG_HDRLEN);
	assert_int_equal(ct_parse((struct nlmsghdr *)buf, &e), 1);
	expect_entry(&e, "198.51.100.2", "198.51.100.1", "198.51.100.1", 40000, 5353);
	assert_string_equal(inaddr_to_string(&e.reply.dst, a), "198.51.100.2");
}

static void test_delete(void **state)
{
	char buf[512], out[512];
	struct ct_entry e;
	struct nlbuf b;
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)out;
	const struct nlattr *orig, *proto, *ip;

	build_entry(buf, sizeof(buf), AF_INET, true);
	assert_int_equal(ct_parse((struct nlmsghdr *)buf, &e), 1);
	nlbuf_init(&b, out, sizeof(out));
	ct_build_delete(&b, &e);
	assert_ok(nlbuf_finish(&b));
	assert_int_equal(nlh->nlmsg_type, NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	/* The whole original tuple, and the id that guards against a new entry with it. */
	orig = find(nlh, NULL, CTA_TUPLE_ORIG);
	ip = find(NULL, orig, CTA_TUPLE_IP);
	assert_int_equal(mnl_attr_get_u32(find(NULL, ip, CTA_IP_V4_SRC)), htonl(0xc6336401));
	assert_int_equal(mnl_attr_get_u32(find(NULL, ip, CTA_IP_V4_DST)), htonl(0xc6336402));
	proto = find(NULL, orig, CTA_TUPLE_PROTO);
	assert_int_equal(mnl_attr_get_u8(find(NULL, proto, CTA_PROTO_NUM)), IPPROTO_UDP);
	assert_int_equal(ntohs(mnl_attr_get_u16(find(NULL, proto, CTA_PROTO_SRC_PORT))), 40000);
	assert_int_equal(ntohs(mnl_attr_get_u16(find(NULL, proto, CTA_PROTO_DST_PORT))), 5353);
	assert_int_equal(mnl_attr_get_u32(find(nlh, NULL, CTA_ID)), htonl(0xdeadbeef));
	assert_null(find(nlh, NULL, CTA_TUPLE_REPLY));

	/* Port 0 is a port: the kernel wants both to name the entry. */
	e.orig.sport = 0;
	nlbuf_init(&b, out, sizeof(out));
	ct_build_delete(&b, &e);
	assert_ok(nlbuf_finish(&b));
	proto = find(NULL, find(nlh, NULL, CTA_TUPLE_ORIG), CTA_TUPLE_PROTO);
	assert_non_null(find(NULL, proto, CTA_PROTO_SRC_PORT));
	assert_int_equal(mnl_attr_get_u16(find(NULL, proto, CTA_PROTO_SRC_PORT)), 0);
}

static void test_match(void **state)
{
	/* The entry: 198.51.100.1:40000 -> 198.51.100.2:5353/udp, answered by 10.0.42.2. */
	static const struct {
		const char *what;
		uint8_t proto;
		uint16_t dport, dport_end;
		const char *orig_dst, *reply_src, *spare;
		bool match;
	} cases[] = {
		{ "everything", 0, 0, 0, NULL, NULL, NULL, true },
		{ "its port", IPPROTO_UDP, 5353, 5353, NULL, NULL, NULL, true },
		{ "another protocol", IPPROTO_TCP, 5353, 5353, NULL, NULL, NULL, false },
		{ "a range from it", IPPROTO_UDP, 5353, 5400, NULL, NULL, NULL, true },
		{ "a range to it", IPPROTO_UDP, 5300, 5353, NULL, NULL, NULL, true },
		{ "a range ending before it", IPPROTO_UDP, 5300, 5352, NULL, NULL, NULL, false },
		{ "a range starting after it", IPPROTO_UDP, 5354, 5400, NULL, NULL, NULL, false },
		{ "the host address it was sent to", IPPROTO_UDP, 5353, 5353, "198.51.100.2", NULL,
		  NULL, true },
		{ "another host address", IPPROTO_UDP, 5353, 5353, "198.51.100.3", NULL, NULL,
		  false },
		{ "the container answering it", 0, 0, 0, NULL, "10.0.42.2", NULL, true },
		{ "another container", 0, 0, 0, NULL, "10.0.42.3", NULL, false },
		{ "already going to the publisher", IPPROTO_UDP, 5353, 5353, NULL, NULL,
		  "10.0.42.2", false },
		{ "going to another", IPPROTO_UDP, 5353, 5353, NULL, NULL, "10.0.42.3", true },
	};
	char buf[512];
	struct ct_entry e;

	build_entry(buf, sizeof(buf), AF_INET, true);
	assert_int_equal(ct_parse((struct nlmsghdr *)buf, &e), 1);
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct ct_filter f = { .proto = cases[i].proto,
				       .dport = cases[i].dport,
				       .dport_end = cases[i].dport_end };

		if (cases[i].orig_dst)
			f.orig_dst = v4(cases[i].orig_dst);
		if (cases[i].reply_src)
			f.reply_src = v4(cases[i].reply_src);
		if (cases[i].spare)
			f.spare_reply_src = v4(cases[i].spare);
		if (ct_filter_match(&f, &e) != cases[i].match)
			fail_msg("%s: expected %s", cases[i].what,
				 cases[i].match ? "a match" : "none");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_one_port), cmocka_unit_test(test_dump_range_and_reply),
		cmocka_unit_test(test_parse),	      cmocka_unit_test(test_parse_kernel),
		cmocka_unit_test(test_delete),	      cmocka_unit_test(test_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
