/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Strict address and CIDR grammar, and prefix arithmetic. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

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
	/* an address alone is a /32 there, and only that is new */
	assert_ok(inprefix_parse_v4_or_address("10.0.0.7", &p));
	assert_int_equal(p.len, 32);
	assert_string_equal(inprefix_to_string(&p, buf), "10.0.0.7/32");
	assert_ok(inprefix_parse_v4_or_address("10.0.42.0/24", &p));
	assert_int_equal(p.len, 24);
	assert_string_equal(inprefix_to_string(&p, buf), "10.0.42.0/24");
	for (size_t i = 1; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (inprefix_parse_v4_or_address(bad[i], &p) >= 0) {
			print_error("accepted \"%s\" or an address\n", bad[i]);
			fail();
		}
	assert_int_equal(inprefix_parse_v4_or_address("10.0.0.7 ", &p), -EINVAL);
	assert_int_equal(inprefix_parse_v4_or_address("", &p), -EINVAL);
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

/* Every octet in every place of a dotted quad, and alone, against printf; the bytes written
 * past the end stay within the bound the header gives. */
static void test_put_v4(void **state)
{
	char buf[2 * INADDR_STRLEN], want[INADDR_STRLEN];

	(void)state;
	for (unsigned v = 0; v < 256; v++) {
		for (unsigned place = 0; place < 4; place++) {
			unsigned o[4] = { 1, 22, 133, 4 };
			struct inaddr a;
			char *end;

			o[place] = v;
			a = inaddr_v4_from_host(o[0] << 24 | o[1] << 16 | o[2] << 8 | o[3]);
			memset(buf, 'x', sizeof(buf));
			end = inaddr_put_v4(buf, &a);
			for (char *p = buf + INADDR_STRLEN; p < buf + sizeof(buf); p++)
				assert_int_equal(*p, 'x');
			*end = '\0';
			snprintf(want, sizeof(want), "%u.%u.%u.%u", o[0], o[1], o[2], o[3]);
			assert_string_equal(buf, want);
		}
		memset(buf, 'x', sizeof(buf));
		*put_octet(buf, (uint8_t)v) = '\0';
		snprintf(want, sizeof(want), "%u", v);
		assert_string_equal(buf, want);
		assert_int_equal(buf[INADDR_STRLEN], 'x');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_v4_valid), cmocka_unit_test(test_parse_v4_invalid),
		cmocka_unit_test(test_parse_prefix),   cmocka_unit_test(test_prefix_math),
		cmocka_unit_test(test_put_v4),
	};

	return cmocka_run_group_tests_name("inaddr", tests, NULL, NULL);
}
