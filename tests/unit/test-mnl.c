/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libmnl's interface as brnet and libnftnl use it. Built twice: against the system's libmnl,
 * which keeps these expectations honest, and against src/compat/mnl.c, which static
 * executables link instead (test names mnl-libmnl and mnl-compat).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <libmnl/libmnl.h>

#include "test-common.h"

/* A 4-byte aligned buffer for messages. */
union msgbuf {
	struct nlmsghdr nlh;
	char data[512];
};

static const char *byte_at(const void *base, size_t off)
{
	return (const char *)base + off;
}

static void test_build_layout(void **state)
{
	union msgbuf b;
	struct nlmsghdr *nlh;
	struct nlattr *nest, *a;
	char *extra;

	(void)state;
	memset(&b, 0xaa, sizeof(b)); /* every byte of a header put must be written */
	nlh = mnl_nlmsg_put_header(b.data);
	assert_int_equal(nlh->nlmsg_len, 16);
	assert_int_equal(nlh->nlmsg_type, 0);
	assert_int_equal(nlh->nlmsg_flags, 0);
	assert_int_equal(nlh->nlmsg_seq, 0);
	assert_int_equal(nlh->nlmsg_pid, 0);

	extra = mnl_nlmsg_put_extra_header(nlh, 5);
	assert_ptr_equal(extra, byte_at(nlh, 16));
	assert_int_equal(nlh->nlmsg_len, 24);
	for (int i = 0; i < 8; i++)
		assert_int_equal(extra[i], 0);
	assert_ptr_equal(mnl_nlmsg_get_payload(nlh), extra);
	assert_ptr_equal(mnl_nlmsg_get_payload_offset(nlh, 5), byte_at(nlh, 24));
	assert_int_equal(mnl_nlmsg_get_payload_len(nlh), 8);

	a = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u8(nlh, 1, 0x11);
	assert_int_equal(a->nla_len, 5);
	assert_int_equal(a->nla_type, 1);
	assert_int_equal(nlh->nlmsg_len, 32);
	assert_int_equal(*byte_at(a, 4), 0x11); /* and the padding after it, unspecified */
	assert_ptr_equal(mnl_attr_next(a), byte_at(a, 8));

	mnl_attr_put_u16(nlh, 2, 0x2233);
	mnl_attr_put_u32(nlh, 3, 0x44556677);
	mnl_attr_put_u64(nlh, 4, 0x8899aabbccddeeffULL);
	mnl_attr_put_str(nlh, 5, "abc");
	mnl_attr_put_strz(nlh, 6, "abc");
	/* 32 + 8 + 8 + 12 + 8 + 8 */
	assert_int_equal(nlh->nlmsg_len, 76);
	a = (struct nlattr *)byte_at(nlh, 60);
	assert_int_equal(a->nla_len, 7); /* "abc" without its NUL */
	a = mnl_attr_next(a);
	assert_int_equal(a->nla_len, 8); /* "abc" with it */

	nest = mnl_attr_nest_start(nlh, 7);
	assert_ptr_equal(nest, byte_at(nlh, 76));
	assert_int_equal(nest->nla_type, NLA_F_NESTED | 7);
	assert_int_equal(mnl_attr_get_type(nest), 7);
	assert_int_equal(nlh->nlmsg_len, 80);
	mnl_attr_put_u32(nlh, 1, 9);
	mnl_attr_nest_end(nlh, nest);
	assert_int_equal(nest->nla_len, 12);
	assert_int_equal(mnl_attr_get_len(nest), 12);
	assert_int_equal(mnl_attr_get_payload_len(nest), 8);
	assert_int_equal(nlh->nlmsg_len, 88);
	assert_ptr_equal(mnl_nlmsg_get_payload_tail(nlh), byte_at(nlh, 88));
	assert_int_equal(mnl_nlmsg_size(8), 24);
}

static void test_build_checked(void **state)
{
	union msgbuf b;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b.data);
	struct nlattr *nest;
	uint32_t len;

	(void)state;
	/* 16 + 8 fits in 24; one byte less does not, and nothing is written. */
	assert_false(mnl_attr_put_u32_check(nlh, 23, 1, 7));
	assert_int_equal(nlh->nlmsg_len, 16);
	assert_true(mnl_attr_put_u32_check(nlh, 24, 1, 7));
	assert_int_equal(nlh->nlmsg_len, 24);
	assert_false(mnl_attr_put_check(nlh, 24 + 4 + 3, 2, 5, "abcde"));
	assert_true(mnl_attr_put_check(nlh, 24 + 4 + 8, 2, 5, "abcde"));
	assert_true(mnl_attr_put_strz_check(nlh, 64, 3, "xy"));
	assert_false(mnl_attr_put_strz_check(nlh, 48, 3, "xy"));
	assert_true(mnl_attr_put_u8_check(nlh, 64, 4, 1));
	assert_true(mnl_attr_put_u16_check(nlh, 64, 5, 1));
	assert_true(mnl_attr_put_u64_check(nlh, 128, 6, 1));
	assert_true(mnl_attr_put_str_check(nlh, 128, 7, "z"));

	len = nlh->nlmsg_len;
	assert_null(mnl_attr_nest_start_check(nlh, len + 3, 8));
	assert_int_equal(nlh->nlmsg_len, len);
	nest = mnl_attr_nest_start_check(nlh, len + 4, 8);
	assert_non_null(nest);
	mnl_attr_put_u32(nlh, 1, 1);
	mnl_attr_nest_cancel(nlh, nest);
	assert_int_equal(nlh->nlmsg_len, len);
}

struct seen {
	unsigned n;
	uint16_t types[16];
	int stop_at; /* the type on which the callback says stop; 0: never */
};

static int collect(const struct nlattr *a, void *data)
{
	struct seen *s = data;

	s->types[s->n++] = mnl_attr_get_type(a);
	return mnl_attr_get_type(a) == s->stop_at ? MNL_CB_STOP : MNL_CB_OK;
}

static int fail_on_3(const struct nlattr *a, void *data)
{
	(void)data;
	return mnl_attr_get_type(a) == 3 ? MNL_CB_ERROR : MNL_CB_OK;
}

static void test_parse(void **state)
{
	union msgbuf b;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b.data);
	struct nlattr *nest, *a;
	struct seen s = { 0 };
	unsigned n = 0;

	(void)state;
	mnl_nlmsg_put_extra_header(nlh, 4);
	mnl_attr_put_u8(nlh, 1, 0xfe);
	mnl_attr_put_u16(nlh, 2, 0xbeef);
	mnl_attr_put_u32(nlh, 3, 0xdeadbeef);
	mnl_attr_put_u64(nlh, 4, 0x0102030405060708ULL); /* at an offset 4 mod 8 */
	nest = mnl_attr_nest_start(nlh, 5);
	mnl_attr_put_strz(nlh, 1, "eth0");
	mnl_attr_put_u32(nlh, 2, 42);
	mnl_attr_nest_end(nlh, nest);

	assert_int_equal(mnl_attr_parse(nlh, 4, collect, &s), MNL_CB_OK);
	assert_int_equal(s.n, 5);
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(s.types[i], i + 1);

	mnl_attr_for_each (a, nlh, 4) {
		switch (mnl_attr_get_type(a)) {
		case 1:
			assert_int_equal(mnl_attr_get_u8(a), 0xfe);
			break;
		case 2:
			assert_int_equal(mnl_attr_get_u16(a), 0xbeef);
			break;
		case 3:
			assert_int_equal(mnl_attr_get_u32(a), 0xdeadbeef);
			break;
		case 4:
			assert_true(mnl_attr_get_u64(a) == 0x0102030405060708ULL);
			break;
		}
		n++;
	}
	assert_int_equal(n, 5);

	memset(&s, 0, sizeof(s));
	assert_int_equal(mnl_attr_parse_nested(nest, collect, &s), MNL_CB_OK);
	assert_int_equal(s.n, 2);
	a = mnl_attr_get_payload(nest);
	assert_string_equal(mnl_attr_get_str(a), "eth0");
	assert_int_equal(mnl_attr_get_u32(mnl_attr_next(a)), 42);
	n = 0;
	mnl_attr_for_each_nested (a, nest)
		n++;
	assert_int_equal(n, 2);

	/* The callback's stop and error end the walk there. */
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	assert_int_equal(mnl_attr_parse(nlh, 4, collect, &s), MNL_CB_STOP);
	assert_int_equal(s.n, 2);
	assert_int_equal(mnl_attr_parse(nlh, 4, fail_on_3, NULL), MNL_CB_ERROR);

	/* A walk over a payload of its own; one cut short stops before the attribute cut. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(mnl_attr_parse_payload(mnl_nlmsg_get_payload_offset(nlh, 4),
						mnl_nlmsg_get_payload_len(nlh) - 4, collect, &s),
			 MNL_CB_OK);
	assert_int_equal(s.n, 5);
	memset(&s, 0, sizeof(s));
	assert_int_equal(mnl_attr_parse_payload(mnl_nlmsg_get_payload_offset(nlh, 4), 8 + 8 + 7,
						collect, &s),
			 MNL_CB_OK);
	assert_int_equal(s.n, 2);
}

/* An attribute of the given payload into b; returns it. */
static struct nlattr *attr_of(union msgbuf *b, const void *payload, size_t len)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b->data);

	mnl_attr_put(nlh, 1, len, payload);
	return mnl_nlmsg_get_payload(nlh);
}

static void test_validate(void **state)
{
	static const char nested[4] = { 4, 0, 1, 0 };
	/* A payload, its length, the type it is checked as and the errno expected (0: valid). */
	static const struct {
		const char *payload;
		size_t len;
		enum mnl_attr_data_type type;
		int error;
	} cases[] = {
		{ "\1", 1, MNL_TYPE_U8, 0 },
		{ "\1\2", 2, MNL_TYPE_U8, ERANGE },
		{ "", 0, MNL_TYPE_U8, ERANGE },
		{ "\1\2", 2, MNL_TYPE_U16, 0 },
		{ "\1\2", 2, MNL_TYPE_U32, ERANGE },
		{ "12345678", 8, MNL_TYPE_U64, 0 },
		{ "12345678", 8, MNL_TYPE_MSECS, 0 },
		{ "123456789", 9, MNL_TYPE_U64, ERANGE },
		{ "ab", 3, MNL_TYPE_NUL_STRING, 0 },
		{ "ab", 2, MNL_TYPE_NUL_STRING, EINVAL },
		{ "", 0, MNL_TYPE_NUL_STRING, ERANGE },
		{ "ab", 2, MNL_TYPE_STRING, 0 },
		{ "", 0, MNL_TYPE_STRING, ERANGE },
		{ "", 0, MNL_TYPE_FLAG, 0 },
		{ "x", 1, MNL_TYPE_FLAG, ERANGE },
		{ "", 0, MNL_TYPE_NESTED, 0 },
		{ nested, 4, MNL_TYPE_NESTED, 0 },
		{ nested, 2, MNL_TYPE_NESTED, ERANGE },
		{ "anything", 8, MNL_TYPE_BINARY, 0 },
		{ "", 0, MNL_TYPE_MAX, EINVAL },
	};
	union msgbuf b;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		errno = 0;
		assert_int_equal(mnl_attr_validate(attr_of(&b, cases[i].payload, cases[i].len),
						   cases[i].type),
				 cases[i].error ? -1 : 0);
		assert_int_equal(errno, cases[i].error);
	}
	/* With a length of one's own: exactly that, for any type without one. */
	assert_int_equal(mnl_attr_validate2(attr_of(&b, "123456", 6), MNL_TYPE_BINARY, 6), 0);
	errno = 0;
	assert_int_equal(mnl_attr_validate2(attr_of(&b, "12345", 5), MNL_TYPE_BINARY, 6), -1);
	assert_int_equal(errno, ERANGE);
	errno = 0;
	assert_int_equal(mnl_attr_validate2(attr_of(&b, "1234567", 7), MNL_TYPE_BINARY, 6), -1);
	assert_int_equal(errno, ERANGE);

	assert_int_equal(mnl_attr_type_valid(attr_of(&b, "", 0), 1), 1);
	errno = 0;
	assert_int_equal(mnl_attr_type_valid(attr_of(&b, "", 0), 0), -1);
	assert_int_equal(errno, EOPNOTSUPP);
}

/* Messages one after another in a buffer, as the kernel answers. */
struct stream {
	union {
		struct nlmsghdr align;
		char data[1024];
	};
	size_t len;
};

static struct nlmsghdr *stream_add(struct stream *s, uint16_t type, uint16_t flags, uint32_t seq,
				   uint32_t pid)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(s->data + s->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = pid;
	return nlh;
}

static void stream_end(struct stream *s, struct nlmsghdr *nlh)
{
	s->len += MNL_ALIGN(nlh->nlmsg_len);
}

static void stream_error(struct stream *s, int error, uint32_t seq)
{
	struct nlmsghdr *nlh = stream_add(s, NLMSG_ERROR, 0, seq, 0);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = error;
	stream_end(s, nlh);
}

static int count_data(const struct nlmsghdr *nlh, void *data)
{
	(*(unsigned *)data)++;
	return MNL_CB_OK;
}

static int stop_data(const struct nlmsghdr *nlh, void *data)
{
	(*(unsigned *)data)++;
	return MNL_CB_STOP;
}

static int ctl_count(const struct nlmsghdr *nlh, void *data)
{
	(*(unsigned *)data) += 100;
	return MNL_CB_OK;
}

static void test_messages(void **state)
{
	struct stream s = { .len = 0 };
	const struct nlmsghdr *nlh;
	int len;
	unsigned n = 0;

	(void)state;
	stream_end(&s, stream_add(&s, NLMSG_MIN_TYPE, NLM_F_MULTI, 7, 0));
	stream_end(&s, stream_add(&s, NLMSG_MIN_TYPE + 1, NLM_F_MULTI, 7, 0));
	stream_end(&s, stream_add(&s, NLMSG_DONE, NLM_F_MULTI, 7, 0));
	nlh = (const struct nlmsghdr *)s.data;
	len = (int)s.len;
	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		n++;
	assert_int_equal(n, 3);
	assert_int_equal(len, 0);
	/* A header cut short, or one claiming more than is there, is not a message. */
	assert_false(mnl_nlmsg_ok((const struct nlmsghdr *)s.data, 15));
	((struct nlmsghdr *)s.data)->nlmsg_len = 2000;
	assert_false(mnl_nlmsg_ok((const struct nlmsghdr *)s.data, (int)s.len));
	((struct nlmsghdr *)s.data)->nlmsg_len = 8;
	assert_false(mnl_nlmsg_ok((const struct nlmsghdr *)s.data, (int)s.len));

	nlh = (const struct nlmsghdr *)s.data;
	assert_true(mnl_nlmsg_seq_ok(nlh, 7));
	assert_true(mnl_nlmsg_seq_ok(nlh, 0));
	assert_false(mnl_nlmsg_seq_ok(nlh, 8));
	assert_true(mnl_nlmsg_portid_ok(nlh, 1234)); /* the kernel's messages carry 0 */
}

static void test_cb_run(void **state)
{
	struct stream s = { .len = 0 };
	struct nlmsghdr *nlh;
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = { 0 };
	unsigned n = 0;

	(void)state;
	/* Two answers and the dump's end: the run stops there, with everything counted. */
	stream_end(&s, stream_add(&s, 100, NLM_F_MULTI, 7, 0));
	stream_end(&s, stream_add(&s, 100, NLM_F_MULTI, 7, 0));
	stream_end(&s, stream_add(&s, NLMSG_DONE, NLM_F_MULTI, 7, 0));
	stream_end(&s, stream_add(&s, 100, 0, 7, 0));
	assert_int_equal(mnl_cb_run(s.data, s.len, 7, 99, count_data, &n), MNL_CB_STOP);
	assert_int_equal(n, 2);
	/* A run without the end says OK: more is to come. */
	n = 0;
	assert_int_equal(mnl_cb_run(s.data, 32, 7, 99, count_data, &n), MNL_CB_OK);
	assert_int_equal(n, 2);
	/* The data callback's stop ends it too. */
	n = 0;
	assert_int_equal(mnl_cb_run(s.data, s.len, 7, 99, stop_data, &n), MNL_CB_STOP);
	assert_int_equal(n, 1);

	/* An acknowledgement stops the run, an error fails it with errno. */
	s.len = 0;
	stream_error(&s, 0, 7);
	errno = 0;
	assert_int_equal(mnl_cb_run(s.data, s.len, 7, 99, count_data, &n), MNL_CB_STOP);
	s.len = 0;
	stream_error(&s, -EEXIST, 7);
	errno = 0;
	assert_int_equal(mnl_cb_run(s.data, s.len, 7, 99, count_data, &n), MNL_CB_ERROR);
	assert_int_equal(errno, EEXIST);
	/* An error message too short to hold its error. */
	s.len = 0;
	nlh = stream_add(&s, NLMSG_ERROR, 0, 7, 0);
	mnl_nlmsg_put_extra_header(nlh, 4);
	stream_end(&s, nlh);
	errno = 0;
	assert_int_equal(mnl_cb_run(s.data, s.len, 7, 99, count_data, &n), MNL_CB_ERROR);
	assert_int_equal(errno, EBADMSG);

	/* Answers to another request, for another socket, or from a dump the kernel restarted. */
	s.len = 0;
	stream_end(&s, stream_add(&s, 100, 0, 8, 0));
	errno = 0;
	assert_int_equal(mnl_cb_run(s.data, s.len, 7, 99, count_data, &n), MNL_CB_ERROR);
	assert_int_equal(errno, EPROTO);
	assert_int_equal(mnl_cb_run(s.data, s.len, 0, 99, count_data, &n), MNL_CB_OK);
	s.len = 0;
	stream_end(&s, stream_add(&s, 100, 0, 7, 98));
	errno = 0;
	assert_int_equal(mnl_cb_run(s.data, s.len, 7, 99, count_data, &n), MNL_CB_ERROR);
	assert_int_equal(errno, ESRCH);
	s.len = 0;
	stream_end(&s, stream_add(&s, 100, NLM_F_MULTI | NLM_F_DUMP_INTR, 7, 0));
	errno = 0;
	assert_int_equal(mnl_cb_run(s.data, s.len, 7, 99, count_data, &n), MNL_CB_ERROR);
	assert_int_equal(errno, EINTR);

	/* Control messages: no-op and overrun are skipped; an array of one's own replaces the
	 * defaults for the types it covers, and a type it leaves empty is skipped. */
	s.len = 0;
	stream_end(&s, stream_add(&s, NLMSG_NOOP, 0, 7, 0));
	stream_end(&s, stream_add(&s, NLMSG_OVERRUN, 0, 7, 0));
	stream_end(&s, stream_add(&s, 100, 0, 7, 0));
	n = 0;
	assert_int_equal(mnl_cb_run(s.data, s.len, 7, 99, count_data, &n), MNL_CB_OK);
	assert_int_equal(n, 1);
	s.len = 0;
	stream_error(&s, -ENOENT, 7);
	stream_end(&s, stream_add(&s, NLMSG_DONE, 0, 7, 0));
	stream_end(&s, stream_add(&s, 100, 0, 7, 0));
	ctl[NLMSG_ERROR] = ctl_count;
	n = 0;
	assert_int_equal(mnl_cb_run2(s.data, s.len, 7, 99, count_data, &n, ctl, NLMSG_MIN_TYPE),
			 MNL_CB_OK);
	assert_int_equal(n, 101);
}

static void test_batch(void **state)
{
	union {
		struct nlmsghdr align;
		char data[256];
	} buf;
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf.data, 100);
	struct nlmsghdr *nlh;

	(void)state;
	assert_non_null(b);
	assert_true(mnl_nlmsg_batch_is_empty(b));
	assert_ptr_equal(mnl_nlmsg_batch_head(b), buf.data);
	assert_ptr_equal(mnl_nlmsg_batch_current(b), buf.data);
	for (int i = 0; i < 2; i++) {
		nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(b));
		mnl_attr_put(nlh, 1, 24, "0123456789abcdef01234567"); /* 44 bytes */
		nlh->nlmsg_seq = (uint32_t)i;
		assert_true(mnl_nlmsg_batch_next(b));
	}
	assert_false(mnl_nlmsg_batch_is_empty(b));
	assert_int_equal(mnl_nlmsg_batch_size(b), 88);
	assert_ptr_equal(mnl_nlmsg_batch_current(b), buf.data + 88);
	/* The third passes the limit: it stays out, and goes first in the next batch. */
	nlh = mnl_nlmsg_put_header(mnl_nlmsg_batch_current(b));
	mnl_attr_put(nlh, 1, 24, "0123456789abcdef01234567");
	nlh->nlmsg_seq = 2;
	assert_false(mnl_nlmsg_batch_next(b));
	assert_int_equal(mnl_nlmsg_batch_size(b), 88);
	mnl_nlmsg_batch_reset(b);
	assert_int_equal(mnl_nlmsg_batch_size(b), 44);
	assert_int_equal(((struct nlmsghdr *)buf.data)->nlmsg_seq, 2);
	assert_ptr_equal(mnl_nlmsg_batch_current(b), buf.data + 44);
	mnl_nlmsg_batch_reset(b);
	assert_true(mnl_nlmsg_batch_is_empty(b));
	assert_ptr_equal(mnl_nlmsg_batch_current(b), buf.data);
	mnl_nlmsg_batch_stop(b);
}

/* The socket calls, with a message that changes nothing: NLMSG_NOOP, which the kernel only
 * acknowledges. */
static void test_socket(void **state)
{
	union {
		struct nlmsghdr align;
		char data[256];
	} buf;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	unsigned portid, n = 0;
	int fd, one = 1;
	ssize_t len;

	(void)state;
	nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	assert_non_null(nl);
	assert_int_equal(mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID), 0);
	portid = mnl_socket_get_portid(nl);
	assert_int_not_equal(portid, 0);
	assert_int_equal(mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one)), 0);

	for (int round = 0; round < 2; round++) {
		nlh = mnl_nlmsg_put_header(buf.data);
		nlh->nlmsg_type = NLMSG_NOOP;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		nlh->nlmsg_seq = 41 + (uint32_t)round;
		assert_int_equal(mnl_socket_sendto(nl, nlh, nlh->nlmsg_len), 16);
		/* The first answer into a buffer too small for it: the rest is lost, and said. */
		errno = 0;
		len = mnl_socket_recvfrom(nl, buf.data, round == 0 ? 8 : sizeof(buf.data));
		if (round == 0) {
			assert_int_equal(len, -1);
			assert_int_equal(errno, ENOSPC);
			continue;
		}
		assert_true(len > 16);
		assert_int_equal(mnl_cb_run(buf.data, (size_t)len, 42, portid, count_data, &n),
				 MNL_CB_STOP);
	}
	assert_int_equal(n, 0);

	/* One made from a descriptor takes its port id. */
	fd = dup(mnl_socket_get_fd(nl));
	assert_true(fd >= 0);
	assert_int_equal(mnl_socket_close(nl), 0);
	nl = mnl_socket_fdopen(fd);
	assert_non_null(nl);
	assert_int_equal(mnl_socket_get_portid(nl), portid);
	assert_int_equal(mnl_socket_get_fd(nl), fd);
	assert_int_equal(mnl_socket_close(nl), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_layout), cmocka_unit_test(test_build_checked),
		cmocka_unit_test(test_parse),	     cmocka_unit_test(test_validate),
		cmocka_unit_test(test_messages),     cmocka_unit_test(test_cb_run),
		cmocka_unit_test(test_batch),	     cmocka_unit_test(test_socket),
	};

	return cmocka_run_group_tests_name("mnl", tests, NULL, NULL);
}
