/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resolv.conf: what is accepted and how it is written. */
#include <errno.h>

#include "lib/dns/resolv.h"
#include "shared/macro.h"
#include "test-common.h"

static void test_format(void **state)
{
	struct dns_config d = { 0 };
	struct brnet_error err = { 0 };
	char buf[512];

	assert_int_equal(dns_format(&d, buf, sizeof(buf)), (int)strlen("# written by brnet\n"));
	assert_ok(dns_add_server(&d, "10.0.0.53", &err));
	assert_ok(dns_add_server(&d, "192.0.2.1", &err));
	assert_ok(dns_add_search(&d, "example.test", &err));
	assert_ok(dns_add_search(&d, "a-b.c0.example.", &err));
	assert_ok(dns_add_option(&d, "ndots:2", &err));
	assert_ok(dns_add_option(&d, "edns0", &err));
	assert_true(dns_format(&d, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "# written by brnet\n"
				 "nameserver 10.0.0.53\n"
				 "nameserver 192.0.2.1\n"
				 "search example.test a-b.c0.example.\n"
				 "options ndots:2 edns0\n");
	assert_int_equal(dns_format(&d, buf, 40), -ENOBUFS);
}

static void test_invalid(void **state)
{
	static const char *const servers[] = { "",    "1.2.3",	   "1.2.3.4 ",
					       "::1", "010.0.0.1", "256.0.0.1" };
	static const char *const domains[] = { "",    ".",	 "a..b",
					       ".a",  "-a.com",	 "a-.com",
					       "a b", "a_b.com", "x\nnameserver 6.6.6.6" };
	static const char *const options[] = {
		"", ":2", "ndots:", "ndots:x", "NDOTS", "a b", "ndots:2\nnameserver 6.6.6.6"
	};
	struct brnet_error err = { 0 };
	struct dns_config d = { 0 };
	char long_label[80];

	for (size_t i = 0; i < ELEMENTSOF(servers); i++)
		assert_errno(dns_add_server(&d, servers[i], &err), EINVAL);
	for (size_t i = 0; i < ELEMENTSOF(domains); i++)
		assert_errno(dns_add_search(&d, domains[i], &err), EINVAL);
	for (size_t i = 0; i < ELEMENTSOF(options); i++)
		assert_errno(dns_add_option(&d, options[i], &err), EINVAL);
	memset(long_label, 'a', 64);
	strcpy(long_label + 64, ".com");
	assert_errno(dns_add_search(&d, long_label, &err), EINVAL);
	strcpy(long_label + 63, ".com"); /* a 63-byte label is the longest allowed */
	assert_ok(dns_add_search(&d, long_label, &err));
	for (int i = 0; i < DNS_SERVERS_MAX; i++)
		assert_ok(dns_add_server(&d, "10.0.0.1", &err));
	assert_errno(dns_add_server(&d, "10.0.0.4", &err), EINVAL);
	assert_non_null(strstr(err.msg, "10.0.0.4"));
	assert_int_equal(d.n_servers, DNS_SERVERS_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
