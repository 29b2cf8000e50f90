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

/* A host's resolv.conf, read for what a container's namespace can use of it. */
static void test_parse(void **state)
{
	static const char host[] = "# a comment\n"
				   "; another\n"
				   "nameserver 127.0.0.53\n"
				   "nameserver\t192.0.2.53 # the first that counts\n"
				   "nameserver ::1\n"
				   "nameserver 2001:db8::53\n"
				   "nameserver 127.1.2.3\n"
				   "nameserver 300.1.1.1\n"
				   "nameserver 192.0.2.54\r\n"
				   "search old.example\n"
				   "domain dom.example\n"
				   "search a.example bad..name b.example ; c.example\n"
				   "options ndots:2 Bad edns0\n"
				   "nameserver 192.0.2.55\n"
				   "nameserver 192.0.2.56\n"
				   "options timeout:1";
	struct dns_config d = { 0 }, again = { 0 };
	struct brnet_error err = { 0 };
	char buf[512], a[INADDR_STRLEN];

	/* Loopback, IPv6 and malformed resolvers skipped; three at most; the last search or
	 * domain line, its bad names and what follows a comment left out; options add up. */
	assert_int_equal(dns_parse(host, sizeof(host) - 1, &d), 3);
	assert_int_equal(d.n_servers, 3);
	assert_string_equal(inaddr_to_string(&d.servers[0], a), "192.0.2.53");
	assert_string_equal(inaddr_to_string(&d.servers[1], a), "192.0.2.54");
	assert_string_equal(inaddr_to_string(&d.servers[2], a), "192.0.2.55");
	assert_int_equal(d.n_search, 2);
	assert_string_equal(d.search[0], "a.example");
	assert_string_equal(d.search[1], "b.example");
	assert_int_equal(d.n_options, 3);
	assert_string_equal(d.options[0], "ndots:2");
	assert_string_equal(d.options[1], "edns0");
	assert_string_equal(d.options[2], "timeout:1");

	/* What brnet writes reads back the same. */
	assert_true(dns_format(&d, buf, sizeof(buf)) > 0);
	assert_int_equal(dns_parse(buf, strlen(buf), &again), 3);
	assert_int_equal(again.n_servers, d.n_servers);
	for (unsigned i = 0; i < d.n_servers; i++)
		assert_true(inaddr_equal(&again.servers[i], &d.servers[i]));
	assert_int_equal(again.n_search, d.n_search);
	for (unsigned i = 0; i < d.n_search; i++)
		assert_string_equal(again.search[i], d.search[i]);
	assert_int_equal(again.n_options, d.n_options);
	for (unsigned i = 0; i < d.n_options; i++)
		assert_string_equal(again.options[i], d.options[i]);

	/* Only the host's own resolvers: none taken, and the settings already there kept. */
	d = (struct dns_config){ 0 };
	assert_ok(dns_add_search(&d, "mine.example", &err));
	assert_int_equal(dns_parse("nameserver 127.0.0.53\nsearch x.example\n", 38, &d), 0);
	assert_int_equal(d.n_servers, 0);
	assert_int_equal(d.n_search, 1);
	assert_string_equal(d.search[0], "mine.example");
	assert_int_equal(dns_parse("", 0, &d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
