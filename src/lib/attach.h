/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Orchestration internals shared with recovery (gc). */
#pragma once

#include "brnet.h"
#include "lib/record.h"

struct nft_batch;
struct nft_egress_list;
/* Appends a's published ports, anti-spoofing (unless mac is NULL) and egress elements to b,
 * with a's allowlist l (see nft_egress_list_init(); NULL leaves the egress policy out);
 * exclusive: a port or element that exists fails the transaction (setup), else it is left as
 * it is (restore). */
int attach_batch_elements(struct nft_batch *b, const struct brnet_attachment *a,
			  const struct nft_egress_list *l, const uint8_t mac[6], bool exclusive);
/* The room attach_batch_elements() needs. */
size_t attach_elements_room(const struct brnet_attachment *a);

/* Undoes every journaled step of a (idempotently) and removes its record. On failure the
 * record is kept, listing what is still to undo. */
int attach_undo(brnet_ctx *ctx, struct brnet_attachment *a, struct brnet_error *err);

/* Finishes the `brnet policy` that a kill interrupted (STEP_POLICY in a's journal, a active
 * and its lock held): the kernel's egress elements become the record's policy, and the
 * journal says so. 0 when there was nothing to finish, 1 when it was finished. */
int attach_policy_finish(brnet_ctx *ctx, struct brnet_attachment *a, struct brnet_error *err);

/* Teardown with the attachment lock already held: 1 removed, 0 nothing recorded. */
int attach_teardown_locked(brnet_ctx *ctx, const char *id, const char *ifname,
			   struct brnet_error *err);

/* An fd of a's network namespace; -ESRCH when the process it was given by has gone. */
int attach_netns_open(const struct brnet_attachment *a);

/* Validates an attachment's names; a NULL ifname becomes "eth0". */
int attach_names(const char *id, const char **ifname, struct brnet_error *err);
/* Loads a record by names: -ENOENT with "no attachment ID/IFNAME" when there is none. */
int attach_load(brnet_ctx *ctx, const char *id, const char *ifname, struct brnet_attachment *ret,
		struct brnet_error *err);
