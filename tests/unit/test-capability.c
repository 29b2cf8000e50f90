/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A process's credentials from its /proc/PID/status text, and this process's own. */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <unistd.h>

#include "shared/capability.h"
#include "shared/macro.h"
#include "test-common.h"

/* As a kernel writes it, with the lines around those read. */
static const char status_root[] = "Name:\tsleep\n"
				  "Umask:\t0022\n"
				  "State:\tS (sleeping)\n"
				  "Uid:\t0\t0\t0\t0\n"
				  "Gid:\t0\t0\t0\t0\n"
				  "CapInh:\t0000000000000000\n"
				  "CapPrm:\t000001ffffffffff\n"
				  "CapEff:\t000001ffffffffff\n"
				  "CapBnd:\t000001ffffffffff\n"
				  "CapAmb:\t0000000000000000\n"
				  "NoNewPrivs:\t0\n";

static void test_status_creds(void **state)
{
	struct proc_creds c;

	(void)state;
	assert_ok(proc_status_creds(status_root, &c));
	assert_int_equal(c.euid, 0);
	assert_true(c.cap_prm & UINT64_C(1) << CAP_SYS_ADMIN);
	assert_int_equal(c.cap_bnd, UINT64_C(0x1ffffffffff));
	/* The effective id is the second; a set without CAP_SYS_ADMIN (bit 21). */
	assert_ok(proc_status_creds("Uid:\t1000\t65534\t1000\t1000\n"
				    "CapPrm:\t0000000000000000\n"
				    "CapBnd:\t000001ffffdfffff",
				    &c));
	assert_int_equal(c.euid, 65534);
	assert_int_equal(c.cap_prm, 0);
	assert_false(c.cap_bnd & UINT64_C(1) << CAP_SYS_ADMIN);
}

static void test_status_creds_bad(void **state)
{
	static const char *const bad[] = {
		"",
		"Uid:\t0\t0\t0\t0\nCapPrm:\t0\n", /* no CapBnd */
		"Uid:\t0\nCapPrm:\t0\nCapBnd:\t0\n", /* no effective id */
		"Uid:\t0\t4294967296\t0\t0\nCapPrm:\t0\nCapBnd:\t0\n",
		"Uid:\t0\t0\t0\t0\nCapPrm:\tzz\nCapBnd:\t0\n",
		"Uid:\t0\t0\t0\t0\nCapPrm:\t0x\nCapBnd:\t0\n",
		"Uid:\t0\t0\t0\t0\nCapPrm:\t0\nCapBnd:\t10000000000000000\n", /* 65 bits */
		"Uid:\t-1\t0\t0\t0\nCapPrm:\t0\nCapBnd:\t0\n",
		"XUid:\t0\t0\t0\t0\nCapPrm:\t0\nCapBnd:\t0\n", /* a key inside another */
	};
	struct proc_creds c;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_errno(proc_status_creds(bad[i], &c), EBADMSG);
}

/* This process sees itself, in its own namespaces: it could enter its own network namespace
 * exactly when it holds CAP_SYS_ADMIN (or is root with it in its bounding set). */
static void test_can_enter_self(void **state)
{
	int r = process_can_enter_our_netns(getpid());

	(void)state;
	assert_true(r == 0 || r == 1);
	if (capability_effective(CAP_SYS_ADMIN))
		assert_int_equal(r, 1);
	assert_true(process_can_enter_our_netns(0x7ffffffe) < 0); /* no such process */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_creds),
		cmocka_unit_test(test_status_creds_bad),
		cmocka_unit_test(test_can_enter_self),
	};

	return cmocka_run_group_tests_name("capability", tests, NULL, NULL);
}
