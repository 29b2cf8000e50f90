/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Validation tables: every bad value is refused with -EINVAL and a message naming it. */
#include <errno.h>
#include <stdio.h>

#include "brnet.h"
#include "lib/config/config.h"
#include "lib/config/egress.h"
#include "shared/macro.h"
#include "test-common.h"

static void test_ifname(void **state)
{
	static const char *const good[] = { "eth0", "a", "br-net_0.1", "123456789012345" };
	static const char *const bad[] = {
		"", "1234567890123456", "eth 0", "eth/0", "eth:0", ".", "..", "é", "eth0\n"
	};
	struct brnet_error err = { 0 };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_ok(config_check_ifname(good[i], "interface name", &err));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_errno(config_check_ifname(bad[i], "interface name", &err), EINVAL);
		assert_int_equal(err.code, EINVAL);
		assert_non_null(strstr(err.msg, "interface name"));
	}
	assert_errno(config_check_ifname("has space", "bridge name", &err), EINVAL);
	assert_non_null(strstr(err.msg, "\"has space\""));
}

static void test_id(void **state)
{
	static const char *const bad[] = { "",
					   "-x",
					   "_x",
					   ".x",
					   "a/b",
					   "a b",
					   "a@b",
					   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
					   "aaaaaaaaaa" /* 65 */ };
	struct brnet_error err = { 0 };

	assert_ok(config_check_id("web", &err));
	assert_ok(config_check_id(
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", &err));
	assert_ok(config_check_id("pod_1.a-b", &err));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_errno(config_check_id(bad[i], &err), EINVAL);
	assert_errno(config_check_id("a/b", &err), EINVAL);
	assert_non_null(strstr(err.msg, "a/b"));
}

static void test_subnet(void **state)
{
	static const char *const bad[] = { "10.0.42.1/24", "10.0.0.0/7",  "10.0.0.0/31",
					   "10.0.0.0/32",  "010.0.0.0/8", "10.0.42.0",
					   "10.0.42.0/024" };
	struct brnet_error err = { 0 };
	struct inprefix p;

	assert_ok(config_parse_subnet("10.0.0.0/8", &p, &err));
	assert_ok(config_parse_subnet("192.168.1.4/30", &p, &err));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_errno(config_parse_subnet(bad[i], &p, &err), EINVAL);
	assert_errno(config_parse_subnet("10.0.42.1/24", &p, &err), EINVAL);
	assert_non_null(strstr(err.msg, "host bits"));
	assert_non_null(strstr(err.msg, "10.0.42.0/24"));
	assert_errno(config_parse_subnet("10.0.0.0/31", &p, &err), EINVAL);
	assert_non_null(strstr(err.msg, "/8 to /30"));
}

static void test_setters(void **state)
{
	brnet_config *cfg = NULL;
	struct brnet_error err = { 0 };
	char buf[PREFIX_STRLEN];

	assert_ok(brnet_config_new(&cfg));
	assert_string_equal(cfg->bridge, "brnet0");
	assert_string_equal(cfg->ifname, "eth0");
	assert_false(cfg->subnet_set);
	assert_errno(brnet_config_set_mtu(cfg, 67, &err), EINVAL);
	assert_non_null(strstr(err.msg, "67"));
	assert_errno(brnet_config_set_mtu(cfg, 65536, &err), EINVAL);
	assert_ok(brnet_config_set_mtu(cfg, 68, &err));
	assert_ok(brnet_config_set_mtu(cfg, 65535, &err));
	assert_errno(brnet_config_set_address(cfg, "10.0.42.07", &err), EINVAL);
	assert_non_null(strstr(err.msg, "10.0.42.07"));
	assert_errno(brnet_config_set_netns_path(cfg, "relative/path", &err), EINVAL);
	/* The record could not carry it. */
	assert_errno(brnet_config_set_netns_path(cfg, "/run/netns/bad\xff", &err), EINVAL);
	assert_non_null(strstr(err.msg, "UTF-8"));
	assert_ok(brnet_config_set_netns_path(cfg, "/run/netns/caf\xc3\xa9", &err));
	assert_errno(brnet_config_set_pid(cfg, 0, &err), EINVAL);
	assert_errno(brnet_config_set_pid(cfg, -5, &err), EINVAL);
	assert_ok(brnet_config_set_subnet(cfg, "10.1.0.0/16", &err));
	assert_true(cfg->subnet_set);
	/* Ranges no network's interface can use, and their neighbours, which it can; what is
	 * refused leaves the subnet set before. */
	assert_errno(brnet_config_set_subnet(cfg, "0.0.0.0/24", &err), EINVAL);
	assert_non_null(strstr(err.msg, "within 0.0.0.0/8"));
	assert_errno(brnet_config_set_subnet(cfg, "127.1.0.0/16", &err), EINVAL);
	assert_non_null(strstr(err.msg, "\"127.1.0.0/16\": within 127.0.0.0/8, the loopback"));
	assert_errno(brnet_config_set_subnet(cfg, "127.0.0.0/8", &err), EINVAL);
	assert_errno(brnet_config_set_subnet(cfg, "224.1.0.0/24", &err), EINVAL);
	assert_non_null(strstr(err.msg, "within 224.0.0.0/4, the multicast range"));
	assert_errno(brnet_config_set_subnet(cfg, "239.255.255.252/30", &err), EINVAL);
	assert_string_equal(inprefix_to_string(&cfg->subnet, buf), "10.1.0.0/16");
	assert_ok(brnet_config_set_subnet(cfg, "1.0.0.0/8", &err));
	assert_ok(brnet_config_set_subnet(cfg, "126.255.255.252/30", &err));
	assert_ok(brnet_config_set_subnet(cfg, "128.0.0.0/8", &err));
	assert_ok(brnet_config_set_subnet(cfg, "223.255.255.0/24", &err));
	assert_ok(brnet_config_set_subnet(cfg, "240.1.0.0/24", &err)); /* unicast to Linux */
	/* A network recorded by an older brnet is still read. */
	assert_ok(config_parse_subnet("127.1.0.0/24", &(struct inprefix){ 0 }, &err));
	assert_errno(brnet_config_set_bridge(cfg, "this-name-is-too-long", &err), EINVAL);
	assert_string_equal(cfg->bridge, "brnet0");
	brnet_config_free(cfg);
	brnet_config_free(NULL);
}

/* Masquerade exceptions: a set (sorted, without duplicates, order of giving irrelevant, as
 * the network's recorded set is compared with it), each value checked and named. */
static void test_masquerade_exceptions(void **state)
{
	static const char *const bad[] = { "10.0.0.1/8", "10.0.0.0/33", "010.0.0.0/8",
					   "fe80::/10",	 "0.0.0.0/0",	"" };
	brnet_config *cfg = NULL;
	struct brnet_error err = { 0 };
	char cidr[32], got[PREFIX_STRLEN];

	assert_ok(brnet_config_new(&cfg));
	assert_int_equal(cfg->masquerade, -1);
	assert_int_equal(cfg->n_no_masq, 0);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		assert_errno(brnet_config_add_masquerade_exception(cfg, bad[i], &err), EINVAL);
		assert_non_null(strstr(err.msg, bad[i]));
	}
	assert_ok(brnet_config_add_masquerade_exception(cfg, "192.168.1.7", &err));
	assert_ok(brnet_config_add_masquerade_exception(cfg, "10.244.0.0/16", &err));
	assert_ok(brnet_config_add_masquerade_exception(cfg, "10.0.0.0/8", &err));
	assert_ok(brnet_config_add_masquerade_exception(cfg, "10.244.0.0/16", &err));
	assert_int_equal(cfg->n_no_masq, 3);
	assert_string_equal(inprefix_to_string(&cfg->no_masq[0], got), "10.0.0.0/8");
	assert_string_equal(inprefix_to_string(&cfg->no_masq[1], got), "10.244.0.0/16");
	assert_string_equal(inprefix_to_string(&cfg->no_masq[2], got), "192.168.1.7/32");
	for (unsigned i = 0; cfg->n_no_masq < CONFIG_NO_MASQ_MAX; i++) {
		snprintf(cidr, sizeof(cidr), "172.%u.0.0/16", 16 + i);
		assert_ok(brnet_config_add_masquerade_exception(cfg, cidr, &err));
	}
	assert_errno(brnet_config_add_masquerade_exception(cfg, "203.0.113.0/24", &err), EINVAL);
	assert_non_null(strstr(err.msg, "at most 8"));
	assert_ok(brnet_config_add_masquerade_exception(cfg, "10.0.0.0/8", &err)); /* had it */
	assert_ok(brnet_config_set_masquerade(cfg, false));
	assert_int_equal(cfg->masquerade, 0);
	brnet_config_free(cfg);
}

/* Prefixes inside another are dropped and the rest sorted. */
static void test_egress_normalize(void **state)
{
	static const char *const in[] = { "10.1.2.0/24",   "192.168.1.1",    "10.1.0.0/16",
					  "172.16.0.0/12", "192.168.1.1/32", "10.0.0.0/8",
					  "172.16.5.0/24", "8.8.8.8/32" };
	static const char *const out[] = { "8.8.8.8/32", "10.0.0.0/8", "172.16.0.0/12",
					   "192.168.1.1/32" };
	struct egress_policy p = { 0 }, copy;
	struct brnet_error err = { 0 };
	char buf[PREFIX_STRLEN];

	for (size_t i = 0; i < ELEMENTSOF(in); i++)
		assert_ok(egress_add_allow(&p, in[i], &err));
	assert_true(p.on);
	assert_int_equal(p.n_allow, ELEMENTSOF(in));
	egress_policy_normalize(&p);
	assert_int_equal(p.n_allow, ELEMENTSOF(out));
	for (size_t i = 0; i < ELEMENTSOF(out); i++)
		assert_string_equal(egress_prefix_to_string(&p.allow[i], buf), out[i]);
	/* a copy owns its own array */
	assert_ok(egress_policy_copy(&copy, &p));
	assert_ptr_not_equal(copy.allow, p.allow);
	egress_policy_done(&p);
	assert_null(p.allow);
	assert_int_equal(copy.n_allow, ELEMENTSOF(out));
	assert_string_equal(egress_prefix_to_string(&copy.allow[3], buf), "192.168.1.1/32");
	egress_policy_done(&copy);
}

/* Ten thousand destinations are ten thousand elements, normalized in O(n). */
static void test_egress_many(void **state)
{
	struct egress_policy p = { 0 };
	struct brnet_error err = { 0 };
	char cidr[32];

	for (unsigned j = 10000; j >= 1; j--) {
		snprintf(cidr, sizeof(cidr), "100.%u.%u.%u/32", 64 + (j >> 16), (j >> 8) & 255,
			 j & 255);
		assert_ok(egress_add_allow(&p, cidr, &err));
	}
	assert_ok(egress_add_allow(&p, "100.64.0.0/24", &err)); /* covers the first 255 */
	egress_policy_normalize(&p);
	assert_int_equal(p.n_allow, 10000 - 255 + 1);
	for (size_t i = 1; i < p.n_allow; i++)
		assert_true(p.allow[i - 1].net < p.allow[i].net);
	egress_policy_done(&p);
}

/* Random prefixes of lengths shortest to 32, their addresses varying in the bits of spread
 * (the others those of 10.1.2.3): the result is in order, none is inside another, each is one
 * given, and every prefix given is inside one kept. */
static void egress_normalize_random(unsigned shortest, uint32_t spread)
{
	enum { N = 3000 };
	struct egress_policy p = { 0 };
	struct brnet_error err = { 0 };
	struct egress_prefix in[N];
	uint32_t x = 12345;
	char cidr[PREFIX_STRLEN];

	for (size_t i = 0; i < N; i++) {
		unsigned len;
		uint32_t net;

		x = x * 1103515245u + 12345u;
		len = shortest + (x >> 16) % (33 - shortest);
		x = x * 1103515245u + 12345u;
		net = ((x ^ x << 13) & spread) | (0x0a010203 & ~spread);
		in[i] = (struct egress_prefix){ net & prefix_v4_mask(len), (uint8_t)len };
		assert_ok(egress_add_allow(&p, egress_prefix_to_string(&in[i], cidr), &err));
	}
	egress_policy_normalize(&p);
	for (size_t i = 1; i < p.n_allow; i++) {
		uint64_t a = (uint64_t)p.allow[i - 1].net << 8 | p.allow[i - 1].len;
		uint64_t b = (uint64_t)p.allow[i].net << 8 | p.allow[i].len;

		assert_true(a < b);
	}
	for (size_t i = 0; i < p.n_allow; i++) {
		bool given = false;

		for (size_t j = 0; j < p.n_allow; j++)
			assert_false(i != j && p.allow[i].len <= p.allow[j].len &&
				     egress_prefix_contains(&p.allow[i], p.allow[j].net));
		for (size_t j = 0; j < N && !given; j++)
			given = p.allow[i].net == in[j].net && p.allow[i].len == in[j].len;
		assert_true(given);
	}
	for (size_t i = 0; i < N; i++) {
		bool covered = false;

		for (size_t j = 0; j < p.n_allow && !covered; j++)
			covered = p.allow[j].len <= in[i].len &&
				  egress_prefix_contains(&p.allow[j], in[i].net);
		assert_true(covered);
	}
	egress_policy_done(&p);
}

/* Lengths 8 to 32 anywhere: most buckets of the first byte small, sorted by insertion. */
static void test_egress_normalize_random(void **state)
{
	egress_normalize_random(8, UINT32_MAX);
}

/* Addresses alone: every prefix in the length's one bucket. */
static void test_egress_normalize_random_addresses(void **state)
{
	egress_normalize_random(32, UINT32_MAX);
}

/* Near each other, each given many times: the first bytes alike, and a bucket of the fourth,
 * then of the length, holding more than the insertion sort takes. */
static void test_egress_normalize_random_near(void **state)
{
	egress_normalize_random(30, 0x3f); /* 3000 in 64 addresses, /30 to /32 */
	egress_normalize_random(28, 0x3fff);
}

/* A CIDR is matched at the next multiple of 4 up, as 2^(that - length) elements. */
static void test_egress_buckets(void **state)
{
	struct egress_policy p = { 0 };
	struct brnet_error err = { 0 };

	assert_int_equal(egress_bucket(0), 4);
	assert_int_equal(egress_bucket(1), 4);
	assert_int_equal(egress_bucket(8), 8);
	assert_int_equal(egress_bucket(9), 12);
	assert_int_equal(egress_bucket(18), 20);
	assert_int_equal(egress_bucket(20), 20);
	assert_int_equal(egress_bucket(31), 32);
	assert_int_equal(egress_bucket(32), 32);
	assert_ok(egress_add_allow(&p, "10.0.0.0/20", &err)); /* one /20 */
	assert_ok(egress_add_allow(&p, "10.1.0.0/17", &err)); /* 8 /20s */
	assert_ok(egress_add_allow(&p, "192.168.1.1", &err)); /* 1 /32 */
	assert_ok(egress_add_allow(&p, "0.0.0.0/0", &err)); /* 16 /4s */
	assert_int_equal(egress_allow_elements(&p, 20), 9);
	assert_int_equal(egress_allow_elements(&p, 32), 1);
	assert_int_equal(egress_allow_elements(&p, 4), 16);
	assert_int_equal(egress_allow_elements(&p, 24), 0);
	assert_int_equal(egress_allow_elements(&p, 0), 26);
	egress_policy_normalize(&p); /* 0.0.0.0/0 covers everything */
	assert_int_equal(egress_allow_elements(&p, 0), 16);
	egress_policy_done(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ifname),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_subnet),
		cmocka_unit_test(test_setters),
		cmocka_unit_test(test_egress_normalize),
		cmocka_unit_test(test_egress_many),
		cmocka_unit_test(test_egress_normalize_random),
		cmocka_unit_test(test_egress_normalize_random_addresses),
		cmocka_unit_test(test_egress_normalize_random_near),
		cmocka_unit_test(test_egress_buckets),
		cmocka_unit_test(test_masquerade_exceptions),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
