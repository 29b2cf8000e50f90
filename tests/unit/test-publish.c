/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The published-port grammar: what is accepted, how it is read, and every refusal. */
#include <errno.h>
#include <netinet/in.h>

#include "brnet.h"
#include "lib/config/config.h"
#include "lib/config/publish.h"
#include "test-common.h"

static void test_valid(void **state)
{
	static const struct {
		const char *in, *canonical;
		unsigned count;
		uint8_t proto;
	} cases[] = {
		{ "8080:80", "8080:80/tcp", 1, IPPROTO_TCP },
		{ "8080:80/udp", "8080:80/udp", 1, IPPROTO_UDP },
		{ "127.0.0.1:8080:80", "127.0.0.1:8080:80/tcp", 1, IPPROTO_TCP },
		{ "8000-8010:9000-9010/tcp", "8000-8010:9000-9010/tcp", 11, IPPROTO_TCP },
		{ "1:65535", "1:65535/tcp", 1, IPPROTO_TCP },
		{ "5-5:7-7", "5:7/tcp", 1, IPPROTO_TCP },
		/* every address, as Docker's users write it: no HOST_IP (nothing is sent to it) */
		{ "0.0.0.0:8080:80/udp", "8080:80/udp", 1, IPPROTO_UDP },
	};
	struct brnet_error err = { 0 };
	char buf[PUBLISH_STRLEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct publish p;

		assert_ok(publish_parse(cases[i].in, &p, &err));
		assert_string_equal(publish_to_string(&p, buf), cases[i].canonical);
		assert_int_equal(publish_count(&p), cases[i].count);
		assert_int_equal(p.proto, cases[i].proto);
		assert_int_equal(p.host_ip.family, strchr(cases[i].canonical, '.') ? AF_INET : 0);
	}
}

static void test_invalid(void **state)
{
	static const struct {
		const char *in, *needle;
	} bad[] = {
		{ "0:80", "1-65535" },
		{ "70000:80", "1-65535" },
		{ "80-90:80-85", "same length" },
		{ "1.2.3:80:80", "not an IPv4 address" },
		{ "80:80/sctpx", "tcp or udp" },
		{ "", "expected" },
		{ "8080", "HOST_PORT:CONTAINER_PORT" },
		{ "080:80", "leading zeros" },
		{ "90-80:90-80", "end before it starts" },
		{ "1.2.3.4:5:6:7", "too many" },
		{ ":80", "1-65535" },
		{ "80:", "1-65535" },
		{ "80:80/", "tcp or udp" },
		{ "80:80/TCP", "tcp or udp" },
		{ "+80:80", "1-65535" },
		{ "8o:80", "1-65535" },
	};
	struct brnet_error err = { 0 };
	struct publish p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_errno(publish_parse(bad[i].in, &p, &err), EINVAL);
		if (!strstr(err.msg, bad[i].needle)) {
			print_error("\"%s\": message \"%s\" lacks \"%s\"\n", bad[i].in, err.msg,
				    bad[i].needle);
			fail();
		}
		assert_non_null(strstr(err.msg, bad[i].in));
	}
}

static void test_config_overlap_and_limits(void **state)
{
	brnet_config *cfg = NULL;
	struct brnet_error err = { 0 };

	assert_ok(brnet_config_new(&cfg));
	assert_ok(brnet_config_add_publish(cfg, "8000-8010:80-90", &err));
	assert_ok(brnet_config_add_publish(cfg, "8005:80/udp", &err)); /* other protocol */
	assert_ok(brnet_config_add_publish(cfg, "127.0.0.1:8005:80", &err)); /* one address */
	assert_errno(brnet_config_add_publish(cfg, "8010-8020:90-100", &err), EINVAL);
	assert_non_null(strstr(err.msg, "overlaps"));
	assert_errno(brnet_config_add_publish(cfg, "10000-14096:10000-14096", &err), EINVAL);
	assert_non_null(strstr(err.msg, "ports in all"));
	brnet_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_config_overlap_and_limits),
	};

	return cmocka_run_group_tests_name("publish", tests, NULL, NULL);
}
