/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What another table's forward chain does with the packets of one of our networks, found by
 * following its rules as the kernel runs them: in order, into jumps and back on a return, to
 * the base chain's policy at the end. The packet is a class known only in part (its
 * interfaces, its family, as much of its addresses as the subnet tells, its conntrack
 * state). A rule that matches on anything else (a port, a mark, an xtables match) may or may
 * not apply: its accept, drop or jump is the table owner's choice for some of the class, and
 * the rest go on past it; where a return or goto it may take leads is followed too. A verdict
 * map decides by the element of a key that is known (ct state vmap { ... }). The answer is
 * where the rest end: FW_ACCEPT when a rule accepts them (Docker's DOCKER-USER accepting the
 * bridge, the bridge in firewalld's trusted zone, with whatever port's drop before); FW_DROP
 * when a rule or the policy drops them all; FW_UNKNOWN when the way cannot be told (a return
 * or goto that may be taken to an end unlike the rest's, a queue, a map whose key is not
 * known).
 */
#pragma once

#include <net/if.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter/nf_tables.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct nlmsghdr;

enum fw_verdict {
	FW_UNKNOWN,
	FW_ACCEPT,
	FW_DROP,
};

struct fw_packet {
	uint8_t nfproto; /* NFPROTO_IPV4 */
	char iifname[IFNAMSIZ], oifname[IFNAMSIZ]; /* "" when not known */
	uint32_t iif, oif; /* 0 when not known */
	struct in_addr saddr, daddr;
	uint8_t saddr_bits, daddr_bits; /* how many leading bits of each are known */
	uint32_t ct_state; /* NF_CT_STATE_BIT() of its conntrack info */
	uint32_t ct_status, ct_status_known; /* IPS_* bits, and which of them are known */
};

/* What a verdict map gives for a key. */
struct fw_map_verdict {
	int32_t code; /* NF_ACCEPT, NF_DROP, NFT_JUMP, NFT_GOTO, NFT_RETURN, NFT_CONTINUE... */
	char chain[NFT_NAME_MAXLEN]; /* of a jump or goto */
};

/* A set of the table: 1 when key is in it, 0 when it is not, negative when that cannot be
 * told (an interval set, a map of data, key bytes that are not all known: known holds the
 * known bits of each of the room bytes of key). With verdict, set is a verdict map (a vmap),
 * and a 1 comes with the verdict of key's element in *verdict. */
typedef int (*fw_lookup_fn)(const char *set, const uint8_t *key, const uint8_t *known, size_t room,
			    struct fw_map_verdict *verdict, void *userdata);

/* Where a chain's rules begin among a table's. */
struct fw_chain_start {
	const char *name; /* inside the rule's message */
	size_t first;
};

/* One table's rules as a dump gives them: NEWRULE messages, each chain's together and in
 * order. */
struct fw_table {
	const struct nlmsghdr *const *rules;
	size_t n_rules;
	fw_lookup_fn lookup; /* NULL: every lookup may or may not match */
	void *userdata;
	/* From fw_chain_starts(), by name; NULL: a chain's start is searched for from the first
	 * rule, which on a large table may take more looking than fw_eval() allows itself. */
	const struct fw_chain_start *starts;
	size_t n_starts;
};

/* A table's rules, copied out of a dump or written out, each chain's together, with what
 * fw_table needs of them once sealed: pointers to each, and the index of chain starts. */
struct fw_rules {
	uint8_t *buf; /* the messages, one after another */
	size_t len, cap, n;
	const struct nlmsghdr **msgs;
	struct fw_chain_start *starts;
	size_t n_starts;
};

void fw_rules_done(struct fw_rules *r);
/* The sealed rules as fw_eval() follows them (lookup and userdata left to the caller). */
static inline struct fw_table fw_rules_table(const struct fw_rules *r)
{
	return (struct fw_table){
		.rules = r->msgs,
		.n_rules = r->n,
		.starts = r->starts,
		.n_starts = r->n_starts,
	};
}
/* Appends a copy of nlh: -E2BIG past max bytes in all, -ENOMEM. */
int fw_rules_add(struct fw_rules *r, const struct nlmsghdr *nlh, size_t max);
/* Once all are added: msgs and starts. -ENOMEM. */
int fw_rules_seal(struct fw_rules *r);

/* Where each chain's rules begin among rules, sorted by name, in a new array in *ret (free()
 * it; it points into rules, which must outlive it). A rule that cannot be read starts no
 * chain: fw_eval() meets it where it lies. Returns how many, or -ENOMEM. */
ssize_t fw_chain_starts(const struct nlmsghdr *const *rules, size_t n, struct fw_chain_start **ret);

/* What base chain chain of t, whose policy is policy (NF_ACCEPT or NF_DROP), does with p. A
 * malformed rule, a loop or a chain past the kernel's jump depth make it FW_UNKNOWN. Pure but
 * for lookup. */
enum fw_verdict fw_eval(const struct fw_table *t, const char *chain, uint32_t policy,
			const struct fw_packet *p);
