/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The allocator (next-fit, any prefix, never fails while an address is free) and its store. */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/ipam/ipam.h"
#include "shared/fileio.h"
#include "shared/macro.h"
#include "test-common.h"

static struct lease_db db_for(const char *cidr)
{
	struct lease_db db;
	struct inprefix p;

	assert_ok(inprefix_parse_v4(cidr, &p));
	lease_db_init(&db, &p);
	return db;
}

static const char *alloc(struct lease_db *db, const char *id, char buf[static INADDR_STRLEN])
{
	struct inaddr a;
	struct brnet_error err = { 0 };

	assert_ok(lease_db_allocate(db, id, "eth0", NULL, &a, &err));
	return inaddr_to_string(&a, buf);
}

static void test_slash30(void **state)
{
	struct lease_db db = db_for("192.168.7.4/30");
	struct brnet_error err = { 0 };
	struct inaddr a;
	char buf[INADDR_STRLEN];

	/* .4 network, .5 gateway, .7 broadcast: exactly one address. */
	assert_string_equal(alloc(&db, "a", buf), "192.168.7.6");
	assert_errno(lease_db_allocate(&db, "b", "eth0", NULL, &a, &err), ENOSPC);
	assert_non_null(strstr(err.msg, "192.168.7.4/30 is full"));
	assert_int_equal(lease_db_release(&db, "a", "eth0"), 1);
	assert_int_equal(lease_db_release(&db, "a", "eth0"), 0);
	assert_string_equal(alloc(&db, "b", buf), "192.168.7.6");
	lease_db_done(&db);
}

static void test_slash29_full_and_next_fit_wrap(void **state)
{
	struct lease_db db = db_for("10.9.0.8/29");
	struct brnet_error err = { 0 };
	struct inaddr a;
	char buf[INADDR_STRLEN], id[8];

	/* .8 network, .9 gateway, .10 - .14 allocatable, .15 broadcast. */
	for (int i = 0; i < 5; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		snprintf(buf, sizeof(buf), "10.9.0.%d", 10 + i);
		char got[INADDR_STRLEN];

		assert_string_equal(alloc(&db, id, got), buf);
	}
	assert_errno(lease_db_allocate(&db, "x", "eth0", NULL, &a, &err), ENOSPC);
	/* Free .11 and .13: next-fit continues after .14, wraps, takes .11, then .13. */
	assert_int_equal(lease_db_release(&db, "c1", "eth0"), 1);
	assert_int_equal(lease_db_release(&db, "c3", "eth0"), 1);
	assert_string_equal(alloc(&db, "n1", buf), "10.9.0.11");
	assert_string_equal(alloc(&db, "n2", buf), "10.9.0.13");
	assert_errno(lease_db_allocate(&db, "x", "eth0", NULL, &a, &err), ENOSPC);
	lease_db_done(&db);
}

static void test_next_fit_does_not_reuse_freed_first(void **state)
{
	struct lease_db db = db_for("10.0.42.0/24");
	char buf[INADDR_STRLEN];

	assert_string_equal(alloc(&db, "a", buf), "10.0.42.2");
	assert_string_equal(alloc(&db, "b", buf), "10.0.42.3");
	assert_int_equal(lease_db_release(&db, "a", "eth0"), 1);
	assert_string_equal(alloc(&db, "c", buf), "10.0.42.4");
	lease_db_done(&db);
}

static void test_slash25_upper_half(void **state)
{
	struct lease_db db = db_for("10.0.42.128/25");
	struct brnet_error err = { 0 };
	struct inaddr a, want;
	char buf[INADDR_STRLEN];

	assert_string_equal(alloc(&db, "a", buf), "10.0.42.130");
	assert_ok(inaddr_parse_v4("10.0.42.254", &want));
	assert_ok(lease_db_allocate(&db, "b", "eth0", &want, &a, &err));
	/* the wrap goes back to the bottom of the range, not to .0 or .128 */
	assert_string_equal(alloc(&db, "c", buf), "10.0.42.131");
	for (int i = 0; i < 122; i++) { /* .130 - .254 is 125 addresses */
		char id[8];

		snprintf(id, sizeof(id), "f%d", i);
		alloc(&db, id, buf);
	}
	assert_errno(lease_db_allocate(&db, "x", "eth0", NULL, &a, &err), ENOSPC);
	for (size_t i = 0; i < db.n; i++) {
		uint32_t h = inaddr_v4_host(&db.leases[i].address) & 0xff;

		assert_true(h >= 130 && h <= 254);
	}
	lease_db_done(&db);
}

static void test_slash16_crosses_octets(void **state)
{
	struct lease_db db = db_for("172.20.0.0/16");
	char buf[INADDR_STRLEN], id[16];

	for (int i = 0; i < 300; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		alloc(&db, id, buf);
	}
	assert_string_equal(buf, "172.20.1.45");
	lease_db_done(&db);
}

static void test_requested_address(void **state)
{
	struct lease_db db = db_for("10.0.42.0/24");
	struct brnet_error err = { 0 };
	struct inaddr a, want;

	assert_ok(inaddr_parse_v4("10.0.42.1", &want));
	assert_errno(lease_db_allocate(&db, "a", "eth0", &want, &a, &err), EINVAL);
	assert_non_null(strstr(err.msg, "10.0.42.1"));
	assert_ok(inaddr_parse_v4("10.0.42.255", &want));
	assert_errno(lease_db_allocate(&db, "a", "eth0", &want, &a, &err), EINVAL);
	assert_ok(inaddr_parse_v4("10.0.43.5", &want));
	assert_errno(lease_db_allocate(&db, "a", "eth0", &want, &a, &err), EINVAL);
	assert_ok(inaddr_parse_v4("10.0.42.50", &want));
	assert_ok(lease_db_allocate(&db, "a", "eth0", &want, &a, &err));
	assert_errno(lease_db_allocate(&db, "b", "eth0", &want, &a, &err), EADDRINUSE);
	assert_non_null(strstr(err.msg, "taken by a/eth0"));
	assert_errno(lease_db_allocate(&db, "a", "eth0", NULL, &a, &err), EEXIST);
	/* same id, other interface: a second attachment */
	assert_ok(lease_db_allocate(&db, "a", "eth1", NULL, &a, &err));
	lease_db_done(&db);
}

static void test_next_free_pure(void **state)
{
	uint32_t used[] = { 10, 11, 12 }, got;

	assert_ok(ipam_next_free(10, 14, 0, used, 3, &got));
	assert_int_equal(got, 13);
	assert_ok(ipam_next_free(10, 14, 14, used, 3, &got));
	assert_int_equal(got, 13);
	assert_ok(ipam_next_free(10, 14, 13, used, 3, &got));
	assert_int_equal(got, 14);
	assert_errno(ipam_next_free(10, 12, 11, used, 3, &got), ENOSPC);
	assert_errno(ipam_next_free(5, 4, 0, NULL, 0, &got), ENOSPC);
}

/* An older brnet's leases.json: its exact form loads, anything else is refused naming it. */
static void test_legacy_file_and_corruption(void **state)
{
	static const char legacy[] =
		"{\"subnet\":\"10.0.42.0/24\",\"last\":\"10.0.42.3\",\"leases\":[{\"address\":"
		"\"10.0.42.2\",\"id\":\"a\",\"ifname\":\"eth0\"},{\"address\":\"10.0.42.3\","
		"\"id\":\"b\",\"ifname\":\"eth0\"}]}";
	struct lease_db back = db_for("10.0.42.0/24");
	struct brnet_error err = { 0 };
	char path[256], buf[INADDR_STRLEN];
	int dirfd = test_tmpdir(path);

	assert_true(dirfd >= 0);
	/* a missing file is an empty table */
	assert_ok(lease_db_load(dirfd, path, &back, &err));
	assert_int_equal(back.n, 0);
	assert_ok(write_file_new(dirfd, "leases.json", legacy, strlen(legacy)));
	assert_ok(lease_db_load(dirfd, path, &back, &err));
	assert_int_equal(back.n, 2);
	assert_string_equal(inaddr_to_string(&back.last, buf), "10.0.42.3");
	assert_string_equal(alloc(&back, "c", buf), "10.0.42.4");

	static const char *const corrupt[] = {
		"",
		"{",
		"[]",
		"{\"subnet\":\"10.0.42.0/24\"}",
		"{\"subnet\":\"10.1.0.0/16\",\"leases\":[]}",
		"{\"subnet\":\"10.0.42.0/"
		"24\",\"leases\":[{\"address\":\"10.0.42.1\",\"id\":\"a\",\"ifname\":\"eth0\"}]}",
		"{\"subnet\":\"10.0.42.0/"
		"24\",\"leases\":[{\"address\":\"10.0.42.2\",\"id\":\"a\",\"ifname\":\"eth0\"},{"
		"\"address\":\"10.0.42.2\",\"id\":\"b\",\"ifname\":\"eth0\"}]}",
		"{\"subnet\":\"10.0.42.0/24\",\"subnet\":\"10.0.42.0/24\",\"leases\":[]}",
		"{\"subnet\":\"10.0.42.0/24\",\"leases\":[{\"address\":\"10.0.42.2\",\"id\":\"a/"
		"b\",\"ifname\":\"eth0\"}]}",
	};
	for (size_t i = 0; i < sizeof(corrupt) / sizeof(corrupt[0]); i++) {
		struct lease_db d = db_for("10.0.42.0/24");
		int fd = openat(dirfd, "leases.json", O_WRONLY | O_TRUNC | O_CREAT, 0600);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, corrupt[i], strlen(corrupt[i])),
				 (ssize_t)strlen(corrupt[i]));
		close(fd);
		assert_errno(lease_db_load(dirfd, path, &d, &err), EBADMSG);
		assert_non_null(strstr(err.msg, "leases.json"));
		/* and the store refuses to start from it: nothing is handed out */
		assert_errno(lease_store_open(dirfd, path, &d.subnet, true, &err), EBADMSG);
		assert_int_equal(faccessat(dirfd, "leases", F_OK, 0), -1);
		lease_db_done(&d);
	}
	lease_db_done(&back);
	close(dirfd);
	test_rmtree(path);
}

static const char *store_alloc(int dirfd, const char *path, const char *cidr, const char *id,
			       const char *want, char buf[static INADDR_STRLEN])
{
	struct lease_db db = db_for(cidr);
	struct brnet_error err = { 0 };
	struct inaddr a, w = { 0 };
	int fd = lease_store_open(dirfd, path, &db.subnet, true, &err);

	assert_true(fd >= 0);
	if (want)
		assert_ok(inaddr_parse_v4(want, &w));
	assert_ok(lease_store_allocate(fd, path, &db, id, "eth0", &w, &a, &err));
	lease_db_done(&db);
	close(fd);
	return inaddr_to_string(&a, buf);
}

static void assert_file(int dirfd, const char *name, const char *content)
{
	_cleanup_(freep) char *text = NULL;
	size_t len;

	assert_ok(read_file_bounded(dirfd, name, 4096, &text, &len));
	assert_string_equal(text, content);
}

/* A file per lease, the cursor a symlink; next-fit across releases; the address after the
 * cursor taken sends allocation to the whole directory; release and owner by address. */
static void test_store(void **state)
{
	struct lease_db db = db_for("10.0.42.0/24");
	struct brnet_error err = { 0 };
	char path[256], buf[INADDR_STRLEN], id[BRNET_ID_MAX + 1], ifname[IFNAMSIZ], target[32];
	struct inaddr a;
	int dirfd = test_tmpdir(path), fd;

	assert_true(dirfd >= 0);
	/* without make, a missing directory is not made */
	assert_errno(lease_store_open(dirfd, path, &db.subnet, false, &err), ENOENT);
	assert_int_equal(faccessat(dirfd, "leases", F_OK, 0), -1);
	fd = lease_store_open(dirfd, path, &db.subnet, true, &err);
	assert_true(fd >= 0);
	assert_string_equal(store_alloc(dirfd, path, "10.0.42.0/24", "a", NULL, buf), "10.0.42.2");
	assert_string_equal(store_alloc(dirfd, path, "10.0.42.0/24", "b", NULL, buf), "10.0.42.3");
	assert_file(dirfd, "leases/10.0.42.2", "a eth0\n");
	assert_file(dirfd, "leases/10.0.42.3", "b eth0\n");
	target[readlinkat(dirfd, "leases/last", target, sizeof(target) - 1)] = '\0';
	assert_string_equal(target, "10.0.42.3");

	/* released: reused last */
	assert_ok(inaddr_parse_v4("10.0.42.2", &a));
	assert_int_equal(lease_store_release(fd, path, &db.subnet, &a, "a", "eth0", &err), 1);
	assert_int_equal(faccessat(dirfd, "leases/10.0.42.2", F_OK, 0), -1);
	assert_string_equal(store_alloc(dirfd, path, "10.0.42.0/24", "c", NULL, buf), "10.0.42.4");

	/* a wanted address that is taken names its holder */
	{
		struct lease_db d = db_for("10.0.42.0/24");
		struct inaddr w, got;

		assert_ok(inaddr_parse_v4("10.0.42.3", &w));
		assert_errno(lease_store_allocate(fd, path, &d, "x", "eth0", &w, &got, &err),
			     EADDRINUSE);
		assert_string_equal(err.msg, "address 10.0.42.3 is taken by b/eth0");
		lease_db_done(&d);
	}
	assert_string_equal(store_alloc(dirfd, path, "10.0.42.0/24", "w", "10.0.42.200", buf),
			    "10.0.42.200");

	/* the cursor gone, the first address is tried, is taken (.3), and the directory is
	 * read: the first free one is .2 */
	assert_ok(unlinkat(dirfd, "leases/last", 0));
	assert_string_equal(store_alloc(dirfd, path, "10.0.42.0/24", "d", NULL, buf), "10.0.42.2");
	/* after the cursor: .3 and .4 taken, .5 free */
	assert_string_equal(store_alloc(dirfd, path, "10.0.42.0/24", "e", NULL, buf), "10.0.42.5");

	/* owners */
	assert_ok(inaddr_parse_v4("10.0.42.4", &a));
	assert_ok(lease_store_owner(fd, path, &a, id, ifname, &err));
	assert_string_equal(id, "c");
	assert_string_equal(ifname, "eth0");
	/* another's lease at the recorded address is left alone */
	assert_int_equal(lease_store_release(fd, path, &db.subnet, &a, "b", "eth0", &err), 0);
	assert_ok(faccessat(dirfd, "leases/10.0.42.4", F_OK, 0));
	/* without an address, found by its owner */
	assert_int_equal(lease_store_release(fd, path, &db.subnet, NULL, "c", "eth0", &err), 1);
	assert_errno(lease_store_owner(fd, path, &a, id, ifname, &err), ENOENT);
	assert_int_equal(lease_store_release(fd, path, &db.subnet, NULL, "c", "eth0", &err), 0);

	/* a lease file that names no owner still holds its address, and says so */
	assert_ok(write_file_new(dirfd, "leases/10.0.42.6", "", 0));
	assert_ok(inaddr_parse_v4("10.0.42.6", &a));
	assert_errno(lease_store_owner(fd, path, &a, id, ifname, &err), EBADMSG);
	assert_non_null(strstr(err.msg, "10.0.42.6"));
	assert_string_equal(store_alloc(dirfd, path, "10.0.42.0/24", "f", NULL, buf), "10.0.42.7");
	assert_ok(lease_store_load(fd, path, &db, &err));
	assert_int_equal(db.n, 6); /* .2 .3 .5 .7 .200, and .6 with no owner */
	lease_db_done(&db);
	close(fd);
	close(dirfd);
	test_rmtree(path);
}

/* An older brnet's leases.json moves into the directory on first use, with its cursor; a
 * move killed before its rename is started over. */
static void test_store_moves_legacy_file(void **state)
{
	static const char legacy[] =
		"{\"subnet\":\"10.0.42.0/24\",\"last\":\"10.0.42.9\",\"leases\":[{\"address\":"
		"\"10.0.42.2\",\"id\":\"a\",\"ifname\":\"eth0\"},{\"address\":\"10.0.42.9\","
		"\"id\":\"b\",\"ifname\":\"eth1\"}]}";
	char path[256], buf[INADDR_STRLEN];
	int dirfd = test_tmpdir(path);

	assert_true(dirfd >= 0);
	assert_ok(write_file_new(dirfd, "leases.json", legacy, strlen(legacy)));
	assert_ok(mkdirat(dirfd, "leases.new", 0700));
	assert_ok(write_file_new(dirfd, "leases.new/10.0.42.77", "z eth0\n", 7));
	assert_string_equal(store_alloc(dirfd, path, "10.0.42.0/24", "c", NULL, buf), "10.0.42.10");
	assert_file(dirfd, "leases/10.0.42.2", "a eth0\n");
	assert_file(dirfd, "leases/10.0.42.9", "b eth1\n");
	assert_file(dirfd, "leases/10.0.42.10", "c eth0\n");
	assert_int_equal(faccessat(dirfd, "leases/10.0.42.77", F_OK, 0), -1);
	assert_int_equal(faccessat(dirfd, "leases.new", F_OK, 0), -1);
	assert_int_equal(faccessat(dirfd, "leases.json", F_OK, 0), -1);
	/* a leases.json beside the directory (a kill after the rename) is stale: gc drops it */
	assert_int_equal(lease_store_drop_legacy(dirfd), 0);
	assert_ok(write_file_new(dirfd, "leases.json", legacy, strlen(legacy)));
	assert_int_equal(lease_store_drop_legacy(dirfd), 1);
	close(dirfd);
	test_rmtree(path);
}

static void test_owner_parse(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"a eth0",
		"a\n",
		" eth0\n",
		"a \n",
		"a  eth0\n",
		"a/b eth0\n",
		"a eth0\nx",
		"a eth0 x\n",
		"a eth0\n\n",
		"a et\0h0\n",
		"a eth0123456789012\n", /* 16 bytes: one more than an interface name holds */
	};
	char id[BRNET_ID_MAX + 1], ifname[IFNAMSIZ];

	assert_ok(lease_owner_parse("web.1 eth0\n", 11, id, ifname));
	assert_string_equal(id, "web.1");
	assert_string_equal(ifname, "eth0");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_errno(lease_owner_parse(bad[i], i == 11 ? 8 : strlen(bad[i]), id, ifname),
			     EBADMSG);
}

/* Duplicates in a stored table are named, found after a sort; 1,000 leases load, and the
 * cursor is the stored one. */
static void test_parse_duplicates_and_many(void **state)
{
	static const char *const dup_addr =
		"{\"subnet\":\"10.0.0.0/16\",\"leases\":[{\"address\":\"10.0.0.9\",\"id\":\"a\","
		"\"ifname\":\"eth0\"},{\"address\":\"10.0.0.5\",\"id\":\"b\",\"ifname\":\"eth0\"},"
		"{\"address\":\"10.0.0.9\",\"id\":\"c\",\"ifname\":\"eth0\"}]}";
	static const char *const dup_owner =
		"{\"subnet\":\"10.0.0.0/16\",\"leases\":[{\"address\":\"10.0.0.9\",\"id\":\"a\","
		"\"ifname\":\"eth0\"},{\"address\":\"10.0.0.5\",\"id\":\"b\",\"ifname\":\"eth0\"},"
		"{\"address\":\"10.0.0.7\",\"id\":\"a\",\"ifname\":\"eth0\"}]}";
	struct lease_db db = db_for("10.0.0.0/16");
	char why[256], buf[INADDR_STRLEN];
	size_t size = 64 * 1024, len;
	char *text = malloc(size);

	assert_errno(lease_db_parse(dup_addr, strlen(dup_addr), &db, why, sizeof(why)), EBADMSG);
	assert_string_equal(why, "address 10.0.0.9 is leased twice");
	lease_db_done(&db);
	db = db_for("10.0.0.0/16");
	assert_errno(lease_db_parse(dup_owner, strlen(dup_owner), &db, why, sizeof(why)), EBADMSG);
	assert_string_equal(why, "attachment a holds two leases");
	lease_db_done(&db);

	assert_non_null(text);
	len = (size_t)snprintf(text, size,
			       "{\"subnet\":\"10.0.0.0/16\",\"last\":\"10.0.3.233\",\"leases\":[");
	for (unsigned j = 0; j < 1000; j++)
		len += (size_t)snprintf(
			text + len, size - len,
			"%s{\"address\":\"10.0.%u.%u\",\"id\":\"c%u\",\"ifname\":\"eth0\"}",
			j ? "," : "", (j + 2) / 256, (j + 2) % 256, j);
	len += (size_t)snprintf(text + len, size - len, "]}");
	/* JSON in any other layout takes the general path, with the same result */
	{
		static const char *const spaced =
			"{ \"leases\": [ { \"id\": \"b\", \"ifname\": \"eth0\", \"address\": "
			"\"10.0.0.5\" } ],\n  \"last\": \"10.0.0.5\", \"subnet\": \"10.0.0.0/16\" "
			"}\n";

		db = db_for("10.0.0.0/16");
		assert_ok(lease_db_parse(spaced, strlen(spaced), &db, why, sizeof(why)));
		assert_int_equal(db.n, 1);
		assert_string_equal(db.leases[0].id, "b");
		assert_string_equal(inaddr_to_string(&db.last, buf), "10.0.0.5");
		lease_db_done(&db);
	}
	db = db_for("10.0.0.0/16");
	assert_ok(lease_db_parse(text, len, &db, why, sizeof(why)));
	assert_int_equal(db.n, 1000);
	assert_string_equal(inaddr_to_string(&db.last, buf), "10.0.3.233");
	assert_string_equal(alloc(&db, "new", buf), "10.0.3.234");
	lease_db_done(&db);
	free(text);
}

static void assert_sorted(const struct lease_db *db)
{
	for (size_t i = 1; i < db->n; i++)
		assert_true(inaddr_v4_host(&db->leases[i - 1].address) <
			    inaddr_v4_host(&db->leases[i].address));
}

/* The table stays in address order: loaded from a file in any order, after allocation
 * (next-fit after a wrap, a requested address) and release. So it is written in order, and
 * the next load is a single pass. */
static void test_address_order(void **state)
{
	static const char *const shuffled =
		"{\"subnet\":\"10.0.42.0/24\",\"last\":\"10.0.42.9\",\"leases\":["
		"{\"address\":\"10.0.42.9\",\"id\":\"a\",\"ifname\":\"eth0\"},"
		"{\"address\":\"10.0.42.3\",\"id\":\"b\",\"ifname\":\"eth0\"},"
		"{\"address\":\"10.0.42.6\",\"id\":\"c\",\"ifname\":\"eth0\"}]}";
	struct lease_db db = db_for("10.0.42.0/24");
	struct brnet_error err = { 0 };
	struct inaddr want, got;
	char why[256], buf[INADDR_STRLEN];

	(void)state;
	assert_ok(lease_db_parse(shuffled, strlen(shuffled), &db, why, sizeof(why)));
	assert_int_equal(db.n, 3);
	assert_sorted(&db);
	assert_string_equal(db.leases[0].id, "b");
	assert_string_equal(alloc(&db, "d", buf),
			    "10.0.42.10"); /* next-fit: after .9, at the end */
	assert_ok(inaddr_parse_v4("10.0.42.4", &want));
	assert_ok(lease_db_allocate(&db, "e", "eth0", &want, &got, &err)); /* in the middle */
	assert_ok(inaddr_parse_v4("10.0.42.2", &want));
	assert_ok(lease_db_allocate(&db, "f", "eth0", &want, &got, &err)); /* at the front */
	assert_int_equal(db.n, 6);
	assert_sorted(&db);
	assert_string_equal(db.leases[0].id, "f");
	assert_int_equal(lease_db_release(&db, "c", "eth0"), 1);
	assert_int_equal(lease_db_release(&db, "f", "eth0"), 1);
	assert_int_equal(db.n, 4);
	assert_sorted(&db);
	assert_string_equal(db.leases[0].id, "b");
	assert_string_equal(db.leases[3].id, "d");
	lease_db_done(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slash30),
		cmocka_unit_test(test_slash29_full_and_next_fit_wrap),
		cmocka_unit_test(test_next_fit_does_not_reuse_freed_first),
		cmocka_unit_test(test_slash25_upper_half),
		cmocka_unit_test(test_slash16_crosses_octets),
		cmocka_unit_test(test_requested_address),
		cmocka_unit_test(test_next_free_pure),
		cmocka_unit_test(test_legacy_file_and_corruption),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_store_moves_legacy_file),
		cmocka_unit_test(test_owner_parse),
		cmocka_unit_test(test_parse_duplicates_and_many),
		cmocka_unit_test(test_address_order),
	};

	return cmocka_run_group_tests_name("ipam", tests, NULL, NULL);
}
