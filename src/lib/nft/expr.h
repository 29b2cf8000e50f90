/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nf_tables expression builders: each returns a new libnftnl expression or NULL (ENOMEM). */
#pragma once

#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <stdbool.h>
#include <stdint.h>

struct nftnl_expr *expr_meta(uint32_t key, uint32_t dreg);
struct nftnl_expr *expr_cmp(uint32_t op, const void *data, uint32_t len);
struct nftnl_expr *expr_payload(uint32_t base, uint32_t offset, uint32_t len, uint32_t dreg);
/* reg 1 &= mask; xor 0 */
struct nftnl_expr *expr_mask(const void *mask, uint32_t len);
/* The same on register reg. */
struct nftnl_expr *expr_mask_reg(uint32_t reg, const void *mask, uint32_t len);
/* fib daddr type -> reg 1 */
struct nftnl_expr *expr_fib_daddr_type(void);
struct nftnl_expr *expr_ct(uint32_t key, uint32_t dreg);
struct nftnl_expr *expr_lookup(const char *set, uint32_t set_id, uint32_t sreg, uint32_t dreg);
/* A verdict map: the key at sreg decides (jump, drop...); no element, no verdict. */
struct nftnl_expr *expr_vmap(const char *set, uint32_t set_id, uint32_t sreg);
/* A membership test: the key at sreg is (invert: is not) in set. */
struct nftnl_expr *expr_lookup_match(const char *set, uint32_t set_id, uint32_t sreg, bool invert);
/* cmp of the register sreg (expr_cmp compares NFT_REG_1). */
struct nftnl_expr *expr_cmp_reg(uint32_t sreg, uint32_t op, const void *data, uint32_t len);
/* dnat ip to reg 1 (address) . reg 9 (port) */
struct nftnl_expr *expr_dnat_v4(void);
struct nftnl_expr *expr_verdict(int verdict);
struct nftnl_expr *expr_jump(const char *chain);
/* update @set { key at sreg limit rate RATE/PER seconds }: breaks the rule when over the rate */
struct nftnl_expr *expr_dynset_limit(const char *set, uint32_t set_id, uint32_t sreg, uint64_t rate,
				     uint64_t per);
/* log prefix PREFIX group GROUP (NFLOG) */
struct nftnl_expr *expr_log_group(const char *prefix, uint16_t group);
/* reject with icmpx CODE (NFT_REJECT_ICMPX_*): an ICMP or ICMPv6 error of that meaning */
struct nftnl_expr *expr_reject_icmpx(uint8_t code);

/* Adds e to r; -ENOMEM if e is NULL (the builder above failed). */
int rule_add(struct nftnl_rule *r, struct nftnl_expr *e);
/* Stores comment in the rule's userdata the way nft does, so `nft list` shows it. */
int rule_set_comment(struct nftnl_rule *r, const char *comment);
