/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* iptables-legacy's filter table, as the kernel gave it (kept in fuzz/corpus/legacy), written
 * out as rules and followed from FORWARD. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nft/fweval.h"
#include "lib/nft/hostfw.h"
#include "lib/nft/iptlegacy.h"
#include "shared/macro.h"
#include "test-common.h"

/* The blob a corpus file holds: struct ipt_getinfo, then the entries. */
static int load(const char *name, struct ipt_legacy *t)
{
	_cleanup_(freep) char *buf = NULL;
	struct ipt_getinfo info;
	size_t len;
	int r;

	test_read_corpus("legacy", name, 1 << 20, &buf, &len);
	assert_true(len >= sizeof(info));
	memcpy(&info, buf, sizeof(info));
	assert_int_equal(info.size, len - sizeof(info));
	/* the entries at an aligned address, as the kernel gives them */
	memmove(buf, buf + sizeof(info), len - sizeof(info));
	r = ipt_legacy_rules(&info, buf, len - sizeof(info), t);
	return r;
}

static struct fw_packet packet(const char *iif, const char *oif, const char *subnet)
{
	struct fw_packet p = {
		.nfproto = NFPROTO_IPV4,
		.saddr_bits = 24,
		.ct_state = NF_CT_STATE_BIT(IP_CT_NEW),
		.ct_status_known = IPS_SEEN_REPLY | IPS_DST_NAT,
	};

	snprintf(p.iifname, sizeof(p.iifname), "%s", iif);
	snprintf(p.oifname, sizeof(p.oifname), "%s", oif);
	assert_int_equal(inet_pton(AF_INET, subnet, &p.saddr), 1);
	return p;
}

static enum fw_verdict eval(const struct ipt_legacy *t, const struct fw_packet *p)
{
	const struct fw_table ft = fw_rules_table(&t->r);

	return fw_eval(&ft, "FORWARD", t->forward_policy, p);
}

/*
 * Docker's FORWARD (policy drop, DOCKER-USER first), through iptables-legacy, with a port's
 * drop, the bridge accepted both ways and a source prefix with "-o br+" in DOCKER-USER:
 *   -A DOCKER-USER -p tcp --dport 25 -m comment --comment "no smtp" -j DROP
 *   -A DOCKER-USER -i brnet0 -j ACCEPT
 *   -A DOCKER-USER -o brnet0 -j ACCEPT
 *   -A DOCKER-USER -s 10.0.0.0/8 -o br+ -j ACCEPT
 *   -A DOCKER-USER -j RETURN
 */
static void test_docker(void **state)
{
	struct ipt_legacy t;
	struct fw_packet out = packet("brnet0", "eth0", "10.0.42.0"),
			 in = packet("eth0", "brnet0", "0.0.0.0"),
			 other = packet("br1", "eth0", "10.0.43.0"),
			 between = packet("br1", "br1", "10.0.43.0"),
			 outside = packet("br1", "br1", "192.168.1.0");

	assert_ok(load("docker-user", &t));
	assert_int_equal(t.forward_policy, NF_DROP);
	assert_int_equal(nft_rules_owner(&t.r), NFT_FW_DOCKER);
	in.saddr_bits = 0;
	in.ct_status = IPS_DST_NAT;
	assert_int_equal(eval(&t, &out), FW_ACCEPT);
	assert_int_equal(eval(&t, &in), FW_ACCEPT);
	assert_int_equal(eval(&t, &other), FW_DROP);
	assert_int_equal(eval(&t, &between), FW_ACCEPT); /* -s 10.0.0.0/8 -o br+ */
	assert_int_equal(eval(&t, &outside), FW_DROP);
	ipt_legacy_done(&t);
}

/* RHEL's way: policy accept, the conntrack accept, then -j REJECT for everything else. */
static void test_reject_last(void **state)
{
	struct ipt_legacy t;
	struct fw_packet out = packet("brnet0", "eth0", "10.0.42.0");

	assert_ok(load("reject-last", &t));
	assert_int_equal(t.forward_policy, NF_ACCEPT);
	assert_int_equal(nft_rules_owner(&t.r), NFT_FW_OTHER);
	assert_true(t.r.n >= 2);
	assert_int_equal(nft_rule_ends_all_msg(t.r.msgs[t.r.n - 1]), 1);
	assert_int_equal(nft_rule_ends_all_msg(t.r.msgs[t.r.n - 2]), 0);
	assert_int_equal(eval(&t, &out), FW_DROP);
	ipt_legacy_done(&t);

	/* a table with no rules */
	assert_ok(load("empty", &t));
	assert_int_equal(t.forward_policy, NF_ACCEPT);
	assert_int_equal(t.r.n, 0);
	assert_int_equal(eval(&t, &out), FW_ACCEPT);
	ipt_legacy_done(&t);
}

/* Blobs that do not hold together are refused, whole. */
static void test_malformed(void **state)
{
	_cleanup_(freep) char *buf = NULL;
	struct ipt_getinfo info;
	struct ipt_legacy t;
	struct ipt_entry e;
	size_t len, n;

	test_read_corpus("legacy", "docker-user", 1 << 20, &buf, &len);
	memcpy(&info, buf, sizeof(info));
	n = len - sizeof(info);
	memmove(buf, buf + sizeof(info), n);
	/* cut short: the last entry runs past the end */
	assert_errno(ipt_legacy_rules(&info, buf, n - 8, &t), EBADMSG);
	/* an entry of no length */
	memcpy(&e, buf, sizeof(e));
	e.next_offset = 0;
	memcpy(buf, &e, sizeof(e));
	assert_errno(ipt_legacy_rules(&info, buf, n, &t), EBADMSG);
	/* a target past its entry */
	e.next_offset = sizeof(e) + 8;
	memcpy(buf, &e, sizeof(e));
	assert_errno(ipt_legacy_rules(&info, buf, n, &t), EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_reject_last),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests_name("legacy", tests, NULL, NULL);
}
