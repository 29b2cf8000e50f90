/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict address and CIDR grammar, and prefix arithmetic. */
#include <arpa/inet.h>
#include <errno.h>

#include "shared/inaddr.h"
#include "test-common.h"

static void test_parse_v4_valid(void **state)
{
	static const struct {
		const char *in;
		uint32_t host;
	} cases[] = {
		{ "0.0.0.0", 0 },
		{ "10.0.42.1", 0x0a002a01 },
		{ "255.255.255.255", 0xffffffff },
		{ "192.168.100.200", 0xc0a864c8 },
		{ "1.2.3.4", 0x01020304 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct inaddr a;

		assert_ok(inaddr_parse_v4(cases[i].in, &a));
		assert_int_equal(a.family, AF_INET);
		assert_int_equal(inaddr_v4_host(&a), cases[i].host);
	}
}

static void test_parse_v4_invalid(void **state)
{
	static const char *const bad[] = {
		"",	     "1",	   "1.2.3",	"1.2.3.4.5",	     "01.2.3.4", "1.2.3.04",
		"1.2.3.256", "1.2.3.-1",   "1.2.3.4 ",	" 1.2.3.4",	     "1..3.4",	 "1.2.3.",
		"a.b.c.d",   "1.2.3.4/24", "0x1.2.3.4", "1.2.3.99999999999", "::1",
	};
	struct inaddr a = { .family = 99 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (inaddr_parse_v4(bad[i], &a) >= 0) {
			print_error("accepted \"%s\"\n", bad[i]);
			fail();
		}
		assert_int_equal(a.family, 99); /* untouched on failure */
	}
	assert_true(inaddr_parse_v4(NULL, &a) < 0);
}

static void test_parse_prefix(void **state)
{
	static const char *const bad[] = {
		"10.0.0.0",    "10.0.0.0/",   "10.0.0.0/33",  "10.0.0.0/08",
		"10.0.0.0/-1", "10.0.0.0/8x", "10.0.0.0/8/8", "010.0.0.0/8",
	};
	struct inprefix p;
	char buf[PREFIX_STRLEN];

	assert_ok(inprefix_parse_v4("10.0.42.0/24", &p));
	assert_int_equal(p.len, 24);
	assert_string_equal(inprefix_to_string(&p, buf), "10.0.42.0/24");
	assert_ok(inprefix_parse_v4("0.0.0.0/0", &p));
	assert_int_equal(p.len, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (inprefix_parse_v4(bad[i], &p) >= 0) {
			print_error("accepted \"%s\"\n", bad[i]);
			fail();
		}
}

static void test_prefix_math(void **state)
{
	struct inprefix p;
	struct inaddr a, gw, brd;
	char buf[INADDR_STRLEN];

	assert_ok(inprefix_parse_v4("10.0.42.128/25", &p));
	assert_true(inprefix_host_bits_clear(&p));
	gw = inprefix_v4_first_host(&p);
	brd = inprefix_v4_broadcast(&p);
	assert_string_equal(inaddr_to_string(&gw, buf), "10.0.42.129");
	assert_string_equal(inaddr_to_string(&brd, buf), "10.0.42.255");
	assert_ok(inaddr_parse_v4("10.0.42.127", &a));
	assert_false(inprefix_contains(&p, &a));
	assert_ok(inaddr_parse_v4("10.0.42.200", &a));
	assert_true(inprefix_contains(&p, &a));

	assert_ok(inprefix_parse_v4("10.0.42.1/24", &p));
	assert_false(inprefix_host_bits_clear(&p));
	assert_int_equal(prefix_v4_mask(0), 0);
	assert_int_equal(prefix_v4_mask(32), 0xffffffff);
	assert_int_equal(prefix_v4_mask(8), 0xff000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_v4_valid),
		cmocka_unit_test(test_parse_v4_invalid),
		cmocka_unit_test(test_parse_prefix),
		cmocka_unit_test(test_prefix_math),
	};

	return cmocka_run_group_tests_name("inaddr", tests, NULL, NULL);
}
