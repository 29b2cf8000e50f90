/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bounded nf_tables batches. Only the last command asks for an ack: the kernel answers every
 * command that fails whether asked or not (the batch then fails as a whole), and delivers the
 * answers in order once the batch is done, so that ack tells nl_sock_transact() the kernel has
 * answered all of them. An ack per command was a buffer and a read each. */
#include <errno.h>
#include <netinet/in.h> /* before the linux/ headers */
#include <linux/netfilter.h>
#include <string.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>

#include "lib/nft/batch.h"
#include "lib/nft/nft.h"
#include "shared/memory.h"

void nft_batch_init(struct nft_batch *b, void *buf, size_t size)
{
	*b = (struct nft_batch){ .buf = buf, .size = size, .family = NFPROTO_INET };
}

/* Room for a command of up to need bytes, zeroed (libmnl does not write attribute padding):
 * only what is used, not a buffer sized for the largest policy. */
static struct nlmsghdr *slot_of(struct nft_batch *b, size_t need)
{
	if (b->overflow || b->size - b->len < need) {
		b->overflow = true;
		return NULL;
	}
	memset(b->buf + b->len, 0, need);
	return (struct nlmsghdr *)(b->buf + b->len);
}

static struct nlmsghdr *slot(struct nft_batch *b)
{
	return slot_of(b, NFT_MSG_ROOM);
}

static void commit(struct nft_batch *b, const struct nlmsghdr *nlh)
{
	b->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

void nft_batch_begin(struct nft_batch *b)
{
	struct nlmsghdr *nlh = slot(b);

	if (nlh)
		commit(b, nftnl_batch_begin((char *)nlh, 0));
}

static struct nlmsghdr *command(struct nft_batch *b, uint16_t type, uint16_t flags, size_t need)
{
	struct nlmsghdr *nlh = slot_of(b, need);

	if (!nlh)
		return NULL;
	if (b->commands++ > 0)
		((struct nlmsghdr *)(b->buf + b->last_command))->nlmsg_flags &= ~NLM_F_ACK;
	b->last_command = b->len;
	return nftnl_nlmsg_build_hdr((char *)nlh, type, b->family, flags | NLM_F_ACK, 0);
}

void nft_batch_table(struct nft_batch *b, uint16_t type, uint16_t flags,
		     const struct nftnl_table *t)
{
	struct nlmsghdr *nlh = command(b, type, flags, NFT_MSG_ROOM);

	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		commit(b, nlh);
	}
}

void nft_batch_chain(struct nft_batch *b, uint16_t type, uint16_t flags,
		     const struct nftnl_chain *c)
{
	struct nlmsghdr *nlh = command(b, type, flags, NFT_MSG_ROOM);

	if (nlh) {
		nftnl_chain_nlmsg_build_payload(nlh, c);
		commit(b, nlh);
	}
}

void nft_batch_rule(struct nft_batch *b, uint16_t type, uint16_t flags, struct nftnl_rule *r)
{
	struct nlmsghdr *nlh = command(b, type, flags, NFT_MSG_ROOM);

	if (nlh) {
		nftnl_rule_nlmsg_build_payload(nlh, r);
		commit(b, nlh);
	}
}

int nft_batch_end(struct nft_batch *b)
{
	struct nlmsghdr *nlh = slot(b);

	if (!nlh)
		return -EMSGSIZE;
	commit(b, nftnl_batch_end((char *)nlh, 0));
	return 0;
}

void nft_batch_set(struct nft_batch *b, uint16_t type, uint16_t flags, const struct nftnl_set *s)
{
	struct nlmsghdr *nlh = command(b, type, flags, NFT_MSG_ROOM);

	if (nlh) {
		nftnl_set_nlmsg_build_payload(nlh, (struct nftnl_set *)s);
		commit(b, nlh);
	}
}

void nft_batch_setelems(struct nft_batch *b, uint16_t type, uint16_t flags, struct nftnl_set *s,
			size_t room)
{
	struct nlmsghdr *nlh = command(b, type, flags, room + NFT_MSG_ROOM);

	if (nlh) {
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		commit(b, nlh);
	}
}

void nft_batch_prefault(struct nft_batch *b, size_t len)
{
	if (len > b->size - b->len)
		len = b->size - b->len;
	if (!b->overflow && len >= PREFAULT_MIN)
		(void)prefault(b->buf + b->len, len);
}

void nft_batch_keys_begin(struct nft_batch *b, struct nft_keys *k, uint16_t flags, const char *set,
			  size_t n, uint16_t len)
{
	*k = (struct nft_keys){ .b = b, .left = n, .len = len };
	k->nlh = command(b, NFT_MSG_NEWSETELEM, flags, NFT_MSG_ROOM + n * NFT_KEY_ROOM(len));
	if (!k->nlh)
		return;
	mnl_attr_put_strz(k->nlh, NFTA_SET_ELEM_LIST_TABLE, NFT_TABLE);
	mnl_attr_put_strz(k->nlh, NFTA_SET_ELEM_LIST_SET, set);
	k->list = mnl_attr_nest_start(k->nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
}

void nft_batch_key(struct nft_keys *k, const void *key)
{
	uint16_t room = NFT_KEY_ROOM(k->len);
	struct nlattr *at;

	if (!k->nlh)
		return;
	if (k->left == 0) {
		k->b->overflow = true;
		k->nlh = NULL;
		return;
	}
	k->left--;
	/* The element, its key and the key's value, as libmnl's nests would write them (a nest
	 * counts its padding, a value only its bytes) but in three stores and a copy: a list of
	 * 10,000 through mnl_attr_nest_start() and _end() took a quarter of a millisecond. Room
	 * for n keys was taken when the command began. */
	at = mnl_nlmsg_get_payload_tail(k->nlh);
	at[0] = (struct nlattr){ room, NLA_F_NESTED | NFTA_LIST_ELEM };
	at[1] = (struct nlattr){ room - NLA_HDRLEN, NLA_F_NESTED | NFTA_SET_ELEM_KEY };
	at[2] = (struct nlattr){ NLA_HDRLEN + k->len, NFTA_DATA_VALUE };
	memcpy(&at[3], key, k->len);
	memset((char *)&at[3] + k->len, 0, NLA_ALIGN(k->len) - k->len);
	k->nlh->nlmsg_len += room;
}

void nft_batch_keys_end(struct nft_keys *k)
{
	if (!k->nlh)
		return;
	mnl_attr_nest_end(k->nlh, k->list);
	commit(k->b, k->nlh);
	k->nlh = NULL;
}
