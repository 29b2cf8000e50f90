/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The attachment state machine, host veth names, records on disk, and bounded reads. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/record.h"
#include "lib/config/egress.h"
#include "shared/fileio.h"
#include "shared/macro.h"
#include "test-common.h"

static struct brnet_attachment sample(void)
{
	struct brnet_attachment a = {
		.state = ATTACH_UNCONFIGURED, .mtu = 1400, .pid = 42, .pid_start = 123456
	};

	strcpy(a.id, "web");
	strcpy(a.ifname, "eth0");
	strcpy(a.bridge, "brnet0");
	strcpy(a.host_veth, "vb00c0ffee");
	strcpy(a.mac, "02:00:00:00:00:01");
	strcpy(a.netns, "/proc/42/ns/net");
	inprefix_parse_v4("10.0.42.0/24", &a.subnet);
	inaddr_parse_v4("10.0.42.2", &a.address);
	inaddr_parse_v4("10.0.42.1", &a.gateway);
	a.journal = 1u << STEP_LEASE | 1u << STEP_VETH;
	record_update_strings(&a);
	return a;
}

static void test_state_machine(void **state)
{
	static const struct {
		enum attach_state from, to;
		bool ok;
	} cases[] = {
		{ ATTACH_UNCONFIGURED, ATTACH_CONFIGURING, true },
		{ ATTACH_CONFIGURING, ATTACH_ACTIVE, true },
		{ ATTACH_CONFIGURING, ATTACH_CLEANED, true },
		{ ATTACH_ACTIVE, ATTACH_CLEANED, true },
		{ ATTACH_UNCONFIGURED, ATTACH_ACTIVE, false },
		{ ATTACH_UNCONFIGURED, ATTACH_CLEANED, false },
		{ ATTACH_ACTIVE, ATTACH_CONFIGURING, false },
		{ ATTACH_ACTIVE, ATTACH_ACTIVE, false },
		{ ATTACH_CLEANED, ATTACH_ACTIVE, false },
		{ ATTACH_CLEANED, ATTACH_CONFIGURING, false },
		{ ATTACH_CLEANED, ATTACH_CLEANED, false },
	};
	struct brnet_error err = { 0 };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct brnet_attachment a = sample();

		a.state = cases[i].from;
		if (cases[i].ok) {
			assert_ok(attach_state_transition(&a, cases[i].to, &err));
			assert_int_equal(a.state, cases[i].to);
		} else {
			assert_errno(attach_state_transition(&a, cases[i].to, &err), EINVAL);
			assert_int_equal(a.state, cases[i].from);
			assert_non_null(strstr(err.msg, "invalid state change"));
			assert_non_null(strstr(err.msg, attach_state_to_string(cases[i].from)));
		}
	}
}

static void test_veth_name(void **state)
{
	char a[IFNAMSIZ], b[IFNAMSIZ], c[IFNAMSIZ];

	attach_host_veth_name("web", "eth0", a);
	attach_host_veth_name("web", "eth0", b);
	attach_host_veth_name("web", "eth1", c);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_int_equal(strlen(a), 10);
	assert_memory_equal(a, "vb", 2);
	/* Stable across versions: a name is all that ties a host veth to its attachment. */
	assert_string_equal(a, "vbf01607ff");
	/* "ab"+"c" and "a"+"bc" must differ: the separator is hashed too */
	attach_host_veth_name("ab", "c", a);
	attach_host_veth_name("a", "bc", b);
	assert_string_not_equal(a, b);
}

static void test_record_round_trip(void **state)
{
	struct brnet_attachment a = sample(), back;
	struct brnet_error err = { 0 };
	char path[256];
	int dirfd = test_tmpdir(path);

	assert_true(dirfd >= 0);
	a.state = ATTACH_CONFIGURING;
	assert_ok(record_save(dirfd, &a, true, &err));
	assert_errno(record_save(dirfd, &a, true, &err), EEXIST);
	assert_non_null(strstr(err.msg, "already exists"));
	assert_ok(record_load(dirfd, "web", "eth0", &back, &err));
	assert_string_equal(back.host_veth, "vb00c0ffee");
	assert_string_equal(back.address_str, "10.0.42.2/24");
	assert_int_equal(back.state, ATTACH_CONFIGURING);
	assert_int_equal(back.journal, a.journal);
	assert_int_equal(back.pid_start, 123456);
	assert_errno(record_load(dirfd, "web", "eth1", &back, &err), ENOENT);
	assert_ok(record_remove(dirfd, "web", "eth0"));
	assert_ok(record_remove(dirfd, "web", "eth0"));
	close(dirfd);
	test_rmtree(path);
}

static void test_record_corrupt(void **state)
{
	struct brnet_attachment a = sample(), back;
	char why[256];
	char *text = record_format(&a);
	size_t len = strlen(text);

	assert_ok(record_parse(text, len, &back, why, sizeof(why)));
	/* every truncation is refused cleanly */
	for (size_t cut = 0; cut < len - 2; cut += 7)
		assert_errno(record_parse(text, cut, &back, why, sizeof(why)), EBADMSG);
	free(text);
	assert_errno(record_parse("{\"version\":2}", 13, &back, why, sizeof(why)), EBADMSG);
	{
		struct brnet_attachment bad = sample();

		strcpy(bad.id, "../x");
		text = record_format(&bad);
		assert_errno(record_parse(text, strlen(text), &back, why, sizeof(why)), EBADMSG);
		assert_non_null(strstr(why, "../x"));
		free(text);
	}
}

/* The policy round-trips through the record, normalized, and the parsed copy owns it. */
static void test_record_egress(void **state)
{
	struct brnet_attachment a = sample(), back;
	struct brnet_error err = { 0 };
	char why[256], buf[PREFIX_STRLEN], *text;

	assert_ok(egress_add_allow(&a.egress, "10.1.0.0/16", &err));
	assert_ok(egress_add_allow(&a.egress, "10.1.2.0/24", &err));
	assert_ok(egress_add_allow(&a.egress, "8.8.8.8", &err));
	assert_ok(egress_add_port(&a.egress, IPPROTO_TCP, 443, &err));
	text = record_format(&a);
	assert_non_null(text);
	assert_ok(record_parse(text, strlen(text), &back, why, sizeof(why)));
	assert_true(back.egress.on);
	assert_int_equal(back.egress.n_allow, 2);
	assert_string_equal(inprefix_to_string(&back.egress.allow[0], buf), "8.8.8.8/32");
	assert_string_equal(inprefix_to_string(&back.egress.allow[1], buf), "10.1.0.0/16");
	assert_int_equal(back.egress.n_tcp, 1);
	free(text);
	attachment_done(&back);
	attachment_done(&a);
	assert_null(a.egress.allow);
}

/* Reads of len bytes with a bound of max, through a pipe written in full beforehand. */
static int read_pipe(size_t len, size_t max, size_t *ret_len)
{
	_cleanup_(freep) char *data = malloc(len + 1), *back = NULL;
	int p[2], r;

	assert_non_null(data);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)('a' + i % 26);
	assert_ok(pipe(p));
	assert_true(fcntl(p[1], F_SETPIPE_SZ, 1 << 20) >= 0); /* room for all of it */
	assert_int_equal(write(p[1], data, len), (ssize_t)len);
	close(p[1]);
	r = read_fd_bounded(p[0], max, &back, ret_len);
	close(p[0]);
	if (r >= 0) {
		assert_int_equal(*ret_len, len);
		assert_memory_equal(back, data, len);
		assert_int_equal(back[len], '\0');
	}
	return r;
}

static void test_read_bounded(void **state)
{
	size_t len;

	(void)state;
	assert_ok(read_pipe(0, 100, &len));
	assert_ok(read_pipe(400, 1u << 26, &len)); /* a small file under a large bound */
	assert_ok(read_pipe(100000, 1u << 20, &len)); /* grows past its first buffer */
	assert_ok(read_pipe(4096, 4096, &len)); /* exactly the bound, at a buffer's edge */
	assert_ok(read_pipe(10000, 10000, &len));
	assert_int_equal(read_pipe(10001, 10000, &len), -EFBIG);
	assert_int_equal(read_pipe(4097, 4096, &len), -EFBIG);
	assert_int_equal(read_pipe(1, 0, &len), -EFBIG);
	assert_ok(read_pipe(0, 0, &len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_egress),  cmocka_unit_test(test_state_machine),
		cmocka_unit_test(test_veth_name),      cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_record_corrupt), cmocka_unit_test(test_read_bounded),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
