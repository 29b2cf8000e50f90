/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* iptables-legacy's filter table, as rules fweval.c can follow. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h> /* before the linux/ headers */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "lib/nft/iptlegacy.h"
#include "shared/fileio.h"
#include "shared/macro.h"

/* As iptables-nft's, and as hostfw.c's bound on a table's rules. */
#define LEGACY_RULES_MAX (16U << 20)
/* One entry's message: its interfaces, addresses, protocol, matches and verdict. */
#define RULE_MSG_MAX 4096

static const char *const builtin[NF_INET_NUMHOOKS] = {
	[NF_INET_PRE_ROUTING] = "PREROUTING",	[NF_INET_LOCAL_IN] = "INPUT",
	[NF_INET_FORWARD] = "FORWARD",		[NF_INET_LOCAL_OUT] = "OUTPUT",
	[NF_INET_POST_ROUTING] = "POSTROUTING",
};

void ipt_legacy_done(struct ipt_legacy *t)
{
	fw_rules_done(&t->r);
	*t = (struct ipt_legacy){ 0 };
}

/* A chain's first entry: where a jump to it goes. */
struct chain_start {
	size_t off;
	char name[XT_FUNCTION_MAXNAMELEN];
};

/* The entry at off, copied out (the blob need not be aligned for it), if it holds together:
 * its target within it, it within the blob. */
static bool entry_at(const uint8_t *blob, size_t size, size_t off, struct ipt_entry *e,
		     struct xt_entry_target *tg)
{
	if (off > size || size - off < sizeof(*e))
		return false;
	memcpy(e, blob + off, sizeof(*e));
	if (e->next_offset > size - off || e->target_offset < sizeof(*e) ||
	    e->target_offset > e->next_offset ||
	    (size_t)(e->next_offset - e->target_offset) < sizeof(*tg))
		return false;
	memcpy(tg, blob + off + e->target_offset, sizeof(*tg));
	if (tg->u.target_size < sizeof(*tg) ||
	    tg->u.target_size > e->next_offset - e->target_offset)
		return false;
	tg->u.user.name[sizeof(tg->u.user.name) - 1] = '\0';
	return true;
}

/* The payload of a standard or error target, if it is long enough. */
static bool target_data(const uint8_t *blob, size_t off, const struct ipt_entry *e,
			const struct xt_entry_target *tg, void *out, size_t len)
{
	if (tg->u.target_size - sizeof(*tg) < len)
		return false;
	memcpy(out, blob + off + e->target_offset + sizeof(*tg), len);
	return true;
}

static bool is_error(const struct xt_entry_target *tg)
{
	return strcmp(tg->u.user.name, XT_ERROR_TARGET) == 0;
}

static void expr_begin(struct nlmsghdr *nlh, const char *name, struct nlattr **elem,
		       struct nlattr **data)
{
	*elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, name);
	*data = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
}

static void expr_end(struct nlmsghdr *nlh, struct nlattr *elem, struct nlattr *data)
{
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, elem);
}

static void put_value(struct nlmsghdr *nlh, uint16_t type, const void *v, size_t len)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	mnl_attr_put(nlh, NFTA_DATA_VALUE, len, v);
	mnl_attr_nest_end(nlh, n);
}

static void put_meta(struct nlmsghdr *nlh, uint32_t key)
{
	struct nlattr *elem, *data;

	expr_begin(nlh, "meta", &elem, &data);
	mnl_attr_put_u32(nlh, NFTA_META_KEY, htonl(key));
	mnl_attr_put_u32(nlh, NFTA_META_DREG, htonl(NFT_REG_1));
	expr_end(nlh, elem, data);
}

static void put_cmp(struct nlmsghdr *nlh, bool inv, const void *v, size_t len)
{
	struct nlattr *elem, *data;

	expr_begin(nlh, "cmp", &elem, &data);
	mnl_attr_put_u32(nlh, NFTA_CMP_SREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(nlh, NFTA_CMP_OP, htonl(inv ? NFT_CMP_NEQ : NFT_CMP_EQ));
	put_value(nlh, NFTA_CMP_DATA, v, len);
	expr_end(nlh, elem, data);
}

/* "-i brnet0": the name and its NUL under the mask; "-i br+": the prefix only. */
static void put_iface(struct nlmsghdr *nlh, uint32_t key, const char *name, const uint8_t *mask,
		      bool inv)
{
	size_t len = 0;

	while (len < IFNAMSIZ && mask[len] == 0xff)
		len++;
	if (len == 0)
		return;
	put_meta(nlh, key);
	put_cmp(nlh, inv, name, len);
}

/* "-s 10.0.0.0/8": the address under its mask, at offset of the IPv4 header. */
static void put_addr(struct nlmsghdr *nlh, uint32_t offset, struct in_addr a, struct in_addr m,
		     bool inv)
{
	const uint32_t zero = 0, v = a.s_addr & m.s_addr;
	struct nlattr *elem, *data;

	if (m.s_addr == 0)
		return;
	expr_begin(nlh, "payload", &elem, &data);
	mnl_attr_put_u32(nlh, NFTA_PAYLOAD_DREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(nlh, NFTA_PAYLOAD_BASE, htonl(NFT_PAYLOAD_NETWORK_HEADER));
	mnl_attr_put_u32(nlh, NFTA_PAYLOAD_OFFSET, htonl(offset));
	mnl_attr_put_u32(nlh, NFTA_PAYLOAD_LEN, htonl(sizeof(uint32_t)));
	expr_end(nlh, elem, data);
	expr_begin(nlh, "bitwise", &elem, &data);
	mnl_attr_put_u32(nlh, NFTA_BITWISE_SREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(nlh, NFTA_BITWISE_DREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(nlh, NFTA_BITWISE_LEN, htonl(sizeof(uint32_t)));
	put_value(nlh, NFTA_BITWISE_MASK, &m.s_addr, sizeof(m.s_addr));
	put_value(nlh, NFTA_BITWISE_XOR, &zero, sizeof(zero));
	expr_end(nlh, elem, data);
	put_cmp(nlh, inv, &v, sizeof(v));
}

/* An xtables match or target by name: fweval.c knows a few targets, and no match. */
static void put_xt(struct nlmsghdr *nlh, bool target, const char *name, uint8_t rev)
{
	struct nlattr *elem, *data;

	expr_begin(nlh, target ? "target" : "match", &elem, &data);
	mnl_attr_put_strz(nlh, target ? NFTA_TARGET_NAME : NFTA_MATCH_NAME, name);
	mnl_attr_put_u32(nlh, target ? NFTA_TARGET_REV : NFTA_MATCH_REV, htonl(rev));
	expr_end(nlh, elem, data);
}

static void put_verdict(struct nlmsghdr *nlh, int32_t code, const char *chain)
{
	struct nlattr *elem, *data, *d, *v;

	expr_begin(nlh, "immediate", &elem, &data);
	mnl_attr_put_u32(nlh, NFTA_IMMEDIATE_DREG, htonl(NFT_REG_VERDICT));
	d = mnl_attr_nest_start(nlh, NFTA_IMMEDIATE_DATA);
	v = mnl_attr_nest_start(nlh, NFTA_DATA_VERDICT);
	mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE, htonl((uint32_t)code));
	if (chain)
		mnl_attr_put_strz(nlh, NFTA_VERDICT_CHAIN, chain);
	mnl_attr_nest_end(nlh, v);
	mnl_attr_nest_end(nlh, d);
	expr_end(nlh, elem, data);
}

struct walk {
	const uint8_t *blob;
	size_t size;
	const struct ipt_getinfo *info;
	struct chain_start *starts; /* by offset */
	size_t n_starts, cap;
};

static int start_cmp(const void *a, const void *b)
{
	const struct chain_start *x = a, *y = b;

	return (x->off > y->off) - (x->off < y->off);
}

/* The chain whose first entry is at off, or NULL. */
static const char *chain_at(const struct walk *w, size_t off)
{
	const struct chain_start key = { .off = off },
				 *s = bsearch(&key, w->starts, w->n_starts, sizeof(key), start_cmp);

	return s ? s->name : NULL;
}

/* The hook whose policy entry is at off, or -1. */
static int underflow_at(const struct walk *w, size_t off)
{
	for (int h = 0; h < NF_INET_NUMHOOKS; h++)
		if ((w->info->valid_hooks & (1U << h)) && w->info->underflow[h] == off)
			return h;
	return -1;
}

/* The standard target's verdict as fweval.c reads one; what it cannot follow (a queue, a jump
 * into no chain's start) becomes a target it does not know. */
static void put_standard(struct nlmsghdr *nlh, const struct walk *w, size_t off,
			 const struct ipt_entry *e, int verdict)
{
	const char *chain;

	if (verdict < 0) {
		if (verdict == XT_RETURN)
			put_verdict(nlh, NFT_RETURN, NULL);
		else if (verdict == -NF_ACCEPT - 1)
			put_verdict(nlh, NF_ACCEPT, NULL);
		else if (verdict == -NF_DROP - 1)
			put_verdict(nlh, NF_DROP, NULL);
		else
			put_xt(nlh, true, "QUEUE", 0);
		return;
	}
	if ((size_t)verdict == off + e->next_offset && !(e->ip.flags & IPT_F_GOTO))
		return; /* on to the next entry: nothing decided */
	chain = chain_at(w, (size_t)verdict);
	if (chain)
		put_verdict(nlh, (e->ip.flags & IPT_F_GOTO) ? NFT_GOTO : NFT_JUMP, chain);
	else
		put_xt(nlh, true, "?", 0);
}

/* The entry at off, a rule of chain, as a NEWRULE message in buf. */
static int entry_rule(const struct walk *w, size_t off, const struct ipt_entry *e,
		      const struct xt_entry_target *tg, const char *chain, void *buf)
{
	struct nlmsghdr *nlh;
	struct nlattr *list;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWRULE, NFPROTO_IPV4, NLM_F_MULTI, 0);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "filter");
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, chain);
	list = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	put_iface(nlh, NFT_META_IIFNAME, e->ip.iniface, e->ip.iniface_mask,
		  e->ip.invflags & IPT_INV_VIA_IN);
	put_iface(nlh, NFT_META_OIFNAME, e->ip.outiface, e->ip.outiface_mask,
		  e->ip.invflags & IPT_INV_VIA_OUT);
	put_addr(nlh, 12, e->ip.src, e->ip.smsk, e->ip.invflags & IPT_INV_SRCIP);
	put_addr(nlh, 16, e->ip.dst, e->ip.dmsk, e->ip.invflags & IPT_INV_DSTIP);
	if (e->ip.proto) {
		uint8_t proto = (uint8_t)e->ip.proto;

		put_meta(nlh, NFT_META_L4PROTO);
		put_cmp(nlh, e->ip.invflags & XT_INV_PROTO, &proto, sizeof(proto));
	}
	if (e->ip.flags & IPT_F_FRAG)
		put_xt(nlh, false, "frag", 0);
	/* the matches, between the entry and its target: at most a few dozen names */
	for (size_t m = sizeof(*e); m < e->target_offset;) {
		struct xt_entry_match mt;

		if (e->target_offset - m < sizeof(mt))
			return -EBADMSG;
		memcpy(&mt, w->blob + off + m, sizeof(mt));
		if (mt.u.match_size < sizeof(mt) || mt.u.match_size > e->target_offset - m)
			return -EBADMSG;
		mt.u.user.name[sizeof(mt.u.user.name) - 1] = '\0';
		if (strcmp(mt.u.user.name, "comment") != 0) /* a comment matches all */
			put_xt(nlh, false, mt.u.user.name, mt.u.user.revision);
		if (nlh->nlmsg_len > RULE_MSG_MAX - 256)
			return -EBADMSG;
		m += mt.u.match_size;
	}
	if (tg->u.user.name[0] == '\0') {
		int verdict;

		if (!target_data(w->blob, off, e, tg, &verdict, sizeof(verdict)))
			return -EBADMSG;
		put_standard(nlh, w, off, e, verdict);
	} else {
		put_xt(nlh, true, tg->u.user.name, tg->u.user.revision);
	}
	mnl_attr_nest_end(nlh, list);
	return 0;
}

/* Where each chain begins: a built-in one at its hook's entry, a user's after the error entry
 * that names it. */
static int chain_starts(struct walk *w)
{
	struct ipt_entry e;
	struct xt_entry_target tg;

	for (int h = 0; h < NF_INET_NUMHOOKS; h++) {
		if (!(w->info->valid_hooks & (1U << h)))
			continue;
		if (ARRAY_RESERVE(w->starts, w->cap, w->n_starts) < 0)
			return -ENOMEM;
		w->starts[w->n_starts].off = w->info->hook_entry[h];
		snprintf(w->starts[w->n_starts++].name, XT_FUNCTION_MAXNAMELEN, "%s", builtin[h]);
	}
	for (size_t off = 0; off < w->size; off += e.next_offset) {
		struct xt_error_target err;

		if (!entry_at(w->blob, w->size, off, &e, &tg) || e.next_offset == 0)
			return -EBADMSG;
		if (!is_error(&tg))
			continue;
		if (!target_data(w->blob, off, &e, &tg, err.errorname, sizeof(err.errorname)))
			return -EBADMSG;
		err.errorname[sizeof(err.errorname) - 1] = '\0';
		if (strcmp(err.errorname, XT_ERROR_TARGET) == 0)
			break; /* the table's end */
		if (ARRAY_RESERVE(w->starts, w->cap, w->n_starts) < 0)
			return -ENOMEM;
		w->starts[w->n_starts].off = off + e.next_offset;
		memcpy(w->starts[w->n_starts++].name, err.errorname, sizeof(err.errorname));
	}
	qsort(w->starts, w->n_starts, sizeof(*w->starts), start_cmp);
	return 0;
}

int ipt_legacy_rules(const struct ipt_getinfo *info, const void *entries, size_t size,
		     struct ipt_legacy *t)
{
	struct walk w = { .blob = entries, .size = size, .info = info };
	uint32_t msg[RULE_MSG_MAX / sizeof(uint32_t)]; /* aligned for a netlink message */
	const char *chain = NULL;
	struct ipt_entry e;
	struct xt_entry_target tg;
	size_t off;
	int r;

	*t = (struct ipt_legacy){ .forward_policy = NF_ACCEPT };
	r = chain_starts(&w);
	if (r < 0)
		goto fail;
	for (off = 0; off < size; off += e.next_offset) {
		const char *first;
		int hook;

		if (!entry_at(w.blob, size, off, &e, &tg) || e.next_offset == 0)
			goto bad;
		if (is_error(&tg)) {
			chain = NULL; /* a user chain's head, or the end */
			continue;
		}
		first = chain_at(&w, off);
		if (first) /* a chain's first entry */
			chain = first;
		hook = underflow_at(&w, off);
		if (hook >= 0) { /* a built-in chain's policy */
			int verdict;

			if (!target_data(w.blob, off, &e, &tg, &verdict, sizeof(verdict)) ||
			    tg.u.user.name[0] != '\0')
				goto bad;
			if (hook == NF_INET_FORWARD)
				t->forward_policy = verdict == -NF_DROP - 1 ? NF_DROP : NF_ACCEPT;
			chain = NULL;
			continue;
		}
		if (!chain)
			continue; /* in no chain: never run */
		r = entry_rule(&w, off, &e, &tg, chain, msg);
		if (r < 0)
			goto fail;
		r = fw_rules_add(&t->r, (const struct nlmsghdr *)msg, LEGACY_RULES_MAX);
		if (r < 0)
			goto fail;
	}
	r = fw_rules_seal(&t->r);
	if (r < 0)
		goto fail;
	free(w.starts);
	return 0;
bad:
	r = -EBADMSG;
fail:
	free(w.starts);
	ipt_legacy_done(t);
	return r;
}

/* Whether the namespace has iptables-legacy's filter table: asking the kernel for a table it
 * does not have would load its module, and so make one. */
static int has_filter(void)
{
	_cleanup_(freep) char *names = NULL;
	size_t len;
	int r;

	r = read_file_bounded(AT_FDCWD, "/proc/net/ip_tables_names", 4096, &names, &len);
	if (r == -ENOENT)
		return 0; /* ip_tables is not loaded */
	if (r < 0)
		return r;
	for (char *line = names, *end; line < names + len; line = end + 1) {
		end = memchr(line, '\n', (size_t)(names + len - line));
		if (!end)
			end = names + len;
		if (end - line == 6 && memcmp(line, "filter", 6) == 0)
			return 1;
	}
	return 0;
}

int ipt_legacy_filter(struct ipt_legacy *t)
{
	_cleanup_(closep) int fd = -EBADF;
	int r;

	*t = (struct ipt_legacy){ 0 };
	r = has_filter();
	if (r <= 0)
		return r;
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		return -errno;
	/* The table may change between the two questions: its size then no longer fits. */
	for (int tries = 0; tries < 3; tries++) {
		struct ipt_getinfo info = { .name = "filter" };
		_cleanup_(freep) struct ipt_get_entries *e = NULL;
		socklen_t len = sizeof(info);

		if (getsockopt(fd, IPPROTO_IP, IPT_SO_GET_INFO, &info, &len) < 0)
			return errno == ENOENT ? 0 : -errno;
		if (info.size > LEGACY_RULES_MAX)
			return -E2BIG;
		e = calloc(1, sizeof(*e) + info.size);
		if (!e)
			return -ENOMEM;
		memcpy(e->name, "filter", sizeof("filter"));
		e->size = info.size;
		len = (socklen_t)(sizeof(*e) + info.size);
		if (getsockopt(fd, IPPROTO_IP, IPT_SO_GET_ENTRIES, e, &len) < 0) {
			if (errno == EAGAIN)
				continue;
			return errno == ENOENT ? 0 : -errno;
		}
		r = ipt_legacy_rules(&info, e->entrytable, e->size, t);
		return r < 0 ? r : 1;
	}
	return -EAGAIN;
}
