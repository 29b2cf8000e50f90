/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The attachment state machine, host veth names, records on disk, the networks listed from
 * them, bounded reads, and files read a line at a time. */
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/ctx.h"
#include "lib/netns/netns.h"
#include "lib/record.h"
#include "lib/config/egress.h"
#include "lib/config/publish.h"
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
	a.netns = strdup("/proc/42/ns/net");
	assert_non_null(a.netns);
	inprefix_parse_v4("10.0.42.0/24", &a.subnet);
	inaddr_parse_v4("10.0.42.2", &a.address);
	inaddr_parse_v4("10.0.42.1", &a.gateway);
	a.journal = 1u << STEP_LEASE | 1u << STEP_VETH | 1u << STEP_SOURCE_ROUTE;
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
		attachment_done(&a);
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
	assert_string_equal(back.netns, "/proc/42/ns/net");
	attachment_done(&back);
	assert_errno(record_load(dirfd, "web", "eth1", &back, &err), ENOENT);
	assert_ok(record_remove(dirfd, &a));
	assert_ok(record_remove(dirfd, &a));
	attachment_done(&a);
	close(dirfd);
	test_rmtree(path);
}

/* The pid of a --pid attachment is given while that process runs, and 0 once it is another
 * (the same pid, another start time) or for an attachment made by a namespace path. */
static void test_attachment_pid(void **state)
{
	struct brnet_attachment a = sample();

	(void)state;
	a.pid = getpid();
	assert_ok(proc_start_time(a.pid, &a.pid_start));
	assert_int_equal(brnet_attachment_pid(&a), getpid());
	a.pid_start++;
	assert_int_equal(brnet_attachment_pid(&a), 0);
	a.pid_start--;
	a.pid = 0;
	assert_int_equal(brnet_attachment_pid(&a), 0);
	attachment_done(&a);
}

static void test_record_corrupt(void **state)
{
	struct brnet_attachment a = sample(), back;
	char why[256];
	char *text = record_format(&a);
	size_t len = strlen(text);

	assert_ok(record_parse(text, len, &back, why, sizeof(why)));
	attachment_done(&back);
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
		attachment_done(&bad);
	}
	attachment_done(&a);
}

/* The text forms of the published ports, which the attachment owns: made for each port as ports
 * are added, carried through the record, and one past the last is NULL. */
static void test_record_publish_strings(void **state)
{
	struct brnet_attachment a = sample(), back;
	struct brnet_error err = { 0 };
	char why[256], *text;

	(void)state;
	assert_null(a.publish_str); /* no ports: nothing held */
	assert_null(brnet_attachment_publish(&a, 0));
	assert_ok(publish_parse("8080:80", &a.publish[0], &err));
	a.n_publish = 1;
	assert_ok(record_update_strings(&a));
	assert_string_equal(brnet_attachment_publish(&a, 0), "8080:80/tcp");
	assert_ok(publish_parse("127.0.0.1:5353:53/udp", &a.publish[1], &err));
	a.n_publish = 2;
	assert_ok(record_update_strings(&a));
	assert_string_equal(brnet_attachment_publish(&a, 0), "8080:80/tcp");
	assert_string_equal(brnet_attachment_publish(&a, 1), "127.0.0.1:5353:53/udp");
	assert_null(brnet_attachment_publish(&a, 2));

	text = record_format(&a);
	assert_non_null(text);
	assert_ok(record_parse(text, strlen(text), &back, why, sizeof(why)));
	free(text);
	assert_int_equal(back.n_publish, 2);
	assert_string_equal(brnet_attachment_publish(&back, 1), "127.0.0.1:5353:53/udp");
	assert_string_equal(brnet_attachment_netns(&back), "/proc/42/ns/net");
	attachment_done(&back);
	attachment_done(&a);
	assert_null(a.publish_str);
	assert_null(a.netns);
}

/* The fuzz corpus's seeds are records of the current format: the good ones parse, the bad
 * ones are refused. A seed that no longer parses for a reason of its own (a field the format
 * now requires) would leave the fuzzer starting from nothing it accepts. */
static void test_record_corpus(void **state)
{
	const char *dir = getenv("BRNET_FUZZ_CORPUS");
	unsigned good = 0, bad = 0;
	struct dirent *de;
	int fd;
	DIR *d;

	assert_non_null(dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	d = fdopendir(openat(fd, "record", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	assert_non_null(d);
	while ((de = readdir(d))) {
		bool want_ok = strncmp(de->d_name, "active", 6) == 0 ||
			       strcmp(de->d_name, "half-done") == 0;
		bool want_bad = strncmp(de->d_name, "bad-", 4) == 0 ||
				strcmp(de->d_name, "truncated") == 0;
		struct brnet_attachment a;
		_cleanup_(freep) char *text = NULL;
		char why[256] = "";
		size_t len;
		int r;

		if (!want_ok && !want_bad)
			continue; /* what a fuzzing run added: anything goes */
		assert_ok(read_file_bounded(dirfd(d), de->d_name, 65536, &text, &len));
		r = record_parse(text, len, &a, why, sizeof(why));
		if (r >= 0)
			attachment_done(&a);
		if (want_ok && r < 0)
			fail_msg("seed %s is refused: %s", de->d_name, why);
		if (want_bad && r >= 0)
			fail_msg("seed %s parses", de->d_name);
		good += want_ok;
		bad += want_bad;
	}
	closedir(d);
	close(fd);
	assert_true(good >= 4 && bad >= 4);
}

static size_t count_files(const char *path, const char *suffix)
{
	size_t n = 0, len = strlen(suffix);
	struct dirent *de;
	DIR *d = opendir(path);

	assert_non_null(d);
	while ((de = readdir(d)))
		n += strlen(de->d_name) > len &&
		     strcmp(de->d_name + strlen(de->d_name) - len, suffix) == 0;
	closedir(d);
	return n;
}

/* The policy round-trips through the record and its allowlist file, normalized, and the loaded
 * copy owns it. */
static void test_record_egress(void **state)
{
	struct brnet_attachment a = sample(), back;
	struct brnet_error err = { 0 };
	char path[256], buf[PREFIX_STRLEN], *text;
	int dirfd = test_tmpdir(path);

	assert_true(dirfd >= 0);
	assert_ok(egress_add_allow(&a.egress, "10.1.0.0/16", &err));
	assert_ok(egress_add_allow(&a.egress, "10.1.2.0/24", &err));
	assert_ok(egress_add_allow(&a.egress, "8.8.8.8", &err));
	assert_ok(egress_add_port(&a.egress, IPPROTO_TCP, 443, &err));
	egress_policy_normalize(&a.egress);
	assert_ok(record_save(dirfd, &a, true, &err));
	/* The record names the list by its digest and does not hold it. */
	text = record_format(&a);
	assert_non_null(strstr(text, "\"allowlist\": \""));
	assert_null(strstr(text, "10.1.0.0"));
	free(text);
	assert_ok(record_load(dirfd, "web", "eth0", &back, &err));
	assert_true(back.egress.on);
	assert_false(back.allow_pending);
	assert_int_equal(back.egress.n_allow, 2);
	assert_string_equal(egress_prefix_to_string(&back.egress.allow[0], buf), "8.8.8.8/32");
	assert_string_equal(egress_prefix_to_string(&back.egress.allow[1], buf), "10.1.0.0/16");
	assert_memory_equal(back.egress.digest, a.egress.digest, SHA256_DIGEST_SIZE);
	assert_int_equal(back.egress.n_tcp, 1);
	assert_int_equal(back.egress.tcp[0], 443);
	attachment_done(&back);
	assert_ok(record_remove(dirfd, &a));
	assert_int_equal(count_files(path, ".allow"), 0);
	attachment_done(&a);
	assert_null(a.egress.allow);
	close(dirfd);
	test_rmtree(path);
}

/* a's record, formatted with has in its text and without lacks (either may be NULL), parsed
 * back into back. */
static void round_trip(const struct brnet_attachment *a, const char *has, const char *lacks,
		       struct brnet_attachment *back)
{
	char why[256], *text = record_format(a);

	assert_non_null(text);
	if (has)
		assert_non_null(strstr(text, has));
	if (lacks)
		assert_null(strstr(text, lacks));
	assert_ok(record_parse(text, strlen(text), back, why, sizeof(why)));
	free(text);
}

/* Every field of the policy, and one with empty lists (deny all: no allowlist at all). */
static void test_record_egress_fields(void **state)
{
	struct brnet_attachment a = sample(), back;
	struct brnet_error err = { 0 };
	char buf[PREFIX_STRLEN], cidr[BRNET_PREFIX_STRLEN];

	assert_ok(egress_add_port(&a.egress, IPPROTO_TCP, 9, &err));
	assert_ok(egress_add_port(&a.egress, IPPROTO_TCP, 65535, &err));
	assert_ok(egress_add_port(&a.egress, IPPROTO_UDP, 10, &err));
	assert_ok(inaddr_parse_v4("10.0.0.53", &a.egress.dns[0]));
	assert_ok(inaddr_parse_v4("1.1.1.1", &a.egress.dns[1]));
	a.egress.n_dns = 2;
	a.egress.on = true;
	a.egress.no_dns = true;
	a.egress.log = true;
	round_trip(&a, NULL, "allowlist", &back);
	assert_true(back.egress.on);
	assert_false(back.allow_pending);
	assert_int_equal(back.egress.n_allow, 0);
	assert_int_equal(back.egress.n_tcp, 2);
	assert_int_equal(back.egress.tcp[1], 65535);
	assert_int_equal(back.egress.n_udp, 1);
	assert_int_equal(back.egress.udp[0], 10);
	assert_int_equal(back.egress.n_dns, 2);
	assert_string_equal(inaddr_to_string(&back.egress.dns[1], buf), "1.1.1.1");
	assert_true(back.egress.no_dns);
	assert_true(back.egress.log);
	assert_false(back.egress.reject);
	/* the public accessors over it */
	assert_true(brnet_attachment_egress(&back));
	assert_int_equal(brnet_attachment_egress_n_allow(&back), 0);
	assert_errno(brnet_attachment_egress_allow(&back, 0, cidr), ENOENT);
	assert_int_equal(brnet_attachment_egress_port(&back, IPPROTO_TCP, 0), 9);
	assert_int_equal(brnet_attachment_egress_port(&back, IPPROTO_TCP, 1), 65535);
	assert_int_equal(brnet_attachment_egress_port(&back, IPPROTO_TCP, 2), 0);
	assert_int_equal(brnet_attachment_egress_port(&back, IPPROTO_UDP, 0), 10);
	assert_int_equal(brnet_attachment_egress_port(&back, IPPROTO_ICMP, 0), 0);
	assert_false(brnet_attachment_egress_dns_allowed(&back));
	assert_errno(brnet_attachment_egress_dns(&back, 0, cidr), ENOENT); /* not allowed */
	assert_true(brnet_attachment_egress_log(&back));
	assert_false(brnet_attachment_egress_reject(&back));
	back.egress.no_dns = false;
	assert_ok(brnet_attachment_egress_dns(&back, 1, cidr));
	assert_string_equal(cidr, "1.1.1.1");
	assert_errno(brnet_attachment_egress_dns(&back, 2, cidr), ENOENT);
	assert_ok(egress_add_allow(&back.egress, "10.1.0.0/16", &err));
	assert_int_equal(brnet_attachment_egress_n_allow(&back), 1);
	assert_ok(brnet_attachment_egress_allow(&back, 0, cidr));
	assert_string_equal(cidr, "10.1.0.0/16");
	assert_errno(brnet_attachment_egress_allow(&back, 1, cidr), ENOENT);
	back.egress.on = false; /* no policy: nothing else is said */
	assert_false(brnet_attachment_egress(&back));
	assert_int_equal(brnet_attachment_egress_n_allow(&back), 0);
	assert_errno(brnet_attachment_egress_allow(&back, 0, cidr), ENOENT);
	assert_int_equal(brnet_attachment_egress_port(&back, IPPROTO_TCP, 0), 0);
	assert_false(brnet_attachment_egress_log(&back));
	attachment_done(&back);

	/* "reject" is written only when set, so a record without it reads as before */
	a.egress.reject = true;
	round_trip(&a, "\"reject\": true", NULL, &back);
	assert_true(back.egress.reject);
	attachment_done(&back);
	a.egress.reject = false;
	round_trip(&a, NULL, "reject", &back);
	assert_false(back.egress.reject);
	attachment_done(&back);
	attachment_done(&a);
}

/* An allowlist file's name, split back into its parts; anything else is not one (gc walks the
 * directory with this, and a list's own file must not pass for an attachment's). */
static void test_allow_file_names(void **state)
{
	char name[RECORD_ALLOW_NAME_MAX], shared[RECORD_SHARED_ALLOW_NAME_MAX],
		id[BRNET_ID_MAX + 1];
	char ifname[IFNAMSIZ], bad[RECORD_ALLOW_NAME_MAX + 8];
	uint8_t digest[SHA256_DIGEST_SIZE], back[SHA256_DIGEST_SIZE];

	for (unsigned i = 0; i < sizeof(digest); i++)
		digest[i] = (uint8_t)(i * 7 + 1);
	record_allow_file_name("web.1", "eth0", digest, name);
	assert_ok(record_allow_file_split(name, id, ifname, back));
	assert_string_equal(id, "web.1");
	assert_string_equal(ifname, "eth0");
	assert_memory_equal(back, digest, sizeof(digest));
	record_shared_allow_file_name(digest, shared);
	assert_string_equal(name + strlen("web.1@eth0"), shared);
	assert_errno(record_allow_file_split(shared, id, ifname, back), EINVAL);
	snprintf(bad, sizeof(bad), "web@eth0%s", shared + 1); /* no dot before the digest */
	assert_errno(record_allow_file_split(bad, id, ifname, back), EINVAL);
	snprintf(bad, sizeof(bad), "web.eth0%s", shared); /* no '@' */
	assert_errno(record_allow_file_split(bad, id, ifname, back), EINVAL);
	snprintf(bad, sizeof(bad), "web@eth0%s", shared);
	bad[strlen("web@eth0") + 5] = 'g'; /* not hex */
	assert_errno(record_allow_file_split(bad, id, ifname, back), EINVAL);
	snprintf(bad, sizeof(bad), "web@eth0%s", shared);
	strcpy(bad + strlen(bad) - strlen("allow"), "allox");
	assert_errno(record_allow_file_split(bad, id, ifname, back), EINVAL);
	snprintf(bad, sizeof(bad), "web@eth0.json");
	assert_errno(record_allow_file_split(bad, id, ifname, back), EINVAL);
	snprintf(bad, sizeof(bad), "web@%s%s", "an-ifname-too-long", shared);
	assert_errno(record_allow_file_split(bad, id, ifname, back), EINVAL);
}

static void write_allow_n(int dirfd, const char *name, const char *text, size_t len)
{
	int fd = openat(dirfd, name, O_WRONLY | O_TRUNC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void write_allow(int dirfd, const char *name, const char *text)
{
	write_allow_n(dirfd, name, text, strlen(text));
}

/* The allowlist file: written once per list and linked by each attachment with it, replaced
 * (the old one removed) when the policy changes, checked against its name on load, and an older
 * record's inline list still read. */
static void test_record_allow_file(void **state)
{
	static const char old_format[] =
		"{\"version\": 1, \"id\": \"old\", \"ifname\": \"eth0\", \"bridge\": \"brnet0\", "
		"\"subnet\": \"10.0.42.0/24\", \"address\": \"10.0.42.2\", \"gateway\": "
		"\"10.0.42.1\", \"host_veth\": \"vb00c0ffee\", \"mac\": \"\", \"mtu\": 1500, "
		"\"netns\": \"/run/netns/x\", \"pid\": 0, \"pid_start\": 0, \"state\": \"active\", "
		"\"journal\": [], \"publish\": [], \"egress\": {\"allow\": [\"10.9.0.0/16\"], "
		"\"tcp\": [], \"udp\": [], \"dns\": [], \"dns_allowed\": true}}";
	struct brnet_attachment a = sample(), back, other;
	struct brnet_error err = { 0 };
	char path[256], name[RECORD_ALLOW_NAME_MAX], why[256], long_line[5000];
	char shared[RECORD_SHARED_ALLOW_NAME_MAX], old_shared[RECORD_SHARED_ALLOW_NAME_MAX];
	uint8_t digest[SHA256_DIGEST_SIZE];
	int dirfd = test_tmpdir(path);
	struct stat st1, st2;

	assert_true(dirfd >= 0);
	assert_ok(egress_add_allow(&a.egress, "192.0.2.0/24", &err));
	egress_policy_normalize(&a.egress);
	assert_ok(record_save(dirfd, &a, true, &err));
	record_allow_file_name("web", "eth0", a.egress.digest, name);
	assert_ok(fstatat(dirfd, name, &st1, 0));
	a.state = ATTACH_ACTIVE; /* saved again, same list: the file is not written again */
	assert_ok(record_save(dirfd, &a, false, &err));
	assert_ok(fstatat(dirfd, name, &st2, 0));
	assert_int_equal(st1.st_ino, st2.st_ino);
	/* A second setup of the same attachment fails and leaves the first's file alone. */
	assert_errno(record_save(dirfd, &a, true, &err), EEXIST);
	assert_ok(fstatat(dirfd, name, &st2, 0));
	assert_int_equal(st1.st_ino, st2.st_ino);
	/* The list's own file is that file; another attachment with the list links it too, and
	 * it stays while one of them does. */
	record_shared_allow_file_name(a.egress.digest, shared);
	assert_ok(record_shared_allow_file_split(shared, digest));
	assert_memory_equal(digest, a.egress.digest, sizeof(digest));
	assert_errno(record_shared_allow_file_split(name, digest), EINVAL);
	assert_ok(fstatat(dirfd, shared, &st2, 0));
	assert_int_equal(st1.st_ino, st2.st_ino);
	other = sample();
	strcpy(other.id, "db");
	assert_ok(egress_policy_copy(&other.egress, &a.egress));
	assert_ok(record_save(dirfd, &other, true, &err));
	record_allow_file_name("db", "eth0", a.egress.digest, name);
	assert_ok(fstatat(dirfd, name, &st2, 0));
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_int_equal(st2.st_nlink, 3);
	assert_ok(record_remove(dirfd, &other));
	attachment_done(&other);
	assert_ok(fstatat(dirfd, shared, &st2, 0));
	assert_int_equal(st2.st_nlink, 2);
	record_allow_file_name("web", "eth0", a.egress.digest, name);
	memcpy(old_shared, shared, sizeof(shared));

	/* Another list: a new file, and the old one gone. */
	assert_ok(egress_add_allow(&a.egress, "198.51.100.7", &err));
	egress_policy_normalize(&a.egress);
	assert_ok(record_save(dirfd, &a, false, &err));
	assert_true(fstatat(dirfd, name, &st2, 0) < 0 && errno == ENOENT);
	assert_true(fstatat(dirfd, old_shared, &st2, 0) < 0 && errno == ENOENT);
	assert_int_equal(count_files(path, ".allow"), 2); /* the attachment's and the list's */
	assert_ok(record_load(dirfd, "web", "eth0", &back, &err));
	assert_int_equal(back.egress.n_allow, 2);
	attachment_done(&back);

	/* A file whose content does not match its name is a corrupt record, named. */
	record_allow_file_name("web", "eth0", a.egress.digest, name);
	write_allow(dirfd, name, "192.0.2.0/24\n");
	assert_errno(record_load(dirfd, "web", "eth0", &back, &err), EBADMSG);
	assert_non_null(strstr(err.msg, "does not match"));
	/* A line that is not a CIDR, or longer than any, is named by its number. */
	write_allow(dirfd, name, "192.0.2.0/24\n\n192.0.2.300/32\n");
	assert_errno(record_load(dirfd, "web", "eth0", &back, &err), EBADMSG);
	assert_non_null(strstr(err.msg, "bad line 3 \"192.0.2.300/32\""));
	memset(long_line, ' ', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	memcpy(long_line, "192.0.2.0/24\n", 13);
	write_allow(dirfd, name, long_line);
	assert_errno(record_load(dirfd, "web", "eth0", &back, &err), EBADMSG);
	assert_non_null(strstr(err.msg, "line 2 is too long"));
	write_allow_n(dirfd, name, "192.0.2.0/24\n192.0.2.0/24\0\n", 27);
	assert_errno(record_load(dirfd, "web", "eth0", &back, &err), EBADMSG);
	assert_non_null(strstr(err.msg, "line 2 holds a NUL byte"));
	assert_ok(unlinkat(dirfd, name, 0));
	assert_errno(record_load(dirfd, "web", "eth0", &back, &err), ENOENT);
	assert_non_null(strstr(err.msg, name));

	/* Deny all: no list, and no file. */
	egress_policy_done(&a.egress);
	a.egress.on = true;
	assert_ok(record_save(dirfd, &a, false, &err));
	assert_false(a.has_allow_file);
	assert_ok(record_remove(dirfd, &a));
	assert_int_equal(count_files(path, ".allow") + count_files(path, ".json"), 0);

	/* A record parsed but not loaded has no list to save. */
	back = sample();
	back.allow_pending = true;
	assert_errno(record_save(dirfd, &back, false, &err), EINVAL);
	attachment_done(&back);

	/* An older record with its list inline. */
	assert_ok(record_parse(old_format, strlen(old_format), &back, why, sizeof(why)));
	assert_false(back.allow_pending);
	assert_int_equal(back.egress.n_allow, 1);
	attachment_done(&back);
	attachment_done(&a);
	close(dirfd);
	test_rmtree(path);
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

/* One attachment's lock excludes another taker of the same, not of another attachment, and goes
 * with its fd; all of them live in the one file. */
/* The host veth's mark and its inverse. */
static void test_host_alias(void **state)
{
	struct brnet_attachment a = { 0 };
	char alias[RECORD_ALIAS_MAX], id[BRNET_ID_MAX + 1], ifname[IFNAMSIZ];
	static const char *const bad[] = {
		"",
		"brnet",
		"brnet ",
		"brnet web",
		"brnet /eth0",
		"brnet web/",
		"xbrnet web/eth0",
		"brnetweb/eth0",
		"brnet web/0123456789abcdef", /* 16 bytes of ifname */
		"brnet 01234567890123456789012345678901234567890123456789012345678901234/eth0",
	};

	snprintf(a.id, sizeof(a.id), "%s", "a.b-c_d");
	snprintf(a.ifname, sizeof(a.ifname), "%s", "eth1.5");
	assert_string_equal(record_host_alias(&a, alias), "brnet a.b-c_d/eth1.5");
	assert_ok(record_host_alias_split(alias, id, ifname));
	assert_string_equal(id, "a.b-c_d");
	assert_string_equal(ifname, "eth1.5");
	memset(a.id, '9', BRNET_ID_MAX);
	a.id[BRNET_ID_MAX] = '\0';
	assert_ok(record_host_alias_split(record_host_alias(&a, alias), id, ifname));
	assert_string_equal(id, a.id);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		if (record_host_alias_split(bad[i], id, ifname) != -EINVAL)
			fail_msg("\"%s\" taken for a mark", bad[i]);
	/* An element's owner is the mark without its prefix, read the same way. */
	assert_ok(record_owner_split(record_owner(&a, alias), id, ifname));
	assert_string_equal(id, a.id);
	assert_string_equal(ifname, "eth1.5");
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		if (strncmp(bad[i], "brnet ", 6) == 0 &&
		    record_owner_split(bad[i] + 6, id, ifname) != -EINVAL)
			fail_msg("\"%s\" taken for an owner", bad[i] + 6);
	assert_int_equal(record_owner_split("web", id, ifname), -EINVAL);
}

static void test_record_lock(void **state)
{
	char path[256];
	int dirfd = test_tmpdir(path), a, b, again;

	assert_true(dirfd >= 0);
	a = record_lock(dirfd, "web", "eth0", false);
	assert_true(a >= 0);
	assert_errno(record_lock(dirfd, "web", "eth0", false), EBUSY);
	b = record_lock(dirfd, "web", "eth1", false);
	assert_true(b >= 0);
	close(a);
	again = record_lock(dirfd, "web", "eth0", true);
	assert_true(again >= 0);
	assert_errno(record_lock(dirfd, "web", "eth1", false), EBUSY);
	close(again);
	close(b);
	/* One descriptor holds many (restore's): others find each held, and its close frees all. */
	a = record_locks_open(dirfd);
	assert_true(a >= 0);
	assert_ok(record_lock_on(a, "web", "eth0"));
	assert_ok(record_lock_on(a, "db", "eth0"));
	assert_ok(record_lock_on(a, "web", "eth0")); /* its own again */
	assert_errno(record_lock(dirfd, "web", "eth0", false), EBUSY);
	assert_errno(record_lock(dirfd, "db", "eth0", false), EBUSY);
	b = record_lock(dirfd, "web", "eth1", false);
	assert_true(b >= 0);
	assert_errno(record_lock_on(a, "web", "eth1"), EBUSY);
	close(b);
	close(a);
	b = record_lock(dirfd, "db", "eth0", false);
	assert_true(b >= 0);
	close(b);
	/* ".", ".." and the lock file */
	assert_int_equal(count_files(path, ""), 3);
	assert_ok(faccessat(dirfd, RECORD_LOCK_FILE, F_OK, AT_SYMLINK_NOFOLLOW));
	close(dirfd);
	test_rmtree(path);
}

/* Create-if-absent: made whole, or refused leaving what is there; no private file left. */
/* Writes each byte of a string and a '-' as a write of its own, and fails at a '!'. */
static int write_pieces(int fd, const void *userdata)
{
	for (const char *c = userdata; *c; c++) {
		if (*c == '!')
			return -EIO;
		if (write_all(fd, c, 1) < 0 || write_all(fd, "-", 1) < 0)
			return -errno;
	}
	return 0;
}

static void test_write_exclusive(void **state)
{
	char path[256], *text = NULL;
	int dirfd = test_tmpdir(path);
	size_t len;

	assert_true(dirfd >= 0);
	assert_ok(write_file_exclusive(dirfd, "a.json", "first", 5));
	assert_errno(write_file_exclusive(dirfd, "a.json", "second", 6), EEXIST);
	assert_ok(read_file_bounded(dirfd, "a.json", 100, &text, &len));
	assert_string_equal(text, "first");
	free(text);
	assert_ok(write_file_atomic(dirfd, "a.json", "third", 5));
	assert_ok(read_file_bounded(dirfd, "a.json", 100, &text, &len));
	assert_string_equal(text, "third");
	free(text);
	/* Content written in pieces; a writer that gives up leaves the file as it was. */
	assert_ok(write_file_atomic_with(dirfd, "a.json", write_pieces, "fourth"));
	assert_ok(read_file_bounded(dirfd, "a.json", 100, &text, &len));
	assert_string_equal(text, "f-o-u-r-t-h-");
	free(text);
	assert_errno(write_file_atomic_with(dirfd, "a.json", write_pieces, "fifth!"), EIO);
	assert_ok(read_file_bounded(dirfd, "a.json", 100, &text, &len));
	assert_string_equal(text, "f-o-u-r-t-h-");
	free(text);
	/* ".", ".." and a.json */
	assert_int_equal(count_files(path, ""), 3);
	close(dirfd);
	test_rmtree(path);
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

struct lines_seen {
	char text[256];
	size_t at;
	unsigned n, stop_at;
};

/* Joins the lines back with '|' after each, checking each is terminated and numbered in order. */
static int collect_line(char *text, size_t len, unsigned lineno, void *userdata)
{
	struct lines_seen *s = userdata;

	assert_int_equal(text[len], '\0');
	assert_int_equal(lineno, ++s->n);
	if (lineno == s->stop_at)
		return -ECANCELED;
	assert_true(s->at + len + 1 < sizeof(s->text));
	memcpy(s->text + s->at, text, len);
	s->at += len;
	s->text[s->at++] = '|';
	s->text[s->at] = '\0';
	return 0;
}

/* read_lines() of data through a pipe with a buffer of size bytes; the lines seen in *s. */
static int read_lines_pipe(const char *data, size_t len, size_t size, unsigned stop_at,
			   struct lines_seen *s, unsigned *ret_lineno)
{
	_cleanup_(freep) char *buf = malloc(size ? size : 1);
	int p[2], r;

	assert_non_null(buf);
	*s = (struct lines_seen){ .stop_at = stop_at };
	assert_ok(pipe(p));
	assert_int_equal(write(p[1], data, len), (ssize_t)len);
	close(p[1]);
	r = read_lines(p[0], buf, size, collect_line, s, ret_lineno);
	close(p[0]);
	return r;
}

/* Lines read a buffer at a time: split across reads, the last without its newline, a line that
 * fills the buffer exactly, one too long for it, and a callback that stops the read. */
static void test_read_lines(void **state)
{
	static const char text[] = "alpha\nbeta\n\ngamma delta\nend";
	struct lines_seen s;
	unsigned lineno;

	(void)state;
	for (size_t size = 12; size <= 64; size++) { /* each boundary in each place */
		assert_ok(read_lines_pipe(text, strlen(text), size, 0, &s, &lineno));
		assert_string_equal(s.text, "alpha|beta||gamma delta|end|");
		assert_int_equal(lineno, 5);
	}
	/* The longest line (11 bytes) with its NUL fills a 12-byte buffer; one byte less is too
	 * little, and the error names the line. */
	assert_int_equal(read_lines_pipe(text, strlen(text), 11, 0, &s, &lineno), -ENOBUFS);
	assert_string_equal(s.text, "alpha|beta||");
	assert_int_equal(lineno, 4);
	/* The same line last, without its newline, and with it. */
	assert_int_equal(read_lines_pipe("a\nbcdefghi", 10, 8, 0, &s, &lineno), -ENOBUFS);
	assert_int_equal(lineno, 2);
	assert_ok(read_lines_pipe("a\nbcdefgh", 9, 8, 0, &s, &lineno));
	assert_string_equal(s.text, "a|bcdefgh|");
	assert_ok(read_lines_pipe("a\nbcdefgh\n", 10, 8, 0, &s, &lineno));
	assert_string_equal(s.text, "a|bcdefgh|");
	assert_int_equal(lineno, 2);
	/* Nothing, and one empty line. */
	assert_ok(read_lines_pipe("", 0, 2, 0, &s, &lineno));
	assert_int_equal(lineno, 0);
	assert_ok(read_lines_pipe("\n", 1, 2, 0, &s, &lineno));
	assert_string_equal(s.text, "|");
	assert_int_equal(lineno, 1);
	/* A NUL byte makes a line no text: the read stops there, by number. */
	assert_int_equal(read_lines_pipe("a\nb\0c\nd\n", 7, 16, 0, &s, &lineno), -EILSEQ);
	assert_string_equal(s.text, "a|");
	assert_int_equal(lineno, 2);
	assert_int_equal(read_lines_pipe("a\nb\0c", 5, 16, 0, &s, &lineno), -EILSEQ);
	assert_int_equal(lineno, 2);
	/* The callback's error ends the read at its line. */
	assert_int_equal(read_lines_pipe(text, strlen(text), 16, 3, &s, &lineno), -ECANCELED);
	assert_string_equal(s.text, "alpha|beta|");
	assert_int_equal(lineno, 3);
	/* A buffer with no room for a byte and its NUL, and a descriptor that cannot be read. */
	assert_int_equal(read_lines_pipe(text, strlen(text), 1, 0, &s, &lineno), -EINVAL);
	assert_int_equal(read_lines(-1, (char[8]){ 0 }, 8, collect_line, &s, &lineno), -EBADF);
}

static void write_at(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* brnet_network_list(): the networks as network.json says, with their attachments counted;
 * a directory without the file is no network; an older file's choices. */
static void test_network_list(void **state)
{
	struct brnet_attachment a = sample(), b = sample();
	struct brnet_error err = { 0 };
	brnet_network **list = NULL;
	brnet_ctx *ctx = NULL;
	char path[256];
	size_t n = 0;
	int dirfd = test_tmpdir(path), fd;

	assert_true(dirfd >= 0);
	assert_ok(brnet_ctx_new(path, &ctx, &err));
	assert_ok(mkdirat(ctx->networks_dirfd, "brm", 0755));
	assert_ok(mkdirat(ctx->networks_dirfd, "brnet0", 0755));
	assert_ok(mkdirat(ctx->networks_dirfd, "brx", 0755)); /* being created */
	fd = openat(ctx->networks_dirfd, "brm", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	write_at(fd, "network.json",
		 "{\"bridge\":\"brm\",\"subnet\":\"10.0.44.0/24\",\"routed\":true,"
		 "\"masquerade\":false}");
	close(fd);
	fd = openat(ctx->networks_dirfd, "brnet0", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	write_at(fd, "network.json", "{\"bridge\":\"brnet0\",\"subnet\":\"10.0.42.0/24\"}");
	strcpy(b.id, "db");
	assert_ok(record_save(ctx->attachments_dirfd, &a, true, &err));
	assert_ok(record_save(ctx->attachments_dirfd, &b, true, &err));

	assert_ok(brnet_network_list(ctx, &list, &n, &err));
	assert_int_equal(n, 2);
	assert_string_equal(brnet_network_bridge(list[0]), "brm");
	assert_string_equal(brnet_network_subnet(list[0]), "10.0.44.0/24");
	assert_string_equal(brnet_network_gateway(list[0]), "10.0.44.1");
	assert_int_equal(brnet_network_routed(list[0]), 1);
	assert_false(brnet_network_masquerade(list[0]));
	assert_int_equal(brnet_network_attachments(list[0]), 0);
	assert_string_equal(brnet_network_bridge(list[1]), "brnet0");
	assert_int_equal(brnet_network_routed(list[1]), -1); /* not chosen yet */
	assert_true(brnet_network_masquerade(list[1])); /* as older brnets did */
	assert_int_equal(brnet_network_attachments(list[1]), 2);
	brnet_network_list_free(list, n);

	/* The exceptions as written, read back as a sorted set. */
	write_at(fd, "network.json",
		 "{\"bridge\":\"brnet0\",\"subnet\":\"10.0.42.0/24\",\"masquerade\":true,"
		 "\"masquerade_except\":[\"192.168.0.1/32\",\"10.244.0.0/16\"]}");
	assert_ok(brnet_network_list(ctx, &list, &n, &err));
	assert_string_equal(brnet_network_masquerade_exception(list[1], 0), "10.244.0.0/16");
	assert_string_equal(brnet_network_masquerade_exception(list[1], 1), "192.168.0.1/32");
	assert_null(brnet_network_masquerade_exception(list[1], 2));
	assert_null(brnet_network_masquerade_exception(list[0], 0));
	brnet_network_list_free(list, n);

	/* A corrupt file is an error that names it, not a network left out. */
	static const char *const corrupt[] = {
		"{\"bridge\":\"brnet0\",\"subnet\":\"10.0.42.0/24\",\"x\":1}",
		"{\"bridge\":\"brnet0\",\"subnet\":\"10.0.42.0/"
		"24\",\"masquerade_except\":\"10.0.0.0/8\"}",
		"{\"bridge\":\"brnet0\",\"subnet\":\"10.0.42.0/"
		"24\",\"masquerade_except\":[\"10.0.0.1/8\"]}",
		"{\"bridge\":\"brnet0\",\"subnet\":\"10.0.42.0/24\",\"masquerade_except\":[8]}",
		"{\"bridge\":\"brnet0\",\"subnet\":\"10.0.42.0/"
		"24\",\"masquerade_except\":[\"1.0.0.0/8\","
		"\"2.0.0.0/8\",\"3.0.0.0/8\",\"4.0.0.0/8\",\"5.0.0.0/8\",\"6.0.0.0/8\",\"7.0.0.0/"
		"8\","
		"\"8.0.0.0/8\",\"9.0.0.0/8\"]}",
		"{\"bridge\":\"brnet0\",\"subnet\":\"10.0.42.1/24\"}",
		"{\"bridge\":\"brnet0\",\"subnet\":\"10.0.42.0/24\",\"masquerade\":1}",
	};
	for (size_t i = 0; i < ELEMENTSOF(corrupt); i++) {
		write_at(fd, "network.json", corrupt[i]);
		assert_errno(brnet_network_list(ctx, &list, &n, &err), EBADMSG);
		assert_non_null(strstr(err.msg, "networks/brnet0/network.json"));
	}
	close(fd);
	brnet_ctx_free(ctx);
	attachment_done(&a);
	attachment_done(&b);
	close(dirfd);
	test_rmtree(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_egress),
		cmocka_unit_test(test_record_egress_fields),
		cmocka_unit_test(test_allow_file_names),
		cmocka_unit_test(test_record_allow_file),
		cmocka_unit_test(test_state_machine),
		cmocka_unit_test(test_veth_name),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_attachment_pid),
		cmocka_unit_test(test_network_list),
		cmocka_unit_test(test_record_corrupt),
		cmocka_unit_test(test_record_publish_strings),
		cmocka_unit_test(test_record_corpus),
		cmocka_unit_test(test_record_lock),
		cmocka_unit_test(test_host_alias),
		cmocka_unit_test(test_write_exclusive),
		cmocka_unit_test(test_read_bounded),
		cmocka_unit_test(test_read_lines),
	};

	return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
